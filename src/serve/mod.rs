//! `portalgen serve`: builds the portal into memory, serves it under `base_url`'s path on a
//! local address, watches every file the build read and rebuilds incrementally after each
//! burst of changes ([`watch`], [`rebuild`]), and reloads open pages through a server-sent
//! event stream ([`server`]). A failed rebuild keeps serving the last good build, with the
//! diagnostics in an overlay on every page ([`overlay`]) and on the terminal as `build` prints
//! them; the next good build clears it. Ctrl-C and SIGTERM end the server at once, closing open
//! event streams.

pub mod overlay;
pub mod rebuild;
pub mod server;
pub mod watch;

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{broadcast, watch as tokio_watch};

use crate::diagnostics::{self, Diagnostics, Severity};
use crate::output::Site;
use crate::source::SourceMap;
use rebuild::{Builder, Outcome};

/// What the server currently serves.
#[derive(Debug, Default)]
pub struct State {
    /// The last good build.
    pub site: Arc<Site>,
    /// The path of the served base URL (`/`, `/dev/`).
    pub base_path: String,
    /// Whether any build has succeeded (else the overlay stands alone).
    pub built: bool,
    /// The diagnostics overlay, while the last build failed.
    pub overlay: Option<String>,
    /// Incremented on every build that changed what is served.
    pub generation: u64,
}

/// What open pages are told.
#[derive(Debug, Clone)]
pub enum Signal {
    /// Reload (the served site changed, or a failure was fixed); the new generation.
    Reload(u64),
    /// The last build failed: show this overlay.
    Overlay(String),
}

pub struct Options {
    pub project: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub audiences: Vec<String>,
    /// The quiet period that ends a burst of changes.
    pub debounce: Duration,
}

/// Why `serve` could not run (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ServeError(pub String);

/// Run the preview server until Ctrl-C or SIGTERM.
pub fn run(opts: Options) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ServeError(format!("cannot start the server runtime: {e}")))?;
    let listener = bind(&opts.bind, opts.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError(e.to_string()))?;
    let loopback = addr.ip().is_loopback();
    if !loopback {
        eprintln!(
            "warning: --bind {} makes the preview reachable from the network: anyone who can reach this machine can read it{}",
            opts.bind,
            if opts.audiences.is_empty() {
                ""
            } else {
                ", including the private content of --audience"
            }
        );
    }
    let origin = origin(addr);
    let mut builder = Builder::new(&opts.project, &origin, &opts.audiences);
    // Not a project (or unreadable): the same error as `build`, and nothing is watched.
    let first = builder.build(&[]).map_err(|f| ServeError(f.0))?;
    let state = Arc::new(RwLock::new(State::default()));
    let (events, _) = broadcast::channel::<Signal>(16);
    let mut printed = None;
    publish(&first, &state, &events, &mut printed);
    report_line(&first, None);
    let root = builder.root().to_path_buf();
    let url = format!("{origin}{}", first.base_path);
    eprintln!("Serving {} at {url} (Ctrl-C to stop)", root.display());

    let mut watch = watch::Watch::new(&root)
        .map_err(|e| ServeError(format!("cannot watch `{}`: {e}", root.display())))?;
    let filter = watch::Filter::new(&root, first.read.clone(), &first.manifests);
    watch.set_outside(filter.outside_dirs());
    {
        let state = state.clone();
        let events = events.clone();
        let debounce = opts.debounce;
        std::thread::Builder::new()
            .name("portalgen-watch".into())
            .spawn(move || watch_loop(builder, watch, filter, state, events, debounce, printed))
            .map_err(|e| ServeError(format!("cannot start the watcher: {e}")))?;
    }
    if opts.open
        && let Err(e) = opener::open_browser(&url)
    {
        eprintln!("note: could not open a browser ({e}); open {url} yourself");
    }

    let hosts = loopback.then(|| {
        let mut h = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        h.push(match addr.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        });
        h
    });
    let (stop_tx, stop_rx) = tokio_watch::channel(false);
    let app = server::App {
        state,
        events,
        shutdown: stop_rx,
        hosts,
        instance: format!("{:x}", std::process::id()),
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| ServeError(format!("cannot listen: {e}")))?;
        let mut stopped = stop_tx.subscribe();
        let server =
            axum::serve(listener, server::router(app)).with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            });
        let serving = tokio::spawn(async move { server.await });
        stop_signal().await;
        // Event streams end, idle connections close; whatever still hangs is cut after a moment.
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_millis(500), serving).await;
        eprintln!("Stopped.");
        Ok::<(), ServeError>(())
    })?;
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let term = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        let int = tokio::signal::ctrl_c();
        futures_util::pin_mut!(term, int);
        futures_util::future::select(term, int).await;
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Bind the listening socket, with a hint when the port is taken.
fn bind(host: &str, port: u16) -> Result<std::net::TcpListener, ServeError> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            ServeError(format!(
                "--bind {host}: not an address of this machine ({e})"
            ))
        })?
        .collect();
    let mut last = None;
    for a in &addrs {
        match std::net::TcpListener::bind(a) {
            Ok(l) => {
                l.set_nonblocking(true)
                    .map_err(|e| ServeError(format!("cannot listen on {a}: {e}")))?;
                return Ok(l);
            }
            Err(e) => last = Some((*a, e)),
        }
    }
    let Some((a, e)) = last else {
        return Err(ServeError(format!(
            "--bind {host}: no address to listen on"
        )));
    };
    if e.kind() == std::io::ErrorKind::AddrInUse {
        let next = port.checked_add(1).unwrap_or(4000);
        return Err(ServeError(format!(
            "cannot listen on {a}: the port is in use (another `portalgen serve`?); choose another port with `--port {next}`, or `--port 0` for any free one"
        )));
    }
    Err(ServeError(format!("cannot listen on {a}: {e}")))
}

/// `http://host:port` for a bound address (`127.0.0.1` for the unspecified address).
fn origin(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("http://[::1]:{}", addr.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", addr.port()),
    }
}

/// Rebuild after every burst of changes until the watcher goes away.
fn watch_loop(
    mut builder: Builder,
    mut watch: watch::Watch,
    mut filter: watch::Filter,
    state: Arc<RwLock<State>>,
    events: broadcast::Sender<Signal>,
    debounce: Duration,
    mut printed: Option<Vec<diagnostics::Diagnostic>>,
) {
    let root = builder.root().to_path_buf();
    while let Some(paths) = watch.next_burst(&filter, debounce) {
        let paths: Vec<PathBuf> = paths.into_iter().collect();
        let what = describe_changes(&root, &paths);
        // A bug in a rebuild must not stop the server: report it and keep serving.
        let built =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(&paths)));
        match built {
            Ok(Ok(outcome)) => {
                publish(&outcome, &state, &events, &mut printed);
                report_line(&outcome, Some(&what));
                filter = watch::Filter::new(&root, outcome.read.clone(), &outcome.manifests);
                watch.set_outside(filter.outside_dirs());
            }
            Ok(Err(fatal)) => {
                eprintln!("error: {}", fatal.0);
                let html = overlay::overlay(&Diagnostics::new(), Some(&fatal.0));
                set_failed(&state, &events, html);
                eprintln!("{what}: build failed; serving the last good build");
                printed = None;
            }
            Err(_) => {
                // The message was printed by the panic hook.
                eprintln!(
                    "{what}: internal error during the rebuild (a bug in portalgen); still serving the last good build"
                );
                // The builder may be half-updated: the next build starts from scratch.
                builder.reset();
            }
        }
    }
}

/// Serve the outcome: a new site, or the overlay over the last good one.
fn publish(
    outcome: &Outcome,
    state: &RwLock<State>,
    events: &broadcast::Sender<Signal>,
    printed: &mut Option<Vec<diagnostics::Diagnostic>>,
) {
    // The terminal shows the diagnostics as `build` prints them: on every failed build, and
    // when a good build's warnings differ from the last ones printed.
    let list: Vec<diagnostics::Diagnostic> = outcome.diags.iter().cloned().collect();
    let failed = outcome.site.is_none();
    if failed || printed.as_ref() != Some(&list) {
        print_diagnostics(&outcome.diags, &outcome.sources);
        *printed = Some(list);
    }
    match &outcome.site {
        Some(site) => {
            let generation = {
                let mut st = state.write().expect("state lock");
                let was_failed = st.overlay.is_some();
                st.site = Arc::new(site.clone());
                st.base_path = outcome.base_path.clone();
                st.overlay = None;
                st.built = true;
                if outcome.changed == 0 && !was_failed {
                    return;
                }
                st.generation += 1;
                st.generation
            };
            let _ = events.send(Signal::Reload(generation));
        }
        None => set_failed(state, events, overlay::overlay(&outcome.diags, None)),
    }
}

fn set_failed(state: &RwLock<State>, events: &broadcast::Sender<Signal>, html: String) {
    {
        let mut st = state.write().expect("state lock");
        st.overlay = Some(html.clone());
    }
    let _ = events.send(Signal::Overlay(html));
}

fn print_diagnostics(diags: &Diagnostics, sources: &SourceMap) {
    if diags.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = diagnostics::render_human(diags, sources, color);
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The one terminal line of a build: what changed, what was rebuilt, how long it took.
fn report_line(outcome: &Outcome, what: Option<&str>) {
    let ms = outcome.elapsed.as_secs_f64() * 1000.0;
    let summary = diagnostics::summary_line(&outcome.diags);
    let head = what.unwrap_or("initial build");
    if outcome.site.is_some() {
        let served = if outcome.changed == 0 {
            "no file changed".to_string()
        } else {
            format!(
                "{} file{} changed",
                outcome.changed,
                if outcome.changed == 1 { "" } else { "s" }
            )
        };
        eprintln!(
            "{head}: {}, {served}, in {ms:.0} ms ({summary})",
            outcome.rebuilt
        );
    } else {
        let errors = outcome.diags.count(Severity::Error);
        eprintln!(
            "{head}: build failed with {errors} error{} in {ms:.0} ms ({summary}); {}",
            if errors == 1 { "" } else { "s" },
            if what.is_some() {
                "serving the last good build, with the problems shown on every page"
            } else {
                "the browser shows the problems until a save fixes them"
            }
        );
    }
}

/// `pages/a.md changed`, `pages/a.md and 2 more changed`.
fn describe_changes(root: &Path, paths: &[PathBuf]) -> String {
    let shown = |p: &PathBuf| {
        p.strip_prefix(root)
            .map(|r| crate::source::relative(Path::new(""), r))
            .unwrap_or_else(|_| p.display().to_string())
    };
    match paths {
        [] => "nothing changed".into(),
        [one] => format!("{} changed", shown(one)),
        [a, b] => format!("{} and {} changed", shown(a), shown(b)),
        [a, rest @ ..] => format!("{} and {} more changed", shown(a), rest.len()),
    }
}
