//! `meshctl diff` through the binary: for each pair of configurations the
//! exact set of traffic changes, each example request routed by `meshctl
//! route` on both sides with different answers, and the CLI contract
//! (--exit-code, --base through git, the JSON schema, Markdown).

mod common;

use std::collections::BTreeSet;
use std::process::Command as Process;

use common::{json_of, meshctl, route_json, schema_errors};
use serde_json::Value;

const SCHEMA: &str = include_str!("../schemas/output/diff.json");

fn case_dir(case: &str, side: &str) -> String {
    format!("fixtures/diff/{case}/{side}")
}

fn diff_json(case: &str) -> Value {
    let report = json_of(&[
        "diff",
        &case_dir(case, "old"),
        &case_dir(case, "new"),
        "-o",
        "json",
    ]);
    let errors = schema_errors(SCHEMA, &report);
    assert!(errors.is_empty(), "{case}: {errors:?}");
    report
}

fn rule_of(traffic: &Value) -> String {
    match &traffic["rule"] {
        Value::Null => "none".into(),
        rule => format!(
            "{}#{}",
            rule["resource"].as_str().unwrap(),
            rule["rule_index"]
        ),
    }
}

/// Each change as `entry host: before-rule -> after-rule: summary`.
fn changes(report: &Value) -> BTreeSet<String> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let summary: Vec<&str> = c["summary"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            format!(
                "{} {}: {} -> {}: {}",
                c["entry"].as_str().unwrap(),
                c["host"].as_str().unwrap(),
                rule_of(&c["before"]),
                rule_of(&c["after"]),
                summary.join("; ")
            )
        })
        .collect()
}

/// What `meshctl route` answers for a change's example on one side: status
/// and the destinations with their shares and subset labels.
fn routed(case: &str, side: &str, change: &Value) -> Value {
    let args = shell_words::split(change["route_args"].as_str().unwrap()).unwrap();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let answer = route_json(&case_dir(case, side), &args);
    let destinations: Vec<Value> = answer["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            serde_json::json!([
                d["host"],
                d["subset"],
                d["share"],
                d["policy"]["subset_labels"]
            ])
        })
        .collect();
    serde_json::json!([answer["status"], destinations, answer["policy"]])
}

#[test]
fn each_change_is_the_class_of_requests_that_routes_differently() {
    let reviews = "reviews.shop.svc.cluster.local";
    let table: &[(&str, &[String])] = &[
        (
            // Weights are proportional: only the shares are news.
            "weight",
            &[format!(
                "mesh {reviews}: VirtualService shop/reviews#0 -> VirtualService shop/reviews#0: reviews.shop v1: 90 % -> 80 %; reviews.shop v2: 10 % -> 20 %"
            )],
        ),
        (
            // First match wins: the new header rule takes jason's requests
            // and only those.
            "header-above",
            &[format!(
                "mesh {reviews}: VirtualService shop/reviews#0 -> VirtualService shop/reviews#0: reviews.shop v1: 90 % -> 0 %; reviews.shop v2: 10 % -> 0 %; reviews.shop v3: 0 % -> 100 %"
            )],
        ),
        (
            // A catch-all above the specific rules takes their requests,
            // with its own (default) policy: the /api timeout goes.
            "catch-all",
            &[
                format!(
                    "mesh {reviews}: VirtualService shop/reviews#0 -> VirtualService shop/reviews#0: reviews.shop v2: 100 % -> 0 %; reviews.shop v1: 0 % -> 100 %; policy.timeout: 2s -> disabled"
                ),
                format!(
                    "mesh {reviews}: VirtualService shop/reviews#1 -> VirtualService shop/reviews#0: reviews.shop v3: 100 % -> 0 %; reviews.shop v1: 0 % -> 100 %"
                ),
            ],
        ),
        (
            // Same routes, other endpoints: the subset's labels changed.
            "relabel",
            &[format!(
                "mesh {reviews}: VirtualService shop/reviews#0 -> VirtualService shop/reviews#0: reviews.shop v2 policy.subset_labels.version: v2 -> v2-canary"
            )],
        ),
        (
            // A host the Gateway no longer serves gets 404 NR there.
            "gateway-host",
            &["shop/front reviews.example.com: VirtualService shop/front#0 -> none: status: 200 -> 404; response_flags: none -> NR; action: route -> no_route; reviews.shop v1: 100 % -> 0 %".to_string()],
        ),
        (
            "httproute-weight",
            &[format!(
                "mesh {reviews}: HTTPRoute shop/reviews#0 -> HTTPRoute shop/reviews#0: reviews-v1.shop: 90 % -> 50 %; reviews-v2.shop: 10 % -> 50 %"
            )],
        ),
        // Comments, key order, quoting, a renamed rule and 90/10 written
        // as 9/1 change no request.
        ("reformat", &[]),
        (
            // A Sidecar that imports only its own namespace: its callers'
            // requests for reviews leave the mesh's routes (ALLOW_ANY
            // passes them through).
            "sidecar",
            &[format!(
                "mesh {reviews}: VirtualService shop/reviews#0 -> none: action: route -> passthrough; reviews.shop v1: 90 % -> 0 %; reviews.shop v2: 10 % -> 0 %"
            )],
        ),
        // One VirtualService for two hosts split into one per host, with
        // the same routes.
        ("split-in-two", &[]),
    ];
    for (case, expected) in table {
        let report = diff_json(case);
        let expected: BTreeSet<String> = expected.iter().cloned().collect();
        assert_eq!(changes(&report), expected, "{case}");
        assert_eq!(report["traffic_changed"], !expected.is_empty(), "{case}");
        for change in report["changes"].as_array().unwrap() {
            assert_ne!(
                routed(case, "old", change),
                routed(case, "new", change),
                "{case}: the example {} routes the same on both sides",
                change["route_args"]
            );
        }
    }
}

#[test]
fn a_sidecar_change_shows_for_its_namespace_callers_only() {
    let report = diff_json("sidecar");
    let change = &report["changes"][0];
    assert_eq!(change["source_namespaces"], serde_json::json!(["frontend"]));
    assert_eq!(change["example"]["source_namespace"], "frontend");
}

#[test]
fn a_sidecar_with_a_selector_shows_for_the_workloads_it_selects() {
    let report = diff_json("sidecar-selector");
    let change = &report["changes"][0];
    assert_eq!(change["source_namespaces"], serde_json::json!(["frontend"]));
    assert_eq!(
        change["example"]["source_labels"],
        serde_json::json!({"app": "web"})
    );
    for side in ["old", "new"] {
        // Without the label, the caller is not the Sidecar's.
        let plain = route_json(
            &case_dir("sidecar-selector", side),
            &[
                "--host",
                "reviews.shop.svc.cluster.local",
                "--source-namespace",
                "frontend",
            ],
        );
        assert_eq!(plain["action"], "route", "{side}");
    }
    assert_eq!(routed("sidecar-selector", "old", change)[0], 200);
    assert_ne!(
        routed("sidecar-selector", "old", change),
        routed("sidecar-selector", "new", change)
    );
}

#[test]
fn a_header_rule_names_its_condition_and_example() {
    let report = diff_json("header-above");
    let change = &report["changes"][0];
    assert_eq!(change["example"]["headers"]["end-user"], "jason");
    assert_eq!(
        change["after"]["conditions"][0],
        "header \"end-user\" exact \"jason\""
    );
    assert!(
        change["example"].get("gateway").is_none(),
        "mesh requests name no gateway"
    );
}

#[test]
fn a_gateway_change_names_the_gateway_in_the_example() {
    let report = diff_json("gateway-host");
    let example = &report["changes"][0]["example"];
    assert_eq!(example["gateway"], "shop/front");
    assert_eq!(example["host"], "reviews.example.com");
}

#[test]
fn exit_code_says_whether_traffic_changed() {
    for (case, code) in [("weight", 1), ("reformat", 0)] {
        meshctl()
            .args([
                "diff",
                &case_dir(case, "old"),
                &case_dir(case, "new"),
                "--exit-code",
            ])
            .assert()
            .code(code);
        // Without --exit-code a diff is a report, not a verdict.
        meshctl()
            .args(["diff", &case_dir(case, "old"), &case_dir(case, "new")])
            .assert()
            .code(0);
    }
}

#[test]
fn verbose_lists_what_changed_in_the_files_but_not_in_traffic() {
    let out = meshctl()
        .args([
            "diff",
            &case_dir("reformat", "old"),
            &case_dir("reformat", "new"),
            "-v",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("no traffic change"), "{text}");
    assert!(
        text.contains("modified VirtualService shop/reviews"),
        "{text}"
    );
    let quiet = meshctl()
        .args([
            "diff",
            &case_dir("reformat", "old"),
            &case_dir("reformat", "new"),
        ])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(quiet.stdout)
            .unwrap()
            .contains("modified")
    );
}

#[test]
fn markdown_is_a_table_per_host_with_the_example_commands() {
    let out = meshctl()
        .args([
            "diff",
            &case_dir("weight", "old"),
            &case_dir("weight", "new"),
            "-o",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("#### `reviews.shop.svc.cluster.local`"),
        "{text}"
    );
    assert!(
        text.contains("| requests | before | after | what changes |"),
        "{text}"
    );
    assert!(text.contains("reviews.shop v2: 10 % -> 20 %"), "{text}");
    assert!(
        text.contains(
            "meshctl route fixtures/diff/weight/new --host reviews.shop.svc.cluster.local"
        ),
        "{text}"
    );
}

#[test]
fn diff_takes_old_and_new_or_base_and_paths() {
    meshctl()
        .args(["diff", "fixtures/diff/weight/old"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--base REV PATHS"));
    meshctl()
        .args(["diff", "fixtures/diff/weight/old", "fixtures/diff/missing"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("fixtures/diff/missing"));
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = Process::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn base_compares_a_git_revision_with_the_working_tree() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let mesh = dir.join("mesh");
    std::fs::create_dir(&mesh).unwrap();
    for file in ["base.yaml", "reviews.yaml"] {
        std::fs::copy(format!("fixtures/diff/weight/old/{file}"), mesh.join(file)).unwrap();
    }
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "90/10"]);
    std::fs::copy(
        "fixtures/diff/weight/new/reviews.yaml",
        mesh.join("reviews.yaml"),
    )
    .unwrap();
    let out = meshctl()
        .current_dir(dir)
        .args(["diff", "--base", "HEAD", "mesh", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &report["changes"][0]["summary"];
    assert_eq!(summary[0], "reviews.shop v1: 90 % -> 80 %", "{report}");
    // Nothing changed since HEAD once the edit is committed.
    git(dir, &["commit", "-qam", "80/20"]);
    meshctl()
        .current_dir(dir)
        .args(["diff", "--base", "HEAD", "mesh", "--exit-code"])
        .assert()
        .code(0);
    meshctl()
        .current_dir(dir)
        .args(["diff", "--base", "no-such-rev", "mesh"])
        .assert()
        .code(2);
}

/// (file, line) of each SARIF note of a case.
fn sarif_notes(case: &str) -> Vec<(String, u64)> {
    let log = json_of(&[
        "diff",
        &case_dir(case, "old"),
        &case_dir(case, "new"),
        "-o",
        "sarif",
    ]);
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["ruleId"], "DIFF001");
            assert_eq!(r["level"], "note");
            let place = &r["locations"][0]["physicalLocation"];
            (
                place["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                place["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn sarif_puts_a_note_on_the_edit_that_causes_each_change() {
    // The catch-all rule added at line 9 takes both classes.
    let reviews = "fixtures/diff/catch-all/new/reviews.yaml".to_string();
    assert_eq!(
        sarif_notes("catch-all"),
        vec![(reviews.clone(), 9), (reviews, 9)]
    );
    // A relabelled subset: the DestinationRule, not the VirtualService.
    let notes = sarif_notes("relabel");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].0, "fixtures/diff/relabel/new/base.yaml");
    // No change, no note.
    assert!(sarif_notes("reformat").is_empty());
}

#[test]
fn simulate_runs_the_scenario_on_both_sides() {
    let args = [
        "diff",
        "fixtures/diff/weight/old",
        "fixtures/diff/weight/new",
        "--simulate",
        "fixtures/diff/weight.scenario.yaml",
        "-o",
        "json",
    ];
    let report = json_of(&args);
    let errors = schema_errors(SCHEMA, &report);
    assert!(errors.is_empty(), "{errors:?}");
    let sim = &report["simulation"];
    let v2_share = |side: &str| {
        sim[side]["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["subset"] == "v2")
            .map(|f| f["share"].as_f64().unwrap())
            .unwrap()
    };
    // 20,000 requests: the sampled shares lie within a few standard
    // deviations (0.2 %, 0.3 %) of the weights.
    assert!((v2_share("before") - 0.10).abs() < 0.01, "{sim}");
    assert!((v2_share("after") - 0.20).abs() < 0.01, "{sim}");
    // v2 answers 500 to 10 % of its requests and Istio's default retryOn
    // does not retry 500: callers see about 1 % errors, then about 2 %.
    let success = |side: &str| sim[side]["figures"][0]["success_rate"].as_f64().unwrap();
    assert!((success("before") - 0.99).abs() < 0.004, "{sim}");
    assert!((success("after") - 0.98).abs() < 0.004, "{sim}");
    assert_eq!(sim["before"]["slo"][0]["verdict"], "pass");
    assert_eq!(sim["after"]["slo"][0]["verdict"], "fail");
    // Seeded: the same inputs give byte-identical output.
    let first = meshctl().args(args).output().unwrap();
    let again = meshctl().args(args).output().unwrap();
    assert_eq!(first.stdout, again.stdout);
}
