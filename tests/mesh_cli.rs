//! One mesh, one answer: validate, route, test and simulate give the same
//! verdict on the same files, and the verdict Istio's own lookups give.

mod common;

use std::fs;

use common::{json_of, meshctl, validate_json};
use serde_json::Value;

fn route(args: &[&str]) -> Value {
    json_of(&[&["route"], args, &["-o", "json"]].concat())
}

fn simulate(args: &[&str]) -> Value {
    json_of(&[&["simulate"], args, &["--requests", "2000", "-o", "json"]].concat())
}

/// The diagnostics of `report` with rule `code`.
fn with_code<'r>(report: &'r Value, code: &str) -> Vec<&'r Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

fn codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

const EGRESS: &str = "fixtures/mesh/bookinfo-egress";

/// An external ServiceEntry adds its own hosts (§1.4); a Kubernetes host
/// whose namespace the input does not describe keeps routing, marked not
/// checked, in route and simulate alike.
#[test]
fn an_external_service_entry_leaves_cluster_local_hosts_routable() {
    let with = route(&[EGRESS, "--host", "reviews"]);
    let without = route(&[&format!("{EGRESS}/reviews.yaml"), "--host", "reviews"]);
    for d in [&with, &without] {
        assert_eq!(d["status"], 200, "{d:#}");
        let note = d["destinations"][0]["note"].as_str().unwrap();
        assert!(
            note.contains("not checked: host reviews.default.svc.cluster.local: the input has no Services in namespace default"),
            "{note}"
        );
    }
    let sim = simulate(&[EGRESS]);
    assert_eq!(sim["success_rate"], 1.0, "{sim:#}");
    let report = validate_json(&["--verbose", EGRESS]);
    assert!(codes(&report).is_empty(), "{report:#}");
}

/// §2.6: a caller uses one DestinationRule (its own namespace first); a
/// subset only another rule defines is 503 NC in route and an error in
/// validate, with the same words.
#[test]
fn validate_and_route_agree_on_the_destination_rule_a_caller_uses() {
    let file = "fixtures/rules/MC2009-subset-not-in-effective-destination-rule/bad.yaml";
    let report = validate_json(&[file]);
    let findings = with_code(&report, "MC2009");
    assert_eq!(findings.len(), 1, "{report:#}");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("web/reviews-client"), "{message}");
    assert!(message.contains("shop/reviews defines it"), "{message}");
    let d = route(&[
        file,
        "--host",
        "reviews.shop.svc.cluster.local",
        "--source-namespace",
        "web",
    ]);
    let v2 = &d["destinations"][1];
    assert_eq!(
        (v2["subset"].as_str(), v2["status"].as_u64()),
        (Some("v2"), Some(503))
    );
    assert_eq!(v2["response_flag"], "NC");
    assert_eq!(v2["note"].as_str().unwrap(), message);
    // Istio's own analyzer (IST0101) sees the subset defined: no MC2004.
    assert!(!codes(&report).contains(&"MC2004".to_string()));
}

/// At a gateway the caller is the gateway's proxy (here in istio-system, as
/// its Deployment says): a DestinationRule exported only to the service's
/// namespace does not apply to it (§2.6), in route and validate alike.
#[test]
fn the_gateway_proxy_looks_destination_rules_up_from_its_own_namespace() {
    let dir = "fixtures/mesh/ingress";
    let d = route(&[
        dir,
        "--gateway",
        "shop/public",
        "--host",
        "shop.example.com",
    ]);
    let dest = &d["destinations"][0];
    assert_eq!(
        (dest["status"].as_u64(), dest["response_flag"].as_str()),
        (Some(503), Some("NC")),
        "{d:#}"
    );
    let note = dest["note"].as_str().unwrap();
    assert!(
        note.contains("applies to a caller in namespace istio-system"),
        "{note}"
    );
    let report = validate_json(&[dir]);
    let messages: Vec<&str> = with_code(&report, "MC2009")
        .iter()
        .map(|x| x["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, [note], "{report:#}");
    // A sidecar in `shop` sees the rule.
    let sidecar = route(&[dir, "--host", "reviews.shop", "--source-namespace", "shop"]);
    assert_eq!(sidecar["status"], 200, "{sidecar:#}");
}

/// `kubectl apply -f DIR` keeps the last definition in input order; every
/// command uses it, and validate says so with both locations.
#[test]
fn a_duplicate_resource_is_an_error_and_the_last_definition_wins() {
    let dir = "fixtures/mesh/duplicates";
    let report = validate_json(&[dir]);
    let dup = with_code(&report, "MC0107");
    assert_eq!(dup.len(), 1, "{report:#}");
    assert_eq!(dup[0]["severity"], "error");
    assert_eq!(dup[0]["file"], format!("{dir}/a-first.yaml"));
    assert_eq!(
        (dup[0]["line"].as_u64(), dup[0]["column"].as_u64()),
        (Some(4), Some(18))
    );
    let message = dup[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{dir}/b-second.yaml:3:18")),
        "{message}"
    );
    assert!(
        message.contains("kubectl apply keeps the last one"),
        "{message}"
    );
    let d = route(&[dir, "--host", "reviews"]);
    assert_eq!(d["destinations"][0]["subset"], "v3", "{d:#}");
    assert_eq!(d["status"], 200);
    let sim = simulate(&[dir]);
    let subsets: Vec<&str> = sim["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["subset"].as_str().unwrap())
        .collect();
    assert_eq!(subsets, ["v3"], "{sim:#}");
}

const GAMMA: &str = "fixtures/mesh/gamma";

/// GAMMA: an HTTPRoute attached to a Service routes the mesh. A route in the
/// Service's namespace serves every caller; one in another namespace serves
/// only callers there, replacing the producer's route for them.
#[test]
fn http_routes_attached_to_a_service_route_the_mesh() {
    let shares = |d: &Value| -> Vec<(String, f64)> {
        d["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["host"].as_str().unwrap().to_string(),
                    x["share"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let v1 = "reviews-v1.shop.svc.cluster.local".to_string();
    let v2 = "reviews-v2.shop.svc.cluster.local".to_string();
    for caller in ["shop", "web"] {
        let d = route(&[
            GAMMA,
            "--host",
            "reviews.shop",
            "--source-namespace",
            caller,
        ]);
        assert_eq!(shares(&d), [(v1.clone(), 0.9), (v2.clone(), 0.1)], "{d:#}");
        assert_eq!(d["matched"]["resource"]["kind"], "HTTPRoute");
        assert_eq!(d["matched"]["resource"]["name"], "reviews");
        assert_eq!(d["matched"]["rule_index"], 1);
    }
    let jason = route(&[GAMMA, "--host", "reviews.shop", "-H", "end-user: jason"]);
    assert_eq!(shares(&jason), [(v2.clone(), 1.0)]);
    let qa = route(&[GAMMA, "--host", "reviews.shop", "--source-namespace", "qa"]);
    assert_eq!(shares(&qa), [(v2.clone(), 1.0)], "{qa:#}");
    assert_eq!(qa["matched"]["resource"]["name"], "reviews-qa");
    let report = validate_json(&[GAMMA]);
    assert!(codes(&report).is_empty(), "{report:#}");
    let sim = simulate(&[GAMMA]);
    let v2_share = sim["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["host"] == v2.as_str())
        .map(|x| x["share"].as_f64().unwrap())
        .expect("v2 receives traffic");
    assert!((0.07..0.13).contains(&v2_share), "{sim:#}");
}

/// `meshctl test` asks the same table: a route test on a mesh HTTPRoute.
#[test]
fn route_tests_see_mesh_http_routes() {
    let dir = tempfile::tempdir().unwrap();
    let tests = dir.path().join("reviews.test.yaml");
    let manifests = fs::canonicalize(GAMMA).unwrap();
    fs::write(
        &tests,
        format!(
            "manifests: [{}]\ntests:\n- name: jason goes to v2\n  request: {{host: reviews.shop, headers: {{end-user: jason}}}}\n  expect: {{status: 200, host: reviews-v2.shop.svc.cluster.local, virtualService: shop/reviews}}\n- name: qa callers use their own route\n  request: {{host: reviews.shop, sourceNamespace: qa}}\n  expect: {{host: reviews-v2.shop.svc.cluster.local, virtualService: qa/reviews-qa}}\n",
            manifests.display()
        ),
    )
    .unwrap();
    meshctl()
        .args(["test", tests.to_str().unwrap()])
        .assert()
        .success();
}

/// A port out of range is a finding and is never truncated (70000 is not 4464).
#[test]
fn ports_out_of_range_are_findings_not_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reviews.yaml");
    fs::write(
        &file,
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reviews, port: {number: 70000}}}]\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let report = validate_json(&[path]);
    assert!(codes(&report).contains(&"MC1003".to_string()), "{report:#}");
    let d = route(&[path, "--host", "reviews"]);
    let dest = &d["destinations"][0];
    assert_eq!(dest["port"], Value::Null, "{d:#}");
    assert_eq!(
        (dest["status"].as_u64(), d["status"].as_u64()),
        (Some(503), Some(503))
    );
    assert!(
        dest["note"]
            .as_str()
            .unwrap()
            .contains("port 70000 is outside 1..65535")
    );
    assert!(!serde_json::to_string(&d).unwrap().contains("4464"));
}
