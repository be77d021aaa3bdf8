//! Istio validation V21 (TLS routes) and V22 (TCP routes).

use crate::analyze::Checker;
use crate::analyze::rules::vs_hosts::is_auto_generated_sni;
use crate::diagnostic::{Rule, Severity};
use crate::load::spans::escape;
use crate::model::host::{host_matches, is_ip, is_ip_or_cidr, validate_wildcard_domain};
use crate::model::labels::first_label_error;
use crate::model::{Resource, SmallMap, VirtualService};

pub static INVALID_TLS_ROUTE: Rule = Rule {
    code: "MC1123",
    name: "invalid-tls-route",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A TLS route without matches, SNI hosts or destinations, or with an SNI host outside the VirtualService's hosts.",
    docs: "## What it does\nEach `tls` route needs at least one match, each match at least one `sniHosts` entry, \
and a `route`. Every SNI host is a valid domain that falls within one of the VirtualService's `hosts`.\n\n\
## Why is this bad?\nIstio rejects the VirtualService.\n\n## Example\n```yaml\nhosts: [\"*.example.com\"]\ntls:\n- match:\n  - sniHosts: [login.other.org]\n  route:\n  - destination: {host: login}\n```\n\n\
## Use instead\n```yaml\nhosts: [\"*.example.com\"]\ntls:\n- match:\n  - sniHosts: [login.example.com]\n  route:\n  - destination: {host: login}\n```\n",
};

pub static IP_SNI_HOST: Rule = Rule {
    code: "MC1124",
    name: "ip-sni-host",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "An SNI host that is an IP address.",
    docs: "## What it does\nWarns on an IP address in `sniHosts`.\n\n## Why is this bad?\nSNI carries host names; \
most clients never send an IP, so the match never fires. Istio warns.\n\n\
## Example\n```yaml\nsniHosts: [10.0.0.1]\n```\n\n## Use instead\n```yaml\nsniHosts: [db.example.com]\n```\n",
};

pub static INVALID_L4_ROUTE: Rule = Rule {
    code: "MC1125",
    name: "invalid-l4-route",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A TCP or TLS route without destinations, or a match with a bad subnet, labels or namespace.",
    docs: "## What it does\nEach `tcp` and `tls` route needs a `route`; `destinationSubnets` are IPs or CIDR \
blocks; `sourceLabels` are valid labels.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\ntcp:\n- match:\n  - destinationSubnets: [10.0.0.0/33]\n```\n\n\
## Use instead\n```yaml\ntcp:\n- match:\n  - destinationSubnets: [10.0.0.0/16]\n  route:\n  - destination: {host: mongo}\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_TLS_ROUTE, &IP_SNI_HOST, &INVALID_L4_ROUTE];

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    let vs = &res.spec;
    for (i, route) in vs.tls.iter().enumerate() {
        let at = format!("/spec/tls/{i}");
        if route.matches.is_empty() {
            cx.report_key(
                &INVALID_TLS_ROUTE,
                &at,
                "a TLS route must have at least one match",
            )
            .label("no match")
            .help("add `match: [{sniHosts: [...]}]`");
        }
        for (j, m) in route.matches.iter().enumerate() {
            let mat = format!("{at}/match/{j}");
            if m.sni_hosts.is_empty() {
                cx.report_key(
                    &INVALID_TLS_ROUTE,
                    &mat,
                    "a TLS match must have at least one SNI host",
                )
                .label("no sniHosts");
            }
            for (k, sni) in m.sni_hosts.iter().enumerate() {
                check_sni(cx, &format!("{mat}/sniHosts/{k}"), sni, vs);
            }
            check_l4(cx, &mat, &m.destination_subnets, &m.source_labels);
        }
        if route.route.is_empty() {
            cx.report_key(
                &INVALID_L4_ROUTE,
                &at,
                "a TLS route needs `route` destinations",
            )
            .label("no route");
        }
    }
    for (i, route) in vs.tcp.iter().enumerate() {
        let at = format!("/spec/tcp/{i}");
        for (j, m) in route.matches.iter().enumerate() {
            check_l4(
                cx,
                &format!("{at}/match/{j}"),
                &m.destination_subnets,
                &m.source_labels,
            );
        }
        if route.route.is_empty() {
            cx.report_key(
                &INVALID_L4_ROUTE,
                &at,
                "a TCP route needs `route` destinations",
            )
            .label("no route");
        }
    }
}

/// Istio's `validateSniHost`: on a VirtualService whose `gateways` do not
/// name `mesh` (`isGateway`, true also when there are none), the name Envoy
/// generates for AUTO_PASSTHROUGH is a valid SNI host.
fn check_sni(cx: &mut Checker, p: &str, sni: &str, vs: &VirtualService) {
    let generated = !vs.gateways.iter().any(|g| g == "mesh") && is_auto_generated_sni(sni);
    let hosts = &vs.hosts;
    let checked = if generated {
        Ok(())
    } else {
        validate_wildcard_domain(sni)
    };
    if let Err(reason) = checked {
        if is_ip(sni) {
            cx.report(
                &IP_SNI_HOST,
                p,
                format!("SNI host `{sni}` is an IP address; most clients never send one"),
            )
            .label("IP as SNI");
        } else {
            cx.report(&INVALID_TLS_ROUTE, p, reason)
                .label("invalid SNI host");
        }
        return;
    }
    if !hosts.iter().any(|h| host_matches(h, sni)) {
        cx.report(
            &INVALID_TLS_ROUTE,
            p,
            format!(
                "SNI host `{sni}` is not within any of the VirtualService hosts [{}]",
                hosts.join(", ")
            ),
        )
        .label("outside the hosts")
        .help("add the name to `hosts`, or use an SNI host the hosts cover");
    }
}

fn check_l4(cx: &mut Checker, at: &str, subnets: &[String], labels: &SmallMap) {
    for (k, subnet) in subnets.iter().enumerate() {
        if !is_ip_or_cidr(subnet) {
            cx.report(
                &INVALID_L4_ROUTE,
                &format!("{at}/destinationSubnets/{k}"),
                format!("`{subnet}` is not an IP address or CIDR block"),
            )
            .label("invalid subnet");
        }
    }
    if let Some((key, reason)) = first_label_error(labels) {
        cx.report_key(
            &INVALID_L4_ROUTE,
            &format!("{at}/sourceLabels/{}", escape(key)),
            reason,
        )
        .label("invalid label");
    }
}
