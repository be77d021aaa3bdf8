//! Renders `meshctl shift --plan` (human and JSON) and the one-line step
//! summaries.

use serde::Serialize;

use super::terminal::{Style, cell};
use crate::model::Duration;
use crate::report_line;
use crate::shift::target::Split;

/// The version of the `shift --plan -o json` format (schemas/output/shift-plan.json).
pub const PLAN_VERSION: u32 = 1;

/// `v1 90 / v2 10`.
pub fn weights_text(split: &Split, weights: &[u32]) -> String {
    labelled(split.destinations.iter().map(|d| d.label.as_str()), weights)
}

fn labelled<'a>(labels: impl Iterator<Item = &'a str>, weights: &[u32]) -> String {
    labels
        .zip(weights)
        .map(|(label, w)| format!("{label} {w}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The rest of a rollout from the current weights: what `--plan` reports.
#[derive(Debug, Serialize)]
pub struct Plan {
    /// Version of this format.
    pub version: u32,
    /// The route being shifted: `VirtualService shop/reviews rule #0`.
    pub route: String,
    pub destinations: Vec<PlanDestination>,
    /// The weights now, in the order of `destinations`.
    pub current: Vec<u32>,
    /// One entry per step still to apply; empty when there is nothing to do.
    pub steps: Vec<PlanStep>,
    /// The destination that has all the traffic after the last step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    /// With `--interval`: how long each step is held, and the time from now
    /// to the last step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// A destination of the shifted route.
#[derive(Debug, Serialize)]
pub struct PlanDestination {
    /// Its subset, or its host when it has none.
    pub label: String,
    pub host: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<String>,
}

/// One step of the plan.
#[derive(Debug, Serialize)]
pub struct PlanStep {
    /// 1 for the step applied now.
    pub step: usize,
    /// The weights after this step, in the order of `destinations`.
    pub weights: Vec<u32>,
    /// With `--interval`: when the step is applied, from now (`0s` for the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<String>,
}

impl Plan {
    /// The plan of `schedule` (the canary's weight at each step) from
    /// `before`, every step held for `interval` when given.
    pub fn new(
        split: &Split,
        before: &[u32],
        schedule: &[u32],
        interval: Option<Duration>,
    ) -> Plan {
        let held =
            |steps: usize| interval.map(|i| Duration::from_nanos(i.as_nanos() * steps as u128));
        let steps = schedule
            .iter()
            .enumerate()
            .map(|(i, w)| PlanStep {
                step: i + 1,
                weights: split.weights_with(before, *w),
                applied_at: held(i).map(|at| at.to_string()),
            })
            .collect();
        let last = schedule.last().map(|&w| {
            let end = if w == 0 { split.from } else { split.to };
            split.destinations[end].label.clone()
        });
        Plan {
            version: PLAN_VERSION,
            route: split.describe(),
            destinations: split
                .destinations
                .iter()
                .map(|d| PlanDestination {
                    label: d.label.clone(),
                    host: d.host.clone(),
                    subset: d.subset.clone(),
                })
                .collect(),
            current: before.to_vec(),
            steps,
            last,
            interval: interval
                .filter(|_| !schedule.is_empty())
                .map(|i| i.to_string()),
            duration: schedule
                .len()
                .checked_sub(1)
                .and_then(held)
                .map(|d| d.to_string()),
        }
    }

    /// `-o json`.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plan serializes") + "\n"
    }

    /// The human report: the weights now, the steps as a table, and when
    /// all traffic is on the last destination.
    pub fn human(&self, style: Style) -> String {
        let mut out = String::new();
        let labels = self.destinations.iter().map(|d| d.label.as_str());
        let now = labelled(labels, &self.current);
        report_line!(&mut out, "{}: {now} now", self.route);
        let Some(last) = &self.last else {
            report_line!(&mut out, "nothing to do");
            return out;
        };
        let mut header = vec!["step".to_string()];
        header.extend(self.destinations.iter().map(|d| cell(&d.label)));
        if self.interval.is_some() {
            header.push("applied at".into());
        }
        let mut table = style.table(header);
        for step in &self.steps {
            let mut row = vec![step.step.to_string()];
            row.extend(step.weights.iter().map(u32::to_string));
            if let Some(at) = &step.applied_at {
                row.push(format!("+{at}"));
            }
            table.add_row(row);
        }
        out.push_str(&format!("{table}\n"));
        let steps = self.steps.len();
        match (&self.duration, &self.interval) {
            (Some(total), Some(each)) => report_line!(
                &mut out,
                "{steps} step(s): all traffic on `{last}` after {total} ({each} per step)"
            ),
            _ => report_line!(
                &mut out,
                "{steps} step(s): all traffic on `{last}` at the last"
            ),
        }
        out
    }
}
