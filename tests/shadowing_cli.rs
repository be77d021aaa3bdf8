//! Shadowing (MC2601, MC2602) through the real binary, checked against
//! `meshctl route`: the routes a finding names are where the requests go.

mod common;

use std::fs;

use common::{meshctl, validate_json};
use serde_json::Value;

const MERGED: &str = "fixtures/shadowing/merged-gateway.yaml";

fn messages(report: &Value, code: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `meshctl route FILE ARGS` as JSON: (VirtualService name, rule index).
fn routed(file: &str, args: &[String]) -> (String, u64) {
    let output = meshctl()
        .args(["route", file, "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let decision: Value = serde_json::from_slice(&output.stdout).expect("JSON decision");
    let matched = &decision["matched"];
    (
        matched["resource"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        matched["rule_index"].as_u64().unwrap_or(u64::MAX),
    )
}

/// §2.5: on a gateway, VirtualServices for one host merge oldest first, with
/// catch-all routes moved last.
#[test]
fn the_older_virtual_service_on_a_gateway_takes_the_newer_ones_requests() {
    let report = validate_json(&[MERGED]);
    let dead = messages(&report, "MC2601");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(
        dead[0].starts_with("rule `v2` is never used on gateway shop/shop-gateway")
            && dead[0].contains("rule #0 of VirtualService shop/shop takes every request"),
        "{}",
        dead[0]
    );
    let args: Vec<String> = [
        "--gateway",
        "shop/shop-gateway",
        "--host",
        "shop.example.com",
        "--path",
        "/api/v2/x",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(routed(MERGED, &args), ("shop".into(), 0));

    // Swap the ages: now shop-v2 comes first and nothing is shadowed.
    let dir = tempfile::tempdir().unwrap();
    let swapped = dir.path().join("swapped.yaml");
    let text = fs::read_to_string(MERGED)
        .unwrap()
        .replace("2026-01-01", "2026-03-01");
    fs::write(&swapped, text).unwrap();
    let swapped = swapped.to_str().unwrap();
    assert!(messages(&validate_json(&[swapped]), "MC2601").is_empty());
    assert_eq!(routed(swapped, &args), ("shop-v2".into(), 0));
}

/// The two example requests of a partly shadowed route go where it says.
#[test]
fn partly_shadowed_examples_route_as_described() {
    let file = "fixtures/rules/MC2602-partly-shadowed-route/bad.yaml";
    let report = validate_json(&[file]);
    let partly = messages(&report, "MC2602");
    assert_eq!(partly.len(), 1, "{partly:?}");
    let quoted: Vec<&str> = partly[0].split('`').skip(1).step_by(2).collect();
    let [taken, reaching] = quoted[..] else {
        panic!("two example requests in {}", partly[0]);
    };
    assert!(partly[0].contains("goes to rule #0 first"), "{}", partly[0]);
    let words = |s: &str| shell_words::split(s).expect("shell words");
    assert_eq!(routed(file, &words(taken)), ("api".into(), 0));
    assert_eq!(routed(file, &words(reaching)), ("api".into(), 1));
}

/// A route that no earlier route covers alone but several cover between
/// them: the message names the first three and counts the rest, and
/// `route` sends both kinds of request where the message says.
#[test]
fn a_route_covered_by_several_names_the_first_and_counts_the_rest() {
    let file = "fixtures/shadowing/covered-together.yaml";
    let dead = messages(&validate_json(&[file]), "MC2601");
    assert_eq!(
        dead,
        [
            "rule `api` is never used: rule `a`, rule `b`, rule `c` and 3 more take every request it matches between them"
        ]
    );
    let args = |extra: &[&str]| -> Vec<String> {
        ["--host", "shop.shop.svc.cluster.local", "--path", "/api/x"]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    assert_eq!(routed(file, &args(&[])), ("shop".into(), 4));
    assert_eq!(
        routed(file, &args(&["-H", "x-env: zz"])),
        ("shop".into(), 5)
    );
    assert_eq!(routed(file, &args(&["-H", "x-env: b"])), ("shop".into(), 1));
}

/// Many routes in one VirtualService (the shape of a generated route
/// table): each repeated match is dead under the first of its kind, and a
/// longer prefix under the shorter one before it, however many routes
/// come between.
#[test]
fn repeated_and_covered_routes_among_thousands_are_each_found_once() {
    let mut yaml = String::from(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: big, namespace: default}\nspec:\n  hosts: [big.default.svc.cluster.local]\n  http:\n",
    );
    let n = 3000;
    for i in 0..n {
        yaml.push_str(&format!(
            "  - name: r{i}\n    match: [{{uri: {{prefix: /api/r{i}/}}}}]\n    route: [{{destination: {{host: big}}}}]\n"
        ));
    }
    // A repeat of route 7 and a longer prefix under route 42.
    yaml.push_str("  - name: again\n    match: [{uri: {prefix: /api/r7/}}]\n    route: [{destination: {host: big}}]\n");
    yaml.push_str("  - name: deeper\n    match: [{uri: {prefix: /api/r42/v2}}]\n    route: [{destination: {host: big}}]\n");
    yaml.push_str("  - route: [{destination: {host: big}}]\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    fs::write(&file, yaml).unwrap();
    let report = validate_json(&[file.to_str().unwrap()]);
    // Istio's own heuristic (MC1127) reports the repeat and the covered
    // prefix; the shadowing analysis leaves those to it.
    let ineffective = messages(&report, "MC1127");
    assert_eq!(ineffective.len(), 2, "{ineffective:?}");
    assert!(
        ineffective[0].contains("rule `r7` has the same match"),
        "{ineffective:?}"
    );
    assert!(
        ineffective[1].contains("the earlier prefix `/api/r42/`"),
        "{ineffective:?}"
    );
    assert!(messages(&report, "MC2601").is_empty());
    // Istio's heuristics run for the shadowing analysis even when only it
    // is selected, so it still leaves those two routes to them.
    let alone = validate_json(&["--select", "MC2601", file.to_str().unwrap()]);
    assert!(messages(&alone, "MC2601").is_empty(), "{alone}");
}

/// §2.5: many VirtualServices merged on one gateway host, each with the
/// same header route: every later copy is dead under the oldest one.
#[test]
fn a_match_repeated_by_many_virtual_services_on_a_gateway_is_dead_under_the_oldest() {
    let mut yaml = String::from(
        "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: edge}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*/shop.example.com']}]\n",
    );
    let n = 40;
    for i in 0..n {
        yaml.push_str(&format!(
            "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: vs-{i:03}, namespace: edge}}\nspec:\n  hosts: [shop.example.com]\n  gateways: [edge/gw]\n  http:\n  - name: canary\n    match: [{{headers: {{x-canary: {{exact: 'true'}}}}}}]\n    route: [{{destination: {{host: app-{i}.edge.svc.cluster.local}}}}]\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("merged.yaml");
    fs::write(&file, yaml).unwrap();
    let dead = messages(&validate_json(&[file.to_str().unwrap()]), "MC2601");
    assert_eq!(dead.len(), n - 1, "{dead:?}");
    for message in &dead {
        assert!(
            message.starts_with("rule `canary` is never used on gateway edge/gw for host shop.example.com: rule `canary` of VirtualService edge/vs-000 takes every request it matches first"),
            "{message}"
        );
    }
}
