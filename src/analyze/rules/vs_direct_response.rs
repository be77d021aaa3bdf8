//! Istio validation V20: direct responses.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Resource, VirtualService};

pub static INVALID_DIRECT_RESPONSE: Rule = Rule {
    code: "MC1121",
    name: "invalid-direct-response",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A direct response with a status outside 200..600 or a body over 1 MB.",
    docs: "## What it does\nChecks `directResponse`: `status` is 200..600 and the body is at most 1 MB.\n\n\
## Why is this bad?\nIstio rejects the VirtualService; large bodies also weigh on the control plane.\n\n\
## Example\n```yaml\ndirectResponse:\n  status: 100\n```\n\n## Use instead\n```yaml\ndirectResponse:\n  status: 503\n  body: {string: unavailable}\n```\n",
};

pub static LARGE_DIRECT_RESPONSE: Rule = Rule {
    code: "MC1122",
    name: "large-direct-response",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "A direct response body over 100 KB.",
    docs: "## What it does\nWarns when a `directResponse` body is larger than 100 KB.\n\n\
## Why is this bad?\nEvery proxy receives the body with its configuration; Istio warns that it may impact control plane performance.\n\n\
## Example\n```yaml\ndirectResponse:\n  status: 200\n  body: {string: \"<200 KB of HTML>\"}\n```\n\n\
## Use instead\nServe large bodies from a service and route to it.\n",
};

pub static RULES: &[&Rule] = &[&INVALID_DIRECT_RESPONSE, &LARGE_DIRECT_RESPONSE];

const KB: usize = 1024;
const MB: usize = 1024 * KB;

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let Some(dr) = &rule.direct_response else {
            continue;
        };
        let at = format!("/spec/http/{i}/directResponse");
        if !(200..=600).contains(&dr.status) {
            cx.report(
                &INVALID_DIRECT_RESPONSE,
                &format!("{at}/status"),
                format!("HTTP status {} is not within 200..600", dr.status),
            )
            .label("invalid status");
        }
        let Some(body) = &dr.body else { continue };
        let (field, size) = match (&body.string, &body.bytes) {
            (Some(s), _) => ("string", s.len()),
            // `bytes` is base64 in YAML: the decoded size is about 3/4 of the text.
            (None, Some(b)) => ("bytes", b.trim_end_matches('=').len() * 3 / 4),
            (None, None) => continue,
        };
        let p = format!("{at}/body/{field}");
        if size > MB {
            cx.report(
                &INVALID_DIRECT_RESPONSE,
                &p,
                format!("direct response body is {size} bytes (at most 1 MB)"),
            )
            .label("too large");
        } else if size > 100 * KB {
            cx.report(
                &LARGE_DIRECT_RESPONSE,
                &p,
                format!("direct response body is {size} bytes (over 100 KB)"),
            )
            .label("large body");
        }
    }
}
