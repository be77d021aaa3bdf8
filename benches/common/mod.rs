//! The generated corpus the benchmarks share: per service a VirtualService
//! with header routes and a canary split, a DestinationRule and a Service.

/// One file's worth of documents: a VirtualService with a canary split and
/// header routes, a DestinationRule with subsets and policies, a Service.
fn service_docs(i: usize) -> String {
    format!(
        r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc-{i}
  namespace: team-{ns}
  labels: {{app: svc-{i}, tier: backend}}
spec:
  hosts:
  - svc-{i}
  - svc-{i}.example.com
  gateways: [mesh, istio-system/public]
  http:
  - name: beta-users
    match:
    - headers:
        end-user: {{exact: "user-{i}"}}
        x-canary: {{regex: "^(true|yes)$"}}
      uri: {{prefix: /api/v2}}
    route:
    - destination: {{host: svc-{i}, subset: v2, port: {{number: 8080}}}}
    timeout: 2s
    retries: {{attempts: 3, perTryTimeout: 500ms, retryOn: "gateway-error,connect-failure,refused-stream"}}
  - name: canary
    match:
    - uri: {{prefix: /api}}
    route:
    - destination: {{host: svc-{i}, subset: v1}}
      weight: 90
    - destination: {{host: svc-{i}, subset: v2}}
      weight: 10
    fault:
      delay: {{fixedDelay: 100ms, percentage: {{value: 0.5}}}}
  - route:
    - destination: {{host: svc-{i}, subset: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc-{i}
  namespace: team-{ns}
spec:
  host: svc-{i}
  trafficPolicy:
    loadBalancer: {{simple: LEAST_REQUEST}}
    connectionPool:
      tcp: {{maxConnections: 100, connectTimeout: 250ms}}
      http: {{http1MaxPendingRequests: 50, http2MaxRequests: 200, maxRetries: 3}}
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
  - name: v1
    labels: {{version: v1}}
  - name: v2
    labels: {{version: v2}}
    trafficPolicy:
      loadBalancer: {{simple: ROUND_ROBIN}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: team-{ns}
spec:
  selector: {{app: svc-{i}}}
  ports:
  - name: http
    port: 8080
    targetPort: 8080
"#,
        ns = i % 50
    )
}

/// At least `services` services' files, and at least `min_bytes` in all.
pub fn corpus(services: usize, min_bytes: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut bytes = 0;
    let mut i = 0;
    while i < services || bytes < min_bytes {
        let text = service_docs(i);
        bytes += text.len();
        files.push((format!("gen/svc-{i}.yaml"), text));
        i += 1;
    }
    files
}
