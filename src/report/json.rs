//! `--format json`: `{"version":1,"diagnostics":[...],"summary":{...}}`.

use serde::Serialize;

use super::{file_name, position};
use crate::diagnostic::{Diagnostic, ResourceRef};
use crate::load::Source;
use crate::validate::Summary;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    rule: &'static str,
    severity: &'static str,
    message: &'a str,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    resource: Option<&'a ResourceRef>,
    path: Option<&'a str>,
    istio_code: Option<&'static str>,
    label: Option<&'a str>,
    help: Option<&'a str>,
}

/// Renders the whole report as pretty JSON.
pub fn render(diagnostics: &[Diagnostic], sources: &[Source], summary: &Summary) -> String {
    let diagnostics = diagnostics
        .iter()
        .map(|d| {
            let pos = position(d, sources).map(|(_, p)| p);
            JsonDiagnostic {
                code: d.rule.code,
                rule: d.rule.name,
                severity: d.severity.as_str(),
                message: &d.message,
                file: file_name(d, sources),
                line: pos.map(|p| p.line),
                column: pos.map(|p| p.column),
                end_line: pos.map(|p| p.end_line),
                end_column: pos.map(|p| p.end_column),
                resource: d.resource.as_ref(),
                path: d.path.as_deref(),
                istio_code: d.rule.istio_code,
                label: d.label.as_deref(),
                help: d.help.as_deref(),
            }
        })
        .collect();
    let report = Report {
        version: 1,
        diagnostics,
        summary,
    };
    serde_json::to_string_pretty(&report).expect("report serializes") + "\n"
}
