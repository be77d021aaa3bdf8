//! Reading only the documents an answer can depend on. A stream is cut at
//! its document markers without parsing, and the identity of each document
//! is skimmed from its top-level lines; a [`Selector`] says which documents
//! to parse, and learns from each one parsed which others it needs.

use std::ops::Range;

use super::Document;

/// Decides which documents a selective load parses (see
/// [`super::load_selected`]).
pub trait Selector {
    /// Starts a pass over the documents not parsed yet; false when nothing
    /// learned since the last pass can make another one wanted.
    fn next_pass(&mut self) -> bool;
    /// Whether to parse the document `text`; `skim` is what its top-level
    /// lines say, `None` when they are not plain block YAML. Asked in input
    /// order, once per pass, for every document not parsed yet.
    fn wants(&mut self, text: &str, skim: Option<&Skim<'_>>) -> Want;
    /// Takes in the objects of a document just parsed.
    fn learn(&mut self, docs: &[Document]);
}

/// What a selective load does with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Skip,
    /// Parse it.
    Document,
    /// Parse it and every other document of its source.
    Source,
}

/// The identity a document's top-level lines give, read without parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skim<'t> {
    pub api_version: &'t str,
    pub kind: &'t str,
    pub name: &'t str,
    /// `None` when the document names none.
    pub namespace: Option<&'t str>,
}

/// The byte ranges of the documents of `text`, each with its identity when
/// a skim can tell it. Cut before every `---` line (a document marker at
/// the first column, which no scalar may contain); one range when the
/// stream has directives, which belong to the document after them. A range
/// with a `...` line may hold two documents (one may start after it without
/// a marker), so it gets no identity.
pub fn documents(text: &str) -> Vec<(Range<usize>, Option<Skim<'_>>)> {
    if super::yaml::has_directives(text) {
        return vec![(0..text.len(), None)];
    }
    super::yaml::document_ranges(text)
        .into_iter()
        .map(|range| {
            let doc = &text[range.clone()];
            let one = !doc.starts_with("...") && !doc.contains("\n...");
            (range, one.then(|| skim(doc)).flatten())
        })
        .collect()
}

/// The identity of the one document `text` (from its `---` line, if any,
/// to the next): `apiVersion`, `kind` and `metadata.name` (and namespace)
/// as plain or simply quoted block scalars. `None` when the top level
/// says them any other way (flow style, anchors, tags, escapes, a key
/// twice), so the caller reads the document to know.
pub fn skim(text: &str) -> Option<Skim<'_>> {
    let mut api_version = None;
    let mut kind = None;
    let mut name = None;
    let mut namespace = None;
    let mut in_metadata = false;
    let mut seen_metadata = false;
    let mut metadata_indent = None;
    for (i, line) in text.lines().enumerate() {
        if i == 0 && line.starts_with("---") {
            if !line[3..].trim_start().is_empty() && !line[3..].trim_start().starts_with('#') {
                return None;
            }
            continue;
        }
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 {
            if seen_metadata && api_version.is_some() && kind.is_some() {
                // The identity is complete: the rest is the object's body.
                break;
            }
            in_metadata = false;
            let (key, value) = entry(content)?;
            open_quote(value)?;
            let slot = match key {
                "apiVersion" => &mut api_version,
                "kind" => &mut kind,
                "metadata" => {
                    if !value.is_empty() || seen_metadata {
                        return None;
                    }
                    in_metadata = true;
                    seen_metadata = true;
                    continue;
                }
                _ => continue,
            };
            if slot.replace(scalar(value)?).is_some() {
                return None;
            }
        } else if in_metadata {
            let first = *metadata_indent.get_or_insert(indent);
            if indent != first {
                continue;
            }
            let (key, value) = entry(content)?;
            open_quote(value)?;
            let slot = match key {
                "name" => &mut name,
                "namespace" => &mut namespace,
                _ => continue,
            };
            if slot.replace(scalar(value)?).is_some() {
                return None;
            }
        }
    }
    Some(Skim {
        api_version: api_version?,
        kind: kind?,
        name: name?,
        namespace,
    })
}

/// A block mapping entry `key: value` with a plain key; `None` for any
/// other line at that level (a sequence, a flow collection, a complex key).
fn entry(line: &str) -> Option<(&str, &str)> {
    if line.starts_with([
        '-', '?', '{', '[', '&', '*', '!', '"', '\'', '%', '|', '>', '@', '`', '\t',
    ]) {
        return None;
    }
    let colon = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(str::len))?;
    let key = &line[..colon];
    if key.contains(['#', ' ']) {
        return None;
    }
    let value = line[colon + 1..].trim();
    let value = match value.find(" #") {
        Some(comment) => value[..comment].trim_end(),
        None if value.starts_with('#') => "",
        None => value,
    };
    Some((key, value))
}

/// `None` when `value` opens a quoted scalar that goes on past its line
/// (whose next lines could look like keys).
fn open_quote(value: &str) -> Option<()> {
    match value.chars().next() {
        Some(q @ ('"' | '\''))
            if value.len() < 2 || !value.ends_with(q) || value.ends_with("\\\"") =>
        {
            None
        }
        _ => Some(()),
    }
}

/// A plain or quoted scalar without escapes or quotes inside; `None` for
/// anything else.
fn scalar(value: &str) -> Option<&str> {
    let unquoted = if let Some(inner) = value.strip_prefix('"') {
        inner
            .strip_suffix('"')
            .filter(|s| !s.contains(['"', '\\']))?
    } else if let Some(inner) = value.strip_prefix('\'') {
        inner.strip_suffix('\'').filter(|s| !s.contains('\''))?
    } else if value.starts_with(['&', '*', '!', '{', '[', '|', '>', '@', '`', '%'])
        || value.contains(['"', '\'', '\\'])
    {
        return None;
    } else {
        value
    };
    (!unquoted.is_empty()).then_some(unquoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_cut_before_each_document_marker() {
        let text = "a: 1\n---\nb: 2\n--- # c\nc: 3\n---x: no\n";
        let cuts: Vec<&str> = documents(text).into_iter().map(|(r, _)| &text[r]).collect();
        assert_eq!(cuts, ["a: 1\n", "---\nb: 2\n", "--- # c\nc: 3\n---x: no\n"]);
    }

    #[test]
    fn directives_and_end_markers_hide_the_identity() {
        let doc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n";
        let directives = format!("%YAML 1.2\n---\n{doc}---\n{doc}");
        assert_eq!(
            documents(&directives),
            vec![(0..directives.len(), None)],
            "a stream with directives stays whole"
        );
        let ended = format!("{doc}...\n{}---\n{doc}", doc.replace("name: a", "name: b"));
        let found: Vec<Option<&str>> = documents(&ended)
            .into_iter()
            .map(|(_, skim)| skim.map(|s| s.name))
            .collect();
        assert_eq!(
            found,
            [None, Some("a")],
            "after `...` a second document may start"
        );
    }

    #[test]
    fn skim_reads_plain_block_identities() {
        let text = "---\n# a comment\napiVersion: networking.istio.io/v1\nkind: VirtualService # vs\nmetadata:\n  labels:\n    name: not-this\n  name: \"reviews\"\n  namespace: 'shop'\nspec:\n  hosts: [reviews]\n";
        assert_eq!(
            skim(text),
            Some(Skim {
                api_version: "networking.istio.io/v1",
                kind: "VirtualService",
                name: "reviews",
                namespace: Some("shop"),
            })
        );
    }

    #[test]
    fn skim_gives_up_on_what_only_a_parser_can_read() {
        let base = "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n";
        assert!(skim(base).is_some());
        for text in [
            "apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\n",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: &n reviews\n",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"rev\\x69ews\"\n",
            "apiVersion: v1\nkind: Service\nkind: Service\nmetadata:\n  name: reviews\n",
            "apiVersion: v1\n\"kind\": Service\nmetadata:\n  name: reviews\n",
            "{apiVersion: v1, kind: Service, metadata: {name: reviews}}\n",
            "apiVersion: v1\nkind: Service\n",
        ] {
            assert_eq!(skim(text), None, "{text}");
        }
    }
}
