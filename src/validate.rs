//! The `validate` pipeline: load → schema → model → per-resource rules, then
//! selection, suppression and ordering of the findings.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::analyze;
use crate::diagnostic::{Diagnostic, ResourceRef, Rule, Severity};
use crate::load::{Document, Files, Loaded, Source};
use crate::model::{self, Config, Typed};
use crate::schema;
use crate::schema::channel::{self, Channel};
use crate::settings::Settings;

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
    /// The input is the whole cluster (`--complete`).
    pub complete: bool,
    /// The Gateway API channel the cluster runs (`--gateway-api-channel`);
    /// `None`: the one the input's CRDs declare, else both are accepted.
    pub gateway_api_channel: Option<Channel>,
    /// Severities and per-file ignores of the settings file.
    pub settings: Settings,
}

impl Options {
    /// Whether `rule` can report: `select` names it (or is empty), `ignore`
    /// does not, and the settings do not turn it off. Checks whose rules
    /// are all disabled do not run.
    pub fn enabled(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || rule_matches(rule, &self.select))
            && !rule_matches(rule, &self.ignore)
            && !self.settings.turns_off(rule)
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    pub sources: Vec<Source>,
    /// The objects read, with their spans (`Resource::doc` indexes them).
    pub documents: Vec<Document>,
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Documents skipped because meshctl does not know their kind: (source, kind).
    pub skipped: Vec<(usize, String)>,
    /// References not checked because the input does not describe their target.
    pub unchecked: Vec<String>,
    /// Namespace of resources without `metadata.namespace`.
    pub default_namespace: String,
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
    /// Documents of kinds meshctl does not check, by kind (`""` for none).
    pub skipped: BTreeMap<String, usize>,
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

/// One document checked and read on its own.
enum DocumentRead {
    /// Not a kind meshctl reads: its apiVersion and kind, and the Gateway
    /// API channel it declares if it is one of the Gateway API's CRDs.
    Skipped(String, Option<Channel>),
    Resource(Box<ResourceRead>),
}

/// A document of a kind meshctl reads.
struct ResourceRead {
    kind: model::Kind,
    /// Its schema findings.
    found: Vec<Diagnostic>,
    schema_ok: bool,
    typed: Result<Typed, model::ReadError>,
    resource: ResourceRef,
    /// The codes its suppression annotation names.
    suppress: Option<Vec<String>>,
}

impl DocumentRead {
    /// Checks `doc` against its schema when `check_schema`, and reads it as
    /// its kind.
    fn of(doc: &Document, check_schema: bool, options: &Options) -> DocumentRead {
        let Some(kind) = model::classify(doc) else {
            let what = format!("{} {}", doc.api_version(), doc.kind());
            return DocumentRead::Skipped(what.trim().to_string(), channel::declared_by(doc));
        };
        let mut found = Vec::new();
        let schema_ok = !check_schema || schema::validate(doc, kind, &mut found);
        let suppress = doc
            .value
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(SUPPRESS_ANNOTATION))
            .and_then(serde_json::Value::as_str)
            .map(|codes| {
                codes
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect()
            });
        DocumentRead::Resource(Box::new(ResourceRead {
            kind,
            found,
            schema_ok,
            typed: Typed::read(doc, kind, &options.default_namespace),
            resource: resource_ref(doc, kind, &options.default_namespace),
            suppress,
        }))
    }
}

/// How much of the pipeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// Schemas, Istio's rules and the cross-resource analysis (validate).
    Full,
    /// Only what routing needs: parse errors, resources that cannot be
    /// read, duplicates (see [`check_docs`] for the rest).
    Routing,
}

/// Rules whose finding means part of the input was not read: a file, the
/// rest of a stream, or a resource.
static LOST_INPUT: &[&Rule] = &[
    &crate::load::rules::YAML_SYNTAX,
    &crate::load::rules::ALIAS_LIMIT,
    &crate::load::rules::NESTING_TOO_DEEP,
    &crate::load::rules::UNREADABLE_FILE,
    &crate::load::rules::UNSUPPORTED_KEY,
    &schema::rules::UNREADABLE_RESOURCE,
];

/// The findings that mean part of the input was not read, so an answer
/// built on the rest could be wrong.
pub fn lost_input(outcome: &Outcome) -> impl Iterator<Item = &Diagnostic> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| LOST_INPUT.iter().any(|r| std::ptr::eq(*r, d.rule)))
}

/// Runs every check on what was loaded.
pub fn run(loaded: Loaded, options: &Options) -> Outcome {
    run_to(loaded, options, Depth::Full)
}

/// Reads what was loaded for routing (route, test, simulate, shift): the
/// configuration and the problems that stop it. [`check_docs`] then
/// checks the documents an answer uses.
pub fn read(loaded: Loaded, options: &Options) -> Outcome {
    run_to(loaded, options, Depth::Routing)
}

/// The schema and per-resource findings on the documents `docs`, in
/// report order.
pub fn check_docs(outcome: &Outcome, docs: &BTreeSet<usize>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &index in docs {
        let doc = &outcome.documents[index];
        if let Some(kind) = model::classify(doc) {
            schema::validate(doc, kind, &mut out);
        }
    }
    analyze::check_each(&outcome.config, &outcome.documents, &mut out, &|doc| {
        docs.contains(&doc)
    });
    in_report_order(&mut out);
    out
}

/// The documents that define the resources `used`.
pub fn docs_of(outcome: &Outcome, used: &BTreeSet<ResourceRef>) -> BTreeSet<usize> {
    (0..outcome.documents.len())
        .filter(|&i| {
            let doc = &outcome.documents[i];
            model::classify(doc).is_some_and(|kind| {
                used.contains(&resource_ref(doc, kind, &outcome.default_namespace))
            })
        })
        .collect()
}

/// The documents read from `source`.
pub fn docs_in(outcome: &Outcome, source: usize) -> BTreeSet<usize> {
    (0..outcome.documents.len())
        .filter(|&i| outcome.documents[i].source == source)
        .collect()
}

/// The identity of a document read as `kind`.
fn resource_ref(doc: &Document, kind: model::Kind, default_namespace: &str) -> ResourceRef {
    let meta = |field: &str| {
        doc.value
            .get("metadata")
            .and_then(|m| m.get(field))
            .and_then(serde_json::Value::as_str)
    };
    ResourceRef {
        kind: kind.as_str().to_string(),
        name: meta("name").unwrap_or_default().to_string(),
        namespace: meta("namespace")
            .filter(|ns| !ns.is_empty())
            .unwrap_or(default_namespace)
            .to_string(),
    }
}

/// Findings in file and position order, the same finding once.
fn in_report_order(diagnostics: &mut Vec<Diagnostic>) {
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
}

fn run_to(loaded: Loaded, options: &Options, depth: Depth) -> Outcome {
    let check_schema = depth == Depth::Full && schema_enabled(options);
    // Each document on its own, in parallel; then in input order.
    let reads: Vec<DocumentRead> = loaded
        .documents
        .par_iter()
        .map(|doc| DocumentRead::of(doc, check_schema, options))
        .collect();
    finish(loaded, reads, options, depth)
}

/// Runs every check on the files read from the inputs. Each document is
/// checked and read as soon as it is parsed, and its JSON value freed then:
/// the report needs only its spans.
pub fn run_files(files: Files, options: &Options) -> Outcome {
    let check_schema = schema_enabled(options);
    let mut loaded = Loaded::default();
    let visit = |mut doc: Document| {
        let read = DocumentRead::of(&doc, check_schema, options);
        doc.value = serde_json::Value::Null;
        (doc, read)
    };
    let (documents, reads) = loaded.add_inputs(files, &visit).into_iter().unzip();
    loaded.documents = documents;
    crate::memory::release_freed();
    finish(loaded, reads, options, Depth::Full)
}

fn schema_enabled(options: &Options) -> bool {
    schema::rules::RULES.iter().any(|r| options.enabled(r))
}

/// The documents and what was read of each, in input order, into an
/// outcome: resources added, findings attributed, suppressed and selected.
fn finish(loaded: Loaded, reads: Vec<DocumentRead>, options: &Options, depth: Depth) -> Outcome {
    let Loaded {
        sources,
        documents,
        mut diagnostics,
        yaml_documents,
        ..
    } = loaded;
    let mut config = Config::default();
    config.reserve_for(reads.iter().filter_map(|read| match read {
        DocumentRead::Resource(read) => read.typed.as_ref().ok(),
        DocumentRead::Skipped(..) => None,
    }));
    let mut skipped = Vec::new();
    let mut resources = 0;
    let mut suppressed = BTreeMap::new();
    let mut declared = None;
    for (index, (doc, read)) in documents.iter().zip(reads).enumerate() {
        let ResourceRead {
            kind,
            found,
            schema_ok,
            typed,
            resource,
            suppress,
        } = match read {
            DocumentRead::Skipped(what, channel) => {
                // Experimental CRDs anywhere in the input make the channel experimental.
                declared = declared.max(channel);
                skipped.push((doc.source, what));
                continue;
            }
            DocumentRead::Resource(read) => *read,
        };
        resources += 1;
        let first_new = diagnostics.len();
        diagnostics.extend(found);
        match typed {
            Ok(mut typed) => {
                typed.set_doc(index);
                config.insert(typed);
            }
            Err(err) if schema_ok => diagnostics.push(
                Diagnostic::new(
                    &schema::rules::UNREADABLE_RESOURCE,
                    format!("cannot read this {}: {}", kind.as_str(), err.message),
                )
                .at(doc.label_location(&err.pointer))
                .with_path(doc.full_pointer(&err.pointer)),
            ),
            Err(_) => {}
        }
        for diag in &mut diagnostics[first_new..] {
            diag.resource.get_or_insert_with(|| resource.clone());
        }
        if let Some(codes) = suppress {
            suppressed.insert(resource, codes);
        }
    }
    report_duplicates(
        config.drop_duplicates(),
        &sources,
        &documents,
        &mut diagnostics,
    );
    config.derive();
    crate::memory::release_freed();
    if depth == Depth::Full
        && options.gateway_api_channel.or(declared) == Some(Channel::Standard)
        && options.enabled(&schema::rules::EXPERIMENTAL_FIELD)
    {
        channel::check_standard(&config, &documents, &mut diagnostics);
    }
    let unchecked = match depth {
        Depth::Full => analyze::check_resources(
            &config,
            &documents,
            &mut diagnostics,
            options.complete,
            &|rule| options.enabled(rule),
        ),
        Depth::Routing => Vec::new(),
    };
    apply_suppressions(&suppressed, &mut diagnostics);
    diagnostics.retain(|d| {
        (options.select.is_empty() || rule_matches(d.rule, &options.select))
            && !rule_matches(d.rule, &options.ignore)
    });
    options.settings.apply(&mut diagnostics, &sources);
    in_report_order(&mut diagnostics);
    let mut outcome = Outcome {
        default_namespace: options.default_namespace.clone(),
        summary: Summary {
            files: sources.len(),
            documents: yaml_documents,
            resources,
            skipped: skipped
                .iter()
                .fold(BTreeMap::new(), |mut kinds, (_, kind)| {
                    *kinds.entry(kind.clone()).or_insert(0) += 1;
                    kinds
                }),
            ..Summary::default()
        },
        sources,
        documents,
        config,
        diagnostics,
        skipped,
        unchecked,
    };
    outcome.recount();
    outcome
}

impl Outcome {
    /// Recounts the findings by severity (after some were dropped).
    pub fn recount(&mut self) {
        let count = |s: Severity| self.diagnostics.iter().filter(|d| d.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
    }
}

/// One finding per dropped definition, naming the one kept.
fn report_duplicates(
    duplicates: Vec<model::Duplicate>,
    sources: &[Source],
    documents: &[Document],
    out: &mut Vec<Diagnostic>,
) {
    for dup in duplicates {
        let kept = documents[dup.kept].label_location("/metadata/name");
        let source = &sources[kept.source];
        let (line, column) = source.line_col(kept.span.start);
        let doc = &documents[dup.dropped];
        out.push(
            Diagnostic::new(
                &schema::rules::DUPLICATE_RESOURCE,
                format!(
                    "{} is defined again at {}:{line}:{column}; kubectl apply keeps the last one, so every meshctl command ignores this definition",
                    dup.resource, source.name
                ),
            )
            .at(doc.label_location("/metadata/name"))
            .with_path(doc.full_pointer("/metadata/name"))
            .with_resource(dup.resource)
            .with_label("defined again later")
            .with_help("rename one of them, or keep only the definition you mean to apply"),
        );
    }
}

/// Drops diagnostics on resources whose suppression annotation names their rule.
fn apply_suppressions(
    suppressed: &BTreeMap<ResourceRef, Vec<String>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if suppressed.is_empty() {
        return;
    }
    diagnostics.retain(
        |d| match d.resource.as_ref().and_then(|r| suppressed.get(r)) {
            Some(codes) => !(codes.iter().any(|c| c == "*") || rule_matches(d.rule, codes)),
            None => true,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, Input};

    /// Everything a report shows of an outcome.
    fn report(outcome: &Outcome) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            outcome.diagnostics, outcome.summary, outcome.skipped, outcome.unchecked
        )
    }

    /// validate reads each document as it is parsed and frees its value;
    /// the report is the one of reading everything first.
    #[test]
    fn streaming_the_documents_changes_nothing_in_the_report() {
        let inputs: Vec<Input> = ["fixtures/rules", "fixtures/mesh", "fixtures/gateway-api"]
            .iter()
            .map(|p| Input::parse(p))
            .collect();
        let options = Options {
            default_namespace: "default".into(),
            ..Options::default()
        };
        let whole = run(load::load(&inputs).unwrap(), &options);
        let streamed = run_files(
            load::read_inputs(&inputs, load::Empty::Refused).unwrap(),
            &options,
        );
        assert!(whole.diagnostics.len() > 100, "the fixtures have findings");
        assert_eq!(report(&whole), report(&streamed));
        assert!(streamed.documents.iter().all(|d| d.value.is_null()));
    }
}
