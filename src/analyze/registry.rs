//! The list of analysis rules: adding a rule is adding a file and a line here.

use super::Checker;
use super::rules;
use crate::diagnostic::Rule;
use crate::model::{DestinationRule, Gateway, Resource, ServiceEntry, VirtualService};

/// What a rule inspects.
#[derive(Clone, Copy)]
pub enum Check {
    VirtualService(fn(&Resource<VirtualService>, &mut Checker)),
    DestinationRule(fn(&Resource<DestinationRule>, &mut Checker)),
    Gateway(fn(&Resource<Gateway>, &mut Checker)),
    ServiceEntry(fn(&Resource<ServiceEntry>, &mut Checker)),
}

/// A rule and its check.
pub struct RuleEntry {
    pub rules: &'static [&'static Rule],
    pub check: Check,
}

macro_rules! entry {
    ($kind:ident, $module:ident) => {
        RuleEntry {
            rules: rules::$module::RULES,
            check: Check::$kind(rules::$module::check),
        }
    };
}

/// Every per-resource rule, in reporting order.
pub static ENTRIES: &[RuleEntry] = &[
    entry!(VirtualService, vs_hosts),
    entry!(VirtualService, vs_route_action),
    entry!(VirtualService, vs_destinations),
    entry!(VirtualService, vs_retries),
    entry!(VirtualService, vs_fault),
    entry!(DestinationRule, dr_subsets),
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
