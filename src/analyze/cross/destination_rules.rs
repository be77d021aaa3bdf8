//! DestinationRules against the rest of the input: their host (IST0174),
//! subsets that select no pods (IST0173) or that no route uses, server
//! certificate verification (IST0128, IST0129), and rules whose traffic
//! policy an older rule for the same host overrides.

use std::collections::{BTreeMap, HashSet};

use super::Reporter;
use crate::analyze::index::Index;
use crate::diagnostic::{Rule, Severity};
use crate::mesh::HostLookup;
use crate::mesh::names::fqdn;
use crate::model::destination_rule::ClientTls;
use crate::model::{DestinationRule, Resource};

pub static UNKNOWN_HOST: Rule = Rule {
    code: "MC2301",
    name: "unknown-destination-rule-host",
    severity: Severity::Warning,
    istio_code: Some("IST0174"),
    summary: "A DestinationRule whose host is no Service or ServiceEntry host visible to it.",
    docs: "## What it does\nLooks the DestinationRule's host up like a route destination (short names expand in its \
namespace; wildcard hosts match any registry host they cover). Checked only when the input describes the host's namespace.\n\n\
## Why is this bad?\nThe policy applies to nothing.\n\n\
## Example\n```yaml\nhost: reveiws\n```\n\n## Use instead\n```yaml\nhost: reviews\n```\n",
};

pub static SUBSET_SELECTS_NO_PODS: Rule = Rule {
    code: "MC2302",
    name: "subset-selects-no-pods",
    severity: Severity::Warning,
    istio_code: Some("IST0173"),
    summary: "A subset whose labels, with the Service's selector, match no Deployment or Pod of the input (checked only when the input has workloads).",
    docs: "## What it does\nCombines the Service's selector with the subset's labels and looks for Deployments and Pods \
in the Service's namespace that carry them all, with the topology pilot adds to pod labels (the region, zone and \
subzone of the pod's Node, `kubernetes.io/hostname` from its nodeName; never an empty value). A topology label the \
input cannot tell (no Node) may have any value. Checked only when the input has workloads of the Service, or with \
`--complete`. A warning, not an error: a subset often comes before its deployment.\n\n\
## Why is this bad?\nThe subset's cluster has no endpoints: requests routed to it get 503 UH.\n\n\
## Example\n```yaml\nsubsets:\n- name: v2\n  labels: {version: v2}   # the pods are labelled version: v2.0\n```\n\n\
## Use instead\nUse the labels the pods really carry.\n",
};

pub static UNUSED_SUBSET: Rule = Rule {
    code: "MC2303",
    name: "unused-subset",
    severity: Severity::Info,
    istio_code: None,
    summary: "A subset that no route destination or mirror of the input's VirtualServices names.",
    docs: "## What it does\nLists subsets that no VirtualService of the input routes or mirrors to. Checked only when \
the input has VirtualServices.\n\n\
## Why is this bad?\nOften harmless (a version kept for a rollback), sometimes a typo on one side: a route to `v2` \
and a subset `v2-canary`.\n\n\
## Example\n```yaml\nsubsets: [{name: v1, labels: {version: v1}}, {name: v3, labels: {version: v3}}]   # routes use v1 only\n```\n\n\
## Use instead\nRemove subsets nothing uses, or route to them.\n",
};

pub static NO_CA_DESTINATION: Rule = Rule {
    code: "MC2304",
    name: "no-server-verification",
    severity: Severity::Warning,
    istio_code: Some("IST0128"),
    summary: "Client TLS SIMPLE or MUTUAL without caCertificates: the server's certificate is not verified.",
    docs: "## What it does\nFlags a top-level `trafficPolicy.tls` in SIMPLE or MUTUAL mode without `caCertificates` \
(unless it verifies through `credentialName` on a gateway workload, or says `insecureSkipVerify: true`).\n\n\
## Why is this bad?\nThe proxy accepts any server certificate: a man in the middle goes unnoticed.\n\n\
## Example\n```yaml\ntrafficPolicy:\n  tls: {mode: SIMPLE}\n```\n\n## Use instead\n```yaml\ntrafficPolicy:\n  tls: {mode: SIMPLE, caCertificates: /etc/certs/ca.pem}\n```\n",
};

pub static NO_CA_PORT: Rule = Rule {
    code: "MC2305",
    name: "no-server-verification-port",
    severity: Severity::Warning,
    istio_code: Some("IST0129"),
    summary: "Port-level client TLS SIMPLE or MUTUAL without caCertificates.",
    docs: "## What it does\nThe same check as MC2304 on each `portLevelSettings[].tls`.\n\n\
## Why is this bad?\nThe server's certificate is not verified on that port.\n\n\
## Example\n```yaml\nportLevelSettings:\n- port: {number: 443}\n  tls: {mode: SIMPLE}\n```\n\n\
## Use instead\n```yaml\nportLevelSettings:\n- port: {number: 443}\n  tls: {mode: SIMPLE, caCertificates: /etc/certs/ca.pem}\n```\n",
};

pub static OVERRIDDEN_POLICY: Rule = Rule {
    code: "MC2306",
    name: "overridden-traffic-policy",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A DestinationRule whose top-level trafficPolicy is ignored because an older rule for the same host and namespace has one.",
    docs: "## What it does\nIstio merges DestinationRules for one host in one namespace: subsets are concatenated \
(the first definition of a name wins) and only the oldest rule's top-level `trafficPolicy` is used.\n\n\
## Why is this bad?\nThe load balancer, connection pool, outlier detection or TLS written here never applies.\n\n\
## Example\n```yaml\n# DestinationRule a (older): host reviews, trafficPolicy {loadBalancer: {simple: RANDOM}}\n# DestinationRule b (newer): host reviews, trafficPolicy {outlierDetection: {...}}\n```\n\n\
## Use instead\nKeep one trafficPolicy per host and namespace.\n",
};

pub static RULES: &[&Rule] = &[
    &UNKNOWN_HOST,
    &SUBSET_SELECTS_NO_PODS,
    &UNUSED_SUBSET,
    &NO_CA_DESTINATION,
    &NO_CA_PORT,
    &OVERRIDDEN_POLICY,
    &DUPLICATE_SUBSET,
    &SUBSET_WITHOUT_LABELS,
];

pub static DUPLICATE_SUBSET: Rule = Rule {
    code: "MC2307",
    name: "duplicate-subset",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A subset that an older DestinationRule for the same host, in the same namespace, already defines (Kiali KIA0201).",
    docs: "## What it does\nIstio merges the DestinationRules of one namespace for one host, oldest first; a subset whose \
name an older rule already defines is dropped from the merge. Flags the dropped subset.\n\n\
## Why is this bad?\nIts labels and traffic policy never apply: routes to the subset use the older definition.\n\n\
## Example\n```yaml\n# reviews-a (older) and reviews-b, both host: reviews\nsubsets: [{name: v2, labels: {version: v2}}]\n---\nsubsets: [{name: v2, labels: {version: v2-canary}}]\n```\n\n\
## Use instead\nDefine each subset once, or give the second one its own name.\n",
};

pub static SUBSET_WITHOUT_LABELS: Rule = Rule {
    code: "MC2308",
    name: "subset-without-labels",
    severity: Severity::Warning,
    istio_code: None,
    summary: "A subset with no labels, which selects every endpoint of the host (Kiali KIA0209).",
    docs: "## What it does\nFlags subsets without `labels`.\n\n\
## Why is this bad?\nThe subset is the whole service: a route to it is not the version split it reads like.\n\n\
## Example\n```yaml\nsubsets: [{name: v2}]\n```\n\n## Use instead\n```yaml\nsubsets: [{name: v2, labels: {version: v2}}]\n```\n",
};

pub fn check(index: &mut Index, out: &mut Reporter) {
    let used: HashSet<(String, String)> = index
        .virtual_services()
        .iter()
        .flat_map(|vs| {
            vs.spec.destinations().into_iter().filter_map(move |d| {
                let subset = d.destination.subset.clone()?;
                Some((fqdn(&d.destination.host, &vs.namespace), subset))
            })
        })
        .collect();
    let has_virtual_services = !index.virtual_services().is_empty();
    for dr in &index.config.destination_rules {
        let host = fqdn(&dr.spec.host, &dr.namespace);
        check_host(index, out, dr);
        check_tls(out, dr);
        check_overridden(index, out, dr, &host);
        check_duplicate_subsets(index, out, dr, &host);
        for (i, subset) in dr.spec.subsets.iter().enumerate() {
            if subset.labels.is_empty() {
                out.report(
                    &SUBSET_WITHOUT_LABELS,
                    dr,
                    &format!("/spec/subsets/{i}/name"),
                    format!(
                        "subset `{}` has no labels: it selects every endpoint of {host}",
                        subset.name
                    ),
                )
                .label("no labels")
                .help("add the labels (e.g. `version`) that tell this subset's pods apart");
            }
        }
        if index.has_workloads() {
            check_subset_pods(index, out, dr, &host);
        }
        if has_virtual_services {
            for (i, subset) in dr.spec.subsets.iter().enumerate() {
                if !used.contains(&(host.clone(), subset.name.clone())) {
                    out.report(
                        &UNUSED_SUBSET,
                        dr,
                        &format!("/spec/subsets/{i}/name"),
                        format!(
                            "no VirtualService of the input routes to subset `{}` of {host}",
                            subset.name
                        ),
                    )
                    .label("unused");
                }
            }
        }
    }
}

fn check_host(index: &mut Index, out: &mut Reporter, dr: &Resource<DestinationRule>) {
    let host = &dr.spec.host;
    if host.starts_with('*') {
        let pattern = fqdn(host, &dr.namespace);
        let covers = index
            .registry
            .iter()
            .any(|r| crate::model::host::hosts_intersect(&pattern, &r.host));
        if covers || index.registry.is_empty() {
            return;
        }
    }
    if let HostLookup::Missing | HostLookup::Hidden(_) =
        index.lookup_host(host, &dr.namespace, &dr.spec.export_to)
    {
        out.report(
            &UNKNOWN_HOST,
            dr,
            "/spec/host",
            format!(
                "host `{host}` is no Service or ServiceEntry host visible to this DestinationRule"
            ),
        )
        .label("unknown host")
        .help("check the name; short names expand in the DestinationRule's namespace");
    }
}

fn unverified(tls: &ClientTls, has_selector: bool) -> Option<&str> {
    let mode = tls.mode.as_deref()?;
    let verifies = tls
        .ca_certificates
        .as_deref()
        .is_some_and(|c| !c.is_empty())
        || (tls.credential_name.is_some() && has_selector)
        || tls.insecure_skip_verify == Some(true);
    (matches!(mode, "SIMPLE" | "MUTUAL") && !verifies).then_some(mode)
}

fn check_tls(out: &mut Reporter, dr: &Resource<DestinationRule>) {
    let Some(policy) = &dr.spec.traffic_policy else {
        return;
    };
    let has_selector = dr.spec.workload_selector.is_some();
    if let Some(mode) = policy
        .tls
        .as_ref()
        .and_then(|t| unverified(t, has_selector))
    {
        out.report(
            &NO_CA_DESTINATION,
            dr,
            "/spec/trafficPolicy/tls/mode",
            format!(
                "TLS {mode} to {} without caCertificates: the server certificate is not verified",
                dr.spec.host
            ),
        )
        .label("no CA")
        .help("set `caCertificates` (or `insecureSkipVerify: true` if skipping is intended)");
    }
    for (i, level) in policy.port_level_settings.iter().enumerate() {
        if let Some(mode) = level.tls.as_ref().and_then(|t| unverified(t, has_selector)) {
            out.report(
                &NO_CA_PORT,
                dr,
                &format!("/spec/trafficPolicy/portLevelSettings/{i}/tls/mode"),
                format!("TLS {mode} on this port without caCertificates: the server certificate is not verified"),
            )
            .label("no CA")
            .help("set `caCertificates` (or `insecureSkipVerify: true` if skipping is intended)");
        }
    }
}

fn check_overridden(index: &Index, out: &mut Reporter, dr: &Resource<DestinationRule>, host: &str) {
    if dr.spec.traffic_policy.is_none() || dr.spec.workload_selector.is_some() {
        return;
    }
    let older = older_rules(index, dr, host).find(|o| o.spec.traffic_policy.is_some());
    if let Some(older) = older {
        out.report(
            &OVERRIDDEN_POLICY,
            dr,
            "/spec/trafficPolicy",
            format!(
                "DestinationRule {}/{} for the same host is older, so its trafficPolicy is used and this one is ignored",
                older.namespace,
                older.name()
            ),
        )
        .label("ignored")
        .help("move these settings into the older DestinationRule");
    }
}

/// The older selector-less DestinationRules of `dr`'s namespace for the
/// same host: those Istio merges `dr` into, whose settings win.
fn older_rules<'i>(
    index: &'i Index,
    dr: &'i Resource<DestinationRule>,
    host: &'i str,
) -> impl Iterator<Item = &'i Resource<DestinationRule>> {
    index.destination_rules_matching(host).filter(move |o| {
        o.namespace == dr.namespace
            && o.name() != dr.name()
            && o.spec.workload_selector.is_none()
            && fqdn(&o.spec.host, &o.namespace) == host
            && o.age_key() < dr.age_key()
    })
}

/// Subsets an older rule of the same namespace and host already defines:
/// Istio's merge keeps the first definition.
fn check_duplicate_subsets(
    index: &Index,
    out: &mut Reporter,
    dr: &Resource<DestinationRule>,
    host: &str,
) {
    if dr.spec.subsets.is_empty() || dr.spec.workload_selector.is_some() {
        return;
    }
    let older: Vec<&Resource<DestinationRule>> = older_rules(index, dr, host).collect();
    for (i, subset) in dr.spec.subsets.iter().enumerate() {
        let Some(first) = older
            .iter()
            .find(|o| o.spec.subsets.iter().any(|s| s.name == subset.name))
        else {
            continue;
        };
        out.report(
            &DUPLICATE_SUBSET,
            dr,
            &format!("/spec/subsets/{i}/name"),
            format!(
                "subset `{}` of {host} is already defined by the older DestinationRule {}/{}, whose definition Istio keeps",
                subset.name,
                first.namespace,
                first.name()
            ),
        )
        .label("dropped by the merge")
        .help("define the subset once, or give this one another name");
    }
}

fn check_subset_pods(
    index: &Index,
    out: &mut Reporter,
    dr: &Resource<DestinationRule>,
    host: &str,
) {
    let described = index.is_complete()
        || index
            .service_pods(host, &BTreeMap::new())
            .is_some_and(|all| !all.pods.is_empty());
    if !described {
        return;
    }
    for (i, subset) in dr.spec.subsets.iter().enumerate() {
        let Some(selected) = index.service_pods(host, &subset.labels) else {
            continue;
        };
        if selected.pods.is_empty() {
            out.report(
                &SUBSET_SELECTS_NO_PODS,
                dr,
                &format!("/spec/subsets/{i}/name"),
                format!(
                    "subset `{}` selects no pods: no Deployment or Pod in {} has {}",
                    subset.name, selected.service.namespace, selected.selector
                ),
            )
            .label("no endpoints")
            .help("use the labels the pods carry; requests to this subset would get 503 UH");
        }
    }
}
