//! A plan written with Istio's API: a Gateway (for ingress), a
//! VirtualService, and a DestinationRule with the subsets and policy.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Manifest;
use super::plan::{Condition, Entry, Plan, Policy, Rule};
use super::target::Target;
use super::yaml::scalar;

/// `metadata` of a resource named `name` in the target's namespace.
pub fn metadata(out: &mut String, name: &str, namespace: &str) {
    let _ = writeln!(
        out,
        "metadata:\n  name: {}\n  namespace: {}",
        scalar(name),
        scalar(namespace)
    );
}

/// `key: {k: v, ...}` lines at `indent`.
pub fn labels(out: &mut String, indent: &str, key: &str, labels: &BTreeMap<String, String>) {
    let _ = writeln!(out, "{indent}{key}:");
    for (k, v) in labels {
        let _ = writeln!(out, "{indent}  {}: {}", scalar(k), scalar(v));
    }
}

/// A Service port's `targetPort` line, a number or a port name as written.
pub fn target_port(out: &mut String, value: Option<&serde_json::Value>) {
    match value {
        Some(serde_json::Value::Number(n)) => {
            let _ = writeln!(out, "    targetPort: {n}");
        }
        Some(serde_json::Value::String(s)) => {
            let _ = writeln!(out, "    targetPort: {}", scalar(s));
        }
        _ => {}
    }
}

/// The resources of `plan` for `target`.
pub fn render(plan: &Plan, target: &Target) -> Vec<Manifest> {
    let mut out = Vec::new();
    if let Entry::Gateway { host, tls_secret } = &plan.entry {
        out.push(gateway(plan, target, host, tls_secret.as_deref()));
    }
    out.push(virtual_service(plan, target));
    if !plan.versions.is_empty() || !plan.policy.is_empty() {
        out.push(destination_rule(plan, target));
    }
    out
}

fn gateway(plan: &Plan, target: &Target, host: &str, tls_secret: Option<&str>) -> Manifest {
    let name = plan.gateway_name();
    let mut t = String::from("apiVersion: networking.istio.io/v1\nkind: Gateway\n");
    metadata(&mut t, &name, &target.namespace);
    t.push_str("spec:\n  selector:\n    istio: ingressgateway\n  servers:\n");
    let _ = writeln!(
        t,
        "  - port:\n      number: 80\n      name: http\n      protocol: HTTP\n    hosts:\n    - {}",
        scalar(host)
    );
    if let Some(secret) = tls_secret {
        t.push_str("    tls:\n      httpsRedirect: true\n");
        let _ = writeln!(
            t,
            "  - port:\n      number: 443\n      name: https\n      protocol: HTTPS\n    hosts:\n    - {}\n    tls:\n      mode: SIMPLE\n      credentialName: {}",
            scalar(host),
            scalar(secret)
        );
    }
    Manifest::new("Gateway", name, t)
}

fn virtual_service(plan: &Plan, target: &Target) -> Manifest {
    let mut t = String::from("apiVersion: networking.istio.io/v1\nkind: VirtualService\n");
    metadata(&mut t, &plan.name, &target.namespace);
    t.push_str("spec:\n  hosts:\n");
    match &plan.entry {
        Entry::Mesh => {
            let _ = writeln!(t, "  - {}", scalar(&target.service));
        }
        Entry::Gateway { host, .. } => {
            let _ = writeln!(
                t,
                "  - {}\n  gateways:\n  - {}",
                scalar(host),
                scalar(&plan.gateway_name())
            );
        }
    }
    t.push_str("  http:\n");
    for rule in &plan.rules {
        http_rule(&mut t, rule, target);
    }
    Manifest::new("VirtualService", plan.name.clone(), t)
}

fn http_rule(t: &mut String, rule: &Rule, target: &Target) {
    let _ = writeln!(t, "  - name: {}", scalar(&rule.name));
    if !rule.conditions.is_empty() {
        t.push_str("    match:\n");
        let mut first = true;
        for c in &rule.conditions {
            let lead = if first { "    - " } else { "      " };
            first = false;
            match c {
                Condition::PathPrefix(prefix) => {
                    let _ = writeln!(t, "{lead}uri:\n        prefix: {}", scalar(prefix));
                }
                Condition::Header { name, value } => {
                    let _ = writeln!(
                        t,
                        "{lead}headers:\n        {}:\n          exact: {}",
                        scalar(name),
                        scalar(value)
                    );
                }
            }
        }
    }
    t.push_str("    route:\n");
    for b in &rule.backends {
        let _ = writeln!(
            t,
            "    - destination:\n        host: {}",
            scalar(&target.service)
        );
        if let Some(v) = &b.version {
            let _ = writeln!(t, "        subset: {}", scalar(v));
        }
        if let Some(port) = target.port {
            let _ = writeln!(t, "        port:\n          number: {port}");
        }
        if let Some(w) = b.weight {
            let _ = writeln!(t, "      weight: {w}");
        }
    }
    if let Some(timeout) = &rule.timeout {
        let _ = writeln!(t, "    timeout: {}", scalar(timeout));
    }
    if let Some(r) = &rule.retries {
        let _ = writeln!(t, "    retries:\n      attempts: {}", r.attempts);
        if let Some(p) = &r.per_try_timeout {
            let _ = writeln!(t, "      perTryTimeout: {}", scalar(p));
        }
        let _ = writeln!(t, "      retryOn: {}", scalar(&r.retry_on));
    }
}

fn destination_rule(plan: &Plan, target: &Target) -> Manifest {
    let mut t = String::from("apiVersion: networking.istio.io/v1\nkind: DestinationRule\n");
    metadata(&mut t, &plan.name, &target.namespace);
    let _ = writeln!(t, "spec:\n  host: {}", scalar(&target.service));
    if !plan.policy.is_empty() {
        t.push_str("  trafficPolicy:\n");
        traffic_policy(&mut t, &plan.policy, target.replicas);
    }
    if !plan.versions.is_empty() {
        t.push_str("  subsets:\n");
        for v in &plan.versions {
            let _ = writeln!(t, "  - name: {}", scalar(v));
            labels(&mut t, "    ", "labels", &target.version_labels(v));
        }
    }
    Manifest::new("DestinationRule", plan.name.clone(), t)
}

/// Outlier detection's sweep interval.
const OUTLIER_INTERVAL: &str = "10s";

fn traffic_policy(t: &mut String, p: &Policy, replicas: u64) {
    if p.max_connections.is_some() || p.max_pending.is_some() {
        t.push_str("    connectionPool:\n");
        if let Some(n) = p.max_connections {
            let _ = writeln!(t, "      tcp:\n        maxConnections: {n}");
        }
        if let Some(n) = p.max_pending {
            let _ = writeln!(t, "      http:\n        http1MaxPendingRequests: {n}");
        }
    }
    if p.consecutive_5xx.is_some() || p.ejection_time.is_some() {
        t.push_str("    outlierDetection:\n");
        if let Some(n) = p.consecutive_5xx {
            let _ = writeln!(t, "      consecutive5xxErrors: {n}");
        }
        let _ = writeln!(t, "      interval: {OUTLIER_INTERVAL}");
        if let Some(d) = &p.ejection_time {
            let _ = writeln!(t, "      baseEjectionTime: {}", scalar(d));
        }
        // Istio's default (10 %) ejects nothing below ten replicas.
        if replicas > 0 && replicas < 10 {
            let _ = writeln!(t, "      maxEjectionPercent: {}", 100u64.div_ceil(replicas));
        }
    }
}
