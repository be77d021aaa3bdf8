//! One file per rule (or per closely knit family of Istio checks on one field).

pub mod vs_hosts;
