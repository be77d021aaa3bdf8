//! Property test of `meshctl diff` (the library under the command): for
//! generated pairs of VirtualServices over one host (rules with prefix,
//! exact, header and method matches, splits over three subsets), every
//! example request of a reported change routes differently on the two
//! sides, and every sampled request that routes differently falls in a
//! reported class (same rule on each side, same two outcomes).

use meshctl::diff::{self, Side, Traffic};
use meshctl::load::Loaded;
use meshctl::mesh::Mesh;
use meshctl::route::{Request, RoutingTable};
use meshctl::validate::{self, Options, Outcome};
use proptest::prelude::*;

const BASE: &str = "apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: v3, labels: {version: v3}}
";

const MATCHES: [&str; 6] = [
    "",
    "    match: [{uri: {prefix: /a}}]\n",
    "    match: [{uri: {prefix: /a/b}}]\n",
    "    match: [{uri: {exact: /a}}]\n",
    "    match: [{headers: {x: {exact: \"1\"}}}]\n",
    "    match: [{method: {exact: POST}, uri: {prefix: /b}}]\n",
];

#[derive(Debug, Clone)]
struct Rule {
    matching: usize,
    split: Vec<(usize, u32)>,
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        0..MATCHES.len(),
        prop::collection::vec((1usize..=3, 1u32..4), 1..3),
    )
        .prop_map(|(matching, split)| Rule { matching, split })
}

fn render(rules: &[Rule]) -> String {
    let mut text = String::from(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\nspec:\n  hosts: [reviews]\n  http:\n",
    );
    for (i, rule) in rules.iter().enumerate() {
        text.push_str(&format!("  - name: r{i}\n"));
        text.push_str(MATCHES[rule.matching]);
        text.push_str("    route:\n");
        for (subset, weight) in &rule.split {
            text.push_str(&format!(
                "    - destination: {{host: reviews, subset: v{subset}}}\n      weight: {}\n",
                weight * 10
            ));
        }
    }
    format!("{BASE}---\n{text}")
}

fn load(text: &str) -> Outcome {
    let mut loaded = Loaded::default();
    loaded.add_bytes("generated.yaml".into(), text.as_bytes().to_vec());
    validate::read(loaded, &Options::default())
}

fn answer(table: &RoutingTable, req: &Request) -> Traffic {
    Traffic::of(&table.route(req).expect("mesh requests route"))
}

/// What the routing engine itself decides, read without diff's reduction:
/// the status and each destination's subset and share.
fn routed(table: &RoutingTable, req: &Request) -> (u16, Vec<(Option<String>, f64)>) {
    let decision = table.route(req).expect("mesh requests route");
    let split = decision
        .destinations
        .iter()
        .map(|d| (d.subset.clone(), d.share))
        .collect();
    (decision.status, split)
}

fn requests() -> Vec<Request> {
    let mut all = Vec::new();
    for path in ["/", "/a", "/a/b", "/a/bc", "/ab", "/b", "/b/x"] {
        for header in [None, Some("1"), Some("2")] {
            for method in ["GET", "POST"] {
                let mut req = Request::new("reviews.shop.svc.cluster.local");
                req.path = path.into();
                req.method = method.into();
                if let Some(value) = header {
                    req.add_header("x", value);
                }
                all.push(req);
            }
        }
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn examples_route_differently_and_every_difference_is_reported(
        old in prop::collection::vec(rule(), 1..5),
        new in prop::collection::vec(rule(), 1..5),
    ) {
        let (old_text, new_text) = (render(&old), render(&new));
        let (old_outcome, new_outcome) = (load(&old_text), load(&new_text));
        let (old_mesh, new_mesh) = (Mesh::build(&old_outcome.config), Mesh::build(&new_outcome.config));
        let (old_table, new_table) = (RoutingTable::build(&old_mesh), RoutingTable::build(&new_mesh));
        let comparison = diff::compare(
            Side { outcome: &old_outcome, table: &old_table },
            Side { outcome: &new_outcome, table: &new_table },
        );
        for change in &comparison.changes {
            let mut req = change.example.request.clone();
            req.port = change.example.port.or(req.port);
            prop_assert_ne!(
                routed(&old_table, &req),
                routed(&new_table, &req),
                "example {} routes the same\n{}\n{}", change.example.route_args(), old_text, new_text
            );
        }
        for req in requests() {
            let (before, after) = (answer(&old_table, &req), answer(&new_table, &req));
            if before.same_as(&after) {
                continue;
            }
            let reported = comparison.changes.iter().any(|c| {
                c.source_namespaces.iter().any(|n| n == "default")
                    && c.before.rule == before.rule
                    && c.after.rule == after.rule
                    && c.before.same_as(&before)
                    && c.after.same_as(&after)
            });
            prop_assert!(
                reported,
                "{} {} (header x {:?}) routes differently but falls in no reported class\n{}\n{}",
                req.method, req.path, req.header("x"), old_text, new_text
            );
        }
    }
}
