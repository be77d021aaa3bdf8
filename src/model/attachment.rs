//! Which listeners a Gateway API route attaches to, and whether a
//! ReferenceGrant lets a route use a backend in another namespace. One
//! answer for `validate` (which reports why a parentRef attaches nowhere)
//! and for routing (which serves a route only on the listeners it attaches
//! to: the specification's listener isolation).

use super::gateway_api::{AllowedRoutes, BackendRef, Listener, ParentRef, from_admits};
use super::host::host_matches;
use super::{Config, Resource};

/// A route's side of an attachment.
#[derive(Debug, Clone, Copy)]
pub struct RouteParty<'a> {
    /// `HTTPRoute`, `GRPCRoute`, ...
    pub kind: &'a str,
    pub namespace: &'a str,
    pub hostnames: &'a [String],
}

/// A Gateway or ListenerSet a parentRef names, found in the input.
#[derive(Debug, Clone, Copy)]
pub struct Parent<'c> {
    /// `Gateway` or `ListenerSet`.
    pub kind: &'static str,
    pub namespace: &'c str,
    pub name: &'c str,
    pub listeners: &'c [Listener],
    /// The `namespace/name` of the Gateway whose proxies serve the listeners
    /// (a ListenerSet's parent Gateway).
    pub gateway: (&'c str, &'c str),
}

/// What a parentRef names.
#[derive(Debug, Clone, Copy)]
pub enum Resolved<'c> {
    Found(Parent<'c>),
    /// A Gateway or ListenerSet that is not in the input.
    Missing,
    /// A Service (a mesh binding) or a kind that is not a gateway.
    Other,
}

/// Why a parentRef attaches to no listener: the first test that every
/// listener it names fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No listener has the parentRef's `sectionName` and `port`.
    NoListener,
    /// No named listener admits the route's kind.
    KindNotAllowed,
    /// No listener left admits routes from the route's namespace.
    NamespaceNotAllowed,
    /// No listener left serves a hostname of the route.
    NoMatchingHostname,
}

/// Looks up the Gateway or ListenerSet `parent` names (in the route's
/// namespace `route_ns` unless it says otherwise).
pub fn resolve<'c>(config: &'c Config, route_ns: &str, parent: &ParentRef) -> Resolved<'c> {
    if parent.is_service() {
        return Resolved::Other;
    }
    let ns = parent.namespace.as_deref().unwrap_or(route_ns);
    let found = match parent.kind.as_deref().unwrap_or("Gateway") {
        "Gateway" => config
            .kube_gateways
            .iter()
            .find(|g| g.namespace == ns && g.name() == parent.name)
            .map(|g| Parent {
                kind: "Gateway",
                namespace: &g.namespace,
                name: g.name(),
                listeners: &g.spec.listeners,
                gateway: (&g.namespace, g.name()),
            }),
        "ListenerSet" => config
            .listener_sets
            .iter()
            .find(|s| s.namespace == ns && s.name() == parent.name)
            .map(|s| {
                let p = &s.spec.parent_ref;
                Parent {
                    kind: "ListenerSet",
                    namespace: &s.namespace,
                    name: s.name(),
                    listeners: &s.spec.listeners,
                    gateway: (p.namespace.as_deref().unwrap_or(&s.namespace), &p.name),
                }
            }),
        _ => return Resolved::Other,
    };
    found.map_or(Resolved::Missing, Resolved::Found)
}

/// The listeners of `parent` that `parent_ref` names by `sectionName` and
/// `port` (all of them when it names none).
pub fn named<'c>(parent: &Parent<'c>, parent_ref: &ParentRef) -> Vec<&'c Listener> {
    parent
        .listeners
        .iter()
        .filter(|l| {
            parent_ref
                .section_name
                .as_ref()
                .is_none_or(|s| *s == l.name)
        })
        .filter(|l| parent_ref.port.is_none_or(|p| p == l.port))
        .collect()
}

/// The listeners `route` attaches to through `parent_ref`: those it names
/// that admit the route's kind and namespace and share a hostname with it
/// (a listener or route without hostnames shares every one).
pub fn attach<'c>(
    parent: &Parent<'c>,
    parent_ref: &ParentRef,
    route: &RouteParty,
) -> Result<Vec<&'c Listener>, Refusal> {
    let mut listeners = named(parent, parent_ref);
    let mut narrow = |keep: &dyn Fn(&Listener) -> bool, refusal: Refusal| {
        listeners.retain(|l| keep(l));
        if listeners.is_empty() {
            Err(refusal)
        } else {
            Ok(())
        }
    };
    narrow(&|_| true, Refusal::NoListener)?;
    narrow(&|l| l.admits_kind(route.kind), Refusal::KindNotAllowed)?;
    narrow(
        &|l| {
            let from = AllowedRoutes::from_or(l.allowed_routes.as_ref(), "Same");
            from_admits(from, parent.namespace, route.namespace)
        },
        Refusal::NamespaceNotAllowed,
    )?;
    narrow(
        &|l| {
            route.hostnames.is_empty()
                || route
                    .hostnames
                    .iter()
                    .any(|h| l.hostname.as_deref().is_none_or(|lh| intersect(lh, h)))
        },
        Refusal::NoMatchingHostname,
    )?;
    Ok(listeners)
}

/// Whether two Gateway API hostnames (each possibly `*.suffix`) share a host.
pub fn intersect(a: &str, b: &str) -> bool {
    a == b || host_matches(a, b) || host_matches(b, a)
}

/// Whether a ReferenceGrant in the namespace of `to` (a backendRef of a
/// route of kind `kind` in namespace `from_ns`) lets the route use it: the
/// grant's `from` names the route's kind and namespace, its `to` the
/// backend's group and kind (and name, when it has one).
pub fn granted(config: &Config, kind: &str, from_ns: &str, to: &BackendRef) -> bool {
    let to_ns = to.namespace.as_deref().unwrap_or(from_ns);
    fn field<'m>(m: &'m std::collections::BTreeMap<String, String>, k: &str) -> &'m str {
        m.get(k).map(String::as_str).unwrap_or_default()
    }
    let group = match to.group.as_deref().unwrap_or_default() {
        "core" => "",
        g => g,
    };
    let to_kind = to.kind.as_deref().unwrap_or("Service");
    config
        .reference_grants
        .iter()
        .filter(|g| g.namespace == to_ns)
        .any(|g| {
            let from = g.spec.from.iter().any(|f| {
                field(f, "group") == "gateway.networking.k8s.io"
                    && field(f, "kind") == kind
                    && field(f, "namespace") == from_ns
            });
            let to = g.spec.to.iter().any(|t| {
                field(t, "group") == group
                    && field(t, "kind") == to_kind
                    && t.get("name").is_none_or(|n| *n == to.name)
            });
            from && to
        })
}

/// Why Istio cannot use a backendRef (the Gateway API's `ResolvedRefs`
/// false, as Istio's `buildDestination` decides): its share of requests
/// gets 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendProblem {
    /// In another namespace, and no ReferenceGrant there permits it.
    NotGranted,
    /// Not a Service, an Istio `Hostname` or a multi-cluster `ServiceImport`.
    UnsupportedKind,
}

impl BackendProblem {
    /// The problem of `b`, a backendRef of `route`, in words.
    pub fn describe(self, route: &RouteParty, b: &BackendRef) -> String {
        let ns = b.namespace.as_deref().unwrap_or(route.namespace);
        match self {
            BackendProblem::NotGranted => format!(
                "no ReferenceGrant in namespace {ns} lets {}s of namespace {} use {} {}",
                route.kind,
                route.namespace,
                b.kind.as_deref().unwrap_or("Service"),
                b.name
            ),
            BackendProblem::UnsupportedKind => format!(
                "Istio routes to a Service, a networking.istio.io Hostname or a multicluster.x-k8s.io ServiceImport, not to {} of group `{}`",
                b.kind.as_deref().unwrap_or("Service"),
                b.group.as_deref().unwrap_or_default()
            ),
        }
    }
}

/// Whether a backendRef names a Kubernetes Service (the default kind).
pub fn is_service(b: &BackendRef) -> bool {
    b.kind.as_deref().is_none_or(|k| k == "Service")
        && b.group
            .as_deref()
            .is_none_or(|g| g.is_empty() || g == "core")
}

/// What keeps Istio from using backendRef `b` of `route`, if anything: a
/// missing ReferenceGrant first, then an unsupported kind.
pub fn backend_problem(
    config: &Config,
    route: &RouteParty,
    b: &BackendRef,
) -> Option<BackendProblem> {
    let ns = b.namespace.as_deref().unwrap_or(route.namespace);
    if ns != route.namespace && !granted(config, route.kind, route.namespace, b) {
        return Some(BackendProblem::NotGranted);
    }
    let supported = matches!(
        (b.group.as_deref(), b.kind.as_deref()),
        (Some("networking.istio.io"), Some("Hostname"))
            | (Some("multicluster.x-k8s.io"), Some("ServiceImport"))
    );
    (!is_service(b) && !supported).then_some(BackendProblem::UnsupportedKind)
}

/// The ListenerSets that add listeners to Gateway `gw`: those naming it as
/// parent from a namespace its `allowedListeners` admits.
pub fn listener_sets_of<'c>(
    config: &'c Config,
    gw: &Resource<super::KubeGateway>,
) -> impl Iterator<Item = &'c Resource<super::ListenerSetSpec>> {
    let from = AllowedRoutes::from_or(gw.spec.allowed_listeners.as_ref(), "None").to_string();
    let (gw_ns, gw_name) = (gw.namespace.clone(), gw.name().to_string());
    config.listener_sets.iter().filter(move |s| {
        let p = &s.spec.parent_ref;
        p.namespace.as_deref().unwrap_or(&s.namespace) == gw_ns
            && p.name == gw_name
            && from_admits(&from, &gw_ns, &s.namespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(name: &str, port: u64, hostname: Option<&str>) -> Listener {
        Listener {
            name: name.into(),
            port,
            protocol: "HTTP".into(),
            hostname: hostname.map(String::from),
            ..Listener::default()
        }
    }

    #[test]
    fn a_route_attaches_to_the_named_listeners_that_share_a_hostname() {
        let listeners = [
            listener("empty", 80, None),
            listener("wild", 80, Some("*.example.com")),
            listener("abc", 8080, Some("abc.example.com")),
        ];
        let parent = Parent {
            kind: "Gateway",
            namespace: "infra",
            name: "gw",
            listeners: &listeners,
            gateway: ("infra", "gw"),
        };
        let names = |r: Result<Vec<&Listener>, Refusal>| {
            r.map(|ls| ls.iter().map(|l| l.name.clone()).collect::<Vec<_>>())
        };
        fn route(hostnames: &[String]) -> RouteParty<'_> {
            RouteParty {
                kind: "HTTPRoute",
                namespace: "infra",
                hostnames,
            }
        }
        let all = ParentRef {
            name: "gw".into(),
            ..ParentRef::default()
        };
        assert_eq!(
            names(attach(&parent, &all, &route(&[]))),
            Ok(vec!["empty".into(), "wild".into(), "abc".into()])
        );
        let port = ParentRef {
            port: Some(8080),
            ..all.clone()
        };
        assert_eq!(
            names(attach(&parent, &port, &route(&[]))),
            Ok(vec!["abc".into()])
        );
        let section = ParentRef {
            section_name: Some("wild".into()),
            ..all.clone()
        };
        let other = ["shop.example.org".to_string()];
        assert_eq!(
            names(attach(&parent, &section, &route(&other))),
            Err(Refusal::NoMatchingHostname)
        );
        let missing = ParentRef {
            section_name: Some("nope".into()),
            ..all.clone()
        };
        assert_eq!(
            names(attach(&parent, &missing, &route(&[]))),
            Err(Refusal::NoListener)
        );
        let elsewhere = RouteParty {
            namespace: "apps",
            ..route(&[])
        };
        assert_eq!(
            names(attach(&parent, &all, &elsewhere)),
            Err(Refusal::NamespaceNotAllowed)
        );
    }
}
