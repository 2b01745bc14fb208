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
    // JSON diagnostics would mix with YAML on stdout: print them to stderr as human text then.
    let diag_format = if format == Format::Json && args.out.is_none() {
        Format::Human
    } else {
        format
    };
    report::print(&diags, &checked.sources, diag_format);
    if code != EXIT_OK {
        eprintln!("error: the configuration was not exported because the project has errors");
        return code;
    }
    let yaml = match export::to_yaml(&doc, &checked.portal.config.title) {
        Ok(y) => y,
        Err(e) => return report::fatal(&e, format),
    };
    match &args.out {
        Some(path) => {
            let tmp = path.with_extension("portalgen-tmp");
            if let Err(e) = std::fs::write(&tmp, &yaml).and_then(|_| std::fs::rename(&tmp, path)) {
                let _ = std::fs::remove_file(&tmp);
                return report::fatal(&format!("cannot write `{}`: {e}", path.display()), format);
            }
            if format == Format::Json {
                report::print_json(&serde_json::json!({
                    "version": 1,
                    "diagnostics": report::diagnostics_json(&diags),
                    "output": path.display().to_string(),
                }));
            } else {
                eprintln!("Wrote the gateway configuration to {}", path.display());
            }
        }
        None => print!("{yaml}"),
    }
    EXIT_OK
}
