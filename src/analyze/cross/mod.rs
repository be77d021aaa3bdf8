//! Checks that look across resources: references between them (istioctl
//! analyze's IST0101 family and friends), conflicts, shadowing and
//! resilience settings that cannot work together. Each file holds one family
//! and the docs of its rules.

pub mod call_paths;
pub mod conflicts;
pub mod destination_rules;
pub mod gateway_api;
pub mod gateways;
pub mod ingress_subsets;
pub mod namespaces;
pub mod references;
pub mod resilience;
pub mod services;
pub mod shadowing;
pub mod sidecars;

use crate::diagnostic::{Diagnostic, Rule};
use crate::load::Document;
use crate::model::Resource;

/// How many other resources or routes a message names; the rest are counted,
/// so that a message stays short however many resources share the problem.
/// Callers pass the first `NAMED + 1` names: one more is named rather than
/// counted.
pub const NAMED: usize = 3;

/// `a, b, c and 4 more`: `names` (the first of `total`), at most [`NAMED`]
/// of them unless one more completes the list.
pub fn listed(names: &[String], total: usize) -> String {
    if total <= NAMED + 1 && names.len() == total {
        return names.join(", ");
    }
    let shown = &names[..names.len().min(NAMED)];
    format!("{} and {} more", shown.join(", "), total - shown.len())
}

/// Reports findings on any resource of the input.
pub struct Reporter<'a> {
    docs: &'a [Document],
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub fn new(docs: &'a [Document], out: &'a mut Vec<Diagnostic>) -> Reporter<'a> {
        Reporter { docs, out }
    }

    /// The findings reported so far, per-resource rules' included (they run
    /// before the cross checks).
    pub fn findings(&self) -> &[Diagnostic] {
        &self.out[..]
    }

    /// Reports `message` under `rule` on `resource`, labelled at `pointer`
    /// (relative to the object).
    pub fn report<T>(
        &mut self,
        rule: &'static Rule,
        resource: &Resource<T>,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let doc = &self.docs[resource.doc];
        let diag = Diagnostic::new(rule, message)
            .at(doc.label_location(pointer))
            .with_path(doc.full_pointer(pointer))
            .with_resource(resource.id());
        self.out.push(diag);
        self.out.last_mut().expect("just pushed")
    }
}
