//! `--slo` gates: `success>=99.9%`, `p99<=300ms`, `errors<1%`, `UO<=0.1%`.

use super::flags::NAMES;
use super::stats::{SimResult, SloResult};
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
    metric: String,
    op: Op,
    /// In the metric's unit: percent for rates, milliseconds for latencies.
    threshold: f64,
}

const LATENCIES: [&str; 6] = ["p50", "p90", "p99", "p999", "mean", "max"];

fn is_rate(metric: &str) -> bool {
    metric == "success" || metric == "errors" || NAMES.contains(&metric)
}

impl Slo {
    /// Parses `METRIC OP VALUE`. Metrics: success and errors (percent of
    /// requests), a response flag such as UO or URX (percent of requests with
    /// it), p50 p90 p99 p999 mean max (latency), attempts (mean tries),
    /// ejections (count).
    pub fn parse(text: &str) -> Result<Slo, String> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
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
            metric,
            op,
            threshold,
        })
    }

    fn actual(&self, r: &SimResult) -> f64 {
        let pct = |n: u64| {
            if r.requests == 0 {
                0.0
            } else {
                100.0 * n as f64 / r.requests as f64
            }
        };
        match self.metric.as_str() {
            "success" => 100.0 * r.success_rate,
            "errors" => 100.0 - 100.0 * r.success_rate,
            "p50" => r.latency_ms.p50,
            "p90" => r.latency_ms.p90,
            "p99" => r.latency_ms.p99,
            "p999" => r.latency_ms.p999,
            "mean" => r.latency_ms.mean,
            "max" => r.latency_ms.max,
            "attempts" => r.attempts.mean,
            "ejections" => r.ejections as f64,
            flag => pct(r.response_flags.get(flag).copied().unwrap_or(0)),
        }
    }

    /// Evaluates the SLO on a run.
    pub fn check(&self, r: &SimResult) -> SloResult {
        let actual = self.actual(r);
        let t = self.threshold;
        let passed = match self.op {
            Op::Ge => actual >= t,
            Op::Gt => actual > t,
            Op::Le => actual <= t,
            Op::Lt => actual < t,
            Op::Eq => (actual - t).abs() < 1e-9,
        };
        SloResult {
            expr: self.text.clone(),
            actual,
            passed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates_latencies_and_counts() {
        let s = Slo::parse("success >= 99.9%").unwrap();
        assert_eq!(
            (s.metric.as_str(), s.op, s.threshold),
            ("success", Op::Ge, 99.9)
        );
        assert_eq!(Slo::parse("p99<=300ms").unwrap().threshold, 300.0);
        assert_eq!(Slo::parse("p99<=1.5s").unwrap().threshold, 1500.0);
        assert_eq!(Slo::parse("errors<0.01").unwrap().threshold, 1.0);
        assert_eq!(Slo::parse("UO<=0.1%").unwrap().threshold, 0.1);
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
}
