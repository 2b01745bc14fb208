//! The source layout reads as the pipeline, and stays that way: the top-level modules of `src/`
//! form no dependency cycle, the model depends on no stage, nothing outside the loader reaches
//! into the loader's internals, and every module file says why it exists in a `//!` header.
//! The dependencies are read from the `crate::` paths of the code (comments and string
//! literals ignored), so a `use` and a fully qualified path count alike.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a Rust file without comments, string literals and char literals (rough but
/// enough to find paths: no path of interest lives in a raw string).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                // A char literal ('x' or '\n'); lifetimes ('a) are left alone.
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            c => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    out
}

/// The top-level module a file of `src/` belongs to (`None` for lib.rs, main.rs and bin/).
fn top_module(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (!matches!(name.as_str(), "lib" | "main" | "bin")).then_some(name)
}

/// The code without its `#[cfg(test)]` modules: unit tests may build fixtures through any
/// stage without making the stage depend on it.
fn without_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let Some(open) = after.find('{') else {
            rest = "";
            break;
        };
        let mut depth = 0usize;
        let mut end = after.len();
        for (j, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `crate::<segments>` paths of a file's code.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let mut path = Vec::new();
        let mut tail = rest;
        loop {
            let ident: String = tail
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if ident.is_empty() {
                break;
            }
            tail = &tail[ident.len()..];
            path.push(ident);
            match tail.strip_prefix("::") {
                Some(t) => tail = t,
                None => break,
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// Top-level module → the top-level modules its code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let Some(m) = top_module(&f) else { continue };
        let code = without_tests(&code_only(&std::fs::read_to_string(&f).unwrap()));
        let deps = g.entry(m.clone()).or_default();
        for p in crate_paths(&code) {
            if p[0] != m {
                deps.insert(p[0].clone());
            }
        }
    }
    g
}

fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        if let Some(c) = visit(n, g, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn top_level_modules_form_no_cycle() {
    let g = graph();
    assert!(g.len() > 8, "found too few modules: {g:?}");
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "dependency cycle between top-level modules: {}\nall dependencies: {g:#?}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_model_is_a_leaf() {
    let g = graph();
    let allowed: BTreeSet<&str> = ["source"].into();
    let model: BTreeSet<&str> = g["model"].iter().map(String::as_str).collect();
    assert!(
        model.is_subset(&allowed),
        "src/model may depend only on {allowed:?}, but names {model:?}"
    );
}

#[test]
fn nothing_outside_load_reaches_into_its_internals() {
    // The loader's API is what `load` itself exports (`load::load`, `load::Project`, the raw
    // package types); its submodules are its own business.
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let internals: BTreeSet<String> = std::fs::read_dir(src().join("load"))
        .unwrap()
        .flatten()
        .map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".rs").unwrap_or(&n).to_string()
        })
        .filter(|n| n != "mod")
        .collect();
    let mut bad = Vec::new();
    for f in files {
        if top_module(&f).as_deref() == Some("load") {
            continue;
        }
        let code = without_tests(&code_only(&std::fs::read_to_string(&f).unwrap()));
        for p in crate_paths(&code) {
            if p[0] == "load" && p.len() > 2 && internals.contains(&p[1]) {
                bad.push(format!("{}: crate::{}", f.display(), p.join("::")));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "load internals used outside load:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_module_says_why_it_exists() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` header:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_checker_sees_paths_and_ignores_comments() {
    let code = code_only(
        "use crate::model::Api; // crate::render\nlet s = \"crate::serve\"; let c = '\"'; x(crate::kong::check);",
    );
    let paths = crate_paths(&code);
    let tops: Vec<&str> = paths.iter().map(|p| p[0].as_str()).collect();
    assert_eq!(tops, vec!["model", "kong"]);
    assert_eq!(paths[1], vec!["kong".to_string(), "check".to_string()]);
    let code = without_tests(
        "use crate::a;\n#[cfg(test)]\nmod tests { fn f() { crate::b::x(); } }\nuse crate::c;",
    );
    let tops: Vec<String> = crate_paths(&code)
        .into_iter()
        .map(|p| p[0].clone())
        .collect();
    assert_eq!(tops, vec!["a".to_string(), "c".to_string()]);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}
