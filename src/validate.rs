//! The `validate` pipeline: load → schema → model → per-resource rules, then
//! selection, suppression and ordering of the findings.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analyze;
use crate::diagnostic::{Diagnostic, ResourceRef, Rule, Severity};
use crate::load::{Loaded, Source};
use crate::model::{self, Config, Kind};
use crate::schema;

/// Annotation that silences analyzer messages on one resource (as in istioctl).
pub const SUPPRESS_ANNOTATION: &str = "galley.istio.io/analyze-suppress";

/// Which rules run and how findings are filtered.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Namespace for documents without `metadata.namespace`.
    pub default_namespace: String,
    /// Only these codes, names or code prefixes (empty: all).
    pub select: Vec<String>,
    /// Never these codes, names or code prefixes.
    pub ignore: Vec<String>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    pub sources: Vec<Source>,
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Documents skipped because meshctl does not know their kind: (source, kind).
    pub skipped: Vec<(usize, String)>,
}

/// Counts for the report.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub resources: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// Whether a rule is named by one of the selectors (code, name, or code prefix).
pub fn rule_matches(rule: &Rule, selectors: &[String]) -> bool {
    selectors.iter().any(|s| {
        let s = s.trim();
        !s.is_empty()
            && (s.eq_ignore_ascii_case(rule.code)
                || s.eq_ignore_ascii_case(rule.name)
                || rule.istio_code.is_some_and(|c| c.eq_ignore_ascii_case(s))
                || (s.len() >= 3 && rule.code.starts_with(&s.to_ascii_uppercase())))
    })
}

/// Runs every check on what was loaded.
pub fn run(loaded: Loaded, options: &Options) -> Outcome {
    let Loaded {
        sources,
        documents,
        mut diagnostics,
        yaml_documents,
    } = loaded;
    let mut config = Config::default();
    let mut skipped = Vec::new();
    let mut resources = 0;
    for (index, doc) in documents.iter().enumerate() {
        let Some(kind) = model::classify(doc) else {
            skipped.push((
                doc.source,
                format!("{} {}", doc.api_version(), doc.kind())
                    .trim()
                    .to_string(),
            ));
            continue;
        };
        resources += 1;
        let first_new = diagnostics.len();
        let schema_ok = schema::validate(doc, &sources[doc.source].text, kind, &mut diagnostics);
        if let Err(err) = config.add(index, doc, kind, &options.default_namespace) {
            if schema_ok {
                diagnostics.push(
                    Diagnostic::new(
                        &schema::rules::UNREADABLE_RESOURCE,
                        format!("cannot read this {}: {}", kind.as_str(), err.message),
                    )
                    .at(doc.label_location(&err.pointer))
                    .with_path(doc.full_pointer(&err.pointer)),
                );
            }
        }
        let resource = ResourceRef {
            kind: kind.as_str().to_string(),
            name: doc
                .str_field("/metadata/name")
                .unwrap_or_default()
                .to_string(),
            namespace: doc
                .str_field("/metadata/namespace")
                .unwrap_or(&options.default_namespace)
                .to_string(),
        };
        for diag in &mut diagnostics[first_new..] {
            diag.resource.get_or_insert_with(|| resource.clone());
        }
    }
    analyze::check_resources(&config, &documents, &mut diagnostics);
    apply_suppressions(&config, &mut diagnostics);
    diagnostics.retain(|d| {
        (options.select.is_empty() || rule_matches(d.rule, &options.select))
            && !rule_matches(d.rule, &options.ignore)
    });
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.source, l.span.start))
                .unwrap_or((usize::MAX, 0))
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.rule.code.cmp(b.rule.code))
    });
    diagnostics.dedup_by(|a, b| {
        a.rule.code == b.rule.code && a.location == b.location && a.message == b.message
    });
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let summary = Summary {
        files: sources.len(),
        documents: yaml_documents,
        resources,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
    };
    Outcome {
        sources,
        config,
        diagnostics,
        summary,
        skipped,
    }
}

/// Drops diagnostics on resources that carry the suppression annotation for them.
fn apply_suppressions(config: &Config, diagnostics: &mut Vec<Diagnostic>) {
    let mut suppressed: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    let mut collect = |kind: Kind, meta: &model::ObjectMeta, namespace: &str| {
        if let Some(value) = meta.annotations.get(SUPPRESS_ANNOTATION) {
            let codes = value
                .split(',')
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            suppressed.insert(
                (
                    kind.as_str().to_string(),
                    namespace.to_string(),
                    meta.name.clone(),
                ),
                codes,
            );
        }
    };
    for r in &config.virtual_services {
        collect(r.kind, &r.meta, &r.namespace);
    }
    for r in &config.destination_rules {
        collect(r.kind, &r.meta, &r.namespace);
    }
    for r in &config.gateways {
        collect(r.kind, &r.meta, &r.namespace);
    }
    for r in &config.service_entries {
        collect(r.kind, &r.meta, &r.namespace);
    }
    for r in &config.services {
        collect(r.kind, &r.meta, &r.namespace);
    }
    if suppressed.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let Some(res) = &d.resource else { return true };
        let key = (res.kind.clone(), res.namespace.clone(), res.name.clone());
        match suppressed.get(&key) {
            Some(codes) => !(codes.iter().any(|c| c == "*") || rule_matches(d.rule, codes)),
            None => true,
        }
    });
}
