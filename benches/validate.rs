//! `cargo bench --bench validate`: validate end to end on a generated corpus
//! (≥ 10,000 resources, ≥ 10 MB), next to the raw event rate of the YAML
//! parser on the same bytes; prints MB/s and resources/s. Then the shapes
//! that used to take quadratic time: one VirtualService with 100,000 prefix
//! routes, with 2,000 regex routes (distinct literal prefixes, and one shared
//! prefix), and the corpus doubled (the time should at most double).

use std::hint::black_box;
use std::time::{Duration, Instant};

use meshctl::load::Loaded;
use meshctl::report;
use meshctl::report::terminal::Style;
use meshctl::validate::{Options, Outcome, run};
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

    let mut counts = (0, 0);
    let validate = best(5, || {
        counts = validate_files(&files);
    });
    let (resources, diagnostics) = counts;

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

    // A second copy with its own namespaces and hosts: twice the input,
    // and no more findings per resource.
    let doubled: Vec<(String, String)> = files
        .iter()
        .cloned()
        .chain(files.iter().map(|(name, text)| {
            let copy = text
                .replace("team-", "copy-team-")
                .replace("svc-", "copy-svc-");
            (format!("copy/{name}"), copy)
        }))
        .collect();
    let twice = best(3, || {
        validate_files(&doubled);
    });
    println!(
        "doubled corpus:       {:>8.0} ms  ({:.2}x the time for 2x the input)",
        twice.as_secs_f64() * 1e3,
        twice.as_secs_f64() / validate.as_secs_f64()
    );

    // Every finding drawn with its snippet, from one file holding the whole
    // corpus with a subset no DestinationRule defines in each route: each
    // snippet must cost its own lines, not the file's.
    let joined = [(
        "corpus.yaml".to_string(),
        files
            .iter()
            .map(|(_, t)| t.replace("subset: v2", "subset: v9"))
            .collect::<Vec<_>>()
            .join("\n---\n"),
    )];
    let outcome = outcome_of(&joined);
    let human = best(3, || {
        black_box(report::human::render(
            &outcome.diagnostics,
            &outcome.sources,
            &outcome.summary,
            Style::default(),
        ));
    });
    println!(
        "human report, {} findings in one {mb:.1} MB file: {:>6.0} ms",
        outcome.diagnostics.len(),
        human.as_secs_f64() * 1e3
    );

    for (shape, routes) in [
        ("prefix routes", 100_000),
        ("regex routes, distinct prefixes", 2_000),
        ("regex routes, one shared prefix", 2_000),
    ] {
        let text = one_virtual_service(shape, routes);
        let file = [(format!("{routes}.yaml"), text)];
        let took = best(3, || {
            validate_files(&file);
        });
        println!(
            "1 VirtualService, {routes} {shape}: {:>6.0} ms",
            took.as_secs_f64() * 1e3
        );
    }
}

/// Runs validate on `(name, text)` files; returns the numbers of resources
/// and findings.
fn validate_files(files: &[(String, String)]) -> (usize, usize) {
    let outcome = outcome_of(files);
    black_box((outcome.summary.resources, outcome.diagnostics.len()))
}

/// validate's outcome on `(name, text)` files.
fn outcome_of(files: &[(String, String)]) -> Outcome {
    let mut loaded = Loaded::default();
    for (name, text) in files {
        loaded.add_bytes(name.clone(), text.as_bytes().to_vec());
    }
    run(
        loaded,
        &Options {
            default_namespace: "default".into(),
            ..Options::default()
        },
    )
}

/// One VirtualService with `routes` routes of a shape, then a catch-all.
fn one_virtual_service(shape: &str, routes: usize) -> String {
    let mut text = String::from(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: big, namespace: default}\nspec:\n  hosts: [big.example.com]\n  http:\n",
    );
    for i in 0..routes {
        let uri = match shape {
            "prefix routes" => format!("{{prefix: /api/r{i}/}}"),
            "regex routes, distinct prefixes" => {
                format!("{{regex: '^/api/r{i}/v[0-9]+/items/[a-z0-9-]+$'}}")
            }
            _ => format!("{{regex: '^/api/v[0-9]+/r{i}/[a-z0-9-]+$'}}"),
        };
        text.push_str(&format!(
            "  - match: [{{uri: {uri}}}]\n    route: [{{destination: {{host: svc{}}}}}]\n",
            i % 50
        ));
    }
    text.push_str("  - route: [{destination: {host: default}}]\n");
    text
}
