//! Typed resources read from documents, and the configuration they form.

pub mod attachment;
pub mod common;
pub mod destination_rule;
pub mod duration;
pub mod gateway;
pub mod gateway_api;
pub mod generated;
pub mod host;
pub mod kube;
pub mod labels;
pub mod meta;
pub mod protocol;
pub mod service_entry;
pub mod sidecar;
pub mod virtual_service;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use destination_rule::DestinationRule;
pub use duration::Duration;
pub use gateway::Gateway;
pub use gateway_api::{
    GatewayClassSpec, HttpRouteSpec, KubeGateway, ListenerSetSpec, ReferenceGrantSpec, RouteSpec,
};
pub use kube::{Namespace, Node, Service, Workload};
pub use meta::{Kind, ObjectMeta, SmallMap};
pub use service_entry::ServiceEntry;
pub use sidecar::Sidecar;
pub use virtual_service::VirtualService;

use crate::diagnostic::ResourceRef;
use crate::load::Document;
use crate::load::spans::escape;

/// A typed object with its identity and the document it came from.
#[derive(Debug, Clone)]
pub struct Resource<T> {
    pub kind: Kind,
    pub meta: ObjectMeta,
    /// `metadata.namespace`, or the default namespace when absent.
    pub namespace: String,
    pub spec: T,
    /// Index of the document in the loaded document list.
    pub doc: usize,
}

impl<T> Resource<T> {
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    /// Istio's age order for resources of one kind: creation time, then
    /// name, then namespace (a missing timestamp sorts first).
    pub fn age_key(&self) -> (&str, &str, &str) {
        (
            self.meta.creation_timestamp.as_deref().unwrap_or(""),
            &self.meta.name,
            &self.namespace,
        )
    }

    pub fn id(&self) -> ResourceRef {
        id_of(self.kind, &self.meta.name, &self.namespace)
    }
}

/// The identity of the resource of `kind` named `name` in `namespace`.
pub fn id_of(kind: Kind, name: &str, namespace: &str) -> ResourceRef {
    ResourceRef {
        kind: kind.as_str().to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
    }
}

/// Whether a resource in `own_namespace` with this `exportTo` is visible to
/// `client_namespace` (empty means everywhere, Istio's default `*`).
pub fn exported_to(export_to: &[String], own_namespace: &str, client_namespace: &str) -> bool {
    export_to.is_empty()
        || export_to.iter().any(|e| {
            e == "*" || e == client_namespace || (e == "." && own_namespace == client_namespace)
        })
}

/// Every recognised resource of the input, by kind.
#[derive(Debug, Default)]
pub struct Config {
    pub virtual_services: Vec<Resource<VirtualService>>,
    pub destination_rules: Vec<Resource<DestinationRule>>,
    pub gateways: Vec<Resource<Gateway>>,
    pub service_entries: Vec<Resource<ServiceEntry>>,
    pub sidecars: Vec<Resource<Sidecar>>,
    pub services: Vec<Resource<Service>>,
    pub workloads: Vec<Resource<Workload>>,
    pub nodes: Vec<Resource<Node>>,
    pub namespaces: Vec<Resource<Namespace>>,
    pub kube_gateways: Vec<Resource<KubeGateway>>,
    pub http_routes: Vec<Resource<HttpRouteSpec>>,
    /// GRPCRoutes, TLSRoutes, TCPRoutes and UDPRoutes (by their `kind`).
    pub routes: Vec<Resource<RouteSpec>>,
    pub listener_sets: Vec<Resource<ListenerSetSpec>>,
    pub reference_grants: Vec<Resource<ReferenceGrantSpec>>,
    pub gateway_classes: Vec<Resource<GatewayClassSpec>>,
    /// What Istio derives from the Gateway API objects (see [`Config::derive`]).
    pub generated: generated::Generated,
}

/// A resource defined more than once: `kubectl apply` keeps the last
/// definition in input order, so the earlier one is dropped.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub resource: ResourceRef,
    /// The document of the dropped definition.
    pub dropped: usize,
    /// The document of the definition kept.
    pub kept: usize,
}

/// Keeps the last of each (kind, namespace, name) in `list` (which is in
/// input order), noting the dropped ones in `out`.
fn keep_last<T>(list: &mut Vec<Resource<T>>, out: &mut Vec<Duplicate>) {
    use std::collections::hash_map::Entry;
    let mut keep = vec![true; list.len()];
    let mut kept_doc = std::collections::HashMap::new();
    for (i, r) in list.iter().enumerate().rev() {
        if r.meta.name.is_empty() {
            continue;
        }
        match kept_doc.entry((r.kind, r.namespace.as_str(), r.meta.name.as_str())) {
            Entry::Occupied(kept) => {
                keep[i] = false;
                out.push(Duplicate {
                    resource: r.id(),
                    dropped: r.doc,
                    kept: *kept.get(),
                });
            }
            Entry::Vacant(slot) => {
                slot.insert(r.doc);
            }
        }
    }
    drop(kept_doc);
    let mut keep = keep.into_iter();
    list.retain(|_| keep.next().unwrap_or(true));
}

/// A document that could not be read as its kind: where and why.
#[derive(Debug, Clone)]
pub struct ReadError {
    pub pointer: String,
    pub message: String,
}

/// The kind of a document, if meshctl knows it.
pub fn classify(doc: &Document) -> Option<Kind> {
    Kind::recognise(doc.api_version(), doc.kind())
}

impl Config {
    /// Number of resources of every kind.
    pub fn len(&self) -> usize {
        self.virtual_services.len()
            + self.destination_rules.len()
            + self.gateways.len()
            + self.service_entries.len()
            + self.sidecars.len()
            + self.services.len()
            + self.workloads.len()
            + self.nodes.len()
            + self.namespaces.len()
            + self.kube_gateways.len()
            + self.http_routes.len()
            + self.routes.len()
            + self.listener_sets.len()
            + self.reference_grants.len()
            + self.gateway_classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every definition of a resource but the last in input order,
    /// as `kubectl apply` does, and says which were dropped.
    pub fn drop_duplicates(&mut self) -> Vec<Duplicate> {
        let mut out = Vec::new();
        keep_last(&mut self.virtual_services, &mut out);
        keep_last(&mut self.destination_rules, &mut out);
        keep_last(&mut self.gateways, &mut out);
        keep_last(&mut self.service_entries, &mut out);
        keep_last(&mut self.sidecars, &mut out);
        keep_last(&mut self.services, &mut out);
        keep_last(&mut self.workloads, &mut out);
        keep_last(&mut self.nodes, &mut out);
        keep_last(&mut self.namespaces, &mut out);
        keep_last(&mut self.kube_gateways, &mut out);
        keep_last(&mut self.http_routes, &mut out);
        keep_last(&mut self.routes, &mut out);
        keep_last(&mut self.listener_sets, &mut out);
        keep_last(&mut self.reference_grants, &mut out);
        keep_last(&mut self.gateway_classes, &mut out);
        out.sort_by_key(|d| d.dropped);
        out
    }

    /// Derives the Istio Gateways and VirtualServices of the Gateway API
    /// objects, once every document has been added.
    pub fn derive(&mut self) {
        self.generated = generated::generate(self);
    }

    /// Makes room for the resources `typed` before they are inserted one by
    /// one: a list grown by doubling touches up to three times the memory
    /// it ends with (on a 10k-resource input, megabytes).
    pub fn reserve_for<'t>(&mut self, typed: impl IntoIterator<Item = &'t Typed>) {
        let mut counts: Vec<(std::mem::Discriminant<Typed>, &Typed, usize)> = Vec::new();
        for t in typed {
            let kind = std::mem::discriminant(t);
            match counts.iter_mut().find(|(k, _, _)| *k == kind) {
                Some((_, _, n)) => *n += 1,
                None => counts.push((kind, t, 1)),
            }
        }
        for (_, example, n) in counts {
            match example {
                Typed::VirtualService(_) => self.virtual_services.reserve_exact(n),
                Typed::DestinationRule(_) => self.destination_rules.reserve_exact(n),
                Typed::Gateway(_) => self.gateways.reserve_exact(n),
                Typed::ServiceEntry(_) => self.service_entries.reserve_exact(n),
                Typed::Sidecar(_) => self.sidecars.reserve_exact(n),
                Typed::Service(_) => self.services.reserve_exact(n),
                Typed::Workload(_) => self.workloads.reserve_exact(n),
                Typed::Node(_) => self.nodes.reserve_exact(n),
                Typed::Namespace(_) => self.namespaces.reserve_exact(n),
                Typed::KubeGateway(_) => self.kube_gateways.reserve_exact(n),
                Typed::HttpRoute(_) => self.http_routes.reserve_exact(n),
                Typed::Route(_) => self.routes.reserve_exact(n),
                Typed::ListenerSet(_) => self.listener_sets.reserve_exact(n),
                Typed::ReferenceGrant(_) => self.reference_grants.reserve_exact(n),
                Typed::GatewayClass(_) => self.gateway_classes.reserve_exact(n),
            }
        }
    }

    /// Adds a resource read before.
    pub fn insert(&mut self, typed: Typed) {
        match typed {
            Typed::VirtualService(r) => self.virtual_services.push(r),
            Typed::DestinationRule(r) => self.destination_rules.push(r),
            Typed::Gateway(r) => self.gateways.push(r),
            Typed::ServiceEntry(r) => self.service_entries.push(*r),
            Typed::Sidecar(r) => self.sidecars.push(*r),
            Typed::Service(r) => self.services.push(r),
            Typed::Workload(r) => self.workloads.push(r),
            Typed::Node(r) => self.nodes.push(r),
            Typed::Namespace(r) => self.namespaces.push(r),
            Typed::KubeGateway(r) => self.kube_gateways.push(r),
            Typed::HttpRoute(r) => self.http_routes.push(r),
            Typed::Route(r) => self.routes.push(r),
            Typed::ListenerSet(r) => self.listener_sets.push(r),
            Typed::ReferenceGrant(r) => self.reference_grants.push(r),
            Typed::GatewayClass(r) => self.gateway_classes.push(r),
        }
    }
}

/// One document read as its kind, ready to be added to a [`Config`]:
/// documents are read independently (in parallel), then added in order.
#[derive(Debug)]
pub enum Typed {
    VirtualService(Resource<VirtualService>),
    DestinationRule(Resource<DestinationRule>),
    Gateway(Resource<Gateway>),
    /// Boxed, as Sidecar: the two largest (400 bytes), where the others
    /// take at most 312 and every document read holds one until it is added.
    ServiceEntry(Box<Resource<ServiceEntry>>),
    Sidecar(Box<Resource<Sidecar>>),
    Service(Resource<Service>),
    Workload(Resource<Workload>),
    Node(Resource<Node>),
    Namespace(Resource<Namespace>),
    KubeGateway(Resource<KubeGateway>),
    HttpRoute(Resource<HttpRouteSpec>),
    Route(Resource<RouteSpec>),
    ListenerSet(Resource<ListenerSetSpec>),
    ReferenceGrant(Resource<ReferenceGrantSpec>),
    GatewayClass(Resource<GatewayClassSpec>),
}

impl Typed {
    /// Records that the resource was read from document `doc` of the input.
    pub fn set_doc(&mut self, doc: usize) {
        match self {
            Typed::VirtualService(r) => r.doc = doc,
            Typed::DestinationRule(r) => r.doc = doc,
            Typed::Gateway(r) => r.doc = doc,
            Typed::ServiceEntry(r) => r.doc = doc,
            Typed::Sidecar(r) => r.doc = doc,
            Typed::Service(r) => r.doc = doc,
            Typed::Workload(r) => r.doc = doc,
            Typed::Node(r) => r.doc = doc,
            Typed::Namespace(r) => r.doc = doc,
            Typed::KubeGateway(r) => r.doc = doc,
            Typed::HttpRoute(r) => r.doc = doc,
            Typed::Route(r) => r.doc = doc,
            Typed::ListenerSet(r) => r.doc = doc,
            Typed::ReferenceGrant(r) => r.doc = doc,
            Typed::GatewayClass(r) => r.doc = doc,
        }
    }

    /// Reads a document as `kind` (its index is set when it is added, see
    /// [`Typed::set_doc`]).
    pub fn read(doc: &Document, kind: Kind, default_namespace: &str) -> Result<Typed, ReadError> {
        let meta: ObjectMeta = read(&doc.value, "metadata")?;
        let namespace = match &meta.namespace {
            Some(ns) if !ns.is_empty() => ns.clone(),
            _ => default_namespace.to_string(),
        };
        macro_rules! resource {
            ($spec:expr) => {
                Resource {
                    kind,
                    meta,
                    namespace,
                    spec: $spec,
                    doc: 0,
                }
            };
        }
        Ok(match kind {
            Kind::VirtualService => Typed::VirtualService(resource!(read(&doc.value, "spec")?)),
            Kind::DestinationRule => Typed::DestinationRule(resource!(read(&doc.value, "spec")?)),
            Kind::Gateway => Typed::Gateway(resource!(read(&doc.value, "spec")?)),
            Kind::ServiceEntry => {
                let mut spec: ServiceEntry = read(&doc.value, "spec")?;
                let status: service_entry::ServiceEntryStatus = read(&doc.value, "status")?;
                spec.allocated = !status.addresses.is_empty();
                Typed::ServiceEntry(Box::new(resource!(spec)))
            }
            Kind::Service => Typed::Service(resource!(read(&doc.value, "spec")?)),
            Kind::Sidecar => Typed::Sidecar(Box::new(resource!(read(&doc.value, "spec")?))),
            Kind::KubeGateway => Typed::KubeGateway(resource!(read(&doc.value, "spec")?)),
            Kind::HttpRoute => Typed::HttpRoute(resource!(read(&doc.value, "spec")?)),
            Kind::GrpcRoute | Kind::TlsRoute | Kind::TcpRoute | Kind::UdpRoute => {
                Typed::Route(resource!(read(&doc.value, "spec")?))
            }
            Kind::ListenerSet => Typed::ListenerSet(resource!(read(&doc.value, "spec")?)),
            Kind::ReferenceGrant => Typed::ReferenceGrant(resource!(read(&doc.value, "spec")?)),
            Kind::GatewayClass => Typed::GatewayClass(resource!(read(&doc.value, "spec")?)),
            Kind::Deployment => {
                let spec: kube::DeploymentSpec = read(&doc.value, "spec")?;
                let workload = Workload {
                    labels: spec.template.metadata.labels,
                    replicas: spec.replicas.unwrap_or(1),
                    node_name: spec.template.spec.node_name,
                };
                Typed::Workload(resource!(workload))
            }
            Kind::Pod => {
                let spec: kube::PodSpec = read(&doc.value, "spec")?;
                let workload = Workload {
                    labels: meta.labels.to_map(),
                    replicas: 1,
                    node_name: spec.node_name,
                };
                Typed::Workload(resource!(workload))
            }
            Kind::Node => Typed::Node(resource!(Node)),
            Kind::Namespace => Typed::Namespace(resource!(Namespace)),
        })
    }
}

/// Deserializes `value[field]` (absent means empty), reporting where it failed.
fn read<T: DeserializeOwned + Default>(value: &Value, field: &str) -> Result<T, ReadError> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(inner) => deserialize_at(inner, &format!("/{field}")),
    }
}

/// Deserializes `value`, which sits at JSON pointer `prefix`; an error names
/// the pointer of the offending field.
pub fn deserialize_at<T: DeserializeOwned>(value: &Value, prefix: &str) -> Result<T, ReadError> {
    // The fast path; the path of a failure is found by reading again.
    if let Ok(read) = T::deserialize(value) {
        return Ok(read);
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let mut pointer = prefix.to_string();
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push_str(&format!("/{index}"))
                }
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&escape(key));
                }
                _ => {}
            }
        }
        ReadError {
            pointer,
            message: err.into_inner().to_string(),
        }
    })
}
