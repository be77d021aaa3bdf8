//! Istio validation D2, D3, D4 and D8: traffic policy shape, connection
//! pools and outlier detection.

use crate::analyze::Checker;
use crate::analyze::rules::dr_policy_blocks::{policies, policy_blocks};
use crate::diagnostic::{Rule, Severity};
use crate::model::destination_rule::{ConnectionPool, OutlierDetection, Tunnel};
use crate::model::host::{is_ip, validate_fqdn};
use crate::model::{DestinationRule, Resource};

pub static INVALID_TRAFFIC_POLICY: Rule = Rule {
    code: "MC1203",
    name: "invalid-traffic-policy",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An empty traffic policy, `tunnel` with `proxyProtocol` or with an invalid protocol, host or port, or a port-level setting without port or settings.",
    docs: "## What it does\nA `trafficPolicy` sets at least one policy; `tunnel` and `proxyProtocol` exclude each other; \
each `portLevelSettings` entry names a `port` and sets at least one of outlierDetection, connectionPool, loadBalancer, tls.\n\n\
## Why is this bad?\nIstio rejects the DestinationRule.\n\n## Example\n```yaml\ntrafficPolicy:\n  portLevelSettings:\n  - port: {number: 80}\n```\n\n\
## Use instead\n```yaml\ntrafficPolicy:\n  portLevelSettings:\n  - port: {number: 80}\n    loadBalancer: {simple: ROUND_ROBIN}\n```\n",
};

pub static INVALID_CONNECTION_POOL: Rule = Rule {
    code: "MC1204",
    name: "invalid-connection-pool",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A connection pool Istio rejects: neither tcp nor http, a negative limit, or conflicting HTTP/2 settings.",
    docs: "## What it does\nA `connectionPool` sets `tcp` or `http`; every count is ≥ 0; `useClientProtocol: true` \
cannot go with `h2UpgradePolicy: UPGRADE`; `http2KeepAlive` needs both `interval` and `timeout`.\n\n\
## Why is this bad?\nIstio rejects the DestinationRule.\n\n## Example\n```yaml\nconnectionPool:\n  http:\n    http1MaxPendingRequests: -1\n```\n\n\
## Use instead\n```yaml\nconnectionPool:\n  http:\n    http1MaxPendingRequests: 100\n```\n",
};

pub static INVALID_OUTLIER_DETECTION: Rule = Rule {
    code: "MC1205",
    name: "invalid-outlier-detection",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Outlier detection Istio rejects: percentages outside 0..100, or local-origin failures without splitting them.",
    docs: "## What it does\n`maxEjectionPercent` and `minHealthPercent` are 0..100; `consecutiveLocalOriginFailures` \
needs `splitExternalLocalOriginErrors: true`.\n\n## Why is this bad?\nIstio rejects the DestinationRule.\n\n\
## Example\n```yaml\noutlierDetection:\n  maxEjectionPercent: 150\n  consecutiveLocalOriginFailures: 3\n```\n\n\
## Use instead\n```yaml\noutlierDetection:\n  maxEjectionPercent: 50\n  splitExternalLocalOriginErrors: true\n  consecutiveLocalOriginFailures: 3\n```\n",
};

pub static DEPRECATED_CONSECUTIVE_ERRORS: Rule = Rule {
    code: "MC1206",
    name: "deprecated-consecutive-errors",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "The deprecated `consecutiveErrors` is used in outlier detection.",
    docs: "## What it does\nWarns on `outlierDetection.consecutiveErrors`.\n\n## Why is this bad?\nIt is deprecated: \
Istio maps it to gateway errors only (502, 503, 504), not to every 5xx as the name suggests.\n\n\
## Example\n```yaml\noutlierDetection:\n  consecutiveErrors: 5\n```\n\n## Use instead\n```yaml\noutlierDetection:\n  consecutive5xxErrors: 5\n```\n",
};

pub static RULES: &[&Rule] = &[
    &INVALID_TRAFFIC_POLICY,
    &INVALID_CONNECTION_POOL,
    &INVALID_OUTLIER_DETECTION,
    &DEPRECATED_CONSECUTIVE_ERRORS,
];

pub fn check(res: &Resource<DestinationRule>, cx: &mut Checker) {
    for (at, p) in policies(&res.spec) {
        let empty = p.load_balancer.is_none()
            && p.connection_pool.is_none()
            && p.outlier_detection.is_none()
            && p.tls.is_none()
            && p.port_level_settings.is_empty()
            && p.tunnel.is_none()
            && p.proxy_protocol.is_none()
            && p.retry_budget.is_none();
        if empty {
            cx.report_key(&INVALID_TRAFFIC_POLICY, &at, "a traffic policy must set at least one field")
                .label("empty policy")
                .help("set loadBalancer, connectionPool, outlierDetection, tls or portLevelSettings, or remove it");
        }
        if p.tunnel.is_some() && p.proxy_protocol.is_some() {
            cx.report_key(
                &INVALID_TRAFFIC_POLICY,
                &format!("{at}/proxyProtocol"),
                "`tunnel` and `proxyProtocol` cannot both be set",
            )
            .label("conflicts with `tunnel`");
        }
        if let Some(tunnel) = &p.tunnel {
            check_tunnel(cx, &format!("{at}/tunnel"), tunnel);
        }
        for (j, pl) in p.port_level_settings.iter().enumerate() {
            let pat = format!("{at}/portLevelSettings/{j}");
            if pl.port.is_none() {
                cx.report_key(
                    &INVALID_TRAFFIC_POLICY,
                    &pat,
                    "a port-level setting must name a `port`",
                )
                .label("no port");
            }
            if pl.load_balancer.is_none()
                && pl.connection_pool.is_none()
                && pl.outlier_detection.is_none()
                && pl.tls.is_none()
            {
                cx.report_key(&INVALID_TRAFFIC_POLICY, &pat, "a port-level setting must set at least one of outlierDetection, connectionPool, loadBalancer, tls")
                    .label("no settings");
            }
        }
    }
    for block in policy_blocks(&res.spec) {
        if let Some(pool) = block.connection_pool {
            check_pool(cx, &format!("{}/connectionPool", block.pointer), pool);
        }
        if let Some(od) = block.outlier_detection {
            check_outlier(cx, &format!("{}/outlierDetection", block.pointer), od);
        }
    }
}

/// Istio's `validateTunnelSettings`: protocol CONNECT or POST (or unset), a
/// target host that is an FQDN or an IP address, a target port 1-65535.
fn check_tunnel(cx: &mut Checker, at: &str, tunnel: &Tunnel) {
    if let Some(protocol) = tunnel
        .protocol
        .as_deref()
        .filter(|p| !p.is_empty() && !matches!(*p, "CONNECT" | "POST"))
    {
        cx.report(
            &INVALID_TRAFFIC_POLICY,
            &format!("{at}/protocol"),
            format!("tunnel protocol `{protocol}` is neither CONNECT nor POST"),
        )
        .label("unknown tunnel protocol")
        .help("use CONNECT (the default) or POST");
    }
    if validate_fqdn(&tunnel.target_host).is_err() && !is_ip(&tunnel.target_host) {
        cx.report(
            &INVALID_TRAFFIC_POLICY,
            &format!("{at}/targetHost"),
            format!(
                "tunnel target host `{}` is neither a valid FQDN nor an IP address",
                tunnel.target_host
            ),
        )
        .label("invalid target host");
    }
    if !(1..=65535).contains(&tunnel.target_port) {
        cx.report(
            &INVALID_TRAFFIC_POLICY,
            &format!("{at}/targetPort"),
            format!(
                "tunnel target port {} is not within 1..65535",
                tunnel.target_port
            ),
        )
        .label("invalid port");
    }
}

fn check_pool(cx: &mut Checker, at: &str, pool: &ConnectionPool) {
    if pool.tcp.is_none() && pool.http.is_none() {
        cx.report_key(
            &INVALID_CONNECTION_POOL,
            at,
            "a connection pool must set `tcp` or `http`",
        )
        .label("empty connection pool");
    }
    let mut negative = |field: &str, value: Option<i64>| {
        if let Some(v) = value.filter(|v| *v < 0) {
            cx.report(
                &INVALID_CONNECTION_POOL,
                &format!("{at}/{field}"),
                format!(
                    "{} must not be negative ({v})",
                    field.rsplit('/').next().unwrap_or(field)
                ),
            )
            .label("negative limit");
        }
    };
    if let Some(tcp) = &pool.tcp {
        negative("tcp/maxConnections", tcp.max_connections);
    }
    let Some(http) = &pool.http else { return };
    negative(
        "http/http1MaxPendingRequests",
        http.http1_max_pending_requests,
    );
    negative("http/http2MaxRequests", http.http2_max_requests);
    negative(
        "http/maxRequestsPerConnection",
        http.max_requests_per_connection,
    );
    negative("http/maxRetries", http.max_retries);
    negative("http/maxConcurrentStreams", http.max_concurrent_streams);
    if http.use_client_protocol == Some(true)
        && http.h2_upgrade_policy.as_deref() == Some("UPGRADE")
    {
        cx.report_key(
            &INVALID_CONNECTION_POOL,
            &format!("{at}/http/useClientProtocol"),
            "`useClientProtocol` must not be true when `h2UpgradePolicy` is UPGRADE",
        )
        .label("conflicts with h2UpgradePolicy");
    }
    if let Some(ka) = &http.http2_keep_alive
        && (ka.interval.is_none() || ka.timeout.is_none())
    {
        cx.report_key(
            &INVALID_CONNECTION_POOL,
            &format!("{at}/http/http2KeepAlive"),
            "http2KeepAlive needs both `interval` and `timeout`",
        )
        .label("incomplete keep-alive");
    }
}

fn check_outlier(cx: &mut Checker, at: &str, od: &OutlierDetection) {
    for (field, value) in [
        ("maxEjectionPercent", od.max_ejection_percent),
        ("minHealthPercent", od.min_health_percent),
    ] {
        if let Some(v) = value.filter(|v| !(0..=100).contains(v)) {
            cx.report(
                &INVALID_OUTLIER_DETECTION,
                &format!("{at}/{field}"),
                format!("{field} {v} is not within 0..100"),
            )
            .label("out of range");
        }
    }
    if od.consecutive_local_origin_failures.is_some_and(|n| n > 0)
        && od.split_external_local_origin_errors != Some(true)
    {
        cx.report_key(
            &INVALID_OUTLIER_DETECTION,
            &format!("{at}/consecutiveLocalOriginFailures"),
            "consecutiveLocalOriginFailures is set but splitExternalLocalOriginErrors is not true",
        )
        .label("never counted")
        .help("add `splitExternalLocalOriginErrors: true`");
    }
    if od.consecutive_errors.is_some_and(|n| n != 0) {
        cx.report_key(
            &DEPRECATED_CONSECUTIVE_ERRORS,
            &format!("{at}/consecutiveErrors"),
            "`consecutiveErrors` is deprecated",
        )
        .label("deprecated")
        .help("use `consecutive5xxErrors` or `consecutiveGatewayErrors`");
    }
}
