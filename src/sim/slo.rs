//! SLO gates: `success>=99.9%`, `p99<=300ms`, `errors<1%`, `UO<=0.1%`, for
//! the whole run or one destination (`v2: p99 < 300ms`,
//! `reviews/v2: success >= 99.5%`). Each is judged at 95 % confidence: pass
//! or fail when the confidence interval of the measure lies on one side of
//! the threshold, inconclusive when it straddles it (with the requests that
//! would decide it).

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::flags::NAMES;
use super::outcomes::{Z95, ratio, wilson};
use super::stats::{DestinationResult, SimResult};
use crate::model::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

/// A parsed SLO expression.
#[derive(Debug, Clone)]
pub struct Slo {
    text: String,
    /// A subset name or `HOST[/SUBSET]`; `None` for the whole run.
    selector: Option<String>,
    metric: String,
    op: Op,
    /// In the metric's unit: percent for rates, milliseconds for latencies.
    threshold: f64,
}

const LATENCIES: [&str; 6] = ["p50", "p90", "p99", "p999", "mean", "max"];

fn is_rate(metric: &str) -> bool {
    metric == "success" || metric == "errors" || NAMES.contains(&metric)
}

/// The quantile of a percentile metric.
fn quantile(metric: &str) -> Option<f64> {
    match metric {
        "p50" => Some(0.5),
        "p90" => Some(0.9),
        "p99" => Some(0.99),
        "p999" => Some(0.999),
        _ => None,
    }
}

/// How an SLO came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    /// The 95 % interval straddles the threshold.
    Inconclusive,
}

/// An SLO and what the run says about it.
#[derive(Debug, Clone, Serialize)]
pub struct SloResult {
    pub expr: String,
    /// The destinations the SLO is about (`host[/subset]`), empty for the whole run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<String>,
    pub actual: f64,
    /// 95 % confidence interval of the measure, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    pub verdict: Verdict,
    /// True only for a pass: an inconclusive SLO fails the gate.
    pub passed: bool,
    /// For an inconclusive SLO, about how many requests in all would decide it
    /// (`None` when the estimate sits on the threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_needed: Option<u64>,
}

/// The requests an SLO looks at, from the run or from some destinations.
struct View {
    /// Requests (the run's finished ones, or those routed to the destinations).
    n: u64,
    successes: u64,
    flags: BTreeMap<String, u64>,
    latency: Histogram<u64>,
    mean_ms: f64,
    max_ms: f64,
    attempts: f64,
    ejections: u64,
}

impl View {
    fn of_run(r: &SimResult) -> View {
        View {
            n: r.requests,
            successes: (r.success_rate * r.requests as f64).round() as u64,
            flags: r.response_flags.clone(),
            latency: r.latency.clone(),
            mean_ms: r.latency_ms.mean,
            max_ms: r.latency_ms.max,
            attempts: r.attempts.mean,
            ejections: r.ejections,
        }
    }

    fn of_destinations(r: &SimResult, ds: &[&DestinationResult]) -> View {
        let n: u64 = ds.iter().map(|d| d.count).sum();
        let mut latency = r.latency.clone();
        latency.reset();
        let mut flags = BTreeMap::new();
        for d in ds {
            // Same bounds: adding cannot fail.
            let _ = latency.add(&d.latency);
            for (flag, count) in &d.response_flags {
                *flags.entry(flag.clone()).or_default() += count;
            }
        }
        let labels: Vec<String> = ds.iter().map(|d| d.label()).collect();
        View {
            n,
            successes: ds
                .iter()
                .map(|d| (d.success_rate * d.count as f64).round() as u64)
                .sum(),
            flags,
            mean_ms: ds
                .iter()
                .map(|d| d.latency_ms.mean * d.count as f64)
                .sum::<f64>()
                / n.max(1) as f64,
            max_ms: ds.iter().map(|d| d.latency_ms.max).fold(0.0, f64::max),
            attempts: ratio(ds.iter().map(|d| d.tries).sum(), n),
            ejections: r
                .endpoints
                .iter()
                .filter(|e| {
                    e.name
                        .rsplit_once('#')
                        .is_some_and(|(d, _)| labels.iter().any(|l| l == d))
                })
                .map(|e| e.ejections)
                .sum(),
            latency,
        }
    }
}

/// A measure: the estimate, its 95 % interval in the metric's unit, and how
/// many of the view's requests would decide it against a threshold.
struct Measure {
    actual: f64,
    ci95: Option<[f64; 2]>,
    needed: Option<Box<dyn Fn(f64) -> Option<f64>>>,
}

/// Requests for a 95 % interval of a proportion `p` to exclude `t`.
fn proportion_needed(p: f64, t: f64) -> Option<f64> {
    let gap = (p - t).abs();
    (gap > 0.0).then(|| Z95 * Z95 * (p * (1.0 - p)).max(1e-12) / (gap * gap))
}

/// A rate in percent: k of n, with its Wilson interval.
fn rate(k: u64, n: u64) -> Measure {
    let p = ratio(k, n);
    let [lo, hi] = wilson(k, n);
    Measure {
        actual: 100.0 * p,
        ci95: Some([100.0 * lo, 100.0 * hi]),
        needed: Some(Box::new(move |t| proportion_needed(p, t / 100.0))),
    }
}

/// Percentile `q` of `latency` (µs) in ms, with the order-statistic interval:
/// the ranks n·q ∓ z·√(n·q·(1−q)).
fn percentile(latency: &Histogram<u64>, q: f64) -> Measure {
    let n = latency.len() as f64;
    let ms = |x: f64| latency.value_at_quantile(x.clamp(0.0, 1.0)) as f64 / 1000.0;
    if n == 0.0 {
        return Measure {
            actual: 0.0,
            ci95: None,
            needed: None,
        };
    }
    let half = Z95 * (n * q * (1.0 - q)).sqrt();
    let lo_rank = (n * q - half).floor().max(1.0);
    let hi_rank = (n * q + half).ceil().min(n);
    let below = {
        let latency = latency.clone();
        move |t_ms: f64| {
            let t_us = (t_ms * 1000.0).max(0.0) as u64;
            latency.count_between(0, t_us) as f64 / latency.len().max(1) as f64
        }
    };
    Measure {
        actual: ms(q),
        ci95: Some([ms(lo_rank / n), ms(hi_rank / n)]),
        needed: Some(Box::new(move |t| proportion_needed(below(t), q))),
    }
}

/// The mean latency in ms, with a normal interval from the histogram's spread.
fn mean(latency: &Histogram<u64>, mean_ms: f64) -> Measure {
    let n = latency.len() as f64;
    let sd_ms = latency.stdev() / 1000.0;
    let half = if n > 0.0 { Z95 * sd_ms / n.sqrt() } else { 0.0 };
    Measure {
        actual: mean_ms,
        ci95: Some([mean_ms - half, mean_ms + half]),
        needed: Some(Box::new(move |t| {
            let gap = (mean_ms - t).abs();
            (gap > 0.0).then(|| (Z95 * sd_ms / gap).powi(2))
        })),
    }
}

/// A value without an interval (max, attempts, ejections).
fn exact(actual: f64) -> Measure {
    Measure {
        actual,
        ci95: None,
        needed: None,
    }
}

impl Slo {
    /// Parses `[SELECTOR:] METRIC OP VALUE`. Metrics: success and errors
    /// (percent of requests), a response flag such as UO or URX (percent of
    /// requests with it), p50 p90 p99 p999 mean max (latency), attempts
    /// (mean tries), ejections (count). SELECTOR is a subset name or
    /// `HOST[/SUBSET]`.
    pub fn parse(text: &str) -> Result<Slo, String> {
        let (selector, expr) = match text.split_once(':') {
            Some((sel, rest)) if !sel.contains(['<', '>', '=']) => {
                let sel = sel.trim();
                if sel.is_empty() {
                    return Err(format!(
                        "SLO `{text}`: nothing before `:`; write a subset name or HOST[/SUBSET], such as `v2: p99 < 300ms`"
                    ));
                }
                (Some(sel.to_string()), rest)
            }
            _ => (None, text),
        };
        let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
        let (at, op, width) = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("=", Op::Eq),
        ]
        .iter()
        .find_map(|(sym, op)| compact.find(sym).map(|i| (i, *op, sym.len())))
        .ok_or_else(|| format!("SLO `{text}` has no comparison (>=, <=, >, <, ==)"))?;
        let metric = compact[..at].to_string();
        let value = &compact[at + width..];
        let known = is_rate(&metric)
            || LATENCIES.contains(&metric.as_str())
            || metric == "attempts"
            || metric == "ejections";
        if !known {
            return Err(format!(
                "SLO `{text}`: unknown metric `{metric}` (use success, errors, p50, p90, p99, p999, mean, max, attempts, ejections or a response flag such as UO)"
            ));
        }
        let bad = |what: &str| format!("SLO `{text}`: `{value}` is not {what}");
        let threshold = if is_rate(&metric) {
            match value.strip_suffix('%') {
                Some(pct) => pct.parse::<f64>().map_err(|_| bad("a percentage"))?,
                None => value.parse::<f64>().map_err(|_| bad("a percentage"))? * 100.0,
            }
        } else if LATENCIES.contains(&metric.as_str()) {
            match value.parse::<f64>() {
                Ok(ms) => ms,
                Err(_) => {
                    Duration::parse(value)
                        .map_err(|_| bad("a duration such as 300ms"))?
                        .as_nanos() as f64
                        / 1e6
                }
            }
        } else {
            value.parse::<f64>().map_err(|_| bad("a number"))?
        };
        Ok(Slo {
            text: text.trim().to_string(),
            selector,
            metric,
            op,
            threshold,
        })
    }

    /// The metric: success, errors, p99, mean, a response flag, ...
    pub fn metric(&self) -> &str {
        &self.metric
    }

    /// The threshold in the metric's unit (percent for rates, ms for latencies).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The destinations (`host[/subset]` labels) the selector picks among
    /// `labels`: `HOST/SUBSET`, else a subset name, else a host (short or
    /// FQDN). An error names what the run has when nothing matches.
    pub fn select<'l>(&self, labels: &'l [String]) -> Result<Vec<&'l String>, String> {
        let Some(sel) = &self.selector else {
            return Ok(Vec::new());
        };
        let host_is = |host: &str, want: &str| {
            host == want
                || host
                    .strip_prefix(want)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        let split = |l: &'l String| l.split_once('/').unwrap_or((l.as_str(), ""));
        let picked: Vec<&String> = match sel.split_once('/') {
            Some((host, subset)) => labels
                .iter()
                .filter(|l| {
                    let (h, s) = split(l);
                    host_is(h, host) && s == subset
                })
                .collect(),
            None => {
                let by_subset: Vec<&String> = labels.iter().filter(|l| split(l).1 == sel).collect();
                if by_subset.is_empty() {
                    labels.iter().filter(|l| host_is(split(l).0, sel)).collect()
                } else {
                    by_subset
                }
            }
        };
        if picked.is_empty() {
            return Err(format!(
                "SLO `{}`: no destination of the run is `{sel}` (the run has {})",
                self.text,
                if labels.is_empty() {
                    "none".to_string()
                } else {
                    labels.join(", ")
                }
            ));
        }
        Ok(picked)
    }

    fn measure(&self, view: &View) -> Measure {
        match self.metric.as_str() {
            "success" => rate(view.successes, view.n),
            "errors" => rate(view.n - view.successes.min(view.n), view.n),
            "mean" => mean(&view.latency, view.mean_ms),
            "max" => exact(view.max_ms),
            "attempts" => exact(view.attempts),
            "ejections" => exact(view.ejections as f64),
            metric => match quantile(metric) {
                Some(q) => percentile(&view.latency, q),
                None => rate(view.flags.get(metric).copied().unwrap_or(0), view.n),
            },
        }
    }

    fn holds(&self, value: f64) -> bool {
        let t = self.threshold;
        match self.op {
            Op::Ge => value >= t,
            Op::Gt => value > t,
            Op::Le => value <= t,
            Op::Lt => value < t,
            Op::Eq => (value - t).abs() < 1e-9,
        }
    }

    /// Judges the SLO on a run; an error when its selector matches no destination.
    pub fn check(&self, r: &SimResult) -> Result<SloResult, String> {
        let labels: Vec<String> = r
            .destinations
            .iter()
            .map(DestinationResult::label)
            .collect();
        let picked = self.select(&labels)?;
        let view = if self.selector.is_some() {
            let ds: Vec<&DestinationResult> = r
                .destinations
                .iter()
                .filter(|d| picked.contains(&&d.label()))
                .collect();
            View::of_destinations(r, &ds)
        } else {
            View::of_run(r)
        };
        let m = self.measure(&view);
        let verdict = match (m.ci95, self.op) {
            (Some([lo, hi]), op) if op != Op::Eq => {
                let (good, bad) = match op {
                    Op::Ge | Op::Gt => (lo, hi),
                    _ => (hi, lo),
                };
                if self.holds(good) {
                    Verdict::Pass
                } else if !self.holds(bad) {
                    Verdict::Fail
                } else {
                    Verdict::Inconclusive
                }
            }
            _ if self.holds(m.actual) => Verdict::Pass,
            _ => Verdict::Fail,
        };
        let requests_needed = match (&m.needed, verdict) {
            (Some(needed), Verdict::Inconclusive) => needed(self.threshold).map(|n| {
                // Scale the view's requests up to the run's.
                (n * r.requests.max(1) as f64 / view.n.max(1) as f64).ceil() as u64
            }),
            _ => None,
        };
        Ok(SloResult {
            expr: self.text.clone(),
            destinations: picked.into_iter().cloned().collect(),
            actual: m.actual,
            ci95: m.ci95,
            verdict,
            passed: verdict == Verdict::Pass,
            requests_needed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates_latencies_counts_and_selectors() {
        let s = Slo::parse("success >= 99.9%").unwrap();
        assert_eq!(
            (s.metric.as_str(), s.op, s.threshold, s.selector),
            ("success", Op::Ge, 99.9, None)
        );
        assert_eq!(Slo::parse("p99<=300ms").unwrap().threshold, 300.0);
        assert_eq!(Slo::parse("p99<=1.5s").unwrap().threshold, 1500.0);
        assert_eq!(Slo::parse("errors<0.01").unwrap().threshold, 1.0);
        assert_eq!(Slo::parse("UO<=0.1%").unwrap().threshold, 0.1);
        let s = Slo::parse("reviews/v2: p99 < 300ms").unwrap();
        assert_eq!(
            (s.selector.as_deref(), s.metric.as_str(), s.threshold),
            (Some("reviews/v2"), "p99", 300.0)
        );
        assert!(
            Slo::parse(": p99 < 3")
                .unwrap_err()
                .contains("nothing before")
        );
        assert!(
            Slo::parse("latency<=3")
                .unwrap_err()
                .contains("unknown metric")
        );
        assert!(
            Slo::parse("p99 300ms")
                .unwrap_err()
                .contains("no comparison")
        );
        assert!(
            Slo::parse("p99<=fast")
                .unwrap_err()
                .contains("not a duration")
        );
    }

    #[test]
    fn selectors_pick_a_subset_a_host_or_both() {
        let labels: Vec<String> = [
            "reviews.default.svc.cluster.local/v1",
            "reviews.default.svc.cluster.local/v2",
            "ratings.default.svc.cluster.local",
        ]
        .map(String::from)
        .to_vec();
        let picks = |text: &str| -> Result<Vec<String>, String> {
            Slo::parse(text)
                .unwrap()
                .select(&labels)
                .map(|p| p.into_iter().cloned().collect())
        };
        assert_eq!(picks("v2: p99<1").unwrap(), vec![labels[1].clone()]);
        assert_eq!(picks("reviews/v1: p99<1").unwrap(), vec![labels[0].clone()]);
        assert_eq!(picks("reviews: p99<1").unwrap().len(), 2);
        assert_eq!(
            picks("ratings.default.svc.cluster.local: p99<1").unwrap(),
            vec![labels[2].clone()]
        );
        assert!(picks("v3: p99<1").unwrap_err().contains("no destination"));
        assert!(picks("rev: p99<1").is_err(), "a host prefix is not a host");
    }

    #[test]
    fn a_proportion_is_decided_once_the_interval_excludes_the_threshold() {
        // 99 % measured against 98 %: z²·p(1−p)/gap² ≈ 380 requests.
        let n = proportion_needed(0.99, 0.98).unwrap();
        assert!((370.0..390.0).contains(&n), "{n}");
        let [lo, _] = wilson(990, 1000);
        assert!(lo > 0.98, "1000 requests decide it: {lo}");
        assert_eq!(proportion_needed(0.5, 0.5), None);
    }
}
