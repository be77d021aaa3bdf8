//! VirtualService hosts and routes: Istio validation rules V1–V4
//! (`validateVirtualService` in istio/istio pkg/config/validation).

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::host::{hosts_intersect, is_ip, validate_wildcard_domain};
use crate::model::{Resource, VirtualService};

pub static NO_ROUTES: Rule = Rule {
    code: "MC1101",
    name: "virtual-service-without-routes",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A VirtualService has none of `http`, `tcp` or `tls`.",
    docs: "## What it does\nRequires at least one of `http`, `tcp` or `tls` routes.\n\n\
## Why is this bad?\nIstio rejects it: \"http, tcp or tls must be provided in virtual service\".\n\n\
## Example\n```yaml\nspec:\n  hosts: [reviews]\n```\n\n## Use instead\n```yaml\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews}\n```\n",
};

pub static INVALID_HOST: Rule = Rule {
    code: "MC1102",
    name: "invalid-virtual-service-host",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A VirtualService host is neither a valid (wildcard) DNS name nor an IP address.",
    docs: "## What it does\nChecks each entry of `hosts` the way Istio's `ValidateWildcardDomain` does: DNS-1123 labels, \
a wildcard only as the whole first label (`*.example.com`), no all-numeric top-level domain; IP addresses are tolerated.\n\n\
## Why is this bad?\nIstio rejects the VirtualService.\n\n## Example\n```yaml\nhosts:\n- api.*.example.com\n```\n\n\
## Use instead\n```yaml\nhosts:\n- \"*.example.com\"\n```\n",
};

pub static MESH_WILDCARD: Rule = Rule {
    code: "MC1103",
    name: "wildcard-host-on-mesh",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "The host `*` is used by a VirtualService that applies to sidecars (`mesh`).",
    docs: "## What it does\nRejects `hosts: [\"*\"]` unless the VirtualService is bound only to gateways.\n\n\
## Why is this bad?\nIstio forbids a catch-all host for sidecars: it would capture every service's traffic.\n\n\
## Example\n```yaml\nhosts: [\"*\"]\nhttp: [...]\n```\n\n## Use instead\nName the hosts, or bind the VirtualService to a gateway:\n```yaml\nhosts: [\"*\"]\ngateways: [ingress]\n```\n",
};

pub static OVERLAPPING_HOSTS: Rule = Rule {
    code: "MC1104",
    name: "overlapping-virtual-service-hosts",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Two hosts of one VirtualService match each other (duplicates or wildcard overlap).",
    docs: "## What it does\nFlags a host that another host of the same VirtualService already covers, such as \
`reviews` twice, or `*.example.com` with `api.example.com`.\n\n\
## Why is this bad?\nIstio rejects the VirtualService.\n\n## Example\n```yaml\nhosts: [\"*.example.com\", api.example.com]\n```\n\n\
## Use instead\nKeep the wildcard, or split the hosts over two VirtualServices.\n",
};

pub static RULES: &[&Rule] = &[
    &NO_ROUTES,
    &INVALID_HOST,
    &MESH_WILDCARD,
    &OVERLAPPING_HOSTS,
];

/// Whether the VirtualService applies to sidecars: no gateways, or `mesh` listed.
pub fn applies_to_mesh(vs: &VirtualService) -> bool {
    vs.gateways.is_empty() || vs.gateways.iter().any(|g| g == "mesh")
}

/// Istio's `ValidateWildcardDomainForVirtualServiceBoundToGateway`: on a
/// gateway VirtualService with SNI matches, a host may be the name Envoy
/// generates for AUTO_PASSTHROUGH, `outbound_.PORT_._.HOSTNAME` — split on
/// `_`, the first part `outbound`, the second with a digit, the fourth with
/// a letter.
pub fn is_auto_generated_sni(host: &str) -> bool {
    if host.is_empty() || host.len() > 255 || !host.starts_with("outbound_") {
        return false;
    }
    let parts: Vec<&str> = host.split('_').collect();
    parts.len() >= 4
        && parts[0] == "outbound"
        && parts[1]
            .trim_matches('.')
            .contains(|c: char| c.is_ascii_digit())
        && parts[3]
            .trim_matches('.')
            .contains(|c: char| c.is_ascii_alphabetic())
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    let vs = &res.spec;
    if vs.http.is_empty() && vs.tcp.is_empty() && vs.tls.is_empty() {
        cx.report_key(
            &NO_ROUTES,
            "/spec",
            "http, tcp or tls routes must be provided in a VirtualService",
        )
        .label("no routes")
        .help("add an `http:` (or `tcp:`/`tls:`) list of routes");
    }
    let mesh = applies_to_mesh(vs);
    let sni_on_gateway = !mesh
        && vs
            .tls
            .iter()
            .any(|t| t.matches.iter().any(|m| !m.sni_hosts.is_empty()));
    for (i, host) in vs.hosts.iter().enumerate() {
        let pointer = format!("/spec/hosts/{i}");
        if host == "*" {
            if mesh {
                cx.report(
                    &MESH_WILDCARD,
                    &pointer,
                    "wildcard host `*` is not allowed for a VirtualService bound to the mesh",
                )
                .label("applies to every sidecar")
                .help("name the hosts, or list only gateways under `gateways`");
            }
            continue;
        }
        if let Err(reason) = validate_wildcard_domain(host)
            && !is_ip(host)
            && !(sni_on_gateway && is_auto_generated_sni(host))
        {
            cx.report(&INVALID_HOST, &pointer, reason)
                .label("invalid host")
                .help("use a DNS name, a `*.`-prefixed wildcard, or an IP address");
        }
        for (j, earlier) in vs.hosts[..i].iter().enumerate() {
            if hosts_intersect(earlier, host) {
                let how = if earlier == host {
                    "repeats"
                } else {
                    "overlaps"
                };
                cx.report(
                    &OVERLAPPING_HOSTS,
                    &pointer,
                    format!("host `{host}` {how} host `{earlier}` (hosts[{j}])"),
                )
                .label(format!("{how} `{earlier}`"))
                .help("each host may appear once; a wildcard already covers the names it matches");
                break;
            }
        }
    }
}
