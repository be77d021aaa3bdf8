//! Streaming metrics of a run (memory independent of the request count) and
//! the plain result structure `report` renders.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::flags::{Flags, NAMES};
use super::latency::MAX_NANOS;
use super::model::Model;

const NANOS_PER_SECOND: u64 = 1_000_000_000;
/// Attempts histogram buckets: 1..=MAX_TRIES tries, the last collecting more.
const MAX_TRIES: usize = 16;
/// Ejection events kept in the result (the count is always exact).
const MAX_EJECTION_EVENTS: usize = 200;
/// The per-second series is merged into at most this many points.
const MAX_SERIES_POINTS: usize = 600;
/// Buckets kept while running; past this, neighbours merge and the bucket
/// width doubles, so memory stays flat however long the simulated time.
const MAX_BUCKETS: usize = 2 * MAX_SERIES_POINTS;

/// Counters of one cluster.
#[derive(Debug, Clone, Default)]
struct ClusterCounters {
    requests: u64,
    tries: u64,
    successes: u64,
    mirror_tries: u64,
    mirror_errors: u64,
}

/// One bucket of simulated time, by completion time: a second, wider on
/// long runs.
#[derive(Debug, Clone, Default)]
struct Second {
    completed: u64,
    errors: u64,
    latency_sum_ns: u128,
    ejections: u64,
    /// Requests per cluster, routed in this second.
    routed: Vec<u64>,
}

impl Second {
    /// Adds `other`'s counts to these.
    fn absorb(&mut self, other: &Second) {
        self.completed += other.completed;
        self.errors += other.errors;
        self.latency_sum_ns += other.latency_sum_ns;
        self.ejections += other.ejections;
        for (mine, theirs) in self.routed.iter_mut().zip(&other.routed) {
            *mine += theirs;
        }
    }
}

/// An ejection as it happened.
#[derive(Debug, Clone, Serialize)]
pub struct Ejection {
    pub at_s: f64,
    pub client: u32,
    pub cluster: String,
    pub endpoint: String,
}

/// The metrics being collected.
pub struct Stats {
    requests: u64,
    successes: u64,
    status: BTreeMap<u16, u64>,
    flags: [u64; NAMES.len()],
    latency: Histogram<u64>,
    latency_sum_ns: u128,
    tries: [u64; MAX_TRIES + 1],
    /// Tries of every request, exact (the histogram's last bucket is not).
    tries_sum: u64,
    clusters: Vec<ClusterCounters>,
    no_cluster: BTreeMap<String, u64>,
    local: u64,
    ejections: u64,
    ejection_events: Vec<Ejection>,
    series: Vec<Second>,
    /// Seconds per bucket of `series`, a power of two.
    bucket_seconds: u64,
    events: u64,
    end: u64,
}

/// Whether a final status counts as a success: 1xx-3xx.
pub fn is_success(status: u16) -> bool {
    status < 400
}

impl Stats {
    pub fn new(clusters: usize) -> Stats {
        Stats {
            requests: 0,
            successes: 0,
            status: BTreeMap::new(),
            flags: [0; NAMES.len()],
            latency: Histogram::new_with_bounds(1, MAX_NANOS / 1000, 3)
                .expect("valid histogram bounds"),
            latency_sum_ns: 0,
            tries: [0; MAX_TRIES + 1],
            tries_sum: 0,
            clusters: vec![ClusterCounters::default(); clusters],
            no_cluster: BTreeMap::new(),
            local: 0,
            ejections: 0,
            ejection_events: Vec::new(),
            series: Vec::new(),
            bucket_seconds: 1,
            events: 0,
            end: 0,
        }
    }

    fn second(&mut self, at: u64) -> &mut Second {
        let mut index = (at / NANOS_PER_SECOND / self.bucket_seconds) as usize;
        while index >= MAX_BUCKETS {
            self.halve_series();
            index /= 2;
        }
        if self.series.len() <= index {
            let width = self.clusters.len();
            self.series.resize_with(index + 1, || Second {
                routed: vec![0; width],
                ..Second::default()
            });
        }
        &mut self.series[index]
    }

    /// Merges neighbouring buckets: half as many, twice as wide.
    fn halve_series(&mut self) {
        let halves: Vec<Second> = self
            .series
            .chunks_mut(2)
            .map(|pair| {
                let mut merged = std::mem::take(&mut pair[0]);
                if let Some(second) = pair.get(1) {
                    merged.absorb(second);
                }
                merged
            })
            .collect();
        self.series = halves;
        self.bucket_seconds *= 2;
    }

    /// A request was sent to `cluster` at `at`.
    pub fn routed(&mut self, cluster: u32, at: u64) {
        self.clusters[cluster as usize].requests += 1;
        self.second(at).routed[cluster as usize] += 1;
    }

    /// A request picked a destination whose cluster does not exist.
    pub fn routed_nowhere(&mut self, label: &str) {
        *self.no_cluster.entry(label.to_string()).or_default() += 1;
    }

    /// A try went to `cluster`.
    pub fn tried(&mut self, cluster: u32) {
        self.clusters[cluster as usize].tries += 1;
    }

    /// A mirrored copy got its answer (ignored by the client).
    pub fn mirrored(&mut self, cluster: u32, success: bool) {
        let c = &mut self.clusters[cluster as usize];
        c.mirror_tries += 1;
        c.mirror_errors += u64::from(!success);
    }

    /// A request finished with `status` after `tries` upstream tries.
    pub fn finished(
        &mut self,
        cluster: Option<u32>,
        status: u16,
        flags: Flags,
        tries: u32,
        latency_ns: u64,
        at: u64,
    ) {
        self.requests += 1;
        let ok = is_success(status);
        self.successes += u64::from(ok);
        *self.status.entry(status).or_default() += 1;
        for i in flags.indices() {
            self.flags[i] += 1;
        }
        self.latency.saturating_record((latency_ns / 1000).max(1));
        self.latency_sum_ns += u128::from(latency_ns);
        self.tries[(tries as usize).min(MAX_TRIES)] += 1;
        self.tries_sum += u64::from(tries);
        match cluster {
            Some(c) => self.clusters[c as usize].successes += u64::from(ok),
            None if tries == 0 => self.local += 1,
            None => {}
        }
        let second = self.second(at);
        second.completed += 1;
        second.errors += u64::from(!ok);
        second.latency_sum_ns += u128::from(latency_ns);
        self.end = self.end.max(at);
    }

    /// An endpoint was ejected.
    pub fn ejected(&mut self, event: impl FnOnce() -> Ejection, at: u64) {
        self.ejections += 1;
        self.second(at).ejections += 1;
        if self.ejection_events.len() < MAX_EJECTION_EVENTS {
            self.ejection_events.push(event());
        }
    }

    /// Counts processed events (for the benchmark's events/s).
    pub fn event(&mut self) {
        self.events += 1;
    }

    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// The result of the run.
    pub fn finish(self, model: &Model) -> SimResult {
        let requests = self.requests;
        let ms = |q: f64| self.latency.value_at_quantile(q) as f64 / 1000.0;
        let mut destinations: BTreeMap<String, DestinationResult> = BTreeMap::new();
        for (i, c) in self.clusters.iter().enumerate() {
            if c.requests == 0 {
                continue;
            }
            let spec = &model.clusters[i];
            let d = destinations
                .entry(spec.label())
                .or_insert_with(|| DestinationResult::new(&spec.host, spec.subset.clone()));
            d.count += c.requests;
            d.tries += c.tries;
            d.successes += c.successes;
        }
        for (label, count) in &self.no_cluster {
            let (host, subset) = match label.split_once('/') {
                Some((h, s)) => (h, Some(s.to_string())),
                None => (label.as_str(), None),
            };
            let d = destinations
                .entry(label.clone())
                .or_insert_with(|| DestinationResult::new(host, subset));
            d.count += count;
            d.cluster_missing = true;
        }
        let mut destinations: Vec<DestinationResult> = destinations.into_values().collect();
        for d in &mut destinations {
            d.share = ratio(d.count, requests);
            d.ci95 = wilson(d.count, requests);
            d.amplification = ratio(d.tries, d.count);
            d.success_rate = ratio(d.successes, d.count);
        }
        let mirrors: Vec<MirrorResult> = self
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| c.mirror_tries > 0)
            .map(|(i, c)| MirrorResult {
                destination: model.clusters[i].label(),
                requests: c.mirror_tries,
                errors: c.mirror_errors,
            })
            .collect();
        let upstream: u64 = self.tries.iter().skip(1).sum();
        let series = merge_series(
            &self.series,
            self.bucket_seconds,
            &model.clusters.iter().map(|c| c.label()).collect::<Vec<_>>(),
        );
        SimResult {
            scenario: model.name.clone(),
            seed: model.seed,
            requests,
            simulated_seconds: self.end as f64 / NANOS_PER_SECOND as f64,
            destinations,
            local_responses: self.local,
            status_codes: self
                .status
                .iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect(),
            response_flags: NAMES
                .iter()
                .zip(self.flags)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| (name.to_string(), n))
                .collect(),
            latency_ms: LatencySummary {
                p50: ms(0.5),
                p90: ms(0.9),
                p99: ms(0.99),
                p999: ms(0.999),
                mean: if requests == 0 {
                    0.0
                } else {
                    (self.latency_sum_ns / u128::from(requests)) as f64 / 1e6
                },
                max: self.latency.max() as f64 / 1000.0,
            },
            latency_histogram: histogram_buckets(&self.latency),
            success_rate: ratio(self.successes, requests),
            attempts: Attempts {
                mean: ratio(self.tries_sum, upstream),
                histogram: self
                    .tries
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, n)| (k.to_string(), *n))
                    .collect(),
            },
            mirrors,
            ejections: self.ejections,
            ejection_events: self.ejection_events,
            series,
            slo: Vec::new(),
            warnings: model.warnings.clone(),
            events: self.events,
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Wilson score interval at 95 % for k successes in n trials.
pub fn wilson(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 0.0];
    }
    let z = 1.959_963_984_540_054;
    let n = n as f64;
    let p = k as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / denom;
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// Latency distribution as (upper bound ms, count) over log-spaced buckets.
fn histogram_buckets(h: &Histogram<u64>) -> Vec<(f64, u64)> {
    if h.is_empty() {
        return Vec::new();
    }
    h.iter_log(100, 1.25)
        .map(|v| {
            (
                v.value_iterated_to() as f64 / 1000.0,
                v.count_since_last_iteration(),
            )
        })
        .collect()
}

fn merge_series(seconds: &[Second], bucket_seconds: u64, labels: &[String]) -> Series {
    let step = seconds.len().div_ceil(MAX_SERIES_POINTS).max(1);
    let mut out = Series {
        step_seconds: step as u64 * bucket_seconds,
        destinations: Vec::new(),
        completed: Vec::new(),
        errors: Vec::new(),
        mean_latency_ms: Vec::new(),
        ejections: Vec::new(),
        routed: Vec::new(),
    };
    // Destinations by label, in label order, merging clusters of one label.
    let mut names: Vec<&String> = labels.iter().collect();
    names.sort();
    names.dedup();
    let used: Vec<&String> = names
        .into_iter()
        .filter(|name| {
            seconds.iter().any(|s| {
                labels
                    .iter()
                    .zip(&s.routed)
                    .any(|(l, n)| l == *name && *n > 0)
            })
        })
        .collect();
    out.destinations = used.iter().map(|s| s.to_string()).collect();
    for chunk in seconds.chunks(step) {
        let completed: u64 = chunk.iter().map(|s| s.completed).sum();
        let latency: u128 = chunk.iter().map(|s| s.latency_sum_ns).sum();
        out.completed.push(completed);
        out.errors.push(chunk.iter().map(|s| s.errors).sum());
        out.ejections.push(chunk.iter().map(|s| s.ejections).sum());
        out.mean_latency_ms.push(if completed == 0 {
            0.0
        } else {
            (latency / u128::from(completed)) as f64 / 1e6
        });
        out.routed.push(
            used.iter()
                .map(|name| {
                    chunk
                        .iter()
                        .flat_map(|s| labels.iter().zip(&s.routed))
                        .filter(|(l, _)| l == name)
                        .map(|(_, n)| n)
                        .sum()
                })
                .collect(),
        );
    }
    out
}

/// One destination (host, subset) of the run.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationResult {
    pub host: String,
    pub subset: Option<String>,
    /// Requests routed here.
    pub count: u64,
    pub share: f64,
    /// 95 % Wilson confidence interval of the share.
    pub ci95: [f64; 2],
    /// Upstream tries, retries included.
    pub tries: u64,
    /// Tries per request (load amplification by retries).
    pub amplification: f64,
    pub success_rate: f64,
    /// True when the destination's cluster does not exist (503 NC).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cluster_missing: bool,
    #[serde(skip)]
    successes: u64,
}

impl DestinationResult {
    fn new(host: &str, subset: Option<String>) -> DestinationResult {
        DestinationResult {
            host: host.to_string(),
            subset,
            count: 0,
            share: 0.0,
            ci95: [0.0, 0.0],
            tries: 0,
            amplification: 0.0,
            success_rate: 0.0,
            cluster_missing: false,
            successes: 0,
        }
    }
}

/// Load sent to a mirror; its answers are ignored.
#[derive(Debug, Clone, Serialize)]
pub struct MirrorResult {
    pub destination: String,
    pub requests: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LatencySummary {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub mean: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempts {
    /// Mean tries per request that reached an upstream.
    pub mean: f64,
    /// Requests by number of tries.
    pub histogram: BTreeMap<String, u64>,
}

/// Time series, `step_seconds` per point.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub step_seconds: u64,
    pub destinations: Vec<String>,
    pub completed: Vec<u64>,
    pub errors: Vec<u64>,
    pub mean_latency_ms: Vec<f64>,
    pub ejections: Vec<u64>,
    /// Requests routed to each of `destinations`, per point.
    pub routed: Vec<Vec<u64>>,
}

/// An SLO and whether the run met it.
#[derive(Debug, Clone, Serialize)]
pub struct SloResult {
    pub expr: String,
    pub actual: f64,
    pub passed: bool,
}

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    pub scenario: String,
    pub seed: u64,
    pub requests: u64,
    pub simulated_seconds: f64,
    pub destinations: Vec<DestinationResult>,
    /// Requests answered by the proxy itself (404 NR, redirects, aborts, ...).
    pub local_responses: u64,
    pub status_codes: BTreeMap<String, u64>,
    pub response_flags: BTreeMap<String, u64>,
    pub latency_ms: LatencySummary,
    /// (upper bound in ms, requests) per log-spaced bucket.
    pub latency_histogram: Vec<(f64, u64)>,
    pub success_rate: f64,
    pub attempts: Attempts,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<MirrorResult>,
    pub ejections: u64,
    pub ejection_events: Vec<Ejection>,
    pub series: Series,
    pub slo: Vec<SloResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Discrete events processed.
    pub events: u64,
}
