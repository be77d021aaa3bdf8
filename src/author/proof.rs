//! The proof of a conversion: `diff`'s witness requests, routed through the
//! input and through the converted configuration by the one routing
//! engine. A subset's traffic reaching `<service>-<subset>` is the same
//! traffic; policy that does not carry over is a gap, not compared here.

use serde_json::Value;

use crate::diff::{self, Change, Comparison, Side};

/// `reviews.shop.svc.cluster.local` with subset `v1` as the converted
/// configuration names it: `reviews-v1.shop.svc.cluster.local`.
fn renamed(host: &str, subset: &str) -> String {
    match host.split_once('.') {
        Some((name, rest)) => format!("{name}-{subset}.{rest}"),
        None => format!("{host}-{subset}"),
    }
}

/// Where requests go, without policy, subsets spelled as Services.
fn normalized(outcome: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    let mut out = outcome.clone();
    out.remove("policy");
    if let Some(Value::Array(destinations)) = out.get_mut("destinations") {
        for d in destinations.iter_mut() {
            let Some(d) = d.as_object_mut() else { continue };
            d.remove("policy");
            if let (Some(Value::String(host)), Some(Value::String(subset))) =
                (d.get("host").cloned(), d.get("subset").cloned())
            {
                d.insert("host".into(), Value::String(renamed(&host, &subset)));
                d.insert("subset".into(), Value::Null);
            }
        }
    }
    out
}

/// The classes of requests that the converted configuration routes
/// elsewhere, with an example each. Requests for `added` hosts (the
/// Services written for subsets) are new, not changed.
pub fn differences(before: Side, after: Side, added: &[String]) -> Comparison {
    let mut comparison = diff::compare(before, after);
    comparison.changes.retain(|c: &Change| {
        !added.contains(&c.host) && normalized(&c.before.outcome) != normalized(&c.after.outcome)
    });
    comparison
}
