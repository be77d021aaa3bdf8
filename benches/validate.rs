//! `cargo bench --bench validate`: validate end to end on a generated corpus
//! (≥ 10,000 resources, ≥ 10 MB), next to the raw event rate of the YAML
//! parser on the same bytes. Single-threaded; prints MB/s and resources/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use meshctl::load::Loaded;
use meshctl::validate::{Options, run};
use saphyr_parser::Parser;

mod common;
use common::corpus;

/// The allocator the binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Best of `runs` timings.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn main() {
    let files = corpus(3400, 10 << 20);
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mb = bytes as f64 / 1e6;

    let parse = best(5, || {
        for (_, text) in &files {
            for event in Parser::new_from_str(text) {
                black_box(event.expect("generated YAML parses"));
            }
        }
    });

    let mut resources = 0;
    let mut diagnostics = 0;
    let validate = best(5, || {
        let mut loaded = Loaded::default();
        for (name, text) in &files {
            loaded.add_bytes(name.clone(), text.as_bytes().to_vec());
        }
        let outcome = run(
            loaded,
            &Options {
                default_namespace: "default".into(),
                ..Options::default()
            },
        );
        resources = outcome.summary.resources;
        diagnostics = outcome.diagnostics.len();
    });

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "corpus: {} files, {resources} resources, {mb:.1} MB ({diagnostics} findings)",
        files.len()
    );
    println!(
        "saphyr-parser events: {:>8.1} MB/s  ({:.0} ms)",
        rate(parse),
        parse.as_secs_f64() * 1e3
    );
    println!(
        "meshctl validate:     {:>8.1} MB/s  ({:.0} ms, {:.0} resources/s)",
        rate(validate),
        validate.as_secs_f64() * 1e3,
        resources as f64 / validate.as_secs_f64()
    );
    println!(
        "end to end / raw parse: {:.0}%",
        100.0 * parse.as_secs_f64() / validate.as_secs_f64()
    );
}
