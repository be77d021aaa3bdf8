//! Scalars for the manifests `new` writes: plain when YAML reads them back
//! as the same string, double-quoted (JSON escapes) otherwise.

/// Words YAML 1.1 (kubectl) or 1.2 read as something other than a string.
const SPECIAL: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
];

/// `text` as a YAML scalar that reads back as the string `text`.
pub fn scalar(text: &str) -> String {
    let safe_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    let starts_well = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
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
