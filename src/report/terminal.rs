//! How human output meets the terminal: colours when wanted, tables that fit
//! its width, and text from the input that can neither start a line of its
//! own nor drive the terminal.

use std::borrow::Cow;

use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_BORDERS_ONLY};

use crate::diagnostic::printable;

/// How to draw human output.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours on.
    pub color: bool,
    /// Columns that tables must fit; `None` leaves rows whole (a pipe).
    pub width: Option<u16>,
}

/// What a coloured mark says.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Bad,
    Unsure,
}

impl Style {
    /// A table in the reports' border style; when the width is known, its
    /// cells wrap so that every row fits it.
    pub fn table<T: Into<Cell>>(&self, header: impl IntoIterator<Item = T>) -> Table {
        let mut table = Table::new();
        table.load_style(UTF8_BORDERS_ONLY).set_header(header);
        match self.width {
            Some(width) => table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width),
            None => table.set_content_arrangement(ContentArrangement::Disabled),
        };
        table
    }

    /// `text` (the report's own words, never input) in the tone's colour.
    pub fn paint<'t>(&self, tone: Tone, text: &'t str) -> Cow<'t, str> {
        if !self.color {
            return Cow::Borrowed(text);
        }
        let code = match tone {
            Tone::Good => "32",
            Tone::Bad => "31",
            Tone::Unsure => "33",
        };
        Cow::Owned(format!("\x1b[1;{code}m{text}\x1b[0m"))
    }
}

/// Appends one line to a human report. Control characters in it (a newline
/// or an escape sequence inside a host, a name or a header value) are
/// written as escapes.
pub fn push_line(out: &mut String, text: &str) {
    out.push_str(&printable(text));
    out.push('\n');
}

/// `push_line` with `format!` arguments: `report_line!(&mut out, "{host}")`;
/// with no arguments, an empty line.
#[macro_export]
macro_rules! report_line {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {
        $crate::report::terminal::push_line($out, &format!($($arg)*))
    };
}

/// A cell's text from the input, on one line.
pub fn cell(text: &str) -> String {
    printable(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_from_the_input_stays_one_line() {
        let mut out = String::new();
        report_line!(&mut out, "host {}", "a\nFAIL fake\x1b[2J");
        assert_eq!(out, "host a\\nFAIL fake\\u{1b}[2J\n");
    }

    #[test]
    fn tables_fit_the_width_when_it_is_known() {
        let long = "x".repeat(200);
        for width in [40u16, 80] {
            let style = Style {
                color: false,
                width: Some(width),
            };
            let mut table = style.table(["name", "value"]);
            table.add_row(vec![long.clone(), "1".into()]);
            let text = table.to_string();
            for line in text.lines() {
                assert!(line.chars().count() <= width as usize, "{line}");
            }
            assert_eq!(
                text.matches('x').count(),
                200,
                "wrapped, nothing lost:\n{text}"
            );
        }
        let mut whole = Style::default().table(["name"]);
        whole.add_row(vec![long.clone()]);
        assert!(whole.to_string().contains(&long), "a pipe keeps rows whole");
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = Style::default();
        assert_eq!(plain.paint(Tone::Bad, "FAIL"), "FAIL");
        let coloured = Style {
            color: true,
            width: None,
        };
        assert_eq!(coloured.paint(Tone::Bad, "FAIL"), "\x1b[1;31mFAIL\x1b[0m");
    }
}
