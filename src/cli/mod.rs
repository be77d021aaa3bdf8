//! Command-line definitions; each subcommand is a short function in its own file.

/// Writes `meshctl: MESSAGE` on stderr, with the control characters of
/// each line (from names in the input) escaped.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::eprint_escaped(&format!($($arg)*))
    };
}

mod convert;
mod diff;
pub mod fuzz;
mod in_place;
mod new;
mod output;
mod route;
mod rules;
mod schema;
mod shift;
mod simulate;
mod test;
mod validate;
mod yaml_file;

use std::fmt;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::analyze::cross::{NAMED, listed};
use crate::load::{self, Input};
use crate::sim::slo::{Slo, SloResult};
use clap_complete::Shell;
use output::{ColorChoice, MeshConfig, Paths, print_stdout, stream_stdout};

/// A failure that stops the command: printed as one line, exit code 2.
#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for CliError {
    fn from(e: E) -> CliError {
        CliError(e.to_string())
    }
}

/// `--format` of the commands that print either a human report or JSON.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum HumanOrJson {
    Human,
    Json,
}

/// Reads the manifests a command routes through (route, simulate, test,
/// shift): only what routing needs. Problems do not stop it; a note on
/// stderr says what was found.
fn load_config(
    inputs: &[Input],
    namespace: &str,
) -> Result<&'static crate::validate::Outcome, CliError> {
    read_config(load::load(inputs)?, namespace)
}

/// [`load_config`] parsing only the documents that can change how requests
/// to `hosts` are routed (see [`crate::route::needed`]): the answer is the
/// one on the whole input, and a YAML error stops it only in a document it
/// reads.
fn load_config_for<'h>(
    inputs: &[Input],
    namespace: &str,
    hosts: impl IntoIterator<Item = &'h str>,
) -> Result<&'static crate::validate::Outcome, CliError> {
    let mut needed = crate::route::needed::Needed::for_hosts(hosts);
    read_config(load::load_selected(inputs, &mut needed)?, namespace)
}

/// [`load_config`] for files already read (a git revision's).
fn read_config(
    loaded: load::Loaded,
    namespace: &str,
) -> Result<&'static crate::validate::Outcome, CliError> {
    let outcome = kept_until_exit(crate::validate::read(
        loaded,
        &crate::validate::Options {
            default_namespace: namespace.to_string(),
            ..crate::validate::Options::default()
        },
    ));
    refuse_lost_input(outcome)?;
    if outcome.summary.errors > 0 {
        say!(
            "note: the configuration has {} error(s) that affect routing; `meshctl validate` shows them",
            outcome.summary.errors
        );
    }
    Ok(outcome)
}

/// Keeps a value until the process exits: the OS takes back a loaded
/// configuration's memory at once, where dropping it would free each of its
/// many small strings and maps one by one.
fn kept_until_exit<T>(value: T) -> &'static mut T {
    Box::leak(Box::new(value))
}

/// An answer built on part of the input could be wrong (a VirtualService
/// lost to a YAML typo takes its retries with it): a file or resource that
/// could not be read stops the command, naming where.
fn refuse_lost_input(outcome: &crate::validate::Outcome) -> Result<(), CliError> {
    let lost: Vec<&crate::diagnostic::Diagnostic> = crate::validate::lost_input(outcome).collect();
    let Some(first) = lost.first() else {
        return Ok(());
    };
    let place = match crate::report::position(first, &outcome.sources) {
        Some((source, at)) => format!("{}:{}:{}: ", source.name, at.line, at.column),
        None => crate::report::file_name(first, &outcome.sources)
            .map(|name| format!("{name}: "))
            .unwrap_or_default(),
    };
    let more = match lost.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(CliError(format!(
        "{place}{} [{}]{more}; the answer would miss what could not be read: fix the input or leave it out (`meshctl validate` shows every problem)",
        first.message, first.rule.code
    )))
}

/// Checks the resources an answer relies on; a note on stderr names the
/// ones with validation errors.
fn note_used<'r>(
    outcome: &crate::validate::Outcome,
    used: impl IntoIterator<Item = &'r crate::diagnostic::ResourceRef>,
) {
    let used: std::collections::BTreeSet<_> = used.into_iter().cloned().collect();
    let docs = crate::validate::docs_of(outcome, &used);
    let errors: std::collections::BTreeSet<String> = crate::validate::check_docs(outcome, &docs)
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .filter_map(|d| d.resource.as_ref().map(ToString::to_string))
        .collect();
    if !errors.is_empty() {
        let named: Vec<String> = errors.iter().take(NAMED + 1).cloned().collect();
        say!(
            "note: this answer uses resources with validation errors ({}); `meshctl validate` shows them",
            listed(&named, errors.len())
        );
    }
}

/// The SLOs of the scenario file (`spec.slo`) and then of `--slo`.
fn collect_slos(
    file: Option<&crate::sim::scenario::ScenarioFile>,
    flags: &[String],
) -> Result<Vec<Slo>, CliError> {
    let mut slos = Vec::new();
    if let Some(file) = file {
        for (i, text) in file.scenario.spec.slo.iter().enumerate() {
            let slo = Slo::parse(text).map_err(|e| {
                CliError(format!("{}: {e}", file.position(&format!("/spec/slo/{i}"))))
            })?;
            slos.push(slo);
        }
    }
    for text in flags {
        slos.push(Slo::parse(text).map_err(CliError)?);
    }
    Ok(slos)
}

/// Checks each SLO's selector against the destinations the model can route to.
fn check_slo_selectors(slos: &[Slo], model: &crate::sim::Model) -> Result<(), CliError> {
    let labels = model.destination_labels();
    for slo in slos {
        slo.select(&labels).map_err(CliError)?;
    }
    Ok(())
}

/// Runs a scenario file on a routing table (default overrides) and judges
/// `slos` on the result: `shift --gate` and `diff --simulate`.
fn run_scenario(
    file: &crate::sim::scenario::ScenarioFile,
    slos: &[Slo],
    table: &crate::route::RoutingTable,
) -> Result<crate::sim::SimResult, CliError> {
    let model = crate::sim::build(&file.scenario, table, &crate::sim::Overrides::default())
        .map_err(|e| CliError(format!("{}: {}", file.position(&e.pointer), e.message)))?;
    check_slo_selectors(slos, &model)?;
    let mut result = crate::sim::run(&model, &mut |_| {});
    result.slo = judge(slos, &result)?;
    Ok(result)
}

/// Judges each SLO on a run.
fn judge(slos: &[Slo], result: &crate::sim::SimResult) -> Result<Vec<SloResult>, CliError> {
    slos.iter()
        .map(|s| s.check(result).map_err(CliError))
        .collect()
}

/// Exit codes of cli.md.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const FAILURE: u8 = 2;
}

#[derive(Parser)]
#[command(
    name = "meshctl",
    version,
    about = "Validate, route, simulate and shift Istio and Gateway API traffic configuration, offline."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colours in human output: auto (on a terminal, unless NO_COLOR is set
    /// or TERM=dumb), always or never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    color: ColorChoice,
}

#[derive(Subcommand)]
enum Command {
    /// Check manifests against schemas, Istio's validation rules and each other.
    Validate(validate::Args),
    /// Show where a request goes and why: the rules considered, the split, the policy.
    Route(route::Args),
    /// Run a request stream through the routing table and a model of Envoy's resilience behaviour.
    Simulate(simulate::Args),
    /// Write the next canary or blue/green step into the manifest, editing only the weights.
    Shift(shift::Args),
    /// Show which requests a change routes differently, each with an example request.
    Diff(diff::Args),
    /// Write a seed pattern: gateway, routing, canary, blue-green or resilience.
    New(new::Args),
    /// Convert VirtualServices to the Gateway API: the resources, what is lost, and a routing proof.
    Convert(convert::Args),
    /// Run route tests: requests and the outcome each must have, with rule coverage.
    Test(test::Args),
    /// List the rules, or explain one (`meshctl rules MC1001`).
    Rules(rules::Args),
    /// Print the embedded JSON Schema of a kind.
    Schema(schema::Args),
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: Shell,
    },
    /// Print a man page (roff): `meshctl man > meshctl.1`, `meshctl man shift > meshctl-shift.1`.
    Man {
        /// The subcommand whose page to print (default: the overview).
        command: Option<String>,
    },
}

/// `meshctl man [COMMAND]`: the roff man page of meshctl or one subcommand.
fn man_page(command: Option<&str>) -> Result<u8, CliError> {
    let top = Cli::command();
    let cmd = match command {
        None => top,
        Some(name) => {
            let sub = top.find_subcommand(name).cloned().ok_or_else(|| {
                let names: Vec<&str> = top.get_subcommands().map(|c| c.get_name()).collect();
                CliError(format!("no command `{name}`; one of: {}", names.join(", ")))
            })?;
            sub.display_name(format!("meshctl-{name}"))
                .bin_name(format!("meshctl {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page)?;
    print_stdout(&String::from_utf8_lossy(&page))?;
    Ok(exit::OK)
}

/// Parses arguments, runs the subcommand, and maps the result to an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let style = output::style(cli.color);
    let result = match cli.command {
        Command::Validate(args) => validate::run(args, style),
        Command::Route(args) => route::run(args, style),
        Command::Simulate(args) => simulate::run(args, style),
        Command::Shift(args) => shift::run(args, style),
        Command::Test(args) => test::run(args, style),
        Command::Diff(args) => diff::run(args, style),
        Command::New(args) => new::run(args),
        Command::Convert(args) => convert::run(args, style),
        Command::Rules(args) => rules::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "meshctl", &mut script);
            print_stdout(&String::from_utf8_lossy(&script)).map(|()| exit::OK)
        }
        Command::Man { command } => man_page(command.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            say!("error: {err}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// The clap command, for generating completions and man pages.
pub fn command() -> clap::Command {
    Cli::command()
}
