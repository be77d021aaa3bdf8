//! Route tests: YAML files of requests and the outcome each must have
//! (`meshctl test`), with the share of routing rules they cover.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::decision::Decision;
use super::decision::TraceStep;
use super::request::Request;
use super::table::RoutingTable;
use crate::diagnostic::ResourceRef;
use crate::mesh::names::fqdn;

/// A test file: the manifests under test and the cases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// Manifest paths, relative to the test file.
    pub manifests: Vec<String>,
    pub tests: Vec<TestCase>,
}

/// One request and what must happen to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    pub request: TestRequest,
    pub expect: Expectation,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TestRequest {
    pub host: String,
    #[serde(default = "default_path")]
    pub path: String,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub port: Option<u16>,
    /// `mesh` (default) or a gateway `namespace/name`.
    pub gateway: Option<String>,
    #[serde(default = "default_namespace")]
    pub source_namespace: String,
    #[serde(default)]
    pub source_labels: BTreeMap<String, String>,
}

fn default_path() -> String {
    "/".into()
}
fn default_method() -> String {
    "GET".into()
}
fn default_namespace() -> String {
    "default".into()
}

/// Every field is optional; the ones given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Expectation {
    pub status: Option<u16>,
    /// A destination host (short names resolve in the caller's namespace)
    /// that receives some of the traffic.
    pub host: Option<String>,
    pub subset: Option<String>,
    /// The name of the matched rule.
    pub rule: Option<String>,
    /// The VirtualService of the matched rule, `name` or `namespace/name`.
    pub virtual_service: Option<String>,
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub name: String,
    pub passed: bool,
    /// What differed, one line per expectation that failed.
    pub failures: Vec<String>,
    /// The trace of the decision, for failures.
    pub trace: Vec<TraceStep>,
}

/// Results of a file plus the rules covered.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    pub cases: Vec<CaseResult>,
    /// (VirtualService namespace/name, rule index) matched by some case.
    pub covered: BTreeSet<(String, usize)>,
    /// The resources the cases' answers rely on.
    #[serde(skip)]
    pub used: BTreeSet<ResourceRef>,
}

fn request_of(case: &TestRequest, table: &RoutingTable) -> Result<Request, String> {
    let mut req = Request::new(&case.host);
    req.path = case.path.clone();
    req.method = case.method.to_ascii_uppercase();
    req.port = case.port;
    req.source_namespace = case.source_namespace.clone();
    req.source_labels = case.source_labels.clone();
    for (name, value) in &case.headers {
        req.add_header(name, value);
    }
    req.entry = table
        .entry_for(case.gateway.as_deref().unwrap_or("mesh"))
        .map_err(|e| e.0)?;
    Ok(req)
}

/// What differs between an expectation and a decision, one line each.
fn differences(e: &Expectation, req: &Request, d: &Decision) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(status) = e.status.filter(|s| *s != d.status) {
        failures.push(format!("status: expected {status}, got {}", d.status));
    }
    let live: Vec<_> = d.destinations.iter().filter(|x| x.share > 0.0).collect();
    if let Some(host) = &e.host {
        let want = fqdn(host, &req.source_namespace);
        if !live.iter().any(|x| x.host == want || x.host == *host) {
            let got: Vec<&str> = live.iter().map(|x| x.host.as_str()).collect();
            failures.push(format!("host: expected {want}, got [{}]", got.join(", ")));
        }
    }
    if let Some(subset) = &e.subset
        && !live.iter().any(|x| x.subset.as_deref() == Some(subset))
    {
        let got: Vec<&str> = live.iter().filter_map(|x| x.subset.as_deref()).collect();
        failures.push(format!(
            "subset: expected {subset}, got [{}]",
            got.join(", ")
        ));
    }
    let matched = d.matched.as_ref();
    let rule = matched.and_then(|m| m.rule_name.as_deref());
    if let Some(want) = e.rule.as_deref().filter(|w| rule != Some(*w)) {
        failures.push(format!(
            "rule: expected {want}, got {}",
            rule.unwrap_or("none")
        ));
    }
    if let Some(want) = &e.virtual_service {
        let got = matched.map(|m| (m.resource.name.as_str(), m.resource.qualified()));
        if !got
            .as_ref()
            .is_some_and(|(name, qualified)| want == name || want == qualified)
        {
            let got = got.map_or_else(|| "none".to_string(), |(_, q)| q);
            failures.push(format!("virtualService: expected {want}, got {got}"));
        }
    }
    failures
}

/// Runs every case of a file against the table.
pub fn run(file: &TestFile, table: &RoutingTable) -> SuiteResult {
    let mut covered = BTreeSet::new();
    let mut used = BTreeSet::new();
    let cases = file
        .tests
        .iter()
        .map(|case| {
            let routed = request_of(&case.request, table)
                .and_then(|req| table.route(&req).map_err(|e| e.0).map(|d| (req, d)));
            let (failures, trace) = match routed {
                Err(e) => (vec![e], Vec::new()),
                Ok((req, d)) => {
                    if let Some(m) = &d.matched {
                        covered.insert((m.resource.qualified(), m.rule_index));
                    }
                    used.extend(d.used_resources());
                    let failures = differences(&case.expect, &req, &d);
                    let trace = if failures.is_empty() {
                        Vec::new()
                    } else {
                        d.trace
                    };
                    (failures, trace)
                }
            };
            CaseResult {
                name: case.name.clone(),
                passed: failures.is_empty(),
                failures,
                trace,
            }
        })
        .collect();
    SuiteResult {
        cases,
        covered,
        used,
    }
}

/// Every (VirtualService, rule index) of the configuration with hosts (roots
/// and plain VirtualServices; delegates are counted through their roots).
pub fn all_rules(table: &RoutingTable) -> BTreeSet<(String, usize)> {
    table
        .config()
        .virtual_services
        .iter()
        .filter(|vs| !vs.spec.hosts.is_empty())
        .flat_map(|vs| (0..vs.spec.http.len()).map(move |i| (vs.id().qualified(), i)))
        .collect()
}
