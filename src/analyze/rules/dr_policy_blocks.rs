//! Where traffic policies sit in a DestinationRule: the top level, each
//! subset, and each `portLevelSettings` entry of both. Rules on policy
//! contents visit every block through [`policy_blocks`].

use crate::model::DestinationRule;
use crate::model::destination_rule::{
    ClientTls, ConnectionPool, LoadBalancer, OutlierDetection, TrafficPolicy,
};

/// The settings a traffic policy block holds, with its JSON pointer.
pub struct PolicyBlock<'a> {
    pub pointer: String,
    pub load_balancer: Option<&'a LoadBalancer>,
    pub connection_pool: Option<&'a ConnectionPool>,
    pub outlier_detection: Option<&'a OutlierDetection>,
    pub tls: Option<&'a ClientTls>,
}

/// Every traffic policy of the rule, with the port-level blocks after their parent.
pub fn policies(dr: &DestinationRule) -> Vec<(String, &TrafficPolicy)> {
    let top = dr
        .traffic_policy
        .as_deref()
        .map(|p| ("/spec/trafficPolicy".to_string(), p));
    let subsets = dr.subsets.iter().enumerate().filter_map(|(i, s)| {
        s.traffic_policy
            .as_deref()
            .map(|p| (format!("/spec/subsets/{i}/trafficPolicy"), p))
    });
    top.into_iter().chain(subsets).collect()
}

/// Every block of settings, top level, subsets and port levels.
pub fn policy_blocks(dr: &DestinationRule) -> Vec<PolicyBlock<'_>> {
    let mut blocks = Vec::new();
    for (at, p) in policies(dr) {
        blocks.push(PolicyBlock {
            pointer: at.clone(),
            load_balancer: p.load_balancer.as_deref(),
            connection_pool: p.connection_pool.as_deref(),
            outlier_detection: p.outlier_detection.as_deref(),
            tls: p.tls.as_deref(),
        });
        for (j, pl) in p.port_level_settings.iter().enumerate() {
            blocks.push(PolicyBlock {
                pointer: format!("{at}/portLevelSettings/{j}"),
                load_balancer: pl.load_balancer.as_deref(),
                connection_pool: pl.connection_pool.as_deref(),
                outlier_detection: pl.outlier_detection.as_deref(),
                tls: pl.tls.as_deref(),
            });
        }
    }
    blocks
}
