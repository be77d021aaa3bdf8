//! Compiled request matchers: Envoy's semantics for Istio's StringMatch and
//! HTTPMatchRequest (§2.3 of the semantics reference).

use std::collections::BTreeMap;

use regex::Regex;

use super::request::Request;
use crate::model::common::StringMatch;
use crate::model::virtual_service::HttpMatch;

/// One string condition.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(String),
    Prefix(String),
    /// A full match, as Envoy's `safe_regex`; `source` is the regex as written.
    Regex {
        source: String,
        anchored: Regex,
    },
    /// `{}` (and `regex: "*"` on headers): the value is present.
    Present,
    /// A regex that does not compile: Istio rejects the resource, so the
    /// condition matches nothing (validate reports it as MC1002).
    Invalid(String),
}

impl Matcher {
    /// Compiles a StringMatch.
    pub fn compile(sm: &StringMatch, star_is_presence: bool) -> Matcher {
        match (&sm.exact, &sm.prefix, &sm.regex) {
            (Some(e), _, _) => Matcher::Exact(e.clone()),
            (_, Some(p), _) => Matcher::Prefix(p.clone()),
            (_, _, Some(r)) if star_is_presence && r == "*" => Matcher::Present,
            (_, _, Some(r)) => match Regex::new(&format!("^(?:{r})$")) {
                Ok(anchored) => Matcher::Regex {
                    source: r.clone(),
                    anchored,
                },
                Err(_) => Matcher::Invalid(r.clone()),
            },
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
            Matcher::Regex { anchored, .. } => anchored.is_match(value),
            Matcher::Present => true,
            Matcher::Invalid(_) => false,
        }
    }

    /// How the matcher reads in a trace: `exact "/x"`, `prefix "/api"`, ...
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact(e) => format!("exact {e:?}"),
            Matcher::Prefix(p) => format!("prefix {p:?}"),
            Matcher::Regex { source, .. } => format!("regex {source:?}"),
            Matcher::Invalid(source) => format!("invalid regex {source:?} (matches nothing)"),
            Matcher::Present => "present".into(),
        }
    }
}

/// A compiled HTTPMatchRequest (runtime conditions only; config-time
/// filters are applied when the table is built).
#[derive(Debug, Clone, Default)]
pub struct RequestMatch {
    pub uri: Option<Matcher>,
    pub ignore_uri_case: bool,
    pub scheme: Option<Matcher>,
    pub method: Option<Matcher>,
    pub authority: Option<Matcher>,
    pub headers: Vec<(String, Matcher)>,
    pub without_headers: Vec<(String, Matcher)>,
    pub query_params: Vec<(String, Matcher)>,
}

fn compile_map(map: &BTreeMap<String, StringMatch>, star: bool) -> Vec<(String, Matcher)> {
    map.iter()
        // Istio ignores these names as header matchers: they are match fields.
        .filter(|(k, _)| !matches!(k.as_str(), "uri" | "scheme" | "method" | "authority"))
        .map(|(k, v)| (k.to_ascii_lowercase(), Matcher::compile(v, star)))
        .collect()
}

impl RequestMatch {
    pub fn compile(m: &HttpMatch) -> RequestMatch {
        let one = |sm: &Option<StringMatch>| sm.as_ref().map(|s| Matcher::compile(s, false));
        RequestMatch {
            uri: one(&m.uri),
            ignore_uri_case: m.ignore_uri_case,
            scheme: one(&m.scheme),
            method: one(&m.method),
            authority: one(&m.authority),
            headers: compile_map(&m.headers, true),
            without_headers: compile_map(&m.without_headers, true),
            query_params: m
                .query_params
                .iter()
                .map(|(k, v)| (k.clone(), Matcher::compile(v, false)))
                .collect(),
        }
    }

    /// Istio's `IsCatchAllRoute`: a uri of prefix `/` or regex `.*` (or none)
    /// and no other condition.
    pub fn is_catch_all(&self) -> bool {
        let uri_all = match &self.uri {
            None => true,
            Some(Matcher::Prefix(p)) => p == "/",
            Some(Matcher::Regex { source, .. }) => source == ".*",
            Some(_) => false,
        };
        uri_all
            && self.scheme.is_none()
            && self.method.is_none()
            && self.authority.is_none()
            && self.headers.is_empty()
            && self.without_headers.is_empty()
            && self.query_params.is_empty()
    }

    /// `Ok` when every condition holds, else the first that does not, in words.
    pub fn evaluate(&self, req: &Request) -> Result<(), String> {
        if let Some(m) = &self.uri {
            // Regexes ignore `ignoreUriCase`; exact/prefix fold case with it.
            let fold = self.ignore_uri_case && !matches!(m, Matcher::Regex { .. });
            if !m.matches(req.path_only(), fold) {
                return Err(format!(
                    "uri {} does not match {:?}",
                    m.describe(),
                    req.path_only()
                ));
            }
        }
        for (what, m, value) in [
            ("scheme", &self.scheme, req.scheme.as_str()),
            ("method", &self.method, req.method.as_str()),
            ("authority", &self.authority, req.authority.as_str()),
        ] {
            if let Some(m) = m
                && !m.matches(value, false)
            {
                return Err(format!("{what} {} does not match {value:?}", m.describe()));
            }
        }
        for (name, m) in &self.headers {
            match req.header(name) {
                None => {
                    return Err(format!(
                        "header {name:?} is absent (needs {})",
                        m.describe()
                    ));
                }
                Some(v) if !m.matches(v, false) => {
                    return Err(format!(
                        "header {name:?} {} does not match {v:?}",
                        m.describe()
                    ));
                }
                Some(_) => {}
            }
        }
        for (name, m) in &self.without_headers {
            // Inverted matcher; a missing header counts as empty, and a
            // presence matcher means "must be absent".
            let hit = match (req.header(name), m) {
                (None, Matcher::Present) => false,
                (None, m) => m.matches("", false),
                (Some(v), m) => m.matches(v, false),
            };
            if hit {
                return Err(format!("withoutHeaders {name:?} {} matches", m.describe()));
            }
        }
        if self.query_params.is_empty() {
            return Ok(());
        }
        let query = req.query();
        for (name, m) in &self.query_params {
            match query.get(name.as_str()) {
                None => return Err(format!("query parameter {name:?} is absent")),
                Some(v) if !m.matches(v, false) => {
                    return Err(format!(
                        "query parameter {name:?} {} does not match {v:?}",
                        m.describe()
                    ));
                }
                Some(_) => {}
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
        let m = Matcher::compile(&sm("/v2/[0-9]+"), false);
        assert!(m.matches("/v2/7", false));
        assert!(!m.matches("/v2/7/x", false));
        // Istio rejects an uncompilable regex, so the condition can never
        // hold; dropping it instead would widen the match to everything.
        let broken = Matcher::compile(&sm("("), false);
        assert!(!broken.matches("(", false) && !broken.matches("", false));
        // In headers, `regex: "*"` is a presence test, not a regex.
        assert!(matches!(Matcher::compile(&sm("*"), true), Matcher::Present));
    }
}
