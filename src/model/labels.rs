//! Kubernetes label maps as Istio validates them (`pkg/config/labels`).

use super::host::validate_fqdn;

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A label key: an optional DNS prefix and `/`, then a qualified name.
pub fn validate_label_key(key: &str) -> Result<(), String> {
    let name = match key.split_once('/') {
        Some((prefix, name)) => {
            validate_fqdn(prefix)
                .map_err(|_| format!("label key `{key}` has an invalid prefix `{prefix}`"))?;
            name
        }
        None => key,
    };
    if is_qualified_name_part(name) {
        Ok(())
    } else {
        Err(format!("label key `{key}` is not a qualified name"))
    }
}

/// A label value: empty or a qualified name.
pub fn validate_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_qualified_name_part(value) {
        Ok(())
    } else {
        Err(format!("label value `{value}` is not a valid label value"))
    }
}

/// The first problem in a label map, as (key, reason).
pub fn first_label_error<'a>(
    labels: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Option<(&'a str, String)> {
    labels.into_iter().find_map(|(k, v)| {
        validate_label_key(k)
            .and_then(|_| validate_label_value(v))
            .err()
            .map(|e| (k.as_str(), e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_take_a_dns_prefix_and_values_may_be_empty() {
        assert!(validate_label_key("app.kubernetes.io/name").is_ok());
        assert!(validate_label_key("version").is_ok());
        assert!(validate_label_key("-bad").is_err());
        assert!(validate_label_key("a/b/c").is_err());
        assert!(validate_label_value("").is_ok());
        assert!(validate_label_value("v1.2_x").is_ok());
        assert!(validate_label_value("v1 2").is_err());
    }
}
