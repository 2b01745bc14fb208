//! `portalgen export`: the gateway configuration as decK YAML, to stdout or a file. The plan
//! (and its problems) comes from the check; this command only writes it.

use std::path::PathBuf;

use super::report::{self, exit_code};
use super::{CommonArgs, EXIT_OK};
use crate::diagnostics::Format;
use crate::export::{self, Flavor};
use crate::pipeline;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Target gateway (default: `gateway.flavor` of portal.yaml, else konnect).
    #[arg(long, value_name = "FLAVOR", value_parser = flavor_parser())]
    pub flavor: Option<Flavor>,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `--flavor konnect|kong` (of `check` too).
pub(super) fn flavor_parser() -> impl clap::builder::TypedValueParser<Value = Flavor> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Flavor::NAMES)
        .map(|s| Flavor::parse(&s).unwrap_or_default())
}

pub fn run(args: ExportArgs) -> u8 {
    let format = args.common.format;
    // The export plan of the flavor is part of the check: its problems are in `diags`.
    let checked = match pipeline::check_for(&args.common.project, args.flavor) {
        Ok(c) => c,
        Err(fatal) => return report::fatal(&fatal.0, format),
    };
    let mut diags = checked.diags;
    report::apply_strict(&mut diags, args.common.strict);
    let code = exit_code(&diags, args.common.strict);
    report::print(&diags, &checked.sources, format);
    let yaml = if code == EXIT_OK {
        let doc = export::document(&checked.portal, &checked.export);
        match export::to_yaml(&doc, &checked.portal.config.title) {
            Ok(y) => Some(y),
            Err(e) => return report::fatal(&e, format),
        }
    } else {
        None
    };
    if let (Some(yaml), Some(path)) = (&yaml, &args.out) {
        let tmp = path.with_extension("portalgen-tmp");
        if let Err(e) = std::fs::write(&tmp, yaml).and_then(|_| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            return report::fatal(&format!("cannot write `{}`: {e}", path.display()), format);
        }
    }
    match format {
        // One JSON document on stdout, always: the configuration rides inside it when it is
        // not written to a file.
        Format::Json => report::print_json(&serde_json::json!({
            "version": 1,
            "diagnostics": report::diagnostics_json(&diags),
            "output": args.out.as_ref().filter(|_| yaml.is_some()).map(|p| p.display().to_string()),
            "configuration": if args.out.is_none() { yaml.clone() } else { None },
        })),
        _ => match (&yaml, &args.out) {
            (None, _) => eprintln!(
                "error: the configuration was not exported because the project has errors"
            ),
            (Some(_), Some(path)) => {
                eprintln!("Wrote the gateway configuration to {}", path.display())
            }
            (Some(y), None) => print!("{y}"),
        },
    }
    code
}
