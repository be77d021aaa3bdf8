//! Gateway API HTTPRoutes through `meshctl route` and `simulate`: Istio turns
//! each into a VirtualService with gateway semantics, and the requests below
//! were routed by hand from the Gateway API's precedence rules (§2.7) and
//! Istio's outcomes (§1.6: no match 404, Σweight 0 → 500, a missing backend
//! → 500).

mod common;

use common::meshctl;
use serde_json::Value;

const FILE: &str = "fixtures/gateway-api/precedence.yaml";

/// `meshctl route FILE` for a request through shop-gateway.
fn route_cmd(host: &str, path: &str) -> assert_cmd::Command {
    let mut cmd = meshctl();
    cmd.args([
        "route",
        FILE,
        "--gateway",
        "shop-gateway",
        "--host",
        host,
        "--path",
        path,
    ]);
    cmd
}

/// (status, route name, rule name) for a request through shop-gateway.
fn route(host: &str, path: &str, extra: &[&str]) -> (u64, Option<(String, String)>) {
    let out = route_cmd(host, path)
        .args(["-o", "json"])
        .args(extra)
        .output()
        .unwrap();
    let d: Value = serde_json::from_slice(&out.stdout).expect("JSON decision");
    let matched = d["matched"].as_object().map(|m| {
        (
            m["resource"]["name"].as_str().unwrap().to_string(),
            m["rule_name"].as_str().unwrap_or_default().to_string(),
        )
    });
    (d["status"].as_u64().unwrap(), matched)
}

fn hit(route: &str, rule: &str) -> (u64, Option<(String, String)>) {
    (200, Some((route.into(), rule.into())))
}

#[test]
fn precedence_runs_across_every_rule_of_every_route() {
    let shop = "shop.example.com";
    // An Exact path beats every prefix, wherever it is declared.
    assert_eq!(
        route(shop, "/api/v2/health", &[]),
        hit("newer", "api-exact")
    );
    // The longest prefix wins, though its route is newer.
    assert_eq!(
        route(shop, "/api/v2/items", &[]),
        hit("newer", "api-v2-prefix")
    );
    assert_eq!(route(shop, "/api/v3", &[]), hit("older", "api-prefix"));
    // Same path: a method match beats none, and a header match beats none.
    assert_eq!(
        route(shop, "/api/v2/items", &["--method", "POST"]),
        hit("newer", "api-v2-post")
    );
    assert_eq!(
        route(shop, "/api/v2/items", &["-H", "x-beta: on"]),
        hit("newer", "api-v2-beta")
    );
    // A full tie goes to the oldest route.
    assert_eq!(route(shop, "/tie/1", &[]), hit("older", "tie-older"));
}

#[test]
fn prefixes_are_segment_aware_and_failures_have_gateway_api_codes() {
    let shop = "shop.example.com";
    assert_eq!(route(shop, "/api", &[]), hit("older", "api-prefix"));
    assert_eq!(route(shop, "/api/", &[]), hit("older", "api-prefix"));
    assert_eq!(route(shop, "/apix", &[]), (404, None));
    assert_eq!(route(shop, "/zero", &[]).0, 500);
    assert_eq!(route(shop, "/missing", &[]).0, 500);
    // The listener admits routes from its own namespace only (allowedRoutes
    // defaults to Same), so the route in `other` never attaches.
    assert_eq!(route("foreign.example.com", "/", &[]), (404, None));
}

#[test]
fn the_trace_names_the_http_route() {
    route_cmd("shop.example.com", "/api/v2/x")
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "(HTTPRoute shop/older + HTTPRoute shop/newer)",
        ));
}

/// §1.6: an HTTPRoute `retry` retries its codes (attempts default 2) on top of
/// Istio's connect-level reasons; without it Istio's default policy applies,
/// which never retries a 503. With 30% 503s and half the requests on each
/// path: success = (1 − 0.3³ + 0.7) / 2 = 0.8365, and tries per request =
/// ((1 + 0.3 + 0.09) + 1) / 2 = 1.195.
#[test]
fn http_route_retries_are_translated_the_way_istio_does() {
    let out = meshctl()
        .args([
            "simulate",
            "fixtures/gateway-api/retry.yaml",
            "--scenario",
            "fixtures/gateway-api/retry.scenario.yaml",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).expect("JSON result");
    let success = r["success_rate"].as_f64().unwrap();
    let tries = r["attempts"]["mean"].as_f64().unwrap();
    assert!((success - 0.8365).abs() < 0.01, "success {success}");
    assert!((tries - 1.195).abs() < 0.01, "tries {tries}");
}

/// (status, Location) of `route` for a request on `port` through the edge
/// Gateway of fixtures/gateway-api/redirects.yaml.
fn redirected(path: &str, port: &str) -> (u64, String) {
    redirect_via("redirect.example", path, &["--port", port])
}

/// (status, Location) of `route ... --host HOST --path PATH ARGS...` through
/// the edge Gateway of fixtures/gateway-api/redirects.yaml.
fn redirect_via(host: &str, path: &str, args: &[&str]) -> (u64, String) {
    let mut argv = vec!["--gateway", "edge", "--host", host, "--path", path];
    argv.extend(args);
    let d = common::route_json("fixtures/gateway-api/redirects.yaml", &argv);
    (
        d["status"].as_u64().unwrap(),
        d["location"].as_str().unwrap_or_default().to_string(),
    )
}

/// The conformance suite's redirect tests (HTTPRouteRedirectPath,
/// HTTPRouteRedirectScheme, HTTPRouteRedirectPortAndScheme,
/// HTTPRouteRedirectHostAndStatus), as Istio's createRedirectFilter converts
/// them: ReplacePrefixMatch replaces the matched segments (HTTPPathModifier's
/// table); without a port a scheme change takes the scheme's default port,
/// no scheme change keeps the request's; a scheme's default port is not
/// written in the Location.
#[test]
fn redirects_follow_the_gateway_api() {
    for (path, port, status, location) in [
        (
            "/original-prefix/lemon",
            "8080",
            302,
            "http://redirect.example:8080/replacement-prefix/lemon",
        ),
        (
            "/original-prefix",
            "8080",
            302,
            "http://redirect.example:8080/replacement-prefix",
        ),
        (
            "/trailing/x/y",
            "8080",
            302,
            "http://redirect.example:8080/new/x/y",
        ),
        (
            "/strip/one",
            "8080",
            302,
            "http://redirect.example:8080/one",
        ),
        ("/strip", "8080", 302, "http://redirect.example:8080/"),
        (
            "/full/one",
            "8080",
            302,
            "http://redirect.example:8080/full-path-replacement",
        ),
        (
            "/scheme/a",
            "8080",
            302,
            "https://redirect.example/scheme/a",
        ),
        (
            "/scheme-and-port/a",
            "8080",
            302,
            "https://redirect.example:8443/scheme-and-port/a",
        ),
        (
            "/host-and-status",
            "8080",
            301,
            "http://example.org:8080/host-and-status",
        ),
        (
            "/host-and-status",
            "80",
            301,
            "http://example.org/host-and-status",
        ),
    ] {
        assert_eq!(
            redirected(path, port),
            (status, location.to_string()),
            "{path} on port {port}"
        );
    }
}

/// Conformance's HTTPRouteHostnameIntersection / listener selection: at a
/// gateway the listener is picked by the port the request arrives on
/// (`--port`); a port in the Host header does not take part in matching
/// (Istio gives gateway virtual hosts `host` and `host:*`). Without
/// `--port`, the Host's port is the arrival port.
#[test]
fn a_host_header_port_does_not_take_part_in_matching() {
    assert_eq!(
        redirected("/strip/one", "8080").0,
        302,
        "the plain Host on the listener's port"
    );
    assert_eq!(
        redirect_via("redirect.example:9999", "/strip/one", &["--port", "8080"]).0,
        302,
        "Host port 9999, arriving on 8080"
    );
    assert_eq!(
        redirect_via("redirect.example:9999", "/strip/one", &[]).0,
        404,
        "arriving on 9999: no listener"
    );
}
