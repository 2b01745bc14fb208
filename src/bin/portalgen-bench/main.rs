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
//! `portalgen-bench serve [--edits N]` times file write → reload event through the real
//! `portalgen serve` for a guide and a template of the bundled example and one operation's
//! description in GitHub's description (see `serve.rs`).

mod routing;
mod serve;

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
    let (api, diags) = portalgen::load::openapi::load_api(&root, "bench", &file, &sources);
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
        "yaml" => {
            portalgen::tree::parse_yaml(&text, portalgen::tree::Limits::default()).map(|n| n.kind())
        }
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
