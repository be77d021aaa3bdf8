//! The service registry: Kubernetes Services and ServiceEntry hosts, with
//! their ports and exportTo, indexed by host.

use std::collections::HashMap;

use crate::mesh::names::{fqdn, service_fqdn};
use crate::model::host::host_matches;
use crate::model::protocol::Protocol;
use crate::model::{Config, Resource, Service, ServiceEntry, exported_to};

/// Kubernetes Service annotation that limits its visibility, like exportTo.
const SERVICE_EXPORT_TO: &str = "networking.istio.io/exportTo";

/// A host of the registry: a Kubernetes Service or one host of a ServiceEntry.
pub struct RegistryHost<'c> {
    /// FQDN for Services; as written (possibly a wildcard) for ServiceEntries.
    pub host: String,
    pub namespace: &'c str,
    pub ports: Vec<RegistryPort<'c>>,
    /// exportTo of the ServiceEntry, or the Service's exportTo annotation.
    export_to: Vec<String>,
    pub origin: Origin<'c>,
}

impl RegistryHost<'_> {
    /// Whether a proxy in `namespace` sees this host (`*` asks whether it is
    /// exported to every namespace).
    pub fn visible_from(&self, namespace: &str) -> bool {
        if namespace == "*" {
            self.export_to.is_empty() || self.export_to.iter().any(|e| e == "*")
        } else {
            exported_to(&self.export_to, self.namespace, namespace)
        }
    }

    /// For an ExternalName Service, the host it is an alias of (Istio's
    /// `ENABLE_EXTERNAL_NAME_ALIAS`, on by default).
    pub fn alias_of(&self) -> Option<String> {
        match self.origin {
            Origin::Service(s) if s.spec.service_type.as_deref() == Some("ExternalName") => s
                .spec
                .external_name
                .as_deref()
                .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
                .filter(|n| !n.is_empty()),
            _ => None,
        }
    }

    /// `Service ns/name` or `ServiceEntry ns/name`.
    pub fn owner(&self) -> String {
        match self.origin {
            Origin::Service(s) => format!("Service {}/{}", s.namespace, s.name()),
            Origin::ServiceEntry(s) => format!("ServiceEntry {}/{}", s.namespace, s.name()),
        }
    }
}

/// Where a registry host comes from.
#[derive(Clone, Copy)]
pub enum Origin<'c> {
    Service(&'c Resource<Service>),
    ServiceEntry(&'c Resource<ServiceEntry>),
}

/// A port of a registry host, as written (a number out of range is kept,
/// never truncated; validate reports it).
pub struct RegistryPort<'c> {
    pub number: u64,
    pub name: &'c str,
    /// The protocol Istio gives the port (a ServiceEntry's as written, a
    /// Service's by `ConvertProtocol`).
    pub protocol: Protocol,
}

/// Items indexed by host: exact hosts in a map, wildcard hosts in a list.
#[derive(Default)]
pub struct HostTable {
    exact: HashMap<String, Vec<usize>>,
    wildcards: Vec<(String, usize)>,
}

impl HostTable {
    pub fn insert(&mut self, host: String, item: usize) {
        if host.starts_with('*') {
            self.wildcards.push((host, item));
        } else {
            self.exact.entry(host).or_default().push(item);
        }
    }

    /// Items whose host is `fqdn` or a wildcard covering it, exact ones first.
    pub fn matching<'t>(&'t self, fqdn: &'t str) -> impl Iterator<Item = usize> + 't {
        let exact = self.exact.get(fqdn).into_iter().flatten().copied();
        let wild = self
            .wildcards
            .iter()
            .filter(move |(pattern, _)| host_matches(pattern, fqdn))
            .map(|(_, item)| *item);
        exact.chain(wild)
    }

    /// Items registered under exactly `host`.
    pub fn exact(&self, host: &str) -> &[usize] {
        self.exact.get(host).map_or(&[], Vec::as_slice)
    }
}

/// Every registry host of `config`: Services first, then ServiceEntry hosts.
pub fn hosts(config: &Config) -> Vec<RegistryHost<'_>> {
    let mut registry = Vec::new();
    for svc in &config.services {
        let export_to = svc
            .meta
            .annotations
            .get(SERVICE_EXPORT_TO)
            .map(|a| a.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default();
        registry.push(RegistryHost {
            host: service_fqdn(svc.name(), &svc.namespace),
            namespace: &svc.namespace,
            ports: svc
                .spec
                .ports
                .iter()
                .map(|p| RegistryPort {
                    number: p.port,
                    name: p.name.as_deref().unwrap_or(""),
                    protocol: p.istio_protocol(),
                })
                .collect(),
            export_to,
            origin: Origin::Service(svc),
        });
    }
    for se in &config.service_entries {
        for host in &se.spec.hosts {
            registry.push(RegistryHost {
                host: fqdn(host, &se.namespace),
                namespace: &se.namespace,
                ports: se
                    .spec
                    .ports
                    .iter()
                    .map(|p| RegistryPort {
                        number: p.number,
                        name: &p.name,
                        protocol: Protocol::parse(p.protocol.as_deref().unwrap_or("")),
                    })
                    .collect(),
                export_to: se.spec.export_to.clone(),
                origin: Origin::ServiceEntry(se),
            });
        }
    }
    registry
}
