//! Istio's `ValidateSidecar` on what decides a proxy's outbound view: a
//! Sidecar says something, its egress listeners have hosts of the form
//! `namespace/dnsName` and at most one catch-all listener (last), and an
//! egress proxy goes with ALLOW_ANY.

use std::collections::{BTreeMap, BTreeSet};

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::host::{is_dns1123_label, validate_wildcard_domain};
use crate::model::{Resource, Sidecar};

pub static EMPTY: Rule = Rule {
    code: "MC1701",
    name: "sidecar-empty",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A Sidecar with no ingress, egress, outboundTrafficPolicy or inboundConnectionPool.",
    docs: "## What it does\nA Sidecar must configure something.\n\n## Why is this bad?\nIstio rejects it \
(\"sidecar: empty configuration provided\").\n\n## Example\n```yaml\nspec: {}\n```\n\n\
## Use instead\n```yaml\nspec:\n  egress: [{hosts: [\"./*\", \"istio-system/*\"]}]\n```\n",
};

pub static EGRESS_HOST: Rule = Rule {
    code: "MC1702",
    name: "sidecar-egress-host",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An egress host that is not `namespace/dnsName` (`*`, `.` or `~` for the namespace), or a listener with no hosts.",
    docs: "## What it does\nEach egress listener lists hosts; each host is `namespace/host`, where the namespace is `*`, \
`.`, `~` or a DNS label and the host is `*` or a (wildcard) domain.\n\n## Why is this bad?\nIstio rejects the Sidecar.\n\n\
## Example\n```yaml\negress: [{hosts: [reviews.shop.svc.cluster.local]}]\n```\n\n\
## Use instead\n```yaml\negress: [{hosts: [shop/reviews.shop.svc.cluster.local]}]\n```\n",
};

pub static CATCH_ALL_LISTENER: Rule = Rule {
    code: "MC1703",
    name: "sidecar-catch-all-egress",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An egress listener without a port that is not the last one, or a second one.",
    docs: "## What it does\nAn egress listener without `port` catches all other traffic: there is at most one, and it \
comes last.\n\n## Why is this bad?\nIstio rejects the Sidecar.\n\n\
## Example\n```yaml\negress:\n- hosts: [\"./*\"]\n- port: {number: 9080, protocol: HTTP, name: http}\n  hosts: [\"shop/*\"]\n```\n\n\
## Use instead\nPut the listener without a port last.\n",
};

pub static DUPLICATE_HOST: Rule = Rule {
    code: "MC1704",
    name: "sidecar-duplicate-egress-host",
    severity: Severity::Warning,
    istio_code: Some("IST0106"),
    summary: "An egress host listed twice in a listener, or one a `ns/*` or `*/*` of the listener already covers.",
    docs: "## What it does\nWarns as Istio does on `duplicated egress host` and on `*/*` next to other hosts.\n\n\
## Why is this bad?\nThe extra entry does nothing; it usually hides a mistake.\n\n\
## Example\n```yaml\nhosts: [\"shop/*\", \"shop/reviews.shop.svc.cluster.local\"]\n```\n\n## Use instead\nList each host once.\n",
};

pub static EGRESS_PROXY: Rule = Rule {
    code: "MC1705",
    name: "sidecar-egress-proxy-mode",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An outboundTrafficPolicy egressProxy with a mode other than ALLOW_ANY.",
    docs: "## What it does\nChecks that `egressProxy` goes with `mode: ALLOW_ANY` (the default).\n\n\
## Why is this bad?\nIstio rejects the Sidecar: unknown hosts are either blocked or sent to the egress proxy.\n\n\
## Example\n```yaml\noutboundTrafficPolicy: {mode: REGISTRY_ONLY, egressProxy: {host: egress.example.com, port: {number: 443}}}\n```\n\n\
## Use instead\nDrop `mode` or set it to ALLOW_ANY.\n",
};

pub static SELECTOR_WITHOUT_LABELS: Rule = Rule {
    code: "MC1706",
    name: "sidecar-selector-without-labels",
    severity: Severity::Warning,
    istio_code: Some("IST0106"),
    summary: "A workloadSelector without labels: the Sidecar applies to the whole namespace.",
    docs: "## What it does\nWarns on `workloadSelector: {}` or empty `labels`.\n\n## Why is this bad?\nIt reads like a \
Sidecar for some workloads but applies to all of the namespace.\n\n## Example\n```yaml\nworkloadSelector: {labels: {}}\n```\n\n\
## Use instead\nName the labels, or drop `workloadSelector`.\n",
};

pub static RULES: &[&Rule] = &[
    &EMPTY,
    &EGRESS_HOST,
    &CATCH_ALL_LISTENER,
    &DUPLICATE_HOST,
    &EGRESS_PROXY,
    &SELECTOR_WITHOUT_LABELS,
];

pub fn check(res: &Resource<Sidecar>, cx: &mut Checker) {
    let sc = &res.spec;
    if sc
        .workload_selector
        .as_ref()
        .is_some_and(|w| w.labels.is_empty())
    {
        cx.report(
            &SELECTOR_WITHOUT_LABELS,
            "/spec/workloadSelector",
            "the workloadSelector has no labels: the Sidecar applies to every workload of the namespace",
        )
        .label("no labels");
    }
    if sc.egress.is_empty()
        && sc.ingress.is_empty()
        && sc.outbound_traffic_policy.is_none()
        && sc.inbound_connection_pool.is_none()
    {
        cx.report(&EMPTY, "/spec", "the Sidecar configures nothing")
            .label("empty configuration");
        return;
    }
    let last = sc.egress.len().saturating_sub(1);
    let mut catch_all = false;
    for (i, egress) in sc.egress.iter().enumerate() {
        let at = format!("/spec/egress/{i}");
        if egress.port.is_none() {
            let message = if catch_all {
                Some("the Sidecar has another egress listener without a port: there can be one")
            } else if i != last {
                Some(
                    "the egress listener without a port catches all other traffic: it must be the last",
                )
            } else {
                None
            };
            catch_all = true;
            if let Some(message) = message {
                cx.report(&CATCH_ALL_LISTENER, &at, message)
                    .label("listener without a port");
            }
        }
        if egress.hosts.is_empty() {
            cx.report(
                &EGRESS_HOST,
                &format!("{at}/hosts"),
                "an egress listener must list at least one host",
            )
            .label("no hosts");
        }
        hosts(cx, &res.namespace, &egress.hosts, &at);
    }
    if let Some(p) = &sc.outbound_traffic_policy
        && p.egress_proxy.is_some()
        && p.mode.as_deref().is_some_and(|m| m != "ALLOW_ANY")
    {
        cx.report(
            &EGRESS_PROXY,
            "/spec/outboundTrafficPolicy/egressProxy",
            "an egressProxy goes with mode ALLOW_ANY only",
        )
        .label("needs ALLOW_ANY");
    }
}

/// The hosts of one egress listener (at `at`): their form, then duplicates.
fn hosts(cx: &mut Checker, namespace: &str, hosts: &[String], at: &str) {
    let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (j, entry) in hosts.iter().enumerate() {
        let here = format!("{at}/hosts/{j}");
        let Some((ns, host)) = entry.split_once('/') else {
            cx.report(
                &EGRESS_HOST,
                &here,
                format!("`{entry}` is not of the form namespace/dnsName"),
            )
            .label("missing namespace")
            .help(format!(
                "write `*/{entry}`, `./{entry}` or `NAMESPACE/{entry}`"
            ));
            continue;
        };
        let ns_ok = matches!(ns, "*" | "." | "~") || is_dns1123_label(ns);
        let host_ok = host == "*" || validate_wildcard_domain(host).is_ok();
        if !ns_ok || !host_ok {
            let what = if ns_ok {
                format!("`{host}` is not a valid domain")
            } else {
                format!("`{ns}` is not a namespace name, `*`, `.` or `~`")
            };
            cx.report(
                &EGRESS_HOST,
                &here,
                format!("egress host `{entry}`: {what}"),
            )
            .label("invalid egress host");
            continue;
        }
        let ns = if ns == "." { namespace } else { ns };
        let listed = seen.entry(ns).or_default();
        let duplicate = if host == "*" {
            !listed.is_empty()
        } else {
            listed.contains(host) || listed.contains("*")
        };
        if duplicate {
            cx.report(
                &DUPLICATE_HOST,
                &here,
                format!("duplicated egress host: {entry}"),
            )
            .label("already listed");
        }
        listed.insert(host);
    }
    if seen.get("*").is_some_and(|h| h.contains("*")) && seen.len() != 1 {
        cx.report(
            &DUPLICATE_HOST,
            &format!("{at}/hosts"),
            "`*/*` selects everything: no other host can be added",
        )
        .label("*/* with other hosts");
    }
}
