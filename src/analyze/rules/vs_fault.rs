//! Istio validation V17: fault injection.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::common::Percent;
use crate::model::{Resource, VirtualService};

pub static INVALID_FAULT: Rule = Rule {
    code: "MC1109",
    name: "invalid-fault",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A fault injection Istio rejects: no delay or abort, exponentialDelay, http2Error, an out-of-range status or percentage.",
    docs: "## What it does\nChecks `fault`: it needs `delay` or `abort`; a delay needs `fixedDelay` (`exponentialDelay` \
is not supported); an abort's `httpStatus` is 200..600 and `http2Error` is not supported; percentages are 0 or within \
[0.0001, 100], and the deprecated integer `percent` is 0..100.\n\n\
## Why is this bad?\nIstio rejects the VirtualService.\n\n## Example\n```yaml\nfault:\n  abort:\n    httpStatus: 700\n    percentage: {value: 150}\n```\n\n\
## Use instead\n```yaml\nfault:\n  abort:\n    httpStatus: 503\n    percentage: {value: 10}\n```\n",
};

pub static DEPRECATED_DELAY_PERCENT: Rule = Rule {
    code: "MC1128",
    name: "deprecated-fault-delay-percent",
    severity: Severity::Warning,
    istio_code: Some("IST0002"),
    summary: "The deprecated integer `fault.delay.percent` is used.",
    docs: "## What it does\nFlags `fault.delay.percent`, deprecated in favour of `percentage`.\n\n\
## Why is this bad?\nIt only takes whole percentages and may be removed; istioctl analyze reports it as IST0002.\n\n\
## Example\n```yaml\nfault:\n  delay: {fixedDelay: 5s, percent: 10}\n```\n\n\
## Use instead\n```yaml\nfault:\n  delay: {fixedDelay: 5s, percentage: {value: 10}}\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_FAULT, &DEPRECATED_DELAY_PERCENT];

/// Istio's `validatePercentage`: 0, or within [0.0001, 100].
/// The gRPC status names Istio's `validateGRPCStatus` accepts
/// (pkg/util/grpc: the codes of grpc's statuscodes.md).
const GRPC_STATUS_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

fn check_percentage(cx: &mut Checker, at: &str, percentage: Option<Percent>) {
    if let Some(p) = percentage.filter(|p| p.value != 0.0 && !(0.0001..=100.0).contains(&p.value)) {
        cx.report(
            &INVALID_FAULT,
            &format!("{at}/percentage/value"),
            format!(
                "percentage {} is neither 0 nor within [0.0001, 100]",
                p.value
            ),
        )
        .label("out of range");
    }
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let Some(fault) = &rule.fault else { continue };
        let at = format!("/spec/http/{i}/fault");
        if fault.delay.is_none() && fault.abort.is_none() {
            cx.report_key(&INVALID_FAULT, &at, "fault injection needs a `delay` or an `abort`")
                .label("empty fault")
                .help("add `delay: {fixedDelay: 5s, percentage: {value: 10}}` or `abort: {httpStatus: 503, percentage: {value: 10}}`");
        }
        if let Some(delay) = &fault.delay {
            if delay.exponential_delay.is_some() {
                cx.report_key(
                    &INVALID_FAULT,
                    &format!("{at}/delay/exponentialDelay"),
                    "exponentialDelay is not supported",
                )
                .label("unsupported")
                .help("use `fixedDelay`");
            } else if delay.fixed_delay.is_none() {
                cx.report_key(
                    &INVALID_FAULT,
                    &format!("{at}/delay"),
                    "a delay needs `fixedDelay`",
                )
                .label("no delay length");
            }
            check_percentage(cx, &format!("{at}/delay"), delay.percentage);
            if delay.percent.is_some() {
                cx.report_key(
                    &DEPRECATED_DELAY_PERCENT,
                    &format!("{at}/delay/percent"),
                    "`fault.delay.percent` is deprecated",
                )
                .label("deprecated")
                .help("use `percentage: {value: N}`");
            }
            if let Some(p) = delay.percent.filter(|p| !(0..=100).contains(p)) {
                cx.report(
                    &INVALID_FAULT,
                    &format!("{at}/delay/percent"),
                    format!("percent {p} is not within 0..100"),
                )
                .label("out of range")
                .help("`percent` is deprecated: use `percentage: {value: N}`");
            }
        }
        if let Some(abort) = &fault.abort {
            if abort.http2_error.is_some() {
                cx.report_key(
                    &INVALID_FAULT,
                    &format!("{at}/abort/http2Error"),
                    "http2Error is not supported",
                )
                .label("unsupported")
                .help("use `httpStatus` or `grpcStatus`");
            }
            if let Some(status) = abort.http_status.filter(|s| !(200..=600).contains(s)) {
                cx.report(
                    &INVALID_FAULT,
                    &format!("{at}/abort/httpStatus"),
                    format!("HTTP status {status} is not within 200..600"),
                )
                .label("invalid status");
            }
            if let Some(status) = abort
                .grpc_status
                .as_deref()
                .filter(|s| !GRPC_STATUS_NAMES.contains(s))
            {
                let diag = cx
                    .report(
                        &INVALID_FAULT,
                        &format!("{at}/abort/grpcStatus"),
                        format!("gRPC status `{status}` is not a status name Istio knows"),
                    )
                    .label("unknown gRPC status");
                match crate::schema::did_you_mean(status, GRPC_STATUS_NAMES.iter().copied()) {
                    Some(best) => diag.help(format!("did you mean `{best}`?")),
                    None => diag.help(format!("use one of {}", GRPC_STATUS_NAMES.join(", "))),
                };
            }
            check_percentage(cx, &format!("{at}/abort"), abort.percentage);
        }
    }
}
