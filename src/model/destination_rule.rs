//! DestinationRule (networking.istio.io v1alpha3, v1beta1, v1).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SmallMap;
use super::common::{PortSelector, WorkloadSelector};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DestinationRule {
    pub host: String,
    pub traffic_policy: Option<Box<TrafficPolicy>>,
    pub subsets: Vec<Subset>,
    pub export_to: Vec<String>,
    pub workload_selector: Option<WorkloadSelector>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Subset {
    pub name: String,
    pub labels: SmallMap,
    pub traffic_policy: Option<Box<TrafficPolicy>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TrafficPolicy {
    pub load_balancer: Option<Box<LoadBalancer>>,
    pub connection_pool: Option<Box<ConnectionPool>>,
    pub outlier_detection: Option<Box<OutlierDetection>>,
    pub tls: Option<Box<ClientTls>>,
    pub port_level_settings: Vec<PortTrafficPolicy>,
    pub tunnel: Option<Box<Tunnel>>,
    pub proxy_protocol: Option<Box<ProxyProtocol>>,
    pub retry_budget: Option<Box<RetryBudget>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PortTrafficPolicy {
    pub port: Option<PortSelector>,
    pub load_balancer: Option<Box<LoadBalancer>>,
    pub connection_pool: Option<Box<ConnectionPool>>,
    pub outlier_detection: Option<Box<OutlierDetection>>,
    pub tls: Option<Box<ClientTls>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LoadBalancer {
    pub simple: Option<String>,
    pub consistent_hash: Option<ConsistentHash>,
    pub locality_lb_setting: Option<LocalityLbSetting>,
    pub zone_aware_lb_setting: Option<serde_json::Value>,
    pub warmup_duration_secs: Option<String>,
    pub warmup: Option<Warmup>,
    pub backend_utilization: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsistentHash {
    pub http_header_name: Option<String>,
    pub http_cookie: Option<HttpCookie>,
    pub use_source_ip: Option<bool>,
    pub http_query_parameter_name: Option<String>,
    pub ring_hash: Option<RingHash>,
    pub maglev: Option<Maglev>,
    pub minimum_ring_size: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpCookie {
    pub name: String,
    pub path: Option<String>,
    pub ttl: Option<String>,
    pub attributes: Vec<CookieAttribute>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CookieAttribute {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RingHash {
    pub minimum_ring_size: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Maglev {
    pub table_size: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Warmup {
    pub duration: Option<String>,
    pub minimum_percent: Option<f64>,
    pub aggression: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LocalityLbSetting {
    pub enabled: Option<bool>,
    pub distribute: Vec<LocalityDistribute>,
    pub failover: Vec<LocalityFailover>,
    pub failover_priority: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LocalityDistribute {
    pub from: String,
    pub to: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LocalityFailover {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConnectionPool {
    pub tcp: Option<TcpSettings>,
    pub http: Option<HttpSettings>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TcpSettings {
    pub max_connections: Option<i64>,
    pub connect_timeout: Option<String>,
    pub tcp_keepalive: Option<TcpKeepalive>,
    pub max_connection_duration: Option<String>,
    pub idle_timeout: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TcpKeepalive {
    pub probes: Option<u64>,
    pub time: Option<String>,
    pub interval: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpSettings {
    pub http1_max_pending_requests: Option<i64>,
    pub http2_max_requests: Option<i64>,
    pub max_requests_per_connection: Option<i64>,
    pub max_retries: Option<i64>,
    pub idle_timeout: Option<String>,
    pub h2_upgrade_policy: Option<String>,
    pub use_client_protocol: Option<bool>,
    pub max_concurrent_streams: Option<i64>,
    pub http2_keep_alive: Option<Http2KeepAlive>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Http2KeepAlive {
    pub interval: Option<String>,
    pub timeout: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OutlierDetection {
    pub consecutive_errors: Option<i64>,
    pub consecutive_5xx_errors: Option<u64>,
    pub consecutive_gateway_errors: Option<u64>,
    pub consecutive_local_origin_failures: Option<u64>,
    pub split_external_local_origin_errors: Option<bool>,
    pub interval: Option<String>,
    pub base_ejection_time: Option<String>,
    pub max_ejection_percent: Option<i64>,
    pub min_health_percent: Option<i64>,
    pub outlier_detection_http_error_codes: Vec<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClientTls {
    pub mode: Option<String>,
    pub client_certificate: Option<String>,
    pub private_key: Option<String>,
    pub ca_certificates: Option<String>,
    pub credential_name: Option<String>,
    pub subject_alt_names: Vec<String>,
    pub sni: Option<String>,
    pub insecure_skip_verify: Option<bool>,
    pub ca_crl: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Tunnel {
    pub protocol: Option<String>,
    pub target_host: String,
    pub target_port: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProxyProtocol {
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RetryBudget {
    pub percent: Option<f64>,
    pub min_retry_concurrency: Option<u64>,
    pub budget_interval: Option<String>,
}
