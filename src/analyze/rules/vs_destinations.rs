//! Istio validation V12 and V22: destinations and weights of http, tcp and tls routes.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::host::{is_dns1123_label, validate_wildcard_domain};
use crate::model::virtual_service::{DestinationAt, RouteAt};
use crate::model::{Resource, VirtualService};

pub static INVALID_WEIGHT: Rule = Rule {
    code: "MC1106",
    name: "invalid-weight",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A negative weight, or several destinations whose weights are all zero.",
    docs: "## What it does\nChecks route weights as Istio does: each weight is at least 0, and a route with more than one \
destination must have a positive total. Weights need not sum to 100 (Istio 1.15 and later split proportionally).\n\n\
## Why is this bad?\nIstio rejects the VirtualService (\"weight must be >= 0\", \"total destination weight = 0\").\n\n\
## Example\n```yaml\nroute:\n- destination: {host: reviews, subset: v1}\n- destination: {host: reviews, subset: v2}\n```\n\n\
## Use instead\n```yaml\nroute:\n- destination: {host: reviews, subset: v1}\n  weight: 90\n- destination: {host: reviews, subset: v2}\n  weight: 10\n```\n",
};

pub static INVALID_DESTINATION: Rule = Rule {
    code: "MC1107",
    name: "invalid-destination",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A destination host that is `*` or not a valid DNS name, or a subset name that is not a DNS label.",
    docs: "## What it does\nChecks `destination.host` (no `*`, a valid wildcard DNS name) and `destination.subset` \
(a DNS-1123 label) in routes and mirrors.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\ndestination:\n  host: \"*\"\n  subset: v1_beta\n```\n\n## Use instead\n```yaml\ndestination:\n  host: reviews\n  subset: v1-beta\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_WEIGHT, &INVALID_DESTINATION];

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (at, split) in res.spec.route_splits() {
        let weights: Vec<Option<i64>> = split.iter().map(|(w, _)| *w).collect();
        check_weights(cx, at, &weights);
    }
    for d in res.spec.destinations() {
        check_destination(cx, &d);
    }
}

fn check_weights(cx: &mut Checker, at: RouteAt, weights: &[Option<i64>]) {
    for (j, w) in weights.iter().enumerate() {
        if let Some(w) = w.filter(|w| *w < 0) {
            cx.report(
                &INVALID_WEIGHT,
                &format!("{at}/{j}/weight"),
                format!("weight {w} is negative"),
            )
            .label("must be >= 0")
            .help("weights are proportional shares: use 0 to send nothing to a destination");
        }
    }
    // Istio sums the raw weights, so a negative weight is reported once, not twice.
    let total: i64 = weights.iter().map(|w| w.unwrap_or(0)).sum();
    if weights.len() > 1 && total == 0 {
        cx.report_key(
            &INVALID_WEIGHT,
            &at.to_string(),
            "total destination weight is 0: no destination would receive traffic",
        )
        .label("all weights are 0 or unset")
        .help("give at least one destination a positive weight (an unset weight counts as 0)");
    }
}

/// The pointer is made only for a finding: most destinations have none.
fn check_destination(cx: &mut Checker, d: &DestinationAt) {
    let destination = d.destination;
    let host = &destination.host;
    if host == "*" {
        cx.report(
            &INVALID_DESTINATION,
            &format!("{}/host", d.pointer()),
            "a destination host cannot be `*`",
        )
        .label("wildcard destination")
        .help("name the service to send traffic to");
    } else if let Err(reason) = validate_wildcard_domain(host) {
        cx.report(
            &INVALID_DESTINATION,
            &format!("{}/host", d.pointer()),
            reason,
        )
        .label("invalid host");
    }
    if let Some(subset) = &destination.subset
        && !is_dns1123_label(subset)
    {
        cx.report(&INVALID_DESTINATION, &format!("{}/subset", d.pointer()), format!("subset name `{subset}` is not a DNS-1123 label"))
                .label("invalid subset name")
                .help("use letters, digits and '-', at most 63 characters, starting and ending with a letter or digit");
    }
}
