//! The generated files kept in the repository (shell completions in
//! completions/, man pages in man/) must match what the binary prints now.

mod common;

use std::fs;

use common::meshctl;

fn printed(args: &[&str]) -> Vec<u8> {
    let out = meshctl().args(args).output().expect("runs");
    assert!(out.status.success(), "meshctl {args:?} failed");
    out.stdout
}

fn check(file: &str, args: &[&str], stale: &mut Vec<String>) {
    let now = printed(args);
    if fs::read(file).ok().as_deref() != Some(now.as_slice()) {
        stale.push(format!("meshctl {} > {file}", args.join(" ")));
    }
}

#[test]
fn completions_and_man_pages_are_current() {
    let mut stale = Vec::new();
    for (shell, file) in [
        ("bash", "completions/meshctl.bash"),
        ("zsh", "completions/_meshctl"),
        ("fish", "completions/meshctl.fish"),
        ("powershell", "completions/_meshctl.ps1"),
        ("elvish", "completions/meshctl.elv"),
    ] {
        check(file, &["completions", shell], &mut stale);
    }
    check("man/meshctl.1", &["man"], &mut stale);
    let help = String::from_utf8(printed(&["--help"])).unwrap();
    let commands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .split("Options:")
        .next()
        .unwrap_or_default()
        .lines()
        // Command names sit two spaces in; wrapped descriptions go deeper.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .collect();
    assert!(commands.contains(&"shift"), "{commands:?}");
    for c in &commands {
        check(&format!("man/meshctl-{c}.1"), &["man", c], &mut stale);
    }
    assert!(
        stale.is_empty(),
        "stale generated files; regenerate with:\n{}",
        stale.join("\n")
    );
}
