//! The HTTPRoute rules the upstream CRD states as CEL validations
//! (`gateway.networking.k8s.io_httproutes.yaml`), which the API server
//! enforces on apply: path values, filter combinations, Service ports,
//! parentRefs to one parent, the total number of matches, and timeouts;
//! and the filters Istio refuses where they stand.

use serde_json::Value;

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::Duration;
use crate::model::Resource;
use crate::model::gateway_api::{BackendRef, FILTER_FIELDS, HttpRouteRule, HttpRouteSpec};

pub static PATH_VALUE: Rule = Rule {
    code: "MC1601",
    name: "httproute-path-value",
    severity: Severity::Error,
    istio_code: None,
    summary: "An Exact or PathPrefix path that is not an absolute, normalised path of valid characters.",
    docs: "## What it does\nApplies the CRD's rules to `Exact` and `PathPrefix` values: they start with `/`, contain no `//`, \
`/./`, `/../`, `%2f`, `%2F` or `#`, do not end with `/.` or `/..`, and use only unreserved, sub-delim, `:`, `@`, `/` \
characters or percent escapes.\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute.\n\n\
## Example\n```yaml\nmatches: [{path: {type: PathPrefix, value: api/v1}}]\n```\n\n## Use instead\n```yaml\nmatches: [{path: {type: PathPrefix, value: /api/v1}}]\n```\n",
};

pub static FILTERS: Rule = Rule {
    code: "MC1602",
    name: "httproute-filters",
    severity: Severity::Error,
    istio_code: None,
    summary: "HTTPRoute filters the CRD refuses: RequestRedirect with URLRewrite or with backendRefs, a repeated filter, settings that do not match the type, ReplacePrefixMatch without exactly one PathPrefix match.",
    docs: "## What it does\nChecks each `filters` list (of a rule and of each backendRef) as the CRD does: RequestRedirect and \
URLRewrite not together; CORS, RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect and URLRewrite at most once; \
the settings field named after the `type` and no other; a path modifier's `type` agreeing with its field; \
`replacePrefixMatch` only with exactly one PathPrefix match; RequestRedirect only in a rule without backendRefs; a \
mirror's `percent` or `fraction` (not both; numerator ≤ denominator); CORS `*` alone in its list.\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute.\n\n\
## Example\n```yaml\nfilters:\n- {type: RequestRedirect, requestRedirect: {scheme: https}}\n- {type: URLRewrite, urlRewrite: {hostname: internal}}\n```\n\n\
## Use instead\nUse one of the two.\n",
};

pub static BACKEND_PORT: Rule = Rule {
    code: "MC1603",
    name: "httproute-backend-port",
    severity: Severity::Error,
    istio_code: None,
    summary: "A Service backendRef (or mirror backendRef) without a port.",
    docs: "## What it does\nA backendRef to a Service (no kind, or kind Service in the core group) must set `port`.\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute.\n\n\
## Example\n```yaml\nbackendRefs: [{name: api}]\n```\n\n## Use instead\n```yaml\nbackendRefs: [{name: api, port: 8080}]\n```\n",
};

pub static PARENT_REFS: Rule = Rule {
    code: "MC1604",
    name: "httproute-parent-refs",
    severity: Severity::Error,
    istio_code: None,
    summary: "parentRefs naming one parent twice without a sectionName on each, or with the same sectionName.",
    docs: "## What it does\nWhen parentRefs name the same parent (group, kind, namespace, name) more than once, each must set a \
`sectionName` and the sectionNames must differ.\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute.\n\n\
## Example\n```yaml\nparentRefs: [{name: gw}, {name: gw, sectionName: https}]\n```\n\n\
## Use instead\n```yaml\nparentRefs: [{name: gw, sectionName: http}, {name: gw, sectionName: https}]\n```\n",
};

pub static MATCH_COUNT: Rule = Rule {
    code: "MC1605",
    name: "httproute-too-many-matches",
    severity: Severity::Error,
    istio_code: None,
    summary: "More than 128 matches across the rules of one HTTPRoute.",
    docs: "## What it does\nCounts the matches of every rule (16 rules of 64 matches are allowed, but not more than 128 in all).\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute.\n\n## Example\n16 rules of 10 matches each.\n\n## Use instead\nSplit the route in two.\n",
};

pub static TIMEOUTS: Rule = Rule {
    code: "MC1606",
    name: "httproute-timeouts",
    severity: Severity::Error,
    istio_code: None,
    summary: "A backendRequest timeout longer than the request timeout.",
    docs: "## What it does\nCompares `timeouts.backendRequest` with `timeouts.request` (0s disables a timeout).\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute.\n\n\
## Example\n```yaml\ntimeouts: {request: 5s, backendRequest: 10s}\n```\n\n## Use instead\n```yaml\ntimeouts: {request: 10s, backendRequest: 5s}\n```\n",
};

pub static DUPLICATE_NAMES: Rule = Rule {
    code: "MC1609",
    name: "httproute-duplicate-names",
    severity: Severity::Error,
    istio_code: None,
    summary: "A header or query parameter named twice in one match, or a header named twice in a header modifier.",
    docs: "## What it does\nIn a match, header names (case-insensitive) and query parameter names must be unique; in a \
RequestHeaderModifier or ResponseHeaderModifier, the names in `set`, in `add` and in `remove` must be unique.\n\n\
## Why is this bad?\nThe API server rejects the HTTPRoute (these lists are maps keyed by name).\n\n\
## Example\n```yaml\nheaders: [{name: env, value: prod}, {name: Env, value: dev}]\n```\n\n## Use instead\nName each header once.\n",
};

pub static UNSUPPORTED_FILTER: Rule = Rule {
    code: "MC1610",
    name: "httproute-filter-unsupported",
    severity: Severity::Error,
    istio_code: None,
    summary: "A filter Istio does not support where it stands: on a rule, anything but the header modifiers, RequestRedirect, RequestMirror, URLRewrite and CORS; on a backendRef, anything but the header modifiers.",
    docs: "## What it does\nChecks each filter's `type` against what Istio's Gateway API conversion (`convertHTTPRoute`, \
`buildHTTPDestination`) turns into Envoy configuration.\n\n\
## Why is this bad?\nIstio refuses the whole HTTPRoute (InvalidFilter): none of its rules is served, and its requests get 404.\n\n\
## Example\n```yaml\nbackendRefs:\n- name: api\n  port: 8080\n  filters:\n  - {type: RequestRedirect, requestRedirect: {scheme: https}}\n```\n\n\
## Use instead\nPut the redirect on the rule (without backendRefs); a backendRef takes header modifiers only.\n",
};

pub static RULES: &[&Rule] = &[
    &DUPLICATE_NAMES,
    &UNSUPPORTED_FILTER,
    &PATH_VALUE,
    &FILTERS,
    &BACKEND_PORT,
    &PARENT_REFS,
    &MATCH_COUNT,
    &TIMEOUTS,
];

pub fn check(res: &Resource<HttpRouteSpec>, cx: &mut Checker) {
    let spec = &res.spec;
    parent_refs(spec, cx);
    for (at, kind) in spec.unsupported_filters() {
        cx.report(
            &UNSUPPORTED_FILTER,
            &at,
            format!("Istio does not support a {kind} filter here: it refuses the whole HTTPRoute"),
        )
        .label("unsupported here");
    }
    let total: usize = spec.rules.iter().map(|r| r.matches.len()).sum();
    if total > 128 {
        cx.report_key(
            &MATCH_COUNT,
            "/spec/rules",
            format!("{total} matches across the rules; at most 128 are allowed"),
        )
        .label("too many matches");
    }
    for (i, rule) in spec.rules.iter().enumerate() {
        let at = format!("/spec/rules/{i}");
        for (j, m) in rule.matches.iter().enumerate() {
            let mat = format!("{at}/matches/{j}");
            let headers: Vec<String> = m
                .headers
                .iter()
                .map(|h| h.name.to_ascii_lowercase())
                .collect();
            duplicate(cx, &headers, &format!("{mat}/headers"), "header");
            let params: Vec<String> = m.query_params.iter().map(|q| q.name.clone()).collect();
            duplicate(
                cx,
                &params,
                &format!("{mat}/queryParams"),
                "query parameter",
            );
            if let Some(path) = &m.path {
                let kind = path.match_type.as_deref().unwrap_or("PathPrefix");
                let value = path.value.as_deref().unwrap_or("/");
                if matches!(kind, "Exact" | "PathPrefix")
                    && let Some(problem) = path_problem(value)
                {
                    cx.report(
                        &PATH_VALUE,
                        &format!("{at}/matches/{j}/path/value"),
                        format!("path `{value}` {problem}"),
                    )
                    .label("not a valid path");
                }
            }
        }
        filters(cx, rule, &at, &rule.filters, &format!("{at}/filters"), true);
        for (j, b) in rule.backend_refs.iter().enumerate() {
            let bat = format!("{at}/backendRefs/{j}");
            backend_port(cx, b, &bat);
            filters(cx, rule, &at, &b.filters, &format!("{bat}/filters"), false);
        }
        timeouts(cx, rule, &at);
    }
}

/// Reports the second occurrence of a name in `names` (the list at `at`).
fn duplicate(cx: &mut Checker, names: &[String], at: &str, what: &str) {
    if let Some(k) = (1..names.len()).find(|&k| names[..k].contains(&names[k])) {
        cx.report(
            &DUPLICATE_NAMES,
            &format!("{at}/{k}"),
            format!("{what} `{}` is named twice", names[k]),
        )
        .label("repeated");
    }
}

/// The header modifier lists of a filter: `set` and `add` by name
/// (case-insensitive), `remove` as written.
fn header_modifier(cx: &mut Checker, modifier: &Value, at: &str) {
    for list in ["set", "add"] {
        if let Some(items) = modifier.get(list).and_then(Value::as_array) {
            let names: Vec<String> = items
                .iter()
                .map(|h| {
                    h.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                })
                .collect();
            duplicate(cx, &names, &format!("{at}/{list}"), "header");
        }
    }
    if let Some(items) = modifier.get("remove").and_then(Value::as_array) {
        let names: Vec<String> = items
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect();
        duplicate(cx, &names, &format!("{at}/remove"), "header");
    }
}

/// What is wrong with an Exact or PathPrefix value, if anything.
fn path_problem(value: &str) -> Option<&'static str> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "-/._~!$&'()*+,;=:@%".contains(c);
    let bad_escape = value.match_indices('%').any(|(i, _)| {
        value
            .get(i + 1..i + 3)
            .is_none_or(|h| !h.chars().all(|c| c.is_ascii_hexdigit()))
    });
    if !value.starts_with('/') {
        Some("must be an absolute path starting with `/`")
    } else if value.contains("//") {
        Some("must not contain `//`")
    } else if value.contains("/./") || value.ends_with("/.") {
        Some("must not contain `/./` or end with `/.`")
    } else if value.contains("/../") || value.ends_with("/..") {
        Some("must not contain `/../` or end with `/..`")
    } else if value.contains("%2f") || value.contains("%2F") {
        Some("must not contain an encoded `/` (`%2f`)")
    } else if value.contains('#') {
        Some("must not contain `#`")
    } else if !value.chars().all(valid_char) || bad_escape {
        Some(
            "may contain only unreserved characters, sub-delims, `:`, `@`, `/` and percent escapes",
        )
    } else {
        None
    }
}

fn backend_port(cx: &mut Checker, b: &BackendRef, at: &str) {
    let service = b.kind.as_deref().is_none_or(|k| k == "Service")
        && b.group.as_deref().is_none_or(str::is_empty);
    if service && b.port.is_none() {
        cx.report_key(
            &BACKEND_PORT,
            at,
            format!("backendRef to Service `{}` needs a port", b.name),
        )
        .label("no port")
        .help("add `port:` with one of the Service's ports");
    }
}

fn parent_refs(spec: &HttpRouteSpec, cx: &mut Checker) {
    let key = |p: &crate::model::gateway_api::ParentRef| {
        (
            p.group.clone().unwrap_or_default(),
            p.kind.clone().unwrap_or_default(),
            p.namespace.clone().unwrap_or_default(),
            p.name.clone(),
        )
    };
    for (i, p) in spec.parent_refs.iter().enumerate() {
        let earlier = spec.parent_refs[..i].iter().filter(|q| key(q) == key(p));
        for q in earlier {
            let problem = match (&p.section_name, &q.section_name) {
                (Some(a), Some(b)) if a == b => Some(format!(
                    "sectionName `{a}` is repeated for parent `{}`",
                    p.name
                )),
                (Some(_), Some(_)) => None,
                _ => Some(format!(
                    "parent `{}` is named more than once: each reference needs its own sectionName",
                    p.name
                )),
            };
            if let Some(problem) = problem {
                cx.report(&PARENT_REFS, &format!("/spec/parentRefs/{i}"), problem)
                    .label("same parent");
                break;
            }
        }
    }
}

fn timeouts(cx: &mut Checker, rule: &HttpRouteRule, at: &str) {
    let Some(t) = &rule.timeouts else { return };
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| Duration::parse(s).ok());
    if let (Some(request), Some(backend)) = (parse(&t.request), parse(&t.backend_request))
        && request.as_nanos() > 0
        && backend.as_nanos() > request.as_nanos()
    {
        cx.report(
            &TIMEOUTS,
            &format!("{at}/timeouts/backendRequest"),
            format!("backendRequest {backend} is longer than the request timeout {request}"),
        )
        .label("longer than the request timeout");
    }
}

/// One `filters` list; `rule_level` for the rule's own (not a backendRef's).
fn filters(
    cx: &mut Checker,
    rule: &HttpRouteRule,
    rule_at: &str,
    list: &[Value],
    at: &str,
    rule_level: bool,
) {
    for (j, f) in list.iter().enumerate() {
        for field in ["requestHeaderModifier", "responseHeaderModifier"] {
            if let Some(modifier) = f.get(field) {
                header_modifier(cx, modifier, &format!("{at}/{j}/{field}"));
            }
        }
    }
    let kind = |f: &Value| {
        f.get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let kinds: Vec<String> = list.iter().map(kind).collect();
    let has = |k: &str| kinds.iter().any(|x| x == k);
    let mut report = |pointer: String, message: String| {
        cx.report(&FILTERS, &pointer, message)
            .label("refused by the CRD");
    };
    if has("RequestRedirect") && has("URLRewrite") {
        report(
            at.to_string(),
            "RequestRedirect and URLRewrite cannot be used together".into(),
        );
    }
    if rule_level && has("RequestRedirect") && !rule.backend_refs.is_empty() {
        report(
            format!("{rule_at}/backendRefs"),
            "a rule with a RequestRedirect filter cannot have backendRefs".into(),
        );
    }
    for (j, f) in list.iter().enumerate() {
        let k = &kinds[j];
        let fat = format!("{at}/{j}");
        let once = [
            "CORS",
            "RequestHeaderModifier",
            "ResponseHeaderModifier",
            "RequestRedirect",
            "URLRewrite",
        ];
        if once.contains(&k.as_str()) && kinds[..j].contains(k) {
            report(
                format!("{fat}/type"),
                format!("the {k} filter cannot be repeated"),
            );
        }
        for (t, field) in FILTER_FIELDS {
            match (k == t, f.get(*field).is_some()) {
                (true, false) => report(
                    fat.clone(),
                    format!("a {t} filter needs its `{field}` settings"),
                ),
                (false, true) => report(
                    format!("{fat}/{field}"),
                    format!("`{field}` belongs to a {t} filter, not {k}"),
                ),
                _ => {}
            }
        }
        for field in ["requestRedirect", "urlRewrite"] {
            if let Some(path) = f.get(field).and_then(|s| s.get("path")) {
                path_modifier(&mut report, rule, path, &format!("{fat}/{field}/path"));
            }
        }
        if let Some(mirror) = f.get("requestMirror") {
            if mirror.get("percent").is_some() && mirror.get("fraction").is_some() {
                report(
                    format!("{fat}/requestMirror"),
                    "a mirror takes percent or fraction, not both".into(),
                );
            }
            let n = mirror
                .pointer("/fraction/numerator")
                .and_then(Value::as_i64);
            let d = mirror
                .pointer("/fraction/denominator")
                .and_then(Value::as_i64)
                .unwrap_or(100);
            if n.is_some_and(|n| n > d) {
                report(
                    format!("{fat}/requestMirror/fraction"),
                    "the fraction's numerator is above its denominator".into(),
                );
            }
        }
        if let Some(cors) = f.get("cors") {
            for list in ["allowOrigins", "allowMethods", "allowHeaders"] {
                if let Some(items) = cors.get(list).and_then(Value::as_array)
                    && items.len() > 1
                    && items.iter().any(|v| v == "*")
                {
                    report(
                        format!("{fat}/cors/{list}"),
                        format!("`*` must stand alone in {list}"),
                    );
                }
            }
        }
    }
}

/// A redirect or rewrite `path`: its type agrees with its field, and
/// ReplacePrefixMatch needs exactly one PathPrefix match in the rule.
fn path_modifier(
    report: &mut impl FnMut(String, String),
    rule: &HttpRouteRule,
    path: &Value,
    at: &str,
) {
    let kind = path.get("type").and_then(Value::as_str).unwrap_or_default();
    for (t, field) in [
        ("ReplaceFullPath", "replaceFullPath"),
        ("ReplacePrefixMatch", "replacePrefixMatch"),
    ] {
        match (kind == t, path.get(field).is_some()) {
            (true, false) => report(at.to_string(), format!("type {t} needs `{field}`")),
            (false, true) => report(format!("{at}/{field}"), format!("`{field}` needs type {t}")),
            _ => {}
        }
    }
    if kind == "ReplacePrefixMatch" {
        let prefixes = rule
            .matches
            .iter()
            .filter(|m| {
                m.path
                    .as_ref()
                    .is_none_or(|p| p.match_type.as_deref().unwrap_or("PathPrefix") == "PathPrefix")
            })
            .count();
        if rule.matches.len() != 1 || prefixes != 1 {
            report(
                at.to_string(),
                "ReplacePrefixMatch needs exactly one match in the rule, a PathPrefix".into(),
            );
        }
    }
}
