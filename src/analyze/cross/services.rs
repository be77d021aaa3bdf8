//! Kubernetes Service ports as Istio reads them: a port whose protocol
//! cannot be told from its name or appProtocol is sniffed (IST0118), and an
//! ExternalName Service needs a protocol-bearing name (IST0150).

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::model::SmallMap;
use crate::model::protocol::Protocol;

pub static PORT_NAME_CONVENTION: Rule = Rule {
    code: "MC2401",
    name: "port-name-convention",
    severity: Severity::Info,
    istio_code: Some("IST0118"),
    summary: "A Service port whose protocol Istio cannot tell from its name (`<protocol>[-<suffix>]`) or appProtocol.",
    docs: "## What it does\nDerives each port's protocol the way Istio does: `protocol: UDP`, else `appProtocol`, else the \
port name up to the first `-` (`http`, `http2`, `https`, `grpc`, `grpc-web`, `tcp`, `tls`, `mongo`, `mysql`, `redis`); \
ports 25, 53, 3306 and 27017 are TCP when nothing else says. The Istio control plane (a label `istio`, or `release: istio`) \
and Services of Istio's gateway controllers (`gateway.istio.io/managed`) are skipped.\n\n\
## Why is this bad?\nIstio falls back to protocol sniffing: HTTP routing rules may not apply and server-first \
protocols can stall.\n\n\
## Example\n```yaml\nports:\n- name: web\n  port: 80\n```\n\n## Use instead\n```yaml\nports:\n- name: http-web\n  port: 80\n```\n",
};

pub static EXTERNAL_NAME_PORT: Rule = Rule {
    code: "MC2402",
    name: "external-name-port-name",
    severity: Severity::Warning,
    istio_code: Some("IST0150"),
    summary: "An ExternalName Service with a port named `tcp` or with no recognisable protocol.",
    docs: "## What it does\nChecks the ports of `type: ExternalName` Services.\n\n\
## Why is this bad?\nIstio turns an ExternalName Service into a DNS-resolved service; with a `tcp` or unknown \
port name its traffic is handled as opaque TCP on the port and can clash with other services on that port.\n\n\
## Example\n```yaml\ntype: ExternalName\nexternalName: api.example.com\nports: [{name: tcp, port: 443}]\n```\n\n\
## Use instead\n```yaml\nports: [{name: https, port: 443}]\n```\n",
};

pub static RULES: &[&Rule] = &[&PORT_NAME_CONVENTION, &EXTERNAL_NAME_PORT];

/// `util.IsIstioControlPlane`: any label key `istio`, or `release: istio`.
fn is_istio_control_plane(labels: &SmallMap) -> bool {
    labels.contains_key("istio") || labels.get("release").is_some_and(|r| r == "istio")
}

/// Services Istio's gateway controllers create (`gateway.istio.io/managed`),
/// which the port-name analyzer leaves alone.
fn is_gateway_managed(labels: &SmallMap) -> bool {
    labels.get("gateway.istio.io/managed").is_some_and(|v| {
        matches!(
            v.as_str(),
            "istio.io-gateway-controller"
                | "istio.io-mesh-controller"
                | "istio.io-eastwest-controller"
        )
    })
}

pub fn check(index: &mut Index, out: &mut Reporter) {
    for svc in &index.config.services {
        // service/portname.go: the control plane and gateway-managed
        // Services are skipped.
        if is_istio_control_plane(&svc.meta.labels) || is_gateway_managed(&svc.meta.labels) {
            continue;
        }
        let external = svc.spec.service_type.as_deref() == Some("ExternalName");
        for (i, port) in svc.spec.ports.iter().enumerate() {
            let name = port.name.as_deref().unwrap_or("");
            let unsupported = port.istio_protocol() == Protocol::Unsupported;
            if external && (unsupported || name == "tcp") {
                out.report(
                    &EXTERNAL_NAME_PORT,
                    svc,
                    &format!("/spec/ports/{i}"),
                    format!("ExternalName Service port {} is named `{name}`", port.port),
                )
                .label("no protocol")
                .help("name the port after its protocol, for example `https` or `http`");
            } else if unsupported {
                out.report(
                    &PORT_NAME_CONVENTION,
                    svc,
                    &format!("/spec/ports/{i}"),
                    format!(
                        "port {} ({}) does not say its protocol: Istio will sniff it",
                        port.port,
                        if name.is_empty() {
                            "unnamed".to_string()
                        } else {
                            format!("named `{name}`")
                        }
                    ),
                )
                .label("unknown protocol")
                .help(
                    "name it `<protocol>[-<suffix>]` (for example `http-web`) or set `appProtocol`",
                );
            }
        }
    }
}
