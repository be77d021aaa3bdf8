//! `meshctl route` through the binary: one case per matching rule of the
//! semantics reference (§2, §3), each routed by hand first.

mod common;

use common::{meshctl, route_json, schema_errors};
use serde_json::Value;

const SHOP: &str = "fixtures/routing/shop.yaml";

fn route(args: &[&str]) -> Value {
    let out = meshctl()
        .args(["route", SHOP, "--source-namespace", "shop", "-o", "json"])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "route failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// (rule name, [(subset, share)], status) of a decision.
fn outcome(d: &Value) -> (String, Vec<(String, f64)>, u64) {
    let rule = d["matched"]["rule_name"].as_str().unwrap_or("").to_string();
    let dests = d["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["subset"].as_str().unwrap_or("").to_string(),
                x["share"].as_f64().unwrap(),
            )
        })
        .collect();
    (rule, dests, d["status"].as_u64().unwrap())
}

fn expect(args: &[&str], rule: &str, dests: &[(&str, f64)], status: u64) {
    let d = route(args);
    let (got_rule, got_dests, got_status) = outcome(&d);
    let want: Vec<(String, f64)> = dests.iter().map(|(s, w)| (s.to_string(), *w)).collect();
    assert_eq!(
        (got_rule.as_str(), got_dests, got_status),
        (rule, want, status),
        "{args:?}\n{d:#}"
    );
}

#[test]
fn uri_exact_ignores_the_query_string() {
    // §2.3: uri exact compares the path without the query string.
    expect(
        &["--host", "api", "--path", "/healthz?probe=1"],
        "exact-health",
        &[],
        204,
    );
}

#[test]
fn first_match_wins_in_declaration_order() {
    // §2.2: /v2/7 also has prefix... but the regex rule comes first.
    expect(
        &["--host", "api", "--path", "/v2/7"],
        "v2-regex",
        &[("v2", 1.0)],
        200,
    );
}

#[test]
fn uri_regex_is_a_full_match() {
    // §2.3: RE2 full match, so /v2/7/x does not match `/v2/[0-9]+`.
    let d = route(&["--host", "api", "--path", "/v2/7/x"]);
    assert_ne!(d["matched"]["rule_name"], "v2-regex");
}

#[test]
fn ignore_uri_case_folds_prefix_matches() {
    // §1.2: ignoreUriCase makes exact/prefix case-insensitive.
    expect(
        &["--host", "api", "--path", "/sToRe/items"],
        "case-folded",
        &[("v1", 1.0)],
        200,
    );
}

#[test]
fn empty_header_matcher_tests_presence_and_query_params_must_match() {
    // §2.3: `{}` is a presence test; queryParams compare the value exactly.
    expect(
        &[
            "--host",
            "api",
            "-H",
            "x-beta: anything",
            "--query",
            "debug=1",
        ],
        "beta-header",
        &[("v2", 1.0)],
        200,
    );
    let d = route(&[
        "--host",
        "api",
        "-H",
        "x-beta: anything",
        "--query",
        "debug=2",
    ]);
    assert_eq!(d["status"], 404, "{d:#}");
}

#[test]
fn without_headers_treats_a_missing_header_as_empty() {
    // §2.3: withoutHeaders with a value matcher: a missing header is "",
    // which `.*canary.*` does not match, so the rule applies.
    expect(
        &["--host", "api", "--path", "/api/x"],
        "no-canary-cookie",
        &[("v1", 0.75), ("v2", 0.25), ("v3", 0.0)],
        200,
    );
    let d = route(&[
        "--host",
        "api",
        "--path",
        "/api/x",
        "-H",
        "cookie: canary=1",
    ]);
    assert_ne!(d["matched"]["rule_name"], "no-canary-cookie");
}

#[test]
fn uri_prefix_is_a_plain_string_prefix() {
    // §2.3: VirtualService prefix `/api` matches `/apiary`.
    expect(
        &["--host", "api", "--path", "/apiary"],
        "no-canary-cookie",
        &[("v1", 0.75), ("v2", 0.25), ("v3", 0.0)],
        200,
    );
}

#[test]
fn source_labels_are_a_config_time_filter() {
    // §2.2: the match exists only in proxies whose labels include sourceLabels.
    expect(
        &[
            "--host",
            "api",
            "--path",
            "/internal/a",
            "--source-label",
            "app=frontend",
        ],
        "from-frontend",
        &[("v2", 1.0)],
        200,
    );
    let d = route(&[
        "--host",
        "api",
        "--path",
        "/internal/a",
        "--source-label",
        "app=batch",
    ]);
    assert_eq!(d["status"], 404);
    assert!(
        d["trace"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["outcome"] == "skipped")
    );
}

#[test]
fn a_match_for_another_port_is_dropped() {
    // §2.2: match.port ≠ listener port drops the match.
    assert_eq!(
        route(&["--host", "api:8080", "--path", "/tls"])["status"],
        404
    );
    expect(
        &["--host", "api:8443", "--path", "/tls"],
        "by-port",
        &[("v2", 1.0)],
        200,
    );
}

#[test]
fn no_matching_route_is_404_nr() {
    // §2.2: a VirtualService has no implicit default route.
    let d = route(&["--host", "api", "--path", "/nothing-here"]);
    assert_eq!(d["status"], 404);
    assert_eq!(d["response_flags"][0], "NR");
}

#[test]
fn a_subset_no_destination_rule_defines_is_503_nc() {
    // §1.2: an undefined subset has no cluster: 503 NC.
    let d = route(&["--host", "api", "--path", "/ghost"]);
    assert_eq!(
        (d["status"].as_u64(), d["response_flags"][0].as_str()),
        (Some(503), Some("NC")),
        "{d:#}"
    );
}

#[test]
fn redirect_defaults_to_301_and_rewrites_the_prefix() {
    let d = route(&["--host", "api", "--path", "/old/page"]);
    assert_eq!(d["status"], 301);
    assert_eq!(d["location"], "http://api/new/page");
}

#[test]
fn delegate_rules_apply_within_the_root_match() {
    // §2.5: the root rule's delegate is replaced by the delegate's rules.
    let d = route(&["--host", "api", "--path", "/shop/cart"]);
    assert_eq!(d["matched"]["rule_name"], "shop-section");
    assert_eq!(d["destinations"][0]["subset"], "v2");
    assert_eq!(d["matched"]["delegate"][0]["name"], "shop-routes");
}

#[test]
fn sidecars_use_the_oldest_virtual_service_for_a_host() {
    // §2.5: no merging in the mesh; api-shadowed (younger) never applies.
    let d = route(&["--host", "api", "--path", "/nothing-here"]);
    assert!(
        d["virtual_host"].as_str().unwrap().contains("shop/api,"),
        "{d:#}"
    );
}

#[test]
fn short_names_resolve_in_the_callers_namespace() {
    // §2.4: `api` from namespace `web` is api.web, which has no
    // VirtualService. The input has no Services in `web`, so whether the
    // service exists is not known: the default route, marked not checked.
    let out = meshctl()
        .args([
            "route",
            SHOP,
            "--host",
            "api",
            "--source-namespace",
            "web",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["action"], "default_route", "{d:#}");
    assert_eq!(d["destinations"][0]["host"], "api.web.svc.cluster.local");
    assert!(
        d["destinations"][0]["note"]
            .as_str()
            .unwrap()
            .contains("not checked: host api.web.svc.cluster.local: the input has no Services in namespace web"),
        "{d:#}"
    );
    // `api.shop` from `web` reaches the shop service.
    let out = meshctl()
        .args([
            "route",
            SHOP,
            "--host",
            "api.shop",
            "--path",
            "/healthz",
            "--source-namespace",
            "web",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["status"], 204);
}

#[test]
fn hosts_without_a_virtual_service_get_the_default_route_and_retry_policy() {
    // §2.2 and §4.1: default route, 2 retries, and 503 is not a retry condition.
    let d = route(&["--host", "ratings"]);
    assert_eq!(d["action"], "default_route");
    let retries = &d["policy"]["retries"];
    assert_eq!(retries["attempts"], 2);
    assert_eq!(retries["mesh_default"], true);
    assert!(
        !retries["retry_on"]
            .as_str()
            .unwrap()
            .split(',')
            .any(|t| t == "5xx" || t == "503")
    );
    assert_eq!(d["policy"]["timeout"], "disabled");
}

#[test]
fn gateway_virtual_services_merge_with_catch_alls_last() {
    // §2.5: web-a (older) has a catch-all; merged with web-b it moves last,
    // so /reviews reaches web-b's rule.
    let d = route(&[
        "--host",
        "www.example.com",
        "--gateway",
        "public",
        "--path",
        "/reviews/1",
    ]);
    assert_eq!(d["matched"]["resource"]["name"], "web-b", "{d:#}");
    let d = route(&[
        "--host",
        "www.example.com",
        "--gateway",
        "shop/public",
        "--path",
        "/",
    ]);
    assert_eq!(d["matched"]["resource"]["name"], "web-a");
    let d = route(&["--host", "other.org", "--gateway", "public"]);
    assert_eq!(d["status"], 404);
}

#[test]
fn unknown_gateway_is_exit_two() {
    meshctl()
        .args(["route", SHOP, "--host", "x", "--gateway", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "gateway `nope` is not among the loaded Gateways",
        ));
}

#[test]
fn split_preview_gives_the_chance_of_no_canary_traffic() {
    // §3: share = w/Σw; Poisson thinning gives P(none) = exp(-rate·window·share).
    let d = route(&[
        "--host", "api", "--path", "/api", "--rate", "1", "--window", "4s",
    ]);
    let rows = d["split_preview"]["destinations"].as_array().unwrap();
    let p_none = rows[1]["p_none"].as_f64().unwrap();
    assert!((p_none - (-1.0f64).exp()).abs() < 1e-9, "{rows:?}");
}

#[test]
fn route_tests_pass_report_coverage_and_gate_on_it() {
    meshctl()
        .args([
            "test",
            "fixtures/route-tests/bookinfo.test.yaml",
            "--fail-under",
            "100",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "3 passed, 0 failed; 100% of routing rules covered",
        ));
}

/// A route test in `dir` that expects v1 where the canary sends jason to v2.
fn failing_route_test(dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::copy("fixtures/bookinfo/reviews-canary.yaml", dir.join("m.yaml")).unwrap();
    let test = dir.join("t.yaml");
    std::fs::write(
        &test,
        "manifests: [m.yaml]\ntests:\n- name: wrong\n  request: {host: reviews.shop, headers: {end-user: jason}}\n  expect: {subset: v1}\n",
    )
    .unwrap();
    test
}

#[test]
fn a_failing_route_test_shows_the_trace_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let test = failing_route_test(dir.path());
    meshctl()
        .args(["test", test.to_str().unwrap(), "--fail-under", "90"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("subset: expected v1, got [v2]"))
        .stdout(predicates::str::contains(
            "✓ shop/reviews rule #0 \"test-user\" match #0: every condition holds",
        ))
        .stdout(predicates::str::contains(
            "not covered: shop/reviews rule #1",
        ));
}

#[test]
fn a_malformed_route_test_file_is_exit_two_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let test = dir.path().join("t.yaml");
    std::fs::write(
        &test,
        "manifests: [m.yaml]\ntests:\n- name: x\n  request: {hots: a}\n  expect: {}\n",
    )
    .unwrap();
    meshctl()
        .args(["test", test.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "t.yaml:4:13: unknown field `hots`",
        ));
}

#[test]
fn the_shipped_route_test_file_matches_its_schema() {
    let schema: Value = serde_json::from_str(include_str!("../schemas/route-test.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = std::fs::read_to_string("fixtures/route-tests/bookinfo.test.yaml").unwrap();
    // The test file is YAML: read it with meshctl's own loader.
    let mut loaded = meshctl::load::Loaded::default();
    loaded.add_bytes("t".into(), text.into_bytes());
    let errors: Vec<String> = validator
        .iter_errors(&loaded.documents[0].value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// `-n shop`, as a kubectl user types it, puts the caller in shop too (unless
/// `--source-namespace` says otherwise): the short host `reviews` means
/// reviews.shop, exactly as with `--source-namespace shop`.
#[test]
fn dash_n_is_the_callers_namespace_unless_source_namespace_is_given() {
    let run = |args: &[&str]| -> Value {
        let out = meshctl()
            .args(["route", SHOP, "--host", "reviews", "-o", "json"])
            .args(args)
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let by_n = run(&["-n", "shop"]);
    assert_eq!(by_n["request"]["source_namespace"], "shop");
    assert_eq!(by_n, run(&["--source-namespace", "shop"]));
    let overridden = run(&["-n", "shop", "--source-namespace", "default"]);
    assert_eq!(overridden["request"]["source_namespace"], "default");
}

/// Every `route -o json` answer — a match, a redirect, no route, the
/// default route, a passthrough, a split preview — carries `version` 1 and
/// matches schemas/output/route.json.
#[test]
fn json_answers_match_their_published_schema() {
    let answers = [
        route(&["--host", "api", "--path", "/v2/7"]),
        route(&["--host", "api", "--path", "/healthz?probe=1"]),
        route(&["--host", "api", "--path", "/nothing-here"]),
        route(&["--host", "reviews", "--rate", "2", "--window", "10s"]),
        route(&["--host", "unknown.example.com"]),
    ];
    for answer in answers {
        assert_eq!(answer["version"], 1);
        let errors = schema_errors(include_str!("../schemas/output/route.json"), &answer);
        assert!(errors.is_empty(), "{errors:?}\n{answer}");
    }
}

/// `test -o json`, passing and failing, carries `version` 1 and matches
/// schemas/output/test.json.
#[test]
fn test_json_matches_its_published_schema() {
    let dir = tempfile::tempdir().unwrap();
    let failing = failing_route_test(dir.path());
    for file in [
        std::path::PathBuf::from("fixtures/route-tests/bookinfo.test.yaml"),
        failing,
    ] {
        let out = meshctl()
            .args(["test", "-o", "json"])
            .arg(&file)
            .output()
            .unwrap();
        let answer: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(answer["version"], 1);
        let errors = schema_errors(include_str!("../schemas/output/test.json"), &answer);
        assert!(errors.is_empty(), "{errors:?}\n{answer}");
    }
}

/// A host in no registry passes through under ALLOW_ANY (Istio's default
/// outbound policy); when it looks like a typo of a known service, in the
/// form it was typed (short, `name.namespace` or the FQDN), the note names it.
#[test]
fn an_unknown_host_suggests_the_service_it_looks_like() {
    for typed in [
        "reviewz.shop",
        "reviewz.shop.svc.cluster.local",
        "reveiws.shop:9080",
    ] {
        let d = route(&["--host", typed]);
        assert_eq!(d["action"], "passthrough", "{typed}: {d}");
        let note = d["note"].as_str().unwrap_or_default();
        assert!(
            note.contains("did you mean reviews.shop.svc.cluster.local?"),
            "{typed}: {note}"
        );
    }
    let d = route(&["--host", "api.example.org"]);
    assert!(
        !d["note"]
            .as_str()
            .unwrap_or_default()
            .contains("did you mean"),
        "{d}"
    );
}

#[test]
fn a_virtual_service_with_no_route_for_the_port_leaves_the_default_route() {
    // Istio's buildSidecarVirtualHostsForVirtualService: when every route of
    // the VirtualService is dropped at config time for the listener port,
    // it gives no virtual host there, and the Service keeps its default
    // route on that port.
    let yaml = "apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80}, {name: http-admin, port: 9000}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http:
  - match: [{port: 80}]
    fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
    route: [{destination: {host: web}}]
";
    let (_dir, file) = written(yaml);
    let call =
        |authority: &str| route_json(&file, &["--host", authority, "--source-namespace", "shop"]);
    let admin = call("web:9000");
    assert_eq!(admin["action"], "default_route");
    assert_eq!(admin["status"], 200);
    assert_eq!(admin["destinations"][0]["port"], 9000);
    assert_eq!(admin["trace"][0]["outcome"], "skipped");
    let web = call("web");
    assert_eq!(web["action"], "route", "no port: http's port 80");
    assert_eq!(web["policy"]["fault"]["abort"]["http_status"], 418);
}

#[test]
fn https_redirect_makes_the_virtual_host_require_tls() {
    // Istio's buildGatewayHTTPRouteConfig: a plain-HTTP server with
    // tls.httpsRedirect gives its hosts a virtual host requiring TLS (301
    // to https, path and query kept), with or without a VirtualService, and
    // also when another Gateway on the same proxies serves the host on the
    // port without the redirect; the HTTPS server routes as usual.
    let file = "fixtures/routing/https-redirect.yaml";
    let call = |gateway: &str, host: &str, port: &str| {
        let d = route_json(
            file,
            &[
                "--gateway",
                gateway,
                "--host",
                host,
                "--path",
                "/cart?x=1",
                "--port",
                port,
            ],
        );
        (
            d["status"].as_u64().unwrap(),
            d["location"].as_str().unwrap_or_default().to_string(),
        )
    };
    let redirected = |host: &str| (301, format!("https://{host}/cart?x=1"));
    for (gateway, host, port, expected) in [
        (
            "edge/plain",
            "shop.example.com",
            "80",
            redirected("shop.example.com"),
        ),
        (
            "edge/redirect-to-https",
            "shop.example.com",
            "80",
            redirected("shop.example.com"),
        ),
        (
            "edge/plain",
            "docs.example.com",
            "80",
            redirected("docs.example.com"),
        ),
        (
            "edge/plain",
            "status.example.com",
            "80",
            (200, String::new()),
        ),
        (
            "edge/redirect-to-https",
            "shop.example.com",
            "443",
            (200, String::new()),
        ),
    ] {
        assert_eq!(
            call(gateway, host, port),
            expected,
            "{gateway} {host}:{port}"
        );
    }
}

/// A file holding `yaml`, kept alive with its folder.
fn written(yaml: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mesh.yaml");
    std::fs::write(&file, yaml).unwrap();
    let path = file.to_str().unwrap().to_string();
    (dir, path)
}

/// The flags of a call to `host` from a workload in `ns` with `labels`.
fn caller<'a>(host: &'a str, ns: &'a str, labels: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--host", host, "--source-namespace", ns];
    for l in labels {
        args.extend(["--source-label", *l]);
    }
    args
}

/// (status, action, matched rule name) of `route FILE ARGS...`.
fn outcome_of(file: &str, args: &[&str]) -> (u64, String, String) {
    let d = route_json(file, args);
    (
        d["status"].as_u64().unwrap(),
        d["action"].as_str().unwrap().to_string(),
        d["matched"]["rule_name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[test]
fn host_headers_match_the_names_istio_generates() {
    // Istio's generateAltVirtualHosts: a service's virtual host answers its
    // FQDN and the short forms within the caller's DNS domain (`reviews` in
    // its own namespace, `reviews.shop`, `reviews.shop.svc`,
    // `reviews.shop.svc.cluster`); any other name is matched literally, so
    // `reviews` from another namespace reaches no virtual host of it.
    let (_dir, file) = written(
        "apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: web}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - name: shop-rule
    route: [{destination: {host: reviews}}]
",
    );
    let by_rule = (200, "route".to_string(), "shop-rule".to_string());
    for (authority, ns, expected) in [
        ("reviews", "shop", by_rule.clone()),
        ("reviews.shop", "web", by_rule.clone()),
        ("reviews.shop.svc", "web", by_rule.clone()),
        ("reviews.shop.svc.cluster", "web", by_rule.clone()),
        ("reviews.shop.svc.cluster.local", "web", by_rule.clone()),
        ("reviews", "web", (200, "passthrough".into(), String::new())),
    ] {
        assert_eq!(
            outcome_of(&file, &["--host", authority, "--source-namespace", ns]),
            expected,
            "{authority} from {ns}"
        );
    }
}

#[test]
fn a_virtual_service_for_an_unregistered_host_serves_port_80_only() {
    // Istio's BuildSidecarVirtualHostWrapper: VirtualService hosts in no
    // Service or ServiceEntry get a virtual host on port 80; on another port
    // the request falls to the catch-all (ALLOW_ANY passthrough), whatever
    // the VirtualService's port match says.
    let (_dir, file) = written(
        "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: legacy, namespace: shop}
spec:
  hosts: [legacy.example.com]
  http:
  - match: [{port: 8080}, {port: 80}]
    route: [{destination: {host: legacy.example.com}}]
",
    );
    for (authority, action) in [
        ("legacy.example.com", "route"),
        ("legacy.example.com:80", "route"),
        ("legacy.example.com:8080", "passthrough"),
    ] {
        let args = ["--host", authority, "--source-namespace", "shop"];
        assert_eq!(outcome_of(&file, &args).1, action, "{authority}");
    }
}

#[test]
fn an_external_name_service_is_an_alias_of_its_target() {
    // Istio's ENABLE_EXTERNAL_NAME_ALIAS (pkg/config/kube/conversion.go): an
    // ExternalName Service joins its target's virtual host; a
    // VirtualService for the alias never applies, and calls reach the
    // target's endpoints.
    let (_dir, file) = written(
        "apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec: {ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: web}
spec:
  type: ExternalName
  externalName: reviews.shop.svc.cluster.local
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - name: target
    route: [{destination: {host: reviews}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: alias, namespace: web}
spec:
  hosts: [reviews]
  http:
  - name: alias
    route: [{destination: {host: reviews}}]
",
    );
    let d = route_json(&file, &["--host", "reviews", "--source-namespace", "web"]);
    assert_eq!(d["matched"]["rule_name"], "target");
    assert_eq!(
        d["destinations"][0]["host"],
        "reviews.shop.svc.cluster.local"
    );
    assert!(
        d["virtual_host"]
            .as_str()
            .unwrap()
            .contains("reviews.web.svc.cluster.local is an ExternalName alias")
    );
}

#[test]
fn sidecar_egress_decides_what_a_caller_sees() {
    // Istio's pilot/pkg/model/sidecar.go (ConvertToSidecarScope): the
    // Sidecar selecting the caller's labels, else its namespace's, else the
    // root namespace's applies; `egress[].hosts` (`ns/host`, `.` the
    // caller's namespace) import services and VirtualServices; a host not
    // imported goes to the outbound traffic policy (ALLOW_ANY passthrough,
    // REGISTRY_ONLY 502 from BlackHoleCluster).
    let file = "fixtures/routing/sidecar.yaml";
    let call = |host: &str, ns: &str, labels: &[&str]| {
        let (status, action, _) = outcome_of(file, &caller(host, ns, labels));
        (status, action)
    };
    let is = |status: u64, action: &str| (status, action.to_string());
    for (host, ns, labels, expected) in [
        ("reviews.shop", "web", &[][..], is(200, "route")),
        ("ratings.shop", "web", &[], is(502, "direct_response")),
        ("frontend", "web", &[], is(200, "default_route")),
        ("example.com", "web", &[], is(502, "direct_response")),
        (
            "ratings.shop",
            "web",
            &["app=batch"],
            is(200, "default_route"),
        ),
        ("example.com", "web", &["app=batch"], is(200, "passthrough")),
        ("reviews.shop", "other", &[], is(200, "passthrough")),
        ("app", "other", &[], is(200, "default_route")),
        ("reviews", "shop", &[], is(200, "route")),
        // The egress listener of the call's port, else the catch-all one.
        ("reviews.shop:9080", "ports", &[], is(200, "route")),
        (
            "reviews.shop:8080",
            "ports",
            &[],
            is(502, "direct_response"),
        ),
    ] {
        assert_eq!(
            call(host, ns, labels),
            expected,
            "{host} from {ns} {labels:?}"
        );
    }
}

#[test]
fn the_mesh_wide_outbound_traffic_policy_applies_unless_a_sidecar_sets_one() {
    // meshConfig.outboundTrafficPolicy (default ALLOW_ANY) decides what a
    // sidecar does with a host it has no service for; a Sidecar's own
    // outboundTrafficPolicy wins for the workloads it applies to.
    let file = "fixtures/routing/sidecar.yaml";
    let call = |ns: &str, labels: &[&str], extra: &[&str]| {
        let mut args = caller("example.com", ns, labels);
        args.extend(extra);
        outcome_of(file, &args).0
    };
    let registry_only = ["--outbound-traffic-policy", "REGISTRY_ONLY"];
    assert_eq!(call("other", &[], &[]), 200, "ALLOW_ANY by default");
    assert_eq!(call("other", &[], &registry_only), 502);
    assert_eq!(
        call("web", &[], &[]),
        502,
        "web's Sidecar says REGISTRY_ONLY"
    );
    assert_eq!(
        call("web", &["app=batch"], &registry_only),
        502,
        "the batch Sidecar sets no mode: the mesh's applies"
    );
    assert_eq!(
        call("web", &[], &["--outbound-traffic-policy", "ALLOW_ANY"]),
        502,
        "the Sidecar's mode wins over the mesh's"
    );
}

/// route parses only the documents that can change the answer: a YAML
/// error in a document about another host does not stop it, one in a
/// document about the requested host does (the answer would miss it).
#[test]
fn route_reads_only_the_documents_its_request_can_reach() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: shop\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\n  namespace: shop\nspec:\n  host: reviews\n  subsets:\n  - {name: v1, labels: {version: v1}}\n";
    let broken = |host: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {host}\n  namespace: shop\nspec:\n  hosts: [{host}]\n  http: [ {{route: ]\n\n"
        )
    };
    std::fs::write(dir.path().join("reviews.yaml"), good).unwrap();
    std::fs::write(dir.path().join("ratings.yaml"), broken("ratings")).unwrap();
    let route = |host: &str| {
        meshctl()
            .args(["route"])
            .arg(dir.path())
            .args(["--host", host, "--source-namespace", "shop", "-o", "json"])
            .output()
            .expect("runs")
    };
    let out = route("reviews");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(d["destinations"][0]["subset"], "v1", "{d:#}");
    assert_eq!(d["status"], 200, "{d:#}");

    let out = route("ratings");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ratings.yaml:8:19") && stderr.contains("YAML syntax error"),
        "{stderr}"
    );
}

#[test]
fn a_lone_destination_without_a_weight_takes_all_traffic_at_weight_100() {
    // Istio's HTTPRouteDestination.weight: with one destination in a rule it
    // receives all the traffic, its weight assumed to be 100.
    let d = route_json(
        "fixtures/bookinfo",
        &["--host", "reviews.shop", "-H", "end-user: jason"],
    );
    let dest = &d["destinations"][0];
    assert_eq!(d["destinations"].as_array().map(Vec::len), Some(1), "{d:#}");
    assert_eq!(
        (
            dest["subset"].as_str(),
            dest["weight"].as_u64(),
            dest["share"].as_f64()
        ),
        (Some("v2"), Some(100), Some(1.0)),
        "{d:#}"
    );
}
