//! One file per rule (or per closely knit family of Istio checks on one field).

pub mod dr_load_balancer;
pub mod dr_policy_blocks;
pub mod dr_subsets;
pub mod dr_tls;
pub mod dr_traffic_policy;
pub mod export_to;
pub mod gw_servers;
pub mod gw_tls;
pub mod httproute;
pub mod k8s_gateway;
pub mod se_rules;
pub mod sidecar;
pub mod vs_cors;
pub mod vs_delegate;
pub mod vs_destinations;
pub mod vs_direct_response;
pub mod vs_fault;
pub mod vs_headers;
pub mod vs_hosts;
pub mod vs_l4_routes;
pub mod vs_match;
pub mod vs_mirror;
pub mod vs_redirect;
pub mod vs_retries;
pub mod vs_route_action;
pub mod vs_unreachable;
