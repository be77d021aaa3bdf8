//! Istio validation V10: traffic mirroring.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::{Resource, VirtualService};

pub static INVALID_MIRROR: Rule = Rule {
    code: "MC1115",
    name: "invalid-mirror",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Mirroring Istio rejects: `mirror` with `mirrors`, or a mirror percentage outside 0..100.",
    docs: "## What it does\nChecks that a route uses either `mirror` (with `mirrorPercentage`) or the list `mirrors`, \
not both, and that every mirror percentage is within 0..100.\n\n## Why is this bad?\nIstio rejects the VirtualService.\n\n\
## Example\n```yaml\nmirror: {host: reviews-shadow}\nmirrorPercentage: {value: 150}\nmirrors:\n- destination: {host: audit}\n```\n\n\
## Use instead\n```yaml\nmirrors:\n- destination: {host: reviews-shadow}\n  percentage: {value: 50}\n- destination: {host: audit}\n```\n",
};

pub static DEPRECATED_MIRROR_PERCENT: Rule = Rule {
    code: "MC1116",
    name: "deprecated-mirror-percent",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "The deprecated integer `mirrorPercent` is used.",
    docs: "## What it does\nWarns on `mirrorPercent`, which Istio replaced by `mirrorPercentage`.\n\n\
## Why is this bad?\nIt is deprecated and cannot express fractions; Istio warns.\n\n\
## Example\n```yaml\nmirrorPercent: 10\n```\n\n## Use instead\n```yaml\nmirrorPercentage: {value: 10}\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_MIRROR, &DEPRECATED_MIRROR_PERCENT];

fn check_percent(cx: &mut Checker, pointer: &str, value: f64) {
    if !(0.0..=100.0).contains(&value) {
        cx.report(
            &INVALID_MIRROR,
            pointer,
            format!("mirror percentage {value} is not within 0..100"),
        )
        .label("out of range");
    }
}

pub fn check(res: &Resource<VirtualService>, cx: &mut Checker) {
    for (i, rule) in res.spec.http.iter().enumerate() {
        let at = format!("/spec/http/{i}");
        if rule.mirror.is_some() && !rule.mirrors.is_empty() {
            cx.report_key(
                &INVALID_MIRROR,
                &format!("{at}/mirrors"),
                "a route cannot have both `mirror` and `mirrors`",
            )
            .label("conflicts with `mirror`")
            .help("move the `mirror` destination into `mirrors`");
        }
        if let Some(p) = rule.mirror_percentage {
            check_percent(cx, &format!("{at}/mirrorPercentage/value"), p.value);
        }
        if let Some(p) = rule.mirror_percent {
            if p > 100 {
                cx.report(
                    &INVALID_MIRROR,
                    &format!("{at}/mirrorPercent"),
                    format!("mirrorPercent {p} is above 100"),
                )
                .label("out of range");
            }
            cx.report_key(
                &DEPRECATED_MIRROR_PERCENT,
                &format!("{at}/mirrorPercent"),
                "`mirrorPercent` is deprecated",
            )
            .label("deprecated")
            .help(format!("use `mirrorPercentage: {{value: {p}}}`"));
        }
        for (j, m) in rule.mirrors.iter().enumerate() {
            if let Some(p) = m.percentage {
                check_percent(cx, &format!("{at}/mirrors/{j}/percentage/value"), p.value);
            }
        }
    }
}
