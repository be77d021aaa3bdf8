//! `cargo bench --bench route`: the commands that answer one question on a
//! whole repository, end to end (start-up included), on a generated
//! 1,000-resource repository of one file per service: `route` for one
//! request, `test` with 100 route tests, `shift --step` to stdout, `diff`
//! against a copy with one canary moved. Prints the
//! mean CPU time (user + system) of the child processes per run, read from
//! /proc (Linux).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;
use common::corpus;

const RUNS: u32 = 40;

/// CPU time of the finished children of this process so far, in ms
/// (fields 16 and 17 of /proc/self/stat, in clock ticks of 10 ms).
fn children_cpu_ms() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after_name = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields[i - 3].parse::<f64>().expect("number");
    (ticks(16) + ticks(17)) * 10.0
}

fn mean_cpu_ms(label: &str, args: &[&str]) {
    let bin = env!("CARGO_BIN_EXE_meshctl");
    let before = children_cpu_ms();
    for _ in 0..RUNS {
        let status = Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("meshctl runs");
        assert!(status.code().is_some_and(|c| c <= 1), "{label}: {status}");
    }
    let per_run = (children_cpu_ms() - before) / f64::from(RUNS);
    println!("{label:<40} {per_run:>6.1} ms CPU per run");
}

fn route_tests(dir: &Path, count: usize) -> String {
    let mut out = format!("manifests: [{}]\ntests:\n", dir.display());
    for i in 0..count {
        out.push_str(&format!(
            "- name: t{i}\n  request: {{host: svc-{i}.team-{ns}.svc.cluster.local, path: /api/items, headers: {{end-user: user-{i}}}}}\n  expect: {{subset: v1}}\n",
            ns = i % 50
        ));
    }
    out
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let repo = dir.path().join("repo");
    let files = corpus(334, 0);
    for (name, text) in &files {
        let path = repo.join(name);
        fs::create_dir_all(path.parent().expect("in a folder")).expect("folder");
        fs::write(path, text).expect("written");
    }
    let tests = dir.path().join("repo.test.yaml");
    fs::write(&tests, route_tests(&repo, 100)).expect("written");
    let repo = repo.to_str().expect("UTF-8 path");
    println!(
        "repository: {} files, {} resources",
        files.len(),
        files.len() * 3
    );
    mean_cpu_ms(
        "route (one request)",
        &["route", repo, "--host", "svc-7.team-7.svc.cluster.local"],
    );
    mean_cpu_ms(
        "test (100 route tests)",
        &["test", tests.to_str().expect("UTF-8")],
    );
    mean_cpu_ms(
        "shift --step 10 (to stdout)",
        &[
            "shift",
            repo,
            "--virtual-service",
            "team-7/svc-7",
            "--route",
            "canary",
            "--step",
            "10",
        ],
    );
    mean_cpu_ms("validate", &["validate", repo]);
    // diff: the same repository with one canary moved from 90/10 to 80/20.
    let moved = dir.path().join("moved");
    for (name, text) in &files {
        let path = moved.join(name);
        fs::create_dir_all(path.parent().expect("in a folder")).expect("folder");
        let text = if name == "gen/svc-7.yaml" {
            text.replace("weight: 90", "weight: 80")
                .replace("weight: 10", "weight: 20")
        } else {
            text.clone()
        };
        fs::write(path, text).expect("written");
    }
    mean_cpu_ms(
        "diff (one canary moved)",
        &["diff", repo, moved.to_str().expect("UTF-8")],
    );
}
