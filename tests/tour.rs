//! The tour (examples/tour/README.md) is executable documentation: every
//! `$ meshctl ...` line in its console blocks runs here against the real
//! binary, and its output must be the text that follows it. A trailing
//! `2>&1` appends standard error. The route test files of the tour pass too.

mod common;

use std::fs;

use common::meshctl;

const TOUR: &str = "examples/tour/README.md";

/// (command, expected output) for each `$ ` line of the console blocks.
fn transcripts(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        match line {
            "```console" => in_block = true,
            "```" => in_block = false,
            _ if in_block => match line.strip_prefix("$ ") {
                Some(command) => out.push((command.to_string(), String::new())),
                None => {
                    let (_, expected) = out.last_mut().expect("output follows a command");
                    expected.push_str(line);
                    expected.push('\n');
                }
            },
            _ => {}
        }
    }
    out
}

fn run(command: &str) -> String {
    let (command, with_stderr) = match command.strip_suffix(" 2>&1") {
        Some(c) => (c, true),
        None => (command, false),
    };
    let words = shell_words::split(command).expect("shell words");
    assert_eq!(words[0], "meshctl", "{command}");
    let out = meshctl().args(&words[1..]).output().expect("runs");
    let mut text = String::from_utf8(out.stdout).expect("UTF-8");
    if with_stderr {
        text.push_str(&String::from_utf8(out.stderr).expect("UTF-8"));
    }
    text
}

#[test]
fn every_command_of_the_tour_prints_what_the_tour_shows() {
    let text = fs::read_to_string(TOUR).unwrap();
    let transcripts = transcripts(&text);
    assert!(transcripts.len() >= 10, "the tour has its commands");
    let stale: Vec<String> = transcripts
        .iter()
        .filter(|(command, expected)| run(command) != *expected)
        .map(|(command, _)| command.clone())
        .collect();
    assert!(
        stale.is_empty(),
        "{TOUR} no longer shows the real output of:\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_route_test_file_of_the_tour_passes() {
    let mut files: Vec<_> = fs::read_dir("examples/tour")
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("routes.test.yaml"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert_eq!(files.len(), 6);
    for f in files {
        meshctl().arg("test").arg(&f).assert().code(0);
    }
}
