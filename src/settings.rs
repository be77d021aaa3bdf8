//! Project settings from `.meshctl.yaml`: which rules run, how severe each
//! one is, and which files ignore which rules. Command-line flags win over
//! the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Rule, Severity};
use crate::load::Source;
use crate::validate::rule_matches;

/// The settings file meshctl looks for, from the current directory up.
pub const FILE_NAME: &str = ".meshctl.yaml";

/// The contents of a settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SettingsFile {
    /// Default of `--fail-on`: error, warning, info or never.
    pub fail_on: Option<String>,
    /// Default of `-n/--namespace`.
    pub namespace: Option<String>,
    /// Default of `--complete`: the input is the whole cluster.
    pub complete: Option<bool>,
    /// Default of `--gateway-api-channel`: standard or experimental.
    pub gateway_api_channel: Option<crate::schema::channel::Channel>,
    /// Only these rules (codes, names, Istio codes or code prefixes).
    #[serde(default)]
    pub select: Vec<String>,
    /// Never these rules.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// A severity per rule selector: error, warning, info, or off.
    #[serde(default)]
    pub severity: BTreeMap<String, Level>,
    /// Rules ignored in the files a glob matches (relative to the file's folder).
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
}

/// A severity, or `off` to drop the rule's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

const LEVELS: &[&str] = &["error", "warning", "info", "off"];

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Level;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("error, warning, info or off")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Level, E> {
                match v {
                    "error" => Ok(Level::Error),
                    "warning" => Ok(Level::Warning),
                    "info" => Ok(Level::Info),
                    "off" => Ok(Level::Off),
                    _ => Err(E::unknown_variant(v, LEVELS)),
                }
            }
            /// A bare `off` is YAML 1.1's false, the way the loader reads it.
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Level, E> {
                if v {
                    Err(E::invalid_value(serde::de::Unexpected::Bool(v), &self))
                } else {
                    Ok(Level::Off)
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Settings ready to apply to findings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    severity: Vec<(String, Level)>,
    per_file_ignores: Vec<(GlobMatcher, Vec<String>)>,
    /// The folder globs are relative to.
    root: PathBuf,
}

impl Settings {
    /// Settings from a parsed file in folder `root`; `Err((pointer, message))`
    /// for a bad glob.
    pub fn new(file: &SettingsFile, root: &Path) -> Result<Settings, (String, String)> {
        let mut per_file_ignores = Vec::new();
        for (pattern, rules) in &file.per_file_ignores {
            let glob = Glob::new(pattern).map_err(|e| {
                (
                    format!("/per-file-ignores/{}", crate::load::spans::escape(pattern)),
                    format!("not a glob: {e}"),
                )
            })?;
            per_file_ignores.push((glob.compile_matcher(), rules.clone()));
        }
        Ok(Settings {
            severity: file.severity.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            per_file_ignores,
            root: root.to_path_buf(),
        })
    }

    /// Drops findings that per-file ignores or `off` remove, and sets the
    /// configured severity on the rest. The most specific selector wins: a
    /// code, name or Istio code over any prefix, a longer prefix over a
    /// shorter one.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>, sources: &[Source]) {
        if self.severity.is_empty() && self.per_file_ignores.is_empty() {
            return;
        }
        diagnostics.retain_mut(|d| {
            if let Some(at) = &d.location
                && self.ignored_in(d.rule, &sources[at.source].name)
            {
                return false;
            }
            match self.level(d.rule) {
                Some(Level::Off) => false,
                Some(Level::Error) => keep_as(d, Severity::Error),
                Some(Level::Warning) => keep_as(d, Severity::Warning),
                Some(Level::Info) => keep_as(d, Severity::Info),
                None => true,
            }
        });
    }

    /// Whether `severity` turns `rule` off everywhere.
    pub fn turns_off(&self, rule: &Rule) -> bool {
        self.level(rule) == Some(Level::Off)
    }

    /// The level the most specific `severity` selector gives `rule`.
    fn level(&self, rule: &Rule) -> Option<Level> {
        self.severity
            .iter()
            .filter_map(|(selector, level)| specificity(rule, selector).map(|s| (s, *level)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, level)| level)
    }

    fn ignored_in(&self, rule: &Rule, file: &str) -> bool {
        if self.per_file_ignores.is_empty() {
            return false;
        }
        let path = Path::new(file);
        let relative = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| p.strip_prefix(&self.root).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| path.to_path_buf());
        self.per_file_ignores
            .iter()
            .any(|(glob, rules)| glob.is_match(&relative) && rule_matches(rule, rules))
    }
}

fn keep_as(d: &mut Diagnostic, severity: Severity) -> bool {
    d.severity = severity;
    true
}

/// How precisely `selector` names `rule`, if it does.
fn specificity(rule: &Rule, selector: &str) -> Option<usize> {
    let exact = selector.eq_ignore_ascii_case(rule.code)
        || selector.eq_ignore_ascii_case(rule.name)
        || rule
            .istio_code
            .is_some_and(|c| c.eq_ignore_ascii_case(selector));
    if exact {
        Some(usize::MAX)
    } else if rule_matches(rule, &[selector.to_string()]) {
        Some(selector.len())
    } else {
        None
    }
}

/// The settings file that applies in `dir`: `.meshctl.yaml` there or in the
/// nearest folder above.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}
