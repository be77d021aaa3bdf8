//! Checks on typed resources: Istio's own validation rules for each kind, and
//! (later in the list) checks that look across resources.

pub mod cross;
pub mod index;
pub mod registry;
pub mod rules;

use crate::diagnostic::{Diagnostic, ResourceRef, Rule};
use crate::load::Document;
use crate::mesh::Mesh;
use crate::model::{Config, Kind, Resource};
use cross::Reporter;
use index::Index;

pub use registry::{Check, ENTRIES, RuleEntry};

/// What a rule reports through: it knows the document and resource at hand,
/// so a rule only names a JSON pointer and says what is wrong.
pub struct Checker<'a> {
    doc: &'a Document,
    kind: Kind,
    name: &'a str,
    namespace: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub fn new<T>(
        doc: &'a Document,
        resource: &'a Resource<T>,
        out: &'a mut Vec<Diagnostic>,
    ) -> Checker<'a> {
        Checker {
            doc,
            kind: resource.kind,
            name: &resource.meta.name,
            namespace: &resource.namespace,
            out,
        }
    }

    /// The resource being checked, for a finding on it (made only then:
    /// most resources have none).
    fn resource(&self) -> ResourceRef {
        crate::model::id_of(self.kind, self.name, self.namespace)
    }

    /// Reports `message` under `rule`, labelled at `pointer` (relative to the object).
    pub fn report(
        &mut self,
        rule: &'static Rule,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let diag = Diagnostic::new(rule, message)
            .at(self.doc.label_location(pointer))
            .with_path(self.doc.full_pointer(pointer))
            .with_resource(self.resource());
        self.out.push(diag);
        self.out.last_mut().expect("just pushed")
    }

    /// Like [`Checker::report`], but labels the key of `pointer` (for fields
    /// whose presence, not value, is the problem).
    pub fn report_key(
        &mut self,
        rule: &'static Rule,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let diag = Diagnostic::new(rule, message)
            .at(self.doc.key_location(pointer))
            .with_path(self.doc.full_pointer(pointer))
            .with_resource(self.resource());
        self.out.push(diag);
        self.out.last_mut().expect("just pushed")
    }

    /// The namespace of the resource being checked.
    pub fn namespace(&self) -> &str {
        self.namespace
    }
}

/// Runs the checks of the rules `enabled` accepts over the configuration
/// (`complete`: it is the whole cluster); returns the references that could
/// not be checked because the input does not describe their target.
pub fn check_resources(
    config: &Config,
    docs: &[Document],
    out: &mut Vec<Diagnostic>,
    complete: bool,
    enabled: &dyn Fn(&Rule) -> bool,
) -> Vec<String> {
    let mesh = Mesh::build_as(config, complete);
    let mut index = Index::new(&mesh, docs);
    for entry in ENTRIES.iter().filter(|e| e.needed(enabled)) {
        match entry.check {
            Check::Config(check) => check(&mut index, &mut Reporter::new(docs, out)),
            check => run_per_resource(check, config, docs, out, &|_| true),
        }
    }
    index.into_unchecked()
}

/// Runs the per-resource rules (not the cross-resource analysis) on the
/// resources read from the documents `keep` selects.
pub fn check_each(
    config: &Config,
    docs: &[Document],
    out: &mut Vec<Diagnostic>,
    keep: &dyn Fn(usize) -> bool,
) {
    for entry in ENTRIES {
        run_per_resource(entry.check, config, docs, out, keep);
    }
}

/// Runs a per-resource check on every resource of its kind that `keep`
/// selects by document; a cross-resource check is left alone.
fn run_per_resource(
    check: Check,
    config: &Config,
    docs: &[Document],
    out: &mut Vec<Diagnostic>,
    keep: &dyn Fn(usize) -> bool,
) {
    match check {
        Check::Config(_) => {}
        Check::VirtualService(check) => run(&config.virtual_services, docs, out, check, keep),
        Check::DestinationRule(check) => run(&config.destination_rules, docs, out, check, keep),
        Check::Gateway(check) => run(&config.gateways, docs, out, check, keep),
        Check::ServiceEntry(check) => run(&config.service_entries, docs, out, check, keep),
        Check::Sidecar(check) => run(&config.sidecars, docs, out, check, keep),
        Check::HttpRoute(check) => run(&config.http_routes, docs, out, check, keep),
        Check::KubeGateway(check) => run(&config.kube_gateways, docs, out, check, keep),
    }
}

fn run<T>(
    resources: &[Resource<T>],
    docs: &[Document],
    out: &mut Vec<Diagnostic>,
    check: fn(&Resource<T>, &mut Checker),
    keep: &dyn Fn(usize) -> bool,
) {
    for resource in resources.iter().filter(|r| keep(r.doc)) {
        let mut cx = Checker::new(&docs[resource.doc], resource, out);
        check(resource, &mut cx);
    }
}
