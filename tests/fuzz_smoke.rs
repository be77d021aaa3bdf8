//! A bounded smoke run of every fuzz target (fuzz/fuzz_targets): each seed
//! of fuzz/corpus/TARGET, then the same seeds mutated the way a fuzzer
//! would (bytes flipped, cut, lines repeated, YAML tokens and control
//! characters inserted), from a fixed seed so every run tries the same
//! inputs. The entry points check what their command promises; a broken
//! promise or a panic here is a bug the fuzzer would have found.

use std::path::Path;

use meshctl::cli::fuzz;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// Mutated inputs tried per seed.
const MUTATIONS: usize = 12;

/// Fragments a fuzzer's dictionary would hold for YAML and meshctl's values.
const TOKENS: &[&str] = &[
    "*",
    "&a ",
    "*a",
    "<<: *a\n",
    "---\n",
    "...\n",
    "\t",
    "\u{1b}[2J",
    "\u{0}",
    "\u{85}",
    "\r",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "\"",
    "'",
    "\n  ",
    "~",
    "0x1F",
    "1e999",
    "-1",
    "0755",
    "on",
    "99999999999999999999",
    ".nan",
    "!!binary ",
    "? ",
    "%YAML 1.1\n",
    "weight: ",
    "subset: ",
    "host: '*'",
    "1h",
    "0.5s",
    "500ms",
    "prefix: /",
    "regex: '(a+)+'",
    "{{",
    "é",
    "☕",
];

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{} has no seeds", dir.display());
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// One fuzzer-style change to `input`; `other` is a second seed to splice from.
fn mutate(rng: &mut Pcg64, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let at = |rng: &mut Pcg64, len: usize| rng.random_range(0..=len);
    match rng.random_range(0..6) {
        0 if !out.is_empty() => {
            let i = rng.random_range(0..out.len());
            out[i] = rng.random();
        }
        1 => out.truncate(at(rng, input.len())),
        2 => {
            let start = at(rng, out.len());
            let end = (start + rng.random_range(0..64)).min(out.len());
            out.drain(start..end);
        }
        3 => {
            let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
            let line = lines[rng.random_range(0..lines.len())];
            let i = at(rng, out.len());
            out.splice(i..i, line.iter().copied().chain([b'\n']));
        }
        4 => {
            let start = at(rng, other.len());
            let end = (start + rng.random_range(0..200)).min(other.len());
            let i = at(rng, out.len());
            out.splice(i..i, other[start..end].iter().copied());
        }
        _ => {
            let token = TOKENS[rng.random_range(0..TOKENS.len())];
            let i = at(rng, out.len());
            out.splice(i..i, token.bytes());
        }
    }
    out
}

fn smoke(target: &str, entry: fn(&[u8]) -> fuzz::Promise) {
    let seeds = seeds(target);
    for (i, seed) in seeds.iter().enumerate() {
        if let Err(broken) = entry(seed) {
            panic!("fuzz target `{target}`, seed #{i}: {broken}");
        }
    }
    let mut rng = Pcg64::seed_from_u64(0x6d65_7368);
    for (i, seed) in seeds.iter().enumerate() {
        let other = &seeds[(i + 1) % seeds.len()];
        let mut input = seed.clone();
        for _ in 0..MUTATIONS {
            input = mutate(&mut rng, &input, other);
            let broken = match std::panic::catch_unwind(|| entry(&input)) {
                Ok(Ok(())) => continue,
                Ok(Err(broken)) => broken,
                Err(_) => "panicked".to_string(),
            };
            panic!(
                "fuzz target `{target}` failed on a mutation of seed #{i} ({broken}):\n{}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

#[test]
fn validate_target() {
    smoke("validate", fuzz::validate);
}

#[test]
fn scenario_target() {
    smoke("scenario", fuzz::scenario);
}

#[test]
fn route_tests_target() {
    smoke("route_tests", fuzz::route_tests);
}

#[test]
fn settings_target() {
    smoke("settings", fuzz::settings);
}

#[test]
fn baseline_target() {
    smoke("baseline", fuzz::baseline);
}

#[test]
fn shift_target() {
    smoke("shift", fuzz::shift);
}
