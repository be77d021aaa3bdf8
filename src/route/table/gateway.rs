//! A gateway's virtual hosts for the port a request arrives on, built as
//! Istio's `buildGatewayHTTPRouteConfig` builds them
//! (pilot/pkg/networking/core/gateway.go): each server on the port takes
//! the VirtualServices bound to it, a virtual host per host in both the
//! server's and the VirtualService's hosts (the more specific of the two),
//! and the routes of every VirtualService giving that host, merged. Envoy
//! then serves the request by the most specific domain. The proxy serves
//! the servers of every Gateway that selects it (Istio merges them), and a
//! host any server marks `tls.httpsRedirect` requires TLS. A Gateway API
//! Gateway first picks the listener that accepts the request (listener
//! isolation): the most specific hostname on the port.

use super::{CompiledVs, RouteEntry, RoutingTable, no_route, specificity};
use crate::model::gateway::Server;
use crate::model::host::host_matches;
use crate::model::{Gateway, Kind, Resource};
use crate::route::decision::{Action, Decision};
use crate::route::request::Request;

/// A server of a Gateway the proxy serves.
struct GatewayServer<'g> {
    /// `namespace/name` of its Gateway.
    gw_ref: String,
    /// Its hosts (see [`server_hosts`]).
    hosts: Vec<(Option<&'g str>, &'g str)>,
    server: &'g Server,
}

/// One virtual host of the route configuration being built.
struct VirtualHost {
    domain: String,
    /// The VirtualServices whose routes it merges, by table index.
    members: Vec<usize>,
    /// A server with `tls.httpsRedirect` gives the host: plain HTTP is
    /// redirected to https.
    require_tls: bool,
}

/// A server's host as `(namespace, dns)`: `ns/host` admits VirtualServices
/// of `ns` (`.` the gateway's), `*/host` and a bare host any.
fn server_hosts<'g>(
    server: &'g Server,
    gw: &'g Resource<Gateway>,
) -> Vec<(Option<&'g str>, &'g str)> {
    server
        .hosts
        .iter()
        .map(|h| match h.split_once('/') {
            Some((".", dns)) => (Some(gw.namespace.as_str()), dns),
            Some(("*", dns)) => (None, dns),
            Some((ns, dns)) => (Some(ns), dns),
            None => (None, h.as_str()),
        })
        .collect()
}

/// The host a server host and a VirtualService host both cover, the more
/// specific of the two (Istio's `host.Names.Intersection`).
fn intersection<'h>(server: &'h str, vs: &'h str) -> Option<&'h str> {
    if host_matches(server, vs) {
        Some(vs)
    } else if host_matches(vs, server) {
        Some(server)
    } else {
        None
    }
}

impl<'c> RoutingTable<'c> {
    pub(super) fn route_gateway(&self, req: &Request, gw: &'c Resource<Gateway>) -> Decision<'c> {
        let gw_ref = gw.id().qualified();
        let host = req.host().to_ascii_lowercase();
        let port = req.arrival_port();
        // The servers on the port of every Gateway the proxies serve.
        let mut servers: Vec<GatewayServer> = self
            .mesh
            .merged_gateways(gw)
            .into_iter()
            .flat_map(|g| {
                let gw_ref = g.id().qualified();
                g.spec.servers.iter().map(move |server| GatewayServer {
                    gw_ref: gw_ref.clone(),
                    hosts: server_hosts(server, g),
                    server,
                })
            })
            .filter(|s| {
                port.is_none_or(|p| {
                    s.server
                        .port
                        .as_ref()
                        .is_some_and(|sp| sp.number == u64::from(p))
                })
            })
            .collect();
        let accepts = |s: &GatewayServer| -> Option<usize> {
            s.hosts
                .iter()
                .filter(|(_, dns)| host_matches(dns, &host))
                .map(|(_, dns)| specificity(dns, &host))
                .max()
        };
        let Some(best) = servers.iter().filter_map(accepts).max() else {
            return no_route(format!(
                "gateway {gw_ref} has no server for host {host}{}",
                port.map(|p| format!(" on port {p}")).unwrap_or_default()
            ));
        };
        let isolated = gw.kind == Kind::KubeGateway;
        if isolated {
            servers.retain(|s| accepts(s) == Some(best));
        }
        let vhosts = self.virtual_hosts(&servers, &host);
        let Some(vhost) = vhosts.iter().max_by_key(|v| specificity(&v.domain, &host)) else {
            return no_route(format!(
                "no VirtualService bound to gateway {gw_ref} serves host {host}"
            ));
        };
        let listener = isolated.then(|| {
            let names: Vec<&str> = servers
                .iter()
                .filter_map(|s| s.server.name.as_deref())
                .collect();
            format!(" listener {}", names.join(" + "))
        });
        // A server that terminates TLS on the port makes the request https.
        let tls = servers.iter().any(|s| {
            s.server
                .port
                .as_ref()
                .is_some_and(|p| p.protocol.eq_ignore_ascii_case("HTTPS"))
        });
        let mut members = vhost.members.clone();
        let mut d = if vhost.require_tls && !tls {
            https_redirect(req)
        } else {
            let mut arrived = req.clone();
            if tls {
                arrived.scheme = "https".into();
            }
            let entries: Vec<RouteEntry> = self.merged_entries(&mut members);
            self.evaluate(&arrived, &entries, port, &gw_ref)
        };
        let names: Vec<String> = members
            .iter()
            .map(|&i| {
                let res = self.vss[i].res;
                format!("{} {}/{}", res.kind.as_str(), res.namespace, res.meta.name)
            })
            .collect();
        let mut sources = vec![if names.is_empty() {
            "no VirtualService".to_string()
        } else {
            names.join(" + ")
        }];
        if vhost.require_tls {
            sources.push("tls.httpsRedirect".into());
        }
        d.virtual_host = Some(format!(
            "{} on gateway {gw_ref}{} ({})",
            vhost.domain,
            listener.unwrap_or_default(),
            sources.join("; ")
        ));
        d
    }

    /// The virtual hosts `servers` give whose domain covers `host`, in the
    /// order Istio builds them (the others cannot serve the request).
    fn virtual_hosts(&self, servers: &[GatewayServer], host: &str) -> Vec<VirtualHost> {
        let mut vhosts: Vec<VirtualHost> = Vec::new();
        let mut add = |domain: &str, member: Option<usize>, require_tls: bool| {
            if !host_matches(domain, host) {
                return;
            }
            let at = match vhosts.iter().position(|v| v.domain == domain) {
                Some(at) => at,
                None => {
                    vhosts.push(VirtualHost {
                        domain: domain.to_string(),
                        members: Vec::new(),
                        require_tls: false,
                    });
                    vhosts.len() - 1
                }
            };
            let v = &mut vhosts[at];
            if let Some(m) = member.filter(|m| !v.members.contains(m)) {
                v.members.push(m);
            }
            v.require_tls |= require_tls;
        };
        for s in servers {
            let hosts = &s.hosts;
            let redirect = s.server.tls.as_ref().is_some_and(|t| t.https_redirect);
            for &i in self.bound_to(&s.gw_ref) {
                let vs = &self.vss[i];
                if !on_listener(vs, s.server) {
                    continue;
                }
                for (ns, dns) in hosts {
                    if ns.is_some_and(|ns| ns != vs.res.namespace) {
                        continue;
                    }
                    for h in &vs.hosts {
                        if let Some(domain) = intersection(dns, h) {
                            add(domain, Some(i), redirect);
                        }
                    }
                }
            }
            if redirect {
                for (_, dns) in hosts {
                    add(dns, None, true);
                }
            }
        }
        vhosts
    }
}

/// Whether `vs`, bound to the server's gateway, is bound to `server`: one
/// generated from an HTTPRoute names the listeners it attaches to.
fn on_listener(vs: &CompiledVs, server: &Server) -> bool {
    let listeners = &vs.res.spec.listeners;
    listeners.is_empty() || server.name.as_ref().is_some_and(|n| listeners.contains(n))
}

/// Envoy's answer on a virtual host that requires TLS to a plain request:
/// 301 to the same authority and path over https.
fn https_redirect(req: &Request) -> Decision<'static> {
    Decision {
        matched: None,
        action: Action::Redirect,
        status: 301,
        response_flags: Vec::new(),
        virtual_host: None,
        note: Some("the server sets tls.httpsRedirect: plain HTTP is sent to https".into()),
        location: Some(format!("https://{}{}", req.authority, req.path)),
        destinations: Vec::new(),
        trace: Vec::new(),
        policy: None,
    }
}
