//! Resilience settings that do not do what they seem to: per-try timeouts
//! that are ignored, retries that cannot fit in the route timeout or can
//! never fire, faults that bypass retries and timeouts, pool limits of 0,
//! outlier detection too timid to eject a replica, and weights that are
//! read differently from how they look (semantics reference §3, §4, §6).

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::HostLookup;
use crate::mesh::names::fqdn;
use crate::model::protocol::Protocol;
use crate::model::virtual_service::{HttpRoute, RouteAt, Split};
use crate::model::{DestinationRule, Duration, Resource, SmallMap, VirtualService};

pub static PER_TRY_IGNORED: Rule = Rule {
    code: "MC2501",
    name: "per-try-timeout-ignored",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A perTryTimeout at least as long as the route timeout, which Envoy then ignores.",
    docs: "## What it does\nCompares `retries.perTryTimeout` with the rule's `timeout`.\n\n\
## Why is this bad?\nA per-try limit that is not shorter than the route timeout is ignored: a slow try uses the \
whole budget and no retry can follow it.\n\n\
## Example\n```yaml\ntimeout: 2s\nretries: {attempts: 3, perTryTimeout: 2s}\n```\n\n\
## Use instead\n```yaml\ntimeout: 2s\nretries: {attempts: 3, perTryTimeout: 500ms}\n```\n",
};

pub static RETRIES_BEYOND_TIMEOUT: Rule = Rule {
    code: "MC2502",
    name: "retries-beyond-timeout",
    severity: Severity::Warning,
    istio_code: None,
    summary: "More tries than fit in the route timeout: (attempts + 1) × perTryTimeout exceeds timeout.",
    docs: "## What it does\nCounts how many tries of `perTryTimeout` fit in the route `timeout` (back-off between \
tries, 25 ms base and jittered, only makes it worse).\n\n\
## Why is this bad?\nThe route timeout covers every try and back-off; when it expires the client gets 504 UT and the \
remaining retries never happen.\n\n\
## Example\n```yaml\ntimeout: 1s\nretries: {attempts: 5, perTryTimeout: 400ms}   # 6 tries of 400ms need 2.4s\n```\n\n\
## Use instead\n```yaml\ntimeout: 1s\nretries: {attempts: 2, perTryTimeout: 300ms}\n```\n",
};

pub static RETRIES_NEVER_FIRE: Rule = Rule {
    code: "MC2503",
    name: "retries-never-fire",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A retry policy whose retryOn conditions cannot occur for this route.",
    docs: "## What it does\nFlags `retryOn` that lists `retriable-status-codes` without any status code, only \
`retriable-headers` (Istio cannot configure the headers), or only gRPC status conditions while every destination \
port speaks plain HTTP.\n\n\
## Why is this bad?\nThe policy looks like protection but never retries anything.\n\n\
## Example\n```yaml\nretries: {attempts: 3, retryOn: retriable-status-codes}\n```\n\n\
## Use instead\n```yaml\nretries: {attempts: 3, retryOn: \"retriable-status-codes,503\"}\n```\n",
};

pub static FAULT_BYPASSES_RETRIES: Rule = Rule {
    code: "MC2504",
    name: "fault-bypasses-resilience",
    severity: Severity::Info,
    istio_code: None,
    summary: "Fault injection on a rule with retries or a timeout: aborted requests are never retried, and injected delays are not timed.",
    docs: "## What it does\nFlags a rule that has both `fault` and `retries` or `timeout`.\n\n\
## Why is this bad?\nThe fault filter runs before the router: an abort answers at once (flag FI) without retries, \
timeout or circuit breaking, and a delay is spent before the route timeout starts. A chaos test of \"do our retries \
cope?\" therefore tests nothing.\n\n\
## Example\n```yaml\nfault: {abort: {httpStatus: 503, percentage: {value: 10}}}\nretries: {attempts: 3, retryOn: 5xx}\n```\n\n\
## Use instead\nInject faults at the callee (a VirtualService for the upstream service, applied on the caller's \
side of that hop) so that the caller's retries see them.\n",
};

pub static ZERO_POOL_LIMIT: Rule = Rule {
    code: "MC2505",
    name: "zero-pool-limit",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A connection-pool limit of 0, which Istio reads as unset (no limit), not as zero.",
    docs: "## What it does\nFlags `maxConnections`, `http1MaxPendingRequests`, `http2MaxRequests`, \
`maxRequestsPerConnection` and `maxRetries` set to 0.\n\n\
## Why is this bad?\n0 means \"use the default\", which for Istio is effectively unlimited: a circuit breaker \
meant to shed everything sheds nothing.\n\n\
## Example\n```yaml\nconnectionPool: {http: {http1MaxPendingRequests: 0}}\n```\n\n\
## Use instead\n```yaml\nconnectionPool: {http: {http1MaxPendingRequests: 1}}\n```\n",
};

pub static OUTLIER_EJECTS_NOTHING: Rule = Rule {
    code: "MC2506",
    name: "outlier-ejects-nothing",
    severity: Severity::Warning,
    istio_code: None,
    summary: "maxEjectionPercent too small to eject even one of the service's replicas (checked when the input has workloads).",
    docs: "## What it does\nCounts the replicas behind the DestinationRule's host (Deployments and Pods selected by the \
Service, and by each subset's labels) and checks that maxEjectionPercent (default 10) allows ejecting one.\n\n\
## Why is this bad?\nSince Envoy 1.27 (Istio 1.19) a host is ejected only while ejected/total stays within the \
percentage, and Istio does not set always_eject_one_host: with 9 replicas or fewer and the default 10 %, outlier \
detection never ejects anything.\n\n\
## Example\n```yaml\noutlierDetection: {consecutive5xxErrors: 5}   # 3 replicas, default 10 %\n```\n\n\
## Use instead\n```yaml\noutlierDetection: {consecutive5xxErrors: 5, maxEjectionPercent: 50}\n```\n",
};

pub static WEIGHTS_NOT_100: Rule = Rule {
    code: "MC2507",
    name: "weights-not-100",
    severity: Severity::Info,
    istio_code: None,
    summary: "Route weights that do not sum to 100: Istio (1.15 and later) splits proportionally.",
    docs: "## What it does\nFlags a split whose weights do not add up to 100.\n\n\
## Why is this bad?\nIt works (each destination gets weight/total), but reviewers read the numbers as percentages; \
Istio before 1.15 rejected it.\n\n\
## Example\n```yaml\n- {destination: {host: reviews, subset: v1}, weight: 90}\n- {destination: {host: reviews, subset: v2}, weight: 20}   # 81.8 % / 18.2 %\n```\n\n\
## Use instead\n```yaml\n- {destination: {host: reviews, subset: v1}, weight: 80}\n- {destination: {host: reviews, subset: v2}, weight: 20}\n```\n",
};

pub static LONE_WEIGHT_IGNORED: Rule = Rule {
    code: "MC2508",
    name: "lone-destination-weight",
    severity: Severity::Info,
    istio_code: None,
    summary: "A weight other than 100 on a route's only destination, which gets all traffic regardless.",
    docs: "## What it does\nFlags a single destination with a weight that is not 100.\n\n\
## Why is this bad?\nA lone destination receives 100 % of the traffic whatever its weight (even 0); a weight of 50 \
suggests a split that does not exist.\n\n\
## Example\n```yaml\nroute:\n- destination: {host: reviews, subset: v2}\n  weight: 50\n```\n\n\
## Use instead\nRemove the weight, or add the other destination.\n",
};

pub static REPEATED_DESTINATION: Rule = Rule {
    code: "MC2509",
    name: "repeated-destination",
    severity: Severity::Warning,
    istio_code: None,
    summary: "The same destination (host, subset and port) twice in one route (Kiali KIA1105).",
    docs: "## What it does\nCompares the destinations of each http, tcp and tls route, short host names expanded.\n\n\
## Why is this bad?\nThe split is not what it reads like: the two entries' weights add up for that destination, \
and a shift that edits one of them moves less traffic than intended.\n\n\
## Example\n```yaml\n- {destination: {host: reviews, subset: v1}, weight: 50}\n- {destination: {host: reviews, subset: v1}, weight: 50}\n```\n\n\
## Use instead\n```yaml\n- {destination: {host: reviews, subset: v1}, weight: 100}\n```\n",
};

pub static RULES: &[&Rule] = &[
    &REPEATED_DESTINATION,
    &PER_TRY_IGNORED,
    &RETRIES_BEYOND_TIMEOUT,
    &RETRIES_NEVER_FIRE,
    &FAULT_BYPASSES_RETRIES,
    &ZERO_POOL_LIMIT,
    &OUTLIER_EJECTS_NOTHING,
    &WEIGHTS_NOT_100,
    &LONE_WEIGHT_IGNORED,
];

const GRPC_CONDITIONS: &[&str] = &[
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

pub fn check(index: &mut Index, out: &mut Reporter) {
    for vs in index.virtual_services() {
        for (i, rule) in vs.spec.http.iter().enumerate() {
            let at = format!("/spec/http/{i}");
            check_timeouts(out, vs, rule, &at);
            check_retry_on(index, out, vs, rule, &at);
            if rule.fault.is_some() && (rule.retries.is_some() || rule.timeout.is_some()) {
                out.report(
                    &FAULT_BYPASSES_RETRIES,
                    vs,
                    &format!("{at}/fault"),
                    "this rule's fault is injected before its retries and timeout: aborts are never retried, delays are not timed",
                )
                .label("bypasses retries and timeout");
            }
        }
        for (at, split) in vs.spec.route_splits() {
            let weights: Vec<Option<i64>> = split.iter().map(|(w, _)| *w).collect();
            check_weights(out, vs, &weights, at);
            check_repeated(out, vs, &split, at);
        }
    }
    for dr in &index.config.destination_rules {
        check_pool_zeros(out, dr);
        if index.has_workloads() {
            check_ejection_percent(index, out, dr);
        }
    }
}

fn duration(text: Option<&String>) -> Option<u128> {
    Duration::parse(text?)
        .ok()
        .map(Duration::as_nanos)
        .filter(|n| *n > 0)
}

fn check_timeouts(out: &mut Reporter, vs: &Resource<VirtualService>, rule: &HttpRoute, at: &str) {
    let Some(retries) = &rule.retries else { return };
    let (Some(timeout), Some(per_try)) = (
        duration(rule.timeout.as_ref()),
        duration(retries.per_try_timeout.as_ref()),
    ) else {
        return;
    };
    let written = |s: &Option<String>| s.clone().unwrap_or_default();
    if per_try >= timeout {
        out.report(
            &PER_TRY_IGNORED,
            vs,
            &format!("{at}/retries/perTryTimeout"),
            format!(
                "perTryTimeout {} is not shorter than the route timeout {}, so it is ignored",
                written(&retries.per_try_timeout),
                written(&rule.timeout)
            ),
        )
        .label("ignored")
        .help("make perTryTimeout shorter than timeout, or drop it");
        return;
    }
    let attempts = retries.attempts.unwrap_or(0).max(0) as u128;
    let fit = timeout.div_ceil(per_try);
    if attempts + 1 > fit {
        out.report(
            &RETRIES_BEYOND_TIMEOUT,
            vs,
            &format!("{at}/retries/attempts"),
            format!(
                "{} tries of {} need more than the route timeout {}: at most {fit} can start, the rest never happen",
                attempts + 1,
                written(&retries.per_try_timeout),
                written(&rule.timeout)
            ),
        )
        .label("unreachable retries")
        .help(format!("use at most {} attempts, or a shorter perTryTimeout or longer timeout", fit.saturating_sub(1)));
    }
}

fn check_retry_on(
    index: &mut Index,
    out: &mut Reporter,
    vs: &Resource<VirtualService>,
    rule: &HttpRoute,
    at: &str,
) {
    let Some(retries) = &rule.retries else { return };
    if retries.attempts.unwrap_or(0) <= 0 {
        return;
    }
    let Some(retry_on) = retries.retry_on.as_deref() else {
        return;
    };
    let tokens: Vec<&str> = retry_on
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let has_codes = tokens.iter().any(|t| t.parse::<u16>().is_ok());
    let conditions: Vec<&str> = tokens
        .iter()
        .copied()
        .filter(|t| t.parse::<u16>().is_err())
        .collect();
    let reason = if conditions == ["retriable-status-codes"] && !has_codes {
        Some("`retriable-status-codes` lists no status code".to_string())
    } else if conditions == ["retriable-headers"] {
        Some("`retriable-headers` needs retry headers, which Istio cannot configure".to_string())
    } else if !conditions.is_empty()
        && !has_codes
        && conditions.iter().all(|c| GRPC_CONDITIONS.contains(c))
        && plain_http_destinations(index, vs, rule)
    {
        Some(
            "only gRPC status conditions, but every destination port speaks plain HTTP".to_string(),
        )
    } else {
        None
    };
    if let Some(reason) = reason {
        out.report(&RETRIES_NEVER_FIRE, vs, &format!("{at}/retries/retryOn"), format!("these retries never fire: {reason}"))
            .label("never matches")
            .help("list the conditions to retry on, for example `5xx,reset,connect-failure` or `retriable-status-codes,503`");
    }
}

/// Whether every destination of the rule is a registry port named or declared plain HTTP/1.
fn plain_http_destinations(
    index: &mut Index,
    vs: &Resource<VirtualService>,
    rule: &HttpRoute,
) -> bool {
    !rule.route.is_empty()
        && rule.route.iter().all(|r| {
            let d = &r.destination;
            let HostLookup::Found(host) =
                index.lookup_host(&d.host, &vs.namespace, &vs.spec.export_to)
            else {
                return false;
            };
            let port = match &d.port {
                Some(p) => host.ports.iter().find(|hp| hp.number == p.number),
                None if host.ports.len() == 1 => host.ports.first(),
                None => None,
            };
            port.is_some_and(|p| p.protocol == Protocol::Http)
        })
}

fn check_weights(
    out: &mut Reporter,
    vs: &Resource<VirtualService>,
    weights: &[Option<i64>],
    at: RouteAt,
) {
    match weights {
        [Some(w)] if *w != 100 => {
            out.report(
                &LONE_WEIGHT_IGNORED,
                vs,
                &format!("{at}/0/weight"),
                format!("weight {w} on the only destination is ignored: it gets all the traffic"),
            )
            .label("ignored")
            .help("remove the weight, or add the destination that should share the traffic");
        }
        many if many.len() > 1 => {
            let total: i64 = many.iter().map(|w| w.unwrap_or(0)).sum();
            if total > 0 && total != 100 {
                let shares: Vec<String> = many
                    .iter()
                    .map(|w| format!("{:.1} %", w.unwrap_or(0) as f64 * 100.0 / total as f64))
                    .collect();
                out.report(
                    &WEIGHTS_NOT_100,
                    vs,
                    &at.to_string(),
                    format!(
                        "weights sum to {total}, so the split is {}",
                        shares.join(" / ")
                    ),
                )
                .label("proportional, not percent");
            }
        }
        _ => {}
    }
}

/// Kiali's KIA1105: one destination (host, subset and port) twice in a route.
fn check_repeated(out: &mut Reporter, vs: &Resource<VirtualService>, split: &Split, at: RouteAt) {
    let mut first_at = foldhash::HashMap::default();
    for (j, (_, d)) in split.iter().enumerate() {
        let key = (
            fqdn(&d.host, &vs.namespace),
            d.subset.as_deref(),
            d.port.map(|p| p.number),
        );
        let Some(&first) = first_at.get(&key) else {
            first_at.insert(key, j);
            continue;
        };
        out.report(
            &REPEATED_DESTINATION,
            vs,
            &format!("{at}/{j}/destination"),
            format!(
                "destination {}{} already appears as destination #{first} of this route",
                d.host,
                d.subset
                    .as_deref()
                    .map(|s| format!(" (subset {s})"))
                    .unwrap_or_default()
            ),
        )
        .label("repeated")
        .help("merge the two entries into one, with the sum of their weights");
    }
}

fn check_pool_zeros(out: &mut Reporter, dr: &Resource<DestinationRule>) {
    let mut policies = Vec::new();
    if let Some(p) = &dr.spec.traffic_policy {
        policies.push((
            "/spec/trafficPolicy".to_string(),
            p.connection_pool.as_ref(),
        ));
        for (i, level) in p.port_level_settings.iter().enumerate() {
            policies.push((
                format!("/spec/trafficPolicy/portLevelSettings/{i}"),
                level.connection_pool.as_ref(),
            ));
        }
    }
    for (i, subset) in dr.spec.subsets.iter().enumerate() {
        if let Some(p) = &subset.traffic_policy {
            policies.push((
                format!("/spec/subsets/{i}/trafficPolicy"),
                p.connection_pool.as_ref(),
            ));
        }
    }
    for (at, pool) in policies {
        let Some(pool) = pool else { continue };
        let tcp = pool.tcp.as_ref();
        let http = pool.http.as_ref();
        let fields = [
            ("tcp/maxConnections", tcp.and_then(|t| t.max_connections)),
            (
                "http/http1MaxPendingRequests",
                http.and_then(|h| h.http1_max_pending_requests),
            ),
            (
                "http/http2MaxRequests",
                http.and_then(|h| h.http2_max_requests),
            ),
            (
                "http/maxRequestsPerConnection",
                http.and_then(|h| h.max_requests_per_connection),
            ),
            ("http/maxRetries", http.and_then(|h| h.max_retries)),
        ];
        for (field, value) in fields {
            if value == Some(0) {
                let name = field.split('/').nth(1).unwrap_or(field);
                out.report(
                    &ZERO_POOL_LIMIT,
                    dr,
                    &format!("{at}/connectionPool/{field}"),
                    format!("{name}: 0 means unset (no limit), not zero"),
                )
                .label("read as unlimited")
                .help("use 1 for the tightest limit, or remove the field");
            }
        }
    }
}

fn check_ejection_percent(index: &Index, out: &mut Reporter, dr: &Resource<DestinationRule>) {
    let host = fqdn(&dr.spec.host, &dr.namespace);
    let replicas = |labels: &SmallMap| -> u64 {
        index
            .service_pods(&host, labels)
            .map_or(0, |p| p.replicas())
    };
    let mut checks = Vec::new();
    if let Some(od) = dr
        .spec
        .traffic_policy
        .as_ref()
        .and_then(|p| p.outlier_detection.as_ref())
    {
        checks.push((
            "/spec/trafficPolicy/outlierDetection".to_string(),
            od,
            replicas(&SmallMap::default()),
        ));
    }
    for (i, subset) in dr.spec.subsets.iter().enumerate() {
        if let Some(od) = subset
            .traffic_policy
            .as_ref()
            .and_then(|p| p.outlier_detection.as_ref())
        {
            checks.push((
                format!("/spec/subsets/{i}/trafficPolicy/outlierDetection"),
                od,
                replicas(&subset.labels),
            ));
        }
    }
    for (at, od, hosts) in checks {
        let percent = od.max_ejection_percent.filter(|p| *p > 0).unwrap_or(10) as u64;
        if hosts == 0 || percent * hosts >= 100 {
            continue;
        }
        let pointer = if od.max_ejection_percent.is_some() {
            format!("{at}/maxEjectionPercent")
        } else {
            at
        };
        out.report(
            &OUTLIER_EJECTS_NOTHING,
            dr,
            &pointer,
            format!(
                "maxEjectionPercent {percent} of {hosts} replica(s) is less than one host: recent Envoy never ejects any"
            ),
        )
        .label("ejects nothing")
        .help(format!("set maxEjectionPercent to at least {}", 100u64.div_ceil(hosts)));
    }
}
