//! A caller's Sidecar scope, as Istio's `pilot/pkg/model/sidecar.go`
//! computes it: the Sidecar that applies to a workload (its namespace's one
//! selecting the workload's labels, else its namespace's one without a
//! selector, else the root namespace's), the services and VirtualServices
//! its `egress[].hosts` import, and the outbound traffic policy for hosts it
//! does not know.

use std::collections::BTreeMap;

use super::names::ROOT_NAMESPACE;
use crate::model::host::{host_matches, hosts_intersect};
use crate::model::sidecar::EgressListener;
use crate::model::{Resource, Sidecar};

/// An outboundTrafficPolicy mode: what a sidecar does with a host it has
/// no service for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutboundMode {
    /// Pass it to its original destination (Istio's default).
    #[default]
    AllowAny,
    /// Answer 502 from BlackHoleCluster.
    RegistryOnly,
}

/// What a caller's proxy imports.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'c> {
    /// The Sidecar in force, if any (none imports everything).
    pub sidecar: Option<&'c Resource<Sidecar>>,
    /// The caller's namespace: `.` in egress hosts (also of the root
    /// namespace's Sidecar) means it.
    namespace: &'c str,
    /// The mesh-wide mode, for a Sidecar that sets none.
    mesh_mode: OutboundMode,
}

impl<'c> Scope<'c> {
    /// The Sidecar for a workload in `namespace` with `labels`, among
    /// `sidecars`: oldest first on ties, as Istio orders them.
    pub fn of(
        sidecars: &'c [Resource<Sidecar>],
        namespace: &'c str,
        labels: &BTreeMap<String, String>,
        mesh_mode: OutboundMode,
    ) -> Scope<'c> {
        let oldest = |keep: &dyn Fn(&Resource<Sidecar>) -> bool| {
            sidecars
                .iter()
                .filter(|s| keep(s))
                .min_by(|a, b| a.age_key().cmp(&b.age_key()))
        };
        let selects = |s: &Resource<Sidecar>| {
            s.spec
                .selector()
                .is_some_and(|l| l.iter().all(|(k, v)| labels.get(k) == Some(v)))
        };
        let namespace_wide = |s: &Resource<Sidecar>| s.spec.selector().is_none();
        let sidecar = oldest(&|s| s.namespace == namespace && selects(s))
            .or_else(|| oldest(&|s| s.namespace == namespace && namespace_wide(s)))
            .or_else(|| oldest(&|s| s.namespace == ROOT_NAMESPACE && namespace_wide(s)));
        Scope {
            sidecar,
            namespace,
            mesh_mode,
        }
    }

    /// Whether the proxy imports something of `namespace` with one of
    /// `hosts` (a service: its one host; a VirtualService: its hosts) for
    /// traffic on `port`: the egress listener of that port, else the
    /// catch-all one (any listener when the port is not known).
    /// `ns/host` entries: `*` any namespace, `.` the caller's, `~` none.
    pub fn imports<H: AsRef<str>>(&self, namespace: &str, hosts: &[H], port: Option<u16>) -> bool {
        let Some(sidecar) = self.sidecar else {
            return true;
        };
        let egress = &sidecar.spec.egress;
        if egress.is_empty() {
            return true;
        }
        let on_port =
            |e: &&EgressListener| port.is_some_and(|p| e.port_number() == Some(u64::from(p)));
        let port_has_listener = egress.iter().any(|e| on_port(&e));
        let listeners = egress.iter().filter(|e| match port {
            None => true,
            Some(_) if port_has_listener => on_port(e),
            Some(_) => e.port.is_none(),
        });
        listeners
            .flat_map(|e| &e.hosts)
            .filter_map(|entry| entry.split_once('/'))
            .any(|(ns, pattern)| {
                let ns_matches = match ns {
                    "*" => true,
                    "." => namespace == self.namespace,
                    "~" => false,
                    other => other == namespace,
                };
                ns_matches
                    && hosts
                        .iter()
                        .map(AsRef::as_ref)
                        .any(|h| host_matches(pattern, h) || hosts_intersect(pattern, h))
            })
    }

    /// What the proxy does with a host it has no route for: its Sidecar's
    /// mode, else the mesh's.
    pub fn outbound_mode(&self) -> OutboundMode {
        match self
            .sidecar
            .and_then(|s| s.spec.outbound_traffic_policy.as_ref())
            .and_then(|p| p.mode.as_deref())
        {
            Some("REGISTRY_ONLY") => OutboundMode::RegistryOnly,
            Some(_) => OutboundMode::AllowAny,
            None => self.mesh_mode,
        }
    }

    /// Whether the mode comes from the Sidecar rather than the mesh.
    pub fn sets_mode(&self) -> bool {
        self.sidecar
            .and_then(|s| s.spec.outbound_traffic_policy.as_ref())
            .is_some_and(|p| p.mode.is_some())
    }

    /// `Sidecar ns/name`, for notes.
    pub fn name(&self) -> Option<String> {
        self.sidecar
            .map(|s| format!("Sidecar {}/{}", s.namespace, s.name()))
    }
}
