//! `meshctl shift`: the next step of a canary or blue/green rollout, written
//! into the user's own file. `target` finds the weighted route to move,
//! `strategy` computes the weights of each step, and `edit` rewrites only the
//! numbers that change, using the loader's spans.

pub mod edit;
pub mod strategy;
pub mod target;

use std::fmt;

use crate::load::Loaded;
use crate::validate::Outcome;
use target::Split;

/// Why a step could not be written.
#[derive(Debug)]
pub enum RewriteError {
    /// The file cannot take the edit (a weight the editor cannot reach).
    CannotEdit(String),
    /// The edited file, re-read, differs in more than the weights: a bug
    /// in meshctl, caught before anything is written.
    ChangedMore(String),
}

impl fmt::Display for RewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RewriteError::CannotEdit(why) => f.write_str(why),
            RewriteError::ChangedMore(file) => write!(
                f,
                "{file}: the edit would change more than the weights (a bug in meshctl; please report it); nothing written"
            ),
        }
    }
}

impl std::error::Error for RewriteError {}

/// The text of the file holding `split`'s VirtualService with the weights
/// `after` (in route order) written in: only the weights that change, and
/// `weight` keys inserted where an entry has none. The result is re-read:
/// the split's document must differ in those weights alone, and every other
/// document of the file not at all.
pub fn rewrite(outcome: &Outcome, split: &Split, after: &[u32]) -> Result<String, RewriteError> {
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
            .map_err(|e| RewriteError::CannotEdit(format!("{}: {e}", source.name)))?;
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
        .collect();
    let same = reread.documents.len() == siblings.len()
        && siblings
            .iter()
            .zip(&reread.documents)
            .all(|((i, original), new)| {
                if *i == split.doc {
                    edit::verify(&original.value, &new.value, &changes)
                } else {
                    original.value == new.value
                }
            });
    if same {
        Ok(edited)
    } else {
        Err(RewriteError::ChangedMore(source.name.clone()))
    }
}
