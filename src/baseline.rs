//! Baselines: the findings a project has accepted, so that CI fails only on
//! new ones. A finding is identified by its rule, file, resource and JSON
//! path, not by line, so edits elsewhere in a file do not make it "new".

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::load::Source;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub code: String,
    pub file: String,
    pub resource: String,
    pub path: String,
}

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

impl Entry {
    pub fn of(d: &Diagnostic, sources: &[Source]) -> Entry {
        Entry {
            code: d.rule.code.to_string(),
            file: d
                .location
                .as_ref()
                .map(|l| sources[l.source].name.clone())
                .unwrap_or_default(),
            resource: d
                .resource
                .as_ref()
                .map(|r| format!("{}/{}/{}", r.kind, r.namespace, r.name))
                .unwrap_or_default(),
            path: d.path.clone().unwrap_or_default(),
        }
    }
}

/// Reads a baseline written by [`write`].
pub fn read(path: &str) -> Result<BTreeSet<Entry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{path}: cannot read the baseline: {e}"))?;
    parse(path, &text)
}

/// Parses the text of the baseline at `path`.
pub fn parse(path: &str, text: &str) -> Result<BTreeSet<Entry>, String> {
    let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
        format!(
            "{path}:{}:{}: not a meshctl baseline: {e} (write one with --write-baseline)",
            e.line(),
            e.column()
        )
    })?;
    Ok(file.findings.into_iter().collect())
}

/// Writes every finding as the new baseline, atomically (temporary file and rename).
pub fn write(path: &str, diagnostics: &[Diagnostic], sources: &[Source]) -> Result<(), String> {
    let findings: BTreeSet<Entry> = diagnostics.iter().map(|d| Entry::of(d, sources)).collect();
    let text = serde_json::to_string_pretty(&BaselineFile {
        version: 1,
        findings: findings.into_iter().collect(),
    })
    .map_err(|e| e.to_string())?;
    let target = Path::new(path);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| format!("{path}: cannot write the baseline: {e}");
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, format!("{text}\n").as_bytes()).map_err(fail)?;
    tmp.persist(target).map_err(|e| fail(e.error))?;
    Ok(())
}
