//! Host names as Istio reads them: DNS-1123 forms and wildcards.

use std::net::IpAddr;

/// `[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?`, at most 63 characters. Istio
/// accepts upper case here, unlike Kubernetes.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// A label that may carry a wildcard prefix: `*`, `*x`, `*-x` or a plain label.
pub fn is_wildcard_dns1123_label(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    let rest = s
        .strip_prefix("*-")
        .or_else(|| s.strip_prefix('*'))
        .unwrap_or(s);
    s.len() <= 63 && is_dns1123_label(rest)
}

/// Istio's `ValidateWildcardDomain`: an FQDN whose first label may be a wildcard.
pub fn validate_wildcard_domain(domain: &str) -> Result<(), String> {
    check_preconditions(domain)?;
    let (first, rest) = match domain.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (domain, None),
    };
    if !is_wildcard_dns1123_label(first) {
        return Err(format!(
            "domain name `{domain}` is invalid (label `{first}` is not a DNS-1123 label)"
        ));
    }
    match rest {
        Some(rest) => validate_dns1123_labels(domain, rest),
        None => Ok(()),
    }
}

/// Istio's `ValidateFQDN`: DNS-1123 labels only, no wildcard.
pub fn validate_fqdn(fqdn: &str) -> Result<(), String> {
    check_preconditions(fqdn)?;
    validate_dns1123_labels(fqdn, fqdn)
}

/// Istio's `ValidatePartialWildCard`: a `*` is only allowed alone or as a
/// leading `*.` label.
pub fn is_partial_wildcard(host: &str) -> bool {
    host.contains('*')
        && host != "*"
        && host
            .strip_prefix("*.")
            .is_none_or(|rest| rest.contains('*'))
}

/// An IP address or a CIDR block (Istio's `ValidateIPSubnet`).
pub fn is_ip_or_cidr(s: &str) -> bool {
    match s.split_once('/') {
        None => is_ip(s),
        Some((ip, bits)) => match (ip.parse::<IpAddr>(), bits.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(b)) => b <= 32 && !bits.starts_with('+'),
            (Ok(IpAddr::V6(_)), Ok(b)) => b <= 128 && !bits.starts_with('+'),
            _ => false,
        },
    }
}

fn check_preconditions(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("empty domain name is not allowed".into());
    }
    if domain.len() > 255 {
        return Err(format!(
            "domain name is {} characters long (at most 255)",
            domain.len()
        ));
    }
    Ok(())
}

fn validate_dns1123_labels(domain: &str, labels: &str) -> Result<(), String> {
    let parts: Vec<&str> = labels.split('.').collect();
    let top = parts[parts.len() - 1];
    if !top.is_empty() && top.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "domain name `{domain}` is invalid (top-level domain `{top}` cannot be all-numeric)"
        ));
    }
    for (i, label) in parts.iter().enumerate() {
        // A trailing dot (`istio.io.`) leaves an empty last label, which is allowed.
        if i == parts.len() - 1 && label.is_empty() {
            return Ok(());
        }
        if !is_dns1123_label(label) {
            return Err(format!(
                "domain name `{domain}` is invalid (label `{label}` is not a DNS-1123 label)"
            ));
        }
    }
    Ok(())
}

pub fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// The cluster DNS domain Istio assumes.
pub const CLUSTER_DOMAIN: &str = "svc.cluster.local";

/// The host of the Kubernetes Service `name` in `namespace`.
pub fn service_fqdn(name: &str, namespace: &str) -> String {
    format!("{name}.{namespace}.{CLUSTER_DOMAIN}")
}

/// Istio's host matching: `*.foo.com` matches `a.foo.com` and `a.b.foo.com` but
/// not `foo.com`; `*` matches everything.
pub fn host_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix('*') {
        Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        None => pattern == host,
    }
}

/// Whether two host patterns can match a common name (Istio's `SubsetOf` in either direction).
pub fn hosts_intersect(a: &str, b: &str) -> bool {
    host_matches(a, b) || host_matches(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_domains_follow_istio() {
        assert!(validate_wildcard_domain("*.example.com").is_ok());
        assert!(validate_wildcard_domain("*").is_ok());
        assert!(validate_wildcard_domain("*foo.example.com").is_ok());
        assert!(validate_wildcard_domain("reviews").is_ok());
        assert!(validate_wildcard_domain("istio.io.").is_ok());
        assert!(validate_wildcard_domain("foo.*.com").is_err());
        assert!(validate_wildcard_domain("a..b").is_err());
        assert!(
            validate_wildcard_domain("1.2.3.4").is_err(),
            "top-level domain all-numeric"
        );
        assert!(validate_wildcard_domain("").is_err());
        assert!(validate_wildcard_domain("under_score.com").is_err());
    }

    /// Istio semantics §2.4: `*.foo.com` does not match the apex `foo.com`.
    #[test]
    fn wildcard_does_not_match_apex() {
        assert!(host_matches("*.foo.com", "a.foo.com"));
        assert!(host_matches("*.foo.com", "a.b.foo.com"));
        assert!(!host_matches("*.foo.com", "foo.com"));
        assert!(host_matches("*", "anything"));
        assert!(hosts_intersect("*.a.foo.com", "*.foo.com"));
        assert!(!hosts_intersect("bar.com", "*.foo.com"));
    }
}
