//! Which resources a change touches, and which (entry, host) pairs their
//! change can reach: a request's outcome depends only on the routes of its
//! host at its entry and on the destinations those routes name, so hosts
//! that no changed resource touches are left alone.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::mesh::names::ROOT_NAMESPACE;
use crate::mesh::names::fqdn;
use crate::model::Config;
use crate::route::ServedHosts;
use crate::validate::Outcome;

/// How a resource differs between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edit {
    Added,
    Removed,
    Modified,
}

/// A resource whose content differs between the sides.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedResource {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub change: Edit,
}

/// (kind, namespace, name) of a document, and its content without the
/// fields the API server owns.
fn resources(outcome: &Outcome) -> BTreeMap<(String, String, String), Value> {
    let mut found = BTreeMap::new();
    for doc in &outcome.documents {
        let (Some(name), kind) = (doc.str_field("/metadata/name"), doc.kind()) else {
            continue;
        };
        let namespace = doc
            .str_field("/metadata/namespace")
            .unwrap_or(&outcome.default_namespace);
        let mut content = doc.value.clone();
        if let Some(map) = content.as_object_mut() {
            map.remove("status");
            if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                for owned in ["managedFields", "resourceVersion", "uid", "generation"] {
                    meta.remove(owned);
                }
            }
        }
        // kubectl apply keeps the last definition.
        found.insert(
            (kind.to_string(), namespace.to_string(), name.to_string()),
            content,
        );
    }
    found
}

/// The resources added, removed or modified, in kind, namespace, name order.
pub fn changed_resources(old: &Outcome, new: &Outcome) -> Vec<ChangedResource> {
    let (before, after) = (resources(old), resources(new));
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let change = match (before.get(key), after.get(key)) {
                (Some(_), None) => Edit::Removed,
                (None, Some(_)) => Edit::Added,
                (Some(a), Some(b)) if a != b => Edit::Modified,
                _ => return None,
            };
            let (kind, namespace, name) = key.clone();
            Some(ChangedResource {
                kind,
                namespace,
                name,
                change,
            })
        })
        .collect()
}

/// The (entry, host) pairs whose requests may route differently.
#[derive(Debug, Default)]
pub struct Reach {
    /// Every host at every entry (a change whose reach is not traced:
    /// a Gateway API object, a workload, ...).
    pub everything: bool,
    /// Callers whose Sidecar changed (its namespace, its workload
    /// selector's labels): every host of the mesh is probed from them.
    pub sidecar_callers: BTreeSet<Caller>,
    /// `mesh` or a gateway's `namespace/name`, and a fully qualified host.
    pub pairs: BTreeSet<(String, String)>,
}

/// A calling workload: its namespace and labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Caller {
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
}

/// Hosts that the changed resources serve or receive requests for.
pub fn reach(
    changed: &[ChangedResource],
    configs: [&Config; 2],
    served: [&[ServedHosts]; 2],
) -> Reach {
    let mut reach = Reach::default();
    let mut destinations = BTreeSet::new();
    let mut gateways = BTreeSet::new();
    for c in changed {
        match c.kind.as_str() {
            "VirtualService" | "HTTPRoute" => {
                for vs in served.iter().flat_map(|s| s.iter()) {
                    if vs.resource.kind == c.kind
                        && vs.resource.namespace == c.namespace
                        && vs.resource.name == c.name
                    {
                        if vs.hosts.is_empty() {
                            // A delegate: its roots are not traced.
                            reach.everything = true;
                        }
                        add_served(&mut reach, vs);
                    }
                }
            }
            "DestinationRule" | "Service" | "ServiceEntry" => {
                for config in configs {
                    destinations.extend(hosts_of(config, c));
                }
            }
            "Sidecar" => {
                for config in configs {
                    let selected = config
                        .sidecars
                        .iter()
                        .filter(|r| r.namespace == c.namespace && r.name() == c.name);
                    reach.sidecar_callers.extend(selected.map(|r| {
                        Caller {
                            namespace: c.namespace.clone(),
                            labels: r
                                .spec
                                .workload_selector
                                .as_ref()
                                .map(|w| w.labels.clone())
                                .unwrap_or_default(),
                        }
                    }));
                }
            }
            "Gateway" if !c.namespace.is_empty() => {
                gateways.insert(format!("{}/{}", c.namespace, c.name));
            }
            "Deployment" | "Pod" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Namespace"
            | "ReferenceGrant" | "Node" => {
                // Endpoints and namespaces: what they change is the
                // DestinationRule policy of the hosts they back, which the
                // mesh view resolves; trace them all.
                reach.everything = true;
            }
            _ => reach.everything = true,
        }
    }
    for vs in served.iter().flat_map(|s| s.iter()) {
        let sends_there = vs.destinations.iter().any(|d| destinations.contains(d));
        let at_gateway = vs.gateways.iter().any(|g| gateways.contains(g));
        if sends_there || at_gateway {
            add_served(&mut reach, vs);
        }
    }
    for host in destinations {
        reach.pairs.insert(("mesh".to_string(), host));
    }
    reach
}

fn add_served(reach: &mut Reach, vs: &ServedHosts) {
    for gateway in &vs.gateways {
        for host in &vs.hosts {
            reach.pairs.insert((gateway.clone(), host.clone()));
        }
    }
}

/// The fully qualified hosts a DestinationRule, Service or ServiceEntry
/// names, as it is on one side.
pub(super) fn hosts_of(config: &Config, c: &ChangedResource) -> Vec<String> {
    let same = |namespace: &str, name: &str| namespace == c.namespace && name == c.name;
    match c.kind.as_str() {
        "DestinationRule" => config
            .destination_rules
            .iter()
            .filter(|r| same(&r.namespace, r.name()))
            .map(|r| fqdn(&r.spec.host, &r.namespace))
            .collect(),
        "Service" => config
            .services
            .iter()
            .filter(|r| same(&r.namespace, r.name()))
            .map(|r| fqdn(r.name(), &r.namespace))
            .collect(),
        _ => config
            .service_entries
            .iter()
            .filter(|r| same(&r.namespace, r.name()))
            .flat_map(|r| r.spec.hosts.iter().map(|h| fqdn(h, &r.namespace)))
            .collect(),
    }
}

/// Every (entry, host) pair either side serves, and every registry host at
/// the mesh entry.
pub fn everything(
    configs: [&Config; 2],
    served: [&[ServedHosts]; 2],
) -> BTreeSet<(String, String)> {
    let mut reach = Reach::default();
    for vs in served.iter().flat_map(|s| s.iter()) {
        add_served(&mut reach, vs);
    }
    for config in configs {
        let services = config.services.iter().map(|s| fqdn(s.name(), &s.namespace));
        let entries = config
            .service_entries
            .iter()
            .flat_map(|se| se.spec.hosts.iter().map(|h| fqdn(h, &se.namespace)));
        reach.pairs.extend(
            services
                .chain(entries)
                .map(|host| ("mesh".to_string(), host)),
        );
    }
    reach.pairs
}

/// Who sends the requests of each (entry, host) to probe: every namespace
/// for the pairs a change reaches (`reach.everything`: all of `every`);
/// for the rest of the mesh's hosts, the callers whose Sidecar changed (in
/// every namespace for the root namespace's Sidecar, every namespace's
/// default).
pub fn plan(
    reach: Reach,
    every: BTreeSet<(String, String)>,
    namespaces: &BTreeSet<String>,
) -> BTreeMap<(String, String), BTreeSet<Caller>> {
    let caller = |namespace: &String, labels: &BTreeMap<String, String>| Caller {
        namespace: namespace.clone(),
        labels: labels.clone(),
    };
    let everyone: BTreeSet<Caller> = namespaces
        .iter()
        .map(|n| caller(n, &BTreeMap::new()))
        .collect();
    let sidecar_callers: BTreeSet<Caller> = reach
        .sidecar_callers
        .iter()
        .flat_map(|c| {
            let spread = c.namespace == ROOT_NAMESPACE;
            namespaces
                .iter()
                .filter(move |n| spread || **n == c.namespace)
                .map(move |n| caller(n, &c.labels))
        })
        .collect();
    let mut jobs = BTreeMap::new();
    let traced = if reach.everything {
        every.clone()
    } else {
        reach.pairs
    };
    for pair in traced {
        jobs.insert(pair, everyone.clone());
    }
    if !sidecar_callers.is_empty() {
        for pair in every.into_iter().filter(|(entry, _)| entry == "mesh") {
            jobs.entry(pair).or_insert_with(|| sidecar_callers.clone());
        }
    }
    jobs
}
