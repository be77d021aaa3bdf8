//! Istio validation V16: the retry policy of an HTTP rule.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Resource, VirtualService};

pub static INVALID_RETRIES: Rule = Rule {
    code: "MC1108",
    name: "invalid-retries",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A retry policy Istio rejects: negative attempts, settings with `attempts: 0`, or an unknown retryOn condition.",
    docs: "## What it does\nChecks `retries`: `attempts` is at least 0; with `attempts: 0` (no retries) `perTryTimeout`, \
`retryOn` and `retryRemoteLocalities` must be unset; each `retryOn` entry is an Envoy retry condition \
(5xx, gateway-error, reset, reset-before-request, connect-failure, retriable-4xx, refused-stream, \
retriable-status-codes, retriable-headers, envoy-ratelimited, http3-post-connect-failure, cancelled, \
deadline-exceeded, internal, resource-exhausted, unavailable) or a known HTTP status code.\n\n\
## Why is this bad?\nIstio rejects the VirtualService; a misspelt condition would otherwise silently never retry.\n\n\
## Example\n```yaml\nretries:\n  attempts: 3\n  retryOn: 5xx,connection-failure\n```\n\n\
## Use instead\n```yaml\nretries:\n  attempts: 3\n  retryOn: 5xx,connect-failure\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_RETRIES];

/// Envoy `x-envoy-retry-on` and `x-envoy-retry-grpc-on` conditions Istio accepts.
pub const RETRY_ON_POLICIES: &[&str] = &[
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "envoy-ratelimited",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

/// Status codes Go's `http.StatusText` knows (Istio accepts only these in retryOn).
pub fn is_known_http_status(code: u16) -> bool {
    matches!(code, 100..=103 | 200..=208 | 226 | 300..=308 | 400..=418 | 421..=426 | 428 | 429 | 431 | 451 | 500..=508 | 510 | 511)
        && code != 306
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let Some(retries) = &rule.retries else {
            continue;
        };
        let at = format!("/spec/http/{i}/retries");
        let attempts = retries.attempts.unwrap_or(0);
        if attempts < 0 {
            cx.report(
                &INVALID_RETRIES,
                &format!("{at}/attempts"),
                format!("attempts {attempts} is negative"),
            )
            .label("must be >= 0");
        }
        if attempts == 0 {
            for (field, set) in [
                ("perTryTimeout", retries.per_try_timeout.is_some()),
                ("retryOn", retries.retry_on.is_some()),
                (
                    "retryRemoteLocalities",
                    retries.retry_remote_localities.is_some(),
                ),
            ] {
                if set {
                    cx.report_key(&INVALID_RETRIES, &format!("{at}/{field}"), format!("`{field}` cannot be set when retries are disabled (attempts is 0 or unset)"))
                        .label("retries are disabled")
                        .help("set `attempts` to the number of retries, or remove this field");
                }
            }
        }
        let Some(retry_on) = &retries.retry_on else {
            continue;
        };
        // Istio's validateHTTPRetry splits on commas and does not trim.
        for token in retry_on.split(',') {
            let known = RETRY_ON_POLICIES.contains(&token)
                || token.parse::<u16>().is_ok_and(is_known_http_status);
            if !known && token.trim() != token && !token.trim().is_empty() {
                cx.report(
                    &INVALID_RETRIES,
                    &format!("{at}/retryOn"),
                    format!(
                        "`{token}` is not a retry condition: Istio does not trim spaces in retryOn"
                    ),
                )
                .label("space around a condition")
                .help(format!(
                    "write the conditions without spaces: `{}`",
                    retry_on
                        .split(',')
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join(",")
                ));
            } else if !known {
                let suggestion =
                    crate::schema::did_you_mean(token, RETRY_ON_POLICIES.iter().copied());
                let diag = cx
                    .report(
                        &INVALID_RETRIES,
                        &format!("{at}/retryOn"),
                        format!("`{token}` is not a retry condition Envoy knows"),
                    )
                    .label("unknown retry condition");
                match suggestion {
                    Some(s) => diag.help(format!("did you mean `{s}`?")),
                    None => diag.help(format!(
                        "use Envoy conditions ({}) or HTTP status codes",
                        RETRY_ON_POLICIES.join(", ")
                    )),
                };
            }
        }
    }
}
