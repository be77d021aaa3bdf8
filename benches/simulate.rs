//! `cargo bench --bench simulate`: the engine on the scenario.md example, on
//! a 1,000,000-request canary with retries, timeouts, a breaker and outlier
//! detection, on 1,000,000 requests through a three-hop call graph, and on
//! the embedded default scenario over a generated mesh of 3,400 services
//! (every routed host, thousands of destinations). Single-threaded; prints requests/s, hops/s (tries that reached an
//! endpoint, at any hop), events/s and the process's peak memory.

use std::hint::black_box;
use std::time::Instant;

use meshctl::load::{self, Input, Loaded};
use meshctl::mesh::Mesh;
use meshctl::route::RoutingTable;
use meshctl::sim::{self, Overrides, scenario};
use meshctl::validate::{Options, run};

mod common;

/// The allocator the binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Peak resident set size of this process, from /proc (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs `scenario_path` (the embedded default scenario when `None`) on the
/// manifests `loaded`, best of `runs`, and prints the rates.
fn bench(
    label: &str,
    loaded: Loaded,
    scenario_path: Option<&str>,
    overrides: Overrides,
    runs: usize,
) {
    let outcome = run(loaded, &Options::default());
    let mesh = Mesh::build(&outcome.config);
    let table = RoutingTable::build(&mesh);
    let scenario = match scenario_path {
        Some(path) => scenario::read(path).expect("scenario parses").scenario,
        None => scenario::default_scenario(&outcome.config, |g| table.entry_for(g).is_ok()),
    };
    let started = Instant::now();
    let model = sim::build(&scenario, &table, &overrides).expect("model builds");
    let build = started.elapsed();
    let mut best = f64::MAX;
    let mut result = None;
    for _ in 0..runs {
        let started = Instant::now();
        let r = sim::run(black_box(&model), &mut |_| {});
        best = best.min(started.elapsed().as_secs_f64());
        result = Some(r);
    }
    let r = result.expect("at least one run");
    // Every try that reached an endpoint, at any hop.
    let hops: u64 = r.services.iter().map(|s| s.requests_received).sum();
    println!(
        "{label}: {} requests to {} destinations, {hops} hops, {} events, best of {runs}: {:.3} s → {:.2} M requests/s, {:.2} M hops/s, {:.2} M events/s (model built in {:.1} ms)",
        r.requests,
        r.destinations.len(),
        r.events,
        best,
        r.requests as f64 / best / 1e6,
        hops as f64 / best / 1e6,
        r.events as f64 / best / 1e6,
        build.as_secs_f64() * 1e3
    );
}

/// The manifests at `path` (a file or a directory).
fn fixtures(path: &str) -> Loaded {
    load::load(&[Input::parse(path)]).expect("fixtures load")
}

fn main() {
    let requests = std::env::var("MESHCTL_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok());
    bench(
        "scenario.md example (120 s at 800/s, 4 proxies)",
        fixtures("fixtures/simulate"),
        Some("fixtures/scenarios/reviews-canary.yaml"),
        Overrides::default(),
        5,
    );
    bench(
        "canary with retries, timeouts, breaker, outlier detection",
        fixtures("fixtures/bench/canary.yaml"),
        Some("fixtures/bench/canary.scenario.yaml"),
        Overrides {
            requests,
            ..Overrides::default()
        },
        if requests.is_some() { 1 } else { 5 },
    );
    bench(
        "call graph: gateway -> web -> mid -> leaf, retries and timeouts at each hop",
        fixtures("fixtures/callgraph/mesh"),
        Some("fixtures/callgraph/scenarios/three-hops.yaml"),
        Overrides {
            requests,
            ..Overrides::default()
        },
        if requests.is_some() { 1 } else { 3 },
    );
    // Every routed host from every entry point of 3,400 generated services:
    // the cost of a run must follow its requests and the mesh's size, not
    // their product.
    let mut generated = Loaded::default();
    for (name, text) in common::corpus(3400, 0) {
        generated.add_bytes(name, text.into_bytes());
    }
    bench(
        "default scenario over 3,400 generated services",
        generated,
        None,
        Overrides {
            requests: Some(requests.unwrap_or(100_000)),
            ..Overrides::default()
        },
        1,
    );
    if let Some(mb) = peak_rss_mb() {
        println!("peak memory (whole process): {mb:.1} MB");
    }
}
