//! The scenario file (design/scenario.md): the request stream and how every
//! destination behaves. Field names are a stable contract.

use std::collections::BTreeMap;

use indexmap::IndexSet;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::load::{Document, Keys, Loaded};
use crate::mesh::names::{fqdn, gateway_ref};
use crate::model::{Config, deserialize_at};
use crate::schema;

/// A whole scenario document.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scenario {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ScenarioMeta,
    pub spec: ScenarioSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScenarioMeta {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ScenarioSpec {
    pub seed: Option<u64>,
    pub duration: Option<String>,
    pub requests: Option<u64>,
    pub traffic: Vec<Traffic>,
    pub services: BTreeMap<String, ServiceSpec>,
    pub defaults: Option<Behaviour>,
    pub events: Vec<EventSpec>,
    pub proxy: ProxySpec,
    /// SLO gates, as `--slo` takes them.
    pub slo: Vec<String>,
}

/// One request stream.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Traffic {
    pub name: Option<String>,
    pub rate: f64,
    pub arrival: Arrival,
    pub burst: Option<Burst>,
    pub gateway: Option<String>,
    pub source_namespace: Option<String>,
    pub source_labels: BTreeMap<String, String>,
    pub clients: Option<u32>,
    pub mix: Vec<MixEntry>,
}

/// How requests of a stream are spaced in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrival {
    #[default]
    Poisson,
    Constant,
    Bursty,
}

/// On/off periods of a bursty stream.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Burst {
    pub on: Option<String>,
    pub off: Option<String>,
}

/// A weighted request shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MixEntry {
    pub weight: Option<f64>,
    pub request: RequestShape,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequestShape {
    pub host: String,
    pub path: Option<String>,
    pub method: Option<String>,
    pub port: Option<u16>,
    pub headers: BTreeMap<String, String>,
}

/// Latency in any of the forms of scenario.md; which fields are set decides the form.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct LatencySpec {
    pub distribution: Option<String>,
    pub value: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<String>,
    pub p50: Option<String>,
    pub p99: Option<String>,
    pub mu: Option<f64>,
    pub sigma: Option<f64>,
    pub scale: Option<String>,
    pub shape: Option<f64>,
    pub percentiles: BTreeMap<String, String>,
}

/// An endpoint answers this share of requests with `status`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ErrorSpec {
    pub rate: f64,
    pub status: Option<u16>,
}

/// Behaviour fields shared by defaults, services, subsets and endpoints.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Behaviour {
    pub endpoints: Option<u32>,
    pub concurrency: Option<u32>,
    pub latency: Option<LatencySpec>,
    pub errors: Option<ErrorSpec>,
    pub down: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubsetSpec {
    #[serde(flatten)]
    pub behaviour: Behaviour,
    pub endpoint_overrides: BTreeMap<String, Behaviour>,
    /// Replaces the service's calls for this subset's endpoints.
    pub calls: Option<Vec<CallSpec>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceSpec {
    #[serde(flatten)]
    pub behaviour: Behaviour,
    pub endpoint_overrides: BTreeMap<String, Behaviour>,
    pub subsets: BTreeMap<String, SubsetSpec>,
    /// The calls each request served here makes; without them, the hosts
    /// of its Service's `meshctl.dev/calls` annotation.
    pub calls: Option<Vec<CallSpec>>,
    /// The service stops a request's work (and its calls) when its caller
    /// resets the stream; by default the work goes on.
    pub cancellable: bool,
}

/// A call to another service that a request makes while it is served.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CallSpec {
    pub service: String,
    pub path: Option<String>,
    pub method: Option<String>,
    pub port: Option<u16>,
    pub headers: BTreeMap<String, String>,
    /// The share of requests that make this call (default 1).
    pub probability: Option<f64>,
    pub mode: CallMode,
    /// A failed optional call does not fail the request.
    pub optional: bool,
    /// What the request answers when this call fails (default 500).
    pub failure_status: Option<u16>,
}

/// When a call starts: after the calls before it, or together with the
/// parallel calls next to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallMode {
    #[default]
    Sequential,
    Parallel,
}

/// A change during the run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EventSpec {
    pub at: String,
    pub service: Option<String>,
    pub subset: Option<String>,
    pub endpoint: Option<u32>,
    pub latency: Option<LatencySpec>,
    pub errors: Option<ErrorSpec>,
    pub down: Option<bool>,
    pub traffic: Option<String>,
    pub rate: Option<f64>,
}

/// Proxy behaviour that differs between Envoy versions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProxySpec {
    pub ejection_cap: Option<String>,
}

/// A problem in a scenario at a JSON pointer.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    pub pointer: String,
    pub message: String,
}

impl ScenarioError {
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// A scenario read from a file, with what is needed to point into it.
pub struct ScenarioFile {
    pub scenario: Scenario,
    loaded: Loaded,
}

impl ScenarioFile {
    fn document(&self) -> &Document {
        &self.loaded.documents[0]
    }

    /// `file:line:col` of the value at `pointer`.
    pub fn position(&self, pointer: &str) -> String {
        let doc = self.document();
        let at = doc.label_location(pointer);
        let source = &self.loaded.sources[at.source];
        let (line, col) = source.line_col(at.span.start);
        format!("{}:{line}:{col}", source.name)
    }
}

/// Why a scenario file could not be read: each message is `file:line:col: text`.
#[derive(Debug)]
pub struct LoadError(pub Vec<String>);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl std::error::Error for LoadError {}

fn diagnostic_line(loaded: &Loaded, name: &str, d: &Diagnostic) -> String {
    let place = match &d.location {
        Some(at) => {
            let (line, col) = loaded.sources[at.source].line_col(at.span.start);
            format!("{name}:{line}:{col}")
        }
        None => name.to_string(),
    };
    match &d.help {
        Some(help) => format!("{place}: {} ({help})", d.message),
        None => format!("{place}: {}", d.message),
    }
}

/// Parses and schema-checks a scenario from its text.
pub fn parse(name: &str, bytes: Vec<u8>) -> Result<ScenarioFile, LoadError> {
    let mut loaded = Loaded {
        keys: Keys::AsWritten,
        ..Loaded::default()
    };
    loaded.add_bytes(name.to_string(), bytes);
    if !loaded.diagnostics.is_empty() {
        return Err(LoadError(
            loaded
                .diagnostics
                .iter()
                .map(|d| diagnostic_line(&loaded, name, d))
                .collect(),
        ));
    }
    let Some(doc) = loaded.documents.first() else {
        return Err(LoadError(vec![format!(
            "{name}: the scenario file is empty"
        )]));
    };
    let mut found = Vec::new();
    if !schema::validate_scenario(doc, &mut found) {
        return Err(LoadError(
            found
                .iter()
                .map(|d| diagnostic_line(&loaded, name, d))
                .collect(),
        ));
    }
    let scenario: Scenario = deserialize_at(&doc.value, "").map_err(|e| {
        let at = doc.label_location(&e.pointer);
        let (line, col) = loaded.sources[at.source].line_col(at.span.start);
        LoadError(vec![format!("{name}:{line}:{col}: {}", e.message)])
    })?;
    Ok(ScenarioFile { scenario, loaded })
}

/// Reads a scenario file.
pub fn read(path: &str) -> Result<ScenarioFile, LoadError> {
    let bytes =
        std::fs::read(path).map_err(|e| LoadError(vec![format!("{path}: cannot read: {e}")]))?;
    parse(path, bytes)
}

/// Request rate of the embedded default scenario, per stream.
const DEFAULT_RATE: f64 = 100.0;

/// The embedded default: a modest Poisson stream (100 requests/s for 60 s)
/// at every host a VirtualService or HTTPRoute routes, one stream per entry point (the
/// mesh, or a gateway), healthy default backends.
/// Entry points that `serves` says are not in the input (a Gateway that
/// is not loaded) get no stream.
pub fn default_scenario(config: &Config, serves: impl Fn(&str) -> bool) -> Scenario {
    let mut streams: BTreeMap<String, IndexSet<String>> = BTreeMap::new();
    for vs in config
        .virtual_services
        .iter()
        .chain(&config.generated.virtual_services)
    {
        let gateways = if vs.spec.gateways.is_empty() {
            vec!["mesh".to_string()]
        } else {
            vs.spec
                .gateways
                .iter()
                .map(|g| gateway_ref(g, &vs.namespace))
                .collect()
        };
        for host in vs.spec.hosts.iter().filter(|h| !h.contains('*')) {
            let host = fqdn(host, &vs.namespace);
            for gateway in gateways.iter().filter(|g| serves(g)) {
                streams
                    .entry(gateway.clone())
                    .or_default()
                    .insert(host.clone());
            }
        }
    }
    let traffic = streams
        .into_iter()
        .map(|(gateway, hosts)| Traffic {
            name: Some(gateway.clone()),
            rate: DEFAULT_RATE,
            gateway: Some(gateway),
            mix: hosts
                .into_iter()
                .map(|host| MixEntry {
                    weight: Some(1.0),
                    request: RequestShape {
                        host,
                        ..RequestShape::default()
                    },
                })
                .collect(),
            ..Traffic::default()
        })
        .collect();
    Scenario {
        api_version: "meshctl.dev/v1alpha1".into(),
        kind: "Scenario".into(),
        metadata: ScenarioMeta {
            name: Some("default".into()),
            description: Some(
                "embedded default: 100 requests/s per entry point for 60 s, Poisson, every routed host"
                    .into(),
            ),
        },
        spec: ScenarioSpec {
            duration: Some("60s".into()),
            traffic,
            ..ScenarioSpec::default()
        },
    }
}
