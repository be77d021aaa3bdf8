//! Istio validation V13 (redirect) and V15 (rewrite).

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::virtual_service::{HttpRedirect, HttpRewrite, HttpRoute};
use crate::model::{Resource, VirtualService};

pub static INVALID_REDIRECT: Rule = Rule {
    code: "MC1117",
    name: "invalid-redirect",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A redirect Istio rejects: nothing to change, a non-3xx code, a bad scheme, or prefixRewrite misused.",
    docs: "## What it does\nA `redirect` must change at least one of uri, prefixRewrite, authority, port or scheme; \
`redirectCode` is 300..399; `scheme` is `http` or `https`; `uri` and `prefixRewrite` exclude each other, and \
`prefixRewrite` needs every uri match of the route to be a `prefix` match.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\nredirect:\n  redirectCode: 200\n```\n\n## Use instead\n```yaml\nredirect:\n  uri: /v2/status\n  redirectCode: 301\n```\n",
};

pub static INVALID_REWRITE: Rule = Rule {
    code: "MC1118",
    name: "invalid-rewrite",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A rewrite Istio rejects: empty, `uri` with `uriRegexRewrite`, or a regex rewrite missing a part.",
    docs: "## What it does\nA `rewrite` sets at least one of uri, uriRegexRewrite and authority; uri and \
uriRegexRewrite exclude each other; uriRegexRewrite needs both `match` and `rewrite`.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\nrewrite:\n  uri: /\n  uriRegexRewrite: {match: ^/v1/(.*)}\n```\n\n\
## Use instead\n```yaml\nrewrite:\n  uriRegexRewrite: {match: ^/v1/(.*), rewrite: /\\\\1}\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_REDIRECT, &INVALID_REWRITE];

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let at = format!("/spec/http/{i}");
        if let Some(redirect) = &rule.redirect {
            check_redirect(cx, &format!("{at}/redirect"), redirect, rule);
        }
        if let Some(rewrite) = &rule.rewrite {
            check_rewrite(cx, &format!("{at}/rewrite"), rewrite);
        }
    }
}

fn check_redirect(cx: &mut Checker, at: &str, r: &HttpRedirect, rule: &HttpRoute) {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if !set(&r.uri)
        && !set(&r.prefix_rewrite)
        && !set(&r.authority)
        && !set(&r.scheme)
        && r.port.is_none_or(|p| p == 0)
        && r.derive_port.is_none()
    {
        cx.report_key(
            &INVALID_REDIRECT,
            at,
            "a redirect must specify uri, prefixRewrite, authority, scheme or port",
        )
        .label("redirects to the same place")
        .help("add e.g. `uri: /new/path` or `scheme: https`");
    }
    if set(&r.uri) && set(&r.prefix_rewrite) {
        cx.report_key(
            &INVALID_REDIRECT,
            &format!("{at}/prefixRewrite"),
            "a redirect cannot have both `uri` and `prefixRewrite`",
        )
        .label("conflicts with `uri`");
    } else if set(&r.prefix_rewrite)
        && rule
            .matches
            .iter()
            .any(|m| m.uri.as_ref().is_none_or(|u| u.prefix.is_none()))
    {
        cx.report_key(
            &INVALID_REDIRECT,
            &format!("{at}/prefixRewrite"),
            "`prefixRewrite` needs every match of the route to be a uri `prefix` match",
        )
        .label("no prefix to replace")
        .help("match on `uri: {prefix: ...}`, or use `uri` to redirect to a fixed path");
    }
    if let Some(code) = r
        .redirect_code
        .filter(|c| *c != 0 && !(300..=399).contains(c))
    {
        cx.report(
            &INVALID_REDIRECT,
            &format!("{at}/redirectCode"),
            format!("{code} is not a redirect code (300..399)"),
        )
        .label("not 3xx")
        .help("use 301, 302, 303, 307 or 308");
    }
    if let Some(scheme) = r
        .scheme
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "http" && *s != "https")
    {
        cx.report(
            &INVALID_REDIRECT,
            &format!("{at}/scheme"),
            format!("redirect scheme `{scheme}` is not `http` or `https`"),
        )
        .label("invalid scheme");
    }
}

fn check_rewrite(cx: &mut Checker, at: &str, r: &HttpRewrite) {
    let uri = r.uri.as_deref().is_some_and(|s| !s.is_empty());
    let authority = r.authority.as_deref().is_some_and(|s| !s.is_empty());
    if uri && r.uri_regex_rewrite.is_some() {
        cx.report_key(
            &INVALID_REWRITE,
            &format!("{at}/uriRegexRewrite"),
            "a rewrite may contain only one of `uri` and `uriRegexRewrite`",
        )
        .label("conflicts with `uri`");
    }
    if !uri && !authority && r.uri_regex_rewrite.is_none() {
        cx.report_key(
            &INVALID_REWRITE,
            at,
            "a rewrite must specify uri, uriRegexRewrite or authority",
        )
        .label("rewrites nothing");
    }
    if let Some(rr) = &r.uri_regex_rewrite {
        let empty = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        if empty(&rr.pattern) || empty(&rr.rewrite) {
            cx.report_key(
                &INVALID_REWRITE,
                &format!("{at}/uriRegexRewrite"),
                "uriRegexRewrite needs both `match` and `rewrite`",
            )
            .label("incomplete regex rewrite");
        }
    }
}
