//! Istio validation V8–V9: each HTTP rule has exactly one kind of action.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Resource, VirtualService};

pub static ROUTE_ACTION: Rule = Rule {
    code: "MC1105",
    name: "conflicting-route-action",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An HTTP rule has no action, or combines route, redirect, directResponse and delegate in ways Istio forbids.",
    docs: "## What it does\nRequires one of `route`, `redirect`, `directResponse` or `delegate` per HTTP rule; \
`redirect` excludes `route`, `fault`, `rewrite` and `directResponse`; `directResponse` excludes `route`, `fault` and \
`rewrite`; `delegate` excludes `route` and `redirect`.\n\n\
## Why is this bad?\nIstio rejects the VirtualService (\"HTTP route, redirect or direct_response is required\", \
\"HTTP route cannot contain both route and redirect\", ...).\n\n\
## Example\n```yaml\nhttp:\n- redirect: {uri: /v2}\n  route:\n  - destination: {host: reviews}\n```\n\n\
## Use instead\nSplit it into two rules with different matches.\n",
};

pub static RULES: &[&Rule] = &[&ROUTE_ACTION];

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let at = format!("/spec/http/{i}");
        let route = !rule.route.is_empty();
        let (redirect, direct, delegate) = (
            rule.redirect.is_some(),
            rule.direct_response.is_some(),
            rule.delegate.is_some(),
        );
        let conflicts: &[(bool, &str, &str)] = &[
            (
                redirect && route,
                "redirect",
                "a rule cannot both route and redirect",
            ),
            (
                redirect && rule.fault.is_some(),
                "redirect",
                "a redirecting rule cannot inject faults",
            ),
            (
                redirect && rule.rewrite.is_some(),
                "redirect",
                "a redirecting rule cannot rewrite",
            ),
            (
                redirect && direct,
                "redirect",
                "a rule cannot both redirect and answer directly",
            ),
            (
                direct && route,
                "directResponse",
                "a rule cannot both route and answer directly",
            ),
            (
                direct && rule.fault.is_some(),
                "directResponse",
                "a directly answering rule cannot inject faults",
            ),
            (
                direct && rule.rewrite.is_some(),
                "directResponse",
                "a directly answering rule cannot rewrite",
            ),
            (
                delegate && route,
                "delegate",
                "a delegating rule cannot also route",
            ),
        ];
        for (hit, field, message) in conflicts {
            if *hit {
                cx.report_key(&ROUTE_ACTION, &format!("{at}/{field}"), *message)
                    .label("conflicting action")
                    .help("keep one action per rule; use separate rules with different matches");
            }
        }
        if !(route || redirect || direct || delegate) {
            cx.report_key(
                &ROUTE_ACTION,
                &at,
                "HTTP rule needs a route, redirect, directResponse or delegate",
            )
            .label("no action")
            .help("add `route:` with at least one destination");
        }
    }
}
