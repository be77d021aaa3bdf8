//! One view of every loaded resource for the checks that look across them:
//! the service registry (Kubernetes Services and ServiceEntries) with
//! exportTo visibility, gateways, DestinationRules per host and workloads.
//!
//! Offline, the input is usually part of a cluster, not all of it. A reference
//! is checked only where the input describes its target: a Kubernetes host
//! when the input has Services in that host's namespace, any other host when
//! it has ServiceEntries, a gateway when it has Gateways in that namespace,
//! subsets when it has a DestinationRule for the host, pods when it has
//! workloads. What was not checked is listed in `unchecked` (`--verbose`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::load::Document;
use crate::model::destination_rule::Subset;
use crate::model::host::host_matches;
use crate::model::{
    Config, DestinationRule, Gateway, Resource, Service, ServiceEntry, VirtualService, Workload,
    exported_to,
};
use crate::route::names::{CLUSTER_DOMAIN, fqdn};
use crate::route::policy::service_namespace;

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

/// Where a registry host comes from.
#[derive(Clone, Copy)]
pub enum Origin<'c> {
    Service(&'c Resource<Service>),
    ServiceEntry(&'c Resource<ServiceEntry>),
}

/// A port of a registry host.
pub struct RegistryPort<'c> {
    pub number: u64,
    pub name: &'c str,
    pub protocol: Option<&'c str>,
}

/// The answer to "which registry host is this destination?".
pub enum HostLookup<'i, 'c> {
    Found(&'i RegistryHost<'c>),
    /// It exists but is not exported to the namespaces that need it.
    Hidden(&'i RegistryHost<'c>),
    Missing,
    /// The input does not describe the host's namespace: not checked.
    Unchecked,
}

/// Items indexed by host: exact hosts in a map, wildcard hosts in a list.
#[derive(Default)]
struct HostTable {
    exact: HashMap<String, Vec<usize>>,
    wildcards: Vec<(String, usize)>,
}

impl HostTable {
    fn insert(&mut self, host: String, item: usize) {
        if host.starts_with('*') {
            self.wildcards.push((host, item));
        } else {
            self.exact.entry(host).or_default().push(item);
        }
    }

    /// Items whose host is `fqdn` or a wildcard covering it, exact ones first.
    fn matching<'t>(&'t self, fqdn: &'t str) -> impl Iterator<Item = usize> + 't {
        let exact = self.exact.get(fqdn).into_iter().flatten().copied();
        let wild = self
            .wildcards
            .iter()
            .filter(move |(pattern, _)| host_matches(pattern, fqdn))
            .map(|(_, item)| *item);
        exact.chain(wild)
    }
}

/// The workloads behind a Service (and subset).
pub struct ServicePods<'c> {
    pub service: &'c Resource<Service>,
    /// The combined selector, `k=v,...`.
    pub selector: String,
    pub pods: Vec<&'c Resource<Workload>>,
}

impl ServicePods<'_> {
    /// Replicas of every selected Deployment and Pod.
    pub fn replicas(&self) -> u64 {
        self.pods.iter().map(|w| w.spec.replicas).sum()
    }
}

/// The answer to "which gateway is this name?".
pub enum GatewayLookup<'c> {
    Istio(&'c Resource<Gateway>),
    /// A Gateway API Gateway of that name.
    GatewayApi,
    Missing,
    /// The input has no Gateways in that namespace: not checked.
    Unchecked,
}

/// The configuration, indexed for cross-resource checks.
pub struct Index<'c> {
    pub config: &'c Config,
    pub docs: &'c [Document],
    pub registry: Vec<RegistryHost<'c>>,
    /// Registry entries by host.
    registry_hosts: HostTable,
    /// DestinationRules by host (short names expanded in their namespace).
    rule_hosts: HostTable,
    /// Workloads by namespace.
    workloads_by_namespace: HashMap<&'c str, Vec<&'c Resource<Workload>>>,
    service_namespaces: BTreeSet<&'c str>,
    gateway_namespaces: BTreeSet<&'c str>,
    /// Whether any Deployment or Pod is in the input.
    pub has_workloads: bool,
    /// References left unchecked because the input does not describe their target.
    pub unchecked: BTreeSet<String>,
}

impl<'c> Index<'c> {
    pub fn build(config: &'c Config, docs: &'c [Document]) -> Index<'c> {
        let mut registry = Vec::new();
        for svc in &config.services {
            let export_to = svc
                .meta
                .annotations
                .get(SERVICE_EXPORT_TO)
                .map(|a| a.split(',').map(|s| s.trim().to_string()).collect())
                .unwrap_or_default();
            registry.push(RegistryHost {
                host: format!("{}.{}.{CLUSTER_DOMAIN}", svc.name(), svc.namespace),
                namespace: &svc.namespace,
                ports: svc
                    .spec
                    .ports
                    .iter()
                    .map(|p| RegistryPort {
                        number: p.port,
                        name: p.name.as_deref().unwrap_or(""),
                        protocol: p.app_protocol.as_deref().or(p.protocol.as_deref()),
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
                            protocol: p.protocol.as_deref(),
                        })
                        .collect(),
                    export_to: se.spec.export_to.clone(),
                    origin: Origin::ServiceEntry(se),
                });
            }
        }
        let mut registry_hosts = HostTable::default();
        for (i, r) in registry.iter().enumerate() {
            registry_hosts.insert(r.host.clone(), i);
        }
        let mut rule_hosts = HostTable::default();
        for (i, dr) in config.destination_rules.iter().enumerate() {
            rule_hosts.insert(fqdn(&dr.spec.host, &dr.namespace), i);
        }
        let mut workloads_by_namespace: HashMap<&str, Vec<_>> = HashMap::new();
        for w in &config.workloads {
            workloads_by_namespace
                .entry(w.namespace.as_str())
                .or_default()
                .push(w);
        }
        Index {
            config,
            docs,
            registry,
            registry_hosts,
            rule_hosts,
            workloads_by_namespace,
            service_namespaces: config
                .services
                .iter()
                .map(|s| s.namespace.as_str())
                .collect(),
            gateway_namespaces: config
                .gateways
                .iter()
                .map(|g| g.namespace.as_str())
                .collect(),
            has_workloads: !config.workloads.is_empty(),
            unchecked: BTreeSet::new(),
        }
    }

    /// Finds `host` (as written in a resource of `namespace` with `export_to`)
    /// among the registry hosts visible where the resource applies: its own
    /// namespace without exportTo, else every namespace it is exported to.
    pub fn lookup_host(
        &mut self,
        host: &str,
        namespace: &str,
        export_to: &[String],
    ) -> HostLookup<'_, 'c> {
        let name = fqdn(host, namespace);
        let scopes: Vec<&str> = if export_to.is_empty() {
            vec![namespace]
        } else {
            export_to
                .iter()
                .map(|e| if e == "." { namespace } else { e.as_str() })
                .collect()
        };
        let visible = |r: &RegistryHost| {
            scopes.iter().any(|scope| {
                if *scope == "*" {
                    r.export_to.is_empty() || r.export_to.iter().any(|e| e == "*")
                } else {
                    exported_to(&r.export_to, r.namespace, scope)
                }
            })
        };
        let candidates: Vec<usize> = self.registry_hosts.matching(&name).collect();
        if candidates.is_empty() {
            let described = match service_namespace(&name) {
                Some(ns) => self.service_namespaces.contains(ns),
                None => !self.config.service_entries.is_empty(),
            };
            if described {
                return HostLookup::Missing;
            }
            self.unchecked.insert(match service_namespace(&name) {
                Some(ns) => format!("host {name}: the input has no Services in namespace {ns}"),
                None => format!("host {name}: the input has no ServiceEntries"),
            });
            return HostLookup::Unchecked;
        }
        let registry = &self.registry;
        match candidates.iter().find(|&&i| visible(&registry[i])) {
            Some(&i) => HostLookup::Found(&registry[i]),
            None => HostLookup::Hidden(&registry[candidates[0]]),
        }
    }

    /// The registry host named exactly `fqdn`, ignoring visibility.
    pub fn registry_host(&self, fqdn: &str) -> Option<&RegistryHost<'c>> {
        let first = self.registry_hosts.exact.get(fqdn)?.first()?;
        Some(&self.registry[*first])
    }

    /// Looks up the gateway `namespace/name` (Istio or Gateway API).
    pub fn gateway(&mut self, reference: &str) -> GatewayLookup<'c> {
        let (ns, name) = reference.split_once('/').unwrap_or(("", reference));
        if let Some(gw) = self
            .config
            .gateways
            .iter()
            .find(|g| g.namespace == ns && g.name() == name)
        {
            return GatewayLookup::Istio(gw);
        }
        if self
            .config
            .kube_gateways
            .iter()
            .any(|g| g.namespace == ns && g.name() == name)
        {
            return GatewayLookup::GatewayApi;
        }
        if !self.gateway_namespaces.contains(ns) {
            self.unchecked.insert(format!(
                "gateway {reference}: the input has no Gateways in namespace {ns}"
            ));
            return GatewayLookup::Unchecked;
        }
        GatewayLookup::Missing
    }

    /// The DestinationRules whose host matches `fqdn` (after short-name
    /// expansion in their own namespace), visible from `namespace`.
    pub fn destination_rules_for(
        &self,
        fqdn_host: &str,
        namespace: &str,
    ) -> Vec<&'c Resource<DestinationRule>> {
        self.destination_rules_matching(fqdn_host)
            .filter(|dr| exported_to(&dr.spec.export_to, &dr.namespace, namespace))
            .collect()
    }

    /// Every DestinationRule whose host is `fqdn` or a wildcard covering it.
    pub fn destination_rules_matching<'s>(
        &'s self,
        fqdn_host: &'s str,
    ) -> impl Iterator<Item = &'c Resource<DestinationRule>> + 's {
        let rules = &self.config.destination_rules;
        self.rule_hosts.matching(fqdn_host).map(move |i| &rules[i])
    }

    /// The subsets defined for `fqdn` by DestinationRules visible from
    /// `namespace`; `None` when the input has no DestinationRule for the host.
    pub fn subsets_for(&mut self, fqdn_host: &str, namespace: &str) -> Option<Vec<&'c Subset>> {
        if self.rule_hosts.matching(fqdn_host).next().is_none() {
            self.unchecked.insert(format!(
                "subsets of {fqdn_host}: the input has no DestinationRule for it"
            ));
            return None;
        }
        Some(
            self.destination_rules_for(fqdn_host, namespace)
                .into_iter()
                .flat_map(|dr| dr.spec.subsets.iter())
                .collect(),
        )
    }

    /// Workloads in `namespace` whose labels include every label of `selector`.
    pub fn workloads<'s>(
        &'s self,
        namespace: Option<&'s str>,
        selector: &'s [(&'s str, &'s str)],
    ) -> impl Iterator<Item = &'c Resource<Workload>> + 's {
        let in_scope: Box<dyn Iterator<Item = &'c Resource<Workload>> + 's> = match namespace {
            Some(ns) => Box::new(
                self.workloads_by_namespace
                    .get(ns)
                    .into_iter()
                    .flatten()
                    .copied(),
            ),
            None => Box::new(self.config.workloads.iter()),
        };
        in_scope.filter(move |w| {
            selector
                .iter()
                .all(|(k, v)| w.spec.labels.get(*k).is_some_and(|l| l == v))
        })
    }

    /// The pods behind the Kubernetes Service `fqdn`: its selector plus
    /// `labels` (a subset's; topology labels, which pods do not carry, are
    /// left out). `None` when the host is no Service with a selector.
    pub fn service_pods(
        &self,
        fqdn_host: &str,
        labels: &BTreeMap<String, String>,
    ) -> Option<ServicePods<'c>> {
        let Origin::Service(service) = self.registry_host(fqdn_host)?.origin else {
            return None;
        };
        if service.spec.selector.is_empty() {
            return None;
        }
        let selector: Vec<(&str, &str)> = service
            .spec
            .selector
            .iter()
            .chain(labels.iter().filter(|(k, _)| !k.starts_with("topology.")))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let pods = self
            .workloads(Some(&service.namespace), &selector)
            .collect();
        let selector = selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        Some(ServicePods {
            service,
            selector,
            pods,
        })
    }

    /// Virtual services of the input.
    pub fn virtual_services(&self) -> &'c [Resource<VirtualService>] {
        &self.config.virtual_services
    }
}
