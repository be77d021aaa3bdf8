//! What one run simulates at most. A scenario or flag past a limit would
//! exhaust memory or run for hours; it is refused before the run, naming the
//! value and the limit.

use super::model::{Change, Model, Overrides, Stop};
use super::scenario::ScenarioError;

/// Requests per second, every stream together.
pub const MAX_RATE: f64 = 1_000_000.0;
/// Requests one run sends.
pub const MAX_REQUESTS: f64 = 100_000_000.0;
/// Simulated seconds one run covers (a week).
pub const MAX_SIMULATED_SECONDS: f64 = 7.0 * 24.0 * 3600.0;
/// Endpoint states tracked: client proxies × endpoints of the clusters.
pub const MAX_ENDPOINT_STATES: u64 = 4_000_000;

const NANOS_PER_SECOND: f64 = 1e9;

/// Where a limited value was written: a flag, else a scenario field.
fn origin(flag: Option<&str>, pointer: &str) -> (String, String) {
    match flag {
        Some(flag) => (String::new(), format!("{flag} gives ")),
        None => (pointer.to_string(), String::new()),
    }
}

/// Refuses a model that would run past a limit.
pub fn check(model: &Model, overrides: &Overrides) -> Result<(), ScenarioError> {
    let rate: f64 = model.streams.iter().map(|s| s.rate).sum();
    let peak: f64 = model
        .streams
        .iter()
        .enumerate()
        .map(|(i, s)| {
            model
                .changes
                .iter()
                .filter_map(|c| match c.change {
                    Change::Rate { stream, rate } if stream as usize == i => Some(rate),
                    _ => None,
                })
                .fold(s.rate, f64::max)
        })
        .sum();
    let rate_flag = overrides.rate.map(|_| "--rate");
    for (total, pointer, when) in [
        (rate, "/spec/traffic", ""),
        (peak, "/spec/events", " after the traffic events"),
    ] {
        if total.is_nan() || total > MAX_RATE {
            let (at, by) = origin(rate_flag, pointer);
            return Err(ScenarioError::at(
                at,
                format!(
                    "{by}a total rate of {} requests/s{when}, more than one run simulates (at most {} requests/s)",
                    number(total),
                    number(MAX_RATE)
                ),
            ));
        }
    }
    match model.stop {
        Stop::Requests(n) => {
            let (at, by) = origin(overrides.requests.map(|_| "--requests"), "/spec/requests");
            if n == 0 {
                return Err(ScenarioError::at(
                    at,
                    format!("{by}0 requests: nothing to simulate"),
                ));
            }
            let n = n as f64;
            if n > MAX_REQUESTS {
                return Err(ScenarioError::at(
                    at,
                    format!(
                        "{by}{} requests, more than one run sends (at most {})",
                        number(n),
                        number(MAX_REQUESTS)
                    ),
                ));
            }
            let seconds = n / rate;
            if seconds > MAX_SIMULATED_SECONDS {
                let flag = overrides.requests.map(|_| "--requests").or(rate_flag);
                let (at, by) = origin(flag, "/spec/requests");
                return Err(ScenarioError::at(
                    at,
                    format!(
                        "{by}{} requests at {} requests/s, about {} of simulated time, more than one run covers (at most {}): send fewer requests or raise the rate",
                        number(n),
                        number(rate),
                        days(seconds),
                        days(MAX_SIMULATED_SECONDS)
                    ),
                ));
            }
        }
        Stop::Duration(d) => {
            let (at, by) = origin(overrides.duration.map(|_| "--duration"), "/spec/duration");
            if d == 0 {
                return Err(ScenarioError::at(
                    at,
                    format!("{by}no simulated time: nothing to simulate"),
                ));
            }
            let seconds = d as f64 / NANOS_PER_SECOND;
            if seconds > MAX_SIMULATED_SECONDS {
                return Err(ScenarioError::at(
                    at,
                    format!(
                        "{by}{} of simulated time, more than one run covers (at most {})",
                        days(seconds),
                        days(MAX_SIMULATED_SECONDS)
                    ),
                ));
            }
            let expected = peak * seconds;
            if expected > MAX_REQUESTS {
                return Err(ScenarioError::at(
                    at,
                    format!(
                        "{by}about {} requests ({} requests/s for {}), more than one run sends (at most {}): shorten the duration or lower the rate",
                        number(expected.round()),
                        number(peak),
                        days(seconds),
                        number(MAX_REQUESTS)
                    ),
                ));
            }
        }
    }
    let endpoints: u64 = model.clusters.iter().map(|c| c.hosts.len() as u64).sum();
    let states = u64::from(model.clients).saturating_mul(endpoints);
    if states > MAX_ENDPOINT_STATES {
        return Err(ScenarioError::at(
            "/spec/traffic",
            format!(
                "{} client proxies (traffic clients and calling endpoints) × {endpoints} endpoints of the clusters they call is {states} endpoint states, more than one run tracks (at most {MAX_ENDPOINT_STATES}): use fewer `clients` or endpoints",
                model.clients
            ),
        ));
    }
    Ok(())
}

/// A number for messages: plain in everyday ranges, else in e-notation.
fn number(x: f64) -> String {
    if x == 0.0 || (1e-4..1e12).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Seconds as days, hours or seconds, for messages.
fn days(seconds: f64) -> String {
    let (value, unit) = if seconds >= 86_400.0 {
        (seconds / 86_400.0, "days")
    } else if seconds >= 3_600.0 {
        (seconds / 3_600.0, "h")
    } else {
        (seconds, "s")
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}
