//! Shadowing: which routes no request can reach, and which lose part of
//! their requests to an earlier route, in every route list a proxy builds
//! (§2.2, §2.5): each sidecar VirtualService alone, and the VirtualServices
//! merged on a gateway for one host, in age order with catch-alls last.

use std::collections::{BTreeMap, BTreeSet};

use super::overlap::{EarlierMatches, Group};
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
    /// No request reaches it. One taker alone covers it when `total` is 1;
    /// otherwise `total` routes cover it together, of which `takers` holds
    /// the first (at most [`NAMED_TAKERS`]).
    Dead {
        takers: Vec<RouteRef<'c>>,
        total: usize,
    },
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

/// Distinct earlier matches beyond which the exact witness search gives way
/// to bounded probes: past it, a route is decided by example requests and
/// by single earlier routes only, so that no list costs more than linear
/// time in its routes.
const SEARCH_LIMIT: usize = 64;

/// How many of the routes that cover a dead route together a finding keeps.
pub const NAMED_TAKERS: usize = 4;

/// What one route's analysis found, and the earlier route that alone
/// covers it, if one does.
struct Verdict<'c> {
    reach: Option<Reach<'c>>,
    covered_by: Option<usize>,
}

impl<'c> Verdict<'c> {
    fn open() -> Verdict<'c> {
        Verdict {
            reach: None,
            covered_by: None,
        }
    }
}

impl<'c> RoutingTable<'c> {
    /// Every route that is dead or partly shadowed, in the first route list
    /// that shows it. A route counts as dead only when it is dead in every
    /// list it belongs to.
    pub fn shadowing(&self) -> Vec<Shadowing<'c>> {
        let mut dead: BTreeMap<(usize, usize, Option<usize>), Shadowing<'c>> = BTreeMap::new();
        let mut partly: BTreeMap<(usize, usize, Option<usize>), Shadowing<'c>> = BTreeMap::new();
        let mut alive: foldhash::HashSet<(usize, usize, Option<usize>)> = Default::default();
        for list in self.route_lists() {
            let entries: Vec<&RouteEntry> = list
                .entries
                .iter()
                .filter(|e| self.applies(e, &list.proxy))
                .collect();
            let base = base_request(&list);
            let mut earlier = EarlierMatches::default();
            for (pos, target) in entries.iter().enumerate() {
                let key = (target.vs, target.rule, target.matchn);
                let this = self.request_match(target);
                let verdict = self.reach(&base, this, &entries, &earlier);
                // A root rule with `delegate` lets through what its delegate
                // does not take, so it takes nothing for sure.
                if self.vss[target.vs].rules[target.rule]
                    .spec
                    .delegate
                    .is_none()
                {
                    let group = earlier.push(pos, this);
                    if let Some(by) = verdict.covered_by
                        && earlier.group(group).members.len() == 1
                    {
                        earlier.set_covered_by(group, by);
                    }
                }
                let Some(reach) = verdict.reach else {
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

    /// How the `earlier` routes of a list leave the route matching `this`:
    /// dead, partly shadowed, or untouched (or not decided).
    fn reach(
        &self,
        base: &Request,
        this: &RequestMatch,
        entries: &[&RouteEntry],
        earlier: &EarlierMatches,
    ) -> Verdict<'c> {
        let refer = |pos: usize| self.route_ref(entries[pos]);
        // An identical earlier match takes everything this one matches; the
        // first route that alone does so is the one that took it from there.
        if let Some(same) = earlier.same_as(this)
            && !witness::has_opaque(this)
            && witness::may_overlap(this, this)
        {
            let taker = same.covered_by.unwrap_or(same.members[0]);
            return Verdict {
                reach: Some(Reach::Dead {
                    takers: vec![refer(taker)],
                    total: 1,
                }),
                covered_by: Some(taker),
            };
        }
        let groups: Vec<&Group> = earlier
            .overlapping(this)
            .into_iter()
            .map(|g| earlier.group(g))
            .filter(|g| witness::may_overlap(this, g.request))
            .collect();
        if groups.is_empty() {
            return Verdict::open();
        }
        let all: Vec<&RequestMatch> = groups.iter().map(|g| g.request).collect();
        let escapes =
            |req: &Request| this.accepts(req, None) && !all.iter().any(|m| m.accepts(req, None));
        let found = |request: Request| {
            Search::Found(Box::new(Example {
                request,
                port: None,
            }))
        };
        // The list's own request is the search's first try: when it gets
        // through, the search's answer is known without building it.
        let search = if escapes(base) {
            found(base.clone())
        } else if all.len() <= SEARCH_LIMIT {
            witness::find(&[this], &all, base, None)
        } else {
            match witness::find(&[this], &[], base, None) {
                Search::Found(own) if escapes(&own.request) => Search::Found(own),
                _ => return self.covered_alone(this, &groups, base, refer),
            }
        };
        match search {
            Search::Impossible => match self.covered_alone(this, &groups, base, refer) {
                covered @ Verdict { reach: Some(_), .. } => covered,
                Verdict { reach: None, .. } => {
                    let mut takers: Vec<usize> = groups
                        .iter()
                        .filter(|g| {
                            matches!(
                                witness::find(&[this, g.request], &[], base, None),
                                Search::Found(_)
                            )
                        })
                        .flat_map(|g| g.members.iter().copied())
                        .collect();
                    takers.sort_unstable();
                    let total = takers.len();
                    takers.truncate(NAMED_TAKERS);
                    Verdict {
                        reach: Some(Reach::Dead {
                            takers: takers.into_iter().map(refer).collect(),
                            total,
                        }),
                        covered_by: None,
                    }
                }
            },
            Search::Found(reaching) => {
                let reach = groups
                    .iter()
                    .take(SEARCH_LIMIT)
                    .enumerate()
                    .find_map(|(k, g)| {
                        // Cheap tests first: the earlier path is wider, and
                        // some request matches both routes.
                        if !wider_path(g.request, this, base)
                            || !matches!(
                                witness::find(&[this, g.request], &[], base, None),
                                Search::Found(_)
                            )
                        {
                            return None;
                        }
                        let Search::Found(taken) =
                            witness::find(&[this, g.request], &all[..k], base, None)
                        else {
                            return None;
                        };
                        Some(Reach::Partly {
                            taker: refer(g.members[0]),
                            reaching: reaching.clone(),
                            taken,
                        })
                    });
                Verdict {
                    reach,
                    covered_by: None,
                }
            }
            Search::Unknown => Verdict::open(),
        }
    }

    /// The first earlier route that alone takes every request `this`
    /// matches.
    fn covered_alone(
        &self,
        this: &RequestMatch,
        groups: &[&Group],
        base: &Request,
        refer: impl Fn(usize) -> RouteRef<'c>,
    ) -> Verdict<'c> {
        // Past the search limit, only matches whose candidates are complete
        // are tried: a sampled regex alone never proves a cover.
        let bounded = groups.len() > SEARCH_LIMIT;
        let alone = groups.iter().find(|g| {
            !(bounded && witness::has_opaque(g.request))
                && matches!(
                    witness::find(&[this], &[g.request], base, None),
                    Search::Impossible
                )
        });
        match alone {
            Some(g) => Verdict {
                reach: Some(Reach::Dead {
                    takers: vec![refer(g.members[0])],
                    total: 1,
                }),
                covered_by: Some(g.members[0]),
            },
            None => Verdict::open(),
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
