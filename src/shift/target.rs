//! Which route a shift moves, and from which destination to which.

use crate::model::{Config, Resource, VirtualService};

/// A destination of the route being moved.
#[derive(Debug, Clone)]
pub struct Dest {
    /// Its subset, or its host when it has none.
    pub label: String,
    pub host: String,
    pub subset: Option<String>,
    /// The weight as written.
    pub weight: Option<i64>,
    /// The JSON pointer of the route entry (`/spec/http/0/route/1`).
    pub pointer: String,
}

impl Dest {
    /// The weight in force: as written, else 0 (100 for a lone destination).
    pub fn effective_weight(&self, lone: bool) -> u32 {
        match self.weight {
            Some(w) => u32::try_from(w).unwrap_or(0),
            None if lone => 100,
            None => 0,
        }
    }
}

/// The kind of resource whose route is moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// An http route of a VirtualService: destinations by subset or host.
    VirtualService,
    /// A rule of a Gateway API HTTPRoute: backendRefs by Service name.
    HttpRoute,
}

/// The route a shift moves.
#[derive(Debug)]
pub struct Split {
    pub kind: RouteKind,
    /// Index of the resource's document.
    pub doc: usize,
    pub namespace: String,
    /// `VirtualService shop/reviews rule `canary``.
    pub label: String,
    pub destinations: Vec<Dest>,
    /// Index of the destination traffic leaves (the stable one).
    pub from: usize,
    /// Index of the destination traffic goes to (the canary).
    pub to: usize,
}

impl Split {
    /// `VirtualService shop/reviews rule `canary``.
    pub fn describe(&self) -> String {
        self.label.clone()
    }

    /// `weights` with the canary (`to`) at `canary` (capped at what `from` and
    /// `to` carry together) and `from` taking the rest of that pair.
    pub fn weights_with(&self, weights: &[u32], canary: u32) -> Vec<u32> {
        let pair = weights[self.from] + weights[self.to];
        let mut out = weights.to_vec();
        out[self.to] = canary.min(pair);
        out[self.from] = pair - out[self.to];
        out
    }

    /// The weights in force, in route order: as written, else 0 in a
    /// VirtualService (100 for a lone destination) and 1 in an HTTPRoute
    /// (the Gateway API default).
    pub fn weights(&self) -> Vec<u32> {
        let lone = self.destinations.len() == 1;
        self.destinations
            .iter()
            .map(|d| match (self.kind, d.weight) {
                (RouteKind::HttpRoute, None) => 1,
                _ => d.effective_weight(lone),
            })
            .collect()
    }
}

/// What the user said about the route to move.
#[derive(Debug, Default)]
pub struct Selector<'a> {
    /// `NAME` or `NAMESPACE/NAME`.
    pub virtual_service: Option<&'a str>,
    /// A rule name or index.
    pub route: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

fn describe_rule<T>(res: &Resource<T>, name: Option<&str>, rule: usize) -> String {
    let name = name.map_or_else(|| format!("rule #{rule}"), |n| format!("rule `{n}`"));
    format!(
        "{} {}/{} {name}",
        res.kind.as_str(),
        res.namespace,
        res.name()
    )
}

/// A weighted route the selector may pick.
struct Candidate<'c> {
    kind: RouteKind,
    doc: usize,
    namespace: &'c str,
    name: &'c str,
    rule_name: Option<&'c str>,
    index: usize,
    label: String,
    dests: Vec<Dest>,
}

/// Every http route of the VirtualServices and every HTTPRoute rule.
fn routes(config: &Config) -> Vec<Candidate<'_>> {
    let vs = config.virtual_services.iter().flat_map(|vs| {
        vs.spec
            .http
            .iter()
            .enumerate()
            .map(move |(i, rule)| Candidate {
                kind: RouteKind::VirtualService,
                doc: vs.doc,
                namespace: &vs.namespace,
                name: vs.name(),
                rule_name: rule.name.as_deref(),
                index: i,
                label: describe_rule(vs, rule.name.as_deref(), i),
                dests: destinations(vs, i),
            })
    });
    let http = config.http_routes.iter().flat_map(|hr| {
        hr.spec
            .rules
            .iter()
            .enumerate()
            .map(move |(i, rule)| Candidate {
                kind: RouteKind::HttpRoute,
                doc: hr.doc,
                namespace: &hr.namespace,
                name: hr.name(),
                rule_name: rule.name.as_deref(),
                index: i,
                label: describe_rule(hr, rule.name.as_deref(), i),
                dests: rule
                    .backend_refs
                    .iter()
                    .enumerate()
                    .map(|(j, b)| Dest {
                        label: b.name.clone(),
                        host: b.name.clone(),
                        subset: None,
                        weight: b.weight.and_then(|w| i64::try_from(w).ok()),
                        pointer: format!("/spec/rules/{i}/backendRefs/{j}"),
                    })
                    .collect(),
            })
    });
    vs.chain(http).collect()
}

fn destinations(vs: &Resource<VirtualService>, rule: usize) -> Vec<Dest> {
    vs.spec.http[rule]
        .route
        .iter()
        .enumerate()
        .map(|(j, r)| Dest {
            label: r
                .destination
                .subset
                .clone()
                .unwrap_or_else(|| r.destination.host.clone()),
            host: r.destination.host.clone(),
            subset: r.destination.subset.clone(),
            weight: r.weight,
            pointer: format!("/spec/http/{rule}/route/{j}"),
        })
        .collect()
}

fn names(d: &Dest, wanted: &str) -> bool {
    d.label == wanted || d.host == wanted
}

/// Finds the one route the selector points at.
pub fn find(config: &Config, sel: &Selector) -> Result<Split, String> {
    let mut candidates = Vec::new();
    let mut seen: Vec<Dest> = Vec::new();
    for c in routes(config) {
        if let Some(want) = sel.virtual_service
            && want != c.name
            && want != format!("{}/{}", c.namespace, c.name)
        {
            continue;
        }
        if let Some(want) = sel.route
            && c.rule_name != Some(want)
            && want.parse() != Ok(c.index)
        {
            continue;
        }
        let has = |x: Option<&str>| x.is_none_or(|x| c.dests.iter().any(|d| names(d, x)));
        let named = sel.from.is_some() || sel.to.is_some();
        if has(sel.from) && has(sel.to) && (named || c.dests.len() == 2) {
            candidates.push(c);
        } else {
            seen.extend(c.dests);
        }
    }
    let chosen = match candidates.len() {
        1 => candidates.remove(0),
        0 => {
            let absent: Vec<&str> = [sel.from, sel.to]
                .into_iter()
                .flatten()
                .filter(|x| !seen.iter().any(|d| names(d, x)))
                .collect();
            return Err(match absent.as_slice() {
                [] => "no route to shift: meshctl shift moves an http route with two destinations \
                       (or the two that --from and --to name); check --virtual-service and --route"
                    .into(),
                names => format!(
                    "no route has a destination `{}`; add it to the route to shift, with `weight: 0`, first",
                    names.join("` or `")
                ),
            });
        }
        _ => {
            let list: Vec<String> = candidates
                .iter()
                .map(|c| {
                    let labels: Vec<&str> = c.dests.iter().map(|d| d.label.as_str()).collect();
                    format!("{} ({})", c.label, labels.join(", "))
                })
                .collect();
            return Err(format!(
                "several routes could be shifted: {}; pick one with --virtual-service and --route",
                list.join("; ")
            ));
        }
    };
    let (from, to) = direction(&chosen.dests, sel)?;
    Ok(Split {
        kind: chosen.kind,
        doc: chosen.doc,
        namespace: chosen.namespace.to_string(),
        label: chosen.label,
        destinations: chosen.dests,
        from,
        to,
    })
}

/// (from, to) by the names given, else the heavier destination is the stable one.
fn direction(dests: &[Dest], sel: &Selector) -> Result<(usize, usize), String> {
    let index = |wanted: &str| -> Result<usize, String> {
        let found: Vec<usize> = (0..dests.len())
            .filter(|&i| names(&dests[i], wanted))
            .collect();
        match found[..] {
            [one] => Ok(one),
            _ => Err(format!(
                "`{wanted}` names {} destinations of the route; name a subset",
                found.len()
            )),
        }
    };
    let other = |i: usize| -> Result<usize, String> {
        match (0..dests.len()).filter(|&j| j != i).collect::<Vec<_>>()[..] {
            [one] => Ok(one),
            _ => Err("the route has more than two destinations: give both --from and --to".into()),
        }
    };
    let (from, to) = match (sel.from, sel.to) {
        (Some(f), Some(t)) => (index(f)?, index(t)?),
        (Some(f), None) => {
            let f = index(f)?;
            (f, other(f)?)
        }
        (None, Some(t)) => {
            let t = index(t)?;
            (other(t)?, t)
        }
        (None, None) => {
            let lone = dests.len() == 1;
            let (a, b) = (0, other(0)?);
            let (wa, wb) = (
                dests[a].effective_weight(lone),
                dests[b].effective_weight(lone),
            );
            match wa.cmp(&wb) {
                std::cmp::Ordering::Greater => (a, b),
                std::cmp::Ordering::Less => (b, a),
                std::cmp::Ordering::Equal => {
                    return Err(format!(
                        "`{}` and `{}` both carry {wa}: say which way with --from and --to",
                        dests[a].label, dests[b].label
                    ));
                }
            }
        }
    };
    if from == to {
        return Err("--from and --to name the same destination".into());
    }
    Ok((from, to))
}
