//! Outlier detection exactly as §4.4 describes Envoy's detector: consecutive
//! 5xx and gateway-error counters per host, per cluster, per client proxy;
//! immediate ejection at the threshold; un-ejection only at interval ticks.

use super::cluster::{EjectionCap, ProxyCluster};
use crate::model::Duration;
use crate::model::destination_rule::OutlierDetection;

/// Envoy's default max_ejection_time (Istio does not set it).
const MAX_EJECTION_TIME: u64 = 300_000_000_000;

/// The detector's settings for one cluster, Istio's translation applied.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlierSpec {
    pub consecutive_5xx: u32,
    pub enforce_5xx: bool,
    pub consecutive_gateway: u32,
    pub enforce_gateway: bool,
    pub interval: u64,
    pub base_ejection_time: u64,
    pub max_ejection_time: u64,
    pub max_ejection_percent: f64,
    pub min_health_percent: f64,
    /// `outlierDetectionHttpErrorCodes`: replaces "any 5xx" when not empty.
    pub error_codes: Vec<u16>,
}

fn nanos(text: Option<&str>, default: u64) -> u64 {
    text.and_then(|t| Duration::parse(t).ok())
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

impl OutlierSpec {
    /// Istio's applyOutlierDetection: consecutive5xxErrors defaults to 5
    /// (enforced), 0 disables it; gateway errors count only when set; the
    /// deprecated consecutiveErrors is not read (validate warns on it).
    pub fn new(o: &OutlierDetection) -> OutlierSpec {
        let mut spec = OutlierSpec {
            consecutive_5xx: 5,
            enforce_5xx: true,
            consecutive_gateway: 5,
            enforce_gateway: false,
            interval: nanos(o.interval.as_deref(), 10_000_000_000),
            base_ejection_time: nanos(o.base_ejection_time.as_deref(), 30_000_000_000),
            max_ejection_time: 0,
            max_ejection_percent: o
                .max_ejection_percent
                .filter(|p| *p > 0)
                .map_or(10.0, |p| p.min(100) as f64),
            min_health_percent: o.min_health_percent.unwrap_or(0).clamp(0, 100) as f64,
            error_codes: o
                .outlier_detection_http_error_codes
                .iter()
                .filter_map(|c| u16::try_from(*c).ok())
                .collect(),
        };
        spec.max_ejection_time = MAX_EJECTION_TIME.max(spec.base_ejection_time);
        if let Some(n) = o.consecutive_5xx_errors {
            spec.consecutive_5xx = n.min(u64::from(u32::MAX)) as u32;
            spec.enforce_5xx = n > 0;
        }
        if let Some(n) = o.consecutive_gateway_errors {
            spec.consecutive_gateway = n.min(u64::from(u32::MAX)) as u32;
            spec.enforce_gateway = n > 0;
        }
        spec
    }

    fn is_error(&self, status: u16) -> bool {
        if self.error_codes.is_empty() {
            status >= 500
        } else {
            self.error_codes.contains(&status)
        }
    }
}

/// A host's detector state on one proxy and cluster.
#[derive(Debug, Clone, Default)]
pub struct HostHealth {
    pub consecutive_5xx: u32,
    pub consecutive_gateway: u32,
    pub ejected: bool,
    pub ejected_at: u64,
    /// The ejection-time multiplier (back-off), decayed at healthy ticks.
    pub multiplier: u32,
}

/// What the detector sees of a try. Local failures (connect failure,
/// timeouts) count as 503/504 in Envoy's default, non-split mode.
#[derive(Debug, Clone, Copy)]
pub enum Observation {
    Status(u16),
    ConnectFailure,
    Timeout,
}

/// Records a try's result for `host`; returns true when it got ejected now.
pub fn observe(
    spec: &OutlierSpec,
    cap: EjectionCap,
    pc: &mut ProxyCluster,
    host: u32,
    observation: Observation,
    now: u64,
) -> bool {
    let code = match observation {
        Observation::Status(s) => s,
        Observation::ConnectFailure => 503,
        Observation::Timeout => 504,
    };
    let h = &mut pc.hosts[host as usize].health;
    let (mut gateway_hit, mut errors_hit) = (false, false);
    if spec.is_error(code) {
        if matches!(code, 502..=504) {
            h.consecutive_gateway += 1;
            gateway_hit = h.consecutive_gateway == spec.consecutive_gateway;
        } else {
            h.consecutive_gateway = 0;
        }
        h.consecutive_5xx += 1;
        errors_hit = h.consecutive_5xx == spec.consecutive_5xx;
    } else {
        h.consecutive_5xx = 0;
        h.consecutive_gateway = 0;
    }
    // Envoy handles the gateway event first, then the 5xx one, each only
    // while the host is not ejected. Each attempt resets its own counter,
    // ejected or not (refused by the cap, or not enforced), so the next run
    // of errors can eject again.
    let mut ejected = false;
    if gateway_hit && !pc.hosts[host as usize].health.ejected {
        ejected |= attempt(spec, cap, pc, host, spec.enforce_gateway, now);
        pc.hosts[host as usize].health.consecutive_gateway = 0;
    }
    if errors_hit && !pc.hosts[host as usize].health.ejected {
        ejected |= attempt(spec, cap, pc, host, spec.enforce_5xx, now);
        pc.hosts[host as usize].health.consecutive_5xx = 0;
    }
    ejected
}

/// Envoy's ejectHost: ejects `host` unless the detector is not enforced or
/// the max-ejection cap refuses; returns whether it ejected.
fn attempt(
    spec: &OutlierSpec,
    cap: EjectionCap,
    pc: &mut ProxyCluster,
    host: u32,
    enforced: bool,
    now: u64,
) -> bool {
    let total = pc.hosts.len() as f64;
    let ejected = f64::from(pc.ejected);
    let allowed = match cap {
        EjectionCap::AfterEjection => 100.0 * (ejected + 1.0) / total <= spec.max_ejection_percent,
        EjectionCap::BeforeEjection => 100.0 * ejected / total < spec.max_ejection_percent,
    };
    if !allowed || !enforced {
        return false;
    }
    let h = &mut pc.hosts[host as usize].health;
    if u64::from(h.multiplier) * spec.base_ejection_time
        < spec.max_ejection_time + spec.base_ejection_time
    {
        h.multiplier += 1;
    }
    h.ejected = true;
    h.ejected_at = now;
    pc.ejected += 1;
    true
}

/// The interval tick: returns ejected hosts whose time is up and decays the
/// multiplier of hosts that stayed healthy. `back` hears of each host that
/// returns (its index and when it was ejected); returns how many came back.
pub fn tick(
    spec: &OutlierSpec,
    pc: &mut ProxyCluster,
    now: u64,
    back: &mut dyn FnMut(u32, u64),
) -> u32 {
    let mut returned = 0;
    for (index, slot) in pc.hosts.iter_mut().enumerate() {
        let h = &mut slot.health;
        if !h.ejected {
            h.multiplier = h.multiplier.saturating_sub(1);
            continue;
        }
        let duration =
            (spec.base_ejection_time * u64::from(h.multiplier)).min(spec.max_ejection_time);
        if now - h.ejected_at >= duration {
            h.ejected = false;
            h.consecutive_5xx = 0;
            h.consecutive_gateway = 0;
            returned += 1;
            back(index as u32, h.ejected_at);
        }
    }
    pc.ejected -= returned;
    returned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::destination_rules::EffectiveBlocks;
    use crate::sim::cluster::ClusterSpec;

    fn setup(hosts: u32, od: OutlierDetection) -> (OutlierSpec, ProxyCluster) {
        let spec = OutlierSpec::new(&od);
        let cluster = ClusterSpec::new(
            "h",
            None,
            (0..hosts).collect(),
            &EffectiveBlocks::default(),
            false,
        );
        (spec, ProxyCluster::new(&cluster, 0))
    }

    fn od(max_pct: i64) -> OutlierDetection {
        OutlierDetection {
            consecutive_5xx_errors: Some(3),
            max_ejection_percent: Some(max_pct),
            ..OutlierDetection::default()
        }
    }

    #[test]
    fn ejects_at_the_nth_consecutive_error_and_a_success_resets_the_count() {
        // §4.4 step 1: consecutive5xxErrors 3; connect failures and timeouts
        // count as 5xx in Istio's default (non-split) mode.
        let (spec, mut pc) = setup(2, od(50));
        let steps = [
            (Observation::Status(500), false),
            (Observation::Status(500), false),
            (Observation::Status(200), false),
            (Observation::Status(500), false),
            (Observation::ConnectFailure, false),
            (Observation::Timeout, true),
        ];
        for (at, (observation, ejects)) in steps.into_iter().enumerate() {
            let ejected = observe(
                &spec,
                EjectionCap::AfterEjection,
                &mut pc,
                0,
                observation,
                at as u64,
            );
            assert_eq!(ejected, ejects, "step {at}");
        }
        assert_eq!(pc.ejected, 1);
    }

    #[test]
    fn default_ten_percent_ejects_nothing_below_ten_hosts_on_recent_envoy_but_one_host_on_old() {
        // §4.4 step 3 / §6.10.
        let (spec, mut pc) = setup(3, od(0));
        for t in 0..3 {
            assert!(!observe(
                &spec,
                EjectionCap::AfterEjection,
                &mut pc,
                0,
                Observation::Status(503),
                t
            ));
        }
        let (spec, mut pc) = setup(3, od(0));
        let ejected: Vec<bool> = (0..3)
            .map(|t| {
                observe(
                    &spec,
                    EjectionCap::BeforeEjection,
                    &mut pc,
                    0,
                    Observation::Status(503),
                    t,
                )
            })
            .collect();
        assert_eq!(ejected, vec![false, false, true]);
    }

    /// Three consecutive 500s from `host`, a nanosecond apart from `at`.
    fn three_errors(spec: &OutlierSpec, pc: &mut ProxyCluster, host: u32, at: u64) {
        for t in 0..3 {
            observe(
                spec,
                EjectionCap::AfterEjection,
                pc,
                host,
                Observation::Status(500),
                at + t,
            );
        }
    }

    #[test]
    fn return_happens_at_the_first_tick_after_base_times_multiplier_and_the_multiplier_decays() {
        // §4.4 steps 5-6: base 30s, interval 10s.
        let (spec, mut pc) = setup(2, od(50));
        let s = 1_000_000_000;
        three_errors(&spec, &mut pc, 1, 5 * s);
        assert!(pc.hosts[1].health.ejected);
        assert_eq!(tick(&spec, &mut pc, 30 * s, &mut |_, _| {}), 0);
        assert_eq!(tick(&spec, &mut pc, 40 * s, &mut |_, _| {}), 1);
        // Ejected again at once: the multiplier is now 2, so 60 s.
        three_errors(&spec, &mut pc, 1, 41 * s);
        assert_eq!(pc.hosts[1].health.multiplier, 2);
        assert_eq!(tick(&spec, &mut pc, 100 * s, &mut |_, _| {}), 0);
        assert_eq!(tick(&spec, &mut pc, 110 * s, &mut |_, _| {}), 1);
        tick(&spec, &mut pc, 120 * s, &mut |_, _| {});
        assert_eq!(pc.hosts[1].health.multiplier, 1);
    }
}
