//! `--format sarif`: SARIF 2.1.0 with rule metadata, for code-scanning uploads.

use serde_json::{Value, json};

use super::{file_name, position};
use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::load::Source;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule_descriptor(rule: &Rule) -> Value {
    let mut properties = json!({"tags": ["service-mesh", "istio"]});
    if let Some(code) = rule.istio_code {
        properties["istio_code"] = json!(code);
    }
    json!({
        "id": rule.code,
        "name": pascal_case(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": properties,
    })
}

/// The SARIF log for one run over `rules` (all rules meshctl knows).
pub fn render(diagnostics: &[Diagnostic], sources: &[Source], rules: &[&'static Rule]) -> String {
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut result = json!({
                "ruleId": d.rule.code,
                "level": level(d.severity),
                "message": {"text": match &d.help {
                    Some(help) => format!("{}\nhelp: {help}", d.message),
                    None => d.message.clone(),
                }},
            });
            if let Some(index) = rules.iter().position(|r| r.code == d.rule.code) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(file) = file_name(d, sources) {
                let mut physical = json!({"artifactLocation": {"uri": file.trim_start_matches("./")}});
                if let Some((_, p)) = position(d, sources) {
                    physical["region"] = json!({
                        "startLine": p.line,
                        "startColumn": p.column,
                        "endLine": p.end_line,
                        "endColumn": p.end_column.max(if p.end_line == p.line { p.column } else { 1 }),
                    });
                }
                let mut location = json!({"physicalLocation": physical});
                if let Some(res) = &d.resource {
                    location["logicalLocations"] = json!([{
                        "name": res.name,
                        "fullyQualifiedName": format!("{}/{}/{}", res.kind, res.namespace, res.name),
                        "kind": "resource",
                    }]);
                }
                result["locations"] = json!([location]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshctl",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/meshctl/meshctl",
                "rules": rules.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("sarif serializes") + "\n"
}
