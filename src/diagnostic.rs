//! Plain-data diagnostics: what was found, where, and under which rule.
//!
//! Rendering is `report`'s job; a diagnostic only records facts.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A check's identity and documentation; every diagnostic names one.
#[derive(Debug)]
pub struct Rule {
    /// Stable code such as `MC1101`.
    pub code: &'static str,
    /// Kebab-case name such as `invalid-duration`.
    pub name: &'static str,
    /// Severity unless configuration overrides it.
    pub severity: Severity,
    /// The equivalent `istioctl analyze` message code, if there is one.
    pub istio_code: Option<&'static str>,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// Markdown: why it matters, a bad and a good example, references.
    pub docs: &'static str,
}

/// Identifies a loaded source (index into the source list).
pub type SourceId = usize;

/// A byte range in one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub source: SourceId,
    pub span: Range<usize>,
}

/// The Kubernetes identity of a resource a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceRef {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ResourceRef {
    /// `namespace/name`.
    pub fn qualified(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.kind,
            printable(&self.namespace),
            printable(&self.name)
        )
    }
}

/// `text` with control characters written as escapes (`\u{1b}`, `\n`), so a
/// value from the input cannot move the cursor, colour the terminal or start
/// a line of its own in a report.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII, the common case, needs no look at characters.
    let plain_ascii = text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if plain_ascii || !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A finding's label or help: most are literals, kept borrowed.
pub type Text = std::borrow::Cow<'static, str>;

/// [`printable`] of a text the caller gives up: kept as it is, not copied,
/// when it has no control characters.
fn escaped<T: std::ops::Deref<Target = str> + From<String>>(text: T) -> T {
    match printable(&text) {
        std::borrow::Cow::Owned(escaped) => escaped.into(),
        std::borrow::Cow::Borrowed(_) => text,
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// Short text placed under the offending token.
    pub label: Option<Text>,
    /// How to fix it.
    pub help: Option<Text>,
    pub location: Option<Location>,
    pub resource: Option<ResourceRef>,
    /// JSON pointer inside the document.
    pub path: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the rule's default severity and nothing else attached.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.severity,
            message: escaped(message.into()),
            label: None,
            help: None,
            location: None,
            resource: None,
            path: None,
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn with_label(mut self, label: impl Into<Text>) -> Diagnostic {
        self.label(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<Text>) -> Diagnostic {
        self.help(help);
        self
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    pub fn with_resource(mut self, resource: ResourceRef) -> Diagnostic {
        self.resource = Some(resource);
        self
    }
}

impl Diagnostic {
    /// Sets the help text in place (for rules that report through a checker).
    pub fn help(&mut self, help: impl Into<Text>) -> &mut Diagnostic {
        self.help = Some(escaped(help.into()));
        self
    }

    /// Sets the label text in place.
    pub fn label(&mut self, label: impl Into<Text>) -> &mut Diagnostic {
        self.label = Some(escaped(label.into()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn control_characters_are_escaped_and_other_text_is_kept() {
        for kept in ["reviews.shop.svc", "", "café ☕", "tab\u{a0}nbsp"] {
            assert!(matches!(printable(kept), Cow::Borrowed(_)), "{kept:?}");
        }
        // C0, DEL and C1 (U+0085, two bytes in UTF-8) controls.
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("line\nnext"), "line\\nnext");
        assert_eq!(printable("del\u{7f}"), "del\\u{7f}");
        assert_eq!(printable("é\u{85}"), "é\\u{85}");
    }

    #[test]
    fn a_message_without_control_characters_is_not_copied() {
        let message = String::from("host reviews is not a Service");
        let at = message.as_ptr();
        let diag = Diagnostic::new(&crate::schema::rules::UNKNOWN_FIELD, message);
        assert_eq!(diag.message.as_ptr(), at, "the message's buffer is kept");
        let escaped = Diagnostic::new(&crate::schema::rules::UNKNOWN_FIELD, "bad\u{1b}");
        assert_eq!(escaped.message, "bad\\u{1b}");
    }
}
