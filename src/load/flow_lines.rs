//! kubectl's YAML reader (go-yaml) does not check indentation inside flow
//! collections, so a manifest may close `hosts: [` with a `]` at the key's
//! column, or continue `[a,` on a line no deeper than its key. YAML 1.2
//! refuses both. When a stream fails on indentation, the loader parses it
//! again from a copy in which such line breaks are spaces: the same length,
//! so every span and position still points into the original text.

use std::borrow::Cow;

/// `text` with each line break inside a flow collection (outside quotes and
/// comments) that is followed by a line no deeper than the line where the
/// collection opened replaced by a space; borrowed when there is none.
pub fn join_shallow_flow_lines(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut joined: Option<Vec<u8>> = None;
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut comment = false;
    let mut line_indent = indent_at(bytes, 0);
    let mut open_indent = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            let next = indent_at(bytes, i + 1);
            let blank = matches!(bytes.get(i + 1 + next), None | Some(b'\n' | b'\r'));
            if depth > 0 && quote.is_none() && !comment && !blank && next <= open_indent {
                let out = joined.get_or_insert_with(|| bytes.to_vec());
                out[i] = b' ';
                if i > 0 && bytes[i - 1] == b'\r' {
                    out[i - 1] = b' ';
                }
            }
            comment = false;
            line_indent = next;
            i += 1;
            continue;
        }
        if comment {
            i += 1;
            continue;
        }
        match (quote, b) {
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), _) if b == q => {
                if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            (Some(_), _) => {}
            (None, b'#') if i == 0 || bytes[i - 1].is_ascii_whitespace() => comment = true,
            (None, b'"' | b'\'') if starts_token(bytes, i, depth) => quote = Some(b),
            (None, b'[' | b'{') if starts_token(bytes, i, depth) => {
                if depth == 0 {
                    open_indent = line_indent;
                }
                depth += 1;
            }
            (None, b']' | b'}') if depth > 0 => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    match joined {
        Some(out) => Cow::Owned(String::from_utf8(out).expect("only ASCII bytes were replaced")),
        None => Cow::Borrowed(text),
    }
}

/// Spaces at the start of the line that begins at `start`.
fn indent_at(bytes: &[u8], start: usize) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| b == b' ').count())
}

/// Whether the byte at `at` begins a token: after indentation, `: `, `- `
/// or `? ` in block context, or after `[`, `{`, `,` or `:` in a flow one.
fn starts_token(bytes: &[u8], at: usize, depth: usize) -> bool {
    let before = bytes[..at]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .find(|b| !b.is_ascii_whitespace());
    match before {
        None => true,
        Some(b'[' | b'{' | b',') => depth > 0,
        Some(b':') => at > 0 && (depth > 0 || bytes[at - 1] == b' '),
        Some(b'-' | b'?') => at > 0 && bytes[at - 1] == b' ',
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_lines_in_a_flow_collection_are_joined() {
        let text = "spec:\n  hosts: [\n  a.example.com,\n    b\n]\n  gateways: [g]\n";
        let joined = join_shallow_flow_lines(text);
        assert_eq!(
            joined,
            "spec:\n  hosts: [   a.example.com,\n    b ]\n  gateways: [g]\n"
        );
        assert_eq!(joined.len(), text.len());
    }

    #[test]
    fn quotes_comments_and_plain_brackets_are_left_alone() {
        for text in [
            "a: \"[\n  x\"\nb: 1\n",
            "a: '[it''s\n  ok'\nb: 1\n",
            "a: x[0] # [\nb: 1\n",
            "a: [x, # comment ]\n  y]\n",
            "a: {b: 1}\nc: 2\n",
        ] {
            assert_eq!(join_shallow_flow_lines(text), text, "{text:?}");
        }
    }
}
