//! The earlier routes of one route list, indexed so that the shadowing
//! analysis meets, for each route, only the earlier matches that may share a
//! request with it: identical matches are kept once (a group), and groups
//! are found by their path literal (exact paths by value, prefixes and
//! regexes by their literal prefix) in an ordered map, the way a trie finds a
//! string's prefixes and extensions.

use std::collections::BTreeMap;

use foldhash::HashMap;

use crate::route::matcher::{Condition, Field, Matcher, RequestMatch, bounds_meet};

/// The earlier matches of a route list, grouped by identical conditions.
#[derive(Default)]
pub(super) struct EarlierMatches<'m> {
    groups: Vec<Group<'m>>,
    by_conditions: HashMap<Key<'m>, usize>,
    /// Groups by the literal their path must start with (or equal).
    by_path: BTreeMap<&'m str, Vec<usize>>,
    /// Groups without a plain path literal: any route may overlap them.
    pathless: Vec<usize>,
}

/// Earlier matches with the same conditions.
pub(super) struct Group<'m> {
    pub request: &'m RequestMatch,
    /// Positions in the route list, in order.
    pub members: Vec<usize>,
    /// The earlier route that alone takes every request of the first
    /// member, when the analysis found one.
    pub covered_by: Option<usize>,
}

/// A match's conditions as a hashable value: equal keys, equal matches.
type Key<'m> = Vec<(&'m Field, u8, &'m str, bool, bool)>;

fn key(m: &RequestMatch) -> Key<'_> {
    m.conditions
        .iter()
        .map(|c| {
            let (kind, text) = match &c.matcher {
                Matcher::Exact(s) => (0, s.as_str()),
                Matcher::Prefix(s) => (1, s.as_str()),
                Matcher::Regex(r) => (2, r.source.as_str()),
                Matcher::Present => (3, ""),
                Matcher::Invalid(s) => (4, s.as_str()),
            };
            (&c.field, kind, text, c.inverted, c.fold)
        })
        .collect()
}

fn path_bound(m: &RequestMatch) -> Option<(&str, bool)> {
    m.conditions
        .iter()
        .find(|c| c.field == Field::Uri)
        .and_then(Condition::literal_bound)
}

impl<'m> EarlierMatches<'m> {
    /// The group with exactly `m`'s conditions, if any.
    pub fn same_as(&self, m: &RequestMatch) -> Option<&Group<'m>> {
        self.by_conditions.get(&key(m)).map(|&g| &self.groups[g])
    }

    /// A group by its number.
    pub fn group(&self, g: usize) -> &Group<'m> {
        &self.groups[g]
    }

    /// Records that the route at `position` comes before the next ones;
    /// returns its group.
    pub fn push(&mut self, position: usize, m: &'m RequestMatch) -> usize {
        let k = key(m);
        if let Some(&g) = self.by_conditions.get(&k) {
            self.groups[g].members.push(position);
            return g;
        }
        let g = self.groups.len();
        self.groups.push(Group {
            request: m,
            members: vec![position],
            covered_by: None,
        });
        self.by_conditions.insert(k, g);
        match path_bound(m) {
            Some((literal, _)) => self.by_path.entry(literal).or_default().push(g),
            None => self.pathless.push(g),
        }
        g
    }

    /// Notes the route that alone covers the first member of group `g`.
    pub fn set_covered_by(&mut self, g: usize, by: usize) {
        self.groups[g].covered_by = Some(by);
    }

    /// The groups (by number, in order of their first member) that `m` may
    /// overlap by its path: a superset of those
    /// [`crate::route::witness::may_overlap`] keeps.
    pub fn overlapping(&self, m: &RequestMatch) -> Vec<usize> {
        let Some(bound) = path_bound(m) else {
            return (0..self.groups.len()).collect();
        };
        let (literal, whole) = bound;
        let mut found: Vec<usize> = self.pathless.clone();
        // Literals that are prefixes of this one...
        for end in (0..=literal.len()).filter(|&i| literal.is_char_boundary(i)) {
            if let Some(groups) = self.by_path.get(&literal[..end]) {
                found.extend(groups.iter().copied().filter(|&g| {
                    path_bound(self.groups[g].request).is_some_and(|b| bounds_meet(b, bound))
                }));
            }
        }
        // ...and, for a prefix, the literals that extend it.
        if !whole {
            let longer = self
                .by_path
                .range::<str, _>((
                    std::ops::Bound::Excluded(literal),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(l, _)| l.starts_with(literal));
            found.extend(longer.flat_map(|(_, groups)| groups.iter().copied()));
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::common::StringMatch;
    use crate::model::virtual_service::HttpMatch;
    use crate::route::matcher::Regexes;
    use crate::route::witness::may_overlap;

    /// A uri condition: 0 exact, 1 prefix, 2 regex (literal then a class),
    /// 3 case-folded prefix, 4 none; plus a method condition or not.
    fn compile(kind: u8, literal: &str, method: bool, regexes: &mut Regexes) -> RequestMatch {
        let sm = |f: fn(&mut StringMatch, String), v: String| {
            let mut m = StringMatch::default();
            f(&mut m, v);
            Some(Box::new(m))
        };
        let uri = match kind {
            0 => sm(|m, v| m.exact = Some(v), literal.into()),
            1 | 3 => sm(|m, v| m.prefix = Some(v), literal.into()),
            2 => sm(|m, v| m.regex = Some(v), format!("{literal}[a-z]*")),
            _ => None,
        };
        let m = HttpMatch {
            uri,
            ignore_uri_case: kind == 3,
            method: method
                .then(|| sm(|m, v| m.exact = Some(v), "GET".into()))
                .flatten(),
            ..HttpMatch::default()
        };
        RequestMatch::compile(&m, regexes)
    }

    proptest! {
        /// The index never hides an earlier match that may overlap: what
        /// it returns is a superset of what `may_overlap` keeps.
        #[test]
        fn the_index_keeps_every_match_that_may_overlap(
            routes in prop::collection::vec((0u8..5, "[/ab]{0,4}", any::<bool>()), 1..40)
        ) {
            let mut regexes = Regexes::default();
            let matches: Vec<RequestMatch> = routes
                .iter()
                .map(|(kind, literal, method)| compile(*kind, literal, *method, &mut regexes))
                .collect();
            let mut earlier = EarlierMatches::default();
            for (pos, m) in matches.iter().enumerate() {
                let found = earlier.overlapping(m);
                for g in 0..earlier.groups.len() {
                    if may_overlap(m, earlier.group(g).request) {
                        prop_assert!(found.contains(&g), "route {pos} misses group {g}");
                    }
                }
                prop_assert!(found.windows(2).all(|w| w[0] < w[1]), "in order, once");
                earlier.push(pos, m);
            }
            // Identical matches share a group.
            for m in &matches {
                let group = earlier.same_as(m).expect("every pushed match has a group");
                prop_assert!(group.members.iter().all(|&p| super::key(&matches[p]) == super::key(m)));
            }
        }
    }
}
