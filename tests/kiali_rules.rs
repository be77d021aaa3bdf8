//! Kiali's validations (business/checkers) that meshctl has an equivalent
//! for, one test per checker, named after it; docs/kiali.md maps every
//! Kiali check on the kinds meshctl reads.

mod common;

use common::{diagnostics_of, lines_of};

/// (code, line) of the findings of `codes` for `yaml`.
fn found(yaml: &str, codes: &[&str]) -> Vec<(String, u64)> {
    diagnostics_of(yaml)
        .iter()
        .filter(|d| codes.contains(&d["code"].as_str().unwrap()))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

const REVIEWS: &str = "apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
";

/// virtualservices/no_gateway_checker.go (KIA1102): every gateway a
/// VirtualService names, in `gateways` and in its route matches, exists.
#[test]
fn no_gateway_checker() {
    let yaml = format!(
        "{REVIEWS}apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: public, namespace: shop}}
spec:
  selector: {{istio: ingressgateway}}
  servers: [{{port: {{number: 80, name: http, protocol: HTTP}}, hosts: [\"*\"]}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: shop}}
spec:
  hosts: [reviews.example.com]
  gateways: [public, mesh]
  http:
  - match: [{{gateways: [publik]}}, {{gateways: [mesh]}}]
    route: [{{destination: {{host: reviews}}}}]
  tcp:
  - match: [{{gateways: [shop/public]}}]
    route: [{{destination: {{host: reviews}}}}]
"
    );
    assert_eq!(found(&yaml, &["MC2005"]), [("MC2005".to_string(), 22)]);
}

/// virtualservices/route_checker.go (KIA1105): one host and subset twice
/// among a route's destinations.
#[test]
fn route_checker_repeated_subset() {
    let route = |second: &str| {
        format!(
            "{REVIEWS}apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: reviews, namespace: shop}}
spec:
  hosts: [reviews]
  http:
  - route:
    - {{destination: {{host: reviews, subset: v1}}, weight: 50}}
    - {{destination: {{host: {second}}}, weight: 50}}
"
        )
    };
    assert_eq!(
        found(
            &route("reviews.shop.svc.cluster.local, subset: v1"),
            &["MC2509"]
        ),
        [("MC2509".to_string(), 16)]
    );
    assert!(found(&route("reviews, subset: v2"), &["MC2509"]).is_empty());
    assert!(
        found(
            &route("reviews, subset: v1, port: {number: 9080}"),
            &["MC2509"]
        )
        .is_empty(),
        "another port is another destination"
    );
}

/// destinationrules/multi_match_checker.go (KIA0201) with Istio's merge of
/// the DestinationRules of one namespace: a subset an older rule for the
/// host defines is dropped; in another namespace it is another rule.
#[test]
fn multi_match_checker() {
    let rule = |name: &str, namespace: &str, time: &str| {
        format!(
            "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: {namespace}, creationTimestamp: \"{time}\"}}
spec:
  host: reviews.shop.svc.cluster.local
  subsets: [{{name: v2, labels: {{version: v2}}}}]
---
"
        )
    };
    let same = format!(
        "{REVIEWS}{}{}",
        rule("b", "shop", "2026-02-01T00:00:00Z"),
        rule("a", "shop", "2026-01-01T00:00:00Z")
    );
    assert_eq!(
        found(&same, &["MC2307"]),
        [("MC2307".to_string(), 13)],
        "the newer one, b"
    );
    let apart = format!(
        "{REVIEWS}{}{}",
        rule("b", "billing", "2026-02-01T00:00:00Z"),
        rule("a", "shop", "2026-01-01T00:00:00Z")
    );
    assert!(found(&apart, &["MC2307"]).is_empty());
}

/// destinationrules/no_dest_checker.go (KIA0209): a subset without labels.
#[test]
fn no_dest_checker_subset_without_labels() {
    let yaml = format!(
        "{REVIEWS}apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: reviews, namespace: shop}}
spec:
  host: reviews
  subsets: [{{name: v1, labels: {{version: v1}}}}, {{name: all}}]
"
    );
    assert_eq!(found(&yaml, &["MC2308"]), [("MC2308".to_string(), 13)]);
}

/// checkers/generic/export_to_namespace_checker.go (KIA0005) and the
/// ReferenceGrant namespace checker (KIA1601): with `--complete`, a
/// namespace that is neither a Namespace object of the input nor holds one
/// of its resources does not exist; without it, nothing is said.
#[test]
fn export_to_namespace_checker() {
    let yaml = "apiVersion: v1
kind: Namespace
metadata: {name: billing}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  exportTo: [., billing, biling]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-web, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: wbe}]
  to: [{group: \"\", kind: Service}]
";
    assert_eq!(lines_of(yaml, "MC2011", &["--complete"]), [10, 16]);
    assert!(lines_of(yaml, "MC2011", &[]).is_empty());
}
