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
