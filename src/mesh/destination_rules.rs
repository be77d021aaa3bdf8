//! The one DestinationRule lookup (§2.6) and the policy in force for a
//! (host, subset, port) cluster, merged block-wise (§1.3).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Mesh;
use crate::diagnostic::ResourceRef;
use crate::mesh::names::ROOT_NAMESPACE;
use crate::model::destination_rule::{
    ClientTls, ConnectionPool, LoadBalancer, OutlierDetection, Subset, TrafficPolicy,
};
use crate::model::{DestinationRule, Resource, exported_to};

/// The DestinationRules that apply to a host for a client, merged.
#[derive(Debug, Clone, Default)]
pub struct MergedRule<'c> {
    /// The rules merged, oldest first.
    pub sources: Vec<&'c Resource<DestinationRule>>,
    /// The first top-level traffic policy among them.
    pub traffic_policy: Option<&'c TrafficPolicy>,
    /// Subsets by name; a repeated name keeps the first definition.
    pub subsets: Vec<&'c Subset>,
}

/// The four policy blocks that apply to one cluster, as reported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClusterPolicy {
    /// The load balancer in words, Istio's default made explicit.
    pub load_balancer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<PoolView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_mode: Option<String>,
    /// Endpoint labels of the subset, if one is targeted.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub subset_labels: BTreeMap<String, String>,
    /// `namespace/name` of the DestinationRules the policy comes from.
    #[serde(serialize_with = "qualified_names")]
    pub destination_rules: Vec<ResourceRef>,
}

/// Resources as reports list them: `namespace/name`.
fn qualified_names<S: serde::Serializer>(refs: &[ResourceRef], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(refs.iter().map(ResourceRef::qualified))
}

/// Connection-pool limits in force; Istio applies a limit only when it is > 0 (§1.3).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http1_max_pending_requests: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http2_max_requests: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i64>,
}

/// Outlier detection with the Envoy/Istio defaults filled in (§1.3).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutlierView {
    #[serde(rename = "consecutive5xxErrors")]
    pub consecutive_5xx_errors: u64,
    pub consecutive_gateway_errors: u64,
    pub interval: String,
    pub base_ejection_time: String,
    pub max_ejection_percent: i64,
    pub min_health_percent: i64,
}

fn load_balancer_text(lb: Option<&LoadBalancer>) -> String {
    match lb {
        Some(LoadBalancer {
            consistent_hash: Some(ch),
            ..
        }) => {
            let key = if let Some(h) = &ch.http_header_name {
                format!("header {h}")
            } else if let Some(c) = &ch.http_cookie {
                format!("cookie {}", c.name)
            } else if ch.use_source_ip == Some(true) {
                "source IP".into()
            } else if let Some(q) = &ch.http_query_parameter_name {
                format!("query parameter {q}")
            } else {
                "no key".into()
            };
            let algo = if ch.maglev.is_some() {
                "MAGLEV"
            } else {
                "RING_HASH"
            };
            format!("{algo} on {key}")
        }
        // LEAST_CONN is a deprecated alias of LEAST_REQUEST.
        Some(LoadBalancer {
            simple: Some(s), ..
        }) if s == "LEAST_CONN" => "LEAST_REQUEST".into(),
        Some(LoadBalancer {
            simple: Some(s), ..
        }) if s != "UNSPECIFIED" => s.clone(),
        _ => "LEAST_REQUEST (Istio default)".into(),
    }
}

fn pool_view(p: &ConnectionPool) -> Option<PoolView> {
    let positive = |v: Option<i64>| v.filter(|v| *v > 0);
    let tcp = p.tcp.as_ref();
    let http = p.http.as_ref();
    let view = PoolView {
        max_connections: positive(tcp.and_then(|t| t.max_connections)),
        connect_timeout: tcp.and_then(|t| t.connect_timeout.clone()),
        http1_max_pending_requests: positive(http.and_then(|h| h.http1_max_pending_requests)),
        http2_max_requests: positive(http.and_then(|h| h.http2_max_requests)),
        max_requests_per_connection: positive(http.and_then(|h| h.max_requests_per_connection)),
        max_retries: positive(http.and_then(|h| h.max_retries)),
    };
    let empty = view.max_connections.is_none()
        && view.connect_timeout.is_none()
        && view.http1_max_pending_requests.is_none()
        && view.http2_max_requests.is_none()
        && view.max_requests_per_connection.is_none()
        && view.max_retries.is_none();
    (!empty).then_some(view)
}

fn outlier_view(o: &OutlierDetection) -> OutlierView {
    OutlierView {
        consecutive_5xx_errors: o.consecutive_5xx_errors.unwrap_or(5),
        consecutive_gateway_errors: o.consecutive_gateway_errors.unwrap_or(0),
        interval: o.interval.clone().unwrap_or_else(|| "10s".into()),
        base_ejection_time: o.base_ejection_time.clone().unwrap_or_else(|| "30s".into()),
        max_ejection_percent: o.max_ejection_percent.filter(|v| *v > 0).unwrap_or(10),
        min_health_percent: o.min_health_percent.unwrap_or(0),
    }
}

/// The answer to "does this destination's subset exist for this caller?".
pub enum SubsetLookup {
    /// The DestinationRule Istio picks for the caller defines it.
    Defined,
    /// The input has no DestinationRule for the host: not checked (why).
    Unchecked(String),
    /// The picked DestinationRule lacks it: why, in words.
    Missing(String),
}

impl<'c> Mesh<'c> {
    /// Istio's DestinationRule for `host` as a proxy in `client_ns` sees it:
    /// the client's namespace first, then the host's own namespace, then the
    /// root namespace; within a namespace the most specific host wins and
    /// rules for the same host are merged, oldest first.
    pub fn destination_rule(&self, host: &str, client_ns: &str) -> MergedRule<'c> {
        let rules = &self.config.destination_rules;
        // The rules for the host that the caller may use, in any namespace.
        let usable: Vec<(&'c Resource<DestinationRule>, &str)> = self
            .rule_hosts
            .matching(host)
            .map(|i| (&rules[i], self.rule_fqdns[i].as_str()))
            .filter(|(dr, _)| {
                exported_to(&dr.spec.export_to, &dr.namespace, client_ns)
                    && dr.spec.workload_selector.is_none()
            })
            .collect();
        if usable.is_empty() {
            return MergedRule::default();
        }
        let host_ns = self.host_namespace(host);
        let mut namespaces = vec![client_ns];
        namespaces.extend(host_ns);
        namespaces.push(ROOT_NAMESPACE);
        for ns in namespaces {
            let mut candidates: Vec<(&'c Resource<DestinationRule>, &str)> = usable
                .iter()
                .filter(|(dr, _)| dr.namespace == ns)
                .copied()
                .collect();
            if candidates.is_empty() {
                continue;
            }
            // Most specific: an exact host, else the longest wildcard.
            let specificity = |h: &str| if h == host { usize::MAX } else { h.len() };
            let best = candidates
                .iter()
                .map(|(_, h)| specificity(h))
                .max()
                .expect("non-empty");
            candidates.retain(|(_, h)| specificity(h) == best);
            candidates.sort_by(|(a, _), (b, _)| a.age_key().cmp(&b.age_key()));
            let mut merged = MergedRule::default();
            for (dr, _) in candidates {
                merged.sources.push(dr);
                if merged.traffic_policy.is_none() {
                    merged.traffic_policy = dr.spec.traffic_policy.as_deref();
                }
                for subset in &dr.spec.subsets {
                    if !merged.subsets.iter().any(|s| s.name == subset.name) {
                        merged.subsets.push(subset);
                    }
                }
            }
            return merged;
        }
        MergedRule::default()
    }

    /// Whether `subset` of `host` exists for a proxy in `client_ns`: the one
    /// verdict validate, route, simulate and shift give.
    pub fn subset(&self, host: &str, subset: &str, client_ns: &str) -> SubsetLookup {
        self.subset_in(
            &self.destination_rule(host, client_ns),
            host,
            subset,
            client_ns,
        )
    }

    /// [`Mesh::subset`] when the caller's DestinationRule, `effective`, is
    /// already looked up.
    pub fn subset_in(
        &self,
        effective: &MergedRule,
        host: &str,
        subset: &str,
        client_ns: &str,
    ) -> SubsetLookup {
        if effective.subset(subset).is_some() {
            return SubsetLookup::Defined;
        }
        let mut all = self.destination_rules_matching(host).peekable();
        if all.peek().is_none() {
            return SubsetLookup::Unchecked(format!(
                "subsets of {host}: the input has no DestinationRule for it"
            ));
        }
        let elsewhere: Vec<String> = all
            .filter(|dr| dr.spec.subsets.iter().any(|s| s.name == subset))
            .map(|dr| dr.id().qualified())
            .collect();
        let used = if effective.sources.is_empty() {
            format!(
                "no DestinationRule for {host} applies to a caller in namespace {client_ns} (Istio looks in the caller's namespace, then the host's, then {ROOT_NAMESPACE}, and uses only rules exported to the caller)"
            )
        } else {
            format!(
                "a caller in namespace {client_ns} uses DestinationRule {} for {host}, which does not define subset `{subset}`",
                effective.names().join(" + ")
            )
        };
        SubsetLookup::Missing(match elsewhere.as_slice() {
            [] => used,
            _ if effective.sources.is_empty() => format!(
                "{used}; DestinationRule {} defines the subset, but is not one of them",
                elsewhere.join(", ")
            ),
            _ => format!(
                "{used}; DestinationRule {} defines it, but Istio uses only one: the caller's namespace first, then the host's, then {ROOT_NAMESPACE}, the most specific host within a namespace",
                elsewhere.join(", ")
            ),
        })
    }
}

struct Blocks<'a> {
    load_balancer: Option<&'a LoadBalancer>,
    connection_pool: Option<&'a ConnectionPool>,
    outlier_detection: Option<&'a OutlierDetection>,
    tls: Option<&'a ClientTls>,
}

/// A policy's blocks for `port`: a matching port-level entry replaces the
/// whole policy (its unset blocks are defaults, not the parent's).
fn port_blocks(policy: &TrafficPolicy, port: Option<u16>) -> (Blocks<'_>, bool) {
    let level = port.and_then(|p| {
        policy
            .port_level_settings
            .iter()
            .find(|pl| pl.port.is_some_and(|s| s.number == u64::from(p)))
    });
    match level {
        Some(pl) => (
            Blocks {
                load_balancer: pl.load_balancer.as_deref(),
                connection_pool: pl.connection_pool.as_deref(),
                outlier_detection: pl.outlier_detection.as_deref(),
                tls: pl.tls.as_deref(),
            },
            true,
        ),
        None => (
            Blocks {
                load_balancer: policy.load_balancer.as_deref(),
                connection_pool: policy.connection_pool.as_deref(),
                outlier_detection: policy.outlier_detection.as_deref(),
                tls: policy.tls.as_deref(),
            },
            false,
        ),
    }
}

impl<'c> MergedRule<'c> {
    /// Whether the merged rules define `subset`.
    pub fn subset(&self, name: &str) -> Option<&'c Subset> {
        self.subsets.iter().copied().find(|s| s.name == name)
    }

    /// `namespace/name` of the merged rules.
    pub fn names(&self) -> Vec<String> {
        self.sources.iter().map(|d| d.id().qualified()).collect()
    }

    /// The typed blocks in force for (subset, port).
    pub fn blocks(&self, subset: Option<&str>, port: Option<u16>) -> EffectiveBlocks<'c> {
        let mut out = match self.traffic_policy {
            Some(p) => {
                let (b, _) = port_blocks(p, port);
                EffectiveBlocks {
                    load_balancer: b.load_balancer,
                    connection_pool: b.connection_pool,
                    outlier_detection: b.outlier_detection,
                    tls: b.tls,
                }
            }
            None => EffectiveBlocks::default(),
        };
        if let Some(policy) = subset
            .and_then(|s| self.subset(s))
            .and_then(|s| s.traffic_policy.as_ref())
        {
            let (b, port_level) = port_blocks(policy, port);
            if port_level {
                out = EffectiveBlocks {
                    load_balancer: b.load_balancer,
                    connection_pool: b.connection_pool,
                    outlier_detection: b.outlier_detection,
                    tls: b.tls,
                };
            } else {
                out.load_balancer = b.load_balancer.or(out.load_balancer);
                out.connection_pool = b.connection_pool.or(out.connection_pool);
                out.outlier_detection = b.outlier_detection.or(out.outlier_detection);
                out.tls = b.tls.or(out.tls);
            }
        }
        out
    }

    /// The policy in force for (subset, port), for display, from its blocks.
    pub fn cluster_policy(&self, blocks: &EffectiveBlocks, subset: Option<&str>) -> ClusterPolicy {
        ClusterPolicy {
            load_balancer: load_balancer_text(blocks.load_balancer),
            connection_pool: blocks.connection_pool.and_then(pool_view),
            outlier_detection: blocks.outlier_detection.map(outlier_view),
            tls_mode: blocks.tls.and_then(|t| t.mode.clone()),
            subset_labels: subset
                .and_then(|s| self.subset(s))
                .map(|s| s.labels.to_map())
                .unwrap_or_default(),
            destination_rules: self.sources.iter().map(|d| d.id()).collect(),
        }
    }
}

/// Typed policy blocks after merging.
#[derive(Debug, Clone, Copy, Default)]
pub struct EffectiveBlocks<'c> {
    pub load_balancer: Option<&'c LoadBalancer>,
    pub connection_pool: Option<&'c ConnectionPool>,
    pub outlier_detection: Option<&'c OutlierDetection>,
    pub tls: Option<&'c ClientTls>,
}
