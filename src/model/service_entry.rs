//! ServiceEntry (networking.istio.io v1alpha3, v1beta1, v1).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::common::WorkloadSelector;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceEntry {
    pub hosts: Vec<String>,
    pub addresses: Vec<String>,
    pub ports: Vec<ServiceEntryPort>,
    pub location: Option<String>,
    pub resolution: Option<String>,
    pub endpoints: Vec<WorkloadEntry>,
    pub workload_selector: Option<WorkloadSelector>,
    pub export_to: Vec<String>,
    pub subject_alt_names: Vec<String>,
    /// Whether `status.addresses` holds addresses Istio allocated (read
    /// from the object's status, not its spec).
    #[serde(skip)]
    pub allocated: bool,
}

/// The part of a ServiceEntry's `status` meshctl reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ServiceEntryStatus {
    pub addresses: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceEntryPort {
    pub number: u64,
    pub protocol: Option<String>,
    pub name: String,
    pub target_port: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WorkloadEntry {
    pub address: Option<String>,
    pub ports: BTreeMap<String, u64>,
    pub labels: BTreeMap<String, String>,
    pub network: Option<String>,
    pub locality: Option<String>,
    pub weight: Option<u64>,
    pub service_account: Option<String>,
}

impl ServiceEntry {
    /// `resolution`, defaulting to NONE.
    pub fn resolution(&self) -> &str {
        self.resolution.as_deref().unwrap_or("NONE")
    }
}
