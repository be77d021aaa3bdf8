//! Renders a simulation result: human tables with a terminal histogram,
//! JSON (cli.md), and a self-contained HTML page with SVG charts.

use std::fmt::Write;

use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use crate::sim::SimResult;
use crate::sim::slo::{SloResult, Verdict};

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

fn destination_label(host: &str, subset: &Option<String>) -> String {
    match subset {
        Some(s) => format!("{host} / {s}"),
        None => host.to_string(),
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
pub fn human(r: &SimResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Simulated `{}`: {} requests over {:.1} s of simulated time (seed {})\n",
        r.scenario,
        thousands(r.requests),
        r.simulated_seconds,
        r.seed
    );
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY).set_header(vec![
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
    let _ = writeln!(out, "{table}");
    if !r.destinations.is_empty() {
        let _ = writeln!(out, "{}", outcome_table(r));
    }
    if r.local_responses > 0 {
        let _ = writeln!(
            out,
            "{} requests answered by the proxy itself (no route, redirect, direct response, fault abort, missing cluster)",
            thousands(r.local_responses)
        );
    }
    for m in &r.mirrors {
        let _ = writeln!(
            out,
            "mirror {}: {} copies, {} failed (responses ignored)",
            m.destination,
            thousands(m.requests),
            thousands(m.errors)
        );
    }
    let _ = writeln!(out, "\nsuccess rate {} (1xx–3xx)", pct(r.success_rate));
    let codes: Vec<String> = r
        .status_codes
        .iter()
        .map(|(c, n)| format!("{c} {}", thousands(*n)))
        .collect();
    let _ = writeln!(out, "status codes    {}", codes.join("  "));
    let flags: Vec<String> = r
        .response_flags
        .iter()
        .map(|(f, n)| format!("{f} {}", thousands(*n)))
        .collect();
    let _ = writeln!(
        out,
        "response flags  {}",
        if flags.is_empty() {
            "none".to_string()
        } else {
            flags.join("  ")
        }
    );
    let o = &r.overflow;
    if o.pending + o.max_requests + o.max_retries > 0 {
        let _ = writeln!(
            out,
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
    let _ = writeln!(
        out,
        "tries/request   mean {:.3}   {}",
        r.attempts.mean,
        tries.join("  ")
    );
    let _ = writeln!(
        out,
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
        let _ = writeln!(
            out,
            "ejections over time  |{}|  ({} s per column)",
            sparkline(&merged),
            r.series.step_seconds * per as u64
        );
    }
    if r.endpoints.iter().any(|e| e.errors > 0 || e.ejections > 0) {
        let _ = writeln!(out, "\n{}", endpoint_table(r));
    }
    let l = &r.latency_ms;
    let _ = writeln!(
        out,
        "\nlatency ms      p50 {:.1}  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  mean {:.1}  max {:.1}",
        l.p50, l.p90, l.p99, l.p999, l.mean, l.max
    );
    let rows = histogram_rows(r, HISTOGRAM_ROWS);
    let max = rows.iter().map(|(_, _, n)| *n).max().unwrap_or(0);
    for (lo, hi, n) in rows {
        let _ = writeln!(
            out,
            "  {:>9.1} – {:<9.1} {:>10} {}",
            lo,
            hi,
            thousands(n),
            bar(n, max)
        );
    }
    if !r.slo.is_empty() {
        let _ = writeln!(out);
        for s in &r.slo {
            let _ = writeln!(out, "{}", slo_line(s));
        }
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// Latency percentiles, status codes and response flags per destination.
fn outcome_table(r: &SimResult) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY).set_header(vec![
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

/// Endpoints shown in the terminal; `-o json` has them all.
const ENDPOINT_ROWS: usize = 12;

/// The endpoints with the most errors and ejections.
fn endpoint_table(r: &SimResult) -> String {
    let mut shown: Vec<_> = r.endpoints.iter().collect();
    shown.sort_by(|a, b| {
        (b.errors, b.ejections)
            .cmp(&(a.errors, a.ejections))
            .then_with(|| a.name.cmp(&b.name))
    });
    let hidden = shown.len().saturating_sub(ENDPOINT_ROWS);
    shown.truncate(ENDPOINT_ROWS);
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY).set_header(vec![
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
            e.name.clone(),
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
fn slo_line(s: &SloResult) -> String {
    let mark = match s.verdict {
        Verdict::Pass => "✓ pass",
        Verdict::Fail => "✗ fail",
        Verdict::Inconclusive => "? inconclusive",
    };
    let mut line = format!("SLO {mark}  {}  (actual {:.3}", s.expr, s.actual);
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
    line
}

/// The JSON report (cli.md fields and more).
pub fn json(r: &SimResult) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("a result serializes");
    s.push('\n');
    s
}

const COLOURS: [&str; 8] = [
    "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#000000",
];
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const MARGIN: f64 = 48.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG line chart of several series over the same x steps.
fn line_chart(title: &str, x_step: f64, series: &[(String, Vec<f64>)]) -> String {
    let points = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    let top = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let x = |i: usize| MARGIN + (WIDTH - 2.0 * MARGIN) * i as f64 / (points.max(2) - 1) as f64;
    let y = |v: f64| HEIGHT - MARGIN + (2.0 * MARGIN - HEIGHT) * v / top;
    let mut svg = format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11"><text x="{MARGIN}" y="18" font-size="13" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<line x1="{MARGIN}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/><line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{b}" stroke="#888"/><text x="4" y="{t}">{top:.4}</text><text x="4" y="{b}">0</text><text x="{r}" y="{l}" text-anchor="end">{end:.0} s</text>"##,
        b = HEIGHT - MARGIN,
        r = WIDTH - MARGIN,
        t = MARGIN + 4.0,
        l = HEIGHT - MARGIN + 16.0,
        end = x_step * points as f64,
    );
    for (i, (name, values)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(k, v)| format!("{:.1},{:.1}", x(k), y(*v)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"/><text x="{}" y="{}" fill="{colour}">{}</text>"#,
            path.join(" "),
            MARGIN + 10.0 + 180.0 * (i % 4) as f64,
            HEIGHT - 8.0 - 14.0 * (i / 4) as f64,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// An SVG bar chart of the latency distribution.
fn latency_chart(r: &SimResult) -> String {
    let rows = histogram_rows(r, 40);
    let max = rows.iter().map(|(_, _, n)| *n).max().unwrap_or(1).max(1);
    let width = (WIDTH - 2.0 * MARGIN) / rows.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="10"><text x="{MARGIN}" y="18" font-size="13" font-weight="bold">Latency distribution (ms, requests per bucket)</text>"#
    );
    for (i, (lo, hi, n)) in rows.iter().enumerate() {
        let h = (HEIGHT - 2.0 * MARGIN) * *n as f64 / max as f64;
        let x = MARGIN + width * i as f64;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#4477aa"><title>{lo:.1}–{hi:.1} ms: {n}</title></rect>"##,
            HEIGHT - MARGIN - h,
            (width - 1.0).max(1.0)
        );
        if i % 5 == 0 {
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{:.1}">{lo:.1}</text>"#,
                HEIGHT - MARGIN + 14.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A self-contained HTML report: summary, latency distribution, shares and
/// errors over time. No scripts, no external resources.
pub fn html(r: &SimResult) -> String {
    let step = r.series.step_seconds as f64;
    let totals: Vec<f64> = r
        .series
        .routed
        .iter()
        .map(|row| row.iter().sum::<u64>() as f64)
        .collect();
    let shares: Vec<(String, Vec<f64>)> = r
        .series
        .destinations
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (
                name.clone(),
                r.series
                    .routed
                    .iter()
                    .zip(&totals)
                    .map(|(row, t)| if *t > 0.0 { row[i] as f64 / t } else { 0.0 })
                    .collect(),
            )
        })
        .collect();
    let error_rate: Vec<f64> = r
        .series
        .completed
        .iter()
        .zip(&r.series.errors)
        .map(|(c, e)| if *c > 0 { *e as f64 / *c as f64 } else { 0.0 })
        .collect();
    let ejections: Vec<f64> = r.series.ejections.iter().map(|e| *e as f64).collect();
    let latency: Vec<f64> = r.series.mean_latency_ms.clone();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>meshctl simulate</title>\
<style>body{font-family:sans-serif;margin:2em;max-width:60em}pre{background:#f6f6f6;padding:1em;overflow:auto}svg{display:block;margin:1em 0}</style></head><body>\n",
    );
    let _ = writeln!(page, "<h1>meshctl simulate: {}</h1>", escape(&r.scenario));
    let _ = writeln!(page, "<pre>{}</pre>", escape(&human(r)));
    page.push_str(&latency_chart(r));
    page.push_str(&line_chart(
        "Share of requests per destination over time",
        step,
        &shares,
    ));
    page.push_str(&line_chart(
        "Error rate (non-1xx–3xx) over time",
        step,
        &[("error rate".into(), error_rate)],
    ));
    page.push_str(&line_chart(
        "Mean latency (ms) over time",
        step,
        &[("mean latency".into(), latency)],
    ));
    page.push_str(&line_chart(
        "Outlier ejections over time",
        step,
        &[("ejections".into(), ejections)],
    ));
    page.push_str("\n</body></html>\n");
    page
}
