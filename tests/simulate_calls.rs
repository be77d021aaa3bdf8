//! `meshctl simulate` with services that call services, through the real
//! binary, against closed forms: retries multiply at every hop (Envoy's
//! router retries each try's 5xx on its own, §4.1 of the semantics
//! reference), sequential calls add latency and parallel calls take the
//! slowest, a caller's timeout resets the stream but not the callee's work
//! (§4.2), and breakers count per calling proxy (§4.3). Runs are seeded;
//! each statistical check states its tolerance.

mod common;

use std::path::{Path, PathBuf};

use common::{meshctl, schema_errors};
use serde_json::Value;
use tempfile::TempDir;

const MESH: &str = "fixtures/callgraph/mesh";

fn scenario_path(name: &str) -> String {
    format!("fixtures/callgraph/scenarios/{name}.yaml")
}

/// `simulate MANIFESTS --scenario FILE -o json`: (exit code, stdout, stderr).
fn run_on(manifests: &Path, scenario: &Path) -> (i32, String, String) {
    let output = meshctl()
        .args(["simulate", "-o", "json", "--scenario"])
        .arg(scenario)
        .arg(manifests)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

/// [`run_on`] the shop's manifests.
fn run(scenario: &Path) -> (i32, String, String) {
    run_on(Path::new(MESH), scenario)
}

/// The JSON result of a run that must succeed.
fn simulate_on(manifests: &Path, scenario: &Path) -> Value {
    let (code, stdout, stderr) = run_on(manifests, scenario);
    assert_eq!(code, 0, "simulate failed: {stderr}");
    serde_json::from_str(&stdout).expect("JSON output")
}

/// A fixture scenario on the shop's manifests.
fn simulate(name: &str) -> Value {
    simulate_on(Path::new(MESH), Path::new(&scenario_path(name)))
}

/// Writes a scenario `text` as `name` in `dir`.
fn scenario_in(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The `services` entry of the host whose first label is `name`.
fn service<'r>(result: &'r Value, name: &str) -> &'r Value {
    result["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["host"].as_str().unwrap().split('.').next() == Some(name))
        .unwrap_or_else(|| panic!("no service {name} in {}", result["services"]))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

#[test]
fn retries_at_two_hops_multiply_on_a_failing_leaf() {
    // mid and leaf both have `retries: {attempts: 2, retryOn: 5xx}`; the
    // leaf answers 503 to everything. Each of mid's 3 tries calls the
    // leaf, which gets 3 tries: exactly 9 per entry request.
    let r = simulate("retry-storm");
    let entry = n(&r["requests"]);
    assert_eq!(entry, 2000);
    let leaf = service(&r, "leaf");
    let mid = service(&r, "mid");
    assert_eq!(n(&leaf["requests_received"]), 9 * entry);
    assert_eq!(f(&leaf["per_entry_request"]), 9.0);
    assert_eq!(n(&mid["requests_received"]), 3 * entry);
    // mid's failed call fails its request with the default 500, retried by
    // the entry proxy until its attempts are spent (URX).
    assert_eq!(n(&r["status_codes"]["500"]), entry);
    assert_eq!(n(&r["response_flags"]["URX"]), entry);
    assert_eq!(n(&leaf["status_codes"]["503"]), 3 * entry);
    // The slowest request's chain: the entry hop at mid, then mid's call
    // to the leaf that failed.
    let path = r["slowest"][0].as_array().unwrap();
    assert_eq!(path.len(), 2, "{path:?}");
    assert_eq!(n(&path[0]["status"]), 500);
    assert!(path[0]["endpoint"].as_str().unwrap().starts_with("mid."));
    assert_eq!(n(&path[1]["status"]), 503);
    assert!(path[1]["endpoint"].as_str().unwrap().starts_with("leaf."));
}

#[test]
fn a_flaky_leaf_gets_one_plus_p_plus_p_squared_tries_per_caller_try() {
    // p = 0.5 per try, 2 retries on 5xx: E[tries] = 1 + p + p^2 = 1.75 per
    // call. mid fails only when its 3 leaf tries all fail (p^3), so the
    // entry proxy sends 1 + p^3 + p^6 = 1.140625 tries to mid per request.
    // Tolerances: 5 standard errors (sd 0.83 over ~45,600 calls; sd 0.38
    // over 40,000 requests).
    let r = simulate("flaky-leaf");
    let entry = n(&r["requests"]) as f64;
    let mid = n(&service(&r, "mid")["requests_received"]) as f64;
    let leaf = n(&service(&r, "leaf")["requests_received"]) as f64;
    let per_call = leaf / mid;
    assert!(
        (per_call - 1.75).abs() < 0.02,
        "leaf tries per call {per_call}"
    );
    let per_entry = mid / entry;
    assert!(
        (per_entry - 1.140625).abs() < 0.01,
        "mid tries per entry request {per_entry}"
    );
}

#[test]
fn sequential_calls_add_their_latency_and_parallel_calls_take_the_slowest() {
    // Constant latencies: catalog 10ms, reviews 30ms, web's own work 5ms.
    let sequential = simulate("sequential");
    let parallel = simulate("parallel");
    for (r, expected) in [(&sequential, 45.0), (&parallel, 35.0)] {
        let l = &r["latency_ms"];
        for p in ["p50", "p99", "max"] {
            assert!(
                (f(&l[p]) - expected).abs() < 0.1,
                "{p} {} where {expected}ms is expected",
                l[p]
            );
        }
        assert_eq!(f(&r["success_rate"]), 1.0);
        for name in ["web", "catalog", "reviews"] {
            assert_eq!(f(&service(r, name)["per_entry_request"]), 1.0);
        }
    }
}

#[test]
fn a_callers_timeout_does_not_stop_the_callees_work() {
    // slow-leaf takes U(50ms, 150ms) on one server, a request every 100ms,
    // and its route has a 100ms timeout. The reset does not reach the
    // leaf's work: it serves every request it started, the queue grows
    // without bound (utilisation 1), and nearly every call times out.
    let r = simulate("slow-leaf");
    let leaf = service(&r, "slow-leaf");
    assert!(f(&r["success_rate"]) < 0.05, "{}", r["success_rate"]);
    // The caller's proxy answers 504 UT; web fails with its failureStatus.
    assert!(n(&leaf["status_codes"]["504"]) > 1100);
    assert_eq!(leaf["status_codes"]["504"], leaf["response_flags"]["UT"]);
    assert!(n(&r["status_codes"]["502"]) > 1100);
    // No retries at either hop: web's mesh route has Istio's default
    // policy, which does not retry 502, and slow-leaf's has attempts 0.
    assert_eq!(f(&leaf["per_entry_request"]), 1.0);
}

#[test]
fn a_service_that_honours_cancellation_stops_at_the_reset() {
    // The same leaf with `cancellable: true` frees its server when the
    // caller gives up, so each call is served at once and succeeds when
    // its latency is under 100ms: P = 0.5 (binomial sd 0.014 over 1,200).
    let text = std::fs::read_to_string(scenario_path("slow-leaf")).unwrap();
    let cancellable = text.replace(
        "      concurrency: 1\n",
        "      concurrency: 1\n      cancellable: true\n",
    );
    assert_ne!(text, cancellable);
    let dir = TempDir::new().unwrap();
    let path = scenario_in(&dir, "cancellable.yaml", &cancellable);
    let r = simulate_on(Path::new(MESH), &path);
    let success = f(&r["success_rate"]);
    assert!((success - 0.5).abs() < 0.06, "success {success}");
}

#[test]
fn traffic_enters_at_the_gateway_and_follows_the_graph() {
    // Users reach web through shop-gateway; web calls catalog always and
    // reviews for 80 % of the pages; reviews v2 (half of reviews) calls
    // ratings, which fails 10 % with 503 (not retried by Istio's default
    // policy), optional for reviews. Tolerances: 5 standard errors over
    // ~6,000 requests.
    let r = simulate("shop");
    let entry = n(&r["requests"]);
    assert!(entry > 5000);
    assert_eq!(f(&r["success_rate"]), 1.0, "ratings' failures are optional");
    let destinations: Vec<&str> = r["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["host"].as_str().unwrap())
        .collect();
    assert_eq!(destinations, ["web.shop.svc.cluster.local"]);
    assert_eq!(f(&service(&r, "web")["per_entry_request"]), 1.0);
    assert_eq!(f(&service(&r, "catalog")["per_entry_request"]), 1.0);
    let reviews = f(&service(&r, "reviews")["per_entry_request"]);
    assert!((reviews - 0.8).abs() < 0.026, "reviews {reviews}");
    let ratings = service(&r, "ratings");
    let per_entry = f(&ratings["per_entry_request"]);
    assert!((per_entry - 0.4).abs() < 0.032, "ratings {per_entry}");
    let success = f(&ratings["success_rate"]);
    assert!((success - 0.9).abs() < 0.03, "ratings success {success}");
    assert_eq!(f(&service(&r, "reviews")["success_rate"]), 1.0);
}

#[test]
fn breakers_count_per_calling_endpoint() {
    // web calls the leaf (one endpoint), whose DestinationRule allows one
    // connection and one pending request (HTTP/1.1: one request per
    // connection). Calls take 100ms and arrive every 50ms: one web
    // endpoint's sidecar can carry half of them and the rest overflow
    // (503 UO); spread over four endpoints' sidecars, each with its own
    // breaker, they rarely do.
    let breaker = "
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: leaf, namespace: shop}
spec:
  host: leaf
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 1}
      http: {http1MaxPendingRequests: 1}
";
    let dir = TempDir::new().unwrap();
    let mesh = dir.path().join("mesh");
    std::fs::create_dir(&mesh).unwrap();
    for file in ["services.yaml", "routing.yaml"] {
        let text = std::fs::read_to_string(format!("{MESH}/{file}")).unwrap();
        std::fs::write(mesh.join(file), text).unwrap();
    }
    std::fs::write(mesh.join("breaker.yaml"), breaker).unwrap();
    let overflows = |endpoints: u32| {
        let scenario = format!(
            "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  seed: 2
  requests: 2000
  traffic:
    - rate: 20
      arrival: constant
      sourceNamespace: shop
      mix: [{{request: {{host: web.shop.svc.cluster.local}}}}]
  services:
    web.shop.svc.cluster.local:
      endpoints: {endpoints}
      latency: {{distribution: constant, value: 1ms}}
      calls: [{{service: leaf}}]
    leaf.shop.svc.cluster.local:
      endpoints: 1
      latency: {{distribution: constant, value: 100ms}}
"
        );
        let path = scenario_in(&dir, &format!("breaker-{endpoints}.yaml"), &scenario);
        let r = simulate_on(&mesh, &path);
        n(&service(&r, "leaf")["overflow"]["pending"])
    };
    let one = overflows(1);
    let four = overflows(4);
    assert!(one > 500, "one calling endpoint: {one} overflows");
    assert!(four * 10 < one, "four calling endpoints: {four} vs {one}");
}

#[test]
fn calls_that_loop_for_certain_are_refused_at_the_call() {
    let dir = TempDir::new().unwrap();
    let path = scenario_in(
        &dir,
        "loop.yaml",
        "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  requests: 10
  traffic:
    - rate: 10
      sourceNamespace: shop
      mix: [{request: {host: mid.shop.svc.cluster.local}}]
  services:
    mid.shop.svc.cluster.local:
      calls: [{service: leaf}]
    leaf.shop.svc.cluster.local:
      calls:
        - {service: catalog, probability: 0.5}
        - {service: mid}
",
    );
    let (code, stdout, stderr) = run(&path);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("loop.yaml:15:21"), "{stderr}");
    assert!(
        stderr.contains(
            "these calls loop: mid.shop.svc.cluster.local -> leaf.shop.svc.cluster.local -> mid.shop.svc.cluster.local"
        ),
        "{stderr}"
    );
    // A loop that each request leaves with some probability is allowed.
    let finite = std::fs::read_to_string(&path)
        .unwrap()
        .replace("{service: mid}", "{service: mid, probability: 0.3}");
    std::fs::write(&path, finite).unwrap();
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_call_to_an_unknown_host_points_at_the_call() {
    let dir = TempDir::new().unwrap();
    let path = scenario_in(
        &dir,
        "unknown.yaml",
        "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  requests: 10
  traffic:
    - rate: 10
      sourceNamespace: shop
      mix: [{request: {host: web.shop.svc.cluster.local}}]
  services:
    web.shop.svc.cluster.local:
      calls: [{service: catalgo}]
",
    );
    let (code, _, stderr) = run(&path);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown.yaml:11:25"), "{stderr}");
    assert!(
        stderr.contains("did you mean `catalog.shop.svc.cluster.local`?"),
        "{stderr}"
    );
}

#[test]
fn call_graph_results_follow_the_schema_and_repeat_byte_for_byte() {
    let (code, first, stderr) = run(Path::new(&scenario_path("shop")));
    assert_eq!(code, 0, "{stderr}");
    let (_, second, _) = run(Path::new(&scenario_path("shop")));
    assert_eq!(first, second);
    let value: Value = serde_json::from_str(&first).unwrap();
    let errors = schema_errors(include_str!("../schemas/output/simulate.json"), &value);
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!value["slowest"].as_array().unwrap().is_empty());
    let human = meshctl()
        .args(["simulate", MESH, "--scenario", &scenario_path("shop")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("services, every hop"), "{text}");
    assert!(text.contains("slowest requests"), "{text}");
}

#[test]
fn simulate_makes_the_annotated_calls_and_measures_what_validate_predicts() {
    // fixtures/rules/MC2510-retry-amplification/bad.yaml: web and mid list
    // their calls in the meshctl.dev/calls annotation, and each of the
    // three hops retries 5xx twice. validate's MC2510 says the leaf can be
    // reached 27 times per request; with a leaf that always fails, the
    // simulation (whose scenario gives no calls) measures exactly that.
    let manifests = "fixtures/rules/MC2510-retry-amplification/bad.yaml";
    let report = common::validate_json(&[manifests]);
    let message = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "MC2510")
        .expect("MC2510 reported")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("leaf.shop.svc.cluster.local 27 times"),
        "{message}"
    );
    let dir = TempDir::new().unwrap();
    let path = scenario_in(
        &dir,
        "failing-leaf.yaml",
        "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  requests: 300
  traffic:
    - rate: 10
      sourceNamespace: shop
      mix: [{request: {host: web.shop.svc.cluster.local}}]
  services:
    leaf.shop.svc.cluster.local:
      errors: {rate: 1.0, status: 503}
",
    );
    let r = simulate_on(Path::new(manifests), &path);
    assert_eq!(f(&service(&r, "leaf")["per_entry_request"]), 27.0);
    assert_eq!(f(&service(&r, "mid")["per_entry_request"]), 9.0);
}
