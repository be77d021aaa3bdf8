//! The Gateway CRD's CEL rules (`gateway.networking.k8s.io_gateways.yaml`):
//! what each listener protocol allows, unique listeners, and addresses.

use std::collections::HashSet;
use std::net::IpAddr;

use serde_json::Value;

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::Resource;
use crate::model::gateway_api::KubeGateway;

pub static LISTENERS: Rule = Rule {
    code: "MC1607",
    name: "gateway-listeners",
    severity: Severity::Error,
    istio_code: None,
    summary: "Gateway listeners the CRD refuses: a repeated name or port/protocol/hostname, a hostname on TCP or UDP, tls on HTTP, TCP or UDP, HTTPS with a mode other than Terminate, TLS without a mode, Terminate without certificates.",
    docs: "## What it does\nApplies the Gateway CRD's listener rules: names are unique, and so is each port, protocol and \
hostname combination; `hostname` is not set for TCP and UDP; `tls` is not set for HTTP, TCP and UDP; HTTPS terminates \
TLS; a TLS listener sets `tls.mode`; `mode: Terminate` comes with `certificateRefs` or `options`.\n\n\
## Why is this bad?\nThe API server rejects the Gateway.\n\n\
## Example\n```yaml\nlisteners:\n- {name: db, protocol: TCP, port: 5432, hostname: db.example.com}\n```\n\n\
## Use instead\n```yaml\nlisteners:\n- {name: db, protocol: TCP, port: 5432}\n```\n",
};

pub static ADDRESSES: Rule = Rule {
    code: "MC1608",
    name: "gateway-addresses",
    severity: Severity::Error,
    istio_code: None,
    summary: "A Gateway address that is not a valid IP address or hostname for its type, or is repeated.",
    docs: "## What it does\nAn `IPAddress` address (the default type) must be an IPv4 or IPv6 address, a `Hostname` address a \
DNS name (optionally `*.`-prefixed, no port); neither may repeat.\n\n\
## Why is this bad?\nThe API server rejects the Gateway.\n\n\
## Example\n```yaml\naddresses: [{type: Hostname, value: \"foo.com:80\"}]\n```\n\n## Use instead\n```yaml\naddresses: [{type: Hostname, value: foo.com}]\n```\n",
};

pub static RULES: &[&Rule] = &[&LISTENERS, &ADDRESSES];

pub fn check(res: &Resource<KubeGateway>, cx: &mut Checker) {
    let mut names = HashSet::new();
    let mut combos = HashSet::new();
    for (i, l) in res.spec.listeners.iter().enumerate() {
        let at = format!("/spec/listeners/{i}");
        let mut report = |pointer: String, message: String| {
            cx.report(&LISTENERS, &pointer, message)
                .label("refused by the CRD");
        };
        if !names.insert(l.name.as_str()) {
            report(
                format!("{at}/name"),
                format!("listener name `{}` is used twice", l.name),
            );
        }
        let hostname = l.hostname.as_deref().filter(|h| !h.is_empty());
        if !combos.insert((l.port, l.protocol.as_str(), hostname)) {
            report(
                at.clone(),
                "another listener has the same port, protocol and hostname".into(),
            );
        }
        let proto = l.protocol.as_str();
        if matches!(proto, "TCP" | "UDP") && hostname.is_some() {
            report(
                format!("{at}/hostname"),
                format!("a {proto} listener cannot have a hostname"),
            );
        }
        let mode = l
            .tls
            .as_ref()
            .map(|t| t.get("mode").and_then(Value::as_str).unwrap_or("Terminate"));
        if matches!(proto, "HTTP" | "TCP" | "UDP") && l.tls.is_some() {
            report(
                format!("{at}/tls"),
                format!("a {proto} listener cannot have tls"),
            );
        }
        if proto == "HTTPS" && mode.is_some_and(|m| !m.is_empty() && m != "Terminate") {
            report(
                format!("{at}/tls/mode"),
                "an HTTPS listener must terminate TLS (mode Terminate)".into(),
            );
        }
        if proto == "TLS"
            && l.tls
                .as_ref()
                .and_then(|t| t.get("mode"))
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            report(
                at.clone(),
                "a TLS listener needs tls.mode (Terminate or Passthrough)".into(),
            );
        }
        if let Some(tls) = &l.tls
            && mode == Some("Terminate")
            && !matches!(proto, "HTTP" | "TCP" | "UDP")
        {
            let refs = tls
                .get("certificateRefs")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            let options = tls
                .get("options")
                .and_then(Value::as_object)
                .is_some_and(|o| !o.is_empty());
            if !refs && !options {
                report(
                    format!("{at}/tls"),
                    "mode Terminate needs certificateRefs or options".into(),
                );
            }
        }
    }
    let mut seen = HashSet::new();
    for (i, a) in res.spec.addresses.iter().enumerate() {
        let kind = a.address_type.as_deref().unwrap_or("IPAddress");
        let Some(value) = a.value.as_deref() else {
            continue;
        };
        let at = format!("/spec/addresses/{i}/value");
        let problem = match kind {
            "IPAddress" if value.parse::<IpAddr>().is_err() => {
                Some(format!("`{value}` is not an IP address"))
            }
            "Hostname" if !valid_hostname(value) => Some(format!(
                "`{value}` is not a hostname (lower-case DNS name, optionally `*.`-prefixed, no port)"
            )),
            _ => None,
        };
        let problem = problem.or_else(|| {
            (matches!(kind, "IPAddress" | "Hostname") && !seen.insert((kind, value)))
                .then(|| format!("{kind} `{value}` is listed twice"))
        });
        if let Some(problem) = problem {
            cx.report(&ADDRESSES, &at, problem)
                .label("refused by the CRD");
        }
    }
}

fn valid_hostname(value: &str) -> bool {
    let name = value.strip_prefix("*.").unwrap_or(value);
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}
