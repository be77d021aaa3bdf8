//! A gateway route that skips the subsets the mesh route uses (IST0140):
//! VirtualServices bound to a gateway apply to the gateway proxy only, so a
//! mesh VirtualService's subset split never sees ingress traffic.

use std::collections::HashMap;

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::names::fqdn;
use crate::model::virtual_service::DestinationUse;
use crate::model::{Resource, VirtualService};

pub static INGRESS_IGNORES_SUBSETS: Rule = Rule {
    code: "MC2008",
    name: "ingress-route-ignores-subsets",
    severity: Severity::Warning,
    istio_code: Some("IST0140"),
    summary: "A gateway-bound route to a host without subset, while a mesh VirtualService for that host splits it into subsets.",
    docs: "## What it does\nFor each VirtualService bound to a gateway, finds route destinations without `subset` whose \
host has its own mesh VirtualService routing to subsets.\n\n\
## Why is this bad?\nThe gateway proxy applies only the gateway-bound VirtualService: ingress traffic goes to every \
pod of the service, ignoring the canary split or version pinning of the mesh VirtualService.\n\n\
## Example\n```yaml\n# gateway VirtualService\ngateways: [public]\nhttp:\n- route: [{destination: {host: reviews}}]\n# mesh VirtualService for reviews: 90 % v1, 10 % v2\n```\n\n\
## Use instead\nRepeat the split (subsets and weights) in the gateway-bound route.\n",
};

pub static RULES: &[&Rule] = &[&INGRESS_IGNORES_SUBSETS];

pub fn check(index: &mut Index, out: &mut Reporter) {
    let vss = index.virtual_services();
    // Hosts that a mesh VirtualService for that very host splits into subsets.
    let mut splitters: HashMap<String, Vec<&Resource<VirtualService>>> = HashMap::new();
    for vs in vss.iter().filter(|v| v.spec.applies_to_mesh()) {
        let own: Vec<String> = vs
            .spec
            .hosts
            .iter()
            .map(|h| fqdn(h, &vs.namespace))
            .collect();
        for d in vs.spec.destinations() {
            let host = fqdn(&d.destination.host, &vs.namespace);
            if d.destination.subset.is_some() && own.contains(&host) {
                splitters.entry(host).or_default().push(vs);
            }
        }
    }
    for vs in vss
        .iter()
        .filter(|v| !v.spec.gateways.is_empty() && !v.spec.hosts.is_empty())
    {
        for d in vs.spec.destinations() {
            if d.used_as != DestinationUse::Route
                || d.http_rule.is_none()
                || d.destination.subset.is_some()
            {
                continue;
            }
            let host = fqdn(&d.destination.host, &vs.namespace);
            let Some(splitter) = splitters.get(&host).and_then(|all| {
                all.iter()
                    .find(|s| !(s.namespace == vs.namespace && s.name() == vs.name()))
            }) else {
                continue;
            };
            out.report(
                &INGRESS_IGNORES_SUBSETS,
                vs,
                &format!("{}/host", d.pointer()),
                format!(
                    "ingress traffic to {host} ignores the subsets of VirtualService {}/{}, which applies to sidecars only",
                    splitter.namespace,
                    splitter.name()
                ),
            )
            .label("no subset")
            .help("route to the same subsets (with the same weights) here");
        }
    }
}
