//! Benchmarks for the stages that must stay fast on big inputs. Each measured run happens in a
//! fresh child process (this binary re-executed with a hidden `*-once` subcommand), so the peak
//! resident memory read from `/proc/self/status` (`VmHWM`) belongs to that run alone; the
//! parent prints the median, min and max wall time and the median peak RSS.
//!
//! `portalgen-bench load [FILE] [--runs N]` loads an OpenAPI description (default: GitHub's
//! REST description from the corpora installed by `../shared/corpora/setup.sh`). New stages
//! `portalgen-bench route [CORPORA] [--runs N]` times matching every operation of GitHub's
//! description against one openapi2kong-style route per operation with Kong's router.

mod routing;

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
    /// times: a project with FILE as its only API, written to a temporary folder.
    Build {
        file: Option<PathBuf>,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    #[command(hide = true)]
    BuildOnce { file: PathBuf },
    /// Match every operation of GitHub's description against one openapi2kong-style regex
    /// route per operation, with Kong's router (atc-router); prints median times.
    Route {
        /// The corpora folder or the description itself; default: the installed corpora.
        corpora: Option<PathBuf>,
        #[arg(long, default_value_t = 7)]
        runs: usize,
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
        Cmd::Build { file, runs } => {
            let file = file.unwrap_or_else(default_corpus_file);
            if !file.is_file() {
                eprintln!("error: {} not found", file.display());
                return ExitCode::FAILURE;
            }
            repeat(
                "build",
                &["build-once".into(), file.display().to_string()],
                runs.max(1),
            )
        }
        Cmd::BuildOnce { file } => build_once(&file),
        Cmd::Route { corpora, runs } => {
            let corpora = corpora.unwrap_or_else(default_corpus_file);
            print!("{}", routing::run(&corpora, runs));
            ExitCode::SUCCESS
        }
    }
}

/// Wall time (ms) and peak RSS (KiB) of one child process, from wait4's rusage.
fn measure(cmd: &mut Command) -> Result<(f64, u64, bool), String> {
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
    Ok((ms, usage.ru_maxrss as u64, ok))
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
    let mut figures: Vec<(Vec<f64>, Vec<u64>)> = vec![(Vec::new(), Vec::new()); rows.len()];
    for i in 0..runs {
        for ((name, cmd), (times, mem)) in rows.iter_mut().zip(figures.iter_mut()) {
            match measure(cmd) {
                Ok((ms, kib, ok)) => {
                    println!(
                        "run {:>2}: {:<20} {:>8.1} ms {:>8.1} MiB{}",
                        i + 1,
                        name,
                        ms,
                        kib as f64 / 1024.0,
                        if ok { "" } else { "  (exit status non-zero)" }
                    );
                    times.push(ms);
                    mem.push(kib);
                }
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!("{title}");
    for ((name, _), (mut times, mut mem)) in rows.into_iter().zip(figures) {
        times.sort_by(f64::total_cmp);
        mem.sort_unstable();
        println!(
            "  {name:<20} median {:>8.1} ms   median peak RSS {:>7.1} MiB",
            median_f(&times),
            median_u(&mem) as f64 / 1024.0
        );
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

fn build_once(file: &Path) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("portalgen-bench-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("json");
    let setup = std::fs::create_dir_all(dir.join("apis"))
        .and_then(|_| std::fs::copy(file, dir.join(format!("apis/bench.{ext}"))).map(|_| ()))
        .and_then(|_| {
            std::fs::write(
                dir.join("portal.yaml"),
                "title: Bench\nbase_url: https://example.com/\n",
            )
        });
    if let Err(e) = setup {
        eprintln!("error: cannot set up the project: {e}");
        return ExitCode::FAILURE;
    }
    let start = Instant::now();
    let result =
        portalgen::pipeline::build(&dir, &portalgen::render::RenderOptions::default(), false);
    let written = match &result {
        Ok(b) => match &b.rendered {
            Some(r) => portalgen::output::write_dir(&r.outputs, &dir.join("public"), &dir)
                .map(|_| r.outputs.len())
                .ok(),
            None => None,
        },
        Err(_) => None,
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let hwm = peak_rss_kib();
    let _ = std::fs::remove_dir_all(&dir);
    match written {
        Some(files) => {
            println!("ms={ms:.3} hwm_kib={hwm} files={files}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: the portal did not build");
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
