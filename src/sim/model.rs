//! The simulation model: the scenario's streams routed once per request shape
//! through the routing table, clusters with their DestinationRule policy, and
//! the endpoints (pods) behind them. Everything the engine needs, owned.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::calls::CallsSource;
use super::cluster::{ClusterSpec, EjectionCap, HashKey};
use super::flags::Flags;
use super::latency::Latency;
use super::retry::RetryRule;
use super::scenario::{
    Arrival, Behaviour, CallMode, CallSpec, ErrorSpec, LatencySpec, RequestShape, Scenario,
    ScenarioError,
};
use crate::diagnostic::ResourceRef;
use crate::mesh::SubsetLookup;
use crate::mesh::calls::declared_calls;
use crate::mesh::names::fqdn;
use crate::mesh::registry::Origin;
use crate::model::Duration;
use crate::model::protocol::Protocol;
use crate::route::decision::RoutePolicy;
use crate::route::{Action, Entry, Request, RoutingTable};

/// When arrivals stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Simulated nanoseconds.
    Duration(u64),
    /// Total requests over all streams.
    Requests(u64),
}

/// A request stream.
#[derive(Debug, Clone)]
pub struct Stream {
    pub name: String,
    pub rate: f64,
    pub arrival: Arrival,
    /// Bursty on/off periods in nanoseconds.
    pub burst: (u64, u64),
    /// Client proxies `first_client .. first_client + clients`.
    pub first_client: u32,
    pub clients: u32,
    /// Cumulative mix weights and the request class of each entry.
    pub mix: Vec<(f64, u32)>,
}

/// What a request class does, decided once by the routing table.
#[derive(Debug, Clone)]
pub enum ClassOutcome {
    /// Answered by the proxy without an upstream (404 NR, redirect, direct response).
    Local {
        status: u16,
        flags: Flags,
    },
    Route(Box<RouteSpec>),
}

/// A distinct request shape of a stream.
#[derive(Debug, Clone)]
pub struct Class {
    /// `host/path` for reports, a short name completed in the caller's
    /// namespace.
    pub label: String,
    pub outcome: ClassOutcome,
}

/// One weighted destination of a route.
#[derive(Debug, Clone)]
pub struct Destination {
    /// `None` for a cluster that does not exist.
    pub cluster: Option<u32>,
    /// What a request sent to a cluster that does not exist gets, with flag
    /// NC: 503, or 500 on Gateway API routes.
    pub missing_status: u16,
    pub weight: u32,
    /// `host[/subset]` for reports.
    pub label: String,
    pub hash: HashKey,
}

/// A route's destinations and policy, compiled.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub destinations: Vec<Destination>,
    /// The destinations' weights, for the weighted pick.
    pub weights: Vec<u32>,
    /// Route timeout in nanoseconds, 0 when disabled.
    pub timeout: u64,
    /// Per-try timeout in nanoseconds, 0 when none (or ignored because ≥ timeout).
    pub per_try_timeout: u64,
    pub retry: RetryRule,
    /// Fixed delay (ns) and the fraction of requests delayed.
    pub delay: Option<(u64, f64)>,
    /// Abort status and the fraction of requests aborted.
    pub abort: Option<(u16, f64)>,
    /// Mirror clusters and the fraction of requests copied.
    pub mirrors: Vec<(u32, f64)>,
}

/// A physical endpoint (pod). Its behaviour can change during the run.
#[derive(Debug, Clone)]
pub struct Pod {
    /// `host[/subset]#index`.
    pub name: String,
    /// Index of its host in [`Model::services`].
    pub service: u32,
    pub concurrency: u32,
    pub behaviour: PodBehaviour,
    /// The calls it makes per request (index into [`Model::plans`]) and the
    /// client proxy (its own sidecar) they leave from.
    pub calls: Option<(u32, u32)>,
    /// It stops a request's work (and its calls) when the caller resets
    /// the stream.
    pub cancellable: bool,
}

/// A call an endpoint makes while it serves a request.
#[derive(Debug, Clone)]
pub struct Call {
    /// The request class, routed from the calling endpoint's sidecar.
    pub class: u32,
    pub probability: f64,
    pub optional: bool,
    /// What the request answers when this call fails.
    pub failure_status: u16,
}

/// What the endpoints of one (host, subset) call per request.
#[derive(Debug, Clone)]
pub struct CallPlan {
    /// Steps in order; the calls of one step run together.
    pub steps: Vec<Vec<Call>>,
}

/// What an endpoint does with a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodBehaviour {
    /// Index into [`Model::latencies`].
    pub latency: u32,
    pub error_rate: f64,
    pub error_status: u16,
    pub down: bool,
}

/// A change at a point of simulated time.
#[derive(Debug, Clone)]
pub enum Change {
    Pods {
        pods: Vec<u32>,
        latency: Option<u32>,
        errors: Option<(f64, u16)>,
        down: Option<bool>,
    },
    Rate {
        stream: u32,
        rate: f64,
    },
}

/// A scenario event.
#[derive(Debug, Clone)]
pub struct TimedChange {
    pub at: u64,
    pub change: Change,
    /// What changes, for reports: `v2#1: errors 100% (500)`.
    pub label: String,
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub seed: u64,
    pub stop: Stop,
    pub streams: Vec<Stream>,
    pub classes: Vec<Class>,
    pub clusters: Vec<ClusterSpec>,
    pub pods: Vec<Pod>,
    /// The hosts that have endpoints, for per-service reports.
    pub services: Vec<String>,
    pub plans: Vec<CallPlan>,
    pub latencies: Vec<Latency>,
    pub changes: Vec<TimedChange>,
    /// Client proxies: the streams' clients, then the calling endpoints'.
    pub clients: u32,
    pub ejection_cap: EjectionCap,
    /// Things worth telling the user that do not stop the run.
    pub warnings: Vec<String>,
    /// The resources the routing of the streams relies on.
    pub used: BTreeSet<ResourceRef>,
}

impl Model {
    /// Every destination an entry request may be routed to, as `host[/subset]`.
    pub fn destination_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self
            .streams
            .iter()
            .flat_map(|s| {
                s.mix
                    .iter()
                    .map(|(_, class)| &self.classes[*class as usize])
            })
            .filter_map(|c| match &c.outcome {
                ClassOutcome::Route(route) => {
                    Some(route.destinations.iter().map(|d| d.label.clone()))
                }
                ClassOutcome::Local { .. } => None,
            })
            .flatten()
            .collect();
        labels.sort();
        labels.dedup();
        labels
    }
}

/// Run-time overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub requests: Option<u64>,
    pub duration: Option<u64>,
    /// Total rate: each stream is scaled so the rates sum to it.
    pub rate: Option<f64>,
    pub seed: Option<u64>,
}

const DEFAULT_ENDPOINTS: u32 = 3;
const DEFAULT_CONCURRENCY: u32 = 64;
const DEFAULT_SEED: u64 = 1;
const DEFAULT_DURATION: u64 = 60_000_000_000;

fn default_latency() -> LatencySpec {
    LatencySpec {
        p50: Some("10ms".into()),
        p99: Some("50ms".into()),
        ..LatencySpec::default()
    }
}

fn nanos(text: &str, pointer: &str) -> Result<u64, ScenarioError> {
    Duration::parse(text)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .map_err(|e| ScenarioError::at(pointer, e.to_string()))
}

/// Nanoseconds of an optional policy duration (none and `0s` give 0).
fn policy_nanos(d: Option<Duration>) -> u64 {
    d.map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One layer of behaviour and where it was written.
type Layer<'s> = (&'s Behaviour, String);

/// The calls of a group of endpoints, compiled once every stream is routed.
struct PendingPlan<'s> {
    host: String,
    subset: String,
    pods: Vec<u32>,
    calls: Cow<'s, [CallSpec]>,
    source: CallsSource,
}

struct Builder<'s, 'c> {
    scenario: &'s Scenario,
    table: &'c RoutingTable<'c>,
    default_behaviour: Behaviour,
    model: Model,
    cluster_ids: BTreeMap<(String, String, Option<String>, Option<u16>), u32>,
    /// Pods of (host, subset-or-empty).
    groups: BTreeMap<(String, String), Vec<u32>>,
    latency_ids: BTreeMap<String, u32>,
    service_ids: BTreeMap<String, u32>,
    pending_plans: Vec<PendingPlan<'s>>,
    /// Per plan: the calling host and where its calls are written.
    plan_origins: Vec<(String, CallsSource)>,
}

impl<'s, 'c> Builder<'s, 'c> {
    fn service(&self, host: &str) -> Option<(&'s super::scenario::ServiceSpec, String)> {
        self.scenario
            .spec
            .services
            .iter()
            .find(|(name, _)| fqdn(name, "default") == host)
            .map(|(name, spec)| (spec, format!("/spec/services/{}", escape(name))))
    }

    fn latency(&mut self, spec: &LatencySpec, pointer: &str) -> Result<u32, ScenarioError> {
        if let Some(id) = self.latency_ids.get(pointer) {
            return Ok(*id);
        }
        let latency = Latency::from_spec(spec, pointer)?;
        let id = self.model.latencies.len() as u32;
        self.model.latencies.push(latency);
        self.latency_ids.insert(pointer.to_string(), id);
        Ok(id)
    }

    /// Resolves behaviour from the most specific layer that sets each field.
    fn behaviour(&mut self, layers: &[Layer<'s>]) -> Result<(PodBehaviour, u32), ScenarioError> {
        let default = &self.default_behaviour;
        let latency = layers
            .iter()
            .rev()
            .find_map(|(b, at)| {
                b.latency
                    .as_ref()
                    .map(|l| (l.clone(), format!("{at}/latency")))
            })
            .or_else(|| {
                default
                    .latency
                    .clone()
                    .map(|l| (l, "/spec/defaults/latency".into()))
            })
            .unwrap_or_else(|| (default_latency(), "(built-in default latency)".into()));
        let errors: ErrorSpec = layers
            .iter()
            .rev()
            .find_map(|(b, _)| b.errors)
            .or(default.errors)
            .unwrap_or_default();
        let down = layers
            .iter()
            .rev()
            .find_map(|(b, _)| b.down)
            .or(default.down)
            .unwrap_or(false);
        let concurrency = layers
            .iter()
            .rev()
            .find_map(|(b, _)| b.concurrency)
            .or(default.concurrency)
            .unwrap_or(DEFAULT_CONCURRENCY);
        Ok((
            PodBehaviour {
                latency: self.latency(&latency.0, &latency.1)?,
                error_rate: errors.rate,
                error_status: errors.status.unwrap_or(503),
                down,
            },
            concurrency,
        ))
    }

    /// `host` (written `name` in the scenario); an error (with the closest
    /// host) when the manifests describe where it would be defined and do
    /// not define it: nothing could be simulated for it.
    fn known_host(&self, name: &str, host: String, pointer: &str) -> Result<String, ScenarioError> {
        let mesh = self.table.mesh();
        if mesh.defines(&host) != Some(false) {
            return Ok(host);
        }
        let hint = mesh
            .closest_host(&host)
            .map_or(String::new(), |c| format!("; did you mean `{c}`?"));
        Err(ScenarioError::at(
            pointer,
            format!(
                "`{name}` is not a host of the manifests: no Service or ServiceEntry defines {host}{hint}"
            ),
        ))
    }

    /// Checks that `subset` is a subset of `host`'s DestinationRule.
    fn known_subset(&self, host: &str, subset: &str, pointer: &str) -> Result<(), ScenarioError> {
        let known = self.dr_subsets(host, "default");
        if known.iter().any(|k| k == subset) {
            return Ok(());
        }
        let defined = if known.is_empty() {
            "no DestinationRule for the host defines subsets".to_string()
        } else {
            format!("its DestinationRule defines {}", known.join(", "))
        };
        let hint = crate::schema::did_you_mean(subset, known.iter().map(String::as_str))
            .map_or(String::new(), |best| format!("; did you mean `{best}`?"));
        let message = format!("subset `{subset}` of {host} is not defined: {defined}{hint}");
        Err(ScenarioError::at(pointer, message))
    }

    /// The subsets a host's DestinationRules define (seen from `namespace`).
    fn dr_subsets(&self, host: &str, namespace: &str) -> Vec<String> {
        self.table
            .mesh()
            .destination_rule(host, namespace)
            .subsets
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// The pods of (host, subset), created on first use.
    fn group(&mut self, host: &str, subset: &str) -> Result<Vec<u32>, ScenarioError> {
        let key = (host.to_string(), subset.to_string());
        if let Some(pods) = self.groups.get(&key) {
            return Ok(pods.clone());
        }
        let service = self.service(host);
        let mut subset_names = self.dr_subsets(host, "default");
        if let Some((spec, _)) = &service {
            for name in spec.subsets.keys() {
                if !subset_names.contains(name) {
                    subset_names.push(name.clone());
                }
            }
        }
        if subset.is_empty() && !subset_names.is_empty() {
            // The plain host: every subset's pods.
            let mut all = Vec::new();
            for name in subset_names {
                all.extend(self.group(host, &name)?);
            }
            self.groups.insert(key, all.clone());
            return Ok(all);
        }
        let mut layers: Vec<Layer<'s>> = Vec::new();
        let mut overrides = None;
        let mut calls: Option<(&'s [CallSpec], String)> = None;
        let mut cancellable = false;
        if let Some((spec, at)) = service {
            layers.push((&spec.behaviour, at.clone()));
            overrides = Some((&spec.endpoint_overrides, format!("{at}/endpointOverrides")));
            calls = spec.calls.as_deref().map(|c| (c, format!("{at}/calls")));
            cancellable = spec.cancellable;
            if let Some(sub) = spec.subsets.get(subset) {
                let sub_at = format!("{at}/subsets/{}", escape(subset));
                layers.push((&sub.behaviour, sub_at.clone()));
                overrides = Some((
                    &sub.endpoint_overrides,
                    format!("{sub_at}/endpointOverrides"),
                ));
                if let Some(own) = &sub.calls {
                    calls = Some((own, format!("{sub_at}/calls")));
                }
            }
        }
        let count = layers
            .iter()
            .rev()
            .find_map(|(b, _)| b.endpoints)
            .or(self.default_behaviour.endpoints)
            .unwrap_or(DEFAULT_ENDPOINTS);
        if let Some((map, at)) = &overrides
            && let Some(bad) = map
                .keys()
                .find(|k| k.parse::<u32>().map_or(true, |i| i >= count))
        {
            return Err(ScenarioError::at(
                format!("{at}/{bad}"),
                format!(
                    "endpoint {bad} does not exist: there are {count} (0..{})",
                    count.saturating_sub(1)
                ),
            ));
        }
        let service_id = self.service_id(host);
        let mut pods = Vec::new();
        for index in 0..count {
            let mut own = layers.clone();
            if let Some((map, at)) = &overrides
                && let Some(b) = map.get(&index.to_string())
            {
                own.push((b, format!("{at}/{index}")));
            }
            let (behaviour, concurrency) = self.behaviour(&own)?;
            let name = if subset.is_empty() {
                format!("{host}#{index}")
            } else {
                format!("{host}/{subset}#{index}")
            };
            pods.push(self.model.pods.len() as u32);
            self.model.pods.push(Pod {
                name,
                service: service_id,
                concurrency,
                behaviour,
                calls: None,
                cancellable,
            });
        }
        self.groups.insert(key, pods.clone());
        let (calls, source) = match calls {
            Some((calls, pointer)) => (Cow::Borrowed(calls), CallsSource::Scenario(pointer)),
            None => self.annotated_calls(host),
        };
        if !calls.is_empty() && !pods.is_empty() {
            self.pending_plans.push(PendingPlan {
                host: host.to_string(),
                subset: subset.to_string(),
                pods: pods.clone(),
                calls,
                source,
            });
        }
        Ok(pods)
    }

    /// The calls that `host`'s Service annotation lists, for a host the
    /// scenario gives none.
    fn annotated_calls(&self, host: &str) -> (Cow<'s, [CallSpec]>, CallsSource) {
        let Some(Origin::Service(service)) =
            self.table.mesh().registry_host(host).map(|h| h.origin)
        else {
            return (Cow::Borrowed(&[]), CallsSource::Annotation(String::new()));
        };
        let calls = declared_calls(service)
            .map(|called| CallSpec {
                service: called.to_string(),
                ..CallSpec::default()
            })
            .collect();
        let name = format!("{}/{}", service.namespace, service.name());
        (Cow::Owned(calls), CallsSource::Annotation(name))
    }

    /// The index of `host` in the model's services.
    fn service_id(&mut self, host: &str) -> u32 {
        if let Some(id) = self.service_ids.get(host) {
            return *id;
        }
        let id = self.model.services.len() as u32;
        self.model.services.push(host.to_string());
        self.service_ids.insert(host.to_string(), id);
        id
    }

    /// Who the endpoints of (host, subset) are to the mesh when they call:
    /// their namespace, and the labels of their Service's selector and of
    /// their DestinationRule subset.
    fn caller(&self, host: &str, subset: &str) -> (String, BTreeMap<String, String>) {
        let mesh = self.table.mesh();
        let namespace = mesh.host_namespace(host).unwrap_or("default").to_string();
        let mut labels = match mesh.registry_host(host).map(|h| h.origin) {
            Some(Origin::Service(service)) => service.spec.selector.to_map(),
            _ => BTreeMap::new(),
        };
        if let Some(own) = mesh
            .destination_rule(host, &namespace)
            .subsets
            .iter()
            .find(|s| s.name == subset)
        {
            labels.extend(own.labels.to_map());
        }
        (namespace, labels)
    }

    /// Routes one request shape, sent from `namespace` with `labels` at
    /// `entry`, into a request class; `host_at` points at its host.
    fn class(
        &mut self,
        shape: &RequestShape,
        entry: &Entry,
        namespace: &str,
        labels: &BTreeMap<String, String>,
        host_at: &str,
    ) -> Result<u32, ScenarioError> {
        let mut req = Request::new(&shape.host);
        req.path = shape.path.clone().unwrap_or_else(|| "/".into());
        req.method = shape
            .method
            .clone()
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        req.port = shape.port;
        req.entry = entry.clone();
        req.source_namespace = namespace.to_string();
        req.source_labels = labels.clone();
        for (k, v) in &shape.headers {
            req.add_header(k, v);
        }
        let decision = self
            .table
            .route(&req)
            .map_err(|e| ScenarioError::at(host_at, e.0))?;
        if decision.action == Action::Passthrough {
            let name = shape
                .host
                .rsplit_once(':')
                .map_or(shape.host.as_str(), |(h, _)| h);
            // The service the caller's DNS would find for a short name.
            let host = crate::mesh::names::search_path_expansion(name, &req.source_namespace)
                .unwrap_or_else(|| name.to_string());
            self.known_host(name, host, host_at)?;
        }
        self.model.used.extend(decision.used_resources());
        let outcome = match (decision.action, &decision.policy) {
            (Action::Route | Action::DefaultRoute | Action::Passthrough, Some(policy))
                if !decision.destinations.is_empty() =>
            {
                ClassOutcome::Route(Box::new(self.route_spec(&decision, policy, &req)?))
            }
            _ => ClassOutcome::Local {
                status: decision.status,
                flags: decision
                    .response_flags
                    .iter()
                    .filter_map(|f| Flags::named(f))
                    .fold(Flags::NONE, Flags::with),
            },
        };
        // A short name as the caller's DNS would complete it.
        let host = fqdn(&shape.host, namespace);
        let class = self.model.classes.len() as u32;
        self.model.classes.push(Class {
            label: format!("{host}{}", req.path),
            outcome,
        });
        Ok(class)
    }

    /// Compiles the calls of one group of endpoints, each pod with its own
    /// client proxy.
    fn plan(&mut self, pending: &PendingPlan<'s>) -> Result<(), ScenarioError> {
        let (namespace, labels) = self.caller(&pending.host, &pending.subset);
        let mut steps: Vec<Vec<Call>> = Vec::new();
        let mut previous_parallel = false;
        for (i, c) in pending.calls.iter().enumerate() {
            let shape = RequestShape {
                host: c.service.clone(),
                path: c.path.clone(),
                method: c.method.clone(),
                port: c.port,
                headers: c.headers.clone(),
            };
            let host_at = pending.source.host_pointer(i);
            let class = match self.class(&shape, &Entry::Mesh, &namespace, &labels, &host_at) {
                Ok(class) => class,
                Err(e) if matches!(pending.source, CallsSource::Annotation(_)) => {
                    self.model.warnings.push(format!(
                        "`{}`{} is left out: {}",
                        c.service,
                        pending.source.annotation(),
                        e.message
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let call = Call {
                class,
                probability: c.probability.unwrap_or(1.0),
                optional: c.optional,
                failure_status: c.failure_status.unwrap_or(500),
            };
            let parallel = c.mode == CallMode::Parallel;
            match steps.last_mut() {
                Some(step) if parallel && previous_parallel => step.push(call),
                _ => steps.push(vec![call]),
            }
            previous_parallel = parallel;
        }
        let id = self.model.plans.len() as u32;
        self.model.plans.push(CallPlan { steps });
        self.plan_origins
            .push((pending.host.clone(), pending.source.clone()));
        for &pod in &pending.pods {
            self.model.pods[pod as usize].calls = Some((id, self.model.clients));
            self.model.clients += 1;
        }
        Ok(())
    }

    /// Whether Envoy speaks HTTP/2 to this upstream: an `http2` or `grpc`
    /// port, or an HTTP port under `h2UpgradePolicy: UPGRADE` (Istio's mesh
    /// default is DO_NOT_UPGRADE).
    fn multiplexed(
        &self,
        host: &str,
        port: Option<u16>,
        blocks: &crate::mesh::destination_rules::EffectiveBlocks,
    ) -> bool {
        let upgrade = blocks
            .connection_pool
            .and_then(|p| p.http.as_ref())
            .and_then(|h| h.h2_upgrade_policy.as_deref())
            == Some("UPGRADE");
        match self.table.mesh().port_protocol(host, port) {
            Some(p) => p.is_http2() || (upgrade && p == Protocol::Http),
            None => false,
        }
    }

    fn cluster(
        &mut self,
        namespace: &str,
        host: &str,
        subset: Option<&str>,
        port: Option<u16>,
        blocks: &crate::mesh::destination_rules::EffectiveBlocks,
    ) -> Result<u32, ScenarioError> {
        let key = (
            namespace.to_string(),
            host.to_string(),
            subset.map(str::to_string),
            port,
        );
        if let Some(id) = self.cluster_ids.get(&key) {
            return Ok(*id);
        }
        let hosts = self.group(host, subset.unwrap_or(""))?;
        let id = self.model.clusters.len() as u32;
        let multiplexed = self.multiplexed(host, port, blocks);
        let mut spec = ClusterSpec::new(host, subset, hosts, blocks, multiplexed);
        spec.service = self.service_id(host);
        self.model.clusters.push(spec);
        self.cluster_ids.insert(key, id);
        Ok(id)
    }

    fn route_spec(
        &mut self,
        decision: &crate::route::Decision<'c>,
        policy: &RoutePolicy,
        req: &Request,
    ) -> Result<RouteSpec, ScenarioError> {
        let ns = req.source_namespace.clone();
        let mut destinations = Vec::new();
        for d in &decision.destinations {
            let cluster = if d.response_flag.is_some() {
                None
            } else {
                Some(self.cluster(&ns, &d.host, d.subset.as_deref(), d.port, &d.blocks)?)
            };
            let hash = cluster
                .map(|c| self.model.clusters[c as usize].hash_key(req))
                .unwrap_or(HashKey::Random);
            destinations.push(Destination {
                label: match &d.subset {
                    Some(s) => format!("{}/{s}", d.host),
                    None => d.host.clone(),
                },
                cluster,
                missing_status: d.status,
                weight: if decision.destinations.len() == 1 {
                    1
                } else {
                    d.weight
                },
                hash,
            });
        }
        destinations.retain(|d| d.weight > 0);
        let timeout = policy_nanos(policy.timeout);
        let per_try = policy_nanos(policy.retries.per_try_timeout);
        // §4.2: a per-try timeout ≥ the route timeout is ignored.
        let per_try_timeout = if timeout != 0 && per_try >= timeout {
            0
        } else {
            per_try
        };
        let backoff_ms = policy_nanos(Some(policy.retries.backoff)) / 1_000_000;
        let fault = policy.fault.as_ref();
        let delay = fault
            .and_then(|f| f.delay.as_ref())
            .filter(|d| d.percentage > 0.0)
            .map(|d| (policy_nanos(d.fixed_delay), d.percentage / 100.0));
        let abort = fault
            .and_then(|f| f.abort.as_ref())
            .filter(|a| a.percentage > 0.0)
            .map(|a| {
                // A gRPC abort is an HTTP 200 carrying grpc-status.
                let status = a.http_status.map_or(200, |s| s.clamp(200, 599) as u16);
                (status, a.percentage / 100.0)
            });
        let mut mirrors = Vec::new();
        for m in &policy.mirrors {
            let mesh = self.table.mesh();
            let merged = mesh.destination_rule(&m.host, &ns);
            if let Some(s) = m.subset.as_deref()
                && let SubsetLookup::Missing(_) = mesh.subset_in(&merged, &m.host, s, &ns)
            {
                continue;
            }
            let blocks = merged.blocks(m.subset.as_deref(), None);
            let id = self.cluster(&ns, &m.host, m.subset.as_deref(), None, &blocks)?;
            mirrors.push((id, m.percentage / 100.0));
        }
        Ok(RouteSpec {
            weights: destinations.iter().map(|d| d.weight).collect(),
            destinations,
            timeout,
            per_try_timeout,
            retry: RetryRule::new(&policy.retries, backoff_ms),
            delay,
            abort,
            mirrors,
        })
    }
}

/// `service[/subset][#endpoint]: what changes`, for reports.
fn event_label(event: &super::scenario::EventSpec, service: &str) -> String {
    let mut target = service.split('.').next().unwrap_or(service).to_string();
    if let Some(subset) = &event.subset {
        target = format!("{target}/{subset}");
    }
    if let Some(endpoint) = event.endpoint {
        target = format!("{target}#{endpoint}");
    }
    let mut what = Vec::new();
    if let Some(e) = event.errors {
        what.push(if e.rate > 0.0 {
            format!("errors {}% ({})", e.rate * 100.0, e.status.unwrap_or(503))
        } else {
            "no errors".to_string()
        });
    }
    match event.down {
        Some(true) => what.push("down".to_string()),
        Some(false) => what.push("up".to_string()),
        None => {}
    }
    if event.latency.is_some() {
        what.push("new latency".to_string());
    }
    format!("{target}: {}", what.join(", "))
}

/// JSON-pointer escaping of one segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Builds the model of `scenario` over `table`.
pub fn build(
    scenario: &Scenario,
    table: &RoutingTable,
    overrides: &Overrides,
) -> Result<Model, ScenarioError> {
    let spec = &scenario.spec;
    let stop = match (
        overrides.requests,
        overrides.duration,
        spec.requests,
        &spec.duration,
    ) {
        (Some(n), _, _, _) => Stop::Requests(n),
        (None, Some(d), _, _) => Stop::Duration(d),
        (None, None, Some(n), _) => Stop::Requests(n),
        (None, None, None, Some(d)) => Stop::Duration(nanos(d, "/spec/duration")?),
        _ => Stop::Duration(DEFAULT_DURATION),
    };
    let ejection_cap = match spec.proxy.ejection_cap.as_deref() {
        Some("before-ejection") => EjectionCap::BeforeEjection,
        _ => EjectionCap::AfterEjection,
    };
    let mut b = Builder {
        scenario,
        table,
        default_behaviour: spec.defaults.clone().unwrap_or_default(),
        model: Model {
            name: scenario
                .metadata
                .name
                .clone()
                .unwrap_or_else(|| "scenario".into()),
            seed: overrides.seed.or(spec.seed).unwrap_or(DEFAULT_SEED),
            stop,
            streams: Vec::new(),
            classes: Vec::new(),
            clusters: Vec::new(),
            pods: Vec::new(),
            services: Vec::new(),
            plans: Vec::new(),
            latencies: Vec::new(),
            changes: Vec::new(),
            clients: 0,
            ejection_cap,
            warnings: Vec::new(),
            used: BTreeSet::new(),
        },
        cluster_ids: BTreeMap::new(),
        groups: BTreeMap::new(),
        latency_ids: BTreeMap::new(),
        service_ids: BTreeMap::new(),
        pending_plans: Vec::new(),
        plan_origins: Vec::new(),
    };
    for (name, service) in &spec.services {
        let at = format!("/spec/services/{}", escape(name));
        let host = b.known_host(name, fqdn(name, "default"), &at)?;
        for subset in service.subsets.keys() {
            b.known_subset(&host, subset, &format!("{at}/subsets/{}", escape(subset)))?;
        }
    }
    let total_rate: f64 = spec.traffic.iter().map(|t| t.rate).sum();
    let scale = overrides.rate.map_or(1.0, |r| r / total_rate);
    for (i, traffic) in spec.traffic.iter().enumerate() {
        let at = format!("/spec/traffic/{i}");
        let gateway = traffic.gateway.as_deref().unwrap_or("mesh");
        let entry = table
            .entry_for(gateway)
            .map_err(|e| ScenarioError::at(format!("{at}/gateway"), e.0))?;
        let mut mix = Vec::new();
        let mut cumulative = 0.0;
        let namespace = traffic
            .source_namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        for (j, m) in traffic.mix.iter().enumerate() {
            let class = b.class(
                &m.request,
                &entry,
                &namespace,
                &traffic.source_labels,
                &format!("{at}/mix/{j}/request/host"),
            )?;
            cumulative += m.weight.unwrap_or(1.0);
            mix.push((cumulative, class));
        }
        if cumulative <= 0.0 {
            return Err(ScenarioError::at(
                format!("{at}/mix"),
                "every mix weight is 0",
            ));
        }
        let clients = traffic.clients.unwrap_or(1);
        let burst = match &traffic.burst {
            Some(burst) => (
                burst
                    .on
                    .as_deref()
                    .map_or(Ok(1_000_000_000), |d| nanos(d, &format!("{at}/burst/on")))?,
                burst
                    .off
                    .as_deref()
                    .map_or(Ok(1_000_000_000), |d| nanos(d, &format!("{at}/burst/off")))?,
            ),
            None => (1_000_000_000, 1_000_000_000),
        };
        b.model.streams.push(Stream {
            name: traffic
                .name
                .clone()
                .unwrap_or_else(|| format!("traffic-{i}")),
            rate: traffic.rate * scale,
            arrival: traffic.arrival,
            burst,
            first_client: b.model.clients,
            clients,
            mix,
        });
        b.model.clients += clients;
    }
    for (i, event) in spec.events.iter().enumerate() {
        let at = format!("/spec/events/{i}");
        let time = nanos(&event.at, &format!("{at}/at"))?;
        if let Some(name) = &event.traffic {
            let stream = b
                .model
                .streams
                .iter()
                .position(|s| &s.name == name)
                .ok_or_else(|| {
                    ScenarioError::at(
                        format!("{at}/traffic"),
                        format!("no traffic stream is named `{name}`"),
                    )
                })?;
            let rate = event
                .rate
                .ok_or_else(|| ScenarioError::at(&at, "a traffic event needs `rate`"))?;
            b.model.changes.push(TimedChange {
                at: time,
                change: Change::Rate {
                    stream: stream as u32,
                    rate: rate * scale,
                },
                label: format!("{name}: {} requests/s", rate * scale),
            });
            continue;
        }
        let Some(service) = &event.service else {
            return Err(ScenarioError::at(
                &at,
                "an event needs `service` (or `traffic` and `rate`)",
            ));
        };
        let host = b.known_host(service, fqdn(service, "default"), &format!("{at}/service"))?;
        if let Some(subset) = &event.subset {
            b.known_subset(&host, subset, &format!("{at}/subset"))?;
        }
        let mut pods = b.group(&host, event.subset.as_deref().unwrap_or(""))?;
        if let Some(index) = event.endpoint {
            let pod = pods.get(index as usize).copied().ok_or_else(|| {
                ScenarioError::at(
                    format!("{at}/endpoint"),
                    format!(
                        "endpoint {index} does not exist: there are {} (0..{})",
                        pods.len(),
                        pods.len().saturating_sub(1)
                    ),
                )
            })?;
            pods = vec![pod];
        }
        let latency = match &event.latency {
            Some(l) => Some(b.latency(l, &format!("{at}/latency"))?),
            None => None,
        };
        b.model.changes.push(TimedChange {
            at: time,
            label: event_label(event, service),
            change: Change::Pods {
                pods,
                latency,
                errors: event.errors.map(|e| (e.rate, e.status.unwrap_or(503))),
                down: event.down,
            },
        });
    }
    b.model.changes.sort_by_key(|c| c.at);
    // Compiling calls can reach new endpoints, which may call in turn.
    loop {
        let batch = std::mem::take(&mut b.pending_plans);
        if batch.is_empty() {
            break;
        }
        for pending in &batch {
            b.plan(pending)?;
        }
    }
    super::calls::refuse_endless(&b.model, &b.plan_origins)?;
    super::limits::check(&b.model, overrides)?;
    for name in spec.services.keys() {
        let host = fqdn(name, "default");
        if !b.groups.keys().any(|(h, _)| *h == host) {
            b.model.warnings.push(format!(
                "scenario service `{name}` receives no traffic: no request of the mix is routed to it"
            ));
        }
    }
    Ok(b.model)
}
