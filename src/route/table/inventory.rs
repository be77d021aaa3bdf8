//! What the table holds, by host: the VirtualServices (and the routes Istio
//! derives from HTTPRoutes) that serve a host at an entry, their routes in
//! order, and the hosts they send requests to. `diff` reads it to choose
//! the requests it routes on both sides of a change.

use super::RoutingTable;
use crate::diagnostic::ResourceRef;
use crate::mesh::names::fqdn;
use crate::model::host::host_matches;
use crate::route::matcher::RequestMatch;

/// One compiled VirtualService, as hosts and entries.
#[derive(Debug, Clone)]
pub struct ServedHosts {
    pub resource: ResourceRef,
    /// Fully qualified hosts (wildcards kept).
    pub hosts: Vec<String>,
    /// `mesh` and gateways as `namespace/name`.
    pub gateways: Vec<String>,
    /// Fully qualified hosts its routes and mirrors send requests to.
    pub destinations: Vec<String>,
}

impl RoutingTable<'_> {
    /// Every VirtualService of the table, with its hosts, entries and
    /// destination hosts.
    pub fn served_hosts(&self) -> Vec<ServedHosts> {
        self.vss
            .iter()
            .map(|vs| {
                let ns = &vs.res.namespace;
                let mut destinations: Vec<String> = vs
                    .rules
                    .iter()
                    .flat_map(|rule| {
                        let spec = rule.spec;
                        spec.route
                            .iter()
                            .map(|r| &r.destination)
                            .chain(spec.mirror.as_deref())
                            .chain(spec.mirrors.iter().map(|m| &m.destination))
                    })
                    .map(|d| fqdn(&d.host, ns))
                    .collect();
                destinations.sort();
                destinations.dedup();
                ServedHosts {
                    resource: vs.res.id(),
                    hosts: vs.hosts.clone(),
                    gateways: vs.gateways.clone(),
                    destinations,
                }
            })
            .collect()
    }

    /// The matches of every VirtualService that names `host` (exactly or by
    /// a wildcard) at `entry` (`mesh` or `namespace/name`), each list in
    /// the order its routes are tried; a rule without matches contributes
    /// one that takes every request, and a delegating rule the delegate's.
    pub fn route_matches(&self, host: &str, entry: &str) -> Vec<Vec<&RequestMatch>> {
        self.vss
            .iter()
            .filter(|vs| vs.gateways.iter().any(|g| g == entry))
            .filter(|vs| vs.hosts.iter().any(|h| host_matches(h, host)))
            .map(|vs| {
                let mut list = Vec::new();
                for entry in &vs.entries {
                    list.push(self.request_match(entry));
                    let rule = vs.rules[entry.rule].spec;
                    let delegated = rule
                        .delegate
                        .as_ref()
                        .and_then(|d| self.delegate_vs(d, &vs.res.namespace));
                    if let Some(d) = delegated {
                        list.extend(d.entries.iter().map(|e| self.request_match(e)));
                    }
                }
                list
            })
            .collect()
    }

    /// The conditions of match `match_index` of rule `rule_index` of
    /// `resource` (the rule that took a request, the root rule when it
    /// delegates), in words; empty for a rule without matches.
    pub fn matched_conditions(
        &self,
        resource: &ResourceRef,
        rule_index: usize,
        match_index: Option<usize>,
    ) -> Vec<String> {
        let request = self
            .vss
            .iter()
            .find(|vs| {
                vs.res.kind.as_str() == resource.kind
                    && vs.res.namespace == resource.namespace
                    && vs.res.meta.name == resource.name
            })
            .and_then(|vs| vs.rules.get(rule_index))
            .zip(match_index)
            .and_then(|(rule, m)| rule.matches.get(m));
        request
            .map(|m| m.request.conditions.iter().map(|c| c.describe()).collect())
            .unwrap_or_default()
    }
}
