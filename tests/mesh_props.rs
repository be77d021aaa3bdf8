//! Property test of the one mesh view: for generated configurations
//! (DestinationRules in several namespaces with wildcard and short hosts,
//! exportTo and subsets; a VirtualService routing to a subset), validate's
//! verdict on the destination is what `route` decides for a request that
//! takes it: an error exactly when the caller's cluster does not exist
//! (503 NC), with the same DestinationRule lookup (§2.6) on both sides.

use meshctl::load::Loaded;
use meshctl::mesh::Mesh;
use meshctl::route::{Request, RoutingTable};
use meshctl::validate::{self, Options};
use proptest::prelude::*;

/// The findings that say a destination's cluster does not exist.
const DESTINATION_ERRORS: [&str; 4] = ["MC2001", "MC2002", "MC2004", "MC2009"];

#[derive(Debug, Clone)]
struct Rule {
    namespace: &'static str,
    host: &'static str,
    export_to: &'static str,
    subsets: Vec<&'static str>,
    created: u8,
}

#[derive(Debug, Clone)]
struct Case {
    rules: Vec<Rule>,
    services: bool,
    vs_namespace: &'static str,
    vs_export_to: &'static str,
    subset: Option<&'static str>,
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        prop::sample::select(vec!["a", "b", "c", "istio-system"]),
        prop::sample::select(vec![
            "svc",
            "svc.a.svc.cluster.local",
            "*.a.svc.cluster.local",
            "*.svc.cluster.local",
            "other",
        ]),
        prop::sample::select(vec!["", "[.]", "['*']", "[b]", "[a, c]"]),
        prop::sample::subsequence(vec!["v1", "v2", "v3"], 0..=3),
        0u8..3,
    )
        .prop_map(|(namespace, host, export_to, subsets, created)| Rule {
            namespace,
            host,
            export_to,
            subsets,
            created,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(rule(), 0..5),
        any::<bool>(),
        prop::sample::select(vec!["a", "b", "c"]),
        prop::sample::select(vec!["", "[.]"]),
        prop::option::of(prop::sample::select(vec!["v1", "v2", "v3"])),
    )
        .prop_map(
            |(rules, services, vs_namespace, vs_export_to, subset)| Case {
                rules,
                services,
                vs_namespace,
                vs_export_to,
                subset,
            },
        )
}

fn render(c: &Case) -> String {
    let mut docs = Vec::new();
    if c.services {
        docs.push(
            "apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: a}\nspec:\n  ports: [{name: http, port: 80}]\n"
                .to_string(),
        );
    }
    for (i, r) in c.rules.iter().enumerate() {
        let export = if r.export_to.is_empty() {
            String::new()
        } else {
            format!("  exportTo: {}\n", r.export_to)
        };
        let subsets: String = r
            .subsets
            .iter()
            .map(|s| format!("  - {{name: {s}, labels: {{version: {s}}}}}\n"))
            .collect();
        docs.push(format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: dr{i}, namespace: {}, creationTimestamp: '2026-01-0{}T00:00:00Z'}}\nspec:\n  host: '{}'\n{export}  subsets:\n{subsets}",
            r.namespace,
            r.created + 1,
            r.host,
        ));
        if r.subsets.is_empty() {
            let last = docs.last_mut().expect("pushed");
            *last = last.replace("  subsets:\n", "");
        }
    }
    let export = if c.vs_export_to.is_empty() {
        String::new()
    } else {
        format!("  exportTo: {}\n", c.vs_export_to)
    };
    let subset = c
        .subset
        .map(|s| format!(", subset: {s}"))
        .unwrap_or_default();
    docs.push(format!(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: vs, namespace: {}}}\nspec:\n  hosts: [svc.a.svc.cluster.local]\n{export}  http:\n  - route:\n    - destination: {{host: svc.a.svc.cluster.local{subset}}}\n",
        c.vs_namespace
    ));
    docs.join("---\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn validate_and_route_give_one_verdict_per_destination(c in case()) {
        let text = render(&c);
        let mut loaded = Loaded::default();
        loaded.add_bytes("generated.yaml".into(), text.clone().into_bytes());
        let outcome = validate::run(loaded, &Options {
            default_namespace: "default".into(),
            ..Options::default()
        });
        let schema_errors: Vec<_> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.rule.code.starts_with("MC0"))
            .map(|d| d.message.clone())
            .collect();
        prop_assert!(schema_errors.is_empty(), "{schema_errors:?}\n{text}");
        let flagged: Vec<String> = outcome
            .diagnostics
            .iter()
            .filter(|d| DESTINATION_ERRORS.contains(&d.rule.code))
            .map(|d| format!("{} {}", d.rule.code, d.message))
            .collect();
        let mesh = Mesh::build(&outcome.config);
        let table = RoutingTable::build(&mesh);
        // The VirtualService applies in its own namespace (no exportTo or `.`).
        let mut req = Request::new("svc.a.svc.cluster.local");
        req.source_namespace = c.vs_namespace.to_string();
        let decision = table.route(&req).expect("mesh entry");
        prop_assert_eq!(decision.destinations.len(), 1, "{:?}", decision.virtual_host);
        let dest = &decision.destinations[0];
        let unroutable = dest.status == 503;
        prop_assert_eq!(
            !flagged.is_empty(),
            unroutable,
            "validate {:?}, route {} {:?}\n{}",
            flagged,
            dest.status,
            dest.note,
            text
        );
        if let Some(note) = dest.note.as_deref().filter(|_| unroutable) {
            prop_assert!(
                flagged.iter().any(|f| f.ends_with(note)) || flagged.iter().any(|f| f.starts_with("MC2004")),
                "route says {note:?}, validate {flagged:?}\n{text}"
            );
        }
    }
}
