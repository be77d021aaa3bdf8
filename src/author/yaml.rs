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

/// `5xx`: digits then letters that no YAML schema reads as a number (not
/// `1e3`, `0x1f`, `0o17`, `0b1`).
fn is_word(text: &str) -> bool {
    let radix = ["0x", "0o", "0b"].iter().any(|p| text.starts_with(p));
    text.contains(|c: char| c.is_ascii_alphabetic()) && !radix && text.parse::<f64>().is_err()
}

/// `text` as a YAML scalar that reads back as the string `text`.
pub fn scalar(text: &str) -> String {
    let safe_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ','));
    let mut chars = text.chars();
    let starts_well = match (chars.next(), chars.next()) {
        (Some(c), _) if c.is_ascii_alphabetic() || c == '/' => true,
        (Some('.'), second) => {
            !second.is_some_and(|c| c.is_ascii_digit())
                && !matches!(text[1..].to_ascii_lowercase().as_str(), "inf" | "nan")
        }
        (Some(c), _) if c.is_ascii_digit() => is_duration(text) || is_word(text),
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
        for plain in [
            "reviews",
            "/api/v1",
            "reviews.shop.svc.cluster.local",
            "../from/app.yaml",
            "30s",
            "1.5h",
            "5xx",
            "5xx,connect-failure",
        ] {
            assert_eq!(scalar(plain), plain);
        }
        for text in [
            "true", "No", "on", "null", "~", "10", "1e3", "0x1f", "", "a: b", "#x", "*", "v1 beta",
            ".5", "1_000", "12:30", "0b101", "1E5", ".inf", ".NaN", "-1",
        ] {
            let out = scalar(text);
            assert!(out.starts_with('"'), "{text} gave {out}");
        }
        assert_eq!(scalar("say \"hi\""), "\"say \\\"hi\\\"\"");
    }
}
