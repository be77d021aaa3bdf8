//! `meshctl diff`: which requests a configuration change sends somewhere
//! else, answers differently, or treats with another policy, each shown
//! with an example request that the routing engine answers differently on
//! the two sides.
//!
//! For every (entry, host) that a changed resource can reach, the witness
//! search finds requests for each route of either side and for each pair of
//! routes (one per side) that can share a request; each is routed on both
//! sides. Requests whose outcomes differ are grouped by the rule that takes
//! them on each side and the two outcomes: one change per class.

pub mod cause;
mod probe;
pub mod scope;
pub mod traffic;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

pub use scope::{Caller, ChangedResource, Edit};
pub use traffic::Traffic;

use crate::route::witness::Example;
use crate::route::{Entry, Request, RoutingTable};
use crate::validate::Outcome;

/// One side of the comparison: the configuration as loaded and its table.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub outcome: &'a Outcome,
    pub table: &'a RoutingTable<'a>,
}

/// A class of requests that routes differently.
#[derive(Debug, Clone)]
pub struct Change {
    /// `mesh` or the gateway's `namespace/name`.
    pub entry: String,
    pub host: String,
    /// For the mesh: the callers' namespaces where the change shows.
    pub source_namespaces: Vec<String>,
    /// A request of the class.
    pub example: Example,
    pub before: Traffic,
    pub after: Traffic,
    /// The differences in words.
    pub summary: Vec<String>,
}

/// Everything `diff` found.
#[derive(Debug, Default)]
pub struct Comparison {
    pub changes: Vec<Change>,
    pub changed_resources: Vec<ChangedResource>,
    /// Requests routed on both sides.
    pub requests_routed: usize,
    /// How many namespaces mesh requests were sent from.
    pub caller_namespaces: usize,
}

/// A host to send requests to for a VirtualService host: wildcards get a
/// name they cover.
fn concrete(host: &str) -> String {
    match host.strip_prefix('*') {
        Some("") => "example.com".into(),
        Some(rest) => format!("any{rest}"),
        None => host.to_string(),
    }
}

fn entry_of(label: &str) -> Entry {
    match label.split_once('/') {
        Some((namespace, name)) if label != "mesh" => Entry::Gateway {
            namespace: namespace.into(),
            name: name.into(),
        },
        _ => Entry::Mesh,
    }
}

fn answer(side: Side, req: &Request) -> Traffic {
    match side.table.route(req) {
        Ok(decision) => Traffic::of(&decision),
        Err(e) => Traffic::unroutable(&e.0),
    }
}

/// Adds the conditions of the rule that took the request, in words.
fn with_conditions(side: Side, mut traffic: Traffic) -> Traffic {
    if let Some(rule) = &traffic.rule {
        traffic.conditions =
            side.table
                .matched_conditions(&rule.id, rule.rule_index, rule.match_index);
    }
    traffic
}

/// Namespaces callers may sit in: every namespace either side names, and
/// `default` (where `meshctl route` puts the caller unless told).
fn caller_namespaces(old: &Outcome, new: &Outcome) -> BTreeSet<String> {
    let mut found: BTreeSet<String> = [old, new]
        .iter()
        .flat_map(|o| {
            o.documents
                .iter()
                .filter_map(|d| d.str_field("/metadata/namespace").map(str::to_string))
                .chain([o.default_namespace.clone()])
        })
        .chain(["default".to_string()])
        .collect();
    found.retain(|n| !n.is_empty());
    found
}

/// A request that routes differently, from callers in `namespace`.
struct Differing {
    namespace: String,
    example: Example,
    before: Traffic,
    after: Traffic,
}

/// Routes the probe requests of one (entry, host) on both sides, from
/// each of `callers` for the mesh; returns how many were routed and
/// those that route differently.
fn probe_pair(
    old: Side,
    new: Side,
    entry: &str,
    host: &str,
    callers: &BTreeSet<Caller>,
) -> (usize, Vec<Differing>) {
    let at_gateway = Caller {
        namespace: old.outcome.default_namespace.clone(),
        labels: BTreeMap::new(),
    };
    let callers: Vec<&Caller> = if entry == "mesh" {
        callers.iter().collect()
    } else {
        vec![&at_gateway]
    };
    let mut routed = 0;
    let mut differing = Vec::new();
    for caller in callers {
        let namespace = &caller.namespace;
        let mut base = Request::new(&concrete(host));
        base.entry = entry_of(entry);
        base.source_namespace = namespace.clone();
        base.source_labels = caller.labels.clone();
        for example in probe::requests(old.table, new.table, &base, entry, host) {
            routed += 1;
            let mut request = example.request.clone();
            request.port = example.port.or(request.port);
            let before = answer(old, &request);
            let after = answer(new, &request);
            if !before.same_as(&after) {
                differing.push(Differing {
                    namespace: namespace.clone(),
                    example,
                    before: with_conditions(old, before),
                    after: with_conditions(new, after),
                });
            }
        }
    }
    (routed, differing)
}

/// One change per class: the differing requests of each (entry, host),
/// grouped by the rule on each side and the two outcomes, hosts in order.
fn group<'p>(probed: impl Iterator<Item = (&'p (String, String), Vec<Differing>)>) -> Vec<Change> {
    let mut classes: BTreeMap<(String, String), Vec<Change>> = BTreeMap::new();
    for ((entry, host), differing) in probed {
        let target = concrete(host);
        let found = classes.entry((target.clone(), entry.clone())).or_default();
        for d in differing {
            let same = found.iter_mut().find(|c| {
                c.before.rule == d.before.rule
                    && c.after.rule == d.after.rule
                    && c.before.same_as(&d.before)
                    && c.after.same_as(&d.after)
            });
            match same {
                Some(change) => {
                    if !change.source_namespaces.contains(&d.namespace) {
                        change.source_namespaces.push(d.namespace);
                    }
                }
                None => found.push(Change {
                    entry: entry.clone(),
                    host: target.clone(),
                    source_namespaces: vec![d.namespace],
                    summary: traffic::summary(&d.before, &d.after),
                    example: d.example,
                    before: d.before,
                    after: d.after,
                }),
            }
        }
    }
    classes.into_values().flatten().collect()
}

/// Compares the traffic of two configurations.
pub fn compare(old: Side, new: Side) -> Comparison {
    let changed_resources = scope::changed_resources(old.outcome, new.outcome);
    if changed_resources.is_empty() {
        return Comparison::default();
    }
    let served = [old.table.served_hosts(), new.table.served_hosts()];
    let served_refs = [served[0].as_slice(), served[1].as_slice()];
    let configs = [&old.outcome.config, &new.outcome.config];
    let reach = scope::reach(&changed_resources, configs, served_refs);
    let namespaces = caller_namespaces(old.outcome, new.outcome);
    let jobs = scope::plan(reach, scope::everything(configs, served_refs), &namespaces);
    // Each (entry, host) on its own, in parallel; grouped in input order.
    let pairs: Vec<(&(String, String), &BTreeSet<Caller>)> = jobs.iter().collect();
    let probed: Vec<(usize, Vec<Differing>)> = pairs
        .par_iter()
        .map(|((entry, host), callers)| probe_pair(old, new, entry, host, callers))
        .collect();
    let requests_routed = probed.iter().map(|(routed, _)| routed).sum();
    let hosts = pairs.into_iter().map(|(pair, _)| pair);
    let changes = group(hosts.zip(probed.into_iter().map(|(_, d)| d)));
    Comparison {
        changes,
        changed_resources,
        caller_namespaces: namespaces.len(),
        requests_routed,
    }
}
