//! Gateways against the workloads and Services of the input: the selector
//! must pick gateway pods (IST0101) and their Services must expose every
//! server port (IST0162). Both run only when the input has Deployments or
//! Pods; without them nothing can be said.

use std::collections::BTreeSet;

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};

pub static SELECTS_NO_WORKLOAD: Rule = Rule {
    code: "MC2201",
    name: "gateway-selects-no-workload",
    severity: Severity::Error,
    istio_code: Some("IST0101"),
    summary: "A Gateway whose selector matches no Deployment or Pod of the input (checked only when the input has workloads).",
    docs: "## What it does\nMatches the Gateway's `selector` against the pod labels of every Deployment and Pod in the \
input (in any namespace). Checked only when some workload of the input carries the selector's label keys (an \
application's manifests rarely include the ingress gateway deployment).\n\n\
## Why is this bad?\nNo gateway proxy loads these servers: the ports are never opened.\n\n\
## Example\n```yaml\nselector: {istio: ingresgateway}\n```\n\n## Use instead\n```yaml\nselector: {istio: ingressgateway}\n```\n",
};

pub static PORT_NOT_ON_SERVICE: Rule = Rule {
    code: "MC2202",
    name: "gateway-port-not-on-service",
    severity: Severity::Warning,
    istio_code: Some("IST0162"),
    summary: "A Gateway server port that no TCP Service selecting the gateway pods exposes (as port or targetPort).",
    docs: "## What it does\nFinds the gateway pods (by the Gateway's selector), then the Services that select those pods, \
and checks that each server port is among their TCP ports or target ports.\n\n\
## Why is this bad?\nThe gateway listens on the port, but nothing outside the pod can reach it.\n\n\
## Example\n```yaml\nservers:\n- port: {number: 8080, name: http, protocol: HTTP}   # the ingress Service exposes 80 and 443\n```\n\n\
## Use instead\nUse a port the gateway Service exposes, or add it to the Service.\n",
};

pub static RULES: &[&Rule] = &[&SELECTS_NO_WORKLOAD, &PORT_NOT_ON_SERVICE];

pub fn check(index: &mut Index, out: &mut Reporter) {
    if !index.has_workloads() {
        if !index.config.gateways.is_empty() {
            index.note_unchecked(
                "gateway selectors and ports: the input has no Deployments or Pods",
            );
        }
        return;
    }
    for gw in &index.config.gateways {
        let pods = index.gateway_pods(gw);
        let describes_gateways = index.config.workloads.iter().any(|w| {
            gw.spec
                .selector
                .keys()
                .any(|k| w.spec.labels.contains_key(k))
        });
        if !describes_gateways {
            index.note_unchecked(&format!(
                "selector of gateway {}/{}: no workload of the input has its label keys",
                gw.namespace,
                gw.name()
            ));
            continue;
        }
        if pods.is_empty() {
            let text: Vec<String> = gw
                .spec
                .selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.report(
                &SELECTS_NO_WORKLOAD,
                gw,
                "/spec/selector",
                format!(
                    "selector {} matches no Deployment or Pod of the input",
                    text.join(",")
                ),
            )
            .label("no gateway pods")
            .help("use the labels of the gateway deployment (for example istio: ingressgateway)");
            continue;
        }
        let mut ports = BTreeSet::new();
        for pod in &pods {
            for svc in index.config.services.iter().filter(|s| {
                s.namespace == pod.namespace
                    && !s.spec.selector.is_empty()
                    && s.spec
                        .selector
                        .iter()
                        .all(|(k, v)| pod.spec.labels.get(k) == Some(v))
            }) {
                for p in &svc.spec.ports {
                    if p.protocol
                        .as_deref()
                        .is_none_or(|proto| proto.eq_ignore_ascii_case("TCP"))
                    {
                        ports.insert(p.port);
                        if let Some(target) = p.target_port.as_ref().and_then(|t| t.as_u64()) {
                            ports.insert(target);
                        }
                    }
                }
            }
        }
        for (i, server) in gw.spec.servers.iter().enumerate() {
            let Some(port) = &server.port else { continue };
            if !ports.contains(&port.number) {
                out.report(
                    &PORT_NOT_ON_SERVICE,
                    gw,
                    &format!("/spec/servers/{i}/port/number"),
                    format!(
                        "port {} is not exposed by any Service selecting the gateway pods",
                        port.number
                    ),
                )
                .label("unreachable port")
                .help("use a port of the gateway's Service, or add this port to it");
            }
        }
    }
}
