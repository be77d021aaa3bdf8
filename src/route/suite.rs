//! Route tests: YAML files of requests and the outcome each must have
//! (`meshctl test`), with the share of routing rules they cover.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::names::fqdn;
use super::request::{Entry, Request};
use super::table::RoutingTable;

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
    pub trace: Vec<String>,
}

/// Results of a file plus the rules covered.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    pub cases: Vec<CaseResult>,
    /// (VirtualService namespace/name, rule index) matched by some case.
    pub covered: BTreeSet<(String, usize)>,
}

fn request_of(case: &TestRequest, table: &RoutingTable) -> Result<Request, String> {
    let mut req = Request::new(&case.host);
    req.path = case.path.clone();
    req.method = case.method.to_ascii_uppercase();
    req.port = case.port;
    req.source_namespace = case.source_namespace.clone();
    req.source_labels = case.source_labels.clone();
    req.headers = case
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if let Some(gw) = case.gateway.as_deref().filter(|g| *g != "mesh") {
        let gw = table.find_gateway(gw).map_err(|e| e.0)?;
        req.entry = Entry::Gateway {
            namespace: gw.namespace.clone(),
            name: gw.meta.name.clone(),
        };
    }
    Ok(req)
}

/// Runs every case of a file against the table.
pub fn run(file: &TestFile, table: &RoutingTable) -> SuiteResult {
    let mut covered = BTreeSet::new();
    let cases = file
        .tests
        .iter()
        .map(|case| {
            let mut failures = Vec::new();
            let mut trace = Vec::new();
            match request_of(&case.request, table)
                .and_then(|req| table.route(&req).map_err(|e| e.0).map(|d| (req, d)))
            {
                Err(e) => failures.push(e),
                Ok((req, d)) => {
                    if let Some(m) = &d.matched {
                        covered.insert((
                            format!("{}/{}", m.resource.namespace, m.resource.name),
                            m.rule_index,
                        ));
                    }
                    let e = &case.expect;
                    if let Some(status) = e.status.filter(|s| *s != d.status) {
                        failures.push(format!("status: expected {status}, got {}", d.status));
                    }
                    let live: Vec<_> = d.destinations.iter().filter(|x| x.share > 0.0).collect();
                    if let Some(host) = &e.host {
                        let want = fqdn(host, &req.source_namespace);
                        if !live.iter().any(|x| x.host == want || x.host == *host) {
                            let got: Vec<&str> = live.iter().map(|x| x.host.as_str()).collect();
                            failures
                                .push(format!("host: expected {want}, got [{}]", got.join(", ")));
                        }
                    }
                    if let Some(subset) = &e.subset
                        && !live
                            .iter()
                            .any(|x| x.subset.as_deref() == Some(subset.as_str()))
                    {
                        let got: Vec<&str> =
                            live.iter().filter_map(|x| x.subset.as_deref()).collect();
                        failures.push(format!(
                            "subset: expected {subset}, got [{}]",
                            got.join(", ")
                        ));
                    }
                    let rule = d.matched.as_ref().and_then(|m| m.rule_name.clone());
                    if let Some(want) = e.rule.as_ref().filter(|w| rule.as_ref() != Some(*w)) {
                        failures.push(format!(
                            "rule: expected {want}, got {}",
                            rule.as_deref().unwrap_or("none")
                        ));
                    }
                    if let Some(want) = &e.virtual_service {
                        let got = d
                            .matched
                            .as_ref()
                            .map(|m| (m.resource.namespace.clone(), m.resource.name.clone()));
                        let ok = got
                            .as_ref()
                            .is_some_and(|(ns, n)| want == n || *want == format!("{ns}/{n}"));
                        if !ok {
                            failures.push(format!(
                                "virtualService: expected {want}, got {}",
                                got.map_or("none".into(), |(ns, n)| format!("{ns}/{n}"))
                            ));
                        }
                    }
                    if !failures.is_empty() {
                        trace = d
                            .trace
                            .iter()
                            .map(|s| {
                                format!(
                                    "{} {}/{} rule #{}: {}",
                                    s.outcome,
                                    s.resource.namespace,
                                    s.resource.name,
                                    s.rule_index,
                                    s.reason
                                )
                            })
                            .collect();
                    }
                }
            }
            CaseResult {
                name: case.name.clone(),
                passed: failures.is_empty(),
                failures,
                trace,
            }
        })
        .collect();
    SuiteResult { cases, covered }
}

/// Every (VirtualService, rule index) of the configuration with hosts (roots
/// and plain VirtualServices; delegates are counted through their roots).
pub fn all_rules(table: &RoutingTable) -> BTreeSet<(String, usize)> {
    table
        .config()
        .virtual_services
        .iter()
        .filter(|vs| !vs.spec.hosts.is_empty())
        .flat_map(|vs| {
            (0..vs.spec.http.len()).map(move |i| (format!("{}/{}", vs.namespace, vs.meta.name), i))
        })
        .collect()
}
