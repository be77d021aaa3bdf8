//! The Gateway API release channel a cluster runs: the standard channel's
//! CRDs lack the experimental fields, which the API server prunes.

use crate::diagnostic::Diagnostic;
use crate::load::Document;
use crate::model::Config;
use crate::model::gateway_api::HttpRouteRule;

use super::rules::EXPERIMENTAL_FIELD;

/// A Gateway API release channel.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Standard,
    Experimental,
}

/// The annotation the Gateway API CRDs carry their channel in.
const CHANNEL_ANNOTATION: &str = "/metadata/annotations/gateway.networking.k8s.io~1channel";

/// The channel a Gateway API CustomResourceDefinition document declares.
pub fn declared_by(doc: &Document) -> Option<Channel> {
    if doc.kind() != "CustomResourceDefinition"
        || doc.str_field("/spec/group") != Some("gateway.networking.k8s.io")
    {
        return None;
    }
    match doc.str_field(CHANNEL_ANNOTATION)? {
        "standard" => Some(Channel::Standard),
        "experimental" => Some(Channel::Experimental),
        _ => None,
    }
}

/// Reports the experimental fields of the routes in `config` (for a
/// cluster on the standard channel).
pub fn check_standard(config: &Config, docs: &[Document], out: &mut Vec<Diagnostic>) {
    let http = config
        .http_routes
        .iter()
        .map(|r| (r.doc, r.id(), http_route_fields(&r.spec.rules)));
    let other = config.routes.iter().map(|r| {
        let fields = r
            .spec
            .rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.session_persistence.is_some());
        let fields = fields
            .map(|(i, _)| (format!("/spec/rules/{i}/sessionPersistence"), SESSION))
            .collect();
        (r.doc, r.id(), fields)
    });
    for (doc, resource, fields) in http.chain(other) {
        let doc = &docs[doc];
        for (pointer, what) in fields {
            out.push(
                Diagnostic::new(
                    &EXPERIMENTAL_FIELD,
                    format!("{what} is a field of the Gateway API experimental channel; the standard channel's CRDs drop it"),
                )
                .at(doc.key_location(&pointer))
                .with_path(doc.full_pointer(&pointer))
                .with_resource(resource.clone())
                .with_label("experimental channel only")
                .with_help("install the experimental channel's CRDs (or pass --gateway-api-channel experimental), or remove the field"),
            );
        }
    }
}

const SESSION: &str = "`sessionPersistence`";

/// The experimental fields of HTTPRoute rules: pointer and name of each.
fn http_route_fields(rules: &[HttpRouteRule]) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("/spec/rules/{i}");
        if rule.retry.is_some() {
            found.push((format!("{at}/retry"), "`retry`"));
        }
        if rule.session_persistence.is_some() {
            found.push((format!("{at}/sessionPersistence"), SESSION));
        }
        let filter_lists = std::iter::once((at.clone(), &rule.filters)).chain(
            rule.backend_refs
                .iter()
                .enumerate()
                .map(|(j, b)| (format!("{at}/backendRefs/{j}"), &b.filters)),
        );
        for (owner, filters) in filter_lists {
            for (k, f) in filters.iter().enumerate() {
                if f.get("type").and_then(|t| t.as_str()) == Some("ExternalAuth") {
                    found.push((
                        format!("{owner}/filters/{k}/type"),
                        "the `ExternalAuth` filter",
                    ));
                }
            }
        }
    }
    found
}
