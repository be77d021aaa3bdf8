//! The routing table: VirtualServices compiled once, then requests resolved
//! to a virtual host, the first matching rule, and its action (§2).

use std::collections::HashMap;

mod coverage;
mod gateway;
mod inventory;
mod overlap;

pub use coverage::{Reach, RouteRef, Shadowing};
pub use inventory::ServedHosts;

use super::decision::{
    Action, Decision, FaultAbortView, FaultDelayView, FaultView, Matched, Mirror, Outcome,
    RetryPolicy, RoutePolicy, RoutedDestination, TraceStep,
};
use super::matcher::{Regexes, RequestMatch};
use super::request::{Entry, Request};
use super::rewrite::{CorsView, HeadersView, forwarded};
use super::split::shares;
use crate::mesh::names::{fqdn, gateway_ref};
use crate::mesh::sidecar::{OutboundMode, Scope};
use crate::mesh::{HostLookup, Mesh, SubsetLookup};
use crate::model::generated::Precedence;
use crate::model::host::host_matches;
use crate::model::virtual_service::{HttpRoute, PREFIX_REWRITE};
use crate::model::{Config, Duration, Gateway, Kind, Resource, VirtualService, exported_to};

/// Istio's retry policy when a route sets none (§4.1).
pub const DEFAULT_RETRY_ON: &str =
    "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
/// Retries of the default policy.
pub const DEFAULT_ATTEMPTS: u32 = 2;
/// Envoy's base retry back-off when none is set.
pub const DEFAULT_BACKOFF: Duration = Duration(25_000_000);

struct CompiledMatch {
    request: RequestMatch,
    /// Resolved `match.gateways`.
    gateways: Vec<String>,
}

struct CompiledRule<'c> {
    spec: &'c HttpRoute,
    matches: Vec<CompiledMatch>,
}

struct CompiledVs<'c> {
    res: &'c Resource<VirtualService>,
    hosts: Vec<String>,
    /// Resolved VS-level gateways; `mesh` when none are listed.
    gateways: Vec<String>,
    rules: Vec<CompiledRule<'c>>,
    /// Its Envoy routes in order: one per match, one for a match-less rule.
    entries: Vec<RouteEntry>,
    /// Position in Istio's age order (creation time, name, namespace).
    rank: usize,
}

impl<'c> CompiledVs<'c> {
    fn compile(
        index: usize,
        res: &'c Resource<VirtualService>,
        regexes: &mut Regexes,
    ) -> CompiledVs<'c> {
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
                            request: RequestMatch::compile(m, regexes),
                            gateways: m.gateways.iter().map(|g| gateway_ref(g, ns)).collect(),
                        })
                        .collect(),
                })
                .collect(),
            entries: res
                .spec
                .http
                .iter()
                .enumerate()
                .flat_map(|(rule, r)| {
                    let matches: Vec<Option<usize>> = if r.matches.is_empty() {
                        vec![None]
                    } else {
                        (0..r.matches.len()).map(Some).collect()
                    };
                    matches.into_iter().map(move |matchn| RouteEntry {
                        vs: index,
                        rule,
                        matchn,
                    })
                })
                .collect(),
            rank: 0,
        }
    }
}

/// A mesh VirtualService whose hosts cover a request's host.
struct MeshCandidate<'t> {
    /// How closely its best host matches (exact beats any wildcard).
    specificity: usize,
    /// Its position in age order.
    rank: usize,
    /// Its host that matched best.
    domain: &'t str,
    /// Its index in the table.
    vs: usize,
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
    mesh: &'c Mesh<'c>,
    vss: Vec<CompiledVs<'c>>,
    /// Table indices, ascending, of the VirtualServices naming each exact
    /// host, and of those naming a wildcard host: a request meets only the
    /// ones that can give its host, however large the mesh.
    by_host: HashMap<String, Vec<usize>>,
    wildcard_hosts: Vec<usize>,
    /// Table indices, ascending, of the VirtualServices bound to each
    /// gateway (`namespace/name`).
    by_gateway: HashMap<String, Vec<usize>>,
}

/// Why a request could not be routed at all (a usage problem, not a 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError(pub String);

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RouteError {}

impl<'c> RoutingTable<'c> {
    /// Compiles every VirtualService of the mesh.
    pub fn build(mesh: &'c Mesh<'c>) -> RoutingTable<'c> {
        let config = mesh.config;
        let mut regexes = Regexes::default();
        let mut vss: Vec<CompiledVs> = config
            .virtual_services
            .iter()
            .chain(&config.generated.virtual_services)
            .enumerate()
            .map(|(i, res)| CompiledVs::compile(i, res, &mut regexes))
            .collect();
        let mut order: Vec<usize> = (0..vss.len()).collect();
        order.sort_by(|&a, &b| vss[a].res.age_key().cmp(&vss[b].res.age_key()));
        for (rank, i) in order.into_iter().enumerate() {
            vss[i].rank = rank;
        }
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wildcard_hosts = Vec::new();
        let mut by_gateway: HashMap<String, Vec<usize>> = HashMap::new();
        // Each list ascending, a VirtualService once however many of its
        // hosts or gateways lead there.
        let add = |list: &mut Vec<usize>, i: usize| {
            if list.last() != Some(&i) {
                list.push(i);
            }
        };
        for (i, vs) in vss.iter().enumerate() {
            for host in &vs.hosts {
                if host.contains('*') {
                    add(&mut wildcard_hosts, i);
                } else {
                    add(by_host.entry(host.clone()).or_default(), i);
                }
            }
            for gateway in &vs.gateways {
                add(by_gateway.entry(gateway.clone()).or_default(), i);
            }
        }
        RoutingTable {
            mesh,
            vss,
            by_host,
            wildcard_hosts,
            by_gateway,
        }
    }

    /// Table indices, ascending, of the VirtualServices that may name
    /// `host`: those naming it exactly and those with a wildcard host.
    fn naming(&self, host: &str) -> Vec<usize> {
        let mut naming = self.by_host.get(host).cloned().unwrap_or_default();
        naming.extend(&self.wildcard_hosts);
        naming.sort_unstable();
        naming.dedup();
        naming
    }

    /// Table indices, ascending, of the VirtualServices bound to `gateway`.
    fn bound_to(&self, gateway: &str) -> &[usize] {
        self.by_gateway.get(gateway).map_or(&[], Vec::as_slice)
    }

    /// The configuration the table was built from.
    pub fn config(&self) -> &'c Config {
        self.mesh.config
    }

    /// The mesh view the table was built from.
    pub fn mesh(&self) -> &'c Mesh<'c> {
        self.mesh
    }

    /// Finds a gateway by `ns/name`, or by bare name in every namespace.
    pub fn find_gateway(&self, name: &str) -> Result<&'c Resource<Gateway>, RouteError> {
        self.mesh.find_gateway(name).map_err(RouteError)
    }

    /// The request entry for `mesh` or a gateway name (see [`Self::find_gateway`]).
    pub fn entry_for(&self, gateway: &str) -> Result<Entry, RouteError> {
        if gateway == "mesh" {
            return Ok(Entry::Mesh);
        }
        let gw = self.find_gateway(gateway)?;
        Ok(Entry::Gateway {
            namespace: gw.namespace.clone(),
            name: gw.meta.name.clone(),
        })
    }

    /// The namespace of the proxy that routes `req`: the caller's sidecar in
    /// the mesh; at a gateway, the gateway's proxy, which decides the
    /// DestinationRules and hosts it sees and `sourceNamespace`.
    pub fn caller_namespace(&self, req: &Request) -> String {
        match &req.entry {
            Entry::Gateway { namespace, name } => self
                .find_gateway(&format!("{namespace}/{name}"))
                .map_or_else(
                    |_| req.source_namespace.clone(),
                    |gw| self.mesh.gateway_proxy_namespace(gw).to_string(),
                ),
            Entry::Mesh => req.source_namespace.clone(),
        }
    }

    /// Routes one request.
    pub fn route(&self, req: &Request) -> Result<Decision<'c>, RouteError> {
        match &req.entry {
            Entry::Mesh => Ok(self.route_mesh(req)),
            Entry::Gateway { namespace, name } => {
                let gw = self.find_gateway(&format!("{namespace}/{name}"))?;
                let mut at_gateway = req.clone();
                at_gateway.source_namespace = self.mesh.gateway_proxy_namespace(gw).to_string();
                Ok(self.route_gateway(&at_gateway, gw))
            }
        }
    }

    fn route_mesh(&self, req: &Request) -> Decision<'c> {
        let named = self
            .mesh
            .service_for_host(req.host(), &req.source_namespace);
        // An ExternalName Service is an alias: its callers get its target's
        // virtual host.
        let alias = self
            .mesh
            .alias_target(&named)
            .map(|target| (named.clone(), target));
        let host = alias.as_ref().map_or(named, |(_, target)| target.clone());
        let port = req
            .effective_port()
            .or_else(|| self.mesh.request_port(&host, &req.scheme));
        let scope = self.mesh.scope(&req.source_namespace, &req.source_labels);
        let known = self.sees_service(&scope, &host, &req.source_namespace, port);
        // One VirtualService per host, no merging: the oldest naming the
        // exact host, else the most specific wildcard (oldest on ties).
        let candidates: Vec<MeshCandidate> = self
            .naming(&host)
            .into_iter()
            .map(|i| (i, &self.vss[i]))
            .filter(|(_, vs)| {
                vs.gateways.iter().any(|g| g == "mesh")
                    && exported_to(
                        &vs.res.spec.export_to,
                        &vs.res.namespace,
                        &req.source_namespace,
                    )
                    && scope.imports(&vs.res.namespace, &vs.hosts, port)
            })
            .filter_map(|(i, vs)| {
                let domain = vs
                    .hosts
                    .iter()
                    .filter(|h| host_matches(h, &host))
                    .max_by_key(|h| specificity(h, &host))?;
                Some(MeshCandidate {
                    specificity: specificity(domain, &host),
                    rank: vs.rank,
                    domain,
                    vs: i,
                })
            })
            .collect();
        let best = candidates
            .iter()
            .max_by_key(|c| (c.specificity, std::cmp::Reverse(c.rank)))
            .map(|c| (c.domain, c.vs));
        // A VirtualService host in no Service or ServiceEntry gets a virtual
        // host on port 80 only (Istio's BuildSidecarVirtualHostWrapper).
        if let (Some((domain, i)), Some(p)) = (best, port)
            && p != 80
            && !known
        {
            let vs = self.vss[i].res.id();
            let mut d = self.outbound(&scope, &host, None);
            d.note = Some(format!(
                "{domain} is in no Service or ServiceEntry the caller sees: {} {} gives it a virtual host on port 80 only, so on port {p}: {}",
                vs.kind,
                vs.qualified(),
                d.note.unwrap_or_default()
            ));
            return d;
        }
        let (mut d, virtual_host) = match best {
            Some((domain, i)) if self.vss[i].res.kind == Kind::HttpRoute => {
                let mut members = self.mesh_http_routes(&candidates, domain, &req.source_namespace);
                let entries = self.merged_entries(&mut members);
                let names: Vec<String> = members
                    .iter()
                    .map(|&m| self.vss[m].res.id().qualified())
                    .collect();
                (
                    self.evaluate(req, &entries, port, "mesh"),
                    format!(
                        "{domain} (HTTPRoute {}, attached to the Service, the sidecar's choice for {host})",
                        names.join(" + ")
                    ),
                )
            }
            Some((domain, i)) => {
                let vs = &self.vss[i];
                (
                    self.evaluate(req, &vs.entries, port, "mesh"),
                    format!(
                        "{domain} (VirtualService {}/{}, the sidecar's choice for {host})",
                        vs.res.namespace, vs.res.meta.name
                    ),
                )
            }
            None if known => return self.default_route(req, &host, port),
            None => return self.outbound(&scope, &host, self.mesh.closest_host(&host)),
        };
        let dropped = d.action == Action::NoRoute
            && !d.trace.is_empty()
            && d.trace.iter().all(|t| t.outcome == Outcome::Skipped);
        if !dropped {
            d.virtual_host = Some(match &alias {
                Some((name, _)) => format!("{virtual_host}; {name} is an ExternalName alias of it"),
                None => virtual_host,
            });
            return d;
        }
        // Every route is for other proxies or ports: Istio builds no virtual
        // host from it here, and the host gets what it would without one.
        let mut fallback = if known {
            self.default_route(req, &host, port)
        } else {
            self.outbound(&scope, &host, self.mesh.closest_host(&host))
        };
        fallback.trace = std::mem::take(&mut d.trace);
        fallback
    }

    /// The answer for a host the caller's proxy has no virtual host for:
    /// ALLOW_ANY passes it to its original destination, REGISTRY_ONLY
    /// answers 502 from the `block_all` virtual host.
    fn outbound(&self, scope: &Scope, host: &str, closest: Option<&str>) -> Decision<'static> {
        let hidden = scope.sidecar.is_some() && self.mesh.is_registered(host);
        let mut d = passthrough(host, closest.filter(|_| !hidden));
        if hidden && let (Some(name), Some(note)) = (scope.name(), &mut d.note) {
            *note = format!(
                "{host} is not among the hosts {name} imports: ALLOW_ANY passes it to its original destination"
            );
        }
        let by = match scope.name() {
            Some(s) if scope.sets_mode() => format!(" (outboundTrafficPolicy of {s})"),
            _ if scope.outbound_mode() == OutboundMode::RegistryOnly => {
                " (the mesh's outboundTrafficPolicy)".to_string()
            }
            _ => String::new(),
        };
        if scope.outbound_mode() == OutboundMode::RegistryOnly {
            d.action = Action::DirectResponse;
            d.status = 502;
            d.note = Some(format!(
                "{host} is not a service the caller's proxy sees: REGISTRY_ONLY{by} sends it to BlackHoleCluster, which answers 502"
            ));
        } else if !by.is_empty()
            && let Some(note) = &mut d.note
        {
            note.push_str(&by);
        }
        d
    }

    /// The HTTPRoutes attached to the Service of `domain` that apply to a
    /// caller in `client_ns`, merged as Istio merges them: a consumer route
    /// (in the caller's namespace) replaces the producer routes for it.
    fn mesh_http_routes(
        &self,
        candidates: &[MeshCandidate],
        domain: &str,
        client_ns: &str,
    ) -> Vec<usize> {
        let routes: Vec<usize> = candidates
            .iter()
            .filter(|c| c.domain == domain && self.vss[c.vs].res.kind == Kind::HttpRoute)
            .map(|c| c.vs)
            .collect();
        let consumer: Vec<usize> = routes
            .iter()
            .copied()
            .filter(|&i| self.vss[i].res.namespace == client_ns)
            .collect();
        if consumer.is_empty() {
            routes
        } else {
            consumer
        }
    }

    /// The routes of VirtualServices merged on a gateway for one host: in
    /// age order, then the catch-all routes moved last (stably). Sorts
    /// `members` by age.
    fn merged_entries(&self, members: &mut Vec<usize>) -> Vec<RouteEntry> {
        members.sort_by_key(|&i| self.vss[i].rank);
        members.dedup();
        let mut entries: Vec<RouteEntry> = members
            .iter()
            .flat_map(|&i| self.vss[i].entries.iter().copied())
            .collect();
        if members
            .iter()
            .all(|&i| self.vss[i].res.kind == Kind::HttpRoute)
        {
            // Gateway API precedence across all rules of all routes (§2.7);
            // ties keep age order, then rule order.
            entries.sort_by_key(|e| std::cmp::Reverse(self.precedence(e)));
        } else if members.len() > 1 {
            entries.sort_by_key(|e| self.is_catch_all(e));
        }
        entries
    }

    fn precedence(&self, e: &RouteEntry) -> Option<Precedence> {
        let spec = self.vss[e.vs].rules[e.rule].spec;
        e.matchn.and_then(|m| spec.matches[m].precedence)
    }

    fn is_catch_all(&self, e: &RouteEntry) -> bool {
        e.matchn.is_none_or(|m| {
            self.vss[e.vs].rules[e.rule].matches[m]
                .request
                .is_catch_all()
        })
    }

    /// Whether the sidecar of `scope` in `client_ns` has a service for
    /// `host` on `port`: a visible registry host, or a Kubernetes host whose
    /// namespace the input does not describe (assumed to exist), that its
    /// Sidecar imports.
    fn sees_service(&self, scope: &Scope, host: &str, client_ns: &str, port: Option<u16>) -> bool {
        let lookup = self.mesh.lookup_fqdn(host, &[client_ns]);
        matches!(lookup, HostLookup::Found(_) | HostLookup::Unchecked(_))
            && lookup
                .namespace(host)
                .is_some_and(|ns| scope.imports(ns, &[host], port))
    }

    /// Whether one route takes the request: its config-time filters, then
    /// its runtime match. A failure carries the outcome and the reason.
    fn check(
        &self,
        e: &RouteEntry,
        port: Option<u16>,
        proxy: &str,
        req: &Request,
    ) -> Result<(), (Outcome, String)> {
        let Some(m) = e.matchn else { return Ok(()) };
        let cm = &self.vss[e.vs].rules[e.rule].matches[m];
        gateway_filter(cm, proxy).map_err(|r| (Outcome::Skipped, r))?;
        cm.request.evaluate(req, port).map_err(|(config_time, r)| {
            let outcome = if config_time {
                Outcome::Skipped
            } else {
                Outcome::NoMatch
            };
            (outcome, r)
        })
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
            if let Err((outcome, reason)) = self.check(e, port, proxy, req) {
                trace.push(step(vs, e, outcome, reason));
                continue;
            }
            let why = match e.matchn {
                None => "rule has no match: it takes every request",
                Some(_) => "every condition holds",
            };
            trace.push(step(vs, e, Outcome::Matched, why.into()));
            let matched = Matched {
                resource: vs.res.id(),
                rule_index: e.rule,
                rule_name: rule.spec.name.clone(),
                match_index: e.matchn,
                delegate: None,
            };
            match &rule.spec.delegate {
                None => return self.act(req, vs.res, rule.spec, None, matched, port, trace),
                Some(delegate) => {
                    if let Some(d) =
                        self.evaluate_delegate(req, e, delegate, matched, port, proxy, &mut trace)
                    {
                        return d;
                    }
                }
            }
        }
        let mut d = no_route("no route matched".into());
        d.trace = trace;
        d
    }

    /// The match of a route; a rule without matches takes every request.
    fn request_match(&self, e: &RouteEntry) -> &RequestMatch {
        static EVERYTHING: RequestMatch = RequestMatch {
            conditions: Vec::new(),
        };
        e.matchn.map_or(&EVERYTHING, |m| {
            &self.vss[e.vs].rules[e.rule].matches[m].request
        })
    }

    /// The VirtualService a `delegate` of a rule in `root_namespace` names:
    /// one without hosts (Istio ignores a delegate that has hosts).
    fn delegate_vs(
        &self,
        delegate: &crate::model::virtual_service::Delegate,
        root_namespace: &str,
    ) -> Option<&CompiledVs<'c>> {
        let ns = delegate.namespace.as_deref().unwrap_or(root_namespace);
        self.vss.iter().find(|v| {
            v.res.meta.name == delegate.name && v.res.namespace == ns && v.res.spec.hosts.is_empty()
        })
    }

    /// A root rule's `delegate`: the delegate VirtualService's rules, each
    /// also bound by the root match (which already held).
    #[allow(clippy::too_many_arguments)]
    fn evaluate_delegate(
        &self,
        req: &Request,
        root: &RouteEntry,
        delegate: &crate::model::virtual_service::Delegate,
        matched: Matched,
        port: Option<u16>,
        proxy: &str,
        trace: &mut Vec<TraceStep>,
    ) -> Option<Decision<'c>> {
        let root_vs = &self.vss[root.vs];
        let ns = delegate
            .namespace
            .as_deref()
            .unwrap_or(&root_vs.res.namespace);
        let Some(dvs) = self.delegate_vs(delegate, &root_vs.res.namespace) else {
            trace.push(step(
                root_vs,
                root,
                Outcome::Skipped,
                format!(
                    "delegate {ns}/{} is not loaded (Istio drops the rule)",
                    delegate.name
                ),
            ));
            return None;
        };
        for e in &dvs.entries {
            if let Err((outcome, reason)) = self.check(e, port, proxy, req) {
                trace.push(step(dvs, e, outcome, reason));
                continue;
            }
            trace.push(step(
                dvs,
                e,
                Outcome::Matched,
                "delegate rule matches within the root match".into(),
            ));
            let matched = Matched {
                delegate: Some((dvs.res.id(), e.rule)),
                ..matched
            };
            let root_rule = root_vs.rules[root.rule].spec;
            let rule = dvs.rules[e.rule].spec;
            return Some(self.act(
                req,
                dvs.res,
                rule,
                Some(root_rule),
                matched,
                port,
                std::mem::take(trace),
            ));
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
        let match_index = matched.match_index;
        let mut d = Decision {
            matched: Some(matched),
            action: Action::Route,
            status: 200,
            response_flags: Vec::new(),
            virtual_host: None,
            note: None,
            location: None,
            destinations: Vec::new(),
            trace,
            policy: None,
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
        // A lone destination without a weight takes all traffic; Istio's
        // reference says its weight is then assumed to be 100.
        let lone = rule.route.len() == 1;
        let weights: Vec<u32> = rule
            .route
            .iter()
            .map(|r| match r.weight {
                None if lone => 100,
                weight => u32::try_from(weight.unwrap_or(0).max(0)).unwrap_or(u32::MAX),
            })
            .collect();
        let shares = shares(&weights);
        for ((r, w), share) in rule.route.iter().zip(&weights).zip(shares) {
            let host = fqdn(&r.destination.host, &vs.namespace);
            let dport = match r.destination.port {
                Some(p) => u16::try_from(p.number).map(Some).map_err(|_| p.number),
                None => Ok(self.mesh.single_port(&host).or(port)),
            };
            let mut routed =
                self.destination(req, host, r.destination.subset.clone(), dport, *w, share);
            routed.headers = r.headers.as_deref().and_then(HeadersView::of);
            if let Some(why) = &r.invalid {
                routed.status = 503;
                routed.response_flag = Some("NC");
                routed.note = Some(why.clone());
            }
            if routed.status != 200 && vs.kind == Kind::HttpRoute {
                // A missing cluster: 503 on Istio routes, 500 on Gateway API ones (§1.1).
                routed.status = 500;
            }
            d.destinations.push(routed);
        }
        let live: Vec<&RoutedDestination> =
            d.destinations.iter().filter(|x| x.share > 0.0).collect();
        if !live.is_empty() && live.iter().all(|x| x.status != 200) {
            d.status = live[0].status;
            d.response_flags.push("NC");
        }
        let mut policy = route_policy(rule, root, &vs.namespace);
        if let Some(rw) = inherited(rule, root, |r| r.rewrite.as_deref()) {
            // A delegate's rule runs under its root's match.
            let matched_by = match_index.and_then(|i| root.unwrap_or(rule).matches.get(i));
            policy.rewrite = Some(forwarded(req, rw, matched_by));
        }
        d.policy = Some(policy);
        d
    }

    /// One destination as the caller's proxy sees it: its cluster exists
    /// when the host is visible from the caller's namespace and the
    /// DestinationRule Istio picks for the caller defines the subset.
    /// `port` is `Err(number)` for a port number out of range.
    fn destination(
        &self,
        req: &Request,
        host: String,
        subset: Option<String>,
        port: Result<Option<u16>, u64>,
        weight: u32,
        share: f64,
    ) -> RoutedDestination<'c> {
        let client = req.source_namespace.as_str();
        let merged = self.mesh.destination_rule(&host, client);
        let mut missing = None;
        let mut notes = Vec::new();
        let lookup = self.mesh.lookup_fqdn(&host, &[client]);
        match &lookup {
            HostLookup::Found(_) => {}
            HostLookup::Unchecked(why) => notes.push(format!("not checked: {why}")),
            HostLookup::Missing => {
                missing = Some(format!(
                    "{host} is not a loaded Service or ServiceEntry host: the cluster does not exist"
                ))
            }
            HostLookup::Hidden(found) => {
                missing = Some(format!(
                    "{host} is defined by {}, which is not exported to namespace {client}: the cluster does not exist there",
                    found.owner()
                ))
            }
        }
        // A Sidecar's egress limits the clusters a sidecar has (gateways
        // ignore Sidecars).
        if missing.is_none() && req.entry == Entry::Mesh {
            let scope = self.mesh.scope(client, &req.source_labels);
            // Clusters come from every egress listener.
            let ns = lookup.namespace(&host).unwrap_or_default();
            if !scope.imports(ns, &[&host], None) {
                missing = Some(format!(
                    "{host} is not among the hosts {} imports: the cluster does not exist",
                    scope.name().unwrap_or_default()
                ));
            }
        }
        if let Err(number) = port {
            missing.get_or_insert_with(|| format!(
                "port {number} is outside 1..65535: Istio refuses this resource (validate reports it)"
            ));
        }
        if let Some(s) = &subset {
            match self.mesh.subset_in(&merged, &host, s, client) {
                SubsetLookup::Unchecked(why) => notes.push(format!("not checked: {why}")),
                SubsetLookup::Missing(why) if missing.is_none() => missing = Some(why),
                _ => {}
            }
        }
        let port = port.unwrap_or(None);
        let (status, flag) = if missing.is_some() {
            (503, Some("NC"))
        } else {
            (200, None)
        };
        let note = missing.or_else(|| (!notes.is_empty()).then(|| notes.join("; ")));
        let blocks = merged.blocks(subset.as_deref(), port);
        RoutedDestination {
            policy: merged.cluster_policy(&blocks, subset.as_deref()),
            blocks,
            host,
            subset,
            port,
            weight,
            share,
            status,
            response_flag: flag,
            note,
            headers: None,
        }
    }

    fn default_route(&self, req: &Request, host: &str, port: Option<u16>) -> Decision<'c> {
        Decision {
            matched: None,
            action: Action::DefaultRoute,
            status: 200,
            response_flags: Vec::new(),
            virtual_host: Some(format!("{host} (no VirtualService: the default route)")),
            note: None,
            location: None,
            destinations: vec![self.destination(req, host.to_string(), None, Ok(port), 100, 1.0)],
            trace: Vec::new(),
            policy: Some(route_policy(
                &HttpRoute::default(),
                None,
                &req.source_namespace,
            )),
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

/// The `match.gateways` filter of §2.2: the match applies only to the
/// proxies it lists (the other config-time filters are conditions).
fn gateway_filter(cm: &CompiledMatch, proxy: &str) -> Result<(), String> {
    if cm.gateways.is_empty() || cm.gateways.iter().any(|g| g == proxy) {
        Ok(())
    } else {
        Err(format!(
            "match applies to gateways [{}], not {proxy}",
            cm.gateways.join(", ")
        ))
    }
}

fn step(vs: &CompiledVs, e: &RouteEntry, outcome: Outcome, reason: String) -> TraceStep {
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

fn no_route(note: String) -> Decision<'static> {
    Decision {
        matched: None,
        action: Action::NoRoute,
        status: 404,
        response_flags: vec!["NR"],
        virtual_host: None,
        note: Some(note),
        location: None,
        destinations: Vec::new(),
        trace: Vec::new(),
        policy: None,
    }
}

fn passthrough(host: &str, closest: Option<&str>) -> Decision<'static> {
    let hint = closest.map_or(String::new(), |c| format!(" (did you mean {c}?)"));
    Decision {
        matched: None,
        action: Action::Passthrough,
        status: 200,
        response_flags: Vec::new(),
        virtual_host: None,
        note: Some(format!(
            "{host} is not in the registry: ALLOW_ANY passes it to its original destination{hint}"
        )),
        location: None,
        destinations: Vec::new(),
        trace: Vec::new(),
        policy: None,
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
    let matched = || {
        rule.matches
            .iter()
            .filter_map(|m| m.uri.as_ref()?.prefix.as_deref())
            .find(|pre| req.path_only().starts_with(pre))
            .unwrap_or("")
    };
    let path = match (&r.uri, &r.prefix_rewrite) {
        (Some(u), _) if u.starts_with(PREFIX_REWRITE) => super::rewrite::replace_path_prefix(
            req.path_only(),
            r.matched_prefix.as_deref().unwrap_or("/"),
            &u[PREFIX_REWRITE.len()..],
        ),
        (Some(u), _) if !u.is_empty() => u.clone(),
        (_, Some(p)) => format!("{p}{}", &req.path_only()[matched().len()..]),
        _ => req.path_only().to_string(),
    };
    // The scheme's default port is not written (Envoy's redirect, and the
    // Gateway API's rule for the Location header).
    let default_port = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    let port = port
        .filter(|p| Some(*p) != default_port)
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    format!("{scheme}://{host}{port}{path}")
}

/// A field of a rule, else (for a delegate rule) of its root rule.
fn inherited<'r, T: ?Sized>(
    rule: &'r HttpRoute,
    root: Option<&'r HttpRoute>,
    field: impl Fn(&'r HttpRoute) -> Option<&'r T>,
) -> Option<&'r T> {
    field(rule).or_else(|| root.and_then(field))
}

/// A duration as written; one Istio would refuse (validate reports it) is none.
fn typed(text: Option<&str>) -> Option<Duration> {
    text.and_then(|t| Duration::parse(t).ok())
}

/// Timeout, retries (with Istio's defaults), fault and mirrors of a rule; a
/// delegate rule inherits what it leaves unset from its root rule.
pub fn route_policy(rule: &HttpRoute, root: Option<&HttpRoute>, namespace: &str) -> RoutePolicy {
    let timeout = inherited(rule, root, |r| r.timeout.as_ref());
    let retries = inherited(rule, root, |r| r.retries.as_deref());
    let fault = inherited(rule, root, |r| r.fault.as_deref());
    let headers = inherited(rule, root, |r| r.headers.as_deref());
    let cors = inherited(rule, root, |r| r.cors_policy.as_deref());
    let retries = match retries {
        None => RetryPolicy {
            attempts: DEFAULT_ATTEMPTS,
            retry_on: DEFAULT_RETRY_ON.into(),
            per_try_timeout: None,
            backoff: DEFAULT_BACKOFF,
            avoid_previous_hosts: true,
            mesh_default: true,
        },
        Some(r) => RetryPolicy {
            attempts: r.attempts.unwrap_or(0).max(0) as u32,
            retry_on: r
                .retry_on
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| DEFAULT_RETRY_ON.into()),
            per_try_timeout: typed(r.per_try_timeout.as_deref()),
            backoff: typed(r.backoff.as_deref()).unwrap_or(DEFAULT_BACKOFF),
            avoid_previous_hosts: r.retry_ignore_previous_hosts.unwrap_or(true),
            mesh_default: false,
        },
    };
    let mirror_source = match root {
        Some(root) if rule.mirror.is_none() && rule.mirrors.is_empty() => root,
        _ => rule,
    };
    let mut mirrors = Vec::new();
    if let Some(m) = &mirror_source.mirror {
        let pct = mirror_source
            .mirror_percentage
            .map(|p| p.value)
            .or(mirror_source.mirror_percent.map(|p| p as f64))
            .unwrap_or(100.0);
        mirrors.push(Mirror {
            host: fqdn(&m.host, namespace),
            subset: m.subset.clone(),
            percentage: pct,
        });
    }
    for m in &mirror_source.mirrors {
        mirrors.push(Mirror {
            host: fqdn(&m.destination.host, namespace),
            subset: m.destination.subset.clone(),
            percentage: m.percentage.map_or(100.0, |p| p.value),
        });
    }
    RoutePolicy {
        timeout: typed(timeout.map(String::as_str)),
        retries,
        rewrite: None,
        headers: headers.and_then(HeadersView::of),
        cors: cors.map(CorsView::of),
        fault: fault.map(|f| FaultView {
            delay: f.delay.as_ref().map(|d| FaultDelayView {
                fixed_delay: typed(d.fixed_delay.as_deref()),
                // §1.2: without `percentage`, Istio reads the deprecated
                // integer `percent` (0 when unset: never).
                percentage: d
                    .percentage
                    .map(|p| p.value)
                    .or(d.percent.map(|p| p as f64))
                    .unwrap_or(0.0),
            }),
            abort: f.abort.as_ref().map(|a| FaultAbortView {
                http_status: a.http_status,
                grpc_status: a.grpc_status.clone(),
                percentage: a.percentage.map_or(0.0, |p| p.value),
            }),
        }),
        mirrors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::common::Destination;

    #[test]
    fn a_delegate_rule_inherits_what_it_leaves_unset_from_its_root() {
        // §2.5: root timeout, retries, fault and mirror apply to delegate
        // rules that do not set them.
        let root = HttpRoute {
            timeout: Some("3s".into()),
            mirror: Some(Box::new(Destination {
                host: "audit".into(),
                ..Destination::default()
            })),
            ..HttpRoute::default()
        };
        let own = HttpRoute {
            timeout: Some("1s".into()),
            ..HttpRoute::default()
        };
        let p = route_policy(&own, Some(&root), "shop");
        assert_eq!(p.timeout, Some(Duration::from_millis(1000)));
        assert_eq!(p.mirrors[0].host, "audit.shop.svc.cluster.local");
        assert_eq!(p.mirrors[0].percentage, 100.0);
        assert!(p.retries.mesh_default);
        let none = route_policy(&HttpRoute::default(), None, "shop");
        assert_eq!((none.timeout, none.mirrors.len()), (None, 0));
    }
}
