//! The Gateway API conformance suite's routing tests, as requests through
//! `meshctl route --gateway`: each test below is named after the suite's
//! test it follows, and the expected backend of every request was worked
//! out by hand from the specification (the Gateway's "Listener Isolation",
//! HTTPRoute `parentRefs` and `hostnames`, BackendRef validity).

mod common;

use common::json_of;

const LISTENERS: &str = "fixtures/gateway-api/listeners.yaml";

/// (status, the first destination's Service name) of a request for
/// `host` and `path` through `gateway` of `file`, with extra `args`.
fn served(file: &str, gateway: &str, host: &str, path: &str, args: &[&str]) -> (u64, String) {
    let mut argv = vec![
        "route",
        file,
        "--gateway",
        gateway,
        "--host",
        host,
        "--path",
        path,
        "-o",
        "json",
    ];
    argv.extend(args);
    let d = json_of(&argv);
    let backend = d["destinations"][0]["host"]
        .as_str()
        .and_then(|h| h.split('.').next())
        .unwrap_or_default()
        .to_string();
    (d["status"].as_u64().expect("status"), backend)
}

fn ok(backend: &str) -> (u64, String) {
    (200, backend.to_string())
}

fn not_found() -> (u64, String) {
    (404, String::new())
}

/// GatewayHTTPListenerIsolation: a request is served only by the routes of
/// the most specific listener that accepts its host; a route of a less
/// specific listener never serves it, whatever its path.
#[test]
fn gateway_http_listener_isolation() {
    for (host, path, expected) in [
        ("bar.com", "/any-host", ok("v1")),
        ("bar.com", "/wild", not_found()),
        ("bar.example.com", "/wild", ok("v1")),
        ("bar.example.com", "/any-host", not_found()),
        ("bar.foo.example.com", "/wild-foo", ok("v1")),
        ("bar.foo.example.com", "/wild", not_found()),
        ("bar.foo.example.com", "/any-host", not_found()),
        ("abc.foo.example.com", "/abc-foo", ok("v1")),
        ("abc.foo.example.com", "/wild-foo", not_found()),
        ("abc.foo.example.com", "/wild", not_found()),
        ("abc.foo.example.com", "/any-host", not_found()),
    ] {
        assert_eq!(
            served(LISTENERS, "isolation", host, path, &[]),
            expected,
            "{host}{path}"
        );
    }
}

/// HTTPRouteListenerHostnameMatching: `sectionName` binds a route to one
/// listener; an exact listener hostname beats a wildcard one, and a
/// wildcard matches any number of labels.
#[test]
fn http_route_listener_hostname_matching() {
    for (host, expected) in [
        ("bar.com", ok("v1")),
        ("foo.bar.com", ok("v2")),
        ("baz.bar.com", ok("v3")),
        ("boo.bar.com", ok("v3")),
        ("multiple.prefixes.bar.com", ok("v3")),
        ("multiple.prefixes.foo.com", ok("v3")),
        ("foo.com", not_found()),
        ("no.matching.host", not_found()),
    ] {
        assert_eq!(
            served(LISTENERS, "by-hostname", host, "/", &[]),
            expected,
            "{host}"
        );
    }
}

/// HTTPRouteHostnameIntersection: a route serves only the hosts both its
/// `hostnames` and its listener's hostname cover.
#[test]
fn http_route_hostname_intersection() {
    for (host, path, expected) in [
        ("very.specific.com", "/s1", ok("v1")),
        ("non.matching.com", "/s1", not_found()),
        ("foo.nonmatchingwildcard.io", "/s1", not_found()),
        ("foo.wildcard.io", "/s2", ok("v2")),
        ("bar.wildcard.io", "/s2", ok("v2")),
        ("foo.bar.wildcard.io", "/s2", not_found()),
        ("wildcard.io", "/s2", not_found()),
        ("very.specific.com", "/s3", ok("v3")),
        ("anything.specific.com", "/s3", not_found()),
        ("foo.anotherwildcard.io", "/s4", ok("v1")),
        ("foo.anotherwildcard.io", "/s2", ok("v2")),
        ("very.specific.com", "/s2", not_found()),
    ] {
        assert_eq!(
            served(LISTENERS, "intersection", host, path, &[]),
            expected,
            "{host}{path}"
        );
    }
}

/// HTTPRouteParentRefPort: a parentRef `port` binds the route to the
/// listeners on that port only (the request's port picks the listener).
#[test]
fn http_route_parent_ref_port() {
    for (path, port, expected) in [
        ("/", "8080", ok("v2")),
        ("/", "80", not_found()),
        ("/both", "80", ok("v1")),
        ("/both", "8080", ok("v1")),
    ] {
        assert_eq!(
            served(
                LISTENERS,
                "two-ports",
                "any.example",
                path,
                &["--port", port]
            ),
            expected,
            "{path} on port {port}"
        );
    }
}
