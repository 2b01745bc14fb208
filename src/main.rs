//! The `portalgen` binary: parse the command line, run the command, map the result to an exit
//! code (0 success, 1 project errors, 2 usage or internal failure).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match portalgen::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // --help and --version are successes; usage errors exit 2.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // A panic is a bug: report it as an internal failure (exit 2), not a crash.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal error (this is a bug in portalgen, please report it): {info}");
    }));
    match std::panic::catch_unwind(|| portalgen::cli::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(_) => ExitCode::from(2),
    }
}
