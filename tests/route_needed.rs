//! Property test of `route`'s selective load: for generated repositories
//! (Services, ExternalName aliases, ServiceEntries with wildcards,
//! VirtualServices with delegates and duplicates, HTTPRoutes attached to
//! Services, DestinationRules with
//! subsets and exportTo, spread over files in block and flow style), the
//! decision on the documents [`Needed`] picks equals the decision on the
//! whole input, for requests from several namespaces to every host, or
//! says it is not ([`decided_alone`]: `route` then reads everything).

use std::path::Path;

use meshctl::load::{self, Input};
use meshctl::mesh::Mesh;
use meshctl::route::needed::{Needed, decided_alone};
use meshctl::route::{Request, RoutingTable};
use meshctl::validate::{self, Options};
use proptest::prelude::*;

const NAMES: [&str; 4] = ["reviews", "ratings", "details", "reviews-v2"];
const NAMESPACES: [&str; 2] = ["a", "b"];
const HOSTS: [&str; 8] = [
    "reviews",
    "ratings",
    "reviews.a",
    "details.b.svc.cluster.local",
    "reviews-v2.a.svc.cluster.local",
    "api.example.com",
    "x.example.com",
    "*.a.svc.cluster.local",
];

#[derive(Debug, Clone)]
enum Doc {
    Service {
        name: &'static str,
        namespace: &'static str,
        alias: Option<&'static str>,
    },
    ServiceEntry {
        name: &'static str,
        namespace: &'static str,
        host: &'static str,
    },
    VirtualService {
        name: &'static str,
        namespace: &'static str,
        host: &'static str,
        destinations: Vec<(&'static str, Option<&'static str>)>,
        delegate: Option<&'static str>,
    },
    Delegate {
        name: &'static str,
        namespace: &'static str,
        destination: &'static str,
    },
    /// A Gateway API route attached to a Service (mesh routing).
    HttpRoute {
        name: &'static str,
        namespace: &'static str,
        parent: &'static str,
        backend: &'static str,
        mirror: Option<&'static str>,
    },
    DestinationRule {
        name: &'static str,
        namespace: &'static str,
        host: &'static str,
        subsets: Vec<&'static str>,
        export_here: bool,
    },
}

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &[T]) -> impl Strategy<Value = T> + use<T> {
    prop::sample::select(items.to_vec())
}

fn doc() -> impl Strategy<Value = Doc> {
    let subset = || prop::option::of(pick(&["v1", "v2"]));
    prop_oneof![
        (
            pick(&NAMES),
            pick(&NAMESPACES),
            prop::option::of(pick(&NAMES))
        )
            .prop_map(|(name, namespace, alias)| Doc::Service {
                name,
                namespace,
                alias
            }),
        (
            pick(&["se1", "se2"]),
            pick(&NAMESPACES),
            pick(&["api.example.com", "*.example.com", "reviews.ext"])
        )
            .prop_map(|(name, namespace, host)| Doc::ServiceEntry {
                name,
                namespace,
                host
            }),
        (
            pick(&["vs1", "vs2", "vs3"]),
            pick(&NAMESPACES),
            pick(&HOSTS),
            prop::collection::vec((pick(&HOSTS[..7]), subset()), 1..3),
            prop::option::of(pick(&["d1", "d2"])),
        )
            .prop_map(|(name, namespace, host, destinations, delegate)| {
                Doc::VirtualService {
                    name,
                    namespace,
                    host,
                    destinations,
                    delegate,
                }
            }),
        (pick(&["d1", "d2"]), pick(&NAMESPACES), pick(&HOSTS[..7])).prop_map(
            |(name, namespace, destination)| Doc::Delegate {
                name,
                namespace,
                destination
            }
        ),
        (
            pick(&["hr1", "hr2"]),
            pick(&NAMESPACES),
            pick(&NAMES),
            pick(&NAMES),
            prop::option::of(pick(&NAMES))
        )
            .prop_map(
                |(name, namespace, parent, backend, mirror)| Doc::HttpRoute {
                    name,
                    namespace,
                    parent,
                    backend,
                    mirror
                }
            ),
        (
            pick(&["dr1", "dr2", "dr3"]),
            pick(&NAMESPACES),
            pick(&HOSTS),
            prop::sample::subsequence(vec!["v1", "v2"], 0..=2),
            any::<bool>(),
        )
            .prop_map(|(name, namespace, host, subsets, export_here)| {
                Doc::DestinationRule {
                    name,
                    namespace,
                    host,
                    subsets,
                    export_here,
                }
            }),
    ]
}

/// The metadata lines: block style (skimmed) or flow style (read to know).
fn metadata(name: &str, namespace: &str, flow: bool) -> String {
    if flow {
        format!("metadata: {{name: {name}, namespace: {namespace}}}\n")
    } else {
        format!("metadata:\n  name: {name}\n  namespace: {namespace}\n")
    }
}

fn render(doc: &Doc, flow: bool) -> String {
    let istio = "apiVersion: networking.istio.io/v1\n";
    match doc {
        Doc::Service {
            name,
            namespace,
            alias,
        } => {
            let spec = match alias {
                Some(target) => {
                    format!(
                        "spec:\n  type: ExternalName\n  externalName: {target}.b.svc.cluster.local\n"
                    )
                }
                None => {
                    "spec:\n  selector: {app: x}\n  ports:\n  - {name: http, port: 80}\n".into()
                }
            };
            format!(
                "apiVersion: v1\nkind: Service\n{}{spec}",
                metadata(name, namespace, flow)
            )
        }
        Doc::ServiceEntry {
            name,
            namespace,
            host,
        } => format!(
            "{istio}kind: ServiceEntry\n{}spec:\n  hosts: ['{host}']\n  location: MESH_EXTERNAL\n  resolution: DNS\n  ports:\n  - {{name: http, number: 80, protocol: HTTP}}\n",
            metadata(name, namespace, flow)
        ),
        Doc::VirtualService {
            name,
            namespace,
            host,
            destinations,
            delegate,
        } => {
            let mut http = String::from("  http:\n");
            if let Some(d) = delegate {
                http.push_str(&format!(
                    "  - match: [{{headers: {{x-d: {{exact: '1'}}}}}}]\n    delegate: {{name: {d}, namespace: {namespace}}}\n"
                ));
            }
            for (i, (dest, subset)) in destinations.iter().enumerate() {
                let subset = subset.map(|s| format!(", subset: {s}")).unwrap_or_default();
                let matched = if i + 1 < destinations.len() {
                    format!("    match: [{{uri: {{prefix: /p{i}}}}}]\n")
                } else {
                    String::new()
                };
                http.push_str(&format!(
                    "  - name: r{i}\n{matched}    route:\n    - destination: {{host: {dest}{subset}}}\n"
                ));
            }
            format!(
                "{istio}kind: VirtualService\n{}spec:\n  hosts: ['{host}']\n{http}",
                metadata(name, namespace, flow)
            )
        }
        Doc::Delegate {
            name,
            namespace,
            destination,
        } => format!(
            "{istio}kind: VirtualService\n{}spec:\n  http:\n  - route:\n    - destination: {{host: {destination}}}\n",
            metadata(name, namespace, flow)
        ),
        Doc::HttpRoute {
            name,
            namespace,
            parent,
            backend,
            mirror,
        } => {
            let filters = mirror.map_or(String::new(), |m| {
                format!("    filters:\n    - type: RequestMirror\n      requestMirror:\n        backendRef: {{name: {m}, port: 80}}\n")
            });
            format!(
                "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n{}spec:\n  parentRefs:\n  - {{group: '', kind: Service, name: {parent}, port: 80}}\n  rules:\n  - backendRefs:\n    - {{name: {backend}, port: 80}}\n{filters}",
                metadata(name, namespace, flow)
            )
        }
        Doc::DestinationRule {
            name,
            namespace,
            host,
            subsets,
            export_here,
        } => {
            let subsets: String = subsets
                .iter()
                .map(|s| format!("  - {{name: {s}, labels: {{version: {s}}}}}\n"))
                .collect();
            let subsets = if subsets.is_empty() {
                subsets
            } else {
                format!("  subsets:\n{subsets}")
            };
            let export = if *export_here {
                "  exportTo: [.]\n"
            } else {
                ""
            };
            format!(
                "{istio}kind: DestinationRule\n{}spec:\n  host: '{host}'\n{export}{subsets}",
                metadata(name, namespace, flow)
            )
        }
    }
}

/// The route decision for `req` on `inputs`, read whole or selectively;
/// `None` when the selective one says it needs the whole input.
fn decide(inputs: &[Input], req: &Request, selective: bool) -> Option<String> {
    let loaded = if selective {
        load::load_selected(inputs, &mut Needed::for_hosts([req.host()])).expect("loads")
    } else {
        load::load(inputs).expect("loads")
    };
    let outcome = validate::read(
        loaded,
        &Options {
            default_namespace: "default".into(),
            ..Options::default()
        },
    );
    let lost: Vec<String> = validate::lost_input(&outcome)
        .map(|d| d.message.clone())
        .collect();
    assert!(lost.is_empty(), "{lost:?}");
    let mesh = Mesh::build(&outcome.config);
    let table = RoutingTable::build(&mesh);
    let decision = table.route(req).expect("mesh entry");
    (!selective || decided_alone(&decision))
        .then(|| serde_json::to_string_pretty(&decision).expect("serializes"))
}

fn write_repository(dir: &Path, docs: &[(Doc, bool, usize)]) -> Vec<Input> {
    let mut files = vec![String::new(); 3];
    for (doc, flow, file) in docs {
        let text = &mut files[*file];
        text.push_str("---\n");
        text.push_str(&render(doc, *flow));
    }
    files
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("f{i}.yaml"));
            std::fs::write(&path, text).expect("writes");
            Input::Path(path)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_selective_load_routes_as_the_whole_input_does(
        docs in prop::collection::vec((doc(), any::<bool>(), 0usize..3), 0..12),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let inputs = write_repository(dir.path(), &docs);
        for host in &HOSTS[..7] {
            for (namespace, delegated) in [("a", false), ("b", false), ("a", true)] {
                let mut req = Request::new(host);
                req.source_namespace = namespace.to_string();
                if delegated {
                    req.add_header("x-d", "1");
                }
                let whole = decide(&inputs, &req, false);
                if let Some(selective) = decide(&inputs, &req, true) {
                    prop_assert_eq!(&whole, &Some(selective), "{} from {} ({})", host, namespace, delegated);
                }
            }
        }
    }
}
