//! `meshctl test FILE...`: route tests with coverage.

use std::collections::BTreeSet;
use std::path::Path;

use super::yaml_file::YamlFile;

use super::{CliError, HumanOrJson, exit, load_config, note_used, print_stdout};
use crate::load::Input;
use crate::mesh::Mesh;
use crate::report::route::trace_line;
use crate::report::terminal::{Style, Tone};
use crate::report_line;
use crate::route::RoutingTable;
use crate::route::suite::{self, TestFile};

/// The version of the `test -o json` format (schemas/output/test.json).
const TEST_VERSION: u32 = 1;

#[derive(clap::Args)]
pub struct Args {
    /// Route test files (YAML; see schemas/route-test.json).
    #[arg(required = true, value_name = "FILES")]
    files: Vec<String>,
    /// Exit 1 when the tests cover less than this percentage of routing rules.
    #[arg(long, value_name = "PCT")]
    fail_under: Option<f64>,
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    format: HumanOrJson,
}

fn read_test_file(path: &str) -> Result<TestFile, CliError> {
    YamlFile::read(path)?.parse()
}

/// The human report: a PASS or FAIL line per case with its failures and
/// trace, then the totals and the rules no case reached.
fn human(
    reports: &[(String, suite::SuiteResult)],
    failed: usize,
    total: usize,
    coverage: f64,
    uncovered: &[String],
    style: Style,
) -> String {
    let mut out = String::new();
    for (path, result) in reports {
        for case in &result.cases {
            let verdict = if case.passed {
                style.paint(Tone::Good, "PASS")
            } else {
                style.paint(Tone::Bad, "FAIL")
            };
            out.push_str(&verdict);
            report_line!(&mut out, " {path}: {}", case.name);
            for f in &case.failures {
                report_line!(&mut out, "    {f}");
            }
            for step in &case.trace {
                report_line!(&mut out, "    {}", trace_line(step));
            }
        }
    }
    report_line!(&mut out);
    report_line!(
        &mut out,
        "{} passed, {failed} failed; {coverage:.0}% of routing rules covered",
        total - failed
    );
    for u in uncovered {
        report_line!(&mut out, "  not covered: {u}");
    }
    out
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    let mut failed = 0;
    let mut total = 0;
    let mut covered = BTreeSet::new();
    let mut all = BTreeSet::new();
    let mut reports = Vec::new();
    for path in &args.files {
        let file = read_test_file(path)?;
        let base = Path::new(path).parent().unwrap_or(Path::new("."));
        let inputs: Vec<Input> = file
            .manifests
            .iter()
            .map(|m| Input::Path(base.join(m)))
            .collect();
        let outcome = load_config(&inputs, "default")?;
        let mesh = Mesh::build(&outcome.config);
        let table = RoutingTable::build(&mesh);
        let result = suite::run(&file, &table);
        note_used(outcome, &result.used);
        all.extend(suite::all_rules(&table));
        covered.extend(result.covered.iter().cloned());
        total += result.cases.len();
        failed += result.cases.iter().filter(|c| !c.passed).count();
        reports.push((path.clone(), result));
    }
    let coverage = if all.is_empty() {
        100.0
    } else {
        100.0 * covered.intersection(&all).count() as f64 / all.len() as f64
    };
    let uncovered: Vec<String> = all
        .difference(&covered)
        .map(|(vs, i)| format!("{vs} rule #{i}"))
        .collect();
    match args.format {
        HumanOrJson::Json => {
            let files: Vec<_> = reports
                .iter()
                .map(|(p, r)| serde_json::json!({"file": p, "cases": r.cases}))
                .collect();
            let out = serde_json::json!({"version": TEST_VERSION, "passed": total - failed, "failed": failed, "coverage_percent": coverage, "uncovered_rules": uncovered, "files": files});
            let text = serde_json::to_string_pretty(&out).expect("serializes");
            print_stdout(&format!("{text}\n"))?;
        }
        HumanOrJson::Human => {
            print_stdout(&human(&reports, failed, total, coverage, &uncovered, style))?
        }
    }
    let under = args.fail_under.is_some_and(|min| coverage < min);
    if under {
        say!(
            "coverage {coverage:.1}% is below --fail-under {}",
            args.fail_under.unwrap_or_default()
        );
    }
    Ok(if failed > 0 || under {
        exit::FINDINGS
    } else {
        exit::OK
    })
}
