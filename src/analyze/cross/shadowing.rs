//! Real shadowing: whether a route can ever be reached, decided on the
//! route lists the proxies build (each sidecar VirtualService alone, the
//! VirtualServices merged on a gateway for one host) from what every match
//! condition really accepts. Istio's own IST0130/IST0131 heuristics stay in
//! `rules/vs_unreachable.rs`; what they already report is not repeated.

use std::collections::{BTreeMap, BTreeSet};

use super::{Reporter, listed};
use crate::analyze::index::Index;
use crate::analyze::rules::vs_unreachable;
use crate::diagnostic::{ResourceRef, Rule, Severity};
use crate::load::Document;
use crate::model::{Resource, VirtualService};
use crate::route::table::{Reach, RouteRef, Shadowing};

pub static SHADOWED_ROUTE: Rule = Rule {
    code: "MC2601",
    name: "shadowed-route",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A rule or match that no request reaches: earlier routes (in this VirtualService, or merged with it on a gateway) take everything it matches.",
    docs: "## What it does\nBuilds the route lists the proxies build: each VirtualService alone for sidecars, and the \
VirtualServices bound to one gateway for one host merged in age order with catch-all routes moved last. For every \
route it decides from the conditions themselves (uri exact, prefix and regex, ignoreUriCase, headers, withoutHeaders, \
queryParams, method, scheme, authority, port, sourceLabels, sourceNamespace, gateways) whether any request passes all \
earlier routes and reaches it. The message names the route that takes its traffic, or the routes that do so between \
them. A regex that is not a literal, a literal followed by `.*`, or an alternation of literals is sampled, and a \
finding never rests on one. Cases Istio's own analysis reports (IST0130, IST0131) are left to MC1126 and MC1127.\n\n\
## Why is this bad?\nThe route is dead configuration: requests you meant for it go elsewhere.\n\n\
## Example\n```yaml\n# VirtualService `shop` (older), bound to the ingress gateway\nhttp:\n- match: [{uri: {prefix: /api}}]\n  route: [{destination: {host: api}}]\n---\n\
# VirtualService `shop-v2` (newer), same gateway and host\nhttp:\n- match: [{uri: {prefix: /api/v2}}]\n  route: [{destination: {host: api-v2}}]\n```\n\n\
## Use instead\nPut both routes in one VirtualService, the longer prefix first.\n",
};

pub static PARTLY_SHADOWED_ROUTE: Rule = Rule {
    code: "MC2602",
    name: "partly-shadowed-route",
    severity: Severity::Info,
    istio_code: None,
    summary: "A match that loses some of its requests to an earlier match with a wider path; shows one request of each kind.",
    docs: "## What it does\nFor a match that some requests reach, finds the first earlier match that takes some of \
its requests while matching a wider path (a shorter prefix, say) and narrowing by something else: a method, a header, \
a query parameter. A narrower path first, or a header rule for every path first, is the usual order and is not \
reported. The message gives a request that the earlier route takes and one that reaches this route, as \
`meshctl route` options, so both can be checked.\n\n\
## Why is this bad?\nOften a surprise: a condition of the earlier, shorter path decides where requests for the \
later, longer path go.\n\n\
## Example\n```yaml\nhttp:\n- match: [{uri: {prefix: /api}, headers: {x-env: {exact: prod}}}]\n  route: [{destination: {host: api}}]\n\
- match: [{uri: {prefix: /api/v2}}]   # gets /api/v2 only without x-env: prod\n  route: [{destination: {host: api-v2}}]\n```\n\n\
## Use instead\n```yaml\nhttp:\n- match: [{uri: {prefix: /api/v2}}]\n  route: [{destination: {host: api-v2}}]\n\
- match: [{uri: {prefix: /api}, headers: {x-env: {exact: prod}}}]\n  route: [{destination: {host: api}}]\n```\n",
};

pub static RULES: &[&Rule] = &[&SHADOWED_ROUTE, &PARTLY_SHADOWED_ROUTE];

pub fn check(index: &mut Index, out: &mut Reporter) {
    if index.config.virtual_services.is_empty() {
        return;
    }
    let table = index.routing_table();
    let findings = table.shadowing();
    let istio = istio_findings(out);
    // Dead routes by rule, so that a rule whose matches are all dead is
    // reported once.
    let mut dead: BTreeMap<(*const Resource<VirtualService>, usize), Vec<&Shadowing>> =
        BTreeMap::new();
    for f in &findings {
        if flagged(&istio, index.docs, &f.route) {
            continue;
        }
        match &f.reach {
            Reach::Dead { .. } => dead
                .entry((std::ptr::from_ref(f.route.resource), f.route.rule))
                .or_default()
                .push(f),
            Reach::Partly {
                taker,
                reaching,
                taken,
            } => {
                let r = &f.route;
                out.report(
                    &PARTLY_SHADOWED_ROUTE,
                    r.resource,
                    &pointer(r),
                    format!(
                        "{} is partly shadowed{}: `{}` goes to {} first, while `{}` reaches it",
                        describe(r, r.resource, true),
                        context(f),
                        taken.route_args(),
                        describe(taker, r.resource, false),
                        reaching.route_args()
                    ),
                )
                .label("partly shadowed")
                .help("if the earlier route should not take those requests, move this one before it or narrow the earlier match");
            }
        }
    }
    for group in dead.values() {
        let first = group[0];
        let rule = &first.route.resource.spec.http[first.route.rule];
        let whole = group.len() >= rule.matches.len().max(1);
        let shown: Vec<&Shadowing> = if whole { vec![first] } else { group.clone() };
        for f in shown {
            let r = RouteRef {
                matchn: if whole { None } else { f.route.matchn },
                ..f.route
            };
            let Reach::Dead { takers, total } = &f.reach else {
                continue;
            };
            out.report(
                &SHADOWED_ROUTE,
                r.resource,
                &pointer(&r),
                format!(
                    "{} is never used{}: {}",
                    describe(&r, r.resource, true),
                    context(f),
                    taken_by(takers, *total, r.resource)
                ),
            )
            .label("never reached")
            .help("move it before the routes that take its requests, or remove it");
        }
    }
}

/// Where a route's finding points: the match, or the rule's matches (the
/// rule itself when it has none).
fn pointer(r: &RouteRef) -> String {
    match r.matchn {
        Some(m) => format!("/spec/http/{}/match/{m}", r.rule),
        None if r.resource.spec.http[r.rule].matches.is_empty() => {
            format!("/spec/http/{}", r.rule)
        }
        None => format!("/spec/http/{}/match", r.rule),
    }
}

/// `rule `name``, `match #1 of rule #2`, with the VirtualService when it is
/// not `home`'s.
fn describe(r: &RouteRef, home: &Resource<VirtualService>, subject: bool) -> String {
    let spec = &r.resource.spec.http[r.rule];
    let rule = spec
        .name
        .as_deref()
        .map_or_else(|| format!("rule #{}", r.rule), |n| format!("rule `{n}`"));
    let mut text = match r.matchn {
        Some(m) if spec.matches.len() > 1 && subject => format!("match #{m} of {rule}"),
        Some(m) if spec.matches.len() > 1 => format!("{rule} (match #{m})"),
        _ => rule,
    };
    if !std::ptr::eq(r.resource, home) {
        text.push_str(&format!(
            " of VirtualService {}/{}",
            r.resource.namespace,
            r.resource.name()
        ));
    }
    text
}

fn context(f: &Shadowing) -> String {
    if f.proxy == "mesh" {
        String::new()
    } else {
        format!(" on gateway {} for host {}", f.proxy, f.host)
    }
}

/// Who takes a dead route's requests: `takers` are the first of `total`.
fn taken_by(takers: &[RouteRef], total: usize, home: &Resource<VirtualService>) -> String {
    let names: Vec<String> = takers.iter().map(|t| describe(t, home, false)).collect();
    match names.as_slice() {
        [] => "no request satisfies all of its conditions".into(),
        [one] if total == 1 => format!("{one} takes every request it matches first"),
        [init @ .., last] if total == names.len() => format!(
            "{} and {last} take every request it matches between them",
            init.join(", ")
        ),
        _ => format!(
            "{} take every request it matches between them",
            listed(&names, total)
        ),
    }
}

/// The routes that MC1126 and MC1127 (Istio's heuristics, run before the
/// cross checks) already report: (resource, JSON path) of their findings.
fn istio_findings(out: &Reporter) -> BTreeSet<(ResourceRef, String)> {
    out.findings()
        .iter()
        .filter(|d| {
            std::ptr::eq(d.rule, &vs_unreachable::UNREACHABLE_RULE)
                || std::ptr::eq(d.rule, &vs_unreachable::INEFFECTIVE_MATCH)
        })
        .filter_map(|d| Some((d.resource.clone()?, d.path.clone()?)))
        .collect()
}

/// Whether those findings flag the route or its rule.
fn flagged(istio: &BTreeSet<(ResourceRef, String)>, docs: &[Document], r: &RouteRef) -> bool {
    let doc = &docs[r.resource.doc];
    let id = r.resource.id();
    let rule = doc.full_pointer(&format!("/spec/http/{}", r.rule));
    let route = doc.full_pointer(&pointer(r));
    istio
        .iter()
        .any(|(res, path)| *res == id && (*path == rule || path.starts_with(&route)))
}
