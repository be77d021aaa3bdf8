//! Istio validation V23: rules that can never be used and matches that
//! never win, by Istio's own analysis (`analyzeUnreachableHTTPRules` and the
//! prefix-overlap heuristic), reported as IST0130 and IST0131.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::hash::Hash;

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::common::StringMatch;
use crate::model::virtual_service::HttpMatch;
use crate::model::{Resource, SmallMap, VirtualService};

pub static UNREACHABLE_RULE: Rule = Rule {
    code: "MC1126",
    name: "unreachable-rule",
    severity: Severity::Warning,
    istio_code: Some("IST0130"),
    summary: "A route rule that can never be used: a match-less rule comes before it, or all its matches repeat earlier ones.",
    docs: "## What it does\nRoute rules are tried in order and the first match wins. A rule without `match` takes \
every request, so any rule after it is never used; a rule whose every match repeats an earlier match is never used either.\n\n\
## Why is this bad?\nThe rule is dead configuration: traffic you meant for it goes elsewhere.\n\n\
## Example\n```yaml\nhttp:\n- route: [{destination: {host: reviews, subset: v1}}]\n- match: [{headers: {end-user: {exact: jason}}}]\n  route: [{destination: {host: reviews, subset: v2}}]\n```\n\n\
## Use instead\nPut the catch-all last:\n```yaml\nhttp:\n- match: [{headers: {end-user: {exact: jason}}}]\n  route: [{destination: {host: reviews, subset: v2}}]\n- route: [{destination: {host: reviews, subset: v1}}]\n```\n",
};

pub static INEFFECTIVE_MATCH: Rule = Rule {
    code: "MC1127",
    name: "ineffective-match",
    severity: Severity::Warning,
    istio_code: Some("IST0131"),
    summary: "A match that an earlier match repeats or covers (same conditions, or a shorter uri prefix).",
    docs: "## What it does\nFlags a match identical to an earlier one, and (Istio's heuristic) a uri `prefix` match \
whose prefix starts with an earlier match's prefix under the same port, method, authority and header, query and \
withoutHeaders keys. A match without `method` counts as GET here.\n\n\
## Why is this bad?\nThe earlier match takes the traffic; this one never wins.\n\n\
## Example\n```yaml\nhttp:\n- match: [{uri: {prefix: /api}}]\n  route: [{destination: {host: api}}]\n- match: [{uri: {prefix: /api/v2}}]\n  route: [{destination: {host: api-v2}}]\n```\n\n\
## Use instead\nPut the more specific prefix first.\n",
};

pub static RULES: &[&Rule] = &[&UNREACHABLE_RULE, &INEFFECTIVE_MATCH];

fn rule_name(name: Option<&str>, i: usize) -> String {
    name.map_or_else(|| format!("#{i}"), |n| format!("`{n}`"))
}

/// A uri-prefix match reduced to what Istio's overlap heuristic compares.
struct PrefixMatch {
    rule: usize,
    matchn: usize,
    prefix: String,
    port: Option<i64>,
    method: String,
    authority: String,
    headers: BTreeMap<String, String>,
    query: BTreeMap<String, String>,
    without: BTreeMap<String, String>,
}

fn exact_or_prefix(sm: Option<&StringMatch>) -> String {
    match sm {
        Some(StringMatch { exact: Some(e), .. }) if !e.is_empty() => format!("exact:{e}"),
        Some(StringMatch {
            prefix: Some(p), ..
        }) if !p.is_empty() => format!("prefix:{p}"),
        _ => String::new(),
    }
}

fn reduce(map: &SmallMap<StringMatch>) -> BTreeMap<String, String> {
    map.iter()
        .map(|(k, v)| (k.clone(), exact_or_prefix(Some(v))))
        .collect()
}

impl PrefixMatch {
    fn new(rule: usize, matchn: usize, m: &HttpMatch) -> Option<PrefixMatch> {
        let prefix = m.uri.as_ref()?.prefix.clone().filter(|p| !p.is_empty())?;
        let method = match exact_or_prefix(m.method.as_deref()) {
            s if s.is_empty() => "exact:GET".to_string(),
            s => s,
        };
        Some(PrefixMatch {
            rule,
            matchn,
            prefix,
            port: m.port.filter(|p| *p != 0),
            method,
            authority: exact_or_prefix(m.authority.as_deref()),
            headers: reduce(&m.headers),
            query: reduce(&m.query_params),
            without: reduce(&m.without_headers),
        })
    }

    /// Istio's `coveredValidation(a, b)`: whether earlier `a` covers later `b`.
    fn covers(&self, b: &PrefixMatch) -> bool {
        let value_ok = |a: &str, b: &str| a == b || a.starts_with(b);
        let maps_ok = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|bv| value_ok(v, bv)))
        };
        b.prefix.starts_with(&self.prefix)
            && self.port == b.port
            && value_ok(&self.method, &b.method)
            && value_ok(&self.authority, &b.authority)
            && maps_ok(&self.headers, &b.headers)
            && maps_ok(&self.query, &b.query)
            && maps_ok(&self.without, &b.without)
    }
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    let vs = &res.spec;
    // Istio compares matches without their `name`.
    let unnamed: Vec<Vec<HttpMatch>> = vs
        .http
        .iter()
        .map(|r| {
            r.matches
                .iter()
                .map(|m| HttpMatch {
                    name: None,
                    ..m.clone()
                })
                .collect()
        })
        .collect();
    let http: Vec<_> = vs
        .http
        .iter()
        .zip(&unnamed)
        .map(|(r, m)| (r.name.as_deref(), m.as_slice()))
        .collect();
    analyze_order(cx, "http", &http);
    let tcp: Vec<_> = vs
        .tcp
        .iter()
        .map(|r| (None, r.matches.as_slice()))
        .collect();
    analyze_order(cx, "tcp", &tcp);
    let tls: Vec<_> = vs
        .tls
        .iter()
        .map(|r| (None, r.matches.as_slice()))
        .collect();
    analyze_order(cx, "tls", &tls);

    let prefixes: Vec<PrefixMatch> = vs
        .http
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.matches
                .iter()
                .enumerate()
                .filter_map(move |(j, m)| PrefixMatch::new(i, j, m))
        })
        .collect();
    for (a, b) in covered_prefixes(&prefixes) {
        let by = rule_name(vs.http[a.rule].name.as_deref(), a.rule);
        cx.report(
            &INEFFECTIVE_MATCH,
            &format!("/spec/http/{}/match/{}/uri/prefix", b.rule, b.matchn),
            format!(
                "prefix `{}` is never used: the earlier prefix `{}` (rule {by}, match #{}) takes its requests first",
                b.prefix, a.prefix, a.matchn
            ),
        )
        .label(format!("covered by prefix `{}`", a.prefix))
        .help("put the longer prefix in an earlier rule");
    }
}

/// The pairs (earlier, later) where the earlier prefix match covers the
/// later one, in the order Istio's pairwise loop finds them. Only earlier
/// matches whose prefix starts the later prefix are compared.
fn covered_prefixes(prefixes: &[PrefixMatch]) -> Vec<(&PrefixMatch, &PrefixMatch)> {
    let mut by_prefix: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (bi, b) in prefixes.iter().enumerate() {
        let shorter = (0..b.prefix.len()).filter(|&end| b.prefix.is_char_boundary(end));
        for end in shorter {
            let earlier = by_prefix.get(&b.prefix[..end]).into_iter().flatten();
            pairs.extend(
                earlier
                    .filter(|&&ai| prefixes[ai].covers(b))
                    .map(|&ai| (ai, bi)),
            );
        }
        by_prefix.entry(&b.prefix).or_default().push(bi);
    }
    pairs.sort_unstable();
    pairs
        .into_iter()
        .map(|(a, b)| (&prefixes[a], &prefixes[b]))
        .collect()
}

/// The order analysis shared by http, tcp and tls routes: matches repeated
/// from earlier rules and rules after a match-less rule.
fn analyze_order<M: Eq + Hash>(cx: &mut Checker, section: &str, rules: &[(Option<&str>, &[M])]) {
    // Each match with the first rule that has it.
    let mut seen: HashMap<&M, usize> = HashMap::default();
    let mut catch_all: Option<usize> = None;
    for (i, (name, matches)) in rules.iter().enumerate() {
        let at = || format!("/spec/{section}/{i}");
        let this = || rule_name(*name, i);
        if matches.is_empty() {
            if let Some(c) = catch_all {
                cx.report_key(
                    &UNREACHABLE_RULE,
                    &at(),
                    format!("rule {} is never used: only the last rule can have no matches (rule #{c} has none)", this()),
                )
                .label("never used");
            }
            catch_all = Some(i);
            continue;
        }
        if let Some(c) = catch_all {
            cx.report_key(
                &UNREACHABLE_RULE,
                &at(),
                format!(
                    "rule {} is never used: rule {} before it has no match and takes every request",
                    this(),
                    rule_name(rules[c].0, c)
                ),
            )
            .label("never used")
            .help("move the rule without `match` to the end");
            continue;
        }
        let mut duplicates = 0;
        for (j, m) in matches.iter().enumerate() {
            if let Some(dup) = seen.get(m) {
                duplicates += 1;
                cx.report(
                    &INEFFECTIVE_MATCH,
                    &format!("{}/match/{j}", at()),
                    format!(
                        "match #{j} of rule {} is never used: rule {} has the same match",
                        this(),
                        rule_name(rules[*dup].0, *dup)
                    ),
                )
                .label("duplicate match");
            } else {
                seen.insert(m, i);
            }
        }
        if duplicates == matches.len() {
            cx.report_key(
                &UNREACHABLE_RULE,
                &at(),
                format!(
                    "rule {} is never used: all its matches are used by earlier rules",
                    this()
                ),
            )
            .label("never used");
        }
    }
}
