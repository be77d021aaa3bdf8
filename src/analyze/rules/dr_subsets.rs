//! Istio validation D7: DestinationRule subsets.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::load::spans::escape;
use crate::model::host::{is_dns1123_label, validate_wildcard_domain};
use crate::model::labels::first_label_error;
use crate::model::{DestinationRule, Resource};

pub static INVALID_SUBSET: Rule = Rule {
    code: "MC1201",
    name: "invalid-subset",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A subset name that is not a DNS label or repeats another subset of the same DestinationRule, or subset labels that are not valid Kubernetes labels.",
    docs: "## What it does\nRequires each subset `name` to be a DNS-1123 label and unique within the DestinationRule.\n\n\
## Why is this bad?\nIstio rejects the DestinationRule; each subset becomes an Envoy cluster named after it.\n\n\
## Example\n```yaml\nsubsets:\n- name: v1\n  labels: {version: v1}\n- name: v1\n  labels: {version: v2}\n```\n\n\
## Use instead\n```yaml\nsubsets:\n- name: v1\n  labels: {version: v1}\n- name: v2\n  labels: {version: v2}\n```\n",
};

pub static INVALID_HOST: Rule = Rule {
    code: "MC1202",
    name: "invalid-destination-rule-host",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A DestinationRule host that is not a valid (wildcard) DNS name.",
    docs: "## What it does\nChecks `host` with Istio's `ValidateWildcardDomain`.\n\n## Why is this bad?\nIstio rejects the DestinationRule.\n\n\
## Example\n```yaml\nhost: reviews_v1\n```\n\n## Use instead\n```yaml\nhost: reviews\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_SUBSET, &INVALID_HOST];

pub fn check(res: &Resource<DestinationRule>, cx: &mut Checker) {
    let dr = &res.spec;
    if let Err(reason) = validate_wildcard_domain(&dr.host) {
        cx.report(&INVALID_HOST, "/spec/host", reason)
            .label("invalid host");
    }
    for (i, subset) in dr.subsets.iter().enumerate() {
        let at = format!("/spec/subsets/{i}/name");
        if !is_dns1123_label(&subset.name) {
            cx.report(&INVALID_SUBSET, &at, format!("subset name `{}` is not a DNS-1123 label", subset.name))
                .label("invalid name")
                .help("use letters, digits and '-', at most 63 characters, starting and ending with a letter or digit");
        }
        if let Some(j) = dr.subsets[..i].iter().position(|s| s.name == subset.name) {
            cx.report(
                &INVALID_SUBSET,
                &at,
                format!(
                    "duplicate subset name `{}` (also subsets[{j}])",
                    subset.name
                ),
            )
            .label("repeated name")
            .help("give each subset its own name");
        }
        // validateSubset: the labels are a Kubernetes label map.
        if let Some((key, reason)) = first_label_error(&subset.labels) {
            cx.report_key(
                &INVALID_SUBSET,
                &format!("/spec/subsets/{i}/labels/{}", escape(key)),
                reason,
            )
            .label("invalid label")
            .help("label keys are [prefix/]name and values at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        }
    }
}
