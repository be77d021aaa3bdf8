//! `meshctl shift` through the real binary: golden files prove that only the
//! weights change (comments, flow style, CRLF, anchors, other documents and
//! quoted values kept byte for byte), and the safety checks refuse without
//! writing.

mod common;

use std::fs;

use common::{json_of, meshctl, schema_errors};
use predicates::prelude::*;

/// (input, the route's name, args, expected output)
const GOLDEN: &[(&str, &str, &[&str], &str)] = &[
    (
        "canary.yaml",
        "reviews",
        &["--step", "15"],
        "canary.step15.yaml",
    ),
    (
        "flow.yaml",
        "shop/ratings",
        &["--schedule", "argo", "--set-weights", "25,50,75"],
        "flow.argo.yaml",
    ),
    (
        "crlf-blue-green.yaml",
        "web",
        &["--switch"],
        "crlf-blue-green.switch.yaml",
    ),
    (
        "missing-weight.yaml",
        "details",
        &["--route", "0", "--step", "10"],
        "missing-weight.route0.yaml",
    ),
    (
        "missing-weight.yaml",
        "details",
        &["--route", "flow", "--promote"],
        "missing-weight.flow.yaml",
    ),
    (
        "anchors.yaml",
        "cart",
        &["--rollback"],
        "anchors.rollback.yaml",
    ),
    // Gateway API: backendRefs weights.
    (
        "httproute.yaml",
        "reviews",
        &["--steps", "25,50,100"],
        "httproute.steps.yaml",
    ),
];

/// Runs `shift PATH ARGS` and compares its output with `expected`.
fn assert_golden(path: &std::path::Path, args: &[&str], expected: &str) {
    let output = meshctl()
        .arg("shift")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} {args:?}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let want = fs::read(format!("fixtures/shift/expected/{expected}")).unwrap();
    assert!(
        output.stdout == want,
        "{} {args:?} differs from expected/{expected}",
        path.display()
    );
}

#[test]
fn only_the_weights_change() {
    for (input, _, args, expected) in GOLDEN {
        assert_golden(
            std::path::Path::new(&format!("fixtures/shift/{input}")),
            args,
            expected,
        );
    }
}

/// A route named with --virtual-service is found by reading only the files
/// that mention it and what it reaches: the same edit as on the whole
/// input, and a YAML error in a file about another host does not stop it.
#[test]
fn a_named_route_is_shifted_without_reading_unrelated_files() {
    for (input, name, args, expected) in GOLDEN {
        let dir = tempfile::tempdir().unwrap();
        fs::copy(format!("fixtures/shift/{input}"), dir.path().join(input)).unwrap();
        fs::write(
            dir.path().join("zz-other.yaml"),
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: other\nspec:\n  hosts: [other]\n  http: [ {route: ]\n",
        )
        .unwrap();
        let named = [&["--virtual-service", name][..], args].concat();
        assert_golden(dir.path(), &named, expected);
    }
}

#[test]
fn in_place_rewrites_atomically_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("canary.yaml");
    fs::copy("fixtures/shift/canary.yaml", &file).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    meshctl()
        .args([
            "shift",
            file.to_str().unwrap(),
            "--step",
            "15",
            "--in-place",
        ])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("v1 90 / v2 10 → v1 75 / v2 25"));
    assert_eq!(
        fs::read(&file).unwrap(),
        fs::read("fixtures/shift/expected/canary.step15.yaml").unwrap()
    );
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // Only the file remains in the folder: the temporary file was renamed.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn the_diff_shows_the_two_weight_lines() {
    meshctl()
        .args([
            "shift",
            "fixtures/shift/canary.yaml",
            "--step",
            "15",
            "--diff",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "-      weight: 90\n+      weight: 75\n",
        ))
        .stdout(predicate::str::contains(
            "-      weight: 10\n+      weight: 25\n",
        ));
}

/// §6.20: a subset the DestinationRule does not define is a 503 NC.
#[test]
fn a_step_to_an_undefined_subset_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("canary.yaml");
    let text = fs::read_to_string("fixtures/shift/canary.yaml")
        .unwrap()
        .replace("  - name: v2\n    labels: {version: v2}\n", "");
    fs::write(&file, &text).unwrap();
    meshctl()
        .args([
            "shift",
            file.to_str().unwrap(),
            "--step",
            "10",
            "--in-place",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "refused: a caller in namespace shop uses DestinationRule shop/reviews for reviews.shop.svc.cluster.local, which does not define subset `v2`",
        ));
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn the_slo_gate_simulates_the_step_first() {
    let gate = ["--gate", "fixtures/shift/v2-errors.scenario.yaml"];
    // v2 fails 20% of requests: 75/25 leaves about 95% success.
    meshctl()
        .args(["shift", "fixtures/shift/canary.yaml", "--step", "15"])
        .args(gate)
        .args(["--slo", "success>=97%"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "refused: the simulated step fails success>=97%",
        ));
    meshctl()
        .args(["shift", "fixtures/shift/canary.yaml", "--step", "15"])
        .args(gate)
        .args(["--slo", "success>=93%"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("weight: 75"));
}

/// The gate judges each SLO at 95 % confidence: v2 fails 20 % of its
/// requests, so `v2: success >= 80%` cannot be told apart from the threshold
/// and is inconclusive, which refuses the step as a failure would.
#[test]
fn an_inconclusive_gate_slo_refuses_the_step() {
    meshctl()
        .args(["shift", "fixtures/shift/canary.yaml", "--step", "15"])
        .args(["--gate", "fixtures/shift/v2-errors.scenario.yaml"])
        .args(["--slo", "v2: success >= 80%"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("INCONCLUSIVE (fails the gate)"))
        .stderr(predicate::str::contains("nothing written"));
}

/// `shift --plan` of a Flagger schedule (stepWeight 20, maxWeight 50, 2m
/// per step) from the 80/20 of fixtures/shift/flow.yaml.
const FLAGGER_PLAN: &[&str] = &[
    "shift",
    "fixtures/shift/flow.yaml",
    "--schedule",
    "flagger",
    "--step-weight",
    "20",
    "--max-weight",
    "50",
    "--plan",
    "--interval",
    "2m",
];

/// Flagger's documented schedule: stepWeight 20 with maxWeight 50 runs 20, 40,
/// 60 (overshooting maxWeight), then promotes.
#[test]
fn plan_prints_the_flagger_schedule_and_the_time_to_promotion() {
    meshctl()
        .args(FLAGGER_PLAN)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("v1 80 / v2 20 now"))
        .stdout(predicate::str::is_match(r"│ 1 +60 +40 +\+0s").unwrap())
        .stdout(predicate::str::is_match(r"│ 2 +40 +60 +\+2m").unwrap())
        .stdout(predicate::str::is_match(r"│ 3 +0 +100 +\+4m").unwrap())
        .stdout(predicate::str::contains(
            "3 step(s): all traffic on `v2` after 4m (2m per step)",
        ));
}

/// `--plan -o json` carries the same schedule, a version and follows
/// schemas/output/shift-plan.json, with or without `--interval`.
#[test]
fn plan_as_json_follows_its_published_schema() {
    let schema = include_str!("../schemas/output/shift-plan.json");
    let plan = json_of(&[FLAGGER_PLAN, &["-o", "json"]].concat());
    assert_eq!(schema_errors(schema, &plan), Vec::<String>::new(), "{plan}");
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["current"], serde_json::json!([80, 20]));
    let steps: Vec<_> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["weights"].clone(), s["applied_at"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (serde_json::json!([60, 40]), serde_json::json!("0s")),
            (serde_json::json!([40, 60]), serde_json::json!("2m")),
            (serde_json::json!([0, 100]), serde_json::json!("4m")),
        ]
    );
    assert_eq!(plan["last"], "v2");
    assert_eq!(plan["duration"], "4m");
    let untimed = json_of(&[
        "shift",
        "fixtures/shift/flow.yaml",
        "--set-weights",
        "80",
        "--schedule",
        "argo",
        "--plan",
        "-o",
        "json",
    ]);
    assert_eq!(
        schema_errors(schema, &untimed),
        Vec::<String>::new(),
        "{untimed}"
    );
    assert!(untimed["steps"][0].get("applied_at").is_none(), "{untimed}");
    assert!(untimed.get("duration").is_none(), "{untimed}");
}

#[test]
fn unclear_or_impossible_requests_exit_two_with_the_reason() {
    for (args, reason) in [
        (
            &["fixtures/shift/missing-weight.yaml", "--step", "10"][..],
            "several routes could be shifted",
        ),
        (
            &["fixtures/shift/canary.yaml", "--step", "10", "--to", "v3"],
            "no route has a destination `v3`",
        ),
        (
            &["fixtures/shift/canary.yaml", "--switch"],
            "--switch flips a blue/green route",
        ),
        (
            &["fixtures/shift/canary.yaml", "--schedule", "argo"],
            "--schedule argo takes --set-weights",
        ),
        (&["fixtures/shift/canary.yaml"], "required"),
    ] {
        meshctl()
            .arg("shift")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(reason));
    }
}

#[test]
fn nothing_to_do_prints_the_file_unchanged() {
    meshctl()
        .args(["shift", "fixtures/shift/crlf-blue-green.yaml", "--rollback"])
        .assert()
        .code(0)
        .stdout(fs::read_to_string("fixtures/shift/crlf-blue-green.yaml").unwrap())
        .stderr(predicate::str::contains("nothing to do"));
}

/// `shift --in-place FILE` in a fresh folder: (folder, file path).
fn scratch_canary() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("canary.yaml");
    fs::copy("fixtures/shift/canary.yaml", &file).unwrap();
    (dir, file)
}

fn shift_in_place(path: &std::path::Path) -> assert_cmd::assert::Assert {
    meshctl()
        .args([
            "shift",
            path.to_str().unwrap(),
            "--step",
            "15",
            "--in-place",
        ])
        .assert()
}

/// A symlink is followed: its target gets the new weights, the link stays.
#[test]
fn in_place_through_a_symlink_edits_its_target() {
    let (dir, file) = scratch_canary();
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    shift_in_place(&link).code(0);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read(&file).unwrap(),
        fs::read("fixtures/shift/expected/canary.step15.yaml").unwrap()
    );
}

/// A rename would leave another hard link with the old weights: refused,
/// nothing written, with the way to keep the links.
#[test]
fn in_place_refuses_a_file_with_other_hard_links() {
    let (dir, file) = scratch_canary();
    let other = dir.path().join("other.yaml");
    fs::hard_link(&file, &other).unwrap();
    let before = fs::read(&file).unwrap();
    shift_in_place(&file)
        .code(2)
        .stderr(predicate::str::contains("has 2 hard links"))
        .stderr(predicate::str::contains("nothing written"));
    assert_eq!(fs::read(&file).unwrap(), before);
    assert_eq!(fs::read(&other).unwrap(), before);
}

/// A read-only file is not rewritten, even by a user who could.
#[test]
fn in_place_refuses_a_read_only_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, file) = scratch_canary();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&file).unwrap();
    shift_in_place(&file)
        .code(2)
        .stderr(predicate::str::contains("is read-only; nothing written"));
    assert_eq!(fs::read(&file).unwrap(), before);
}

/// Owner and group stay those of the file (checked where the test may give
/// the file away, that is as root).
#[test]
fn in_place_keeps_owner_and_group() {
    use std::os::unix::fs::MetadataExt;
    let (_dir, file) = scratch_canary();
    let me = fs::metadata(&file).unwrap();
    let (uid, gid) = if me.uid() == 0 {
        std::os::unix::fs::chown(&file, Some(4242), Some(4343)).unwrap();
        (4242, 4343)
    } else {
        (me.uid(), me.gid())
    };
    shift_in_place(&file).code(0);
    let after = fs::metadata(&file).unwrap();
    assert_eq!((after.uid(), after.gid()), (uid, gid));
}
