//! Service-time distributions of scenario.md, sampled in nanoseconds.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, LogNormal, Pareto};

use super::scenario::{LatencySpec, ScenarioError};
use crate::model::Duration;

/// z such that Φ(z) = 0.99: lognormal fitting through p50 and p99.
const Z99: f64 = 2.326_347_874_040_841;
/// Samples are capped at one hour, the histogram's range.
pub const MAX_NANOS: u64 = 3_600_000_000_000;
const NANOS_PER_SECOND: f64 = 1e9;

/// A service-time distribution.
#[derive(Debug, Clone)]
pub enum Latency {
    Constant(u64),
    Uniform {
        min: u64,
        max: u64,
    },
    Exponential {
        mean: f64,
    },
    /// Lognormal of ln(seconds).
    LogNormal(LogNormal<f64>),
    /// Pareto in seconds.
    Pareto(Pareto<f64>),
    /// Piecewise-linear quantile function: (quantile, nanoseconds), sorted.
    Empirical(Vec<(f64, f64)>),
}

fn nanos(text: &str, pointer: &str) -> Result<u64, ScenarioError> {
    Duration::parse(text)
        .map(|d| d.as_nanos().min(u128::from(MAX_NANOS)) as u64)
        .map_err(|e| ScenarioError::at(pointer, e.to_string()))
}

fn need<'a>(
    field: &'a Option<String>,
    name: &str,
    form: &str,
    pointer: &str,
) -> Result<&'a str, ScenarioError> {
    field
        .as_deref()
        .ok_or_else(|| ScenarioError::at(pointer, format!("a {form} latency needs `{name}`")))
}

impl Latency {
    /// Reads a latency form; `pointer` locates the latency object.
    pub fn from_spec(spec: &LatencySpec, pointer: &str) -> Result<Latency, ScenarioError> {
        let at = |field: &str| format!("{pointer}/{field}");
        let form = spec.distribution.as_deref().unwrap_or("lognormal");
        match form {
            "constant" => Ok(Latency::Constant(nanos(
                need(&spec.value, "value", form, pointer)?,
                &at("value"),
            )?)),
            "uniform" => {
                let min = nanos(need(&spec.min, "min", form, pointer)?, &at("min"))?;
                let max = nanos(need(&spec.max, "max", form, pointer)?, &at("max"))?;
                if max < min {
                    return Err(ScenarioError::at(at("max"), "`max` is below `min`"));
                }
                Ok(Latency::Uniform { min, max })
            }
            "exponential" => Ok(Latency::Exponential {
                mean: nanos(need(&spec.mean, "mean", form, pointer)?, &at("mean"))? as f64,
            }),
            "lognormal" => {
                let (mu, sigma) = match (spec.mu, spec.sigma, &spec.p50, &spec.p99) {
                    (Some(mu), Some(sigma), _, _) => (mu, sigma),
                    (_, _, Some(p50), Some(p99)) => {
                        let p50 = nanos(p50, &at("p50"))? as f64 / NANOS_PER_SECOND;
                        let p99 = nanos(p99, &at("p99"))? as f64 / NANOS_PER_SECOND;
                        if p50 <= 0.0 {
                            return Err(ScenarioError::at(at("p50"), "`p50` must be above 0"));
                        }
                        if p99 < p50 {
                            return Err(ScenarioError::at(at("p99"), "`p99` is below `p50`"));
                        }
                        (p50.ln(), (p99 / p50).ln() / Z99)
                    }
                    _ => {
                        return Err(ScenarioError::at(
                            pointer,
                            "a lognormal latency needs `p50` and `p99`, or `mu` and `sigma`",
                        ));
                    }
                };
                LogNormal::new(mu, sigma)
                    .map(Latency::LogNormal)
                    .map_err(|e| ScenarioError::at(pointer, format!("invalid lognormal: {e}")))
            }
            "pareto" => {
                let scale = nanos(need(&spec.scale, "scale", form, pointer)?, &at("scale"))?;
                let shape = spec
                    .shape
                    .ok_or_else(|| ScenarioError::at(pointer, "a pareto latency needs `shape`"))?;
                Pareto::new(scale as f64 / NANOS_PER_SECOND, shape)
                    .map(Latency::Pareto)
                    .map_err(|e| ScenarioError::at(at("scale"), format!("invalid pareto: {e}")))
            }
            "empirical" => empirical(spec, pointer),
            other => Err(ScenarioError::at(
                at("distribution"),
                format!("unknown distribution `{other}`"),
            )),
        }
    }

    /// One service time in nanoseconds.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let seconds = match self {
            Latency::Constant(v) => return *v,
            Latency::Uniform { min, max } => {
                return if max > min {
                    rng.random_range(*min..=*max)
                } else {
                    *min
                };
            }
            Latency::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                return clamp(e * mean);
            }
            Latency::LogNormal(d) => d.sample(rng),
            Latency::Pareto(d) => d.sample(rng),
            Latency::Empirical(points) => {
                let u: f64 = rng.random();
                return clamp(quantile(points, u));
            }
        };
        clamp(seconds * NANOS_PER_SECOND)
    }

    /// The distribution's mean in nanoseconds, where it has a closed form.
    pub fn mean(&self) -> Option<f64> {
        match self {
            Latency::Constant(v) => Some(*v as f64),
            Latency::Uniform { min, max } => Some((*min as f64 + *max as f64) / 2.0),
            Latency::Exponential { mean } => Some(*mean),
            _ => None,
        }
    }
}

fn clamp(nanos: f64) -> u64 {
    if nanos.is_finite() && nanos > 0.0 {
        (nanos as u64).min(MAX_NANOS)
    } else if nanos > 0.0 {
        MAX_NANOS
    } else {
        0
    }
}

fn quantile(points: &[(f64, f64)], u: f64) -> f64 {
    let i = points.partition_point(|(q, _)| *q <= u);
    if i == 0 {
        return points[0].1;
    }
    if i == points.len() {
        return points[i - 1].1;
    }
    let (q0, v0) = points[i - 1];
    let (q1, v1) = points[i];
    v0 + (v1 - v0) * (u - q0) / (q1 - q0)
}

/// `{p50: 20ms, p90: 60ms, p99: 200ms, p100: 1s}`: linear between the given
/// quantiles, from 0 at p0 when p0 is not given, flat above the highest.
fn empirical(spec: &LatencySpec, pointer: &str) -> Result<Latency, ScenarioError> {
    if spec.percentiles.is_empty() {
        return Err(ScenarioError::at(
            pointer,
            "an empirical latency needs `percentiles`, e.g. {p50: 20ms, p99: 200ms, p100: 1s}",
        ));
    }
    let mut points = Vec::new();
    for (key, value) in &spec.percentiles {
        let at = format!("{pointer}/percentiles/{key}");
        let q: f64 = key
            .strip_prefix('p')
            .and_then(|n| n.parse().ok())
            .filter(|q: &f64| (0.0..=100.0).contains(q))
            .ok_or_else(|| {
                ScenarioError::at(&at, format!("`{key}` is not a percentile (p0..p100)"))
            })?;
        points.push((q / 100.0, nanos(value, &at)? as f64));
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points[0].0 > 0.0 {
        points.insert(0, (0.0, 0.0));
    }
    if let Some(w) = points.windows(2).find(|w| w[1].1 < w[0].1) {
        return Err(ScenarioError::at(
            format!("{pointer}/percentiles"),
            format!(
                "percentiles must not decrease: p{} is below p{}",
                w[1].0 * 100.0,
                w[0].0 * 100.0
            ),
        ));
    }
    Ok(Latency::Empirical(points))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn lognormal(p50: &str, p99: &str) -> LatencySpec {
        LatencySpec {
            p50: Some(p50.into()),
            p99: Some(p99.into()),
            ..LatencySpec::default()
        }
    }

    fn empirical_quantile(latency: &Latency, q: f64, n: usize) -> f64 {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let mut xs: Vec<u64> = (0..n).map(|_| latency.sample(&mut rng)).collect();
        xs.sort_unstable();
        xs[(q * n as f64) as usize] as f64 / 1e6
    }

    #[test]
    fn lognormal_through_two_percentiles_reproduces_them() {
        let l = Latency::from_spec(&lognormal("20ms", "150ms"), "").unwrap();
        // 200k samples: the sample quantiles are within 3% of the targets.
        let p50 = empirical_quantile(&l, 0.50, 200_000);
        let p99 = empirical_quantile(&l, 0.99, 200_000);
        assert!((p50 - 20.0).abs() < 0.6, "p50 {p50}");
        assert!((p99 - 150.0).abs() < 4.5, "p99 {p99}");
    }

    #[test]
    fn empirical_interpolates_between_percentiles() {
        let spec = LatencySpec {
            distribution: Some("empirical".into()),
            percentiles: [("p50", "20ms"), ("p90", "60ms"), ("p100", "100ms")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..LatencySpec::default()
        };
        let l = Latency::from_spec(&spec, "").unwrap();
        let points = match &l {
            Latency::Empirical(points) => points.as_slice(),
            _ => &[],
        };
        assert!(
            !points.is_empty(),
            "an empirical spec gives an empirical latency"
        );
        for (q, ms) in [(0.25, 10.0), (0.7, 40.0), (0.95, 80.0), (1.0, 100.0)] {
            assert!((quantile(points, q) / 1e6 - ms).abs() < 1e-9, "q{q}");
        }
    }

    #[test]
    fn a_lognormal_with_p99_below_p50_is_refused_at_p99() {
        let err = Latency::from_spec(&lognormal("20ms", "10ms"), "/l").unwrap_err();
        assert_eq!(err.pointer, "/l/p99");
    }
}
