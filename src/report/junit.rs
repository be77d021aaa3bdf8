//! `--format junit`: one test case per file, a failure per finding at or above
//! the failing severity.

use std::collections::BTreeMap;

use super::position;
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Source;

/// JUnit XML with a `testsuite` named `meshctl validate`.
pub fn render(diagnostics: &[Diagnostic], sources: &[Source], fail_at: Option<Severity>) -> String {
    let mut by_file: BTreeMap<usize, Vec<&Diagnostic>> = BTreeMap::new();
    for (i, _) in sources.iter().enumerate() {
        by_file.entry(i).or_default();
    }
    for d in diagnostics {
        if let Some(loc) = &d.location {
            by_file.entry(loc.source).or_default().push(d);
        }
    }
    let is_failure = |d: &Diagnostic| fail_at.is_some_and(|f| d.severity >= f);
    let failures: usize = by_file
        .values()
        .filter(|ds| ds.iter().any(|d| is_failure(d)))
        .count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"meshctl\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"meshctl validate\" tests=\"{}\" failures=\"{failures}\">\n",
        by_file.len(),
        by_file.len()
    ));
    for (source, diags) in by_file {
        let name = escape(&sources[source].name);
        let failing: Vec<&Diagnostic> = diags.iter().copied().filter(|d| is_failure(d)).collect();
        if failing.is_empty() {
            xml.push_str(&format!(
                "    <testcase classname=\"meshctl.validate\" name=\"{name}\"/>\n"
            ));
            continue;
        }
        xml.push_str(&format!(
            "    <testcase classname=\"meshctl.validate\" name=\"{name}\">\n"
        ));
        let mut body = String::new();
        for d in &failing {
            let at = position(d, sources)
                .map(|(_, p)| format!("{}:{}:{}", sources[source].name, p.line, p.column))
                .unwrap_or_default();
            body.push_str(&format!(
                "{at}: {} [{} {}] {}\n",
                d.severity, d.rule.code, d.rule.name, d.message
            ));
        }
        xml.push_str(&format!(
            "      <failure message=\"{} finding(s)\" type=\"{}\">{}</failure>\n    </testcase>\n",
            failing.len(),
            failing[0].rule.code,
            escape(&body)
        ));
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// XML text: markup escaped, and characters XML 1.0 does not allow (most
/// control characters, even as references) written as `\u{..}`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || ('\u{fffe}'..='\u{ffff}').contains(&c) => {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}
