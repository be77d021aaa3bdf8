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
use crate::model::Resource;
use crate::model::gateway::{Server, ServerPort};
use crate::model::host::hosts_intersect;
use crate::model::protocol::Protocol;

pub static CONFLICTING_MESH_HOSTS: Rule = Rule {
    code: "MC2101",
    name: "conflicting-mesh-virtual-services",
    severity: Severity::Error,
    istio_code: Some("IST0109"),
    summary: "Several VirtualServices that apply to sidecars define the same host for a namespace that sees them all.",
    docs: "## What it does\nGroups the VirtualServices bound to `mesh` (no `gateways`, or `mesh` listed) by host, \
after short-name expansion, within each exportTo scope (every namespace a restricted VirtualService is exported \
to); a restricted scope also sees the export-to-all VirtualServices whose host overlaps its own, wildcards \
included (`*.d` covers `*.shop.d`). Each VirtualService is reported once.\n\n\
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

/// The exportTo scopes a resource is in: `None` is every namespace, else
/// each namespace it is exported to (`.` is its own).
fn scopes(export_to: &[String], namespace: &str) -> Vec<Option<String>> {
    if export_to.is_empty() || export_to.iter().any(|e| e == "*") {
        return vec![None];
    }
    let named: BTreeSet<&str> = export_to
        .iter()
        .map(|e| if e == "." { namespace } else { e.as_str() })
        .collect();
    named.into_iter().map(|n| Some(n.to_string())).collect()
}

fn same_object<T>(a: &Resource<T>, b: &Resource<T>) -> bool {
    a.namespace == b.namespace && a.name() == b.name()
}

pub fn check(index: &mut Index, out: &mut Reporter) {
    check_mesh_hosts(index, out);
    check_gateways(index, out);
    check_service_entries(index, out);
}

/// virtualservice/conflictingmeshgatewayhosts.go: mesh VirtualServices that
/// define one host (after short-name expansion) within one exportTo scope
/// (each namespace a restricted VirtualService is exported to is a scope of
/// its own); a restricted scope also sees every export-to-all VirtualService
/// whose host overlaps (wildcards included). Each VirtualService is reported
/// once, at the first host that conflicts.
fn check_mesh_hosts(index: &Index, out: &mut Reporter) {
    let services = index.virtual_services();
    // (scope, host) → (VirtualService, host index); scope `None` is every namespace.
    type Claims = Vec<(usize, usize)>;
    let mut by_key: BTreeMap<(Option<String>, String), Claims> = BTreeMap::new();
    for (v, vs) in services.iter().enumerate() {
        if !vs.spec.applies_to_mesh() {
            continue;
        }
        for scope in scopes(&vs.spec.export_to, &vs.namespace) {
            for (i, host) in vs.spec.hosts.iter().enumerate() {
                by_key
                    .entry((scope.clone(), fqdn(host, &vs.namespace)))
                    .or_default()
                    .push((v, i));
            }
        }
    }
    // Export-to-all wildcard hosts: the only ones a restricted exact host can
    // overlap besides its own name.
    let wildcards: Vec<&String> = by_key
        .keys()
        .filter(|(scope, host)| scope.is_none() && host.starts_with('*'))
        .map(|(_, host)| host)
        .collect();
    let everywhere = |host: &str| -> Vec<(usize, usize)> {
        let overlapping: Vec<&String> = if host.starts_with('*') {
            by_key
                .keys()
                .filter(|(scope, other)| scope.is_none() && hosts_intersect(host, other))
                .map(|(_, other)| other)
                .collect()
        } else {
            let exact = by_key
                .get_key_value(&(None, host.to_string()))
                .map(|((_, h), _)| h);
            exact
                .into_iter()
                .chain(
                    wildcards
                        .iter()
                        .copied()
                        .filter(|w| hosts_intersect(host, w)),
                )
                .collect()
        };
        overlapping
            .into_iter()
            .flat_map(|other| by_key[&(None, other.clone())].iter().copied())
            .collect()
    };
    let object = |v: usize| (services[v].namespace.as_str(), services[v].name());
    let mut reported = vec![false; services.len()];
    for ((scope, host), claims) in &by_key {
        let mut group = claims.clone();
        if scope.is_some() {
            group.extend(everywhere(host));
        }
        let objects: BTreeSet<(&str, &str)> = group.iter().map(|&(v, _)| object(v)).collect();
        if objects.len() < 2 {
            continue;
        }
        let names: Vec<String> = objects
            .iter()
            .map(|(ns, name)| format!("{ns}/{name}"))
            .collect();
        for &(v, i) in &group {
            if std::mem::replace(&mut reported[v], true) {
                continue;
            }
            let own = format!("{}/{}", object(v).0, object(v).1);
            let others: Vec<String> = names
                .iter()
                .filter(|n| **n != own)
                .take(NAMED + 1)
                .cloned()
                .collect();
            out.report(
                &CONFLICTING_MESH_HOSTS,
                &services[v],
                &format!("/spec/hosts/{i}"),
                format!(
                    "host {host} is also defined for sidecars by {}; sidecars use only the oldest of them",
                    listed(&others, names.len() - 1)
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
        for scope in scopes(&se.spec.export_to, &se.namespace) {
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
