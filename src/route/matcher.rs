//! Compiled request matchers: Envoy's semantics for Istio's StringMatch and
//! HTTPMatchRequest (§2.3 of the semantics reference).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::request::Request;
use super::witness::Shape;
use crate::model::SmallMap;
use crate::model::common::StringMatch;
use crate::model::virtual_service::HttpMatch;

/// One string condition.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    Prefix(String),
    /// A full match, as Envoy's `safe_regex`.
    Regex(Arc<RegexMatch>),
    /// `{}` (and `regex: "*"` on headers): the value is present.
    Present,
    /// A regex that does not compile: Istio rejects the resource, so the
    /// condition matches nothing (validate reports it as MC1002).
    Invalid(String),
}

/// A compiled regex condition.
#[derive(Debug)]
pub struct RegexMatch {
    /// The regex as written.
    pub source: String,
    /// `^(?:source)$`.
    pub anchored: Regex,
    /// What every value it accepts starts with (often empty).
    pub literal_prefix: String,
    /// What the witness search enumerates for it, worked out on first use.
    pub shape: OnceLock<Shape>,
}

/// Regexes compiled so far, by source: configurations repeat them, and
/// each is compiled once.
#[derive(Debug, Default)]
pub struct Regexes(HashMap<String, Option<Arc<RegexMatch>>>);

impl Regexes {
    fn get(&mut self, source: &str) -> Option<Arc<RegexMatch>> {
        if let Some(known) = self.0.get(source) {
            return known.clone();
        }
        let compiled = Regex::new(&format!("^(?:{source})$")).ok().map(|anchored| {
            Arc::new(RegexMatch {
                source: source.to_string(),
                anchored,
                literal_prefix: literal_prefix(source),
                shape: OnceLock::new(),
            })
        });
        self.0.insert(source.to_string(), compiled.clone());
        compiled
    }
}

/// The longest string that every match of `source` starts with.
fn literal_prefix(source: &str) -> String {
    let Ok(hir) = regex_syntax::parse(source) else {
        return String::new();
    };
    let prefixes = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let common = prefixes.longest_common_prefix().unwrap_or_default();
    match std::str::from_utf8(common) {
        Ok(text) => text.to_string(),
        Err(e) => String::from_utf8_lossy(&common[..e.valid_up_to()]).into_owned(),
    }
}

impl Matcher {
    /// Compiles a StringMatch.
    pub fn compile(sm: &StringMatch, star_is_presence: bool, regexes: &mut Regexes) -> Matcher {
        match (&sm.exact, &sm.prefix, &sm.regex) {
            (Some(e), _, _) => Matcher::Exact(e.clone()),
            (_, Some(p), _) => Matcher::Prefix(p.clone()),
            (_, _, Some(r)) if star_is_presence && r == "*" => Matcher::Present,
            (_, _, Some(r)) => regexes
                .get(r)
                .map_or_else(|| Matcher::Invalid(r.clone()), Matcher::Regex),
            _ => Matcher::Present,
        }
    }

    /// Whether `value` satisfies the matcher; `fold` compares exact/prefix case-insensitively.
    pub fn matches(&self, value: &str, fold: bool) -> bool {
        match self {
            Matcher::Exact(e) if fold => e.eq_ignore_ascii_case(value),
            Matcher::Exact(e) => e == value,
            Matcher::Prefix(p) if fold => {
                value.len() >= p.len()
                    && value.is_char_boundary(p.len())
                    && value[..p.len()].eq_ignore_ascii_case(p)
            }
            Matcher::Prefix(p) => value.starts_with(p.as_str()),
            Matcher::Regex(r) => r.anchored.is_match(value),
            Matcher::Present => true,
            Matcher::Invalid(_) => false,
        }
    }

    /// How the matcher reads in a trace: `exact "/x"`, `prefix "/api"`, ...
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact(e) => format!("exact {e:?}"),
            Matcher::Prefix(p) => format!("prefix {p:?}"),
            Matcher::Regex(r) => format!("regex {:?}", r.source),
            Matcher::Invalid(source) => format!("invalid regex {source:?} (matches nothing)"),
            Matcher::Present => "present".into(),
        }
    }
}

/// What a condition reads from the request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The path without the query string.
    Uri,
    Scheme,
    Method,
    Authority,
    /// A header by lower-case name.
    Header(String),
    Query(String),
    /// The listener port (a config-time filter, like the two below).
    Port,
    SourceNamespace,
    SourceLabel(String),
}

impl Field {
    /// The field's value in `req` on listener `port`; `None` when absent.
    pub fn read<'r>(&self, req: &'r Request, port: Option<u16>) -> Option<Cow<'r, str>> {
        match self {
            Field::Uri => Some(Cow::Borrowed(req.path_only())),
            Field::Scheme => Some(Cow::Borrowed(&req.scheme)),
            Field::Method => Some(Cow::Borrowed(&req.method)),
            Field::Authority => Some(Cow::Borrowed(&req.authority)),
            Field::Header(name) => req.header(name).map(Cow::Borrowed),
            Field::Query(name) => req.query_param(name).map(Cow::Borrowed),
            Field::Port => port.map(|p| Cow::Owned(p.to_string())),
            Field::SourceNamespace => Some(Cow::Borrowed(&req.source_namespace)),
            Field::SourceLabel(key) => req
                .source_labels
                .get(key)
                .map(|v| Cow::Borrowed(v.as_str())),
        }
    }

    /// Port, sourceNamespace and sourceLabels pick proxies when the
    /// configuration is built; the others are tested per request.
    pub fn is_config_time(&self) -> bool {
        matches!(
            self,
            Field::Port | Field::SourceNamespace | Field::SourceLabel(_)
        )
    }
}

/// One condition of a match on one field of the request.
#[derive(Debug, Clone)]
pub struct Condition {
    pub field: Field,
    pub matcher: Matcher,
    /// `withoutHeaders`: the condition holds when the matcher does not.
    pub inverted: bool,
    /// `ignoreUriCase` on an exact or prefix uri.
    pub fold: bool,
}

impl Condition {
    fn new(field: Field, matcher: Matcher) -> Condition {
        Condition {
            field,
            matcher,
            inverted: false,
            fold: false,
        }
    }

    /// Whether the condition holds for a field value (`None`: absent).
    pub fn holds(&self, value: Option<&str>) -> bool {
        if self.inverted {
            // A missing header counts as empty, and a presence matcher
            // means "must be absent".
            let hit = match (value, &self.matcher) {
                (None, Matcher::Present) => false,
                (None, m) => m.matches("", false),
                (Some(v), m) => m.matches(v, false),
            };
            return !hit;
        }
        value.is_some_and(|v| self.matcher.matches(v, self.fold))
    }

    /// The condition in words: `uri prefix "/api"`, `header "end-user" exact "jason"`.
    pub fn describe(&self) -> String {
        let m = self.matcher.describe();
        let field = match &self.field {
            Field::Uri => "uri".to_string(),
            Field::Scheme => "scheme".into(),
            Field::Method => "method".into(),
            Field::Authority => "authority".into(),
            Field::Header(name) if self.inverted => format!("withoutHeaders {name:?}"),
            Field::Header(name) => format!("header {name:?}"),
            Field::Query(name) => format!("query parameter {name:?}"),
            Field::Port => return format!("port {}", self.literal()),
            Field::SourceNamespace => return format!("sourceNamespace {}", self.literal()),
            Field::SourceLabel(key) => return format!("sourceLabels {key}={}", self.literal()),
        };
        let case = if self.fold { " (ignoring case)" } else { "" };
        format!("{field} {m}{case}")
    }

    /// Why the condition fails for `value`, in words.
    fn failure(&self, value: Option<&str>) -> String {
        let m = self.matcher.describe();
        match (&self.field, value) {
            (Field::Uri, v) => format!("uri {m} does not match {:?}", v.unwrap_or_default()),
            (Field::Scheme | Field::Method | Field::Authority, v) => {
                let what = format!("{:?}", self.field).to_ascii_lowercase();
                format!("{what} {m} does not match {:?}", v.unwrap_or_default())
            }
            (Field::Header(name), _) if self.inverted => {
                format!("withoutHeaders {name:?} {m} matches")
            }
            (Field::Header(name), None) => format!("header {name:?} is absent (needs {m})"),
            (Field::Header(name), Some(v)) => format!("header {name:?} {m} does not match {v:?}"),
            (Field::Query(name), None) => format!("query parameter {name:?} is absent"),
            (Field::Query(name), Some(v)) => {
                format!("query parameter {name:?} {m} does not match {v:?}")
            }
            (Field::Port, Some(listener)) => {
                format!(
                    "match is for port {}, the request is on port {listener}",
                    self.literal()
                )
            }
            (Field::Port, None) => format!(
                "match is for port {}; the request's port is unknown (pass --port)",
                self.literal()
            ),
            (Field::SourceNamespace, v) => format!(
                "sourceNamespace {} is not the caller's namespace {}",
                self.literal(),
                v.unwrap_or_default()
            ),
            (Field::SourceLabel(key), _) => format!(
                "sourceLabels {key}={} do not select the calling workload",
                self.literal()
            ),
        }
    }

    /// What every value the condition accepts starts with, and whether
    /// that is the whole value; `None` for conditions that accept values
    /// of any shape (absence, presence, case-folded or inverted ones).
    pub fn literal_bound(&self) -> Option<(&str, bool)> {
        if self.inverted || self.fold {
            return None;
        }
        match &self.matcher {
            Matcher::Exact(s) => Some((s, true)),
            Matcher::Prefix(s) => Some((s, false)),
            Matcher::Regex(r) => Some((&r.literal_prefix, false)),
            Matcher::Present | Matcher::Invalid(_) => None,
        }
    }

    fn literal(&self) -> &str {
        match &self.matcher {
            Matcher::Exact(s) | Matcher::Prefix(s) | Matcher::Invalid(s) => s,
            Matcher::Regex(r) => &r.source,
            Matcher::Present => "",
        }
    }
}

/// Whether two [`Condition::literal_bound`]s of one field admit a common value.
pub fn bounds_meet((a, a_whole): (&str, bool), (b, b_whole): (&str, bool)) -> bool {
    match (a_whole, b_whole) {
        (true, true) => a == b,
        (true, false) => a.starts_with(b),
        (false, true) => b.starts_with(a),
        (false, false) => a.starts_with(b) || b.starts_with(a),
    }
}

/// A compiled HTTPMatchRequest: its conditions, all of which must hold.
/// `match.gateways` is not among them: it is resolved when the table is built.
#[derive(Debug, Clone, Default)]
pub struct RequestMatch {
    pub conditions: Vec<Condition>,
}

fn map_conditions(
    map: &SmallMap<StringMatch>,
    star: bool,
    regexes: &mut Regexes,
) -> Vec<(String, Matcher)> {
    map.iter()
        // Istio ignores these names as header matchers: they are match fields.
        .filter(|(k, _)| !matches!(k.as_str(), "uri" | "scheme" | "method" | "authority"))
        .map(|(k, v)| (k.to_ascii_lowercase(), Matcher::compile(v, star, regexes)))
        .collect()
}

impl RequestMatch {
    /// Compiles a match, config-time filters first, in the order the trace
    /// reports the first failing one.
    pub fn compile(m: &HttpMatch, regexes: &mut Regexes) -> RequestMatch {
        let mut conditions = Vec::new();
        if let Some(p) = m.port.filter(|p| *p != 0) {
            conditions.push(Condition::new(Field::Port, Matcher::Exact(p.to_string())));
        }
        for (k, v) in &m.source_labels {
            conditions.push(Condition::new(
                Field::SourceLabel(k.clone()),
                Matcher::Exact(v.clone()),
            ));
        }
        if let Some(ns) = m.source_namespace.as_deref().filter(|ns| !ns.is_empty()) {
            conditions.push(Condition::new(
                Field::SourceNamespace,
                Matcher::Exact(ns.into()),
            ));
        }
        if let Some(uri) = m.uri.as_ref().map(|s| Matcher::compile(s, false, regexes)) {
            // Regexes ignore `ignoreUriCase`; exact/prefix fold case with it.
            let fold = m.ignore_uri_case && !matches!(uri, Matcher::Regex(_));
            conditions.push(Condition {
                fold,
                ..Condition::new(Field::Uri, uri)
            });
        }
        for (field, sm) in [
            (Field::Scheme, &m.scheme),
            (Field::Method, &m.method),
            (Field::Authority, &m.authority),
        ] {
            if let Some(matcher) = sm.as_ref().map(|s| Matcher::compile(s, false, regexes)) {
                conditions.push(Condition::new(field, matcher));
            }
        }
        for (name, matcher) in map_conditions(&m.headers, true, regexes) {
            conditions.push(Condition::new(Field::Header(name), matcher));
        }
        for (name, matcher) in map_conditions(&m.without_headers, true, regexes) {
            conditions.push(Condition {
                inverted: true,
                ..Condition::new(Field::Header(name), matcher)
            });
        }
        for (name, v) in &m.query_params {
            conditions.push(Condition::new(
                Field::Query(name.clone()),
                Matcher::compile(v, false, regexes),
            ));
        }
        // Most matches have one or two conditions; a table holds thousands.
        conditions.shrink_to_fit();
        RequestMatch { conditions }
    }

    /// Istio's `IsCatchAllRoute`: a uri of prefix `/` or regex `.*` (or none)
    /// and no other runtime condition.
    pub fn is_catch_all(&self) -> bool {
        self.conditions
            .iter()
            .filter(|c| !c.field.is_config_time())
            .all(|c| match (&c.field, &c.matcher) {
                (Field::Uri, Matcher::Prefix(p)) => p == "/",
                (Field::Uri, Matcher::Regex(r)) => r.source == ".*",
                _ => false,
            })
    }

    /// Whether every condition holds on listener `port`.
    pub fn accepts(&self, req: &Request, port: Option<u16>) -> bool {
        self.conditions
            .iter()
            .all(|c| c.holds(c.field.read(req, port).as_deref()))
    }

    /// `Ok` when every condition holds on listener `port`, else the first
    /// that does not, in words, and whether it is a config-time filter.
    pub fn evaluate(&self, req: &Request, port: Option<u16>) -> Result<(), (bool, String)> {
        for c in &self.conditions {
            let value = c.field.read(req, port);
            if !c.holds(value.as_deref()) {
                return Err((c.field.is_config_time(), c.failure(value.as_deref())));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sm(regex: &str) -> StringMatch {
        StringMatch {
            regex: Some(regex.into()),
            ..StringMatch::default()
        }
    }

    #[test]
    fn regexes_are_full_matches_and_a_broken_one_matches_nothing() {
        // §2.3: Envoy's safe_regex is a full match.
        let m = Matcher::compile(&sm("/v2/[0-9]+"), false, &mut Regexes::default());
        assert!(m.matches("/v2/7", false));
        assert!(!m.matches("/v2/7/x", false));
        // Istio rejects an uncompilable regex, so the condition can never
        // hold; dropping it instead would widen the match to everything.
        let broken = Matcher::compile(&sm("("), false, &mut Regexes::default());
        assert!(!broken.matches("(", false) && !broken.matches("", false));
        // In headers, `regex: "*"` is a presence test, not a regex.
        assert!(matches!(
            Matcher::compile(&sm("*"), true, &mut Regexes::default()),
            Matcher::Present
        ));
    }
}
