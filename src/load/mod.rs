//! Load stage: finds the project's files and reads each into the model, in parallel where
//! files are independent. Never resolves cross-file references (that is validation's job) and
//! never stops at the first problem.

pub mod applications;
pub mod deck;
pub mod files;
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

pub use applications::{CredentialKind, RawApplication, RawCredential, RawRegistration, RawTarget};
pub use deck::env_var_name;
pub use files::{Backend, Disk, FileError, Files, Kind};
pub use openapi::load_api_from as load_api;
pub use package::{Pick, RawPackage, Selector};

/// Read decK texts held in memory (`(path, text)` pairs, in order) into a manifest exactly as
/// the project's decK files are read: the export reads the file it produced back this way.
pub fn deck_from_texts(files: &[(String, String)]) -> (Manifest, Diagnostics) {
    deck::from_texts(files, &SourceMap::default())
}

/// The project as read from disk, before cross-file validation.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: PortalConfig,
    pub apis: Vec<Api>,
    pub packages: Vec<RawPackage>,
    pub pages: Vec<Page>,
    pub manifest: Manifest,
    /// `applications/*.yaml`, as written.
    pub applications: Vec<RawApplication>,
    /// Template overrides from `templates/`: name → source.
    pub templates: BTreeMap<String, String>,
    /// Files of `static/`: output path (relative) → absolute source path.
    pub static_files: BTreeMap<String, PathBuf>,
}

/// Errors that stop loading altogether (exit code 2): not a project, unreadable root.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

/// How one API is loaded: [`openapi::load_api_from`]'s signature (the project's files,
/// slug, entry document, sources). Every read goes through the [`Files`] given, so
/// confinement and budgets hold for any loader. `serve` passes a loader that reuses the
/// APIs whose files did not change.
pub type ApiLoader<'a> =
    dyn Fn(&Files, &str, &Path, &SourceMap) -> (Option<Api>, Diagnostics) + Sync + 'a;

/// Load the project at `root` from disk.
pub fn load(root: &Path, sources: &SourceMap) -> Result<(Project, Diagnostics), Fatal> {
    load_with(root, sources, &openapi::load_api_from)
}

/// [`load`], each API through `load_api`.
pub fn load_with(
    root: &Path,
    sources: &SourceMap,
    load_api: &ApiLoader<'_>,
) -> Result<(Project, Diagnostics), Fatal> {
    let canonical = root.canonicalize().map_err(|e| {
        Fatal(format!(
            "cannot open project folder `{}`: {e}",
            root.display()
        ))
    })?;
    if !canonical.is_dir() {
        return Err(Fatal(format!("`{}` is not a folder", root.display())));
    }
    let files = Files::disk(&canonical).map_err(|e| {
        Fatal(format!(
            "cannot open project folder `{}`: {e}",
            root.display()
        ))
    })?;
    load_from_with(files, sources, load_api)
}

/// Load the project `files` give access to (its root, its backend). Every file is read
/// through `files`, so confinement and budgets hold for every backend.
pub fn load_from(files: Files, sources: &SourceMap) -> Result<(Project, Diagnostics), Fatal> {
    load_from_with(files, sources, &openapi::load_api_from)
}

/// [`load_from`], each API through `load_api`.
pub fn load_from_with(
    mut files: Files,
    sources: &SourceMap,
    load_api: &ApiLoader<'_>,
) -> Result<(Project, Diagnostics), Fatal> {
    let root = files.root().to_path_buf();
    let config_path = root.join("portal.yaml");
    if files.resolve(&config_path) == Err(FileError::NotFound) {
        return Err(Fatal(format!(
            "`{}` has no portal.yaml, so it is not a portalgen project (create one with `portalgen init DIR`)",
            root.display()
        )));
    }
    let mut diags = Diagnostics::new();

    let config = match read_tree(&files, &config_path, sources, &mut diags) {
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
    let limits = config.limits;
    files.set_limits(
        files::ByteLimits {
            file_size: limits.file_size,
            input_size: limits.input_size,
        },
        tree::Limits {
            max_nodes: usize::try_from(limits.yaml_nodes).unwrap_or(usize::MAX),
            max_alias_nodes: usize::try_from(limits.alias_nodes).unwrap_or(usize::MAX),
        },
    );
    for (dir, span) in &config.read_roots {
        if let Err(why) = files.add_read_root(dir) {
            diags.push(
                Diagnostic::new(codes::INVALID_READ_ROOT, format!("read root {why}"))
                    .at(span)
                    .help("a read root is a folder of shared files (for example `../shared` in a monorepo), relative to the project folder"),
            );
        }
    }

    let (apis, api_dirs) = load_apis(&files, sources, load_api, &mut diags);
    // An API folder without a document is silently nothing, unless its files are read by
    // another API's `$ref`s (a folder of shared schemas).
    let read = sources.paths();
    for (dir, named_like_file) in api_dirs {
        let rel = files.display(&dir);
        let prefix = format!("{rel}/");
        if read.iter().any(|p| p.starts_with(&prefix)) {
            continue;
        }
        let message = if named_like_file {
            format!("`{rel}` is a folder, not an OpenAPI document, so no API is read from it")
        } else {
            format!(
                "`{rel}/` holds no openapi.yaml, openapi.yml or openapi.json and no API refers to its files, so it is not read"
            )
        };
        diags.push(
            Diagnostic::new(codes::UNUSED_INPUT, message)
                .in_file(&rel)
                .help("an API is `apis/<slug>.yaml` (or .yml, .json) or a folder `apis/<slug>/` with `openapi.yaml` in it"),
        );
    }

    let mut packages = Vec::new();
    for path in files.walk(&root.join("packages"), &["yaml", "yml"], false, &mut diags) {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((node, file)) = read_tree(&files, &path, sources, &mut diags)
            && let Some(p) = package::read(&node, &file, &stem, &mut diags)
        {
            packages.push(p);
        }
    }

    let mut page_list = Vec::new();
    let pages_dir = root.join("pages");
    for path in files.walk(&pages_dir, &["md"], true, &mut diags) {
        let text = match files.read_text(&path, sources) {
            Ok(t) => t,
            Err(e) => {
                diags.push(e.diagnostic(&files.display(&path), None));
                continue;
            }
        };
        let in_pages = relative(&pages_dir, &path);
        let in_pages = in_pages
            .strip_suffix(".md")
            .unwrap_or(&in_pages)
            .to_string();
        if let Some(p) = pages::read(&text.text, &text.rel, &in_pages, files.budget(), &mut diags) {
            page_list.push(p);
        }
    }

    let (manifest, d) = deck::load_from(&files, &config.gateway.manifests, sources);
    diags.extend(d);

    let mut applications = Vec::new();
    for path in files.walk(
        &root.join("applications"),
        &["yaml", "yml"],
        false,
        &mut diags,
    ) {
        if let Some((node, file)) = read_tree(&files, &path, sources, &mut diags)
            && let Some(a) = applications::read(&node, &file, &mut diags)
        {
            applications.push(a);
        }
    }

    let mut templates = BTreeMap::new();
    let templates_dir = root.join("templates");
    for path in files.walk(&templates_dir, &[], true, &mut diags) {
        let name = relative(&templates_dir, &path);
        let is_template = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| TEMPLATE_EXTENSIONS.contains(&e));
        if !is_template {
            diags.push(
                Diagnostic::new(
                    codes::UNUSED_INPUT,
                    format!(
                        "`templates/{name}` is not read: template files end in .html, .xml or .txt"
                    ),
                )
                .severity(crate::diagnostics::Severity::Warning)
                .in_file(format!("templates/{name}"))
                .help("rename it (for example to `page.html`) or move it out of templates/"),
            );
            continue;
        }
        match files.read_text(&path, sources) {
            Ok(text) => {
                templates.insert(name, text.text.to_string());
            }
            Err(e) => diags.push(e.diagnostic(&files.display(&path), None)),
        }
    }
    let mut static_files = BTreeMap::new();
    let static_dir = root.join("static");
    for path in files.walk(&static_dir, &[], true, &mut diags) {
        match files.admit(&path) {
            Ok(canonical) => {
                static_files.insert(relative(&static_dir, &path), canonical);
            }
            Err(e) => diags.push(e.diagnostic(&files.display(&path), None)),
        }
    }

    Ok((
        Project {
            root,
            config,
            apis,
            packages,
            pages: page_list,
            manifest,
            applications,
            templates,
            static_files,
        },
        diags,
    ))
}

/// The extensions of template files.
const TEMPLATE_EXTENSIONS: [&str; 3] = ["html", "xml", "txt"];

/// Read a static file (a canonical path the loader admitted) for the build, at most
/// `max_bytes` of it. It is checked again as it is opened: still the same file, still regular,
/// not grown past the limit, so a file swapped since loading cannot hang or blow up the build.
pub fn read_static(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    use files::Backend;
    let disk = files::Disk;
    match disk.canonicalize(path) {
        Ok(now) if now == path => {}
        Ok(_) => return Err("it was replaced by a symbolic link since it was checked".into()),
        Err(e) => return Err(e.to_string()),
    }
    let bytes = disk.read(path, max_bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!(
            "it has more than {max_bytes} bytes (`limits.file_size`)"
        ));
    }
    Ok(bytes)
}

/// Discover and load the APIs: in parallel, each with its own share of the run's budgets.
/// When a shared budget ran out, which API hit it depends on scheduling: then every API is
/// read again, one after the other in slug order, from the budgets as they were, so the
/// reported file and line are the same on every run. Also returns the folders of `apis/` that
/// hold no document (with whether they are named like a document), for the caller to check.
fn load_apis(
    files: &Files,
    sources: &SourceMap,
    load_api: &ApiLoader<'_>,
    diags: &mut Diagnostics,
) -> (Vec<Api>, EmptyApiDirs) {
    let (entries, empty_dirs) = discover_apis(files, diags);
    let one = |(slug, path): &(String, PathBuf)| {
        let own = SourceMap::default();
        let (api, d) = load_api(files, slug, path, &own);
        (api, d, own)
    };
    let snapshot = files.snapshot();
    let mut results: Vec<(Option<Api>, Diagnostics, SourceMap)> =
        entries.par_iter().map(one).collect();
    if files.tripped() {
        drop(results);
        files.restore(snapshot);
        results = entries.iter().map(one).collect();
    }
    let mut apis = Vec::new();
    for (api, d, own) in results {
        diags.extend(d);
        sources.absorb(own);
        apis.extend(api);
    }
    (apis, empty_dirs)
}

/// The API documents found: (slug, path), sorted by slug.
type ApiDocuments = Vec<(String, PathBuf)>;
/// Folders of `apis/` with no document, each with whether it is named like a document.
type EmptyApiDirs = Vec<(PathBuf, bool)>;

/// `apis/<slug>.(yaml|yml|json)` and `apis/<slug>/openapi.(yaml|yml|json)`, sorted by slug;
/// and the folders of `apis/` with no document.
fn discover_apis(files: &Files, diags: &mut Diagnostics) -> (ApiDocuments, EmptyApiDirs) {
    const EXTS: [&str; 3] = ["yaml", "yml", "json"];
    let root = files.root().to_path_buf();
    let dir = root.join("apis");
    let mut found: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut empty_dirs = Vec::new();
    let entries = match files.list(&dir) {
        Ok(e) => e,
        Err(FileError::NotFound) => Vec::new(),
        Err(e) => {
            diags.push(
                Diagnostic::new(
                    codes::FILE_UNREADABLE,
                    format!("cannot list the folder `apis`: {}", e.reason()),
                )
                .in_file("apis"),
            );
            Vec::new()
        }
    };
    for entry in entries {
        let rel = files.display(&entry.path);
        let named_like_file = entry
            .name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| EXTS.contains(&ext));
        match entry.kind {
            Ok(Kind::Dir) => {
                let mut any = false;
                for ext in EXTS {
                    let candidate = entry.path.join(format!("openapi.{ext}"));
                    match files.resolve(&candidate) {
                        Ok((_, Kind::File { .. })) => {
                            any = true;
                            found.entry(entry.name.clone()).or_default().push(candidate);
                        }
                        Err(FileError::NotFound) => {}
                        Ok((_, Kind::Dir)) => {
                            any = true;
                            diags.push(
                                FileError::IsDir.diagnostic(&files.display(&candidate), None),
                            );
                        }
                        Ok((_, Kind::Special(what))) => {
                            any = true;
                            diags.push(
                                FileError::NotRegular(what)
                                    .diagnostic(&files.display(&candidate), None),
                            );
                        }
                        Err(e) => {
                            any = true;
                            diags.push(e.diagnostic(&files.display(&candidate), None));
                        }
                    }
                }
                if !any {
                    empty_dirs.push((entry.path.clone(), named_like_file));
                }
            }
            Ok(Kind::File { .. }) => {
                if let Some((stem, _)) = entry.name.rsplit_once('.').filter(|_| named_like_file) {
                    found.entry(stem.to_string()).or_default().push(entry.path);
                }
            }
            Ok(Kind::Special(what)) if named_like_file => {
                diags.push(FileError::NotRegular(what).diagnostic(&rel, None));
            }
            Ok(Kind::Special(_)) => {}
            Err(e) => diags.push(e.diagnostic(&rel, None)),
        }
    }
    let mut out = Vec::new();
    for (slug, mut paths) in found {
        paths.sort();
        let rel = files.display(&paths[0]);
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
                            .map(|p| files.display(p))
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
    (out, empty_dirs)
}

/// Read and parse a YAML/JSON file into a spanned tree; problems become diagnostics.
fn read_tree(
    files: &Files,
    path: &Path,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<(tree::Node, Arc<str>)> {
    let text = match files.read_text(path, sources) {
        Ok(t) => t,
        Err(e) => {
            diags.push(e.diagnostic(&files.display(path), None));
            return None;
        }
    };
    match files.parse(&text) {
        Ok(node) => Some((node, text.rel)),
        Err(e) => {
            diags.push(e.diagnostic(text.rel, "", 0));
            None
        }
    }
}
