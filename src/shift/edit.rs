//! The comment-preserving editor: rewrites the weight scalars in place (the
//! digits only, so quotes and anchors stay), or inserts a `weight` key with
//! the entry's own indentation and line ending. Everything else in the file
//! is kept byte for byte, and [`verify`] checks that on the re-read result.

use std::ops::Range;

use serde_json::Value;

use crate::load::Document;
use crate::load::spans::escape;

/// One replacement in the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// The edit that sets the weight of the route entry at `entry` (a JSON
/// pointer such as `/spec/http/0/route/1`) in `doc`, whose file is `text`.
pub fn set_weight(text: &str, doc: &Document, entry: &str, weight: u32) -> Result<Edit, String> {
    let pointer = format!("{entry}/weight");
    if doc.value.pointer(&pointer).is_some() {
        let span = doc.locate(&pointer).value;
        let token = &text[span.clone()];
        if token.contains('*') {
            return Err(format!(
                "the weight `{token}` is an alias; edit its anchor by hand"
            ));
        }
        let digits = last_digit_run(token)
            .ok_or_else(|| format!("the weight `{token}` is not a whole number"))?;
        return Ok(Edit {
            range: span.start + digits.start..span.start + digits.end,
            text: weight.to_string(),
        });
    }
    let span = doc.locate(entry).value;
    let body = &text[span.clone()];
    if body.starts_with('{') {
        // Flow style: `{destination: {host: a}}` gets `, weight: N` before `}`.
        let close = span.start + body.rfind('}').ok_or("an unclosed flow mapping")?;
        let at = text[..close].trim_end().len();
        return Ok(Edit {
            range: at..at,
            text: format!(", weight: {weight}"),
        });
    }
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..span.start];
    let indent: String = indent
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let end = last_content_end(text, doc, entry);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let (at, eol) = if line_end > 0 && text[..line_end].ends_with('\r') {
        (line_end - 1, "\r\n")
    } else {
        (line_end, "\n")
    };
    Ok(Edit {
        range: at..at,
        text: format!("{eol}{indent}weight: {weight}"),
    })
}

/// The byte range of the last run of ASCII digits in `token`.
fn last_digit_run(token: &str) -> Option<Range<usize>> {
    let end = token.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = token[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    Some(start..end)
}

/// Where the entry's content ends: the end of its last scalar or flow
/// collection (block collections' spans run on over trailing comments).
fn last_content_end(text: &str, doc: &Document, entry: &str) -> usize {
    let mut pointer = entry.to_string();
    loop {
        let span = doc.locate(&pointer).value;
        let flow = text[span.clone()].starts_with(['{', '[']);
        let last = match doc.value.pointer(&pointer) {
            Some(Value::Object(map)) if !flow => {
                map.keys().next_back().map(|k| escape(k).into_owned())
            }
            Some(Value::Array(items)) if !flow => items.len().checked_sub(1).map(|i| i.to_string()),
            _ => None,
        };
        match last {
            Some(segment) => pointer = format!("{pointer}/{segment}"),
            None => return span.start + text[span].trim_end().len(),
        }
    }
}

/// Applies non-overlapping edits.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(e.range.clone(), &e.text);
    }
    out
}

/// Whether `edited` is `original` with exactly the given weights set (a
/// quoted weight stays a string).
pub fn verify(original: &Value, edited: &Value, weights: &[(String, u32)]) -> bool {
    let mut expected = original.clone();
    for (entry, weight) in weights {
        let Some(Value::Object(map)) = expected.pointer_mut(entry) else {
            return false;
        };
        let value = match map.get("weight") {
            Some(Value::String(_)) => Value::String(weight.to_string()),
            _ => Value::from(*weight),
        };
        map.insert("weight".into(), value);
    }
    expected == *edited
}
