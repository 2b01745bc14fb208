//! `portalgen export`: the gateway configuration as decK YAML, to stdout or a file.

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
    /// Target gateway.
    #[arg(long, value_enum, default_value_t = Flavor::Konnect)]
    pub flavor: Flavor,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: ExportArgs) -> u8 {
    let format = args.common.format;
    let checked = match pipeline::check(&args.common.project) {
        Ok(c) => c,
        Err(fatal) => return report::fatal(&fatal.0, format),
    };
    let mut diags = checked.diags;
    let doc = export::export(&checked.portal, args.flavor, &mut diags);
    diags.sort();
    report::apply_strict(&mut diags, args.common.strict);
    let code = exit_code(&diags, args.common.strict);
    report::print(&diags, &checked.sources, format);
    let yaml = if code == EXIT_OK {
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
