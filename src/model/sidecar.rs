//! Istio's Sidecar (networking.istio.io): which services and configuration
//! a workload's proxy sees, and what it does with the hosts it does not.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The parts of a Sidecar that decide a proxy's outbound routes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Sidecar {
    pub workload_selector: Option<WorkloadSelector>,
    pub ingress: Vec<serde_json::Value>,
    pub egress: Vec<EgressListener>,
    pub inbound_connection_pool: Option<serde_json::Value>,
    pub outbound_traffic_policy: Option<OutboundTrafficPolicy>,
}

impl Sidecar {
    /// The labels of its workload selector; `None` when it has none (or an
    /// empty one): the Sidecar is its namespace's default.
    pub fn selector(&self) -> Option<&BTreeMap<String, String>> {
        self.workload_selector
            .as_ref()
            .map(|w| &w.labels)
            .filter(|l| !l.is_empty())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WorkloadSelector {
    pub labels: BTreeMap<String, String>,
}

/// An egress listener: the `namespace/host` entries it imports.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EgressListener {
    pub hosts: Vec<String>,
    /// The listener's port; none for the catch-all listener.
    pub port: Option<serde_json::Value>,
}

impl EgressListener {
    /// The listener's port number, if it has one.
    pub fn port_number(&self) -> Option<u64> {
        self.port.as_ref()?.get("number")?.as_u64()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OutboundTrafficPolicy {
    /// `ALLOW_ANY` (the mesh default) or `REGISTRY_ONLY`.
    pub mode: Option<String>,
    pub egress_proxy: Option<serde_json::Value>,
}
