//! The Kubernetes core objects meshctl reads: Service, workload labels
//! from Deployments and Pods, and Node labels.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::meta::SmallMap;

use super::protocol::Protocol;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Service {
    pub ports: Vec<ServicePort>,
    pub selector: SmallMap,
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    pub external_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u64,
    pub target_port: Option<serde_json::Value>,
    pub protocol: Option<String>,
    pub app_protocol: Option<String>,
}

impl ServicePort {
    /// The protocol Istio gives this port (`ConvertProtocol`).
    pub fn istio_protocol(&self) -> Protocol {
        Protocol::of_service_port(
            self.port,
            self.name.as_deref(),
            self.protocol.as_deref(),
            self.app_protocol.as_deref(),
        )
    }
}

/// The labels a Deployment's pods (or a Pod) carry.
#[derive(Debug, Clone, Default)]
pub struct Workload {
    pub labels: BTreeMap<String, String>,
    pub replicas: u64,
    /// `spec.nodeName`: the node the pods are bound to, when written.
    pub node_name: Option<String>,
}

/// A Node: only its labels (in the metadata) matter, for the topology
/// Istio adds to the labels of the pods it runs.
#[derive(Debug, Clone, Default)]
pub struct Node;

/// A Namespace: that it exists (its name and labels are in the metadata).
#[derive(Debug, Clone, Default)]
pub struct Namespace;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct DeploymentSpec {
    pub replicas: Option<u64>,
    pub template: PodTemplate,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PodTemplate {
    pub metadata: TemplateMeta,
    pub spec: PodSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct PodSpec {
    pub node_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TemplateMeta {
    pub labels: BTreeMap<String, String>,
}
