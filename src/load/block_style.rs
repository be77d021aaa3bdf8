//! A reader for the block-style YAML that manifests are written in: block
//! mappings and sequences, one-line plain, quoted and flow scalars, literal
//! and folded block scalars, comments. It hands the same events, at the same
//! byte spans, that the full parser (saphyr) gives for such a document, at a
//! fraction of the cost; anything else (anchors, aliases, tags, multi-line
//! plain, quoted or flow scalars, tabs, directives, syntax errors) makes it
//! stop with [`Unsupported`] before the document's end event, and the caller
//! gives the document to the full parser. A test compares the two readers on
//! generated and mutated documents.

use std::borrow::Cow;
use std::ops::Range;

use saphyr_parser::{Event, ScalarStyle};

/// The document holds YAML this reader leaves to the full parser.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unsupported;

type Read<T = ()> = Result<T, Unsupported>;

/// Deepest nesting read here (below the builder's limit, so a document that
/// the builder refuses always goes to the full parser, which says why).
const MAX_NESTING: usize = 64;
/// Longest implicit key YAML allows.
const MAX_KEY_BYTES: usize = 1024;

/// Reads the one document in `range` of `text` (a range cut at document
/// markers: it starts at `---` or at the stream's start) and hands each
/// event and its byte span to `sink`. A range with nothing but comments and
/// blank lines gives no event.
pub(super) fn read_document<'t>(
    text: &'t str,
    range: Range<usize>,
    sink: &mut impl FnMut(Event<'t>, Range<usize>),
) -> Read {
    let bytes = &text.as_bytes()[..range.end];
    if !is_plain_text(&bytes[range.start..]) {
        return Err(Unsupported);
    }
    let mut reader = Reader {
        text,
        bytes,
        end: range.end,
        pos: range.start,
        line: range.start,
        done: false,
        depth: 0,
        sink,
    };
    reader.document()
}

/// Whether `bytes` avoid what this reader leaves to the full parser: tabs,
/// carriage returns and other control characters, a byte order mark, and
/// the line breaks and characters that YAML treats specially (NEL, LS, PS,
/// C1 controls, U+FFFE/U+FFFF).
fn is_plain_text(bytes: &[u8]) -> bool {
    // Printable ASCII and line breaks, checked in blocks (which the
    // compiler vectorises), before the character by character look.
    let ascii = |block: &[u8]| {
        block.iter().fold(true, |ok, &b| {
            ok & ((b.wrapping_sub(0x20) < 0x5f) | (b == b'\n'))
        })
    };
    if bytes.chunks(64).all(ascii) {
        return true;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' | 0x20..=0x7e => {}
            0..=0x1f | 0x7f => return false,
            0xc2 if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => return false,
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                return false;
            }
            0xef if matches!(
                (bytes.get(i + 1), bytes.get(i + 2)),
                (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
            ) =>
            {
                return false;
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// A scalar read from one line.
struct Scalar<'t> {
    value: Cow<'t, str>,
    style: ScalarStyle,
    span: Range<usize>,
}

/// What a plain scalar in a flow collection stopped at.
#[derive(PartialEq, Eq)]
enum FlowStop {
    /// A `,`, a closing bracket, or the end of the line.
    Item,
    /// `: `, after a key.
    Colon,
}

struct Reader<'t, 's, S> {
    text: &'t str,
    /// The stream up to the document's end.
    bytes: &'t [u8],
    end: usize,
    pos: usize,
    /// Where the line holding `pos` starts.
    line: usize,
    /// No content line is left in the document.
    done: bool,
    depth: usize,
    sink: &'s mut S,
}

/// The bytes that may end a plain scalar or the run of text it keeps: a
/// line break, `: `, ` #` and the spaces before them.
static ENDS_PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\n' as usize] = true;
    table[b':' as usize] = true;
    table[b'#' as usize] = true;
    table[b' ' as usize] = true;
    table
};

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\n'
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'t, S: FnMut(Event<'t>, Range<usize>)> Reader<'t, '_, S> {
    /// The byte at `i`; the document's end reads as a line break.
    fn at(&self, i: usize) -> u8 {
        if i < self.end { self.bytes[i] } else { b'\n' }
    }

    fn column(&self) -> usize {
        self.pos - self.line
    }

    fn emit(&mut self, event: Event<'t>, span: Range<usize>) {
        (self.sink)(event, span);
    }

    fn emit_scalar(&mut self, scalar: Scalar<'t>) {
        self.emit(
            Event::Scalar(scalar.value, scalar.style, 0, None),
            scalar.span,
        );
    }

    fn skip_spaces(&mut self) {
        while self.pos < self.end && self.bytes[self.pos] == b' ' {
            self.pos += 1;
        }
    }

    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.bytes[from.min(self.end)..]).map_or(self.end, |i| from + i)
    }

    /// Ends the current line (only blanks or a comment may be left on it)
    /// and moves to the next line with content.
    fn finish_line(&mut self) -> Read {
        self.skip_spaces();
        match self.at(self.pos) {
            b'\n' => {}
            b'#' if self.pos == self.line || self.bytes[self.pos - 1] == b' ' => {
                self.pos = self.line_end(self.pos);
            }
            _ => return Err(Unsupported),
        }
        if self.pos >= self.end {
            self.done = true;
            return Ok(());
        }
        self.line = self.pos + 1;
        self.pos = self.line;
        self.skip_to_content()
    }

    /// From the start of a line, moves to the first line with content
    /// (skipping blank and comment lines) and to its first character.
    fn skip_to_content(&mut self) -> Read {
        loop {
            self.skip_spaces();
            if self.pos >= self.end {
                self.done = true;
                return Ok(());
            }
            match self.bytes[self.pos] {
                b'\n' => {}
                b'#' => self.pos = self.line_end(self.pos),
                _ => {
                    let marker = self.column() == 0
                        && (self.bytes[self.pos..].starts_with(b"...")
                            || self.bytes[self.pos..].starts_with(b"---"))
                        && is_blank(self.at(self.pos + 3));
                    return if marker { Err(Unsupported) } else { Ok(()) };
                }
            }
            if self.pos >= self.end {
                self.done = true;
                return Ok(());
            }
            self.line = self.pos + 1;
            self.pos = self.line;
        }
    }

    fn document(&mut self) -> Read {
        let explicit = self.bytes[self.pos..].starts_with(b"---");
        if explicit {
            self.pos += 3;
            self.finish_line()?;
        } else {
            self.skip_to_content()?;
        }
        if self.done {
            // An explicit empty document is left to the full parser, which
            // places its null value.
            return if explicit { Err(Unsupported) } else { Ok(()) };
        }
        self.emit(Event::DocumentStart(explicit), self.pos..self.pos);
        let indent = self.column();
        if self.is_entry(self.pos) {
            self.sequence(indent, self.pos, false)?;
        } else if self.key_ahead()? {
            self.mapping(indent)?;
        } else {
            return Err(Unsupported);
        }
        if !self.done {
            return Err(Unsupported);
        }
        self.emit(Event::DocumentEnd, self.end..self.end);
        Ok(())
    }

    /// Whether a block sequence entry (`-` and a blank) starts at `at`.
    fn is_entry(&self, at: usize) -> bool {
        self.at(at) == b'-' && is_blank(self.at(at + 1))
    }

    fn nest(&mut self) -> Read {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Unsupported);
        }
        Ok(())
    }

    /// Whether the line at `pos` starts with a mapping key.
    fn key_ahead(&self) -> Read<bool> {
        Ok(self.key_at(self.pos)?.is_some())
    }

    /// The mapping key at `at` and the offset of its `:`, when the line
    /// starts with one.
    fn key_at(&self, at: usize) -> Read<Option<(Scalar<'t>, usize)>> {
        let (scalar, after) = match self.at(at) {
            b'"' | b'\'' => self.quoted(at)?,
            b if self.starts_plain(at, b) => {
                let (scalar, stop) = self.plain_block(at);
                if self.at(stop) != b':' {
                    return Ok(None);
                }
                (scalar, stop)
            }
            _ => return Ok(None),
        };
        let mut colon = after;
        while self.at(colon) == b' ' {
            colon += 1;
        }
        if self.at(colon) != b':' || !is_blank(self.at(colon + 1)) {
            return Ok(None);
        }
        if scalar.span.end - scalar.span.start > MAX_KEY_BYTES {
            return Err(Unsupported);
        }
        Ok(Some((scalar, colon)))
    }

    /// A block mapping whose keys are at column `indent`, from its first key.
    fn mapping(&mut self, indent: usize) -> Read {
        self.nest()?;
        self.emit(Event::MappingStart(0, None), self.pos..self.pos);
        loop {
            let Some((key, colon)) = self.key_at(self.pos)? else {
                return Err(Unsupported);
            };
            self.emit_scalar(key);
            self.pos = colon + 1;
            self.value(indent, colon)?;
            if self.done || self.column() < indent {
                break;
            }
            if self.column() > indent || self.is_entry(self.pos) {
                return Err(Unsupported);
            }
        }
        self.emit(Event::MappingEnd, self.pos..self.pos);
        self.depth -= 1;
        Ok(())
    }

    /// The value after the `:` at `colon` of a key at column `indent`.
    fn value(&mut self, indent: usize, colon: usize) -> Read {
        self.skip_spaces();
        if !matches!(self.at(self.pos), b'\n' | b'#') {
            return self.inline_value(indent);
        }
        self.finish_line()?;
        if !self.done && self.column() > indent {
            return self.nested(indent);
        }
        if !self.done && self.column() == indent && self.is_entry(self.pos) {
            return self.sequence(indent, self.entry_content(self.pos)?, true);
        }
        self.emit(
            Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None),
            colon..colon,
        );
        Ok(())
    }

    /// A node on its own lines, more indented than its key at `indent`.
    fn nested(&mut self, indent: usize) -> Read {
        let column = self.column();
        if self.is_entry(self.pos) {
            self.sequence(column, self.pos, false)
        } else if self.key_ahead()? {
            self.mapping(column)
        } else {
            self.inline_value(indent)
        }
    }

    /// Where the content of the entry whose `-` is at `dash` starts; an
    /// entry with nothing on its line is left to the full parser.
    fn entry_content(&self, dash: usize) -> Read<usize> {
        let mut at = dash + 1;
        while self.at(at) == b' ' {
            at += 1;
        }
        if matches!(self.at(at), b'\n' | b'#') || self.is_entry(at) {
            return Err(Unsupported);
        }
        Ok(at)
    }

    /// A block sequence whose `-` are at column `indent`; the parser's span
    /// for its start is `start` (its first `-`, or the first entry's content
    /// when it is indentless). An `indentless` sequence is the value of a key
    /// at its own column, and ends at the mapping's next key.
    fn sequence(&mut self, indent: usize, start: usize, indentless: bool) -> Read {
        self.nest()?;
        self.emit(Event::SequenceStart(0, None), start..start);
        loop {
            self.pos = self.entry_content(self.pos)?;
            let column = self.column();
            if self.key_ahead()? {
                self.mapping(column)?;
            } else {
                self.inline_value(indent)?;
            }
            if self.done || self.column() < indent {
                break;
            }
            if self.column() > indent {
                return Err(Unsupported);
            }
            if !self.is_entry(self.pos) {
                if !indentless {
                    return Err(Unsupported);
                }
                break;
            }
        }
        self.emit(Event::SequenceEnd, self.pos..self.pos);
        self.depth -= 1;
        Ok(())
    }

    /// A value that starts on the current line, in a node whose parent is
    /// at column `indent`; moves to the next line with content, which must
    /// not be more indented than the parent (a plain scalar that goes on,
    /// or an error).
    fn inline_value(&mut self, indent: usize) -> Read {
        let at = self.pos;
        match self.at(at) {
            b'|' | b'>' => return self.block_scalar(indent),
            b'[' | b'{' => self.pos = self.flow_node(at)?,
            b'"' | b'\'' => {
                let (scalar, after) = self.quoted(at)?;
                self.emit_scalar(scalar);
                self.pos = after;
            }
            b if self.starts_plain(at, b) => {
                let (scalar, stop) = self.plain_block(at);
                if self.at(stop) == b':' {
                    return Err(Unsupported);
                }
                self.emit_scalar(scalar);
                self.pos = stop;
            }
            _ => return Err(Unsupported),
        }
        self.finish_line()?;
        if !self.done && self.column() > indent {
            return Err(Unsupported);
        }
        Ok(())
    }

    /// Whether a plain scalar may start at `at`, whose byte is `b`.
    fn starts_plain(&self, at: usize, b: u8) -> bool {
        match b {
            b'-' | b'?' | b':' => {
                let next = self.at(at + 1);
                !is_blank(next) && !is_flow_indicator(next)
            }
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
            _ => true,
        }
    }

    /// A plain scalar in block context from `start`: it ends at `: `, ` #`
    /// or the line's end. Returns it and where it stopped.
    fn plain_block(&self, start: usize) -> (Scalar<'t>, usize) {
        let mut i = start;
        let mut last = start;
        loop {
            // Most bytes of a scalar end nothing: one table lookup each.
            let b = self.at(i);
            if !ENDS_PLAIN[usize::from(b)] {
                i += 1;
                last = i;
                continue;
            }
            match b {
                b'\n' => break,
                b':' if is_blank(self.at(i + 1)) => break,
                b'#' if self.bytes[i - 1] == b' ' => break,
                b' ' => i += 1,
                _ => {
                    i += 1;
                    last = i;
                }
            }
        }
        (self.plain(start..last), i)
    }

    fn plain(&self, span: Range<usize>) -> Scalar<'t> {
        Scalar {
            value: Cow::Borrowed(&self.text[span.clone()]),
            style: ScalarStyle::Plain,
            span,
        }
    }

    /// A quoted scalar that starts at `at` and ends on the same line;
    /// returns it and the offset after its closing quote.
    fn quoted(&self, at: usize) -> Read<(Scalar<'t>, usize)> {
        let (value, end) = self.quoted_text(at + 1, self.at(at))?;
        let style = if self.at(at) == b'\'' {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        let after = end + 1;
        Ok((
            Scalar {
                value,
                style,
                span: at..after,
            },
            after,
        ))
    }

    /// The value of a scalar in `quote`s whose text starts at `from` and
    /// ends on the same line, and the offset of its closing quote: `''`
    /// stands for `'` in single quotes, `\` starts an escape in double ones.
    fn quoted_text(&self, from: usize, quote: u8) -> Read<(Cow<'t, str>, usize)> {
        let mut owned: Option<String> = None;
        let mut segment = from;
        let mut i = from;
        loop {
            let (c, len) = match self.at(i) {
                b'\n' => return Err(Unsupported),
                b'\'' if quote == b'\'' && self.at(i + 1) == b'\'' => ('\'', 2),
                b if b == quote => break,
                b'\\' if quote == b'"' => {
                    let (c, len) = self.escape(i + 1)?;
                    (c, 1 + len)
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            let value = owned.get_or_insert_with(String::new);
            value.push_str(&self.text[segment..i]);
            value.push(c);
            i += len;
            segment = i;
        }
        let value = match owned {
            Some(mut value) => {
                value.push_str(&self.text[segment..i]);
                Cow::Owned(value)
            }
            None => Cow::Borrowed(&self.text[from..i]),
        };
        Ok((value, i))
    }

    /// The character an escape (after its `\`, at `at`) stands for, and how
    /// many bytes it takes.
    fn escape(&self, at: usize) -> Read<(char, usize)> {
        let c = match self.at(at) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex_escape(at, 2),
            b'u' => return self.hex_escape(at, 4),
            b'U' => return self.hex_escape(at, 8),
            _ => return Err(Unsupported),
        };
        Ok((c, 1))
    }

    fn hex_escape(&self, at: usize, digits: usize) -> Read<(char, usize)> {
        let hex = self
            .text
            .get(at + 1..at + 1 + digits)
            .filter(|_| at + 1 + digits <= self.end)
            .ok_or(Unsupported)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Unsupported);
        }
        let code = u32::from_str_radix(hex, 16).map_err(|_| Unsupported)?;
        let c = char::from_u32(code).ok_or(Unsupported)?;
        Ok((c, 1 + digits))
    }

    /// A flow node at `at` that ends on the same line; returns the offset
    /// after it.
    fn flow_node(&mut self, at: usize) -> Read<usize> {
        match self.at(at) {
            b'[' => self.flow_sequence(at),
            b'{' => self.flow_mapping(at),
            b'"' | b'\'' => {
                let (scalar, after) = self.quoted(at)?;
                self.emit_scalar(scalar);
                Ok(after)
            }
            b if self.starts_plain(at, b) => {
                let (scalar, stop, FlowStop::Item) = self.plain_flow(at)? else {
                    return Err(Unsupported);
                };
                self.emit_scalar(scalar);
                Ok(stop)
            }
            _ => Err(Unsupported),
        }
    }

    fn skip_spaces_from(&self, mut at: usize) -> usize {
        while self.at(at) == b' ' {
            at += 1;
        }
        at
    }

    /// After a flow collection's item: the offset of the next item, or
    /// `None` at the closing `close`, whose end event is emitted.
    fn flow_next(&mut self, at: usize, close: u8, end: Event<'t>) -> Read<Option<usize>> {
        let at = self.skip_spaces_from(at);
        match self.at(at) {
            b',' => {
                let next = self.skip_spaces_from(at + 1);
                if matches!(self.at(next), b',' | b']' | b'}') {
                    return Err(Unsupported);
                }
                Ok(Some(next))
            }
            b if b == close => {
                self.emit_flow_end(end, at);
                Ok(None)
            }
            _ => Err(Unsupported),
        }
    }

    /// Emits the end of a flow collection closed at `at`: the parser's span
    /// for it runs to its next token, over blanks and a comment on the
    /// same line.
    fn emit_flow_end(&mut self, end: Event<'t>, at: usize) {
        let mut next = self.skip_spaces_from(at + 1);
        if self.at(next) == b'#' && next > at + 1 {
            next = self.line_end(next);
        }
        self.emit(end, at..next);
    }

    fn flow_sequence(&mut self, open: usize) -> Read<usize> {
        let start = Event::SequenceStart(0, None);
        self.flow_collection(open, start, b']', Event::SequenceEnd, Self::flow_node)
    }

    fn flow_mapping(&mut self, open: usize) -> Read<usize> {
        let start = Event::MappingStart(0, None);
        self.flow_collection(open, start, b'}', Event::MappingEnd, Self::flow_pair)
    }

    /// A flow collection opened at `open` and closed by `close` on the same
    /// line, whose items `item` reads; returns the offset after it.
    fn flow_collection(
        &mut self,
        open: usize,
        start: Event<'t>,
        close: u8,
        end: Event<'t>,
        item: fn(&mut Self, usize) -> Read<usize>,
    ) -> Read<usize> {
        self.nest()?;
        self.emit(start, open..open + 1);
        let mut at = self.skip_spaces_from(open + 1);
        if self.at(at) == close {
            self.emit_flow_end(end, at);
        } else {
            loop {
                let after = item(self, at)?;
                match self.flow_next(after, close, end.clone())? {
                    Some(next) => at = next,
                    None => {
                        at = self.skip_spaces_from(after);
                        break;
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(at + 1)
    }

    /// A `key: value` pair of a flow mapping at `at`; returns the offset
    /// after the value.
    fn flow_pair(&mut self, at: usize) -> Read<usize> {
        let (key, colon) = match self.at(at) {
            b'"' | b'\'' => {
                let (key, after) = self.quoted(at)?;
                (key, self.skip_spaces_from(after))
            }
            b if self.starts_plain(at, b) => match self.plain_flow(at)? {
                (key, colon, FlowStop::Colon) => (key, colon),
                _ => return Err(Unsupported),
            },
            _ => return Err(Unsupported),
        };
        if self.at(colon) != b':' || self.at(colon + 1) != b' ' {
            return Err(Unsupported);
        }
        self.emit_scalar(key);
        let value = self.skip_spaces_from(colon + 1);
        if is_flow_indicator(self.at(value)) && !matches!(self.at(value), b'[' | b'{') {
            return Err(Unsupported);
        }
        self.flow_node(value)
    }

    /// A plain scalar in a flow collection from `start`: it ends at a flow
    /// indicator or at `: `; a `:` glued to other text, a comment or the
    /// line's end are left to the full parser.
    fn plain_flow(&self, start: usize) -> Read<(Scalar<'t>, usize, FlowStop)> {
        let mut i = start;
        let mut last = start;
        let stop = loop {
            match self.at(i) {
                b'\n' => return Err(Unsupported),
                b',' | b'[' | b']' | b'{' | b'}' => break FlowStop::Item,
                b':' if self.at(i + 1) == b' ' => break FlowStop::Colon,
                b':' => return Err(Unsupported),
                b'#' if self.bytes[i - 1] == b' ' => return Err(Unsupported),
                b' ' => i += 1,
                _ => {
                    i += 1;
                    last = i;
                }
            }
        };
        Ok((self.plain(start..last), i, stop))
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at
    /// `self.pos`, in a node whose parent is at column `indent`; moves to
    /// the next line with content.
    fn block_scalar(&mut self, indent: usize) -> Read {
        let literal = self.at(self.pos) == b'|';
        self.pos += 1;
        let chomping = match self.at(self.pos) {
            b'-' => Chomping::Strip,
            b'+' => Chomping::Keep,
            _ => Chomping::Clip,
        };
        if chomping != Chomping::Clip {
            self.pos += 1;
        }
        self.skip_spaces();
        match self.at(self.pos) {
            b'\n' => {}
            b'#' if self.bytes[self.pos - 1] == b' ' => self.pos = self.line_end(self.pos),
            _ => return Err(Unsupported),
        }
        let mut line = self.pos + 1;
        let mut value = String::new();
        while line < self.end && self.bytes[line] == b'\n' {
            if !literal {
                return Err(Unsupported);
            }
            value.push('\n');
            line += 1;
        }
        let content_indent = self.skip_spaces_from(line) - line;
        if line >= self.end || content_indent <= indent || self.at(line + content_indent) == b'\n' {
            return Err(Unsupported);
        }
        let start = line + content_indent;
        let mut breaks = 0;
        let mut first = true;
        let mut ended_by_break = true;
        while line < self.end {
            let spaces = self.skip_spaces_from(line) - line;
            let line_end = self.line_end(line);
            if line + spaces == line_end {
                if spaces > content_indent || line_end >= self.end {
                    return Err(Unsupported);
                }
                breaks += 1;
                line = line_end + 1;
                continue;
            }
            if spaces < content_indent {
                break;
            }
            if !literal && spaces > content_indent {
                return Err(Unsupported);
            }
            if !first {
                let separator = if literal || breaks > 0 { '\n' } else { ' ' };
                let extra = if literal { breaks + 1 } else { breaks.max(1) };
                value.extend(std::iter::repeat_n(separator, extra));
            }
            value.push_str(&self.text[line + content_indent..line_end]);
            first = false;
            breaks = 0;
            ended_by_break = line_end < self.end;
            line = line_end + 1;
        }
        if !ended_by_break {
            return Err(Unsupported);
        }
        match chomping {
            Chomping::Strip => {}
            Chomping::Clip => value.push('\n'),
            Chomping::Keep => value.extend(std::iter::repeat_n('\n', breaks + 1)),
        }
        let end = line.min(self.end);
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        self.emit(Event::Scalar(Cow::Owned(value), style, 0, None), start..end);
        self.line = end;
        self.pos = end;
        self.skip_to_content()?;
        if !self.done && self.column() > indent {
            return Err(Unsupported);
        }
        Ok(())
    }
}

/// What a block scalar keeps of its final line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

#[cfg(test)]
mod tests {
    //! The block-style reader against the full parser: for any text, the
    //! documents (values and spans) and findings must be the same whichever
    //! reads them.

    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    use super::*;
    use crate::load::yaml::parse_both_ways;

    /// Asserts that both readers give the same documents and findings.
    fn assert_same(text: &str) {
        let [(fast, fast_diags), (full, full_diags)] = parse_both_ways(text);
        assert_eq!(fast.len(), full.len(), "document count of {text:?}");
        for (a, b) in fast.iter().zip(&full) {
            assert_eq!(a.value, b.value, "value of {text:?}");
            assert_eq!(a.root, b.root, "root of {text:?}");
            assert_eq!(a.spans, b.spans, "spans of {text:?}");
        }
        let describe = |diags: &[crate::diagnostic::Diagnostic]| format!("{diags:?}");
        assert_eq!(
            describe(&fast_diags),
            describe(&full_diags),
            "findings of {text:?}"
        );
    }

    /// Whether the block-style reader takes every document of `text`.
    fn read_alone(text: &str) -> bool {
        crate::load::yaml::document_ranges(text)
            .into_iter()
            .all(|range| read_document(text, range, &mut |_, _| {}).is_ok())
    }

    const BLOCK_STYLE: &[&str] = &[
        "apiVersion: v1 # c\nkind: \"Svc\"\nmetadata:\n  name: x\n  labels:\n    a: b\nspec:\n  hosts:\n  - a\n  - \"b\"\n  http:\n  - match:\n    - uri: {prefix: /a}\n    route: [x, y]\n    empty:\n    s: |\n      line1\n      line2\n\n    t: 'q''x'\n---\nz: 1\n",
        "a:   # c\nb:\n- x\n- k: v\n  k2:\n\"q\": 1\n's': 2\nc: |-\n\n  t\n   u\n# comment\nd: >\n  f\n  g\n\n  h\ne: []\nf: {}\nh: x y  \ni: \"a\\tb\\u00e9\\x41\\U0001F600\\\\\\\"\"\n",
        "# leading comment\n\n---\n# doc\nroot:\n    deep:\n        - 1\n        - 2.5\n        - -3\n        - 0x1F\n        - on\n        - ~\n    url: http://example.com:8080/a#frag\n    time: 12:30\n",
        "- a\n- b: c\n  d: [1, 'two', \"three\", {x: y}]\n- {a: [], b: {}}\n",
        "k: |+\n  kept\n\n\nnext: >-\n  folded\n  text\n\n  para\nlast: |\n  literal\n    indented\n  back\n",
        "key : value\nother:    spaced   \nuni: é ü 漢字\n\"quoted key\": 'quoted value'\n'it''s': \"x\"\n",
        "a:\n  b:\n    c:\n      d: e\n  f: g\nh: i\n",
        "list:\n  - name: a\n    ports:\n    - 80\n    - 443\n  - name: b\n",
        "a: 1\n---\nb: 2\n---\n- c\n",
        "dup: 1\ndup: 2\n",
        "\"a\\nb\": 1\nplain-\"quote: 2\n",
        "a: -x\nb: ?y\nc: :z\nd: x:y\ne: '#not a comment'\nf: a#b\n",
    ];

    #[test]
    fn block_style_documents_are_read_without_the_full_parser_and_alike() {
        for text in BLOCK_STYLE {
            assert!(read_alone(text), "the block-style reader takes {text:?}");
            assert_same(text);
        }
    }

    const LEFT_TO_THE_FULL_PARSER: &[&str] = &[
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: multi\n  line plain\n",
        "a: \"multi\n  line\"\n",
        "a: [x,\n  y]\n",
        "a:\tb\n",
        "a: b\r\nc: d\r\n",
        "%YAML 1.2\n---\na: b\n",
        "a: b\n...\n",
        "---\n",
        "- - a\n  - b\n",
        "-\n  a: b\n",
        "? a\n: b\n",
        "a: |2\n   x\n",
        "a: b: c\n",
        "a: [2001:db8::]\n",
        "a: {b}\n",
        "a: [b, ]\n",
        "a: \"x\" y\n",
        "plain scalar at the root\n",
        "a: >\n  more\n    indented\n",
        "a:\n  - x\n  b: y\n",
        "a: 1\n b: 2\n",
        "a: |\n",
        "a: \"\\q\"\n",
        "a: \"\\ud800\"\n",
        "\u{feff}a: b\n",
        "a: [b]]\n",
        "a: b\n- c\n",
    ];

    #[test]
    fn other_yaml_is_left_to_the_full_parser_and_read_alike() {
        for text in LEFT_TO_THE_FULL_PARSER {
            assert!(!read_alone(text), "the full parser reads {text:?}");
            assert_same(text);
        }
    }

    #[test]
    fn the_shipped_fixtures_read_alike() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read = 0;
        for dir in ["fixtures", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir)) {
                let path = entry.expect("readable").into_path();
                if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                assert_same(&text);
                read += usize::from(read_alone(&text));
            }
        }
        assert!(read > 300, "most fixtures are block style: {read}");
    }

    /// Random YAML in the style manifests are written in, with the
    /// choices that the block-style reader must get right: indentation,
    /// indentless sequences, flow collections, quoting, block scalars,
    /// comments and blank lines.
    struct Writer {
        rng: Pcg64Mcg,
        out: String,
    }

    const WORDS: &[&str] = &[
        "name",
        "a",
        "on",
        "no",
        "yes",
        "1",
        "0755",
        "-1",
        "1.5",
        "~",
        "null",
        "true",
        "x y",
        "http://h:80/p",
        "12:30",
        "<<",
        "é",
        "a#b",
        "-x",
        "0x1F",
        ".inf",
        "1e3",
        "+1",
    ];
    const QUOTED: &[&str] = &[
        "a: b",
        "#x",
        "- x",
        " lead",
        "trail ",
        "it's",
        "say \"hi\"",
        "tab\there",
        "",
        "*",
        "line\nbreak",
        "back\\slash",
        "é",
    ];

    impl Writer {
        fn chance(&mut self, percent: u32) -> bool {
            self.rng.random_range(0..100) < percent
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.rng.random_range(0..items.len())]
        }

        fn scalar(&mut self) -> String {
            match self.rng.random_range(0..6) {
                0 => format!("'{}'", self.pick(QUOTED).replace('\'', "''")),
                1 => {
                    let text = self.pick(QUOTED);
                    let escaped = text
                        .replace('\\', "\\\\")
                        .replace('"', "\\\"")
                        .replace('\n', "\\n")
                        .replace('\t', "\\t");
                    format!("\"{escaped}\"")
                }
                _ => self.pick(WORDS).to_string(),
            }
        }

        fn comment(&mut self) {
            if self.chance(10) {
                self.out.push_str(" # note");
            }
        }

        fn line_end(&mut self, indent: usize) {
            self.comment();
            self.out.push('\n');
            if self.chance(5) {
                self.out.push('\n');
            }
            if self.chance(5) {
                self.out
                    .push_str(&" ".repeat(self.rng.random_range(0..indent + 2)));
                self.out.push_str("# own line\n");
            }
        }

        fn flow(&mut self, depth: usize) -> String {
            let items: Vec<String> = (0..self.rng.random_range(0..3))
                .map(|_| {
                    if depth < 2 && self.chance(20) {
                        self.flow(depth + 1)
                    } else {
                        self.scalar()
                    }
                })
                .collect();
            if self.chance(50) {
                format!("[{}]", items.join(", "))
            } else {
                let pairs: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("k{i}: {v}"))
                    .collect();
                format!("{{{}}}", pairs.join(", "))
            }
        }

        fn block_scalar(&mut self, indent: usize) {
            let header = self.pick(&["|", "|-", "|+", ">", ">-", ">+"]);
            self.out.push_str(header);
            self.line_end(indent);
            let width = indent + self.rng.random_range(1..4);
            for _ in 0..self.rng.random_range(1..4) {
                if self.chance(20) {
                    self.out.push('\n');
                }
                let extra = if self.chance(15) { "  " } else { "" };
                let word = self.pick(WORDS);
                self.out
                    .push_str(&format!("{}{extra}{word}\n", " ".repeat(width)));
            }
            if self.chance(20) {
                self.out.push('\n');
            }
        }

        /// A value after `key:` or `- ` of a node at column `indent`.
        fn value(&mut self, indent: usize, depth: usize, after_dash: bool) {
            let roll = self.rng.random_range(0..10);
            if depth >= 4 || roll < 4 {
                self.out.push(' ');
                let scalar = self.scalar();
                self.out.push_str(&scalar);
                self.line_end(indent);
            } else if roll < 5 {
                self.out.push(' ');
                let flow = self.flow(0);
                self.out.push_str(&flow);
                self.line_end(indent);
            } else if roll < 6 {
                self.out.push(' ');
                self.block_scalar(indent);
            } else if roll < 8 {
                if after_dash && self.chance(50) {
                    self.out.push(' ');
                    self.mapping(indent + 2, depth + 1, true);
                } else {
                    self.line_end(indent);
                    let step = self.rng.random_range(1..4);
                    self.mapping(indent + step, depth + 1, false);
                }
            } else if roll < 9 && !after_dash {
                self.line_end(indent);
                let step = if self.chance(50) { 0 } else { 2 };
                self.sequence(indent + step, depth + 1);
            } else {
                self.line_end(indent);
            }
        }

        fn mapping(&mut self, indent: usize, depth: usize, inline_first: bool) {
            for i in 0..self.rng.random_range(1..4) {
                if i > 0 || !inline_first {
                    self.out.push_str(&" ".repeat(indent));
                }
                let key = if self.chance(10) {
                    self.scalar()
                } else {
                    self.pick(WORDS).to_string()
                };
                self.out.push_str(&key);
                self.out.push(':');
                self.value(indent, depth, false);
            }
        }

        fn sequence(&mut self, indent: usize, depth: usize) {
            for _ in 0..self.rng.random_range(1..4) {
                self.out.push_str(&" ".repeat(indent));
                self.out.push('-');
                self.value(indent, depth, true);
            }
        }

        fn document(seed: u64) -> String {
            let mut writer = Writer {
                rng: Pcg64Mcg::seed_from_u64(seed),
                out: String::new(),
            };
            for i in 0..writer.rng.random_range(1..3) {
                if i > 0 || writer.chance(30) {
                    writer.out.push_str("---\n");
                }
                if writer.chance(20) {
                    writer.sequence(0, 0);
                } else {
                    writer.mapping(0, 0, false);
                }
            }
            writer.out
        }
    }

    /// A small edit of `text` at a random character boundary.
    fn mutate(text: &str, rng: &mut Pcg64Mcg) -> String {
        const INSERTS: &[&str] = &[
            " ", "\n", ":", "-", "#", "'", "\"", "[", "]", "{", "}", ",", "|", ">", "  ", "\t",
            "&a ", "*a", "!t ", "---\n", "...\n", "- ", ": ", "\\", "? ",
        ];
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let at = boundaries[rng.random_range(0..boundaries.len())];
        let mut out = text.to_string();
        if rng.random_range(0..3) == 0 && at < text.len() {
            let next = boundaries
                .iter()
                .find(|&&b| b > at)
                .copied()
                .unwrap_or(text.len());
            out.replace_range(at..next, "");
        } else {
            out.insert_str(at, INSERTS[rng.random_range(0..INSERTS.len())]);
        }
        out
    }

    #[test]
    fn generated_documents_read_alike() {
        let mut taken = 0;
        for seed in 0..3000 {
            let text = Writer::document(seed);
            assert_same(&text);
            taken += usize::from(read_alone(&text));
        }
        assert!(
            taken > 1500,
            "the reader takes most generated documents: {taken}"
        );
    }

    #[test]
    fn edited_documents_read_alike() {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        for seed in 0..3000 {
            let mut text = Writer::document(seed);
            for _ in 0..rng.random_range(1..4) {
                text = mutate(&text, &mut rng);
            }
            assert_same(&text);
        }
    }
}
