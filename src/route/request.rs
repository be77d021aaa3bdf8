//! The HTTP request a route decision is made for.

use std::collections::BTreeMap;

/// Where the request enters the mesh: a sidecar (`mesh`) or a gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Mesh,
    /// A gateway by `namespace/name`.
    Gateway {
        namespace: String,
        name: String,
    },
}

impl Entry {
    /// `mesh` or `namespace/name`, as gateways are named in VirtualServices.
    pub fn label(&self) -> String {
        match self {
            Entry::Mesh => "mesh".into(),
            Entry::Gateway { namespace, name } => format!("{namespace}/{name}"),
        }
    }
}

/// An HTTP request as the proxy sees it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The Host / `:authority` value, possibly with a port.
    pub authority: String,
    /// The destination (listener) port, if known.
    pub port: Option<u16>,
    /// `:path` including any query string.
    pub path: String,
    pub method: String,
    pub scheme: String,
    /// Header names in lower case (see [`Request::add_header`]).
    pub headers: BTreeMap<String, String>,
    pub entry: Entry,
    /// Namespace of the calling workload (short names resolve in it).
    pub source_namespace: String,
    /// Labels of the calling workload.
    pub source_labels: BTreeMap<String, String>,
}

impl Request {
    /// A GET of `/` to `authority` from the `default` namespace, through the mesh.
    pub fn new(authority: &str) -> Request {
        Request {
            authority: authority.to_string(),
            port: None,
            path: "/".into(),
            method: "GET".into(),
            scheme: "http".into(),
            headers: BTreeMap::new(),
            entry: Entry::Mesh,
            source_namespace: "default".into(),
            source_labels: BTreeMap::new(),
        }
    }

    /// The host part of the authority, without a port.
    pub fn host(&self) -> &str {
        split_host_port(&self.authority).0
    }

    /// The port in the authority, else the listener port.
    pub fn effective_port(&self) -> Option<u16> {
        split_host_port(&self.authority).1.or(self.port)
    }

    /// The port the request arrives on at a gateway, which picks its
    /// listener: `--port`, else the authority's port. A gateway's virtual
    /// hosts answer the host with any port, so the authority's port never
    /// takes part in matching there.
    pub fn arrival_port(&self) -> Option<u16> {
        self.port.or(split_host_port(&self.authority).1)
    }

    /// The path without the query string.
    pub fn path_only(&self) -> &str {
        self.path
            .split_once('?')
            .map_or(self.path.as_str(), |(p, _)| p)
    }

    /// A query parameter's value (the first of a repeated key), undecoded;
    /// `Some("")` for a key without `=`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
            .find_map(|(k, v)| (k == name).then_some(v))
    }

    /// Adds a header; names are case-insensitive and the first value wins.
    pub fn add_header(&mut self, name: &str, value: &str) {
        self.headers
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| value.to_string());
    }

    /// A header value by lower-case name; pseudo-headers included.
    pub fn header(&self, name: &str) -> Option<&str> {
        match name {
            ":authority" | "host" => Some(&self.authority),
            ":method" => Some(&self.method),
            ":path" => Some(&self.path),
            ":scheme" => Some(&self.scheme),
            _ => self.headers.get(name).map(String::as_str),
        }
    }
}

/// `host:port` → (host, port); IPv6 literals in brackets are kept whole.
pub fn split_host_port(authority: &str) -> (&str, Option<u16>) {
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((ip, tail)) = rest.split_once(']') {
            return (ip, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
        return (authority, None);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(p) => (host, Some(p)),
            Err(_) => (authority, None),
        },
        _ => (authority, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_port_and_query_are_split() {
        let mut r = Request::new("reviews.shop:9080");
        r.path = "/api?x=1&y&x=2".into();
        assert_eq!(r.host(), "reviews.shop");
        assert_eq!(r.effective_port(), Some(9080));
        assert_eq!(r.path_only(), "/api");
        assert_eq!(r.query_param("x"), Some("1"));
        assert_eq!(r.query_param("y"), Some(""));
        assert_eq!(r.query_param("z"), None);
        assert_eq!(split_host_port("[::1]:80"), ("::1", Some(80)));
    }
}
