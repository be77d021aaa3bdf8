//! `meshctl route` output: the trace of rules considered, the destinations
//! with their shares, and the policy in force.

use serde::Serialize;

use super::terminal::{Style, Tone, cell};
use crate::mesh::destination_rules::PoolView;
use crate::report_line;
use crate::route::Decision;
use crate::route::decision::{Outcome, RoutePolicy, TraceStep};
use crate::route::rewrite::HeadersView;
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
    match p.timeout {
        Some(t) => report_line!(out, "  timeout: {t}"),
        None => report_line!(out, "  timeout: disabled"),
    }
    report_line!(out, "  retries: {retries}");
    if let Some(f) = &p.rewrite {
        report_line!(
            out,
            "  rewrite: the backend receives {} with Host {}",
            f.path,
            f.authority
        );
    }
    if let Some(h) = &p.headers {
        header_lines(h, "  ", out);
    }
    if let Some(c) = &p.cors {
        let mut parts = vec![format!("origins {}", c.allow_origins.join(", "))];
        for (what, list) in [
            ("methods", &c.allow_methods),
            ("headers", &c.allow_headers),
            ("exposed", &c.expose_headers),
        ] {
            if !list.is_empty() {
                parts.push(format!("{what} {}", list.join(", ")));
            }
        }
        if let Some(age) = &c.max_age {
            parts.push(format!("max age {age}"));
        }
        if c.allow_credentials {
            parts.push("credentials allowed".into());
        }
        report_line!(out, "  cors:    {}", parts.join("; "));
    }
    if let Some(f) = &p.fault {
        if let Some(d) = &f.delay {
            let delay = d.fixed_delay.map_or("?".to_string(), |d| d.to_string());
            report_line!(
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
            report_line!(
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
        report_line!(
            out,
            "  mirror:  {}{subset} ({}% of requests, responses ignored)",
            m.host,
            m.percentage
        );
    }
}

/// `request headers: set a=1, add b=2, remove c` and the same for the
/// response, each line starting with `indent`.
fn header_lines(h: &HeadersView, indent: &str, out: &mut String) {
    for (side, ops) in [("request", &h.request), ("response", &h.response)] {
        let Some(ops) = ops else { continue };
        let pairs = |m: &std::collections::BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !ops.set.is_empty() {
            parts.push(format!("set {}", pairs(&ops.set)));
        }
        if !ops.add.is_empty() {
            parts.push(format!("add {}", pairs(&ops.add)));
        }
        if !ops.remove.is_empty() {
            parts.push(format!("remove {}", ops.remove.join(", ")));
        }
        report_line!(out, "{indent}{side} headers: {}", parts.join("; "));
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
pub fn human(report: &RouteReport, style: Style) -> String {
    let d = report.decision;
    let r = &report.request;
    let mut out = String::new();
    let port = r.port.map(|p| format!(" port {p}")).unwrap_or_default();
    report_line!(
        &mut out,
        "{} {}{} via {}{port} (caller in namespace {})",
        r.method,
        r.authority,
        r.path,
        r.entry,
        r.source_namespace
    );
    if let Some(note) = &d.note {
        report_line!(&mut out, "{note}");
    }
    if let Some(vh) = &d.virtual_host {
        report_line!(&mut out, "virtual host: {vh}");
    }
    if !d.trace.is_empty() {
        report_line!(&mut out);
        report_line!(&mut out, "rules considered (first match wins):");
        for step in &d.trace {
            report_line!(&mut out, "{}", trace_line(step));
        }
    }
    let flags = if d.response_flags.is_empty() {
        String::new()
    } else {
        format!(" {}", d.response_flags.join(","))
    };
    let action = d.action.as_str();
    let tone = if d.status < 400 {
        Tone::Good
    } else {
        Tone::Bad
    };
    let answer = format!("→ {}{flags}", d.status);
    out.push('\n');
    out.push_str(&style.paint(tone, &answer));
    report_line!(&mut out, " ({action})");
    if let Some(loc) = &d.location {
        report_line!(&mut out, "  location: {loc}");
    }
    if !d.destinations.is_empty() {
        let mut table = style.table(["destination", "subset", "port", "weight", "share", "policy"]);
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
                policy.push(cell(&format!("labels {}", labels.join(","))));
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
                cell(&dest.host),
                dest.subset.as_deref().map_or("-".into(), cell),
                dest.port.map_or("-".into(), |p| p.to_string()),
                dest.weight.to_string(),
                format!("{:.1}%", dest.share * 100.0),
                policy.join("\n"),
            ]);
        }
        out.push_str(&format!("{table}\n"));
        for dest in &d.destinations {
            let name = match &dest.subset {
                Some(subset) => format!("{} subset {subset}", dest.host),
                None => dest.host.clone(),
            };
            if let Some(h) = &dest.headers {
                report_line!(&mut out, "  {name}:");
                header_lines(h, "    ", &mut out);
            }
            let Some(note) = &dest.note else { continue };
            match dest.response_flag {
                Some(flag) => report_line!(&mut out, "  {name}: {} {flag}: {note}", dest.status),
                None => report_line!(&mut out, "  {name}: {note}"),
            }
        }
    }
    if let Some(p) = &d.policy {
        report_line!(&mut out, "route policy:");
        policy_lines(p, &mut out);
    }
    if let Some(sp) = &report.split_preview {
        report_line!(&mut out);
        report_line!(
            &mut out,
            "split preview: {} requests/s for {} s (Poisson arrivals)",
            sp.rate_per_second,
            sp.window_seconds
        );
        let mut table = style.table([
            "destination",
            "subset",
            "expected",
            "95% band",
            "P(no request)",
        ]);
        for row in &sp.destinations {
            table.add_row(vec![
                cell(&row.host),
                row.subset.as_deref().map_or("-".into(), cell),
                format!("{:.1}", row.preview.expected),
                format!("{}–{}", row.preview.low, row.preview.high),
                format!("{:.4}", row.preview.p_none),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    out
}
