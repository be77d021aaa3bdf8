//! What finished requests got, counted as they finish (memory independent of
//! the request count): statuses, response flags, tries and latency. The run
//! keeps one for all requests and one per cluster.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::flags::{Flags, NAMES};
use super::latency::MAX_NANOS;

/// Attempts histogram buckets: 1..=MAX_TRIES tries, the last collecting more.
const MAX_TRIES: usize = 16;

/// Whether a final status counts as a success: 1xx-3xx.
pub fn is_success(status: u16) -> bool {
    status < 400
}

/// Counters of finished requests.
#[derive(Debug, Clone)]
pub struct Outcomes {
    finished: u64,
    successes: u64,
    status: BTreeMap<u16, u64>,
    flags: [u64; NAMES.len()],
    /// Latency in microseconds, made at the first request: a mesh-wide run
    /// has thousands of clusters, most with little or no traffic.
    latency: Option<Box<Histogram<u64>>>,
    /// The histogram's significant decimal digits.
    digits: u8,
    latency_sum_ns: u128,
    tries: [u64; MAX_TRIES + 1],
    /// Tries of every request, exact (the histogram's last bucket is not).
    tries_sum: u64,
}

impl Outcomes {
    /// Counters whose latency keeps `digits` significant decimal digits.
    pub fn new(digits: u8) -> Outcomes {
        Outcomes {
            finished: 0,
            successes: 0,
            status: BTreeMap::new(),
            flags: [0; NAMES.len()],
            latency: None,
            digits,
            latency_sum_ns: 0,
            tries: [0; MAX_TRIES + 1],
            tries_sum: 0,
        }
    }

    /// Counts one finished request.
    pub fn record(&mut self, status: u16, flags: Flags, tries: u32, latency_ns: u64) {
        self.finished += 1;
        self.successes += u64::from(is_success(status));
        *self.status.entry(status).or_default() += 1;
        for i in flags.indices() {
            self.flags[i] += 1;
        }
        self.latency_mut()
            .saturating_record((latency_ns / 1000).max(1));
        self.latency_sum_ns += u128::from(latency_ns);
        self.tries[(tries as usize).min(MAX_TRIES)] += 1;
        self.tries_sum += u64::from(tries);
    }

    /// Adds `other`'s counts to these.
    pub fn absorb(&mut self, other: &Outcomes) {
        self.finished += other.finished;
        self.successes += other.successes;
        for (status, n) in &other.status {
            *self.status.entry(*status).or_default() += n;
        }
        for (mine, theirs) in self.flags.iter_mut().zip(other.flags) {
            *mine += theirs;
        }
        if let Some(theirs) = &other.latency {
            // Both histograms have the same bounds, so adding cannot fail.
            let _ = self.latency_mut().add(theirs.as_ref());
        }
        self.latency_sum_ns += other.latency_sum_ns;
        for (mine, theirs) in self.tries.iter_mut().zip(other.tries) {
            *mine += theirs;
        }
        self.tries_sum += other.tries_sum;
    }

    /// The latency histogram, made now if this is the first latency.
    fn latency_mut(&mut self) -> &mut Histogram<u64> {
        let digits = self.digits;
        self.latency
            .get_or_insert_with(|| Box::new(latency_histogram(digits)))
    }

    pub fn finished(&self) -> u64 {
        self.finished
    }

    pub fn successes(&self) -> u64 {
        self.successes
    }

    /// The counts as reported.
    pub fn summary(&self) -> OutcomeSummary {
        let latency = self
            .latency
            .as_deref()
            .cloned()
            .unwrap_or_else(|| latency_histogram(self.digits));
        let ms = |q: f64| latency.value_at_quantile(q) as f64 / 1000.0;
        let upstream: u64 = self.tries.iter().skip(1).sum();
        OutcomeSummary {
            finished: self.finished,
            success_rate: ratio(self.successes, self.finished),
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
                mean: if self.finished == 0 {
                    0.0
                } else {
                    (self.latency_sum_ns / u128::from(self.finished)) as f64 / 1e6
                },
                max: latency.max() as f64 / 1000.0,
            },
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
            latency,
        }
    }
}

/// An empty latency histogram in microseconds, up to the longest latency.
fn latency_histogram(digits: u8) -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_NANOS / 1000, digits).expect("valid histogram bounds")
}

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval at 95 % for k successes in n trials.
pub fn wilson(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 0.0];
    }
    let z = Z95;
    let n = n as f64;
    let p = k as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / denom;
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// `a / b`, 0 when `b` is 0.
pub fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Latency percentiles in milliseconds.
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

/// What the finished requests of a destination (or of the run) got.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeSummary {
    /// Requests that finished (with an answer, local or upstream).
    pub finished: u64,
    /// Share of finished requests answered 1xx-3xx.
    pub success_rate: f64,
    pub status_codes: BTreeMap<String, u64>,
    pub response_flags: BTreeMap<String, u64>,
    pub latency_ms: LatencySummary,
    pub attempts: Attempts,
    /// The latency distribution in microseconds, for confidence intervals.
    #[serde(skip)]
    pub latency: Histogram<u64>,
}
