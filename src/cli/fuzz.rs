//! Entry points of the fuzz targets (fuzz/fuzz_targets) and of their smoke
//! replay in the tests. Each reads arbitrary bytes the way a command reads
//! that kind of file and checks what its command promises about the result;
//! a broken promise is returned, for the fuzzer or the test to fail on.

use std::path::Path;

use super::yaml_file::YamlFile;
use crate::load::Loaded;
use crate::mesh::Mesh;
use crate::report;
use crate::report::terminal::Style;
use crate::route::{Request, RoutingTable};
use crate::shift::RewriteError;
use crate::shift::target::{self, Selector};
use crate::validate::{self, Options};

/// The file name every entry point gives its input.
const NAME: &str = "fuzz.yaml";

/// Manifests for the entry points that need a mesh: the reviews canary of
/// the simulate fixtures (a weighted VirtualService, its subsets, the Service).
const MESH: &str = include_str!("../../fixtures/simulate/reviews.yaml");

/// A promise an entry point checks: `Err` names the one broken.
pub type Promise = Result<(), String>;

fn promise(kept: bool, broken: impl FnOnce() -> String) -> Promise {
    if kept { Ok(()) } else { Err(broken()) }
}

fn loaded(bytes: &[u8]) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.add_bytes(NAME.to_string(), bytes.to_vec());
    loaded
}

fn mesh_table<T>(use_it: impl FnOnce(&RoutingTable) -> T) -> T {
    let outcome = validate::read(loaded(MESH.as_bytes()), &Options::default());
    let mesh = Mesh::build(&outcome.config);
    use_it(&RoutingTable::build(&mesh))
}

/// `validate` on one file: every report format renders, JSON and SARIF are
/// JSON, the human report writes no control character from the input, and
/// every host a VirtualService names can be routed.
pub fn validate(bytes: &[u8]) -> Promise {
    let outcome = validate::run(loaded(bytes), &Options::default());
    let (diagnostics, sources) = (&outcome.diagnostics, &outcome.sources);
    let json = report::json::render(diagnostics, sources, &outcome.summary);
    let sarif = report::sarif::render(diagnostics, sources, &crate::analyze::registry::all_rules());
    for (format, text) in [("json", &json), ("sarif", &sarif)] {
        let parsed = serde_json::from_str::<serde_json::Value>(text);
        promise(parsed.is_ok(), || {
            format!("validate -o {format} is not JSON:\n{text}")
        })?;
    }
    let human = report::human::render(diagnostics, sources, &outcome.summary, Style::default());
    promise(!human.contains(['\u{1b}', '\u{7}']), || {
        format!("the human report writes a control character:\n{human}")
    })?;
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
    Ok(())
}

/// A simulation scenario: it parses or is refused with a message; one that
/// parses builds a model over a small mesh, and a short run of it stops at
/// the requests it was given.
pub fn scenario(bytes: &[u8]) -> Promise {
    let Ok(file) = crate::sim::scenario::parse(NAME, bytes.to_vec()) else {
        return Ok(());
    };
    let overrides = crate::sim::Overrides {
        requests: Some(200),
        ..crate::sim::Overrides::default()
    };
    mesh_table(|table| {
        let Ok(model) = crate::sim::build(&file.scenario, table, &overrides) else {
            return Ok(());
        };
        let result = crate::sim::run(&model, &mut |_| {});
        promise(result.requests <= 200, || {
            format!("--requests 200 ran {} requests", result.requests)
        })
    })
}

/// A route-test file: it parses or is refused; one that parses runs against
/// a small mesh (its `manifests` are not read) and answers every case.
pub fn route_tests(bytes: &[u8]) -> Promise {
    let Ok(yaml) = YamlFile::from_bytes(NAME, bytes.to_vec()) else {
        return Ok(());
    };
    let Ok(file) = yaml.parse::<crate::route::suite::TestFile>() else {
        return Ok(());
    };
    let result = mesh_table(|table| crate::route::suite::run(&file, table));
    promise(result.cases.len() == file.tests.len(), || {
        format!(
            "{} cases answered for {} tests",
            result.cases.len(),
            file.tests.len()
        )
    })
}

/// A settings file (`.meshctl.yaml`): accepted or refused with a message.
pub fn settings(bytes: &[u8]) -> Promise {
    if let Ok(yaml) = YamlFile::from_bytes(NAME, bytes.to_vec()) {
        let _ = super::validate::check_settings(&yaml, Path::new("."));
    }
    Ok(())
}

/// A baseline file: accepted or refused with a message.
pub fn baseline(bytes: &[u8]) -> Promise {
    let _ = crate::baseline::parse(NAME, &String::from_utf8_lossy(bytes));
    Ok(())
}

/// `shift`'s editor: for a file with a weighted route, no step it writes
/// changes the file in more than that route's weights (`shift::rewrite`
/// re-reads every document of the file and says so).
pub fn shift(bytes: &[u8]) -> Promise {
    let outcome = validate::read(loaded(bytes), &Options::default());
    let Ok(split) = target::find(&outcome.config, &Selector::default()) else {
        return Ok(());
    };
    let before = split.weights();
    for canary in [0, 10, 50, 100] {
        let after = split.weights_with(&before, canary);
        if let Err(broken @ RewriteError::ChangedMore(_)) =
            crate::shift::rewrite(&outcome, &split, &after)
        {
            return Err(broken.to_string());
        }
    }
    Ok(())
}
