//! `meshctl schema KIND`

use super::{CliError, exit, print_stdout};
use crate::model::Kind;
use crate::schema;

#[derive(clap::Args)]
pub struct Args {
    /// virtualservice, destinationrule, gateway, serviceentry, service,
    /// deployment, pod, k8s-gateway, httproute, referencegrant, gatewayclass.
    kind: String,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let wanted = args.kind.to_ascii_lowercase();
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.schema_name() == wanted || k.as_str().eq_ignore_ascii_case(&wanted));
    let Some(kind) = kind else {
        let names: Vec<_> = Kind::ALL.iter().map(|k| k.schema_name()).collect();
        return Err(CliError(format!(
            "unknown kind `{}`; known kinds: {}",
            args.kind,
            names.join(", ")
        )));
    };
    let text = serde_json::to_string_pretty(&schema::schema(kind)).expect("schema serializes");
    print_stdout(&format!("{text}\n"))?;
    Ok(exit::OK)
}
