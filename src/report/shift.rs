//! Renders `meshctl shift --plan` and the one-line step summaries.

use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use crate::model::Duration;
use crate::shift::target::Split;

/// `v1 90 / v2 10`.
pub fn weights_text(split: &Split, weights: &[u32]) -> String {
    split
        .destinations
        .iter()
        .zip(weights)
        .map(|(d, w)| format!("{} {w}", d.label))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The remaining schedule as a table, with the time each step is applied
/// when every step is held for `interval` (the first is applied now).
pub fn plan(split: &Split, before: &[u32], schedule: &[u32], interval: Option<Duration>) -> String {
    let mut out = format!(
        "{}: {} now\n",
        split.describe(),
        weights_text(split, before)
    );
    if schedule.is_empty() {
        out.push_str("nothing to do\n");
        return out;
    }
    let mut table = Table::new();
    let mut header = vec!["step".to_string()];
    header.extend(split.destinations.iter().map(|d| d.label.clone()));
    if interval.is_some() {
        header.push("applied at".into());
    }
    table.load_style(UTF8_BORDERS_ONLY).set_header(header);
    let held = |steps: usize| interval.map(|i| Duration::from_nanos(i.as_nanos() * steps as u128));
    for (i, w) in schedule.iter().enumerate() {
        let weights = split.weights_with(before, *w);
        let mut row = vec![(i + 1).to_string()];
        row.extend(weights.iter().map(u32::to_string));
        if let Some(at) = held(i) {
            row.push(format!("+{at}"));
        }
        table.add_row(row);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    let end = if schedule.last() == Some(&0) {
        split.from
    } else {
        split.to
    };
    let label = &split.destinations[end].label;
    let steps = schedule.len();
    match (held(steps - 1), interval) {
        (Some(total), Some(each)) => out.push_str(&format!(
            "{steps} step(s): all traffic on `{label}` after {total} ({each} per step)\n"
        )),
        _ => out.push_str(&format!(
            "{steps} step(s): all traffic on `{label}` at the last\n"
        )),
    }
    out
}
