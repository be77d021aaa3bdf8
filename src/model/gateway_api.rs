//! Gateway API objects (gateway.networking.k8s.io v1, v1beta1).

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KubeGateway {
    pub gateway_class_name: String,
    pub listeners: Vec<Listener>,
    pub addresses: Vec<GatewayAddress>,
    /// Which namespaces' ListenerSets may add listeners (none by default).
    pub allowed_listeners: Option<AllowedRoutes>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GatewayAddress {
    /// IPAddress (the default), Hostname, or a domain-prefixed custom type.
    #[serde(rename = "type")]
    pub address_type: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Listener {
    pub name: String,
    pub hostname: Option<String>,
    pub port: u64,
    pub protocol: String,
    pub allowed_routes: Option<AllowedRoutes>,
    pub tls: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AllowedRoutes {
    pub namespaces: Option<RouteNamespaces>,
    /// The route kinds the listener admits (by default, those of its protocol).
    pub kinds: Vec<RouteGroupKind>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RouteGroupKind {
    pub group: Option<String>,
    pub kind: String,
}

impl AllowedRoutes {
    /// `namespaces.from` of `allowed`, else `default`.
    pub fn from_or<'a>(allowed: Option<&'a AllowedRoutes>, default: &'a str) -> &'a str {
        allowed
            .and_then(|a| a.namespaces.as_ref())
            .and_then(|n| n.from.as_deref())
            .unwrap_or(default)
    }
}

/// Whether `namespaces.from` admits an object of namespace `ns` to a parent
/// in namespace `owner`: `None` admits none, `Same` the parent's, `All` and
/// `Selector` (whose namespace labels the input may not show) any.
pub fn from_admits(from: &str, owner: &str, ns: &str) -> bool {
    match from {
        "None" => false,
        "Same" => owner == ns,
        _ => true,
    }
}

impl Listener {
    /// Whether the listener admits routes of `kind` (Gateway API core
    /// group): the kinds of `allowedRoutes.kinds`, else those its protocol
    /// serves.
    pub fn admits_kind(&self, kind: &str) -> bool {
        let listed = self.allowed_routes.as_ref().map(|a| &a.kinds);
        match listed {
            Some(kinds) if !kinds.is_empty() => kinds.iter().any(|k| {
                k.kind == kind
                    && k.group
                        .as_deref()
                        .is_none_or(|g| g == "gateway.networking.k8s.io")
            }),
            _ => default_route_kinds(&self.protocol).contains(&kind),
        }
    }
}

/// The route kinds a listener of `protocol` admits when it lists none.
fn default_route_kinds(protocol: &str) -> &'static [&'static str] {
    match protocol {
        "HTTP" | "HTTPS" => &["HTTPRoute", "GRPCRoute"],
        "TLS" => &["TLSRoute", "TCPRoute"],
        "TCP" => &["TCPRoute"],
        "UDP" => &["UDPRoute"],
        // An implementation-specific protocol: its kinds are not known.
        _ => &["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"],
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RouteNamespaces {
    pub from: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<HttpRouteRule>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ParentRef {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: String,
    pub section_name: Option<String>,
    pub port: Option<u64>,
}

impl ParentRef {
    /// A parentRef to a Kubernetes Service: the route applies to the mesh (GAMMA).
    pub fn is_service(&self) -> bool {
        self.kind.as_deref() == Some("Service")
            && self
                .group
                .as_deref()
                .is_none_or(|g| g.is_empty() || g == "core")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRouteRule {
    pub name: Option<String>,
    pub matches: Vec<HttpRouteMatch>,
    pub filters: Vec<serde_json::Value>,
    pub backend_refs: Vec<BackendRef>,
    pub timeouts: Option<HttpRouteTimeouts>,
    /// Experimental: `retry {codes, attempts, backoff}`.
    pub retry: Option<HttpRouteRetry>,
    /// Experimental: session affinity.
    pub session_persistence: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRouteRetry {
    pub codes: Vec<u16>,
    pub attempts: Option<i64>,
    pub backoff: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRouteMatch {
    pub path: Option<PathMatch>,
    pub headers: Vec<NameValueMatch>,
    pub query_params: Vec<NameValueMatch>,
    pub method: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PathMatch {
    #[serde(rename = "type")]
    pub match_type: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NameValueMatch {
    #[serde(rename = "type")]
    pub match_type: Option<String>,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BackendRef {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub name: String,
    pub namespace: Option<String>,
    pub port: Option<u64>,
    pub weight: Option<u64>,
    pub filters: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRouteTimeouts {
    pub request: Option<String>,
    pub backend_request: Option<String>,
}

/// A GRPCRoute, TLSRoute, TCPRoute or UDPRoute: what reference checks
/// read (their matches and filters are checked by the schema).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RouteSpec {
    pub parent_refs: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<RouteRule>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RouteRule {
    pub backend_refs: Vec<BackendRef>,
    /// Experimental (GRPCRoute): session affinity.
    pub session_persistence: Option<serde_json::Value>,
}

/// What the reference checks read from a route of any kind.
pub trait RouteRefs {
    fn parent_refs(&self) -> &[ParentRef];
    fn hostnames(&self) -> &[String];
    /// Each backendRef with the index of its rule.
    fn backends(&self) -> impl Iterator<Item = (usize, usize, &BackendRef)>;
}

impl RouteRefs for HttpRouteSpec {
    fn parent_refs(&self) -> &[ParentRef] {
        &self.parent_refs
    }
    fn hostnames(&self) -> &[String] {
        &self.hostnames
    }
    fn backends(&self) -> impl Iterator<Item = (usize, usize, &BackendRef)> {
        numbered(&self.rules, |r| &r.backend_refs)
    }
}

impl RouteRefs for RouteSpec {
    fn parent_refs(&self) -> &[ParentRef] {
        &self.parent_refs
    }
    fn hostnames(&self) -> &[String] {
        &self.hostnames
    }
    fn backends(&self) -> impl Iterator<Item = (usize, usize, &BackendRef)> {
        numbered(&self.rules, |r| &r.backend_refs)
    }
}

/// Each backendRef of `rules` with its rule's index and its own.
fn numbered<R>(
    rules: &[R],
    refs: fn(&R) -> &[BackendRef],
) -> impl Iterator<Item = (usize, usize, &BackendRef)> {
    rules
        .iter()
        .enumerate()
        .flat_map(move |(i, r)| refs(r).iter().enumerate().map(move |(j, b)| (i, j, b)))
}

/// A ListenerSet: listeners added to a parent Gateway.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ListenerSetSpec {
    pub parent_ref: ParentRef,
    pub listeners: Vec<Listener>,
}

/// A ReferenceGrant's `from` and `to` lists.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReferenceGrantSpec {
    pub from: Vec<BTreeMap<String, String>>,
    pub to: Vec<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GatewayClassSpec {
    pub controller_name: String,
}

/// The settings field of each HTTPRoute filter type
/// (`{type: URLRewrite, urlRewrite: {...}}`).
pub const FILTER_FIELDS: &[(&str, &str)] = &[
    ("RequestHeaderModifier", "requestHeaderModifier"),
    ("ResponseHeaderModifier", "responseHeaderModifier"),
    ("RequestMirror", "requestMirror"),
    ("RequestRedirect", "requestRedirect"),
    ("URLRewrite", "urlRewrite"),
    ("ExtensionRef", "extensionRef"),
    ("CORS", "cors"),
];

/// The filter types Istio converts on a rule (conversion.go,
/// `convertHTTPRoute`).
const ISTIO_RULE_FILTERS: &[&str] = &[
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestRedirect",
    "RequestMirror",
    "URLRewrite",
    "CORS",
];

/// The filter types Istio converts on a backendRef (`buildHTTPDestination`).
const ISTIO_BACKEND_FILTERS: &[&str] = &["RequestHeaderModifier", "ResponseHeaderModifier"];

/// A filter's `type`.
pub fn filter_type(f: &serde_json::Value) -> &str {
    f.get("type").and_then(|t| t.as_str()).unwrap_or_default()
}

impl HttpRouteSpec {
    /// The filters Istio does not support where they stand, as (JSON pointer,
    /// type): Istio then refuses the whole route (InvalidFilter).
    pub fn unsupported_filters(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let at = format!("/spec/rules/{i}");
            unsupported(&rule.filters, &at, ISTIO_RULE_FILTERS, &mut out);
            for (j, b) in rule.backend_refs.iter().enumerate() {
                let at = format!("{at}/backendRefs/{j}");
                unsupported(&b.filters, &at, ISTIO_BACKEND_FILTERS, &mut out);
            }
        }
        out
    }
}

/// Adds the filters of `filters` (at `at`) whose type is not `allowed`.
fn unsupported<'f>(
    filters: &'f [serde_json::Value],
    at: &str,
    allowed: &[&str],
    out: &mut Vec<(String, &'f str)>,
) {
    for (k, f) in filters.iter().enumerate() {
        let kind = filter_type(f);
        if !allowed.contains(&kind) {
            out.push((format!("{at}/filters/{k}/type"), kind));
        }
    }
}

/// The settings of the first filter of type `kind` in `filters`.
pub fn filter_settings<'f>(
    filters: &'f [serde_json::Value],
    kind: &str,
) -> Option<&'f serde_json::Value> {
    let (_, field) = FILTER_FIELDS.iter().find(|(t, _)| *t == kind)?;
    filters
        .iter()
        .find(|f| f.get("type").and_then(|t| t.as_str()) == Some(kind))
        .and_then(|f| f.get(*field))
}
