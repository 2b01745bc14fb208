//! `portalgen serve` against the real binary: a real server on a free port, real files, real
//! HTTP over loopback, real signals. Waits are bounded by generous deadlines and never measure
//! speed (that is `portalgen-bench serve`'s job); "exactly one rebuild" is proven by ordering
//! (a sentinel change after the burst must be the next rebuild), not by waiting long enough.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;

const DEADLINE: Duration = Duration::from_secs(60);

/// A running `portalgen serve` and its terminal output.
struct Serve {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(project: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(bin())
            .arg("serve")
            .arg(project)
            .args(["--port", "0"])
            .args(extra)
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Logged before the address is sent: a test reading the log once the server
                // started sees the line that said so.
                sink.lock().unwrap().push(line.clone());
                if !sent && let Some(rest) = line.split(" at http://").nth(1) {
                    let _ = tx.send(rest.split('/').next().unwrap().to_string());
                    sent = true;
                }
            }
        });
        let addr = match rx.recv_timeout(DEADLINE) {
            Ok(a) => a,
            Err(_) => panic!("the server did not start: {:?}", log.lock().unwrap()),
        };
        Serve { child, addr, log }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The lines that report a rebuild (`<what> changed: …`), in order.
    fn rebuilds(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|l| l.contains(" changed: "))
            .collect()
    }

    /// Wait until `n` rebuild lines were printed; returns them.
    fn wait_rebuilds(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let r = self.rebuilds();
            if r.len() >= n {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "waited for rebuild {n}: {:#?}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> Response {
        request(&self.addr, path, &self.addr, "GET", &[])
    }
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One raw HTTP/1.1 request (the target is sent as given, unnormalised).
fn request(addr: &str, target: &str, host: &str, method: &str, headers: &[&str]) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let body = buf[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    Response { status, head, body }
}

/// A connected live-reload client: the names of the events it receives, in order.
struct Events {
    rx: mpsc::Receiver<(String, String)>,
    _stream: TcpStream,
}

impl Events {
    fn connect(addr: &str) -> Events {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /__portalgen/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let reader = s.try_clone().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            let mut data = String::new();
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { break };
                // Chunked transfer: chunk sizes appear as their own lines; they are neither
                // `event:` nor `data:` lines and are skipped.
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push_str(d);
                } else if line.is_empty()
                    && !name.is_empty()
                    && tx
                        .send((std::mem::take(&mut name), std::mem::take(&mut data)))
                        .is_err()
                {
                    break;
                }
            }
            // The stream ended.
            let _ = tx.send(("<end>".into(), String::new()));
        });
        let ev = Events { rx, _stream: s };
        assert_eq!(ev.next().0, "hello");
        ev
    }

    fn next(&self) -> (String, String) {
        self.rx
            .recv_timeout(DEADLINE)
            .expect("an event within the deadline")
    }
}

/// A project under a sub-path, with static files of many types.
fn project(dir: &Path) {
    minimal_project(dir);
    write_files(
        dir,
        &[
            ("static/app.mjs", "export const x = 1;\n"),
            ("static/mod.wasm", "\0asm"),
            ("static/favicon.ico", "ico"),
            ("static/font.woff2", "woff2"),
            ("static/pic.webp", "webp"),
            ("static/docs/manual.pdf", "%PDF"),
            ("static/data.json", "{}"),
        ],
    );
}

#[test]
fn serves_the_static_builds_urls_under_the_base_path_with_content_types() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    let server = Serve::start(tmp.path(), &[]);
    assert!(
        server.log().iter().any(|l| l.contains("/dev/ (Ctrl-C")),
        "{:?}",
        server.log()
    );
    // `/` leads to base_url's path; the portal is not served at the root.
    let r = server.get("/");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location").as_deref(), Some("/dev/"));
    assert_eq!(server.get("/dev").status, 301);
    assert_eq!(server.get("/guides/intro/").status, 404);
    let home = server.get("/dev/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("/__portalgen/live.js"));
    // The 404 page links the theme under the base path, as the static build does.
    let missing = server.get("/dev/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("/dev/assets/"),
        "{}",
        missing.text()
    );
    let r = server.get("/dev/guides/intro");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("location").as_deref(), Some("/dev/guides/intro/"));

    // Every file of the static build is served at its URL below /dev/.
    let out = tmp.path().join("site");
    let built = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let files = read_tree(&out);
    for (path, bytes) in &files {
        if path == ".portalgen-output" {
            continue;
        }
        let r = server.get(&format!("/dev/{path}"));
        assert_eq!(r.status, 200, "/dev/{path}");
        // Theme assets and static files are served as built (pages and indexes hold the
        // served base URL instead of https://example.com).
        if path.starts_with("assets/") || tmp.path().join("static").join(path).is_file() {
            assert_eq!(&r.body, bytes, "{path}");
        }
    }
    for (path, ctype) in [
        ("", "text/html; charset=utf-8"),
        ("assets/style.css", "text/css; charset=utf-8"),
        ("assets/theme.js", "text/javascript; charset=utf-8"),
        ("app.mjs", "text/javascript; charset=utf-8"),
        ("mod.wasm", "application/wasm"),
        ("favicon.ico", "image/x-icon"),
        ("font.woff2", "font/woff2"),
        ("pic.webp", "image/webp"),
        ("docs/manual.pdf", "application/pdf"),
        ("data.json", "application/json"),
        ("sitemap.xml", "application/xml"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("assets/favicon.svg", "image/svg+xml"),
    ] {
        let r = server.get(&format!("/dev/{path}"));
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(ctype), "{path}");
    }
    // HEAD and byte ranges, as a static host answers them.
    let head = request(&server.addr, "/dev/app.mjs", &server.addr, "HEAD", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let part = request(
        &server.addr,
        "/dev/app.mjs",
        &server.addr,
        "GET",
        &["Range: bytes=7-11"],
    );
    assert_eq!(part.status, 206);
    assert_eq!(part.text(), "const");
    assert_eq!(
        request(&server.addr, "/dev/", &server.addr, "POST", &[]).status,
        405
    );
}

#[test]
fn traversal_and_encoded_slashes_are_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    let server = Serve::start(tmp.path(), &[]);
    assert_eq!(server.get("/dev/apis/pets/").status, 200);
    // Links out of the project are refused by the loader (`file-outside-project`, tested by
    // the broken-project table); here the paths that would name them are simply not found.
    for target in [
        "/dev/../portal.yaml",
        "/dev/apis/../../portal.yaml",
        "/dev/%2e%2e/portal.yaml",
        "/dev/%2E%2E/%2E%2E/etc/passwd",
        "/dev/..%2fportal.yaml",
        "/dev/apis%2fpets%2f",
        "/dev/apis%2Fpets%2Findex.html",
        "/dev/apis%5cpets%5cindex.html",
        "//etc/passwd",
        "/dev//etc/passwd",
        "/dev/%2fetc%2fpasswd",
        "/etc/passwd",
        "/dev/link.txt",
        "/dev/linked/secret.txt",
        "/dev/index.html%00",
    ] {
        let r = server.get(target);
        assert_eq!(r.status, 404, "{target}");
        assert!(!r.text().contains("SECRET"), "{target}");
        assert!(!r.text().contains("auth_strategies"), "{target}");
    }
}

#[test]
fn requests_for_another_host_are_refused_on_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    let server = Serve::start(tmp.path(), &[]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    for host in [
        server.addr.clone(),
        format!("localhost:{port}"),
        "localhost".into(),
        format!("127.0.0.1:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        let r = request(&server.addr, "/dev/", &host, "GET", &[]);
        assert_eq!(r.status, 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".into(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
    ] {
        let r = request(&server.addr, "/dev/", &host, "GET", &[]);
        assert_eq!(r.status, 403, "{host}");
        let r = request(&server.addr, "/__portalgen/events", &host, "GET", &[]);
        assert_eq!(r.status, 403, "{host}");
    }
}

#[test]
fn a_guide_edit_sends_one_reload_and_serves_the_new_content() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    let server = Serve::start(tmp.path(), &[]);
    let events = Events::connect(&server.addr);
    assert!(server.get("/dev/guides/intro/").text().contains("Hello."));
    std::fs::write(
        tmp.path().join("pages/intro.md"),
        "---\ntitle: Intro\n---\n# Intro\n\nChanged text.\n",
    )
    .unwrap();
    assert_eq!(events.next().0, "reload");
    assert!(
        server
            .get("/dev/guides/intro/")
            .text()
            .contains("Changed text.")
    );
    let lines = server.wait_rebuilds(1);
    assert!(
        lines[0].starts_with("pages/intro.md changed: ") && lines[0].contains(" ms"),
        "{lines:?}"
    );
    // Reading files (the server reads every file on each build) caused no rebuild.
    assert_eq!(server.rebuilds().len(), 1, "{:?}", server.log());
}

#[test]
fn a_burst_of_saves_is_one_rebuild_and_editor_temporaries_none() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    // A long quiet period, so that a loaded machine pausing this test between two saves
    // cannot split the burst; the default's behaviour is the same with a shorter one.
    let server = Serve::start(tmp.path(), &["--debounce", "1500"]);
    let events = Events::connect(&server.addr);
    let page = tmp.path().join("pages/intro.md");
    for i in 0..20 {
        std::fs::write(
            &page,
            format!("---\ntitle: Intro\n---\n# Intro\n\nSave {i}.\n"),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(events.next().0, "reload");
    assert!(server.get("/dev/guides/intro/").text().contains("Save 19."));
    // Editors' temporary, swap and backup files are no change of the project.
    let pages = tmp.path().join("pages");
    for name in [
        "4913",
        ".intro.md.swp",
        "intro.md~",
        "#intro.md#",
        ".#intro.md",
        "intro.md___jb_tmp___",
        "intro.md___jb_old___",
        "intro.md.crswap",
        "sedX1b2c3",
        "intro.md.bak",
    ] {
        std::fs::write(pages.join(name), "temporary").unwrap();
        std::fs::remove_file(pages.join(name)).unwrap();
    }
    // The next rebuild is the sentinel's: the burst was one rebuild, the temporaries none.
    std::fs::write(
        tmp.path().join("pages/sentinel.md"),
        "---\ntitle: S\n---\nS\n",
    )
    .unwrap();
    let lines = server.wait_rebuilds(2);
    assert!(
        lines[0].starts_with("pages/intro.md changed: "),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("pages/sentinel.md changed: "),
        "{lines:?}"
    );
    assert_eq!(events.next().0, "reload");
}

#[test]
fn a_broken_save_keeps_the_last_good_build_with_an_overlay_until_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    let server = Serve::start(tmp.path(), &[]);
    let events = Events::connect(&server.addr);
    let good = std::fs::read_to_string(tmp.path().join("packages/basic.yaml")).unwrap();
    std::fs::write(tmp.path().join("packages/basic.yaml"), "name: [oops\n").unwrap();
    let (name, data) = events.next();
    assert_eq!(name, "overlay");
    assert!(data.contains("packages/basic.yaml:1:"), "{data}");
    // The terminal shows the diagnostics as `build` prints them.
    let lines = server.wait_rebuilds(1);
    assert!(lines[0].contains("build failed"), "{lines:?}");
    let log = server.log().join("\n");
    assert!(log.contains("error[yaml-syntax]"), "{log}");
    assert!(log.contains("--> packages/basic.yaml:1:"), "{log}");
    // The last good build is still served, every page with the overlay; CSS and JSON as before.
    let page = server.get("/dev/guides/intro/");
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Hello."), "{text}");
    assert!(text.contains("id=\"portalgen-overlay\""), "{text}");
    assert!(text.contains("packages/basic.yaml:1:"), "{text}");
    assert!(text.contains("help: "), "{text}");
    let css = server.get("/dev/assets/style.css");
    assert_eq!(css.status, 200);
    assert!(!css.text().contains("portalgen-overlay"));
    assert_eq!(server.get("/dev/pagefind/pagefind-entry.json").status, 200);
    // The fix clears it.
    std::fs::write(tmp.path().join("packages/basic.yaml"), good).unwrap();
    assert_eq!(events.next().0, "reload");
    let lines = server.wait_rebuilds(2);
    assert!(!lines[1].contains("failed"), "{lines:?}");
    assert!(!server.get("/dev/").text().contains("portalgen-overlay"));
}

#[test]
fn before_any_good_build_the_overlay_stands_alone() {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    std::fs::write(tmp.path().join("packages/basic.yaml"), "name: [oops\n").unwrap();
    let server = Serve::start(tmp.path(), &[]);
    let r = server.get("/dev/");
    assert_eq!(r.status, 500);
    assert!(r.text().contains("packages/basic.yaml:1:"), "{}", r.text());
    assert!(r.text().contains("/__portalgen/live.js"));
    let events = Events::connect(&server.addr);
    minimal_project(tmp.path());
    assert_eq!(events.next().0, "reload");
    assert_eq!(server.get("/dev/").status, 200);
}

#[test]
fn a_ref_target_outside_the_project_is_watched() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("proj");
    minimal_project(&proj);
    write_files(
        tmp.path(),
        &[(
            "shared/owner.yaml",
            "type: object\ndescription: Owner text one.\nproperties:\n  name: {type: string}\n",
        )],
    );
    let spec = std::fs::read_to_string(proj.join("apis/pets.yaml")).unwrap();
    let spec = spec.replace(
        "      responses:\n        '200':\n          description: ok\n  /pets/{id}:",
        "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '../../shared/owner.yaml'\n  /pets/{id}:",
    );
    std::fs::write(proj.join("apis/pets.yaml"), spec).unwrap();
    // Files outside the project are read only from a declared read root.
    let config = std::fs::read_to_string(proj.join("portal.yaml")).unwrap();
    std::fs::write(
        proj.join("portal.yaml"),
        format!("{config}\nread_roots: [../shared]\n"),
    )
    .unwrap();
    let server = Serve::start(&proj, &[]);
    let events = Events::connect(&server.addr);
    let ops = server.get("/dev/apis/pets/list-pets/");
    assert_eq!(ops.status, 200, "{:?}", server.log());
    assert!(!ops.text().contains(">age<"), "{}", ops.text());
    std::fs::write(
        tmp.path().join("shared/owner.yaml"),
        "type: object\ndescription: Owner text two.\nproperties:\n  name: {type: string}\n  age: {type: integer}\n",
    )
    .unwrap();
    assert_eq!(events.next().0, "reload");
    let lines = server.wait_rebuilds(1);
    assert!(lines[0].contains("shared/owner.yaml changed"), "{lines:?}");
    assert!(lines[0].contains("reloaded API pets"), "{lines:?}");
    let ops = server.get("/dev/apis/pets/list-pets/");
    assert!(ops.text().contains(">age<"), "{}", ops.text());
}

/// SIGINT or SIGTERM with an open event stream: the process ends and the stream is closed.
fn stops_on(signal: &str) {
    let tmp = tempfile::tempdir().unwrap();
    project(tmp.path());
    let mut server = Serve::start(tmp.path(), &[]);
    let events = Events::connect(&server.addr);
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status();
    match killed {
        Ok(s) if s.success() => {}
        _ => return skip("the `kill` command is needed to send signals"),
    }
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "still running after {signal}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{signal}: {status:?}");
    assert_eq!(events.next().0, "<end>", "the event stream was closed");
}

#[test]
fn ctrl_c_ends_the_server_with_an_open_event_stream() {
    stops_on("INT");
}

#[test]
fn sigterm_ends_the_server_with_an_open_event_stream() {
    stops_on("TERM");
}

#[test]
fn startup_checks() {
    // Not a project: the error `build` gives, exit 2, and nothing served or watched.
    let tmp = tempfile::tempdir().unwrap();
    let build = run(&["build", tmp.path().to_str().unwrap()]);
    let serve = run(&["serve", tmp.path().to_str().unwrap(), "--port", "0"]);
    assert_eq!(serve.code, 2);
    assert_eq!(build.code, 2);
    assert_eq!(
        serve.stderr.lines().next(),
        build.stderr.lines().next(),
        "{}",
        serve.stderr
    );
    assert!(serve.stderr.contains("portal.yaml"), "{}", serve.stderr);
    // --audience is checked as build checks it.
    project(tmp.path());
    let build = run(&[
        "build",
        tmp.path().to_str().unwrap(),
        "--audience",
        "Bad Name",
    ]);
    let serve = run(&[
        "serve",
        tmp.path().to_str().unwrap(),
        "--port",
        "0",
        "--audience",
        "Bad Name",
    ]);
    assert_eq!((serve.code, build.code), (2, 2));
    assert_eq!(serve.stderr, build.stderr);
    // A port in use: a hint at --port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let serve = run(&["serve", tmp.path().to_str().unwrap(), "--port", &port]);
    assert_eq!(serve.code, 2);
    assert!(serve.stderr.contains("in use"), "{}", serve.stderr);
    assert!(serve.stderr.contains("--port 0"), "{}", serve.stderr);
    // A non-loopback address: a warning, and any Host is served.
    let server = Serve::start(tmp.path(), &["--bind", "0.0.0.0"]);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.starts_with("warning:") && l.contains("reachable from the network")),
        "{:?}",
        server.log()
    );
    let port = server.addr.rsplit(':').next().unwrap();
    let r = request(
        &format!("127.0.0.1:{port}"),
        "/dev/",
        "portal.lan",
        "GET",
        &[],
    );
    assert_eq!(r.status, 200);
}

/// Poll `path` until `ok(status, body)` holds, for at most 60 s.
fn wait_for(addr: &str, path: &str, what: &str, ok: impl Fn(u16, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = request(addr, path, addr, "GET", &[]);
        let (status, body) = (r.status, r.text());
        if ok(status, &body) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: last got {status}\n{body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A template with an endless loop (the default fuel) stops the rebuild with an error page
/// naming the template, and the watcher rebuilds normally once the template is fixed.
#[test]
fn the_watcher_recovers_after_a_template_that_loops_is_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    // A small fuel, so the loop runs dry in a moment even in a debug build on a busy machine.
    let config = std::fs::read_to_string(tmp.path().join("portal.yaml")).unwrap();
    std::fs::write(
        tmp.path().join("portal.yaml"),
        format!("{config}limits:\n  template_fuel: 1000000\n"),
    )
    .unwrap();
    let template = tmp.path().join("templates/page.html");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    std::fs::write(
        &template,
        "{% extends \"theme/page.html\" %}\n{% block content %}<p>First.</p>{% endblock %}\n",
    )
    .unwrap();
    let mut child = Command::new(bin())
        .args(["serve", tmp.path().to_str().unwrap(), "--port", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    /// Ends the server however the test ends.
    struct Server(Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split(" at http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    wait_for(&addr, "/dev/guides/intro/", "first build", |s, _| s == 200);

    std::fs::write(
        &template,
        "{% extends \"theme/page.html\" %}\n{% block content %}\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n{% endblock %}\n",
    )
    .unwrap();
    wait_for(
        &addr,
        "/dev/",
        "no overlay for the endless loop",
        // The last good build stays served, with the problem in the overlay.
        |s, b| {
            s == 200
                && b.contains("portalgen-overlay")
                && b.contains("template-out-of-fuel")
                && b.contains("templates/page.html")
        },
    );

    std::fs::write(
        &template,
        "{% extends \"theme/page.html\" %}\n{% block content %}<p>Fixed loop.</p>{% endblock %}\n",
    )
    .unwrap();
    wait_for(
        &addr,
        "/dev/guides/intro/",
        "no rebuild after the fix",
        |s, b| s == 200 && b.contains("Fixed loop."),
    );
    drop(server);
}
