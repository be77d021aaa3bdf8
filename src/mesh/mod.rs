//! The mesh view: what Istio makes of the loaded configuration, built once
//! and asked by every command. It owns the service registry (Services and
//! ServiceEntries with exportTo), host naming, gateway resolution and the one
//! DestinationRule lookup; `analyze`, `route`, `sim` and `shift` ask it and
//! never rebuild any of these.
//!
//! Offline, the input is usually part of a cluster, not all of it. A name is
//! only judged where the input describes its target: a Kubernetes host when
//! the input has Services in that host's namespace, any other host when it
//! has ServiceEntries, a gateway when it has Gateways in that namespace,
//! subsets when it has a DestinationRule for the host. What the input does
//! not describe is assumed to exist, and the answer says it was not checked.

pub mod calls;
pub mod destination_rules;
pub mod names;
pub mod registry;
pub mod sidecar;
mod topology;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use destination_rules::{MergedRule, SubsetLookup};
pub use registry::{Origin, RegistryHost, RegistryPort};

use crate::model::protocol::Protocol;
use crate::model::{
    Config, DestinationRule, Gateway, Kind, KubeGateway, Resource, VirtualService, Workload,
};
use names::{fqdn, service_namespace};
use registry::HostTable;

/// The answer to "which registry host is this name?".
pub enum HostLookup<'m, 'c> {
    Found(&'m RegistryHost<'c>),
    /// It exists but is not exported to the namespaces that need it.
    Hidden(&'m RegistryHost<'c>),
    Missing,
    /// The input does not describe the host's namespace: not checked (why).
    Unchecked(String),
}

impl HostLookup<'_, '_> {
    /// The namespace of the looked-up `fqdn`: its registry entry's, else
    /// (for a host the input does not describe) the Kubernetes namespace its
    /// name says.
    pub fn namespace<'h>(&'h self, fqdn_host: &'h str) -> Option<&'h str> {
        match self {
            HostLookup::Found(h) | HostLookup::Hidden(h) => Some(h.namespace),
            HostLookup::Unchecked(_) | HostLookup::Missing => service_namespace(fqdn_host),
        }
    }
}

/// The answer to "which gateway is this name?".
pub enum GatewayLookup<'c> {
    Istio(&'c Resource<Gateway>),
    /// A Gateway API Gateway of that name.
    GatewayApi(&'c Resource<KubeGateway>),
    Missing,
    /// The input has no Gateways in that namespace: not checked (why).
    Unchecked(String),
}

/// The workloads behind a Service (and subset).
pub struct ServicePods<'c> {
    pub service: &'c Resource<crate::model::Service>,
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

/// The resolved view of the loaded configuration.
pub struct Mesh<'c> {
    pub config: &'c Config,
    pub registry: Vec<RegistryHost<'c>>,
    /// Registry entries by host.
    registry_hosts: HostTable,
    /// DestinationRules by host (short names expanded in their namespace).
    rule_hosts: HostTable,
    /// The expanded host of each DestinationRule, by index.
    rule_fqdns: Vec<String>,
    /// Workloads by namespace.
    workloads_by_namespace: HashMap<&'c str, Vec<&'c Resource<Workload>>>,
    service_namespaces: BTreeSet<&'c str>,
    gateway_namespaces: BTreeSet<&'c str>,
    topology: topology::Topology<'c>,
    /// The mesh-wide outboundTrafficPolicy mode (meshConfig).
    outbound_default: sidecar::OutboundMode,
    /// The input is the whole cluster: what it lacks does not exist.
    complete: bool,
}

impl<'c> Mesh<'c> {
    /// Resolves `config` once; what the input does not describe is not
    /// checked.
    pub fn build(config: &'c Config) -> Mesh<'c> {
        Mesh::build_as(config, false)
    }

    /// Resolves `config` once; `complete` says it is the whole cluster
    /// (`validate --complete`), so a namespace without Services, a gateway
    /// namespace without Gateways or a pod without a Node lacks them.
    pub fn build_as(config: &'c Config, complete: bool) -> Mesh<'c> {
        let registry = registry::hosts(config);
        let mut registry_hosts = HostTable::default();
        for (i, r) in registry.iter().enumerate() {
            registry_hosts.insert(r.host.clone(), i);
        }
        let rule_fqdns: Vec<String> = config
            .destination_rules
            .iter()
            .map(|dr| fqdn(&dr.spec.host, &dr.namespace))
            .collect();
        let mut rule_hosts = HostTable::default();
        for (i, host) in rule_fqdns.iter().enumerate() {
            rule_hosts.insert(host.clone(), i);
        }
        let mut workloads_by_namespace: HashMap<&str, Vec<_>> = HashMap::new();
        for w in &config.workloads {
            workloads_by_namespace
                .entry(w.namespace.as_str())
                .or_default()
                .push(w);
        }
        Mesh {
            config,
            registry,
            registry_hosts,
            rule_hosts,
            rule_fqdns,
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
            topology: topology::Topology::new(config, complete),
            outbound_default: sidecar::OutboundMode::AllowAny,
            complete,
        }
    }

    /// Whether the input is the whole cluster (`validate --complete`).
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Whether the input describes where `fqdn` would be defined; the reason
    /// it was not checked otherwise.
    fn describes(&self, fqdn_host: &str) -> Result<(), String> {
        if self.complete {
            return Ok(());
        }
        match service_namespace(fqdn_host) {
            Some(ns) if self.service_namespaces.contains(ns) => Ok(()),
            Some(ns) => Err(format!(
                "host {fqdn_host}: the input has no Services in namespace {ns}"
            )),
            None if !self.config.service_entries.is_empty() => Ok(()),
            None => Err(format!("host {fqdn_host}: the input has no ServiceEntries")),
        }
    }

    /// Finds `host` (as written in a resource of `namespace` with `export_to`)
    /// among the registry hosts visible where the resource applies: its own
    /// namespace without exportTo, else every namespace it is exported to.
    pub fn lookup_host(
        &self,
        host: &str,
        namespace: &str,
        export_to: &[String],
    ) -> HostLookup<'_, 'c> {
        let scopes: Vec<&str> = if export_to.is_empty() {
            vec![namespace]
        } else {
            export_to
                .iter()
                .map(|e| if e == "." { namespace } else { e.as_str() })
                .collect()
        };
        self.lookup_fqdn(&fqdn(host, namespace), &scopes)
    }

    /// Finds the registry host `fqdn` as a proxy in one of `scopes` sees it.
    pub fn lookup_fqdn(&self, fqdn_host: &str, scopes: &[&str]) -> HostLookup<'_, 'c> {
        let mut candidates = self.registry_hosts.matching(fqdn_host).peekable();
        let Some(&first) = candidates.peek() else {
            return match self.describes(fqdn_host) {
                Ok(()) => HostLookup::Missing,
                Err(why) => HostLookup::Unchecked(why),
            };
        };
        let registry = &self.registry;
        match candidates.find(|&i| scopes.iter().any(|s| registry[i].visible_from(s))) {
            Some(i) => HostLookup::Found(&registry[i]),
            None => HostLookup::Hidden(&registry[first]),
        }
    }

    /// The registry host named exactly `fqdn`, ignoring visibility.
    pub fn registry_host(&self, fqdn_host: &str) -> Option<&RegistryHost<'c>> {
        let first = self.registry_hosts.exact(fqdn_host).first()?;
        Some(&self.registry[*first])
    }

    /// The namespace of `fqdn`: its registry entry's, else the Kubernetes
    /// namespace its name says.
    pub fn host_namespace<'h>(&'h self, fqdn_host: &'h str) -> Option<&'h str> {
        self.registry_host(fqdn_host)
            .map(|r| r.namespace)
            .or_else(|| service_namespace(fqdn_host))
    }

    /// Whether `fqdn` is a registry host (exactly or under a wildcard).
    pub fn is_registered(&self, fqdn_host: &str) -> bool {
        self.registry_hosts.matching(fqdn_host).next().is_some()
    }

    /// The port of `fqdn` when its registry entry has exactly one.
    pub fn single_port(&self, fqdn_host: &str) -> Option<u16> {
        let host = self.registry_host(fqdn_host)?;
        match host.ports.as_slice() {
            [one] => u16::try_from(one.number).ok(),
            _ => None,
        }
    }

    /// The port a caller reaches `fqdn` on when the request names none: its
    /// only port, else the default port of `scheme` (80 for http, 443 for
    /// https) when it has that port or is no registry host.
    pub fn request_port(&self, fqdn_host: &str, scheme: &str) -> Option<u16> {
        let default = match scheme {
            "https" => 443,
            _ => 80,
        };
        let Some(host) = self.registry_host(fqdn_host) else {
            return Some(default);
        };
        self.single_port(fqdn_host).or_else(|| {
            host.ports
                .iter()
                .any(|p| p.number == u64::from(default))
                .then_some(default)
        })
    }

    /// The protocol of `port` of the registry host `fqdn` (its only port
    /// when `port` is none).
    pub fn port_protocol(&self, fqdn_host: &str, port: Option<u16>) -> Option<Protocol> {
        let host = self.registry_host(fqdn_host)?;
        let found = match port {
            Some(n) => host.ports.iter().find(|p| p.number == u64::from(n)),
            None if host.ports.len() == 1 => host.ports.first(),
            None => None,
        };
        found.map(|p| p.protocol)
    }

    /// Whether the input defines `fqdn` (a registry host, maybe not exported
    /// everywhere); `None` when the input does not describe where it would be
    /// defined, so it cannot tell.
    pub fn defines(&self, fqdn_host: &str) -> Option<bool> {
        match self.lookup_fqdn(fqdn_host, &["*"]) {
            HostLookup::Found(_) | HostLookup::Hidden(_) => Some(true),
            HostLookup::Missing => Some(false),
            HostLookup::Unchecked(_) => None,
        }
    }

    /// The registry host closest to `host`, when it looks like a typo of one:
    /// service names are compared within the same namespace first, where a
    /// short form (`reviewz.shop`, `reviewz`) is in every namespace it could
    /// abbreviate.
    pub fn closest_host(&self, host: &str) -> Option<&str> {
        let (name, rest) = host.split_once('.').unwrap_or((host, ""));
        let same_place = |tail: &str| {
            rest.is_empty()
                || tail == rest
                || tail.strip_prefix(rest).is_some_and(|t| t.starts_with('.'))
        };
        let same_namespace = self.registry.iter().filter_map(|r| {
            r.host
                .split_once('.')
                .filter(|(_, tail)| same_place(tail))
                .map(|(first, _)| first)
        });
        if let Some(best) = crate::schema::did_you_mean(name, same_namespace) {
            return self.registry.iter().map(|r| r.host.as_str()).find(|h| {
                h.split_once('.')
                    .is_some_and(|(first, tail)| first == best && same_place(tail))
            });
        }
        crate::schema::did_you_mean(host, self.registry.iter().map(|r| r.host.as_str()))
    }

    /// The host an ExternalName Service `fqdn` is an alias of: a request
    /// for it is a request for that host, whose virtual host and endpoints
    /// serve it; the alias has no routes or policies of its own.
    pub fn alias_target(&self, fqdn_host: &str) -> Option<String> {
        self.registry_host(fqdn_host)?.alias_of()
    }

    /// The service FQDN a request's Host names, seen from `client_ns`.
    pub fn service_for_host(&self, host: &str, client_ns: &str) -> String {
        // A Kubernetes host in a namespace the input does not describe is
        // assumed to be a service, unless it reads as a domain (`example.com`).
        let domain_like = host.trim_end_matches('.').matches('.').count() == 1;
        names::service_for_host(host, client_ns, |h| {
            self.is_registered(h)
                || (!domain_like && service_namespace(h).is_some() && self.describes(h).is_err())
        })
    }

    /// Looks up the gateway `namespace/name` (Istio or Gateway API).
    pub fn gateway(&self, reference: &str) -> GatewayLookup<'c> {
        let (ns, name) = reference.split_once('/').unwrap_or(("", reference));
        if let Some(gw) = self
            .config
            .gateways
            .iter()
            .find(|g| g.namespace == ns && g.name() == name)
        {
            return GatewayLookup::Istio(gw);
        }
        if let Some(gw) = self
            .config
            .kube_gateways
            .iter()
            .find(|g| g.namespace == ns && g.name() == name)
        {
            return GatewayLookup::GatewayApi(gw);
        }
        if !self.complete && !self.gateway_namespaces.contains(ns) {
            return GatewayLookup::Unchecked(format!(
                "gateway {reference}: the input has no Gateways in namespace {ns}"
            ));
        }
        GatewayLookup::Missing
    }

    /// The namespace of a gateway's proxy: where the input's workloads that
    /// its selector picks run (all in one namespace), else the Gateway's own
    /// (where Istio deploys a Gateway API gateway).
    pub fn gateway_proxy_namespace<'g>(&self, gw: &'g Resource<Gateway>) -> &'g str
    where
        'c: 'g,
    {
        if gw.spec.selector.is_empty() {
            return &gw.namespace;
        }
        let pods = self.gateway_pods(gw);
        let mut namespaces = pods.iter().map(|w| w.namespace.as_str());
        match namespaces.next() {
            Some(first) if namespaces.all(|ns| ns == first) => first,
            _ => &gw.namespace,
        }
    }

    /// The Gateways whose servers the proxies of `gw` serve together with
    /// its own (Istio merges every Gateway that selects the same workloads):
    /// Istio Gateways with the same non-empty selector or a selected pod in
    /// common, in input order. A Gateway API Gateway has proxies of its own.
    pub fn merged_gateways(&self, gw: &'c Resource<Gateway>) -> Vec<&'c Resource<Gateway>> {
        if gw.kind == Kind::KubeGateway || gw.spec.selector.is_empty() {
            return vec![gw];
        }
        let pods = self.gateway_pods(gw);
        self.config
            .gateways
            .iter()
            .filter(|g| {
                std::ptr::eq(*g, gw)
                    || (!g.spec.selector.is_empty() && g.spec.selector == gw.spec.selector)
                    || self
                        .gateway_pods(g)
                        .iter()
                        .any(|p| pods.iter().any(|q| std::ptr::eq(*p, *q)))
            })
            .collect()
    }

    /// The mesh with `mode` as its mesh-wide outboundTrafficPolicy.
    pub fn with_outbound_default(mut self, mode: sidecar::OutboundMode) -> Mesh<'c> {
        self.outbound_default = mode;
        self
    }

    /// The Sidecar scope of a caller in `namespace` with `labels`.
    pub fn scope<'s>(
        &'s self,
        namespace: &'s str,
        labels: &BTreeMap<String, String>,
    ) -> sidecar::Scope<'s> {
        sidecar::Scope::of(
            &self.config.sidecars,
            namespace,
            labels,
            self.outbound_default,
        )
    }

    /// The Deployments and Pods (in any namespace) a gateway's selector picks.
    pub fn gateway_pods(&self, gw: &Resource<Gateway>) -> Vec<&'c Resource<Workload>> {
        let selector: Vec<(&str, &str)> = gw
            .spec
            .selector
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.workloads(None, &selector).collect()
    }

    /// Finds a gateway a request enters by `ns/name`, or by a bare name
    /// unique across namespaces (Istio Gateways and the ones Istio derives
    /// from Gateway API Gateways).
    pub fn find_gateway(&self, name: &str) -> Result<&'c Resource<Gateway>, String> {
        let all = self
            .config
            .gateways
            .iter()
            .chain(&self.config.generated.gateways);
        let found: Vec<_> = match name.split_once('/') {
            Some((ns, n)) => all
                .filter(|g| g.namespace == ns && g.meta.name == n)
                .collect(),
            None => all.filter(|g| g.meta.name == name).collect(),
        };
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(format!("gateway `{name}` is not among the loaded Gateways")),
            many => Err(format!(
                "gateway `{name}` is ambiguous: {}; {}",
                many.iter()
                    .map(|g| format!(
                        "{} {} ({})",
                        g.kind.as_str(),
                        g.id().qualified(),
                        if g.kind == Kind::KubeGateway {
                            "Gateway API"
                        } else {
                            "Istio"
                        }
                    ))
                    .collect::<Vec<_>>()
                    .join(", "),
                if many.iter().all(|g| g.namespace == many[0].namespace) {
                    "an Istio Gateway and a Gateway API Gateway share the name: load only the one to route through"
                } else {
                    "name it as NAMESPACE/NAME"
                }
            )),
        }
    }

    /// Every DestinationRule whose host is `fqdn` or a wildcard covering it.
    pub fn destination_rules_matching<'s>(
        &'s self,
        fqdn_host: &'s str,
    ) -> impl Iterator<Item = &'c Resource<DestinationRule>> + 's {
        let rules = &self.config.destination_rules;
        self.rule_hosts.matching(fqdn_host).map(move |i| &rules[i])
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
                .all(|(k, v)| self.topology.may_carry(w, k, v))
        })
    }

    /// The pods behind the Kubernetes Service `fqdn`: its selector plus
    /// `labels` (a subset's), matched against the labels pilot gives the
    /// pods (their node's topology included). `None` when the host is no
    /// Service with a selector.
    pub fn service_pods<'l>(
        &self,
        fqdn_host: &str,
        labels: impl IntoIterator<Item = (&'l String, &'l String)>,
    ) -> Option<ServicePods<'c>> {
        let Origin::Service(service) = self.registry_host(fqdn_host)?.origin else {
            return None;
        };
        if service.spec.selector.is_empty() {
            return None;
        }
        let subset = labels.into_iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let selector: Vec<(&str, &str)> = service
            .spec
            .selector
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(subset)
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

    /// Whether any Deployment or Pod is in the input.
    pub fn has_workloads(&self) -> bool {
        !self.config.workloads.is_empty()
    }

    /// Virtual services of the input.
    pub fn virtual_services(&self) -> &'c [Resource<VirtualService>] {
        &self.config.virtual_services
    }
}
