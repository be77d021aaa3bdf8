//! One file per rule (or per closely knit family of Istio checks on one field).

pub mod dr_subsets;
pub mod vs_destinations;
pub mod vs_fault;
pub mod vs_hosts;
pub mod vs_retries;
pub mod vs_route_action;
