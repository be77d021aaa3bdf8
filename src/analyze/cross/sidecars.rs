//! istioctl analyze's sidecar analyzers (analyzers/sidecar/selector.go):
//! one namespace-wide Sidecar per namespace, and no pod selected by two
//! Sidecars. Either way Istio picks one of them by age, and which one a
//! workload gets is not what anyone wrote.

use std::collections::{BTreeMap, HashMap};

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Resource, Sidecar, Workload};

pub static MULTIPLE_WITHOUT_SELECTOR: Rule = Rule {
    code: "MC2012",
    name: "multiple-namespace-sidecars",
    severity: Severity::Error,
    istio_code: Some("IST0111"),
    summary: "More than one Sidecar without a workload selector in one namespace.",
    docs: "## What it does\nCounts the Sidecars of each namespace that have no `workloadSelector` (or no labels in it).\n\n\
## Why is this bad?\nEach applies to the whole namespace; Istio uses the oldest, and the others do nothing.\n\n\
## Example\nTwo Sidecars named `default` and `egress` in namespace `shop`, neither with a workloadSelector.\n\n\
## Use instead\nMerge them into one, or give all but one a workloadSelector.\n",
};

pub static CONFLICTING_SELECTORS: Rule = Rule {
    code: "MC2013",
    name: "conflicting-sidecar-selectors",
    severity: Severity::Error,
    istio_code: Some("IST0110"),
    summary: "A pod of the input selected by the workloadSelectors of two Sidecars in its namespace.",
    docs: "## What it does\nMatches each Sidecar's `workloadSelector.labels` with the Deployments and Pods of its namespace.\n\n\
## Why is this bad?\nIstio applies one of the Sidecars (the oldest) to the pod; the other's egress and policy are ignored.\n\n\
## Example\n```yaml\nworkloadSelector: {labels: {app: reviews}}   # and another Sidecar: {labels: {version: v1}}\n```\n\n\
## Use instead\nSelect each workload with one Sidecar.\n",
};

pub static RULES: &[&Rule] = &[&MULTIPLE_WITHOUT_SELECTOR, &CONFLICTING_SELECTORS];

pub fn check(index: &mut Index, out: &mut Reporter) {
    let config = index.config;
    let mut by_namespace: BTreeMap<&str, Vec<&Resource<Sidecar>>> = BTreeMap::new();
    for s in &config.sidecars {
        by_namespace.entry(&s.namespace).or_default().push(s);
    }
    for (ns, sidecars) in by_namespace {
        let wide: Vec<&&Resource<Sidecar>> = sidecars
            .iter()
            .filter(|s| s.spec.selector().is_none())
            .collect();
        if wide.len() > 1 {
            let names: Vec<&str> = wide.iter().map(|s| s.name()).collect();
            for s in &wide {
                out.report(
                    &MULTIPLE_WITHOUT_SELECTOR,
                    **s,
                    "/metadata/name",
                    format!(
                        "the Sidecars {} in namespace {ns} have no workload selector: Istio applies only the oldest",
                        names.join(", ")
                    ),
                )
                .label("namespace-wide");
            }
        }
        // Each workload (by its document) with the Sidecars selecting it,
        // in input order.
        let mut picked: Vec<(&Resource<Workload>, Vec<&str>)> = Vec::new();
        let mut at: HashMap<usize, usize> = HashMap::new();
        for s in &sidecars {
            let Some(l) = s.spec.selector() else { continue };
            let selector: Vec<(&str, &str)> =
                l.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            for w in index.mesh.workloads(Some(ns), &selector) {
                match at.get(&w.doc) {
                    Some(&i) => picked[i].1.push(s.name()),
                    None => {
                        at.insert(w.doc, picked.len());
                        picked.push((w, vec![s.name()]));
                    }
                }
            }
        }
        for (w, names) in picked.iter().filter(|(_, names)| names.len() > 1) {
            for s in sidecars.iter().filter(|s| names.contains(&s.name())) {
                out.report(
                    &CONFLICTING_SELECTORS,
                    *s,
                    "/spec/workloadSelector",
                    format!(
                        "the Sidecars {} in namespace {ns} select the same workload {}",
                        names.join(", "),
                        w.name()
                    ),
                )
                .label("selects a workload another Sidecar selects");
            }
        }
    }
}
