//! The labels selectors see on a pod: its own, plus what pilot adds from
//! where it runs (`label.AugmentLabels`): the region, zone and subzone of
//! its Node, and `kubernetes.io/hostname` from `spec.nodeName`. Values that
//! would be empty are not added. Where the input does not say (no Node, no
//! nodeName, the cluster and network Istio assigns), the label is unknown
//! unless the input is the whole cluster.

use std::collections::HashMap;

use crate::model::{Config, Resource, SmallMap, Workload};

const REGION: &str = "topology.kubernetes.io/region";
const ZONE: &str = "topology.kubernetes.io/zone";
const SUBZONE: &str = "topology.istio.io/subzone";
const HOSTNAME: &str = "kubernetes.io/hostname";
/// Labels Istio sets from its own configuration (cluster ID, network).
const ASSIGNED: [&str; 2] = ["topology.istio.io/cluster", "topology.istio.io/network"];

/// What the input says about one label of a pod.
#[derive(Clone, Copy)]
enum Label<'w> {
    /// The pod carries this value, or none.
    Known(Option<&'w str>),
    /// Set where the pod runs, which the input does not describe.
    Unknown,
}

/// Node labels by node name, and whether the input is the whole cluster.
pub struct Topology<'c> {
    nodes: HashMap<&'c str, &'c SmallMap>,
    complete: bool,
}

impl<'c> Topology<'c> {
    pub fn new(config: &'c Config, complete: bool) -> Topology<'c> {
        let nodes = config
            .nodes
            .iter()
            .map(|n| (n.name(), &n.meta.labels))
            .collect();
        Topology { nodes, complete }
    }

    /// Whether the pods of `workload` can carry `key: value` (an unknown
    /// topology label may carry any non-empty value).
    pub fn may_carry(&self, workload: &Resource<Workload>, key: &str, value: &str) -> bool {
        match self.label(&workload.spec, key) {
            Label::Known(own) => own == Some(value),
            Label::Unknown => {
                !value.is_empty() || workload.spec.labels.get(key).is_some_and(|l| l.is_empty())
            }
        }
    }

    fn label<'w>(&'w self, workload: &'w Workload, key: &str) -> Label<'w> {
        let own = Label::Known(workload.labels.get(key).map(String::as_str));
        let unknown = if self.complete { own } else { Label::Unknown };
        match key {
            HOSTNAME => match workload.node_name.as_deref() {
                Some(node) if !node.is_empty() => Label::Known(Some(node)),
                _ => unknown,
            },
            REGION | ZONE | SUBZONE => self.node_label(workload, key).unwrap_or(unknown),
            _ if ASSIGNED.contains(&key) => unknown,
            _ => own,
        }
    }

    /// The locality label `key` of the workload's Node, when the input has
    /// it; `Some(own)` when the node gives none (pilot keeps the pod's).
    fn node_label<'w>(&'w self, workload: &'w Workload, key: &str) -> Option<Label<'w>> {
        let node = self.nodes.get(workload.node_name.as_deref()?)?;
        let get = |k: &str| node.get(k).map(String::as_str).filter(|v| !v.is_empty());
        // pilot writes the locality as region/zone/subzone and splits it again:
        // a subzone without a zone is lost.
        let value = match key {
            REGION => get(REGION),
            ZONE => get(ZONE),
            _ => get(ZONE).and(get(SUBZONE)),
        };
        Some(Label::Known(
            value.or_else(|| workload.labels.get(key).map(String::as_str)),
        ))
    }
}
