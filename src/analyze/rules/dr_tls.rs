//! Istio validation D9: client TLS settings of a DestinationRule.

use crate::analyze::Checker;
use crate::analyze::rules::dr_policy_blocks::policy_blocks;
use crate::diagnostic::{Rule, Severity};
use crate::model::destination_rule::ClientTls;
use crate::model::{DestinationRule, Resource};

pub static INVALID_CLIENT_TLS: Rule = Rule {
    code: "MC1211",
    name: "invalid-client-tls",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Client TLS settings Istio rejects: verification material with insecureSkipVerify, files with credentialName, or MUTUAL without a client certificate.",
    docs: "## What it does\nWith `insecureSkipVerify: true`, SIMPLE may not set caCertificates, credentialName or \
subjectAltNames, and MUTUAL may not set caCertificates or subjectAltNames. With `credentialName`, SIMPLE and MUTUAL may \
not also set certificate files or a CRL. MUTUAL without credentialName needs `clientCertificate` and `privateKey`.\n\n\
## Why is this bad?\nIstio rejects the DestinationRule.\n\n## Example\n```yaml\ntls:\n  mode: MUTUAL\n  caCertificates: /etc/certs/ca.pem\n```\n\n\
## Use instead\n```yaml\ntls:\n  mode: MUTUAL\n  credentialName: client-credential\n```\n",
};

pub static RULES: &[&Rule] = &[&INVALID_CLIENT_TLS];

pub fn check(res: &Resource<DestinationRule>, cx: &mut Checker) {
    for block in policy_blocks(&res.spec) {
        if let Some(tls) = block.tls {
            check_tls(cx, &format!("{}/tls", block.pointer), tls, &res.namespace);
        }
    }
}

fn set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty())
}

/// Istio's `ValidateTLS`: a `configmap://NAMESPACE/NAME` credential names
/// both, in the DestinationRule's own namespace.
fn configmap_problem(credential: &str, namespace: &str) -> Option<String> {
    let rest = credential.strip_prefix("configmap://")?;
    let (ns, name) = rest.split_once('/').unwrap_or((rest, ""));
    let name = name.split('/').next().unwrap_or("");
    if ns.is_empty() || name.is_empty() {
        return Some(format!(
            "`{credential}` must name a namespace and a config map: configmap://{namespace}/NAME"
        ));
    }
    (ns != namespace).then(|| {
        format!("`{credential}` reads a config map of namespace `{ns}`: only the DestinationRule's own namespace `{namespace}` is allowed")
    })
}

fn check_tls(cx: &mut Checker, at: &str, tls: &ClientTls, namespace: &str) {
    if let Some(problem) = tls
        .credential_name
        .as_deref()
        .and_then(|c| configmap_problem(c, namespace))
    {
        cx.report(
            &INVALID_CLIENT_TLS,
            &format!("{at}/credentialName"),
            problem,
        )
        .label("invalid configmap:// credential");
    }
    let mode = tls.mode.as_deref().unwrap_or("DISABLE");
    if tls.insecure_skip_verify == Some(true) {
        let conflict = match mode {
            "SIMPLE" => {
                set(&tls.ca_certificates)
                    || set(&tls.credential_name)
                    || !tls.subject_alt_names.is_empty()
            }
            "MUTUAL" => set(&tls.ca_certificates) || !tls.subject_alt_names.is_empty(),
            _ => false,
        };
        if conflict {
            cx.report_key(&INVALID_CLIENT_TLS, &format!("{at}/insecureSkipVerify"), "insecureSkipVerify cannot be combined with caCertificates, subjectAltNames (or, for SIMPLE, credentialName)")
                .label("skips the verification configured here")
                .help("remove the verification settings, or `insecureSkipVerify`");
        }
    }
    if matches!(mode, "SIMPLE" | "MUTUAL") && set(&tls.credential_name) {
        if set(&tls.client_certificate)
            || set(&tls.ca_certificates)
            || set(&tls.private_key)
            || set(&tls.ca_crl)
        {
            cx.report_key(
                &INVALID_CLIENT_TLS,
                &format!("{at}/credentialName"),
                "with credentialName, certificate files, CA certificates and CRL cannot be set",
            )
            .label("credentials come from here")
            .help("put the certificates in the credential, or drop credentialName");
        }
        return;
    }
    if mode == "MUTUAL" {
        for (field, value) in [
            ("clientCertificate", &tls.client_certificate),
            ("privateKey", &tls.private_key),
        ] {
            if !set(value) {
                cx.report_key(
                    &INVALID_CLIENT_TLS,
                    &format!("{at}/mode"),
                    format!("MUTUAL TLS needs `{field}` (or `credentialName`)"),
                )
                .label(format!("no {field}"));
            }
        }
    }
}
