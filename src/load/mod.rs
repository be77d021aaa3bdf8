//! Reading manifests: paths and stdin to sources, sources to documents with spans.

mod block_style;
mod flow_lines;
pub mod git;
pub mod rules;
pub mod select;
pub mod source;
pub mod spans;
mod walk;
pub mod yaml;

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use select::{Selector, Want};
use source::CharIndex;
pub use source::Source;
use spans::{Node, Resolved, Shape, SpanTree};
pub use yaml::Keys;

use crate::diagnostic::{Diagnostic, Location, SourceId};

/// Largest file meshctl reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most bytes meshctl reads in all, across files.
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Where manifests come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

impl Input {
    /// `-` means standard input.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// A failure that stops the command (exit code 2).
#[derive(Debug)]
pub struct LoadError {
    pub path: String,
    pub error: io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error.kind() {
            io::ErrorKind::NotFound => write!(f, "{}: no such file or directory", self.path),
            io::ErrorKind::PermissionDenied => write!(f, "{}: permission denied", self.path),
            _ => write!(f, "{}: {}", self.path, self.error),
        }
    }
}

impl std::error::Error for LoadError {}

/// One Kubernetes object read from a source (a `List` contributes one per item).
#[derive(Debug, Clone)]
pub struct Document {
    pub source: SourceId,
    pub value: Value,
    /// Its source's text.
    text: Arc<String>,
    spans: Arc<SpanTree>,
    root: Node,
    /// Pointer of this object inside its YAML document (`/items/3` for a List item).
    pub pointer_prefix: String,
}

impl Document {
    pub fn str_field(&self, pointer: &str) -> Option<&str> {
        value_at(&self.value, pointer).and_then(Value::as_str)
    }

    pub fn api_version(&self) -> &str {
        self.str_field("/apiVersion").unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.str_field("/kind").unwrap_or("")
    }

    /// The text of the source it was read from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where a pointer (relative to this object) lands in the source.
    pub fn locate(&self, pointer: &str) -> Resolved {
        self.spans.lookup(self.root, pointer, &self.text)
    }

    /// The span to underline for a pointer: a scalar value, or the key of a
    /// collection; for a missing field, the nearest existing ancestor's key.
    pub fn label_location(&self, pointer: &str) -> Location {
        let (node, complete) = self.spans.descend(self.root, pointer, &self.text);
        let resolved = node.resolved(complete);
        let is_collection = !complete || node.shape() != Shape::Scalar;
        Location {
            source: self.source,
            span: resolved.label_span(is_collection),
        }
    }

    /// The key span of a map entry `pointer` (for unknown or duplicate fields).
    pub fn key_location(&self, pointer: &str) -> Location {
        let resolved = self.locate(pointer);
        let span = match (resolved.complete, resolved.key) {
            (true, Some(key)) => key,
            _ => resolved.value,
        };
        Location {
            source: self.source,
            span,
        }
    }

    /// The pointer as seen from the top of the YAML document.
    pub fn full_pointer(&self, pointer: &str) -> String {
        format!("{}{}", self.pointer_prefix, pointer)
    }
}

/// The value an RFC 6901 pointer names (as `Value::pointer`, without
/// allocating a string per segment: validate asks several per document).
fn value_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(value, |v, segment| match v {
            Value::Object(map) => map.get(&*spans::unescape(segment)),
            Value::Array(items) => {
                let canonical =
                    !segment.starts_with('+') && (!segment.starts_with('0') || segment.len() == 1);
                items.get(segment.parse::<usize>().ok().filter(|_| canonical)?)
            }
            _ => None,
        })
}

/// One source as read: its text, what became of its YAML documents (one
/// entry each) and its load findings.
struct Parsed<T> {
    source: Source,
    docs: Vec<Vec<T>>,
    diagnostics: Vec<Diagnostic>,
}

/// Reads one source's bytes as source `id`: refuses what is too large, binary
/// or not UTF-8, parses the rest and hands each object read to `visit`.
fn parse_source<T: Send>(
    id: SourceId,
    name: String,
    bytes: Vec<u8>,
    keys: yaml::Keys,
    visit: &Visit<'_, T>,
) -> Parsed<T> {
    let text = match decode(id, bytes) {
        Ok(text) => text,
        Err(refused) => {
            let (text, diagnostic) = *refused;
            return Parsed {
                source: Source::new(name, text),
                docs: Vec::new(),
                diagnostics: vec![diagnostic],
            };
        }
    };
    let text = Arc::new(text);
    let mut diagnostics = Vec::new();
    let finish = |doc: yaml::ParsedDoc| {
        documents_of(id, doc, &text)
            .into_iter()
            .map(visit)
            .collect()
    };
    let docs = yaml::parse_stream_with(id, &text, keys, &mut diagnostics, &finish);
    Parsed {
        source: Source::new(name, text),
        docs,
        diagnostics,
    }
}

/// The text of source `id`'s bytes; what is too large, binary or not UTF-8
/// is refused with a finding (and the text kept to show it, if any).
fn decode(id: SourceId, bytes: Vec<u8>) -> Result<String, Box<(String, Diagnostic)>> {
    let at_start = |diagnostic: Diagnostic| {
        diagnostic.at(Location {
            source: id,
            span: 0..0,
        })
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Box::new((
            String::new(),
            at_start(
                Diagnostic::new(
                    &rules::UNREADABLE_FILE,
                    format!("file is larger than {} MiB", MAX_FILE_BYTES >> 20),
                )
                .with_help("split it into smaller files"),
            ),
        )));
    }
    if let Some(nul) = memchr::memchr(0, &bytes) {
        return Err(Box::new((
            String::new(),
            at_start(
                Diagnostic::new(
                    &rules::UNREADABLE_FILE,
                    format!("file looks binary (NUL byte at offset {nul})"),
                )
                .with_help("only UTF-8 YAML or JSON manifests can be checked"),
            ),
        )));
    }
    String::from_utf8(bytes).map_err(|err| {
        let at = err.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let diagnostic = Diagnostic::new(&rules::UNREADABLE_FILE, "file is not valid UTF-8")
            .with_label("invalid byte sequence")
            .with_help("save the file as UTF-8")
            .at(Location {
                source: id,
                span: at..end,
            });
        Box::new((text, diagnostic))
    })
}

/// What a loader does with each object it reads.
pub type Visit<'v, T> = dyn Fn(Document) -> T + Sync + 'v;

/// The objects of one YAML document read from `text`: the document, or
/// the items of a List.
fn documents_of(source: SourceId, doc: yaml::ParsedDoc, text: &Arc<String>) -> Vec<Document> {
    let yaml::ParsedDoc {
        mut value,
        spans,
        root,
    } = doc;
    if value.is_null() {
        return Vec::new();
    }
    let spans = Arc::new(spans);
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k == "List" || k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if !is_list {
        return vec![Document {
            source,
            value,
            text: Arc::clone(text),
            spans,
            root,
            pointer_prefix: String::new(),
        }];
    }
    let items = match value.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let pointer = format!("/items/{i}");
            let (node, _) = spans.descend(root, &pointer, text);
            Document {
                source,
                value: item,
                text: Arc::clone(text),
                spans: Arc::clone(&spans),
                root: node,
                pointer_prefix: pointer,
            }
        })
        .collect()
}

/// The files read from the inputs, in order.
#[derive(Debug, Default)]
pub struct Files {
    files: Vec<(String, Vec<u8>)>,
    /// The file that took the input past the limit (not read), and the limit.
    past_limit: Option<(String, u64)>,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Vec<Source>,
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
    /// Number of YAML documents read (a List counts once).
    pub yaml_documents: usize,
    /// How plain mapping keys are read.
    pub keys: yaml::Keys,
}

/// Reads every input. Only I/O failures are errors; content problems are
/// diagnostics. Files are read in order, then parsed in parallel.
pub fn load(inputs: &[Input]) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    let documents = loaded.add_inputs(read_inputs(inputs, Empty::Refused)?, &|doc| doc);
    loaded.documents.extend(documents);
    Ok(loaded)
}

/// Reads the inputs as [`load`] does, but parses only the documents
/// `selector` wants: each file is cut into documents without parsing (see
/// [`select`]), and passes over the ones not parsed yet go on while what
/// was parsed makes more of them wanted. A file that cannot be read is
/// still a finding; a YAML error only in a document parsed.
pub fn load_selected(inputs: &[Input], selector: &mut dyn Selector) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    loaded.add_selected(read_inputs(inputs, Empty::Refused)?, selector);
    Ok(loaded)
}

/// A document of a source, before and after it is parsed.
struct Chunk<'t> {
    source: SourceId,
    /// The whole text of its source.
    text: &'t Arc<String>,
    range: std::ops::Range<usize>,
    /// Its identity, when a skim can tell it.
    skim: Option<select::Skim<'t>>,
    /// Its objects, findings and YAML document count, once parsed.
    parsed: Option<(Vec<Document>, Vec<Diagnostic>, usize)>,
}

/// Reads files already in memory, named as given (a git revision's).
pub fn load_contents(files: Vec<(String, Vec<u8>)>) -> Loaded {
    let mut loaded = Loaded::default();
    let documents = loaded.add_files(files, &|doc| doc);
    loaded.documents.extend(documents);
    loaded
}

/// What a directory without manifests is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// An error: the path is most likely wrong (`validate` exits 2).
    Refused,
    /// Fine: nothing to check (`validate --allow-empty`).
    Allowed,
}

/// Reads the files of every input, at most [`MAX_INPUT_BYTES`] in all.
pub fn read_inputs(inputs: &[Input], empty: Empty) -> Result<Files, LoadError> {
    read_within(inputs, MAX_INPUT_BYTES, empty)
}

/// [`read_inputs`] with at most `limit` bytes read in all: the file that
/// would pass it and the files after it are not read.
fn read_within(inputs: &[Input], limit: u64, empty: Empty) -> Result<Files, LoadError> {
    let mut paths: Vec<Option<PathBuf>> = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => paths.push(None),
            Input::Path(path) => {
                let mut found = Vec::new();
                walk::collect(path, &mut found).map_err(|error| LoadError {
                    path: path.display().to_string(),
                    error,
                })?;
                if found.is_empty() && empty == Empty::Refused {
                    return Err(LoadError {
                        path: path.display().to_string(),
                        error: io::Error::other(
                            "no manifests found (files ending in .yaml, .yml or .json; hidden files and folders are skipped); `validate --allow-empty` accepts an empty folder",
                        ),
                    });
                }
                paths.extend(found.into_iter().map(Some));
            }
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total = 0;
    let mut past_limit = None;
    for path in paths {
        let (name, bytes) = match &path {
            None => ("<stdin>".to_string(), read_stdin()),
            Some(file) => (file.display().to_string(), read_file(file)),
        };
        let bytes = bytes.map_err(|error| LoadError {
            path: name.clone(),
            error,
        })?;
        total += bytes.len() as u64;
        if total > limit {
            past_limit = Some((name, limit));
            break;
        }
        files.push((name, bytes));
    }
    Ok(Files { files, past_limit })
}

fn read_stdin() -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    io::stdin()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads a file into a buffer of its size (one more byte tells a file past
/// the limit): no regrowth copies the text, and no spare capacity stays.
fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_FILE_BYTES) + 1;
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

impl Loaded {
    /// Takes a source read before, with its documents, as the next source
    /// (its load findings are not repeated).
    pub fn add_read(&mut self, source: Source, documents: impl IntoIterator<Item = Document>) {
        let id = self.sources.len();
        self.sources.push(source);
        for mut doc in documents {
            doc.source = id;
            self.yaml_documents += 1;
            self.documents.push(doc);
        }
    }

    /// Parses one source's bytes (exposed for tests and stdin).
    pub fn add_bytes(&mut self, name: String, bytes: Vec<u8>) {
        let documents = self.add_files(vec![(name, bytes)], &|doc| doc);
        self.documents.extend(documents);
    }

    /// Adds the files read from the inputs (see [`Loaded::add_files`]), and
    /// a finding on the file that took the input past the limit.
    pub fn add_inputs<T: Send>(&mut self, files: Files, visit: &Visit<'_, T>) -> Vec<T> {
        let made = self.add_files(files.files, visit);
        self.note_past_limit(files.past_limit);
        made
    }

    /// Adds the files read from the inputs with only the documents
    /// `selector` wants parsed (see [`load_selected`]).
    fn add_selected(&mut self, files: Files, selector: &mut dyn Selector) {
        let first = self.sources.len();
        let mut texts = Vec::new();
        for (i, (name, bytes)) in files.files.into_iter().enumerate() {
            match decode(first + i, bytes) {
                Ok(text) => {
                    let text = Arc::new(text);
                    self.sources.push(Source::new(name, Arc::clone(&text)));
                    texts.push(Some(text));
                }
                Err(refused) => {
                    let (text, diagnostic) = *refused;
                    self.sources.push(Source::new(name, text));
                    self.diagnostics.push(diagnostic);
                    texts.push(None);
                }
            }
        }
        let mut chunks: Vec<Chunk> = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            if let Some(text) = text {
                chunks.extend(
                    select::documents(text)
                        .into_iter()
                        .map(|(range, skim)| Chunk {
                            source: first + i,
                            text,
                            range,
                            skim,
                            parsed: None,
                        }),
                );
            }
        }
        let chars: Vec<CharIndex> = texts
            .iter()
            .map(|text| CharIndex::new(text.as_deref().map_or("", String::as_str)))
            .collect();
        while selector.next_pass() {
            let mut wanted = vec![false; chunks.len()];
            let mut whole = std::collections::HashSet::new();
            for (i, chunk) in chunks.iter().enumerate() {
                if chunk.parsed.is_some() {
                    continue;
                }
                match selector.wants(&chunk.text[chunk.range.clone()], chunk.skim.as_ref()) {
                    Want::Skip => {}
                    Want::Document => wanted[i] = true,
                    Want::Source => {
                        whole.insert(chunk.source);
                    }
                }
            }
            for (i, chunk) in chunks.iter_mut().enumerate() {
                if chunk.parsed.is_some() || !(wanted[i] || whole.contains(&chunk.source)) {
                    continue;
                }
                let text = chunk.text;
                let chars = &chars[chunk.source - first];
                let mut diagnostics = Vec::new();
                let finish = |doc| documents_of(chunk.source, doc, text);
                let docs = yaml::parse_range(
                    chunk.source,
                    text,
                    chars,
                    chunk.range.clone(),
                    self.keys,
                    &mut diagnostics,
                    &finish,
                );
                let count = docs.len();
                let docs: Vec<Document> = docs.into_iter().flatten().collect();
                selector.learn(&docs);
                chunk.parsed = Some((docs, diagnostics, count));
            }
        }
        for (docs, diagnostics, count) in chunks.into_iter().filter_map(|c| c.parsed) {
            self.documents.extend(docs);
            self.diagnostics.extend(diagnostics);
            self.yaml_documents += count;
        }
        self.note_past_limit(files.past_limit);
    }

    /// A finding on the file that took the input past the limit.
    fn note_past_limit(&mut self, past_limit: Option<(String, u64)>) {
        if let Some((name, limit)) = past_limit {
            let id = self.sources.len();
            self.sources.push(Source::new(name, String::new()));
            self.diagnostics.push(
                Diagnostic::new(
                    &rules::UNREADABLE_FILE,
                    format!(
                        "the input passes {} MiB in all here: this file and the ones after it were not read",
                        limit >> 20
                    ),
                )
                .with_help("check the repository in parts (one folder per run)")
                .at(Location {
                    source: id,
                    span: 0..0,
                }),
            );
        }
    }

    /// Parses sources (name, bytes) in parallel and adds the sources and
    /// their findings in order; returns what `visit` made of each object read
    /// (the caller keeps the documents it wants in [`Loaded::documents`]).
    pub fn add_files<T: Send>(
        &mut self,
        files: Vec<(String, Vec<u8>)>,
        visit: &Visit<'_, T>,
    ) -> Vec<T> {
        let first = self.sources.len();
        let keys = self.keys;
        let parsed: Vec<Parsed<T>> = files
            .into_par_iter()
            .enumerate()
            .map(|(i, (name, bytes))| parse_source(first + i, name, bytes, keys, visit))
            .collect();
        let objects = parsed.iter().flat_map(|p| &p.docs).map(Vec::len).sum();
        let mut made = Vec::with_capacity(objects);
        for Parsed {
            source,
            docs,
            diagnostics,
        } in parsed
        {
            self.sources.push(source);
            self.diagnostics.extend(diagnostics);
            self.yaml_documents += docs.len();
            made.extend(docs.into_iter().flatten());
        }
        made
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_as_serde_json_finds_them() {
        let value = serde_json::json!({
            "metadata": {"name": "a", "a/b": "slash", "m~n": "tilde", "": "empty"},
            "items": ["zero", "one"],
        });
        for pointer in [
            "",
            "/metadata",
            "/metadata/name",
            "/metadata/a~1b",
            "/metadata/m~0n",
            "/metadata/",
            "/items/1",
            "/items/01",
            "/items/+1",
            "/items/2",
            "/nope/x",
            "metadata",
            "/metadata/name/deeper",
        ] {
            assert_eq!(
                value_at(&value, pointer),
                value.pointer(pointer),
                "{pointer}"
            );
        }
    }

    #[test]
    fn input_past_the_total_limit_is_a_finding_and_the_rest_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c", "d"] {
            let doc = format!(
                "kind: Service\nmetadata: {{name: {name}}}\n# {}\n",
                "x".repeat(60)
            );
            std::fs::write(dir.path().join(format!("{name}.yaml")), doc).unwrap();
        }
        let files = read_within(
            &[Input::Path(dir.path().to_path_buf())],
            250,
            Empty::Refused,
        )
        .unwrap();
        let mut loaded = Loaded::default();
        let documents = loaded.add_inputs(files, &|doc| doc);
        loaded.documents.extend(documents);
        let names: Vec<&str> = loaded.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names[2].ends_with("c.yaml"), "{names:?}");
        assert_eq!(loaded.documents.len(), 2, "a and b are read, c is not");
        assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
        let finding = &loaded.diagnostics[0];
        assert_eq!(finding.rule.code, "MC0006");
        assert!(
            finding.message.contains("passes 0 MiB in all"),
            "{}",
            finding.message
        );
        assert_eq!(finding.location.as_ref().map(|l| l.source), Some(2));
    }
}
