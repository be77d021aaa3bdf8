//! Istio validation V7 and V11: HTTP match conditions
//! (`validateHTTPRouteMatchRequest`, JWT-claim routing).

use crate::analyze::Checker;
use crate::analyze::rules::vs_hosts::applies_to_mesh;
use crate::diagnostic::{Rule, Severity};
use crate::model::common::StringMatch;
use crate::model::host::is_dns1123_label;
use crate::model::labels::first_label_error;
use crate::model::{Resource, SmallMap, VirtualService};
use crate::schema::check_regex;

pub static INVALID_MATCH: Rule = Rule {
    code: "MC1113",
    name: "invalid-match",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An HTTP match Istio rejects: a bad header name, an empty prefix or regex, a bad port, labels or sourceNamespace.",
    docs: "## What it does\nChecks each `match` entry: header and withoutHeaders names are HTTP tokens, pseudo-headers \
(`:method`, `:authority`, ...) or `@request.auth.claims.*`; `prefix: \"\"` is only valid for `uri`; a regex is not empty; \
`port` is 1..65535; `sourceLabels` are valid labels; `sourceNamespace` is a DNS label.\n\n\
## Why is this bad?\nIstio rejects the VirtualService.\n\n## Example\n```yaml\nmatch:\n- headers:\n    \"end user\": {exact: jason}\n  method: {prefix: \"\"}\n```\n\n\
## Use instead\n```yaml\nmatch:\n- headers:\n    end-user: {exact: jason}\n  method: {exact: GET}\n```\n",
};

pub static JWT_CLAIM_ON_MESH: Rule = Rule {
    code: "MC1114",
    name: "jwt-claim-route-on-mesh",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A match on `@request.auth.claims.*` in a VirtualService that applies to sidecars.",
    docs: "## What it does\nFlags JWT-claim header matches unless the VirtualService is bound only to gateways.\n\n\
## Why is this bad?\nClaim-based routing runs only at gateways; Istio rejects it for `mesh`.\n\n\
## Example\n```yaml\nhosts: [reviews]\nhttp:\n- match:\n  - headers:\n      \"@request.auth.claims.group\": {exact: beta}\n```\n\n\
## Use instead\n```yaml\nhosts: [bookinfo.example.com]\ngateways: [istio-system/ingress]\nhttp:\n- match:\n  - headers:\n      \"@request.auth.claims.group\": {exact: beta}\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_MATCH, &JWT_CLAIM_ON_MESH];

const PSEUDO_HEADERS: [&str; 5] = [":method", ":scheme", ":authority", ":path", ":status"];

/// Whether a header key is Istio's JWT-claim routing form.
pub fn is_jwt_claim(name: &str) -> bool {
    name.strip_prefix("@request.auth.claims")
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// An RFC 7230 token: the characters a header name may have.
pub fn is_header_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    let mesh = applies_to_mesh(&res.spec);
    for (i, rule) in res.spec.http.iter().enumerate() {
        for (j, m) in rule.matches.iter().enumerate() {
            // Pointers are spelled only where there is something to check.
            let at = || format!("/spec/http/{i}/match/{j}");
            if !m.headers.is_empty() {
                check_headers(cx, &format!("{}/headers", at()), &m.headers, mesh, false);
            }
            if !m.without_headers.is_empty() {
                check_headers(
                    cx,
                    &format!("{}/withoutHeaders", at()),
                    &m.without_headers,
                    mesh,
                    true,
                );
            }
            for (field, sm) in [
                ("scheme", &m.scheme),
                ("method", &m.method),
                ("authority", &m.authority),
            ] {
                if let Some(sm) = sm {
                    check_string_match(cx, &format!("{}/{field}", at()), sm);
                }
            }
            for (name, sm) in &m.query_params {
                let p = format!("{}/queryParams/{}", at(), crate::load::spans::escape(name));
                check_string_match(cx, &p, sm);
            }
            if let Some((key, reason)) = first_label_error(&m.source_labels) {
                let p = format!("{}/sourceLabels/{}", at(), crate::load::spans::escape(key));
                cx.report_key(&INVALID_MATCH, &p, reason)
                    .label("invalid label");
            }
            if let Some(ns) = m
                .source_namespace
                .as_deref()
                .filter(|ns| !ns.is_empty() && !is_dns1123_label(ns))
            {
                cx.report(
                    &INVALID_MATCH,
                    &format!("{}/sourceNamespace", at()),
                    format!("sourceNamespace `{ns}` is not a DNS-1123 label"),
                )
                .label("invalid namespace");
            }
        }
    }
}

fn check_headers(
    cx: &mut Checker,
    at: &str,
    headers: &SmallMap<StringMatch>,
    mesh: bool,
    without: bool,
) {
    for (name, sm) in headers {
        let p = format!("{at}/{}", crate::load::spans::escape(name));
        if is_jwt_claim(name) {
            if mesh {
                cx.report_key(
                    &JWT_CLAIM_ON_MESH,
                    &p,
                    format!("JWT claim based routing (`{name}`) is only supported for gateways"),
                )
                .label("applies to sidecars")
                .help("bind the VirtualService to gateways only (no `mesh`)");
            }
        } else if !PSEUDO_HEADERS.contains(&String::as_str(name)) && !is_header_token(name) {
            cx.report_key(
                &INVALID_MATCH,
                &p,
                format!("header name `{name}` is not a valid header name"),
            )
            .label("invalid header name")
            .help("header names are tokens: letters, digits and !#$%&'*+-.^_`|~");
        }
        check_string_match(cx, &p, sm);
        // The schema checks every other regex; in withoutHeaders `regex: "*"`
        // is Istio's "present" matcher, not a regex.
        if let Some(regex) = sm.regex.as_deref().filter(|r| without && *r != "*")
            && let Err(reason) = check_regex(regex)
        {
            cx.report(&INVALID_MATCH, &format!("{p}/regex"), reason)
                .label("invalid regex");
        }
    }
}

/// Istio's `validateStringMatch`: no empty prefix except for `uri` (regexes
/// are checked by the schema).
fn check_string_match(cx: &mut Checker, at: &str, sm: &StringMatch) {
    if sm.prefix.as_deref() == Some("") {
        cx.report(
            &INVALID_MATCH,
            &format!("{at}/prefix"),
            "prefix string match must not be empty",
        )
        .label("empty prefix")
        .help("remove the condition to match anything, or give a prefix");
    }
}
