//! `portalgen serve`: builds the portal into memory, serves it on a local address, watches the
//! project and rebuilds on every change, and reloads open browsers through a server-sent event
//! stream. A failed build shows its problems in the browser instead of the stale site.

pub mod server;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

use crate::diagnostics::{self, Diagnostics};
use crate::output::Site;
use crate::pipeline;
use crate::render::RenderOptions;

/// What the server currently serves.
#[derive(Debug, Default)]
pub struct State {
    pub site: Site,
    /// Set when the last build failed: an HTML page listing the problems.
    pub error_page: Option<String>,
    /// Incremented on every rebuild.
    pub generation: u64,
}

pub struct Options {
    pub project: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub audiences: Vec<String>,
}

pub const LIVE_RELOAD_PATH: &str = "/__portalgen/live";

/// Build the project into memory; on failure, an error page.
pub fn build_into(
    project: &Path,
    base_url: &str,
    audiences: &[String],
    state: &RwLock<State>,
) -> Diagnostics {
    let opts = RenderOptions {
        base_url: Some(base_url.to_string()),
        audiences: audiences.to_vec(),
        // The theme's base template includes the client (partials/live_reload.html).
        live_reload: Some(LIVE_RELOAD_PATH.to_string()),
        progress: Default::default(),
    };
    let mut st_site = None;
    let mut error_page = None;
    let diags = match pipeline::build(project, &opts, false) {
        Ok(built) => {
            let diags = built.checked.diags;
            match built.rendered {
                Some(r) if !diags.has_errors() => {
                    st_site = Some(
                        r.outputs
                            .into_iter()
                            .map(|o| (o.path, o.bytes))
                            .collect::<Site>(),
                    );
                }
                _ => {
                    error_page = Some(error_html(&diagnostics::render_human(
                        &diags,
                        &built.checked.sources,
                        false,
                    )));
                }
            }
            diags
        }
        Err(fatal) => {
            error_page = Some(error_html(&fatal.0));
            Diagnostics::new()
        }
    };
    let mut st = state.write().expect("state lock");
    if let Some(site) = st_site {
        st.site = site;
    }
    st.error_page = error_page;
    st.generation += 1;
    diags
}

/// The page shown while the project does not build. It is not a page of the portal, so it
/// carries its own live-reload client: the browser reloads once a change fixes the build.
fn error_html(text: &str) -> String {
    let esc = crate::render::escape::html(text);
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed · portalgen</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}}pre{{background:#1e1e1e;color:#eee;padding:1rem;overflow:auto;border-radius:6px}}</style>\
         </head><body><h1>The portal could not be built</h1><p>Fix the problems below; this page reloads when you save.</p><pre>{esc}</pre>\
         <script>new EventSource(\"{LIVE_RELOAD_PATH}\").onmessage = function () {{ location.reload(); }};</script></body></html>"
    )
}

/// Run the preview server until interrupted.
pub fn run(opts: Options) -> Result<(), String> {
    let project = opts.project.canonicalize().map_err(|e| {
        format!(
            "cannot open project folder `{}`: {e}",
            opts.project.display()
        )
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((opts.bind.as_str(), opts.port))
            .await
            .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.bind, opts.port))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let base_url = format!("http://{addr}/");
        let state = Arc::new(RwLock::new(State::default()));
        let (tx, _) = broadcast::channel::<u64>(16);
        let diags = build_into(&project, &base_url, &opts.audiences, &state);
        report(&diags, &state);
        eprintln!(
            "Serving {} at {base_url} (Ctrl-C to stop)",
            project.display()
        );
        if opts.open {
            open_browser(&base_url);
        }
        let _watcher = watch::spawn(
            project.clone(),
            base_url.clone(),
            opts.audiences.clone(),
            state.clone(),
            tx.clone(),
        )
        .map_err(|e| format!("cannot watch `{}`: {e}", project.display()))?;
        let app = server::router(state, tx);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}

/// One line per rebuild on the terminal.
pub fn report(diags: &Diagnostics, state: &RwLock<State>) {
    let st = state.read().expect("state lock");
    if st.error_page.is_some() {
        eprintln!(
            "Build failed ({}); the browser shows the problems.",
            diagnostics::summary_line(diags)
        );
    } else {
        eprintln!(
            "Built {} files ({}).",
            st.site.len(),
            diagnostics::summary_line(diags)
        );
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd).arg(url).spawn() {
        eprintln!("note: could not open a browser ({cmd}: {e}); open {url} yourself");
    }
}
