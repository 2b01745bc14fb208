//! Render stage: turns a validated [`Portal`] into the files of the static site. A pure
//! [`plan`] names every file first (and finds what would make the output unwritable); this
//! module walks it, rendering pages in parallel (rayon) into [`Output`]s. Nothing here touches
//! the disk except reading the project's `static/` files.
//!
//! Layout: [`plan`] (what is written where), [`urls`] (the URL scheme), [`context`] (the
//! template contract), [`views`] (model → contract), [`samples`] (code samples), [`links`]
//! (guide links), [`engine`] (the only module that knows minijinja), [`markdown`],
//! [`escape`], and one module per non-HTML output: [`downloads`] ([`openapi_doc`],
//! [`postman`]), [`indexes`], [`sitemap`].

pub mod context;
pub mod downloads;
pub mod engine;
pub mod escape;
pub mod indexes;
pub mod links;
pub mod markdown;
pub mod openapi_doc;
pub mod plan;
pub mod postman;
pub mod samples;
pub mod sitemap;
pub mod urls;
pub mod views;

#[cfg(test)]
mod contract_tests;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::model::audience::Visible;
use crate::model::{OperationId, Portal, reach};
use crate::output::Output;
use context::*;
use engine::Engine;
use links::{Resolved, Targets};
use plan::{FileKind, Job, Plan};
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
    // Pages render in parallel. The other files follow one at a time: a download of a large
    // API is a large JSON tree, and building two at once would double the peak memory.
    let (pages, rest): (Vec<_>, Vec<_>) = plan
        .files
        .iter()
        .filter(|f| f.kind != FileKind::Sitemap)
        .partition(|f| matches!(f.kind, FileKind::Page { .. }));
    let mut results: Vec<Result<Output, Diagnostic>> = pages
        .par_iter()
        .map(|f| cx.file(&f.path, &f.kind))
        .collect();
    results.extend(rest.iter().map(|f| cx.file(&f.path, &f.kind)));
    let mut outputs = Vec::with_capacity(results.len() + 1);
    let mut failed = false;
    for r in results {
        match r {
            Ok(o) => outputs.push(o),
            Err(d) => {
                failed = true;
                diags.push(d);
            }
        }
    }
    if failed {
        return None;
    }
    let page_urls: Vec<String> = plan
        .pages()
        .filter(|(job, _)| **job != Job::NotFound)
        .map(|(_, url)| url.to_string())
        .collect();
    let sitemaps = sitemap::render(&base_url, &page_urls);
    debug_assert!(
        sitemaps.iter().all(|o| paths.contains(&o.path)),
        "the plan names every sitemap file"
    );
    outputs.extend(sitemaps);
    // Stable sort: for equal paths the static file (planned last) comes last and wins.
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut deduped: Vec<Output> = Vec::with_capacity(outputs.len());
    for o in outputs {
        if deduped.last().is_some_and(|l: &Output| l.path == o.path) {
            deduped.pop();
        }
        deduped.push(o);
    }
    Some(Rendered {
        outputs: deduped,
        visible: plan.visible,
    })
}

/// What rendering one build needs, shared by every job.
struct Renderer<'a> {
    pages: Pages<'a>,
    engine: &'a Engine,
    base_url: &'a str,
}

impl Renderer<'_> {
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
            FileKind::LlmsTxt => indexes::llms_txt(views, self.base_url).into_bytes(),
            FileKind::SearchIndex => indexes::search_index(views),
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
            FileKind::Sitemap => unreachable!("sitemaps are rendered together"),
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

    /// The context of the page `job` at `url`.
    pub(crate) fn context(&self, job: &Job, url: &str) -> PageContext<'_> {
        let portal = self.views.portal;
        let visible = self.views.visible;
        let views = &self.views;
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
            Job::ApiCatalog => (
                "APIs".into(),
                None,
                PageContent::Apis(ApisContext {
                    apis: views.api_cards(),
                }),
            ),
            Job::PackageCatalog => (
                "API packages".into(),
                None,
                PageContent::Packages(PackagesContext {
                    packages: views.package_cards(),
                }),
            ),
            Job::NotFound => (
                "Page not found".into(),
                None,
                PageContent::NotFound(NotFoundContext {}),
            ),
            Job::Api(a) => {
                let api = portal.api(*a);
                let downloads = views::download_links(&urls::api(&api.slug));
                (
                    api.title.clone(),
                    api.description.as_deref().map(views::summary_text),
                    PageContent::Api(ApiContext {
                        api: views::api_view(portal, visible, *a, downloads),
                    }),
                )
            }
            Job::Schemas(a) => {
                let api = portal.api(*a);
                let ops = api
                    .operations
                    .iter()
                    .enumerate()
                    .filter(|(oi, _)| visible.operation(OperationId::new(*a, *oi)))
                    .map(|(_, o)| o);
                let names = reach::reachable_names(api, ops);
                (
                    format!("{} schemas", api.title),
                    None,
                    PageContent::Schemas(SchemasContext {
                        api: views::api_ref(api),
                        schemas: views::schema_views(api, &names),
                    }),
                )
            }
            Job::Operation(o) => {
                let (api, op) = portal.operation(*o);
                let title = op
                    .summary
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", op.method, op.path));
                (
                    title,
                    op.description.as_deref().map(views::summary_text),
                    PageContent::Operation(OperationContext {
                        api: views::api_ref(api),
                        op: views::operation_view(portal, visible, *o),
                    }),
                )
            }
            Job::Package(p) => {
                let pkg = portal.package(*p);
                let downloads = views::download_links(&urls::package(&pkg.slug));
                (
                    pkg.name.clone(),
                    pkg.description.as_deref().map(views::summary_text),
                    PageContent::Package(PackageContext {
                        package: views::package_view(portal, visible, pkg, downloads),
                    }),
                )
            }
            Job::Guide(g) => {
                let page = portal.page(*g);
                let (body, base) = links::rendered_body(page);
                // Broken links were reported by the plan; here they are only dropped.
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
                (
                    page.title.clone(),
                    page.description.clone(),
                    PageContent::Guide(GuideContext {
                        doc: DocView {
                            title: page.title.clone(),
                            description: page.description.clone(),
                            content_html: r.html,
                            toc: r.toc,
                        },
                    }),
                )
            }
        };
        let kind = content.kind();
        let root = if kind == PageKind::NotFound {
            self.base_path.clone()
        } else {
            urls::root_prefix(url)
        };
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
