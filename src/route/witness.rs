//! Example requests for match conditions: find a request that every
//! `required` match takes and every `avoid` match refuses, or show that none
//! exists. The answer is what the shadowing analysis stands on.
//!
//! Each field (path, a header, the port, ...) gets a finite list of candidate
//! values: the literals the conditions name, their case variants, one
//! "generic" extension of each (a value that starts with the literal but is
//! no other literal and starts no other), and a natural default. For exact,
//! prefix and presence conditions these candidates represent every class of
//! values the conditions can tell apart, so "no candidate works" proves that
//! no request does. A regex that is not a literal, a literal prefix with
//! `.*`, or an alternation of literals is only sampled; a "no" that depends
//! on one is reported as [`Search::Unknown`].

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::HashSet;

use fixedbitset::FixedBitSet;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::matcher::{Condition, Field, Matcher, RequestMatch, bounds_meet};
use super::request::{Entry, Request};

/// The outcome of a search.
#[derive(Debug)]
pub enum Search {
    /// A request that satisfies the query.
    Found(Box<Example>),
    /// No request can: the conditions exclude every one.
    Impossible,
    /// Not decided (a sampled regex, or the search grew too large).
    Unknown,
}

/// A request, as the options of `meshctl route` that send it.
#[derive(Debug, Clone)]
pub struct Example {
    pub request: Request,
    pub port: Option<u16>,
}

impl Example {
    /// `--host h --path /p -H 'k: v' ...`: the request as `meshctl route` options.
    pub fn route_args(&self) -> String {
        let req = &self.request;
        let mut args = vec![format!("--host {}", req.authority)];
        if let Entry::Gateway { .. } = req.entry {
            args.push(format!("--gateway {}", req.entry.label()));
        }
        if let Some(port) = self.port {
            args.push(format!("--port {port}"));
        }
        if req.method != "GET" {
            args.push(format!("--method {}", quoted(&req.method)));
        }
        if req.path_only() != "/" {
            args.push(format!("--path {}", quoted(req.path_only())));
        }
        if let Some((_, query)) = req.path.split_once('?') {
            args.extend(query.split('&').map(|kv| format!("--query {}", quoted(kv))));
        }
        for (k, v) in &req.headers {
            args.push(format!("-H {}", quoted(&format!("{k}: {v}"))));
        }
        if req.source_namespace != "default" {
            args.push(format!("--source-namespace {}", req.source_namespace));
        }
        for (k, v) in &req.source_labels {
            args.push(format!("--source-label {}", quoted(&format!("{k}={v}"))));
        }
        args.join(" ")
    }
}

/// A shell word: quoted unless it is plainly safe.
fn quoted(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.=:,@%+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Visits of the search tree before it gives up.
const BUDGET: usize = 20_000;
/// Characters tried, in order, to extend a literal into a generic value.
const GENERIC: &[char] = &['x', 'q', 'z', 'k', '0', '9', '-', '_', '~', '.'];

/// Finds a request that all `required` matches take and no `avoid` match
/// does, starting from `base` on listener `port` for the fields no condition
/// reads.
pub fn find(
    required: &[&RequestMatch],
    avoid: &[&RequestMatch],
    base: &Request,
    port: Option<u16>,
) -> Search {
    for (i, a) in required.iter().enumerate() {
        if required[i + 1..].iter().any(|b| !may_overlap(a, b)) {
            return Search::Impossible;
        }
    }
    // A match that shares no request with the required ones refuses all of
    // their requests anyway.
    let avoid: Vec<&RequestMatch> = avoid
        .iter()
        .copied()
        .filter(|a| required.iter().all(|r| may_overlap(r, a)))
        .collect();
    let avoid = avoid.as_slice();
    let first = search(required, avoid, base, port);
    if !matches!(first, Search::Unknown) || required.iter().any(|m| has_opaque(m)) {
        return first;
    }
    // Without the avoided matches that carry an opaque regex the candidates
    // are complete again; if nothing escapes even the rest, nothing escapes.
    let plain: Vec<&RequestMatch> = avoid.iter().copied().filter(|m| !has_opaque(m)).collect();
    if plain.len() == avoid.len() {
        return first;
    }
    match search(required, &plain, base, port) {
        Search::Impossible => Search::Impossible,
        _ => Search::Unknown,
    }
}

/// False when two matches plainly share no request: on some field the
/// literals their values must equal or start with exclude each other. True
/// otherwise.
pub fn may_overlap(a: &RequestMatch, b: &RequestMatch) -> bool {
    !a.conditions.iter().any(|x| {
        x.literal_bound().is_some_and(|bx| {
            b.conditions
                .iter()
                .filter(|y| y.field == x.field)
                .filter_map(Condition::literal_bound)
                .any(|by| !bounds_meet(bx, by))
        })
    })
}

/// Whether a condition of `m` is a regex that is only sampled.
pub fn has_opaque(m: &RequestMatch) -> bool {
    m.conditions.iter().any(|c| !Shape::values(&c.matcher).1)
}

fn search(
    required: &[&RequestMatch],
    avoid: &[&RequestMatch],
    base: &Request,
    port: Option<u16>,
) -> Search {
    if avoid.iter().any(|m| m.conditions.is_empty()) {
        return Search::Impossible;
    }
    let mut by_field: BTreeMap<&Field, Vec<&Condition>> = BTreeMap::new();
    for c in required.iter().chain(avoid).flat_map(|m| &m.conditions) {
        by_field.entry(&c.field).or_default().push(c);
    }
    let mut complete = true;
    let mut fields: Vec<(&Field, Vec<Option<String>>)> = Vec::new();
    for (field, conditions) in by_field {
        let needed: Vec<&Condition> = required
            .iter()
            .flat_map(|m| &m.conditions)
            .filter(|c| &c.field == field)
            .collect();
        let holds = |v: Option<&str>| needed.iter().all(|c| c.holds(v));
        let (values, exact) = candidates(field, &conditions, base, port, &holds);
        complete &= exact;
        if values.is_empty() {
            return if complete {
                Search::Impossible
            } else {
                Search::Unknown
            };
        }
        fields.push((field, values));
    }
    // kills[f][v]: the avoided matches that value v of field f refuses.
    let kills: Vec<Vec<FixedBitSet>> = fields
        .iter()
        .map(|(field, values)| {
            values
                .iter()
                .map(|v| {
                    let mut set = FixedBitSet::with_capacity(avoid.len());
                    for (i, m) in avoid.iter().enumerate() {
                        let refuses = m
                            .conditions
                            .iter()
                            .any(|c| &c.field == *field && !c.holds(v.as_deref()));
                        set.set(i, refuses);
                    }
                    set
                })
                .collect()
        })
        .collect();
    let mut walk = Walk {
        kills: &kills,
        reachable: reachable_kills(&kills, avoid.len()),
        choice: vec![0; fields.len()],
        failed: HashSet::default(),
        visits: 0,
    };
    match walk.dfs(0, FixedBitSet::with_capacity(avoid.len())) {
        Some(true) => {
            let (request, port) = build(base, port, &fields, &walk.choice);
            let verified = required.iter().all(|m| m.accepts(&request, port))
                && !avoid.iter().any(|m| m.accepts(&request, port));
            if verified {
                Search::Found(Box::new(Example { request, port }))
            } else {
                Search::Unknown
            }
        }
        Some(false) if complete => Search::Impossible,
        _ => Search::Unknown,
    }
}

/// For each depth, the avoided matches that some later field could still refuse.
fn reachable_kills(kills: &[Vec<FixedBitSet>], n: usize) -> Vec<FixedBitSet> {
    let mut out = vec![FixedBitSet::with_capacity(n); kills.len() + 1];
    for depth in (0..kills.len()).rev() {
        let mut set = out[depth + 1].clone();
        for k in &kills[depth] {
            set.union_with(k);
        }
        out[depth] = set;
    }
    out
}

struct Walk<'k> {
    kills: &'k [Vec<FixedBitSet>],
    reachable: Vec<FixedBitSet>,
    choice: Vec<usize>,
    failed: HashSet<(usize, FixedBitSet)>,
    visits: usize,
}

impl Walk<'_> {
    /// `Some(true)`: every avoided match is refused by the choices made;
    /// `Some(false)`: impossible from here; `None`: out of budget.
    fn dfs(&mut self, depth: usize, killed: FixedBitSet) -> Option<bool> {
        if killed.is_full() {
            return Some(true);
        }
        let mut could = killed.clone();
        could.union_with(&self.reachable[depth]);
        if !could.is_full() || self.failed.contains(&(depth, killed.clone())) {
            return Some(false);
        }
        self.visits += 1;
        if self.visits > BUDGET {
            return None;
        }
        for (i, k) in self.kills[depth].iter().enumerate() {
            let mut next = killed.clone();
            next.union_with(k);
            self.choice[depth] = i;
            if self.dfs(depth + 1, next)? {
                return Some(true);
            }
        }
        self.failed.insert((depth, killed));
        Some(false)
    }
}

/// The request that takes the chosen value of every field.
fn build(
    base: &Request,
    port: Option<u16>,
    fields: &[(&Field, Vec<Option<String>>)],
    choice: &[usize],
) -> (Request, Option<u16>) {
    let mut req = base.clone();
    let mut port = port;
    let mut query = Vec::new();
    for ((field, values), &i) in fields.iter().zip(choice) {
        let Some(value) = values[i].clone() else {
            continue;
        };
        match field {
            Field::Uri => req.path = value,
            Field::Scheme => req.scheme = value,
            Field::Method => req.method = value,
            Field::Authority => req.authority = value,
            Field::Header(name) => {
                req.headers.insert(name.clone(), value);
            }
            Field::Query(name) => query.push(format!("{name}={value}")),
            Field::Port => port = value.parse().ok(),
            Field::SourceNamespace => req.source_namespace = value,
            Field::SourceLabel(key) => {
                req.source_labels.insert(key.clone(), value);
            }
        }
    }
    // Fields that were left untouched keep the base values, except the path,
    // whose query string the base must not leak into a candidate.
    if !query.is_empty() {
        req.path = format!("{}?{}", req.path_only(), query.join("&"));
    }
    (req, port)
}

/// The candidate values of a field that `keep` accepts, in order, each
/// once; and whether the candidates are complete.
fn candidates(
    field: &Field,
    conditions: &[&Condition],
    base: &Request,
    port: Option<u16>,
    keep: &dyn Fn(Option<&str>) -> bool,
) -> (Vec<Option<String>>, bool) {
    let natural = field.read(base, port);
    let mut values = Kept::new(keep);
    values.offer(natural.as_deref());
    if *field == Field::Port {
        let literals: Vec<String> = conditions.iter().map(|c| literal(&c.matcher)).collect();
        for l in &literals {
            values.offer(Some(l));
        }
        let unused = [80u16, 8080, 9080, 443, 15000]
            .into_iter()
            .map(|p| p.to_string())
            .find(|p| natural.as_deref() != Some(p) && !literals.contains(p));
        values.offer(unused.as_deref());
        return (values.out, true);
    }
    let mut complete = true;
    let mut literals: Vec<Cow<str>> = Vec::new();
    for c in conditions {
        let (named, exact) = Shape::values(&c.matcher);
        complete &= exact;
        literals.extend(named.iter().map(|l| Cow::Borrowed(l.as_str())));
    }
    let folds = conditions.iter().any(|c| c.fold);
    if folds {
        let variants: Vec<Cow<str>> = literals
            .iter()
            .flat_map(|l| [l.to_ascii_lowercase(), l.to_ascii_uppercase()])
            .map(Cow::Owned)
            .collect();
        literals.extend(variants);
    }
    let root = if *field == Field::Uri { "/" } else { "" };
    if !matches!(
        field,
        Field::Uri | Field::Scheme | Field::Method | Field::Authority
    ) {
        values.offer(None);
    }
    if *field != Field::Uri {
        values.offer(Some(""));
    }
    values.offer(Some(root));
    let continuations = Continuations::new(&literals, folds);
    let mut extended = String::new();
    for l in std::iter::once(root).chain(literals.iter().map(|l| l.as_ref())) {
        values.offer(Some(l));
        if let Some(c) = continuations.generic_char(l) {
            extended.clear();
            extended.push_str(l);
            extended.push(c);
            values.offer(Some(&extended));
        }
    }
    (values.out, complete)
}

/// The values `keep` accepts, in order, each once.
struct Kept<'k> {
    keep: &'k dyn Fn(Option<&str>) -> bool,
    seen: HashSet<String>,
    seen_none: bool,
    out: Vec<Option<String>>,
}

impl<'k> Kept<'k> {
    fn new(keep: &'k dyn Fn(Option<&str>) -> bool) -> Kept<'k> {
        Kept {
            keep,
            seen: HashSet::default(),
            seen_none: false,
            out: Vec::new(),
        }
    }

    fn offer(&mut self, value: Option<&str>) {
        if !(self.keep)(value) {
            return;
        }
        let new = match value {
            None => !std::mem::replace(&mut self.seen_none, true),
            Some(v) => !self.seen.contains(v) && self.seen.insert(v.to_string()),
        };
        if new {
            self.out.push(value.map(str::to_string));
        }
    }
}

/// The literals of a field, sorted (lower-cased when the field folds case),
/// to tell how they continue a prefix.
struct Continuations {
    keys: Vec<String>,
    fold: bool,
}

impl Continuations {
    fn new(literals: &[Cow<str>], fold: bool) -> Continuations {
        let mut keys: Vec<String> = literals
            .iter()
            .map(|l| {
                if fold {
                    l.to_ascii_lowercase()
                } else {
                    l.to_string()
                }
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        Continuations { keys, fold }
    }

    /// Whether some literal starts with `key`.
    fn continue_with(&self, key: &str) -> bool {
        let at = self.keys.partition_point(|k| k.as_str() < key);
        self.keys.get(at).is_some_and(|k| k.starts_with(key))
    }

    /// A character that no literal continues `prefix` with: `prefix` and
    /// it make a value that is no literal and starts none.
    fn generic_char(&self, prefix: &str) -> Option<char> {
        let mut key = if self.fold {
            prefix.to_ascii_lowercase()
        } else {
            prefix.to_string()
        };
        GENERIC.iter().copied().find(|&c| {
            key.push(c);
            let taken = self.continue_with(&key);
            key.pop();
            !taken
        })
    }
}

fn literal(m: &Matcher) -> String {
    match m {
        Matcher::Exact(s) | Matcher::Prefix(s) => s.clone(),
        Matcher::Regex(r) => r.source.clone(),
        Matcher::Invalid(source) => source.clone(),
        Matcher::Present => String::new(),
    }
}

/// What a matcher's values look like to the candidate generator.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Literals whose classes (with their generic extensions) are complete.
    Literals(Vec<String>),
    /// Sample values of a regex the generator cannot enumerate.
    Opaque(Vec<String>),
}

impl Shape {
    /// The values a matcher names, and whether they are complete.
    fn values(m: &Matcher) -> (&[String], bool) {
        match m {
            Matcher::Exact(s) | Matcher::Prefix(s) => (std::slice::from_ref(s), true),
            Matcher::Present | Matcher::Invalid(_) => (&[], true),
            Matcher::Regex(r) => match r
                .shape
                .get_or_init(|| Shape::of_regex(&r.source, &r.anchored))
            {
                Shape::Literals(l) => (l, true),
                Shape::Opaque(samples) => (samples, false),
            },
        }
    }

    fn of_regex(source: &str, anchored: &regex::Regex) -> Shape {
        let Ok(hir) = regex_syntax::parse(source) else {
            return Shape::Opaque(Vec::new());
        };
        match regex_literals(&hir) {
            Some(literals) => Shape::Literals(literals),
            None => Shape::Opaque(
                samples(&hir)
                    .into_iter()
                    .filter(|s| anchored.is_match(s))
                    .collect(),
            ),
        }
    }
}

/// The literals of a regex built from literals, alternations, anchors
/// (redundant: Envoy's regexes match the whole value) and `.*` at the very
/// end (a prefix). `None` for anything else, or too many literals.
fn regex_literals(hir: &Hir) -> Option<Vec<String>> {
    literals_of(hir, true)
}

fn literals_of(hir: &Hir, at_end: bool) -> Option<Vec<String>> {
    const MAX: usize = 16;
    if at_end && is_any_string(hir) {
        return Some(vec![String::new()]);
    }
    let out = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![String::new()],
        HirKind::Literal(lit) => vec![String::from_utf8(lit.0.to_vec()).ok()?],
        HirKind::Capture(cap) => literals_of(&cap.sub, at_end)?,
        HirKind::Alternation(alts) => {
            let mut out = Vec::new();
            for alt in alts {
                out.extend(literals_of(alt, at_end)?);
            }
            out
        }
        HirKind::Concat(parts) => {
            let mut out = vec![String::new()];
            for (i, part) in parts.iter().enumerate() {
                let last = at_end
                    && parts[i + 1..]
                        .iter()
                        .all(|p| matches!(p.kind(), HirKind::Look(_)));
                let tails = literals_of(part, last)?;
                out = out
                    .iter()
                    .flat_map(|head| tails.iter().map(move |t| format!("{head}{t}")))
                    .collect();
                if out.len() > MAX {
                    return None;
                }
            }
            out
        }
        _ => return None,
    };
    (out.len() <= MAX).then_some(out)
}

/// `.*`: any run of characters (a line break aside, which paths and header
/// values do not carry).
fn is_any_string(hir: &Hir) -> bool {
    let HirKind::Repetition(rep) = hir.kind() else {
        return false;
    };
    if rep.min != 0 || rep.max.is_some() {
        return false;
    }
    match rep.sub.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let covered: u64 = class
                .ranges()
                .iter()
                .map(|r| u64::from(r.end()) - u64::from(r.start()) + 1)
                .sum();
            // All of Unicode's scalar values but at most `\n`.
            covered + 1 >= 0x10_F800
        }
        HirKind::Class(Class::Bytes(class)) => {
            let covered: u32 = class
                .ranges()
                .iter()
                .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
                .sum();
            covered >= 255
        }
        _ => false,
    }
}

/// A few strings of the regex's language (callers filter by the regex).
fn samples(hir: &Hir) -> Vec<String> {
    const MAX: usize = 6;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![String::new()],
        HirKind::Literal(lit) => vec![String::from_utf8_lossy(&lit.0).into_owned()],
        HirKind::Class(Class::Unicode(class)) => {
            let mut out: Vec<String> = class
                .ranges()
                .iter()
                .flat_map(|r| [r.start(), r.end()])
                .filter(|c| !c.is_control())
                .map(String::from)
                .collect();
            out.dedup();
            out.truncate(MAX);
            out
        }
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .flat_map(|r| [r.start(), r.end()])
            .filter(u8::is_ascii_graphic)
            .map(|b| char::from(b).to_string())
            .take(MAX)
            .collect(),
        HirKind::Capture(cap) => samples(&cap.sub),
        HirKind::Repetition(rep) => {
            let inner = samples(&rep.sub);
            let times = |n: u32| inner.iter().map(move |s| s.repeat(n as usize));
            let mut out: Vec<String> = times(rep.min).collect();
            if rep.max.is_none_or(|m| m > rep.min) {
                out.extend(times(rep.min + 1));
            }
            out.truncate(MAX);
            out
        }
        HirKind::Alternation(alts) => alts.iter().flat_map(samples).take(MAX).collect(),
        HirKind::Concat(parts) => parts.iter().fold(vec![String::new()], |acc, part| {
            let next = samples(part);
            acc.iter()
                .flat_map(|a| next.iter().map(move |n| format!("{a}{n}")))
                .take(MAX)
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::model::virtual_service::HttpMatch;
    use crate::route::matcher::Regexes;

    fn compiled(m: &Value) -> RequestMatch {
        let m: HttpMatch = serde_json::from_value(m.clone()).expect("a valid match");
        RequestMatch::compile(&m, &mut Regexes::default())
    }

    fn found(required: &[&Value], avoid: &[&Value]) -> Search {
        let required: Vec<RequestMatch> = required.iter().map(|m| compiled(m)).collect();
        let avoid: Vec<RequestMatch> = avoid.iter().map(|m| compiled(m)).collect();
        find(
            &required.iter().collect::<Vec<_>>(),
            &avoid.iter().collect::<Vec<_>>(),
            &Request::new("shop.example.com"),
            Some(80),
        )
    }

    /// The example request and port of a search that found one.
    fn request(s: Search) -> (Request, Option<u16>) {
        let found = match s {
            Search::Found(example) => Some(*example),
            _ => None,
        };
        let example = found.expect("the search finds a request");
        (example.request, example.port)
    }

    #[test]
    fn a_longer_prefix_escapes_a_shorter_exact_but_not_a_shorter_prefix() {
        // §6.21: a VirtualService uri prefix is a raw string prefix.
        let later = json!({"uri": {"prefix": "/api/v2"}});
        let (req, _) = request(found(&[&later], &[&json!({"uri": {"exact": "/api"}})]));
        assert!(req.path.starts_with("/api/v2"));
        let earlier = json!({"uri": {"prefix": "/api"}});
        assert!(matches!(found(&[&later], &[&earlier]), Search::Impossible));
    }

    #[test]
    fn a_union_of_earlier_matches_can_cover_what_neither_covers_alone() {
        let later = json!({"uri": {"prefix": "/a"}, "headers": {"x-env": {"exact": "prod"}}});
        let get = json!({"method": {"exact": "GET"}});
        let not_get = json!({"method": {"regex": ".*"}});
        assert!(matches!(
            found(&[&later], &[&get, &not_get]),
            Search::Impossible
        ));
        let (req, _) = request(found(&[&later], &[&get]));
        assert_ne!(req.method, "GET");
        assert_eq!(req.header("x-env"), Some("prod"));
    }

    #[test]
    fn without_headers_and_missing_headers_follow_envoy() {
        // §6.22: withoutHeaders with a value matches requests lacking the header.
        let later = json!({"uri": {"prefix": "/"}, "withoutHeaders": {"x-beta": {"exact": "on"}}});
        let present = json!({"headers": {"x-beta": {}}});
        let (req, _) = request(found(&[&later], &[&present]));
        assert_eq!(req.header("x-beta"), None);
        let on = json!({"headers": {"x-beta": {"exact": "on"}}});
        assert!(matches!(found(&[&on], &[&present]), Search::Impossible));
    }

    #[test]
    fn ignore_uri_case_widens_the_later_match() {
        let folded = json!({"uri": {"exact": "/Login"}, "ignoreUriCase": true});
        let exact = json!({"uri": {"exact": "/Login"}});
        let (req, _) = request(found(&[&folded], &[&exact]));
        assert!(req.path.eq_ignore_ascii_case("/login") && req.path != "/Login");
        assert!(matches!(found(&[&exact], &[&folded]), Search::Impossible));
    }

    #[test]
    fn prefix_regexes_decide_and_other_regexes_only_find_examples() {
        let v1 = json!({"uri": {"prefix": "/api/v1"}});
        let any_api = json!({"uri": {"regex": "/api/.*"}});
        assert!(matches!(found(&[&v1], &[&any_api]), Search::Impossible));
        // `[0-9]+` is sampled: an escape is proven by example, a cover is not.
        let numbered = json!({"uri": {"regex": "/v[0-9]+"}});
        let v = json!({"uri": {"prefix": "/v"}});
        assert!(matches!(found(&[&numbered], &[&v]), Search::Unknown));
        let v0 = json!({"uri": {"exact": "/v0"}});
        let (req, _) = request(found(&[&numbered], &[&v0]));
        assert!(req.path.starts_with("/v") && req.path != "/v0");
        // `.*` inside a regex is no prefix: "/a.*b" does not cover "/ax".
        let a_b = json!({"uri": {"regex": "/a.*b"}});
        let ax = json!({"uri": {"prefix": "/ax"}});
        assert!(!matches!(found(&[&ax], &[&a_b]), Search::Impossible));
        // Anchors and alternations of literals are enumerated exactly.
        let yes = json!({"headers": {"x-canary": {"regex": "^(true|yes)$"}}});
        let exact = json!({"headers": {"x-canary": {"exact": "yes"}}});
        assert!(matches!(found(&[&exact], &[&yes]), Search::Impossible));
        // An opaque earlier match does not stop a proof by the others.
        let a = json!({"uri": {"prefix": "/a"}});
        let letters = json!({"uri": {"regex": "/[a-z]+"}});
        let all = json!({"uri": {"prefix": "/"}});
        assert!(matches!(
            found(&[&a], &[&letters, &all]),
            Search::Impossible
        ));
    }

    #[test]
    fn query_parameters_and_ports_take_part() {
        let later = json!({"uri": {"prefix": "/"}, "queryParams": {"v": {"exact": "2"}}});
        let earlier = json!({"port": 80, "queryParams": {"v": {"exact": "2"}}});
        let (req, port) = request(found(&[&later], &[&earlier]));
        assert_eq!(req.query_param("v"), Some("2"));
        assert_ne!(port, Some(80));
    }
}
