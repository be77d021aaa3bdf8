//! `--format github`: GitHub Actions workflow commands, one annotation per finding.

use super::{file_name, position};
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Source;

/// One `::error file=...,line=...::message` line per diagnostic.
pub fn render(diagnostics: &[Diagnostic], sources: &[Source]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = file_name(d, sources) {
            props.push(format!("file={}", escape_property(file)));
        }
        if let Some((_, p)) = position(d, sources) {
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            props.push(format!("endColumn={}", p.end_column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.rule.code, d.rule.name))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
