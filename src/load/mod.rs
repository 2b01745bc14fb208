//! Load stage: finds the project's files and reads each into the model, in parallel where
//! files are independent. Never resolves cross-file references (that is validation's job) and
//! never stops at the first problem.

pub mod deck;
mod konnect_config;
pub mod openapi;
pub mod package;
pub mod pages;
pub mod portal_config;
pub mod rate_limit;
pub mod read;

use crate::diagnostics::codes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::config::PortalConfig;
use crate::model::gateway::Manifest;
use crate::model::{Api, Page, Slug};
use crate::source::{SourceMap, Span, relative};
use crate::tree;

pub use openapi::load_api;
pub use package::{Pick, RawPackage, Selector};

/// The project as read from disk, before cross-file validation.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: PortalConfig,
    pub apis: Vec<Api>,
    pub packages: Vec<RawPackage>,
    pub pages: Vec<Page>,
    pub manifest: Manifest,
    /// Template overrides from `templates/`: name → source.
    pub templates: BTreeMap<String, String>,
    /// Files of `static/`: output path (relative) → absolute source path.
    pub static_files: BTreeMap<String, PathBuf>,
}

/// Errors that stop loading altogether (exit code 2): not a project, unreadable root.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

/// How one API is loaded: [`openapi::load_api`]'s signature (root, slug, entry document,
/// sources). `serve` passes a loader that reuses the APIs whose files did not change.
pub type ApiLoader<'a> =
    dyn Fn(&Path, &str, &Path, &SourceMap) -> (Option<Api>, Diagnostics) + Sync + 'a;

/// Load the project at `root`.
pub fn load(root: &Path, sources: &SourceMap) -> Result<(Project, Diagnostics), Fatal> {
    load_with(root, sources, &openapi::load_api)
}

/// [`load`], each API through `load_api`.
pub fn load_with(
    root: &Path,
    sources: &SourceMap,
    load_api: &ApiLoader<'_>,
) -> Result<(Project, Diagnostics), Fatal> {
    let root = root.canonicalize().map_err(|e| {
        Fatal(format!(
            "cannot open project folder `{}`: {e}",
            root.display()
        ))
    })?;
    if !root.is_dir() {
        return Err(Fatal(format!("`{}` is not a folder", root.display())));
    }
    let config_path = root.join("portal.yaml");
    if !config_path.is_file() {
        return Err(Fatal(format!(
            "`{}` has no portal.yaml, so it is not a portalgen project (create one with `portalgen init DIR`)",
            root.display()
        )));
    }
    let mut diags = Diagnostics::new();

    let config = match read_tree(&root, &config_path, sources, &mut diags) {
        Some((node, file)) => portal_config::read(&node, &file, &mut diags),
        None => portal_config::read(
            &tree::Node {
                value: tree::Value::Null,
                line: 1,
                column: 1,
            },
            &"portal.yaml".into(),
            &mut Diagnostics::new(),
        ),
    };

    // APIs load in parallel: they are the big files.
    let entries = discover_apis(&root, &mut diags);
    let results: Vec<(Option<Api>, Diagnostics)> = entries
        .par_iter()
        .map(|(slug, path)| load_api(&root, slug, path, sources))
        .collect();
    let mut apis = Vec::new();
    for (api, d) in results {
        diags.extend(d);
        apis.extend(api);
    }

    let mut packages = Vec::new();
    for path in files_in(&root.join("packages"), &["yaml", "yml"], false) {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((node, file)) = read_tree(&root, &path, sources, &mut diags)
            && let Some(p) = package::read(&node, &file, &stem, &mut diags)
        {
            packages.push(p);
        }
    }

    let mut page_list = Vec::new();
    let pages_dir = root.join("pages");
    for path in files_in(&pages_dir, &["md"], true) {
        let rel = relative(&root, &path);
        let Some(text) = read_text(&root, &path, sources, &mut diags) else {
            continue;
        };
        let in_pages = relative(&pages_dir, &path);
        let in_pages = in_pages
            .strip_suffix(".md")
            .unwrap_or(&in_pages)
            .to_string();
        let file: Arc<str> = rel.into();
        if let Some(p) = pages::read(&text, &file, &in_pages, &mut diags) {
            page_list.push(p);
        }
    }

    let (manifest, d) = deck::load(&root, &config.gateway.manifests, sources);
    diags.extend(d);

    let mut templates = BTreeMap::new();
    for path in files_in(&root.join("templates"), &["html", "xml", "txt"], true) {
        let name = relative(&root.join("templates"), &path);
        if let Some(text) = read_text(&root, &path, sources, &mut diags) {
            templates.insert(name, text.to_string());
        }
    }
    let mut static_files = BTreeMap::new();
    for path in files_in(&root.join("static"), &[], true) {
        static_files.insert(relative(&root.join("static"), &path), path);
    }

    Ok((
        Project {
            root,
            config,
            apis,
            packages,
            pages: page_list,
            manifest,
            templates,
            static_files,
        },
        diags,
    ))
}

/// `apis/<slug>.(yaml|yml|json)` and `apis/<slug>/openapi.(yaml|yml|json)`, sorted by slug.
fn discover_apis(root: &Path, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    let dir = root.join("apis");
    let mut found: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            for ext in ["yaml", "yml", "json"] {
                let candidate = path.join(format!("openapi.{ext}"));
                if candidate.is_file() {
                    found.entry(name.clone()).or_default().push(candidate);
                }
            }
        } else if let Some((stem, ext)) = name.rsplit_once('.')
            && ["yaml", "yml", "json"].contains(&ext)
        {
            found.entry(stem.to_string()).or_default().push(path);
        }
    }
    let mut out = Vec::new();
    for (slug, mut paths) in found {
        paths.sort();
        let rel = relative(root, &paths[0]);
        if !Slug::is_valid(&slug) {
            diags.push(
                Diagnostic::new(
                    codes::INVALID_SLUG,
                    format!(
                        "API slug `{slug}` (from the file name) must match {}",
                        Slug::PATTERN
                    ),
                )
                .at(&Span::file(rel.as_str()))
                .help("rename the file, e.g. `apis/my-api.yaml`"),
            );
            continue;
        }
        if paths.len() > 1 {
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_API,
                    format!(
                        "API `{slug}` is defined by several files: {}",
                        paths
                            .iter()
                            .map(|p| relative(root, p))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at(&Span::file(rel.as_str()))
                .help("keep one document per API"),
            );
        }
        out.push((slug, paths.swap_remove(0)));
    }
    out
}

/// Files below `dir` with one of `exts` (any when empty), sorted; hidden files skipped.
pub fn files_in(dir: &Path, exts: &[&str], recursive: bool) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .parents(false)
        .max_depth(if recursive { None } else { Some(1) })
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| {
            exts.is_empty()
                || p.extension()
                    .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        })
        .collect();
    out.sort();
    out
}

/// Read a UTF-8 file and register it; unreadable files become `unreadable-file` errors.
pub fn read_text(
    root: &Path,
    path: &Path,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<Arc<str>> {
    let rel = relative(root, path);
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(sources.add(&rel, text)),
            Err(e) => {
                let (line, column) = {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    crate::source::line_col(&String::from_utf8_lossy(valid), valid.len())
                };
                diags.push(
                    Diagnostic::new(codes::INVALID_UTF8, "the file is not valid UTF-8")
                        .at(&Span::new(rel.as_str(), line, column))
                        .help("save the file as UTF-8"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(
                Diagnostic::new(codes::FILE_UNREADABLE, format!("cannot read the file: {e}"))
                    .in_file(&rel),
            );
            None
        }
    }
}

/// Read and parse a YAML/JSON file into a spanned tree; syntax errors become diagnostics.
pub fn read_tree(
    root: &Path,
    path: &Path,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<(tree::Node, Arc<str>)> {
    let text = read_text(root, path, sources, diags)?;
    let file: Arc<str> = relative(root, path).into();
    match tree::parse(&text) {
        Ok(node) => Some((node, file)),
        Err(e) => {
            diags.push(e.diagnostic(file, "", 0));
            None
        }
    }
}
