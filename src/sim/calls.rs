//! Checks on the call graph a scenario describes (services calling services).

use super::model::{ClassOutcome, Model};
use super::scenario::ScenarioError;
use crate::mesh::calls::CALLS_ANNOTATION;

/// Where the calls of a group of endpoints are written.
#[derive(Debug, Clone)]
pub enum CallsSource {
    /// A scenario `calls` list, at this JSON pointer.
    Scenario(String),
    /// The annotation of this Service (`namespace/name`).
    Annotation(String),
}

impl CallsSource {
    /// The scenario pointer of call `index`'s host; the document's root for
    /// an annotation, which has no place in the scenario.
    pub fn host_pointer(&self, index: usize) -> String {
        match self {
            CallsSource::Scenario(pointer) => format!("{pointer}/{index}/service"),
            CallsSource::Annotation(_) => String::new(),
        }
    }

    /// ` (Service ns/name's meshctl.dev/calls annotation)`, or nothing for
    /// a scenario's calls.
    pub fn annotation(&self) -> String {
        match self {
            CallsSource::Scenario(_) => String::new(),
            CallsSource::Annotation(service) => {
                format!(" (Service {service}'s {CALLS_ANNOTATION} annotation)")
            }
        }
    }
}

/// The plans a plan's certain calls (probability 1) can reach, with the
/// index of the call as written.
fn certain_callees(model: &Model, plan: usize) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    let calls = model.plans[plan].steps.iter().flatten().enumerate();
    for (index, call) in calls.filter(|(_, c)| c.probability >= 1.0) {
        let ClassOutcome::Route(route) = &model.classes[call.class as usize].outcome else {
            continue;
        };
        let clusters = route.destinations.iter().filter_map(|d| d.cluster);
        for cluster in clusters {
            for &pod in &model.clusters[cluster as usize].hosts {
                if let Some((callee, _)) = model.pods[pod as usize].calls
                    && !out.contains(&(index, callee))
                {
                    out.push((index, callee));
                }
            }
        }
    }
    out
}

/// Refuses calls that loop back to a caller with certainty: every request
/// would call forever. `origins` gives each plan's host and where its calls
/// are written.
pub fn refuse_endless(
    model: &Model,
    origins: &[(String, CallsSource)],
) -> Result<(), ScenarioError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::New; model.plans.len()];
    for root in 0..model.plans.len() {
        if marks[root] != Mark::New {
            continue;
        }
        // Depth-first, with the call that led to each plan on the path.
        let mut path: Vec<(usize, Vec<(usize, u32)>)> = vec![(root, certain_callees(model, root))];
        marks[root] = Mark::OnPath;
        while let Some(top) = path.len().checked_sub(1) {
            let plan = path[top].0;
            let Some((index, callee)) = path[top].1.pop() else {
                marks[plan] = Mark::Done;
                path.pop();
                continue;
            };
            let callee = callee as usize;
            match marks[callee] {
                Mark::Done => {}
                Mark::New => {
                    marks[callee] = Mark::OnPath;
                    path.push((callee, certain_callees(model, callee)));
                }
                Mark::OnPath => {
                    let start = path.iter().position(|(p, _)| *p == callee).unwrap_or(0);
                    let hosts: Vec<&str> = path[start..]
                        .iter()
                        .map(|(p, _)| origins[*p].0.as_str())
                        .chain(std::iter::once(origins[callee].0.as_str()))
                        .collect();
                    let source = &origins[plan].1;
                    return Err(ScenarioError::at(
                        source.host_pointer(index),
                        format!(
                            "these calls loop: {}{}; every request would call forever: give one of the calls a `probability` below 1",
                            hosts.join(" -> "),
                            source.annotation()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
