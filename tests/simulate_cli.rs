//! `meshctl simulate` through the real binary, checked against closed forms
//! (queueing theory, binomial shares, retry probabilities) and against the
//! Istio/Envoy rules of the semantics reference (§4, §6). Each statistical
//! check states its tolerance; runs are seeded, so they are reproducible.

mod common;

use common::{meshctl, schema_errors};
use serde_json::Value;
use tempfile::TempDir;

/// A Service `queue` in `default`, the plainest routable host.
const QUEUE_SERVICE: &str = "
apiVersion: v1
kind: Service
metadata: {name: queue, namespace: default}
spec:
  selector: {app: queue}
  ports: [{name: http, port: 80}]
";

/// Writes manifests and a scenario, runs `simulate -o json ARGS`, returns (exit code, JSON or stderr).
fn run(manifests: &str, scenario: &str, args: &[&str]) -> (i32, Value, String) {
    let dir = TempDir::new().unwrap();
    let m = dir.path().join("manifests.yaml");
    let s = dir.path().join("scenario.yaml");
    std::fs::write(&m, manifests).unwrap();
    std::fs::write(&s, scenario).unwrap();
    let output = meshctl()
        .args(["simulate", "-o", "json", "--scenario"])
        .arg(&s)
        .arg(&m)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), json, stderr)
}

fn simulate(manifests: &str, scenario: &str) -> Value {
    let (code, json, stderr) = run(manifests, scenario, &[]);
    assert_eq!(code, 0, "simulate failed: {stderr}");
    json
}

/// A scenario with one Poisson stream to `host` and the `services` block given.
fn scenario(requests: u64, rate: f64, host: &str, services: &str) -> String {
    format!(
        "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  seed: 11
  requests: {requests}
  traffic:
  - rate: {rate}
    mix: [{{request: {{host: {host}}}}}]
  services:
{services}"
    )
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn count(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn within(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} is not within {tolerance} of {expected}"
    );
}

/// Four standard deviations of a binomial proportion.
fn four_sigma(p: f64, n: f64) -> f64 {
    4.0 * (p * (1.0 - p) / n).sqrt()
}

#[test]
fn m_m_1_latency_matches_the_closed_form() {
    // λ = 50/s, μ = 100/s, one server: the sojourn time is exponential with
    // rate μ − λ, so mean 20 ms, p50 ln2·20, p90 ln10·20, p99 ln100·20.
    // Tolerance 4 % (400k requests; HDR histogram precision 0.1 %).
    let s = scenario(
        400_000,
        50.0,
        "queue",
        "    queue: {endpoints: 1, concurrency: 1, latency: {distribution: exponential, mean: 10ms}}\n",
    );
    let r = simulate(QUEUE_SERVICE, &s);
    let l = &r["latency_ms"];
    within(f(&l["mean"]), 20.0, 0.8, "mean");
    within(f(&l["p50"]), 20.0 * 2f64.ln(), 0.04 * 13.86, "p50");
    within(f(&l["p90"]), 20.0 * 10f64.ln(), 0.04 * 46.05, "p90");
    within(f(&l["p99"]), 20.0 * 100f64.ln(), 0.04 * 92.1, "p99");
}

/// Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    top / (sum + top)
}

#[test]
fn m_m_c_latency_matches_erlang_c() {
    // One endpoint with concurrency 4 is an M/M/4 queue. λ = 320/s, μ = 100/s:
    // W = 1/μ + C/(cμ − λ); P(T > t) = e^{−μt} + Cμ/(cμ−λ−μ)·(e^{−μt} − e^{−(cμ−λ)t}).
    // Tolerance 4 % on the mean and the percentiles (400k requests).
    let (c, lambda, mu) = (4, 320.0, 100.0);
    let pc = erlang_c(c, lambda / mu);
    let drain = f64::from(c) * mu - lambda;
    let mean_ms = 1000.0 * (1.0 / mu + pc / drain);
    let tail =
        |t: f64| (-mu * t).exp() + pc * mu / (drain - mu) * ((-mu * t).exp() - (-drain * t).exp());
    let quantile = |q: f64| {
        let (mut lo, mut hi) = (0.0, 10.0);
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            if tail(mid) > 1.0 - q {
                lo = mid
            } else {
                hi = mid
            }
        }
        1000.0 * lo
    };
    let s = scenario(
        400_000,
        lambda,
        "queue",
        "    queue: {endpoints: 1, concurrency: 4, latency: {distribution: exponential, mean: 10ms}}\n",
    );
    let r = simulate(QUEUE_SERVICE, &s);
    let l = &r["latency_ms"];
    within(f(&l["mean"]), mean_ms, 0.04 * mean_ms, "mean");
    for (key, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
        let expected = quantile(q);
        within(f(&l[key]), expected, 0.04 * expected, key);
    }
}

const CANARY: &str = "
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: default}
spec:
  hosts: [web]
  http:
  - route:
    - destination: {host: web, subset: v1}
      weight: 90
    - destination: {host: web, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: default}
spec:
  host: web
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
";

#[test]
fn split_shares_are_binomial_around_the_weights() {
    // §3: each request draws once in [0, Σw); v2's count is Binomial(N, 0.1).
    // Tolerance 4σ; the reported 95 % interval contains the true share.
    let n = 20_000.0;
    let r = simulate(CANARY, &scenario(20_000, 500.0, "web", "    web: {}\n"));
    let v2 = r["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["subset"] == "v2")
        .unwrap();
    within(f(&v2["share"]), 0.1, four_sigma(0.1, n), "v2 share");
    assert!(
        f(&v2["ci95"][0]) < 0.1 && 0.1 < f(&v2["ci95"][1]),
        "CI {}",
        v2["ci95"]
    );
    assert_eq!(f(&r["requests"]), n);
}

fn retrying(retries: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: queue, namespace: default}}
spec:
  hosts: [queue]
  http:
  - route:
    - destination: {{host: queue}}
{retries}
---{QUEUE_SERVICE}"
    )
}

const FLAKY: &str = "    queue: {endpoints: 5, errors: {rate: 0.3, status: 503}, latency: {distribution: constant, value: 5ms}}\n";

#[test]
fn retries_on_5xx_succeed_with_probability_one_minus_p_to_the_tries() {
    // §4.1 / §6.2: attempts 2 = 3 tries. Success 1 − p³, mean tries 1 + p + p²,
    // URX on the p³ that exhaust their retries. p = 0.3; tolerance 4σ.
    let n = 40_000.0;
    let manifests = retrying("    retries: {attempts: 2, retryOn: 5xx}");
    let r = simulate(&manifests, &scenario(40_000, 200.0, "queue", FLAKY));
    let p: f64 = 0.3;
    within(
        f(&r["success_rate"]),
        1.0 - p.powi(3),
        four_sigma(p.powi(3), n),
        "success",
    );
    within(
        f(&r["attempts"]["mean"]),
        1.0 + p + p * p,
        0.015,
        "mean tries",
    );
    within(
        count(&r["response_flags"], "URX") / n,
        p.powi(3),
        four_sigma(p.powi(3), n),
        "URX share",
    );
}

#[test]
fn the_default_retry_policy_does_not_retry_503() {
    // §6.1: without `retries`, Istio's default retryOn has no 5xx: every 503
    // goes back to the caller after one try, without URX.
    let n = 40_000.0;
    let r = simulate(QUEUE_SERVICE, &scenario(40_000, 200.0, "queue", FLAKY));
    within(f(&r["success_rate"]), 0.7, four_sigma(0.3, n), "success");
    assert_eq!(f(&r["attempts"]["mean"]), 1.0);
    assert_eq!(count(&r["response_flags"], "URX"), 0.0);
    within(
        count(&r["status_codes"], "503") / n,
        0.3,
        four_sigma(0.3, n),
        "503 share",
    );
}

#[test]
fn the_default_retry_policy_retries_connect_failures_on_other_hosts() {
    // §6.1: a refused connection (UF) is retried up to 2 times, and the
    // previous-hosts predicate steers the retry away from the dead endpoint
    // (up to 5 re-picks). The dead endpoint never holds an active request,
    // so least-request keeps choosing it when sampled: a few requests still
    // exhaust their retries, and those end 503 with URX and UF.
    let n = 10_000.0;
    let services = "    queue: {endpoints: 3, endpointOverrides: {\"0\": {down: true}}}\n";
    let r = simulate(QUEUE_SERVICE, &scenario(10_000, 200.0, "queue", services));
    assert!(f(&r["success_rate"]) >= 0.999, "{}", r["success_rate"]);
    assert!(
        count(&r["attempts"]["histogram"], "2") > 1000.0,
        "{}",
        r["attempts"]
    );
    let failed = n - n * f(&r["success_rate"]);
    assert_eq!(count(&r["response_flags"], "UF"), failed.round());
    assert_eq!(count(&r["response_flags"], "URX"), failed.round());
}

const SLOW: &str = "    queue: {latency: {distribution: constant, value: 300ms}}\n";

#[test]
fn the_route_timeout_gives_504_ut_at_the_deadline() {
    // §4.2: the route timeout covers the exchange; expiry is 504 UT, never retried.
    let n = 2_000.0;
    let r = simulate(
        &retrying("    timeout: 100ms"),
        &scenario(2_000, 50.0, "queue", SLOW),
    );
    assert_eq!(count(&r["status_codes"], "504"), n);
    assert_eq!(count(&r["response_flags"], "UT"), n);
    within(f(&r["latency_ms"]["max"]), 100.0, 0.2, "max latency");
    assert_eq!(f(&r["attempts"]["mean"]), 1.0);
}

#[test]
fn per_try_timeouts_are_retried_with_5xx_and_the_backoff_counts() {
    // §4.1-4.2: 3 tries of 50 ms plus two jittered back-offs (< 25 ms, then
    // < 75 ms); the last per-try timeout ends in 504 with UT and URX.
    let n = 2_000.0;
    let manifests =
        retrying("    timeout: 1s\n    retries: {attempts: 2, perTryTimeout: 50ms, retryOn: 5xx}");
    let r = simulate(&manifests, &scenario(2_000, 50.0, "queue", SLOW));
    assert_eq!(count(&r["status_codes"], "504"), n);
    assert_eq!(count(&r["response_flags"], "URX"), n);
    assert_eq!(f(&r["attempts"]["mean"]), 3.0);
    let l = &r["latency_ms"];
    assert!(f(&l["p50"]) >= 150.0 && f(&l["max"]) < 250.5, "{l}");
}

#[test]
fn a_per_try_timeout_is_not_retried_without_5xx_gateway_error_or_reset() {
    // §6.4: retryOn connect-failure does not cover a per-try timeout: 504 UT after one try.
    let manifests =
        retrying("    retries: {attempts: 2, perTryTimeout: 50ms, retryOn: connect-failure}");
    let r = simulate(&manifests, &scenario(1_000, 50.0, "queue", SLOW));
    assert_eq!(f(&r["attempts"]["mean"]), 1.0);
    assert_eq!(count(&r["response_flags"], "URX"), 0.0);
    assert_eq!(count(&r["response_flags"], "UT"), 1000.0);
    within(f(&r["latency_ms"]["max"]), 50.0, 0.1, "max latency");
}

fn pool(limits: &str) -> String {
    format!(
        "{}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: queue, namespace: default}}
spec:
  host: queue
  trafficPolicy:
    connectionPool: {limits}",
        retrying("    retries: {attempts: 3, retryOn: 5xx}")
    )
}

#[test]
fn pending_overflow_matches_the_m_m_1_2_loss_probability_and_is_never_retried() {
    // §4.3: one connection, one pending request: an M/M/1 system with room
    // for 2. Blocking probability ρ²(1−ρ)/(1−ρ³) with ρ = 0.5 is 1/7. Each
    // rejection is 503 UO after one try although retryOn has 5xx (§6.6).
    // Tolerance 4σ (100k requests).
    let n = 100_000.0;
    let manifests = pool("{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}");
    let services = "    queue: {endpoints: 1, concurrency: 1, latency: {distribution: exponential, mean: 10ms}}\n";
    let r = simulate(&manifests, &scenario(100_000, 50.0, "queue", services));
    let rho: f64 = 0.5;
    let blocked = rho * rho * (1.0 - rho) / (1.0 - rho.powi(3));
    let uo = count(&r["response_flags"], "UO");
    within(uo / n, blocked, four_sigma(blocked, n), "UO share");
    assert_eq!(count(&r["status_codes"], "503"), uo);
    assert_eq!(f(&r["attempts"]["mean"]), 1.0, "UO is never retried");
}

#[test]
fn no_overflow_below_the_limit() {
    // Constant arrivals every 20 ms, constant 10 ms service: never more than
    // one request at a time, so one connection and no pending queue suffice.
    let manifests = pool("{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}");
    let s = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  requests: 5000
  traffic:
  - {rate: 50, arrival: constant, mix: [{request: {host: queue}}]}
  services:
    queue: {endpoints: 1, concurrency: 1, latency: {distribution: constant, value: 10ms}}
";
    let r = simulate(&manifests, s);
    assert_eq!(f(&r["success_rate"]), 1.0);
    assert_eq!(count(&r["response_flags"], "UO"), 0.0);
}

fn outlier(max_percent: &str, cap: &str) -> (String, String) {
    let manifests = format!(
        "{QUEUE_SERVICE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: queue, namespace: default}}
spec:
  host: queue
  trafficPolicy:
    outlierDetection: {{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s{max_percent}}}
"
    );
    let scenario = format!(
        "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  duration: 130s
  {cap}
  traffic:
  - {{rate: 100, arrival: constant, mix: [{{request: {{host: queue}}}}]}}
  services:
    queue:
      endpoints: 4
      endpointOverrides: {{\"0\": {{errors: {{rate: 1.0, status: 500}}}}}}
"
    );
    (manifests, scenario)
}

#[test]
fn outlier_ejection_is_immediate_and_return_waits_for_the_interval_tick() {
    // §4.4: ejected at the 5th consecutive 5xx; back at the first 10 s tick
    // after 30 s (t = 40 s); ejected again at once with multiplier 2, so back
    // at the first tick after 60 s more (t = 110 s).
    let (m, s) = outlier(", maxEjectionPercent: 50", "");
    let r = simulate(&m, &s);
    let times: Vec<f64> = r["ejection_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| f(&e["at_s"]))
        .collect();
    assert_eq!(times.len(), 3, "{times:?}");
    assert!(times[0] < 1.0, "{times:?}");
    assert!((40.0..41.0).contains(&times[1]), "{times:?}");
    assert!((110.0..111.0).contains(&times[2]), "{times:?}");
}

#[test]
fn default_max_ejection_percent_ejects_nothing_below_ten_hosts_unless_envoy_is_old() {
    // §4.4 step 3 / §6.10: 10 % of 4 hosts; Envoy ≥ 1.27 ejects none, ≤ 1.26 one.
    let (m, s) = outlier("", "");
    assert_eq!(f(&simulate(&m, &s)["ejections"]), 0.0);
    let (m, s) = outlier("", "proxy: {ejectionCap: before-ejection}");
    assert!(f(&simulate(&m, &s)["ejections"]) >= 1.0);
}

#[test]
fn fault_abort_and_delay_follow_their_percentages_and_bypass_the_router_timer() {
    // §4.6 / §6.14: abort 50 % → FI with the status and no upstream try;
    // delay 100 % × 50 ms → DI, not counted in the 30 ms route timeout.
    let n = 10_000.0;
    let abort = retrying("    fault: {abort: {httpStatus: 418, percentage: {value: 50}}}");
    let r = simulate(&abort, &scenario(10_000, 200.0, "queue", "    queue: {}\n"));
    let fi = count(&r["response_flags"], "FI");
    within(fi / n, 0.5, four_sigma(0.5, n), "FI share");
    assert_eq!(count(&r["status_codes"], "418"), fi);
    assert_eq!(f(&r["local_responses"]), fi);
    let delay = retrying(
        "    timeout: 30ms\n    fault: {delay: {fixedDelay: 50ms, percentage: {value: 100}}}",
    );
    let fast = "    queue: {latency: {distribution: constant, value: 10ms}}\n";
    let r = simulate(&delay, &scenario(2_000, 200.0, "queue", fast));
    assert_eq!(count(&r["response_flags"], "DI"), 2000.0);
    assert_eq!(f(&r["success_rate"]), 1.0);
    within(f(&r["latency_ms"]["p50"]), 60.0, 0.1, "delay + service");
}

/// `queue` mirrored to a `shadow` Service, with `policy` (indented route
/// fields such as a timeout) on the route.
fn mirrored(policy: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: queue, namespace: default}}
spec:
  hosts: [queue]
  http:
  - route: [{{destination: {{host: queue}}}}]
{policy}    mirror: {{host: shadow}}
---{QUEUE_SERVICE}---
apiVersion: v1
kind: Service
metadata: {{name: shadow, namespace: default}}
spec:
  selector: {{app: shadow}}
  ports: [{{name: http, port: 80}}]
"
    )
}

#[test]
fn a_mirror_gets_the_load_and_its_failures_are_ignored() {
    // §4.6: fire-and-forget copy; the caller sees only the primary's answer.
    let manifests = mirrored("");
    let services = "    queue: {}\n    shadow: {errors: {rate: 1.0, status: 500}}\n";
    let r = simulate(&manifests, &scenario(3_000, 100.0, "queue", services));
    assert_eq!(f(&r["success_rate"]), 1.0);
    let mirror = &r["mirrors"][0];
    assert_eq!(mirror["destination"], "shadow.default.svc.cluster.local");
    assert_eq!(
        (f(&mirror["requests"]), f(&mirror["errors"])),
        (3000.0, 3000.0)
    );
}

#[test]
fn a_subset_without_endpoints_answers_503_uh() {
    // §6.20: a subset that selects no pods → 503 UH.
    let r = simulate(
        CANARY,
        &scenario(
            2_000,
            100.0,
            "web",
            "    web: {subsets: {v2: {endpoints: 0}}}\n",
        ),
    );
    let v2 = r["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["subset"] == "v2")
        .unwrap();
    assert_eq!(count(&r["response_flags"], "UH"), f(&v2["count"]));
    assert_eq!(f(&v2["success_rate"]), 0.0);
}

const EXAMPLE: [&str; 4] = [
    "simulate",
    "fixtures/simulate",
    "--scenario",
    "fixtures/scenarios/reviews-canary.yaml",
];

#[test]
fn the_scenario_md_example_runs_and_repeats_byte_for_byte() {
    let once = meshctl()
        .args(EXAMPLE)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(
        once.status.success(),
        "{}",
        String::from_utf8_lossy(&once.stderr)
    );
    let twice = meshctl()
        .args(EXAMPLE)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(once.stdout, twice.stdout);
    let other = meshctl()
        .args(EXAMPLE)
        .args(["-o", "json", "--seed", "43"])
        .output()
        .unwrap();
    assert_ne!(once.stdout, other.stdout);
    let r: Value = serde_json::from_slice(&once.stdout).unwrap();
    // jason (5 %) always goes to v2; the rest splits 90/10: v2 gets 14.5 %.
    let v2 = r["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["subset"] == "v2")
        .unwrap();
    let n = f(&r["requests"]);
    within(f(&v2["share"]), 0.145, four_sigma(0.145, n), "v2 share");
    // The pod that fails from 40 s to 80 s is ejected by some client proxy.
    assert!(f(&r["ejections"]) >= 1.0);
    let first = f(&r["ejection_events"][0]["at_s"]);
    assert!((40.0..80.0).contains(&first), "{first}");
}

#[test]
fn slo_gates_exit_1_when_one_fails() {
    let ok = meshctl()
        .args(EXAMPLE)
        .args([
            "--requests",
            "5000",
            "--slo",
            "success>=99%",
            "--slo",
            "p50<=1s",
        ])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
    assert!(out.contains("SLO ✓ pass  success>=99%"), "{out}");
    meshctl()
        .args(EXAMPLE)
        .args(["--requests", "5000", "--slo", "p99<=1ms"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("SLO ✗ fail  p99<=1ms"));
    meshctl()
        .args(EXAMPLE)
        .args(["--slo", "latency<3"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown metric"));
}

#[test]
fn scenario_mistakes_are_pointed_at_by_line_and_column() {
    let bad_field = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  traffic:
  - rate: 10
    arival: poisson
    mix: [{request: {host: queue}}]
";
    let (code, _, stderr) = run(QUEUE_SERVICE, bad_field, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("scenario.yaml:6:5: unknown field `arival`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `arrival`"), "{stderr}");
    let bad_endpoint = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  traffic:
  - {rate: 10, mix: [{request: {host: queue}}]}
  services:
    queue:
      endpoints: 2
      endpointOverrides:
        \"5\": {down: true}
";
    let (code, _, stderr) = run(QUEUE_SERVICE, bad_endpoint, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("scenario.yaml:10:"), "{stderr}");
    assert!(stderr.contains("endpoint 5 does not exist"), "{stderr}");
}

#[test]
fn without_a_scenario_the_embedded_default_drives_every_routed_host() {
    let out = meshctl()
        .args(["simulate", "fixtures/bookinfo", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    // 100 requests/s for 60 s, Poisson: 6000 ± 4σ (σ = √6000 ≈ 77).
    within(f(&r["requests"]), 6000.0, 310.0, "requests");
    assert_eq!(f(&r["success_rate"]), 1.0);
}

#[test]
fn html_report_is_one_self_contained_file_with_charts() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("report.html");
    meshctl()
        .args(EXAMPLE)
        .args(["--requests", "3000", "--html"])
        .arg(&page)
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.matches("<svg").count() >= 4);
    assert!(!html.contains("<script") && !html.contains("<link"));
}

/// The HTML report draws a latency CDF per destination and per-destination
/// lines over time, with labelled axes, the scenario's events and the SLO
/// thresholds.
#[test]
fn html_charts_mark_events_and_slo_thresholds() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("report.html");
    let s = format!(
        "{}  events:\n  - {{at: 5s, service: web, subset: v2, errors: {{rate: 0.5, status: 500}}}}\n",
        scenario(5_000, 500.0, "web", "    web: {}\n")
    );
    let (code, _, stderr) = run(
        CANARY,
        &s,
        &[
            "--slo",
            "v2: p99 < 300ms",
            "--slo",
            "errors < 1%",
            "--html",
            page.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    for text in [
        "Latency per destination (CDF)",
        "latency (ms, log scale)",
        "simulated time (s)",
        "errors (%)",
        "web.default.svc.cluster.local/v1",
        "web.default.svc.cluster.local/v2",
        "web/v2: errors 50% (500)",
        "SLO v2: p99 &lt; 300ms",
        "SLO errors &lt; 1%",
    ] {
        assert!(html.contains(text), "missing {text:?}");
    }
}

/// Requests routed in each simulated second, summed over destinations.
fn routed_per_second(r: &Value) -> Vec<u64> {
    assert_eq!(r["series"]["step_seconds"], 1);
    r["series"]["routed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .sum()
        })
        .collect()
}

#[test]
fn bursty_arrivals_come_only_in_on_periods_at_the_average_rate() {
    // scenario.md: bursty is on/off; the stream's `rate` is its average, so
    // during `on` arrivals are Poisson at rate × (on+off)/on. 2 s on, 2 s off
    // at 100/s: 200 per on-second, none per off-second. Tolerance: 4σ of a
    // Poisson count (√8000 ≈ 89 over 40 on-seconds).
    let s = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  seed: 3
  duration: 80s
  traffic:
  - rate: 100
    arrival: bursty
    burst: {on: 2s, off: 2s}
    mix: [{request: {host: queue}}]
  services:
    queue: {latency: {distribution: constant, value: 1ms}}
";
    let r = simulate(QUEUE_SERVICE, s);
    let seconds = routed_per_second(&r);
    assert!(seconds.len() >= 78, "{} seconds", seconds.len());
    for (i, n) in seconds.iter().enumerate().take(80) {
        if i % 4 >= 2 {
            assert_eq!(*n, 0, "second {i} is in an off period");
        } else {
            assert!(*n > 120 && *n < 290, "second {i} is on: {n} arrivals");
        }
    }
    within(
        count(&r, "requests"),
        8000.0,
        4.0 * 8000f64.sqrt(),
        "requests",
    );
}

#[test]
fn a_traffic_event_changes_the_stream_rate_at_its_time() {
    // events[].traffic + rate: the named stream switches rate at `at`.
    // 100/s for 10 s then 300/s for 10 s; each half checked within 4σ.
    let s = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  seed: 5
  duration: 20s
  traffic:
  - name: users
    rate: 100
    mix: [{request: {host: queue}}]
  services:
    queue: {latency: {distribution: constant, value: 1ms}}
  events:
  - {at: 10s, traffic: users, rate: 300}
";
    let r = simulate(QUEUE_SERVICE, s);
    let seconds = routed_per_second(&r);
    let before: u64 = seconds[..10].iter().sum();
    let after: u64 = seconds[10..20].iter().sum();
    within(
        before as f64,
        1000.0,
        4.0 * 1000f64.sqrt(),
        "arrivals before the event",
    );
    within(
        after as f64,
        3000.0,
        4.0 * 3000f64.sqrt(),
        "arrivals after the event",
    );
}

/// §4.1: `retryIgnorePreviousHosts` (default true) installs Envoy's
/// previous_hosts predicate: a retry re-picks (up to 5 times) until it draws
/// a host not tried yet. With two endpoints and one always failing, one
/// retry on 5xx then almost always reaches the healthy one (least-request
/// keeps drawing the idle failing host, so a few exhaust the re-picks); set
/// to false, about half of the retries land on the failing host again.
#[test]
fn retry_ignore_previous_hosts_true_sends_retries_to_other_hosts() {
    let services = "    queue: {endpoints: 2, endpointOverrides: {\"0\": {errors: {rate: 1.0, status: 503}}}}\n";
    let success = |retries: &str| {
        let r = simulate(
            &retrying(retries),
            &scenario(4_000, 100.0, "queue", services),
        );
        f(&r["success_rate"])
    };
    for retries in [
        "    retries: {attempts: 1, retryOn: 5xx}",
        "    retries: {attempts: 1, retryOn: 5xx, retryIgnorePreviousHosts: true}",
    ] {
        let avoided = success(retries);
        assert!(avoided > 0.93, "{retries}: {avoided}");
    }
    let repicked =
        success("    retries: {attempts: 1, retryOn: 5xx, retryIgnorePreviousHosts: false}");
    assert!(
        repicked < 0.85,
        "retries that may repeat a host: {repicked}"
    );
}

/// Istio drops the retry policy of `retries: {attempts: 0}`: a refused
/// connection goes back to the caller as 503 UF after one try, with no URX
/// (Envoy sets URX only when a retry policy ran out of retries).
#[test]
fn zero_attempts_retry_nothing_and_set_no_urx() {
    let services = "    queue: {endpoints: 3, endpointOverrides: {\"0\": {down: true}}}\n";
    let r = simulate(
        &retrying("    retries: {attempts: 0}"),
        &scenario(3_000, 100.0, "queue", services),
    );
    assert_eq!(f(&r["attempts"]["mean"]), 1.0);
    assert!(
        count(&r["response_flags"], "UF") > 0.0,
        "{}",
        r["response_flags"]
    );
    assert_eq!(
        count(&r["response_flags"], "URX"),
        0.0,
        "{}",
        r["response_flags"]
    );
}

/// Envoy's num_retries is a 32-bit count: 300 retries of an always failing
/// backend end, after 301 tries each, as 503 URX.
#[test]
fn hundreds_of_retries_end() {
    let services = "    queue: {errors: {rate: 1.0, status: 503}, latency: {distribution: constant, value: 1ms}}\n";
    let r = simulate(
        &retrying("    retries: {attempts: 300, retryOn: 5xx}"),
        &scenario(20, 10.0, "queue", services),
    );
    assert_eq!(f(&r["attempts"]["mean"]), 301.0, "{}", r["attempts"]);
    assert_eq!(count(&r["response_flags"], "URX"), 20.0);
}

/// §1.2: a delay without `percentage` falls back to the deprecated integer
/// `percent`, which Istio still honours: 25 % of requests are delayed (DI).
#[test]
fn the_deprecated_integer_delay_percent_is_honoured() {
    let n = 8_000.0;
    let delay = retrying("    fault: {delay: {fixedDelay: 20ms, percent: 25}}");
    let r = simulate(&delay, &scenario(8_000, 200.0, "queue", "    queue: {}\n"));
    within(
        count(&r["response_flags"], "DI") / n,
        0.25,
        four_sigma(0.25, n),
        "DI share",
    );
}

/// §1.3: current Istio does not read the deprecated `consecutiveErrors`
/// (validate warns on it): Envoy's default of 5 consecutive 5xx ejects the
/// failing host exactly as if the field were absent.
#[test]
fn the_deprecated_consecutive_errors_is_ignored() {
    let (m, s) = outlier(", maxEjectionPercent: 50", "");
    let times = |manifests: &str| -> Vec<f64> {
        simulate(manifests, &s)["ejection_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| f(&e["at_s"]))
            .collect()
    };
    let default = times(&m.replace("consecutive5xxErrors: 5, ", ""));
    let deprecated = times(&m.replace("consecutive5xxErrors: 5", "consecutiveErrors: 2"));
    assert_eq!(default.len(), 3, "{default:?}");
    assert_eq!(deprecated, default);
}

/// Envoy starts the per-try timeout when the try gets a connection (the
/// upstream request's onPoolReady, §4.2), so time queued for
/// `maxConnections` counts only against the route timeout. Service takes
/// 30 ms, under the 50 ms per-try timeout: no try ever times out, however
/// long it waited in the pending queue.
#[test]
fn the_per_try_timeout_starts_when_the_pool_is_ready() {
    let manifests = format!(
        "{}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: queue, namespace: default}}
spec:
  host: queue
  trafficPolicy:
    connectionPool: {{tcp: {{maxConnections: 1}}, http: {{http1MaxPendingRequests: 1000}}}}",
        retrying("    retries: {attempts: 2, perTryTimeout: 50ms, retryOn: 5xx}")
    );
    let services = "    queue: {endpoints: 1, concurrency: 1, latency: {distribution: constant, value: 30ms}}\n";
    let r = simulate(&manifests, &scenario(5_000, 25.0, "queue", services));
    assert_eq!(
        count(&r["response_flags"], "UT"),
        0.0,
        "{}",
        r["response_flags"]
    );
    assert_eq!(f(&r["attempts"]["mean"]), 1.0);
    assert_eq!(f(&r["success_rate"]), 1.0);
    assert!(
        f(&r["latency_ms"]["p99"]) > 50.0,
        "requests did queue: {}",
        r["latency_ms"]
    );
}

/// A Service `queue` whose port speaks `protocol_port` (a port name), with
/// the connection pool `limits`.
fn pooled(port: &str, limits: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata: {{name: queue, namespace: default}}
spec:
  selector: {{app: queue}}
  ports: [{port}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: queue, namespace: default}}
spec:
  host: queue
  trafficPolicy:
    connectionPool: {limits}
"
    )
}

const BUSY: &str =
    "    queue: {endpoints: 1, concurrency: 8, latency: {distribution: exponential, mean: 10ms}}\n";

/// §4.3: Envoy multiplexes HTTP/2 streams on one connection (Istio leaves
/// max concurrent streams at 2^31 − 1), so `maxConnections: 1` with one
/// pending slot overflows an HTTP/1.1 upstream but never an HTTP/2 or gRPC
/// one, nor an HTTP one under `h2UpgradePolicy: UPGRADE`.
#[test]
fn http2_upstreams_multiplex_streams_on_one_connection() {
    let tight = "{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}";
    let uo = |port: &str, limits: &str| {
        let r = simulate(
            &pooled(port, limits),
            &scenario(4_000, 200.0, "queue", BUSY),
        );
        count(&r["response_flags"], "UO")
    };
    assert!(
        uo("{name: http, port: 80}", tight) > 400.0,
        "HTTP/1.1 queues"
    );
    assert_eq!(uo("{name: grpc, port: 80}", tight), 0.0);
    assert_eq!(uo("{name: web, port: 80, appProtocol: http2}", tight), 0.0);
    let upgraded =
        "{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1, h2UpgradePolicy: UPGRADE}}";
    assert_eq!(uo("{name: http, port: 80}", upgraded), 0.0);
}

/// §4.3: on HTTP/2 the request limit is `http2MaxRequests` (streams in
/// flight on the cluster): a request past it is 503 UO.
#[test]
fn http2_max_requests_limits_streams_in_flight() {
    let r = simulate(
        &pooled("{name: grpc, port: 80}", "{http: {http2MaxRequests: 1}}"),
        &scenario(4_000, 200.0, "queue", BUSY),
    );
    assert!(
        count(&r["response_flags"], "UO") > 400.0,
        "{}",
        r["response_flags"]
    );
}

/// An HTTP/2 connection that has carried `maxRequestsPerConnection` streams
/// drains and closes when idle, still counting against `maxConnections`.
/// With 1 of each, an HTTP/2 upstream holds one request at a time, and with
/// one pending slot it is the M/M/1/2 loss system of the HTTP/1.1 test:
/// blocking ρ²(1−ρ)/(1−ρ³) = 1/7 at ρ = 0.5 (4σ).
#[test]
fn max_requests_per_connection_drains_http2_connections() {
    let n = 60_000.0;
    let limits = "{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}}";
    let services = "    queue: {endpoints: 1, concurrency: 1, latency: {distribution: exponential, mean: 10ms}}\n";
    let r = simulate(
        &pooled("{name: grpc, port: 80}", limits),
        &scenario(60_000, 50.0, "queue", services),
    );
    let blocked = 1.0 / 7.0;
    within(
        count(&r["response_flags"], "UO") / n,
        blocked,
        four_sigma(blocked, n),
        "UO share",
    );
}

/// Envoy resets a host's consecutive-5xx counter at every ejection attempt,
/// also one the max-ejection cap refuses (DetectorImpl's
/// onConsecutiveErrorWorker), so a host refused while another is ejected is
/// ejected by its next 5 errors once the cap allows. Endpoint 0 fails until
/// 20 s and is ejected at once; endpoint 1 fails from 5 s on and is refused
/// by the 25 % cap until endpoint 0 returns at the 40 s tick.
#[test]
fn a_host_refused_by_the_ejection_cap_is_ejected_once_the_cap_allows() {
    let manifests = format!(
        "{QUEUE_SERVICE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: queue, namespace: default}}
spec:
  host: queue
  trafficPolicy:
    outlierDetection: {{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 25}}
"
    );
    let s = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  duration: 60s
  traffic:
  - {rate: 100, arrival: constant, mix: [{request: {host: queue}}]}
  services:
    queue:
      endpoints: 4
      endpointOverrides: {\"0\": {errors: {rate: 1.0, status: 500}}}
  events:
  - {at: 5s, service: queue, endpoint: 1, errors: {rate: 1.0, status: 500}}
  - {at: 20s, service: queue, endpoint: 0, errors: {rate: 0.0}}
";
    let r = simulate(&manifests, s);
    let events: Vec<(f64, String)> = r["ejection_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (f(&e["at_s"]), e["endpoint"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0].0 < 1.0 && events[0].1.ends_with("#0"),
        "{events:?}"
    );
    assert!(
        (40.0..41.0).contains(&events[1].0) && events[1].1.ends_with("#1"),
        "{events:?}"
    );
}

/// Envoy sends a mirrored request with the route's timeout (the shadow
/// writer's options), so a shadow slower than the timeout ends as a failed
/// copy at the timeout instead of running on for its whole service time.
#[test]
fn a_mirrored_request_carries_the_route_timeout() {
    let manifests = mirrored("    timeout: 100ms\n");
    let services = "    queue: {}\n    shadow: {latency: {distribution: constant, value: 600s}}\n";
    let r = simulate(&manifests, &scenario(1_000, 100.0, "queue", services));
    // Without the timeout every copy would answer 200, 600 s later.
    let mirror = &r["mirrors"][0];
    assert_eq!(
        (f(&mirror["requests"]), f(&mirror["errors"])),
        (1000.0, 1000.0)
    );
}

/// Envoy's JitteredExponentialBackOffStrategy draws retry n's wait from
/// [0, 25 ms · 2^(n−1)) in whole milliseconds: 3 retries of 5 ms tries wait
/// on average 12 + 24.5 + 49.5 ms, at most 24 + 49 + 99 ms (§4.1).
#[test]
fn the_backoff_interval_doubles_from_the_base_per_retry() {
    let services = "    queue: {errors: {rate: 1.0, status: 503}, latency: {distribution: constant, value: 5ms}}\n";
    let r = simulate(
        &retrying("    retries: {attempts: 3, retryOn: 5xx}"),
        &scenario(4_000, 50.0, "queue", services),
    );
    let l = &r["latency_ms"];
    within(f(&l["mean"]), 20.0 + 86.0, 2.0, "mean latency");
    assert!(f(&l["max"]) <= 20.0 + 172.0 + 0.5, "{l}");
}

/// A YAML typo that drops a VirtualService (and its retries) would make the
/// run answer for another configuration: a load error stops simulate with
/// exit 2, naming the file, line and rule.
#[test]
fn a_manifest_that_fails_to_load_stops_the_run() {
    let manifests = format!(
        "{}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: broken, namespace: default}}
spec:
  hosts: [queue
",
        retrying("    retries: {attempts: 3, retryOn: 5xx}")
    );
    let (code, json, stderr) = run(&manifests, &scenario(100, 10.0, "queue", FLAKY), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(json, Value::Null, "nothing on stdout");
    assert!(
        stderr.contains("manifests.yaml:") && stderr.contains("[MC0001]"),
        "{stderr}"
    );
}

/// Sizes that would exhaust memory or run for hours are refused before the
/// run (exit 2), naming the flag and the limit.
#[test]
fn absurd_run_sizes_are_refused_with_the_limit_named() {
    let s = scenario(1_000, 100.0, "queue", "    queue: {}\n");
    for (args, expected) in [
        (
            &["--rate", "1e308"][..],
            "--rate gives a total rate of 1e308 requests/s",
        ),
        (&["--rate", "0.000001"], "at most 7 days"),
        (&["--duration", "100000h"], "--duration gives 4166.7 days"),
        (&["--requests", "1000000000"], "at most 100000000"),
        (&["--requests", "0"], "nothing to simulate"),
    ] {
        let (code, json, stderr) = run(QUEUE_SERVICE, &s, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(json, Value::Null, "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// A week of simulated time keeps at most 600 points in the time series:
/// buckets widen instead of growing in number, and every request is counted.
#[test]
fn the_time_series_stays_bounded_over_long_simulated_time() {
    let s = "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  duration: 168h
  traffic:
  - {rate: 0.5, mix: [{request: {host: queue}}]}
";
    let r = simulate(QUEUE_SERVICE, s);
    let series = &r["series"];
    let points = series["completed"].as_array().unwrap();
    assert!(points.len() <= 600, "{}", points.len());
    assert!(
        f(&series["step_seconds"]) >= 1008.0,
        "{}",
        series["step_seconds"]
    );
    let counted: f64 = points.iter().map(f).sum();
    assert_eq!(counted, f(&r["requests"]));
}

/// A run over many destinations keeps per-destination series only for the
/// twelve with the most requests, each series counting every request routed
/// there, while the run's own series counts all of them.
#[test]
fn per_destination_series_cover_the_busiest_twelve() {
    let mut manifests = String::new();
    let mut mix = String::new();
    for i in 1..=15 {
        manifests.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: s{i:02}, namespace: default}}\nspec:\n  selector: {{app: s{i:02}}}\n  ports: [{{name: http, port: 80}}]\n"
        ));
        mix.push_str(&format!(
            "    - {{weight: {i}, request: {{host: s{i:02}}}}}\n"
        ));
    }
    let s = format!(
        "apiVersion: meshctl.dev/v1alpha1
kind: Scenario
spec:
  seed: 3
  requests: 24000
  traffic:
  - rate: 400
    mix:
{mix}"
    );
    let r = simulate(&manifests, &s);
    let series = &r["series"];
    let named: Vec<&str> = series["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let hosts: Vec<String> = (4..=15)
        .map(|i| format!("s{i:02}.default.svc.cluster.local"))
        .collect();
    assert_eq!(named, hosts, "the twelve heaviest weights, in label order");
    for (column, name) in named.iter().enumerate() {
        let routed: f64 = series["routed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|point| f(&point[column]))
            .sum();
        let destination = r["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["host"] == *name)
            .unwrap();
        assert_eq!(routed, f(&destination["count"]), "{name}");
    }
    let counted: f64 = series["completed"].as_array().unwrap().iter().map(f).sum();
    assert_eq!(counted, f(&r["requests"]));
}

/// Every name a scenario uses must exist in the manifests, or the run would
/// answer for something else (a misspelt host passes through with 200, a
/// misspelt service keeps the default behaviour, an unknown subset changes
/// nothing): each is exit 2 at its line, with the closest name.
#[test]
fn scenario_references_are_checked_against_the_manifests() {
    let with_subsets = format!(
        "{QUEUE_SERVICE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: queue, namespace: default}}
spec:
  host: queue
  subsets: [{{name: v1, labels: {{v: '1'}}}}, {{name: v2, labels: {{v: '2'}}}}]
"
    );
    let cases = [
        (
            scenario(100, 10.0, "queu", "    queue: {}\n"),
            "scenario.yaml:8:",
            "did you mean `queue.default.svc.cluster.local`?",
        ),
        (
            scenario(100, 10.0, "queue", "    queeu: {errors: {rate: 0.5}}\n"),
            "scenario.yaml:10:",
            "`queeu` is not a host of the manifests",
        ),
        (
            scenario(100, 10.0, "queue", "    queue: {subsets: {v3: {}}}\n"),
            "scenario.yaml:10:",
            "subset `v3` of queue.default.svc.cluster.local is not defined: its DestinationRule defines v1, v2",
        ),
        (
            format!(
                "{}  events:\n  - {{at: 1s, service: queue, subset: v22, down: true}}\n",
                scenario(100, 10.0, "queue", "    queue: {}\n")
            ),
            "scenario.yaml:12:",
            "did you mean `v2`?",
        ),
        (
            scenario(
                100,
                10.0,
                "queue",
                "    queue: {latency: {p50: 10ms, p99: 120}}\n",
            ),
            "scenario.yaml:10:",
            "write a duration with its unit, such as \"120ms\"",
        ),
    ];
    for (s, place, message) in cases {
        let (code, _, stderr) = run(&with_subsets, &s, &[]);
        assert_eq!(code, 2, "{s}\n{stderr}");
        assert!(
            stderr.contains(place) && stderr.contains(message),
            "{s}\n{stderr}"
        );
    }
}

/// The canary with v2 failing 2 % of requests (503) and slower than v1.
fn canary_run(requests: u64, slos: &[&str]) -> (i32, Value, String) {
    let services = "    web:\n      subsets:\n        v1: {latency: {distribution: constant, value: 10ms}}\n        v2: {errors: {rate: 0.02, status: 503}, latency: {distribution: constant, value: 40ms}}\n";
    let mut args = Vec::new();
    for slo in slos {
        args.push("--slo");
        args.push(*slo);
    }
    run(CANARY, &scenario(requests, 500.0, "web", services), &args)
}

/// Per-destination SLOs judge only the selected destination, at 95 %
/// confidence: a Wilson interval for success rates, an order-statistic
/// interval for percentiles. An interval that straddles the threshold is
/// inconclusive, fails the gate and says how many requests would decide it.
#[test]
fn per_destination_slos_are_pass_fail_or_inconclusive_at_95_percent() {
    let (code, r, stderr) = canary_run(
        20_000,
        &[
            "v1: success >= 99.9%",
            "web/v2: success >= 99.9%",
            "v2: p99 < 20ms",
            "v1: p99 < 20ms",
            "v2: success >= 97.9%",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let verdicts: Vec<&str> = r["slo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["pass", "fail", "fail", "pass", "inconclusive"],
        "{}",
        r["slo"]
    );
    let v2 = &r["slo"][1];
    assert_eq!(v2["destinations"][0], "web.default.svc.cluster.local/v2");
    let [lo, hi] = [f(&v2["ci95"][0]), f(&v2["ci95"][1])];
    assert!(
        lo < f(&v2["actual"]) && f(&v2["actual"]) < hi && hi < 99.9,
        "{v2}"
    );
    let unsure = &r["slo"][4];
    assert!(!unsure["passed"].as_bool().unwrap());
    assert!(f(&unsure["requests_needed"]) > 20_000.0, "{unsure}");
}

/// A selector that names no destination of the mesh is exit 2 before the run.
#[test]
fn an_slo_selector_that_matches_nothing_is_refused() {
    let (code, _, stderr) = canary_run(1_000, &["v3: success >= 99%"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no destination of the run is `v3`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("web.default.svc.cluster.local/v2"),
        "{stderr}"
    );
}

/// A scenario file carries its own SLOs (`spec.slo`); `--slo` adds to them.
#[test]
fn the_scenario_file_carries_slos() {
    let services = "    web: {}\n";
    let s = format!(
        "{}  slo: [\"v2: success >= 99%\", \"p99 < 1ms\"]\n",
        scenario(2_000, 500.0, "web", services)
    );
    let (code, r, stderr) = run(CANARY, &s, &["--slo", "errors < 50%"]);
    assert_eq!(code, 1, "p99 < 1ms fails: {stderr}");
    let exprs: Vec<&str> = r["slo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["expr"].as_str().unwrap())
        .collect();
    assert_eq!(exprs, ["v2: success >= 99%", "p99 < 1ms", "errors < 50%"]);
}

/// Each destination reports its own percentiles, status codes and flags,
/// side by side; the slower, failing canary shows in its own row.
#[test]
fn destinations_report_their_own_latency_statuses_and_flags() {
    let (_, r, _) = canary_run(20_000, &[]);
    let by_subset = |s: &str| {
        r["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["subset"] == s)
            .unwrap()
            .clone()
    };
    let (v1, v2) = (by_subset("v1"), by_subset("v2"));
    within(f(&v1["latency_ms"]["p50"]), 10.0, 0.2, "v1 p50");
    within(f(&v2["latency_ms"]["p50"]), 40.0, 0.5, "v2 p50");
    assert_eq!(count(&v1["status_codes"], "503"), 0.0);
    let v2_503 = count(&v2["status_codes"], "503");
    within(v2_503 / f(&v2["count"]), 0.02, 0.01, "v2 503 share");
    assert_eq!(count(&v2["status_codes"], "200") + v2_503, f(&v2["count"]));
}

/// Requests aborted by a fault never pick a destination (Envoy's fault
/// filter runs before the router): shares are of the routed requests and
/// add up to 1, the aborts are counted apart.
#[test]
fn shares_add_up_when_faults_abort_requests() {
    let manifests = CANARY.replace(
        "  - route:\n",
        "  - fault: {abort: {httpStatus: 500, percentage: {value: 30}}}\n    route:\n",
    );
    let r = simulate(&manifests, &scenario(10_000, 500.0, "web", "    web: {}\n"));
    let shares: f64 = r["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| f(&d["share"]))
        .sum();
    within(shares, 1.0, 1e-9, "sum of shares");
    let aborted = f(&r["local_responses"]);
    within(
        aborted / 10_000.0,
        0.3,
        four_sigma(0.3, 10_000.0),
        "aborted",
    );
}

/// 503 UO is split by the breaker that overflowed; each endpoint reports its
/// tries, errors, ejections and the time it spent ejected.
#[test]
fn uo_is_split_by_breaker_and_endpoints_report_errors_and_ejections() {
    let manifests = pool("{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}");
    let services = "    queue: {endpoints: 1, concurrency: 1, latency: {distribution: exponential, mean: 10ms}}\n";
    let r = simulate(&manifests, &scenario(20_000, 50.0, "queue", services));
    let o = &r["overflow"];
    assert_eq!(f(&o["pending"]), count(&r["response_flags"], "UO"));
    assert_eq!((f(&o["max_requests"]), f(&o["max_retries"])), (0.0, 0.0));

    let (m, s) = outlier(", maxEjectionPercent: 50", "");
    let r = simulate(&m, &s);
    let failing = r["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str().unwrap().ends_with("#0"))
        .unwrap()
        .clone();
    assert_eq!(f(&failing["errors"]), f(&failing["tries"]), "{failing}");
    assert_eq!(f(&failing["ejections"]), 3.0, "{failing}");
    // Ejected at ~0 s, back at 40 s; again at once until 110 s; again to the end (130 s).
    within(
        f(&failing["ejected_seconds"]),
        40.0 + 70.0 + 20.0,
        1.5,
        "time ejected",
    );
}

/// Every `-o json` result matches schemas/output/simulate.json: SLO verdicts
/// with intervals, per-destination outcomes, endpoints, mirrors, ejections.
#[test]
fn json_results_match_their_published_schema() {
    let (_, canary, _) = canary_run(
        5_000,
        &["v2: success >= 99.9%", "p99 < 1s", "web/v1: p99 < 11ms"],
    );
    let (m, s) = outlier(", maxEjectionPercent: 50", "");
    let ejecting = simulate(&m, &s);
    let storm = simulate(
        &pool("{tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}"),
        &scenario(5_000, 100.0, "queue", FLAKY),
    );
    for (name, result) in [("canary", canary), ("outlier", ejecting), ("pool", storm)] {
        assert_eq!(result["version"], 1);
        let errors = schema_errors(include_str!("../schemas/output/simulate.json"), &result);
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}
