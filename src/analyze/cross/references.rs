//! References from VirtualServices: destination and mirror hosts, their
//! ports and subsets, gateways and delegates (istioctl analyze IST0101,
//! IST0112, IST0132).

use std::cell::OnceCell;

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::names::{fqdn, gateway_ref};
use crate::mesh::{GatewayLookup, HostLookup, Mesh, SubsetLookup};
use crate::model::host::hosts_intersect;
use crate::model::virtual_service::{DestinationAt, DestinationUse};
use crate::model::{DestinationRule, Gateway, KubeGateway, Resource, VirtualService, exported_to};

pub static UNKNOWN_HOST: Rule = Rule {
    code: "MC2001",
    name: "unknown-destination-host",
    severity: Severity::Error,
    istio_code: Some("IST0101"),
    summary: "A destination or mirror host that is no Service or ServiceEntry host visible to the VirtualService.",
    docs: "## What it does\nLooks up every route destination and mirror host among the Kubernetes Services and \
ServiceEntries of the input, after short-name expansion in the VirtualService's namespace, honouring exportTo (of the \
ServiceEntry, or the Service's `networking.istio.io/exportTo` annotation) and wildcard ServiceEntry hosts. A host is \
only checked when the input describes where it would live: Services in its namespace for `*.svc.cluster.local` \
hosts, any ServiceEntry for other hosts (`--verbose` lists what was not checked).\n\n\
## Why is this bad?\nThe sidecar has no cluster for the host: requests get 503 with response flag NC.\n\n\
## Example\n```yaml\nroute:\n- destination: {host: reviews-bogus}\n```\n\n\
## Use instead\nName an existing Service (or add a ServiceEntry for an external host):\n```yaml\nroute:\n- destination: {host: reviews}\n```\n",
};

pub static UNKNOWN_PORT: Rule = Rule {
    code: "MC2002",
    name: "unknown-destination-port",
    severity: Severity::Error,
    istio_code: Some("IST0101"),
    summary: "A destination port that the destination's Service or ServiceEntry does not expose.",
    docs: "## What it does\nChecks `destination.port.number` against the ports of the Service or ServiceEntry.\n\n\
## Why is this bad?\nThere is no cluster for that port: requests get 503 NC.\n\n\
## Example\n```yaml\n- destination: {host: reviews, port: {number: 999}}\n```\n\n\
## Use instead\n```yaml\n- destination: {host: reviews, port: {number: 9080}}\n```\n",
};

pub static PORT_REQUIRED: Rule = Rule {
    code: "MC2003",
    name: "destination-port-required",
    severity: Severity::Error,
    istio_code: Some("IST0112"),
    summary: "A destination without a port whose Service or ServiceEntry exposes more than one port.",
    docs: "## What it does\nFlags a destination or mirror without `port` when its host has several ports.\n\n\
## Why is this bad?\nIstio cannot tell which port to send to.\n\n\
## Example\n```yaml\n- destination: {host: web}   # web exposes 80 and 443\n```\n\n\
## Use instead\n```yaml\n- destination: {host: web, port: {number: 80}}\n```\n",
};

pub static UNKNOWN_SUBSET: Rule = Rule {
    code: "MC2004",
    name: "unknown-subset",
    severity: Severity::Error,
    istio_code: Some("IST0101"),
    summary: "A destination or mirror subset that no DestinationRule for the host defines.",
    docs: "## What it does\nLooks the subset up in the DestinationRules of the input whose host matches the destination \
(short names expanded in each resource's namespace) and that are exported to the VirtualService's namespace. Checked \
only when the input has a DestinationRule for the host.\n\n\
## Why is this bad?\nThe subset's cluster does not exist: requests get 503 NC.\n\n\
## Example\n```yaml\n- destination: {host: reviews, subset: v3}   # the DestinationRule has v1 and v2\n```\n\n\
## Use instead\nAdd the subset to the DestinationRule, or route to one it has.\n",
};

pub static SUBSET_NOT_IN_EFFECTIVE_RULE: Rule = Rule {
    code: "MC2009",
    name: "subset-not-in-effective-destination-rule",
    severity: Severity::Error,
    istio_code: None,
    summary: "A destination subset that some DestinationRule defines, but not the one Istio uses for the VirtualService's callers.",
    docs: "## What it does\nLooks the destination up the way a caller's proxy does: Istio uses one DestinationRule per \
host, from the caller's namespace first, then the host's namespace, then the root namespace (istio-system), the most \
specific host within a namespace, rules for the same host merged. The subset must be in that rule; one defined by \
another DestinationRule for the host does not count. The callers are the proxies that apply the VirtualService: for \
the mesh its own namespace (or the namespaces it is exported to), for a gateway the gateway's proxy (the namespace \
of the workloads its selector picks, else the Gateway's). `meshctl route` gives the same verdict. istioctl analyze \
(IST0101, MC2004 here) only asks whether any DestinationRule visible to the VirtualService defines the subset.\n\n\
## Why is this bad?\nThe caller's proxy has no cluster for the subset: requests get 503 NC, although istioctl analyze \
sees the subset defined.\n\n\
## Example\n```yaml\n# DestinationRule default/reviews-client (host reviews.prod.svc.cluster.local): subsets v1\n# DestinationRule prod/reviews (host reviews): subsets v1, v2\n# a VirtualService in default routes to reviews.prod.svc.cluster.local subset v2:\n# callers in default use default/reviews-client\n```\n\n\
## Use instead\nDefine the subset in the DestinationRule the callers use, or keep one DestinationRule per host.\n",
};

pub static UNKNOWN_GATEWAY: Rule = Rule {
    code: "MC2005",
    name: "unknown-gateway",
    severity: Severity::Error,
    istio_code: Some("IST0101"),
    summary: "A VirtualService bound to a gateway that is not in the input.",
    docs: "## What it does\nResolves every name in `gateways` the way Istio does (`gw` and `./gw` in the VirtualService's \
namespace, `ns/gw`, the legacy `gw.ns`) and looks it up among the Gateways of the input. Checked only when the input \
has Gateways in that namespace.\n\n\
## Why is this bad?\nNo gateway picks these routes up; if no listed gateway exists, the VirtualService applies nowhere.\n\n\
## Example\n```yaml\ngateways: [bookinfo-gatway]\n```\n\n## Use instead\n```yaml\ngateways: [bookinfo-gateway]\n```\n",
};

pub static HOST_NOT_IN_GATEWAY: Rule = Rule {
    code: "MC2006",
    name: "host-not-in-gateway",
    severity: Severity::Warning,
    istio_code: Some("IST0132"),
    summary: "No host of a gateway-bound VirtualService matches a host of the gateway's servers.",
    docs: "## What it does\nFor each gateway a VirtualService names, checks that at least one VirtualService host \
intersects a server host (`ns/host` counts only for that namespace, `*/*` matches all); for a Gateway API \
Gateway, a listener hostname (a listener without one serves every host).\n\n\
## Why is this bad?\nThe gateway never selects this VirtualService for any request.\n\n\
## Example\n```yaml\n# Gateway servers: hosts [\"*.example.com\"]\nhosts: [shop.example.org]\ngateways: [public]\n```\n\n\
## Use instead\nAdd the host to the gateway, or fix the VirtualService host.\n",
};

pub static INTERNAL_GATEWAY: Rule = Rule {
    code: "MC2010",
    name: "internal-gateway-reference",
    severity: Severity::Warning,
    istio_code: Some("IST0165"),
    summary: "A VirtualService bound to the Gateway that Istio generates for a Gateway API Gateway.",
    docs: "## What it does\nFlags `gateways` entries naming an `*-istio-autogenerated-k8s-gateway-*` Gateway, the \
internal Istio Gateway Istio derives from each Gateway API Gateway listener.\n\n\
## Why is this bad?\nThe generated name is an implementation detail: it changes with the listener and Istio may \
rename it in any release, so the binding breaks silently.\n\n\
## Example\n```yaml\ngateways: [istio-ingress/gateway-istio-autogenerated-k8s-gateway-http]\n```\n\n\
## Use instead\nName the Gateway API Gateway itself (`istio-ingress/gateway`), or attach an HTTPRoute to it.\n",
};

pub static UNKNOWN_DELEGATE: Rule = Rule {
    code: "MC2007",
    name: "unknown-delegate",
    severity: Severity::Error,
    istio_code: Some("IST0101"),
    summary: "A `delegate` naming a VirtualService that is not in the input.",
    docs: "## What it does\nLooks up `delegate.name` in `delegate.namespace` (default: the root's namespace).\n\n\
## Why is this bad?\nIstio silently drops the root rule, so its traffic falls through to later rules or gets 404 NR.\n\n\
## Example\n```yaml\n- match: [{uri: {prefix: /reviews}}]\n  delegate: {name: reviews-routes}\n```\n\n\
## Use instead\nCreate the delegate VirtualService (no `hosts`) or fix its name.\n",
};

pub static RULES: &[&Rule] = &[
    &UNKNOWN_HOST,
    &UNKNOWN_PORT,
    &PORT_REQUIRED,
    &UNKNOWN_SUBSET,
    &SUBSET_NOT_IN_EFFECTIVE_RULE,
    &UNKNOWN_GATEWAY,
    &HOST_NOT_IN_GATEWAY,
    &INTERNAL_GATEWAY,
    &UNKNOWN_DELEGATE,
];

pub fn check(index: &mut Index, out: &mut Reporter) {
    for vs in index.virtual_services() {
        // A VirtualService routes to few hosts, most of them several times
        // (one per subset): each is looked up once, and the namespaces of its
        // callers once, when a subset is first checked.
        let mut looked_up: Vec<(&str, HostLookup)> = Vec::new();
        let clients = OnceCell::new();
        for d in vs.spec.destinations() {
            let host = d.destination.host.as_str();
            let at = match looked_up.iter().position(|(h, _)| *h == host) {
                Some(at) => at,
                None => {
                    let found = index.lookup_host(host, &vs.namespace, &vs.spec.export_to);
                    looked_up.push((host, found));
                    looked_up.len() - 1
                }
            };
            check_destination(index, out, vs, &d, &looked_up[at].1, &clients);
        }
        check_gateways(index, out, vs);
        check_match_gateways(index, out, vs);
        check_delegates(index, out, vs);
    }
}

fn what(d: &DestinationAt) -> &'static str {
    match d.used_as {
        DestinationUse::Route => "destination host",
        DestinationUse::Mirror => "mirror host",
    }
}

/// Checks a destination whose host `lookup` found (or did not).
fn check_destination<'m>(
    index: &mut Index<'m, '_>,
    out: &mut Reporter,
    vs: &'m Resource<VirtualService>,
    d: &DestinationAt,
    lookup: &HostLookup,
    clients: &OnceCell<Vec<&'m str>>,
) {
    let host = &d.destination.host;
    let name = fqdn(host, &vs.namespace);
    let host_at = || format!("{}/host", d.pointer());
    match lookup {
        HostLookup::Unchecked(_) => {}
        HostLookup::Missing => {
            out.report(
                &UNKNOWN_HOST,
                vs,
                &host_at(),
                format!("{} `{host}` ({name}) is not a Service or ServiceEntry host", what(d)),
            )
            .label("not found")
            .help("check the name, or add the Service or a ServiceEntry for it; requests would get 503 NC");
        }
        HostLookup::Hidden(found) => {
            let owner = found.owner();
            out.report(
                &UNKNOWN_HOST,
                vs,
                &host_at(),
                format!(
                    "{} `{host}` is defined by {owner}, which is not exported to where this VirtualService applies",
                    what(d)
                ),
            )
            .label("not visible here")
            .help("add the namespace to the exportTo of the host (or of this VirtualService's exportTo list)");
        }
        HostLookup::Found(found) => {
            let numbers =
                || -> Vec<String> { found.ports.iter().map(|p| p.number.to_string()).collect() };
            match &d.destination.port {
                None if found.ports.len() > 1 => {
                    out.report(
                        &PORT_REQUIRED,
                        vs,
                        &host_at(),
                        format!(
                            "`{host}` exposes ports {}: this {} needs `port`",
                            numbers().join(", "),
                            what(d)
                        ),
                    )
                    .label("which port?")
                    .help(format!("add `port: {{number: {}}}`", found.ports[0].number));
                }
                Some(port) if !found.ports.iter().any(|p| p.number == port.number) => {
                    out.report(
                        &UNKNOWN_PORT,
                        vs,
                        &format!("{}/port/number", d.pointer()),
                        format!(
                            "`{host}` has no port {} (it exposes {})",
                            port.number,
                            if found.ports.is_empty() {
                                "no ports".to_string()
                            } else {
                                numbers().join(", ")
                            }
                        ),
                    )
                    .label("no such port")
                    .help("use one of the ports of the Service or ServiceEntry; requests would get 503 NC");
                }
                _ => {}
            }
        }
    }
    if let Some(subset) = &d.destination.subset {
        check_subset(index, out, vs, d, &name, subset, clients);
    }
}

/// The namespaces of the proxies that apply the VirtualService: for the
/// mesh, its own namespace when it is exported there (the default), else
/// the namespaces it is exported to; for each gateway it names, the
/// gateway's proxy.
fn client_namespaces<'a>(mesh: &'a Mesh, vs: &'a Resource<VirtualService>) -> Vec<&'a str> {
    let own = vs.namespace.as_str();
    let mut out = Vec::new();
    if vs.spec.applies_to_mesh() {
        if exported_to(&vs.spec.export_to, own, own) {
            out.push(own);
        } else {
            out.extend(
                vs.spec
                    .export_to
                    .iter()
                    .map(String::as_str)
                    .filter(|e| !matches!(*e, "*" | "." | "~")),
            );
        }
    }
    for written in vs.spec.gateways.iter().filter(|g| *g != "mesh") {
        if let GatewayLookup::Istio(gw) = mesh.gateway(&gateway_ref(written, own)) {
            out.push(mesh.gateway_proxy_namespace(gw));
        }
    }
    if out.is_empty() {
        // No gateway of the input: judge from the VirtualService's namespace.
        out.push(own);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A subset must be defined by some DestinationRule visible to the
/// VirtualService's namespace (Istio's analyzer, IST0101), and by the one
/// Istio picks for each of its callers (the lookup `meshctl route` uses).
fn check_subset<'m>(
    index: &mut Index<'m, '_>,
    out: &mut Reporter,
    vs: &'m Resource<VirtualService>,
    d: &DestinationAt,
    name: &str,
    subset: &str,
    clients: &OnceCell<Vec<&'m str>>,
) {
    let at = || format!("{}/subset", d.pointer());
    let described = index.is_complete() || index.destination_rules_matching(name).next().is_some();
    let visible: Vec<&Resource<DestinationRule>> = index
        .destination_rules_matching(name)
        .filter(|dr| exported_to(&dr.spec.export_to, &dr.namespace, &vs.namespace))
        .collect();
    let defined = visible
        .iter()
        .any(|dr| dr.spec.subsets.iter().any(|s| s.name == subset));
    if described && !defined {
        let known: Vec<&str> = visible
            .iter()
            .flat_map(|dr| dr.spec.subsets.iter().map(|s| s.name.as_str()))
            .collect();
        out.report(
            &UNKNOWN_SUBSET,
            vs,
            &at(),
            if visible.is_empty() {
                format!("subset `{subset}` of {name} is not defined: no DestinationRule for this host applies here")
            } else if known.is_empty() {
                format!("no DestinationRule for {name} defines subset `{subset}` (it defines none)")
            } else {
                format!(
                    "no DestinationRule for {name} defines subset `{subset}` (defined: {})",
                    known.join(", ")
                )
            },
        )
        .label("unknown subset")
        .help("add the subset to the DestinationRule, or route to a defined one; requests would get 503 NC");
        return;
    }
    for &client in clients.get_or_init(|| client_namespaces(index.mesh, vs)) {
        if let SubsetLookup::Missing(why) = index.subset(name, subset, client) {
            out.report(&SUBSET_NOT_IN_EFFECTIVE_RULE, vs, &at(), why)
                .label("not in the DestinationRule in use")
                .help("define the subset in the DestinationRule Istio uses for this caller, or merge the two rules; requests would get 503 NC");
            return;
        }
    }
}

/// virtualservice/gateways.go (`GatewayAnalyzer`): each gateway a
/// VirtualService names exists, is not one Istio generates, and serves one
/// of its hosts.
fn check_gateways(index: &mut Index, out: &mut Reporter, vs: &Resource<VirtualService>) {
    for (i, written) in vs.spec.gateways.iter().enumerate() {
        if written == "mesh" {
            continue;
        }
        let at = format!("/spec/gateways/{i}");
        if is_internal_gateway(written) {
            out.report(
                &INTERNAL_GATEWAY,
                vs,
                &at,
                format!("gateway `{written}` is one Istio generates for a Gateway API Gateway"),
            )
            .label("generated gateway")
            .help("name the Gateway API Gateway itself, or route with an HTTPRoute attached to it");
            continue;
        }
        let reference = gateway_ref(written, &vs.namespace);
        let (serves_a_host, its_hosts) = match index.gateway(&reference) {
            GatewayLookup::Unchecked(_) => continue,
            GatewayLookup::Istio(gw) => (
                hosts_in_gateway(gw, &vs.spec.hosts, &vs.namespace),
                "server host",
            ),
            GatewayLookup::GatewayApi(gw) => {
                (hosts_in_listeners(gw, &vs.spec.hosts), "listener hostname")
            }
            GatewayLookup::Missing => {
                report_unknown_gateway(out, vs, &at, written, &reference);
                if !vs.spec.hosts.is_empty() {
                    out.report(
                        &HOST_NOT_IN_GATEWAY,
                        vs,
                        &at,
                        format!("no host matches gateway {reference}: it does not exist"),
                    )
                    .label("no gateway");
                }
                continue;
            }
        };
        if !vs.spec.hosts.is_empty() && !serves_a_host {
            out.report(
                &HOST_NOT_IN_GATEWAY,
                vs,
                &at,
                format!(
                    "none of the hosts {} matches a {its_hosts} of gateway {reference}",
                    vs.spec.hosts.join(", "),
                ),
            )
            .label("no common host")
            .help(
                "add a VirtualService host to the gateway (a server host, or a listener hostname)",
            );
        }
    }
}

/// Kiali's NoGatewayChecker on route matches: each gateway a match names
/// exists (`mesh` aside).
fn check_match_gateways(index: &mut Index, out: &mut Reporter, vs: &Resource<VirtualService>) {
    for (at, written) in vs.spec.match_gateways() {
        if written == "mesh" || is_internal_gateway(written) {
            continue;
        }
        let reference = gateway_ref(written, &vs.namespace);
        if let GatewayLookup::Missing = index.gateway(&reference) {
            report_unknown_gateway(out, vs, &at, written, &reference);
        }
    }
}

/// MC2005 for the gateway `written` (resolved to `reference`) at `at`.
fn report_unknown_gateway(
    out: &mut Reporter,
    vs: &Resource<VirtualService>,
    at: &str,
    written: &str,
    reference: &str,
) {
    out.report(
        &UNKNOWN_GATEWAY,
        vs,
        at,
        format!("gateway `{written}` ({reference}) is not in the input"),
    )
    .label("not found")
    .help("check the gateway's name and namespace (`ns/name` for another namespace)");
}

/// Istio's `IsInternalGatewayReference`: the name (after any `ns/`) of a
/// Gateway generated from a Gateway API listener.
fn is_internal_gateway(written: &str) -> bool {
    let name = written.split_once('/').map_or(written, |(_, name)| name);
    name.contains("-istio-autogenerated-k8s-gateway-")
}

/// Istio's `vsHostInKubernetesGateway`: a listener without a hostname serves
/// every host.
fn hosts_in_listeners(gw: &Resource<KubeGateway>, vs_hosts: &[String]) -> bool {
    gw.spec
        .listeners
        .iter()
        .any(|l| match l.hostname.as_deref() {
            None | Some("") => true,
            Some(hostname) => vs_hosts.iter().any(|vh| hosts_intersect(hostname, vh)),
        })
}

/// Istio's `vsHostInGateway`: server hosts in the VirtualService's view
/// (`ns/host` only for that namespace, `./host` for the gateway's own).
fn hosts_in_gateway(gw: &Resource<Gateway>, vs_hosts: &[String], vs_namespace: &str) -> bool {
    let server_hosts = gw.spec.servers.iter().flat_map(|s| s.hosts.iter());
    server_hosts
        .filter_map(|h| match h.split_once('/') {
            None => Some(h.as_str()),
            Some(("*", host)) => Some(host),
            Some((".", host)) => (gw.namespace == vs_namespace).then_some(host),
            Some((ns, host)) => (ns == vs_namespace).then_some(host),
        })
        .any(|gh| vs_hosts.iter().any(|vh| hosts_intersect(gh, vh)))
}

fn check_delegates(index: &Index, out: &mut Reporter, vs: &Resource<VirtualService>) {
    for (i, rule) in vs.spec.http.iter().enumerate() {
        let Some(delegate) = &rule.delegate else {
            continue;
        };
        let ns = delegate.namespace.as_deref().unwrap_or(&vs.namespace);
        let vss = index.virtual_services();
        let found = vss
            .iter()
            .any(|v| v.namespace == ns && v.name() == delegate.name);
        if !found && vss.iter().any(|v| v.namespace == ns) {
            out.report(
                &UNKNOWN_DELEGATE,
                vs,
                &format!("/spec/http/{i}/delegate/name"),
                format!(
                    "delegate VirtualService {ns}/{} is not in the input",
                    delegate.name
                ),
            )
            .label("not found")
            .help(
                "Istio drops this rule silently: create the delegate or fix its name and namespace",
            );
        }
    }
}
