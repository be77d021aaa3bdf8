//! Istio validation G1–G5 and G8: Gateway name, servers, hosts, ports and binds.

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::model::gateway::Server;
use crate::model::host::{is_dns1123_label, is_ip, is_partial_wildcard, validate_wildcard_domain};
use crate::model::protocol::Protocol;
use crate::model::{Gateway, Resource};

pub static INVALID_GATEWAY_NAME: Rule = Rule {
    code: "MC1401",
    name: "invalid-gateway-resource-name",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A Gateway whose metadata.name is not a DNS label (for example, it has dots).",
    docs: "## What it does\nChecks that a Gateway's `metadata.name` is a DNS-1123 label: no dots.\n\n\
## Why is this bad?\nVirtualServices name gateways as `namespace/name`; Istio rejects dotted Gateway names.\n\n\
## Example\n```yaml\nmetadata:\n  name: public.gateway\n```\n\n## Use instead\n```yaml\nmetadata:\n  name: public-gateway\n```\n",
};

pub static NO_SERVERS: Rule = Rule {
    code: "MC1402",
    name: "gateway-without-servers",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A Gateway without servers.",
    docs: "## What it does\nRequires at least one entry in `servers`.\n\n## Why is this bad?\nIstio rejects the Gateway: \
it would open no port.\n\n## Example\n```yaml\nspec:\n  selector: {istio: ingressgateway}\n```\n\n\
## Use instead\n```yaml\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"*.example.com\"]\n```\n",
};

pub static INVALID_SERVER_HOST: Rule = Rule {
    code: "MC1403",
    name: "invalid-server-host",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A server without hosts, or a host that is a short name, a partial wildcard, or has a bad namespace part.",
    docs: "## What it does\nEach server has hosts of the form `[namespace/]dnsName`: the namespace is `*`, `.` or a DNS \
label; the name is `*`, a name with a dot (short names are not allowed), a `*.`-wildcard, or an IP.\n\n\
## Why is this bad?\nIstio rejects the Gateway.\n\n## Example\n```yaml\nhosts: [reviews, \"api.*.com\"]\n```\n\n\
## Use instead\n```yaml\nhosts: [reviews.example.com, \"*.example.com\"]\n```\n",
};

pub static INVALID_SERVER_PORT: Rule = Rule {
    code: "MC1404",
    name: "invalid-server-port",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A server port that is missing, unnamed, has an unknown protocol or number, or sets targetPort.",
    docs: "## What it does\nEach server has a `port` with a `name`, a known `protocol` (HTTP, HTTPS, HTTP2, GRPC, \
GRPC-WEB, TCP, TLS, MONGO, REDIS, MYSQL) and a `number` 1..65535 (0 only with a unix-socket bind); `targetPort` has no \
effect on Gateways and is rejected.\n\n## Why is this bad?\nIstio rejects the Gateway.\n\n\
## Example\n```yaml\nport: {number: 80, protocol: HTTPX}\n```\n\n## Use instead\n```yaml\nport: {number: 80, name: http, protocol: HTTP}\n```\n",
};

pub static INVALID_SERVER_BIND: Rule = Rule {
    code: "MC1405",
    name: "invalid-server-bind",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A server `bind` that is neither an IP address nor a unix socket (with port 0).",
    docs: "## What it does\n`bind` is an IP address, or `unix://` followed by an absolute path or `@abstract` name, in \
which case the port number must be 0.\n\n## Why is this bad?\nIstio rejects the Gateway.\n\n\
## Example\n```yaml\nbind: localhost\n```\n\n## Use instead\n```yaml\nbind: 127.0.0.1\n```\n",
};

pub static DUPLICATE_PORT_NAME: Rule = Rule {
    code: "MC1406",
    name: "duplicate-server-port-name",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Two servers of one Gateway use the same port name.",
    docs: "## What it does\nPort names must be unique across a Gateway's servers.\n\n## Why is this bad?\nIstio \
rejects the Gateway.\n\n## Example\n```yaml\nservers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [a.example.com]\n- port: {number: 8080, name: http, protocol: HTTP}\n  hosts: [b.example.com]\n```\n\n\
## Use instead\nName the second port `http-8080`.\n",
};

pub static RULES: &[&Rule] = &[
    &INVALID_GATEWAY_NAME,
    &NO_SERVERS,
    &INVALID_SERVER_HOST,
    &INVALID_SERVER_PORT,
    &INVALID_SERVER_BIND,
    &DUPLICATE_PORT_NAME,
];

const UNIX_PREFIX: &str = "unix://";

pub fn check(res: &Resource<Gateway>, cx: &mut Checker) {
    if !is_dns1123_label(&res.meta.name) {
        cx.report(
            &INVALID_GATEWAY_NAME,
            "/metadata/name",
            format!("Gateway name `{}` is not a DNS-1123 label", res.meta.name),
        )
        .label("invalid name")
        .help("use letters, digits and '-' only (no dots)");
    }
    if res.spec.servers.is_empty() {
        cx.report_key(
            &NO_SERVERS,
            "/spec",
            "a Gateway must have at least one server",
        )
        .label("no servers");
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, server) in res.spec.servers.iter().enumerate() {
        let at = format!("/spec/servers/{i}");
        check_hosts(cx, &at, server);
        check_port(cx, &at, server);
        check_bind(cx, &at, server);
        if let Some(port) = &server.port {
            if names.contains(&port.name.as_str()) {
                cx.report(
                    &DUPLICATE_PORT_NAME,
                    &format!("{at}/port/name"),
                    format!("port name `{}` is used by an earlier server", port.name),
                )
                .label("duplicate port name");
            }
            names.push(&port.name);
        }
    }
}

fn check_hosts(cx: &mut Checker, at: &str, server: &Server) {
    if server.hosts.is_empty() {
        cx.report_key(
            &INVALID_SERVER_HOST,
            at,
            "a server must have at least one host",
        )
        .label("no hosts")
        .help("add `hosts: [\"*\"]` to accept every host");
    }
    for (j, host) in server.hosts.iter().enumerate() {
        if let Some(reason) = host_error(host) {
            cx.report(&INVALID_SERVER_HOST, &format!("{at}/hosts/{j}"), reason)
                .label("invalid host");
        }
    }
}

/// Istio's `ValidateNamespaceSlashWildcardHostname` for gateways.
fn host_error(host: &str) -> Option<String> {
    let name = match host.split_once('/') {
        Some((ns, name)) => {
            if ns.is_empty() || name.is_empty() {
                return Some("namespace and dnsName in a host entry cannot be empty".into());
            }
            if ns != "*" && ns != "." && !is_dns1123_label(ns) {
                return Some(format!("invalid namespace `{ns}` in host `{host}`"));
            }
            name
        }
        None => host,
    };
    if name != "*" && !name.contains('.') {
        return Some(format!(
            "short name `{name}` is not allowed: use a fully qualified name"
        ));
    }
    if let Err(reason) = validate_wildcard_domain(name)
        && !is_ip(name)
    {
        return Some(reason);
    }
    if is_partial_wildcard(name) {
        return Some(format!("partial wildcard `{name}` is not allowed"));
    }
    None
}

fn check_port(cx: &mut Checker, at: &str, server: &Server) {
    let Some(port) = &server.port else {
        cx.report_key(&INVALID_SERVER_PORT, at, "a server needs a `port`")
            .label("no port");
        return;
    };
    let pat = format!("{at}/port");
    if Protocol::parse(&port.protocol) == Protocol::Unsupported {
        cx.report(
            &INVALID_SERVER_PORT,
            &format!("{pat}/protocol"),
            format!("protocol `{}` is not supported", port.protocol),
        )
        .label("unknown protocol")
        .help("use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS or MYSQL");
    }
    let unix = server
        .bind
        .as_deref()
        .is_some_and(|b| b.starts_with(UNIX_PREFIX));
    let unix_socket = port.number == 0 && unix;
    if !(1..=65535).contains(&port.number) && !unix_socket {
        cx.report(
            &INVALID_SERVER_PORT,
            &format!("{pat}/number"),
            format!("port number {} is not within 1..65535", port.number),
        )
        .label("invalid port");
    }
    if port.target_port.is_some_and(|t| t > 0) {
        cx.report_key(
            &INVALID_SERVER_PORT,
            &format!("{pat}/targetPort"),
            "targetPort has no effect on Gateways",
        )
        .label("not allowed");
    }
    if port.name.is_empty() {
        cx.report_key(&INVALID_SERVER_PORT, &pat, "a server port needs a `name`")
            .label("no name");
    }
}

fn check_bind(cx: &mut Checker, at: &str, server: &Server) {
    let Some(bind) = server.bind.as_deref().filter(|b| !b.is_empty()) else {
        return;
    };
    let p = format!("{at}/bind");
    if let Some(path) = bind.strip_prefix(UNIX_PREFIX) {
        let valid = path.starts_with('@') && path.len() > 1
            || path.starts_with('/') && !path.ends_with('/');
        if !valid {
            cx.report(
                &INVALID_SERVER_BIND,
                &p,
                format!("`{path}` is not an absolute socket path or @abstract name"),
            )
            .label("invalid unix socket");
        }
        if server.port.as_ref().is_some_and(|port| port.number != 0) {
            cx.report(
                &INVALID_SERVER_BIND,
                &p,
                "the port number must be 0 for a unix domain socket",
            )
            .label("unix socket with a port");
        }
    } else if !is_ip(bind) {
        cx.report(
            &INVALID_SERVER_BIND,
            &p,
            format!("bind `{bind}` is not an IP address"),
        )
        .label("invalid bind");
    }
}
