//! Embedded JSON Schemas, one per kind, and the translation of their errors
//! into diagnostics that point at the offending token.

pub mod channel;
pub mod rules;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, JsonType, ValidationError, Validator};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::load::Document;
use crate::load::spans::escape;
use crate::model::Duration;
use crate::model::Kind;

const DEFS: &str = include_str!("../../schemas/defs.json");

/// The schema text of a kind, as shipped in `schemas/`.
fn raw_schema(kind: Kind) -> &'static str {
    match kind {
        Kind::VirtualService => include_str!("../../schemas/virtualservice.json"),
        Kind::DestinationRule => include_str!("../../schemas/destinationrule.json"),
        Kind::Gateway => include_str!("../../schemas/gateway.json"),
        Kind::ServiceEntry => include_str!("../../schemas/serviceentry.json"),
        Kind::Sidecar => include_str!("../../schemas/sidecar.json"),
        Kind::Service => include_str!("../../schemas/service.json"),
        Kind::Deployment => include_str!("../../schemas/deployment.json"),
        Kind::Pod => include_str!("../../schemas/pod.json"),
        Kind::Node => include_str!("../../schemas/node.json"),
        Kind::Namespace => include_str!("../../schemas/namespace.json"),
        Kind::KubeGateway => include_str!("../../schemas/k8s-gateway.json"),
        Kind::HttpRoute => include_str!("../../schemas/httproute.json"),
        Kind::GrpcRoute => include_str!("../../schemas/grpcroute.json"),
        Kind::TlsRoute => include_str!("../../schemas/tlsroute.json"),
        Kind::TcpRoute => include_str!("../../schemas/tcproute.json"),
        Kind::UdpRoute => include_str!("../../schemas/udproute.json"),
        Kind::ListenerSet => include_str!("../../schemas/listenerset.json"),
        Kind::ReferenceGrant => include_str!("../../schemas/referencegrant.json"),
        Kind::GatewayClass => include_str!("../../schemas/gatewayclass.json"),
    }
}

/// The self-contained schema of a kind: its own definitions plus the shared ones.
pub fn schema(kind: Kind) -> Value {
    let mut schema: Value =
        serde_json::from_str(raw_schema(kind)).expect("embedded schema is valid JSON");
    let defs: Value = serde_json::from_str(DEFS).expect("embedded defs are valid JSON");
    let target = schema
        .as_object_mut()
        .expect("schema is an object")
        .entry("$defs")
        .or_insert_with(|| Value::Object(Default::default()));
    if let (Some(target), Some(shared)) = (target.as_object_mut(), defs["$defs"].as_object()) {
        for (name, def) in shared {
            target.entry(name.clone()).or_insert_with(|| def.clone());
        }
    }
    schema
}

/// Istio's duration rule: parseable, at least 1ms, whole milliseconds.
pub fn check_duration(text: &str) -> Result<Duration, String> {
    let d = Duration::parse(text).map_err(|e| e.to_string())?;
    if d < Duration::from_millis(1) {
        return Err(format!("`{text}` is shorter than the 1ms Istio accepts"));
    }
    if !d.is_whole_millis() {
        return Err(format!("`{text}` is not a whole number of milliseconds"));
    }
    Ok(d)
}

/// Istio's regex rule: non-empty, at most 1024 characters, valid RE2.
pub fn check_regex(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the regex is empty".into());
    }
    if text.len() > 1024 {
        return Err(format!(
            "the regex is {} characters long (at most 1024)",
            text.len()
        ));
    }
    // Parsing is what decides validity; compiling a program per regex would
    // cost more than the rest of validation together.
    regex_syntax::Parser::new()
        .parse(text)
        .map(|_| ())
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail
                .lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_string();
            format!(
                "`{text}` is not a valid RE2 regex: {}",
                last.trim_start_matches("error: ")
            )
        })
}

thread_local! {
    /// [`regex_is_valid`]'s verdicts on this thread.
    static VERDICTS: RefCell<HashMap<Box<str>, bool>> = RefCell::new(HashMap::new());
}

/// Whether `text` passes [`check_regex`], remembered per thread: manifests
/// repeat their regexes (one pattern on the routes of many services), and
/// each parse costs tens of thousands of instructions.
fn regex_is_valid(text: &str) -> bool {
    const REMEMBERED: usize = 1024;
    VERDICTS.with_borrow_mut(|verdicts| {
        if let Some(&valid) = verdicts.get(text) {
            return valid;
        }
        let valid = check_regex(text).is_ok();
        if verdicts.len() >= REMEMBERED {
            verdicts.clear();
        }
        verdicts.insert(text.into(), valid);
        valid
    })
}

/// A kind's compiled validator and its composed schema (read back for
/// suggestions), built once per process.
struct Compiled {
    schema: Value,
    validator: Validator,
}

fn compiled(kind: Kind) -> &'static Compiled {
    static COMPILED: [OnceLock<Compiled>; Kind::ALL.len()] =
        [const { OnceLock::new() }; Kind::ALL.len()];
    let slot = Kind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is listed");
    COMPILED[slot].get_or_init(|| compile(schema(kind)))
}

/// Compiles a schema with meshctl's formats (durations, RE2 regexes).
fn compile(schema: Value) -> Compiled {
    let validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("istio-duration", |s: &str| check_duration(s).is_ok())
        .with_format("istio-duration-or-zero", |s: &str| {
            Duration::parse(s).is_ok()
        })
        .with_format("re2", regex_is_valid)
        .build(&schema)
        .expect("embedded schema compiles");
    Compiled { schema, validator }
}

/// The simulation scenario schema (schemas/scenario.json).
pub const SCENARIO: &str = include_str!("../../schemas/scenario.json");

/// Validates a simulation scenario document against its schema.
pub fn validate_scenario(doc: &Document, out: &mut Vec<Diagnostic>) -> bool {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    let compiled = COMPILED
        .get_or_init(|| compile(serde_json::from_str(SCENARIO).expect("embedded schema is JSON")));
    check(compiled, doc, out)
}

/// Validates one document against its kind's schema.
pub fn validate(doc: &Document, kind: Kind, out: &mut Vec<Diagnostic>) -> bool {
    check(compiled(kind), doc, out)
}

fn check(compiled: &Compiled, doc: &Document, out: &mut Vec<Diagnostic>) -> bool {
    let Compiled { schema, validator } = compiled;
    if validator.is_valid(&doc.value) {
        return true;
    }
    for error in validator.iter_errors(&doc.value) {
        translate(doc, schema, &error, out);
    }
    false
}

fn translate(
    doc: &Document,
    schema: &Value,
    error: &ValidationError<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let pointer = error.instance_path().to_string();
    let keyword = error.schema_path().to_string();
    let here = || doc.label_location(&pointer);
    let instance = error.instance();
    let diag = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known = known_properties(schema, error.schema_path().as_str());
            for key in unexpected {
                let field = format!("{pointer}/{}", escape(key));
                let mut diag =
                    Diagnostic::new(&rules::UNKNOWN_FIELD, format!("unknown field `{key}`"))
                        .with_label("not a field of this object")
                        .at(doc.key_location(&field))
                        .with_path(doc.full_pointer(&field));
                diag = match did_you_mean(key, known.iter().map(String::as_str)) {
                    Some(best) => diag.with_help(format!("did you mean `{best}`?")),
                    None if !known.is_empty() => {
                        diag.with_help(format!("known fields here: {}", known.join(", ")))
                    }
                    None => diag,
                };
                out.push(diag);
            }
            return;
        }
        ValidationErrorKind::Type { kind } => {
            let expected = type_words(kind);
            let location = here();
            let written = doc.text().get(location.span.clone()).unwrap_or_default();
            Diagnostic::new(
                &rules::WRONG_TYPE,
                format!("expected {expected}, found {}", describe(instance)),
            )
            .with_label(format!("expected {expected}"))
            .with_help(if is_duration(schema, error.schema_path().as_str()) {
                format!("write a duration with its unit, such as \"{written}ms\" or \"{written}s\"")
            } else {
                type_help(&expected, instance, written)
            })
            .at(location)
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let found = instance
                .as_str()
                .map_or_else(|| instance.to_string(), str::to_string);
            let mut diag = Diagnostic::new(
                &rules::INVALID_ENUM,
                format!("`{found}` is not an allowed value"),
            )
            .with_label("not allowed")
            .at(here());
            diag = match did_you_mean(&found, allowed.iter().map(String::as_str)) {
                Some(best) => diag.with_help(format!(
                    "did you mean `{best}`? allowed: {}",
                    allowed.join(", ")
                )),
                None => diag.with_help(format!("allowed: {}", allowed.join(", "))),
            };
            diag
        }
        ValidationErrorKind::Constant { expected_value } => Diagnostic::new(
            &rules::INVALID_ENUM,
            format!("expected {expected_value}, found {}", describe(instance)),
        )
        .with_label("unexpected value")
        .at(here()),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            Diagnostic::new(
                &rules::MISSING_FIELD,
                format!("missing required field `{name}`"),
            )
            .with_label(format!("`{name}` is required here"))
            .with_help(format!("add `{name}`"))
            .at(doc.key_location(&pointer))
        }
        ValidationErrorKind::Format { format } => {
            let text = instance.as_str().unwrap_or_default();
            let (rule, message) = match format.as_str() {
                "istio-duration" => (&rules::INVALID_DURATION, check_duration(text).err()),
                "istio-duration-or-zero" => (
                    &rules::INVALID_DURATION,
                    Duration::parse(text).err().map(|e| e.to_string()),
                ),
                _ => (&rules::INVALID_REGEX, check_regex(text).err()),
            };
            let help = if rule.code == rules::INVALID_DURATION.code {
                "write a number and a unit: 250ms, 1.5s, 2m, 1h30m"
            } else {
                "write an RE2 regex (no look-around or back-references); it must match the whole value"
            };
            Diagnostic::new(rule, message.unwrap_or_else(|| format!("invalid {format}")))
                .with_label(format!(
                    "invalid {}",
                    if rule.code == "MC1001" {
                        "duration"
                    } else {
                        "regex"
                    }
                ))
                .with_help(help)
                .at(here())
        }
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. }
            if keyword.starts_with("/$defs/port") =>
        {
            let zero_ok = keyword.starts_with("/$defs/portOrZero");
            Diagnostic::new(
                &rules::INVALID_PORT,
                format!(
                    "port {instance} is outside {}..65535",
                    if zero_ok { 0 } else { 1 }
                ),
            )
            .with_label("invalid port")
            .with_help("use a port number from 1 to 65535")
            .at(here())
        }
        ValidationErrorKind::MaxProperties { .. } if keyword.starts_with("/$defs/stringMatch") => {
            Diagnostic::new(
                &rules::CONSTRAINT,
                "a string match takes only one of `exact`, `prefix` or `regex`",
            )
            .with_label("several match types")
            .with_help(
                "keep one of exact, prefix and regex; write another match entry for an alternative",
            )
            .at(here())
        }
        ValidationErrorKind::AnyOf { .. } => match described_rule(schema, &keyword) {
            Some(rule) => Diagnostic::new(&rules::CONSTRAINT, rule.to_string())
                .with_label("breaks the API's rule")
                .at(here()),
            None => Diagnostic::new(
                &rules::WRONG_TYPE,
                format!("{} is not a port number or a port name", describe(instance)),
            )
            .with_label("expected a port number (1..65535) or a name")
            .at(here()),
        },
        _ => {
            let message = error.to_string();
            Diagnostic::new(&rules::CONSTRAINT, message)
                .with_label("outside the API's limits")
                .at(here())
        }
    };
    out.push(diag.with_path(doc.full_pointer(&pointer)));
}

/// The property names defined where an `additionalProperties` keyword sits.
fn known_properties(schema: &Value, keyword_location: &str) -> Vec<String> {
    let parent = keyword_location
        .strip_suffix("/additionalProperties")
        .unwrap_or(keyword_location);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Whether the keyword at `keyword_location` (ending in `/type`) belongs to
/// a duration field: a string of one of the duration formats.
fn is_duration(schema: &Value, keyword_location: &str) -> bool {
    keyword_location
        .strip_suffix("/type")
        .and_then(|parent| schema_at(schema, parent))
        .and_then(|node| node.get("format"))
        .and_then(Value::as_str)
        .is_some_and(|f| f.contains("duration"))
}

/// The `description` of the schema node holding the keyword at
/// `keyword_location` (the CRD's rule, for an `anyOf` standing for a CEL
/// rule).
fn described_rule<'s>(schema: &'s Value, keyword_location: &str) -> Option<&'s str> {
    let parent = keyword_location.rsplit_once('/')?.0;
    schema_at(schema, parent)?
        .get("description")
        .and_then(Value::as_str)
}

/// The schema node at `location`, following `$ref` segments inside the
/// document.
fn schema_at<'s>(schema: &'s Value, location: &str) -> Option<&'s Value> {
    let mut node = schema;
    for segment in location.split('/').skip(1) {
        node = if segment == "$ref" {
            node.get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|r| schema.pointer(r))?
        } else {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            match node {
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => node.get(&segment)?,
            }
        };
    }
    Some(node)
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| {
            let c = c.to_ascii_lowercase();
            *d <= (c.len().max(word.len()) / 3).max(1)
                || (c.len() >= 4 && lower.starts_with(&c))
                || (lower.len() >= 4 && c.starts_with(&lower))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "an integer", "a string or null", ... for a schema's `type`.
fn type_words(kind: &TypeKind) -> String {
    let word = |t: JsonType| match t {
        JsonType::Null => "null",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "an integer",
        JsonType::Number => "a number",
        JsonType::String => "a string",
        JsonType::Array => "a list",
        JsonType::Object => "a map",
    };
    match kind {
        TypeKind::Single(t) => word(*t).to_string(),
        TypeKind::Multiple(set) => set.iter().map(word).collect::<Vec<_>>().join(" or "),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a map".into(),
    }
}

fn type_help(expected: &str, found: &Value, written: &str) -> String {
    match found {
        Value::String(s) if expected.contains("integer") || expected.contains("number") => {
            format!("remove the quotes: {s}")
        }
        Value::Number(_) if expected.contains("string") => {
            format!("quote the value: \"{written}\"")
        }
        Value::Bool(_) if expected.contains("string") => {
            format!(
                "quote the value (kubectl reads unquoted yes/no/on/off as booleans): \"{written}\""
            )
        }
        Value::Null => format!("give a value ({expected}) or remove the key"),
        _ => format!("write {expected} here"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        for kind in Kind::ALL {
            let _ = compiled(kind);
        }
    }

    /// Istio rejects durations under 1ms and sub-millisecond remainders.
    #[test]
    fn durations_follow_istio() {
        assert!(check_duration("1ms").is_ok());
        assert!(check_duration("1.5s").is_ok());
        assert!(check_duration("500us").is_err());
        assert!(check_duration("1500us").is_err());
        assert!(check_duration("abc").is_err());
    }

    #[test]
    fn remembered_regex_verdicts_are_check_regex_verdicts() {
        for _ in 0..2 {
            for text in [
                "/api/.*",
                "",
                "(unclosed",
                "^/v[0-9]+$",
                "\\p{Greek}+",
                "\\p{Nope}",
            ] {
                assert_eq!(regex_is_valid(text), check_regex(text).is_ok(), "{text}");
            }
        }
        let remembered = VERDICTS.with_borrow(|v| v.get("(unclosed").copied());
        assert_eq!(
            remembered,
            Some(false),
            "the verdict is kept for the next ask"
        );
    }

    #[test]
    fn regexes_must_compile_as_re2() {
        assert!(check_regex("/api/.*").is_ok());
        assert!(check_regex("").is_err());
        assert!(check_regex("(?!x)").is_err());
        assert!(check_regex(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn suggestions_find_typos() {
        let fields = ["weight", "destination", "headers"];
        assert_eq!(
            did_you_mean("weigth", fields.iter().copied()),
            Some("weight")
        );
        assert_eq!(did_you_mean("zzzz", fields.iter().copied()), None);
    }
}
