//! Building blocks shared by several Istio kinds.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `StringMatch`: at most one of exact, prefix, regex. None set means presence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct StringMatch {
    pub exact: Option<String>,
    pub prefix: Option<String>,
    pub regex: Option<String>,
}

/// `Percent`: a double from 0 to 100.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Percent {
    pub value: f64,
}

/// `Destination`: a service host, an optional subset and port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Destination {
    pub host: String,
    pub subset: Option<String>,
    pub port: Option<PortSelector>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default)]
pub struct PortSelector {
    pub number: u64,
}

/// `HeaderOperations`: set, add, remove.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HeaderOperations {
    pub set: BTreeMap<String, String>,
    pub add: BTreeMap<String, String>,
    pub remove: Vec<String>,
}

/// `WorkloadSelector` in DestinationRule (`matchLabels`) and ServiceEntry (`labels`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WorkloadSelector {
    pub match_labels: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}
