//! The entry points portalgen is fuzzed through, each with the properties every input must
//! keep: no panic, no hang (the caller bounds time), diagnostics that point inside the
//! project at lines that exist, and nothing of a file outside the project in any output.
//!
//! One definition, three users: the cargo-fuzz targets of `fuzz/` include this file
//! (`#[path]`), `properties.rs` drives the same functions with bounded proptest strategies in
//! CI, and `fuzz_findings.rs` replays every input a fuzzer ever found a problem with.
//! Everything runs on a project held in memory ([`Memory`]), so a run costs no disk IO.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use portalgen::diagnostics::Diagnostics;
use portalgen::load::files::{Files, Memory};
use portalgen::source::SourceMap;

/// Where the in-memory project lives.
pub const ROOT: &str = "/project";

/// A file outside the project, present in every in-memory file system: nothing of it may ever
/// appear in a diagnostic or any output.
pub const SECRET_PATH: &str = "/secret.yaml";
pub const SECRET: &str = "TOPSECRET-c0ffee";

/// An in-memory file system holding `files` (project-relative path → bytes) and the secret.
pub fn memory(files: &[(&str, &[u8])]) -> Memory {
    let mut m = Memory::new();
    m.insert(
        SECRET_PATH,
        format!("token: {SECRET}\nopenapi: 3.0.0\n").into_bytes(),
    );
    for (rel, bytes) in files {
        m.insert(Path::new(ROOT).join(rel), without_secret(bytes));
    }
    m
}

/// `bytes` with every copy of [`SECRET`] defaced: a fuzzer that writes the secret into a
/// project file has not leaked it when a diagnostic quotes that file.
fn without_secret(bytes: &[u8]) -> Vec<u8> {
    let secret = SECRET.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i + secret.len() <= out.len() {
        if &out[i..i + secret.len()] == secret {
            out[i] = b'N';
            i += secret.len();
        } else {
            i += 1;
        }
    }
    out
}

pub fn files(m: Memory) -> Files {
    Files::with_defaults(Box::new(m), PathBuf::from(ROOT))
}

/// What every run must keep, whatever the input: each diagnostic names a project file (or
/// none), its line exists in that file's registered text, and no message, help or rendered
/// snippet contains the secret.
pub fn check_diagnostics(diags: &Diagnostics, sources: &SourceMap) {
    for d in diags.iter() {
        if let Some(f) = &d.file {
            assert!(
                !f.starts_with('/') && !f.starts_with("../"),
                "a diagnostic outside the project: {d:?}"
            );
            if let (Some(line), Some(text)) = (d.line, sources.text(f)) {
                let lines = text.lines().count().max(1) as u32;
                assert!(
                    line >= 1 && line <= lines + 1,
                    "line {line} of {f} ({lines} lines): {d:?}"
                );
            }
        }
        assert!(d.line.is_none_or(|l| l >= 1), "{d:?}");
        assert!(d.column.is_none_or(|c| c >= 1), "{d:?}");
        assert!(!d.message.contains(SECRET), "secret leaked: {d:?}");
        assert!(
            !d.help.as_deref().unwrap_or("").contains(SECRET),
            "secret leaked: {d:?}"
        );
    }
    let human = portalgen::diagnostics::render_human(diags, sources, false);
    assert!(!human.contains(SECRET), "secret leaked:\n{human}");
    let _ = portalgen::diagnostics::render_github(diags);
    for path in sources.paths() {
        assert!(
            !path.starts_with('/') && !path.starts_with("../"),
            "a file outside the project was read: {path}"
        );
    }
}

/// The OpenAPI loader on `entry` (as `apis/api.yaml` or `.json`) with `other` beside it as
/// `apis/other.yaml`, which `$ref`s may name.
pub fn openapi(entry: &[u8], json: bool, other: &[u8]) {
    let name = if json {
        "apis/api.json"
    } else {
        "apis/api.yaml"
    };
    let files = files(memory(&[
        ("portal.yaml", b"title: t\nbase_url: https://x.example/\n"),
        (name, entry),
        ("apis/other.yaml", other),
    ]));
    let sources = SourceMap::default();
    let (api, diags) = portalgen::load::openapi::load_api_from(
        &files,
        "api",
        &Path::new(ROOT).join(name),
        &sources,
    );
    if api.is_none() {
        assert!(diags.has_errors(), "no model and no error");
    }
    if let Some(api) = &api {
        let mut slugs = std::collections::HashSet::new();
        for op in api.operations.iter().chain(&api.webhooks) {
            assert!(slugs.insert(op.slug.clone()), "duplicate slug {}", op.slug);
        }
    }
    check_diagnostics(&diags, &sources);
}

/// portal.yaml and one package file, read as the loader reads them.
pub fn portal_and_package(portal: &[u8], package: &[u8]) {
    let files = files(memory(&[
        ("portal.yaml", portal),
        ("packages/p.yaml", package),
    ]));
    let sources = SourceMap::default();
    let mut diags = Diagnostics::new();
    for (rel, stem) in [("portal.yaml", None), ("packages/p.yaml", Some("p"))] {
        let text = match files.read_text(&Path::new(ROOT).join(rel), &sources) {
            Ok(t) => t,
            Err(e) => {
                diags.push(e.diagnostic(rel, None));
                continue;
            }
        };
        match files.parse(&text) {
            Ok(node) => match stem {
                None => {
                    let config = portalgen::load::portal_config::read(&node, &text.rel, &mut diags);
                    assert!(config.base_url.ends_with('/'), "{}", config.base_url);
                    assert!(config.limits.file_size > 0 && config.limits.template_fuel > 0);
                }
                Some(stem) => {
                    let _ = portalgen::load::package::read(&node, &text.rel, stem, &mut diags);
                }
            },
            Err(e) => diags.push(e.diagnostic(text.rel.clone(), "", 0)),
        }
    }
    check_diagnostics(&diags, &sources);
}

/// Two decK files merged, Kong's rules run over them, and the router built for both flavors
/// (which translates every route into Kong's expressions).
pub fn deck(a: &[u8], b: &[u8]) {
    use portalgen::model::config::RouterFlavor;
    let sources = SourceMap::default();
    let texts = [
        (
            "gateway/a.yaml".to_string(),
            String::from_utf8_lossy(&without_secret(a)).into_owned(),
        ),
        (
            "gateway/b.json".to_string(),
            String::from_utf8_lossy(&without_secret(b)).into_owned(),
        ),
    ];
    let (manifest, mut diags) = portalgen::load::deck::from_texts(&texts, &sources);
    for flavor in [
        RouterFlavor::TraditionalCompatible,
        RouterFlavor::Expressions,
    ] {
        diags.extend(portalgen::kong::rules::check(&manifest, flavor));
        let (engine, d) = portalgen::kong::engine::Engine::build(&manifest, flavor);
        diags.extend(d);
        assert!(
            engine
                .matchers
                .iter()
                .all(|m| m.route < manifest.routes.len())
        );
    }
    check_diagnostics(&diags, &sources);
}

/// A guide: front matter and markdown, rendered as the build renders it.
pub fn page(text: &[u8]) {
    let files = files(memory(&[("pages/guide.md", text)]));
    let sources = SourceMap::default();
    let mut diags = Diagnostics::new();
    match files.read_text(&Path::new(ROOT).join("pages/guide.md"), &sources) {
        Ok(t) => {
            if let Some(p) =
                portalgen::load::pages::read(&t.text, &t.rel, "guide", files.budget(), &mut diags)
            {
                let _ = portalgen::render::markdown::render(&p.body);
                let _ = portalgen::render::markdown::to_text(&p.body);
                let _ = portalgen::render::markdown::links(&p.body);
            }
        }
        Err(e) => diags.push(e.diagnostic("pages/guide.md", None)),
    }
    check_diagnostics(&diags, &sources);
}

/// The paths a fuzzed project may hold files at: every input kind, and the places where a
/// mistake hides (a folder named like a file, a template that is no template).
pub const PROJECT_PATHS: &[&str] = &[
    "portal.yaml",
    "apis/pets.yaml",
    "apis/shop.json",
    "apis/shop/openapi.yaml",
    "apis/schemas/common.yaml",
    "packages/basic.yaml",
    "packages/gold.yml",
    "gateway/kong.yaml",
    "gateway/extra.json",
    "pages/intro.md",
    "pages/guides/index.md",
    "templates/page.html",
    "templates/partials/x.html",
    "static/theme.css",
];

/// The whole `check` on a project held in memory: `files` are (index into
/// [`PROJECT_PATHS`], bytes); a valid portal.yaml is added when none is given.
pub fn project(files_in: &[(usize, Vec<u8>)]) {
    let mut listed: Vec<(&str, &[u8])> = files_in
        .iter()
        .map(|(i, b)| (PROJECT_PATHS[i % PROJECT_PATHS.len()], b.as_slice()))
        .collect();
    if !listed.iter().any(|(p, _)| *p == "portal.yaml") {
        listed.push(("portal.yaml", b"title: t\nbase_url: https://x.example/\n"));
    }
    let files = files(memory(&listed));
    let checked = match portalgen::pipeline::check_files(files) {
        Ok(c) => c,
        Err(e) => panic!("a project with portal.yaml is never fatal: {}", e.0),
    };
    check_diagnostics(&checked.diags, &checked.sources);
    // What check reports is deterministic: the same project, the same diagnostics.
    let again = portalgen::pipeline::check_files(self::files(memory(&listed))).unwrap();
    let a: Vec<_> = checked.diags.iter().collect();
    let b: Vec<_> = again.diags.iter().collect();
    assert_eq!(a, b, "two checks of one project differ");
}
