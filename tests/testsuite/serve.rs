//! `portalgen serve` serves the built portal and rebuilds on change (real server, real files,
//! real HTTP over loopback).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn serves_and_rebuilds_on_change() {
    let tmp = tempfile::tempdir().unwrap();
    minimal_project(tmp.path());
    let mut child = Command::new(bin())
        .args(["serve", tmp.path().to_str().unwrap(), "--port", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split(" at http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // The rest of the server's output, collected in the background.
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let (status, body) = get(&addr, "/guides/intro/");
    assert_eq!(status, 200, "{body}");
    // Serving reads every file; reading is not a change and must not start a rebuild loop.
    std::thread::sleep(Duration::from_millis(1200));
    let rebuilds = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("rebuilding"))
        .count();
    assert_eq!(
        rebuilds,
        0,
        "rebuilt without any change: {:?}",
        log.lock().unwrap()
    );
    assert!(body.contains("Hello."));
    assert!(
        body.contains("/__portalgen/live"),
        "live reload client injected"
    );
    let (status, _) = get(&addr, "/guides/intro");
    assert_eq!(status, 301);
    let (status, _) = get(&addr, "/no/such/page/");
    assert_eq!(status, 404);

    std::fs::write(
        tmp.path().join("pages/intro.md"),
        "---\ntitle: Intro\n---\n# Intro\n\nChanged text.\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = get(&addr, "/guides/intro/");
        if body.contains("Changed text.") {
            break;
        }
        assert!(Instant::now() < deadline, "no rebuild after a change");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A broken change shows the problems in the browser.
    std::fs::write(tmp.path().join("packages/basic.yaml"), "name: [oops\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = get(&addr, "/");
        if status == 500 {
            assert!(body.contains("packages/basic.yaml"), "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no error page after a broken change"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
}

/// Poll `path` until `ok(status, body)` holds, for at most 60 s.
fn wait_for(addr: &str, path: &str, what: &str, ok: impl Fn(u16, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = get(addr, path);
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
    let mut child = Command::new(bin())
        .args(["serve", tmp.path().to_str().unwrap(), "--port", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.split(" at http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    wait_for(&addr, "/guides/intro/", "first build", |s, _| s == 200);

    let template = tmp.path().join("templates/page.html");
    std::fs::create_dir_all(template.parent().unwrap()).unwrap();
    std::fs::write(
        &template,
        "{% extends \"theme/page.html\" %}\n{% block content %}\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n{% endblock %}\n",
    )
    .unwrap();
    wait_for(&addr, "/", "no error page for the endless loop", |s, b| {
        s == 500 && b.contains("template-out-of-fuel") && b.contains("templates/page.html")
    });

    std::fs::write(
        &template,
        "{% extends \"theme/page.html\" %}\n{% block content %}<p>Fixed loop.</p>{% endblock %}\n",
    )
    .unwrap();
    wait_for(
        &addr,
        "/guides/intro/",
        "no rebuild after the fix",
        |s, b| s == 200 && b.contains("Fixed loop."),
    );
    drop(server);
}
