//! `.meshctl.yaml` through the real binary: discovery, per-rule severity,
//! per-file ignores, flags over the file, and clear errors for bad settings.

mod common;

use std::fs;
use std::path::Path;

use common::meshctl;
use predicates::prelude::*;

/// A project folder with the partly-shadowed fixture (one MC2602 info) and
/// the reviews typo fixture (errors) under manifests/.
fn project(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifests = dir.path().join("manifests");
    fs::create_dir_all(manifests.join("legacy")).unwrap();
    fs::copy(
        "fixtures/rules/MC2602-partly-shadowed-route/bad.yaml",
        manifests.join("api.yaml"),
    )
    .unwrap();
    fs::copy(
        "fixtures/invalid/reviews-typos.yaml",
        manifests.join("legacy/reviews.yaml"),
    )
    .unwrap();
    fs::write(dir.path().join(".meshctl.yaml"), settings).unwrap();
    dir
}

fn validate_in(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    meshctl()
        .current_dir(dir)
        .args(["validate", "--format", "json"])
        .args(args)
        .assert()
}

fn codes(out: &[u8]) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(out).expect("JSON");
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn severity_fail_on_and_per_file_ignores_apply_from_the_nearest_settings_file() {
    let dir = project(
        "fail-on: warning\n\
         severity:\n  partly-shadowed-route: warning\n\
         per-file-ignores:\n  \"manifests/legacy/**\": [MC0, MC1, MC2]\n",
    );
    // Run from a subfolder: the file is found in the folder above.
    let sub = dir.path().join("manifests");
    let out = validate_in(&sub, &["."])
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(codes(&out), [("MC2602".into(), "warning".into())]);
    // A flag wins over the file.
    validate_in(&sub, &[".", "--fail-on", "error"]).code(0);
    // Without the file, the defaults: the legacy errors fail the run.
    let out = validate_in(&sub, &[".", "--no-config"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let found = codes(&out);
    assert!(
        found.contains(&("MC2602".into(), "info".into())),
        "{found:?}"
    );
    assert!(found.iter().any(|(_, s)| s == "error"), "{found:?}");
}

#[test]
fn off_drops_a_rule_and_flags_add_to_the_ignores() {
    let dir = project("severity:\n  MC2602: off\n");
    let out = validate_in(dir.path(), &["manifests/api.yaml"])
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(codes(&out).is_empty());
    let other = dir.path().join("other.yaml");
    fs::write(&other, "select: [MC1]\n").unwrap();
    let out = validate_in(
        dir.path(),
        &[
            "manifests/legacy",
            "--config",
            "other.yaml",
            "--ignore",
            "MC11",
        ],
    )
    .get_output()
    .stdout
    .clone();
    let found = codes(&out);
    assert!(
        !found.is_empty()
            && found
                .iter()
                .all(|(c, _)| c.starts_with("MC1") && !c.starts_with("MC11")),
        "{found:?}"
    );
}

#[test]
fn bad_settings_stop_with_the_place_and_what_to_do() {
    for (text, expected) in [
        (
            "severity:\n  MC9999: error\n",
            ".meshctl.yaml:2:3: `MC9999` names no rule",
        ),
        (
            "ignore: [shadowd-route]\n",
            ".meshctl.yaml:1:10: `shadowd-route` names no rule",
        ),
        (
            "fail-on: sometimes\n",
            ".meshctl.yaml:1:10: fail-on must be error, warning, info or never",
        ),
        (
            "severity:\n  MC2602: loud\n",
            ".meshctl.yaml:2:11: unknown variant `loud`",
        ),
        (
            "select: [MC1]\nignroe: [MC2]\n",
            ".meshctl.yaml:2:1: unknown field `ignroe`",
        ),
        (
            "per-file-ignores:\n  \"a/[\": [MC1]\n",
            ".meshctl.yaml:2:3: not a glob",
        ),
    ] {
        let dir = project(text);
        validate_in(dir.path(), &["manifests"])
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
}

/// `--complete` and `complete: true` of the settings file say the input is
/// the whole cluster: the references into namespaces it does not describe
/// (a gateway, a host, a DestinationRule host) and a subset without any
/// DestinationRule are reported, as `istioctl analyze` does without a
/// cluster; by default they are not checked.
#[test]
fn complete_reports_what_the_input_lacks() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        "fixtures/complete/outside-refs.yaml",
        dir.path().join("refs.yaml"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = validate_in(
            dir.path(),
            &[&["--fail-on", "never", "refs.yaml"], args].concat(),
        );
        let mut found: Vec<String> = codes(&out.get_output().stdout)
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        found.sort();
        found
    };
    fs::write(dir.path().join(".meshctl.yaml"), "namespace: shop\n").unwrap();
    assert!(run(&[]).is_empty());
    let expected = ["MC2001", "MC2004", "MC2005", "MC2006", "MC2301"];
    assert_eq!(run(&["--complete"]), expected);
    fs::write(dir.path().join(".meshctl.yaml"), "complete: true\n").unwrap();
    assert_eq!(run(&[]), expected);
}
