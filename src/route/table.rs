//! The routing table: VirtualServices compiled once, then requests resolved
//! to a virtual host, the first matching rule, and its action (§2).

use std::collections::BTreeMap;

use super::decision::{
    Action, Decision, Matched, Mirror, RetryPolicy, RoutePolicy, RoutedDestination, TraceStep,
};
use super::matcher::{Matcher, RequestMatch};
use super::names::{fqdn, gateway_ref, service_for_host};
use super::policy::lookup;
use super::request::{Entry, Request};
use super::split::shares;
use crate::model::host::host_matches;
use crate::model::virtual_service::{HttpMatch, HttpRoute};
use crate::model::{Config, Gateway, Resource, VirtualService};

/// Istio's retry policy when a route sets none (§4.1).
pub const DEFAULT_RETRY_ON: &str =
    "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
/// Retries of the default policy.
pub const DEFAULT_ATTEMPTS: u32 = 2;

struct CompiledMatch<'c> {
    spec: &'c HttpMatch,
    request: RequestMatch,
    /// Resolved `match.gateways`.
    gateways: Vec<String>,
}

struct CompiledRule<'c> {
    spec: &'c HttpRoute,
    matches: Vec<CompiledMatch<'c>>,
}

struct CompiledVs<'c> {
    res: &'c Resource<VirtualService>,
    hosts: Vec<String>,
    /// Resolved VS-level gateways; `mesh` when none are listed.
    gateways: Vec<String>,
    rules: Vec<CompiledRule<'c>>,
}

impl<'c> CompiledVs<'c> {
    fn compile(res: &'c Resource<VirtualService>) -> CompiledVs<'c> {
        let ns = &res.namespace;
        let gateways = if res.spec.gateways.is_empty() {
            vec!["mesh".to_string()]
        } else {
            res.spec
                .gateways
                .iter()
                .map(|g| gateway_ref(g, ns))
                .collect()
        };
        CompiledVs {
            res,
            hosts: res.spec.hosts.iter().map(|h| fqdn(h, ns)).collect(),
            gateways,
            rules: res
                .spec
                .http
                .iter()
                .map(|rule| CompiledRule {
                    spec: rule,
                    matches: rule
                        .matches
                        .iter()
                        .map(|m| CompiledMatch {
                            spec: m,
                            request: RequestMatch::compile(m),
                            gateways: m.gateways.iter().map(|g| gateway_ref(g, ns)).collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn age(&self) -> (String, String, String) {
        let m = &self.res.meta;
        (
            m.creation_timestamp.clone().unwrap_or_default(),
            m.name.clone(),
            self.res.namespace.clone(),
        )
    }

    fn visible_to(&self, ns: &str) -> bool {
        let export = &self.res.spec.export_to;
        export.is_empty()
            || export
                .iter()
                .any(|e| e == "*" || e == ns || (e == "." && self.res.namespace == ns))
    }
}

/// One Envoy route: a rule's match (or the whole rule when it has none).
#[derive(Clone, Copy)]
struct RouteEntry {
    vs: usize,
    rule: usize,
    matchn: Option<usize>,
}

/// The compiled configuration that answers "where does this request go".
pub struct RoutingTable<'c> {
    config: &'c Config,
    vss: Vec<CompiledVs<'c>>,
    /// Registry hosts (Services and ServiceEntry hosts) with their ports.
    registry: BTreeMap<String, Vec<u16>>,
}

/// Why a request could not be routed at all (a usage problem, not a 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError(pub String);

impl<'c> RoutingTable<'c> {
    /// Compiles every VirtualService of the configuration.
    pub fn build(config: &'c Config) -> RoutingTable<'c> {
        let mut registry: BTreeMap<String, Vec<u16>> = BTreeMap::new();
        for svc in &config.services {
            let host = fqdn(&svc.meta.name, &svc.namespace);
            registry.entry(host).or_default().extend(
                svc.spec
                    .ports
                    .iter()
                    .filter_map(|p| u16::try_from(p.port).ok()),
            );
        }
        for se in &config.service_entries {
            for h in &se.spec.hosts {
                registry.entry(h.clone()).or_default().extend(
                    se.spec
                        .ports
                        .iter()
                        .filter_map(|p| u16::try_from(p.number).ok()),
                );
            }
        }
        RoutingTable {
            config,
            vss: config
                .virtual_services
                .iter()
                .map(CompiledVs::compile)
                .collect(),
            registry,
        }
    }

    /// The configuration the table was built from.
    pub fn config(&self) -> &'c Config {
        self.config
    }

    /// Finds a gateway by `ns/name`, or by bare name in every namespace.
    pub fn find_gateway(&self, name: &str) -> Result<&'c Resource<Gateway>, RouteError> {
        let found: Vec<_> = match name.split_once('/') {
            Some((ns, n)) => self
                .config
                .gateways
                .iter()
                .filter(|g| g.namespace == ns && g.meta.name == n)
                .collect(),
            None => self
                .config
                .gateways
                .iter()
                .filter(|g| g.meta.name == name)
                .collect(),
        };
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(RouteError(format!(
                "gateway `{name}` is not among the loaded Gateways"
            ))),
            many => Err(RouteError(format!(
                "gateway `{name}` is ambiguous: {}; name it as NAMESPACE/NAME",
                many.iter()
                    .map(|g| format!("{}/{}", g.namespace, g.meta.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn is_known(&self, host: &str) -> bool {
        self.registry.contains_key(host)
            || self
                .registry
                .keys()
                .any(|h| h.starts_with('*') && host_matches(h, host))
    }

    /// Routes one request.
    pub fn route(&self, req: &Request) -> Result<Decision<'c>, RouteError> {
        match &req.entry {
            Entry::Mesh => Ok(self.route_mesh(req)),
            Entry::Gateway { namespace, name } => {
                let gw = self.find_gateway(&format!("{namespace}/{name}"))?;
                Ok(self.route_gateway(req, gw))
            }
        }
    }

    fn route_mesh(&self, req: &Request) -> Decision<'c> {
        let host = service_for_host(req.host(), &req.source_namespace, |h| self.is_known(h));
        let candidates: Vec<usize> = (0..self.vss.len())
            .filter(|&i| {
                let vs = &self.vss[i];
                vs.gateways.iter().any(|g| g == "mesh") && vs.visible_to(&req.source_namespace)
            })
            .collect();
        // One VirtualService per host, no merging: the oldest naming the
        // exact host, else the most specific wildcard (oldest on ties).
        let best = candidates
            .iter()
            .filter_map(|&i| {
                let spec = self.vss[i]
                    .hosts
                    .iter()
                    .filter(|h| host_matches(h, &host))
                    .map(|h| specificity(h, &host))
                    .max()?;
                Some((spec, i))
            })
            .max_by(|(sa, ia), (sb, ib)| {
                sa.cmp(sb)
                    .then_with(|| self.vss[*ib].age().cmp(&self.vss[*ia].age()))
            });
        let port = req.effective_port().or_else(|| self.single_port(&host));
        match best {
            Some((_, i)) => {
                let vs = &self.vss[i];
                let entries = entries_of(i, vs);
                let domain = vs
                    .hosts
                    .iter()
                    .filter(|h| host_matches(h, &host))
                    .max_by_key(|h| specificity(h, &host))
                    .cloned()
                    .unwrap_or_default();
                let mut d = self.evaluate(req, &entries, port, "mesh");
                d.virtual_host = Some(format!(
                    "{domain} (VirtualService {}/{}, the sidecar's choice for {host})",
                    vs.res.namespace, vs.res.meta.name
                ));
                d
            }
            None if self.is_known(&host) => self.default_route(req, &host, port),
            None => passthrough(&host),
        }
    }

    fn route_gateway(&self, req: &Request, gw: &'c Resource<Gateway>) -> Decision<'c> {
        let gw_ref = format!("{}/{}", gw.namespace, gw.meta.name);
        let host = req.host().to_ascii_lowercase();
        let port = req.effective_port();
        // Servers that accept the request's port, with their host patterns.
        let servers: Vec<(Option<&str>, &str)> = gw
            .spec
            .servers
            .iter()
            .filter(|s| {
                port.is_none_or(|p| s.port.as_ref().is_some_and(|sp| sp.number == u64::from(p)))
            })
            .flat_map(|s| s.hosts.iter())
            .map(|h| match h.split_once('/') {
                Some((".", dns)) => (Some(gw.namespace.as_str()), dns),
                Some(("*", dns)) => (None, dns),
                Some((ns, dns)) => (Some(ns), dns),
                None => (None, h.as_str()),
            })
            .filter(|(_, dns)| host_matches(dns, &host))
            .collect();
        if servers.is_empty() {
            return no_route(format!(
                "gateway {gw_ref} has no server for host {host}{}",
                port.map(|p| format!(" on port {p}")).unwrap_or_default()
            ));
        }
        // (specificity, domain, vs) for every bound VirtualService host that
        // matches the request and an admitting server.
        let mut bound: Vec<(usize, String, usize)> = Vec::new();
        for (i, vs) in self.vss.iter().enumerate() {
            if !vs.gateways.contains(&gw_ref) {
                continue;
            }
            for h in &vs.hosts {
                let admitted = servers.iter().any(|(ns, dns)| {
                    ns.is_none_or(|ns| ns == vs.res.namespace)
                        && (host_matches(dns, h) || host_matches(h, dns))
                });
                if admitted && host_matches(h, &host) {
                    bound.push((specificity(h, &host), h.clone(), i));
                }
            }
        }
        let Some(best) = bound.iter().map(|(s, _, _)| *s).max() else {
            return no_route(format!(
                "no VirtualService bound to gateway {gw_ref} serves host {host}"
            ));
        };
        let domain = bound
            .iter()
            .find(|(s, _, _)| *s == best)
            .map(|(_, d, _)| d.clone())
            .unwrap_or_default();
        let mut members: Vec<usize> = bound
            .iter()
            .filter(|(_, d, _)| *d == domain)
            .map(|(_, _, i)| *i)
            .collect();
        members.sort_by_key(|&i| self.vss[i].age());
        members.dedup();
        let mut entries: Vec<RouteEntry> = members
            .iter()
            .flat_map(|&i| entries_of(i, &self.vss[i]))
            .collect();
        if members.len() > 1 {
            // Merged VirtualServices: catch-all routes go last, stably.
            entries.sort_by_key(|e| self.is_catch_all(e));
        }
        let mut d = self.evaluate(req, &entries, port, &gw_ref);
        let names: Vec<String> = members
            .iter()
            .map(|&i| {
                format!(
                    "{}/{}",
                    self.vss[i].res.namespace, self.vss[i].res.meta.name
                )
            })
            .collect();
        d.virtual_host = Some(format!(
            "{domain} on gateway {gw_ref} (VirtualService {})",
            names.join(" + ")
        ));
        d
    }

    fn is_catch_all(&self, e: &RouteEntry) -> bool {
        let Some(m) = e.matchn else { return true };
        let rm = &self.vss[e.vs].rules[e.rule].matches[m].request;
        let uri_all = match &rm.uri {
            None => true,
            Some(Matcher::Prefix(p)) => p == "/",
            Some(Matcher::Regex(r)) => r.as_str() == "^(?:.*)$" || r.as_str() == "^(?:/.*)$",
            Some(_) => false,
        };
        uri_all
            && rm.scheme.is_none()
            && rm.method.is_none()
            && rm.authority.is_none()
            && rm.headers.is_empty()
            && rm.without_headers.is_empty()
            && rm.query_params.is_empty()
    }

    fn single_port(&self, host: &str) -> Option<u16> {
        match self.registry.get(host).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// Walks the routes in order; the first whose match holds wins.
    fn evaluate(
        &self,
        req: &Request,
        entries: &[RouteEntry],
        port: Option<u16>,
        proxy: &str,
    ) -> Decision<'c> {
        let mut trace = Vec::new();
        for e in entries {
            let vs = &self.vss[e.vs];
            let rule = &vs.rules[e.rule];
            let outcome = match e.matchn {
                None => Ok(()),
                Some(m) => {
                    let cm = &rule.matches[m];
                    match config_filter(cm, port, proxy, req) {
                        Err(reason) => {
                            trace.push(step(vs, e, "skipped", reason));
                            continue;
                        }
                        Ok(()) => cm.request.evaluate(req),
                    }
                }
            };
            match outcome {
                Err(reason) => trace.push(step(vs, e, "no-match", reason)),
                Ok(()) => {
                    let why = match e.matchn {
                        None => "rule has no match: it takes every request".to_string(),
                        Some(_) => "every condition holds".to_string(),
                    };
                    trace.push(step(vs, e, "matched", why));
                    if let Some(delegate) = &rule.spec.delegate {
                        match self.evaluate_delegate(req, e, delegate, port, proxy, &mut trace) {
                            Some(d) => return d,
                            None => continue,
                        }
                    }
                    let matched = Matched {
                        resource: vs.res.id(),
                        rule_index: e.rule,
                        rule_name: rule.spec.name.clone(),
                        match_index: e.matchn,
                        delegate: None,
                    };
                    return self.act(req, vs.res, rule.spec, None, matched, port, trace);
                }
            }
        }
        let mut d = no_route("no route matched".into());
        d.trace = trace;
        d
    }

    /// A root rule's `delegate`: the delegate VirtualService's rules, each
    /// also bound by the root match.
    fn evaluate_delegate(
        &self,
        req: &Request,
        root: &RouteEntry,
        delegate: &crate::model::virtual_service::Delegate,
        port: Option<u16>,
        proxy: &str,
        trace: &mut Vec<TraceStep>,
    ) -> Option<Decision<'c>> {
        let root_vs = &self.vss[root.vs];
        let ns = delegate
            .namespace
            .as_deref()
            .unwrap_or(&root_vs.res.namespace);
        let Some(di) = self.vss.iter().position(|v| {
            v.res.meta.name == delegate.name && v.res.namespace == ns && v.res.spec.hosts.is_empty()
        }) else {
            trace.push(step(
                root_vs,
                root,
                "skipped",
                format!(
                    "delegate {ns}/{} is not loaded (Istio drops the rule)",
                    delegate.name
                ),
            ));
            return None;
        };
        let dvs = &self.vss[di];
        for e in entries_of(di, dvs) {
            let rule = &dvs.rules[e.rule];
            let outcome = match e.matchn {
                None => Ok(()),
                Some(m) => config_filter(&rule.matches[m], port, proxy, req)
                    .and_then(|_| rule.matches[m].request.evaluate(req)),
            };
            match outcome {
                Err(reason) => trace.push(step(dvs, &e, "no-match", reason)),
                Ok(()) => {
                    trace.push(step(
                        dvs,
                        &e,
                        "matched",
                        "delegate rule matches within the root match".into(),
                    ));
                    let root_rule = &root_vs.rules[root.rule];
                    let matched = Matched {
                        resource: root_vs.res.id(),
                        rule_index: root.rule,
                        rule_name: root_rule.spec.name.clone(),
                        match_index: root.matchn,
                        delegate: Some((dvs.res.id(), e.rule)),
                    };
                    return Some(self.act(
                        req,
                        dvs.res,
                        rule.spec,
                        Some(root_rule.spec),
                        matched,
                        port,
                        std::mem::take(trace),
                    ));
                }
            }
        }
        None
    }

    /// The action of the matched rule: redirect, direct response, or forward.
    #[allow(clippy::too_many_arguments)]
    fn act(
        &self,
        req: &Request,
        vs: &'c Resource<VirtualService>,
        rule: &'c HttpRoute,
        root: Option<&'c HttpRoute>,
        matched: Matched,
        port: Option<u16>,
        trace: Vec<TraceStep>,
    ) -> Decision<'c> {
        let mut d = Decision {
            matched: Some(matched),
            action: Action::Route,
            status: 200,
            response_flags: Vec::new(),
            virtual_host: None,
            location: None,
            destinations: Vec::new(),
            trace,
            policy: None,
            rule: Some(rule),
        };
        if let Some(r) = &rule.redirect {
            d.action = Action::Redirect;
            d.status = r
                .redirect_code
                .filter(|c| *c != 0)
                .map_or(301, |c| c as u16);
            d.location = Some(redirect_location(req, r, rule));
            return d;
        }
        if let Some(dr) = &rule.direct_response {
            d.action = Action::DirectResponse;
            d.status = dr.status as u16;
            return d;
        }
        let weights: Vec<u32> = rule
            .route
            .iter()
            .map(|r| r.weight.unwrap_or(0).max(0) as u32)
            .collect();
        let shares = shares(&weights);
        for ((r, w), share) in rule.route.iter().zip(&weights).zip(shares) {
            let host = fqdn(&r.destination.host, &vs.namespace);
            let dport = r
                .destination
                .port
                .map(|p| p.number as u16)
                .or_else(|| self.single_port(&host))
                .or(port);
            d.destinations.push(self.destination(
                req,
                host,
                r.destination.subset.clone(),
                dport,
                *w,
                share,
            ));
        }
        let live: Vec<&RoutedDestination> =
            d.destinations.iter().filter(|x| x.share > 0.0).collect();
        if !live.is_empty() && live.iter().all(|x| x.status != 200) {
            d.status = 503;
            d.response_flags.push("NC");
        }
        d.policy = Some(route_policy(rule, root, &vs.namespace));
        d
    }

    fn destination(
        &self,
        req: &Request,
        host: String,
        subset: Option<String>,
        port: Option<u16>,
        weight: u32,
        share: f64,
    ) -> RoutedDestination<'c> {
        let merged = lookup(self.config, &host, &req.source_namespace);
        let mut status = 200;
        let mut flag = None;
        let mut note = None;
        if !self.registry.is_empty() && !self.is_known(&host) {
            (status, flag) = (503, Some("NC"));
            note = Some(format!(
                "{host} is not a loaded Service or ServiceEntry host: the cluster does not exist"
            ));
        } else if let Some(s) = &subset
            && merged.subset(s).is_none()
        {
            (status, flag) = (503, Some("NC"));
            note = Some(format!(
                "no DestinationRule visible from {} defines subset `{s}` for {host}",
                req.source_namespace
            ));
        }
        RoutedDestination {
            policy: merged.cluster_policy(subset.as_deref(), port),
            blocks: merged.blocks(subset.as_deref(), port),
            host,
            subset,
            port,
            weight,
            share,
            status,
            response_flag: flag,
            note,
        }
    }

    fn default_route(&self, req: &Request, host: &str, port: Option<u16>) -> Decision<'c> {
        Decision {
            matched: None,
            action: Action::DefaultRoute,
            status: 200,
            response_flags: Vec::new(),
            virtual_host: Some(format!("{host} (no VirtualService: the default route)")),
            location: None,
            destinations: vec![self.destination(req, host.to_string(), None, port, 100, 1.0)],
            trace: Vec::new(),
            policy: Some(route_policy(
                &HttpRoute::default(),
                None,
                &req.source_namespace,
            )),
            rule: None,
        }
    }
}

/// Exact host beats any wildcard; a longer wildcard beats a shorter one.
fn specificity(pattern: &str, host: &str) -> usize {
    if pattern == host {
        usize::MAX
    } else {
        pattern.len()
    }
}

fn entries_of(i: usize, vs: &CompiledVs) -> Vec<RouteEntry> {
    vs.rules
        .iter()
        .enumerate()
        .flat_map(|(r, rule)| {
            if rule.matches.is_empty() {
                vec![RouteEntry {
                    vs: i,
                    rule: r,
                    matchn: None,
                }]
            } else {
                (0..rule.matches.len())
                    .map(|m| RouteEntry {
                        vs: i,
                        rule: r,
                        matchn: Some(m),
                    })
                    .collect()
            }
        })
        .collect()
}

/// The config-time filters of §2.2: port, gateways, sourceLabels, sourceNamespace.
fn config_filter(
    cm: &CompiledMatch,
    port: Option<u16>,
    proxy: &str,
    req: &Request,
) -> Result<(), String> {
    if let Some(p) = cm.spec.port.filter(|p| *p != 0) {
        match port {
            Some(listener) if i64::from(listener) == p => {}
            Some(listener) => {
                return Err(format!(
                    "match is for port {p}, the request is on port {listener}"
                ));
            }
            None => {
                return Err(format!(
                    "match is for port {p}; the request's port is unknown (pass --port)"
                ));
            }
        }
    }
    if !cm.gateways.is_empty() {
        return if cm.gateways.iter().any(|g| g == proxy) {
            Ok(())
        } else {
            Err(format!(
                "match applies to gateways [{}], not {proxy}",
                cm.gateways.join(", ")
            ))
        };
    }
    if let Some((k, v)) = cm
        .spec
        .source_labels
        .iter()
        .find(|(k, v)| req.source_labels.get(*k) != Some(*v))
    {
        return Err(format!(
            "sourceLabels {k}={v} do not select the calling workload"
        ));
    }
    if let Some(ns) = cm
        .spec
        .source_namespace
        .as_deref()
        .filter(|ns| !ns.is_empty() && *ns != req.source_namespace)
    {
        return Err(format!(
            "sourceNamespace {ns} is not the caller's namespace {}",
            req.source_namespace
        ));
    }
    Ok(())
}

fn step(vs: &CompiledVs, e: &RouteEntry, outcome: &'static str, reason: String) -> TraceStep {
    let rule = &vs.rules[e.rule];
    TraceStep {
        resource: vs.res.id(),
        rule_index: e.rule,
        rule_name: rule.spec.name.clone(),
        match_index: e.matchn,
        outcome,
        reason,
    }
}

fn no_route(reason: String) -> Decision<'static> {
    Decision {
        matched: None,
        action: Action::NoRoute,
        status: 404,
        response_flags: vec!["NR"],
        virtual_host: None,
        location: None,
        destinations: Vec::new(),
        trace: Vec::new(),
        policy: None,
        rule: None,
    }
    .with_reason(reason)
}

fn passthrough(host: &str) -> Decision<'static> {
    Decision {
        matched: None,
        action: Action::Passthrough,
        status: 200,
        response_flags: Vec::new(),
        virtual_host: Some(format!(
            "{host} is not in the registry: ALLOW_ANY passes it to its original destination"
        )),
        location: None,
        destinations: Vec::new(),
        trace: Vec::new(),
        policy: None,
        rule: None,
    }
}

impl<'c> Decision<'c> {
    fn with_reason(mut self, reason: String) -> Decision<'c> {
        self.virtual_host = Some(reason);
        self
    }
}

fn redirect_location(
    req: &Request,
    r: &crate::model::virtual_service::HttpRedirect,
    rule: &HttpRoute,
) -> String {
    let scheme = r
        .scheme
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| req.scheme.clone());
    let host = r
        .authority
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| req.host().to_string());
    let port = match (r.port.filter(|p| *p != 0), r.derive_port.as_deref()) {
        (Some(p), _) => Some(p as u16),
        (None, Some("FROM_PROTOCOL_DEFAULT")) => None,
        (None, Some("FROM_REQUEST_PORT")) => req.effective_port(),
        _ => super::request::split_host_port(&req.authority).1,
    };
    let path = match (&r.uri, &r.prefix_rewrite) {
        (Some(u), _) if !u.is_empty() => u.clone(),
        (_, Some(p)) => {
            let matched = rule
                .matches
                .iter()
                .filter_map(|m| m.uri.as_ref()?.prefix.as_deref())
                .find(|pre| req.path_only().starts_with(pre))
                .unwrap_or("");
            format!("{p}{}", &req.path_only()[matched.len()..])
        }
        _ => req.path_only().to_string(),
    };
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    format!("{scheme}://{host}{port}{path}")
}

/// Timeout, retries (with Istio's defaults), fault and mirrors of a rule; a
/// delegate rule inherits what it leaves unset from its root rule.
pub fn route_policy(rule: &HttpRoute, root: Option<&HttpRoute>, namespace: &str) -> RoutePolicy {
    let timeout = rule
        .timeout
        .as_ref()
        .or(root.and_then(|r| r.timeout.as_ref()));
    let retries = rule
        .retries
        .as_ref()
        .or(root.and_then(|r| r.retries.as_ref()));
    let fault = rule.fault.as_ref().or(root.and_then(|r| r.fault.as_ref()));
    let retries = match retries {
        None => RetryPolicy {
            attempts: DEFAULT_ATTEMPTS,
            retry_on: DEFAULT_RETRY_ON.into(),
            per_try_timeout: None,
            backoff: "25ms".into(),
            mesh_default: true,
        },
        Some(r) => RetryPolicy {
            attempts: r.attempts.unwrap_or(0).max(0) as u32,
            retry_on: r
                .retry_on
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| DEFAULT_RETRY_ON.into()),
            per_try_timeout: r.per_try_timeout.clone(),
            backoff: r.backoff.clone().unwrap_or_else(|| "25ms".into()),
            mesh_default: false,
        },
    };
    let mut mirrors = Vec::new();
    if let Some(m) = &rule.mirror {
        let pct = rule
            .mirror_percentage
            .map(|p| p.value)
            .or(rule.mirror_percent.map(|p| p as f64))
            .unwrap_or(100.0);
        mirrors.push(Mirror {
            host: fqdn(&m.host, namespace),
            subset: m.subset.clone(),
            percentage: pct,
        });
    }
    for m in &rule.mirrors {
        mirrors.push(Mirror {
            host: fqdn(&m.destination.host, namespace),
            subset: m.destination.subset.clone(),
            percentage: m.percentage.map_or(100.0, |p| p.value),
        });
    }
    RoutePolicy {
        timeout: timeout.cloned().unwrap_or_else(|| "disabled".into()),
        retries,
        fault: fault.map(|f| {
            let mut v = serde_json::Map::new();
            if let Some(d) = &f.delay {
                v.insert("delay".into(), serde_json::json!({"fixedDelay": d.fixed_delay, "percentage": d.percentage.map_or(0.0, |p| p.value)}));
            }
            if let Some(a) = &f.abort {
                v.insert("abort".into(), serde_json::json!({"httpStatus": a.http_status, "grpcStatus": a.grpc_status, "percentage": a.percentage.map_or(0.0, |p| p.value)}));
            }
            serde_json::Value::Object(v)
        }),
        mirrors,
    }
}
