//! The seed patterns of Istio's traffic-management guide as plans: host
//! routing at the gateway, path and header routing, a canary split, a
//! blue/green pair, and resilience settings that fit together.

use super::plan::{Backend, Condition, Entry, Plan, Policy, Retries, Rule};
use super::target::Target;
use crate::model::Duration;

/// Istio's retry back-off base; each wait is at most (2^i - 1) x base,
/// capped at 10 x base (semantics reference §4.1).
const BACKOFF_BASE_MS: u128 = 25;
/// What `--retry-on` is unless given: Envoy's 5xx also covers connect
/// failures, resets and per-try timeouts.
pub const DEFAULT_RETRY_ON: &str = "5xx";

fn one(version: Option<&str>) -> Vec<Backend> {
    vec![Backend {
        version: version.map(str::to_string),
        weight: None,
    }]
}

fn rule(name: &str, conditions: Vec<Condition>, backends: Vec<Backend>) -> Rule {
    Rule {
        name: name.to_string(),
        conditions,
        backends,
        timeout: None,
        retries: None,
    }
}

fn plan(target: &Target, entry: Entry, rules: Vec<Rule>) -> Plan {
    Plan {
        name: target.service.clone(),
        entry,
        rules,
        versions: Vec::new(),
        policy: Policy::default(),
    }
    .with_versions()
}

/// A version name must be a subset name Istio accepts (a DNS label).
fn version(name: &str, flag: &str, target: &Target) -> Result<String, String> {
    let label = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !label {
        return Err(format!(
            "{flag} {name}: a version must be a DNS label (lower-case letters, digits and '-')"
        ));
    }
    target.require(name, flag)?;
    Ok(name.to_string())
}

/// `gateway`: requests for `host` at the ingress gateway go to the service.
pub fn gateway(target: &Target, host: &str, tls_secret: Option<&str>) -> Result<Plan, String> {
    if host.is_empty() || host.contains('*') || host.contains('/') {
        return Err(format!(
            "--host {host}: give the exact host name clients use, such as api.example.com"
        ));
    }
    let entry = Entry::Gateway {
        host: host.to_ascii_lowercase(),
        tls_secret: tls_secret.map(str::to_string),
    };
    Ok(plan(
        target,
        entry,
        vec![rule("default", Vec::new(), one(None))],
    ))
}

/// `routing`: header rules first, then path prefixes (longest first, so
/// none hides another), then the default version or the whole service.
pub fn routing(
    target: &Target,
    paths: &[String],
    headers: &[String],
    default: Option<&str>,
) -> Result<Plan, String> {
    if paths.is_empty() && headers.is_empty() {
        return Err(
            "routing needs at least one --path PREFIX=VERSION or --header NAME=VALUE:VERSION"
                .into(),
        );
    }
    let mut rules = Vec::new();
    for h in headers {
        let bad = || format!("--header {h}: write NAME=VALUE:VERSION, such as 'end-user=jason:v2'");
        let (condition, to) = h.rsplit_once(':').ok_or_else(bad)?;
        let (header, value) = condition.split_once('=').ok_or_else(bad)?;
        let header = header.trim().to_ascii_lowercase();
        if header.is_empty() || header.starts_with(':') {
            return Err(format!(
                "--header {h}: the header name is empty or a pseudo-header"
            ));
        }
        let v = version(to, "--header", target)?;
        let name = format!("header-{header}");
        if rules.iter().any(|r: &Rule| r.name == name) {
            return Err(format!("--header {h}: header {header} is routed twice"));
        }
        rules.push(rule(
            &name,
            vec![Condition::Header {
                name: header,
                value: value.to_string(),
            }],
            one(Some(&v)),
        ));
    }
    let mut prefixes = Vec::new();
    for p in paths {
        let (prefix, to) = p
            .split_once('=')
            .ok_or_else(|| format!("--path {p}: write PREFIX=VERSION, such as /v1=v1"))?;
        if !prefix.starts_with('/') || prefix == "/" {
            return Err(format!(
                "--path {p}: a prefix starts with '/' and is not '/' alone (use --default for every other path)"
            ));
        }
        if prefixes.iter().any(|(q, _): &(String, String)| q == prefix) {
            return Err(format!("--path {p}: prefix {prefix} is routed twice"));
        }
        prefixes.push((prefix.to_string(), version(to, "--path", target)?));
    }
    prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    for (prefix, v) in prefixes {
        let name = format!("path-{}", prefix.trim_matches('/').replace('/', "-"));
        rules.push(rule(
            &name,
            vec![Condition::PathPrefix(prefix)],
            one(Some(&v)),
        ));
    }
    let fallback = match default {
        Some(d) => Some(version(d, "--default", target)?),
        None => None,
    };
    rules.push(rule("default", Vec::new(), one(fallback.as_deref())));
    Ok(plan(target, Entry::Mesh, rules))
}

/// `canary`: `weight` % to the canary, the rest to the stable version.
pub fn canary(target: &Target, stable: &str, canary: &str, weight: u32) -> Result<Plan, String> {
    let stable = version(stable, "--stable", target)?;
    let canary = version(canary, "--canary", target)?;
    if stable == canary {
        return Err(format!("--stable and --canary are both {stable}"));
    }
    if weight > 100 {
        return Err(format!("--weight {weight}: a percentage, 0 to 100"));
    }
    let backends = vec![
        Backend {
            version: Some(stable),
            weight: Some(100 - weight),
        },
        Backend {
            version: Some(canary),
            weight: Some(weight),
        },
    ];
    Ok(plan(
        target,
        Entry::Mesh,
        vec![rule("canary", Vec::new(), backends)],
    ))
}

/// `blue-green`: everything to the active version, the preview reachable
/// with `header` (NAME=VALUE); `shift --switch` flips the weights.
pub fn blue_green(
    target: &Target,
    active: &str,
    preview: &str,
    header: &str,
) -> Result<Plan, String> {
    let active = version(active, "--active", target)?;
    let preview = version(preview, "--preview", target)?;
    if active == preview {
        return Err(format!("--active and --preview are both {active}"));
    }
    let (name, value) = header
        .split_once('=')
        .filter(|(n, _)| !n.trim().is_empty())
        .ok_or_else(|| {
            format!("--preview-header {header}: write NAME=VALUE, such as x-preview=true")
        })?;
    let backends = vec![
        Backend {
            version: Some(active),
            weight: Some(100),
        },
        Backend {
            version: Some(preview.clone()),
            weight: Some(0),
        },
    ];
    let rules = vec![
        rule(
            "preview",
            vec![Condition::Header {
                name: name.trim().to_ascii_lowercase(),
                value: value.to_string(),
            }],
            one(Some(&preview)),
        ),
        rule("active", Vec::new(), backends),
    ];
    Ok(plan(target, Entry::Mesh, rules))
}

/// Settings of the `resilience` pattern.
#[derive(Debug, Clone, Default)]
pub struct Resilience {
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub per_try_timeout: Option<String>,
    pub retry_on: Option<String>,
    pub policy: Policy,
}

fn millis(text: &str, flag: &str) -> Result<u128, String> {
    let d = Duration::parse(text).map_err(|e| format!("{flag} {text}: {e}"))?;
    if !d.is_whole_millis() || d.as_nanos() < 1_000_000 {
        return Err(format!(
            "{flag} {text}: Istio takes whole milliseconds, at least 1ms"
        ));
    }
    Ok(d.as_nanos() / 1_000_000)
}

/// The longest the back-off between `retries` retries can add up to.
fn max_backoff_ms(retries: u32) -> u128 {
    (1..=retries)
        .map(|i| {
            ((1u128 << i.min(20)) - 1)
                .saturating_mul(BACKOFF_BASE_MS)
                .min(10 * BACKOFF_BASE_MS)
        })
        .sum()
}

/// `resilience`: a timeout, retries that fit in it, connection limits and
/// outlier detection. Refuses what Istio would ignore; warns when the
/// back-off can push the last retry past the timeout.
pub fn resilience(target: &Target, r: &Resilience) -> Result<(Plan, Vec<String>), String> {
    let mut warnings = Vec::new();
    let timeout = r
        .timeout
        .as_deref()
        .map(|t| millis(t, "--timeout"))
        .transpose()?;
    let per_try = r
        .per_try_timeout
        .as_deref()
        .map(|t| millis(t, "--per-try-timeout"))
        .transpose()?;
    if let Some(e) = &r.policy.ejection_time {
        millis(e, "--ejection-time")?;
    }
    if per_try.is_some() && r.retries.is_none() {
        return Err(
            "--per-try-timeout needs --retries: it limits each try of a retried request".into(),
        );
    }
    if let (Some(t), Some(p)) = (timeout, per_try) {
        if p >= t {
            return Err(format!(
                "--per-try-timeout {} is not shorter than --timeout {}: Envoy would ignore it",
                r.per_try_timeout.as_deref().unwrap_or_default(),
                r.timeout.as_deref().unwrap_or_default()
            ));
        }
        let tries = u128::from(r.retries.unwrap_or(0)) + 1;
        if tries * p > t {
            return Err(format!(
                "{tries} tries of {} need {}ms, more than --timeout {}: use fewer --retries or a shorter --per-try-timeout",
                r.per_try_timeout.as_deref().unwrap_or_default(),
                tries * p,
                r.timeout.as_deref().unwrap_or_default()
            ));
        }
        let backoff = max_backoff_ms(r.retries.unwrap_or(0));
        if tries * p + backoff > t {
            warnings.push(format!(
                "{tries} tries of {}ms and up to {backoff}ms of back-off between them can take {}ms, more than the {t}ms timeout: the last retry may be cut short",
                p,
                tries * p + backoff
            ));
        }
    }
    let mut default = rule("default", Vec::new(), one(None));
    default.timeout = r.timeout.clone();
    default.retries = r.retries.map(|attempts| Retries {
        attempts,
        per_try_timeout: r.per_try_timeout.clone(),
        retry_on: r
            .retry_on
            .clone()
            .unwrap_or_else(|| DEFAULT_RETRY_ON.to_string()),
    });
    if default.timeout.is_none() && default.retries.is_none() && r.policy.is_empty() {
        return Err("resilience needs at least one of --timeout, --retries, --max-connections, --max-pending, --consecutive-5xx".into());
    }
    let mut p = plan(target, Entry::Mesh, vec![default]);
    p.policy = r.policy.clone();
    Ok((p, warnings))
}
