//! HTTPRoute filters as Istio's `convertHTTPRoute` turns them into
//! VirtualService fields (pilot/pkg/config/kube/gateway/conversion.go):
//! header modifiers, redirects, rewrites, mirrors and CORS.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::common::{Destination, HeaderOperations, Percent, PortSelector, StringMatch};
use super::super::gateway_api::{BackendRef, HttpRouteRule, filter_settings};
use super::super::virtual_service::{
    CorsPolicy, Headers, HttpMirror, HttpRedirect, HttpRewrite, PREFIX_REWRITE, RegexRewrite,
};

/// The rule's PathPrefix value, which a ReplacePrefixMatch replaces (the CRD
/// lets such a filter only on a rule with one PathPrefix match).
fn matched_prefix(r: &HttpRouteRule) -> Option<String> {
    r.matches
        .first()
        .and_then(|m| m.path.as_ref())
        .filter(|p| p.match_type.as_deref().unwrap_or("PathPrefix") == "PathPrefix")
        .and_then(|p| p.value.clone())
}

fn text(f: &Value, pointer: &str) -> Option<String> {
    f.pointer(pointer).and_then(Value::as_str).map(String::from)
}

/// Istio's `createRedirectFilter` for a filter `f` of rule `r`:
/// ReplacePrefixMatch becomes the `%PREFIX()%` uri; without a port, a
/// scheme change takes the scheme's default port and no scheme change keeps
/// the request's.
pub fn redirect(f: &Value, r: &HttpRouteRule) -> HttpRedirect {
    let scheme = text(f, "/scheme");
    let port = f.get("port").and_then(Value::as_i64);
    let derive_port = match (port, &scheme) {
        (Some(_), _) => None,
        (None, Some(_)) => Some("FROM_PROTOCOL_DEFAULT".to_string()),
        (None, None) => Some("FROM_REQUEST_PORT".to_string()),
    };
    HttpRedirect {
        uri: text(f, "/path/replaceFullPath").or_else(|| {
            text(f, "/path/replacePrefixMatch").map(|p| format!("{PREFIX_REWRITE}{p}"))
        }),
        authority: text(f, "/hostname"),
        scheme,
        port,
        derive_port,
        redirect_code: f.get("statusCode").and_then(Value::as_i64).or(Some(302)),
        prefix_rewrite: None,
        matched_prefix: matched_prefix(r),
    }
}

/// Istio's `createRewriteFilter`: ReplacePrefixMatch replaces the matched
/// prefix, ReplaceFullPath the whole path (a `/.*` regex rewrite), and
/// `hostname` the authority.
pub fn rewrite(f: &Value, r: &HttpRouteRule) -> HttpRewrite {
    let prefix = text(f, "/path/replacePrefixMatch");
    HttpRewrite {
        matched_prefix: prefix.as_ref().and_then(|_| matched_prefix(r)),
        uri: prefix,
        authority: text(f, "/hostname"),
        uri_regex_rewrite: text(f, "/path/replaceFullPath").map(|full| RegexRewrite {
            pattern: Some("/.*".into()),
            rewrite: Some(full),
        }),
    }
}

/// Istio's `createHeadersFilter`: `set` and `add` by lower-case name (the
/// first of a repeated name wins), `remove` as listed.
fn header_operations(modifier: &Value) -> HeaderOperations {
    let by_name = |field: &str| {
        let mut out = BTreeMap::new();
        for h in modifier
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(value)) = (
                h.get("name").and_then(Value::as_str),
                h.get("value").and_then(Value::as_str),
            ) {
                out.entry(name.to_ascii_lowercase())
                    .or_insert_with(|| value.to_string());
            }
        }
        out
    };
    HeaderOperations {
        set: by_name("set"),
        add: by_name("add"),
        remove: modifier
            .get("remove")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
    }
}

/// The request and response header modifiers of `filters` (the last of
/// each type wins, as Istio assigns them in turn).
pub fn headers(filters: &[Value]) -> Option<Headers> {
    let last = |kind: &str| {
        filters
            .iter()
            .rev()
            .find(|f| f.get("type").and_then(Value::as_str) == Some(kind))
            .and_then(|f| filter_settings(std::slice::from_ref(f), kind))
            .map(header_operations)
    };
    let request = last("RequestHeaderModifier");
    let response = last("ResponseHeaderModifier");
    (request.is_some() || response.is_some()).then_some(Headers { request, response })
}

/// Istio's `createMirrorFilter`: the mirror's backend (`host` as a
/// backendRef's) and the share of requests copied: `fraction`
/// (numerator / denominator, 100 by default), else `percent`, else all.
pub fn mirror(f: &Value, host: impl Fn(&BackendRef) -> Option<String>) -> Option<HttpMirror> {
    let backend: BackendRef = serde_json::from_value(f.get("backendRef")?.clone()).ok()?;
    let percentage = match (f.get("fraction"), f.get("percent").and_then(Value::as_f64)) {
        (Some(fraction), _) => {
            let numerator = fraction.get("numerator").and_then(Value::as_f64)?;
            let denominator = fraction
                .get("denominator")
                .and_then(Value::as_f64)
                .unwrap_or(100.0);
            Some(Percent {
                value: 100.0 * numerator / denominator,
            })
        }
        (None, Some(percent)) => Some(Percent { value: percent }),
        (None, None) => None,
    };
    Some(HttpMirror {
        destination: Destination {
            host: host(&backend)?,
            subset: None,
            port: backend.port.map(|number| PortSelector { number }),
        },
        percentage,
    })
}

/// Istio's `createCorsFilter`: origins as exact matches.
pub fn cors(f: &Value) -> CorsPolicy {
    let list = |field: &str| -> Vec<String> {
        f.get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect()
    };
    CorsPolicy {
        allow_origins: list("allowOrigins")
            .into_iter()
            .filter(|o| !o.is_empty())
            .map(|o| StringMatch {
                exact: Some(o),
                ..StringMatch::default()
            })
            .collect(),
        allow_methods: list("allowMethods"),
        allow_headers: list("allowHeaders"),
        expose_headers: list("exposeHeaders"),
        max_age: f
            .get("maxAge")
            .and_then(Value::as_i64)
            .filter(|s| *s > 0)
            .map(|s| format!("{s}s")),
        allow_credentials: f
            .get("allowCredentials")
            .and_then(Value::as_bool)
            .filter(|b| *b),
        ..CorsPolicy::default()
    }
}
