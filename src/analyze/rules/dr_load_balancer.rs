//! Istio validation D5 (load balancer) and D6 (locality load balancing).

use crate::analyze::Checker;
use crate::analyze::rules::dr_policy_blocks::policy_blocks;
use crate::diagnostic::{Rule, Severity};
use crate::load::spans::escape;
use crate::model::destination_rule::{LoadBalancer, LocalityLbSetting};
use crate::model::{DestinationRule, Resource};

pub static INVALID_LOAD_BALANCER: Rule = Rule {
    code: "MC1207",
    name: "invalid-load-balancer",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A load balancer Istio rejects: a cookie without name, a bad maglev table, conflicting ring settings, or a bad warmup.",
    docs: "## What it does\nChecks `loadBalancer`: an `httpCookie` has a `name` and unique, named attributes; \
`minimumRingSize` is not combined with `ringHash`/`maglev`; a maglev `tableSize` is set, prime and below 5000011; \
`localityLbSetting` and `zoneAwareLbSetting` exclude each other; `warmup` has a `duration`, `minimumPercent` ≤ 100 and \
`aggression` > 0; only one of `warmupDurationSecs` and `warmup`.\n\n## Why is this bad?\nIstio rejects the DestinationRule.\n\n\
## Example\n```yaml\nloadBalancer:\n  consistentHash:\n    maglev: {tableSize: 1000}\n```\n\n\
## Use instead\n```yaml\nloadBalancer:\n  consistentHash:\n    httpHeaderName: x-user\n    maglev: {tableSize: 65537}\n```\n",
};

pub static DEPRECATED_MINIMUM_RING_SIZE: Rule = Rule {
    code: "MC1208",
    name: "deprecated-minimum-ring-size",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "The deprecated `consistentHash.minimumRingSize` is used.",
    docs: "## What it does\nWarns on `consistentHash.minimumRingSize`.\n\n## Why is this bad?\nIt is deprecated in \
favour of `ringHash.minimumRingSize`.\n\n## Example\n```yaml\nconsistentHash:\n  httpHeaderName: x-user\n  minimumRingSize: 1024\n```\n\n\
## Use instead\n```yaml\nconsistentHash:\n  httpHeaderName: x-user\n  ringHash: {minimumRingSize: 1024}\n```\n",
};

pub static INVALID_LOCALITY_LB: Rule = Rule {
    code: "MC1209",
    name: "invalid-locality-lb-setting",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Locality load balancing Istio rejects: distribute with failover, weights not 1..100 or not summing to 100, bad localities.",
    docs: "## What it does\nChecks `localityLbSetting`: not both `distribute` and `failover`; each `distribute.to` weight \
is 1..100 and they sum to 100; localities have at most one `*`, at the end, and do not overlap; failover goes between \
different regions, without `/` or `*`; `failover` cannot be combined with topology labels in `failoverPriority`.\n\n\
## Why is this bad?\nIstio rejects the DestinationRule.\n\n## Example\n```yaml\ndistribute:\n- from: us-west/*\n  to: {us-west/*: 80, us-east/*: 10}\n```\n\n\
## Use instead\n```yaml\ndistribute:\n- from: us-west/*\n  to: {us-west/*: 80, us-east/*: 20}\n```\n",
};

pub static FAILOVER_WITHOUT_OUTLIER_DETECTION: Rule = Rule {
    code: "MC1210",
    name: "failover-without-outlier-detection",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "Locality failover is set but the policy has no outlier detection.",
    docs: "## What it does\nWarns on `failover` or `failoverPriority` without `outlierDetection` in the same policy.\n\n\
## Why is this bad?\nFailover happens only when endpoints are found unhealthy, which needs outlier detection: \
without it the failover never takes effect.\n\n## Example\n```yaml\ntrafficPolicy:\n  loadBalancer:\n    localityLbSetting:\n      failover: [{from: us-east, to: eu-west}]\n```\n\n\
## Use instead\n```yaml\ntrafficPolicy:\n  loadBalancer:\n    localityLbSetting:\n      failover: [{from: us-east, to: eu-west}]\n  outlierDetection:\n    consecutive5xxErrors: 5\n```\n",
};

pub static RULES: &[&Rule] = &[
    &INVALID_LOAD_BALANCER,
    &DEPRECATED_MINIMUM_RING_SIZE,
    &INVALID_LOCALITY_LB,
    &FAILOVER_WITHOUT_OUTLIER_DETECTION,
];

const TOPOLOGY_LABELS: [&str; 3] = [
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
];

pub fn check(res: &Resource<DestinationRule>, cx: &mut Checker) {
    for block in policy_blocks(&res.spec) {
        let Some(lb) = block.load_balancer else {
            continue;
        };
        let at = format!("{}/loadBalancer", block.pointer);
        check_lb(cx, &at, lb);
        if let Some(locality) = &lb.locality_lb_setting {
            check_locality(
                cx,
                &format!("{at}/localityLbSetting"),
                locality,
                block.outlier_detection.is_some(),
            );
        }
    }
}

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn check_lb(cx: &mut Checker, at: &str, lb: &LoadBalancer) {
    if lb.locality_lb_setting.is_some() && lb.zone_aware_lb_setting.is_some() {
        cx.report_key(
            &INVALID_LOAD_BALANCER,
            &format!("{at}/zoneAwareLbSetting"),
            "`localityLbSetting` and `zoneAwareLbSetting` cannot both be set",
        )
        .label("conflicts with localityLbSetting");
    }
    if lb.warmup_duration_secs.is_some() && lb.warmup.is_some() {
        cx.report_key(
            &INVALID_LOAD_BALANCER,
            &format!("{at}/warmup"),
            "only one of `warmupDurationSecs` and `warmup` may be set",
        )
        .label("conflicts with warmupDurationSecs");
    }
    if let Some(w) = &lb.warmup {
        if w.duration.is_none() {
            cx.report_key(
                &INVALID_LOAD_BALANCER,
                &format!("{at}/warmup"),
                "warmup needs a `duration`",
            )
            .label("no duration");
        }
        if let Some(p) = w.minimum_percent.filter(|p| !(0.0..=100.0).contains(p)) {
            cx.report(
                &INVALID_LOAD_BALANCER,
                &format!("{at}/warmup/minimumPercent"),
                format!("minimumPercent {p} is not within 0..100"),
            )
            .label("out of range");
        }
        if let Some(a) = w.aggression.filter(|a| *a <= 0.0) {
            cx.report(
                &INVALID_LOAD_BALANCER,
                &format!("{at}/warmup/aggression"),
                format!("aggression {a} must be greater than 0"),
            )
            .label("out of range");
        }
    }
    let Some(ch) = &lb.consistent_hash else {
        return;
    };
    let at = format!("{at}/consistentHash");
    if let Some(cookie) = &ch.http_cookie {
        if cookie.name.is_empty() {
            cx.report_key(
                &INVALID_LOAD_BALANCER,
                &format!("{at}/httpCookie"),
                "an httpCookie needs a `name`",
            )
            .label("no cookie name");
        }
        for (i, attr) in cookie.attributes.iter().enumerate() {
            let p = format!("{at}/httpCookie/attributes/{i}");
            if attr.name.is_empty() {
                cx.report_key(
                    &INVALID_LOAD_BALANCER,
                    &p,
                    "a cookie attribute needs a `name`",
                )
                .label("no attribute name");
            } else if cookie.attributes[..i].iter().any(|a| a.name == attr.name) {
                cx.report(
                    &INVALID_LOAD_BALANCER,
                    &format!("{p}/name"),
                    format!("cookie attribute `{}` is repeated", attr.name),
                )
                .label("duplicate attribute");
            }
        }
    }
    if ch.minimum_ring_size.is_some_and(|n| n != 0) {
        let p = format!("{at}/minimumRingSize");
        cx.report_key(
            &DEPRECATED_MINIMUM_RING_SIZE,
            &p,
            "`consistentHash.minimumRingSize` is deprecated",
        )
        .label("deprecated")
        .help("use `ringHash: {minimumRingSize: N}`");
        if ch.ring_hash.is_some() || ch.maglev.is_some() {
            cx.report_key(
                &INVALID_LOAD_BALANCER,
                &p,
                "only one of `minimumRingSize` and `ringHash`/`maglev` can be set",
            )
            .label("conflicts with ringHash/maglev");
        }
    }
    if let Some(maglev) = &ch.maglev {
        let p = format!("{at}/maglev");
        match maglev.table_size.unwrap_or(0) {
            0 => {
                cx.report_key(&INVALID_LOAD_BALANCER, &p, "maglev needs a `tableSize`")
                    .label("no table size")
                    .help("use a prime such as 65537");
            }
            n if n >= 5_000_011 => {
                cx.report(
                    &INVALID_LOAD_BALANCER,
                    &format!("{p}/tableSize"),
                    format!("maglev tableSize {n} must be less than 5000011"),
                )
                .label("too large");
            }
            n if !is_prime(n) => {
                cx.report(
                    &INVALID_LOAD_BALANCER,
                    &format!("{p}/tableSize"),
                    format!("maglev tableSize {n} is not a prime number"),
                )
                .label("not prime")
                .help("use a prime such as 65537");
            }
            _ => {}
        }
    }
}

fn check_locality(cx: &mut Checker, at: &str, l: &LocalityLbSetting, has_outlier: bool) {
    if !l.distribute.is_empty() && !l.failover.is_empty() {
        cx.report_key(
            &INVALID_LOCALITY_LB,
            &format!("{at}/failover"),
            "`distribute` and `failover` cannot both be set",
        )
        .label("conflicts with distribute");
    }
    if !l.failover.is_empty() {
        for (i, label) in l.failover_priority.iter().enumerate() {
            if TOPOLOGY_LABELS.contains(&label.as_str()) {
                cx.report(&INVALID_LOCALITY_LB, &format!("{at}/failoverPriority/{i}"), format!("`failover` cannot be combined with topology label `{label}` in failoverPriority"))
                    .label("conflicts with failover");
            }
        }
    }
    let mut sources: Vec<(String, &str)> = Vec::new();
    for (i, d) in l.distribute.iter().enumerate() {
        let dat = format!("{at}/distribute/{i}");
        sources.push((format!("{dat}/from"), d.from.as_str()));
        let mut total = 0;
        for (loc, weight) in &d.to {
            total += weight;
            if !(1..=100).contains(weight) {
                cx.report(
                    &INVALID_LOCALITY_LB,
                    &format!("{dat}/to/{}", escape(loc)),
                    format!("locality weight {weight} is not within 1..100"),
                )
                .label("out of range");
            }
        }
        if total != 100 {
            cx.report_key(
                &INVALID_LOCALITY_LB,
                &format!("{dat}/to"),
                format!("locality weights sum to {total}, not 100"),
            )
            .label("must sum to 100");
        }
        let targets: Vec<(String, &str)> =
            d.to.keys()
                .map(|k| (format!("{dat}/to/{}", escape(k)), k.as_str()))
                .collect();
        check_localities(cx, &targets);
    }
    check_localities(cx, &sources);
    for (i, f) in l.failover.iter().enumerate() {
        let fat = format!("{at}/failover/{i}");
        let problem = if f.from == f.to {
            Some("failover must go to a different region")
        } else if f.from.contains('/') || f.to.contains('/') {
            Some("failover names regions only (no `/zone`)")
        } else if f.from.contains('*') || f.to.contains('*') {
            Some("failover regions cannot contain `*`")
        } else {
            None
        };
        if let Some(problem) = problem {
            cx.report_key(&INVALID_LOCALITY_LB, &fat, problem)
                .label("invalid failover");
        }
    }
    if !has_outlier && (!l.failover.is_empty() || !l.failover_priority.is_empty()) {
        cx.report_key(
            &FAILOVER_WITHOUT_OUTLIER_DETECTION,
            at,
            "locality failover needs outlier detection in the same traffic policy",
        )
        .label("failover never triggers")
        .help("add `outlierDetection` (e.g. `consecutive5xxErrors: 5`)");
    }
}

/// Region/zone/subzone components, `*` standing for "any".
fn components(locality: &str) -> Option<[&str; 3]> {
    let parts: Vec<&str> = locality.split('/').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let get = |i: usize| parts.get(i).copied().unwrap_or("*");
    Some([get(0), get(1), get(2)])
}

fn check_localities(cx: &mut Checker, localities: &[(String, &str)]) {
    let mut seen: Vec<[&str; 3]> = Vec::new();
    for (pointer, loc) in localities {
        let stars = loc.matches('*').count();
        if stars > 1 || stars == 1 && !loc.ends_with('*') {
            cx.report(
                &INVALID_LOCALITY_LB,
                pointer,
                format!("locality `{loc}` may have one `*`, only at the end"),
            )
            .label("invalid wildcard");
            continue;
        }
        let Some(c) = components(loc) else {
            cx.report(
                &INVALID_LOCALITY_LB,
                pointer,
                format!("locality `{loc}` has an empty region, zone or subzone"),
            )
            .label("invalid locality");
            continue;
        };
        let overlaps = |s: &[&str; 3]| (0..3).all(|i| s[i] == "*" || c[i] == "*" || s[i] == c[i]);
        if seen.iter().any(overlaps) {
            cx.report(
                &INVALID_LOCALITY_LB,
                pointer,
                format!("locality `{loc}` overlaps one listed before"),
            )
            .label("overlapping locality");
        }
        seen.push(c);
    }
}
