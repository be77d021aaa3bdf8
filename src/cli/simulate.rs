//! `meshctl simulate PATHS... [--scenario FILE]`

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use super::{
    CliError, HumanOrJson, MeshConfig, Paths, check_slo_selectors, collect_slos, exit, judge,
    load_config, note_used, print_stdout,
};
use crate::model::Duration;
use crate::report::simulate::{html, human, json};
use crate::report::terminal::Style;
use crate::route::RoutingTable;
use crate::sim::scenario::{self, ScenarioFile};
use crate::sim::{self, Overrides};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    paths: Paths,
    #[command(flatten)]
    mesh_config: MeshConfig,
    /// Scenario file (request stream and backend behaviour); without one, an
    /// embedded default sends 100 requests/s for 60 s at every routed host.
    #[arg(long, value_name = "FILE")]
    scenario: Option<String>,
    /// Total requests to send (overrides the scenario's duration or requests).
    #[arg(long, conflicts_with = "duration")]
    requests: Option<u64>,
    /// Simulated time during which requests arrive, e.g. 120s.
    #[arg(long)]
    duration: Option<String>,
    /// Total request rate per second; the scenario's streams are scaled to it.
    #[arg(long)]
    rate: Option<f64>,
    /// Random seed (default: the scenario's, else 1): same inputs and seed, same output.
    #[arg(long)]
    seed: Option<u64>,
    /// A service-level objective; exit 1 when one fails (repeatable):
    /// success>=99.9%, p99<=300ms, errors<1%, UO<=0.1%, attempts<=1.2, ejections==0.
    #[arg(long, value_name = "EXPR")]
    slo: Vec<String>,
    /// Also write a self-contained HTML report with charts.
    #[arg(long, value_name = "FILE")]
    html: Option<String>,
    /// Namespace of resources without metadata.namespace.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    format: HumanOrJson,
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    collect_slos(None, &args.slo)?;
    let duration = args
        .duration
        .as_deref()
        .map(|d| {
            Duration::parse(d)
                .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
                .map_err(|e| CliError(format!("--duration `{d}`: {e}")))
        })
        .transpose()?;
    if args.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        return Err(CliError("--rate must be a positive number".into()));
    }
    let file: Option<ScenarioFile> = args.scenario.as_deref().map(scenario::read).transpose()?;
    let slos = collect_slos(file.as_ref(), &args.slo)?;
    let inputs = args.paths.inputs();
    let outcome = load_config(&inputs, &args.namespace)?;
    let mesh = args.mesh_config.mesh(&outcome.config);
    let table = RoutingTable::build(&mesh);
    let default;
    let scenario = match &file {
        Some(f) => &f.scenario,
        None => {
            default = scenario::default_scenario(&outcome.config, |g| table.entry_for(g).is_ok());
            if default.spec.traffic.is_empty() {
                return Err(CliError(
                    "no VirtualService or HTTPRoute routes a host from the mesh or a loaded Gateway, so the default scenario has no traffic; give --scenario FILE".into(),
                ));
            }
            &default
        }
    };
    let overrides = Overrides {
        requests: args.requests,
        duration,
        rate: args.rate,
        seed: args.seed,
    };
    let model = sim::build(scenario, &table, &overrides).map_err(|e| match &file {
        _ if e.pointer.is_empty() => CliError(e.message),
        Some(f) => CliError(format!("{}: {}", f.position(&e.pointer), e.message)),
        None => CliError(format!("default scenario: {}", e.message)),
    })?;
    check_slo_selectors(&slos, &model)?;
    note_used(outcome, &model.used);
    for warning in &model.warnings {
        say!("warning: {warning}");
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(1000);
        bar.set_style(
            ProgressStyle::with_template("simulating {bar:40} {percent:>3}% {elapsed}")
                .expect("valid template"),
        );
        bar
    });
    let mut result = sim::run(&model, &mut |fraction| {
        if let Some(bar) = &bar {
            bar.set_position((fraction * 1000.0) as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.slo = judge(&slos, &result)?;
    if let Some(path) = &args.html {
        std::fs::write(path, html(&result)).map_err(|e| CliError(format!("{path}: {e}")))?;
    }
    match args.format {
        HumanOrJson::Human => print_stdout(&human(&result, style))?,
        HumanOrJson::Json => print_stdout(&json(&result))?,
    }
    Ok(if result.slo.iter().all(|s| s.passed) {
        exit::OK
    } else {
        exit::FINDINGS
    })
}
