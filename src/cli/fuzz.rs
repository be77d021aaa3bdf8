//! Entry points of the fuzz targets (fuzz/fuzz_targets) and of their smoke
//! replay in the tests. Each reads arbitrary bytes the way a command reads
//! that kind of file; none may panic, and each checks what its command
//! promises about the result.

use std::path::Path;

use super::yaml_file::YamlFile;
use crate::load::Loaded;
use crate::mesh::Mesh;
use crate::report;
use crate::report::terminal::Style;
use crate::route::{Request, RoutingTable};
use crate::shift::target::{self, Selector};
use crate::validate::{self, Options, Outcome};

/// The file name every entry point gives its input.
const NAME: &str = "fuzz.yaml";

/// Manifests for the entry points that need a mesh: a service with two
/// subsets and a weighted VirtualService.
const MESH: &str = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - name: canary
    route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
";

fn loaded(bytes: &[u8]) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.add_bytes(NAME.to_string(), bytes.to_vec());
    loaded
}

fn mesh_outcome() -> Outcome {
    validate::read(loaded(MESH.as_bytes()), &Options::default())
}

/// `validate` on one file: every report format renders, JSON and SARIF are
/// JSON, the human report writes no control character from the input, and
/// every host a VirtualService names can be routed.
pub fn validate(bytes: &[u8]) {
    let outcome = validate::run(loaded(bytes), &Options::default());
    let (diagnostics, sources) = (&outcome.diagnostics, &outcome.sources);
    let json = report::json::render(diagnostics, sources, &outcome.summary);
    let sarif = report::sarif::render(diagnostics, sources, &crate::analyze::registry::all_rules());
    for (format, text) in [("json", &json), ("sarif", &sarif)] {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            panic!("validate -o {format} is not JSON ({e}):\n{text}");
        }
    }
    let human = report::human::render(diagnostics, sources, &outcome.summary, Style::default());
    assert!(
        !human.contains(['\u{1b}', '\u{7}']),
        "the human report writes a control character:\n{human}"
    );
    report::github::render(diagnostics, sources);
    report::junit::render(diagnostics, sources, None);
    let mesh = Mesh::build(&outcome.config);
    let table = RoutingTable::build(&mesh);
    for vs in outcome.config.virtual_services.iter().take(8) {
        for host in vs.spec.hosts.iter().take(4) {
            let mut request = Request::new(host);
            request.source_namespace.clone_from(&vs.namespace);
            let _ = table.route(&request);
        }
    }
}

/// A simulation scenario: it parses or is refused with a message; one that
/// parses builds a model over a small mesh, and a short run of it completes.
pub fn scenario(bytes: &[u8]) {
    let Ok(file) = crate::sim::scenario::parse(NAME, bytes.to_vec()) else {
        return;
    };
    let outcome = mesh_outcome();
    let mesh = Mesh::build(&outcome.config);
    let table = RoutingTable::build(&mesh);
    let overrides = crate::sim::Overrides {
        requests: Some(200),
        ..crate::sim::Overrides::default()
    };
    if let Ok(model) = crate::sim::build(&file.scenario, &table, &overrides) {
        let result = crate::sim::run(&model, &mut |_| {});
        assert!(result.requests <= 200, "{} requests", result.requests);
    }
}

/// A route-test file: it parses or is refused; one that parses runs against
/// a small mesh (its `manifests` are not read).
pub fn route_tests(bytes: &[u8]) {
    let Ok(yaml) = YamlFile::from_bytes(NAME, bytes.to_vec()) else {
        return;
    };
    let Ok(file) = yaml.parse::<crate::route::suite::TestFile>() else {
        return;
    };
    let outcome = mesh_outcome();
    let mesh = Mesh::build(&outcome.config);
    let table = RoutingTable::build(&mesh);
    let result = crate::route::suite::run(&file, &table);
    assert_eq!(result.cases.len(), file.tests.len());
}

/// A settings file (`.meshctl.yaml`): accepted or refused with a message.
pub fn settings(bytes: &[u8]) {
    if let Ok(yaml) = YamlFile::from_bytes(NAME, bytes.to_vec()) {
        let _ = super::validate::check_settings(&yaml, Path::new("."));
    }
}

/// A baseline file: accepted or refused with a message.
pub fn baseline(bytes: &[u8]) {
    let _ = crate::baseline::parse(NAME, &String::from_utf8_lossy(bytes));
}

/// `shift`'s editor: for a file with a weighted route, every step it writes
/// re-reads as the same documents with only that route's weights changed.
pub fn shift(bytes: &[u8]) {
    let outcome = validate::read(loaded(bytes), &Options::default());
    let Ok(split) = target::find(&outcome.config, &Selector::default()) else {
        return;
    };
    let before = split.weights();
    for canary in [0, 10, 50, 100] {
        let after = split.weights_with(&before, canary);
        let edited = match crate::shift::rewrite(&outcome, &split, &after) {
            Ok(edited) => edited,
            Err(e) if e.contains("a bug in meshctl") => panic!("{e}"),
            Err(_) => continue,
        };
        let again = loaded(edited.as_bytes());
        let source = outcome.documents[split.doc].source;
        let originals: Vec<_> = outcome
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| d.source == source)
            .collect();
        assert_eq!(again.documents.len(), originals.len(), "{edited}");
        let changes: Vec<(String, u32)> = split
            .destinations
            .iter()
            .zip(&after)
            .zip(&before)
            .filter(|((_, a), b)| a != b)
            .map(|((d, a), _)| (d.pointer.clone(), *a))
            .collect();
        for ((index, original), new) in originals.iter().zip(&again.documents) {
            if *index == split.doc {
                assert!(
                    crate::shift::edit::verify(&original.value, &new.value, &changes),
                    "more than the weights changed:\n{edited}"
                );
            } else {
                assert_eq!(
                    original.value, new.value,
                    "another document changed:\n{edited}"
                );
            }
        }
    }
}
