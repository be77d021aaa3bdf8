//! Gateway API references (§1.6): a route's parents (the Gateway or
//! ListenerSet, its listener, whether the listener admits the route's kind,
//! namespace and hostnames), a ListenerSet's parent Gateway, a route's
//! backends (the Service and port, and a ReferenceGrant for another
//! namespace), and identical matches in two routes, where the newer one
//! never wins. Like the Istio checks, a reference is checked only where
//! the input describes its target.

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::HostLookup;
use crate::mesh::names::service_fqdn;
use crate::model::Resource;
use crate::model::attachment::{
    self, BackendProblem, Parent, Refusal, Resolved, RouteParty, intersect,
};
use crate::model::gateway_api::{
    AllowedRoutes, HttpRouteMatch, HttpRouteSpec, ListenerSetSpec, ParentRef, RouteRefs,
    from_admits,
};

pub static PARENT_NOT_FOUND: Rule = Rule {
    code: "MC2701",
    name: "parent-gateway-not-found",
    severity: Severity::Error,
    istio_code: None,
    summary: "An HTTPRoute parentRef to a Gateway that is not in the input (checked when the input has Gateways in that namespace).",
    docs: "## What it does\nLooks up each Gateway parentRef by namespace (the route's by default) and name.\n\n\
## Why is this bad?\nThe route attaches to nothing: no proxy serves it.\n\n\
## Example\n```yaml\nparentRefs: [{name: shop-gatway}]\n```\n\n## Use instead\n```yaml\nparentRefs: [{name: shop-gateway}]\n```\n",
};

pub static LISTENER_NOT_FOUND: Rule = Rule {
    code: "MC2702",
    name: "parent-listener-not-found",
    severity: Severity::Error,
    istio_code: None,
    summary: "A parentRef sectionName (or port) that names no listener of the Gateway.",
    docs: "## What it does\nChecks `sectionName` against the listener names, and `port` against the listener ports.\n\n\
## Why is this bad?\nThe route does not attach (its Accepted condition is false).\n\n\
## Example\n```yaml\nparentRefs: [{name: shop-gateway, sectionName: htps}]\n```\n\n## Use instead\nName an existing listener.\n",
};

pub static NOT_ALLOWED: Rule = Rule {
    code: "MC2703",
    name: "route-not-allowed-by-listener",
    severity: Severity::Error,
    istio_code: None,
    summary: "No listener the route attaches to admits routes from its namespace (allowedRoutes defaults to Same).",
    docs: "## What it does\nApplies each listener's `allowedRoutes.namespaces.from`: `Same` (the default) admits only the Gateway's \
namespace, `All` every namespace; a `Selector` needs namespace labels and is taken as admitting.\n\n\
## Why is this bad?\nThe route is not attached: its requests get 404.\n\n\
## Example\n```yaml\n# the route is in namespace `shop`, the Gateway in `infra` with the default allowedRoutes\nparentRefs: [{name: public, namespace: infra}]\n```\n\n\
## Use instead\nSet `allowedRoutes: {namespaces: {from: All}}` (or a selector) on the listener.\n",
};

pub static HOSTNAME_NO_LISTENER: Rule = Rule {
    code: "MC2704",
    name: "hostname-matches-no-listener",
    severity: Severity::Error,
    istio_code: None,
    summary: "None of the route's hostnames intersects a hostname of the listeners it attaches to.",
    docs: "## What it does\nIntersects the route's `hostnames` with each admitting listener's `hostname` (a listener without one \
takes every host; `*.example.com` takes subdomains but not `example.com`).\n\n\
## Why is this bad?\nThe route is not attached to any listener: its requests get 404.\n\n\
## Example\n```yaml\nhostnames: [shop.example.org]   # the listener is for *.example.com\n```\n\n## Use instead\nUse a hostname the listener serves.\n",
};

pub static BACKEND_NOT_FOUND: Rule = Rule {
    code: "MC2705",
    name: "backend-not-found",
    severity: Severity::Error,
    istio_code: None,
    summary: "A backendRef to a Service that is not in the input, or to a port the Service lacks (checked when the input has Services in that namespace).",
    docs: "## What it does\nLooks up each Service backendRef (namespace of the route by default) and its port.\n\n\
## Why is this bad?\nIstio answers that share of the requests with 500.\n\n\
## Example\n```yaml\nbackendRefs: [{name: reviews-v3, port: 9080}]\n```\n\n## Use instead\nName an existing Service and one of its ports.\n",
};

pub static REFERENCE_NOT_GRANTED: Rule = Rule {
    code: "MC2706",
    name: "backend-reference-not-granted",
    severity: Severity::Error,
    istio_code: None,
    summary: "A backendRef to another namespace without a ReferenceGrant there that allows it (checked when the input has Services in that namespace).",
    docs: "## What it does\nFor a backendRef whose namespace differs from the route's, looks for a ReferenceGrant in the backend's \
namespace whose `from` has this route's group, kind and namespace and whose `to` has Service (and the name, when set).\n\n\
## Why is this bad?\nThe reference is refused (ResolvedRefs false): its share of the requests gets 500.\n\n\
## Example\n```yaml\nbackendRefs: [{name: api, namespace: backend, port: 8080}]   # no ReferenceGrant in `backend`\n```\n\n\
## Use instead\n```yaml\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: from-shop, namespace: backend}\n\
spec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]\n  to: [{group: \"\", kind: Service}]\n```\n",
};

pub static BACKEND_KIND_UNSUPPORTED: Rule = Rule {
    code: "MC2711",
    name: "backend-kind-unsupported",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A backendRef of a kind Istio does not route to (it routes to Services, networking.istio.io Hostnames and multi-cluster ServiceImports).",
    docs: "## What it does\nChecks each backendRef's `group` and `kind`: Istio's `buildDestination` accepts a core Service \
(the default), the `networking.istio.io` `Hostname` of a ServiceEntry host and a `multicluster.x-k8s.io` ServiceImport. \
The Gateway API lets other implementations define more kinds, so this is a warning.\n\n\
## Why is this bad?\nOn Istio the reference is refused (ResolvedRefs false, InvalidKind): its share of the requests gets 500.\n\n\
## Example\n```yaml\nbackendRefs: [{group: storage.example.com, kind: Bucket, name: assets}]\n```\n\n\
## Use instead\nPoint the route at the Service in front of the backend.\n",
};

pub static IDENTICAL_MATCH: Rule = Rule {
    code: "MC2707",
    name: "identical-match-loses",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A match identical to one of an older HTTPRoute on the same Gateway and hostname: the older route always wins.",
    docs: "## What it does\nCompares the matches (path type and value, method, headers, query parameters) of the routes attached \
to one Gateway with intersecting hostnames. Equal precedence goes to the oldest route, then the first by namespace/name.\n\n\
## Why is this bad?\nThe newer route's rule never receives a request.\n\n\
## Example\nTwo routes with `path: {type: PathPrefix, value: /api}` on one Gateway.\n\n## Use instead\nRemove one, or make the matches differ.\n",
};

pub static PARENT_SERVICE_NOT_FOUND: Rule = Rule {
    code: "MC2708",
    name: "parent-service-not-found",
    severity: Severity::Error,
    istio_code: None,
    summary: "A mesh HTTPRoute whose parent Service is not in the input, or lacks the parentRef's port (checked when the input has Services in that namespace).",
    docs: "## What it does\nLooks up each `parentRefs` entry of kind Service (the Gateway API's mesh binding, GAMMA) by \
namespace (the route's by default) and name, and its `port` among the Service's ports.\n\n\
## Why is this bad?\nThe route binds to no service: callers keep the default route, and the split or match it \
describes never applies.\n\n\
## Example\n```yaml\nparentRefs: [{group: \"\", kind: Service, name: reveiws, port: 9080}]\n```\n\n\
## Use instead\n```yaml\nparentRefs: [{group: \"\", kind: Service, name: reviews, port: 9080}]\n```\n",
};

pub static KIND_NOT_ALLOWED: Rule = Rule {
    code: "MC2709",
    name: "route-kind-not-allowed",
    severity: Severity::Error,
    istio_code: None,
    summary: "No listener a route attaches to admits its kind (allowedRoutes.kinds, or the kinds of the listener's protocol).",
    docs: "## What it does\nChecks the route's kind against each named listener's `allowedRoutes.kinds`; a listener that \
lists none admits the kinds of its protocol (HTTP and HTTPS: HTTPRoute, GRPCRoute; TLS: TLSRoute, TCPRoute; TCP: \
TCPRoute; UDP: UDPRoute).\n\n\
## Why is this bad?\nThe route is not accepted by that parent: no proxy serves it.\n\n\
## Example\n```yaml\n# the listener: {name: foo, protocol: TCP, port: 8080}\nkind: HTTPRoute\nspec:\n  parentRefs: [{name: tcp-gateway, sectionName: foo}]\n```\n\n\
## Use instead\nAttach the route to a listener of its protocol, or list its kind in `allowedRoutes.kinds`.\n",
};

pub static LISTENERS_NOT_ALLOWED: Rule = Rule {
    code: "MC2710",
    name: "listener-set-not-allowed",
    severity: Severity::Error,
    istio_code: None,
    summary: "A ListenerSet whose parent Gateway does not allow ListenerSets from its namespace (allowedListeners defaults to none).",
    docs: "## What it does\nLooks up the ListenerSet's parent Gateway and applies its `allowedListeners.namespaces.from`: \
absent or `None` allows no ListenerSet, `Same` those of the Gateway's namespace, `All` and `Selector` any.\n\n\
## Why is this bad?\nThe listeners are not added to the Gateway, and routes attached to them are not served.\n\n\
## Example\n```yaml\n# the Gateway has no allowedListeners\nkind: ListenerSet\nspec:\n  parentRef: {name: shared-gateway, namespace: infra}\n```\n\n\
## Use instead\nSet `allowedListeners: {namespaces: {from: All}}` (or a selector) on the Gateway.\n",
};

pub static RULES: &[&Rule] = &[
    &PARENT_NOT_FOUND,
    &KIND_NOT_ALLOWED,
    &LISTENERS_NOT_ALLOWED,
    &PARENT_SERVICE_NOT_FOUND,
    &LISTENER_NOT_FOUND,
    &NOT_ALLOWED,
    &HOSTNAME_NO_LISTENER,
    &BACKEND_NOT_FOUND,
    &REFERENCE_NOT_GRANTED,
    &BACKEND_KIND_UNSUPPORTED,
    &IDENTICAL_MATCH,
];

/// A parent's kind, namespace and name.
type ParentId<'c> = (&'static str, &'c str, &'c str);

pub fn check(index: &mut Index, out: &mut Reporter) {
    let config = index.config;
    let mut attached: Vec<(&Resource<HttpRouteSpec>, ParentId)> = Vec::new();
    for route in &config.http_routes {
        for a in attachments(index, out, route) {
            attached.push((route, (a.kind, a.namespace, a.name)));
        }
        backends(index, out, route);
    }
    for route in &config.routes {
        attachments(index, out, route);
        backends(index, out, route);
    }
    for set in &config.listener_sets {
        listener_set_parent(index, out, set);
    }
    identical_matches(out, &attached);
}

/// The parents that accept `route`, reporting those that do not.
fn attachments<'c, S: RouteRefs>(
    index: &mut Index<'_, 'c>,
    out: &mut Reporter,
    route: &'c Resource<S>,
) -> Vec<Parent<'c>> {
    let mut accepted = Vec::new();
    for (i, parent) in route.spec.parent_refs().iter().enumerate() {
        if let Some(a) = parent_of(index, out, route, i, parent)
            && admitted(out, route, i, parent, &a)
        {
            accepted.push(a);
        }
    }
    accepted
}

/// A ListenerSet's parent Gateway exists and allows ListenerSets from its
/// namespace.
fn listener_set_parent(index: &mut Index, out: &mut Reporter, set: &Resource<ListenerSetSpec>) {
    let parent = &set.spec.parent_ref;
    let ns = parent.namespace.as_deref().unwrap_or(&set.namespace);
    let config = index.config;
    let Some(gateway) = config
        .kube_gateways
        .iter()
        .find(|g| g.namespace == ns && g.name() == parent.name)
    else {
        parent_missing(
            index,
            out,
            set,
            "/spec/parentRef/name",
            "Gateway",
            ns,
            &parent.name,
        );
        return;
    };
    let from = AllowedRoutes::from_or(gateway.spec.allowed_listeners.as_ref(), "None");
    if !from_admits(from, &gateway.namespace, &set.namespace) {
        out.report(
            &LISTENERS_NOT_ALLOWED,
            set,
            "/spec/parentRef",
            format!(
                "Gateway {ns}/{} allows ListenerSets from {}, not from namespace {}",
                parent.name,
                if from == "Same" {
                    "its own namespace only"
                } else {
                    "no namespace (allowedListeners is unset or None)"
                },
                set.namespace
            ),
        )
        .label("not allowed")
        .help("set allowedListeners.namespaces.from to All (or a selector) on the Gateway");
    }
}

/// Reports a parent `kind` `ns/name` that is not in the input, where the
/// input has that kind in `ns`; notes it as unchecked otherwise.
fn parent_missing<T>(
    index: &mut Index,
    out: &mut Reporter,
    child: &Resource<T>,
    at: &str,
    kind: &str,
    ns: &str,
    name: &str,
) {
    let config = index.config;
    let described = match kind {
        "ListenerSet" => config.listener_sets.iter().any(|g| g.namespace == ns),
        _ => config.kube_gateways.iter().any(|g| g.namespace == ns),
    };
    if described || index.is_complete() {
        out.report(
            &PARENT_NOT_FOUND,
            child,
            at,
            format!("{kind} {ns}/{name} is not in the input"),
        )
        .label(format!("no such {kind}"));
    } else {
        index.note_unchecked(&format!(
            "parent {kind} {ns}/{name} of {} {}/{}: the input has no {kind}s in namespace {ns}",
            child.kind.as_str(),
            child.namespace,
            child.name()
        ));
    }
}

/// A Service an HTTPRoute names (as parent or backend), with an optional port.
struct ServiceRef<'a> {
    namespace: &'a str,
    name: &'a str,
    port: Option<u64>,
}

/// Looks `service` up in the mesh's registry (where the input describes
/// its namespace) and reports under `rule` a missing Service or port, at
/// `at`/name or `at`/port. Whether the Service is there.
fn check_service<S>(
    index: &mut Index,
    out: &mut Reporter,
    route: &Resource<S>,
    rule: &'static Rule,
    at: &str,
    service: &ServiceRef,
) -> bool {
    let (ns, name) = (service.namespace, service.name);
    let host = service_fqdn(name, ns);
    match index.lookup_host(&host, ns, &[]) {
        HostLookup::Missing => {
            out.report(
                rule,
                route,
                &format!("{at}/name"),
                format!("Service {ns}/{name} is not in the input"),
            )
            .label("no such Service");
            false
        }
        HostLookup::Found(found) | HostLookup::Hidden(found) => {
            if let Some(port) = service.port
                && !found.ports.iter().any(|p| p.number == port)
            {
                let ports: Vec<String> = found.ports.iter().map(|p| p.number.to_string()).collect();
                out.report(
                    rule,
                    route,
                    &format!("{at}/port"),
                    format!(
                        "Service {ns}/{name} has no port {port} (ports: {})",
                        ports.join(", ")
                    ),
                )
                .label("no such port");
            }
            true
        }
        HostLookup::Unchecked(_) => false,
    }
}

/// The Gateway or ListenerSet `parent` names, reporting one that is
/// missing or has no listener by its `sectionName` and `port`.
fn parent_of<'c, S: RouteRefs>(
    index: &mut Index<'_, 'c>,
    out: &mut Reporter,
    route: &Resource<S>,
    i: usize,
    parent: &ParentRef,
) -> Option<Parent<'c>> {
    if parent.is_service() {
        // A mesh binding: the Service and the parentRef's port.
        let service = ServiceRef {
            namespace: parent.namespace.as_deref().unwrap_or(&route.namespace),
            name: &parent.name,
            port: parent.port,
        };
        let at = format!("/spec/parentRefs/{i}");
        check_service(index, out, route, &PARENT_SERVICE_NOT_FOUND, &at, &service);
        return None;
    }
    let ns = parent.namespace.as_deref().unwrap_or(&route.namespace);
    let found = match attachment::resolve(index.config, &route.namespace, parent) {
        Resolved::Found(found) => found,
        Resolved::Other => return None,
        Resolved::Missing => {
            let kind = parent.kind.as_deref().unwrap_or("Gateway");
            let at = format!("/spec/parentRefs/{i}/name");
            parent_missing(index, out, route, &at, kind, ns, &parent.name);
            return None;
        }
    };
    if attachment::named(&found, parent).is_empty() {
        let (field, what) = match (&parent.section_name, parent.port) {
            (Some(s), _) => ("sectionName", format!("listener `{s}`")),
            (None, Some(p)) => ("port", format!("a listener on port {p}")),
            (None, None) => ("name", "any listener".to_string()),
        };
        let names: Vec<&str> = found.listeners.iter().map(|l| l.name.as_str()).collect();
        out.report(
            &LISTENER_NOT_FOUND,
            route,
            &format!("/spec/parentRefs/{i}/{field}"),
            format!(
                "{} {ns}/{} has no {what} (listeners: {})",
                found.kind,
                parent.name,
                names.join(", ")
            ),
        )
        .label("no such listener");
        return None;
    }
    Some(found)
}

/// Whether some listener `parent` names admits the route's kind, namespace
/// and hostnames; reports why not.
fn admitted<S: RouteRefs>(
    out: &mut Reporter,
    route: &Resource<S>,
    i: usize,
    parent_ref: &ParentRef,
    a: &Parent,
) -> bool {
    let kind = route.kind.as_str();
    let party = RouteParty {
        kind,
        namespace: &route.namespace,
        hostnames: route.spec.hostnames(),
    };
    let refusal = match attachment::attach(a, parent_ref, &party) {
        Ok(_) => return true,
        Err(refusal) => refusal,
    };
    let named = attachment::named(a, parent_ref);
    match refusal {
        Refusal::NoListener => {}
        Refusal::KindNotAllowed => {
            let names: Vec<String> = named
                .iter()
                .map(|l| format!("{} ({})", l.name, l.protocol))
                .collect();
            out.report(
                &KIND_NOT_ALLOWED,
                route,
                &format!("/spec/parentRefs/{i}"),
                format!(
                    "no listener of {} {}/{} admits {kind}s (listeners: {})",
                    a.kind,
                    a.namespace,
                    a.name,
                    names.join(", ")
                ),
            )
            .label("kind not admitted")
            .help(format!(
                "attach to a listener whose protocol serves {kind}s, or list {kind} in its allowedRoutes.kinds"
            ));
        }
        Refusal::NamespaceNotAllowed => {
            out.report(
                &NOT_ALLOWED,
                route,
                &format!("/spec/parentRefs/{i}"),
                format!(
                    "the listeners of {} {}/{} admit routes from namespace {} only, not from {}",
                    a.kind, a.namespace, a.name, a.namespace, route.namespace
                ),
            )
            .label("not admitted")
            .help("set allowedRoutes.namespaces.from to All (or a selector) on the listener");
        }
        Refusal::NoMatchingHostname => {
            let served: Vec<&str> = named
                .iter()
                .filter(|l| l.admits_kind(kind))
                .filter_map(|l| l.hostname.as_deref())
                .collect();
            out.report(
                &HOSTNAME_NO_LISTENER,
                route,
                "/spec/hostnames",
                format!(
                    "no hostname of the route is served by {} {}/{} (listener hostnames: {})",
                    a.kind,
                    a.namespace,
                    a.name,
                    served.join(", ")
                ),
            )
            .label("served by no listener");
        }
    }
    false
}

fn backends<S: RouteRefs>(index: &mut Index, out: &mut Reporter, route: &Resource<S>) {
    let party = RouteParty {
        kind: route.kind.as_str(),
        namespace: &route.namespace,
        hostnames: route.spec.hostnames(),
    };
    for (i, j, b) in route.spec.backends() {
        let ns = b.namespace.as_deref().unwrap_or(&route.namespace);
        let at = format!("/spec/rules/{i}/backendRefs/{j}");
        let service = ServiceRef {
            namespace: ns,
            name: &b.name,
            port: b.port,
        };
        let is_service = attachment::is_service(b);
        if is_service && !check_service(index, out, route, &BACKEND_NOT_FOUND, &at, &service) {
            continue;
        }
        match attachment::backend_problem(index.config, &party, b) {
            None => {}
            Some(problem @ BackendProblem::NotGranted) => {
                let kind = party.kind;
                out.report(
                    &REFERENCE_NOT_GRANTED,
                    route,
                    &format!("{at}/namespace"),
                    problem.describe(&party, b),
                )
                .label("not granted")
                .help(format!(
                    "add a ReferenceGrant in {ns} from {kind} in {} to {}",
                    route.namespace,
                    b.kind.as_deref().unwrap_or("Service")
                ));
            }
            Some(problem @ BackendProblem::UnsupportedKind) => {
                out.report(
                    &BACKEND_KIND_UNSUPPORTED,
                    route,
                    &format!("{at}/kind"),
                    problem.describe(&party, b),
                )
                .label("unsupported kind");
            }
        }
    }
}

/// Matches identical to an older route's on the same Gateway and hostnames.
fn identical_matches(out: &mut Reporter, attached: &[(&Resource<HttpRouteSpec>, ParentId)]) {
    let mut order: Vec<_> = attached.to_vec();
    order.sort_by(|a, b| a.0.age_key().cmp(&b.0.age_key()));
    order.dedup_by(|a, b| std::ptr::eq(a.0, b.0) && a.1 == b.1);
    for (k, (route, gw)) in order.iter().enumerate() {
        for (older, _) in order[..k]
            .iter()
            .filter(|(o, g)| g == gw && !std::ptr::eq(*o, *route))
        {
            let shared_host = route.spec.hostnames.is_empty()
                || older.spec.hostnames.is_empty()
                || route
                    .spec
                    .hostnames
                    .iter()
                    .any(|h| older.spec.hostnames.iter().any(|o| intersect(o, h)));
            if !shared_host {
                continue;
            }
            for (i, rule) in route.spec.rules.iter().enumerate() {
                for (j, m) in rule.matches.iter().enumerate() {
                    if let Some(oi) = older
                        .spec
                        .rules
                        .iter()
                        .position(|r| r.matches.iter().any(|om| same(om, m)))
                    {
                        out.report(
                            &IDENTICAL_MATCH,
                            *route,
                            &format!("/spec/rules/{i}/matches/{j}"),
                            format!(
                                "HTTPRoute {}/{} (older) has the same match in rule #{oi}: it takes these requests on {} {}/{}",
                                older.namespace,
                                older.name(),
                                gw.0,
                                gw.1,
                                gw.2
                            ),
                        )
                        .label("never wins");
                    }
                }
            }
        }
    }
}

/// Whether two matches select the same requests as written (defaults applied).
fn same(a: &HttpRouteMatch, b: &HttpRouteMatch) -> bool {
    let path = |m: &HttpRouteMatch| {
        let p = m.path.as_ref();
        (
            p.and_then(|p| p.match_type.clone())
                .unwrap_or_else(|| "PathPrefix".into()),
            p.and_then(|p| p.value.clone())
                .unwrap_or_else(|| "/".into()),
        )
    };
    let conditions = |list: &[crate::model::gateway_api::NameValueMatch], fold: bool| {
        let mut v: Vec<(String, String, String)> = list
            .iter()
            .map(|c| {
                (
                    if fold {
                        c.name.to_ascii_lowercase()
                    } else {
                        c.name.clone()
                    },
                    c.match_type.clone().unwrap_or_else(|| "Exact".into()),
                    c.value.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    path(a) == path(b)
        && a.method == b.method
        && conditions(&a.headers, true) == conditions(&b.headers, true)
        && conditions(&a.query_params, false) == conditions(&b.query_params, false)
}
