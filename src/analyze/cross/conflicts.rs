//! Resources that claim the same thing: mesh VirtualServices for one host
//! (IST0109), gateways on one selector, port and host (IST0145), and
//! ServiceEntries giving one host and port different protocols (IST0177).
//! Two documents with the same kind, namespace and name are one object
//! written twice (the later replaces the earlier), never a conflict.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{NAMED, Reporter, listed};
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::names::fqdn;
use crate::model::gateway::{Server, ServerPort};
use crate::model::host::hosts_intersect;
use crate::model::protocol::Protocol;
use crate::model::{Resource, VirtualService};

pub static CONFLICTING_MESH_HOSTS: Rule = Rule {
    code: "MC2101",
    name: "conflicting-mesh-virtual-services",
    severity: Severity::Error,
    istio_code: Some("IST0109"),
    summary: "Several VirtualServices that apply to sidecars define the same host for a namespace that sees them all.",
    docs: "## What it does\nGroups the VirtualServices bound to `mesh` (no `gateways`, or `mesh` listed) by host, \
after short-name expansion, and reports those whose exportTo scopes overlap.\n\n\
## Why is this bad?\nSidecars never merge VirtualServices: only the oldest one is used for the host and the \
others are ignored without a word.\n\n\
## Example\n```yaml\n# two VirtualServices in namespace shop\nhosts: [reviews]\n---\nhosts: [reviews.shop.svc.cluster.local]\n```\n\n\
## Use instead\nMerge the rules into one VirtualService per host (or use delegation).\n",
};

pub static CONFLICTING_GATEWAYS: Rule = Rule {
    code: "MC2102",
    name: "conflicting-gateways",
    severity: Severity::Error,
    istio_code: Some("IST0145"),
    summary: "Two Gateways on overlapping workload selectors serve one port in ways that cannot coexist.",
    docs: "## What it does\nCompares every pair of Gateways whose selectors overlap (one's labels include the \
other's) server by server on the same port and bind: a conflict is two protocols that need different listeners \
(HTTP and TCP, HTTP and HTTPS), or two TLS or TCP servers with intersecting hosts. Plain HTTP servers on one port \
are not a conflict: Istio merges them into one route table (istioctl analyze reports those too).\n\n\
## Why is this bad?\nThe gateway proxy can serve only one of them for that host and port; which one wins is not \
what either author expects.\n\n\
## Example\n```yaml\n# Gateway alpha and Gateway beta, both selector {istio: ingressgateway}\nservers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [\"*.example.com\"]\n  tls: {mode: SIMPLE, credentialName: example-cert}\n```\n\n\
## Use instead\nServe each host from one Gateway, or give the second Gateway its own hosts.\n",
};

pub static CONFLICTING_SE_PROTOCOL: Rule = Rule {
    code: "MC2103",
    name: "conflicting-service-entry-protocol",
    severity: Severity::Warning,
    istio_code: Some("IST0177"),
    summary: "ServiceEntries that give the same host and port different protocols.",
    docs: "## What it does\nCompares the ports of ServiceEntries that share a host, as written, within an exportTo scope \
they share; an unset protocol counts as a protocol of its own. Each ServiceEntry is reported once.\n\n\
## Why is this bad?\nIstio builds one listener per host and port; only one protocol can win, so the other \
entry's traffic is treated wrongly (for example HTTP sniffed as TCP).\n\n\
## Example\n```yaml\n# entry a\nhosts: [api.example.com]\nports: [{number: 443, name: https, protocol: HTTPS}]\n---\n# entry b\nhosts: [api.example.com]\nports: [{number: 443, name: tls, protocol: TLS}]\n```\n\n\
## Use instead\nDeclare the host and port once, with one protocol.\n",
};

pub static RULES: &[&Rule] = &[
    &CONFLICTING_MESH_HOSTS,
    &CONFLICTING_GATEWAYS,
    &CONFLICTING_SE_PROTOCOL,
];

/// Namespaces that see a resource: `None` is every namespace.
fn scope(export_to: &[String], namespace: &str) -> Option<Vec<String>> {
    if export_to.is_empty() || export_to.iter().any(|e| e == "*") {
        return None;
    }
    Some(
        export_to
            .iter()
            .map(|e| {
                if e == "." {
                    namespace.to_string()
                } else {
                    e.clone()
                }
            })
            .collect(),
    )
}

fn scopes_overlap(a: &Option<Vec<String>>, b: &Option<Vec<String>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.iter().any(|n| b.contains(n)),
        _ => true,
    }
}

fn same_object<T>(a: &Resource<T>, b: &Resource<T>) -> bool {
    a.namespace == b.namespace && a.name() == b.name()
}

pub fn check(index: &mut Index, out: &mut Reporter) {
    check_mesh_hosts(index, out);
    check_gateways(index, out);
    check_service_entries(index, out);
}

fn check_mesh_hosts(index: &Index, out: &mut Reporter) {
    let mut by_host: BTreeMap<String, Vec<(&Resource<VirtualService>, usize)>> = BTreeMap::new();
    for vs in index
        .virtual_services()
        .iter()
        .filter(|v| v.spec.applies_to_mesh())
    {
        for (i, host) in vs.spec.hosts.iter().enumerate() {
            by_host
                .entry(fqdn(host, &vs.namespace))
                .or_default()
                .push((vs, i));
        }
    }
    for (host, claims) in &by_host {
        // Claims by exportTo scope: scopes are few, claims can be many.
        let mut scopes: Vec<(Option<Vec<String>>, Vec<usize>)> = Vec::new();
        // Each claim's scope, by its index in `scopes`.
        let mut scope_of: Vec<usize> = Vec::with_capacity(claims.len());
        let mut per_object: HashMap<(&str, &str), usize> = HashMap::new();
        for (c, (vs, _)) in claims.iter().enumerate() {
            *per_object.entry((&vs.namespace, vs.name())).or_default() += 1;
            let mine = scope(&vs.spec.export_to, &vs.namespace);
            match scopes.iter().position(|(s, _)| *s == mine) {
                Some(at) => {
                    scopes[at].1.push(c);
                    scope_of.push(at);
                }
                None => {
                    scope_of.push(scopes.len());
                    scopes.push((mine, vec![c]));
                }
            }
        }
        for (c, (vs, i)) in claims.iter().enumerate() {
            let mine = &scopes[scope_of[c]].0;
            let own = |c: &usize| same_object(vs, claims[*c].0);
            let seen: Vec<&Vec<usize>> = scopes
                .iter()
                .filter(|(s, _)| scopes_overlap(mine, s))
                .map(|(_, members)| members)
                .collect();
            // Its own claims are in its own scope, which it always sees.
            let total = seen.iter().map(|members| members.len()).sum::<usize>()
                - per_object[&(vs.namespace.as_str(), vs.name())];
            if total == 0 {
                continue;
            }
            let mut first: Vec<usize> = seen
                .iter()
                .flat_map(|members| members.iter().filter(|c| !own(c)).take(NAMED + 1))
                .copied()
                .collect();
            first.sort_unstable();
            let names: Vec<String> = first
                .iter()
                .map(|&c| format!("{}/{}", claims[c].0.namespace, claims[c].0.name()))
                .collect();
            out.report(
                &CONFLICTING_MESH_HOSTS,
                vs,
                &format!("/spec/hosts/{i}"),
                format!(
                    "host {host} is also defined for sidecars by {}; sidecars use only the oldest of them",
                    listed(&names, total)
                ),
            )
            .label("defined more than once")
            .help("keep one VirtualService per host for `mesh` (merge the rules, or use delegation)");
        }
    }
}

fn selectors_overlap(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> bool {
    let within = |x: &BTreeMap<String, String>, y: &BTreeMap<String, String>| {
        x.iter().all(|(k, v)| y.get(k) == Some(v))
    };
    within(a, b) || within(b, a)
}

fn bare_host(h: &str) -> &str {
    h.split_once('/').map_or(h, |(_, host)| host)
}

/// How a gateway listener serves a port: HTTP servers on one port merge into
/// one route table (hosts become virtual hosts), TLS-family servers are told
/// apart by SNI host, anything else takes the whole port.
#[derive(PartialEq, Eq)]
enum Listener {
    Http,
    Tls,
    Opaque,
}

fn listener(protocol: &str) -> Listener {
    let p = Protocol::parse(protocol);
    if p.is_http() {
        Listener::Http
    } else if matches!(p, Protocol::Https | Protocol::Tls) {
        Listener::Tls
    } else {
        Listener::Opaque
    }
}

/// Whether two servers on one port and bind cannot both be served: different
/// listener kinds, or TLS/opaque servers with intersecting hosts.
fn servers_clash(a: &Server, a_port: &ServerPort, b: &Server, b_port: &ServerPort) -> bool {
    let (la, lb) = (listener(&a_port.protocol), listener(&b_port.protocol));
    if la != lb {
        return true;
    }
    la != Listener::Http
        && a.hosts.iter().any(|h| {
            b.hosts
                .iter()
                .any(|mine| hosts_intersect(bare_host(h), bare_host(mine)))
        })
}

/// A server of the gateway with this index, and its port.
type ServerOf<'g> = (usize, &'g Server, &'g ServerPort);

fn check_gateways(index: &Index, out: &mut Reporter) {
    let gateways = &index.config.gateways;
    // Servers by port number and bind: only those can clash.
    let mut by_port: HashMap<(u64, Option<&str>), Vec<ServerOf>> = HashMap::new();
    for (g, gw) in gateways.iter().enumerate() {
        for server in &gw.spec.servers {
            if let Some(port) = &server.port {
                by_port
                    .entry((port.number, server.bind.as_deref()))
                    .or_default()
                    .push((g, server, port));
            }
        }
    }
    for gw in gateways {
        for (i, server) in gw.spec.servers.iter().enumerate() {
            let Some(port) = &server.port else { continue };
            let mut rivals: Vec<usize> = by_port[&(port.number, server.bind.as_deref())]
                .iter()
                .filter(|(o, s, p)| {
                    let other = &gateways[*o];
                    !same_object(gw, other)
                        && selectors_overlap(&gw.spec.selector, &other.spec.selector)
                        && servers_clash(s, p, server, port)
                })
                .map(|(o, _, _)| *o)
                .collect();
            rivals.dedup();
            if rivals.is_empty() {
                continue;
            }
            let names: Vec<String> = rivals
                .iter()
                .take(NAMED + 1)
                .map(|&o| format!("{}/{}", gateways[o].namespace, gateways[o].name()))
                .collect();
            out.report(
                &CONFLICTING_GATEWAYS,
                gw,
                &format!("/spec/servers/{i}/port/number"),
                format!(
                    "port {} with hosts {} is also claimed by {} on the same gateway workloads",
                    port.number,
                    server.hosts.join(", "),
                    listed(&names, rivals.len())
                ),
            )
            .label("conflicting server")
            .help("serve each host and port from one Gateway");
        }
    }
}

/// serviceentry/conflictingserviceentries.go: ServiceEntries that give one
/// host (as written) and port different protocols (an unset protocol counts
/// as one), within an exportTo scope they share (every namespace shares the
/// export-to-all scope). Each ServiceEntry is reported once, at its name.
fn check_service_entries(index: &Index, out: &mut Reporter) {
    let entries = &index.config.service_entries;
    // (scope, host, port) → (entry, protocol); scope `None` is every namespace.
    type Key<'a> = (Option<String>, &'a str, u64);
    let mut by_key: BTreeMap<Key, Vec<(usize, String)>> = BTreeMap::new();
    for (e, se) in entries.iter().enumerate() {
        let scopes: Vec<Option<String>> = match scope(&se.spec.export_to, &se.namespace) {
            None => vec![None],
            Some(namespaces) => namespaces.into_iter().map(Some).collect(),
        };
        for scope in scopes {
            for host in &se.spec.hosts {
                for port in &se.spec.ports {
                    let protocol = port.protocol.as_deref().unwrap_or("").to_ascii_uppercase();
                    by_key
                        .entry((scope.clone(), host, port.number))
                        .or_default()
                        .push((e, protocol));
                }
            }
        }
    }
    let mut reported = vec![false; entries.len()];
    for ((scope, host, port), claims) in &by_key {
        let everywhere = scope
            .as_ref()
            .and_then(|_| by_key.get(&(None, *host, *port)))
            .map_or(&[][..], Vec::as_slice);
        let group: Vec<&(usize, String)> = claims.iter().chain(everywhere).collect();
        let protocols: BTreeSet<&str> = group.iter().map(|(_, p)| p.as_str()).collect();
        if protocols.len() < 2 {
            continue;
        }
        let names: BTreeSet<String> = group
            .iter()
            .map(|(e, _)| format!("{}/{}", entries[*e].namespace, entries[*e].name()))
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        let shown: Vec<&str> = protocols
            .iter()
            .map(|p| if p.is_empty() { "unset" } else { p })
            .collect();
        for &&(e, _) in &group {
            if std::mem::replace(&mut reported[e], true) {
                continue;
            }
            out.report(
                &CONFLICTING_SE_PROTOCOL,
                &entries[e],
                "/metadata/name",
                format!(
                    "host {host} port {port} is declared with different protocols ({}) by {}",
                    shown.join(", "),
                    listed(&names[..names.len().min(NAMED + 1)], names.len())
                ),
            )
            .label("conflicting protocol")
            .help("declare each host and port once, with one protocol, or keep the entries apart with exportTo");
        }
    }
}
