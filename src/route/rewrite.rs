//! What the proxy changes on the way: the path and authority the backend
//! receives (a VirtualService `rewrite`, an HTTPRoute URLRewrite), header
//! operations and the CORS policy, as Envoy applies them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::request::Request;
use crate::model::common::HeaderOperations;
use crate::model::virtual_service::{CorsPolicy, Headers, HttpMatch, HttpRewrite};

/// The request as the backend receives it after a rewrite.
#[derive(Debug, Clone, Serialize)]
pub struct Forwarded {
    /// `:path`, query string included.
    pub path: String,
    /// The Host / `:authority`.
    pub authority: String,
}

/// Header operations: `set` replaces, `add` appends, `remove` drops.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderOps {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub add: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
}

/// The header operations on the request sent and the response returned.
#[derive(Debug, Clone, Serialize)]
pub struct HeadersView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<HeaderOps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<HeaderOps>,
}

/// A CORS policy: the origins, methods and headers a browser is allowed.
#[derive(Debug, Clone, Serialize)]
pub struct CorsView {
    pub allow_origins: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_methods: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    pub allow_credentials: bool,
}

impl HeadersView {
    /// The operations of `headers`, or none when it sets nothing.
    pub fn of(headers: &Headers) -> Option<HeadersView> {
        let ops = |o: &Option<HeaderOperations>| {
            o.as_ref()
                .filter(|o| !(o.set.is_empty() && o.add.is_empty() && o.remove.is_empty()))
                .map(|o| HeaderOps {
                    set: o.set.clone(),
                    add: o.add.clone(),
                    remove: o.remove.clone(),
                })
        };
        let view = HeadersView {
            request: ops(&headers.request),
            response: ops(&headers.response),
        };
        (view.request.is_some() || view.response.is_some()).then_some(view)
    }
}

impl CorsView {
    /// A VirtualService `corsPolicy` (exact, prefix and regex origins, and
    /// the deprecated `allowOrigin` list).
    pub fn of(c: &CorsPolicy) -> CorsView {
        let origins = c.allow_origins.iter().filter_map(|m| {
            m.exact
                .clone()
                .or_else(|| m.prefix.as_ref().map(|p| format!("{p}*")))
                .or_else(|| m.regex.as_ref().map(|r| format!("~{r}")))
        });
        CorsView {
            allow_origins: origins.chain(c.allow_origin.iter().cloned()).collect(),
            allow_methods: c.allow_methods.clone(),
            allow_headers: c.allow_headers.clone(),
            expose_headers: c.expose_headers.clone(),
            max_age: c.max_age.clone(),
            allow_credentials: c.allow_credentials.unwrap_or(false),
        }
    }
}

/// The request `req` as forwarded under `rewrite`, the rule having matched
/// with `matched` (none for a rule without matches). Envoy's
/// `prefix_rewrite` swaps the matched prefix (the whole path under an exact
/// or regex match, `/` without a uri match); `regex_rewrite` substitutes
/// every match in the path; the query string is kept.
pub fn forwarded(req: &Request, rewrite: &HttpRewrite, matched: Option<&HttpMatch>) -> Forwarded {
    let path = req.path_only();
    let query = &req.path[path.len()..];
    let new_path = if let Some(uri) = rewrite.uri.as_deref().filter(|u| !u.is_empty()) {
        match (
            &rewrite.matched_prefix,
            matched.and_then(|m| m.uri.as_ref()),
        ) {
            (Some(prefix), _) => replace_path_prefix(path, prefix, uri),
            (None, Some(m)) if m.prefix.is_some() => {
                let prefix = m.prefix.as_deref().unwrap_or_default();
                format!("{uri}{}", path.get(prefix.len()..).unwrap_or_default())
            }
            (None, Some(_)) => uri.to_string(),
            (None, None) => format!("{uri}{}", path.get(1..).unwrap_or_default()),
        }
    } else if let Some(rr) = &rewrite.uri_regex_rewrite {
        regex_rewrite(path, rr.pattern.as_deref(), rr.rewrite.as_deref())
    } else {
        path.to_string()
    };
    Forwarded {
        path: format!("{new_path}{query}"),
        authority: rewrite
            .authority
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| req.authority.clone()),
    }
}

/// Envoy's `regex_rewrite`: every match of `pattern` in `path` replaced by
/// `rewrite`, whose `\N` are capture groups. A pattern that does not compile
/// (validate reports it) leaves the path alone.
fn regex_rewrite(path: &str, pattern: Option<&str>, rewrite: Option<&str>) -> String {
    let (Some(pattern), Some(rewrite)) = (pattern, rewrite) else {
        return path.to_string();
    };
    let Ok(re) = regex::Regex::new(pattern) else {
        return path.to_string();
    };
    static GROUPS: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\\(\d)").expect("a valid pattern"));
    let replacement = GROUPS.replace_all(rewrite, "$${$1}");
    re.replace_all(path, replacement.as_ref()).into_owned()
}

/// The Gateway API's ReplacePrefixMatch (HTTPPathModifier): the matched
/// prefix, as whole path segments, gives way to `replacement`, with one `/`
/// between them (`/foo/bar` with `/foo` → `/xyz/` is `/xyz/bar`, with `/`
/// is `/bar`); an empty result is `/`.
pub fn replace_path_prefix(path: &str, prefix: &str, replacement: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let rest = path.get(prefix.len()..).unwrap_or("");
    let joined = format!("{}{rest}", replacement.trim_end_matches('/'));
    if joined.is_empty() {
        "/".to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::common::StringMatch;
    use crate::model::virtual_service::RegexRewrite;

    fn request(path: &str) -> Request {
        let mut r = Request::new("shop.example.com");
        r.path = path.into();
        r
    }

    fn prefix(p: &str) -> HttpMatch {
        HttpMatch {
            uri: Some(Box::new(StringMatch {
                prefix: Some(p.into()),
                ..StringMatch::default()
            })),
            ..HttpMatch::default()
        }
    }

    #[test]
    fn envoy_swaps_the_matched_prefix_and_keeps_the_query() {
        let rw = HttpRewrite {
            uri: Some("/v2".into()),
            ..HttpRewrite::default()
        };
        let f = forwarded(&request("/v1/items?page=2"), &rw, Some(&prefix("/v1")));
        assert_eq!(f.path, "/v2/items?page=2");
        assert_eq!(f.authority, "shop.example.com");
        assert_eq!(forwarded(&request("/a/b"), &rw, None).path, "/v2a/b");
    }

    #[test]
    fn a_regex_rewrite_substitutes_capture_groups() {
        let rw = HttpRewrite {
            uri_regex_rewrite: Some(RegexRewrite {
                pattern: Some("^/service/([^/]+)(/.*)$".into()),
                rewrite: Some("\\2/instance/\\1".into()),
            }),
            authority: Some("internal".into()),
            ..HttpRewrite::default()
        };
        let f = forwarded(&request("/service/foo/v1/api"), &rw, None);
        assert_eq!(f.path, "/v1/api/instance/foo");
        assert_eq!(f.authority, "internal");
    }

    #[test]
    fn replace_prefix_match_follows_the_gateway_api_table() {
        for (path, prefix, replacement, expected) in [
            ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
            ("/foo", "/foo", "/xyz", "/xyz"),
            ("/foo/", "/foo", "/xyz", "/xyz/"),
            ("/foo/bar", "/foo", "/", "/bar"),
            ("/foo", "/foo", "/", "/"),
            ("/foo/", "/foo", "/", "/"),
        ] {
            assert_eq!(
                replace_path_prefix(path, prefix, replacement),
                expected,
                "{path} {prefix} {replacement}"
            );
        }
    }
}
