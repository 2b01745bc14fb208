//! `serve`'s builds: the first one in full, then incremental rebuilds that redo only what the
//! changed files can affect, with results equal byte for byte to a full build of the same files
//! (tests/testsuite/serve_incremental.rs compares them over a scripted sequence of edits).
//!
//! What a rebuild reuses from the last good build:
//!
//! - **APIs**: an API whose files (its entry document and every `$ref` target it read) did
//!   not change is not loaded again; its model, diagnostics and source texts are reused
//!   ([`crate::load::load_with`]). Every other input (portal.yaml, packages, decK files,
//!   guides, templates) is small and read again, and validation and routing always run on the
//!   whole model, so cross-file rules see exactly what a full build sees.
//! - **Pages**: every page's template context is built and fingerprinted; a page whose
//!   fingerprint and templates are those of the last good build keeps its bytes
//!   ([`crate::render::render_files`]). A guide edit re-renders that guide and the pages that
//!   show what changed (navigation, cards); a template edit re-renders every page.
//! - **Downloads** (an API's or package's OpenAPI document and Postman collection) are
//!   rendered again only for a reloaded API and the packages holding its operations, unless
//!   portal.yaml, a package, a decK file or an unclassified file changed, or what the build
//!   shows (the visible set) changed: then all of them.
//! - **Static files** are copied again when they changed; a change of `static/` files alone
//!   (no file added or removed) skips everything else.
//!
//! The indexes (search index, llms.txt, robots.txt, sitemap) are rendered on every rebuild
//! that loads the project.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::diagnostics::Diagnostics;
use crate::load::Fatal;
use crate::model::{Api, ApiId, OperationId, PackageId, PageId, Portal};
use crate::output::Site;
use crate::pipeline;
use crate::render::downloads::Owner;
use crate::render::plan::{FileKind, PlannedFile};
use crate::render::{self, Fingerprint, RenderOptions, Selection, urls};
use crate::source::SourceMap;

/// Where pages load the live-reload client from (the `live_reload` template value).
pub const CLIENT_PATH: &str = "/__portalgen/live.js";

/// Builds the served site, reusing what the last good build made.
pub struct Builder {
    root: PathBuf,
    /// `http://127.0.0.1:4000`: the served base URL is this plus `base_url`'s path.
    origin: String,
    audiences: Vec<String>,
    apis: Mutex<HashMap<(String, PathBuf), Arc<CachedApi>>>,
    last: Option<Last>,
}

/// One API as its loader returned it, and the files it read.
struct CachedApi {
    api: Option<Api>,
    diags: Diagnostics,
    /// The source texts it registered (project-relative or absolute path → text).
    files: Vec<(String, Arc<str>)>,
    /// The same files as absolute paths.
    paths: BTreeSet<PathBuf>,
}

/// What the last good build made and was made from.
struct Last {
    site: Site,
    fingerprints: HashMap<String, Fingerprint>,
    templates: BTreeMap<String, String>,
    /// `static/` files by output path → source file.
    static_files: BTreeMap<String, PathBuf>,
    base_url: String,
    api_slugs: Vec<String>,
    visible: VisibleKey,
    diags: Diagnostics,
    sources: Arc<SourceMap>,
    read: BTreeSet<PathBuf>,
    manifests: Vec<String>,
}

/// What a build shows, comparable between builds.
type VisibleKey = (
    BTreeSet<ApiId>,
    BTreeSet<OperationId>,
    BTreeSet<PackageId>,
    BTreeSet<PageId>,
);

/// The result of one build.
pub struct Outcome {
    /// The new site, when the build succeeded.
    pub site: Option<Site>,
    pub diags: Diagnostics,
    pub sources: Arc<SourceMap>,
    /// The path of the served base URL (`/`, `/dev/`).
    pub base_path: String,
    /// What was rebuilt, in words.
    pub rebuilt: String,
    /// How many files of the site differ from the last good build (added, removed or changed).
    pub changed: usize,
    /// Every file the build read (absolute paths): what to watch.
    pub read: BTreeSet<PathBuf>,
    /// portal.yaml's `gateway.manifests` globs (new files matching them are inputs too).
    pub manifests: Vec<String>,
    pub elapsed: Duration,
}

impl Builder {
    /// A builder for the project at `root`, served at `origin` (`http://127.0.0.1:4000`) for
    /// `audiences`.
    pub fn new(root: &Path, origin: &str, audiences: &[String]) -> Builder {
        Builder {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            origin: origin.trim_end_matches('/').to_string(),
            audiences: audiences.to_vec(),
            apis: Mutex::new(HashMap::new()),
            last: None,
        }
    }

    /// The project folder (canonical when it exists).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Forget everything: the next build is a full one (after a bug interrupted a build).
    pub fn reset(&mut self) {
        self.apis = Mutex::new(HashMap::new());
        self.last = None;
    }

    /// The render options of a build whose portal.yaml says `base_url`.
    pub fn render_options(&self, base_url: &str) -> RenderOptions {
        RenderOptions {
            base_url: Some(format!("{}{}", self.origin, urls::base_path(base_url))),
            audiences: self.audiences.clone(),
            live_reload: Some(CLIENT_PATH.to_string()),
            progress: Default::default(),
        }
    }

    /// Build after `changed` files changed (absolute paths; empty for the first build, which
    /// builds everything). A project that is no project any more is the `Err`.
    pub fn build(&mut self, changed: &[PathBuf]) -> Result<Outcome, Fatal> {
        let started = Instant::now();
        if let Some(outcome) = self.static_only(changed, started) {
            return Ok(outcome);
        }
        self.invalidate(changed);
        let reloaded: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let requested: Mutex<BTreeSet<(String, PathBuf)>> = Mutex::new(BTreeSet::new());
        let cache = &self.apis;
        let loader = |files: &crate::load::Files, slug: &str, entry: &Path, sources: &SourceMap| {
            let root = files.root();
            let key = (slug.to_string(), entry.to_path_buf());
            requested.lock().expect("requested").insert(key.clone());
            let hit = cache.lock().expect("API cache").get(&key).cloned();
            let cached = match hit {
                Some(c) => c,
                None => {
                    let own = SourceMap::default();
                    let (api, diags) = crate::load::load_api(files, slug, entry, &own);
                    let texts: Vec<(String, Arc<str>)> = own
                        .paths()
                        .into_iter()
                        .filter_map(|p| own.text(&p).map(|t| (p, t)))
                        .collect();
                    let paths = texts.iter().map(|(p, _)| absolute(root, p)).collect();
                    let c = Arc::new(CachedApi {
                        api,
                        diags,
                        files: texts,
                        paths,
                    });
                    cache.lock().expect("API cache").insert(key, c.clone());
                    reloaded.lock().expect("reloaded").push(slug.to_string());
                    c
                }
            };
            for (p, t) in &cached.files {
                sources.add(p, t.clone());
            }
            (cached.api.clone(), cached.diags.clone())
        };
        let planned = pipeline::plan_build(&self.root, &self.audiences, false, &loader)?;
        let mut reloaded = reloaded.into_inner().expect("reloaded");
        reloaded.sort();
        // APIs no longer in the project leave the cache.
        let requested = requested.into_inner().expect("requested");
        let api_paths: BTreeSet<PathBuf> = {
            let mut cache = self.apis.lock().expect("API cache");
            cache.retain(|k, _| requested.contains(k));
            cache
                .values()
                .flat_map(|c| c.paths.iter().cloned())
                .collect()
        };
        let pipeline::Planned { checked, plan } = planned;
        let pipeline::Checked {
            portal,
            mut diags,
            sources,
            ..
        } = checked;
        let sources = Arc::new(sources);
        let read = self.read_set(&portal, &sources);
        let manifests: Vec<String> = (portal.config.gateway.manifests.iter())
            .map(|(g, _)| g.clone())
            .collect();
        let base_path = urls::base_path(&portal.config.base_url);
        let fail = |diags: Diagnostics, rebuilt: String| Outcome {
            site: None,
            diags,
            sources: sources.clone(),
            base_path: base_path.clone(),
            rebuilt,
            changed: 0,
            read: read.clone(),
            manifests: manifests.clone(),
            elapsed: started.elapsed(),
        };
        let loaded = if reloaded.is_empty() {
            String::new()
        } else {
            format!("reloaded {}; ", describe_apis(&reloaded))
        };
        let Some(plan) = plan else {
            return Ok(fail(diags, format!("{loaded}nothing rendered")));
        };
        let opts = self.render_options(&portal.config.base_url);
        let base_url = opts.base_url.clone().unwrap_or_default();
        let visible: VisibleKey = (
            plan.visible.apis.clone(),
            plan.visible.operations.clone(),
            plan.visible.packages.clone(),
            plan.visible.pages.clone(),
        );
        let api_slugs: Vec<String> = portal.apis.iter().map(|a| a.slug.to_string()).collect();
        let last = self.last.as_ref().filter(|l| l.base_url == base_url);
        let all_downloads = match last {
            None => true,
            Some(l) => {
                l.api_slugs != api_slugs
                    || l.visible != visible
                    || changed
                        .iter()
                        .any(|p| touches_downloads(&self.root, p, &api_paths))
            }
        };
        let reloaded_ids: BTreeSet<ApiId> = portal
            .api_ids()
            .filter(|(_, a)| reloaded.iter().any(|s| *s == a.slug.as_str()))
            .map(|(id, _)| id)
            .collect();
        let changed_set: BTreeSet<&PathBuf> = changed.iter().collect();
        let memo = last
            .filter(|l| l.templates == portal.templates)
            .map(|l| &l.fingerprints);
        let pick = |f: &PlannedFile| -> bool {
            let Some(l) = last else { return true };
            let is_static = matches!(f.kind, FileKind::Static(_));
            // A file the last build did not have, or had from the other source.
            if !l.site.contains_key(&f.path) || l.static_files.contains_key(&f.path) != is_static {
                return true;
            }
            match &f.kind {
                FileKind::Page { .. } => true,
                // Built from every page's content: cheap next to the pages, so always redone.
                FileKind::Sitemap
                | FileKind::Search
                | FileKind::SearchChunks
                | FileKind::LlmsTxt
                | FileKind::LlmsFullTxt
                | FileKind::OperationMarkdown(_)
                | FileKind::RobotsTxt => true,
                FileKind::Asset(_) => false,
                FileKind::Static(rel) => {
                    let source = &portal.static_files[rel];
                    changed_set.contains(source) || l.static_files.get(rel) != Some(source)
                }
                FileKind::Original(a) => reloaded_ids.contains(a),
                FileKind::Download(owner, _) => {
                    all_downloads
                        || match owner {
                            Owner::Api(a) => reloaded_ids.contains(a),
                            Owner::Package(p) => portal
                                .package(*p)
                                .operations
                                .iter()
                                .any(|po| reloaded_ids.contains(&po.operation.api)),
                        }
                }
            }
        };
        let selection = Selection {
            pick: &pick,
            known: memo,
        };
        let Some(partial) = render::render_files(&portal, &plan, &opts, &selection, &mut diags)
        else {
            diags.sort();
            return Ok(fail(diags, format!("{loaded}rendering failed")));
        };
        diags.sort();
        // The new site: every planned path, from this render or else the last good build.
        let mut rendered: BTreeMap<String, Vec<u8>> = partial
            .outputs
            .into_iter()
            .map(|o| (o.path, o.bytes))
            .collect();
        let rendered_count = rendered.len();
        let rendered_pages = rendered
            .keys()
            .filter(|p| partial.fingerprints.contains_key(*p))
            .count();
        let mut site = Site::new();
        for path in plan.paths() {
            // A folder of content-hashed files (the search index): always rendered, below.
            if path.ends_with('/') {
                continue;
            }
            let bytes = match rendered.remove(&path) {
                Some(b) => Bytes::from(b),
                None => match last.and_then(|l| l.site.get(&path)) {
                    Some(b) => b.clone(),
                    None => unreachable!("an unrendered file `{path}` comes from the last build"),
                },
            };
            site.insert(path, bytes);
        }
        // What is left was planned as a folder: the search index's chunks, all rendered now.
        for (path, bytes) in rendered {
            site.insert(path, Bytes::from(bytes));
        }
        let changed_files = match last {
            None => site.len(),
            Some(l) => count_differences(&l.site, &site),
        };
        let rebuilt = if last.is_none() {
            format!("{loaded}full build of {} files", site.len())
        } else {
            format!(
                "{loaded}rendered {rendered_count} of {} files ({rendered_pages} page{}, {} unchanged page{} skipped)",
                site.len(),
                plural(rendered_pages),
                partial.unchanged.len(),
                plural(partial.unchanged.len()),
            )
        };
        self.last = Some(Last {
            site: site.clone(),
            fingerprints: partial.fingerprints,
            templates: portal.templates.clone(),
            static_files: portal.static_files.clone(),
            base_url,
            api_slugs,
            visible,
            diags: diags.clone(),
            sources: sources.clone(),
            read: read.clone(),
            manifests: manifests.clone(),
        });
        Ok(Outcome {
            site: Some(site),
            diags,
            sources,
            base_path,
            rebuilt,
            changed: changed_files,
            read,
            manifests,
            elapsed: started.elapsed(),
        })
    }

    /// A change of existing `static/` files alone: copy them again, keep everything else.
    fn static_only(&mut self, changed: &[PathBuf], started: Instant) -> Option<Outcome> {
        let last = self.last.as_mut()?;
        if changed.is_empty() {
            return None;
        }
        let by_source: BTreeMap<&PathBuf, &String> =
            last.static_files.iter().map(|(rel, p)| (p, rel)).collect();
        let mut updates = Vec::new();
        for p in changed {
            let rel = by_source.get(p)?;
            // Still a regular file (the loader skips symlinks): else the plan changes.
            let meta = std::fs::symlink_metadata(p).ok()?;
            if !meta.is_file() {
                return None;
            }
            let bytes = std::fs::read(p).ok()?;
            updates.push(((*rel).clone(), bytes));
        }
        let mut site = last.site.clone();
        let mut differing = 0;
        for (rel, bytes) in updates {
            if site.get(&rel).is_none_or(|b| b[..] != bytes[..]) {
                differing += 1;
            }
            site.insert(rel, Bytes::from(bytes));
        }
        last.site = site.clone();
        Some(Outcome {
            site: Some(site),
            diags: last.diags.clone(),
            sources: last.sources.clone(),
            base_path: urls::base_path(&last.base_url),
            rebuilt: format!(
                "copied {} static file{}",
                changed.len(),
                if changed.len() == 1 { "" } else { "s" }
            ),
            changed: differing,
            read: last.read.clone(),
            manifests: last.manifests.clone(),
            elapsed: started.elapsed(),
        })
    }

    /// Forget the APIs a change may affect: those that read a changed file; all of them when
    /// a file below `apis/` changed that no API read (a new `$ref` target, a new document).
    fn invalidate(&mut self, changed: &[PathBuf]) {
        let mut cache = self.apis.lock().expect("API cache");
        let apis_dir = self.root.join("apis");
        for p in changed {
            let before = cache.len();
            cache.retain(|_, c| !c.paths.contains(p));
            if cache.len() == before && p.starts_with(&apis_dir) {
                cache.clear();
            }
        }
    }

    /// Every file the build read, as absolute paths: the source map's files and `static/`.
    fn read_set(&self, portal: &Portal, sources: &SourceMap) -> BTreeSet<PathBuf> {
        sources
            .paths()
            .iter()
            .map(|p| absolute(&self.root, p))
            .chain(portal.static_files.values().cloned())
            .collect()
    }
}

/// A source map path (project-relative, or absolute outside the project) as an absolute path.
/// `..` is resolved lexically (the root is canonical), so a file of a read root such as
/// `../shared/owner.yaml` has the path the watcher reports for it.
fn absolute(root: &Path, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a changed file may change downloads other than a reloaded API's and its packages':
/// portal.yaml, packages, decK files and anything unclassified may; guides, templates, static
/// files and API documents do not.
fn touches_downloads(root: &Path, p: &Path, api_files: &BTreeSet<PathBuf>) -> bool {
    if api_files.contains(p) {
        return false;
    }
    let Ok(rel) = p.strip_prefix(root) else {
        return true;
    };
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    !matches!(first.as_str(), "pages" | "templates" | "static" | "apis")
}

/// How many paths differ between two sites (in one, not the other, or with other bytes).
fn count_differences(a: &Site, b: &Site) -> usize {
    let changed = b.iter().filter(|(p, v)| a.get(*p) != Some(*v)).count();
    let removed = a.keys().filter(|p| !b.contains_key(*p)).count();
    changed + removed
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn describe_apis(slugs: &[String]) -> String {
    match slugs {
        [one] => format!("API {one}"),
        many if many.len() <= 3 => format!("APIs {}", many.join(", ")),
        many => format!("{} APIs", many.len()),
    }
}
