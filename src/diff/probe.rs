//! The requests `diff` routes for one host at one entry: for each route of
//! either side a request that reaches it, one that reaches it and no route
//! of the other side, one that no route takes, and for each pair of routes
//! (one per side) one that reaches both, so that every pair of rules a
//! request can meet on the two sides is tried.

use std::collections::HashSet;

use crate::route::matcher::RequestMatch;
use crate::route::witness::{self, Example, Search};
use crate::route::{Request, RoutingTable};

/// Pairs of routes past which only single routes are searched: a host with
/// hundreds of routes on each side would otherwise cost their product.
const PAIR_LIMIT: usize = 4096;

/// Each route with the routes tried before it in its list.
fn positioned<'t>(
    lists: &[Vec<&'t RequestMatch>],
) -> Vec<(&'t RequestMatch, Vec<&'t RequestMatch>)> {
    lists
        .iter()
        .flat_map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, m)| (*m, list[..i].to_vec()))
        })
        .collect()
}

/// The requests to route for `host` (as the VirtualServices name it) at
/// `entry`, starting from `base`; distinct, in the order found.
pub fn requests<'a>(
    old: &'a RoutingTable,
    new: &'a RoutingTable,
    base: &Request,
    entry: &str,
    host: &str,
) -> Vec<Example> {
    let before = positioned(&old.route_matches(host, entry));
    let after = positioned(&new.route_matches(host, entry));
    let mut queries: Vec<(Vec<&'a RequestMatch>, Vec<&'a RequestMatch>)> =
        vec![(Vec::new(), Vec::new())];
    for (m, earlier) in before.iter().chain(&after) {
        queries.push((vec![*m], earlier.clone()));
    }
    // Requests that no route of either side takes, and those that a route
    // of one side takes and no route of the other.
    let all = |side: &[(&'a RequestMatch, Vec<&'a RequestMatch>)]| -> Vec<&'a RequestMatch> {
        side.iter().map(|(m, _)| *m).collect()
    };
    let (all_before, all_after) = (all(&before), all(&after));
    queries.push((Vec::new(), [all_before.clone(), all_after.clone()].concat()));
    for (m, earlier) in &before {
        queries.push((vec![*m], [earlier.clone(), all_after.clone()].concat()));
    }
    for (m, earlier) in &after {
        queries.push((vec![*m], [earlier.clone(), all_before.clone()].concat()));
    }
    if before.len() * after.len() <= PAIR_LIMIT {
        for (a, a_earlier) in &before {
            for (b, b_earlier) in &after {
                let avoid = a_earlier.iter().chain(b_earlier).copied().collect();
                queries.push((vec![*a, *b], avoid));
            }
        }
    }
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for (required, avoid) in queries {
        let example = if required.is_empty() && avoid.is_empty() {
            Example {
                request: base.clone(),
                port: None,
            }
        } else {
            match witness::find(&required, &avoid, base, None) {
                Search::Found(example) => *example,
                Search::Impossible | Search::Unknown => continue,
            }
        };
        if seen.insert(example.route_args()) {
            found.push(example);
        }
    }
    found
}
