//! Benchmarks for the stages that must stay fast on big inputs. Each measured run happens in a
//! fresh child process (this binary re-executed with a hidden `*-once` subcommand), so the peak
//! resident memory read from `/proc/self/status` (`VmHWM`) belongs to that run alone; the
//! parent prints the median, min and max wall time and the median peak RSS.
//!
//! `portalgen-bench load [FILE] [--runs N]` loads an OpenAPI description (default: GitHub's
//! REST description from the corpora installed by `../shared/corpora/setup.sh`). New stages
//! `portalgen-bench build [FILE] [--runs N] [--peers]` times `portalgen build` of a portal of
//! FILE (interleaved with Redocly CLI 2.77 and Redoc 2's full render with `--peers`).
//! `portalgen-bench search [FILE] [--query Q]` measures the first-search payload in Chromium.
//! `portalgen-bench route [CORPORA] [--runs N]` times matching every operation of GitHub's
//! description against one openapi2kong-style route per operation with Kong's router.
//! `portalgen-bench check [FILE] [--scale-to MB] [--x-data MB] [--description MB]` times
//! `portalgen check` on a project holding FILE as its one API; the options first write a
//! bigger document into a temporary folder (FILE's paths repeated until it has MB megabytes,
//! plus MB megabytes of `x-` extension data, or a description of MB megabytes), which is
//! deleted after the runs.
//! `portalgen-bench serve [--edits N]` times file write → reload event through the real
//! `portalgen serve` for a guide and a template of the bundled example and one operation's
//! description in GitHub's description (see `serve.rs`).

mod routing;
mod serve;

/// The system allocator, counting what is allocated now and at most, so `check-stages` can
/// say which stage holds how much memory.
struct Counting;

static ALLOCATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use std::sync::atomic::Ordering::Relaxed;
        let now = ALLOCATED.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(now, Relaxed);
        // SAFETY: same layout as asked.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        ALLOCATED.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: allocated by `alloc` above with this layout.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        use std::sync::atomic::Ordering::Relaxed;
        if new > layout.size() {
            let now = ALLOCATED.fetch_add(new - layout.size(), Relaxed) + new - layout.size();
            PEAK.fetch_max(now, Relaxed);
        } else {
            ALLOCATED.fetch_sub(layout.size() - new, Relaxed);
        }
        // SAFETY: forwarded unchanged.
        unsafe { std::alloc::System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes allocated now and at most so far, in MiB.
fn heap_mib() -> (f64, f64) {
    use std::sync::atomic::Ordering::Relaxed;
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    (mib(ALLOCATED.load(Relaxed)), mib(PEAK.load(Relaxed)))
}

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "portalgen-bench",
    about = "Measure portalgen stages on big inputs"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Load (read, parse, resolve, convert) an OpenAPI description N times.
    Load {
        /// The description; default: GitHub's `api.github.com.json` from the corpora.
        file: Option<PathBuf>,
        /// Number of runs (each in a fresh process).
        #[arg(long, default_value_t = 7)]
        runs: usize,
        /// Also time Redocly CLI (`lint` and `build-docs`, from tests/js/node_modules) on the
        /// same file, interleaved with portalgen's runs, and print both.
        #[arg(long)]
        peer: bool,
    },
    /// One measured load in this process; prints one result line.
    #[command(hide = true)]
    LoadOnce { file: PathBuf },
    /// Parse a YAML/JSON file into the spanned tree only (no OpenAPI conversion) N times, with
    /// each reader in turn: portalgen's JSON reader, the YAML parser on the same text, and
    /// serde_json (no positions) as the lower bound.
    Parse {
        /// The file; default: GitHub's `api.github.com.json` from the corpora.
        file: Option<PathBuf>,
        /// Number of runs (each in a fresh process).
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    #[command(hide = true)]
    ParseOnce {
        file: PathBuf,
        /// `json` (portalgen's own JSON reader, what a build uses for JSON), `yaml` (the
        /// saphyr YAML path on the same text) or `serde` (serde_json::Value, no positions).
        #[arg(long, default_value = "json")]
        reader: String,
    },
    /// Build a whole portal (load, validate, route, render, write) for one API document N
    /// times: a project with FILE as its only API and a package holding every operation,
    /// built by the real `portalgen build` (beside this binary) into a temporary folder.
    /// Prints the median wall time and peak RSS, the output's total size, file count and
    /// biggest page.
    Build {
        file: Option<PathBuf>,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Also run, interleaved on the same file, `redocly build-docs` of Redocly CLI 2.77
        /// (a client-rendered shell) and of Redocly CLI 1.34.20 (Redoc 2's full server-side
        /// render), installed with npm into a temporary folder on first use.
        #[arg(long)]
        peers: bool,
    },
    /// The first-search payload: build a portal of FILE, then type QUERY into its search box
    /// in real Chromium (tests/js/first-search.mjs) and count every byte of the search code
    /// and Pagefind index the browser downloads; also the index's total size.
    Search {
        file: Option<PathBuf>,
        #[arg(long, default_value = "secondary rate limiting")]
        query: String,
    },
    /// `check` a project whose one API is FILE (or a bigger document made from it) N times.
    Check {
        file: Option<PathBuf>,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Repeat FILE's paths (renamed, with unique operationIds) until the document has
        /// this many megabytes.
        #[arg(long, value_name = "MB")]
        scale_to: Option<u64>,
        /// Add this many megabytes of `x-` extension data (spread over the operations).
        #[arg(long, value_name = "MB")]
        x_data: Option<u64>,
        /// Give the API a description of this many megabytes.
        #[arg(long, value_name = "MB")]
        description: Option<u64>,
    },
    #[command(hide = true)]
    CheckOnce { project: PathBuf },
    /// `check` the project at PROJECT once, stage by stage, printing the heap each stage
    /// leaves allocated and the peak so far (what to shrink when `check` takes too much).
    CheckStages { project: PathBuf },
    /// Match every operation of GitHub's description against one openapi2kong-style regex
    /// route per operation, with Kong's router (atc-router); prints median times.
    Route {
        /// The corpora folder or the description itself; default: the installed corpora.
        corpora: Option<PathBuf>,
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    /// File write → reload event at a connected client through `portalgen serve` (the binary
    /// beside this one): a guide and a template of the bundled example, one operation's
    /// description in GitHub's description; median of N edits each.
    Serve {
        /// GitHub's description; default: the installed corpora.
        github: Option<PathBuf>,
        #[arg(long, default_value_t = 20)]
        edits: usize,
    },
}

/// One run's figures, as printed by a `*-once` worker: `ms=<f64> hwm_kib=<u64> <summary>`.
struct RunResult {
    ms: f64,
    hwm_kib: u64,
    summary: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Load { file, runs, peer } => {
            let file = match file {
                Some(f) => f,
                None => default_corpus_file(),
            };
            if !file.is_file() {
                eprintln!(
                    "error: {} not found; run `bash ../shared/corpora/setup.sh` or pass a FILE",
                    file.display()
                );
                return ExitCode::FAILURE;
            }
            if peer {
                return compare(&file, runs.max(1));
            }
            repeat(
                "load",
                &["load-once".into(), file.display().to_string()],
                runs.max(1),
            )
        }
        Cmd::LoadOnce { file } => load_once(&file),
        Cmd::Parse { file, runs } => {
            let file = file.unwrap_or_else(default_corpus_file);
            if !file.is_file() {
                eprintln!("error: {} not found", file.display());
                return ExitCode::FAILURE;
            }
            // Every reader that gives the spanned tree, on the same text, interleaved; serde_json
            // (no positions) as the lower bound.
            let exe = match std::env::current_exe() {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let rows = [
                ("portalgen json", "json"),
                ("saphyr yaml", "yaml"),
                ("serde_json (no spans)", "serde"),
            ]
            .into_iter()
            .map(|(name, reader)| {
                let mut c = Command::new(&exe);
                c.args(["parse-once", "--reader", reader]).arg(&file);
                (name, c)
            })
            .collect();
            interleaved(
                &format!("{} interleaved runs on {}:", runs.max(1), file.display()),
                rows,
                runs.max(1),
            )
        }
        Cmd::ParseOnce { file, reader } => parse_once(&file, &reader),
        Cmd::Build { file, runs, peers } => {
            let file = file.unwrap_or_else(default_corpus_file);
            if !file.is_file() {
                eprintln!("error: {} not found", file.display());
                return ExitCode::FAILURE;
            }
            build_bench(&file, runs.max(1), peers)
        }
        Cmd::Serve { github, edits } => {
            let github = github.unwrap_or_else(default_corpus_file);
            match serve::run(edits.max(1), &github) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Search { file, query } => {
            let file = file.unwrap_or_else(default_corpus_file);
            if !file.is_file() {
                eprintln!("error: {} not found", file.display());
                return ExitCode::FAILURE;
            }
            first_search(&file, &query)
        }
        Cmd::Check {
            file,
            runs,
            scale_to,
            x_data,
            description,
        } => {
            let file = file.unwrap_or_else(default_corpus_file);
            if !file.is_file() {
                eprintln!("error: {} not found", file.display());
                return ExitCode::FAILURE;
            }
            let dir =
                std::env::temp_dir().join(format!("portalgen-bench-check-{}", std::process::id()));
            let made = make_check_project(&dir, &file, scale_to, x_data, description);
            let code = match made {
                Ok(size) => {
                    println!("document: {:.1} MB", size as f64 / 1e6);
                    repeat(
                        "check",
                        &["check-once".into(), dir.display().to_string()],
                        runs.max(1),
                    )
                }
                Err(e) => {
                    eprintln!("error: cannot make the project: {e}");
                    ExitCode::FAILURE
                }
            };
            // The document can be 100 MB or more: never leave it behind.
            let _ = std::fs::remove_dir_all(&dir);
            code
        }
        Cmd::CheckOnce { project } => check_once(&project),
        Cmd::CheckStages { project } => check_stages(&project),
        Cmd::Route { corpora, runs } => {
            let corpora = corpora.unwrap_or_else(default_corpus_file);
            print!("{}", routing::run(&corpora, runs));
            ExitCode::SUCCESS
        }
    }
}

/// Wall time (ms), peak RSS (KiB) and CPU time (user + system, ms) of one child process, from
/// wait4's rusage. CPU time is printed beside the wall time: on a shared, loaded machine the
/// wall time says as much about the neighbours as about the program.
fn measure(cmd: &mut Command) -> Result<(f64, u64, f64, bool), String> {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child's pid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waiting for a child we spawned and have not waited for yet.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if r != pid {
        return Err("wait4 failed".into());
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    Ok((ms, usage.ru_maxrss as u64, cpu, ok))
}

/// portalgen's load against Redocly CLI on the same file, runs interleaved so both see the
/// same machine load.
fn compare(file: &Path, runs: usize) -> ExitCode {
    let cli = std::env::var_os("PORTALGEN_REDOCLY")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/js/node_modules/@redocly/cli/bin/cli.js")
        });
    if !cli.is_file() {
        eprintln!(
            "error: Redocly CLI not found at {} (npm ci in tests/js)",
            cli.display()
        );
        return ExitCode::FAILURE;
    }
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out_html =
        std::env::temp_dir().join(format!("portalgen-bench-redoc-{}.html", std::process::id()));
    let file_arg = file.display().to_string();
    let code = interleaved(
        &format!("{runs} interleaved runs on {}:", file.display()),
        vec![
            ("portalgen load", {
                let mut c = Command::new(&exe);
                c.args(["load-once", &file_arg]);
                c
            }),
            ("redocly lint", {
                let mut c = Command::new("node");
                c.arg(&cli).arg("lint").arg(file);
                c
            }),
            ("redocly build-docs", {
                let mut c = Command::new("node");
                c.arg(&cli)
                    .arg("build-docs")
                    .arg(file)
                    .arg("-o")
                    .arg(&out_html);
                c
            }),
        ],
        runs,
    );
    let _ = std::fs::remove_file(&out_html);
    code
}

/// Run each command once per round, `runs` rounds (so machine noise hits all of them alike),
/// and print every run and the medians (wall time and peak RSS of the child process).
fn interleaved(title: &str, mut rows: Vec<(&str, Command)>, runs: usize) -> ExitCode {
    let mut figures: Vec<(Vec<f64>, Vec<u64>, Vec<f64>)> =
        vec![(Vec::new(), Vec::new(), Vec::new()); rows.len()];
    for i in 0..runs {
        for ((name, cmd), (times, mem, cpus)) in rows.iter_mut().zip(figures.iter_mut()) {
            match measure(cmd) {
                Ok((ms, kib, cpu, ok)) => {
                    println!(
                        "run {:>2}: {:<24} {:>9.1} ms wall {:>9.1} ms CPU {:>8.1} MiB{}",
                        i + 1,
                        name,
                        ms,
                        cpu,
                        kib as f64 / 1024.0,
                        if ok { "" } else { "  (exit status non-zero)" }
                    );
                    times.push(ms);
                    mem.push(kib);
                    cpus.push(cpu);
                }
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!("{title}");
    for ((name, _), (mut times, mut mem, mut cpus)) in rows.into_iter().zip(figures) {
        times.sort_by(f64::total_cmp);
        mem.sort_unstable();
        cpus.sort_by(f64::total_cmp);
        println!(
            "  {name:<24} median {:>9.1} ms wall, {:>9.1} ms CPU, median peak RSS {:>7.1} MiB",
            median_f(&times),
            median_f(&cpus),
            median_u(&mem) as f64 / 1024.0
        );
    }
    if let Ok(l) = std::fs::read_to_string("/proc/loadavg") {
        println!("  load average at the end: {}", l.trim());
    }
    ExitCode::SUCCESS
}

fn default_corpus_file() -> PathBuf {
    let base = std::env::var_os("PORTALGEN_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/portalgen-corpora/node_modules"));
    base.join("@octokit/openapi/generated/api.github.com.json")
}

/// Run the worker `runs` times in fresh processes and print the statistics.
fn repeat(what: &str, args: &[String], runs: usize) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find this executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut results = Vec::with_capacity(runs);
    for i in 0..runs {
        let out = match Command::new(&exe).args(args).output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("error: cannot run the worker: {e}");
                return ExitCode::FAILURE;
            }
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Some(r) = stdout.lines().find_map(parse_result) else {
            eprintln!(
                "error: run {} failed ({}):\n{}{}",
                i + 1,
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            );
            return ExitCode::FAILURE;
        };
        println!(
            "run {:>2}: {:>8.1} ms  {:>7.1} MiB  {}",
            i + 1,
            r.ms,
            r.hwm_kib as f64 / 1024.0,
            r.summary
        );
        results.push(r);
    }
    let mut times: Vec<f64> = results.iter().map(|r| r.ms).collect();
    times.sort_by(f64::total_cmp);
    let mut mem: Vec<u64> = results.iter().map(|r| r.hwm_kib).collect();
    mem.sort_unstable();
    println!(
        "{what}: {runs} runs, median {:.1} ms (min {:.1}, max {:.1}), median peak RSS {:.1} MiB",
        median_f(&times),
        times[0],
        times[times.len() - 1],
        median_u(&mem) as f64 / 1024.0
    );
    ExitCode::SUCCESS
}

fn median_f(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn median_u(sorted: &[u64]) -> u64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

fn parse_result(line: &str) -> Option<RunResult> {
    let rest = line.strip_prefix("ms=")?;
    let (ms, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("hwm_kib=")?;
    let (hwm, summary) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(RunResult {
        ms: ms.parse().ok()?,
        hwm_kib: hwm.parse().ok()?,
        summary: summary.to_string(),
    })
}

/// Peak resident set size of this process in KiB (Linux; 0 elsewhere).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn load_once(file: &Path) -> ExitCode {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let sources = portalgen::source::SourceMap::default();
    let start = Instant::now();
    // Limits raised: the benchmark measures documents bigger than the defaults admit.
    let mut files = match portalgen::load::files::Files::disk(&root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {}: {e}", root.display());
            return ExitCode::FAILURE;
        }
    };
    files.set_limits(
        portalgen::load::files::ByteLimits {
            file_size: u64::MAX,
            input_size: u64::MAX,
        },
        portalgen::tree::Limits {
            max_nodes: usize::MAX,
            max_alias_nodes: usize::MAX,
        },
    );
    let (api, diags) = portalgen::load::openapi::load_api_from(&files, "bench", &file, &sources);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let hwm = peak_rss_kib();
    let Some(api) = api else {
        eprintln!("the document did not load: {} diagnostics", diags.len());
        for d in diags.iter().take(10) {
            eprintln!("  {}: {} ({:?}:{:?})", d.code, d.message, d.file, d.line);
        }
        return ExitCode::FAILURE;
    };
    let params: usize = api.operations.iter().map(|o| o.parameters.len()).sum();
    let responses: usize = api.operations.iter().map(|o| o.responses.len()).sum();
    println!(
        "ms={ms:.3} hwm_kib={hwm} operations={} parameters={params} responses={responses} schemas={} errors={} warnings={}",
        api.operations.len(),
        api.schemas.len(),
        diags.count(portalgen::diagnostics::Severity::Error),
        diags.count(portalgen::diagnostics::Severity::Warning),
    );
    ExitCode::SUCCESS
}

/// The Redocly CLI versions the build is compared with: (row name, npm version).
const PEERS: [(&str, &str); 2] = [
    ("redocly 2.77 build-docs", "2.77.0"),
    ("redoc 2 full render", "1.34.20"),
];

/// Installs `@redocly/cli@version` with npm into a folder of the temporary directory (kept
/// for later runs) and gives its `bin/cli.js`, or why that was impossible.
fn install_peer(version: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("portalgen-bench-peers/redocly-cli-{version}"));
    let cli = dir.join("node_modules/@redocly/cli/bin/cli.js");
    if cli.is_file() {
        return Ok(cli);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "installing @redocly/cli@{version} into {} ...",
        dir.display()
    );
    let out = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&dir)
        .arg(format!("@redocly/cli@{version}"))
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !out.status.success() || !cli.is_file() {
        return Err(format!(
            "npm install @redocly/cli@{version} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(cli)
}

/// Sizes of a built site: (total bytes, files, biggest HTML page and its size).
fn site_sizes(dir: &Path) -> (u64, usize, (u64, String)) {
    let mut total = 0;
    let mut files = 0;
    let mut biggest = (0, String::new());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(p);
                continue;
            }
            total += meta.len();
            files += 1;
            if p.extension().is_some_and(|x| x == "html") && meta.len() > biggest.0 {
                let rel = p.strip_prefix(dir).unwrap_or(&p).display().to_string();
                biggest = (meta.len(), rel);
            }
        }
    }
    (total, files, biggest)
}

/// `portalgen build` of FILE's portal, `runs` times, interleaved with the peers when asked.
fn build_bench(file: &Path, runs: usize, peers: bool) -> ExitCode {
    let portalgen = match std::env::current_exe() {
        Ok(e) => e.with_file_name(format!("portalgen{}", std::env::consts::EXE_SUFFIX)),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !portalgen.is_file() {
        eprintln!(
            "error: {} not found: build both binaries (cargo build --release --bins)",
            portalgen.display()
        );
        return ExitCode::FAILURE;
    }
    let dir = std::env::temp_dir().join(format!("portalgen-bench-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("json");
    let project = dir.join("project");
    let setup = std::fs::create_dir_all(project.join("apis"))
        .and_then(|_| std::fs::create_dir_all(project.join("packages")))
        .and_then(|_| std::fs::copy(file, project.join(format!("apis/bench.{ext}"))).map(|_| ()))
        .and_then(|_| {
            std::fs::write(
                project.join("portal.yaml"),
                "title: Bench\nbase_url: https://example.com/\n",
            )
        })
        .and_then(|_| {
            std::fs::write(
                project.join("packages/everything.yaml"),
                "name: Everything\nvisibility: public\noperations:\n  - api: bench\n",
            )
        });
    if let Err(e) = setup {
        eprintln!("error: cannot set up the project: {e}");
        return ExitCode::FAILURE;
    }
    let site = dir.join("site");
    let mut rows = vec![("portalgen build", {
        let mut c = Command::new(&portalgen);
        c.arg("build").arg(&project).arg("-o").arg(&site);
        c
    })];
    let mut peer_outputs = Vec::new();
    if peers {
        for (name, version) in PEERS {
            match install_peer(version) {
                Ok(cli) => {
                    let out = dir.join(format!("redocly-{version}.html"));
                    let mut c = Command::new("node");
                    c.arg(&cli).arg("build-docs").arg(file).arg("-o").arg(&out);
                    rows.push((name, c));
                    peer_outputs.push((name, out));
                }
                Err(why) => eprintln!("\nSKIPPED {name}: {why}\n"),
            }
        }
    }
    let code = interleaved(
        &format!("{runs} interleaved runs on {}:", file.display()),
        rows,
        runs,
    );
    let (total, files, (big, big_rel)) = site_sizes(&site);
    println!(
        "  portalgen output: {files} files, {:.1} MB in all, biggest page {big_rel} ({:.1} KB)",
        total as f64 / 1e6,
        big as f64 / 1024.0
    );
    for (name, out) in peer_outputs {
        if let Ok(m) = std::fs::metadata(&out) {
            println!(
                "  {name} output: one page of {:.1} KB",
                m.len() as f64 / 1024.0
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    code
}

fn bench_project(dir: &Path, file: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("json");
    std::fs::create_dir_all(dir.join("apis"))?;
    std::fs::copy(file, dir.join(format!("apis/bench.{ext}")))?;
    std::fs::write(
        dir.join("portal.yaml"),
        "title: Bench\nbase_url: https://example.com/\n",
    )
}

/// `search`: build the portal once, then measure its first search in Chromium.
fn first_search(file: &Path, query: &str) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("portalgen-bench-search-{}", std::process::id()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/first-search.mjs");
    if !Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/js/node_modules/playwright-core")
        .is_dir()
    {
        eprintln!("error: playwright-core not found (npm ci in tests/js)");
        return ExitCode::FAILURE;
    }
    let result = (|| -> Result<String, String> {
        bench_project(&dir, file).map_err(|e| format!("cannot set up the project: {e}"))?;
        let built =
            portalgen::pipeline::build(&dir, &portalgen::render::RenderOptions::default(), false)
                .map_err(|e| format!("the portal did not build: {}", e.0))?;
        let rendered = built.rendered.ok_or("the portal did not build")?;
        let site = dir.join("public");
        portalgen::output::write_dir(&rendered.outputs, &site, &dir)
            .map_err(|e| format!("cannot write the portal: {}", e.0))?;
        let out = Command::new("node")
            .arg(&script)
            .arg(&site)
            .arg(query)
            .current_dir(script.parent().expect("tests/js"))
            .output()
            .map_err(|e| format!("cannot run node: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(line) => {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            println!(
                "first search for {query:?} on {}: {:.1} KiB in {} files (the whole index: {:.1} KiB); top results: {}",
                file.display(),
                v["bytes"].as_f64().unwrap_or(0.0) / 1024.0,
                v["files"],
                v["index_bytes"].as_f64().unwrap_or(0.0) / 1024.0,
                v["top"]
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Write a project into `dir` whose one API is `file`, made bigger as asked; returns the
/// document's size in bytes. Limits are raised so that the document is read.
fn make_check_project(
    dir: &Path,
    file: &Path,
    scale_to: Option<u64>,
    x_data: Option<u64>,
    description: Option<u64>,
) -> Result<u64, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("apis")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("portal.yaml"),
        "title: Bench\nbase_url: https://example.com/\nlimits:\n  file_size: 2 GiB\n  input_size: 4 GiB\n  yaml_nodes: 500000000\n",
    )
    .map_err(|e| e.to_string())?;
    let target = dir.join("apis/bench.json");
    if scale_to.is_none() && x_data.is_none() && description.is_none() {
        std::fs::copy(file, &target).map_err(|e| e.to_string())?;
        return std::fs::metadata(&target)
            .map(|m| m.len())
            .map_err(|e| e.to_string());
    }
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    drop(text);
    let original = doc
        .get("paths")
        .and_then(|p| p.as_object())
        .cloned()
        .unwrap_or_default();
    let one_copy = serde_json::to_vec(&original)
        .map(|v| v.len())
        .unwrap_or(1)
        .max(1) as u64;
    if let Some(mb) = scale_to {
        let base = serde_json::to_vec(&doc).map(|v| v.len()).unwrap_or(0) as u64;
        let want = mb * 1_000_000;
        let copies = want.saturating_sub(base).div_ceil(one_copy);
        let paths = doc
            .get_mut("paths")
            .and_then(|p| p.as_object_mut())
            .ok_or("the document has no paths")?;
        for i in 1..=copies {
            for (path, item) in &original {
                let mut item = item.clone();
                if let Some(ops) = item.as_object_mut() {
                    for op in ops.values_mut() {
                        if let Some(id) = op.get_mut("operationId")
                            && let Some(s) = id.as_str()
                        {
                            *id = serde_json::Value::String(format!("{s}-copy{i}"));
                        }
                    }
                }
                paths.insert(format!("/copy{i}{path}"), item);
            }
        }
    }
    if let Some(mb) = x_data {
        // Nested objects of short strings, like the vendor data real descriptions carry.
        let ops: Vec<(String, String)> = doc
            .get("paths")
            .and_then(|p| p.as_object())
            .map(|p| {
                p.iter()
                    .flat_map(|(path, item)| {
                        item.as_object()
                            .into_iter()
                            .flat_map(|m| m.keys())
                            .filter(|k| !k.starts_with("x-") && *k != "parameters")
                            .map(move |k| (path.clone(), k.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let per_op = (mb * 1_000_000 / ops.len().max(1) as u64).max(64) as usize;
        let paths = doc
            .get_mut("paths")
            .and_then(|p| p.as_object_mut())
            .ok_or("the document has no paths")?;
        for (n, (path, method)) in ops.iter().enumerate() {
            let mut items = Vec::new();
            let mut size = 0;
            let mut i = 0;
            while size < per_op {
                let entry = serde_json::json!({"id": format!("{n}-{i}"), "label": "vendor value", "flags": [true, false, i]});
                size += entry.to_string().len();
                items.push(entry);
                i += 1;
            }
            if let Some(op) = paths
                .get_mut(path)
                .and_then(|p| p.get_mut(method))
                .and_then(|o| o.as_object_mut())
            {
                op.insert("x-vendor-data".into(), serde_json::Value::Array(items));
            }
        }
    }
    if let Some(mb) = description {
        let sentence = "This API does many things, and this description says so at length. ";
        let text = sentence.repeat((mb * 1_000_000) as usize / sentence.len() + 1);
        if let Some(info) = doc.get_mut("info").and_then(|i| i.as_object_mut()) {
            info.insert("description".into(), serde_json::Value::String(text));
        }
    }
    let bytes = serde_json::to_vec(&doc).map_err(|e| e.to_string())?;
    drop(doc);
    std::fs::write(&target, &bytes).map_err(|e| e.to_string())?;
    Ok(bytes.len() as u64)
}

fn check_once(project: &Path) -> ExitCode {
    let start = Instant::now();
    let checked = portalgen::pipeline::check(project);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let hwm = peak_rss_kib();
    match checked {
        Ok(c) => {
            let ops: usize = c.portal.apis.iter().map(|a| a.operations.len()).sum();
            println!(
                "ms={ms:.3} hwm_kib={hwm} operations={ops} errors={} warnings={}",
                c.diags.count(portalgen::diagnostics::Severity::Error),
                c.diags.count(portalgen::diagnostics::Severity::Warning),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", e.0);
            ExitCode::FAILURE
        }
    }
}

/// What the loaded APIs are made of: counts and the JSON size of the kept values.
fn model_census(apis: &[portalgen::model::Api]) {
    use portalgen::model::api::{Schema, SchemaRef};
    fn inline(s: &SchemaRef, n: &mut usize, json: &mut usize) {
        if let SchemaRef::Inline(s) = s {
            schema(s, n, json);
        }
    }
    fn schema(s: &Schema, n: &mut usize, json: &mut usize) {
        *n += 1;
        let vals = s
            .enum_values
            .iter()
            .chain(&s.examples)
            .chain(s.const_value.iter())
            .chain(s.default.iter());
        *json += vals.map(|v| v.to_string().len()).sum::<usize>();
        *json += s
            .extensions
            .values()
            .map(|v| v.to_string().len())
            .sum::<usize>();
        for p in &s.properties {
            inline(&p.schema, n, json);
        }
        for r in s
            .all_of
            .iter()
            .chain(&s.one_of)
            .chain(&s.any_of)
            .chain(&s.prefix_items)
        {
            inline(r, n, json);
        }
        for r in [&s.items, &s.additional_properties, &s.not]
            .into_iter()
            .flatten()
        {
            inline(r, n, json);
        }
    }
    let (mut ops, mut params, mut media, mut examples, mut ext, mut schemas, mut schema_json) =
        (0, 0, 0, 0usize, 0usize, 0usize, 0usize);
    for api in apis {
        for s in &api.schemas {
            schema(s, &mut schemas, &mut schema_json);
        }
        for op in &api.operations {
            ops += 1;
            ext += op
                .extensions
                .values()
                .map(|v| v.to_string().len())
                .sum::<usize>();
            for p in &op.parameters {
                params += 1;
                examples += p.example.iter().map(|v| v.to_string().len()).sum::<usize>();
                if let Some(s) = &p.schema {
                    inline(s, &mut schemas, &mut schema_json);
                }
            }
            let contents = op
                .request_body
                .iter()
                .flat_map(|b| &b.content)
                .chain(op.responses.iter().flat_map(|r| &r.content));
            for m in contents {
                media += 1;
                examples += m
                    .example
                    .iter()
                    .chain(m.examples.values())
                    .map(|v| v.to_string().len())
                    .sum::<usize>();
                if let Some(s) = &m.schema {
                    inline(s, &mut schemas, &mut schema_json);
                }
            }
        }
    }
    println!(
        "  {ops} operations, {params} parameters, {media} media types, {} KiB of examples, {} KiB of extensions, {schemas} schemas (size_of {} B) with {} KiB of values",
        examples / 1024,
        ext / 1024,
        std::mem::size_of::<Schema>(),
        schema_json / 1024
    );
}

fn check_stages(project: &Path) -> ExitCode {
    let report = |stage: &str, start: Instant| {
        let (now, peak) = heap_mib();
        println!(
            "{stage:<14} {:>8.0} ms   heap now {now:>8.1} MiB   peak {peak:>8.1} MiB",
            start.elapsed().as_secs_f64() * 1000.0
        );
    };
    let t = Instant::now();
    let sources = portalgen::source::SourceMap::default();
    let (project, mut diags) = match portalgen::load::load(project, &sources) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}", e.0);
            return ExitCode::FAILURE;
        }
    };
    report("load", t);
    model_census(&project.apis);
    if std::env::var_os("BENCH_DROP").is_some() {
        let mut project = project;
        for api in &mut project.apis {
            for op in &mut api.operations {
                for p in &mut op.parameters {
                    p.example = None;
                }
                for m in op
                    .request_body
                    .iter_mut()
                    .flat_map(|b| &mut b.content)
                    .chain(op.responses.iter_mut().flat_map(|r| &mut r.content))
                {
                    m.example = None;
                    m.examples.clear();
                    m.examples.shrink_to_fit();
                }
            }
        }
        report("no examples", t);
        for api in &mut project.apis {
            for op in &mut api.operations {
                for p in &mut op.parameters {
                    p.schema = None;
                }
                for m in op
                    .request_body
                    .iter_mut()
                    .flat_map(|b| &mut b.content)
                    .chain(op.responses.iter_mut().flat_map(|r| &mut r.content))
                {
                    m.schema = None;
                }
            }
        }
        report("no op schemas", t);
        for api in &mut project.apis {
            api.operations.clear();
            api.operations.shrink_to_fit();
        }
        report("no operations", t);
        for api in &mut project.apis {
            api.schemas.clear();
            api.schemas.shrink_to_fit();
        }
        report("no schemas", t);
        return ExitCode::SUCCESS;
    }
    let t = Instant::now();
    let portal = portalgen::validate::validate(project, &mut diags);
    report("validate", t);
    let t = Instant::now();
    let (export, d) = portalgen::export::plan(&portal, portal.config.gateway.flavor);
    diags.extend(d);
    report("export plan", t);
    let t = Instant::now();
    let plan = portalgen::render::plan::plan(&portal, &[]);
    report("render plan", t);
    let t = Instant::now();
    diags.sort();
    report("sort", t);
    println!(
        "{} diagnostics, {} planned files, {} export entries",
        diags.len(),
        plan.files.len(),
        export.plugins.len()
    );
    ExitCode::SUCCESS
}

fn parse_once(file: &Path, reader: &str) -> ExitCode {
    let start = Instant::now();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let result = match reader {
        "json" => portalgen::tree::parse(&text).map(|n| n.kind()),
        "yaml" => portalgen::tree::parse_yaml(&text, &portalgen::tree::Budget::default())
            .map(|n| n.kind()),
        "serde" => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => Ok(if v.is_object() { "a mapping" } else { "other" }),
            Err(e) => {
                eprintln!("error: {}: {e}", file.display());
                return ExitCode::FAILURE;
            }
        },
        other => {
            eprintln!("error: unknown reader `{other}` (json, yaml or serde)");
            return ExitCode::FAILURE;
        }
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let hwm = peak_rss_kib();
    match result {
        Ok(kind) => {
            println!("ms={ms:.3} hwm_kib={hwm} root={kind}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: {}:{}:{} {}",
                file.display(),
                e.line,
                e.column,
                e.message
            );
            ExitCode::FAILURE
        }
    }
}
