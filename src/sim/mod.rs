//! `simulate`: a discrete-event model of the request stream through the
//! routing table and Envoy's resilience behaviour (§4, §6 of the semantics
//! reference). Returns plain result data; `report` renders it.

pub mod calls;
pub mod cluster;
pub mod engine;
pub mod flags;
pub mod latency;
pub mod limits;
pub mod model;
pub mod outcomes;
pub mod outlier;
pub mod pool;
pub mod retry;
pub mod scenario;
pub mod slo;
pub mod stats;
pub mod trace;

pub use model::{Model, Overrides, build};
pub use stats::SimResult;

/// Runs a model to the end; `progress` is told the fraction done now and then.
pub fn run(model: &Model, progress: &mut dyn FnMut(f64)) -> SimResult {
    engine::Engine::new(model).run(progress)
}
