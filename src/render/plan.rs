//! The plan of a build: every file the portal will hold, with its output path, computed from
//! the validated model and the audience alone — no rendering, no IO. Rendering walks the plan;
//! `check` runs it too, so everything that would make `build` refuse its output is known
//! before a template runs:
//!
//! - `duplicate-page`: two guides on one URL (over every guide, whatever its visibility, since
//!   some audience's build would write both);
//! - `output-clash`: two generated files on one path, or a path that would be both a file and
//!   a folder (a file of `static/` may still deliberately replace a generated file);
//! - `output-name-too-long`: a path segment longer than file systems allow (a 300-character
//!   operationId), reported where the name comes from;
//! - `broken-link`: a guide's link that reaches none of the planned files;
//! - `broken-anchor`: a guide's link to a heading or anchor its target page does not have.
//!
//! The search index is planned as its fixed files plus its folder ([`search::DIR`]): Pagefind
//! names its chunks by their content, known only once the index is built, so the plan
//! reserves the folder, and a file of `static/` inside it is an `output-clash`.
//!
//! No path segment can be longer than file systems allow: names from the project become
//! bounded segments in [`urls`] (a 300-character operationId gets a shortened, hashed name).
//!
//! The set of planned paths is also what guide links are resolved against (see
//! [`super::links`]), so "known paths" are never listed twice.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, codes};
use crate::model::audience::Visible;
use crate::model::{ApiId, OperationId, PackageId, PageId, Portal};
use crate::render::downloads::{Format, Owner};
use crate::render::links::{self, Targets};
use crate::render::{engine, search, sitemap, urls};
use crate::source::Span;

/// One page to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Home,
    ApiCatalog,
    Api(ApiId),
    Operation(OperationId),
    Schemas(ApiId),
    /// One named schema: its API and its index in [`crate::model::Api::schema_names`].
    Schema(ApiId, usize),
    PackageCatalog,
    Package(PackageId),
    Guide(PageId),
    NotFound,
}

impl Job {
    /// The page's URL (relative to the portal root).
    pub fn url(&self, portal: &Portal) -> String {
        match self {
            Job::Home => urls::HOME.to_string(),
            Job::ApiCatalog => urls::API_CATALOG.to_string(),
            Job::PackageCatalog => urls::PACKAGE_CATALOG.to_string(),
            Job::NotFound => urls::NOT_FOUND.to_string(),
            Job::Api(a) => urls::api(&portal.api(*a).slug),
            Job::Schemas(a) => urls::schemas(&portal.api(*a).slug),
            Job::Schema(a, i) => {
                let api = portal.api(*a);
                urls::schema(&api.slug, &api.schema_slugs[*i])
            }
            Job::Operation(o) => {
                let (api, op) = portal.operation(*o);
                urls::operation(&api.slug, &op.slug)
            }
            Job::Package(p) => urls::package(&portal.package(*p).slug),
            Job::Guide(g) => urls::guide(&portal.page(*g).path),
        }
    }
}

/// What a planned file is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// An HTML page, at `url`.
    Page {
        job: Job,
        url: String,
    },
    /// `sitemap.xml`, or one part of a split sitemap.
    Sitemap,
    /// A search index file with a fixed name ([`search::FIXED_FILES`]).
    Search,
    /// The search index's folder ([`search::DIR`], the planned path ends with `/`): every
    /// content-hashed chunk below it.
    SearchChunks,
    LlmsTxt,
    /// `llms-full.txt`: every visible operation and guide in full, as markdown.
    LlmsFullTxt,
    /// The markdown twin of an operation page (`apis/<api>/<op>/index.md`).
    OperationMarkdown(OperationId),
    RobotsTxt,
    /// The OpenAPI document or Postman collection of a package or API.
    Download(Owner, Format),
    /// An API's document as the project has it (bundled when split).
    Original(ApiId),
    /// A built-in theme asset (an index into [`engine::BUILTIN_ASSETS`]).
    Asset(usize),
    /// A file of the project's `static/` (its path below `static/`).
    Static(String),
}

impl FileKind {
    /// Sitemaps and the search index are built from every page at once, not file by file.
    pub fn is_built_whole(&self) -> bool {
        matches!(
            self,
            FileKind::Sitemap | FileKind::Search | FileKind::SearchChunks
        )
    }
}

/// One file of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the output root, `/`-separated.
    pub path: String,
    pub kind: FileKind,
}

/// Every file of one build, and what would stop the build from writing them.
#[derive(Debug)]
pub struct Plan {
    /// What this build shows.
    pub visible: Visible,
    /// In a stable order: pages, sitemaps, downloads, indexes, assets, then static files (so
    /// a static file comes after the generated file it replaces).
    pub files: Vec<PlannedFile>,
    /// The problems the plan found (errors stop the build; broken links are warnings).
    pub diagnostics: Vec<Diagnostic>,
}

impl Plan {
    /// The pages to render, with their URLs.
    pub fn pages(&self) -> impl Iterator<Item = (&Job, &str)> {
        self.files.iter().filter_map(|f| match &f.kind {
            FileKind::Page { job, url } => Some((job, url.as_str())),
            _ => None,
        })
    }

    /// Every path the build writes (what guide links may point at); a planned folder (the
    /// search index's) ends with `/`.
    pub fn paths(&self) -> BTreeSet<String> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    /// Whether the plan names `path`: as a file, or inside a planned folder.
    pub fn covers(&self, path: &str) -> bool {
        self.files.iter().any(|f| {
            f.path == path || (f.kind == FileKind::SearchChunks && path.starts_with(&f.path))
        })
    }
}

/// Plan the build for `audiences` (empty: the public build).
pub fn plan(portal: &Portal, audiences: &[String]) -> Plan {
    let visible = Visible::compute(portal, audiences);
    let files = files(portal, &visible);
    let mut diagnostics = Vec::new();
    duplicate_pages(portal, &mut diagnostics);
    clashes(portal, &files, &mut diagnostics);
    debug_assert!(
        files
            .iter()
            .all(|f| f.path.split('/').all(
                |s| s.len() <= urls::MAX_SEGMENT_BYTES || matches!(f.kind, FileKind::Static(_))
            )),
        "every generated path segment is bounded by urls::segment"
    );
    let paths: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let targets = Targets {
        portal,
        visible: &visible,
        files: &paths,
    };
    for f in &files {
        if let FileKind::Page {
            job: Job::Guide(g),
            url,
        } = &f.kind
        {
            diagnostics.extend(links::broken_links(&targets, portal.page(*g), url));
        }
    }
    Plan {
        visible,
        files,
        diagnostics,
    }
}

fn files(portal: &Portal, visible: &Visible) -> Vec<PlannedFile> {
    let mut jobs = vec![
        Job::Home,
        Job::ApiCatalog,
        Job::PackageCatalog,
        Job::NotFound,
    ];
    for (ai, api) in portal.api_ids() {
        if !visible.api(ai) {
            continue;
        }
        jobs.push(Job::Api(ai));
        jobs.push(Job::Schemas(ai));
        // A page for every named schema the visible operations use.
        let ops = api
            .operations
            .iter()
            .enumerate()
            .filter(|(oi, _)| visible.operation(OperationId::new(ai, *oi)))
            .map(|(_, o)| o);
        for name in crate::model::reach::reachable_names(api, ops) {
            if let Some(i) = api.schema_names.get_index_of(&name) {
                jobs.push(Job::Schema(ai, i));
            }
        }
        for oi in 0..api.operations.len() {
            let id = OperationId::new(ai, oi);
            if visible.operation(id) {
                jobs.push(Job::Operation(id));
            }
        }
    }
    jobs.extend(visible.packages.iter().map(|p| Job::Package(*p)));
    jobs.extend(visible.pages.iter().map(|g| Job::Guide(*g)));

    let mut files: Vec<PlannedFile> = jobs
        .iter()
        .map(|job| {
            let url = job.url(portal);
            PlannedFile {
                path: urls::output_path(&url),
                kind: FileKind::Page { job: *job, url },
            }
        })
        .collect();
    let twins: Vec<PlannedFile> = jobs
        .iter()
        .filter_map(|job| match job {
            Job::Operation(o) => Some(PlannedFile {
                path: urls::markdown_twin(&job.url(portal)),
                kind: FileKind::OperationMarkdown(*o),
            }),
            _ => None,
        })
        .collect();
    // The sitemap lists every page but the 404 page.
    let sitemap_urls = files.len() - 1;
    files.extend(
        sitemap::files(sitemap_urls)
            .into_iter()
            .map(|path| PlannedFile {
                path,
                kind: FileKind::Sitemap,
            }),
    );
    let owners = visible
        .packages
        .iter()
        .map(|p| (Owner::Package(*p), urls::package(&portal.package(*p).slug)))
        .chain(
            portal
                .api_ids()
                .filter(|(ai, _)| visible.api(*ai))
                .map(|(ai, api)| (Owner::Api(ai), urls::api(&api.slug))),
        );
    for (ai, api) in portal
        .api_ids()
        .filter(|(ai, _)| visible.api(*ai) && super::views::original_offered(portal, visible, *ai))
    {
        files.push(PlannedFile {
            path: urls::original_download(
                &api.slug,
                api.original.yaml && api.original.bundled.is_none(),
            ),
            kind: FileKind::Original(ai),
        });
    }
    for (owner, base) in owners {
        files.push(PlannedFile {
            path: urls::openapi_download(&base),
            kind: FileKind::Download(owner, Format::OpenApi),
        });
        files.push(PlannedFile {
            path: urls::postman_download(&base),
            kind: FileKind::Download(owner, Format::Postman),
        });
    }
    files.extend(twins);
    for (path, kind) in [
        (urls::LLMS_TXT, FileKind::LlmsTxt),
        (urls::LLMS_FULL_TXT, FileKind::LlmsFullTxt),
        (urls::ROBOTS_TXT, FileKind::RobotsTxt),
    ] {
        files.push(PlannedFile {
            path: path.to_string(),
            kind,
        });
    }
    files.extend(search::FIXED_FILES.iter().map(|path| PlannedFile {
        path: path.to_string(),
        kind: FileKind::Search,
    }));
    files.push(PlannedFile {
        path: search::DIR.to_string(),
        kind: FileKind::SearchChunks,
    });
    for (i, (path, _)) in engine::BUILTIN_ASSETS.iter().enumerate() {
        files.push(PlannedFile {
            path: path.to_string(),
            kind: FileKind::Asset(i),
        });
    }
    for rel in portal.static_files.keys() {
        files.push(PlannedFile {
            path: rel.clone(),
            kind: FileKind::Static(rel.clone()),
        });
    }
    files
}

/// Two guides on one URL (`a.md` and `a/index.md`), whatever their visibility.
fn duplicate_pages(portal: &Portal, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, &crate::model::Page> = BTreeMap::new();
    for p in &portal.pages {
        let url = urls::guide(&p.path);
        if let Some(first) = seen.insert(url.clone(), p) {
            out.push(
                Diagnostic::new(
                    codes::DUPLICATE_PAGE,
                    format!("two pages would be written to `{url}`"),
                )
                .at(&p.span)
                .help(format!(
                    "also produced by {}; rename one of them",
                    first.span.file
                )),
            );
        }
    }
}

/// Two generated files on one path, or a path that is both a file and a folder.
fn clashes(portal: &Portal, files: &[PlannedFile], out: &mut Vec<Diagnostic>) {
    let mut by_path: BTreeMap<&str, Vec<&PlannedFile>> = BTreeMap::new();
    for f in files {
        by_path.entry(f.path.as_str()).or_default().push(f);
    }
    for (path, here) in &by_path {
        let generated: Vec<&&PlannedFile> = here
            .iter()
            .filter(|f| !matches!(f.kind, FileKind::Static(_)))
            .collect();
        // Two guides on one URL are reported as `duplicate-page`, at the page.
        let all_guides = generated.iter().all(|f| {
            matches!(
                f.kind,
                FileKind::Page {
                    job: Job::Guide(_),
                    ..
                }
            )
        });
        if generated.len() > 1 && !all_guides {
            let mut d = Diagnostic::new(
                codes::OUTPUT_CLASH,
                format!(
                    "two files of the portal would be written to `{path}`: {} and {}",
                    describe(portal, &generated[0].kind),
                    describe(portal, &generated[1].kind)
                ),
            )
            .help("rename one of the items (an operationId, a page file or a package slug) so their URLs differ");
            if let Some(span) = source_span(portal, &generated[1].kind) {
                d = d.at(&span);
            }
            out.push(d);
        }
        // A file inside the search index's folder, other than its own: its name may be a
        // chunk's, and no build could tell.
        if path.starts_with(search::DIR)
            && !search::FIXED_FILES.contains(path)
            && let Some(f) = here
                .iter()
                .find(|f| !matches!(f.kind, FileKind::Search | FileKind::SearchChunks))
        {
            let mut d = Diagnostic::new(
                codes::OUTPUT_CLASH,
                format!(
                    "{} would be written to `{path}`, inside `{}`, the folder of the search index",
                    describe(portal, &f.kind),
                    search::DIR
                ),
            )
            .help("move the file out of that folder");
            if let Some(span) = source_span(portal, &f.kind) {
                d = d.at(&span);
            }
            out.push(d);
        }
        // A file where another file needs a folder: `static/apis/orders` beside the page
        // `apis/orders/index.html`. No file system holds both.
        if path.ends_with('/') {
            continue;
        }
        let folder = format!("{path}/");
        if let Some((inner, inside)) = by_path
            .range(folder.as_str()..)
            .next()
            .filter(|(p, _)| p.starts_with(&folder))
        {
            let file = here[here.len() - 1];
            let other = inside[inside.len() - 1];
            let mut d = Diagnostic::new(
                codes::OUTPUT_CLASH,
                format!(
                    "`{path}` would be both a file ({}) and a folder holding `{inner}` ({})",
                    describe(portal, &file.kind),
                    describe(portal, &other.kind)
                ),
            )
            .help("rename or move the file so that it does not take the name of a folder of the portal");
            if let Some(span) = source_span(portal, &file.kind) {
                d = d.at(&span);
            }
            out.push(d);
        }
    }
}

/// Where the name of a planned file comes from, for diagnostics.
fn source_span(portal: &Portal, kind: &FileKind) -> Option<Span> {
    match kind {
        FileKind::Page { job, .. } => match job {
            Job::Operation(o) => {
                let (_, op) = portal.operation(*o);
                Some(
                    op.operation_id_span
                        .clone()
                        .unwrap_or_else(|| op.span.clone()),
                )
            }
            Job::Api(a) | Job::Schemas(a) | Job::Schema(a, _) => {
                Some(portal.api(*a).source.clone())
            }
            Job::Package(p) => Some(portal.package(*p).span.clone()),
            Job::Guide(g) => Some(portal.page(*g).span.clone()),
            Job::Home | Job::ApiCatalog | Job::PackageCatalog | Job::NotFound => None,
        },
        FileKind::Download(Owner::Package(p), _) => Some(portal.package(*p).span.clone()),
        FileKind::Download(Owner::Api(a), _) | FileKind::Original(a) => {
            Some(portal.api(*a).source.clone())
        }
        FileKind::Static(rel) => Some(Span::file(format!("static/{rel}"))),
        FileKind::OperationMarkdown(o) => {
            let (_, op) = portal.operation(*o);
            Some(
                op.operation_id_span
                    .clone()
                    .unwrap_or_else(|| op.span.clone()),
            )
        }
        FileKind::Sitemap
        | FileKind::Search
        | FileKind::SearchChunks
        | FileKind::LlmsFullTxt
        | FileKind::LlmsTxt
        | FileKind::RobotsTxt
        | FileKind::Asset(_) => None,
    }
}

/// A planned file in words, for diagnostics.
fn describe(portal: &Portal, kind: &FileKind) -> String {
    match kind {
        FileKind::Page { job, .. } => match job {
            Job::Home => "the home page".into(),
            Job::ApiCatalog => "the API catalog".into(),
            Job::PackageCatalog => "the package catalog".into(),
            Job::NotFound => "the 404 page".into(),
            Job::Api(a) => format!("the page of API `{}`", portal.api(*a).slug),
            Job::Schemas(a) => format!("the schema index of API `{}`", portal.api(*a).slug),
            Job::Schema(a, i) => {
                let api = portal.api(*a);
                let name = api.schema_names.get_index(*i).map(|(n, _)| n.as_str());
                format!(
                    "the page of schema `{}` of API `{}`",
                    name.unwrap_or("?"),
                    api.slug
                )
            }
            Job::Operation(o) => {
                let (api, op) = portal.operation(*o);
                format!(
                    "the page of operation {} {} of API `{}`",
                    op.method, op.path, api.slug
                )
            }
            Job::Package(p) => format!("the page of package `{}`", portal.package(*p).slug),
            Job::Guide(g) => format!("the page of `{}`", portal.page(*g).span.file),
        },
        FileKind::Sitemap => "the sitemap".into(),
        FileKind::Search | FileKind::SearchChunks => "the search index".into(),
        FileKind::LlmsTxt => "llms.txt".into(),
        FileKind::LlmsFullTxt => "llms-full.txt".into(),
        FileKind::OperationMarkdown(o) => {
            let (api, op) = portal.operation(*o);
            format!(
                "the markdown twin of operation {} {} of API `{}`",
                op.method, op.path, api.slug
            )
        }
        FileKind::RobotsTxt => "robots.txt".into(),
        FileKind::Download(owner, format) => {
            let what = match format {
                Format::OpenApi => "the OpenAPI document",
                Format::Postman => "the Postman collection",
            };
            match owner {
                Owner::Package(p) => format!("{what} of package `{}`", portal.package(*p).slug),
                Owner::Api(a) => format!("{what} of API `{}`", portal.api(*a).slug),
            }
        }
        FileKind::Asset(i) => format!("the theme's `{}`", engine::BUILTIN_ASSETS[*i].0),
        FileKind::Original(a) => format!("the original document of API `{}`", portal.api(*a).slug),
        FileKind::Static(rel) => format!("`static/{rel}`"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::render::RenderOptions;

    /// The portal of a project on disk (loaded and validated; tests only).
    pub(crate) fn load(root: &std::path::Path) -> Portal {
        let sources = crate::source::SourceMap::default();
        let (project, mut diags) = crate::load::load(root, &sources).expect("the project loads");
        crate::validate::validate(project, &mut diags)
    }

    /// The plan names exactly the files a build writes, for the public and a team's build.
    #[test]
    fn the_plan_is_the_set_of_files_the_build_writes() {
        let portal = load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
        for audiences in [vec![], vec!["partners".to_string()]] {
            let planned = plan(&portal, &audiences);
            assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
            let named: BTreeSet<String> = planned
                .files
                .iter()
                .filter(|f| f.kind != FileKind::SearchChunks)
                .map(|f| f.path.clone())
                .collect();
            let opts = RenderOptions {
                audiences: audiences.clone(),
                ..RenderOptions::default()
            };
            let mut diags = crate::diagnostics::Diagnostics::new();
            let rendered =
                crate::render::render(&portal, planned, &opts, &mut diags).expect("rendered");
            let written: BTreeSet<String> = rendered.outputs.into_iter().map(|o| o.path).collect();
            assert!(diags.is_empty(), "{diags:?}");
            // Every file the plan names is written; every other file written is a chunk of
            // the search index, in the folder the plan reserves.
            let again = plan(&portal, &audiences);
            assert!(
                named.is_subset(&written),
                "audiences {audiences:?}: {:?}",
                named.difference(&written).collect::<Vec<_>>()
            );
            for w in written.difference(&named) {
                assert!(
                    w.starts_with(search::DIR) && again.covers(w),
                    "{w} is written but not planned"
                );
            }
            assert!(written.iter().any(|w| w.starts_with("pagefind/fragment/")));
        }
    }

    #[test]
    fn two_generated_files_on_one_path_clash_but_a_static_replacement_does_not() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let portal = load(&root);
        let page = |job: Job| PlannedFile {
            path: "x/index.html".into(),
            kind: FileKind::Page {
                job,
                url: "x/".into(),
            },
        };
        let api = ApiId::new(0);
        let mut out = Vec::new();
        clashes(
            &portal,
            &[
                page(Job::Api(api)),
                page(Job::Schemas(api)),
                PlannedFile {
                    path: "x/index.html".into(),
                    kind: FileKind::Static("x/index.html".into()),
                },
            ],
            &mut out,
        );
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code, codes::OUTPUT_CLASH);
        assert!(
            out[0].message.contains("the page of API") && out[0].message.contains("schema index"),
            "{}",
            out[0].message
        );
        // A static file over one generated file, and two guides (duplicate-page's to report).
        let mut out = Vec::new();
        let g = PageId::new(0);
        clashes(
            &portal,
            &[
                page(Job::Api(api)),
                PlannedFile {
                    path: "x/index.html".into(),
                    kind: FileKind::Static("x/index.html".into()),
                },
                page(Job::Guide(g)),
            ],
            &mut out,
        );
        assert_eq!(out.len(), 1, "API page and guide clash: {out:?}");
        let mut out = Vec::new();
        clashes(
            &portal,
            &[page(Job::Guide(g)), page(Job::Guide(g))],
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
    }
}
