//! Istio's validating webhook (pkg/config/validation/validation.go), rule by
//! rule: each test is named after the Go function whose behaviour it pins
//! and checks a resource Istio rejects next to one it accepts.

mod common;

use common::validate_json;

/// (code, line) of every error `validate` reports for `yaml`.
fn errors_of(yaml: &str) -> Vec<(String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("resource.yaml");
    std::fs::write(&file, yaml).unwrap();
    let report = validate_json(&[file.to_str().unwrap()]);
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn vs_with(http_extra: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: r, namespace: default}}\nspec:\n  hosts: [r.example.com]\n  http:\n  - route:\n    - destination: {{host: r.example.com}}\n{http_extra}"
    )
}

/// `validateHTTPRetry` splits retryOn on commas and does not trim: `5xx,
/// reset` names the unknown policy " reset".
#[test]
fn validate_http_retry_splits_retry_on_without_trimming() {
    let retries = |on: &str| {
        vs_with(&format!(
            "    retries: {{attempts: 2, retryOn: \"{on}\"}}\n"
        ))
    };
    assert_eq!(
        errors_of(&retries("5xx, reset")),
        vec![("MC1108".into(), 9)]
    );
    assert_eq!(errors_of(&retries("5xx,reset,503")), vec![]);
}

/// `validateGRPCStatus`: an abort's grpcStatus is one of gRPC's status names.
#[test]
fn validate_grpc_status_accepts_only_known_names() {
    let abort = |status: &str| {
        vs_with(&format!(
            "    fault:\n      abort: {{grpcStatus: {status}, percentage: {{value: 1}}}}\n"
        ))
    };
    assert_eq!(errors_of(&abort("NOTFOUND")), vec![("MC1109".into(), 10)]);
    assert_eq!(errors_of(&abort("UNAVAILABLE")), vec![]);
}

/// `validateSubset`: subset labels are a Kubernetes label map
/// (`labels.Instance.Validate`).
#[test]
fn validate_subset_requires_kubernetes_labels() {
    let dr = |labels: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: r, namespace: default}}\nspec:\n  host: r.example.com\n  subsets:\n  - name: v1\n    labels: {labels}\n"
        )
    };
    assert_eq!(
        errors_of(&dr("{version: \"v1 beta\"}")),
        vec![("MC1201".into(), 8)]
    );
    assert_eq!(errors_of(&dr("{\"-bad\": v1}")), vec![("MC1201".into(), 8)]);
    assert_eq!(
        errors_of(&dr("{app.kubernetes.io/version: v1, empty: \"\"}")),
        vec![]
    );
}
