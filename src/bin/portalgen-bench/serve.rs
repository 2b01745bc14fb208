//! `portalgen-bench serve`: the time from a file write to the reload event reaching a
//! connected live-reload client, through the real `portalgen serve` (the binary beside this
//! one) on a free loopback port, for three edits: a guide of the bundled example, a template
//! override of the example, and one operation's description in GitHub's REST description.
//! Each case is measured over N edits (default 20) one after the other, each waiting for its
//! reload; the median, minimum and maximum are printed with the machine's load average.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `portalgen serve` with a connected event-stream client.
struct Server {
    child: Child,
    events: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(exe: &Path, project: &Path) -> Result<Server, String> {
        let mut child = Command::new(exe)
            .arg("serve")
            .arg(project)
            .args(["--port", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let stderr = child.stderr.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && let Some(rest) = line.split(" at http://").nth(1) {
                    let _ = tx.send(rest.split('/').next().unwrap_or("").to_string());
                    sent = true;
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(600))
            .map_err(|_| "the server did not start".to_string())?;
        let mut s = TcpStream::connect(&addr).map_err(|e| e.to_string())?;
        write!(
            s,
            "GET /__portalgen/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .map_err(|e| e.to_string())?;
        let (etx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(name) = line.strip_prefix("event: ")
                    && etx.send(name.to_string()).is_err()
                {
                    break;
                }
            }
        });
        let server = Server { child, events };
        match server.events.recv_timeout(Duration::from_secs(30)) {
            Ok(e) if e == "hello" => Ok(server),
            other => Err(format!("no hello event from the server: {other:?}")),
        }
    }

    /// Write `text` to `file` and return the time until the next `reload` event.
    fn edit(&self, file: &Path, text: &str) -> Result<f64, String> {
        while self.events.try_recv().is_ok() {}
        let start = Instant::now();
        std::fs::write(file, text).map_err(|e| e.to_string())?;
        loop {
            match self.events.recv_timeout(Duration::from_secs(120)) {
                Ok(e) if e == "reload" => return Ok(start.elapsed().as_secs_f64() * 1000.0),
                Ok(e) if e == "overlay" => return Err("the edit broke the build".into()),
                Ok(_) => continue,
                Err(_) => return Err("no reload event within 120 s".into()),
            }
        }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        if e.file_name() == "public" {
            continue;
        }
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// One case: `edits` edits of `file`, the i-th writing `variant(i)`.
fn measure(
    name: &str,
    goal_ms: f64,
    exe: &Path,
    project: &Path,
    file: &Path,
    edits: usize,
    variant: &dyn Fn(usize) -> String,
) -> Result<(), String> {
    let server = Server::start(exe, project)?;
    let before = loadavg();
    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        let ms = server.edit(file, &variant(i + 1))?;
        println!("  {name} edit {:>2}: {ms:>8.1} ms", i + 1);
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    let median = super::median_f(&times);
    println!(
        "{name}: {edits} edits, median {median:.1} ms (min {:.1}, max {:.1}); goal under {goal_ms:.0} ms: {}; load average {before} before, {} after",
        times[0],
        times[times.len() - 1],
        if median < goal_ms { "met" } else { "NOT met" },
        loadavg()
    );
    Ok(())
}

/// Run every case; `github` is GitHub's description (skipped with a note when missing).
pub fn run(edits: usize, github: &Path) -> Result<(), String> {
    let exe = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name(format!("portalgen{}", std::env::consts::EXE_SUFFIX));
    if !exe.is_file() {
        return Err(format!(
            "{} is missing: build it with `cargo build --release --bins`",
            exe.display()
        ));
    }
    let tmp = std::env::temp_dir().join(format!("portalgen-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = cases(&exe, &tmp, edits, github);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn cases(exe: &Path, tmp: &Path, edits: usize, github: &Path) -> Result<(), String> {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    println!("portalgen serve: file write → reload event at a connected client");
    // A guide of the bundled example.
    let project = tmp.join("example");
    copy_dir(&example, &project).map_err(|e| e.to_string())?;
    let guide = project.join("pages/getting-started.md");
    let text = std::fs::read_to_string(&guide).map_err(|e| e.to_string())?;
    measure("guide", 50.0, exe, &project, &guide, edits, &|i| {
        format!("{text}\nEdit number {i}.\n")
    })?;
    // A template override of the example.
    let template: PathBuf = project.join("templates/page.html");
    std::fs::create_dir_all(template.parent().expect("a folder")).map_err(|e| e.to_string())?;
    let body = |i: usize| {
        format!(
            "{{% extends \"theme/page.html\" %}}{{% block footer %}}<p>Footer {i}</p>{{% endblock %}}\n"
        )
    };
    std::fs::write(&template, body(0)).map_err(|e| e.to_string())?;
    measure("template", 100.0, exe, &project, &template, edits, &body)?;
    // One operation's description in GitHub's description.
    if !github.is_file() {
        println!(
            "github: skipped, {} is missing (bash ../shared/corpora/setup.sh)",
            github.display()
        );
        return Ok(());
    }
    let gh = tmp.join("github");
    std::fs::create_dir_all(gh.join("apis")).map_err(|e| e.to_string())?;
    std::fs::write(
        gh.join("portal.yaml"),
        "title: GitHub\nbase_url: https://example.com/\n",
    )
    .map_err(|e| e.to_string())?;
    let spec = std::fs::read_to_string(github).map_err(|e| e.to_string())?;
    let paths = spec
        .find("\"paths\"")
        .ok_or("no paths in the description")?;
    let key = "\"description\": \"";
    let at = paths + spec[paths..].find(key).ok_or("no description")? + key.len();
    let file = gh.join("apis/github.json");
    std::fs::write(&file, &spec).map_err(|e| e.to_string())?;
    measure("github", 500.0, exe, &gh, &file, edits, &|i| {
        format!("{}Edit number {i}. {}", &spec[..at], &spec[at..])
    })
}
