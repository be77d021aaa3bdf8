//! What a pattern routes, independent of the API that writes it: rules in
//! order, each with its conditions, its weighted versions and its policy.

/// A condition of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    PathPrefix(String),
    Header { name: String, value: String },
}

/// A version the rule sends traffic to, with its weight in a split.
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    /// The version (subset); none for the service as a whole.
    pub version: Option<String>,
    pub weight: Option<u32>,
}

/// Retries of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Retries {
    pub attempts: u32,
    pub per_try_timeout: Option<String>,
    pub retry_on: String,
}

/// One routing rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    /// Every condition must hold; none: every request.
    pub conditions: Vec<Condition>,
    pub backends: Vec<Backend>,
    pub timeout: Option<String>,
    pub retries: Option<Retries>,
}

/// Connection-pool limits and outlier detection for the service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub max_connections: Option<u32>,
    pub max_pending: Option<u32>,
    pub consecutive_5xx: Option<u32>,
    pub ejection_time: Option<String>,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}

/// Where the rules apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Inside the mesh: every caller of the service.
    Mesh,
    /// At the ingress gateway, for `host` (HTTPS with the certificate in
    /// secret `tls_secret`, plain HTTP redirecting to it).
    Gateway {
        host: String,
        tls_secret: Option<String>,
    },
}

/// Everything a pattern writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The resource names' stem (the service's name).
    pub name: String,
    pub entry: Entry,
    pub rules: Vec<Rule>,
    /// Versions the rules name, in order of first use.
    pub versions: Vec<String>,
    pub policy: Policy,
}

impl Plan {
    /// The name of the plan's ingress Gateway.
    pub fn gateway_name(&self) -> String {
        format!("{}-gateway", self.name)
    }

    /// Collects the versions the rules name.
    pub fn with_versions(mut self) -> Plan {
        for backend in self.rules.iter().flat_map(|r| &r.backends) {
            if let Some(v) = &backend.version
                && !self.versions.contains(v)
            {
                self.versions.push(v.clone());
            }
        }
        self
    }
}
