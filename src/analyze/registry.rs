//! The list of analysis rules: adding a rule is adding a file and a line here.

use super::Checker;
use super::cross::{self, Reporter};
use super::index::Index;
use super::rules;
use crate::diagnostic::Rule;
use crate::model::gateway_api::{HttpRouteSpec, KubeGateway};
use crate::model::{DestinationRule, Gateway, Resource, ServiceEntry, Sidecar, VirtualService};

/// What a rule inspects.
#[derive(Clone, Copy)]
pub enum Check {
    VirtualService(fn(&Resource<VirtualService>, &mut Checker)),
    DestinationRule(fn(&Resource<DestinationRule>, &mut Checker)),
    Gateway(fn(&Resource<Gateway>, &mut Checker)),
    ServiceEntry(fn(&Resource<ServiceEntry>, &mut Checker)),
    Sidecar(fn(&Resource<Sidecar>, &mut Checker)),
    HttpRoute(fn(&Resource<HttpRouteSpec>, &mut Checker)),
    KubeGateway(fn(&Resource<KubeGateway>, &mut Checker)),
    /// A check across resources, on the whole indexed configuration.
    Config(fn(&mut Index, &mut Reporter)),
}

/// A rule and its check.
pub struct RuleEntry {
    pub rules: &'static [&'static Rule],
    pub check: Check,
    /// Later rules that read this check's findings (and leave alone what
    /// it reports), so it runs whenever they do.
    pub feeds: &'static [&'static Rule],
}

impl RuleEntry {
    /// Whether the check must run: one of its rules, or of the rules it
    /// feeds, is enabled.
    pub fn needed(&self, enabled: &dyn Fn(&Rule) -> bool) -> bool {
        self.rules.iter().chain(self.feeds).any(|r| enabled(r))
    }
}

macro_rules! entry {
    ($kind:ident, $module:ident) => {
        entry!($kind, $module, check)
    };
    ($kind:ident, $module:ident, $check:ident) => {
        RuleEntry {
            rules: rules::$module::RULES,
            check: Check::$kind(rules::$module::$check),
            feeds: &[],
        }
    };
}

macro_rules! cross_entry {
    ($module:ident) => {
        RuleEntry {
            rules: cross::$module::RULES,
            check: Check::Config(cross::$module::check),
            feeds: &[],
        }
    };
}

/// Every rule's check, in reporting order: per resource, then across resources.
pub static ENTRIES: &[RuleEntry] = &[
    entry!(HttpRoute, httproute),
    entry!(KubeGateway, k8s_gateway),
    entry!(VirtualService, vs_hosts),
    entry!(VirtualService, vs_delegate),
    entry!(VirtualService, vs_route_action),
    entry!(VirtualService, vs_match),
    entry!(VirtualService, vs_destinations),
    entry!(VirtualService, vs_mirror),
    entry!(VirtualService, vs_redirect),
    entry!(VirtualService, vs_headers),
    entry!(VirtualService, vs_cors),
    entry!(VirtualService, vs_direct_response),
    entry!(VirtualService, vs_retries),
    entry!(VirtualService, vs_fault),
    entry!(VirtualService, vs_l4_routes),
    // Shadowing leaves to Istio's own heuristics what they report.
    RuleEntry {
        rules: rules::vs_unreachable::RULES,
        check: Check::VirtualService(rules::vs_unreachable::check),
        feeds: cross::shadowing::RULES,
    },
    entry!(VirtualService, export_to, check_virtual_service),
    entry!(DestinationRule, dr_subsets),
    entry!(DestinationRule, dr_traffic_policy),
    entry!(DestinationRule, dr_load_balancer),
    entry!(DestinationRule, dr_tls),
    entry!(DestinationRule, export_to, check_destination_rule),
    entry!(Gateway, gw_servers),
    entry!(Gateway, gw_tls),
    entry!(ServiceEntry, se_rules),
    entry!(ServiceEntry, export_to, check_service_entry),
    entry!(Sidecar, sidecar),
    cross_entry!(references),
    cross_entry!(ingress_subsets),
    cross_entry!(conflicts),
    cross_entry!(gateways),
    cross_entry!(destination_rules),
    cross_entry!(services),
    cross_entry!(resilience),
    cross_entry!(call_paths),
    cross_entry!(shadowing),
    cross_entry!(gateway_api),
    cross_entry!(namespaces),
    cross_entry!(sidecars),
];

/// Every rule meshctl can report, in code order.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = crate::load::rules::RULES
        .iter()
        .chain(crate::schema::rules::RULES)
        .copied()
        .chain(ENTRIES.iter().flat_map(|e| e.rules.iter().copied()))
        .collect();
    rules.sort_by_key(|r| r.code);
    rules.dedup_by_key(|r| r.code);
    rules
}
