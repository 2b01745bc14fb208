//! Render stage: turns a validated [`Portal`] into the files of the static site. A pure
//! [`plan`] names every file first (and finds what would make the output unwritable); this
//! module walks it, rendering pages in parallel (rayon) into [`Output`]s. Nothing here touches
//! the disk except reading the project's `static/` files and the API documents offered for
//! download as written. [`render_files`] renders part of a
//! plan ([`Selection`]) and skips pages whose template context is unchanged (by fingerprint):
//! `serve`'s incremental rebuilds run on it, and [`render`] is its full form.
//!
//! Layout: [`plan`] (what is written where), [`urls`] (the URL scheme), [`context`] (the
//! template contract), [`views`] (model → contract), [`schema`] (schema trees), [`examples`]
//! (documented and generated examples), [`samples`] (code samples), [`highlight`] (syntax
//! highlighting), [`links`] (guide links), [`engine`] (the only module that knows minijinja),
//! [`markdown`], [`escape`], and one module per non-HTML output: [`downloads`] ([`openapi_doc`],
//! [`postman`]), [`search`] (Pagefind), [`llms`] (`llms.txt`, markdown twins), [`indexes`]
//! (`robots.txt`), [`sitemap`].

pub mod context;
pub mod downloads;
pub mod enforcement;
pub mod engine;
pub mod escape;
pub mod examples;
pub mod highlight;
pub mod indexes;
pub mod links;
pub mod llms;
pub mod markdown;
pub mod openapi_doc;
pub mod plan;
pub mod postman;
pub mod samples;
pub mod schema;
pub mod search;
pub mod sitemap;
pub mod urls;
pub mod views;

#[cfg(test)]
mod contract_tests;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::audience::Visible;
use crate::model::{OperationId, Portal, reach};
use crate::output::Output;
use context::*;
use engine::Engine;
use links::{Resolved, Targets};
use plan::{FileKind, Job, Plan, PlannedFile};
use views::SiteViews;

/// Options of one render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Overrides `base_url` from portal.yaml (already normalised, ends with `/`).
    pub base_url: Option<String>,
    /// Teams whose private content this build includes.
    pub audiences: Vec<String>,
    /// When set, pages include a live-reload client connecting to this URL.
    pub live_reload: Option<String>,
    /// Told of every stage and file rendered (a progress bar on a terminal).
    pub progress: Progress,
}

/// Where a render reports its progress: stages, and files done within a stage. The default
/// reports nothing; the CLI passes a reporter that draws a progress bar on a terminal.
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<dyn ProgressSink>>);

/// Receives a render's progress (called from several threads at once).
pub trait ProgressSink: Send + Sync {
    /// A new stage of `total` steps begins.
    fn stage(&self, name: &str, total: u64);
    /// One step of the current stage is done.
    fn advance(&self);
}

impl Progress {
    pub fn new(sink: std::sync::Arc<dyn ProgressSink>) -> Self {
        Progress(Some(sink))
    }
    pub fn stage(&self, name: &str, total: u64) {
        if let Some(s) = &self.0 {
            s.stage(name, total);
        }
    }
    pub fn advance(&self) {
        if let Some(s) = &self.0 {
            s.advance();
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

/// Everything a build writes, plus what was left out.
pub struct Rendered {
    pub outputs: Vec<Output>,
    pub visible: Visible,
}

/// Render every file of `plan` (planned for `opts.audiences`). The plan's own diagnostics are
/// the caller's to report; template errors become diagnostics here, and on any, no outputs
/// are returned.
pub fn render(
    portal: &Portal,
    plan: Plan,
    opts: &RenderOptions,
    diags: &mut Diagnostics,
) -> Option<Rendered> {
    let partial = render_files(portal, &plan, opts, &Selection::all(), diags)?;
    Some(Rendered {
        outputs: partial.outputs,
        visible: plan.visible,
    })
}

/// Which planned files a partial render renders ([`render_files`]).
pub struct Selection<'a> {
    /// Whether to render this planned file.
    pub pick: &'a (dyn Fn(&PlannedFile) -> bool + Sync),
    /// Fingerprints of page contexts rendered before with the same templates and options
    /// (by output path): a picked page whose context has the same fingerprint again is not
    /// rendered, since a page is a function of its template and its context alone.
    pub known: Option<&'a HashMap<String, Fingerprint>>,
}

impl Selection<'static> {
    /// Every file, nothing known: a full render.
    pub fn all() -> Self {
        Selection {
            pick: &|_| true,
            known: None,
        }
    }
}

/// The fingerprint of a page's template context (128 bits of SipHash over its JSON form).
pub type Fingerprint = u128;

/// What a partial render produced.
#[derive(Debug, Default)]
pub struct Partial {
    /// The rendered files, sorted by path (a static file replacing a generated one wins).
    pub outputs: Vec<Output>,
    /// The context fingerprint of every picked page, rendered or not.
    pub fingerprints: HashMap<String, Fingerprint>,
    /// Picked pages left unrendered because their context was known.
    pub unchanged: Vec<String>,
}

/// Render the files of `plan` that `selection` picks. A planned file that a file of `static/`
/// replaces is not rendered (the static file is, when picked). Sitemaps are rendered together,
/// when any is picked. Template errors become diagnostics, and on any, nothing is returned.
pub fn render_files(
    portal: &Portal,
    plan: &Plan,
    opts: &RenderOptions,
    selection: &Selection<'_>,
    diags: &mut Diagnostics,
) -> Option<Partial> {
    let engine = match Engine::new(&portal.templates, &portal.config.limits) {
        Ok(e) => e,
        Err(errs) => {
            errs.into_iter().for_each(|d| diags.push(d));
            return None;
        }
    };
    let base_url = opts
        .base_url
        .clone()
        .unwrap_or_else(|| portal.config.base_url.clone());
    let paths = plan.paths();
    let visible = &plan.visible;
    let cx = Renderer {
        pages: Pages::new(portal, visible, &paths, &base_url, opts),
        engine: &engine,
        base_url: &base_url,
    };
    let replaced: std::collections::BTreeSet<&str> = plan
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Static(_)))
        .map(|f| f.path.as_str())
        .collect();
    let picked: Vec<&PlannedFile> = plan
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Static(_)) || !replaced.contains(f.path.as_str()))
        .filter(|f| (selection.pick)(f))
        .collect();
    // Pages and their markdown twins render in parallel. The other files follow one at a
    // time: a download of a large API is a large JSON tree, and building two at once would
    // double the peak memory. Sitemaps and the search index are built whole, below.
    let (pages, rest): (Vec<&PlannedFile>, Vec<&PlannedFile>) = picked
        .iter()
        .filter(|f| !f.kind.is_built_whole())
        .partition(|f| matches!(f.kind, FileKind::Page { .. }));
    let (twins, rest): (Vec<&PlannedFile>, Vec<&PlannedFile>) = rest
        .into_iter()
        .partition(|f| matches!(f.kind, FileKind::OperationMarkdown(_)));
    let progress = &opts.progress;
    progress.stage("Rendering pages", (pages.len() + twins.len()) as u64);
    let page_results: Vec<Result<PageResult, Diagnostic>> = pages
        .par_iter()
        .map(|f| {
            let r = match &f.kind {
                FileKind::Page { job, url } => cx.page(&f.path, job, url, selection.known),
                _ => unreachable!("partitioned on pages"),
            };
            progress.advance();
            r
        })
        .collect();
    let twin_results: Vec<Result<Output, Diagnostic>> = twins
        .par_iter()
        .map(|f| {
            let r = cx.file(&f.path, &f.kind);
            progress.advance();
            r
        })
        .collect();
    let mut partial = Partial::default();
    let mut failed = false;
    for r in page_results {
        match r {
            Ok(p) => {
                partial.fingerprints.insert(p.path.clone(), p.fingerprint);
                match p.output {
                    Some(o) => partial.outputs.push(o),
                    None => partial.unchanged.push(p.path),
                }
            }
            Err(d) => {
                failed = true;
                diags.push(d);
            }
        }
    }
    progress.stage("Writing downloads and indexes", rest.len() as u64);
    let rest_results = rest.iter().map(|f| {
        let r = cx.file(&f.path, &f.kind);
        progress.advance();
        r
    });
    for r in twin_results.into_iter().chain(rest_results) {
        match r {
            Ok(o) => partial.outputs.push(o),
            Err(d) => {
                failed = true;
                diags.push(d);
            }
        }
    }
    if failed {
        return None;
    }
    if picked.iter().any(|f| f.kind == FileKind::Search) {
        let records = search::records(&cx.pages.views, &|g, url| {
            cx.pages.guide(g, url).content_html
        });
        progress.stage("Indexing for search", records.len() as u64);
        match search::index(&records, &|| progress.advance()) {
            Ok(files) => partial.outputs.extend(files),
            Err(d) => {
                diags.push(d);
                return None;
            }
        }
    }
    if picked.iter().any(|f| f.kind == FileKind::Sitemap) {
        let page_urls: Vec<String> = plan
            .pages()
            .filter(|(job, _)| **job != Job::NotFound)
            .map(|(_, url)| url.to_string())
            .collect();
        partial
            .outputs
            .extend(sitemap::render(&base_url, &page_urls));
    }
    debug_assert!(
        partial.outputs.iter().all(|o| plan.covers(&o.path)),
        "the plan names every file"
    );
    // Stable sort: for equal paths the static file (planned last) comes last and wins.
    partial.outputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut deduped: Vec<Output> = Vec::with_capacity(partial.outputs.len());
    for o in std::mem::take(&mut partial.outputs) {
        if deduped.last().is_some_and(|l: &Output| l.path == o.path) {
            deduped.pop();
        }
        deduped.push(o);
    }
    partial.outputs = deduped;
    partial.unchanged.sort();
    Some(partial)
}

/// One picked page: its context's fingerprint and, unless the context was known, its output.
struct PageResult {
    path: String,
    fingerprint: Fingerprint,
    output: Option<Output>,
}

/// A hasher fed through `io::Write`, so a context is fingerprinted as it serialises (no
/// string of the whole context is built).
struct FingerprintWriter(
    std::collections::hash_map::DefaultHasher,
    std::collections::hash_map::DefaultHasher,
);

impl std::io::Write for FingerprintWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use std::hash::Hasher;
        self.0.write(buf);
        self.1.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The fingerprint of a page's template name and context.
fn fingerprint(template: &str, ctx: &PageContext<'_>) -> Fingerprint {
    use std::hash::Hasher;
    let mut w = FingerprintWriter(
        std::collections::hash_map::DefaultHasher::new(),
        std::collections::hash_map::DefaultHasher::new(),
    );
    // Two SipHash states that differ from the first byte on: 128 bits of fingerprint.
    w.1.write_u8(0x5a);
    w.0.write(template.as_bytes());
    w.1.write(template.as_bytes());
    {
        // serde_json writes many tiny pieces: hash them in blocks.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 14, &mut w);
        serde_json::to_writer(&mut buffered, ctx).expect("a page context serialises");
        std::io::Write::flush(&mut buffered).expect("hashing cannot fail");
    }
    (u128::from(w.0.finish()) << 64) | u128::from(w.1.finish())
}

/// What rendering one build needs, shared by every job.
struct Renderer<'a> {
    pages: Pages<'a>,
    engine: &'a Engine,
    base_url: &'a str,
}

impl Renderer<'_> {
    /// One page; not rendered when `known` holds its context's fingerprint already.
    fn page(
        &self,
        path: &str,
        job: &Job,
        url: &str,
        known: Option<&HashMap<String, Fingerprint>>,
    ) -> Result<PageResult, Diagnostic> {
        let ctx = self.pages.context(job, url);
        let template = ctx.page.kind.template();
        let fp = fingerprint(template, &ctx);
        let output = if known.and_then(|k| k.get(path)) == Some(&fp) {
            None
        } else {
            Some(Output::new(
                path,
                self.engine.render(template, &ctx, url)?.into_bytes(),
            ))
        };
        Ok(PageResult {
            path: path.to_string(),
            fingerprint: fp,
            output,
        })
    }

    /// One planned file.
    fn file(&self, path: &str, kind: &FileKind) -> Result<Output, Diagnostic> {
        let views = &self.pages.views;
        let portal = views.portal;
        let visible = views.visible;
        let bytes = match kind {
            FileKind::Page { job, url } => {
                let ctx = self.pages.context(job, url);
                self.engine
                    .render(ctx.page.kind.template(), &ctx, url)?
                    .into_bytes()
            }
            FileKind::Download(owner, format) => {
                downloads::render(portal, visible, *owner, *format)
            }
            FileKind::Original(a) => {
                let api = portal.api(*a);
                match &api.original.bundled {
                    Some(text) => text.clone().into_bytes(),
                    None => api.original.text.as_bytes().to_vec(),
                }
            }
            FileKind::LlmsTxt => llms::llms_txt(views, self.base_url).into_bytes(),
            FileKind::LlmsFullTxt => llms::llms_full_txt(views, self.base_url).into_bytes(),
            FileKind::OperationMarkdown(o) => {
                llms::operation_markdown(views, *o, self.base_url).into_bytes()
            }
            FileKind::RobotsTxt => indexes::robots_txt(visible, self.base_url).into_bytes(),
            FileKind::Asset(i) => engine::BUILTIN_ASSETS[*i].1.to_vec(),
            FileKind::Static(rel) => {
                crate::load::read_static(&portal.static_files[rel], portal.config.limits.file_size)
                    .map_err(|why| {
                        Diagnostic::new(
                            codes::FILE_UNREADABLE,
                            format!("cannot read `static/{rel}`: {why}"),
                        )
                        .in_file(format!("static/{rel}"))
                    })?
            }
            FileKind::Sitemap | FileKind::Search | FileKind::SearchChunks => {
                unreachable!("sitemaps and the search index are built whole")
            }
        };
        Ok(Output::new(path, bytes))
    }
}

/// Builds the template context of every page of one build.
pub(crate) struct Pages<'a> {
    views: SiteViews<'a>,
    targets: Targets<'a>,
    /// The 404 page's root (absolute: it is served at any depth).
    base_path: String,
    live_reload: Option<String>,
}

impl<'a> Pages<'a> {
    pub(crate) fn new(
        portal: &'a Portal,
        visible: &'a Visible,
        paths: &'a std::collections::BTreeSet<String>,
        base_url: &str,
        opts: &RenderOptions,
    ) -> Self {
        Pages {
            views: SiteViews::new(portal, visible, base_url),
            targets: Targets {
                portal,
                visible,
                files: paths,
            },
            base_path: urls::base_path(base_url),
            live_reload: opts.live_reload.clone(),
        }
    }

    /// A guide as its page shows it, at `url`: links resolved (broken ones dropped: the plan
    /// reported them), headings with ids, the table of contents.
    pub(crate) fn guide(&self, g: crate::model::PageId, url: &str) -> DocView {
        let page = self.views.portal.page(g);
        let (body, base) = links::rendered_body(page);
        let r = markdown::render_with(body, &mut |dest, at| match links::resolve(
            &self.targets,
            page,
            url,
            dest,
            base + at,
        ) {
            Resolved::Keep => markdown::LinkAction::Keep,
            Resolved::Replace(to) => markdown::LinkAction::Replace(to),
            Resolved::Broken(_) => markdown::LinkAction::Unlink,
        });
        DocView {
            title: page.title.clone(),
            description: page.description.clone(),
            content_html: r.html,
            toc: r.toc,
        }
    }

    /// The context of the page `job` at `url`.
    pub(crate) fn context(&self, job: &Job, url: &str) -> PageContext<'_> {
        let portal = self.views.portal;
        let visible = self.views.visible;
        let views = &self.views;
        let root = if *job == Job::NotFound {
            self.base_path.clone()
        } else {
            urls::root_prefix(url)
        };
        let site_title = &portal.config.title;
        let summary = |d: &Option<String>| {
            d.as_deref()
                .map(views::summary_text)
                .filter(|t| !t.is_empty())
        };
        let (title, description, content) = match job {
            Job::Home => (
                portal.config.title.clone(),
                views.site.description.clone(),
                PageContent::Home(HomeContext {
                    intro_html: portal
                        .config
                        .description
                        .as_deref()
                        .map(markdown::to_html)
                        .unwrap_or_default(),
                    apis: views.api_cards(),
                    packages: views.package_cards(),
                    guides: views.guide_cards(),
                }),
            ),
            Job::ApiCatalog => {
                let apis = views.api_cards();
                let names: Vec<&str> = apis.iter().map(|a| a.title.as_str()).collect();
                (
                    "APIs".into(),
                    Some(format!("The APIs of {site_title}: {}.", names.join(", "))),
                    PageContent::Apis(ApisContext { apis }),
                )
            }
            Job::PackageCatalog => {
                let packages = views.package_cards();
                let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
                (
                    "API packages".into(),
                    Some(if names.is_empty() {
                        format!("{site_title} offers no API packages yet.")
                    } else {
                        format!("API packages of {site_title}: {}.", names.join(", "))
                    }),
                    PageContent::Packages(PackagesContext { packages }),
                )
            }
            Job::NotFound => (
                "Page not found".into(),
                None,
                PageContent::NotFound(NotFoundContext {}),
            ),
            Job::Api(a) => {
                let api = portal.api(*a);
                let count = reach::reachable_names(api, visible_ops(api, *a, visible)).len();
                let view = views::api_view(portal, visible, *a, count);
                let ops: usize = view
                    .tag_groups
                    .iter()
                    .flat_map(|g| &g.tags)
                    .map(|t| t.operations.len())
                    .sum();
                (
                    api.title.clone(),
                    Some(summary(&api.description).unwrap_or_else(|| {
                        format!(
                            "Reference of the {} API {}: {ops} operations, with their parameters, schemas and code samples.",
                            api.title, api.version
                        )
                    })),
                    PageContent::Api(ApiContext { api: view }),
                )
            }
            Job::Schemas(a) => {
                let api = portal.api(*a);
                let names = reach::reachable_names(api, visible_ops(api, *a, visible));
                (
                    format!("{} schemas", api.title),
                    Some(format!(
                        "The {} named schemas of the {} API, each with its fields, types and constraints.",
                        names.len(),
                        api.title
                    )),
                    PageContent::Schemas(SchemasContext {
                        api: views::api_ref(api),
                        schemas: views::schema_cards(api, &names),
                    }),
                )
            }
            Job::Schema(a, i) => {
                let api = portal.api(*a);
                let (name, id) = api.schema_names.get_index(*i).expect("planned schema");
                let schema = views::schema_view(api, name, url).expect("planned schema");
                (
                    format!("{name} schema · {}", api.title),
                    Some(summary(&api.schema(*id).description).unwrap_or_else(|| {
                        format!(
                            "The {name} schema of the {} API: its fields, types and constraints.",
                            api.title
                        )
                    })),
                    PageContent::Schema(SchemaContext {
                        api: views::api_ref(api),
                        schema,
                    }),
                )
            }
            Job::Operation(o) => {
                let (api, op) = portal.operation(*o);
                let endpoint = format!("{} {}", op.method, op.path);
                let title = match &op.summary {
                    Some(s) if views.duplicate_summaries.contains(s) => {
                        format!("{s} ({endpoint}) · {}", api.title)
                    }
                    Some(s) => format!("{s} · {}", api.title),
                    None => format!("{endpoint} · {}", api.title),
                };
                let description = summary(&op.description).unwrap_or_else(|| match &op.summary {
                    Some(s) => format!(
                        "{s}: {endpoint} of the {} API, with its parameters, responses and code samples.",
                        api.title
                    ),
                    None => format!(
                        "{endpoint} of the {} API, with its parameters, responses and code samples.",
                        api.title
                    ),
                });
                (
                    title,
                    Some(description),
                    PageContent::Operation(OperationContext {
                        api: views::api_ref(api),
                        op: views::operation_view(portal, visible, *o, url),
                    }),
                )
            }
            Job::Package(p) => {
                let pkg = portal.package(*p);
                let downloads = views::package_downloads(&urls::package(&pkg.slug));
                (
                    pkg.name.clone(),
                    Some(summary(&pkg.description).unwrap_or_else(|| {
                        format!(
                            "The {} API package: its {} operations, rate limit and how to authenticate.",
                            pkg.name,
                            pkg.operations.len()
                        )
                    })),
                    PageContent::Package(PackageContext {
                        package: views::package_view(portal, visible, pkg, downloads),
                    }),
                )
            }
            Job::Guide(g) => {
                let page = portal.page(*g);
                (
                    page.title.clone(),
                    page.description.clone(),
                    PageContent::Guide(GuideContext {
                        doc: self.guide(*g, url),
                    }),
                )
            }
        };
        let kind = content.kind();
        PageContext {
            site: &self.views.site,
            root,
            page: PageMeta {
                kind,
                url: url.to_string(),
                title,
                // What `<meta name="description">` holds: the page's, else the site's, cut.
                description: description
                    .as_deref()
                    .or(self.views.site.description.as_deref())
                    .map(views::meta_description),
            },
            nav: self.views.nav(url),
            live_reload: self.live_reload.clone(),
            content,
        }
    }
}

/// The operations of an API this build shows.
fn visible_ops<'a>(
    api: &'a crate::model::Api,
    a: crate::model::ApiId,
    visible: &'a crate::model::audience::Visible,
) -> impl Iterator<Item = &'a crate::model::Operation> + 'a {
    api.operations
        .iter()
        .enumerate()
        .filter(move |(oi, _)| visible.operation(OperationId::new(a, *oi)))
        .map(|(_, o)| o)
}
