//! `meshctl new` through the real binary: every pattern, with both APIs,
//! with and without `--from`, writes manifests that `meshctl validate`
//! finds nothing in and route tests that `meshctl test` passes with every
//! rule covered; bad input is refused with nothing written.

mod common;

use std::path::Path;

use common::meshctl;
use serde_json::Value;
use tempfile::TempDir;

const FROM: &str = "fixtures/new/reviews.yaml";

/// Each pattern with the flags of a typical use.
const PATTERNS: &[&[&str]] = &[
    &[
        "gateway",
        "--host",
        "api.example.com",
        "--tls-secret",
        "api-cert",
    ],
    &["gateway", "--host", "api.example.com"],
    &[
        "routing",
        "--path",
        "/v1=v1",
        "--path",
        "/v1/admin=v2",
        "--header",
        "end-user=jason:v2",
        "--default",
        "v1",
    ],
    &[
        "canary", "--stable", "v1", "--canary", "v2", "--weight", "20",
    ],
    &["blue-green", "--active", "v1", "--preview", "v2"],
    &[
        "resilience",
        "--timeout",
        "3s",
        "--retries",
        "2",
        "--per-try-timeout",
        "500ms",
        "--max-connections",
        "100",
        "--max-pending",
        "10",
        "--consecutive-5xx",
        "5",
        "--ejection-time",
        "30s",
    ],
];

/// `meshctl new ARGS --service reviews -n shop`: (exit code, stdout, stderr).
fn new(args: &[&str], extra: &[&str]) -> (i32, String, String) {
    let output = meshctl()
        .arg("new")
        .args(args)
        .args(["--service", "reviews", "-n", "shop"])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `meshctl shift ARGS --in-place FILE`, which must succeed: the file after.
fn shift_in_place(file: &Path, args: &[&str]) -> String {
    let output = meshctl()
        .arg("shift")
        .args(args)
        .arg("--in-place")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(file).unwrap()
}

fn diagnostics(paths: &[&Path]) -> Vec<Value> {
    let output = meshctl()
        .args(["validate", "--format", "json", "--fail-on", "never"])
        .args(paths)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["diagnostics"].as_array().unwrap().clone()
}

/// Writes the pattern into a temporary folder with its tests; checks that
/// validate finds nothing and the tests pass with full coverage.
fn check_pattern(args: &[&str], api: &str, from: bool) {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("manifests");
    let tests = dir.path().join("routes.test.yaml");
    let mut extra = vec![
        "--api",
        api,
        "--out",
        out.to_str().unwrap(),
        "--tests",
        tests.to_str().unwrap(),
    ];
    if from {
        extra.extend(["--from", FROM]);
    }
    let (code, _, stderr) = new(args, &extra);
    let what = format!("{args:?} --api {api} (from: {from})");
    assert_eq!(code, 0, "{what}: {stderr}");
    let mut inputs: Vec<&Path> = vec![&out];
    if from {
        inputs.push(Path::new(FROM));
    }
    let found = diagnostics(&inputs);
    assert!(found.is_empty(), "{what}: validate found {found:#?}");
    let output = meshctl()
        .args(["test", "-o", "json", "--fail-under", "100"])
        .arg(&tests)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(output.status.success(), "{what}: {report:#}");
    assert_eq!(report["failed"], 0, "{what}");
    assert_eq!(report["coverage_percent"], 100.0, "{what}");
    assert!(report["passed"].as_u64().unwrap() >= 1);
}

#[test]
fn every_pattern_validates_clean_and_its_tests_cover_every_rule() {
    for args in PATTERNS {
        for api in ["istio", "gateway-api"] {
            for from in [false, true] {
                check_pattern(args, api, from);
            }
        }
    }
}

#[test]
fn a_canary_splits_by_weight_and_shift_moves_it() {
    let (code, yaml, _) = new(
        &[
            "canary", "--stable", "v1", "--canary", "v2", "--weight", "10",
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert!(yaml.contains("subset: v1\n      weight: 90"), "{yaml}");
    assert!(yaml.contains("subset: v2\n      weight: 10"), "{yaml}");
    assert!(yaml.contains("kind: DestinationRule"));
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("canary.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let shifted = shift_in_place(&file, &["--step", "10"]);
    assert!(
        shifted.contains("weight: 80") && shifted.contains("weight: 20"),
        "{shifted}"
    );
}

#[test]
fn a_blue_green_pair_switches_with_shift() {
    for api in ["istio", "gateway-api"] {
        let dir = TempDir::new().unwrap();
        let file = dir.path().join("bg.yaml");
        let (code, _, stderr) = new(
            &["blue-green", "--active", "blue", "--preview", "green"],
            &["--api", api, "--out", file.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{stderr}");
        let before = std::fs::read_to_string(&file).unwrap();
        let after = shift_in_place(&file, &["--switch"]);
        // Only the weights change: blue 100 -> 0, green 0 -> 100.
        let weights = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.contains("weight:"))
                .map(|l| l.trim().to_string())
                .collect()
        };
        assert_eq!(weights(&before), ["weight: 100", "weight: 0"], "{api}");
        assert_eq!(weights(&after), ["weight: 0", "weight: 100"], "{api}");
        // The preview stays reachable by its header.
        assert!(after.contains("x-preview"), "{after}");
    }
}

#[test]
fn from_takes_the_port_and_the_versions_of_the_workloads() {
    let (code, yaml, _) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &["--from", FROM],
    );
    assert_eq!(code, 0);
    // The Service has two ports: the destination names the HTTP one.
    assert!(yaml.contains("port:\n          number: 9080"), "{yaml}");
    let (code, yaml, _) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &["--from", FROM, "--api", "gateway-api"],
    );
    assert_eq!(code, 0);
    // Per-version Services select the pods by the Service's selector and the version label.
    assert!(yaml.contains("name: reviews-v2\n  namespace: shop\nspec:\n  selector:\n    app: reviews\n    version: v2"), "{yaml}");
    assert!(
        !yaml.contains("name: reviews\n  namespace: shop\nspec:\n  selector"),
        "the user's Service is not written again"
    );
    let (code, stdout, stderr) = new(
        &["canary", "--stable", "v1", "--canary", "v3"],
        &["--from", FROM],
    );
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr
            .contains("--canary v3: the workloads behind Service shop/reviews have version v1, v2"),
        "{stderr}"
    );
    let (code, _, stderr) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &["--from", FROM, "--port", "8080"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--port 8080: Service shop/reviews exposes 9080, 9090"),
        "{stderr}"
    );
}

#[test]
fn resilience_refuses_what_istio_would_ignore_and_warns_about_back_off() {
    let (code, _, stderr) = new(
        &[
            "resilience",
            "--timeout",
            "1s",
            "--retries",
            "3",
            "--per-try-timeout",
            "1s",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("not shorter than --timeout 1s"), "{stderr}");
    let (code, _, stderr) = new(
        &[
            "resilience",
            "--timeout",
            "1s",
            "--retries",
            "3",
            "--per-try-timeout",
            "300ms",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("4 tries of 300ms need 1200ms, more than --timeout 1s"),
        "{stderr}"
    );
    // 3 tries of 500ms fit in 2s, but with the back-off (at most 25 + 75 ms
    // between them, §4.1) they can take 1600ms: fine. 4 tries do not.
    let (code, yaml, stderr) = new(
        &[
            "resilience",
            "--timeout",
            "2s",
            "--retries",
            "3",
            "--per-try-timeout",
            "500ms",
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert!(stderr.contains("up to 275ms of back-off"), "{stderr}");
    assert!(
        yaml.contains(
            "retries:\n      attempts: 3\n      perTryTimeout: 500ms\n      retryOn: 5xx"
        ),
        "{yaml}"
    );
    let (code, _, stderr) = new(
        &[
            "resilience",
            "--timeout",
            "2s",
            "--retries",
            "2",
            "--per-try-timeout",
            "500ms",
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out.yaml");
    let out_arg = out.to_str().unwrap();
    for (args, message) in [
        (
            vec!["routing", "--path", "v1=v1"],
            "a prefix starts with '/'",
        ),
        (
            vec!["routing", "--path", "/a=V1"],
            "a version must be a DNS label",
        ),
        (vec!["routing"], "routing needs at least one"),
        (
            vec!["canary", "--stable", "v1", "--canary", "v1"],
            "--stable and --canary are both v1",
        ),
        (
            vec![
                "canary", "--stable", "v1", "--canary", "v2", "--weight", "120",
            ],
            "--weight 120",
        ),
        (
            vec!["gateway", "--host", "*.example.com"],
            "give the exact host name",
        ),
        (
            vec![
                "blue-green",
                "--active",
                "a",
                "--preview",
                "b",
                "--preview-header",
                "x",
            ],
            "write NAME=VALUE",
        ),
    ] {
        let (code, stdout, stderr) = new(&args, &["--out", out_arg]);
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote {out:?}");
    }
    let (code, _, stderr) = new(
        &[
            "canary", "--stable", "v1", "--canary", "v2", "--tests", "t.yaml",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("--tests needs --out"), "{stderr}");
    // An existing file is kept unless --force.
    std::fs::write(&out, "keep me\n").unwrap();
    let (code, _, stderr) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &["--out", out_arg],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("exists; nothing written (use --force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    // An existing test file stops the command before the manifests are written.
    let folder = dir.path().join("manifests");
    let tests = dir.path().join("routes.test.yaml");
    std::fs::write(&tests, "keep me too\n").unwrap();
    let (code, _, stderr) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &[
            "--out",
            folder.to_str().unwrap(),
            "--tests",
            tests.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("routes.test.yaml exists; nothing written"),
        "{stderr}"
    );
    assert!(!folder.exists(), "the manifests were written");
    let (code, _, _) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &["--out", out_arg, "--force"],
    );
    assert_eq!(code, 0);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("kind: VirtualService")
    );
    let (code, _, stderr) = new(
        &["canary", "--stable", "v1", "--canary", "v2"],
        &["--service", "Reviews"],
    );
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn values_that_yaml_would_misread_are_quoted() {
    // A header value `true` must reach Istio as the string "true".
    let (code, yaml, _) = new(
        &[
            "routing",
            "--header",
            "x-beta=true:v2",
            "--header",
            "x-id=0123:v2",
            "--default",
            "v1",
        ],
        &[],
    );
    assert_eq!(code, 0);
    assert!(yaml.contains("exact: \"true\""), "{yaml}");
    assert!(yaml.contains("exact: \"0123\""), "{yaml}");
}
