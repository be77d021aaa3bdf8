//! Istio validation V5 (delegate VirtualServices) and V6 (gateway names).

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::host::{is_dns1123_label, validate_wildcard_domain};
use crate::model::{Resource, VirtualService};

pub static INVALID_DELEGATE: Rule = Rule {
    code: "MC1110",
    name: "invalid-delegate-virtual-service",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A delegate VirtualService (no hosts) sets `gateways`, `tcp` or `tls`.",
    docs: "## What it does\nA VirtualService without `hosts` is a delegate: only a root VirtualService's `delegate` \
reaches it, so it may carry only `http` routes and no `gateways`.\n\n## Why is this bad?\nIstio rejects it.\n\n\
## Example\n```yaml\nspec:\n  gateways: [ingress]\n  http: [...]\n```\n\n## Use instead\n```yaml\nspec:\n  http: [...]\n```\n",
};

pub static INVALID_GATEWAY_NAME: Rule = Rule {
    code: "MC1111",
    name: "invalid-gateway-name",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A gateway reference is neither `mesh`, `namespace/name` with DNS labels, nor a valid name.",
    docs: "## What it does\nChecks `gateways` (of the VirtualService and of each match): `mesh`, `namespace/name` \
with both parts DNS-1123 labels, or a bare name that is a valid domain.\n\n## Why is this bad?\nIstio rejects the \
VirtualService.\n\n## Example\n```yaml\ngateways: [istio-system/my_gateway]\n```\n\n## Use instead\n```yaml\ngateways: [istio-system/my-gateway]\n```\n",
};

pub static DOTTED_GATEWAY_NAME: Rule = Rule {
    code: "MC1112",
    name: "dotted-gateway-name",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "A gateway is named in the legacy `name.namespace` form.",
    docs: "## What it does\nWarns on a gateway reference such as `my-gateway.istio-system`, which Istio reads as \
`name.namespace` for compatibility.\n\n## Why is this bad?\nThe dotted form is deprecated and ambiguous with a \
domain name; Istio warns.\n\n## Example\n```yaml\ngateways: [my-gateway.istio-system]\n```\n\n## Use instead\n```yaml\ngateways: [istio-system/my-gateway]\n```\n",
};

pub static RULES: &[&Rule] = &[
    &INVALID_DELEGATE,
    &INVALID_GATEWAY_NAME,
    &DOTTED_GATEWAY_NAME,
];

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    let vs = &res.spec;
    if vs.hosts.is_empty() {
        for (field, set) in [
            ("gateways", !vs.gateways.is_empty()),
            ("tcp", !vs.tcp.is_empty()),
            ("tls", !vs.tls.is_empty()),
        ] {
            if set {
                cx.report_key(
                    &INVALID_DELEGATE,
                    &format!("/spec/{field}"),
                    format!("a delegate VirtualService (no `hosts`) must not set `{field}`"),
                )
                .label("not allowed on a delegate")
                .help("remove it, or give the VirtualService `hosts` to make it a root");
            }
        }
    }
    check_gateway_list(cx, "/spec/gateways", &vs.gateways);
    // Match-level gateways of every http, tls and tcp rule.
    let sections = [
        (
            "http",
            vs.http
                .iter()
                .map(|r| r.matches.iter().map(|m| &m.gateways).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
        ),
        (
            "tls",
            vs.tls
                .iter()
                .map(|r| r.matches.iter().map(|m| &m.gateways).collect::<Vec<_>>())
                .collect(),
        ),
        (
            "tcp",
            vs.tcp
                .iter()
                .map(|r| r.matches.iter().map(|m| &m.gateways).collect::<Vec<_>>())
                .collect(),
        ),
    ];
    for (section, rules) in sections {
        for (i, matches) in rules.iter().enumerate() {
            for (j, list) in matches.iter().enumerate() {
                check_gateway_list(cx, &format!("/spec/{section}/{i}/match/{j}/gateways"), list);
            }
        }
    }
}

/// Istio's `validateGatewayNames`, including its quirk of stopping at the
/// first name without a `/`.
fn check_gateway_list(cx: &mut Checker, at: &str, gateways: &[String]) {
    for (i, name) in gateways.iter().enumerate() {
        let pointer = format!("{at}/{i}");
        match name.split_once('/') {
            Some((ns, gw)) => {
                if gw.contains('/') || !is_dns1123_label(ns) || !is_dns1123_label(gw) {
                    cx.report(
                        &INVALID_GATEWAY_NAME,
                        &pointer,
                        format!("gateway `{name}` is not `namespace/name` with both parts DNS-1123 labels"),
                    )
                    .label("invalid gateway reference");
                }
            }
            None => {
                if let Err(reason) = validate_wildcard_domain(name) {
                    cx.report(
                        &INVALID_GATEWAY_NAME,
                        &pointer,
                        format!("gateway name `{name}` is invalid: {reason}"),
                    )
                    .label("invalid gateway reference");
                } else if name.contains('.') {
                    let (gw, ns) = name.split_once('.').expect("contains a dot");
                    cx.report(
                        &DOTTED_GATEWAY_NAME,
                        &pointer,
                        format!("gateway `{name}` uses the deprecated `name.namespace` form"),
                    )
                    .label("legacy form")
                    .help(format!("write `{ns}/{gw}`"));
                }
                return;
            }
        }
    }
}
