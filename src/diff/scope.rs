//! Which resources a change touches, and which (entry, host) pairs their
//! change can reach: a request's outcome depends only on the routes of its
//! host at its entry and on the destinations those routes name, so hosts
//! that no changed resource touches are left alone.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::ResourceRef;
use crate::mesh::names::{ROOT_NAMESPACE, fqdn};
use crate::model::Config;
use crate::route::ServedHosts;
use crate::validate::Outcome;

/// How a resource differs between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Added,
    Removed,
    Modified,
}

impl Edit {
    /// The word reports and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Edit::Added => "added",
            Edit::Removed => "removed",
            Edit::Modified => "modified",
        }
    }
}

impl Serialize for Edit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A resource whose content differs between the sides.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedResource {
    #[serde(flatten)]
    pub resource: ResourceRef,
    pub change: Edit,
    /// Its document on the NEW side (none when it was removed).
    #[serde(skip)]
    pub new_doc: Option<usize>,
}

/// Fields the API server owns: not part of what the user changed.
const SERVER_OWNED: [&str; 4] = ["managedFields", "resourceVersion", "uid", "generation"];

/// Whether two definitions say the same, apart from `status` and the
/// metadata the API server owns.
fn same_content(a: &Value, b: &Value) -> bool {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return a == b;
    };
    let fields =
        |m: &'_ serde_json::Map<String, Value>| m.len() - usize::from(m.contains_key("status"));
    fields(a) == fields(b)
        && a.iter()
            .filter(|(k, _)| *k != "status")
            .all(|(k, v)| match (k.as_str(), b.get(k)) {
                ("metadata", Some(w)) => same_metadata(v, w),
                (_, Some(w)) => v == w,
                (_, None) => false,
            })
}

fn same_metadata(a: &Value, b: &Value) -> bool {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return a == b;
    };
    let kept = |m: &'_ serde_json::Map<String, Value>| {
        m.iter()
            .filter(|(k, _)| !SERVER_OWNED.contains(&k.as_str()))
            .count()
    };
    kept(a) == kept(b)
        && a.iter()
            .filter(|(k, _)| !SERVER_OWNED.contains(&k.as_str()))
            .all(|(k, v)| b.get(k) == Some(v))
}

/// Each resource of a side by identity (the last definition, as kubectl
/// apply keeps it), with its document's index.
fn resources(outcome: &Outcome) -> BTreeMap<ResourceRef, usize> {
    let mut found = BTreeMap::new();
    for (index, doc) in outcome.documents.iter().enumerate() {
        let Some(name) = doc.str_field("/metadata/name") else {
            continue;
        };
        let namespace = doc
            .str_field("/metadata/namespace")
            .unwrap_or(&outcome.default_namespace);
        let id = ResourceRef {
            kind: doc.kind().to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        };
        found.insert(id, index);
    }
    found
}

/// The resources added, removed or modified, in kind, namespace, name order.
pub fn changed_resources(old: &Outcome, new: &Outcome) -> Vec<ChangedResource> {
    let (before, after) = (resources(old), resources(new));
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (old_doc, new_doc) = (before.get(key), after.get(key).copied());
            let change = match (old_doc, new_doc) {
                (Some(_), None) => Edit::Removed,
                (None, Some(_)) => Edit::Added,
                (Some(&a), Some(b))
                    if !same_content(&old.documents[a].value, &new.documents[b].value) =>
                {
                    Edit::Modified
                }
                _ => return None,
            };
            Some(ChangedResource {
                resource: key.clone(),
                change,
                new_doc,
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
        let ResourceRef {
            kind,
            namespace,
            name,
        } = &c.resource;
        match kind.as_str() {
            "VirtualService" | "HTTPRoute" => {
                for vs in served.iter().flat_map(|s| s.iter()) {
                    if vs.resource == c.resource {
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
                        .filter(|r| r.namespace == *namespace && r.name() == name);
                    reach.sidecar_callers.extend(selected.map(|r| Caller {
                        namespace: namespace.clone(),
                        labels: r.spec.selector().cloned().unwrap_or_default(),
                    }));
                }
            }
            "Gateway" if !namespace.is_empty() => {
                gateways.insert(c.resource.qualified());
            }
            // Workloads, namespaces, grants and the rest: what they change
            // (endpoints, visibility, attachment) is not traced to hosts.
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
/// names, as it is on one side; none for other kinds.
pub(super) fn hosts_of(config: &Config, c: &ChangedResource) -> Vec<String> {
    let same =
        |namespace: &str, name: &str| c.resource.namespace == namespace && c.resource.name == name;
    match c.resource.kind.as_str() {
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
        "ServiceEntry" => config
            .service_entries
            .iter()
            .filter(|r| same(&r.namespace, r.name()))
            .flat_map(|r| r.spec.hosts.iter().map(|h| fqdn(h, &r.namespace)))
            .collect(),
        _ => Vec::new(),
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
