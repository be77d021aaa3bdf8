//! Scalars for the manifests `new` writes: plain when YAML reads them back
//! as the same string, double-quoted (JSON escapes) otherwise.

/// Words YAML 1.1 (kubectl) or 1.2 read as something other than a string.
const SPECIAL: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
];

/// `30s`, `1.5h`, `500ms`: digits and a unit, which no YAML schema reads as
/// a number.
fn is_duration(text: &str) -> bool {
    let number_end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    number.parse::<f64>().is_ok() && matches!(unit, "h" | "m" | "s" | "ms" | "us" | "ns")
}

/// `text` as a YAML scalar that reads back as the string `text`.
pub fn scalar(text: &str) -> String {
    let safe_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    let mut chars = text.chars();
    let starts_well = match (chars.next(), chars.next()) {
        (Some(c), _) if c.is_ascii_alphabetic() || c == '/' => true,
        (Some('.'), second) => !second.is_some_and(|c| c.is_ascii_digit()),
        (Some(c), _) if c.is_ascii_digit() => is_duration(text),
        _ => false,
    };
    let special = SPECIAL.iter().any(|s| s.eq_ignore_ascii_case(text));
    if safe_chars && starts_well && !special {
        text.to_string()
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn strings_that_yaml_would_read_as_something_else_are_quoted() {
        assert_eq!(scalar("reviews"), "reviews");
        assert_eq!(scalar("/api/v1"), "/api/v1");
        assert_eq!(
            scalar("reviews.shop.svc.cluster.local"),
            "reviews.shop.svc.cluster.local"
        );
        for text in [
            "true", "No", "on", "null", "~", "10", "1e3", "0x1f", "", "a: b", "#x", "*", "v1 beta",
        ] {
            let out = scalar(text);
            assert!(out.starts_with('"'), "{text} gave {out}");
        }
        assert_eq!(scalar("say \"hi\""), "\"say \\\"hi\\\"\"");
    }
}
