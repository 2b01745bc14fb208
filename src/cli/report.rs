//! Printing a run's problems in the chosen format, and the exit code they imply. Shared by
//! every command so the output contract is identical everywhere.

use std::io::{IsTerminal, Write};

use serde_json::{Value, json};

use crate::diagnostics::{self, Diagnostics, Format};
use crate::source::SourceMap;

use super::{EXIT_FAILURE, EXIT_OK, EXIT_PROBLEMS};

/// Exit code for a run's diagnostics.
pub fn exit_code(diags: &Diagnostics, strict: bool) -> u8 {
    if diags.has_fatal() {
        EXIT_FAILURE
    } else if diags.fails(strict) {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// The diagnostics as JSON objects (the `diagnostics` array of `--format json`).
pub fn diagnostics_json(diags: &Diagnostics) -> Value {
    Value::Array(
        diags
            .iter()
            .map(|d| {
                json!({
                    "severity": d.severity.as_str(),
                    "code": d.code,
                    "message": d.message,
                    "file": d.file,
                    "line": d.line,
                    "column": d.column,
                    "help": d.help,
                })
            })
            .collect(),
    )
}

/// Print diagnostics (human: stderr with snippets; github: stdout workflow commands). JSON is
/// printed by the caller as part of its one document.
pub fn print(diags: &Diagnostics, sources: &SourceMap, format: Format) {
    match format {
        Format::Human => {
            if diags.is_empty() {
                return;
            }
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = diagnostics::render_human(diags, sources, color);
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        Format::Github => {
            let _ = std::io::stdout().write_all(diagnostics::render_github(diags).as_bytes());
        }
        Format::Json => {}
    }
}

/// Print one JSON document on stdout.
pub fn print_json(doc: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, doc);
    let _ = writeln!(out);
}

/// Print a fatal error (exit 2) in the chosen format.
pub fn fatal(message: &str, format: Format) -> u8 {
    match format {
        Format::Json => print_json(&json!({
            "version": 1,
            "diagnostics": [{
                "severity": "error", "code": "fatal", "message": message,
                "file": null, "line": null, "column": null, "help": null
            }],
        })),
        Format::Github => println!("::error title=portalgen::{}", message.replace('\n', "%0A")),
        Format::Human => eprintln!("error: {message}"),
    }
    EXIT_FAILURE
}

/// Under `--strict`, warnings are reported as errors.
pub fn apply_strict(diags: &mut Diagnostics, strict: bool) {
    if strict {
        diags.escalate_warnings();
    }
}
