//! The Kong side of the project: decK manifests (services, routes, plugins, consumers) loaded
//! and merged as decK merges them, with every problem reported at the manifest's line.
//! Reading and merging files lives here; the per-file entity parsing and Kong's own route
//! validation rules live in [`deck`].

pub mod deck;

use crate::diagnostics::codes;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};

/// The merged decK configuration of the project.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Project-relative paths of the files read, sorted.
    pub files: Vec<String>,
    pub services: Vec<Service>,
    pub routes: Vec<Route>,
    /// The merged decK document as JSON (entities as written), for export.
    pub document: serde_json::Map<String, serde_json::Value>,
    /// `_format_version` of the first file that sets it.
    pub format_version: Option<String>,
    /// `_info.select_tags` (union over the files, in order of appearance).
    pub select_tags: Vec<String>,
}

impl Manifest {
    /// The route called `name_or_id` (name first, then id).
    pub fn route(&self, name_or_id: &str) -> Option<usize> {
        self.routes
            .iter()
            .position(|r| r.name.as_deref() == Some(name_or_id))
            .or_else(|| {
                self.routes
                    .iter()
                    .position(|r| r.id.as_deref() == Some(name_or_id))
            })
    }

    /// Build a manifest from decK texts held in memory (`(path, text)` pairs, in order), as
    /// [`load`] does for files on disk. Used by tests and the benchmark.
    pub fn from_texts(files: &[(String, String)], sources: &SourceMap) -> (Manifest, Diagnostics) {
        let mut merger = deck::Merger::default();
        for (rel, text) in files {
            let text = sources.add(rel, text.as_str());
            merger.add_file(rel, &text);
        }
        merger.finish()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub name: Option<String>,
    pub id: Option<String>,
    /// Upstream path of the service (`path` or the path of `url`).
    pub path: Option<String>,
    /// `protocol` (or the scheme of `url`); Kong's default is `http`.
    pub protocol: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Service {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub name: Option<String>,
    pub id: Option<String>,
    /// Index into [`Manifest::services`].
    pub service: Option<usize>,
    pub methods: Vec<String>,
    pub hosts: Vec<String>,
    /// `hosts` was written (even as an empty list): Kong's "plain hosts only" bit depends on
    /// `hosts` being a table, not on it being non-empty.
    pub hosts_present: bool,
    pub paths: Vec<String>,
    pub headers: Vec<(String, Vec<String>)>,
    pub snis: Vec<String>,
    /// `sources` / `destinations` entries as `(ip or cidr, port)`.
    pub sources: Vec<(Option<String>, Option<u16>)>,
    pub destinations: Vec<(Option<String>, Option<u16>)>,
    /// Kong's default is `["http", "https"]`.
    pub protocols: Vec<String>,
    pub strip_path: bool,
    pub preserve_host: bool,
    pub regex_priority: i64,
    /// `v0` (default) or `v1`; the ATC flavors always behave as `v0`.
    pub path_handling: String,
    pub expression: Option<String>,
    pub priority: Option<u64>,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Route {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }

    /// True for routes Kong's HTTP subsystem routes (not tcp/tls/udp stream routes).
    pub fn is_http(&self) -> bool {
        self.protocols.iter().any(|p| {
            matches!(
                p.as_str(),
                "http" | "https" | "grpc" | "grpcs" | "ws" | "wss"
            )
        }) || self.protocols.is_empty()
    }
}

/// Load and merge the decK files matching `patterns` (globs relative to `root`).
pub fn load(root: &Path, patterns: &[String], sources: &SourceMap) -> (Manifest, Diagnostics) {
    let mut diags = Diagnostics::new();
    let files = match find_files(root, patterns) {
        Ok(files) => files,
        Err(message) => {
            diags.push(Diagnostic::new(codes::INVALID_GLOB, message));
            return (Manifest::default(), diags);
        }
    };
    let mut merger = deck::Merger::default();
    for path in files {
        let rel = crate::source::relative(root, &path);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let text = sources.add(&rel, text);
                merger.add_file(&rel, &text);
            }
            Err(e) => {
                diags.push(
                    Diagnostic::new(
                        codes::FILE_UNREADABLE,
                        format!("cannot read decK file: {e}"),
                    )
                    .in_file(&rel),
                );
            }
        }
    }
    let (manifest, more) = merger.finish();
    diags.extend(more);
    (manifest, diags)
}

/// Files below `root` matching any of `patterns`, sorted by project-relative path. Only the
/// literal directory part of each pattern is walked.
fn find_files(root: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut builder = globset::GlobSetBuilder::new();
    // (directory to walk, depth limit) per pattern: only the literal directory part of a
    // pattern is walked, and only as deep as the pattern reaches unless it has `**`.
    let mut bases: Vec<(PathBuf, Option<usize>)> = Vec::new();
    for p in patterns {
        let glob = globset::GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid gateway.manifests pattern `{p}`: {e}"))?;
        builder.add(glob);
        let parts: Vec<&str> = p.split('/').collect();
        let literal = parts
            .iter()
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .count();
        // The last component is the file name unless the pattern continues with a glob.
        let dir_len = if literal == parts.len() {
            literal.saturating_sub(1)
        } else {
            literal
        };
        let depth = (!p.contains("**")).then(|| parts.len() - dir_len);
        bases.push((root.join(parts[..dir_len].join("/")), depth));
    }
    let set = builder.build().map_err(|e| e.to_string())?;
    bases.sort();
    bases.dedup();
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for (base, depth) in bases {
        if !base.exists() {
            continue;
        }
        for entry in ignore::WalkBuilder::new(&base)
            .standard_filters(false)
            .max_depth(depth)
            .build()
            .flatten()
        {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let rel = crate::source::relative(root, entry.path());
            if set.is_match(&rel) {
                found.push((rel, entry.path().to_path_buf()));
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    Ok(found.into_iter().map(|(_, p)| p).collect())
}
