//! `meshctl diff` output: the changes grouped by host, each with its
//! example request; as text, JSON (schemas/output/diff.json) or Markdown
//! for a pull-request comment.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::terminal::{Style, Tone};
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::diff::cause;
use crate::diff::traffic::short_host;
use crate::diff::{Change, ChangedResource, Comparison, Traffic};
use crate::report_line;
use crate::route::Entry;
use crate::validate::Outcome;

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
pub fn json(comparison: &Comparison) -> String {
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
    let report = json!({
        "version": DIFF_VERSION,
        "traffic_changed": !changes.is_empty(),
        "changes": changes,
        "changed_resources": comparison.changed_resources,
        "requests_routed": comparison.requests_routed,
    });
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
                    let mut name = short_host(d["host"].as_str().unwrap_or("")).to_string();
                    if let Some(subset) = d["subset"].as_str() {
                        name = format!("{name} {subset}");
                    }
                    let share = d["share"].as_f64().unwrap_or(0.0) * 100.0;
                    format!("{name} {}%", (share * 100.0).round() / 100.0)
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
            format!("  [{} rule #{}{name}]", r.resource, r.rule_index)
        })
        .unwrap_or_default();
    format!("{status}{flags}{target}{rule}")
}

/// Who sends the class: `mesh (callers in default, shop)` or `gateway ns/gw`.
fn entry_text(change: &Change, all_namespaces: usize) -> String {
    if change.entry != "mesh" {
        return format!("at gateway {}", change.entry);
    }
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

fn namespaces_seen(comparison: &Comparison) -> usize {
    comparison
        .changes
        .iter()
        .flat_map(|c| &c.source_namespaces)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

fn by_host(comparison: &Comparison) -> BTreeMap<&str, Vec<&Change>> {
    let mut hosts: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in &comparison.changes {
        hosts.entry(&c.host).or_default().push(c);
    }
    hosts
}

fn resource_line(r: &ChangedResource) -> String {
    let change = match r.change {
        crate::diff::Edit::Added => "added",
        crate::diff::Edit::Removed => "removed",
        crate::diff::Edit::Modified => "modified",
    };
    format!("{change} {} {}/{}", r.kind, r.namespace, r.name)
}

/// The human report; `paths` is how the example's `meshctl route` reads
/// each side.
pub fn human(comparison: &Comparison, paths: [&str; 2], verbose: bool, style: Style) -> String {
    let mut out = String::new();
    let all = namespaces_seen(comparison);
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
    let all = namespaces_seen(comparison);
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
pub fn markdown(comparison: &Comparison, paths: [&str; 2]) -> String {
    let mut out = String::from("### meshctl diff: traffic changes\n\n");
    if comparison.changes.is_empty() {
        out.push_str("No request routes differently.\n");
    }
    let all = namespaces_seen(comparison);
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
    if !comparison.changed_resources.is_empty() {
        out.push_str("<details><summary>resources that differ</summary>\n\n");
        for r in &comparison.changed_resources {
            out.push_str(&format!("- {}\n", resource_line(r)));
        }
        out.push_str("\n</details>\n");
    }
    out
}
