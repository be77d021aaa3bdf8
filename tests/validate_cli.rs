//! `meshctl validate` through the real binary: exit codes (cli.md), bad input
//! of every kind, stdin, and the machine-readable formats.

mod common;

use std::fs;

use common::{findings, meshctl, validate_json};
use predicates::prelude::*;

#[test]
fn clean_fixture_exits_zero() {
    meshctl()
        .args(["validate", "fixtures/bookinfo"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors"));
}

#[test]
fn errors_exit_one_and_fail_on_never_exits_zero() {
    meshctl()
        .args(["validate", "fixtures/invalid/reviews-typos.yaml"])
        .assert()
        .code(1);
    meshctl()
        .args([
            "validate",
            "--fail-on",
            "never",
            "fixtures/invalid/reviews-typos.yaml",
        ])
        .assert()
        .code(0);
}

/// `yes` is a YAML 1.1 boolean: valid for ignoreUriCase, but worth a warning.
#[test]
fn fail_on_warning_counts_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("svc.yaml");
    fs::write(
        &file,
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\nspec:\n  hosts: [a]\n  http:\n  - match: [{uri: {prefix: /a}, ignoreUriCase: yes}]\n    route: [{destination: {host: a}}]\n",
    )
    .unwrap();
    meshctl()
        .args(["validate", file.to_str().unwrap()])
        .assert()
        .code(0);
    meshctl()
        .args(["validate", "--fail-on", "warning", file.to_str().unwrap()])
        .assert()
        .code(1);
}

/// kubectl sends `canary: on` as the boolean true, which a label cannot hold.
#[test]
fn unquoted_on_in_a_label_is_an_error_like_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("svc.yaml");
    fs::write(&file, "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {canary: on}\nspec:\n  ports: [{port: 80}]\n").unwrap();
    let report = validate_json(&[file.to_str().unwrap()]);
    assert_eq!(
        findings(&report),
        vec![("MC0005".to_string(), 5, 20), ("MC0102".to_string(), 5, 20)]
    );
    assert!(
        report["diagnostics"][1]["help"]
            .as_str()
            .unwrap()
            .contains("\"on\"")
    );
}

#[test]
fn missing_path_is_exit_two_with_one_line() {
    meshctl()
        .args(["validate", "does/not/exist.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does/not/exist.yaml: no such file or directory",
        ))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn bad_flag_is_exit_two() {
    meshctl()
        .args(["validate", "--format", "xml", "fixtures"])
        .assert()
        .code(2);
}

#[test]
fn stdin_is_read_with_dash() {
    let text = fs::read_to_string("fixtures/invalid/reviews-typos.yaml").unwrap();
    let out = meshctl()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(text)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["diagnostics"][0]["file"], "<stdin>");
}

/// A syntax error in one file does not stop the others from being checked.
#[test]
fn syntax_error_in_one_file_still_checks_the_others() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a-broken.yaml"), "kind: [\n").unwrap();
    fs::copy(
        "fixtures/invalid/reviews-typos.yaml",
        dir.path().join("b.yaml"),
    )
    .unwrap();
    let report = validate_json(&[dir.path().to_str().unwrap()]);
    let codes: Vec<_> = findings(&report).into_iter().map(|f| f.0).collect();
    assert!(codes.contains(&"MC0001".to_string()));
    assert!(
        codes.contains(&"MC0101".to_string()),
        "other file checked: {codes:?}"
    );
}

#[test]
fn binary_and_invalid_utf8_files_are_diagnostics_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bin.yaml"),
        [0x7f, b'E', b'L', b'F', 0, 1, 2],
    )
    .unwrap();
    fs::write(dir.path().join("latin1.yaml"), b"kind: caf\xe9\n").unwrap();
    let report = validate_json(&[dir.path().to_str().unwrap()]);
    let got = findings(&report);
    assert_eq!(got.iter().filter(|f| f.0 == "MC0006").count(), 2, "{got:?}");
    assert!(
        got.contains(&("MC0006".into(), 1, 10)),
        "position of the bad byte: {got:?}"
    );
}

#[test]
fn billion_laughs_and_deep_nesting_finish_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let mut lol = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        lol.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    fs::write(dir.path().join("lol.yaml"), lol).unwrap();
    fs::write(
        dir.path().join("deep.yaml"),
        format!("x: {}{}\n", "[".repeat(50_000), "]".repeat(50_000)),
    )
    .unwrap();
    let report = validate_json(&[dir.path().to_str().unwrap()]);
    let codes: Vec<_> = findings(&report).into_iter().map(|f| f.0).collect();
    assert!(codes.contains(&"MC0003".to_string()));
    assert!(codes.contains(&"MC0004".to_string()));
}

#[test]
fn list_items_are_checked_with_item_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("list.yaml");
    fs::write(
        &file,
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.istio.io/v1\n  kind: DestinationRule\n  metadata: {name: r}\n  spec:\n    host: r\n    subsets: [{name: v1, labls: {}, labels: {v: \"1\"}}]\n",
    )
    .unwrap();
    let report = validate_json(&[file.to_str().unwrap()]);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "MC0101");
    assert_eq!(d["path"], "/items/0/spec/subsets/0/labls");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(26))
    );
    assert_eq!(d["resource"]["name"], "r");
}

#[test]
fn json_documents_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("svc.json");
    fs::write(&file, r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 0}]}}"#).unwrap();
    let report = validate_json(&[file.to_str().unwrap()]);
    // The unnamed port is also sniffed by Istio (IST0118, info).
    assert_eq!(
        findings(&report),
        vec![("MC2401".to_string(), 1, 87), ("MC1003".to_string(), 1, 96)]
    );
}

#[test]
fn unknown_kinds_are_skipped_silently_and_listed_with_verbose() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cm.yaml");
    fs::write(
        &file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n",
    )
    .unwrap();
    meshctl()
        .args(["validate", "--verbose", file.to_str().unwrap()])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("skipped v1 ConfigMap"));
}

#[test]
fn json_report_has_the_contract_fields() {
    let report = validate_json(&["fixtures/invalid/reviews-typos.yaml"]);
    assert_eq!(report["version"], 1);
    let d = &report["diagnostics"][0];
    for field in [
        "code",
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "resource",
        "path",
        "istio_code",
    ] {
        assert!(d.get(field).is_some(), "missing {field}");
    }
    assert_eq!(d["resource"]["kind"], "VirtualService");
    // weigth (schema), 500us (duration), LEAST_CONNECTION (enum), and subset v2
    // that the DestinationRule does not define (cross-reference).
    assert_eq!(report["summary"]["errors"], 4);
    assert_eq!(report["summary"]["resources"], 2);
}

#[test]
fn json_report_matches_its_published_schema_and_snapshot() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/output/validate.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for fixture in [
        "fixtures/invalid/reviews-typos.yaml",
        "fixtures/bookinfo",
        "fixtures/rules",
    ] {
        let report = validate_json(&[fixture]);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:?}");
    }
    insta::assert_json_snapshot!(validate_json(&["fixtures/invalid/reviews-typos.yaml"]));
}

#[test]
fn select_and_ignore_filter_by_code_name_or_prefix() {
    let file = "fixtures/invalid/reviews-typos.yaml";
    let only_durations = validate_json(&["--select", "invalid-duration", file]);
    assert_eq!(findings(&only_durations).len(), 1);
    let no_schema = validate_json(&["--ignore", "MC01", file]);
    let codes: Vec<_> = findings(&no_schema).into_iter().map(|f| f.0).collect();
    // The misspelt `weigth` leaves v1 at weight 0 (MC2507), and v2 is no subset (MC2004).
    assert_eq!(codes, vec!["MC2507", "MC2004", "MC1001"]);
}

#[test]
fn suppression_annotation_silences_a_resource() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vs.yaml");
    fs::write(
        &file,
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\n  annotations:\n    galley.istio.io/analyze-suppress: MC1104\nspec:\n  hosts: [a, a]\n  http: [{route: [{destination: {host: a}}]}]\n",
    )
    .unwrap();
    assert!(findings(&validate_json(&[file.to_str().unwrap()])).is_empty());
}

/// Suppression by istio code reaches schema findings too, also on documents
/// meshctl could not read into its model.
#[test]
fn suppression_by_istio_code_covers_schema_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dr.yaml");
    fs::write(
        &file,
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: a\n  annotations:\n    galley.istio.io/analyze-suppress: IST0106\nspec:\n  host: a\n  subsets: [{name: v1, labls: {}, labels: {v: \"1\"}}]\n",
    )
    .unwrap();
    assert!(findings(&validate_json(&[file.to_str().unwrap()])).is_empty());
    let other = dir.path().join("other.yaml");
    fs::write(
        &other,
        fs::read_to_string(&file)
            .unwrap()
            .replace("IST0106", "IST0101"),
    )
    .unwrap();
    assert_eq!(
        findings(&validate_json(&[other.to_str().unwrap()])).len(),
        1,
        "other codes are not suppressed"
    );
}

#[test]
fn sarif_is_version_2_1_0_with_rules_and_regions() {
    let out = meshctl()
        .args([
            "validate",
            "--format",
            "sarif",
            "fixtures/invalid/reviews-typos.yaml",
        ])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() > 10);
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "MC0101")
        .expect("the misspelt field is a result");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][index]["id"],
        result["ruleId"]
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        15
    );
}

#[test]
fn github_annotations_carry_file_and_line() {
    meshctl()
        .args([
            "validate",
            "--format",
            "github",
            "fixtures/invalid/reviews-typos.yaml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "::error file=fixtures/invalid/reviews-typos.yaml,line=15,col=7",
        ));
}

#[test]
fn junit_reports_a_failing_testcase_per_file() {
    meshctl()
        .args([
            "validate",
            "--format",
            "junit",
            "fixtures/invalid/reviews-typos.yaml",
            "fixtures/simulate/reviews.yaml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("tests=\"2\" failures=\"1\""))
        .stdout(predicate::str::contains(
            "<failure message=\"4 finding(s)\"",
        ));
}

#[test]
fn human_output_points_at_the_token() {
    let out = meshctl()
        .args(["validate", "fixtures/invalid/reviews-typos.yaml"])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn schema_command_prints_a_self_contained_schema() {
    let out = meshctl()
        .args(["schema", "VirtualService"])
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        schema["$defs"]["duration"].is_object(),
        "shared defs merged in"
    );
    meshctl().args(["schema", "nope"]).assert().code(2);
}

#[test]
fn rules_command_explains_a_rule() {
    meshctl()
        .args(["rules", "MC1001"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("invalid-duration"))
        .stdout(predicate::str::contains("## Example"));
}

#[test]
fn a_baseline_lets_ci_fail_only_on_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("reviews.yaml");
    let original = fs::read_to_string("fixtures/invalid/reviews-typos.yaml").unwrap();
    fs::write(&manifest, &original).unwrap();
    let baseline = dir.path().join("baseline.json");
    let (m, b) = (manifest.to_str().unwrap(), baseline.to_str().unwrap());
    // Writing the baseline still reports (and fails on) today's findings.
    meshctl()
        .args(["validate", "--write-baseline", b, m])
        .assert()
        .code(1);
    meshctl()
        .args(["validate", "--baseline", b, m])
        .assert()
        .code(0);
    // Lines moving does not make an old finding new; a new finding fails.
    let edited = format!("# a comment that moves every line\n{original}").replace(
        "timeout: 500us",
        "timeout: 500us\n    retries: {attempts: -1}",
    );
    fs::write(&manifest, edited).unwrap();
    let report = validate_json(&["--baseline", b, m]);
    let codes: Vec<_> = findings(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, vec!["MC1108"]);
    assert_eq!(report["summary"]["errors"], 1);
    // A file that is not a baseline is an error naming the place (exit 2).
    fs::write(&baseline, "{\"version\": 1, \"findings\": 3}").unwrap();
    meshctl()
        .args(["validate", "--baseline", b, m])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("baseline.json:1:")
                .and(predicate::str::contains("not a meshctl baseline")),
        );
}

/// IST0109 among many VirtualServices: each message names three of the
/// others and counts the rest, so the report grows with the resources, not
/// with their pairs.
#[test]
fn conflicting_mesh_hosts_name_three_others_and_count_the_rest() {
    let docs: Vec<String> = (0..6)
        .map(|i| {
            format!(
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: reviews-{i}, namespace: shop}}\nspec:\n  hosts: [reviews]\n  http:\n  - route: [{{destination: {{host: reviews}}}}]\n"
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.yaml");
    std::fs::write(&file, docs.join("---\n")).unwrap();
    let report = validate_json(&[file.to_str().unwrap()]);
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "MC2101")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 6, "{messages:?}");
    assert_eq!(
        messages[0],
        "host reviews.shop.svc.cluster.local is also defined for sidecars by shop/reviews-1, shop/reviews-2, shop/reviews-3 and 2 more; sidecars use only the oldest of them"
    );
    assert!(messages[5].contains("by shop/reviews-0, shop/reviews-1, shop/reviews-2 and 2 more;"));
}

/// A selector that names no rule would turn every check off and let a CI
/// gate pass on anything: on the command line, as in `.meshctl.yaml`, it
/// stops the run with exit 2 and the rule it was probably meant to name.
#[test]
fn an_unknown_selector_on_the_command_line_is_a_usage_error() {
    for (flag, selector, hint) in [
        ("--select", "MC9999", None),
        ("--select", "nosuchrule", None),
        ("--ignore", "bogus", None),
        (
            "--ignore",
            "shadowed-rout",
            Some("did you mean `shadowed-route`?"),
        ),
        (
            "--select",
            "MC2601,invalid-duraton",
            Some("did you mean `invalid-duration`?"),
        ),
    ] {
        let output = meshctl()
            .args([
                "validate",
                "--no-config",
                flag,
                selector,
                "fixtures/bookinfo",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {selector}: {stderr}");
        assert!(stderr.contains("names no rule"), "{stderr}");
        if let Some(hint) = hint {
            assert!(stderr.contains(hint), "{stderr}");
        }
    }
    // Codes, names, code prefixes and Istio codes all name rules.
    meshctl()
        .args([
            "validate",
            "--no-config",
            "--select",
            "MC26,invalid-duration,IST0106",
            "fixtures/bookinfo",
        ])
        .assert()
        .code(0);
}

/// A folder without manifests is most likely a wrong path: exit 2 naming it,
/// unless `--allow-empty` says an empty folder is fine.
#[test]
fn an_empty_folder_is_an_error_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a manifest").unwrap();
    meshctl()
        .args(["validate"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no manifests found"));
    meshctl()
        .args(["validate", "--allow-empty"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("checked 0 files"));
}

/// A symlinked folder is walked like any other; a link back to a folder
/// being walked is a loop and is skipped, so the walk ends.
#[test]
fn symlinked_folders_are_followed_and_loops_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    let top = dir.path().join("top");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::create_dir_all(&top).unwrap();
    std::fs::copy("fixtures/shift/canary.yaml", real.join("canary.yaml")).unwrap();
    std::os::unix::fs::symlink(&real, top.join("linked")).unwrap();
    std::os::unix::fs::symlink(&top, top.join("loop")).unwrap();
    let report = validate_json(&[top.to_str().unwrap()]);
    assert_eq!(report["summary"]["files"], 1, "{report}");
    assert_eq!(report["summary"]["resources"], 2, "{report}");
}

/// Names, hosts and subsets with escape sequences, a bell and a newline,
/// as an attacker would write them.
const HOSTILE: &str = r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: "evil\e[2J", namespace: default}
spec:
  hosts: ["api\e[31m.example.com"]
  http:
  - route:
    - destination: {host: "nowhere\nerror[MC0000]: fake finding", subset: "v\e]0;title\a1"}
"#;

/// No report writes a control character from the input: terminals get no
/// escape sequence and no line of their own, JUnit stays well-formed XML,
/// JSON and SARIF stay parseable.
#[test]
fn hostile_values_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil.yaml");
    fs::write(&file, HOSTILE).unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = meshctl()
            .args(["validate", "-o", format])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains(['\u{1b}', '\u{7}']),
            "{format} writes a control character"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("error[MC0000]")),
            "{format} lets a value start a line"
        );
        match format {
            "json" | "sarif" => {
                serde_json::from_str::<serde_json::Value>(&text).expect("parseable JSON");
            }
            "junit" => {
                roxmltree::Document::parse(&text).expect("well-formed XML");
            }
            _ => {}
        }
    }
}

/// `route` prints the hostile host and destination with their control
/// characters escaped.
#[test]
fn hostile_values_are_escaped_in_route_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil.yaml");
    fs::write(&file, HOSTILE).unwrap();
    let out = meshctl()
        .arg("route")
        .arg(&file)
        .args(["--host", "api\u{1b}[31m.example.com"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\\u{1b}[31m"), "{text}");
    assert!(!text.contains(['\u{1b}', '\u{7}']), "{text}");
}

/// Documents of kinds meshctl does not check are counted in the summary
/// line and in the JSON summary, not only listed with `-v`: a folder of
/// AuthorizationPolicies must not look checked.
#[test]
fn skipped_kinds_are_said_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("mixed.yaml"),
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: default}\nspec: {}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: other}\nspec: {}\n---\nreplicas: 3\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80, name: http}]\n",
    )
    .unwrap();
    let out = meshctl().arg("validate").arg(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("checked 1 file, 1 resource: 0 errors, 0 warnings, 0 infos; skipped 3 documents of kinds meshctl does not check (no kind 1, security.istio.io/v1 AuthorizationPolicy 2)"),
        "{text}"
    );
    let report = validate_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        report["summary"]["skipped"],
        serde_json::json!({"": 1, "security.istio.io/v1 AuthorizationPolicy": 2})
    );
}
