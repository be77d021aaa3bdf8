//! Istio validation S1–S9: ServiceEntry hosts, addresses, ports, endpoints
//! and resolution (`ValidateServiceEntry`).

use std::collections::BTreeSet;

use crate::analyze::Checker;
use crate::diagnostic::{Rule, Severity};
use crate::load::spans::escape;
use crate::model::host::{
    is_dns1123_label, is_ip, is_ip_or_cidr, is_partial_wildcard, validate_fqdn,
    validate_wildcard_domain,
};
use crate::model::labels::first_label_error;
use crate::model::protocol::Protocol;
use crate::model::{Resource, ServiceEntry};

pub static INVALID_HOST: Rule = Rule {
    code: "MC1501",
    name: "invalid-service-entry-host",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A ServiceEntry without hosts, with `*`, or with a host that is not a valid (wildcard) domain.",
    docs: "## What it does\nA ServiceEntry has at least one host; none is `*`; each is a DNS name or a `*.`-wildcard.\n\n\
## Why is this bad?\nIstio rejects the ServiceEntry.\n\n## Example\n```yaml\nhosts: [\"*\"]\n```\n\n## Use instead\n```yaml\nhosts: [\"*.googleapis.com\"]\n```\n",
};

pub static PARTIAL_WILDCARD_HOST: Rule = Rule {
    code: "MC1502",
    name: "partial-wildcard-service-entry-host",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "A ServiceEntry host with a partial wildcard such as `*api.example.com`.",
    docs: "## What it does\nWarns on a `*` that is not a whole leading label.\n\n## Why is this bad?\nPartial wildcards \
are not supported consistently; Istio warns.\n\n## Example\n```yaml\nhosts: [\"*api.example.com\"]\n```\n\n\
## Use instead\n```yaml\nhosts: [\"*.api.example.com\"]\n```\n",
};

pub static INVALID_ADDRESS: Rule = Rule {
    code: "MC1503",
    name: "invalid-service-entry-address",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "A ServiceEntry address that is not an IP or CIDR block, or a CIDR with DNS resolution.",
    docs: "## What it does\nEach of `addresses` is an IP address or CIDR block; CIDR blocks are allowed only with \
resolution NONE or STATIC.\n\n## Why is this bad?\nIstio rejects the ServiceEntry.\n\n\
## Example\n```yaml\naddresses: [10.0.0.0/24]\nresolution: DNS\n```\n\n## Use instead\n```yaml\naddresses: [10.0.0.0/24]\nresolution: NONE\n```\n",
};

pub static INVALID_PORT: Rule = Rule {
    code: "MC1504",
    name: "invalid-service-entry-port",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "ServiceEntry ports with a repeated name or number, a name that is not a DNS label, or an unknown protocol.",
    docs: "## What it does\nPort names and numbers are unique; names are DNS-1123 labels; protocols are known (empty \
means sniffing).\n\n## Why is this bad?\nIstio rejects the ServiceEntry.\n\n\
## Example\n```yaml\nports:\n- {number: 443, name: https, protocol: TLS}\n- {number: 8443, name: https, protocol: TLS}\n```\n\n\
## Use instead\n```yaml\nports:\n- {number: 443, name: https, protocol: TLS}\n- {number: 8443, name: https-alt, protocol: TLS}\n```\n",
};

pub static ADDRESSES_REQUIRED: Rule = Rule {
    code: "MC1505",
    name: "service-entry-addresses-required",
    severity: Severity::Warning,
    istio_code: Some("IST0134"),
    summary: "A TCP (or protocol-less) port on a ServiceEntry without addresses, none allocated in its status.",
    docs: "## What it does\nFollows istioctl analyze (serviceentry/protocoladdresses.go): warns for each port whose \
protocol is TCP or unset when the ServiceEntry has no `addresses` and its `status.addresses` holds none either. \
Istio's webhook warns in a subset of these cases: when IP auto-allocation cannot help (resolution NONE, or the label \
`networking.istio.io/enable-autoallocate-ip: \"false\"`). The mesh config's DNS auto-allocation \
(`ISTIO_META_DNS_AUTO_ALLOCATE`), which also silences the analyzer, is not part of the input: turn the rule off in \
`.meshctl.yaml` where it is on.\n\n\
## Why is this bad?\nTCP traffic is matched by destination IP and port; without an address every such ServiceEntry \
shares the port's listener, and traffic can go to the wrong one.\n\n\
## Example\n```yaml\nhosts: [db.example.com]\nports: [{number: 5432, name: tcp-pg, protocol: TCP}]\nresolution: DNS\n```\n\n\
## Use instead\n```yaml\nhosts: [db.example.com]\naddresses: [240.240.0.10]\nports: [{number: 5432, name: tcp-pg, protocol: TCP}]\nresolution: DNS\n```\n",
};

pub static INVALID_RESOLUTION: Rule = Rule {
    code: "MC1506",
    name: "invalid-service-entry-resolution",
    severity: Severity::Error,
    istio_code: Some("IST0106"),
    summary: "Endpoints, selector, hosts or ports that the ServiceEntry's resolution does not allow.",
    docs: "## What it does\n`workloadSelector` and `endpoints` exclude each other. NONE takes no endpoints. STATIC \
endpoints are IPs (or unix sockets) whose ports name the entry's ports. DNS and DNS_ROUND_ROBIN without endpoints need \
FQDN hosts (no wildcards); DNS_ROUND_ROBIN allows at most one endpoint. With resolution other than NONE, several hosts \
need HTTP or TLS ports only.\n\n## Why is this bad?\nIstio rejects the ServiceEntry.\n\n\
## Example\n```yaml\nhosts: [\"*.example.com\"]\nresolution: DNS\n```\n\n\
## Use instead\n```yaml\nhosts: [\"*.example.com\"]\nresolution: NONE\n```\n",
};

pub static QUESTIONABLE_RESOLUTION: Rule = Rule {
    code: "MC1507",
    name: "questionable-service-entry-resolution",
    severity: Severity::Warning,
    istio_code: Some("IST0133"),
    summary: "A workloadSelector with resolution NONE, or several hosts sharing addresses and a TCP port under DNS.",
    docs: "## What it does\nWarns on `workloadSelector` with resolution NONE (the selected workloads are not used), and \
on DNS resolution with `addresses`, a TCP port and more than one host (the hosts cannot be told apart).\n\n\
## Why is this bad?\nThe configuration does not do what it says; Istio warns.\n\n\
## Example\n```yaml\nresolution: NONE\nworkloadSelector:\n  labels: {app: vm}\n```\n\n\
## Use instead\n```yaml\nresolution: STATIC\nworkloadSelector:\n  labels: {app: vm}\n```\n",
};

pub static RULES: &[&Rule] = &[
    &INVALID_HOST,
    &PARTIAL_WILDCARD_HOST,
    &INVALID_ADDRESS,
    &INVALID_PORT,
    &ADDRESSES_REQUIRED,
    &INVALID_RESOLUTION,
    &QUESTIONABLE_RESOLUTION,
];

pub fn check(res: &Resource<ServiceEntry>, cx: &mut Checker) {
    let se = &res.spec;
    check_hosts(cx, se);
    let resolution = se.resolution();
    for (i, address) in se.addresses.iter().enumerate() {
        let p = format!("/spec/addresses/{i}");
        if !is_ip_or_cidr(address) {
            cx.report(
                &INVALID_ADDRESS,
                &p,
                format!("`{address}` is not an IP address or CIDR block"),
            )
            .label("invalid address");
        } else if address.contains('/') && !matches!(resolution, "NONE" | "STATIC") {
            cx.report(&INVALID_ADDRESS, &p, format!("CIDR addresses are allowed only with resolution NONE or STATIC, not {resolution}"))
                .label("CIDR with DNS resolution");
        }
    }
    // serviceentry/protocoladdresses.go: no address written and none
    // allocated in the status (the mesh-wide DNS auto-allocation of the
    // mesh config is not in the input).
    check_ports(cx, se, se.addresses.is_empty() && !se.allocated);
    check_resolution(cx, se, resolution);
}

fn check_hosts(cx: &mut Checker, se: &ServiceEntry) {
    if se.hosts.is_empty() {
        cx.report_key(
            &INVALID_HOST,
            "/spec",
            "a ServiceEntry must have at least one host",
        )
        .label("no hosts");
    }
    for (i, host) in se.hosts.iter().enumerate() {
        let p = format!("/spec/hosts/{i}");
        if host == "*" {
            cx.report(&INVALID_HOST, &p, "a ServiceEntry host cannot be `*`")
                .label("catch-all host")
                .help("list the external names, or use a `*.`-wildcard with resolution NONE");
        } else if let Err(reason) = validate_wildcard_domain(host) {
            cx.report(&INVALID_HOST, &p, reason).label("invalid host");
        } else if is_partial_wildcard(host) {
            cx.report(
                &PARTIAL_WILDCARD_HOST,
                &p,
                format!("partial wildcard `{host}` is not supported"),
            )
            .label("partial wildcard");
        }
    }
}

fn check_ports(cx: &mut Checker, se: &ServiceEntry, needs_address: bool) {
    let mut names = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for (i, port) in se.ports.iter().enumerate() {
        let at = format!("/spec/ports/{i}");
        if !names.insert(port.name.as_str()) {
            cx.report(
                &INVALID_PORT,
                &format!("{at}/name"),
                format!("port name `{}` is already defined", port.name),
            )
            .label("duplicate name");
        } else if !is_dns1123_label(&port.name) {
            cx.report(
                &INVALID_PORT,
                &format!("{at}/name"),
                format!("port name `{}` is not a DNS-1123 label", port.name),
            )
            .label("invalid name");
        }
        if !numbers.insert(port.number) {
            cx.report(
                &INVALID_PORT,
                &format!("{at}/number"),
                format!("port {} is already defined", port.number),
            )
            .label("duplicate number");
        }
        let protocol = port.protocol.as_deref().unwrap_or("");
        if !protocol.is_empty() && Protocol::parse(protocol) == Protocol::Unsupported {
            cx.report(
                &INVALID_PORT,
                &format!("{at}/protocol"),
                format!("protocol `{protocol}` is not supported"),
            )
            .label("unknown protocol");
        }
        if needs_address && (protocol.is_empty() || protocol.eq_ignore_ascii_case("TCP")) {
            cx.report_key(
                &ADDRESSES_REQUIRED,
                &at,
                "addresses are required for ports serving TCP (or unset) protocol: this ServiceEntry has none, and no address was allocated to it",
            )
            .label("TCP port without an address")
            .help("add `addresses`, or set the port's protocol (HTTP, TLS, ...)");
        }
    }
}

fn check_resolution(cx: &mut Checker, se: &ServiceEntry, resolution: &str) {
    if se.workload_selector.is_some() && !se.endpoints.is_empty() {
        cx.report_key(
            &INVALID_RESOLUTION,
            "/spec/endpoints",
            "only one of workloadSelector and endpoints is allowed",
        )
        .label("conflicts with workloadSelector");
    }
    let port_names: BTreeSet<&str> = se.ports.iter().map(|p| p.name.as_str()).collect();
    match resolution {
        "NONE" => {
            if !se.endpoints.is_empty() {
                cx.report_key(
                    &INVALID_RESOLUTION,
                    "/spec/endpoints",
                    "no endpoints may be given for resolution NONE",
                )
                .label("unused endpoints")
                .help("use resolution STATIC or DNS");
            }
            if se.workload_selector.is_some() {
                cx.report_key(
                    &QUESTIONABLE_RESOLUTION,
                    "/spec/workloadSelector",
                    "workloadSelector should not be set when resolution is NONE",
                )
                .label("selector unused");
            }
        }
        "STATIC" | "DNS" | "DNS_ROUND_ROBIN" => {
            let dns = resolution != "STATIC";
            if dns && se.endpoints.is_empty() {
                for (i, host) in se.hosts.iter().enumerate() {
                    if validate_fqdn(host).is_err() && host != "*" {
                        cx.report(&INVALID_RESOLUTION, &format!("/spec/hosts/{i}"), format!("hosts must be FQDNs (no wildcard) when resolution {resolution} has no endpoints"))
                            .label("cannot be resolved").help("use resolution NONE for wildcard hosts");
                    }
                }
            }
            if resolution == "DNS_ROUND_ROBIN" && se.endpoints.len() > 1 {
                cx.report_key(
                    &INVALID_RESOLUTION,
                    "/spec/endpoints",
                    "resolution DNS_ROUND_ROBIN allows at most one endpoint",
                )
                .label("too many endpoints");
            }
            check_endpoints(cx, se, &port_names, dns);
            if dns
                && !se.addresses.is_empty()
                && se.hosts.len() > 1
                && se
                    .ports
                    .iter()
                    .any(|p| Protocol::parse(p.protocol.as_deref().unwrap_or("")).is_tcp())
            {
                cx.report_key(&QUESTIONABLE_RESOLUTION, "/spec/hosts", "a ServiceEntry should not have several hosts together with addresses and a TCP port")
                    .label("hosts cannot be told apart");
            }
        }
        "DYNAMIC_DNS" => check_dynamic_dns(cx, se),
        _ => {}
    }
    if resolution != "NONE"
        && se.hosts.len() > 1
        && let Some(i) = se.ports.iter().position(|p| {
            let proto = Protocol::parse(p.protocol.as_deref().unwrap_or(""));
            !proto.is_http() && !proto.is_tls()
        })
    {
        cx.report(
            &INVALID_RESOLUTION,
            &format!("/spec/ports/{i}"),
            "several hosts are given with a port that is neither HTTP nor TLS",
        )
        .label("hosts cannot be told apart")
        .help("use one ServiceEntry per host for TCP ports, or resolution NONE");
    }
}

/// Istio's ServiceEntry validation of a `unix://` endpoint: the socket is an
/// absolute path not ending in `/`, or an `@abstract` name
/// (`ValidateUnixAddress`), and the endpoint lists no ports.
fn check_unix_endpoint(cx: &mut Checker, at: &str, address: &str, port: Option<&String>) {
    let socket = address.trim_start_matches("unix://");
    let valid = socket.starts_with('@') || (socket.starts_with('/') && !socket.ends_with('/'));
    if !valid {
        cx.report(
            &INVALID_RESOLUTION,
            &format!("{at}/address"),
            format!(
                "unix socket `{socket}` is not an absolute path to a file or an @abstract name"
            ),
        )
        .label("invalid unix socket")
        .help("write unix:///path/to/socket (no trailing `/`) or unix://@name");
    }
    if let Some(name) = port {
        cx.report_key(
            &INVALID_RESOLUTION,
            &format!("{at}/ports/{}", escape(name)),
            format!("unix endpoint `{address}` must not list ports"),
        )
        .label("a socket has no ports")
        .help("remove `ports`: the ServiceEntry's single port is used");
    }
}

fn check_endpoints(cx: &mut Checker, se: &ServiceEntry, port_names: &BTreeSet<&str>, dns: bool) {
    let unix = se.endpoints.iter().any(|ep| {
        ep.address
            .as_deref()
            .is_some_and(|a| a.starts_with("unix://"))
    });
    if unix && se.ports.len() != 1 {
        cx.report_key(
            &INVALID_RESOLUTION,
            "/spec/ports",
            format!(
                "a ServiceEntry with unix endpoints needs exactly one port, not {}",
                se.ports.len()
            ),
        )
        .label("one port for the socket");
    }
    for (i, ep) in se.endpoints.iter().enumerate() {
        let at = format!("/spec/endpoints/{i}");
        let address = ep.address.as_deref().unwrap_or("");
        let unix = address.starts_with("unix://");
        if address.is_empty() {
            if ep.network.is_none() {
                cx.report_key(&INVALID_RESOLUTION, &at, "an endpoint needs an `address`")
                    .label("no address");
            }
        } else if !unix && !is_ip(address) && (!dns || validate_fqdn(address).is_err()) {
            let what = if dns {
                "a valid FQDN or an IP address"
            } else {
                "a valid IP address"
            };
            cx.report(
                &INVALID_RESOLUTION,
                &format!("{at}/address"),
                format!("endpoint address `{address}` is not {what}"),
            )
            .label("invalid address");
        }
        if unix {
            check_unix_endpoint(cx, &at, address, ep.ports.keys().next());
            continue;
        }
        for name in ep.ports.keys() {
            if !port_names.contains(name.as_str()) {
                cx.report_key(
                    &INVALID_RESOLUTION,
                    &format!("{at}/ports/{}", escape(name)),
                    format!("endpoint port `{name}` is not defined by the ServiceEntry"),
                )
                .label("unknown port name");
            }
        }
        if let Some((key, reason)) = first_label_error(&ep.labels) {
            cx.report_key(
                &INVALID_RESOLUTION,
                &format!("{at}/labels/{}", escape(key)),
                reason,
            )
            .label("invalid label");
        }
    }
}

/// DYNAMIC_DNS: wildcard hosts resolved per request; no addresses or
/// endpoints, HTTP/TLS-family ports, and an explicit location.
fn check_dynamic_dns(cx: &mut Checker, se: &ServiceEntry) {
    for (i, host) in se.hosts.iter().enumerate() {
        if !host.starts_with('*') {
            cx.report(
                &INVALID_RESOLUTION,
                &format!("/spec/hosts/{i}"),
                "resolution DYNAMIC_DNS needs wildcard hosts",
            )
            .label("not a wildcard");
        }
    }
    for (field, present) in [
        ("addresses", !se.addresses.is_empty()),
        ("endpoints", !se.endpoints.is_empty()),
    ] {
        if present {
            cx.report_key(
                &INVALID_RESOLUTION,
                &format!("/spec/{field}"),
                format!("resolution DYNAMIC_DNS takes no {field}"),
            )
            .label("not allowed with DYNAMIC_DNS");
        }
    }
    for (i, port) in se.ports.iter().enumerate() {
        let proto = Protocol::parse(port.protocol.as_deref().unwrap_or(""));
        if !matches!(
            proto,
            Protocol::Http | Protocol::Tls | Protocol::Grpc | Protocol::Http2
        ) {
            cx.report(
                &INVALID_RESOLUTION,
                &format!("/spec/ports/{i}"),
                "resolution DYNAMIC_DNS supports only HTTP, TLS, GRPC and HTTP2 ports",
            )
            .label("unsupported protocol");
        }
    }
    if se.location.is_none() {
        cx.report_key(
            &INVALID_RESOLUTION,
            "/spec/resolution",
            "resolution DYNAMIC_DNS needs `location` to be set",
        )
        .label("no location");
    }
}
