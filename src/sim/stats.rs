//! Streaming metrics of a run (memory independent of the request count) and
//! the plain result structure `report` renders.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::flags::Flags;
use super::model::Model;
pub use super::outcomes::{Attempts, LatencySummary, OutcomeSummary, is_success};
use super::outcomes::{Outcomes, ratio, wilson};
use super::slo::SloResult;
use super::trace::{Hop, HopResult, Path, Slowest};

const NANOS_PER_SECOND: u64 = 1_000_000_000;
/// Significant digits of the run's latency histogram, and of each cluster's.
const RUN_DIGITS: u8 = 3;
const CLUSTER_DIGITS: u8 = 2;
/// Ejection events kept in the result (the count is always exact).
const MAX_EJECTION_EVENTS: usize = 200;
/// The per-second series is merged into at most this many points.
const MAX_SERIES_POINTS: usize = 600;
/// Buckets kept while running; past this, neighbours merge and the bucket
/// width doubles, so memory stays flat however long the simulated time.
const MAX_BUCKETS: usize = 2 * MAX_SERIES_POINTS;
/// The per-destination series cover at most this many destinations, those
/// with the most requests: more lines make no chart, and a mesh-wide run
/// has thousands of destinations.
const MAX_SERIES_DESTINATIONS: usize = 12;

/// Counters of one cluster.
#[derive(Debug, Clone)]
struct ClusterCounters {
    requests: u64,
    tries: u64,
    mirror_tries: u64,
    mirror_errors: u64,
    /// The requests routed here that finished.
    outcomes: Outcomes,
}

/// Why a request got 503 UO: the breaker that overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// `http1MaxPendingRequests`: no room in the pending queue.
    Pending,
    /// `http2MaxRequests`: too many requests in flight.
    MaxRequests,
    /// `maxRetries`: too many retries in flight.
    MaxRetries,
}

/// 503 UO by the breaker that overflowed.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OverflowCounts {
    pub pending: u64,
    pub max_requests: u64,
    pub max_retries: u64,
}

impl OverflowCounts {
    fn add(&mut self, cause: Overflow) {
        *match cause {
            Overflow::Pending => &mut self.pending,
            Overflow::MaxRequests => &mut self.max_requests,
            Overflow::MaxRetries => &mut self.max_retries,
        } += 1;
    }

    /// Every overflow, whatever the breaker.
    pub fn total(&self) -> u64 {
        self.pending + self.max_requests + self.max_retries
    }
}

/// Counters of one endpoint (pod), over every client proxy.
#[derive(Debug, Clone, Copy, Default)]
struct PodCounters {
    tries: u64,
    errors: u64,
    ejections: u64,
    ejected_ns: u64,
}

/// One cluster's counts in one bucket of time: requests routed (by routing
/// time) and finished (by completion time).
#[derive(Debug, Clone, Copy, Default)]
struct Slice {
    routed: u64,
    completed: u64,
    errors: u64,
    latency_sum_ns: u128,
}

impl Slice {
    /// A request finished: `ok` unless answered an error, after `latency_ns`.
    fn complete(&mut self, ok: bool, latency_ns: u64) {
        self.completed += 1;
        self.errors += u64::from(!ok);
        self.latency_sum_ns += u128::from(latency_ns);
    }

    fn absorb(&mut self, other: &Slice) {
        self.routed += other.routed;
        self.completed += other.completed;
        self.errors += other.errors;
        self.latency_sum_ns += other.latency_sum_ns;
    }

    fn mean_latency_ms(&self) -> f64 {
        if self.completed == 0 {
            0.0
        } else {
            (self.latency_sum_ns / u128::from(self.completed)) as f64 / 1e6
        }
    }
}

/// One bucket of simulated time: a second, wider on long runs.
#[derive(Debug, Clone, Default)]
struct Second {
    /// Every request, by completion time.
    all: Slice,
    ejections: u64,
    /// The clusters that had traffic in this bucket, each once, in the order
    /// they first had it: a bucket costs its traffic, not the mesh's size.
    clusters: Vec<(u32, Slice)>,
}

impl Second {
    /// Adds `other`'s counts to these.
    fn absorb(&mut self, other: &Second) {
        self.all.absorb(&other.all);
        self.ejections += other.ejections;
        self.clusters.extend(other.clusters.iter().cloned());
        self.clusters.sort_by_key(|(cluster, _)| *cluster);
        self.clusters.dedup_by(|(c, later), (kept_c, kept)| {
            let same = c == kept_c;
            if same {
                kept.absorb(later);
            }
            same
        });
    }
}

/// A scenario event, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub at_s: f64,
    pub what: String,
}

/// An ejection as it happened.
#[derive(Debug, Clone, Serialize)]
pub struct Ejection {
    pub at_s: f64,
    pub client: u32,
    pub cluster: String,
    pub endpoint: String,
}

/// Counters of one service (host). Its entry requests' outcomes are its
/// clusters'; `calls` holds the others'.
#[derive(Debug, Clone)]
struct ServiceCounters {
    calls: Outcomes,
    overflow: OverflowCounts,
}

/// The metrics being collected.
pub struct Stats {
    total: Outcomes,
    clusters: Vec<ClusterCounters>,
    /// The service of each cluster.
    cluster_services: Vec<u32>,
    services: Vec<ServiceCounters>,
    pods: Vec<PodCounters>,
    /// Entry requests only; `services` count every breaker.
    overflow: OverflowCounts,
    /// Kept when services call services.
    slowest: Option<Slowest>,
    /// Per destination label: the status answered, and how many times.
    no_cluster: BTreeMap<String, (u16, u64)>,
    local: u64,
    ejections: u64,
    ejection_events: Vec<Ejection>,
    series: Vec<Second>,
    /// Per cluster: the bucket of `series` it last had traffic in, and its
    /// place in that bucket's `clusters`.
    series_slots: Vec<(u32, u32)>,
    /// Seconds per bucket of `series`, a power of two.
    bucket_seconds: u64,
    events: u64,
    end: u64,
}

impl Stats {
    pub fn new(model: &Model) -> Stats {
        let (clusters, pods) = (model.clusters.len(), model.pods.len());
        let service = ServiceCounters {
            calls: Outcomes::new(CLUSTER_DIGITS),
            overflow: OverflowCounts::default(),
        };
        let cluster = ClusterCounters {
            requests: 0,
            tries: 0,
            mirror_tries: 0,
            mirror_errors: 0,
            outcomes: Outcomes::new(CLUSTER_DIGITS),
        };
        Stats {
            total: Outcomes::new(RUN_DIGITS),
            clusters: vec![cluster; clusters],
            cluster_services: model.clusters.iter().map(|c| c.service).collect(),
            services: vec![service; model.services.len()],
            pods: vec![PodCounters::default(); pods],
            overflow: OverflowCounts::default(),
            slowest: (!model.plans.is_empty()).then(Slowest::default),
            no_cluster: BTreeMap::new(),
            local: 0,
            ejections: 0,
            ejection_events: Vec::new(),
            series: Vec::new(),
            series_slots: vec![(u32::MAX, 0); clusters],
            bucket_seconds: 1,
            events: 0,
            end: 0,
        }
    }

    fn second(&mut self, at: u64) -> &mut Second {
        let index = self.bucket(at);
        &mut self.series[index]
    }

    /// The index in `series` of the bucket holding `at`, made if new.
    fn bucket(&mut self, at: u64) -> usize {
        let mut index = (at / NANOS_PER_SECOND / self.bucket_seconds) as usize;
        while index >= MAX_BUCKETS {
            self.halve_series();
            index /= 2;
        }
        if self.series.len() <= index {
            self.series.resize_with(index + 1, Second::default);
        }
        index
    }

    /// The counts of `cluster` in bucket `index` of `series`.
    fn cluster_slice(&mut self, cluster: u32, index: usize) -> &mut Slice {
        let second = &mut self.series[index];
        let slot = &mut self.series_slots[cluster as usize];
        if slot.0 as usize != index {
            *slot = (index as u32, second.clusters.len() as u32);
            second.clusters.push((cluster, Slice::default()));
        }
        &mut second.clusters[slot.1 as usize].1
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
        self.series_slots.fill((u32::MAX, 0));
        if let Some(last) = self.series.last() {
            let index = self.series.len() as u32 - 1;
            for (place, (cluster, _)) in last.clusters.iter().enumerate() {
                self.series_slots[*cluster as usize] = (index, place as u32);
            }
        }
    }

    /// A request was sent to `cluster` at `at`.
    pub fn routed(&mut self, cluster: u32, at: u64) {
        self.clusters[cluster as usize].requests += 1;
        let index = self.bucket(at);
        self.cluster_slice(cluster, index).routed += 1;
    }

    /// A request picked a destination whose cluster does not exist.
    pub fn routed_nowhere(&mut self, label: &str, status: u16) {
        self.no_cluster
            .entry(label.to_string())
            .or_insert((status, 0))
            .1 += 1;
    }

    /// A try went to `cluster`, on endpoint `pod`; `entry` for an entry
    /// request's (not a call's).
    pub fn tried(&mut self, cluster: u32, pod: u32, entry: bool) {
        if entry {
            self.clusters[cluster as usize].tries += 1;
        }
        self.pods[pod as usize].tries += 1;
    }

    /// A try on `pod` failed (an error status, a refused connection or a timeout).
    pub fn pod_failed(&mut self, pod: u32) {
        self.pods[pod as usize].errors += 1;
    }

    /// A request to `cluster` got 503 UO from the breaker `cause`; `entry`
    /// for an entry request's (not a call's).
    pub fn overflowed(&mut self, cluster: u32, cause: Overflow, entry: bool) {
        let service = self.cluster_services[cluster as usize];
        self.services[service as usize].overflow.add(cause);
        if entry {
            self.overflow.add(cause);
        }
    }

    /// A call to `cluster` got its answer after `tries` tries.
    pub fn called(&mut self, cluster: u32, hop: &Hop, tries: u32) {
        let service = self.cluster_services[cluster as usize];
        self.services[service as usize]
            .calls
            .record(hop.status, hop.flags, tries, hop.latency_ns);
    }

    /// Whether the slowest entry requests' paths are kept (services call
    /// services), so that the engine builds them.
    pub fn traces(&self) -> bool {
        self.slowest.is_some()
    }

    /// A finished entry request's path, for the slowest requests.
    pub fn offer_slowest(&mut self, path: &Path) {
        if let Some(slowest) = &mut self.slowest {
            slowest.offer(path);
        }
    }

    /// `pod` was ejected on some client proxy from `since` until `until`.
    pub fn ejected_for(&mut self, pod: u32, since: u64, until: u64) {
        self.pods[pod as usize].ejected_ns += until.saturating_sub(since);
    }

    /// A mirrored copy got its answer (ignored by the client).
    pub fn mirrored(&mut self, cluster: u32, success: bool) {
        let c = &mut self.clusters[cluster as usize];
        c.mirror_tries += 1;
        c.mirror_errors += u64::from(!success);
    }

    /// An entry request finished after `tries` upstream tries.
    pub fn finished(&mut self, cluster: Option<u32>, hop: &Hop, tries: u32, at: u64) {
        let (status, flags, latency_ns) = (hop.status, hop.flags, hop.latency_ns);
        let ok = is_success(status);
        self.total.record(status, flags, tries, latency_ns);
        match cluster {
            Some(c) => self.clusters[c as usize]
                .outcomes
                .record(status, flags, tries, latency_ns),
            None if tries == 0 => self.local += 1,
            None => {}
        }
        let index = self.bucket(at);
        self.series[index].all.complete(ok, latency_ns);
        if let Some(c) = cluster {
            self.cluster_slice(c, index).complete(ok, latency_ns);
        }
        self.end = self.end.max(at);
    }

    /// Endpoint `pod` was ejected.
    pub fn ejected(&mut self, pod: u32, event: impl FnOnce() -> Ejection, at: u64) {
        self.ejections += 1;
        self.pods[pod as usize].ejections += 1;
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
        self.total.finished()
    }

    /// The result of the run.
    pub fn finish(self, model: &Model) -> SimResult {
        let mut by_label: BTreeMap<String, Tally> = BTreeMap::new();
        for (i, c) in self.clusters.iter().enumerate() {
            if c.requests == 0 {
                continue;
            }
            let spec = &model.clusters[i];
            let d = by_label
                .entry(spec.label())
                .or_insert_with(|| Tally::new(&spec.host, spec.subset.clone()));
            d.count += c.requests;
            d.tries += c.tries;
            d.outcomes.absorb(&c.outcomes);
        }
        for (label, (status, count)) in &self.no_cluster {
            let (host, subset) = match label.split_once('/') {
                Some((h, s)) => (h, Some(s.to_string())),
                None => (label.as_str(), None),
            };
            let d = by_label
                .entry(label.clone())
                .or_insert_with(|| Tally::new(host, subset));
            d.count += count;
            d.cluster_missing = true;
            for _ in 0..*count {
                d.outcomes.record(*status, Flags::NC, 0, 0);
            }
        }
        // Shares are of the requests that picked a destination: the ones
        // answered before routing (fault aborts, no route) are counted apart.
        let routed: u64 = by_label.values().map(|d| d.count).sum();
        let destinations: Vec<DestinationResult> =
            by_label.into_values().map(|d| d.result(routed)).collect();
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
        let endpoints = endpoint_results(&self.pods, model);
        let entry_requests = self.total.finished();
        let mut services = self.services;
        for (cluster, service) in self.clusters.iter().zip(&self.cluster_services) {
            services[*service as usize].calls.absorb(&cluster.outcomes);
        }
        let services = service_results(&services, &self.pods, model, entry_requests);
        let series = merge_series(
            &self.series,
            self.bucket_seconds,
            &model.clusters.iter().map(|c| c.label()).collect::<Vec<_>>(),
        );
        let total = self.total.summary();
        SimResult {
            version: RESULT_VERSION,
            scenario: model.name.clone(),
            seed: model.seed,
            requests: total.finished,
            simulated_seconds: self.end as f64 / NANOS_PER_SECOND as f64,
            destinations,
            local_responses: self.local,
            status_codes: total.status_codes,
            response_flags: total.response_flags,
            overflow: self.overflow,
            latency_ms: total.latency_ms,
            latency_histogram: histogram_buckets(&total.latency),
            success_rate: total.success_rate,
            attempts: total.attempts,
            mirrors,
            endpoints,
            services,
            slowest: self
                .slowest
                .as_ref()
                .map(|s| s.results(model))
                .unwrap_or_default(),
            ejections: self.ejections,
            ejection_events: self.ejection_events,
            scenario_events: model
                .changes
                .iter()
                .map(|c| TimelineEvent {
                    at_s: c.at as f64 / NANOS_PER_SECOND as f64,
                    what: c.label.clone(),
                })
                .collect(),
            series,
            slo: Vec::new(),
            warnings: model.warnings.clone(),
            events: self.events,
            latency: total.latency,
        }
    }
}

/// Each endpoint that got tries: its share of the tries at its host[/subset]
/// (entry requests and calls), errors and ejections over every client proxy.
fn endpoint_results(pods: &[PodCounters], model: &Model) -> Vec<EndpointResult> {
    let group = |pod: &super::model::Pod| -> String {
        pod.name
            .rsplit_once('#')
            .map_or(pod.name.as_str(), |(d, _)| d)
            .to_string()
    };
    // Every try of the group (entry requests and calls).
    let mut tries: BTreeMap<String, u64> = BTreeMap::new();
    for (c, pod) in pods.iter().zip(&model.pods) {
        *tries.entry(group(pod)).or_default() += c.tries;
    }
    pods.iter()
        .zip(&model.pods)
        .filter(|(c, _)| c.tries > 0 || c.ejections > 0)
        .map(|(c, pod)| {
            let destination_tries = tries.get(&group(pod)).copied().unwrap_or(0);
            EndpointResult {
                name: pod.name.clone(),
                tries: c.tries,
                share: ratio(c.tries, destination_tries),
                errors: c.errors,
                error_rate: ratio(c.errors, c.tries),
                ejections: c.ejections,
                ejected_seconds: c.ejected_ns as f64 / NANOS_PER_SECOND as f64,
            }
        })
        .collect()
}

/// Each service that got requests: what reached its endpoints per entry
/// request, and how its callers fared (`services` with their entry
/// requests' outcomes absorbed).
fn service_results(
    services: &[ServiceCounters],
    pods: &[PodCounters],
    model: &Model,
    entry_requests: u64,
) -> Vec<ServiceResult> {
    let mut received = vec![0u64; services.len()];
    let mut ejections = vec![0u64; services.len()];
    for (counters, pod) in pods.iter().zip(&model.pods) {
        received[pod.service as usize] += counters.tries;
        ejections[pod.service as usize] += counters.ejections;
    }
    let mut out: Vec<ServiceResult> = services
        .iter()
        .enumerate()
        .filter(|(i, c)| c.calls.finished() > 0 || received[*i] > 0)
        .map(|(i, c)| ServiceResult {
            host: model.services[i].clone(),
            requests_received: received[i],
            per_entry_request: ratio(received[i], entry_requests),
            outcomes: c.calls.summary(),
            overflow: c.overflow,
            ejections: ejections[i],
        })
        .collect();
    out.sort_by(|a, b| a.host.cmp(&b.host));
    out
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

/// The series in at most [`MAX_SERIES_POINTS`] points, per destination (the
/// clusters of one label merged) for the [`MAX_SERIES_DESTINATIONS`] with the
/// most requests, in label order.
fn merge_series(seconds: &[Second], bucket_seconds: u64, labels: &[String]) -> Series {
    let step = seconds.len().div_ceil(MAX_SERIES_POINTS).max(1);
    // Destinations by label, in label order, merging clusters of one label.
    let mut names: Vec<&str> = labels.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let destination_of: Vec<usize> = labels
        .iter()
        .map(|label| names.partition_point(|name| *name < label.as_str()))
        .collect();
    let mut routed = vec![0u64; names.len()];
    for second in seconds {
        for (cluster, slice) in &second.clusters {
            routed[destination_of[*cluster as usize]] += slice.routed;
        }
    }
    let mut used: Vec<usize> = (0..names.len()).filter(|&d| routed[d] > 0).collect();
    if used.len() > MAX_SERIES_DESTINATIONS {
        used.sort_by(|&a, &b| routed[b].cmp(&routed[a]).then(a.cmp(&b)));
        used.truncate(MAX_SERIES_DESTINATIONS);
        used.sort_unstable();
    }
    let mut column: Vec<Option<usize>> = vec![None; names.len()];
    for (i, &d) in used.iter().enumerate() {
        column[d] = Some(i);
    }
    let mut out = Series {
        step_seconds: step as u64 * bucket_seconds,
        destinations: used.iter().map(|&d| names[d].to_string()).collect(),
        ..Series::default()
    };
    for chunk in seconds.chunks(step) {
        let mut all = Slice::default();
        for s in chunk {
            all.absorb(&s.all);
        }
        out.completed.push(all.completed);
        out.errors.push(all.errors);
        out.mean_latency_ms.push(all.mean_latency_ms());
        out.ejections.push(chunk.iter().map(|s| s.ejections).sum());
        let mut per_destination = vec![Slice::default(); used.len()];
        for s in chunk {
            for (cluster, slice) in &s.clusters {
                if let Some(i) = column[destination_of[*cluster as usize]] {
                    per_destination[i].absorb(slice);
                }
            }
        }
        out.routed
            .push(per_destination.iter().map(|d| d.routed).collect());
        out.completed_by_destination
            .push(per_destination.iter().map(|d| d.completed).collect());
        out.errors_by_destination
            .push(per_destination.iter().map(|d| d.errors).collect());
        out.mean_latency_ms_by_destination
            .push(per_destination.iter().map(Slice::mean_latency_ms).collect());
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
    /// Share of the requests that picked a destination.
    pub share: f64,
    /// 95 % Wilson confidence interval of the share.
    pub ci95: [f64; 2],
    /// Upstream tries, retries included.
    pub tries: u64,
    /// Tries per request (load amplification by retries).
    pub amplification: f64,
    pub success_rate: f64,
    /// True when the destination's cluster does not exist (503 NC; 500 on Gateway API routes).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cluster_missing: bool,
    pub status_codes: BTreeMap<String, u64>,
    pub response_flags: BTreeMap<String, u64>,
    pub latency_ms: LatencySummary,
    pub attempts: Attempts,
    /// The latency distribution in microseconds, for confidence intervals.
    #[serde(skip)]
    pub latency: Histogram<u64>,
}

impl DestinationResult {
    /// `host` or `host/subset`.
    pub fn label(&self) -> String {
        match &self.subset {
            Some(s) => format!("{}/{s}", self.host),
            None => self.host.clone(),
        }
    }
}

/// A destination's counts while the result is assembled.
struct Tally {
    host: String,
    subset: Option<String>,
    count: u64,
    tries: u64,
    cluster_missing: bool,
    outcomes: Outcomes,
}

impl Tally {
    fn new(host: &str, subset: Option<String>) -> Tally {
        Tally {
            host: host.to_string(),
            subset,
            count: 0,
            tries: 0,
            cluster_missing: false,
            outcomes: Outcomes::new(CLUSTER_DIGITS),
        }
    }

    fn result(self, routed: u64) -> DestinationResult {
        let summary = self.outcomes.summary();
        DestinationResult {
            share: ratio(self.count, routed),
            ci95: wilson(self.count, routed),
            amplification: ratio(self.tries, self.count),
            success_rate: ratio(self.outcomes.successes(), self.count),
            host: self.host,
            subset: self.subset,
            count: self.count,
            tries: self.tries,
            cluster_missing: self.cluster_missing,
            status_codes: summary.status_codes,
            response_flags: summary.response_flags,
            latency_ms: summary.latency_ms,
            attempts: summary.attempts,
            latency: summary.latency,
        }
    }
}

/// One endpoint (pod) over every client proxy.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointResult {
    /// `host[/subset]#index`.
    pub name: String,
    pub tries: u64,
    /// Share of its destination's tries.
    pub share: f64,
    /// Tries that failed: an error status, a refused connection, a timeout.
    pub errors: u64,
    pub error_rate: f64,
    pub ejections: u64,
    /// Time ejected, summed over the client proxies that ejected it.
    pub ejected_seconds: f64,
}

/// One service (host) over every caller: entry requests and calls.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceResult {
    pub host: String,
    /// Tries that reached its endpoints, retries included.
    pub requests_received: u64,
    /// `requests_received` per entry request: the load amplification of
    /// retries and calls.
    pub per_entry_request: f64,
    /// What its callers' requests got (each counted once, however many
    /// tries; latency with retries), as they saw it.
    #[serde(flatten)]
    pub outcomes: OutcomeSummary,
    /// 503 UO on its callers' breakers.
    pub overflow: OverflowCounts,
    pub ejections: u64,
}

/// Load sent to a mirror; its answers are ignored.
#[derive(Debug, Clone, Serialize)]
pub struct MirrorResult {
    pub destination: String,
    pub requests: u64,
    pub errors: u64,
}

/// Time series, `step_seconds` per point.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Series {
    pub step_seconds: u64,
    pub destinations: Vec<String>,
    pub completed: Vec<u64>,
    pub errors: Vec<u64>,
    pub mean_latency_ms: Vec<f64>,
    pub ejections: Vec<u64>,
    /// Requests routed to each of `destinations`, per point.
    pub routed: Vec<Vec<u64>>,
    /// Requests of each of `destinations` that finished, per point.
    pub completed_by_destination: Vec<Vec<u64>>,
    /// Of those, the ones not answered 1xx-3xx.
    pub errors_by_destination: Vec<Vec<u64>>,
    pub mean_latency_ms_by_destination: Vec<Vec<f64>>,
}

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    /// Version of this format (schemas/output/simulate.json).
    pub version: u32,
    pub scenario: String,
    pub seed: u64,
    pub requests: u64,
    pub simulated_seconds: f64,
    pub destinations: Vec<DestinationResult>,
    /// Requests answered by the proxy itself (404 NR, redirects, aborts, ...).
    pub local_responses: u64,
    pub status_codes: BTreeMap<String, u64>,
    pub response_flags: BTreeMap<String, u64>,
    /// 503 UO by the breaker that overflowed.
    pub overflow: OverflowCounts,
    pub latency_ms: LatencySummary,
    /// (upper bound in ms, requests) per log-spaced bucket.
    pub latency_histogram: Vec<(f64, u64)>,
    pub success_rate: f64,
    pub attempts: Attempts,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<MirrorResult>,
    /// Endpoints that got tries or were ejected.
    pub endpoints: Vec<EndpointResult>,
    /// Every service that got requests, entry requests and calls alike.
    pub services: Vec<ServiceResult>,
    /// When services call services: the slowest entry requests, each as
    /// the chain of calls that decided its answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slowest: Vec<Vec<HopResult>>,
    pub ejections: u64,
    pub ejection_events: Vec<Ejection>,
    /// The scenario's events, in time order.
    pub scenario_events: Vec<TimelineEvent>,
    pub series: Series,
    pub slo: Vec<SloResult>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Discrete events processed.
    pub events: u64,
    /// The latency distribution in microseconds, for confidence intervals.
    #[serde(skip)]
    pub latency: Histogram<u64>,
}

/// The version of the simulate JSON format.
pub const RESULT_VERSION: u32 = 1;
