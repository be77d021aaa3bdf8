//! What a request gets, reduced to what traffic feels: status, flags,
//! destinations with their shares, route policy and the DestinationRule
//! policy of each destination. Which resource or rule gave it is kept
//! beside it, but two outcomes that differ only there are the same traffic
//! (a rule renamed, a VirtualService split in two).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::diagnostic::ResourceRef;
use crate::route::Decision;

/// The rule that took a request, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleView {
    /// Shown as `Kind namespace/name`.
    #[serde(rename = "resource", serialize_with = "as_text")]
    pub id: ResourceRef,
    pub rule_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_index: Option<usize>,
}

fn as_text<S: serde::Serializer>(id: &ResourceRef, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

/// One side's answer for a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Traffic {
    pub rule: Option<RuleView>,
    /// The conditions of the match that took the request, in words (filled
    /// in for the requests a change is reported with).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// What is compared: status, flags, action, destinations, policy.
    #[serde(flatten)]
    pub outcome: Map<String, Value>,
}

/// Shares are compared to the millionth: 90/10 and 9/1 are the same split.
fn rounded(share: f64) -> f64 {
    (share * 1e6).round() / 1e6
}

impl Traffic {
    /// The traffic a routing decision gives.
    pub fn of(decision: &Decision) -> Traffic {
        let rule = decision.matched.as_ref().map(|m| RuleView {
            id: m.resource.clone(),
            rule_index: m.rule_index,
            rule_name: m.rule_name.clone(),
            match_index: m.match_index,
        });
        let destinations: Vec<Value> = decision
            .destinations
            .iter()
            .map(|d| {
                let mut policy = serde_json::to_value(&d.policy).unwrap_or(Value::Null);
                if let Some(p) = policy.as_object_mut() {
                    p.remove("destination_rules");
                }
                let mut view = json!({
                    "host": d.host,
                    "subset": d.subset,
                    "port": d.port,
                    "share": rounded(d.share),
                    "status": d.status,
                    "policy": policy,
                });
                if let Some(flag) = d.response_flag {
                    view["response_flag"] = json!(flag);
                }
                if let Some(headers) = &d.headers {
                    view["headers"] = serde_json::to_value(headers).unwrap_or(Value::Null);
                }
                view
            })
            .collect();
        let mut outcome = Map::new();
        outcome.insert("status".into(), json!(decision.status));
        outcome.insert("response_flags".into(), json!(decision.response_flags));
        outcome.insert("action".into(), json!(decision.action.as_str()));
        if let Some(location) = &decision.location {
            outcome.insert("location".into(), json!(location));
        }
        outcome.insert("destinations".into(), Value::Array(destinations));
        let mut policy = serde_json::to_value(&decision.policy).unwrap_or(Value::Null);
        if let Some(retries) = policy.get_mut("retries").and_then(Value::as_object_mut) {
            // The mesh default spelled out in the file is the same policy.
            retries.remove("mesh_default");
        }
        outcome.insert("policy".into(), policy);
        Traffic {
            rule,
            conditions: Vec::new(),
            outcome,
        }
    }

    /// A side that cannot route the request at all (its gateway is gone).
    pub fn unroutable(why: &str) -> Traffic {
        let mut outcome = Map::new();
        outcome.insert("error".into(), json!(why));
        Traffic {
            rule: None,
            conditions: Vec::new(),
            outcome,
        }
    }

    /// The same traffic: outcomes equal, whichever rule gave them.
    pub fn same_as(&self, other: &Traffic) -> bool {
        self.outcome == other.outcome
    }
}

/// A destination as a summary line names it: `reviews.shop v2`, or
/// `reviews.shop v2 port 9080` when `ports` says several ports of it are
/// destinations.
pub fn destination_name(d: &Value, ports: bool) -> String {
    let mut name = short_host(d["host"].as_str().unwrap_or("")).to_string();
    if let Some(subset) = d["subset"].as_str() {
        name.push(' ');
        name.push_str(subset);
    }
    if let (true, Some(port)) = (ports, d["port"].as_u64()) {
        name.push_str(&format!(" port {port}"));
    }
    name
}

/// A cluster-local host without its `.svc.cluster.local` suffix.
pub fn short_host(host: &str) -> &str {
    host.strip_suffix(".svc.cluster.local").unwrap_or(host)
}

/// A share as a percentage: `90 %`, `33.33 %`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0} %")
    } else {
        format!("{p:.2} %")
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "none".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.is_empty() => "none".into(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| text(Some(v)))
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

/// The differences in words, most telling first: status, shares
/// (`reviews v2: 10 % -> 20 %`), then every other field that differs.
pub fn summary<'v>(before: &'v Traffic, after: &'v Traffic) -> Vec<String> {
    let (a, b) = (&before.outcome, &after.outcome);
    let mut lines = Vec::new();
    if a.get("error").is_some() || b.get("error").is_some() {
        lines.push(format!(
            "{} -> {}",
            a.get("error")
                .map_or_else(|| text(a.get("status")), |e| text(Some(e))),
            b.get("error")
                .map_or_else(|| text(b.get("status")), |e| text(Some(e)))
        ));
        return lines;
    }
    for field in ["status", "response_flags", "action", "location"] {
        if a.get(field) != b.get(field) {
            lines.push(format!(
                "{field}: {} -> {}",
                text(a.get(field)),
                text(b.get(field))
            ));
        }
    }
    let (da, db) = (destinations(a), destinations(b));
    let both = || da.iter().chain(db);
    // Ports are named only when a destination has several.
    let distinct = |ports| {
        both()
            .map(|d| destination_name(d, ports))
            .collect::<BTreeSet<_>>()
    };
    let ports = distinct(true).len() > distinct(false).len();
    let mut seen = BTreeSet::new();
    for name in both().map(|d| destination_name(d, ports)) {
        if !seen.insert(name.clone()) {
            continue;
        }
        let find = |list: &'v [Value]| -> Option<&'v Value> {
            list.iter().find(|d| destination_name(d, ports) == name)
        };
        let (x, y) = (find(da), find(db));
        let share = |d: Option<&Value>| d.and_then(|d| d["share"].as_f64()).unwrap_or(0.0);
        if share(x) != share(y) {
            lines.push(format!(
                "{name}: {} -> {}",
                percent(share(x)),
                percent(share(y))
            ));
        }
        if let (Some(x), Some(y)) = (x, y) {
            for field in ["status", "response_flag", "headers", "policy"] {
                fields_differing(
                    &format!("{name} {field}"),
                    x.get(field),
                    y.get(field),
                    &mut lines,
                );
            }
        }
    }
    // A side that forwards nothing has no route policy to compare.
    let forwarded = |m: &Map<String, Value>| m.get("policy").is_some_and(|p| !p.is_null());
    if forwarded(a) && forwarded(b) {
        fields_differing("policy", a.get("policy"), b.get("policy"), &mut lines);
    }
    lines
}

fn destinations(outcome: &Map<String, Value>) -> &[Value] {
    outcome
        .get("destinations")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// One line per leaf that differs, named by its dotted path.
fn fields_differing(path: &str, a: Option<&Value>, b: Option<&Value>, lines: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                fields_differing(&format!("{path}.{key}"), x.get(key), y.get(key), lines);
            }
        }
        _ => lines.push(format!("{path}: {} -> {}", text(a), text(b))),
    }
}
