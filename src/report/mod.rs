//! Renders findings for people (miette) and for pipelines (JSON, SARIF,
//! GitHub annotations, JUnit).

pub mod charts;
pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod route;
pub mod sarif;
pub mod shift;
pub mod simulate;
pub mod terminal;

use crate::diagnostic::Diagnostic;
use crate::load::Source;

/// A diagnostic's position, derived from its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// File name and 1-based position of a diagnostic, when it has a location.
pub fn position<'a>(diag: &Diagnostic, sources: &'a [Source]) -> Option<(&'a Source, Position)> {
    let loc = diag.location.as_ref()?;
    let source = sources.get(loc.source)?;
    let (line, column) = source.line_col(loc.span.start);
    let (end_line, end_column) = source.line_col(loc.span.end.max(loc.span.start));
    Some((
        source,
        Position {
            line,
            column,
            end_line,
            end_column,
        },
    ))
}

/// The file a diagnostic belongs to, even when it has no span.
pub fn file_name<'a>(diag: &Diagnostic, sources: &'a [Source]) -> Option<&'a str> {
    diag.location
        .as_ref()
        .and_then(|l| sources.get(l.source))
        .map(|s| s.name.as_str())
}
