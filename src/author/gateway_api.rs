//! A plan written with the Gateway API: a Gateway and an HTTPRoute bound to
//! it (ingress), or an HTTPRoute whose parent is the Service (mesh routing,
//! as Istio implements it). Versions become Services of their own, selected
//! by the version label; connection limits and outlier detection stay in an
//! Istio DestinationRule, which Istio applies to Gateway API traffic too.

use std::fmt::Write;

use super::istio::{labels, metadata, target_port};
use super::plan::{Condition, Entry, Plan, Rule};
use super::target::Target;
use super::yaml::scalar;
use super::{Manifest, Written};

const API: &str = "gateway.networking.k8s.io/v1";
/// Port of the Services written when neither `--port` nor `--from` gives one.
pub const DEFAULT_PORT: u16 = 80;

/// The Service that carries `version`'s traffic.
pub fn version_service(target: &Target, version: &str) -> String {
    format!("{}-{version}", target.service)
}

/// The resources of `plan` for `target`, and what does not carry over.
pub fn render(plan: &Plan, target: &Target) -> Written {
    let mut w = Written::default();
    let port = target.port.unwrap_or(DEFAULT_PORT);
    if target.port.is_none() {
        w.warnings.push(format!(
            "neither --port nor --from gives the Service's port: the Gateway API needs one, so port {DEFAULT_PORT} is written"
        ));
    }
    if let Entry::Gateway { host, tls_secret } = &plan.entry {
        w.manifests
            .push(gateway(plan, target, host, tls_secret.as_deref()));
        if tls_secret.is_some() {
            w.manifests.push(redirect_route(plan, target, host));
        }
    }
    w.manifests
        .push(http_route(plan, target, port, &mut w.warnings));
    let mesh_parent = plan.entry == Entry::Mesh;
    if !target.defined && (mesh_parent || !plan.versions.is_empty()) {
        w.manifests
            .push(service(target, &target.service, None, port));
    }
    for v in &plan.versions {
        w.manifests
            .push(service(target, &version_service(target, v), Some(v), port));
    }
    if !plan.policy.is_empty() {
        let policy_only = Plan {
            versions: Vec::new(),
            ..plan.clone()
        };
        w.manifests.extend(
            super::istio::render(&policy_only, target)
                .into_iter()
                .filter(|m| m.kind == "DestinationRule"),
        );
    }
    w
}

fn gateway(plan: &Plan, target: &Target, host: &str, tls_secret: Option<&str>) -> Manifest {
    let name = plan.gateway_name();
    let mut t = format!("apiVersion: {API}\nkind: Gateway\n");
    metadata(&mut t, &name, &target.namespace);
    let _ = writeln!(
        t,
        "spec:\n  gatewayClassName: istio\n  listeners:\n  - name: http\n    protocol: HTTP\n    port: 80\n    hostname: {}",
        scalar(host)
    );
    if let Some(secret) = tls_secret {
        let _ = writeln!(
            t,
            "  - name: https\n    protocol: HTTPS\n    port: 443\n    hostname: {}\n    tls:\n      mode: Terminate\n      certificateRefs:\n      - name: {}",
            scalar(host),
            scalar(secret)
        );
    }
    Manifest::new("Gateway", name, t)
}

/// With TLS, plain HTTP on port 80 is redirected to HTTPS.
fn redirect_route(plan: &Plan, target: &Target, host: &str) -> Manifest {
    let name = format!("{}-https-redirect", plan.name);
    let mut t = format!("apiVersion: {API}\nkind: HTTPRoute\n");
    metadata(&mut t, &name, &target.namespace);
    let _ = writeln!(
        t,
        "spec:\n  parentRefs:\n  - name: {}\n    sectionName: http\n  hostnames:\n  - {}\n  rules:\n  - filters:\n    - type: RequestRedirect\n      requestRedirect:\n        scheme: https\n        statusCode: 301",
        scalar(&plan.gateway_name()),
        scalar(host)
    );
    Manifest::new("HTTPRoute", name, t)
}

fn http_route(plan: &Plan, target: &Target, port: u16, warnings: &mut Vec<String>) -> Manifest {
    let mut t = format!("apiVersion: {API}\nkind: HTTPRoute\n");
    metadata(&mut t, &plan.name, &target.namespace);
    t.push_str("spec:\n  parentRefs:\n");
    match &plan.entry {
        Entry::Mesh => {
            let _ = writeln!(
                t,
                "  - group: \"\"\n    kind: Service\n    name: {}\n    port: {port}",
                scalar(&target.service)
            );
        }
        Entry::Gateway { host, tls_secret } => {
            let _ = writeln!(t, "  - name: {}", scalar(&plan.gateway_name()));
            if tls_secret.is_some() {
                t.push_str("    sectionName: https\n");
            }
            let _ = writeln!(t, "  hostnames:\n  - {}", scalar(host));
        }
    }
    t.push_str("  rules:\n");
    for rule in &plan.rules {
        http_rule(&mut t, rule, target, port, warnings);
    }
    Manifest::new("HTTPRoute", plan.name.clone(), t)
}

fn http_rule(t: &mut String, rule: &Rule, target: &Target, port: u16, warnings: &mut Vec<String>) {
    let mut lead = "  - ";
    if !rule.conditions.is_empty() {
        let _ = writeln!(t, "{lead}matches:");
        lead = "    ";
        let mut first = "    - ";
        let mut headers = Vec::new();
        for c in &rule.conditions {
            match c {
                Condition::PathPrefix(prefix) => {
                    let _ = writeln!(
                        t,
                        "{first}path:\n        type: PathPrefix\n        value: {}",
                        scalar(prefix)
                    );
                    first = "      ";
                }
                Condition::Header { name, value } => headers.push((name, value)),
            }
        }
        if !headers.is_empty() {
            let _ = writeln!(t, "{first}headers:");
            for (name, value) in headers {
                let _ = writeln!(
                    t,
                    "        - name: {}\n          value: {}",
                    scalar(name),
                    scalar(value)
                );
            }
        }
    }
    let _ = writeln!(t, "{lead}backendRefs:");
    for b in &rule.backends {
        let name = match &b.version {
            Some(v) => version_service(target, v),
            None => target.service.clone(),
        };
        let _ = writeln!(t, "    - name: {}\n      port: {port}", scalar(&name));
        if let Some(w) = b.weight {
            let _ = writeln!(t, "      weight: {w}");
        }
    }
    if rule.timeout.is_some()
        || rule
            .retries
            .as_ref()
            .is_some_and(|r| r.per_try_timeout.is_some())
    {
        t.push_str("    timeouts:\n");
        if let Some(timeout) = &rule.timeout {
            let _ = writeln!(t, "      request: {}", scalar(timeout));
        }
        if let Some(per_try) = rule
            .retries
            .as_ref()
            .and_then(|r| r.per_try_timeout.as_ref())
        {
            let _ = writeln!(t, "      backendRequest: {}", scalar(per_try));
        }
    }
    if let Some(r) = &rule.retries {
        warnings.push(format!(
            "rule {}: the Gateway API's standard channel has no retries, so {} retries on {} are not written (Istio's mesh default applies: 2 retries on connection failures); use --api istio to keep them",
            rule.name, r.attempts, r.retry_on
        ));
    }
}

/// A Service selecting the target's pods (of one version, when given).
fn service(target: &Target, name: &str, version: Option<&str>, port: u16) -> Manifest {
    let mut t = String::from("apiVersion: v1\nkind: Service\n");
    metadata(&mut t, name, &target.namespace);
    t.push_str("spec:\n");
    let mut selector = target.selector.clone();
    if let Some(v) = version {
        selector.extend(target.version_labels(v));
    }
    labels(&mut t, "  ", "selector", &selector);
    let _ = writeln!(t, "  ports:\n  - name: http\n    port: {port}");
    target_port(&mut t, target.target_port.as_ref());
    Manifest::new("Service", name.to_string(), t)
}
