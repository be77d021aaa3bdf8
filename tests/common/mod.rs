//! Helpers shared by the integration tests: run the real binary, read its JSON.
#![allow(dead_code)] // each test binary uses a different subset of the helpers

use assert_cmd::Command;
use serde_json::Value;

pub fn meshctl() -> Command {
    Command::cargo_bin("meshctl").expect("binary builds")
}

/// `meshctl ARGS...` that must succeed, its standard output read as JSON.
pub fn json_of(args: &[&str]) -> Value {
    let output = meshctl().args(args).output().expect("runs");
    assert!(
        output.status.success(),
        "meshctl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// The JSON decision of `meshctl route FILE ARGS... -o json`.
pub fn route_json(file: &str, args: &[&str]) -> Value {
    let mut argv = vec!["route", file];
    argv.extend(args);
    argv.extend(["-o", "json"]);
    json_of(&argv)
}

/// The Service name of a destination's `host` (its first label).
pub fn service_name(host: &Value) -> String {
    let host = host.as_str().expect("a host");
    host.split('.').next().unwrap_or(host).to_string()
}

/// `meshctl validate --format json --fail-on never ARGS...` parsed.
pub fn validate_json(args: &[&str]) -> Value {
    let output = meshctl()
        .args(["validate", "--format", "json", "--fail-on", "never"])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "validate failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// The diagnostics `validate` reports for one file holding `yaml`.
pub fn diagnostics_of(yaml: &str) -> Vec<Value> {
    diagnostics_with(yaml, &[])
}

/// The diagnostics `validate FILE ARGS...` reports, FILE holding `yaml`.
pub fn diagnostics_with(yaml: &str, args: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("resources.yaml");
    std::fs::write(&file, yaml).expect("written");
    let mut argv = vec![file.to_str().expect("UTF-8 path")];
    argv.extend(args);
    let report = validate_json(&argv);
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone()
}

/// The lines where `validate FILE ARGS...` reports `code`, FILE holding `yaml`.
pub fn lines_of(yaml: &str, code: &str, args: &[&str]) -> Vec<u64> {
    diagnostics_with(yaml, args)
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["line"].as_u64().expect("line"))
        .collect()
}

/// (code, line, column) of every diagnostic.
pub fn findings(report: &Value) -> Vec<(String, u64, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// What `value` breaks of the JSON schema `schema` (its text), one line each.
pub fn schema_errors(schema: &str, value: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}
