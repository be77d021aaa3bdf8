//! `meshctl route` output: the trace of rules considered, the destinations
//! with their shares, and the policy in force.

use std::fmt::Write;

use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use serde::Serialize;

use crate::mesh::destination_rules::PoolView;
use crate::route::Decision;
use crate::route::decision::{Outcome, RoutePolicy, TraceStep};
use crate::route::split::SplitPreview;

/// The request as shown in the report.
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub method: String,
    pub authority: String,
    pub path: String,
    pub port: Option<u16>,
    /// `mesh` or `namespace/name` of the gateway.
    pub entry: String,
    pub source_namespace: String,
}

/// A split preview for one destination.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    pub host: String,
    pub subset: Option<String>,
    #[serde(flatten)]
    pub preview: SplitPreview,
}

/// Everything `meshctl route` reports.
#[derive(Debug, Serialize)]
pub struct RouteReport<'a, 'c> {
    /// Version of this format (schemas/output/route.json).
    pub version: u32,
    pub request: RequestView,
    #[serde(flatten)]
    pub decision: &'a Decision<'c>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_preview: Option<SplitPreviewReport>,
}

/// The preview window and its rows.
#[derive(Debug, Clone, Serialize)]
pub struct SplitPreviewReport {
    pub rate_per_second: f64,
    pub window_seconds: f64,
    pub destinations: Vec<PreviewRow>,
}

/// The version of the route JSON format.
pub const ROUTE_VERSION: u32 = 1;

/// `--format json`.
pub fn json(report: &RouteReport) -> String {
    serde_json::to_string_pretty(report).expect("route report serializes") + "\n"
}

/// One traced rule as a line: mark, rule, reason.
pub fn trace_line(step: &TraceStep) -> String {
    let mark = match step.outcome {
        Outcome::Matched => "✓",
        Outcome::Skipped => "–",
        Outcome::NoMatch => "✗",
    };
    let name = step
        .rule_name
        .as_deref()
        .map(|n| format!(" \"{n}\""))
        .unwrap_or_default();
    let m = step
        .match_index
        .map(|m| format!(" match #{m}"))
        .unwrap_or_default();
    format!(
        "  {mark} {}/{} rule #{}{name}{m}: {}",
        step.resource.namespace, step.resource.name, step.rule_index, step.reason
    )
}

fn policy_lines(p: &RoutePolicy, out: &mut String) {
    let r = &p.retries;
    let retries = if r.attempts == 0 {
        "off".to_string()
    } else {
        let per_try = r
            .per_try_timeout
            .map(|t| format!(", {t} per try"))
            .unwrap_or_default();
        let source = if r.mesh_default {
            " (Istio's default policy: a 503 response is not retried)"
        } else {
            ""
        };
        format!(
            "{} on {}{per_try}, back-off {}{source}",
            r.attempts, r.retry_on, r.backoff
        )
    };
    let _ = match p.timeout {
        Some(t) => writeln!(out, "  timeout: {t}"),
        None => writeln!(out, "  timeout: disabled"),
    };
    let _ = writeln!(out, "  retries: {retries}");
    if let Some(f) = &p.fault {
        if let Some(d) = &f.delay {
            let delay = d.fixed_delay.map_or("?".to_string(), |d| d.to_string());
            let _ = writeln!(
                out,
                "  fault:   delay {delay} for {}% of requests (DI)",
                d.percentage
            );
        }
        if let Some(a) = &f.abort {
            let status = match (a.http_status, &a.grpc_status) {
                (Some(s), _) => format!("HTTP {s}"),
                (None, Some(g)) => format!("gRPC {g}"),
                (None, None) => "no status".into(),
            };
            let _ = writeln!(
                out,
                "  fault:   abort with {status} for {}% of requests (FI)",
                a.percentage
            );
        }
    }
    for m in &p.mirrors {
        let subset = m
            .subset
            .as_deref()
            .map(|s| format!(" subset {s}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  mirror:  {}{subset} ({}% of requests, responses ignored)",
            m.host, m.percentage
        );
    }
}

/// The pool limits that are set, as `name=value` pairs.
fn pool_text(p: &PoolView) -> String {
    let numbers = [
        ("maxConnections", p.max_connections),
        ("http1MaxPendingRequests", p.http1_max_pending_requests),
        ("http2MaxRequests", p.http2_max_requests),
        ("maxRequestsPerConnection", p.max_requests_per_connection),
        ("maxRetries", p.max_retries),
    ];
    let mut parts: Vec<String> = numbers
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
    if let Some(t) = &p.connect_timeout {
        parts.push(format!("connectTimeout={t}"));
    }
    parts.join(" ")
}

/// Human output.
pub fn human(report: &RouteReport) -> String {
    let d = report.decision;
    let r = &report.request;
    let mut out = String::new();
    let port = r.port.map(|p| format!(" port {p}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {}{} via {}{port} (caller in namespace {})",
        r.method, r.authority, r.path, r.entry, r.source_namespace
    );
    if let Some(note) = &d.note {
        let _ = writeln!(out, "{note}");
    }
    if let Some(vh) = &d.virtual_host {
        let _ = writeln!(out, "virtual host: {vh}");
    }
    if !d.trace.is_empty() {
        let _ = writeln!(out, "\nrules considered (first match wins):");
        for step in &d.trace {
            let _ = writeln!(out, "{}", trace_line(step));
        }
    }
    let flags = if d.response_flags.is_empty() {
        String::new()
    } else {
        format!(" {}", d.response_flags.join(","))
    };
    let action = d.action.as_str();
    let _ = writeln!(out, "\n→ {}{flags} ({action})", d.status);
    if let Some(loc) = &d.location {
        let _ = writeln!(out, "  location: {loc}");
    }
    if !d.destinations.is_empty() {
        let mut table = Table::new();
        table.load_style(UTF8_BORDERS_ONLY).set_header(vec![
            "destination",
            "subset",
            "port",
            "weight",
            "share",
            "policy",
        ]);
        for dest in &d.destinations {
            let mut policy = Vec::new();
            policy.push(format!("lb {}", dest.policy.load_balancer));
            if !dest.policy.subset_labels.is_empty() {
                let labels: Vec<String> = dest
                    .policy
                    .subset_labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                policy.push(format!("labels {}", labels.join(",")));
            }
            if let Some(pool) = &dest.policy.connection_pool {
                policy.push(format!("pool {}", pool_text(pool)));
            }
            if let Some(od) = &dest.policy.outlier_detection {
                policy.push(format!(
                    "eject after {} consecutive 5xx, every {}, for {}×n, at most {}%",
                    od.consecutive_5xx_errors,
                    od.interval,
                    od.base_ejection_time,
                    od.max_ejection_percent
                ));
            }
            if let Some(flag) = dest.response_flag {
                policy.push(format!("{} {flag} (see below)", dest.status));
            }
            table.add_row(vec![
                dest.host.clone(),
                dest.subset.clone().unwrap_or_else(|| "-".into()),
                dest.port.map_or("-".into(), |p| p.to_string()),
                dest.weight.to_string(),
                format!("{:.1}%", dest.share * 100.0),
                policy.join("\n"),
            ]);
        }
        let _ = writeln!(out, "{table}");
        for dest in &d.destinations {
            let Some(note) = &dest.note else { continue };
            let name = match &dest.subset {
                Some(subset) => format!("{} subset {subset}", dest.host),
                None => dest.host.clone(),
            };
            match dest.response_flag {
                Some(flag) => writeln!(out, "  {name}: {} {flag}: {note}", dest.status),
                None => writeln!(out, "  {name}: {note}"),
            }
            .ok();
        }
    }
    if let Some(p) = &d.policy {
        let _ = writeln!(out, "route policy:");
        policy_lines(p, &mut out);
    }
    if let Some(sp) = &report.split_preview {
        let _ = writeln!(
            out,
            "\nsplit preview: {} requests/s for {} s (Poisson arrivals)",
            sp.rate_per_second, sp.window_seconds
        );
        let mut table = Table::new();
        table.load_style(UTF8_BORDERS_ONLY).set_header(vec![
            "destination",
            "subset",
            "expected",
            "95% band",
            "P(no request)",
        ]);
        for row in &sp.destinations {
            table.add_row(vec![
                row.host.clone(),
                row.subset.clone().unwrap_or_else(|| "-".into()),
                format!("{:.1}", row.preview.expected),
                format!("{}–{}", row.preview.low, row.preview.high),
                format!("{:.4}", row.preview.p_none),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    out
}
