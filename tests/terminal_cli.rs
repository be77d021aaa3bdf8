//! What human output does on a terminal and in a pipe: `--color`, tables
//! that fit `COLUMNS`, input that cannot forge lines or drive the terminal,
//! and kubectl's `-f`.

mod common;

use std::fs;

use common::meshctl;

/// Names, hosts, subsets and a test case name with escape sequences and a
/// newline that would put a fake finding on a line of its own.
const HOSTILE: &str = r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: "evil\e[2J", namespace: default}
spec:
  hosts: ["api\e[31m.example.com"]
  http:
  - route:
    - destination: {host: "nowhere\nerror[MC0000]: fake finding", subset: "v\e]0;title\a1"}
"#;

const HOSTILE_TESTS: &str = r#"manifests: [evil.yaml]
tests:
- name: "case\nPASS forged\e[2J"
  request: {host: "api\e[31m.example.com"}
  expect: {status: 200}
"#;

/// Runs meshctl in `dir` and returns stdout.
fn stdout_of(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> String {
    let mut cmd = meshctl();
    cmd.current_dir(dir).args(args).env_remove("COLUMNS");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn hostile_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("evil.yaml"), HOSTILE).unwrap();
    fs::write(dir.path().join("evil.test.yaml"), HOSTILE_TESTS).unwrap();
    dir
}

/// A value's newline never starts a line and its escape sequences are
/// written as escapes: in route's table and notes, simulate's tables and
/// test's case lines, and in the notes on stderr.
#[test]
fn input_never_forges_a_line_in_route_simulate_or_test() {
    let dir = hostile_dir();
    let host = "api\u{1b}[31m.example.com";
    for args in [
        &["route", "evil.yaml", "--host", host][..],
        &["simulate", "evil.yaml", "--requests", "50"],
        &["test", "evil.test.yaml"],
    ] {
        let out = meshctl()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("evil\\u{1b}[2J"),
            "{args:?} names the resource:\n{stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "{args:?}:\n{stderr}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.is_empty(), "{args:?} printed nothing");
        assert!(!text.contains(['\u{1b}', '\u{7}']), "{args:?}:\n{text}");
        for line in text.lines() {
            let forged = line.contains("fake finding") && !line.contains("nowhere\\nerror")
                || line.contains("PASS forged") && !line.contains("case\\nPASS");
            assert!(!forged, "{args:?} let a value start a line:\n{text}");
        }
    }
}

/// The source snippet of a finding draws a control character in the file
/// as `?`, and the label still points at the right column.
#[test]
fn validate_snippets_do_not_replay_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("raw.yaml");
    fs::write(
        &file,
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r}\n      weight: -1 # \u{1b}[2J cleared\n",
    )
    .unwrap();
    let out = meshctl()
        .args(["validate", "--color", "never"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("# ?[2J cleared"), "{text}");
}

/// `--color always` colours the verdicts even in a pipe and with NO_COLOR
/// (an explicit flag wins); `never` and `auto` in a pipe write plain text.
#[test]
fn color_follows_the_flag_and_never_leaks_into_pipes() {
    let dir = hostile_dir();
    let bookinfo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/route-tests/bookinfo.test.yaml"
    );
    let route = [
        "route",
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bookinfo"),
        "--host",
        "reviews.shop",
    ];
    let validate = [
        "validate",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/invalid/reviews-typos.yaml"
        ),
    ];
    for args in [&["test", bookinfo][..], &route, &validate] {
        let with = |extra: &[&str], envs: &[(&str, &str)]| {
            let mut all = args.to_vec();
            all.extend_from_slice(extra);
            stdout_of(dir.path(), &all, envs)
        };
        let always = with(&["--color", "always"], &[("NO_COLOR", "1")]);
        assert!(
            always.contains("\u{1b}["),
            "{args:?} --color always:\n{always}"
        );
        for plain in [with(&["--color", "never"], &[]), with(&[], &[])] {
            assert!(!plain.contains('\u{1b}'), "{args:?}:\n{plain}");
        }
    }
}

/// With COLUMNS set, route's and simulate's tables wrap their cells to fit
/// (no row runs past the width); in a pipe without it, rows stay whole.
#[test]
fn tables_fit_the_terminal_width() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a-very-long-service-name-that-no-terminal-has-room-for-in-one-column.example.com";
    fs::write(
        dir.path().join("long.yaml"),
        format!(
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: long}}\nspec:\n  hosts: [{long}]\n  ports: [{{number: 80, name: http, protocol: HTTP}}]\n  resolution: DNS\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: long}}\nspec:\n  hosts: [{long}]\n  http:\n  - route:\n    - destination: {{host: {long}}}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: long}}\nspec:\n  host: {long}\n  trafficPolicy:\n    connectionPool: {{tcp: {{maxConnections: 10}}, http: {{http1MaxPendingRequests: 5, maxRequestsPerConnection: 3}}}}\n    outlierDetection: {{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}}\n"
        ),
    )
    .unwrap();
    for args in [
        &["route", "long.yaml", "--host", long][..],
        &["simulate", "long.yaml", "--requests", "50"],
    ] {
        let narrow = stdout_of(dir.path(), args, &[("COLUMNS", "60")]);
        let table_lines: Vec<&str> = narrow
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '└', '╞', '├']))
            .collect();
        assert!(!table_lines.is_empty(), "{args:?}:\n{narrow}");
        for line in table_lines {
            assert!(
                line.chars().count() <= 60,
                "{args:?} past 60 columns:\n{narrow}"
            );
        }
        let piped = stdout_of(dir.path(), args, &[]);
        assert!(
            piped.contains(long),
            "{args:?} a pipe keeps rows whole:\n{piped}"
        );
    }
}

/// kubectl users type `-f FILE`; it reads the same manifests as a path
/// argument, and a command with neither is refused.
#[test]
fn dash_f_reads_manifests_like_kubectl() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bookinfo = format!("{root}/fixtures/bookinfo");
    let as_path = stdout_of(
        std::path::Path::new(root),
        &["route", &bookinfo, "--host", "reviews.shop", "-o", "json"],
        &[],
    );
    let as_flag = stdout_of(
        std::path::Path::new(root),
        &[
            "route",
            "-f",
            &bookinfo,
            "--host",
            "reviews.shop",
            "-o",
            "json",
        ],
        &[],
    );
    assert!(as_path.contains("\"status\": 200"), "{as_path}");
    assert_eq!(as_path, as_flag);
    for command in [
        &[
            "validate",
            "-f",
            "fixtures/shift/canary.yaml",
            "--filename",
            "fixtures/shift/flow.yaml",
        ][..],
        &["shift", "-f", "fixtures/shift/canary.yaml", "--step", "10"],
        &[
            "simulate",
            "-f",
            "fixtures/simulate/reviews.yaml",
            "--requests",
            "100",
        ],
    ] {
        meshctl().current_dir(root).args(command).assert().code(0);
    }
    meshctl()
        .args(["validate"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("required"));
}

/// Kubernetes reads manifests with YAML 1.1; other YAML in the folder (a
/// Helm values file) is not what kubectl reads, so MC0005 stays quiet there.
#[test]
fn the_yaml11_warning_concerns_only_manifests() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("values.yaml"), "canary:\n  enabled: on\n").unwrap();
    fs::write(
        dir.path().join("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n  labels: {canary: on}\nspec:\n  ports: [{port: 9080, name: http}]\n",
    )
    .unwrap();
    let report = common::validate_json(&[dir.path().to_str().unwrap()]);
    let warned: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "MC0005")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].to_string(),
            )
        })
        .collect();
    assert_eq!(warned.len(), 1, "{report}");
    assert!(warned[0].0.ends_with("svc.yaml"), "{warned:?}");
}
