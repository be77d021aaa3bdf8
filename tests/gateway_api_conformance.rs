//! The Gateway API conformance suite's routing tests, as requests through
//! `meshctl route --gateway`: each test below is named after the suite's
//! test it follows, and the expected backend of every request was worked
//! out by hand from the specification (the Gateway's "Listener Isolation",
//! HTTPRoute `parentRefs` and `hostnames`, BackendRef validity).

mod common;

use common::{json_of, route_json, service_name};

const LISTENERS: &str = "fixtures/gateway-api/listeners.yaml";

/// (status, the first destination's Service name) of a request for
/// `host` and `path` through `gateway` of `file`, with extra `args`.
fn served(file: &str, gateway: &str, host: &str, path: &str, args: &[&str]) -> (u64, String) {
    let mut argv = vec!["--gateway", gateway, "--host", host, "--path", path];
    argv.extend(args);
    let d = route_json(file, &argv);
    let backend = d["destinations"]
        .get(0)
        .map(|x| service_name(&x["host"]))
        .unwrap_or_default();
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

const BACKENDS: &str = "fixtures/gateway-api/backends.yaml";

/// (status, [(Service, status, share)]) of a request for `path` through the
/// edge Gateway of fixtures/gateway-api/backends.yaml.
fn backends_of(path: &str) -> (u64, Vec<(String, u64, f64)>) {
    let d = route_json(
        BACKENDS,
        &[
            "--gateway",
            "infra/edge",
            "--host",
            "backends.example",
            "--path",
            path,
        ],
    );
    let destinations = d["destinations"]
        .as_array()
        .expect("destinations")
        .iter()
        .map(|x| {
            (
                service_name(&x["host"]),
                x["status"].as_u64().unwrap(),
                x["share"].as_f64().unwrap(),
            )
        })
        .collect();
    (d["status"].as_u64().expect("status"), destinations)
}

/// HTTPRouteReferenceGrant, HTTPRouteInvalidCrossNamespaceBackendRef,
/// HTTPRouteInvalidReferenceGrant, HTTPRouteInvalidBackendRefUnknownKind,
/// HTTPRouteInvalidNonExistentBackendRef and
/// HTTPRoutePartiallyInvalidViaInvalidReferenceGrant: a backendRef Istio
/// cannot use (no ReferenceGrant for the route's kind, namespace and the
/// Service; an unknown kind; a missing Service) answers 500 for its share of
/// the requests (Istio's buildDestination, and cluster_not_found 500 on
/// Gateway API routes).
#[test]
fn invalid_backend_refs_answer_500_for_their_share() {
    let one = |name: &str, status: u64| vec![(name.to_string(), status, 1.0)];
    for (path, expected) in [
        ("/granted", (200, one("granted", 200))),
        ("/other-name", (500, one("ungranted", 500))),
        ("/other-kind", (500, one("plain", 500))),
        ("/unknown-kind", (500, one("assets", 500))),
        ("/missing", (500, one("nonexistent", 500))),
        (
            "/partly",
            (
                200,
                vec![
                    ("local".to_string(), 200, 0.5),
                    ("ungranted".to_string(), 500, 0.5),
                ],
            ),
        ),
    ] {
        assert_eq!(backends_of(path), expected, "{path}");
    }
}

/// The simulator sends a refused backend's share to 500 NC as `route` says.
#[test]
fn simulate_answers_a_refused_backends_share_with_500() {
    let report = json_of(&[
        "simulate",
        BACKENDS,
        "--scenario",
        "fixtures/gateway-api/partly-invalid.scenario.yaml",
        "-o",
        "json",
    ]);
    let codes = &report["status_codes"];
    let (ok, failed) = (
        codes["200"].as_u64().unwrap(),
        codes["500"].as_u64().unwrap(),
    );
    assert_eq!(ok + failed, 4000);
    assert!(
        (1800..2200).contains(&failed),
        "about half get 500: {failed}"
    );
    assert_eq!(report["response_flags"]["NC"].as_u64(), Some(failed));
    assert!(codes.get("503").is_none());
}

const FILTERS: &str = "fixtures/gateway-api/filters.yaml";

/// The decision for `host` and `path` through the edge Gateway of
/// fixtures/gateway-api/filters.yaml.
fn filtered(host: &str, path: &str) -> serde_json::Value {
    route_json(
        FILTERS,
        &["--gateway", "infra/edge", "--host", host, "--path", path],
    )
}

/// HTTPRouteRequestHeaderModifier, HTTPRouteResponseHeaderModifier and
/// HTTPRouteBackendRequestHeaderModifier: `route` shows the header
/// operations Istio's createHeadersFilter makes (names in lower case), on the
/// route or on the one destination whose backendRef carries them.
#[test]
fn header_modifiers_are_shown_where_they_apply() {
    let d = filtered("filters.example", "/headers");
    let headers = &d["policy"]["headers"];
    assert_eq!(headers["request"]["set"]["x-env"], "prod");
    assert_eq!(headers["request"]["add"]["x-trace"], "enabled");
    assert_eq!(headers["request"]["remove"][0], "X-Debug");
    assert_eq!(headers["response"]["set"]["cache-control"], "no-store");
    let d = filtered("filters.example", "/per-backend");
    assert!(d["policy"].get("headers").is_none());
    assert_eq!(
        d["destinations"][0]["headers"]["request"]["add"]["x-backend"],
        "app"
    );
}

/// HTTPRouteRewritePath and HTTPRouteRewriteHost: `route` shows the path
/// and Host the backend receives. ReplacePrefixMatch replaces the matched
/// segments (the query string stays), ReplaceFullPath the whole path.
#[test]
fn url_rewrites_show_what_the_backend_receives() {
    for (path, expected_path, authority) in [
        ("/prefix/x?q=1", "/one/x?q=1", "internal.example"),
        ("/prefix", "/one", "internal.example"),
        ("/prefix/", "/one/", "internal.example"),
        ("/full/a/b", "/one", "filters.example"),
        ("/full?x=y", "/one?x=y", "filters.example"),
    ] {
        let d = filtered("filters.example", path);
        assert_eq!(d["status"], 200, "{path}");
        assert_eq!(d["policy"]["rewrite"]["path"], expected_path, "{path}");
        assert_eq!(d["policy"]["rewrite"]["authority"], authority, "{path}");
    }
}

/// HTTPRouteRequestMirror and HTTPRouteRequestPercentageMirror: a mirror
/// takes all requests, `percent` of them, or numerator/denominator of them
/// (Istio's createMirrorFilter).
#[test]
fn request_mirrors_take_their_share() {
    for (path, percentage) in [
        ("/mirror", 100.0),
        ("/percent-mirror", 20.0),
        ("/fraction-mirror", 25.0),
    ] {
        let mirrors = &filtered("filters.example", path)["policy"]["mirrors"];
        assert_eq!(mirrors[0]["host"], "shadow.infra.svc.cluster.local");
        assert_eq!(
            mirrors[0]["percentage"].as_f64(),
            Some(percentage),
            "{path}"
        );
    }
}

/// A filter Istio does not support on a backendRef (here a redirect) makes
/// Istio refuse the whole route (InvalidFilter): nothing serves its host,
/// and validate reports it (MC1610).
#[test]
fn a_route_with_an_unsupported_filter_is_refused() {
    let d = filtered("refused.example", "/");
    assert_eq!(d["status"], 404);
    assert!(d["matched"].is_null());
    let report = common::validate_json(&[FILTERS]);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["MC1610"]);
}

/// HTTPRouteCORS, HTTPRouteRequestTimeout and HTTPRouteBackendTimeout as
/// Istio converts them: CORS origins as exact matches and maxAge in
/// seconds; `request` is the route timeout, and `backendRequest` is the
/// per-try timeout under a retry, else (set after `request`) the route
/// timeout.
#[test]
fn cors_and_timeouts_are_shown_as_istio_translates_them() {
    let cors = &filtered("filters.example", "/cors")["policy"]["cors"];
    assert_eq!(cors["allow_origins"][0], "https://shop.example");
    assert_eq!(cors["allow_methods"][1], "POST");
    assert_eq!(cors["max_age"], "600s");
    assert_eq!(cors["allow_credentials"], true);
    let plain = &filtered("filters.example", "/timeouts")["policy"];
    assert_eq!(plain["timeout"], "200ms");
    let retried = &filtered("filters.example", "/retried-timeouts")["policy"];
    assert_eq!(retried["timeout"], "500ms");
    assert_eq!(retried["retries"]["per_try_timeout"], "200ms");
    assert_eq!(retried["retries"]["attempts"], 1);
}

/// simulate runs the same translation: /timeouts cuts a 400 ms backend at
/// 200 ms (504 UT), /mirror copies each of its requests to shadow.
#[test]
fn simulate_uses_http_route_timeouts_and_mirrors() {
    let report = json_of(&[
        "simulate",
        FILTERS,
        "--scenario",
        "fixtures/gateway-api/filters.scenario.yaml",
        "-o",
        "json",
    ]);
    let timed_out = report["response_flags"]["UT"].as_u64().unwrap();
    assert_eq!(report["status_codes"]["504"].as_u64(), Some(timed_out));
    assert!(
        (900..1100).contains(&timed_out),
        "about half time out: {timed_out}"
    );
    let mirrored = report["mirrors"][0]["requests"].as_u64().unwrap();
    assert_eq!(
        report["mirrors"][0]["destination"],
        "shadow.infra.svc.cluster.local"
    );
    assert!(
        (900..1100).contains(&mirrored),
        "about half are mirrored: {mirrored}"
    );
}

const MESH: &str = "fixtures/gateway-api/mesh.yaml";

/// (status, action, [(Service, port, share)], Location) of a mesh call to
/// `authority` for `path` from a sidecar in `namespace`, with extra `args`.
fn called(
    authority: &str,
    path: &str,
    namespace: &str,
    args: &[&str],
) -> (u64, String, Vec<(String, u64, f64)>, String) {
    let mut argv = vec!["--host", authority, "--path", path];
    argv.extend(["--source-namespace", namespace]);
    argv.extend(args);
    let d = route_json(MESH, &argv);
    let destinations = d["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                service_name(&x["host"]),
                x["port"].as_u64().unwrap_or_default(),
                x["share"].as_f64().unwrap(),
            )
        })
        .collect();
    (
        d["status"].as_u64().unwrap(),
        d["action"].as_str().unwrap().to_string(),
        destinations,
        d["location"].as_str().unwrap_or_default().to_string(),
    )
}

fn to(service: &str, port: u64, share: f64) -> (String, u64, f64) {
    (service.to_string(), port, share)
}

/// The mesh (GAMMA) tests of the suite — MeshBasic, MeshHTTPRouteMatching,
/// MeshHTTPRouteWeight, MeshHTTPRouteRedirectPath, MeshHTTPRouteRewritePath,
/// MeshConsumerRoute and MeshPorts — as Istio implements them: an HTTPRoute
/// on a Service routes every caller's calls to it like a gateway route
/// (precedence, weights, redirects, rewrites); a consumer route replaces the
/// producer's for callers in its namespace; a parentRef port limits the
/// route to that Service port (augmentPortMatch), and a call on another
/// port takes the Service's default route.
#[test]
fn mesh_routes_on_a_service_hold_as_at_a_gateway() {
    let route = |status: u64, destinations: Vec<(String, u64, f64)>| {
        (status, "route".to_string(), destinations, String::new())
    };
    for (authority, path, namespace, args, expected) in [
        (
            "echo.gamma",
            "/v2",
            "gamma",
            &[][..],
            route(200, vec![to("echo-v2", 80, 1.0)]),
        ),
        (
            "echo",
            "/v2",
            "gamma",
            &[],
            route(200, vec![to("echo-v2", 80, 1.0)]),
        ),
        (
            "echo.gamma",
            "/v2/x",
            "gamma",
            &[],
            route(200, vec![to("echo-v1", 80, 1.0)]),
        ),
        (
            "echo.gamma.svc.cluster.local",
            "/x",
            "other",
            &["-H", "version: two"],
            route(200, vec![to("echo-v2", 80, 1.0)]),
        ),
        (
            "echo.gamma",
            "/split/a",
            "other",
            &[],
            route(200, vec![to("echo-v1", 80, 0.7), to("echo-v2", 80, 0.3)]),
        ),
        (
            "echo.gamma",
            "/old/a",
            "other",
            &[],
            (
                301,
                "redirect".into(),
                vec![],
                "http://echo.gamma/new/a".into(),
            ),
        ),
        (
            "echo.gamma",
            "/v2",
            "consumer",
            &[],
            route(200, vec![to("echo-v2", 80, 1.0)]),
        ),
        (
            "echo.gamma",
            "/x",
            "consumer",
            &[],
            route(200, vec![to("echo-v2", 80, 1.0)]),
        ),
        (
            "echo.gamma:80",
            "/x",
            "gamma",
            &[],
            route(200, vec![to("echo-v1", 80, 1.0)]),
        ),
        (
            "echo.gamma:8080",
            "/v2",
            "gamma",
            &[],
            (
                200,
                "default_route".into(),
                vec![to("echo", 8080, 1.0)],
                String::new(),
            ),
        ),
    ] {
        assert_eq!(
            called(authority, path, namespace, args),
            expected,
            "{authority}{path} from {namespace} {args:?}"
        );
    }
    let rewritten = route_json(MESH, &["--host", "echo.gamma", "--path", "/api/items?id=1"]);
    assert_eq!(rewritten["policy"]["rewrite"]["path"], "/items?id=1");
}
