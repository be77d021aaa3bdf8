//! `meshctl convert PATHS`: VirtualServices and their Gateways as Gateway
//! API resources, the gaps (what does not carry over, where), and the proof
//! (requests that the converted configuration routes elsewhere).

use super::output::{print_stdout, write_new_files};
use super::{CliError, load_config, read_config};
use crate::author::convert::{self, Channel, Subsets};
use crate::author::{self, proof};
use crate::diff::Side;
use crate::load::{self, Input};
use crate::mesh::Mesh;
use crate::report::terminal::Style;
use crate::route::RoutingTable;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories with the VirtualServices, their Gateways,
    /// DestinationRules and Services.
    #[arg(value_name = "PATHS", required = true)]
    paths: Vec<String>,
    /// Namespace of resources without metadata.namespace.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// The Gateway API channel the cluster runs: experimental adds HTTPRoute
    /// retries and mirror percentages.
    #[arg(long, value_enum, default_value = "standard")]
    channel: Channel,
    /// Subsets become Services `<service>-<subset>`: write them from the
    /// DestinationRule's labels, or only refer to them.
    #[arg(long, value_enum, default_value = "services")]
    subsets: Subsets,
    /// Write the converted resources here (a *.yaml file) instead of stdout;
    /// the report then goes to stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<String>,
    /// Overwrite --out if it exists.
    #[arg(long)]
    force: bool,
    /// Exit 0 even when something does not carry over or routes differently.
    #[arg(long)]
    allow_lossy: bool,
}

pub fn run(args: Args, style: Style) -> Result<u8, CliError> {
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
    let before = load_config(&inputs, &args.namespace)?;
    let before_mesh = Mesh::build(&before.config);
    let converted = convert::convert(&before_mesh, &before.documents, args.channel, args.subsets);
    let text = author::stream(&converted.manifests);
    // The converted side: the input without what was replaced, plus the new resources.
    let mut loaded = load::load(&inputs)?;
    let replaced = |doc: &load::Document| {
        let v = &doc.value;
        let kind = v["kind"].as_str().unwrap_or_default();
        let name = v["metadata"]["name"].as_str().unwrap_or_default();
        let ns = v["metadata"]["namespace"]
            .as_str()
            .unwrap_or(&args.namespace);
        converted
            .replaced
            .iter()
            .any(|(k, n, m)| k == kind && n == ns && m == name)
    };
    loaded.documents.retain(|d| !replaced(d));
    loaded.add_bytes("<converted>".into(), text.clone().into_bytes());
    let after = read_config(loaded, &args.namespace)?;
    let after_mesh = Mesh::build(&after.config);
    let (before_table, after_table) = (
        RoutingTable::build(&before_mesh),
        RoutingTable::build(&after_mesh),
    );
    let comparison = proof::differences(
        Side {
            outcome: before,
            table: &before_table,
        },
        Side {
            outcome: after,
            table: &after_table,
        },
        &converted.added_hosts,
    );
    let mut report = String::new();
    for gap in &converted.gaps {
        let source = &before.sources[gap.location.source];
        let (line, col) = source.line_col(gap.location.span.start);
        report.push_str(&format!(
            "{}:{line}:{col}: {} {}: {}; instead: {}\n",
            source.name, gap.resource, gap.field, gap.why, gap.instead
        ));
    }
    let shown = args.paths.join(" ");
    let target = args.out.clone().unwrap_or_else(|| "<converted>".into());
    if !comparison.changes.is_empty() {
        if !report.is_empty() {
            report.push('\n');
        }
        report.push_str(&crate::report::diff::human(
            &comparison,
            None,
            [&shown, &target],
            false,
            style,
        ));
    }
    report.push_str(&format!(
        "{} resources written, {} gap(s), {} class(es) of requests routed differently\n",
        converted.manifests.len(),
        converted.gaps.len(),
        comparison.changes.len()
    ));
    match &args.out {
        Some(out) => {
            write_new_files(&[(out.into(), text)], args.force)?;
            print_stdout(&report)?;
        }
        None => {
            print_stdout(&text)?;
            say!("{}", report.trim_end());
        }
    }
    let lossy = !converted.gaps.is_empty() || !comparison.changes.is_empty();
    Ok(u8::from(lossy && !args.allow_lossy))
}
