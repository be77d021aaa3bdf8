//! Human output: miette reports with the source snippet, a label on the
//! offending token and the help text, then a one-line summary.

use std::borrow::Cow;
use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity, printable};
use crate::load::Source;
use crate::validate::Summary;

use super::terminal::Style;

/// Adapter giving miette what it needs to draw one diagnostic.
struct Report<'a> {
    diag: &'a Diagnostic,
    source: Option<&'a Snippet<'a>>,
    code: String,
}

/// A source as miette reads it, reading only the lines around a span: the
/// line index finds them, so a report costs the size of its snippet, not of
/// the file (a 10 MB stream with 10,000 findings stays linear).
struct Snippet<'a> {
    name: String,
    source: &'a Source,
    drawn: Cow<'a, str>,
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let (line, _) = self.source.line_at(span.offset());
        let first = line.saturating_sub(context_lines_before);
        let from = self.source.line_start(first);
        let local = SourceSpan::new((span.offset() - from).into(), span.len());
        let window = &self.drawn.as_bytes()[from..];
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + from).into(),
                contents.span().len(),
            ),
            contents.line() + first,
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let loc = self.diag.location.as_ref()?;
        let span = SourceSpan::new(
            loc.span.start.into(),
            loc.span.end.saturating_sub(loc.span.start),
        );
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            self.diag.label.as_deref().map(str::to_string),
            span,
        ))))
    }
}

/// Every diagnostic, then a summary line.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &[Source],
    summary: &Summary,
    style: Style,
) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width.map_or(100, usize::from))
        .with_links(false);
    // Each source with a finding, redrawn once.
    let mut snippets: Vec<Option<Snippet>> = sources.iter().map(|_| None).collect();
    for diag in diagnostics {
        if let Some(l) = &diag.location
            && let Some(source) = sources.get(l.source)
        {
            snippets[l.source].get_or_insert_with(|| Snippet {
                name: printable(&source.name).into_owned(),
                source,
                drawn: drawable(&source.text),
            });
        }
    }
    let mut out = String::new();
    for diag in diagnostics {
        let source = diag
            .location
            .as_ref()
            .and_then(|l| snippets.get(l.source)?.as_ref());
        let mut code = format!("{} {}", diag.rule.code, diag.rule.name);
        if let Some(istio) = diag.rule.istio_code {
            code.push_str(&format!(" ({istio})"));
        }
        let report = Report { diag, source, code };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", diag.severity, diag.message));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(summary));
    out
}

/// The source as the snippet draws it: a control character (an escape
/// sequence, a lone carriage return) becomes `?`, one per byte, so that spans
/// still point at the same bytes.
fn drawable(text: &str) -> Cow<'_, str> {
    let mut redrawn: Option<String> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let drawn = !c.is_control() || c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'));
        if drawn {
            if let Some(out) = &mut redrawn {
                out.push(c);
            }
            continue;
        }
        let out = redrawn.get_or_insert_with(|| text[..at].to_string());
        out.extend(std::iter::repeat_n('?', c.len_utf8()));
    }
    redrawn.map_or(Cow::Borrowed(text), Cow::Owned)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `checked 3 files, 12 resources: 1 error, 2 warnings, 0 infos`, and the
/// documents left unchecked: `; skipped 2 documents (Sidecar 1, no kind 1)`.
pub fn summary_line(summary: &Summary) -> String {
    let skipped: usize = summary.skipped.values().sum();
    let kinds: Vec<String> = summary
        .skipped
        .iter()
        .map(|(kind, n)| match kind.as_str() {
            "" => format!("no kind {n}"),
            kind => format!("{} {n}", printable(kind)),
        })
        .collect();
    let unchecked = if skipped == 0 {
        String::new()
    } else {
        format!(
            "; skipped {} of kinds meshctl does not check ({})",
            plural(skipped, "document"),
            kinds.join(", ")
        )
    };
    format!(
        "checked {}, {}: {}, {}, {}{unchecked}\n",
        plural(summary.files, "file"),
        plural(summary.resources, "resource"),
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "info")
    )
}
