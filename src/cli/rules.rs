//! `meshctl rules [CODE]`

use super::{CliError, exit};
use crate::analyze::registry::all_rules;

#[derive(clap::Args)]
pub struct Args {
    /// A rule code or name to explain; without one, every rule is listed.
    rule: Option<String>,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let rules = all_rules();
    match args.rule {
        None => {
            for rule in rules {
                println!(
                    "{:<7} {:<8} {:<8} {:<36} {}",
                    rule.code,
                    rule.severity,
                    rule.istio_code.unwrap_or("-"),
                    rule.name,
                    rule.summary
                );
            }
        }
        Some(wanted) => {
            let Some(rule) = rules
                .iter()
                .find(|r| r.code.eq_ignore_ascii_case(&wanted) || r.name == wanted)
            else {
                return Err(CliError(format!(
                    "no rule `{wanted}`; `meshctl rules` lists them"
                )));
            };
            println!("# {} {}\n", rule.code, rule.name);
            println!("severity: {}", rule.severity);
            println!("istio code: {}\n", rule.istio_code.unwrap_or("none"));
            println!("{}\n", rule.summary);
            print!("{}", rule.docs);
        }
    }
    Ok(exit::OK)
}
