//! Builds JSON values and a span arena from YAML events, with the limits that
//! keep hostile input harmless: duplicate keys, bounded alias expansion and
//! bounded depth.
//!
//! Plain scalars are resolved the way Kubernetes reads manifests (YAML 1.1
//! through go-yaml v2: `on` is true, `0755` is 493), so meshctl validates what
//! `kubectl apply` would send; spellings that YAML 1.2 tools read differently
//! get a warning.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use super::block_style;
use super::flow_lines;
use super::rules;
use super::source::CharIndex;
use super::spans::{Node, NodeId, Shape, SpanDraft, SpanTree};
use crate::diagnostic::{Diagnostic, Location, SourceId};

/// Deepest nesting of collections accepted in one document.
pub const MAX_DEPTH: usize = 128;
/// Most nodes that alias expansion may add to one document.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// One YAML document: its value and the spans of its nodes.
#[derive(Debug)]
pub struct ParsedDoc {
    pub value: Value,
    pub spans: SpanTree,
    pub root: Node,
}

/// How plain mapping keys are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keys {
    /// As kubectl reads them (YAML 1.1): `on:` is the key "true".
    #[default]
    Kubectl,
    /// As written: meshctl's own files (scenarios, route tests) are not sent
    /// to a cluster, so `burst: {on: 2s, off: 1s}` means what it says.
    AsWritten,
}

/// Streams smaller than this are parsed in one piece.
const PARALLEL_BYTES: usize = 1 << 20;
/// Each piece parsed on its own holds at least this many bytes of documents.
const PIECE_BYTES: usize = 256 << 10;

/// Parses every document of `text`; problems become diagnostics in `diags`.
pub fn parse_stream(
    source: SourceId,
    text: &str,
    keys: Keys,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ParsedDoc> {
    parse_stream_with(source, text, keys, diags, &|doc| doc)
}

/// Parses every document of `text` and hands each to `finish` as soon as it
/// is read (so what it does not keep is freed at once); returns what
/// `finish` made, in order. A large stream is cut at its document markers
/// and the pieces parsed in parallel; the documents, spans and findings are
/// those of one pass.
pub fn parse_stream_with<T: Send>(
    source: SourceId,
    text: &str,
    keys: Keys,
    diags: &mut Vec<Diagnostic>,
    finish: &(dyn Fn(ParsedDoc) -> T + Sync),
) -> Vec<T> {
    let chars = CharIndex::new(text);
    let pieces = pieces(text);
    if pieces.len() > 1 {
        let parsed: Vec<(Vec<T>, Vec<Diagnostic>, bool)> = pieces
            .par_iter()
            .map(|range| {
                let mut found = Vec::new();
                let piece = Piece {
                    source,
                    text,
                    parse_text: text,
                    range: range.clone(),
                    chars: &chars,
                    keys,
                };
                let (docs, clean) = piece.parse(&mut found, finish);
                (docs, found, clean)
            })
            .collect();
        // A syntax error ends the whole stream's parse: only one pass says
        // where, and that the rest was not read.
        if parsed.iter().all(|(_, _, clean)| *clean) {
            let mut docs = Vec::with_capacity(parsed.iter().map(|(docs, _, _)| docs.len()).sum());
            for (piece_docs, found, _) in parsed {
                docs.extend(piece_docs);
                diags.extend(found);
            }
            return docs;
        }
    }
    parse_range(source, text, &chars, 0..text.len(), keys, diags, finish)
}

/// Parses the documents in `range` of `text` (which starts and ends at
/// document boundaries) through `finish`; spans are byte ranges of the
/// whole `text`, whose characters `chars` indexes.
pub(super) fn parse_range<T>(
    source: SourceId,
    text: &str,
    chars: &CharIndex,
    range: Range<usize>,
    keys: Keys,
    diags: &mut Vec<Diagnostic>,
    finish: &dyn Fn(ParsedDoc) -> T,
) -> Vec<T> {
    let whole = Piece {
        source,
        text,
        parse_text: text,
        range,
        chars,
        keys,
    };
    let mut found = Vec::new();
    let (docs, clean) = whole.parse(&mut found, finish);
    let indentation = |d: &Diagnostic| {
        std::ptr::eq(d.rule, &rules::YAML_SYNTAX) && d.message.contains("indentation")
    };
    if !clean && keys == Keys::Kubectl && found.iter().any(indentation) {
        let joined = flow_lines::join_shallow_flow_lines(text);
        if let Cow::Owned(joined) = &joined {
            let mut again = Vec::new();
            let retry = Piece {
                parse_text: joined,
                ..whole
            };
            let (retried, clean) = retry.parse(&mut again, finish);
            if clean {
                diags.extend(again);
                return retried;
            }
        }
    }
    diags.extend(found);
    docs
}

/// The offsets of the lines that start a document: `---` at the first
/// column, alone or before a blank.
fn document_markers(text: &str) -> impl Iterator<Item = usize> + '_ {
    let first = text
        .starts_with("---")
        .then_some(0)
        .filter(|_| is_marker(text, 0));
    first.into_iter().chain(
        memchr::memmem::find_iter(text.as_bytes(), b"\n---")
            .map(|at| at + 1)
            .filter(|&start| is_marker(text, start)),
    )
}

/// The documents of `text`: ranges cut before each document marker.
pub(super) fn document_ranges(text: &str) -> Vec<Range<usize>> {
    let mut cuts = vec![0];
    cuts.extend(document_markers(text).filter(|&at| at > 0));
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Whether `text` has directives (`%YAML`, `%TAG`): they belong to the
/// document after them, so the stream cannot be cut.
pub(super) fn has_directives(text: &str) -> bool {
    text.starts_with('%') || text.contains("\n%")
}

fn is_marker(text: &str, start: usize) -> bool {
    matches!(
        text.as_bytes().get(start + 3),
        None | Some(b' ' | b'\t' | b'\n' | b'\r')
    )
}

/// Where a large stream can be cut: before lines that start a document
/// (`---` at the first column, which no scalar may contain), in pieces of
/// at least [`PIECE_BYTES`]. One piece when the stream is small or has
/// directives (which belong to the document after them).
fn pieces(text: &str) -> Vec<Range<usize>> {
    let mut cuts = vec![0];
    let whole = text.len() < PARALLEL_BYTES || has_directives(text);
    if !whole {
        let mut last = 0;
        for start in document_markers(text) {
            if start - last >= PIECE_BYTES {
                cuts.push(start);
                last = start;
            }
        }
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// A part of a stream that the parser reads on its own.
struct Piece<'a> {
    source: SourceId,
    /// The whole stream (spans are byte ranges in it).
    text: &'a str,
    /// What the parser reads: `text`, or a copy of the same length (see
    /// [`flow_lines`]).
    parse_text: &'a str,
    range: Range<usize>,
    chars: &'a CharIndex<'a>,
    keys: Keys,
}

impl Piece<'_> {
    /// Parses the documents of the piece through `finish`; returns what it
    /// made, and false when the parser stopped at a syntax error. Each
    /// document is read by the block-style reader, or, when it holds more
    /// of YAML than that reader takes, by the full parser.
    fn parse<T>(
        &self,
        diags: &mut Vec<Diagnostic>,
        finish: &dyn Fn(ParsedDoc) -> T,
    ) -> (Vec<T>, bool) {
        let mut builder =
            Builder::new(self.text, self.keys, self.chars, self.source, diags, finish);
        let range = self.range.clone();
        let piece = &self.parse_text[range.clone()];
        if has_directives(piece) {
            let clean = builder.parse_full(self.parse_text, range.clone(), range.end);
            return (builder.docs, clean);
        }
        for document in document_ranges(piece) {
            let document = range.start + document.start..range.start + document.end;
            let first_diag = builder.diags.len();
            let read = block_style::read_document(
                self.parse_text,
                document.clone(),
                &mut |event, span| builder.event(event, span),
            );
            if read.is_err() {
                builder.abandon(first_diag);
                if !builder.parse_full(self.parse_text, document.start..range.end, document.end) {
                    return (builder.docs, false);
                }
            }
        }
        (builder.docs, true)
    }
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

#[derive(Default)]
struct DocState {
    spans: SpanDraft,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    alias_nodes: usize,
    /// The document's value (its root is the first node drafted).
    root: Option<Value>,
    /// Set after a fatal problem: the rest of the document is read but not built.
    failed: bool,
    /// How many findings the stream had when this document started.
    first_diag: usize,
    /// A mapping has a key with a null value (`annotations:`).
    null_member: bool,
}

struct Anchored {
    value: Value,
    nodes: usize,
}

enum Container {
    Seq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        key: Option<PendingKey>,
        merged: Vec<String>,
    },
}

struct Frame {
    container: Container,
    node: NodeId,
    children: Vec<NodeId>,
    anchor: usize,
    nodes: usize,
    last_end: usize,
}

struct PendingKey {
    /// `None` when the key was unusable; its value is dropped.
    key: Option<String>,
    span: Range<usize>,
    merge: bool,
}

/// A Kubernetes manifest names its `apiVersion` and `kind`; other YAML (a
/// Helm values file, a CI config) is not read by kubectl.
fn is_manifest(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|map| map.contains_key("kind") && map.contains_key("apiVersion"))
}

/// What the API server stores of a manifest: a field whose value is null
/// (`annotations:` with nothing after it) is dropped, as if absent.
fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// The YAML 1.1 quirks matter only to what kubectl reads: the warnings of a
/// document that is not a manifest, from `first` on, are dropped.
fn drop_yaml11_warnings(diags: &mut Vec<Diagnostic>, first: usize) {
    let mut index = 0;
    diags.retain(|d| {
        index += 1;
        index <= first || !std::ptr::eq(d.rule, &rules::YAML11_SCALAR)
    });
}

struct Builder<'a, T> {
    /// The whole stream (spans are byte ranges in it).
    text: &'a str,
    keys: Keys,
    chars: &'a CharIndex<'a>,
    /// Characters of the stream before the piece the parser reads.
    char_base: usize,
    source: SourceId,
    diags: &'a mut Vec<Diagnostic>,
    doc: DocState,
    /// What `finish` made of each document read.
    docs: Vec<T>,
    finish: &'a dyn Fn(ParsedDoc) -> T,
    pool: Vec<Vec<NodeId>>,
}

impl<'a, T> Builder<'a, T> {
    fn new(
        text: &'a str,
        keys: Keys,
        chars: &'a CharIndex<'a>,
        source: SourceId,
        diags: &'a mut Vec<Diagnostic>,
        finish: &'a dyn Fn(ParsedDoc) -> T,
    ) -> Self {
        Builder {
            text,
            keys,
            chars,
            char_base: 0,
            source,
            diags,
            doc: DocState::default(),
            docs: Vec::new(),
            finish,
            pool: Vec::new(),
        }
    }

    fn report(&mut self, diag: Diagnostic, span: Range<usize>) {
        self.diags.push(diag.at(Location {
            source: self.source,
            span,
        }));
    }

    /// The byte offset in the stream of a character index in the piece.
    fn byte(&self, char_index: usize) -> usize {
        self.chars.byte(self.char_base + char_index)
    }

    fn byte_span(&self, span: &Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }

    /// Parses the documents in `range` of `parse_text` with the full
    /// parser, up to the first one that starts at `stop` or later (it reads
    /// on past `stop` so that what it reports is what a parse of the whole
    /// stream would); false when it stopped at a syntax error, which is
    /// reported.
    fn parse_full(&mut self, parse_text: &str, range: Range<usize>, stop: usize) -> bool {
        self.char_base = self.chars.char_at(range.start);
        for event in Parser::new_from_str(&parse_text[range]) {
            match event {
                Ok((event, span)) => {
                    let span = self.byte_span(&span);
                    // The next range starts with `---`: an explicit start.
                    if matches!(event, Event::DocumentStart(true)) && span.start >= stop {
                        return true;
                    }
                    self.event(event, span);
                }
                Err(err) => {
                    self.report_syntax_error(&err);
                    return false;
                }
            }
        }
        true
    }

    fn report_syntax_error(&mut self, err: &saphyr_parser::ScanError) {
        let at = self.byte(err.marker().index());
        let info = err.info();
        let too_deep = info.contains("recursion limit");
        let rule = if too_deep {
            &rules::NESTING_TOO_DEEP
        } else {
            &rules::YAML_SYNTAX
        };
        let message = if too_deep {
            format!("collections are nested deeper than the parser allows ({info})")
        } else {
            format!("YAML syntax error: {info}")
        };
        let end = next_char_boundary(self.text, at);
        self.report(
            Diagnostic::new(rule, message)
                .with_label("the parser stopped here")
                .with_help("fix the syntax at this position; the rest of the file was not read"),
            at..end,
        );
    }

    /// Forgets a document the block-style reader gave up on: what it built
    /// and what it reported.
    fn abandon(&mut self, first_diag: usize) {
        self.diags.truncate(first_diag);
        self.doc = DocState::default();
    }

    fn event(&mut self, event: Event<'_>, span: Range<usize>) {
        if self.doc.failed {
            // The rest of a refused document is read but not built.
            if matches!(event, Event::DocumentEnd | Event::StreamEnd) {
                self.finish_document();
            }
            return;
        }
        match event {
            Event::DocumentStart(_) => {
                self.doc = DocState {
                    first_diag: self.diags.len(),
                    ..DocState::default()
                }
            }
            Event::DocumentEnd | Event::StreamEnd => self.finish_document(),
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(text, style, anchor, tag.as_deref(), span)
            }
            Event::SequenceStart(anchor, _) => self.open(Container::Seq(Vec::new()), anchor, span),
            Event::MappingStart(anchor, _) => self.open(
                Container::Map {
                    map: Map::new(),
                    key: None,
                    merged: Vec::new(),
                },
                anchor,
                span,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(id) => self.alias(id, span),
            Event::StreamStart | Event::Nothing => {}
        }
    }

    fn finish_document(&mut self) {
        let mut doc = std::mem::take(&mut self.doc);
        if let (false, Some(mut value)) = (doc.failed, doc.root) {
            if !is_manifest(&value) {
                drop_yaml11_warnings(self.diags, doc.first_diag);
            } else if doc.null_member {
                prune_nulls(&mut value);
            }
            let (spans, root) = doc.spans.freeze();
            self.docs
                .push((self.finish)(ParsedDoc { value, spans, root }));
        }
        // The next document drafts its spans in the room this one grew.
        doc.spans.clear();
        self.doc.spans = doc.spans;
    }

    fn awaiting_key(&self) -> bool {
        matches!(
            self.doc.stack.last(),
            Some(Frame {
                container: Container::Map { key: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        mut range: Range<usize>,
    ) {
        range.end = scalar_end(self.text, &range, style);
        let plain = matches!(style, ScalarStyle::Plain);
        let core_str = tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
        let merge_key = plain && text == "<<";
        let as_written = self.keys == Keys::AsWritten && self.awaiting_key();
        let value = if !plain || core_str || as_written {
            Value::String(text.into_owned())
        } else {
            match resolve_plain(&text) {
                None => Value::String(text.into_owned()),
                Some((value, yaml11)) => {
                    if let Some(note) = yaml11 {
                        self.report(
                            Diagnostic::new(&rules::YAML11_SCALAR, format!("kubectl reads `{text}` as {note}; YAML 1.2 tools read it as the string \"{text}\""))
                                .with_label("ambiguous plain scalar")
                                .with_help(format!("quote it (\"{text}\") if you mean the string, or write the value unambiguously")),
                            range.clone(),
                        );
                    }
                    value
                }
            }
        };
        if self.awaiting_key() {
            let key = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            self.set_key(Some(key), range, merge_key);
            return;
        }
        let node = self.doc.spans.push(range.clone());
        if anchor != 0 {
            self.doc.anchors.insert(
                anchor,
                Anchored {
                    value: value.clone(),
                    nodes: 1,
                },
            );
        }
        self.attach(value, node, 1, range.end);
    }

    fn set_key(&mut self, key: Option<String>, span: Range<usize>, merge: bool) {
        if let Some(Frame {
            container: Container::Map { key: slot, .. },
            ..
        }) = self.doc.stack.last_mut()
        {
            *slot = Some(PendingKey { key, span, merge });
        }
    }

    fn open(&mut self, container: Container, anchor: usize, range: Range<usize>) {
        if self.doc.stack.len() >= MAX_DEPTH {
            self.report(
                Diagnostic::new(
                    &rules::NESTING_TOO_DEEP,
                    format!("collections are nested more than {MAX_DEPTH} levels deep"),
                )
                .with_label("too deep")
                .with_help(
                    "no Istio or Kubernetes resource nests this deep; the document was not read",
                ),
                range.start..next_char_boundary(self.text, range.start),
            );
            self.doc.failed = true;
            return;
        }
        let node = self.doc.spans.push(range.clone());
        let children = self.pool.pop().unwrap_or_default();
        self.doc.stack.push(Frame {
            container,
            node,
            children,
            anchor,
            nodes: 1,
            last_end: range.end,
        });
    }

    /// kubectl's YAML reader (go-yaml) ends a plain scalar at a `:` only
    /// when a blank follows, so in `[1.2.3.4, 2001:db8::]` the last item is
    /// the string `2001:db8::`. The YAML 1.2 parser ends it before `:]` and
    /// reads a one-pair mapping with an empty value; this gives back the
    /// scalar kubectl reads for such a pair (the mapping `node`).
    fn glued_colon(&self, map: &Map<String, Value>, node: NodeId) -> Option<String> {
        if self.keys != Keys::Kubectl
            || !matches!(
                self.doc.stack.last(),
                Some(Frame {
                    container: Container::Seq(_),
                    ..
                })
            )
        {
            return None;
        }
        let mut entries = map.iter();
        let (key, value) = entries.next().filter(|_| entries.next().is_none())?;
        if !value.is_null() || key.is_empty() {
            return None;
        }
        let start = self.doc.spans.span(node).start;
        let rest = self.text.get(start..)?.strip_prefix(key.as_str())?;
        let glued = rest.starts_with(':') && rest[1..].starts_with([',', ']', '}']);
        glued.then(|| format!("{key}:"))
    }

    fn close(&mut self, range: Range<usize>) {
        let Some(mut frame) = self.doc.stack.pop() else {
            return;
        };
        // A flow collection ends at its bracket; a block one at its last child.
        let end = if range.end > range.start {
            range.end
        } else {
            frame.last_end
        };
        self.doc.spans.close(frame.node, end);
        frame.children.clear();
        self.pool.push(frame.children);
        // Collections keep the room they grew to while they were read: a
        // document's value lives until its checks and typed read are done
        // (validate), or is one of a few a command keeps.
        let value = match frame.container {
            Container::Seq(items) => Value::Array(items),
            Container::Map { map, .. } => match self.glued_colon(&map, frame.node) {
                Some(scalar) => Value::String(scalar),
                None => Value::Object(map),
            },
        };
        if frame.anchor != 0 {
            self.doc.anchors.insert(
                frame.anchor,
                Anchored {
                    value: value.clone(),
                    nodes: frame.nodes,
                },
            );
        }
        if self.awaiting_key() {
            let start = self.doc.spans.span(frame.node).start;
            self.report(
                Diagnostic::new(
                    &rules::UNSUPPORTED_KEY,
                    "a mapping key must be a string, not a collection",
                )
                .with_label("complex key")
                .with_help("Kubernetes objects are JSON: use a plain string key"),
                start..next_char_boundary(self.text, start),
            );
            self.set_key(None, start..end, false);
            return;
        }
        self.attach(value, frame.node, frame.nodes, end);
    }

    fn alias(&mut self, id: usize, range: Range<usize>) {
        let Some(anchored) = self.doc.anchors.get(&id) else {
            self.report(
                Diagnostic::new(&rules::YAML_SYNTAX, "alias refers to an unknown anchor")
                    .with_label("unknown anchor"),
                range,
            );
            return;
        };
        let nodes = anchored.nodes;
        if self.doc.alias_nodes + nodes > MAX_ALIAS_NODES {
            self.report(
                Diagnostic::new(
                    &rules::ALIAS_LIMIT,
                    format!("aliases in this document expand to more than {MAX_ALIAS_NODES} nodes"),
                )
                .with_label("expansion limit reached here")
                .with_help(
                    "this looks like a \"billion laughs\" document; the document was not read",
                ),
                range,
            );
            self.doc.failed = true;
            return;
        }
        self.doc.alias_nodes += nodes;
        let value = anchored.value.clone();
        if self.awaiting_key() {
            let key = match &value {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) | Value::Array(_) => None,
                other => Some(other.to_string()),
            };
            self.set_key(key, range, false);
            return;
        }
        let node = self.doc.spans.push(range.clone());
        self.attach(value, node, nodes, range.end);
    }

    fn attach(&mut self, value: Value, node: NodeId, nodes: usize, end: usize) {
        self.doc.spans.set_shape(node, shape_of(&value));
        let Some(frame) = self.doc.stack.last_mut() else {
            self.doc.root = Some(value);
            return;
        };
        frame.nodes += nodes;
        frame.last_end = frame.last_end.max(end);
        match &mut frame.container {
            Container::Seq(items) => {
                items.push(value);
                frame.children.push(node);
            }
            Container::Map { map, key, merged } => {
                self.doc.null_member |= value.is_null();
                let Some(PendingKey { key, span, merge }) = key.take() else {
                    return;
                };
                let Some(key) = key else { return };
                if merge {
                    let merge_diag = merge_into(
                        map,
                        merged,
                        &mut frame.children,
                        &mut self.doc.spans,
                        value,
                        node,
                        &span,
                    );
                    if let Some(diag) = merge_diag {
                        self.report(diag, span);
                    }
                    return;
                }
                self.doc.spans.set_key(node, span.clone(), &key, self.text);
                let key = match map.entry(key) {
                    serde_json::map::Entry::Vacant(slot) => {
                        slot.insert(value);
                        frame.children.push(node);
                        return;
                    }
                    serde_json::map::Entry::Occupied(entry) => entry.key().clone(),
                };
                let index = map
                    .keys()
                    .position(|k| *k == key)
                    .expect("the entry is occupied");
                if merged.contains(&key) {
                    // An explicit key overrides one brought in by `<<`.
                    merged.retain(|k| *k != key);
                    map.insert(key, value);
                    self.doc.spans.forget_key(frame.children[index]);
                    frame.children[index] = node;
                    return;
                }
                let first = frame.children[index];
                let first_line = self.doc.spans.key_span(first).map(|k| k.start);
                let mut diag =
                    Diagnostic::new(&rules::DUPLICATE_KEY, format!("duplicate key `{key}`"))
                        .with_label("repeated here")
                        .with_help("keep one of them: tools disagree on which value wins");
                if let Some(first) = first_line {
                    let line = self.text[..first.min(self.text.len())]
                        .matches('\n')
                        .count()
                        + 1;
                    diag = diag.with_label(format!("repeated here; first defined on line {line}"));
                }
                self.report(diag, span);
            }
        }
    }
}

fn shape_of(value: &Value) -> Shape {
    match value {
        Value::Object(_) => Shape::Mapping,
        Value::Array(_) => Shape::Sequence,
        _ => Shape::Scalar,
    }
}

/// Applies a YAML merge key (`<<: *base`): entries not already present are added.
fn merge_into(
    map: &mut Map<String, Value>,
    merged: &mut Vec<String>,
    children: &mut Vec<NodeId>,
    spans: &mut SpanDraft,
    value: Value,
    node: NodeId,
    key_span: &Range<usize>,
) -> Option<Diagnostic> {
    let sources = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) if items.iter().all(Value::is_object) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => {
            return Some(
                Diagnostic::new(
                    &rules::YAML_SYNTAX,
                    "a merge key `<<` needs a mapping or a list of mappings",
                )
                .with_label("not a mapping"),
            );
        }
    };
    let span = spans.span(node);
    for source in sources {
        for (k, v) in source {
            if map.contains_key(&k) {
                continue;
            }
            let child = spans.push(span.clone());
            spans.set_merged_key(child, key_span.clone(), &k);
            spans.set_shape(child, shape_of(&v));
            merged.push(k.clone());
            map.insert(k, v);
            children.push(child);
        }
    }
    None
}

/// The parser's end marker for quoted scalars runs past the closing quote;
/// find the quote itself. Block scalars lose their trailing blank space.
fn scalar_end(text: &str, range: &Range<usize>, style: ScalarStyle) -> usize {
    let bytes = text.as_bytes();
    let limit = range.end.max(range.start).min(bytes.len());
    match style {
        ScalarStyle::DoubleQuoted => {
            let mut i = range.start + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            limit
        }
        ScalarStyle::SingleQuoted => {
            let mut i = range.start + 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i += 1;
            }
            limit
        }
        ScalarStyle::Plain => limit,
        _ => {
            let trimmed = text[range.start.min(limit)..limit].trim_end();
            range.start + trimmed.len()
        }
    }
}

/// Resolves a plain scalar as go-yaml v2 (and so kubectl) does. The second
/// value describes the YAML 1.1 reading when YAML 1.2 would read it differently.
/// A plain scalar's value when it is not a string (null, bool or number),
/// with a note when YAML 1.2 tools read it differently; `None` for strings.
fn resolve_plain(text: &str) -> Option<(Value, Option<&'static str>)> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some((Value::Null, None)),
        "true" | "True" | "TRUE" => return Some((Value::Bool(true), None)),
        "false" | "False" | "FALSE" => return Some((Value::Bool(false), None)),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Some((Value::Bool(true), Some("the boolean true")));
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Some((Value::Bool(false), Some("the boolean false")));
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !matches!(first, b'+' | b'-' | b'.' | b'0'..=b'9') {
        return None;
    }
    let digits: Cow<'_, str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        Cow::Borrowed(text)
    };
    if let Some((number, go_only)) = parse_go_int(&digits) {
        let note = (go_only || text.contains('_')).then_some("a number in YAML 1.1 notation");
        return Some((Value::Number(number), note));
    }
    if is_yaml_float(&digits)
        && let Some(n) = digits.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Some((Value::Number(n), None));
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)` (then `ParseUint`). The flag tells whether
/// the notation is one YAML 1.2 reads differently (leading-zero octal, `0b`).
fn parse_go_int(text: &str) -> Option<(Number, bool)> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.get(..2).map(str::to_ascii_lowercase);
    let (radix, digits, go_only) = match lower.as_deref() {
        Some("0x") => (16, &body[2..], false),
        Some("0o") => (8, &body[2..], false),
        Some("0b") => (2, &body[2..], true),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..], true),
        _ => (10, body, false),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let number = if negative {
        if magnitude > i64::MAX as u64 + 1 {
            return None;
        }
        Number::from((magnitude as i64).wrapping_neg())
    } else {
        Number::from(magnitude)
    };
    Some((number, go_only))
}

/// go-yaml's float syntax: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// `text` read as [`parse_stream`] reads it (each document by the
/// block-style reader where it can), and by the full parser alone; their
/// documents and findings, for tests that compare the two.
#[cfg(test)]
pub(super) fn parse_both_ways(text: &str) -> [(Vec<ParsedDoc>, Vec<Diagnostic>); 2] {
    let chars = CharIndex::new(text);
    let identity = |doc| doc;
    let mut diags = Vec::new();
    let piece = Piece {
        source: 0,
        text,
        parse_text: text,
        range: 0..text.len(),
        chars: &chars,
        keys: Keys::Kubectl,
    };
    let (docs, _) = piece.parse(&mut diags, &identity);
    let mut full_diags = Vec::new();
    let mut full = Builder::new(text, Keys::Kubectl, &chars, 0, &mut full_diags, &identity);
    full.parse_full(text, 0..text.len(), text.len());
    let full_docs = full.docs;
    [(docs, diags), (full_docs, full_diags)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_with(text: &str, keys: Keys) -> (Vec<ParsedDoc>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let docs = parse_stream(0, text, keys, &mut diags);
        (docs, diags)
    }

    fn parse(text: &str) -> (Vec<ParsedDoc>, Vec<Diagnostic>) {
        parse_with(text, Keys::Kubectl)
    }

    #[test]
    fn plain_keys_resolve_like_kubectl_or_as_written() {
        let text = "kind: A\napiVersion: v1\non: 1\nno: 2\n'off': 3\n";
        let (docs, diags) = parse(text);
        let head = |rest: serde_json::Value| {
            let mut value = json!({"kind": "A", "apiVersion": "v1"});
            value
                .as_object_mut()
                .unwrap()
                .extend(rest.as_object().unwrap().clone());
            value
        };
        assert_eq!(
            docs[0].value,
            head(json!({"true": 1, "false": 2, "off": 3}))
        );
        assert_eq!(diags.len(), 2, "{diags:?}");
        let (docs, diags) = parse_with(text, Keys::AsWritten);
        assert_eq!(docs[0].value, head(json!({"on": 1, "no": 2, "off": 3})));
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn scalars_resolve_like_kubectl() {
        let (docs, diags) = parse(
            "kind: A\napiVersion: v1\na: on\nb: 0755\nc: '0755'\nd: 1_000\ne: 1.5\nf: ~\ng: 0x1F\nh: .inf\ni: 12:30\nj: -7\n",
        );
        assert_eq!(
            docs[0].value,
            json!({"kind": "A", "apiVersion": "v1", "a": true, "b": 493, "c": "0755", "d": 1000, "e": 1.5, "g": 31, "h": ".inf", "i": "12:30", "j": -7}),
            "`f: ~` is null, and a null field of a manifest is dropped"
        );
        let warned: Vec<_> = diags.iter().map(|d| d.rule.code).collect();
        assert_eq!(warned, vec!["MC0005", "MC0005", "MC0005"]);
    }

    #[test]
    fn null_fields_of_a_manifest_are_dropped_as_the_api_server_prunes_them() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n  labels: {a: ~}\nspec:\n  ports: [null, {port: 80, name: null}]\n---\nplain: null\n";
        let (docs, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            docs[0].value,
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {}}, "spec": {"ports": [null, {"port": 80}]}})
        );
        assert_eq!(
            docs[1].value,
            json!({"plain": null}),
            "not a manifest: kept as written"
        );
    }

    #[test]
    fn a_colon_before_a_flow_indicator_stays_in_the_scalar_as_kubectl_reads_it() {
        let (docs, diags) =
            parse("a: [1.2.3.4, 2001:db8::]\nb: [fe80::, 10.0.0.1]\nc: [{k: v}, x: z]\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            docs[0].value,
            json!({"a": ["1.2.3.4", "2001:db8::"], "b": ["fe80::", "10.0.0.1"], "c": [{"k": "v"}, {"x": "z"}]})
        );
    }

    #[test]
    fn flow_collections_ignore_indentation_as_kubectl_does() {
        let text = "spec:\n  hosts: [\n  a.example.com,\n    b\n  ]\n  gateways: [g,\n  h]\n";
        let (docs, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            docs[0].value,
            json!({"spec": {"hosts": ["a.example.com", "b"], "gateways": ["g", "h"]}})
        );
        let doc = &docs[0];
        let b = doc.spans.lookup(doc.root, "/spec/hosts/1", text);
        assert_eq!(&text[b.value], "b", "spans point into the text as written");
        let (_, diags) = parse("a: [x,\n  y\nb: 1\n");
        assert_eq!(
            diags.len(),
            1,
            "a flow collection never closed is still an error"
        );
    }

    #[test]
    fn yaml11_warnings_only_concern_kubernetes_manifests() {
        let text = "enabled: on\n---\napiVersion: v1\nkind: Service\nmetadata: {labels: {canary: on}}\n---\nmode: 0755\n";
        let (docs, diags) = parse(text);
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].value, json!({"enabled": true}), "read the same way");
        let warned: Vec<usize> = diags
            .iter()
            .map(|d| d.location.as_ref().unwrap().span.start)
            .collect();
        assert_eq!(warned, vec![text.find("on}").unwrap()], "{diags:?}");
    }

    #[test]
    fn quoted_scalar_span_ends_at_the_quote() {
        let text = "b: \"x\"   # c\nc: 'it''s' \n";
        let (docs, _) = parse(text);
        let doc = &docs[0];
        let b = doc.spans.lookup(doc.root, "/b", text);
        assert_eq!(&text[b.value], "\"x\"");
        let c = doc.spans.lookup(doc.root, "/c", text);
        assert_eq!(&text[c.value], "'it''s'");
        assert_eq!(&text[c.key.unwrap()], "c");
    }

    #[test]
    fn duplicate_key_is_reported_at_the_second_key() {
        let text = "a: 1\nb: 2\na: 3\n";
        let (docs, diags) = parse(text);
        assert_eq!(docs[0].value, json!({"a": 1, "b": 2}));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].rule.code, "MC0002");
        assert_eq!(diags[0].location.as_ref().unwrap().span, 10..11);
        assert!(diags[0].label.as_deref().unwrap().contains("line 1"));
    }

    #[test]
    fn merge_keys_fill_missing_entries_and_explicit_keys_win() {
        let text = "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n  b: 4\n";
        let (docs, diags) = parse(text);
        assert_eq!(docs[0].value["m"], json!({"a": 1, "b": 3}));
        assert_eq!(
            diags.len(),
            1,
            "the second explicit `b` is a duplicate: {diags:?}"
        );
        let d = &docs[0];
        let b = d.spans.lookup(d.root, "/m/b", text);
        assert_eq!(
            &text[b.value], "3",
            "the explicit key's span, not the merge's"
        );
        let a = d.spans.lookup(d.root, "/m/a", text);
        assert_eq!(&text[a.key.unwrap()], "<<");
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
        }
        let start = std::time::Instant::now();
        let (docs, diags) = parse(&text);
        assert!(docs.is_empty());
        assert_eq!(diags[0].rule.code, "MC0003");
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (docs, diags) = parse(&text);
        assert!(docs.is_empty());
        assert_eq!(diags[0].rule.code, "MC0004");
    }

    #[test]
    fn syntax_error_keeps_earlier_documents() {
        let (docs, diags) = parse("a: 1\n---\nb: [1\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(diags[0].rule.code, "MC0001");
    }

    #[test]
    fn lookup_descends_sequences_and_escaped_keys() {
        let text = "metadata:\n  labels:\n    app.kubernetes.io/name: x\nspec:\n  http:\n  - route:\n    - weight: 10\n";
        let (docs, _) = parse(text);
        let d = &docs[0];
        let w = d.spans.lookup(d.root, "/spec/http/0/route/0/weight", text);
        assert!(w.complete);
        assert_eq!(&text[w.value], "10");
        let l = d
            .spans
            .lookup(d.root, "/metadata/labels/app.kubernetes.io~1name", text);
        assert_eq!(&text[l.value], "x");
        let missing = d.spans.lookup(d.root, "/spec/http/0/timeout", text);
        assert!(!missing.complete);
    }

    #[test]
    fn lookup_finds_keys_spelled_otherwise_in_the_source() {
        let text =
            "base: &b {port: 80}\nsvc:\n  <<: *b\n  'quoted key': 1\n  \"esc\\u0061ped\": 2\n";
        let (docs, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let d = &docs[0];
        let merged = d.spans.lookup(d.root, "/svc/port", text);
        assert!(merged.complete, "a key brought in by `<<` is found");
        assert_eq!(
            &text[merged.key.unwrap()],
            "<<",
            "and labelled at the merge key"
        );
        let quoted = d.spans.lookup(d.root, "/svc/quoted key", text);
        assert_eq!(&text[quoted.value], "1");
        let escaped = d.spans.lookup(d.root, "/svc/escaped", text);
        assert_eq!(&text[escaped.value], "2");
    }

    #[test]
    fn json_documents_parse_with_spans() {
        let text = "{\"kind\": \"Service\", \"spec\": {\"ports\": [{\"port\": 80}]}}";
        let (docs, diags) = parse(text);
        assert!(diags.is_empty());
        let d = &docs[0];
        let p = d.spans.lookup(d.root, "/spec/ports/0/port", text);
        assert_eq!(&text[p.value], "80");
    }

    /// A stream large enough to be cut into pieces: documents with
    /// multi-byte characters, YAML 1.1 spellings (warnings) and anchors.
    fn large_stream(broken_at: Option<usize>) -> String {
        let mut text = String::from("# a header comment\n");
        let mut i = 0;
        while text.len() < 3 * PARALLEL_BYTES {
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: VirtualService\nmetadata: {{name: vs-{i}, labels: {{note: \"café ☕\"}}}}\nspec:\n  on: yes\n  base: &b {{a: 1}}\n  copy: *b\n  text: |\n    --- not a marker, indented\n    line\n"
            ));
            if broken_at == Some(i) {
                text.push_str("  bad: [unclosed\n");
            }
            i += 1;
        }
        text
    }

    /// Everything one parse yields, as text: values, spans and findings.
    fn outcome(docs: &[ParsedDoc], diags: &[Diagnostic]) -> String {
        format!("{docs:?}\n{diags:?}")
    }

    #[test]
    fn a_stream_cut_into_pieces_parses_as_in_one_pass() {
        for broken in [None, Some(2_000)] {
            let text = large_stream(broken);
            assert!(pieces(&text).len() > 2, "the stream is cut");
            let (docs, diags) = parse(&text);
            let chars = CharIndex::new(&text);
            let mut one_diags = Vec::new();
            let whole = Piece {
                source: 0,
                text: &text,
                parse_text: &text,
                range: 0..text.len(),
                chars: &chars,
                keys: Keys::Kubectl,
            };
            let (one, _) = whole.parse(&mut one_diags, &|doc| doc);
            assert_eq!(outcome(&docs, &diags), outcome(&one, &one_diags));
            assert!(
                diags.iter().any(|d| d.rule.code == "MC0005"),
                "warnings kept"
            );
            assert_eq!(
                broken.is_some(),
                diags.iter().any(|d| d.rule.code == "MC0001"),
                "a syntax error is reported once, where one pass stops"
            );
        }
    }

    #[test]
    fn directives_keep_a_stream_in_one_piece() {
        let mut text = large_stream(None);
        text.insert_str(0, "%YAML 1.2\n");
        assert_eq!(pieces(&text).len(), 1);
    }
}
