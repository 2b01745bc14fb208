//! The progress bar of `portalgen build`: drawn on a terminal (a real pseudo-terminal made by
//! util-linux `script`), never when stderr is a pipe, when `CI` is set or with `--quiet`;
//! the run still ends with its one summary line.

use std::process::Command;

use crate::common::*;

/// Run `portalgen build` on a pseudo-terminal; the terminal's transcript.
fn on_terminal(args: &str, env: &[(&str, &str)]) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        skip("progress tests: `script` (util-linux) is missing");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let cmd = format!(
        "{} build {} -o {} {args}",
        bin(),
        example().display(),
        out.display()
    );
    let mut c = Command::new("script");
    c.args(["-qefc", &cmd, "/dev/null"]).env_remove("CI");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(out.join("index.html").is_file());
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn a_terminal_shows_the_stages_and_pages_then_one_summary_line() {
    let Some(t) = on_terminal("", &[]) else {
        return;
    };
    assert!(t.contains("Rendering pages"), "{t}");
    assert!(t.contains("Indexing for search"), "{t}");
    // Pages done out of the total.
    assert!(t.contains("/"), "{t}");
    let summary: Vec<&str> = t.lines().filter(|l| l.contains("Built ")).collect();
    assert_eq!(summary.len(), 1, "{t}");
}

#[test]
fn ci_quiet_and_pipes_get_no_progress_bar() {
    for (args, env) in [("--quiet", vec![]), ("", vec![("CI", "true")])] {
        let Some(t) = on_terminal(args, &env) else {
            return;
        };
        assert!(!t.contains("Rendering pages"), "{args} {env:?}: {t}");
        assert!(t.contains("Built "), "{t}");
    }
    // A pipe (how every other test runs the binary): nothing but the summary line.
    let tmp = tempfile::tempdir().unwrap();
    let r = build_example(&tmp.path().join("site"), &[]);
    assert!(!r.stderr.contains("Rendering"), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "no terminal codes: {:?}",
        r.stderr
    );
    assert_eq!(
        r.stderr.lines().filter(|l| l.starts_with("Built ")).count(),
        1
    );
}
