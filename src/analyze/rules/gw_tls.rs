//! Istio validation G6 and G7: which servers carry TLS, and server TLS settings.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::gateway::{Server, ServerTls};
use crate::model::protocol::Protocol;
use crate::model::{Gateway, Resource};

pub static TLS_PROTOCOL_MISMATCH: Rule = Rule {
    code: "MC1407",
    name: "server-tls-protocol-mismatch",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "An HTTPS/TLS server without `tls`, or a plain-text server with TLS settings.",
    docs: "## What it does\nHTTPS and TLS servers must have `tls`. Other servers must not, except that an HTTP server \
may carry `tls: {httpsRedirect: true}` without certificates.\n\n## Why is this bad?\nIstio rejects the Gateway.\n\n\
## Example\n```yaml\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [\"*.example.com\"]\n```\n\n\
## Use instead\n```yaml\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [\"*.example.com\"]\n  tls: {mode: SIMPLE, credentialName: example-cert}\n```\n",
};

pub static HTTPS_REDIRECT_ON_NON_HTTP: Rule = Rule {
    code: "MC1408",
    name: "https-redirect-on-non-http-server",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "`tls.httpsRedirect` on a server that is not HTTP.",
    docs: "## What it does\nWarns on `httpsRedirect: true` on a non-HTTP server.\n\n## Why is this bad?\nThe redirect is \
an HTTP response; other servers cannot send it. Istio warns.\n\n## Example\n```yaml\n- port: {number: 443, name: https, protocol: HTTPS}\n  tls: {httpsRedirect: true, mode: SIMPLE, credentialName: cert}\n```\n\n\
## Use instead\nPut `httpsRedirect: true` on the port-80 HTTP server.\n",
};

pub static INVALID_SERVER_TLS: Rule = Rule {
    code: "MC1409",
    name: "invalid-server-tls",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Server TLS Istio rejects: certificates with ISTIO_MUTUAL, several certificate sources, missing certificate, key or CA, or a misplaced CRL.",
    docs: "## What it does\nISTIO_MUTUAL takes no certificates or credentials. Only one certificate source: files, \
credentialName, credentialNames or tlsCertificates. SIMPLE, MUTUAL and OPTIONAL_MUTUAL without a credential need \
serverCertificate and privateKey; MUTUAL and OPTIONAL_MUTUAL need caCertificates. caCrl goes neither with \
credentialName nor with SIMPLE.\n\n## Why is this bad?\nIstio rejects the Gateway.\n\n\
## Example\n```yaml\ntls:\n  mode: SIMPLE\n  serverCertificate: /etc/certs/cert.pem\n```\n\n\
## Use instead\n```yaml\ntls:\n  mode: SIMPLE\n  credentialName: example-cert\n```\n",
};

pub static QUESTIONABLE_SERVER_TLS: Rule = Rule {
    code: "MC1410",
    name: "questionable-server-tls",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "Server TLS settings Istio ignores or warns about: certificates in passthrough, over two certificates, bad or repeated ciphers, TLS < 1.2 without ciphers.",
    docs: "## What it does\nWarns when PASSTHROUGH/AUTO_PASSTHROUGH servers carry certificates (ignored), more than 2 \
`tlsCertificates` are given, cipher suites are unknown or repeated, or minProtocolVersion is TLSV1_0/TLSV1_1 without \
`cipherSuites` (the defaults no longer include compatible ciphers).\n\n## Why is this bad?\nThe setting has no effect, \
or the handshake fails for old clients.\n\n## Example\n```yaml\ntls:\n  mode: PASSTHROUGH\n  credentialName: cert\n```\n\n\
## Use instead\n```yaml\ntls:\n  mode: PASSTHROUGH\n```\n",
};

pub static RULES: &[&Rule] = &[
    &TLS_PROTOCOL_MISMATCH,
    &HTTPS_REDIRECT_ON_NON_HTTP,
    &INVALID_SERVER_TLS,
    &QUESTIONABLE_SERVER_TLS,
];

/// Cipher suites Envoy's BoringSSL accepts (Istio's `security.IsValidCipherSuite`).
const CIPHERS: &[&str] = &[
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-PSK-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-PSK-AES128-CBC-SHA",
    "ECDHE-ECDSA-AES256-SHA",
    "ECDHE-RSA-AES256-SHA",
    "ECDHE-PSK-AES256-CBC-SHA",
    "AES128-GCM-SHA256",
    "AES256-GCM-SHA384",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
    "PSK-AES128-CBC-SHA",
    "PSK-AES256-CBC-SHA",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

pub fn check(res: &Resource<Gateway>, cx: &mut Checker) {
    for (i, server) in res.spec.servers.iter().enumerate() {
        let at = format!("/spec/servers/{i}");
        if let Some(tls) = &server.tls {
            check_tls(cx, &format!("{at}/tls"), tls);
        }
        check_protocol_fit(cx, &at, server);
    }
}

fn set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty())
}

/// The server TLS mode; unset is PASSTHROUGH, the enum's zero value.
fn mode(tls: &ServerTls) -> &str {
    tls.mode.as_deref().unwrap_or("PASSTHROUGH")
}

fn check_protocol_fit(cx: &mut Checker, at: &str, server: &Server) {
    let Some(port) = &server.port else { return };
    let protocol = Protocol::parse(&port.protocol);
    if protocol == Protocol::Unsupported {
        return;
    }
    if server.tls.as_ref().is_some_and(|t| t.https_redirect) && !protocol.is_http() {
        cx.report_key(
            &HTTPS_REDIRECT_ON_NON_HTTP,
            &format!("{at}/tls/httpsRedirect"),
            "httpsRedirect only works on HTTP servers",
        )
        .label("no effect here");
    }
    match &server.tls {
        None if protocol.is_tls() => {
            cx.report_key(
                &TLS_PROTOCOL_MISMATCH,
                &format!("{at}/port/protocol"),
                format!(
                    "a server with protocol {} must have `tls` settings",
                    port.protocol
                ),
            )
            .label("no tls")
            .help("add `tls: {mode: SIMPLE, credentialName: <secret>}`");
        }
        Some(tls) if !protocol.is_tls() => {
            let passthrough = matches!(mode(tls), "PASSTHROUGH" | "AUTO_PASSTHROUGH");
            let certs =
                set(&tls.ca_certificates) || set(&tls.private_key) || set(&tls.server_certificate);
            let message = if !protocol.is_http() {
                Some("a server that is not HTTPS or TLS cannot have TLS settings")
            } else if !passthrough || certs {
                Some("a plain-text HTTP server can carry TLS settings only for `httpsRedirect`")
            } else {
                None
            };
            if let Some(message) = message {
                cx.report_key(&TLS_PROTOCOL_MISMATCH, &format!("{at}/tls"), message)
                    .label(format!("{} server", port.protocol))
                    .help("use protocol HTTPS for TLS termination, or keep only `httpsRedirect: true`");
            }
        }
        _ => {}
    }
}

fn check_tls(cx: &mut Checker, at: &str, tls: &ServerTls) {
    if matches!(
        tls.min_protocol_version.as_deref(),
        Some("TLSV1_0" | "TLSV1_1")
    ) && tls.cipher_suites.is_empty()
    {
        cx.report(&QUESTIONABLE_SERVER_TLS, &format!("{at}/minProtocolVersion"), "TLS versions below 1.2 need compatible `cipherSuites`: the defaults no longer include them")
            .label("no compatible ciphers");
    }
    for (i, cipher) in tls.cipher_suites.iter().enumerate() {
        let p = format!("{at}/cipherSuites/{i}");
        if !CIPHERS.contains(&cipher.as_str()) {
            cx.report(
                &QUESTIONABLE_SERVER_TLS,
                &p,
                format!("cipher suite `{cipher}` is not valid and will be ignored"),
            )
            .label("unknown cipher");
        } else if tls.cipher_suites[..i].contains(cipher) {
            cx.report(
                &QUESTIONABLE_SERVER_TLS,
                &p,
                format!("cipher suite `{cipher}` is repeated and will be ignored"),
            )
            .label("duplicate cipher");
        }
    }
    let mode = mode(tls);
    let credential = set(&tls.credential_name) || !tls.credential_names.is_empty();
    if mode == "ISTIO_MUTUAL" {
        let fields = [
            ("serverCertificate", set(&tls.server_certificate)),
            ("privateKey", set(&tls.private_key)),
            ("caCertificates", set(&tls.ca_certificates)),
            ("tlsCertificates", !tls.tls_certificates.is_empty()),
            ("credentialName", set(&tls.credential_name)),
            ("credentialNames", !tls.credential_names.is_empty()),
        ];
        for (field, present) in fields {
            if present {
                cx.report_key(
                    &INVALID_SERVER_TLS,
                    &format!("{at}/{field}"),
                    format!(
                        "ISTIO_MUTUAL TLS cannot have `{field}`: it uses the mesh certificates"
                    ),
                )
                .label("not used with ISTIO_MUTUAL");
            }
        }
        return;
    }
    if matches!(mode, "PASSTHROUGH" | "AUTO_PASSTHROUGH")
        && (set(&tls.ca_crl)
            || set(&tls.server_certificate)
            || set(&tls.private_key)
            || set(&tls.ca_certificates)
            || !tls.tls_certificates.is_empty()
            || credential)
    {
        cx.report(
            &QUESTIONABLE_SERVER_TLS,
            &format!("{at}/mode"),
            format!("{mode} mode does not use certificates; they will be ignored"),
        )
        .label("certificates ignored")
        .help("set `mode: SIMPLE` to terminate TLS here");
    }
    let sources = [
        set(&tls.server_certificate) && set(&tls.private_key),
        set(&tls.credential_name),
        !tls.credential_names.is_empty(),
        !tls.tls_certificates.is_empty(),
    ];
    if sources.iter().filter(|s| **s).count() > 1 {
        cx.report_key(&INVALID_SERVER_TLS, at, "only one of credentialName, credentialNames, serverCertificate/privateKey and tlsCertificates may be set")
            .label("several certificate sources");
    }
    let terminating = matches!(mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL");
    if terminating && !credential {
        let mutual = mode != "SIMPLE";
        let prefix = if mutual { "MUTUAL TLS" } else { "SIMPLE TLS" };
        if mutual && !set(&tls.ca_certificates) {
            cx.report_key(
                &INVALID_SERVER_TLS,
                &format!("{at}/mode"),
                format!("{prefix} requires a client CA bundle (`caCertificates`)"),
            )
            .label("no caCertificates");
        }
        if tls.tls_certificates.len() > 2 {
            cx.report_key(
                &QUESTIONABLE_SERVER_TLS,
                &format!("{at}/tlsCertificates"),
                format!("{prefix} supports at most 2 server certificates"),
            )
            .label("too many certificates");
        }
        let pairs: Vec<(bool, bool)> = if tls.tls_certificates.is_empty() {
            vec![(set(&tls.server_certificate), set(&tls.private_key))]
        } else {
            tls.tls_certificates
                .iter()
                .map(|c| (set(&c.server_certificate), set(&c.private_key)))
                .collect()
        };
        for (cert, key) in pairs {
            for (present, what) in [(cert, "a server certificate"), (key, "a private key")] {
                if !present {
                    cx.report_key(
                        &INVALID_SERVER_TLS,
                        &format!("{at}/mode"),
                        format!("{prefix} requires {what} (or `credentialName`)"),
                    )
                    .label(format!("no {}", &what[2..]));
                }
            }
        }
    }
    if set(&tls.ca_crl) {
        if set(&tls.credential_name) {
            cx.report_key(
                &INVALID_SERVER_TLS,
                &format!("{at}/caCrl"),
                "a CRL cannot be combined with credentialName: put it in the credential",
            )
            .label("not with credentialName");
        }
        if mode == "SIMPLE" {
            cx.report_key(
                &INVALID_SERVER_TLS,
                &format!("{at}/caCrl"),
                "a CRL is not supported with SIMPLE TLS",
            )
            .label("not with SIMPLE");
        }
    }
}
