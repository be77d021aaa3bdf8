//! An Envoy cluster as one client proxy sees it: the DestinationRule policy
//! compiled (load balancer, connection-pool limits, outlier detection), and
//! the per-proxy state: connections, pending queue, breaker counters, load
//! balancer picks (§4.3, §4.5).

use std::collections::VecDeque;

use rand::{Rng, RngExt};

use super::outlier::{HostHealth, OutlierSpec};
use super::pool::{HostPool, PoolKind};
use crate::mesh::destination_rules::EffectiveBlocks;
use crate::model::destination_rule::{ConnectionPool, LoadBalancer};
use crate::route::Request;

/// Istio's "unlimited" breaker threshold (2^32 − 1, §4.3).
pub const UNLIMITED: u32 = u32::MAX;
/// Istio's default minimum ring size for consistent hashing.
const MIN_RING_SIZE: u64 = 1024;
/// Envoy's host_selection_retry_max_attempts under Istio.
const HOST_RESELECTIONS: usize = 5;

/// How maxEjectionPercent is enforced (Envoy-version dependent, §4.4 step 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EjectionCap {
    /// Envoy ≥ 1.27: the ejected share after this ejection must stay ≤ the cap.
    AfterEjection,
    /// Envoy ≤ 1.26: ejectable while the share before this ejection is < the cap.
    BeforeEjection,
}

/// What a consistent-hash load balancer hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashOn {
    Header(String),
    Cookie(String),
    SourceIp,
    Query(String),
}

/// The load balancer of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lb {
    /// Power of two choices on active requests (Istio's default).
    LeastRequest,
    RoundRobin,
    Random,
    /// Ketama ring (maglev is modelled as a ring too).
    RingHash(HashOn),
}

/// The hash key a request carries for its cluster's load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKey {
    /// No key: Envoy picks a random host.
    Random,
    Fixed(u64),
    /// The client proxy's own address.
    SourceIp,
}

/// Connection-pool thresholds; Istio's unset (and 0) means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: u32,
    pub max_pending: u32,
    pub max_requests: u32,
    pub max_retries: u32,
}

/// A cluster's static description.
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    pub host: String,
    /// Index of the host in `Model::services` (set by the model builder).
    pub service: u32,
    pub subset: Option<String>,
    /// Pod ids of the cluster's endpoints.
    pub hosts: Vec<u32>,
    pub lb: Lb,
    pub limits: Limits,
    pub pool: PoolKind,
    pub outlier: Option<OutlierSpec>,
    /// Envoy's healthy panic threshold in percent (0 disables panic).
    pub panic_threshold: f64,
    /// Ring of (hash, host index) for consistent hashing, sorted by hash.
    ring: Vec<(u64, u32)>,
}

/// FNV-1a followed by a SplitMix64 finaliser: a stable 64-bit hash.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn limit(value: Option<i64>) -> u32 {
    value
        .filter(|v| *v > 0)
        .map_or(UNLIMITED, |v| u32::try_from(v).unwrap_or(UNLIMITED))
}

fn limits(pool: Option<&ConnectionPool>) -> Limits {
    let tcp = pool.and_then(|p| p.tcp.as_ref());
    let http = pool.and_then(|p| p.http.as_ref());
    Limits {
        max_connections: limit(tcp.and_then(|t| t.max_connections)),
        max_pending: limit(http.and_then(|h| h.http1_max_pending_requests)),
        max_requests: limit(http.and_then(|h| h.http2_max_requests)),
        max_retries: limit(http.and_then(|h| h.max_retries)),
    }
}

/// The pool of an HTTP/1.1 or (`multiplexed`) HTTP/2 upstream.
fn pool_kind(pool: Option<&ConnectionPool>, multiplexed: bool) -> PoolKind {
    if !multiplexed {
        return PoolKind::HTTP1;
    }
    let http = pool.and_then(|p| p.http.as_ref());
    PoolKind {
        multiplexed,
        concurrent_streams: limit(http.and_then(|h| h.max_concurrent_streams)),
        requests_per_connection: limit(http.and_then(|h| h.max_requests_per_connection)),
    }
}

fn lb(block: Option<&LoadBalancer>) -> (Lb, u64) {
    let Some(block) = block else {
        return (Lb::LeastRequest, MIN_RING_SIZE);
    };
    if let Some(ch) = &block.consistent_hash {
        let on = if let Some(h) = &ch.http_header_name {
            HashOn::Header(h.to_ascii_lowercase())
        } else if let Some(c) = &ch.http_cookie {
            HashOn::Cookie(c.name.clone())
        } else if ch.use_source_ip == Some(true) {
            HashOn::SourceIp
        } else if let Some(q) = &ch.http_query_parameter_name {
            HashOn::Query(q.clone())
        } else {
            HashOn::SourceIp
        };
        let ring = ch
            .ring_hash
            .as_ref()
            .and_then(|r| r.minimum_ring_size)
            .or(ch.minimum_ring_size)
            .filter(|n| *n > 0)
            .unwrap_or(MIN_RING_SIZE);
        return (Lb::RingHash(on), ring);
    }
    let lb = match block.simple.as_deref() {
        Some("ROUND_ROBIN") => Lb::RoundRobin,
        Some("RANDOM") | Some("PASSTHROUGH") => Lb::Random,
        _ => Lb::LeastRequest,
    };
    (lb, MIN_RING_SIZE)
}

impl ClusterSpec {
    /// Compiles the DestinationRule blocks in force for this cluster;
    /// `multiplexed` for an HTTP/2 or gRPC upstream.
    pub fn new(
        host: &str,
        subset: Option<&str>,
        hosts: Vec<u32>,
        blocks: &EffectiveBlocks,
        multiplexed: bool,
    ) -> ClusterSpec {
        let (lb, ring_size) = lb(blocks.load_balancer);
        let outlier = blocks.outlier_detection.map(OutlierSpec::new);
        // §4.4 step 8: with outlier detection the panic threshold is
        // minHealthPercent (default 0: off); without, Envoy's 50 %.
        let panic_threshold = outlier.as_ref().map_or(50.0, |o| o.min_health_percent);
        let mut spec = ClusterSpec {
            host: host.to_string(),
            service: 0,
            subset: subset.map(str::to_string),
            hosts,
            lb,
            limits: limits(blocks.connection_pool),
            pool: pool_kind(blocks.connection_pool, multiplexed),
            outlier,
            panic_threshold,
            ring: Vec::new(),
        };
        if matches!(spec.lb, Lb::RingHash(_)) {
            spec.build_ring(ring_size);
        }
        spec
    }

    /// Ketama ring with at least `size` entries, equally many per host.
    fn build_ring(&mut self, size: u64) {
        self.ring.clear();
        if self.hosts.is_empty() {
            return;
        }
        let per_host = size.div_ceil(self.hosts.len() as u64);
        for (i, pod) in self.hosts.iter().enumerate() {
            for k in 0..per_host {
                self.ring
                    .push((hash(format!("{pod}_{k}").as_bytes()), i as u32));
            }
        }
        self.ring.sort_unstable();
    }

    /// `host` or `host/subset`, for reports.
    pub fn label(&self) -> String {
        match &self.subset {
            Some(s) => format!("{}/{s}", self.host),
            None => self.host.clone(),
        }
    }

    /// The key a request of this shape hashes on, if the load balancer hashes.
    pub fn hash_key(&self, req: &Request) -> HashKey {
        let Lb::RingHash(on) = &self.lb else {
            return HashKey::Random;
        };
        let value = match on {
            HashOn::SourceIp => return HashKey::SourceIp,
            HashOn::Header(name) => req.header(name).map(str::to_string),
            HashOn::Cookie(name) => req.header("cookie").and_then(|c| {
                c.split(';').find_map(|kv| {
                    let (k, v) = kv.trim().split_once('=')?;
                    (k == name).then(|| v.to_string())
                })
            }),
            HashOn::Query(name) => req.query_param(name).map(str::to_string),
        };
        value.map_or(HashKey::Random, |v| HashKey::Fixed(hash(v.as_bytes())))
    }
}

/// One endpoint of a cluster on one proxy.
#[derive(Debug, Clone, Default)]
pub struct HostSlot {
    /// Requests in flight to this host (least-request's count).
    pub active: u32,
    pub pool: HostPool,
    /// Tries waiting for a connection to this host: (request, generation, try).
    pub pending: VecDeque<(u32, u32, u16)>,
    pub health: HostHealth,
}

/// A cluster on one client proxy: breaker counters, hosts, LB state.
#[derive(Debug, Clone, Default)]
pub struct ProxyCluster {
    pub hosts: Vec<HostSlot>,
    pub active: u32,
    pub pending: u32,
    pub connections: u32,
    pub retries: u32,
    pub ejected: u32,
    rr: u32,
}

impl ProxyCluster {
    pub fn new(spec: &ClusterSpec, rr_start: u32) -> ProxyCluster {
        ProxyCluster {
            hosts: vec![HostSlot::default(); spec.hosts.len()],
            rr: rr_start,
            ..ProxyCluster::default()
        }
    }

    /// Whether the proxy balances over all hosts, ejected or not (§4.4 step 8).
    fn panic(&self, spec: &ClusterSpec) -> bool {
        let total = self.hosts.len() as f64;
        let healthy = total - f64::from(self.ejected);
        total > 0.0 && 100.0 * healthy / total < spec.panic_threshold
    }

    /// Picks a host index; `None` means no healthy host (503 UH). `tried`
    /// holds hosts of earlier tries, avoided under the previous-hosts predicate.
    pub fn pick<R: Rng + ?Sized>(
        &mut self,
        spec: &ClusterSpec,
        key: HashKey,
        client: u32,
        tried: &[u32],
        rng: &mut R,
    ) -> Option<u32> {
        let n = self.hosts.len() as u32;
        if n == 0 {
            return None;
        }
        let all = self.panic(spec) || self.ejected == 0;
        if !all && self.ejected >= n {
            return None;
        }
        if let Lb::RingHash(_) = spec.lb {
            let point = match key {
                HashKey::Fixed(h) => h,
                HashKey::SourceIp => hash(format!("client-{client}").as_bytes()),
                HashKey::Random => rng.random(),
            };
            return self.ring_lookup(spec, point, all);
        }
        let mut choice = self.pick_once(spec, all, rng);
        for _ in 0..HOST_RESELECTIONS {
            if !tried.contains(&choice) {
                break;
            }
            choice = self.pick_once(spec, all, rng);
        }
        Some(choice)
    }

    fn usable(&self, host: u32, all: bool) -> bool {
        all || !self.hosts[host as usize].health.ejected
    }

    fn random_usable<R: Rng + ?Sized>(&self, all: bool, rng: &mut R) -> u32 {
        let n = self.hosts.len() as u32;
        loop {
            let h = rng.random_range(0..n);
            if self.usable(h, all) {
                return h;
            }
        }
    }

    fn pick_once<R: Rng + ?Sized>(&mut self, spec: &ClusterSpec, all: bool, rng: &mut R) -> u32 {
        match spec.lb {
            Lb::Random | Lb::RingHash(_) => self.random_usable(all, rng),
            Lb::RoundRobin => {
                let n = self.hosts.len() as u32;
                loop {
                    let h = self.rr % n;
                    self.rr = self.rr.wrapping_add(1);
                    if self.usable(h, all) {
                        return h;
                    }
                }
            }
            Lb::LeastRequest => {
                // Envoy samples two hosts (with replacement) and keeps the
                // one with fewer active requests; the first wins a tie.
                let a = self.random_usable(all, rng);
                let b = self.random_usable(all, rng);
                if self.hosts[b as usize].active < self.hosts[a as usize].active {
                    b
                } else {
                    a
                }
            }
        }
    }

    fn ring_lookup(&self, spec: &ClusterSpec, point: u64, all: bool) -> Option<u32> {
        let start = spec.ring.partition_point(|(h, _)| *h < point);
        (0..spec.ring.len())
            .map(|i| spec.ring[(start + i) % spec.ring.len()].1)
            .find(|h| self.usable(*h, all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn spec(lb: Lb, hosts: u32) -> ClusterSpec {
        let mut s = ClusterSpec::new(
            "h",
            None,
            (0..hosts).collect(),
            &EffectiveBlocks::default(),
            false,
        );
        s.lb = lb;
        s
    }

    #[test]
    fn least_request_prefers_the_less_loaded_of_two_samples() {
        // §4.5: P2C — a host with many active requests is picked only when
        // both samples land on it (probability 1/n²).
        let s = spec(Lb::LeastRequest, 4);
        let mut pc = ProxyCluster::new(&s, 0);
        pc.hosts[0].active = 100;
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let n = 40_000;
        let busy = (0..n)
            .filter(|_| pc.pick(&s, HashKey::Random, 0, &[], &mut rng) == Some(0))
            .count();
        let share = busy as f64 / n as f64;
        assert!((share - 1.0 / 16.0).abs() < 0.006, "share {share}");
    }

    #[test]
    fn round_robin_cycles_and_skips_ejected_hosts() {
        let s = spec(Lb::RoundRobin, 3);
        let mut pc = ProxyCluster::new(&s, 0);
        pc.hosts[1].health.ejected = true;
        pc.ejected = 1;
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let picks: Vec<u32> = (0..4)
            .map(|_| pc.pick(&s, HashKey::Random, 0, &[], &mut rng).unwrap())
            .collect();
        assert_eq!(picks, vec![0, 2, 0, 2]);
    }

    #[test]
    fn a_ring_maps_a_key_to_one_host_and_removing_a_host_moves_only_its_keys() {
        // §4.5: a ring keeps keys on their host; an ejected host's keys move
        // to the next entries, the others stay.
        let mut with_ring = spec(Lb::RingHash(HashOn::SourceIp), 4);
        with_ring.build_ring(MIN_RING_SIZE);
        let mut pc = ProxyCluster::new(&with_ring, 0);
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let keys: Vec<u64> = (0..2000u64).map(|k| hash(&k.to_le_bytes())).collect();
        let before: Vec<u32> = keys
            .iter()
            .map(|k| {
                pc.pick(&with_ring, HashKey::Fixed(*k), 0, &[], &mut rng)
                    .unwrap()
            })
            .collect();
        let again: Vec<u32> = keys
            .iter()
            .map(|k| {
                pc.pick(&with_ring, HashKey::Fixed(*k), 0, &[], &mut rng)
                    .unwrap()
            })
            .collect();
        assert_eq!(before, again);
        pc.hosts[2].health.ejected = true;
        pc.ejected = 1;
        let after: Vec<u32> = keys
            .iter()
            .map(|k| {
                pc.pick(&with_ring, HashKey::Fixed(*k), 0, &[], &mut rng)
                    .unwrap()
            })
            .collect();
        for (b, a) in before.iter().zip(&after) {
            assert!(*b == 2 || a == b, "a key of a healthy host moved");
            assert_ne!(*a, 2);
        }
    }
}
