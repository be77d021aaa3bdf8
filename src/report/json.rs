//! `--format json`: `{"version":1,"diagnostics":[...],"summary":{...}}`.

use std::io::{self, Write};

use serde::Serialize;

use super::{file_name, position};
use crate::diagnostic::{Diagnostic, ResourceRef};
use crate::load::Source;
use crate::validate::Summary;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Diagnostics<'a>,
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

/// The report's diagnostics, serialized one at a time as they are written.
struct Diagnostics<'a> {
    diagnostics: &'a [Diagnostic],
    sources: &'a [Source],
}

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.diagnostics.iter().map(|d| {
            let pos = position(d, self.sources).map(|(_, p)| p);
            JsonDiagnostic {
                code: d.rule.code,
                rule: d.rule.name,
                severity: d.severity.as_str(),
                message: &d.message,
                file: file_name(d, self.sources),
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
        }))
    }
}

/// Writes the whole report as pretty JSON, streaming: no copy of the
/// report is built in memory.
pub fn write(
    out: &mut dyn Write,
    diagnostics: &[Diagnostic],
    sources: &[Source],
    summary: &Summary,
) -> io::Result<()> {
    let report = Report {
        version: 1,
        diagnostics: Diagnostics {
            diagnostics,
            sources,
        },
        summary,
    };
    // serde_json writes token by token: buffer them here, where the writer
    // is a concrete type, rather than call through `dyn Write` for each.
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut buffered, &report)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// Renders the whole report as pretty JSON.
pub fn render(diagnostics: &[Diagnostic], sources: &[Source], summary: &Summary) -> String {
    let mut out = Vec::new();
    write(&mut out, diagnostics, sources, summary).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
