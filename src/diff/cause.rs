//! Where a change comes from: the edited rule, DestinationRule, Service,
//! ServiceEntry or Gateway on the NEW side, for SARIF's note on that line.

use serde_json::Value;

use super::scope::hosts_of;
use super::{Change, ChangedResource};
use crate::diagnostic::{Location, ResourceRef};
use crate::model::Config;
use crate::validate::Outcome;

/// The changed resource that explains `change`, with the field to point
/// at; `None` when no changed resource is left on the NEW side.
fn explaining<'c>(
    change: &Change,
    changed: &'c [ChangedResource],
    config: &Config,
) -> Option<(&'c ChangedResource, String)> {
    let present = || changed.iter().filter(|c| c.new_doc.is_some());
    for rule in [&change.after.rule, &change.before.rule]
        .into_iter()
        .flatten()
    {
        if let Some(c) = present().find(|c| c.resource == rule.id) {
            let list = if c.resource.kind == "HTTPRoute" {
                "rules"
            } else {
                "http"
            };
            return Some((c, format!("/spec/{list}/{}", rule.rule_index)));
        }
    }
    let hosts: Vec<&str> = [&change.before, &change.after]
        .iter()
        .filter_map(|t| t.outcome.get("destinations").and_then(Value::as_array))
        .flatten()
        .filter_map(|d| d["host"].as_str())
        .collect();
    let serves = |c: &ChangedResource| {
        hosts_of(config, c)
            .iter()
            .any(|h| hosts.contains(&h.as_str()))
    };
    let gateway = |c: &ChangedResource| {
        c.resource.kind == "Gateway" && change.entry == c.resource.qualified()
    };
    present()
        .find(|c| gateway(c) || serves(c))
        .or_else(|| present().next())
        .map(|c| (c, "/spec".to_string()))
}

/// The line on the NEW side that causes `change`, and the resource.
pub fn locate(
    change: &Change,
    changed: &[ChangedResource],
    new: &Outcome,
) -> Option<(Location, ResourceRef)> {
    let (c, pointer) = explaining(change, changed, &new.config)?;
    let doc = &new.documents[c.new_doc?];
    Some((doc.label_location(&pointer), c.resource.clone()))
}
