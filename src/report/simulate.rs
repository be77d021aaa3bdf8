//! Renders a simulation result: human tables with a terminal histogram,
//! JSON (cli.md), and a self-contained HTML page with SVG charts.

use std::fmt::Write;

use comfy_table::{CellAlignment, Table};

use super::charts;
use super::terminal::{Style, Tone, cell};
use crate::report_line;
use crate::sim::SimResult;
use crate::sim::slo::{Slo, SloResult, Verdict};

/// Rows of the terminal latency histogram.
const HISTOGRAM_ROWS: usize = 14;
const BAR_WIDTH: usize = 40;

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// `host / subset`, on one line whatever the input holds.
fn destination_label(host: &str, subset: &Option<String>) -> String {
    match subset {
        Some(s) => cell(&format!("{host} / {s}")),
        None => cell(host),
    }
}

/// Latency buckets merged into at most `rows` rows, empty ends dropped.
fn histogram_rows(r: &SimResult, rows: usize) -> Vec<(f64, f64, u64)> {
    let buckets: Vec<(f64, u64)> = r.latency_histogram.clone();
    let first = buckets.iter().position(|(_, n)| *n > 0);
    let last = buckets.iter().rposition(|(_, n)| *n > 0);
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let used = &buckets[first..=last];
    let per_row = used.len().div_ceil(rows).max(1);
    let mut lower = if first == 0 {
        0.0
    } else {
        buckets[first - 1].0
    };
    used.chunks(per_row)
        .map(|chunk| {
            let upper = chunk.last().map_or(lower, |(u, _)| *u);
            let row = (lower, upper, chunk.iter().map(|(_, n)| n).sum());
            lower = upper;
            row
        })
        .collect()
}

fn bar(count: u64, max: u64) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    if max == 0 || count == 0 {
        return String::new();
    }
    let eighths = (count as f64 / max as f64 * (BAR_WIDTH * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8 - 1]);
    }
    if s.is_empty() {
        s.push('▏');
    }
    s
}

/// The human report.
pub fn human(r: &SimResult, style: Style) -> String {
    let mut out = String::new();
    report_line!(
        &mut out,
        "Simulated `{}`: {} requests over {:.1} s of simulated time (seed {})",
        r.scenario,
        thousands(r.requests),
        r.simulated_seconds,
        r.seed
    );
    report_line!(&mut out);
    let mut table = style.table([
        "destination",
        "requests",
        "share",
        "95% CI",
        "tries/req",
        "success",
    ]);
    for d in &r.destinations {
        let name = destination_label(&d.host, &d.subset);
        table.add_row(vec![
            if d.cluster_missing {
                format!("{name} (no cluster: 503 NC)")
            } else {
                name
            },
            thousands(d.count),
            pct(d.share),
            format!("{:.2}–{:.2}%", 100.0 * d.ci95[0], 100.0 * d.ci95[1]),
            format!("{:.3}", d.amplification),
            pct(d.success_rate),
        ]);
    }
    for col in 1..6 {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    out.push_str(&format!("{table}\n"));
    if !r.destinations.is_empty() {
        out.push_str(&format!("{}\n", outcome_table(r, style)));
    }
    if r.local_responses > 0 {
        report_line!(
            &mut out,
            "{} requests answered by the proxy itself (no route, redirect, direct response, fault abort, missing cluster)",
            thousands(r.local_responses)
        );
    }
    for m in &r.mirrors {
        report_line!(
            &mut out,
            "mirror {}: {} copies, {} failed (responses ignored)",
            m.destination,
            thousands(m.requests),
            thousands(m.errors)
        );
    }
    report_line!(&mut out);
    report_line!(&mut out, "success rate {} (1xx–3xx)", pct(r.success_rate));
    let codes: Vec<String> = r
        .status_codes
        .iter()
        .map(|(c, n)| format!("{c} {}", thousands(*n)))
        .collect();
    report_line!(&mut out, "status codes    {}", codes.join("  "));
    let flags: Vec<String> = r
        .response_flags
        .iter()
        .map(|(f, n)| format!("{f} {}", thousands(*n)))
        .collect();
    report_line!(
        &mut out,
        "response flags  {}",
        if flags.is_empty() {
            "none".to_string()
        } else {
            flags.join("  ")
        }
    );
    let o = &r.overflow;
    if o.pending + o.max_requests + o.max_retries > 0 {
        report_line!(
            &mut out,
            "UO by breaker   pending queue {}  max requests {}  max retries {}",
            thousands(o.pending),
            thousands(o.max_requests),
            thousands(o.max_retries)
        );
    }
    let tries: Vec<String> = r
        .attempts
        .histogram
        .iter()
        .map(|(k, n)| format!("{k}× {}", thousands(*n)))
        .collect();
    report_line!(
        &mut out,
        "tries/request   mean {:.3}   {}",
        r.attempts.mean,
        tries.join("  ")
    );
    report_line!(
        &mut out,
        "ejections       {}{}",
        r.ejections,
        r.ejection_events
            .first()
            .map(|e| format!(
                " (first at {:.1} s: {} on client proxy {})",
                e.at_s, e.endpoint, e.client
            ))
            .unwrap_or_default()
    );
    if r.ejections > 0 {
        let per = r.series.ejections.len().div_ceil(SPARKLINE_WIDTH).max(1);
        let merged: Vec<u64> = r
            .series
            .ejections
            .chunks(per)
            .map(|c| c.iter().sum())
            .collect();
        report_line!(
            &mut out,
            "ejections over time  |{}|  ({} s per column)",
            sparkline(&merged),
            r.series.step_seconds * per as u64
        );
    }
    if r.endpoints.iter().any(|e| e.errors > 0 || e.ejections > 0) {
        out.push_str(&format!("\n{}\n", endpoint_table(r, style)));
    }
    if !r.slowest.is_empty() {
        report_line!(&mut out);
        report_line!(
            &mut out,
            "services, every hop (requests received per entry request, retries included)"
        );
        out.push_str(&format!("{}\n", service_table(r, style)));
        slowest_paths(r, &mut out);
    }
    let l = &r.latency_ms;
    report_line!(&mut out);
    report_line!(
        &mut out,
        "latency ms      p50 {:.1}  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  mean {:.1}  max {:.1}",
        l.p50,
        l.p90,
        l.p99,
        l.p999,
        l.mean,
        l.max
    );
    let rows = histogram_rows(r, HISTOGRAM_ROWS);
    let max = rows.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
    for (lo, hi, n) in rows {
        report_line!(
            &mut out,
            "  {:>9.1} – {:<9.1} {:>10} {}",
            lo,
            hi,
            thousands(n),
            bar(n, max)
        );
    }
    if !r.slo.is_empty() {
        out.push('\n');
        for s in &r.slo {
            slo_line(s, style, &mut out);
        }
    }
    for w in &r.warnings {
        report_line!(&mut out, "warning: {w}");
    }
    out
}

/// Latency percentiles, status codes and response flags per destination.
fn outcome_table(r: &SimResult, style: Style) -> Table {
    let mut table = style.table([
        "destination",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "status codes",
        "response flags",
    ]);
    let counts = |m: &std::collections::BTreeMap<String, u64>| {
        if m.is_empty() {
            "-".to_string()
        } else {
            m.iter()
                .map(|(k, n)| format!("{k} {}", thousands(*n)))
                .collect::<Vec<_>>()
                .join("  ")
        }
    };
    for d in &r.destinations {
        let l = &d.latency_ms;
        table.add_row(vec![
            destination_label(&d.host, &d.subset),
            format!("{:.1}", l.p50),
            format!("{:.1}", l.p90),
            format!("{:.1}", l.p99),
            format!("{:.1}", l.p999),
            counts(&d.status_codes),
            counts(&d.response_flags),
        ]);
    }
    for col in 1..5 {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Per service: the load that reached it and how its callers fared.
fn service_table(r: &SimResult, style: Style) -> Table {
    let mut table = style.table([
        "service",
        "received",
        "per entry req",
        "tries/req",
        "success",
        "p50 ms",
        "p99 ms",
        "response flags",
        "UO",
        "ejections",
    ]);
    for s in &r.services {
        let flags: Vec<String> = s
            .outcomes
            .response_flags
            .iter()
            .map(|(f, n)| format!("{f} {}", thousands(*n)))
            .collect();
        table.add_row(vec![
            cell(&s.host),
            thousands(s.requests_received),
            format!("{:.3}", s.per_entry_request),
            format!("{:.3}", s.outcomes.attempts.mean),
            pct(s.outcomes.success_rate),
            format!("{:.1}", s.outcomes.latency_ms.p50),
            format!("{:.1}", s.outcomes.latency_ms.p99),
            if flags.is_empty() {
                "-".to_string()
            } else {
                flags.join("  ")
            },
            thousands(s.overflow.total()),
            thousands(s.ejections),
        ]);
    }
    for col in [1, 2, 3, 4, 5, 6, 8, 9] {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Slowest requests shown in the terminal; `-o json` has five.
const SLOWEST_SHOWN: usize = 3;

/// The slowest entry requests, each with the chain of calls behind its
/// answer.
fn slowest_paths(r: &SimResult, out: &mut String) {
    report_line!(out);
    report_line!(
        out,
        "slowest requests (at each hop, the call that failed, else the slowest)"
    );
    for path in r.slowest.iter().take(SLOWEST_SHOWN) {
        for (depth, hop) in path.iter().enumerate() {
            let lead = if depth == 0 {
                "  ".to_string()
            } else {
                format!("{}└ ", "  ".repeat(depth + 1))
            };
            let flags = if hop.response_flags.is_empty() {
                String::new()
            } else {
                format!(" {}", hop.response_flags.join(","))
            };
            let at = hop.endpoint.as_deref().map_or_else(
                || " (answered by the proxy)".to_string(),
                |e| format!(" at {}", cell(e)),
            );
            report_line!(
                out,
                "{lead}{:.1} ms  {}{flags}  {}{at}",
                hop.latency_ms,
                hop.status,
                cell(&hop.request)
            );
        }
    }
}

/// Endpoints shown in the terminal; `-o json` has them all.
const ENDPOINT_ROWS: usize = 12;

/// The endpoints with the most errors and ejections.
fn endpoint_table(r: &SimResult, style: Style) -> String {
    let mut shown: Vec<_> = r.endpoints.iter().collect();
    shown.sort_by(|a, b| {
        (b.errors, b.ejections)
            .cmp(&(a.errors, a.ejections))
            .then_with(|| a.name.cmp(&b.name))
    });
    let hidden = shown.len().saturating_sub(ENDPOINT_ROWS);
    shown.truncate(ENDPOINT_ROWS);
    let mut table = style.table([
        "endpoint",
        "tries",
        "share",
        "errors",
        "error rate",
        "ejections",
        "ejected s",
    ]);
    for e in shown {
        table.add_row(vec![
            cell(&e.name),
            thousands(e.tries),
            pct(e.share),
            thousands(e.errors),
            pct(e.error_rate),
            thousands(e.ejections),
            format!("{:.1}", e.ejected_seconds),
        ]);
    }
    for col in 1..7 {
        if let Some(c) = table.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut text = table.to_string();
    if hidden > 0 {
        let _ = write!(text, "\n… {hidden} more endpoints in -o json");
    }
    text
}

/// Columns of the ejections-over-time line.
const SPARKLINE_WIDTH: usize = 60;

/// One character per point, ▁ to █ by value (blank for none).
fn sparkline(values: &[u64]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|v| {
            if *v == 0 {
                ' '
            } else {
                LEVELS[((*v * 7).div_ceil(max)) as usize]
            }
        })
        .collect()
}

/// An SLO verdict, its measure and interval, and what would decide it.
fn slo_line(s: &SloResult, style: Style, out: &mut String) {
    let (tone, mark) = match s.verdict {
        Verdict::Pass => (Tone::Good, "✓ pass"),
        Verdict::Fail => (Tone::Bad, "✗ fail"),
        Verdict::Inconclusive => (Tone::Unsure, "? inconclusive"),
    };
    let mut line = format!("  {}  (actual {:.3}", s.expr, s.actual);
    if let Some([lo, hi]) = s.ci95 {
        let _ = write!(line, ", 95% CI {lo:.3}–{hi:.3}");
    }
    line.push(')');
    match (s.verdict, s.requests_needed) {
        (Verdict::Inconclusive, Some(n)) => {
            let _ = write!(line, "; about {} requests would decide it", thousands(n));
        }
        (Verdict::Inconclusive, None) => line.push_str("; the measure sits on the threshold"),
        _ => {}
    }
    out.push_str("SLO ");
    out.push_str(&style.paint(tone, mark));
    report_line!(out, "{line}");
}

/// The JSON report (cli.md fields and more).
pub fn json(r: &SimResult) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("a result serializes");
    s.push('\n');
    s
}

/// Where the SLOs of `r` draw their thresholds: (metric, threshold, label).
fn slo_marks(r: &SimResult) -> Vec<(String, f64, String)> {
    r.slo
        .iter()
        .filter_map(|s| {
            let slo = Slo::parse(&s.expr).ok()?;
            Some((
                slo.metric().to_string(),
                slo.threshold(),
                format!("SLO {}", s.expr),
            ))
        })
        .collect()
}

/// The points of the series that cover a whole step: the last one, cut
/// short by the end of the run, holds only the slowest requests' answers
/// and would show as a spike.
fn whole_points(r: &SimResult) -> usize {
    whole(
        r.simulated_seconds,
        r.series.step_seconds,
        r.series.completed.len(),
    )
}

/// Of `points` points `step` seconds wide, those that end by `seconds`
/// (at least one, when there is one).
fn whole(seconds: f64, step: u64, points: usize) -> usize {
    let whole = (seconds / step.max(1) as f64).floor() as usize;
    whole.clamp(1.min(points), points)
}

/// One value per whole point of the series and destination; `None` for no data.
fn per_destination(
    r: &SimResult,
    value: impl Fn(usize, usize) -> Option<f64>,
) -> Vec<charts::Line> {
    let step = r.series.step_seconds as f64;
    r.series
        .destinations
        .iter()
        .enumerate()
        .map(|(d, name)| charts::Line {
            name: name.clone(),
            points: (0..whole_points(r))
                .map(|i| ((i as f64 + 0.5) * step, value(i, d)))
                .collect(),
        })
        .collect()
}

fn over_time<'a>(
    r: &SimResult,
    title: &'a str,
    y_label: &'a str,
    lines: Vec<charts::Line>,
    thresholds: Vec<charts::Mark>,
) -> String {
    charts::svg(&charts::Chart {
        title,
        x_label: "simulated time (s)",
        y_label,
        lines,
        events: r
            .scenario_events
            .iter()
            .map(|e| charts::Mark {
                at: e.at_s,
                label: e.what.clone(),
            })
            .collect(),
        thresholds,
        x_thresholds: Vec::new(),
        log_x: false,
        percent: y_label.ends_with("(%)"),
    })
}

fn marks(
    all: &[(String, f64, String)],
    pick: impl Fn(&str, f64) -> Option<f64>,
) -> Vec<charts::Mark> {
    all.iter()
        .filter_map(|(metric, t, label)| {
            pick(metric, *t).map(|at| charts::Mark {
                at,
                label: label.clone(),
            })
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML report: the summary, the latency CDF of each
/// destination, and share, error rate, mean latency and ejections over time
/// with the scenario's events and the SLO thresholds marked. SVG only: no
/// scripts, no external resources.
pub fn html(r: &SimResult) -> String {
    let slos = slo_marks(r);
    let s = &r.series;
    let share = per_destination(r, |i, d| {
        let total: u64 = s.routed[i].iter().sum();
        (total > 0).then(|| 100.0 * s.routed[i][d] as f64 / total as f64)
    });
    let errors = per_destination(r, |i, d| {
        let done = s.completed_by_destination[i][d];
        (done > 0).then(|| 100.0 * s.errors_by_destination[i][d] as f64 / done as f64)
    });
    let latency = per_destination(r, |i, d| {
        (s.completed_by_destination[i][d] > 0).then(|| s.mean_latency_ms_by_destination[i][d])
    });
    let step = s.step_seconds as f64;
    let ejections = vec![charts::Line {
        name: "ejections".into(),
        points: s.ejections[..whole_points(r)]
            .iter()
            .enumerate()
            .map(|(i, n)| ((i as f64 + 0.5) * step, Some(*n as f64)))
            .collect(),
    }];
    let legend = charts::legend(&s.destinations);
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>meshctl simulate</title>\
<style>body{font-family:sans-serif;margin:2em;max-width:62em}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}svg{display:block;margin:1.5em 0 0.3em}.legend{margin:0 0 1.5em 4em;font-size:13px}</style></head><body>\n",
    );
    let _ = writeln!(page, "<h1>meshctl simulate: {}</h1>", escape(&r.scenario));
    page.push_str(&charts::latency_cdf(
        r,
        marks(&slos, |m, t| {
            matches!(m, "p50" | "p90" | "p99" | "p999").then_some(t)
        }),
    ));
    let labels: Vec<String> = r
        .destinations
        .iter()
        .filter(|d| !d.latency.is_empty())
        .map(|d| d.label())
        .collect();
    page.push_str(&charts::legend(&labels));
    page.push_str(&over_time(
        r,
        "Share of requests per destination",
        "share (%)",
        share,
        Vec::new(),
    ));
    page.push_str(&legend);
    page.push_str(&over_time(
        r,
        "Error rate per destination (not 1xx-3xx)",
        "errors (%)",
        errors,
        marks(&slos, |m, t| match m {
            "errors" => Some(t),
            "success" => Some(100.0 - t),
            _ => None,
        }),
    ));
    page.push_str(&legend);
    page.push_str(&over_time(
        r,
        "Mean latency per destination",
        "mean latency (ms)",
        latency,
        marks(&slos, |m, t| (m == "mean").then_some(t)),
    ));
    page.push_str(&legend);
    page.push_str(&over_time(
        r,
        &format!("Outlier ejections per {} s", s.step_seconds),
        "ejections",
        ejections,
        Vec::new(),
    ));
    let _ = writeln!(page, "<pre>{}</pre>", escape(&human(r, Style::default())));
    page.push_str("\n</body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_partial_step_is_left_out_of_time_charts() {
        // 60.9 s in 61 one-second points: the 61st covers 0.9 s only.
        assert_eq!(whole(60.9, 1, 61), 60);
        assert_eq!(whole(61.0, 1, 61), 61);
        assert_eq!(whole(20.5, 4, 6), 5);
        assert_eq!(
            whole(0.3, 1, 1),
            1,
            "a run shorter than a step keeps its point"
        );
        assert_eq!(whole(0.0, 1, 0), 0);
    }
}
