//! Checks on the call graph a scenario describes (services calling services).

use super::model::{ClassOutcome, Model};
use super::scenario::ScenarioError;
use crate::mesh::calls::CALLS_ANNOTATION;

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
/// are written: a scenario pointer, or the Service whose annotation lists
/// them.
pub fn refuse_endless(model: &Model, origins: &[(String, String)]) -> Result<(), ScenarioError> {
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
                    let written = &origins[plan].1;
                    // Calls from a Service's annotation have no place in the scenario.
                    let (pointer, source) = if written.starts_with('/') {
                        (format!("{written}/{index}/service"), String::new())
                    } else {
                        (
                            String::new(),
                            format!(" ({written}'s {CALLS_ANNOTATION} annotation)"),
                        )
                    };
                    return Err(ScenarioError::at(
                        pointer,
                        format!(
                            "these calls loop: {}{source}; every request would call forever: give one of the calls a `probability` below 1",
                            hosts.join(" -> ")
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
