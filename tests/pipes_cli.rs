//! Every command treats a closed standard output (`meshctl rules | head -1`)
//! as done: no panic, no exit 101, the exit code it would have had anyway.

use std::process::{Command, Stdio};

const COMMANDS: &[&[&str]] = &[
    &["rules"],
    &["rules", "MC1001"],
    &["schema", "virtualservice"],
    &["completions", "bash"],
    &["man"],
    &["validate", "fixtures/bookinfo"],
    &[
        "validate",
        "--format",
        "json",
        "fixtures/invalid/reviews-typos.yaml",
    ],
    &["route", "fixtures/bookinfo", "--host", "reviews.shop"],
    &[
        "route",
        "fixtures/bookinfo",
        "--host",
        "reviews.shop",
        "-o",
        "json",
    ],
    &[
        "simulate",
        "fixtures/simulate/reviews.yaml",
        "--requests",
        "200",
    ],
    &["test", "fixtures/route-tests/bookinfo.test.yaml"],
    &[
        "test",
        "fixtures/route-tests/bookinfo.test.yaml",
        "-o",
        "json",
    ],
    &["shift", "fixtures/shift/canary.yaml", "--step", "10"],
];

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let mut failures = Vec::new();
    for args in COMMANDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meshctl"))
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("meshctl starts");
        // Close the reading end before the command writes anything.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("meshctl ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        if !matches!(code, Some(0 | 1)) || stderr.contains("panicked") {
            failures.push(format!(
                "meshctl {}: exit {code:?}: {stderr}",
                args.join(" ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
