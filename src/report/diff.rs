//! `meshctl diff` output: the changes grouped by host, each with its
//! example request; as text, JSON (schemas/output/diff.json) or Markdown
//! for a pull-request comment.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::terminal::{Style, Tone};
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::diff::cause;
use crate::diff::traffic::{destination_name, percent, short_host};
use crate::diff::{Change, ChangedResource, Comparison, Traffic};
use crate::report_line;
use crate::route::Entry;
use crate::sim::SimResult;
use crate::sim::slo::Verdict;
use crate::validate::Outcome;

/// `--simulate`: the scenario's runs on both sides.
pub struct Simulated<'a> {
    pub scenario: &'a str,
    pub before: &'a SimResult,
    pub after: &'a SimResult,
}

/// One row of the figures: the whole run, or a destination.
#[derive(Serialize)]
struct Figures {
    host: Option<String>,
    subset: Option<String>,
    requests: u64,
    share: f64,
    success_rate: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// The run as a whole, then each destination (host, subset) of either side.
fn figures(result: &SimResult, keys: &[(String, Option<String>)]) -> Vec<Figures> {
    let mut rows = vec![Figures {
        host: None,
        subset: None,
        requests: result.requests,
        share: 1.0,
        success_rate: result.success_rate,
        p50_ms: result.latency_ms.p50,
        p99_ms: result.latency_ms.p99,
    }];
    for (host, subset) in keys {
        let found = result
            .destinations
            .iter()
            .find(|d| d.host == *host && d.subset == *subset);
        rows.push(Figures {
            host: Some(host.clone()),
            subset: subset.clone(),
            requests: found.map_or(0, |d| d.count),
            share: found.map_or(0.0, |d| d.share),
            success_rate: found.map_or(0.0, |d| d.success_rate),
            p50_ms: found.map_or(0.0, |d| d.latency_ms.p50),
            p99_ms: found.map_or(0.0, |d| d.latency_ms.p99),
        });
    }
    rows
}

impl Simulated<'_> {
    fn keys(&self) -> Vec<(String, Option<String>)> {
        let mut keys: Vec<(String, Option<String>)> = self
            .before
            .destinations
            .iter()
            .chain(&self.after.destinations)
            .map(|d| (d.host.clone(), d.subset.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    fn json(&self) -> Value {
        let keys = self.keys();
        let slo = |r: &SimResult| -> Vec<Value> {
            r.slo
                .iter()
                .map(|s| json!({"expr": s.expr, "actual": s.actual, "verdict": s.verdict, "passed": s.passed}))
                .collect()
        };
        json!({
            "scenario": self.scenario,
            "before": {"figures": figures(self.before, &keys), "slo": slo(self.before)},
            "after": {"figures": figures(self.after, &keys), "slo": slo(self.after)},
        })
    }

    /// Rows of `what | share | success | p50 | p99`, each `before -> after`.
    fn rows(&self) -> Vec<[String; 5]> {
        let keys = self.keys();
        let (a, b) = (figures(self.before, &keys), figures(self.after, &keys));
        let pct = |x: f64| format!("{:.2} %", x * 100.0);
        let ms = |x: f64| format!("{x:.1} ms");
        let mut rows: Vec<[String; 5]> = a
            .iter()
            .zip(&b)
            .map(|(x, y)| {
                let what = match (&x.host, &x.subset) {
                    (None, _) => "all requests".to_string(),
                    (Some(h), Some(s)) => format!("{} {s}", short_host(h)),
                    (Some(h), None) => short_host(h).to_string(),
                };
                [
                    what,
                    format!("{} -> {}", pct(x.share), pct(y.share)),
                    format!("{} -> {}", pct(x.success_rate), pct(y.success_rate)),
                    format!("{} -> {}", ms(x.p50_ms), ms(y.p50_ms)),
                    format!("{} -> {}", ms(x.p99_ms), ms(y.p99_ms)),
                ]
            })
            .collect();
        for (x, y) in self.before.slo.iter().zip(&self.after.slo) {
            let verdict = |v: Verdict| match v {
                Verdict::Pass => "met",
                Verdict::Fail => "FAILED",
                Verdict::Inconclusive => "inconclusive",
            };
            rows.push([
                format!("SLO {}", x.expr),
                String::new(),
                format!("{} -> {}", verdict(x.verdict), verdict(y.verdict)),
                String::new(),
                String::new(),
            ]);
        }
        rows
    }
}

const FIGURE_HEADER: [&str; 5] = ["simulated", "share", "success", "p50", "p99"];

/// The version of the diff JSON format.
pub const DIFF_VERSION: u32 = 1;

/// The example request of a change, its fields named like `route`'s flags.
fn example_json(change: &Change) -> Value {
    let req = &change.example.request;
    let mut example = Map::new();
    example.insert("host".into(), json!(req.authority));
    example.insert("path".into(), json!(req.path));
    example.insert("method".into(), json!(req.method));
    example.insert("headers".into(), json!(req.headers));
    example.insert("source_namespace".into(), json!(req.source_namespace));
    if let Entry::Gateway { .. } = req.entry {
        example.insert("gateway".into(), json!(req.entry.label()));
    }
    if let Some(port) = change.example.port.or(req.port) {
        example.insert("port".into(), json!(port));
    }
    if !req.source_labels.is_empty() {
        example.insert("source_labels".into(), json!(req.source_labels));
    }
    Value::Object(example)
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    entry: &'a str,
    host: &'a str,
    source_namespaces: &'a [String],
    example: Value,
    route_args: String,
    before: &'a Traffic,
    after: &'a Traffic,
    summary: &'a [String],
}

/// `-o json`.
pub fn json(comparison: &Comparison, simulated: Option<&Simulated>) -> String {
    let changes: Vec<ChangeJson> = comparison
        .changes
        .iter()
        .map(|c| ChangeJson {
            entry: &c.entry,
            host: &c.host,
            source_namespaces: &c.source_namespaces,
            example: example_json(c),
            route_args: c.example.route_args(),
            before: &c.before,
            after: &c.after,
            summary: &c.summary,
        })
        .collect();
    let mut report = json!({
        "version": DIFF_VERSION,
        "traffic_changed": !changes.is_empty(),
        "changes": changes,
        "changed_resources": comparison.changed_resources,
        "requests_routed": comparison.requests_routed,
    });
    if let Some(simulated) = simulated {
        report["simulation"] = simulated.json();
    }
    serde_json::to_string_pretty(&report).expect("diff report serializes") + "\n"
}

/// The outcome in one line: `200 -> reviews v1 90 %, reviews v2 10 %`.
fn outcome_line(traffic: &Traffic) -> String {
    let o = &traffic.outcome;
    if let Some(error) = o.get("error").and_then(Value::as_str) {
        return format!("not routable: {error}");
    }
    let status = o.get("status").map(ToString::to_string).unwrap_or_default();
    let flags = o
        .get("response_flags")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .map(|f| {
            let names: Vec<&str> = f.iter().filter_map(Value::as_str).collect();
            format!(" {}", names.join(","))
        })
        .unwrap_or_default();
    let destinations: Vec<String> = o
        .get("destinations")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|d| {
                    let share = percent(d["share"].as_f64().unwrap_or(0.0));
                    format!("{} {share}", destination_name(d, false))
                })
                .collect()
        })
        .unwrap_or_default();
    let action = o.get("action").and_then(Value::as_str).unwrap_or("");
    let target = match (action, o.get("location").and_then(Value::as_str)) {
        (_, Some(location)) => format!(" redirect to {location}"),
        _ if destinations.is_empty() => format!(" ({})", action.replace('_', " ")),
        _ => format!(" -> {}", destinations.join(", ")),
    };
    let rule = traffic
        .rule
        .as_ref()
        .map(|r| {
            let name = r
                .rule_name
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            format!("  [{} rule #{}{name}]", r.id, r.rule_index)
        })
        .unwrap_or_default();
    format!("{status}{flags}{target}{rule}")
}

/// Who sends the class: `mesh (callers in default, shop)` or `gateway ns/gw`.
fn entry_text(change: &Change, all_namespaces: usize) -> String {
    if change.entry != "mesh" {
        return format!("at gateway {}", change.entry);
    }
    // Every namespace the comparison called from.
    if change.source_namespaces.len() == all_namespaces && all_namespaces > 1 {
        return "in the mesh (callers in every namespace)".into();
    }
    format!(
        "in the mesh (callers in {})",
        change.source_namespaces.join(", ")
    )
}

/// What delimits a class, in words.
fn class_text(change: &Change) -> String {
    let mut conditions: Vec<&String> = change
        .before
        .conditions
        .iter()
        .chain(&change.after.conditions)
        .collect();
    conditions.sort();
    conditions.dedup();
    if conditions.is_empty() {
        "any request".into()
    } else {
        let parts: Vec<&str> = conditions.iter().map(|c| c.as_str()).collect();
        format!("requests with {}", parts.join(" and "))
    }
}

fn by_host(comparison: &Comparison) -> BTreeMap<&str, Vec<&Change>> {
    let mut hosts: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in &comparison.changes {
        hosts.entry(&c.host).or_default().push(c);
    }
    hosts
}

fn resource_line(r: &ChangedResource) -> String {
    format!("{} {}", r.change.as_str(), r.resource)
}

/// The human report; `paths` is how the example's `meshctl route` reads
/// each side.
pub fn human(
    comparison: &Comparison,
    simulated: Option<&Simulated>,
    paths: [&str; 2],
    verbose: bool,
    style: Style,
) -> String {
    let mut out = String::new();
    let all = comparison.caller_namespaces;
    for (host, changes) in by_host(comparison) {
        report_line!(&mut out, "{}", style.paint(Tone::Unsure, host));
        for c in changes {
            report_line!(&mut out, "  {}, {}:", entry_text(c, all), class_text(c));
            report_line!(&mut out, "    before: {}", outcome_line(&c.before));
            report_line!(&mut out, "    after:  {}", outcome_line(&c.after));
            for line in &c.summary {
                report_line!(&mut out, "      {line}");
            }
            let args = c.example.route_args();
            report_line!(&mut out, "    example: meshctl route {} {args}", paths[0]);
            report_line!(&mut out, "             meshctl route {} {args}", paths[1]);
        }
        report_line!(&mut out, "");
    }
    let hosts = by_host(comparison).len();
    match comparison.changes.len() {
        0 => report_line!(&mut out, "{}", style.paint(Tone::Good, "no traffic change")),
        n => report_line!(
            &mut out,
            "{n} change(s) of traffic on {hosts} host(s) ({} requests routed on both sides)",
            comparison.requests_routed
        ),
    }
    if let Some(simulated) = simulated {
        let mut table = style.table(FIGURE_HEADER);
        for row in simulated.rows() {
            table.add_row(row);
        }
        report_line!(&mut out, "scenario {} on both sides:", simulated.scenario);
        out.push_str(&format!("{table}\n"));
    }
    if verbose {
        report_line!(&mut out, "resources that differ between the sides:");
        if comparison.changed_resources.is_empty() {
            report_line!(&mut out, "  none");
        }
        for r in &comparison.changed_resources {
            report_line!(&mut out, "  {}", resource_line(r));
        }
    }
    out
}

/// The SARIF rule of a traffic change: a note, not a finding.
pub static TRAFFIC_CHANGE: Rule = Rule {
    code: "DIFF001",
    name: "traffic-change",
    severity: Severity::Info,
    istio_code: None,
    summary: "A class of requests routes differently after the change",
    docs: "`meshctl diff` found requests that the edited configuration sends somewhere else, answers with another status, or treats with another policy. The note sits on the edit that causes it; the message names the requests, the outcome before and after, and an example `meshctl route` command.",
};

/// `-o sarif`: one note per change, on the line of the NEW side that
/// causes it (a change whose cause was removed has no location).
pub fn sarif(comparison: &Comparison, new: &Outcome, paths: [&str; 2]) -> String {
    let all = comparison.caller_namespaces;
    let notes: Vec<Diagnostic> = comparison
        .changes
        .iter()
        .map(|c| {
            let message = format!(
                "{} {}, {}: {} -> {}",
                c.host,
                entry_text(c, all),
                class_text(c),
                outcome_line(&c.before),
                outcome_line(&c.after)
            );
            let help = format!(
                "{}; example: meshctl route {} {}",
                c.summary.join("; "),
                paths[1],
                c.example.route_args()
            );
            let note = Diagnostic::new(&TRAFFIC_CHANGE, message).with_help(help);
            match cause::locate(c, &comparison.changed_resources, new) {
                Some((location, resource)) => note.at(location).with_resource(resource),
                None => note,
            }
        })
        .collect();
    super::sarif::render(&notes, &new.sources, &[&TRAFFIC_CHANGE])
}

/// `-o markdown`: a pull-request comment.
pub fn markdown(
    comparison: &Comparison,
    simulated: Option<&Simulated>,
    paths: [&str; 2],
) -> String {
    let mut out = String::from("### meshctl diff: traffic changes\n\n");
    if comparison.changes.is_empty() {
        out.push_str("No request routes differently.\n");
    }
    let all = comparison.caller_namespaces;
    for (host, changes) in by_host(comparison) {
        out.push_str(&format!("#### `{host}`\n\n"));
        out.push_str("| requests | before | after | what changes |\n|---|---|---|---|\n");
        for c in &changes {
            let cell = |s: &str| s.replace('|', "\\|");
            out.push_str(&format!(
                "| {}, {} | {} | {} | {} |\n",
                cell(&entry_text(c, all)),
                cell(&class_text(c)),
                cell(&outcome_line(&c.before)),
                cell(&outcome_line(&c.after)),
                cell(&c.summary.join("<br>")),
            ));
        }
        out.push_str("\n<details><summary>example requests</summary>\n\n```sh\n");
        for c in &changes {
            let args = c.example.route_args();
            out.push_str(&format!(
                "meshctl route {} {args}\nmeshctl route {} {args}\n",
                paths[0], paths[1]
            ));
        }
        out.push_str("```\n\n</details>\n\n");
    }
    if let Some(simulated) = simulated {
        out.push_str(&format!("#### Simulated: `{}`\n\n", simulated.scenario));
        out.push_str(&format!(
            "| {} |\n|---|---|---|---|---|\n",
            FIGURE_HEADER.join(" | ")
        ));
        for row in simulated.rows() {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out.push('\n');
    }
    if !comparison.changed_resources.is_empty() {
        out.push_str("<details><summary>resources that differ</summary>\n\n");
        for r in &comparison.changed_resources {
            out.push_str(&format!("- {}\n", resource_line(r)));
        }
        out.push_str("\n</details>\n");
    }
    out
}
