//! The service a pattern is written for: from the user's Service and
//! Deployment manifests when `--from` gives them, else from the flags alone.

use std::collections::BTreeMap;

use crate::model::Config;
use crate::model::host::service_fqdn;

/// Labels that tell a service's versions apart, in order of preference.
const VERSION_KEYS: &[&str] = &["version", "app.kubernetes.io/version"];

/// The service being routed, and what is known about its versions.
#[derive(Debug, Clone)]
pub struct Target {
    pub service: String,
    pub namespace: String,
    /// The port to route to: `--port`, else the Service's (its only, or
    /// its first HTTP port); none when neither says.
    pub port: Option<u16>,
    /// Labels that select the service's pods.
    pub selector: BTreeMap<String, String>,
    /// The label whose values name versions (subsets).
    pub version_key: String,
    /// Values of that label on the Service's workloads; empty when not known.
    pub versions: Vec<String>,
    /// The input (`--from`) defines the Service.
    pub defined: bool,
    /// Pods behind the Service in the input; 0 when not known.
    pub replicas: u64,
    /// `targetPort` of the routed port, as the Service writes it.
    pub target_port: Option<serde_json::Value>,
}

impl Target {
    /// `service.namespace.svc.cluster.local`.
    pub fn host(&self) -> String {
        service_fqdn(&self.service, &self.namespace)
    }

    /// The labels of the pods of `version`.
    pub fn version_labels(&self, version: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(self.version_key.clone(), version.to_string())])
    }

    /// Refuses a version that the workloads of `--from` do not run.
    pub fn require(&self, version: &str, flag: &str) -> Result<(), String> {
        if self.versions.is_empty() || self.versions.iter().any(|v| v == version) {
            return Ok(());
        }
        Err(format!(
            "{flag} {version}: the workloads behind Service {}/{} have {} {}",
            self.namespace,
            self.service,
            self.version_key,
            self.versions.join(", ")
        ))
    }
}

/// The target `service` in `namespace`, read from `config` (the `--from`
/// manifests; empty without them).
pub fn discover(
    config: &Config,
    service: &str,
    namespace: &str,
    port: Option<u16>,
) -> Result<Target, String> {
    let mut target = Target {
        service: service.to_string(),
        namespace: namespace.to_string(),
        port,
        selector: BTreeMap::from([("app".to_string(), service.to_string())]),
        version_key: VERSION_KEYS[0].to_string(),
        versions: Vec::new(),
        defined: false,
        replicas: 0,
        target_port: None,
    };
    let Some(found) = config
        .services
        .iter()
        .rev()
        .find(|s| s.name() == service && s.namespace == namespace)
    else {
        if config.services.is_empty() {
            return Ok(target);
        }
        return Err(format!(
            "--from has no Service {namespace}/{service}; it has {}",
            config
                .services
                .iter()
                .map(|s| format!("{}/{}", s.namespace, s.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    target.defined = true;
    if !found.spec.selector.is_empty() {
        target.selector = found.spec.selector.to_map();
    }
    let ports = &found.spec.ports;
    if let Some(wanted) = port {
        if !ports.is_empty() && !ports.iter().any(|p| p.port == u64::from(wanted)) {
            let have: Vec<String> = ports.iter().map(|p| p.port.to_string()).collect();
            return Err(format!(
                "--port {wanted}: Service {namespace}/{service} exposes {}",
                have.join(", ")
            ));
        }
    } else {
        let http = ports.iter().find(|p| {
            p.name
                .as_deref()
                .is_some_and(|n| n == "http" || n.starts_with("http-"))
        });
        target.port = http
            .or(ports.first())
            .and_then(|p| u16::try_from(p.port).ok());
    }
    target.target_port = ports
        .iter()
        .find(|p| target.port.is_some_and(|n| p.port == u64::from(n)))
        .and_then(|p| p.target_port.clone());
    let workloads: Vec<_> = config
        .workloads
        .iter()
        .filter(|w| w.namespace == namespace)
        .filter(|w| {
            target
                .selector
                .iter()
                .all(|(k, v)| w.spec.labels.get(k) == Some(v))
        })
        .collect();
    target.replicas = workloads.iter().map(|w| w.spec.replicas).sum();
    let pods: Vec<&BTreeMap<String, String>> = workloads.iter().map(|w| &w.spec.labels).collect();
    if let Some(key) = VERSION_KEYS
        .iter()
        .find(|k| pods.iter().any(|labels| labels.contains_key(**k)))
    {
        target.version_key = key.to_string();
        let mut versions: Vec<String> = pods
            .iter()
            .filter_map(|labels| labels.get(*key).cloned())
            .collect();
        versions.sort();
        versions.dedup();
        target.versions = versions;
    }
    Ok(target)
}
