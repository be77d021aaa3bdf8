//! The Gateway API route kinds besides HTTPRoute (GRPCRoute, TLSRoute,
//! TCPRoute, UDPRoute) and ListenerSet through `meshctl validate`: their
//! schema (the CRDs' structure and CEL rules) and their references, under
//! the same rules as HTTPRoute's (Gateway API spec: parentRefs attach to
//! listeners that admit the route's kind and namespace; a backend in
//! another namespace needs a ReferenceGrant from that route kind).

mod common;

use common::diagnostics_with;

const GATEWAY: &str = "apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}
  - {name: tcp, port: 5432, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
  - {name: udp, port: 53, protocol: UDP}
  - {name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: grpc, port: 50051}]
---
";

/// The (code, line) of every finding for the Gateway above plus `routes`.
fn findings(routes: &str) -> Vec<(String, u64)> {
    code_lines(&format!("{GATEWAY}{routes}"), &[])
}

/// The (code, line) of every finding of `validate FILE ARGS...` on `yaml`.
fn code_lines(yaml: &str, args: &[&str]) -> Vec<(String, u64)> {
    diagnostics_with(yaml, args)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The Gateway above is 25 lines: findings in `routes` are at 34 + their line.
const AT: u64 = 25;

#[test]
fn routes_of_every_kind_attach_by_listener_kind_and_namespace() {
    let good = "apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: web}]
  hostnames: [api.example.com]
  rules:
  - matches: [{method: {service: shop.Api, method: Get}}]
    backendRefs: [{name: api, port: 50051}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: db, namespace: data}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: tcp}]
  rules:
  - backendRefs: [{name: db, port: 5432}]
";
    assert_eq!(findings(good), vec![]);
    // A TCPRoute on the TLS listener is admitted (TLS serves TLSRoute and
    // TCPRoute); on the HTTP listener it is not; the UDP listener keeps the
    // default `Same` namespaces.
    let misplaced = "apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: db, namespace: data}
spec:
  parentRefs:
  - {name: edge, namespace: infra, sectionName: tls}
  - {name: edge, namespace: infra, sectionName: web}
  rules:
  - backendRefs: [{name: db, port: 5432}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: {name: dns, namespace: data}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: udp}]
  rules:
  - backendRefs: [{name: db, port: 5432}]
";
    assert_eq!(
        findings(misplaced),
        vec![("MC2709".into(), AT + 7), ("MC2703".into(), AT + 15)]
    );
}

#[test]
fn a_backend_in_another_namespace_needs_a_grant_for_the_route_kind() {
    let route = "apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: db, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: tls}]
  hostnames: [db.example.com]
  rules:
  - backendRefs: [{name: db, namespace: data, port: 5432}]
---
";
    let grant = |kind: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {{name: shop-to-db, namespace: data}}
spec:
  from: [{{group: gateway.networking.k8s.io, kind: {kind}, namespace: shop}}]
  to: [{{group: \"\", kind: Service}}]
"
        )
    };
    assert_eq!(
        findings(&format!("{route}{}", grant("HTTPRoute"))),
        vec![("MC2706".into(), AT + 8)],
        "a grant for HTTPRoutes does not cover TLSRoutes"
    );
    assert_eq!(findings(&format!("{route}{}", grant("TLSRoute"))), vec![]);
}

#[test]
fn schemas_hold_the_crd_rules() {
    // GRPCRoute: a method match needs a service or a method (CEL);
    // TCPRoute has no hostnames; a TLSRoute rule needs backendRefs.
    let bad = "apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  rules:
  - matches: [{method: {type: Exact}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: db, namespace: data}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: tcp}]
  hostnames: [db.example.com]
  rules:
  - backendRefs: [{name: db, port: 5432}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: tls, namespace: data}
spec:
  parentRefs: [{name: edge, namespace: infra, sectionName: tls}]
  rules:
  - {name: no-backends}
";
    let codes: Vec<(String, u64)> = findings(bad)
        .into_iter()
        .filter(|(c, _)| c.starts_with("MC01"))
        .collect();
    assert_eq!(
        codes.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        [AT + 7, AT + 14, AT + 24]
    );
}

#[test]
fn a_route_on_a_listener_set_uses_its_listeners() {
    let yaml = "apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: shop}
spec:
  parentRef: {name: edge, namespace: infra}
  listeners:
  - {name: grpc, port: 8443, protocol: HTTPS, hostname: api.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs:
  - {group: gateway.networking.k8s.io, kind: ListenerSet, name: team, sectionName: grpc}
  - {group: gateway.networking.k8s.io, kind: ListenerSet, name: team, sectionName: web}
  hostnames: [api.example.com]
  rules:
  - backendRefs: [{name: api, port: 50051}]
";
    assert_eq!(
        findings(yaml),
        vec![("MC2710".into(), AT + 5), ("MC2702".into(), AT + 15)],
        "the Gateway allows no ListenerSets; `web` is the Gateway's listener, not the set's"
    );
}

/// Gateway API release channels: the standard channel's CRDs lack the
/// experimental fields (a rule's retry, an ExternalAuth filter), so with
/// `--gateway-api-channel standard` (or the settings key) they are errors;
/// with `experimental`, or no channel known, they are accepted.
#[test]
fn experimental_fields_are_refused_on_the_standard_channel() {
    let route = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: shop}
spec:
  rules:
  - retry: {attempts: 2}
    backendRefs: [{name: api, port: 80}]
";
    let refused = vec![("MC0108".to_string(), 6)];
    assert_eq!(code_lines(route, &[]), vec![]);
    assert_eq!(
        code_lines(route, &["--gateway-api-channel", "experimental"]),
        vec![]
    );
    assert_eq!(
        code_lines(route, &["--gateway-api-channel", "standard"]),
        refused
    );
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.yaml");
    std::fs::write(&settings, "gateway-api-channel: standard\n").unwrap();
    assert_eq!(
        code_lines(route, &["--config", settings.to_str().unwrap()]),
        refused
    );
}
