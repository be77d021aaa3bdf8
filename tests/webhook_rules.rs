//! Istio's validating webhook (pkg/config/validation/validation.go), rule by
//! rule: each test is named after the Go function whose behaviour it pins
//! and checks a resource Istio rejects next to one it accepts.

mod common;

use common::diagnostics_of;

/// (code, line) of every error `validate` reports for `yaml`.
fn errors_of(yaml: &str) -> Vec<(String, u64)> {
    diagnostics_of(yaml)
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

fn dr_policy(policy: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: r, namespace: shop}}\nspec:\n  host: r.example.com\n  trafficPolicy:\n    {policy}\n"
    )
}

/// `validateTunnelSettings`: protocol CONNECT or POST, a target host that is
/// an FQDN or an IP, a valid target port.
#[test]
fn validate_tunnel_settings() {
    let tunnel = |t: &str| errors_of(&dr_policy(&format!("tunnel: {t}")));
    assert_eq!(
        tunnel("{protocol: GET, targetHost: \"a b\", targetPort: 70000}"),
        vec![("MC1203".into(), 7); 3]
    );
    assert_eq!(
        tunnel("{protocol: POST, targetHost: 10.0.0.1, targetPort: 8443}"),
        vec![]
    );
    assert_eq!(
        tunnel("{targetHost: proxy.example.com, targetPort: 3128}"),
        vec![]
    );
}

/// `ValidateTLS`: a `configmap://` credential names its namespace and map,
/// and the namespace is the DestinationRule's own.
#[test]
fn validate_tls_keeps_configmap_credentials_in_the_rule_namespace() {
    let tls = |credential: &str| {
        errors_of(&dr_policy(&format!(
            "tls: {{mode: SIMPLE, credentialName: \"{credential}\"}}"
        )))
    };
    assert_eq!(tls("configmap://other/ca"), vec![("MC1211".into(), 7)]);
    assert_eq!(tls("configmap://ca"), vec![("MC1211".into(), 7)]);
    assert_eq!(tls("configmap://shop/ca"), vec![]);
    assert_eq!(tls("other/secret"), vec![], "secrets may live elsewhere");
}

/// ServiceEntry validation of `unix://` endpoints (`ValidateUnixAddress`):
/// an absolute socket path without a trailing `/` or an `@abstract` name, no
/// endpoint ports, and exactly one service port.
#[test]
fn validate_unix_address_and_unix_endpoints() {
    let se = |ports: &str, endpoint: &str| {
        errors_of(&format!(
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {{name: s, namespace: default}}\nspec:\n  hosts: [s.local]\n  ports: {ports}\n  resolution: STATIC\n  endpoints:\n  - {endpoint}\n"
        ))
    };
    let one = "[{number: 80, name: http, protocol: HTTP}]";
    let two = "[{number: 80, name: http, protocol: HTTP}, {number: 81, name: b, protocol: HTTP}]";
    assert_eq!(se(one, "{address: \"unix:///var/run/a.sock\"}"), vec![]);
    assert_eq!(se(one, "{address: \"unix://@abstract\"}"), vec![]);
    assert_eq!(
        se(one, "{address: \"unix:///var/run/\"}"),
        vec![("MC1506".into(), 9)]
    );
    assert_eq!(
        se(one, "{address: \"unix://a.sock\"}"),
        vec![("MC1506".into(), 9)]
    );
    assert_eq!(
        se(one, "{address: \"unix:///a.sock\", ports: {http: 80}}"),
        vec![("MC1506".into(), 9)]
    );
    assert_eq!(
        se(two, "{address: \"unix:///a.sock\"}"),
        vec![("MC1506".into(), 6)]
    );
}

/// `ValidateWildcardDomainForVirtualServiceBoundToGateway`: a gateway
/// VirtualService with SNI matches may name the host Envoy generates for
/// AUTO_PASSTHROUGH, `outbound_.PORT_._.HOSTNAME`; bound to the mesh, or
/// without SNI matches, that name is not a valid domain.
#[test]
fn validate_wildcard_domain_for_virtual_service_bound_to_gateway() {
    let vs = |gateways: &str, host: &str, sni: bool| {
        let route = if sni {
            format!(
                "  tls:\n  - match: [{{sniHosts: [\"{host}\"]}}]\n    route: [{{destination: {{host: r.example.com}}}}]\n"
            )
        } else {
            "  http:\n  - route: [{destination: {host: r.example.com}}]\n".to_string()
        };
        errors_of(&format!(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: r, namespace: default}}\nspec:\n  hosts: [\"{host}\"]\n  gateways: {gateways}\n{route}"
        ))
    };
    let generated = "outbound_.9080_._.reviews.default.svc.cluster.local";
    assert_eq!(vs("[istio-system/eastwest]", generated, true), vec![]);
    assert_eq!(
        vs("[mesh]", generated, true),
        vec![("MC1102".into(), 5), ("MC1123".into(), 8)],
        "the host and the SNI host (validateSniHost) are refused on the mesh"
    );
    assert_eq!(
        vs("[istio-system/eastwest]", generated, false),
        vec![("MC1102".into(), 5)]
    );
    assert_eq!(
        vs("[istio-system/eastwest]", "outbound_.http_._.reviews", true),
        vec![("MC1102".into(), 5), ("MC1123".into(), 8)],
        "the port part needs a digit"
    );
}
