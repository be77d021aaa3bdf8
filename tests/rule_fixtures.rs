//! Every rule has `fixtures/rules/<CODE>-<name>/bad.yaml`, which must trigger
//! it exactly where its `# expect: CODE line:column` comments say, and
//! `good.yaml`, a close cousin that must not trigger it (nor any error).
//! A `# args: FLAGS` comment in bad.yaml passes FLAGS to both runs (for
//! rules that need one, such as `--complete`).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use common::{findings, meshctl, validate_json};

fn expectations(path: &Path) -> BTreeSet<(String, u64, u64)> {
    let bytes = fs::read(path).expect("fixture readable");
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# expect: "))
        .map(|e| {
            let (code, at) = e.split_once(' ').expect("`# expect: CODE line:col`");
            let (line, col) = at.trim().split_once(':').expect("line:col");
            (
                code.to_string(),
                line.parse().unwrap(),
                col.parse().unwrap(),
            )
        })
        .collect()
}

/// The flags of a `# args: ...` comment of `path`.
fn extra_args(path: &Path) -> Vec<String> {
    // Some fixtures are not UTF-8 on purpose (MC0006).
    let bytes = fs::read(path).expect("fixture readable");
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# args: "))
        .flat_map(|a| a.split_whitespace().map(str::to_string))
        .collect()
}

/// `validate --format json FILE ARGS...` parsed.
fn validate_with(file: &Path, args: &[String]) -> serde_json::Value {
    let mut argv: Vec<&str> = vec![file.to_str().unwrap()];
    argv.extend(args.iter().map(String::as_str));
    validate_json(&argv)
}

#[test]
fn every_rule_fires_on_its_bad_fixture_and_not_on_its_good_one() {
    let root = Path::new("fixtures/rules");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in fs::read_dir(root).expect("fixtures/rules exists") {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let code = name.split('-').next().unwrap().to_string();
        let bad = dir.join("bad.yaml");
        let expected = expectations(&bad);
        assert!(
            !expected.is_empty(),
            "{name}: bad.yaml has no `# expect:` lines"
        );
        let args = extra_args(&bad);
        let report = validate_with(&bad, &args);
        let got: BTreeSet<_> = findings(&report)
            .into_iter()
            .filter(|(c, _, _)| *c == code)
            .collect();
        let expected_here: BTreeSet<_> = expected
            .iter()
            .filter(|(c, _, _)| *c == code)
            .cloned()
            .collect();
        if got != expected_here {
            failures.push(format!(
                "{name}: bad.yaml gave {got:?}, expected {expected_here:?}"
            ));
        }
        for other in expected.iter().filter(|(c, _, _)| *c != code) {
            if !findings(&report).contains(other) {
                failures.push(format!("{name}: expected {other:?}"));
            }
        }
        let good = dir.join("good.yaml");
        let report = validate_with(&good, &args);
        let errors: Vec<_> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code.as_str() || d["severity"] == "error")
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{name}: good.yaml has findings: {errors:?}"));
        }
        checked += 1;
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_registered_rule_has_fixtures() {
    let output = meshctl().arg("rules").output().unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();
    let dirs: Vec<String> = fs::read_dir("fixtures/rules")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let missing: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|code| !dirs.iter().any(|d| d.starts_with(&format!("{code}-"))))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without fixtures/rules/<code>-<name>/: {missing:?}"
    );
}

#[test]
fn rule_codes_and_names_are_unique() {
    let output = meshctl().arg("rules").output().unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let repeated: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|code| !seen.insert(*code))
        .collect();
    assert!(repeated.is_empty(), "codes used by two rules: {repeated:?}");
    let dirs: Vec<String> = fs::read_dir("fixtures/rules")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let mut codes = std::collections::BTreeSet::new();
    let shared: Vec<&String> = dirs
        .iter()
        .filter(|d| !codes.insert(d.split('-').next().unwrap_or_default().to_string()))
        .collect();
    assert!(
        shared.is_empty(),
        "fixture folders sharing a code: {shared:?}"
    );
}

/// The full report of `validate --format json ARGS`, diagnostics only.
fn diagnostics(args: &[&str]) -> Vec<serde_json::Value> {
    validate_json(args)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone()
}

/// Checks that `--select` turns off do not run, and that this changes no
/// finding of the rules that stay on: each rule's findings on its bad
/// fixture are the same alone (`--select CODE`) as in the full run, and
/// `--ignore CODE` removes exactly them.
#[test]
fn selecting_a_rule_gives_exactly_its_findings_of_the_full_run() {
    let mut failures = Vec::new();
    for entry in fs::read_dir("fixtures/rules").expect("fixtures/rules exists") {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let code = name.split('-').next().unwrap().to_string();
        let bad = dir.join("bad.yaml");
        let bad = bad.to_str().unwrap();
        let full = diagnostics(&[bad]);
        let (mine, others): (Vec<_>, Vec<_>) =
            full.into_iter().partition(|d| d["code"] == code.as_str());
        if diagnostics(&["--select", &code, bad]) != mine {
            failures.push(format!("{name}: --select {code} differs from the full run"));
        }
        if diagnostics(&["--ignore", &code, bad]) != others {
            failures.push(format!("{name}: --ignore {code} differs from the full run"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
