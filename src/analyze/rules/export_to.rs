//! Istio validation V24, D10 and S10: `exportTo`, and the workload selector
//! rules of DestinationRule and ServiceEntry (§5.1).

use std::collections::BTreeMap;

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::load::spans::escape;
use crate::model::host::is_dns1123_label;
use crate::model::{DestinationRule, Resource, ServiceEntry, VirtualService};

pub static INVALID_EXPORT_TO: Rule = Rule {
    code: "MC1301",
    name: "invalid-export-to",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An `exportTo` list Istio rejects: duplicates, `*` mixed with others, `~` outside ServiceEntry, or a bad namespace.",
    docs: "## What it does\nEach `exportTo` entry is `.` (this namespace), `*` (all), a namespace name, or for \
ServiceEntry `~` (none). No entry may repeat (`.` and the resource's own namespace are the same), `*` and `~` stand \
alone, and a DestinationRule with a `workloadSelector` exports only to its own namespace.\n\n\
## Why is this bad?\nIstio rejects the resource.\n\n## Example\n```yaml\nexportTo: [\".\", \"*\"]\n```\n\n\
## Use instead\n```yaml\nexportTo: [\"*\"]\n```\n",
};

pub static INVALID_WORKLOAD_SELECTOR: Rule = Rule {
    code: "MC1302",
    name: "invalid-workload-selector",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A workload selector with an empty key or a `*` wildcard.",
    docs: "## What it does\nChecks `workloadSelector` labels: keys are not empty and neither keys nor values contain `*`.\n\n\
## Why is this bad?\nSelectors match labels exactly; Istio rejects wildcards.\n\n\
## Example\n```yaml\nworkloadSelector:\n  matchLabels: {app: \"*\"}\n```\n\n## Use instead\n```yaml\nworkloadSelector:\n  matchLabels: {app: reviews}\n```\n",
};

pub static EMPTY_WORKLOAD_SELECTOR: Rule = Rule {
    code: "MC1303",
    name: "empty-workload-selector",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "A workload selector without labels, which selects every workload in the namespace.",
    docs: "## What it does\nWarns on `workloadSelector: {}` (or with empty labels).\n\n\
## Why is this bad?\nAn empty selector applies to every workload in the namespace, which is rarely meant.\n\n\
## Example\n```yaml\nworkloadSelector: {}\n```\n\n## Use instead\n```yaml\nworkloadSelector:\n  matchLabels: {app: reviews}\n```\n",
};

pub static RULES: &[&Rule] = &[
    &INVALID_EXPORT_TO,
    &INVALID_WORKLOAD_SELECTOR,
    &EMPTY_WORKLOAD_SELECTOR,
];

pub fn check_virtual_service(res: &Resource<VirtualService>, cx: &mut Checker) {
    check_export_to(cx, &res.spec.export_to, false, false);
}

pub fn check_destination_rule(res: &Resource<DestinationRule>, cx: &mut Checker) {
    let selector = res.spec.workload_selector.as_ref();
    check_export_to(cx, &res.spec.export_to, false, selector.is_some());
    if let Some(sel) = selector {
        check_selector(
            cx,
            "/spec/workloadSelector",
            "matchLabels",
            &sel.match_labels,
        );
    }
}

pub fn check_service_entry(res: &Resource<ServiceEntry>, cx: &mut Checker) {
    check_export_to(cx, &res.spec.export_to, true, false);
    if let Some(sel) = &res.spec.workload_selector {
        check_selector(cx, "/spec/workloadSelector", "labels", &sel.labels);
    }
}

/// Istio's `validateExportTo`.
fn check_export_to(
    cx: &mut Checker,
    export_to: &[String],
    service_entry: bool,
    with_selector: bool,
) {
    let namespace = cx.namespace().to_string();
    let mut set: Vec<String> = Vec::new();
    for (i, entry) in export_to.iter().enumerate() {
        let p = format!("/spec/exportTo/{i}");
        let key = if entry == "." {
            namespace.clone()
        } else {
            entry.clone()
        };
        if set.contains(&key) {
            cx.report(
                &INVALID_EXPORT_TO,
                &p,
                format!("duplicate entry `{entry}` in exportTo"),
            )
            .label("duplicate")
            .help("`.` and the resource's own namespace are the same entry");
        } else if key != "*" && key != "~" && !is_dns1123_label(&key) {
            cx.report(
                &INVALID_EXPORT_TO,
                &p,
                format!("`{entry}` is not `.`, `*`, `~` or a namespace name"),
            )
            .label("invalid exportTo entry");
        } else {
            set.push(key);
        }
    }
    if with_selector && !set.is_empty() {
        let message = if !set.contains(&namespace) {
            Some(
                "a DestinationRule with a workloadSelector cannot be exported beyond its own namespace",
            )
        } else if set.len() > 1 {
            Some("a DestinationRule with a workloadSelector cannot have several exportTo entries")
        } else {
            None
        };
        if let Some(message) = message {
            cx.report_key(&INVALID_EXPORT_TO, "/spec/exportTo", message)
                .label("exported too widely")
                .help("use `exportTo: [\".\"]`");
        }
    }
    if (set.iter().any(|e| e == "*" || e == "~")) && set.len() > 1 {
        cx.report_key(
            &INVALID_EXPORT_TO,
            "/spec/exportTo",
            "`*` or `~` cannot be combined with other exportTo entries",
        )
        .label("mixed public and non-public");
    }
    if !service_entry && let Some(i) = export_to.iter().position(|e| e == "~") {
        cx.report(
            &INVALID_EXPORT_TO,
            &format!("/spec/exportTo/{i}"),
            "exportTo `~` (none) is allowed only on a ServiceEntry",
        )
        .label("not allowed here");
    }
}

fn check_selector(cx: &mut Checker, at: &str, field: &str, labels: &BTreeMap<String, String>) {
    if labels.is_empty() {
        cx.report_key(
            &EMPTY_WORKLOAD_SELECTOR,
            at,
            "the workload selector has no labels and selects every workload in the namespace",
        )
        .label("selects everything");
        return;
    }
    for (k, v) in labels {
        let p = format!("{at}/{field}/{}", escape(k));
        if k.is_empty() {
            cx.report_key(
                &INVALID_WORKLOAD_SELECTOR,
                &p,
                "an empty label key is not supported in a selector",
            )
            .label("empty key");
        } else if k.contains('*') || v.contains('*') {
            cx.report_key(
                &INVALID_WORKLOAD_SELECTOR,
                &p,
                "wildcards are not supported in a selector",
            )
            .label("wildcard");
        }
    }
}
