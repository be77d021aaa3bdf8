//! What routing decided for a request, and why: plain data that `report`
//! renders and `sim` consumes.

use serde::Serialize;

use super::rewrite::{CorsView, Forwarded, HeadersView};
use crate::diagnostic::ResourceRef;
use crate::mesh::destination_rules::{ClusterPolicy, EffectiveBlocks};
use crate::model::Duration;

/// The rule that took the request.
#[derive(Debug, Clone, Serialize)]
pub struct Matched {
    pub resource: ResourceRef,
    pub rule_index: usize,
    pub rule_name: Option<String>,
    pub match_index: Option<usize>,
    /// For a delegated rule: the delegate VirtualService and its rule index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate: Option<(ResourceRef, usize)>,
}

/// What became of a rule/match the router considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Matched,
    NoMatch,
    /// Dropped at config time for this proxy (port, gateways, source).
    Skipped,
}

/// One considered rule/match and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep {
    pub resource: ResourceRef,
    pub rule_index: usize,
    pub rule_name: Option<String>,
    pub match_index: Option<usize>,
    pub outcome: Outcome,
    pub reason: String,
}

/// A destination of the chosen route with its share and cluster policy.
#[derive(Debug, Clone, Serialize)]
pub struct RoutedDestination<'c> {
    /// Fully qualified host.
    pub host: String,
    pub subset: Option<String>,
    pub port: Option<u16>,
    pub weight: u32,
    /// Expected fraction of requests (weight / Σ weights; 1 for a lone destination).
    pub share: f64,
    /// 503 with flag NC when the cluster does not exist (unknown host or
    /// subset, a refused backendRef); 500 on Gateway API routes.
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_flag: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Header operations of this destination (an HTTPRoute backendRef's filters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<HeadersView>,
    pub policy: ClusterPolicy,
    #[serde(skip)]
    pub blocks: EffectiveBlocks<'c>,
}

/// The retry policy in force, Istio's default spelled out when none is set.
#[derive(Debug, Clone, Serialize)]
pub struct RetryPolicy {
    /// Retries after the first try (0: none).
    pub attempts: u32,
    pub retry_on: String,
    pub per_try_timeout: Option<Duration>,
    /// Base back-off interval (Envoy caps each wait at 10 × base).
    pub backoff: Duration,
    /// Whether retries avoid the hosts already tried: Istio's
    /// `retryIgnorePreviousHosts`, true when unset (§4.1).
    #[serde(skip)]
    pub avoid_previous_hosts: bool,
    /// True when the VirtualService sets no `retries` and the mesh default applies.
    pub mesh_default: bool,
}

/// Route-level policy: timeout, retries, fault, mirrors.
#[derive(Debug, Clone, Serialize)]
pub struct RoutePolicy {
    /// The route timeout; none (`disabled` in reports) is Istio's default.
    #[serde(serialize_with = "timeout_text")]
    pub timeout: Option<Duration>,
    pub retries: RetryPolicy,
    /// The path and authority the backend receives, when the route rewrites them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<Forwarded>,
    /// Header operations of the route on the request and the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<HeadersView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors: Option<CorsView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<FaultView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
}

/// A route timeout as reports show it: `disabled` when none is set.
fn timeout_text<S: serde::Serializer>(t: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(d) => s.collect_str(d),
        None => s.serialize_str("disabled"),
    }
}

/// Fault injection as configured: each part applies to `percentage` % of requests.
#[derive(Debug, Clone, Serialize)]
pub struct FaultView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<FaultDelayView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort: Option<FaultAbortView>,
}

/// An injected delay.
#[derive(Debug, Clone, Serialize)]
pub struct FaultDelayView {
    pub fixed_delay: Option<Duration>,
    pub percentage: f64,
}

/// An injected abort.
#[derive(Debug, Clone, Serialize)]
pub struct FaultAbortView {
    pub http_status: Option<i64>,
    pub grpc_status: Option<String>,
    pub percentage: f64,
}

/// A shadow destination and the share of requests copied to it.
#[derive(Debug, Clone, Serialize)]
pub struct Mirror {
    pub host: String,
    pub subset: Option<String>,
    pub percentage: f64,
}

impl Decision<'_> {
    /// The resources the answer relies on: the matched VirtualService or
    /// HTTPRoute, its delegate, and the DestinationRules of the destinations.
    pub fn used_resources(&self) -> Vec<ResourceRef> {
        let mut used = Vec::new();
        if let Some(m) = &self.matched {
            used.push(m.resource.clone());
            used.extend(m.delegate.iter().map(|(r, _)| r.clone()));
        }
        for d in &self.destinations {
            used.extend(d.policy.destination_rules.iter().cloned());
        }
        used
    }
}

/// What happens to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Forwarded to the weighted destinations.
    Route,
    Redirect,
    DirectResponse,
    /// No VirtualService: the default route to a registry service.
    DefaultRoute,
    /// No VirtualService and an unknown host: ALLOW_ANY passthrough.
    Passthrough,
    /// No route matched: 404 NR.
    NoRoute,
}

impl Action {
    /// The name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Route => "route",
            Action::Redirect => "redirect",
            Action::DirectResponse => "direct_response",
            Action::DefaultRoute => "default_route",
            Action::Passthrough => "passthrough",
            Action::NoRoute => "no_route",
        }
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The routing outcome for one request.
#[derive(Debug, Clone, Serialize)]
pub struct Decision<'c> {
    pub matched: Option<Matched>,
    pub action: Action,
    pub status: u16,
    pub response_flags: Vec<&'static str>,
    /// The virtual host (domain) that served the request, and why.
    pub virtual_host: Option<String>,
    /// Why no virtual host or route took the request, when none did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub destinations: Vec<RoutedDestination<'c>>,
    pub trace: Vec<TraceStep>,
    pub policy: Option<RoutePolicy>,
}
