//! `meshctl convert`: Istio Gateways and VirtualServices (with the
//! DestinationRule subsets they use) as Gateway API Gateways and HTTPRoutes:
//! ingress routes bound to the converted Gateway, mesh routes bound to the
//! Service. Every field that does not carry over is a [`Gap`] at its place.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Manifest;
use super::istio::{labels, metadata, target_port};
use super::yaml::scalar;
use crate::diagnostic::Location;
use crate::load::Document;
use crate::mesh::Mesh;
use crate::mesh::names::{fqdn, gateway_ref};
use crate::model::common::StringMatch;
use crate::model::virtual_service::{HttpMatch, HttpRoute};
use crate::model::{Gateway, Resource, VirtualService};

const API: &str = "gateway.networking.k8s.io/v1";

/// The Gateway API release channel the cluster runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Channel {
    Standard,
    Experimental,
}

/// How DestinationRule subsets carry over: the Gateway API has none, so a
/// subset becomes a Service of its own, `<service>-<subset>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Subsets {
    /// Write those Services, from the subset labels and the Service's selector.
    Services,
    /// Refer to them only: they exist already.
    Refs,
}

/// A field that does not carry over, where it is written.
#[derive(Debug, Clone)]
pub struct Gap {
    pub location: Location,
    /// `VirtualService shop/reviews`.
    pub resource: String,
    /// JSON pointer of the field in its object.
    pub field: String,
    pub why: String,
    pub instead: String,
}

/// The converted resources, what they replace, and what was lost.
#[derive(Debug, Default)]
pub struct Converted {
    pub manifests: Vec<Manifest>,
    pub gaps: Vec<Gap>,
    /// `kind namespace/name` of each input resource the manifests replace.
    pub replaced: Vec<(String, String, String)>,
    /// The hosts of the Services written for subsets.
    pub added_hosts: Vec<String>,
}

struct Converter<'a, 'c> {
    mesh: &'a Mesh<'c>,
    docs: &'a [Document],
    channel: Channel,
    subsets: Subsets,
    out: Converted,
    /// Per-version Services to write: name → (namespace, host, subset).
    version_services: BTreeMap<(String, String), (String, String)>,
}

impl<'c> Converter<'_, 'c> {
    fn gap<T>(&mut self, resource: &Resource<T>, field: &str, why: &str, instead: &str) {
        self.out.gaps.push(Gap {
            location: self.docs[resource.doc].label_location(field),
            resource: format!(
                "{} {}/{}",
                resource.kind.as_str(),
                resource.namespace,
                resource.name()
            ),
            field: field.to_string(),
            why: why.to_string(),
            instead: instead.to_string(),
        });
    }

    fn gateway(&mut self, gw: &Resource<Gateway>) {
        let mut t = format!("apiVersion: {API}\nkind: Gateway\n");
        metadata(&mut t, gw.name(), &gw.namespace);
        t.push_str("spec:\n  gatewayClassName: istio\n  listeners:\n");
        for (i, server) in gw.spec.servers.iter().enumerate() {
            let at = format!("/spec/servers/{i}");
            let Some(port) = &server.port else { continue };
            let protocol = if port.protocol.is_empty() {
                "HTTP".to_string()
            } else {
                port.protocol.to_ascii_uppercase()
            };
            if !matches!(protocol.as_str(), "HTTP" | "HTTPS") {
                self.gap(
                    gw,
                    &format!("{at}/port/protocol"),
                    "only HTTP and HTTPS servers are converted",
                    "a TLSRoute or TCPRoute listener (experimental channel)",
                );
                continue;
            }
            for (j, host) in server.hosts.iter().enumerate() {
                let hostname = host.rsplit_once('/').map_or(host.as_str(), |(_, h)| h);
                let _ = writeln!(
                    t,
                    "  - name: {}\n    protocol: {protocol}\n    port: {}",
                    scalar(&format!("{}-{i}-{j}", protocol.to_ascii_lowercase())),
                    port.number
                );
                if hostname != "*" {
                    let _ = writeln!(t, "    hostname: {}", scalar(hostname));
                }
                if host.contains('/') {
                    t.push_str("    allowedRoutes:\n      namespaces:\n        from: All\n");
                }
                if protocol == "HTTPS" {
                    match server
                        .tls
                        .as_ref()
                        .and_then(|tls| tls.credential_name.as_deref())
                    {
                        Some(secret) => {
                            let _ = writeln!(
                                t,
                                "    tls:\n      mode: Terminate\n      certificateRefs:\n      - name: {}",
                                scalar(secret)
                            );
                        }
                        None => self.gap(
                            gw,
                            &format!("{at}/tls"),
                            "only TLS with a credentialName secret carries over",
                            "a certificateRefs secret",
                        ),
                    }
                }
            }
            if server.tls.as_ref().is_some_and(|tls| tls.https_redirect) {
                self.gap(gw, &format!("{at}/tls/httpsRedirect"), "a Gateway API listener has no HTTPS redirect of its own", "an HTTPRoute on the HTTP listener with a RequestRedirect filter (scheme: https)");
            }
        }
        self.out
            .manifests
            .push(Manifest::new("Gateway", gw.name().to_string(), t));
        self.out.replaced.push((
            "Gateway".into(),
            gw.namespace.clone(),
            gw.name().to_string(),
        ));
    }

    fn virtual_service(&mut self, vs: &'c Resource<VirtualService>) {
        let mut t = format!("apiVersion: {API}\nkind: HTTPRoute\n");
        metadata(&mut t, vs.name(), &vs.namespace);
        t.push_str("spec:\n  parentRefs:\n");
        let mesh_bound =
            vs.spec.gateways.is_empty() || vs.spec.gateways.iter().any(|g| g == "mesh");
        let mut hostnames = Vec::new();
        for (i, g) in vs
            .spec
            .gateways
            .iter()
            .enumerate()
            .filter(|(_, g)| *g != "mesh")
        {
            let reference = gateway_ref(g, &vs.namespace);
            let (ns, name) = reference.split_once('/').unwrap_or(("", &reference));
            let _ = writeln!(t, "  - name: {}", scalar(name));
            if ns != vs.namespace {
                let _ = writeln!(t, "    namespace: {}", scalar(ns));
            }
            if i == 0 {
                // `*` is every host: an HTTPRoute without hostnames.
                hostnames = vs
                    .spec
                    .hosts
                    .iter()
                    .filter(|h| *h != "*")
                    .cloned()
                    .collect();
            }
        }
        if mesh_bound {
            for (i, host) in vs.spec.hosts.iter().enumerate() {
                let full = fqdn(host, &vs.namespace);
                let service = self.mesh.registry_host(&full).and_then(|h| match h.origin {
                    crate::mesh::registry::Origin::Service(s) => Some(s),
                    crate::mesh::registry::Origin::ServiceEntry(_) => None,
                });
                match service {
                    Some(s) => {
                        let _ = writeln!(
                            t,
                            "  - group: \"\"\n    kind: Service\n    name: {}",
                            scalar(s.name())
                        );
                        if s.namespace != vs.namespace {
                            let _ = writeln!(t, "    namespace: {}", scalar(&s.namespace));
                        }
                    }
                    None => self.gap(
                        vs,
                        &format!("/spec/hosts/{i}"),
                        "a mesh route converts only for a Kubernetes Service of the input",
                        "keep this host on a VirtualService, or add the Service to the input",
                    ),
                }
            }
        }
        if !hostnames.is_empty() {
            t.push_str("  hostnames:\n");
            for h in &hostnames {
                let _ = writeln!(t, "  - {}", scalar(h));
            }
        }
        t.push_str("  rules:\n");
        for (i, rule) in vs.spec.http.iter().enumerate() {
            self.rule(&mut t, vs, rule, &format!("/spec/http/{i}"));
        }
        for (field, kind) in [
            ("/spec/tcp", vs.spec.tcp.len()),
            ("/spec/tls", vs.spec.tls.len()),
        ] {
            if kind > 0 {
                self.gap(
                    vs,
                    field,
                    "TCP and TLS routes are not converted",
                    "a TCPRoute or TLSRoute (experimental channel)",
                );
            }
        }
        if !vs.spec.export_to.is_empty() {
            self.gap(vs, "/spec/exportTo", "an HTTPRoute has no exportTo", "a mesh route applies to callers in its namespace (consumer route) or to all (producer route, in the Service's namespace)");
        }
        self.out
            .manifests
            .push(Manifest::new("HTTPRoute", vs.name().to_string(), t));
        self.out.replaced.push((
            "VirtualService".into(),
            vs.namespace.clone(),
            vs.name().to_string(),
        ));
    }

    fn rule(
        &mut self,
        t: &mut String,
        vs: &'c Resource<VirtualService>,
        rule: &HttpRoute,
        at: &str,
    ) {
        t.push_str("  - ");
        let mut lead = "";
        if !rule.matches.is_empty() {
            t.push_str("matches:\n");
            lead = "    ";
            for (j, m) in rule.matches.iter().enumerate() {
                self.condition(t, vs, m, &format!("{at}/match/{j}"));
            }
        }
        let mut filters = String::new();
        if let Some(r) = &rule.redirect {
            filters.push_str("    - type: RequestRedirect\n      requestRedirect:\n");
            if let Some(s) = &r.scheme {
                let _ = writeln!(filters, "        scheme: {}", scalar(s));
            }
            if let Some(a) = &r.authority {
                let _ = writeln!(filters, "        hostname: {}", scalar(a));
            }
            if let Some(p) = r.port {
                let _ = writeln!(filters, "        port: {p}");
            }
            if let Some(uri) = &r.uri {
                let _ = writeln!(
                    filters,
                    "        path:\n          type: ReplaceFullPath\n          replaceFullPath: {}",
                    scalar(uri)
                );
            }
            let code = r.redirect_code.unwrap_or(301);
            if code == 301 || code == 302 {
                let _ = writeln!(filters, "        statusCode: {code}");
            } else {
                self.gap(
                    vs,
                    &format!("{at}/redirect/redirectCode"),
                    "the Gateway API redirects with 301 or 302 only",
                    "statusCode 301 or 302",
                );
            }
        }
        if let Some(rw) = &rule.rewrite {
            filters.push_str("    - type: URLRewrite\n      urlRewrite:\n");
            if let Some(a) = &rw.authority {
                let _ = writeln!(filters, "        hostname: {}", scalar(a));
            }
            if let Some(uri) = &rw.uri {
                let all_prefix = !rule.matches.is_empty()
                    && rule
                        .matches
                        .iter()
                        .all(|m| m.uri.as_ref().is_some_and(|u| u.prefix.is_some()));
                if all_prefix {
                    let _ = writeln!(
                        filters,
                        "        path:\n          type: ReplacePrefixMatch\n          replacePrefixMatch: {}",
                        scalar(uri)
                    );
                } else {
                    let _ = writeln!(
                        filters,
                        "        path:\n          type: ReplaceFullPath\n          replaceFullPath: {}",
                        scalar(uri)
                    );
                }
            }
            if rw.uri_regex_rewrite.is_some() {
                self.gap(
                    vs,
                    &format!("{at}/rewrite/uriRegexRewrite"),
                    "the Gateway API has no regex rewrite",
                    "ReplacePrefixMatch or ReplaceFullPath",
                );
            }
        }
        if let Some(h) = &rule.headers {
            for (side, ops, kind) in [
                ("request", &h.request, "RequestHeaderModifier"),
                ("response", &h.response, "ResponseHeaderModifier"),
            ] {
                let Some(ops) = ops else { continue };
                let key = if side == "request" {
                    "requestHeaderModifier"
                } else {
                    "responseHeaderModifier"
                };
                let _ = writeln!(filters, "    - type: {kind}\n      {key}:");
                for (name, map) in [("set", &ops.set), ("add", &ops.add)] {
                    if !map.is_empty() {
                        let _ = writeln!(filters, "        {name}:");
                        for (k, v) in map {
                            let _ = writeln!(
                                filters,
                                "        - name: {}\n          value: {}",
                                scalar(k),
                                scalar(v)
                            );
                        }
                    }
                }
                if !ops.remove.is_empty() {
                    filters.push_str("        remove:\n");
                    for k in &ops.remove {
                        let _ = writeln!(filters, "        - {}", scalar(k));
                    }
                }
            }
        }
        let mirrors: Vec<(&crate::model::common::Destination, Option<f64>)> = rule
            .mirror
            .as_deref()
            .into_iter()
            .map(|m| (m, rule.mirror_percentage.map(|p| p.value)))
            .chain(
                rule.mirrors
                    .iter()
                    .map(|m| (&m.destination, m.percentage.map(|p| p.value))),
            )
            .collect();
        for (k, (m, pct)) in mirrors.into_iter().enumerate() {
            let _ = writeln!(
                filters,
                "    - type: RequestMirror\n      requestMirror:\n        backendRef:\n          name: {}",
                scalar(&self.backend_name(vs, &m.host, m.subset.as_deref()))
            );
            if let Some(port) = m.port.map(|p| p.number).filter(|n| *n > 0) {
                let _ = writeln!(filters, "          port: {port}");
            }
            if let Some(p) = pct.filter(|p| *p < 100.0) {
                match self.channel {
                    Channel::Experimental => {
                        let _ = writeln!(filters, "        percent: {}", p.round() as i64);
                    }
                    Channel::Standard => self.gap(
                        vs,
                        &format!("{at}/mirrors/{k}"),
                        "mirroring a percentage needs the experimental channel",
                        "--channel experimental, or mirror every request",
                    ),
                }
            }
        }
        if !filters.is_empty() {
            let _ = writeln!(t, "{lead}filters:");
            lead = "    ";
            t.push_str(&filters);
        }
        if !rule.route.is_empty() {
            let _ = writeln!(t, "{lead}backendRefs:");
            lead = "    ";
            for (k, d) in rule.route.iter().enumerate() {
                let name =
                    self.backend_name(vs, &d.destination.host, d.destination.subset.as_deref());
                let _ = writeln!(t, "    - name: {}", scalar(&name));
                let full = fqdn(&d.destination.host, &vs.namespace);
                if let Some(ns) = self
                    .mesh
                    .host_namespace(&full)
                    .filter(|n| *n != vs.namespace)
                {
                    let _ = writeln!(t, "      namespace: {}", scalar(ns));
                }
                let port = d
                    .destination
                    .port
                    .map(|p| p.number)
                    .filter(|n| *n > 0)
                    .and_then(|n| u16::try_from(n).ok())
                    .or_else(|| self.mesh.single_port(&full));
                match port {
                    Some(p) => {
                        let _ = writeln!(t, "      port: {p}");
                    }
                    None => self.gap(
                        vs,
                        &format!("{at}/route/{k}/destination"),
                        "a Service backendRef needs a port, and the input does not give one",
                        "add destination.port, or the Service to the input",
                    ),
                }
                if let Some(w) = d.weight {
                    let _ = writeln!(t, "      weight: {w}");
                }
                if d.headers.is_some() {
                    self.gap(
                        vs,
                        &format!("{at}/route/{k}/headers"),
                        "per-destination header operations are not converted",
                        "rule-level RequestHeaderModifier",
                    );
                }
            }
        }
        let per_try = rule
            .retries
            .as_ref()
            .and_then(|r| r.per_try_timeout.as_ref());
        if rule.timeout.is_some() || per_try.is_some() {
            let _ = writeln!(t, "{lead}timeouts:");
            lead = "    ";
            if let Some(timeout) = &rule.timeout {
                let _ = writeln!(t, "      request: {}", scalar(timeout));
            }
            if let Some(p) = per_try {
                let _ = writeln!(t, "      backendRequest: {}", scalar(p));
            }
        }
        if let Some(r) = &rule.retries {
            match self.channel {
                Channel::Experimental => {
                    let _ = writeln!(t, "{lead}retry:\n      attempts: {}", r.attempts.unwrap_or(0));
                    if let Some(b) = &r.backoff {
                        let _ = writeln!(t, "      backoff: {}", scalar(b));
                    }
                }
                Channel::Standard => self.gap(vs, &format!("{at}/retries"), "the standard channel has no retries: Istio's mesh default applies (2 retries on connection failures)", "--channel experimental (HTTPRoute retry), or keep retries on a VirtualService"),
            }
        }
        if rule.route.is_empty() && filters.is_empty() {
            let _ = writeln!(t, "{lead}backendRefs: []");
        }
        for (field, present, why, instead) in [
            (
                "fault",
                rule.fault.is_some(),
                "the Gateway API has no fault injection",
                "keep fault injection on a VirtualService for the mesh",
            ),
            (
                "corsPolicy",
                rule.cors_policy.is_some(),
                "CORS is not part of the standard channel",
                "a CORS filter (experimental channel)",
            ),
            (
                "delegate",
                rule.delegate.is_some(),
                "the Gateway API has no delegation",
                "attach the delegate's routes to the parent directly",
            ),
            (
                "directResponse",
                rule.direct_response.is_some(),
                "the Gateway API has no direct response",
                "a backend that answers, or keep a VirtualService",
            ),
        ] {
            if present {
                self.gap(vs, &format!("{at}/{field}"), why, instead);
            }
        }
    }

    fn condition(
        &mut self,
        t: &mut String,
        vs: &Resource<VirtualService>,
        m: &HttpMatch,
        at: &str,
    ) {
        let mut lead = "    - ";
        let mut next = |t: &mut String| {
            let l = lead;
            lead = "      ";
            t.push_str(l);
        };
        if let Some(uri) = &m.uri {
            next(t);
            let (kind, value) = string_match(uri);
            let kind = match kind {
                "Exact" => "Exact",
                "Prefix" => {
                    if value != "/" {
                        self.gap(vs, &format!("{at}/uri"), "a PathPrefix matches whole path segments: /api no longer matches /apix, and /api/ also matches /api", "a RegularExpression path where those requests matter");
                    }
                    "PathPrefix"
                }
                _ => "RegularExpression",
            };
            let _ = writeln!(
                t,
                "path:\n        type: {kind}\n        value: {}",
                scalar(value)
            );
        }
        if !m.headers.is_empty() {
            next(t);
            t.push_str("headers:\n");
            for (name, sm) in &m.headers {
                let (kind, value) = string_match(sm);
                let kind = if kind == "Prefix" {
                    self.gap(
                        vs,
                        &format!("{at}/headers/{name}"),
                        "the Gateway API has no prefix header match",
                        "a RegularExpression header match",
                    );
                    "RegularExpression"
                } else {
                    kind
                };
                let value = if sm.prefix.is_some() {
                    format!("^{}.*", regex_escape(value))
                } else {
                    value.to_string()
                };
                let _ = writeln!(
                    t,
                    "        - name: {}\n          type: {kind}\n          value: {}",
                    scalar(name),
                    scalar(&value)
                );
            }
        }
        if !m.query_params.is_empty() {
            next(t);
            t.push_str("queryParams:\n");
            for (name, sm) in &m.query_params {
                let (kind, value) = string_match(sm);
                let _ = writeln!(
                    t,
                    "        - name: {}\n          type: {kind}\n          value: {}",
                    scalar(name),
                    scalar(value)
                );
            }
        }
        if let Some(method) = m.method.as_ref().and_then(|s| s.exact.as_deref()) {
            next(t);
            let _ = writeln!(t, "method: {}", scalar(&method.to_ascii_uppercase()));
        }
        if lead == "    - " {
            t.push_str("    - path:\n        type: PathPrefix\n        value: /\n");
        }
        for (field, present) in [
            ("withoutHeaders", !m.without_headers.is_empty()),
            ("ignoreUriCase", m.ignore_uri_case),
            ("sourceLabels", !m.source_labels.is_empty()),
            ("sourceNamespace", m.source_namespace.is_some()),
            ("gateways", !m.gateways.is_empty()),
            ("port", m.port.is_some()),
            ("authority", m.authority.is_some()),
            ("scheme", m.scheme.is_some()),
        ] {
            if present {
                self.gap(
                    vs,
                    &format!("{at}/{field}"),
                    "an HTTPRoute match has no such condition",
                    "split the route by parent or hostname, or keep a VirtualService",
                );
            }
        }
    }

    /// The Service a destination names: `<service>-<subset>` for a subset.
    fn backend_name(
        &mut self,
        vs: &Resource<VirtualService>,
        host: &str,
        subset: Option<&str>,
    ) -> String {
        let full = fqdn(host, &vs.namespace);
        let base = full.split('.').next().unwrap_or(&full).to_string();
        let Some(subset) = subset else { return base };
        let name = format!("{base}-{subset}");
        let ns = self
            .mesh
            .host_namespace(&full)
            .unwrap_or(&vs.namespace)
            .to_string();
        self.version_services
            .insert((ns, name.clone()), (full, subset.to_string()));
        name
    }

    /// A DestinationRule's policy for `host` does not follow its traffic to
    /// the Service `name` that replaces a subset.
    fn policy_gaps(
        &mut self,
        rule: &crate::mesh::destination_rules::MergedRule<'c>,
        subset: &str,
        name: &str,
    ) {
        for dr in rule.sources.iter().copied() {
            let instead = format!("a DestinationRule for host {name} with the same policy");
            if dr.spec.traffic_policy.is_some() {
                self.gap(dr, "/spec/trafficPolicy", &format!("the policy applies to host {}, not to the Service {name} that carries subset {subset}", dr.spec.host), &instead);
            }
            if let Some(i) = dr
                .spec
                .subsets
                .iter()
                .position(|s| s.name == subset && s.traffic_policy.is_some())
            {
                self.gap(
                    dr,
                    &format!("/spec/subsets/{i}/trafficPolicy"),
                    &format!("subset {subset}'s policy does not follow it to the Service {name}"),
                    &instead,
                );
            }
        }
    }

    /// Services for the subsets the routes name (`--subsets services`).
    fn version_services(&mut self) {
        if self.subsets == Subsets::Refs {
            return;
        }
        let wanted = std::mem::take(&mut self.version_services);
        for ((ns, name), (host, subset)) in wanted {
            let registered = self.mesh.registry_host(&host);
            let Some(crate::mesh::registry::Origin::Service(service)) =
                registered.map(|h| h.origin)
            else {
                continue;
            };
            let rule = self.mesh.destination_rule(&host, &ns);
            let Some(found) = rule.subsets.iter().find(|s| s.name == subset) else {
                continue;
            };
            self.policy_gaps(&rule, subset.as_str(), &name);
            let mut selector = service.spec.selector.to_map();
            selector.extend(found.labels.to_map());
            let mut t = String::from("apiVersion: v1\nkind: Service\n");
            metadata(&mut t, &name, &ns);
            t.push_str("spec:\n");
            labels(&mut t, "  ", "selector", &selector);
            t.push_str("  ports:\n");
            for p in &service.spec.ports {
                let _ = writeln!(t, "  - port: {}", p.port);
                if let Some(n) = &p.name {
                    let _ = writeln!(t, "    name: {}", scalar(n));
                }
                target_port(&mut t, p.target_port.as_ref());
            }
            self.out
                .added_hosts
                .push(crate::model::host::service_fqdn(&name, &ns));
            self.out.manifests.push(Manifest::new("Service", name, t));
        }
    }
}

/// The Gateway API match type and value of an Istio string match.
fn string_match(sm: &StringMatch) -> (&'static str, &str) {
    if let Some(v) = &sm.exact {
        ("Exact", v)
    } else if let Some(v) = &sm.prefix {
        ("Prefix", v)
    } else {
        ("RegularExpression", sm.regex.as_deref().unwrap_or_default())
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// Converts every VirtualService with HTTP routes, and the Istio Gateways
/// they are bound to.
pub fn convert(mesh: &Mesh, docs: &[Document], channel: Channel, subsets: Subsets) -> Converted {
    let mut c = Converter {
        mesh,
        docs,
        channel,
        subsets,
        out: Converted::default(),
        version_services: BTreeMap::new(),
    };
    let mut gateways: Vec<&Resource<Gateway>> = Vec::new();
    for vs in mesh
        .virtual_services()
        .iter()
        .filter(|v| !v.spec.http.is_empty())
    {
        for g in vs.spec.gateways.iter().filter(|g| *g != "mesh") {
            if let crate::mesh::GatewayLookup::Istio(gw) =
                mesh.gateway(&gateway_ref(g, &vs.namespace))
                && !gateways.iter().any(|x| std::ptr::eq(*x, gw))
            {
                gateways.push(gw);
            }
        }
    }
    for gw in gateways {
        c.gateway(gw);
    }
    for vs in mesh
        .virtual_services()
        .iter()
        .filter(|v| !v.spec.http.is_empty())
    {
        c.virtual_service(vs);
    }
    c.version_services();
    c.out
}
