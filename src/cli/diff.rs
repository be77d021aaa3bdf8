//! `meshctl diff OLD NEW` and `meshctl diff --base REV PATHS...`

use super::{
    CliError, MeshConfig, collect_slos, exit, load_config, print_stdout, read_config, run_scenario,
};
use crate::diff::{self, Side};
use crate::load::{self, Input};
use crate::report::diff::{Simulated, human, json, markdown, sarif};
use crate::report::terminal::Style;
use crate::route::RoutingTable;
use crate::sim::scenario;

/// `--format` of `diff`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// A pull-request comment.
    Markdown,
    /// SARIF 2.1.0: a note on the line that causes each change.
    Sarif,
}

#[derive(clap::Args)]
pub struct Args {
    /// OLD and NEW (files or directories); with --base, the PATHS to compare
    /// at that revision and in the working tree.
    #[arg(value_name = "PATHS", required = true)]
    paths: Vec<String>,
    /// Compare PATHS as they are in this git revision with the working tree
    /// (read through git, no checkout).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    #[command(flatten)]
    mesh_config: MeshConfig,
    /// Namespace of resources without metadata.namespace.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Also list the resources that differ between the sides.
    #[arg(short, long)]
    verbose: bool,
    /// Also run this scenario on both sides and compare the figures (shares,
    /// success, latency percentiles, the scenario's SLOs) per destination.
    #[arg(long, value_name = "SCENARIO")]
    simulate: Option<String>,
    /// Exit 1 when some request routes differently, like `git diff --exit-code`.
    #[arg(long)]
    exit_code: bool,
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    format: Format,
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    let (old, new, names) = match &args.base {
        Some(rev) => {
            let files = load::git::files_at(rev, &args.paths)?;
            let old = read_config(load::load_contents(files), &args.namespace)?;
            let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
            let new = load_config(&inputs, &args.namespace)?;
            let shown = args.paths.join(" ");
            (old, new, [format!("<{rev}:{shown}>"), shown])
        }
        None => {
            let [old_path, new_path] = args.paths.as_slice() else {
                return Err(CliError(format!(
                    "diff takes OLD and NEW ({} path(s) given); to compare with a git revision, use --base REV PATHS",
                    args.paths.len()
                )));
            };
            let old = load_config(&[Input::parse(old_path)], &args.namespace)?;
            let new = load_config(&[Input::parse(new_path)], &args.namespace)?;
            (old, new, [old_path.clone(), new_path.clone()])
        }
    };
    let (old_mesh, new_mesh) = (
        args.mesh_config.mesh(&old.config),
        args.mesh_config.mesh(&new.config),
    );
    let (old_table, new_table) = (
        RoutingTable::build(&old_mesh),
        RoutingTable::build(&new_mesh),
    );
    let comparison = diff::compare(
        Side {
            outcome: old,
            table: &old_table,
        },
        Side {
            outcome: new,
            table: &new_table,
        },
    );
    let runs = match &args.simulate {
        Some(path) => {
            let file = scenario::read(path)?;
            let slos = collect_slos(Some(&file), &[])?;
            let before = run_scenario(&file, &slos, &old_table)?;
            Some((path, before, run_scenario(&file, &slos, &new_table)?))
        }
        None => None,
    };
    let simulated = runs.as_ref().map(|(path, before, after)| Simulated {
        scenario: path,
        before,
        after,
    });
    let simulated = simulated.as_ref();
    let paths = [names[0].as_str(), names[1].as_str()];
    let text = match args.format {
        Format::Human => human(&comparison, simulated, paths, args.verbose, style),
        Format::Json => json(&comparison, simulated),
        Format::Markdown => markdown(&comparison, simulated, paths),
        Format::Sarif => sarif(&comparison, new, paths),
    };
    print_stdout(&text)?;
    Ok(if args.exit_code && !comparison.changes.is_empty() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}
