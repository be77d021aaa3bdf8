//! Istio validation V14: header manipulation on routes and destinations.

use std::collections::BTreeMap;

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::load::spans::escape;
use crate::model::virtual_service::{Headers, HttpRoute};
use crate::model::{Resource, VirtualService};

pub static INVALID_HEADER_OPERATION: Rule = Rule {
    code: "MC1119",
    name: "invalid-header-operation",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A header operation Istio rejects: an empty or pseudo-header name, Host where not allowed, a bad value, or the authority set twice.",
    docs: "## What it does\nChecks `headers.request` and `headers.response` (on the route and on each destination): \
names are non-empty; request `set`/`add` may target `:authority`/`host` but no other `:`-header; `remove` and all \
response operations may target neither; values have no control characters and every `%` is paired (`%%` or an Envoy \
variable such as `%HOSTNAME%`); the authority is rewritten in one place only.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\nheaders:\n  response:\n    set:\n      host: example.com\n      x-discount: 50%\n```\n\n\
## Use instead\n```yaml\nheaders:\n  response:\n    set:\n      x-discount: 50%%\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_HEADER_OPERATION];

fn is_internal(name: &str) -> bool {
    name.starts_with(':') || name.eq_ignore_ascii_case("host")
}

fn is_authority(name: &str) -> bool {
    name.eq_ignore_ascii_case(":authority") || name.eq_ignore_ascii_case("host")
}

/// Envoy's header value rules as Istio checks them: no control characters
/// (tab allowed) and `%` only in pairs.
fn value_error(value: &str) -> Option<String> {
    if value
        .chars()
        .any(|c| (c as u32) < 0x20 && c != '\t' || c == '\u{7f}')
    {
        return Some("header value contains a control character".into());
    }
    if !value.matches('%').count().is_multiple_of(2) {
        return Some("single `%` in a header value: escape it as `%%`, or enclose an Envoy variable in a pair of `%`".into());
    }
    None
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let at = format!("/spec/http/{i}");
        if let Some(h) = &rule.headers {
            check_headers(cx, &format!("{at}/headers"), h);
        }
        check_single_authority(cx, &at, rule);
        for (j, dest) in rule.route.iter().enumerate() {
            if let Some(h) = &dest.headers {
                check_headers(cx, &format!("{at}/route/{j}/headers"), h);
            }
        }
    }
}

fn check_headers(cx: &mut Checker, at: &str, headers: &Headers) {
    for (side, ops, authority_ok) in [
        ("request", &headers.request, true),
        ("response", &headers.response, false),
    ] {
        let Some(ops) = ops else { continue };
        for (op, map) in [("set", &ops.set), ("add", &ops.add)] {
            if !map.is_empty() {
                check_map(cx, &format!("{at}/{side}/{op}"), map, authority_ok);
            }
        }
        if !ops.remove.is_empty() {
            check_removes(cx, &format!("{at}/{side}/remove"), &ops.remove);
        }
    }
}

fn check_map(cx: &mut Checker, at: &str, map: &BTreeMap<String, String>, authority_ok: bool) {
    for (name, value) in map {
        let p = || format!("{at}/{}", escape(name));
        if let Some(reason) = name_error(name, authority_ok) {
            cx.report_key(&INVALID_HEADER_OPERATION, &p(), reason)
                .label("invalid header name");
        }
        if let Some(reason) = value_error(value) {
            cx.report(&INVALID_HEADER_OPERATION, &p(), reason)
                .label("invalid header value");
        }
    }
}

fn check_removes(cx: &mut Checker, at: &str, names: &[String]) {
    for (k, name) in names.iter().enumerate() {
        if let Some(reason) = name_error(name, false) {
            cx.report(&INVALID_HEADER_OPERATION, &format!("{at}/{k}"), reason)
                .label("invalid header name");
        }
    }
}

fn name_error(name: &str, authority_ok: bool) -> Option<String> {
    if name.is_empty() {
        Some("header name cannot be empty".into())
    } else if authority_ok && is_authority(name) || !is_internal(name) {
        None
    } else if name.eq_ignore_ascii_case("host") {
        Some(format!("header `{name}` cannot be changed here"))
    } else {
        Some(format!("header `{name}` cannot have a `:` prefix"))
    }
}

/// Istio's `validateAuthorityRewrite`: one of rewrite.authority and request
/// set/add of `host`/`:authority`.
fn check_single_authority(cx: &mut Checker, at: &str, rule: &HttpRoute) {
    let mut first = rule
        .rewrite
        .as_ref()
        .and_then(|r| r.authority.as_deref())
        .filter(|a| !a.is_empty())
        .map(|_| format!("{at}/rewrite/authority"));
    let Some(req) = rule.headers.as_ref().and_then(|h| h.request.as_ref()) else {
        return;
    };
    for (op, map) in [("set", &req.set), ("add", &req.add)] {
        for name in map.keys().filter(|n| is_authority(n)) {
            let p = format!("{at}/headers/request/{op}/{}", escape(name));
            if first.is_some() {
                cx.report_key(
                    &INVALID_HEADER_OPERATION,
                    &p,
                    "the authority header cannot be set more than once",
                )
                .label("authority already rewritten")
                .help(
                    "keep one of `rewrite.authority` and the `host`/`:authority` header operation",
                );
                return;
            }
            first = Some(p);
        }
    }
}
