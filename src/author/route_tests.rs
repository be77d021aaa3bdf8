//! The route-test file that pins what a pattern does: for each rule, a
//! request that takes it and the destination it must reach (each live
//! version of a split), for `meshctl test`.

use std::fmt::Write;

use super::Api;
use super::plan::{Condition, Entry, Plan, Rule};
use super::target::Target;
use super::yaml::scalar;

/// One test case.
struct Case {
    name: String,
    host: String,
    path: String,
    headers: Vec<(String, String)>,
    gateway: Option<String>,
    port: Option<u16>,
    status: u16,
    /// Expected destination host and subset.
    destination: Option<(String, Option<String>)>,
    rule: Option<String>,
    resource: String,
}

/// Where a request of the plan enters, and on which port.
fn entry(plan: &Plan, target: &Target) -> (String, Option<String>, Option<u16>) {
    match &plan.entry {
        // A Service with several ports needs the request's.
        Entry::Mesh => (target.service.clone(), None, target.port),
        Entry::Gateway { host, tls_secret } => (
            host.clone(),
            Some(format!("{}/{}", target.namespace, plan.gateway_name())),
            tls_secret.as_ref().map(|_| 443),
        ),
    }
}

/// The cases of each rule: one per live version it sends traffic to.
fn cases(plan: &Plan, target: &Target, api: Api) -> Vec<Case> {
    let (host, gateway, port) = entry(plan, target);
    let mut out = Vec::new();
    for rule in &plan.rules {
        let path = rule
            .conditions
            .iter()
            .find_map(|c| match c {
                Condition::PathPrefix(p) => Some(p.clone()),
                Condition::Header { .. } => None,
            })
            .unwrap_or_else(|| "/".to_string());
        let headers: Vec<(String, String)> = rule
            .conditions
            .iter()
            .filter_map(|c| match c {
                Condition::Header { name, value } => Some((name.clone(), value.clone())),
                Condition::PathPrefix(_) => None,
            })
            .collect();
        for backend in rule.backends.iter().filter(|b| b.weight != Some(0)) {
            let destination = match (api, &backend.version) {
                (Api::Istio, version) => (target.host(), version.clone()),
                (Api::GatewayApi, Some(v)) => (
                    crate::model::host::service_fqdn(
                        &super::gateway_api::version_service(target, v),
                        &target.namespace,
                    ),
                    None,
                ),
                (Api::GatewayApi, None) => (target.host(), None),
            };
            out.push(Case {
                name: case_name(rule, backend.version.as_deref()),
                host: host.clone(),
                path: path.clone(),
                headers: headers.clone(),
                gateway: gateway.clone(),
                port,
                status: 200,
                destination: Some(destination),
                rule: (api == Api::Istio).then(|| rule.name.clone()),
                resource: plan.name.clone(),
            });
        }
    }
    if let (
        Api::GatewayApi,
        Entry::Gateway {
            tls_secret: Some(_),
            ..
        },
    ) = (api, &plan.entry)
    {
        out.push(Case {
            name: "plain HTTP is redirected to HTTPS".into(),
            host,
            path: "/".into(),
            headers: Vec::new(),
            gateway,
            port: Some(80),
            status: 301,
            destination: None,
            rule: None,
            resource: format!("{}-https-redirect", plan.name),
        });
    }
    out
}

fn case_name(rule: &Rule, version: Option<&str>) -> String {
    let mut what: Vec<String> = rule
        .conditions
        .iter()
        .map(|c| match c {
            Condition::PathPrefix(p) => format!("paths under {p}"),
            Condition::Header { name, value } => format!("header {name}: {value}"),
        })
        .collect();
    if what.is_empty() {
        what.push("every other request".into());
    }
    let to = version.map_or_else(|| "the service".to_string(), |v| v.to_string());
    format!("{}: {} -> {to}", rule.name, what.join(" and "))
}

/// The test file, naming `manifests` (paths relative to the file).
pub fn render(plan: &Plan, target: &Target, api: Api, manifests: &[String]) -> String {
    let mut t = String::from(
        "# Route tests written by `meshctl new`: run them with `meshctl test`.\nmanifests:\n",
    );
    for m in manifests {
        let _ = writeln!(t, "- {}", scalar(m));
    }
    t.push_str("tests:\n");
    for c in cases(plan, target, api) {
        let _ = writeln!(
            t,
            "- name: {}\n  request:\n    host: {}",
            scalar(&c.name),
            scalar(&c.host)
        );
        if c.path != "/" {
            let _ = writeln!(t, "    path: {}", scalar(&c.path));
        }
        if !c.headers.is_empty() {
            t.push_str("    headers:\n");
            for (k, v) in &c.headers {
                let _ = writeln!(t, "      {}: {}", scalar(k), scalar(v));
            }
        }
        match &c.gateway {
            Some(g) => {
                let _ = writeln!(t, "    gateway: {}", scalar(g));
            }
            None => {
                let _ = writeln!(t, "    sourceNamespace: {}", scalar(&target.namespace));
            }
        }
        if let Some(p) = c.port {
            let _ = writeln!(t, "    port: {p}");
        }
        let _ = writeln!(t, "  expect:\n    status: {}", c.status);
        if let Some((host, subset)) = &c.destination {
            let _ = writeln!(t, "    host: {}", scalar(host));
            if let Some(s) = subset {
                let _ = writeln!(t, "    subset: {}", scalar(s));
            }
        }
        if let Some(rule) = &c.rule {
            let _ = writeln!(t, "    rule: {}", scalar(rule));
        }
        let resource = format!("{}/{}", target.namespace, c.resource);
        let _ = writeln!(t, "    virtualService: {}", scalar(&resource));
    }
    t
}
