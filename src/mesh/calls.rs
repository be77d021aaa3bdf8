//! The calls a Service's workloads make, as its `meshctl.dev/calls`
//! annotation lists them: validate follows them for retry and timeout
//! checks, simulate makes them when a scenario does not say otherwise.

use crate::model::{Resource, Service};

/// The annotation on a Service that lists the hosts its workloads call,
/// comma-separated; short names resolve in the Service's namespace.
pub const CALLS_ANNOTATION: &str = "meshctl.dev/calls";

/// The hosts `service`'s workloads call, as written (none without the
/// annotation).
pub fn declared_calls(service: &Resource<Service>) -> impl Iterator<Item = &str> {
    service
        .meta
        .annotations
        .get(CALLS_ANNOTATION)
        .into_iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|host| !host.is_empty())
}
