//! Retries and timeouts along call paths: a Service's `meshctl.dev/calls`
//! annotation names the hosts its workloads call, each call is routed from
//! the Service's namespace and selector labels by the routing table, and
//! the paths that start at a route into a calling service are followed hop
//! by hop (semantics reference §4.1, §4.2).

use std::collections::{BTreeMap, BTreeSet};

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::calls::{CALLS_ANNOTATION, declared_calls};
use crate::mesh::names::fqdn;
use crate::model::{Duration, Resource, Service, VirtualService};
use crate::route::decision::RoutePolicy;
use crate::route::table::route_policy;
use crate::route::{Request, RoutingTable};

/// Tries at the end of a path above which retries are reported.
pub const MAX_TRIES: u64 = 10;
/// Hops followed from a path's first route.
const MAX_DEPTH: usize = 16;

pub static RETRY_AMPLIFICATION: Rule = Rule {
    code: "MC2510",
    name: "retry-amplification",
    severity: Severity::Warning,
    istio_code: None,
    summary: "Retries nested along a call path (Service annotation meshctl.dev/calls) that multiply to more than 10 tries of the last service per request.",
    docs: "## What it does\nFollows call paths: a route into a service, then each host that the service's \
`meshctl.dev/calls` annotation names, routed from the service's namespace and labels, and so on. It multiplies \
the tries of each hop (1 + `retries.attempts` of the route taken; Istio's mesh default, 2 retries on connection \
failures only, is not counted) and reports the first route of a path whose product exceeds 10.\n\n\
## Why is this bad?\nEach hop retries every try of the hop before it: 3 tries at the edge over 3 tries at the \
middle tier send 9 tries to a failing leaf per user request, just when it is least able to take them. \
`meshctl simulate` with `calls` shows the load per service.\n\n\
## Example\n```yaml\n# web calls mid, mid calls leaf (Service annotations meshctl.dev/calls: mid, and: leaf)\n\
http:\n- route: [{destination: {host: web}}]\n  retries: {attempts: 3, retryOn: 5xx}   # 4 x 4 x 4 = 64 tries of leaf\n```\n\n\
## Use instead\nRetry at one hop (usually the one closest to the failure) and keep the others at `attempts: 0` or \
the mesh default.\n",
};

pub static TIMEOUT_BEFORE_CALLEE_RETRIES: Rule = Rule {
    code: "MC2511",
    name: "timeout-before-callee-retries",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A route timeout shorter than the time its service may spend retrying a call it makes (its tries × perTryTimeout).",
    docs: "## What it does\nFor a route with a `timeout` into a service whose `meshctl.dev/calls` annotation names \
the hosts it calls, compares the timeout with each call's retry budget: (1 + `retries.attempts`) × \
`retries.perTryTimeout` of the route the call takes, capped by that route's own timeout.\n\n\
## Why is this bad?\nThe caller resets the stream and answers 504 UT while the service is still retrying: the \
later retries add load downstream and their answer is thrown away.\n\n\
## Example\n```yaml\n# frontend -> reviews: timeout 1s; reviews -> ratings: retries {attempts: 3, perTryTimeout: 500ms}\n\
timeout: 1s\n```\n\n\
## Use instead\nGive the caller a timeout longer than the callee's retry budget, or make the callee's \
retries fit in it.\n",
};

pub static RULES: &[&Rule] = &[&RETRY_AMPLIFICATION, &TIMEOUT_BEFORE_CALLEE_RETRIES];

/// One hop of a path: the route a request takes into `target`.
#[derive(Clone)]
struct Hop<'c> {
    vs: &'c Resource<VirtualService>,
    rule: usize,
    target: String,
    policy: RoutePolicy,
}

impl Hop<'_> {
    /// Tries per request: 1 + the route's own retries.
    fn tries(&self) -> u64 {
        if self.policy.retries.mesh_default {
            1
        } else {
            1 + u64::from(self.policy.retries.attempts)
        }
    }

    /// How long the hop may keep retrying: its tries × perTryTimeout,
    /// capped by its timeout; none without a perTryTimeout.
    fn retry_budget(&self) -> Option<u128> {
        let per_try = self.policy.retries.per_try_timeout?.as_nanos();
        let budget = u128::from(self.tries()) * per_try;
        Some(match self.policy.timeout {
            Some(t) => budget.min(t.as_nanos()),
            None => budget,
        })
    }

    fn place(&self) -> String {
        format!(
            "VirtualService {}/{} rule {}",
            self.vs.namespace,
            self.vs.name(),
            self.rule
        )
    }
}

/// The hops out of each calling service, by host.
fn calls<'c>(index: &Index<'_, 'c>, table: &RoutingTable<'c>) -> BTreeMap<String, Vec<Hop<'c>>> {
    let mut out: BTreeMap<String, Vec<Hop<'c>>> = BTreeMap::new();
    for service in &index.config.services {
        let host = fqdn(service.name(), &service.namespace);
        for called in declared_calls(service) {
            if let Some(hop) = route_call(index, table, service, called) {
                out.entry(host.clone()).or_default().push(hop);
            }
        }
    }
    out
}

/// The route a call from `caller`'s workloads to `called` takes.
fn route_call<'c>(
    index: &Index<'_, 'c>,
    table: &RoutingTable<'c>,
    caller: &Resource<Service>,
    called: &str,
) -> Option<Hop<'c>> {
    let mut req = Request::new(called);
    req.source_namespace = caller.namespace.clone();
    req.source_labels = caller.spec.selector.to_map();
    let decision = table.route(&req).ok()?;
    let matched = decision.matched.as_ref()?;
    let (at, rule) = matched
        .delegate
        .as_ref()
        .map_or((&matched.resource, matched.rule_index), |(d, i)| (d, *i));
    let vs = index
        .config
        .virtual_services
        .iter()
        .rev()
        .find(|v| v.namespace == at.namespace && v.name() == at.name)?;
    let target = decision
        .destinations
        .iter()
        .find(|d| d.response_flag.is_none())?
        .host
        .clone();
    Some(Hop {
        vs,
        rule,
        target,
        policy: decision.policy?,
    })
}

/// The routes into calling services that no call takes: where paths start.
fn first_hops<'c>(index: &Index<'_, 'c>, callers: &BTreeMap<String, Vec<Hop<'c>>>) -> Vec<Hop<'c>> {
    let inner: BTreeSet<(*const Resource<VirtualService>, usize)> = callers
        .values()
        .flatten()
        .map(|h| (std::ptr::from_ref(h.vs), h.rule))
        .collect();
    let mut out = Vec::new();
    for vs in index.virtual_services() {
        for (i, rule) in vs.spec.http.iter().enumerate() {
            if inner.contains(&(std::ptr::from_ref(vs), i)) {
                continue;
            }
            let target = rule
                .route
                .iter()
                .map(|d| fqdn(&d.destination.host, &vs.namespace))
                .find(|h| callers.contains_key(h));
            if let Some(target) = target {
                out.push(Hop {
                    vs,
                    rule: i,
                    target,
                    policy: route_policy(rule, None, &vs.namespace),
                });
            }
        }
    }
    out
}

/// The path from `hop` with the most tries at its end, as hops.
fn worst_path<'h, 'c>(
    hop: &'h Hop<'c>,
    callers: &'h BTreeMap<String, Vec<Hop<'c>>>,
    seen: &mut Vec<&'h str>,
) -> (u64, Vec<&'h Hop<'c>>) {
    let mut best = (hop.tries(), vec![hop]);
    if seen.len() >= MAX_DEPTH || seen.contains(&hop.target.as_str()) {
        return best;
    }
    seen.push(&hop.target);
    for next in callers.get(&hop.target).into_iter().flatten() {
        let (tries, path) = worst_path(next, callers, seen);
        let total = hop.tries().saturating_mul(tries);
        if total > best.0 {
            let mut full = vec![hop];
            full.extend(path);
            best = (total, full);
        }
    }
    seen.pop();
    best
}

fn duration_text(nanos: u128) -> String {
    Duration::from_nanos(nanos).to_string()
}

pub fn check(index: &mut Index, out: &mut Reporter) {
    if !index
        .config
        .services
        .iter()
        .any(|s| s.meta.annotations.contains_key(CALLS_ANNOTATION))
    {
        return;
    }
    let table = index.routing_table();
    let callers = calls(index, table);
    let firsts = first_hops(index, &callers);
    for first in &firsts {
        let (tries, path) = worst_path(first, &callers, &mut Vec::new());
        if tries <= MAX_TRIES || path.len() < 2 {
            continue;
        }
        let chain: Vec<String> = path[1..]
            .iter()
            .map(|h| format!("{} to {} ({})", h.tries(), h.target, h.place()))
            .collect();
        let last = path.last().map_or("", |h| h.target.as_str());
        let pointer = if first.policy.retries.mesh_default {
            format!("/spec/http/{}", first.rule)
        } else {
            format!("/spec/http/{}/retries", first.rule)
        };
        out.report(
            &RETRY_AMPLIFICATION,
            first.vs,
            &pointer,
            format!(
                "a request taking this rule can reach {last} {tries} times: {} tries to {} here, then {}",
                first.tries(),
                first.target,
                chain.join(", then ")
            ),
        )
        .label(format!("{tries} tries of {last}"))
        .help("retry at one hop and keep the others at `attempts: 0` or the mesh default");
    }
    let mut reported = BTreeSet::new();
    for hop in firsts.iter().chain(callers.values().flatten()) {
        let Some(timeout) = hop.policy.timeout.map(|t| t.as_nanos()) else {
            continue;
        };
        for call in callers.get(&hop.target).into_iter().flatten() {
            let Some(budget) = call.retry_budget() else {
                continue;
            };
            let key = (std::ptr::from_ref(hop.vs), hop.rule, call.target.clone());
            if budget <= timeout || !reported.insert(key) {
                continue;
            }
            out.report(
                &TIMEOUT_BEFORE_CALLEE_RETRIES,
                hop.vs,
                &format!("/spec/http/{}/timeout", hop.rule),
                format!(
                    "this route gives up after {}, while {} may retry {} for up to {} ({} tries of {}, {})",
                    duration_text(timeout),
                    hop.target,
                    call.target,
                    duration_text(budget),
                    call.tries(),
                    call.policy
                        .retries
                        .per_try_timeout
                        .map_or(String::new(), |d| d.to_string()),
                    call.place()
                ),
            )
            .label("shorter than the callee's retries")
            .help("give this route a longer timeout, or make the callee's retries fit in it");
        }
    }
}
