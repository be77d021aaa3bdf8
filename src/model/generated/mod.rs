//! What Istio generates from Gateway API objects (§1.6, §2.7; Istio's
//! `pilot/pkg/config/kube/gateway/conversion.go`): a Gateway with one server
//! per listener for each K-GW, and a VirtualService with gateway semantics for
//! each HTTPRoute attached to one. The routing engine runs them like any
//! other; analysis sees only what the user wrote.

use super::common::{Destination, PortSelector, StringMatch};
use super::gateway::{Gateway, Server, ServerPort};
mod filters;

use std::collections::BTreeMap;

use super::attachment::{self, Parent, Resolved, RouteParty};
use super::gateway_api::{
    AllowedRoutes, BackendRef, HttpRouteMatch, HttpRouteRule, HttpRouteSpec, KubeGateway, Listener,
    NameValueMatch, ParentRef, filter_settings,
};
use super::host::service_fqdn;
use super::virtual_service::{
    DirectResponse, HttpMatch, HttpRetry, HttpRoute, HttpRouteDestination, VirtualService,
};
use super::{Config, Resource};

/// Gateway API precedence of one HTTPRoute match (§2.7), higher first:
/// path kind (Exact 3, PathPrefix 2, RegularExpression 1), path length, a
/// method, then the number of header and query conditions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Precedence {
    pub path_kind: u8,
    pub path_len: usize,
    pub method: bool,
    pub headers: usize,
    pub query_params: usize,
}

/// The Istio resources Istio derives from the Gateway API objects.
#[derive(Debug, Default)]
pub struct Generated {
    pub gateways: Vec<Resource<Gateway>>,
    pub virtual_services: Vec<Resource<VirtualService>>,
}

/// Derives the Istio equivalents of `config`'s Gateways and HTTPRoutes: a
/// gateway-bound VirtualService for each Gateway a route attaches to, bound
/// to the listeners it attaches to, and a mesh VirtualService for each
/// Service it attaches to (GAMMA).
pub fn generate(config: &Config) -> Generated {
    let mut virtual_services = Vec::new();
    // Istio refuses a route with a filter it does not support (InvalidFilter).
    let accepted = config
        .http_routes
        .iter()
        .filter(|r| r.spec.unsupported_filters().is_empty());
    for route in accepted {
        let party = RouteParty {
            kind: route.kind.as_str(),
            namespace: &route.namespace,
            hostnames: &route.spec.hostnames,
        };
        let mut bound: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for parent_ref in &route.spec.parent_refs {
            if let Resolved::Found(parent) =
                attachment::resolve(config, &route.namespace, parent_ref)
                && let Ok(listeners) = attachment::attach(&parent, parent_ref, &party)
            {
                let (ns, name) = parent.gateway;
                bound
                    .entry(format!("{ns}/{name}"))
                    .or_default()
                    .extend(listeners.iter().map(|l| server_name(&parent, l)));
            }
        }
        for (gateway, listeners) in bound {
            virtual_services.push(converted(
                config,
                route,
                VirtualService {
                    hosts: if route.spec.hostnames.is_empty() {
                        vec!["*".into()]
                    } else {
                        route.spec.hostnames.clone()
                    },
                    gateways: vec![gateway],
                    listeners,
                    ..VirtualService::default()
                },
            ));
        }
        for service in route.spec.parent_refs.iter().filter(|p| p.is_service()) {
            let mut vs = converted(config, route, mesh_binding(route, service));
            // A parentRef port limits the route to that Service port
            // (Istio's augmentPortMatch).
            if let Some(port) = service.port.and_then(|p| i64::try_from(p).ok()) {
                for m in vs.spec.http.iter_mut().flat_map(|r| r.matches.iter_mut()) {
                    m.port = Some(port);
                }
            }
            virtual_services.push(vs);
        }
    }
    Generated {
        gateways: config
            .kube_gateways
            .iter()
            .map(|gw| gateway(config, gw))
            .collect(),
        virtual_services,
    }
}

/// The name of the server a listener becomes: its own name on a Gateway,
/// `namespace/set/name` for a ListenerSet's.
fn server_name(parent: &Parent, listener: &Listener) -> String {
    match parent.kind {
        "ListenerSet" => format!("{}/{}/{}", parent.namespace, parent.name, listener.name),
        _ => listener.name.clone(),
    }
}

/// The mesh VirtualService of a route attached to `service`: the service's
/// host, for every caller when the route lives in the service's namespace
/// (a producer route), else only for callers in the route's own namespace
/// (a consumer route).
fn mesh_binding(route: &Resource<HttpRouteSpec>, service: &ParentRef) -> VirtualService {
    let ns = service.namespace.as_deref().unwrap_or(&route.namespace);
    VirtualService {
        hosts: vec![service_fqdn(&service.name, ns)],
        export_to: if ns == route.namespace {
            Vec::new()
        } else {
            vec![".".into()]
        },
        ..VirtualService::default()
    }
}

/// `binding` (hosts, gateways, exportTo) with the route's rules, as the route.
fn converted(
    config: &Config,
    route: &Resource<HttpRouteSpec>,
    binding: VirtualService,
) -> Resource<VirtualService> {
    Resource {
        kind: route.kind,
        meta: route.meta.clone(),
        namespace: route.namespace.clone(),
        doc: route.doc,
        spec: VirtualService {
            http: route
                .spec
                .rules
                .iter()
                .map(|r| rule(config, route, r))
                .collect(),
            ..binding
        },
    }
}

/// One server per listener of the Gateway and of the ListenerSets it
/// accepts; a server admits the namespaces its listener's
/// `allowedRoutes` does (Same, the default: the listener owner's only).
fn gateway(config: &Config, gw: &Resource<KubeGateway>) -> Resource<Gateway> {
    let own = gw
        .spec
        .listeners
        .iter()
        .map(|l| (l, l.name.clone(), &gw.namespace));
    let sets = attachment::listener_sets_of(config, gw).flat_map(|set| {
        set.spec.listeners.iter().map(move |l| {
            let parent = Parent {
                kind: "ListenerSet",
                namespace: &set.namespace,
                name: set.name(),
                listeners: &set.spec.listeners,
                gateway: (&gw.namespace, gw.name()),
            };
            (l, server_name(&parent, l), &set.namespace)
        })
    });
    let servers = own
        .chain(sets)
        .map(|(l, name, owner)| {
            let from = AllowedRoutes::from_or(l.allowed_routes.as_ref(), "Same");
            let ns = if from == "Same" { owner.as_str() } else { "*" };
            Server {
                port: Some(ServerPort {
                    number: l.port,
                    protocol: l.protocol.clone(),
                    name: l.name.clone(),
                    target_port: None,
                }),
                hosts: vec![format!("{ns}/{}", l.hostname.as_deref().unwrap_or("*"))],
                name: Some(name),
                ..Server::default()
            }
        })
        .collect();
    Resource {
        kind: gw.kind,
        meta: gw.meta.clone(),
        namespace: gw.namespace.clone(),
        doc: gw.doc,
        spec: Gateway {
            servers,
            ..Gateway::default()
        },
    }
}

/// A backendRef of route `owner` as a weighted destination, as Istio's
/// `buildDestination` makes it: a Service (`name.namespace.svc`), or an
/// Istio `Hostname`; one in another namespace needs a ReferenceGrant there,
/// and one Istio cannot use is marked invalid (its share answers 500).
fn backend(
    config: &Config,
    owner: &Resource<HttpRouteSpec>,
    b: &BackendRef,
) -> HttpRouteDestination {
    let ns = b.namespace.as_deref().unwrap_or(&owner.namespace);
    let party = RouteParty {
        kind: owner.kind.as_str(),
        namespace: &owner.namespace,
        hostnames: &owner.spec.hostnames,
    };
    let invalid = attachment::backend_problem(config, &party, b).map(|p| {
        format!(
            "backendRef {ns}/{} is refused: {}",
            b.name,
            p.describe(&party, b)
        )
    });
    // A ServiceImport is served by the Service of its name (Istio without
    // its MCS host feature).
    let host = match b.kind.as_deref() {
        Some("Hostname") => b.name.clone(),
        _ => service_fqdn(&b.name, ns),
    };
    HttpRouteDestination {
        destination: Destination {
            host,
            subset: None,
            port: b.port.map(|number| PortSelector { number }),
        },
        // The Gateway API default weight is 1.
        weight: Some(b.weight.unwrap_or(1).min(i64::MAX as u64) as i64),
        headers: filters::headers(&b.filters).map(Box::new),
        invalid,
    }
}

/// An HTTPRoute rule of `owner` as a VirtualService http rule: its matches
/// (a rule without any matches PathPrefix `/`), backends, filters and
/// timeouts.
fn rule(config: &Config, owner: &Resource<HttpRouteSpec>, r: &HttpRouteRule) -> HttpRoute {
    let default_match = [HttpRouteMatch::default()];
    let matches = if r.matches.is_empty() {
        &default_match[..]
    } else {
        &r.matches
    };
    let route: Vec<HttpRouteDestination> = r
        .backend_refs
        .iter()
        .map(|b| backend(config, owner, b))
        .collect();
    let total: i64 = route.iter().filter_map(|d| d.weight).sum();
    let redirect = filter_settings(&r.filters, "RequestRedirect").map(|f| filters::redirect(f, r));
    let rewrite = filter_settings(&r.filters, "URLRewrite").map(|f| filters::rewrite(f, r));
    // A mirror to a backend Istio refuses is left out.
    let mirrors = r
        .filters
        .iter()
        .filter(|f| f.get("type").and_then(|t| t.as_str()) == Some("RequestMirror"))
        .filter_map(|f| f.get("requestMirror"))
        .filter_map(|f| {
            filters::mirror(f, |b| {
                let d = backend(config, owner, b);
                d.invalid.is_none().then_some(d.destination.host)
            })
        })
        .collect();
    // No backend, or all weights 0: Istio answers 500 itself.
    let direct_response = (redirect.is_none() && total == 0).then(|| DirectResponse {
        status: 500,
        ..DirectResponse::default()
    });
    let timeouts = r.timeouts.as_ref();
    let set = |t: &Option<String>| t.clone().filter(|t| t != "0s");
    let request = timeouts.and_then(|t| set(&t.request));
    let backend_request = timeouts.and_then(|t| set(&t.backend_request));
    // §1.6: `retry` gives attempts (default 2) on Istio's connect-level
    // reasons plus the codes (none when attempts is 0).
    let retries = r.retry.as_ref().map(|retry| {
        let attempts = retry.attempts.unwrap_or(2);
        let mut on: Vec<String> = [
            "connect-failure",
            "refused-stream",
            "unavailable",
            "cancelled",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        on.extend(retry.codes.iter().map(u16::to_string));
        HttpRetry {
            attempts: Some(attempts),
            per_try_timeout: backend_request.clone(),
            retry_on: Some(if attempts == 0 {
                String::new()
            } else {
                on.join(",")
            }),
            backoff: retry.backoff.clone(),
            ..HttpRetry::default()
        }
    });
    // backendRequest is the per-try timeout under a retry; otherwise Istio
    // sets it as the route timeout after `request`, so it wins.
    let timeout = match &retries {
        Some(_) => request,
        None => backend_request.or(request),
    };
    HttpRoute {
        name: r.name.clone(),
        matches: matches.iter().map(http_match).collect(),
        route: if direct_response.is_some() || redirect.is_some() {
            Vec::new()
        } else {
            route
        },
        redirect: redirect.map(Box::new),
        rewrite: rewrite.map(Box::new),
        direct_response: direct_response.map(Box::new),
        timeout,
        retries: retries.map(Box::new),
        headers: filters::headers(&r.filters).map(Box::new),
        mirrors,
        cors_policy: filter_settings(&r.filters, "CORS")
            .map(filters::cors)
            .map(Box::new),
        ..HttpRoute::default()
    }
}

/// An HTTPRoute match as a VirtualService match with its precedence.
/// PathPrefix is segment-aware: `/abc` takes `/abc` and `/abc/...`, not `/abcd`.
fn http_match(m: &HttpRouteMatch) -> HttpMatch {
    let kind = m
        .path
        .as_ref()
        .and_then(|p| p.match_type.as_deref())
        .unwrap_or("PathPrefix");
    let value = m
        .path
        .as_ref()
        .and_then(|p| p.value.clone())
        .unwrap_or_else(|| "/".into());
    let (uri, path_kind) = match kind {
        "Exact" => (exact(&value), 3),
        "RegularExpression" => (regex(&value), 1),
        _ => {
            let trimmed = value.trim_end_matches('/');
            let uri = if trimmed.is_empty() {
                StringMatch {
                    prefix: Some("/".into()),
                    ..StringMatch::default()
                }
            } else {
                regex(&format!("{}(?:/.*)?", regex::escape(trimmed)))
            };
            (uri, 2)
        }
    };
    let conditions = |list: &[NameValueMatch], lower: bool| {
        let mut out = std::collections::BTreeMap::new();
        for c in list {
            let name = if lower {
                c.name.to_ascii_lowercase()
            } else {
                c.name.clone()
            };
            // The first of repeated names wins.
            out.entry(name)
                .or_insert_with(|| match c.match_type.as_deref() {
                    Some("RegularExpression") => regex(&c.value),
                    _ => exact(&c.value),
                });
        }
        out.into_iter().collect()
    };
    HttpMatch {
        uri: Some(Box::new(uri)),
        method: m.method.as_deref().map(exact).map(Box::new),
        headers: conditions(&m.headers, true),
        query_params: conditions(&m.query_params, false),
        precedence: Some(Precedence {
            path_kind,
            path_len: value.len(),
            method: m.method.is_some(),
            headers: m.headers.len(),
            query_params: m.query_params.len(),
        }),
        ..HttpMatch::default()
    }
}

fn exact(value: &str) -> StringMatch {
    StringMatch {
        exact: Some(value.to_string()),
        ..StringMatch::default()
    }
}

fn regex(value: &str) -> StringMatch {
    StringMatch {
        regex: Some(value.to_string()),
        ..StringMatch::default()
    }
}
