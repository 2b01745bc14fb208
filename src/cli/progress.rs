//! The progress bar of `portalgen build` on a terminal: the stage (loading, rendering pages,
//! indexing for search, writing) and, within a stage, files done out of the total. Drawn on
//! stderr only when stderr is a terminal, `CI` is unset (or `false`/`0`) and `--quiet` is not
//! given, so logs, pipes and CI runs stay exactly as before: diagnostics and one summary line.
//! The bar is cleared before anything else is printed.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::render::{Progress, ProgressSink};

/// Whether a build should draw a progress bar: a terminal, not CI, not `--quiet`.
pub fn wanted(quiet: bool) -> bool {
    !quiet && !in_ci() && std::io::stderr().is_terminal()
}

/// `CI` is set to anything but `false` or `0` (GitHub Actions, GitLab, Buildkite and most
/// others set `CI=true`).
fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| v != "false" && v != "0" && !v.is_empty())
}

/// A progress bar on stderr.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar showing `stage` as a spinner until the first counted stage begins.
    pub fn start(stage: &str) -> Arc<Bar> {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(spinner_style());
        bar.set_message(stage.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Arc::new(Bar { bar })
    }

    /// A stage without a count (writing the output).
    pub fn spin(&self, stage: &str) {
        self.bar.set_style(spinner_style());
        self.bar.set_length(0);
        self.bar.set_position(0);
        self.bar.set_message(stage.to_string());
    }

    /// Remove the bar from the terminal.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template")
}

impl ProgressSink for Bar {
    fn stage(&self, name: &str, total: u64) {
        self.bar.set_style(
            ProgressStyle::with_template("{msg:30} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(name.to_string());
    }

    fn advance(&self) {
        self.bar.inc(1);
    }
}

/// The render's [`Progress`] handle for a bar (none: no progress reported).
pub fn handle(bar: Option<&Arc<Bar>>) -> Progress {
    match bar {
        Some(b) => Progress::new(b.clone()),
        None => Progress::default(),
    }
}
