//! Small YAML files the commands read for themselves (route tests, the
//! settings file): keys as written, errors as `file:line:col: message`.

use serde::de::DeserializeOwned;

use super::CliError;
use crate::diagnostic::Severity;
use crate::load::{Document, Keys, Loaded};
use crate::model::deserialize_at;

/// A one-document YAML file and its spans.
pub struct YamlFile {
    path: String,
    loaded: Loaded,
}

impl YamlFile {
    /// Reads and parses `path`; a syntax error is a `CliError` with its place.
    pub fn read(path: &str) -> Result<YamlFile, CliError> {
        let bytes =
            std::fs::read(path).map_err(|e| CliError(format!("{path}: cannot read: {e}")))?;
        YamlFile::from_bytes(path, bytes)
    }

    /// Parses the bytes of the file at `path`.
    pub fn from_bytes(path: &str, bytes: Vec<u8>) -> Result<YamlFile, CliError> {
        let mut loaded = Loaded {
            keys: Keys::AsWritten,
            ..Loaded::default()
        };
        loaded.add_bytes(path.to_string(), bytes);
        // Warnings (a YAML 1.1 boolean such as `off`) concern manifests that
        // kubectl reads; this file is read as YAML 1.2.
        if let Some(d) = loaded
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
        {
            let place = d.location.as_ref().map_or_else(
                || path.to_string(),
                |at| {
                    let (line, col) = loaded.sources[at.source].line_col(at.span.start);
                    format!("{path}:{line}:{col}")
                },
            );
            return Err(CliError(format!("{place}: {}", d.message)));
        }
        Ok(YamlFile {
            path: path.to_string(),
            loaded,
        })
    }

    /// The file's first document, if it has one.
    pub fn document(&self) -> Option<&Document> {
        self.loaded.documents.first()
    }

    /// The first document as `T`; an unknown field points at its key.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, CliError> {
        let doc = self
            .document()
            .ok_or_else(|| CliError(format!("{}: the file is empty", self.path)))?;
        deserialize_at(&doc.value, "").map_err(|e| {
            let place = if e.message.starts_with("unknown field") {
                self.key_at(&e.pointer)
            } else {
                self.at(&e.pointer)
            };
            CliError(format!("{place}: {}", e.message))
        })
    }

    /// `file:line:col` of the value at `pointer` in the first document.
    pub fn at(&self, pointer: &str) -> String {
        self.place(pointer, false)
    }

    /// `file:line:col` of the key of the field at `pointer`.
    pub fn key_at(&self, pointer: &str) -> String {
        self.place(pointer, true)
    }

    fn place(&self, pointer: &str, key: bool) -> String {
        let Some(doc) = self.document() else {
            return self.path.clone();
        };
        let at = if key {
            doc.key_location(pointer)
        } else {
            doc.label_location(pointer)
        };
        let (line, col) = self.loaded.sources[at.source].line_col(at.span.start);
        format!("{}:{line}:{col}", self.path)
    }
}
