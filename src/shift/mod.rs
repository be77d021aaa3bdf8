//! `meshctl shift`: the next step of a canary or blue/green rollout, written
//! into the user's own file. `target` finds the weighted route to move,
//! `strategy` computes the weights of each step, and `edit` rewrites only the
//! numbers that change, using the loader's spans.

pub mod edit;
pub mod strategy;
pub mod target;

use crate::load::Loaded;
use crate::validate::Outcome;
use target::Split;

/// The text of the file holding `split`'s VirtualService with the weights
/// `after` (in route order) written in: only the weights that change, and
/// `weight` keys inserted where an entry has none. The result is re-read and
/// must differ from the original in those weights alone.
pub fn rewrite(outcome: &Outcome, split: &Split, after: &[u32]) -> Result<String, String> {
    let doc = &outcome.documents[split.doc];
    let source = &outcome.sources[doc.source];
    let before = split.weights();
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    for (i, d) in split.destinations.iter().enumerate() {
        if before[i] == after[i] {
            continue;
        }
        let e = edit::set_weight(&source.text, doc, &d.pointer, after[i])
            .map_err(|e| format!("{}: {e}", source.name))?;
        edits.push(e);
        changes.push((d.pointer.clone(), after[i]));
    }
    let edited = edit::apply(&source.text, &edits);
    let mut reread = Loaded::default();
    reread.add_bytes(source.name.clone(), edited.clone().into_bytes());
    let siblings: Vec<_> = outcome
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.source == doc.source)
        .map(|(i, _)| i)
        .collect();
    let position = siblings.iter().position(|&i| i == split.doc);
    let same = reread.documents.len() == siblings.len()
        && position
            .and_then(|p| reread.documents.get(p))
            .is_some_and(|new| edit::verify(&doc.value, &new.value, &changes));
    if same {
        Ok(edited)
    } else {
        Err(format!(
            "{}: the edit would change more than the weights (a bug in meshctl; please report it); nothing written",
            source.name
        ))
    }
}
