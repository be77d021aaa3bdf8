//! Kubernetes object metadata and the kinds meshctl understands.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `metadata` of any object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: SmallMap,
    #[serde(default)]
    pub annotations: SmallMap,
    pub creation_timestamp: Option<String>,
}

/// A map of a few entries keyed by string (labels, annotations, header
/// matches, selectors), kept as a list sorted by key: most objects have
/// several, and a `BTreeMap`'s first node alone takes 500 bytes to 1 KB.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SmallMap<V = String>(Box<[(String, V)]>);

impl<V> Default for SmallMap<V> {
    fn default() -> Self {
        SmallMap(Box::default())
    }
}

impl<V> SmallMap<V> {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The entries, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.into_iter()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values, by key.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<V: Clone> SmallMap<V> {
    /// A copy as a map.
    pub fn to_map(&self) -> BTreeMap<String, V> {
        self.0.iter().cloned().collect()
    }
}

impl<V> FromIterator<(String, V)> for SmallMap<V> {
    /// Sorted by key; of repeated keys, the last one is kept (as a map
    /// would).
    fn from_iter<I: IntoIterator<Item = (String, V)>>(entries: I) -> Self {
        let map: BTreeMap<String, V> = entries.into_iter().collect();
        SmallMap(map.into_iter().collect())
    }
}

impl<'a, V> IntoIterator for &'a SmallMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, V)>,
        fn(&'a (String, V)) -> (&'a String, &'a V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SmallMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, V>::deserialize(deserializer)?;
        Ok(SmallMap(map.into_iter().collect()))
    }
}

/// Every kind meshctl reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    VirtualService,
    DestinationRule,
    Gateway,
    ServiceEntry,
    Sidecar,
    Service,
    Deployment,
    Pod,
    Node,
    Namespace,
    KubeGateway,
    HttpRoute,
    GrpcRoute,
    TlsRoute,
    TcpRoute,
    UdpRoute,
    ListenerSet,
    ReferenceGrant,
    GatewayClass,
}

impl Kind {
    /// Recognises `apiVersion` + `kind`; `None` for kinds meshctl skips.
    pub fn recognise(api_version: &str, kind: &str) -> Option<Kind> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let istio =
            group == "networking.istio.io" && matches!(version, "v1alpha3" | "v1beta1" | "v1");
        let gateway_api =
            group == "gateway.networking.k8s.io" && matches!(version, "v1" | "v1beta1");
        // Route kinds that were v1alpha2 (and TLSRoute v1alpha3) before v1.
        let gateway_api_alpha = group == "gateway.networking.k8s.io"
            && matches!(version, "v1" | "v1alpha2" | "v1alpha3");
        match (kind, group, version) {
            ("VirtualService", ..) if istio => Some(Kind::VirtualService),
            ("DestinationRule", ..) if istio => Some(Kind::DestinationRule),
            ("Gateway", ..) if istio => Some(Kind::Gateway),
            ("ServiceEntry", ..) if istio => Some(Kind::ServiceEntry),
            ("Sidecar", ..) if istio => Some(Kind::Sidecar),
            ("Service", "", "v1") => Some(Kind::Service),
            ("Pod", "", "v1") => Some(Kind::Pod),
            ("Deployment", "apps", "v1") => Some(Kind::Deployment),
            ("Node", "", "v1") => Some(Kind::Node),
            ("Namespace", "", "v1") => Some(Kind::Namespace),
            ("Gateway", ..) if gateway_api => Some(Kind::KubeGateway),
            ("HTTPRoute", ..) if gateway_api => Some(Kind::HttpRoute),
            ("GRPCRoute", ..) if gateway_api_alpha => Some(Kind::GrpcRoute),
            ("TLSRoute", ..) if gateway_api_alpha => Some(Kind::TlsRoute),
            ("TCPRoute", ..) if gateway_api_alpha => Some(Kind::TcpRoute),
            ("UDPRoute", ..) if gateway_api_alpha => Some(Kind::UdpRoute),
            ("ListenerSet", ..) if gateway_api => Some(Kind::ListenerSet),
            ("ReferenceGrant", ..) if gateway_api => Some(Kind::ReferenceGrant),
            ("GatewayClass", ..) if gateway_api => Some(Kind::GatewayClass),
            _ => None,
        }
    }

    /// The `kind` field as written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::VirtualService => "VirtualService",
            Kind::DestinationRule => "DestinationRule",
            Kind::Gateway | Kind::KubeGateway => "Gateway",
            Kind::ServiceEntry => "ServiceEntry",
            Kind::Sidecar => "Sidecar",
            Kind::Service => "Service",
            Kind::Deployment => "Deployment",
            Kind::Pod => "Pod",
            Kind::Node => "Node",
            Kind::Namespace => "Namespace",
            Kind::HttpRoute => "HTTPRoute",
            Kind::GrpcRoute => "GRPCRoute",
            Kind::TlsRoute => "TLSRoute",
            Kind::TcpRoute => "TCPRoute",
            Kind::UdpRoute => "UDPRoute",
            Kind::ListenerSet => "ListenerSet",
            Kind::ReferenceGrant => "ReferenceGrant",
            Kind::GatewayClass => "GatewayClass",
        }
    }

    /// The name `meshctl schema` accepts for this kind.
    pub fn schema_name(self) -> &'static str {
        match self {
            Kind::VirtualService => "virtualservice",
            Kind::DestinationRule => "destinationrule",
            Kind::Gateway => "gateway",
            Kind::ServiceEntry => "serviceentry",
            Kind::Sidecar => "sidecar",
            Kind::Service => "service",
            Kind::Deployment => "deployment",
            Kind::Pod => "pod",
            Kind::Node => "node",
            Kind::Namespace => "namespace",
            Kind::KubeGateway => "k8s-gateway",
            Kind::HttpRoute => "httproute",
            Kind::GrpcRoute => "grpcroute",
            Kind::TlsRoute => "tlsroute",
            Kind::TcpRoute => "tcproute",
            Kind::UdpRoute => "udproute",
            Kind::ListenerSet => "listenerset",
            Kind::ReferenceGrant => "referencegrant",
            Kind::GatewayClass => "gatewayclass",
        }
    }

    pub const ALL: [Kind; 19] = [
        Kind::VirtualService,
        Kind::DestinationRule,
        Kind::Gateway,
        Kind::ServiceEntry,
        Kind::Sidecar,
        Kind::Service,
        Kind::Deployment,
        Kind::Pod,
        Kind::Node,
        Kind::Namespace,
        Kind::KubeGateway,
        Kind::HttpRoute,
        Kind::GrpcRoute,
        Kind::TlsRoute,
        Kind::TcpRoute,
        Kind::UdpRoute,
        Kind::ListenerSet,
        Kind::ReferenceGrant,
        Kind::GatewayClass,
    ];

    /// Whether a Kubernetes object of this kind lives in a namespace.
    pub fn is_namespaced(self) -> bool {
        !matches!(self, Kind::GatewayClass | Kind::Node | Kind::Namespace)
    }
}
