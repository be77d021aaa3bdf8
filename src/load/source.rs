//! A loaded file's text and the byte/line arithmetic on it.

/// One input: a file, or standard input.
#[derive(Debug, Clone)]
pub struct Source {
    /// Display name: the path as the user gave it, or `<stdin>`.
    pub name: String,
    /// The text, shared with the documents read from it (their spans'
    /// key names are read from it).
    pub text: std::sync::Arc<String>,
    /// Byte offsets of line starts, computed when a position is first asked
    /// (a source is at most [`super::MAX_FILE_BYTES`], so they fit in `u32`).
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<std::sync::Arc<String>>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| (i + 1) as u32));
            starts
        })
    }

    /// The 0-based line holding a byte offset and the byte where it starts.
    pub fn line_at(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s as usize <= offset) - 1;
        (line, starts[line] as usize)
    }

    /// The byte where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        let starts = self.line_starts();
        starts[line.min(starts.len() - 1)] as usize
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (line, start) = self.line_at(offset);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

/// Converts the parser's character offsets into byte offsets (a source
/// is at most [`super::MAX_FILE_BYTES`], so they fit in `u32`). The table is
/// built when first asked (only the full parser counts in characters), and
/// only for text that is not ASCII.
pub(crate) struct CharIndex<'t> {
    text: &'t str,
    table: std::sync::OnceLock<Option<Vec<u32>>>,
}

impl<'t> CharIndex<'t> {
    pub(crate) fn new(text: &'t str) -> CharIndex<'t> {
        CharIndex {
            text,
            table: std::sync::OnceLock::new(),
        }
    }

    fn table(&self) -> Option<&[u32]> {
        self.table
            .get_or_init(|| {
                (!self.text.is_ascii()).then(|| {
                    let mut table: Vec<u32> =
                        self.text.char_indices().map(|(b, _)| b as u32).collect();
                    table.push(self.text.len() as u32);
                    table
                })
            })
            .as_deref()
    }

    /// The character index of the character starting at byte `byte`.
    pub(crate) fn char_at(&self, byte: usize) -> usize {
        match self.table() {
            None => byte,
            Some(t) => t.partition_point(|&b| (b as usize) < byte),
        }
    }

    pub(crate) fn byte(&self, char_index: usize) -> usize {
        match self.table() {
            None => char_index,
            Some(t) => t.get(char_index).or(t.last()).map_or(0, |&b| b as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let s = Source::new("t", "a: é\nb: x\n".to_string());
        assert_eq!(s.line_col(0), (1, 1));
        let x = s.text.find('x').unwrap();
        assert_eq!(s.line_col(x), (2, 4));
        let after_e = s.text.find('é').unwrap() + 'é'.len_utf8();
        assert_eq!(s.line_col(after_e), (1, 5));
    }

    #[test]
    fn char_index_maps_multibyte() {
        let idx = CharIndex::new("é-x");
        assert_eq!(idx.byte(0), 0);
        assert_eq!(idx.byte(1), 2);
        assert_eq!(idx.byte(2), 3);
        assert_eq!((idx.char_at(0), idx.char_at(2), idx.char_at(3)), (0, 1, 2));
    }
}
