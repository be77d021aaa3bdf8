//! Namespaces that the input shows do not exist: with `--complete`, every
//! namespace is a Namespace object of the input or holds one of its
//! resources (Kiali's KIA0005 for exportTo, KIA1601 for ReferenceGrants).

use std::collections::BTreeSet;

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Config, Resource};

pub static UNKNOWN_EXPORT_NAMESPACE: Rule = Rule {
    code: "MC2011",
    name: "unknown-export-namespace",
    severity: Severity::Error,
    istio_code: None,
    summary: "An exportTo entry, or a ReferenceGrant's `from` namespace, naming a namespace that does not exist (checked with --complete; Kiali KIA0005, KIA1601).",
    docs: "## What it does\nWith `--complete` (the input is the whole cluster), the namespaces are the Namespace objects \
of the input and those its resources live in. Each `exportTo` entry of a VirtualService, DestinationRule or \
ServiceEntry, and each namespace of a Service's `networking.istio.io/exportTo` annotation, must be one of them \
(`.`, `*` and `~` aside); so must the `from` namespaces of a ReferenceGrant.\n\n\
## Why is this bad?\nNo namespace sees the resource through that entry; usually a typo that leaves the intended \
namespace without it.\n\n\
## Example\n```yaml\nexportTo: [\".\", istio-sytem]\n```\n\n## Use instead\n```yaml\nexportTo: [\".\", istio-system]\n```\n",
};

pub static RULES: &[&Rule] = &[&UNKNOWN_EXPORT_NAMESPACE];

const EXPORT_ANNOTATION: &str = "networking.istio.io/exportTo";

pub fn check(index: &mut Index, out: &mut Reporter) {
    if !index.is_complete() {
        return;
    }
    let config = index.config;
    let known = namespaces(config);
    for vs in &config.virtual_services {
        check_names(out, &known, vs, export_to(&vs.spec.export_to));
    }
    for dr in &config.destination_rules {
        check_names(out, &known, dr, export_to(&dr.spec.export_to));
    }
    for se in &config.service_entries {
        check_names(out, &known, se, export_to(&se.spec.export_to));
    }
    for grant in &config.reference_grants {
        let from = grant.spec.from.iter().enumerate().filter_map(|(i, f)| {
            Some((
                format!("/spec/from/{i}/namespace"),
                f.get("namespace")?.as_str(),
            ))
        });
        check_names(out, &known, grant, from.collect());
    }
    for svc in &config.services {
        if let Some(value) = svc.meta.annotations.get(EXPORT_ANNOTATION) {
            let at = format!(
                "/metadata/annotations/{}",
                EXPORT_ANNOTATION.replace('/', "~1")
            );
            let named = value.split(',').map(|ns| (at.clone(), ns.trim())).collect();
            check_names(out, &known, svc, named);
        }
    }
}

/// Reports each namespace of `named` (with its pointer) that is not `known`.
fn check_names<T>(
    out: &mut Reporter,
    known: &BTreeSet<&str>,
    resource: &Resource<T>,
    named: Vec<(String, &str)>,
) {
    for (at, ns) in named {
        if matches!(ns, "." | "*" | "~") || known.contains(ns) {
            continue;
        }
        out.report(
            &UNKNOWN_EXPORT_NAMESPACE,
            resource,
            &at,
            format!("namespace `{ns}` is not in the input, which is the whole cluster"),
        )
        .label("no such namespace")
        .help("name an existing namespace (check the spelling)");
    }
}

/// Every namespace the input shows: its Namespace objects and the
/// namespaces of its resources.
fn namespaces(config: &Config) -> BTreeSet<&str> {
    let mut known: BTreeSet<&str> = config.namespaces.iter().map(|n| n.name()).collect();
    known.extend(config.virtual_services.iter().map(|r| r.namespace.as_str()));
    known.extend(
        config
            .destination_rules
            .iter()
            .map(|r| r.namespace.as_str()),
    );
    known.extend(config.service_entries.iter().map(|r| r.namespace.as_str()));
    known.extend(config.gateways.iter().map(|r| r.namespace.as_str()));
    known.extend(config.services.iter().map(|r| r.namespace.as_str()));
    known.extend(config.workloads.iter().map(|r| r.namespace.as_str()));
    known.extend(config.kube_gateways.iter().map(|r| r.namespace.as_str()));
    known.extend(config.http_routes.iter().map(|r| r.namespace.as_str()));
    known.extend(config.routes.iter().map(|r| r.namespace.as_str()));
    known.extend(config.listener_sets.iter().map(|r| r.namespace.as_str()));
    known.extend(config.reference_grants.iter().map(|r| r.namespace.as_str()));
    known
}

/// Each `exportTo` entry with its pointer.
fn export_to(entries: &[String]) -> Vec<(String, &str)> {
    entries
        .iter()
        .enumerate()
        .map(|(i, ns)| (format!("/spec/exportTo/{i}"), ns.as_str()))
        .collect()
}
