//! VirtualService (networking.istio.io v1alpha3, v1beta1, v1).

use super::meta::SmallMap;

use serde::Deserialize;

use super::common::{Destination, HeaderOperations, Percent, StringMatch};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VirtualService {
    pub hosts: Vec<String>,
    pub gateways: Vec<String>,
    pub http: Vec<HttpRoute>,
    pub tls: Vec<TlsRoute>,
    pub tcp: Vec<TcpRoute>,
    pub export_to: Vec<String>,
    /// For a VirtualService generated from an HTTPRoute: the names of the
    /// servers (listeners) of its gateway it is bound to.
    #[serde(skip)]
    pub listeners: Vec<String>,
}

/// One element of `http[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRoute {
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub matches: Vec<HttpMatch>,
    pub route: Vec<HttpRouteDestination>,
    pub redirect: Option<Box<HttpRedirect>>,
    pub direct_response: Option<Box<DirectResponse>>,
    pub delegate: Option<Box<Delegate>>,
    pub rewrite: Option<Box<HttpRewrite>>,
    pub timeout: Option<String>,
    pub retries: Option<Box<HttpRetry>>,
    pub fault: Option<Box<HttpFault>>,
    pub mirror: Option<Box<Destination>>,
    pub mirror_percentage: Option<Percent>,
    pub mirror_percent: Option<i64>,
    pub mirrors: Vec<HttpMirror>,
    pub cors_policy: Option<Box<CorsPolicy>>,
    pub headers: Option<Box<Headers>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpMatch {
    pub name: Option<String>,
    pub uri: Option<Box<StringMatch>>,
    pub scheme: Option<Box<StringMatch>>,
    pub method: Option<Box<StringMatch>>,
    pub authority: Option<Box<StringMatch>>,
    pub headers: SmallMap<StringMatch>,
    pub without_headers: SmallMap<StringMatch>,
    pub query_params: SmallMap<StringMatch>,
    pub port: Option<i64>,
    pub ignore_uri_case: bool,
    pub source_labels: SmallMap,
    pub gateways: Vec<String>,
    pub source_namespace: Option<String>,
    pub stat_prefix: Option<String>,
    /// Gateway API precedence, for matches generated from an HTTPRoute.
    #[serde(skip)]
    pub precedence: Option<super::generated::Precedence>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRouteDestination {
    pub destination: Destination,
    pub weight: Option<i64>,
    pub headers: Option<Box<Headers>>,
    /// For a backendRef Istio cannot use (not permitted by a ReferenceGrant,
    /// or of an unknown kind): why. Its share of requests gets 500.
    #[serde(skip)]
    pub invalid: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Headers {
    pub request: Option<HeaderOperations>,
    pub response: Option<HeaderOperations>,
}

/// The `redirect.uri` prefix of Istio's Gateway API conversion for a
/// ReplacePrefixMatch redirect: the rest of the uri replaces the matched
/// path prefix.
pub const PREFIX_REWRITE: &str = "%PREFIX()%";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRedirect {
    pub uri: Option<String>,
    pub authority: Option<String>,
    pub port: Option<i64>,
    pub derive_port: Option<String>,
    pub scheme: Option<String>,
    pub redirect_code: Option<i64>,
    pub prefix_rewrite: Option<String>,
    /// For a ReplacePrefixMatch redirect of an HTTPRoute: the PathPrefix of
    /// its rule's match, the part of the path the replacement takes over.
    #[serde(skip)]
    pub matched_prefix: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DirectResponse {
    pub status: i64,
    pub body: Option<DirectResponseBody>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DirectResponseBody {
    pub string: Option<String>,
    pub bytes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Delegate {
    pub name: String,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRewrite {
    pub uri: Option<String>,
    pub authority: Option<String>,
    pub uri_regex_rewrite: Option<RegexRewrite>,
    /// For a ReplacePrefixMatch rewrite of an HTTPRoute: the PathPrefix whose
    /// matched segments `uri` replaces.
    #[serde(skip)]
    pub matched_prefix: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RegexRewrite {
    #[serde(rename = "match")]
    pub pattern: Option<String>,
    pub rewrite: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRetry {
    pub attempts: Option<i64>,
    pub per_try_timeout: Option<String>,
    pub retry_on: Option<String>,
    pub retry_remote_localities: Option<bool>,
    pub retry_ignore_previous_hosts: Option<bool>,
    pub backoff: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpFault {
    pub delay: Option<FaultDelay>,
    pub abort: Option<FaultAbort>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FaultDelay {
    pub fixed_delay: Option<String>,
    pub exponential_delay: Option<String>,
    pub percentage: Option<Percent>,
    pub percent: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FaultAbort {
    pub http_status: Option<i64>,
    pub grpc_status: Option<String>,
    pub http2_error: Option<String>,
    pub percentage: Option<Percent>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpMirror {
    pub destination: Destination,
    pub percentage: Option<Percent>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CorsPolicy {
    pub allow_origins: Vec<StringMatch>,
    pub allow_origin: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<String>,
    pub allow_credentials: Option<bool>,
    pub unmatched_preflights: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TlsRoute {
    #[serde(rename = "match")]
    pub matches: Vec<TlsMatch>,
    pub route: Vec<RouteDestination>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TlsMatch {
    pub sni_hosts: Vec<String>,
    pub destination_subnets: Vec<String>,
    pub port: Option<i64>,
    pub source_labels: SmallMap,
    pub gateways: Vec<String>,
    pub source_namespace: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TcpRoute {
    #[serde(rename = "match")]
    pub matches: Vec<L4Match>,
    pub route: Vec<RouteDestination>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct L4Match {
    pub destination_subnets: Vec<String>,
    pub port: Option<i64>,
    pub source_labels: SmallMap,
    pub gateways: Vec<String>,
    pub source_namespace: Option<String>,
    pub source_subnet: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RouteDestination {
    pub destination: Destination,
    pub weight: Option<i64>,
}

/// Where a destination sits in a VirtualService.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationUse {
    /// A route destination of an http, tcp or tls rule.
    Route,
    /// An http rule's `mirror` or `mirrors[]` target.
    Mirror,
}

/// A destination with where it sits and its use.
pub struct DestinationAt<'a> {
    slot: Slot,
    pub destination: &'a Destination,
    pub used_as: DestinationUse,
    /// Index of the http rule, for http destinations and mirrors.
    pub http_rule: Option<usize>,
}

/// Where a destination sits in its VirtualService.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `route[index]` of rule `rule` of `section` (http, tcp or tls).
    Route {
        section: &'static str,
        rule: usize,
        index: usize,
    },
    /// `http[rule].mirror`.
    Mirror { rule: usize },
    /// `http[rule].mirrors[index]`.
    Mirrors { rule: usize, index: usize },
}

impl DestinationAt<'_> {
    /// Its JSON pointer, relative to the object (made only when asked:
    /// most destinations are never reported).
    pub fn pointer(&self) -> String {
        match self.slot {
            Slot::Route {
                section,
                rule,
                index,
            } => format!("/spec/{section}/{rule}/route/{index}/destination"),
            Slot::Mirror { rule } => format!("/spec/http/{rule}/mirror"),
            Slot::Mirrors { rule, index } => {
                format!("/spec/http/{rule}/mirrors/{index}/destination")
            }
        }
    }
}

/// Where a route (the `route` list of an http, tcp or tls rule) sits; its
/// pointer (`/spec/http/2/route`) is spelled only when displayed, as most
/// routes are never reported.
#[derive(Debug, Clone, Copy)]
pub struct RouteAt {
    pub section: &'static str,
    pub rule: usize,
}

impl std::fmt::Display for RouteAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/spec/{}/{}/route", self.section, self.rule)
    }
}

/// A route's destinations, each with its weight.
pub type Split<'a> = Vec<(Option<i64>, &'a Destination)>;

impl VirtualService {
    /// Every destination and mirror of every http, tcp and tls rule, in order.
    pub fn destinations(&self) -> Vec<DestinationAt<'_>> {
        let mut out = Vec::new();
        let at = |slot, destination, used_as, http_rule| DestinationAt {
            slot,
            destination,
            used_as,
            http_rule,
        };
        for (rule, http) in self.http.iter().enumerate() {
            for (index, r) in http.route.iter().enumerate() {
                let slot = Slot::Route {
                    section: "http",
                    rule,
                    index,
                };
                out.push(at(slot, &r.destination, DestinationUse::Route, Some(rule)));
            }
            if let Some(mirror) = &http.mirror {
                let slot = Slot::Mirror { rule };
                out.push(at(slot, mirror, DestinationUse::Mirror, Some(rule)));
            }
            for (index, m) in http.mirrors.iter().enumerate() {
                let slot = Slot::Mirrors { rule, index };
                out.push(at(slot, &m.destination, DestinationUse::Mirror, Some(rule)));
            }
        }
        let l4 = self
            .tcp
            .iter()
            .map(|r| ("tcp", &r.route))
            .enumerate()
            .chain(self.tls.iter().map(|r| ("tls", &r.route)).enumerate());
        for (rule, (section, route)) in l4 {
            for (index, r) in route.iter().enumerate() {
                let slot = Slot::Route {
                    section,
                    rule,
                    index,
                };
                out.push(at(slot, &r.destination, DestinationUse::Route, None));
            }
        }
        out
    }

    /// The gateways named in route matches (`http[].match[].gateways`, and
    /// tcp's and tls's), each with its pointer.
    pub fn match_gateways(&self) -> Vec<(String, &str)> {
        let http = self.http.iter().enumerate().flat_map(|(i, r)| {
            r.matches
                .iter()
                .enumerate()
                .map(move |(j, m)| ("http", i, j, &m.gateways))
        });
        let tcp = self.tcp.iter().enumerate().flat_map(|(i, r)| {
            r.matches
                .iter()
                .enumerate()
                .map(move |(j, m)| ("tcp", i, j, &m.gateways))
        });
        let tls = self.tls.iter().enumerate().flat_map(|(i, r)| {
            r.matches
                .iter()
                .enumerate()
                .map(move |(j, m)| ("tls", i, j, &m.gateways))
        });
        http.chain(tcp)
            .chain(tls)
            .flat_map(|(section, i, j, gateways)| {
                gateways.iter().enumerate().map(move |(k, g)| {
                    (
                        format!("/spec/{section}/{i}/match/{j}/gateways/{k}"),
                        g.as_str(),
                    )
                })
            })
            .collect()
    }

    /// Each route (http, tcp and tls) with where it sits and, per
    /// destination, its weight and destination.
    pub fn route_splits(&self) -> Vec<(RouteAt, Split<'_>)> {
        let http = self.http.iter().enumerate().map(|(rule, r)| {
            let split = r.route.iter().map(|d| (d.weight, &d.destination)).collect();
            let at = RouteAt {
                section: "http",
                rule,
            };
            (at, split)
        });
        let l4 = [("tcp", self.tcp.iter().map(|r| &r.route).collect::<Vec<_>>())]
            .into_iter()
            .chain([("tls", self.tls.iter().map(|r| &r.route).collect())])
            .flat_map(|(section, routes)| {
                routes.into_iter().enumerate().map(move |(rule, route)| {
                    let split = route.iter().map(|d| (d.weight, &d.destination)).collect();
                    (RouteAt { section, rule }, split)
                })
            });
        http.chain(l4).collect()
    }

    /// Whether the VirtualService applies to sidecars: no `gateways`, or `mesh` among them.
    pub fn applies_to_mesh(&self) -> bool {
        self.gateways.is_empty() || self.gateways.iter().any(|g| g == "mesh")
    }
}
