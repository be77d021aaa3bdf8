//! Shadowing: which routes no request can reach, and which lose part of
//! their requests to an earlier route, in every route list a proxy builds
//! (§2.2, §2.5): each sidecar VirtualService alone, and the VirtualServices
//! merged on a gateway for one host, in age order with catch-alls last.

use std::collections::{BTreeMap, BTreeSet};

use super::{RouteEntry, RoutingTable, gateway_filter};
use crate::model::{Kind, Resource, VirtualService};
use crate::route::matcher::{Field, RequestMatch};
use crate::route::request::{Entry, Request};
use crate::route::witness::Example;
use crate::route::witness::{self, Search};

/// A route of a VirtualService: one match of a rule, or a rule without matches.
#[derive(Debug, Clone, Copy)]
pub struct RouteRef<'c> {
    pub resource: &'c Resource<VirtualService>,
    pub rule: usize,
    pub matchn: Option<usize>,
}

/// What the earlier routes leave for a route.
#[derive(Debug)]
pub enum Reach<'c> {
    /// No request reaches it. One taker alone covers it when `takers` has
    /// one entry; otherwise they cover it together.
    Dead { takers: Vec<RouteRef<'c>> },
    /// `reaching` arrives; `taken` matches it too but goes to `taker` first.
    Partly {
        taker: RouteRef<'c>,
        reaching: Box<Example>,
        taken: Box<Example>,
    },
}

/// A finding of the analysis.
#[derive(Debug)]
pub struct Shadowing<'c> {
    pub route: RouteRef<'c>,
    /// `mesh` or the gateway (`namespace/name`) whose route list it is.
    pub proxy: String,
    /// The virtual host of the list.
    pub host: String,
    pub reach: Reach<'c>,
}

/// The ordered routes one proxy builds for one virtual host.
struct RouteList {
    proxy: String,
    host: String,
    entries: Vec<RouteEntry>,
}

impl<'c> RoutingTable<'c> {
    /// Every route that is dead or partly shadowed, in the first route list
    /// that shows it. A route counts as dead only when it is dead in every
    /// list it belongs to.
    pub fn shadowing(&self) -> Vec<Shadowing<'c>> {
        let mut dead: BTreeMap<(usize, usize, Option<usize>), Shadowing<'c>> = BTreeMap::new();
        let mut partly: BTreeMap<(usize, usize, Option<usize>), Shadowing<'c>> = BTreeMap::new();
        let mut alive: BTreeSet<(usize, usize, Option<usize>)> = BTreeSet::new();
        for list in self.route_lists() {
            let entries: Vec<&RouteEntry> = list
                .entries
                .iter()
                .filter(|e| self.applies(e, &list.proxy))
                .collect();
            for (pos, target) in entries.iter().enumerate() {
                let key = (target.vs, target.rule, target.matchn);
                let Some(reach) = self.reach(&list, target, &entries[..pos]) else {
                    alive.insert(key);
                    continue;
                };
                let finding = Shadowing {
                    route: self.route_ref(target),
                    proxy: list.proxy.clone(),
                    host: list.host.clone(),
                    reach,
                };
                match finding.reach {
                    Reach::Dead { .. } => dead.entry(key).or_insert(finding),
                    Reach::Partly { .. } => {
                        alive.insert(key);
                        partly.entry(key).or_insert(finding)
                    }
                };
            }
        }
        dead.retain(|key, _| !alive.contains(key));
        dead.into_values().chain(partly.into_values()).collect()
    }

    /// How the routes before `target` leave it: dead, partly shadowed, or
    /// `None` (untouched, or not decided).
    fn reach(
        &self,
        list: &RouteList,
        target: &RouteEntry,
        earlier: &[&RouteEntry],
    ) -> Option<Reach<'c>> {
        let base = base_request(list);
        let this = self.request_match(target);
        // A root rule with `delegate` lets through what its delegate does
        // not take, so it takes nothing for sure.
        let takers: Vec<(&RouteEntry, &RequestMatch)> = earlier
            .iter()
            .filter(|e| self.vss[e.vs].rules[e.rule].spec.delegate.is_none())
            .map(|e| (*e, self.request_match(e)))
            .filter(|(_, m)| witness::may_overlap(this, m))
            .collect();
        if takers.is_empty() {
            return None;
        }
        let all: Vec<&RequestMatch> = takers.iter().map(|(_, m)| *m).collect();
        match witness::find(&[this], &all, &base, None) {
            Search::Impossible => {
                let alone = takers.iter().find(|(_, m)| {
                    matches!(
                        witness::find(&[this], &[*m], &base, None),
                        Search::Impossible
                    )
                });
                let takers = match alone {
                    Some((e, _)) => vec![self.route_ref(e)],
                    None => takers
                        .iter()
                        .filter(|(_, m)| {
                            matches!(
                                witness::find(&[this, *m], &[], &base, None),
                                Search::Found(_)
                            )
                        })
                        .map(|(e, _)| self.route_ref(e))
                        .collect(),
                };
                Some(Reach::Dead { takers })
            }
            Search::Found(reaching) => takers.iter().enumerate().find_map(|(k, (e, m))| {
                if !wider_path(m, this, &base) {
                    return None;
                }
                let Search::Found(taken) = witness::find(&[this, *m], &all[..k], &base, None)
                else {
                    return None;
                };
                Some(Reach::Partly {
                    taker: self.route_ref(e),
                    reaching: reaching.clone(),
                    taken,
                })
            }),
            Search::Unknown => None,
        }
    }

    /// The route lists of the configuration. Lists with the same routes are
    /// analysed once, unless a `match.gateways` makes the proxy matter.
    fn route_lists(&self) -> Vec<RouteList> {
        let mut on_gateways: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        let mut candidates: Vec<(String, String, Vec<usize>)> = Vec::new();
        // Routes generated from HTTPRoutes follow Gateway API precedence,
        // not declaration order: they are left out.
        let written = self
            .vss
            .iter()
            .enumerate()
            .filter(|(_, vs)| vs.res.kind == Kind::VirtualService);
        for (i, vs) in written {
            let Some(first_host) = vs.hosts.first() else {
                continue; // a delegate: analysed within its root
            };
            for gw in &vs.gateways {
                if gw == "mesh" {
                    candidates.push((gw.clone(), first_host.clone(), vec![i]));
                } else {
                    for host in &vs.hosts {
                        on_gateways.entry((gw, host)).or_default().push(i);
                    }
                }
            }
        }
        candidates.extend(
            on_gateways
                .into_iter()
                .map(|((gw, host), members)| (gw.to_string(), host.to_string(), members)),
        );
        let mut seen: BTreeSet<(Vec<usize>, Option<String>)> = BTreeSet::new();
        let mut lists = Vec::new();
        for (proxy, host, mut members) in candidates {
            let entries = self.merged_entries(&mut members);
            let filtered = members.iter().any(|&i| {
                self.vss[i]
                    .rules
                    .iter()
                    .any(|r| r.matches.iter().any(|m| !m.gateways.is_empty()))
            });
            if seen.insert((members, filtered.then(|| proxy.clone()))) {
                lists.push(RouteList {
                    proxy,
                    host,
                    entries,
                });
            }
        }
        lists
    }

    fn applies(&self, e: &RouteEntry, proxy: &str) -> bool {
        e.matchn
            .is_none_or(|m| gateway_filter(&self.vss[e.vs].rules[e.rule].matches[m], proxy).is_ok())
    }

    fn request_match(&self, e: &RouteEntry) -> &RequestMatch {
        static EVERYTHING: RequestMatch = RequestMatch {
            conditions: Vec::new(),
        };
        e.matchn.map_or(&EVERYTHING, |m| {
            &self.vss[e.vs].rules[e.rule].matches[m].request
        })
    }

    fn route_ref(&self, e: &RouteEntry) -> RouteRef<'c> {
        RouteRef {
            resource: self.vss[e.vs].res,
            rule: e.rule,
            matchn: e.matchn,
        }
    }
}

/// Whether `taker` names a path and accepts paths that `route`'s path
/// conditions refuse. A longer path losing requests to a shorter one is the
/// surprise worth reporting; a narrower path (or a header rule for every
/// path) before a wider one is the usual order.
fn wider_path(taker: &RequestMatch, route: &RequestMatch, base: &Request) -> bool {
    let path_only = |m: &RequestMatch| RequestMatch {
        conditions: m
            .conditions
            .iter()
            .filter(|c| c.field == Field::Uri)
            .cloned()
            .collect(),
    };
    let (taker, route) = (path_only(taker), path_only(route));
    !taker.conditions.is_empty()
        && !route.conditions.is_empty()
        && matches!(
            witness::find(&[&taker], &[&route], base, None),
            Search::Found(_)
        )
}

/// A GET of `/` to the list's host (a wildcard's first label made concrete)
/// through the list's proxy.
fn base_request(list: &RouteList) -> Request {
    let host = match list.host.strip_prefix('*') {
        Some("") => "example.com".to_string(),
        Some(rest) => format!("www{rest}"),
        None => list.host.clone(),
    };
    let mut req = Request::new(&host);
    if let Some((namespace, name)) = list.proxy.split_once('/') {
        req.entry = Entry::Gateway {
            namespace: namespace.into(),
            name: name.into(),
        };
    }
    req
}
