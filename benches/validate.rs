//! `cargo bench --bench validate`: validate end to end on a generated corpus
//! (≥ 10,000 resources, ≥ 10 MB), next to the raw event rate of the YAML
//! parser on the same bytes. Single-threaded; prints MB/s and resources/s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use meshctl::load::Loaded;
use meshctl::validate::{Options, run};
use saphyr_parser::Parser;

/// The allocator the binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One file's worth of documents: a VirtualService with a canary split and
/// header routes, a DestinationRule with subsets and policies, a Service.
fn service_docs(i: usize) -> String {
    format!(
        r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc-{i}
  namespace: team-{ns}
  labels: {{app: svc-{i}, tier: backend}}
spec:
  hosts:
  - svc-{i}
  - svc-{i}.example.com
  gateways: [mesh, istio-system/public]
  http:
  - name: beta-users
    match:
    - headers:
        end-user: {{exact: "user-{i}"}}
        x-canary: {{regex: "^(true|yes)$"}}
      uri: {{prefix: /api/v2}}
    route:
    - destination: {{host: svc-{i}, subset: v2, port: {{number: 8080}}}}
    timeout: 2s
    retries: {{attempts: 3, perTryTimeout: 500ms, retryOn: "gateway-error,connect-failure,refused-stream"}}
  - name: canary
    match:
    - uri: {{prefix: /api}}
    route:
    - destination: {{host: svc-{i}, subset: v1}}
      weight: 90
    - destination: {{host: svc-{i}, subset: v2}}
      weight: 10
    fault:
      delay: {{fixedDelay: 100ms, percentage: {{value: 0.5}}}}
  - route:
    - destination: {{host: svc-{i}, subset: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc-{i}
  namespace: team-{ns}
spec:
  host: svc-{i}
  trafficPolicy:
    loadBalancer: {{simple: LEAST_REQUEST}}
    connectionPool:
      tcp: {{maxConnections: 100, connectTimeout: 250ms}}
      http: {{http1MaxPendingRequests: 50, http2MaxRequests: 200, maxRetries: 3}}
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
  - name: v1
    labels: {{version: v1}}
  - name: v2
    labels: {{version: v2}}
    trafficPolicy:
      loadBalancer: {{simple: ROUND_ROBIN}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: team-{ns}
spec:
  selector: {{app: svc-{i}}}
  ports:
  - name: http
    port: 8080
    targetPort: 8080
"#,
        ns = i % 50
    )
}

fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut bytes = 0;
    let mut i = 0;
    while i < 3400 || bytes < 10 << 20 {
        let text = service_docs(i);
        bytes += text.len();
        files.push((format!("gen/svc-{i}.yaml"), text));
        i += 1;
    }
    files
}

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
    let files = corpus();
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
