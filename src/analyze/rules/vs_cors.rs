//! Istio validation V19: CORS policy.

use crate::analyze::Checker;
use crate::analyze::rules::vs_match::is_header_token;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Duration, Resource, VirtualService};

pub static INVALID_CORS: Rule = Rule {
    code: "MC1120",
    name: "invalid-cors-policy",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A CORS policy Istio rejects: an empty origin, an unknown method, a bad header name, or maxAge with a fraction of a second.",
    docs: "## What it does\nChecks `corsPolicy`: every `allowOrigins` matcher is non-empty; `allowMethods` are among \
GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE and `*`; allow/expose header names are tokens or `*`; \
`maxAge` is whole seconds.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\ncorsPolicy:\n  allowOrigins: [{exact: \"\"}]\n  allowMethods: [get]\n  maxAge: 1500ms\n```\n\n\
## Use instead\n```yaml\ncorsPolicy:\n  allowOrigins: [{exact: https://example.com}]\n  allowMethods: [GET]\n  maxAge: 24h\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_CORS];

const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*",
];

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let Some(cors) = &rule.cors_policy else {
            continue;
        };
        let at = format!("/spec/http/{i}/corsPolicy");
        for (j, origin) in cors.allow_origins.iter().enumerate() {
            let value = origin
                .exact
                .as_ref()
                .or(origin.prefix.as_ref())
                .or(origin.regex.as_ref());
            if value.is_none_or(|v| v.is_empty()) {
                cx.report(
                    &INVALID_CORS,
                    &format!("{at}/allowOrigins/{j}"),
                    "an allowOrigins matcher must not be empty",
                )
                .label("matches no origin")
                .help(
                    "use e.g. `exact: https://example.com` or `regex: https://.*\\.example\\.com`",
                );
            }
        }
        for (j, method) in cors.allow_methods.iter().enumerate() {
            if !METHODS.contains(&method.as_str()) {
                cx.report(
                    &INVALID_CORS,
                    &format!("{at}/allowMethods/{j}"),
                    format!("`{method}` is not a supported HTTP method"),
                )
                .label("unknown method")
                .help(format!("methods are upper case: {}", METHODS.join(", ")));
            }
        }
        for (field, names) in [
            ("allowHeaders", &cors.allow_headers),
            ("exposeHeaders", &cors.expose_headers),
        ] {
            for (j, name) in names.iter().enumerate() {
                if name != "*" && !is_header_token(name) {
                    cx.report(
                        &INVALID_CORS,
                        &format!("{at}/{field}/{j}"),
                        format!("`{name}` is not a valid header name"),
                    )
                    .label("invalid header name");
                }
            }
        }
        if let Some(age) = cors
            .max_age
            .as_deref()
            .and_then(|t| Duration::parse(t).ok())
            && age.as_nanos() % 1_000_000_000 != 0
        {
            cx.report(
                &INVALID_CORS,
                &format!("{at}/maxAge"),
                format!("maxAge `{age}` is not a whole number of seconds"),
            )
            .label("fraction of a second")
            .help("CORS max age is accurate only to seconds");
        }
    }
}
