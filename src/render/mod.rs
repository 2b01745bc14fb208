//! Render stage: turns a validated [`Portal`] into the files of the static site. A pure plan of
//! jobs ([`plan`]) is rendered in parallel (rayon) into [`Output`]s; nothing here touches the
//! disk except reading the project's `static/` files.

pub mod context;
pub mod engine;
pub mod markdown;
pub mod openapi_doc;
pub mod postman;
pub mod sitemap;

use crate::diagnostics::codes;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::audience::Visible;
use crate::model::{ApiId, OperationId, PackageId, PageId, Portal, reach};
use crate::output::Output;
use context::*;
use engine::Engine;

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

/// One page to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Home,
    ApiCatalog,
    Api(ApiId),
    Operation(OperationId),
    Schemas(ApiId),
    PackageCatalog,
    Package(PackageId),
    Guide(PageId),
    NotFound,
}

/// The pages a build produces, in a stable order.
pub fn plan(portal: &Portal, visible: &Visible) -> Vec<Job> {
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
        for oi in 0..api.operations.len() {
            let id = OperationId::new(ai, oi);
            if visible.operation(id) {
                jobs.push(Job::Operation(id));
            }
        }
    }
    jobs.extend(visible.packages.iter().map(|p| Job::Package(*p)));
    jobs.extend(visible.pages.iter().map(|g| Job::Guide(*g)));
    jobs
}

/// Everything a build writes, plus what was left out.
pub struct Rendered {
    pub outputs: Vec<Output>,
    pub visible: Visible,
}

/// Render the whole site. Template errors become diagnostics; on any, no outputs are returned.
pub fn render(portal: &Portal, opts: &RenderOptions, diags: &mut Diagnostics) -> Option<Rendered> {
    let visible = Visible::compute(portal, &opts.audiences);
    let engine = match Engine::new(&portal.templates) {
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
    let mut shared = Shared::new(portal, &visible, &base_url, opts);
    let jobs = plan(portal, &visible);
    shared.known = known_paths(portal, &visible, &jobs);
    let results: Vec<Result<(Output, Vec<Diagnostic>), Diagnostic>> = jobs
        .par_iter()
        .map(|job| render_job(&shared, &engine, job))
        .collect();
    let mut outputs = Vec::with_capacity(results.len() + 16);
    let mut failed = false;
    for r in results {
        match r {
            Ok((o, warnings)) => {
                outputs.push(o);
                warnings.into_iter().for_each(|d| diags.push(d));
            }
            Err(d) => {
                failed = true;
                diags.push(d);
            }
        }
    }
    if failed {
        return None;
    }
    let page_urls: Vec<String> = jobs
        .iter()
        .filter(|j| **j != Job::NotFound)
        .map(|j| job_url(portal, j))
        .collect();
    outputs.extend(sitemap::sitemap(&base_url, &page_urls));
    outputs.extend(downloads(portal, &visible));
    outputs.push(Output::new("llms.txt", llms_txt(&shared, &base_url)));
    outputs.push(Output::new("search-index.json", search_index(&shared)));
    // A build for a team is not for search engines.
    let robots = if opts.audiences.is_empty() {
        format!("User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n")
    } else {
        "User-agent: *\nDisallow: /\n".to_string()
    };
    outputs.push(Output::new("robots.txt", robots));
    for (path, bytes) in engine::BUILTIN_ASSETS {
        outputs.push(Output::new(*path, *bytes));
    }
    // Two generated files on one path would silently lose one: that is a bug or a clash of
    // names, reported as an error. A file of `static/` may deliberately replace a generated one.
    let generated = outputs.len();
    for (rel, path) in &portal.static_files {
        match std::fs::read(path) {
            Ok(bytes) => outputs.push(Output::new(rel.clone(), bytes)),
            Err(e) => diags.push(
                Diagnostic::new(
                    codes::FILE_UNREADABLE,
                    format!("cannot read static file: {e}"),
                )
                .in_file(format!("static/{rel}")),
            ),
        }
    }
    let mut seen: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut clash = false;
    for o in outputs.iter().take(generated) {
        if !seen.insert(o.path.as_str()) {
            clash = true;
            diags.push(
                Diagnostic::new(codes::OUTPUT_CLASH, format!("two pages of the portal would be written to `{}`", o.path))
                    .help("rename one of the items (an operationId, a page file or a package slug) so their URLs differ"),
            );
        }
    }
    if clash {
        return None;
    }
    // Stable sort: for equal paths the static file (pushed later) comes last and wins.
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
        visible,
    })
}

/// Context shared by every page, serialized once per page.
struct Shared<'a> {
    portal: &'a Portal,
    visible: &'a Visible,
    site: SiteView,
    base_path: String,
    live_reload: Option<String>,
    guides_sorted: Vec<PageId>,
    /// Every file path the build writes, for checking links in guides.
    known: std::collections::BTreeSet<String>,
    /// Per API (by index): its visible operations grouped by tag, computed once.
    nav_groups: Vec<Vec<(String, Vec<usize>)>>,
}

/// Above this many operations, an operation page's navigation lists only its own tag's
/// operations (other tags become links with a count).
const NAV_OP_LIMIT: usize = 150;

impl<'a> Shared<'a> {
    fn new(portal: &'a Portal, visible: &'a Visible, base_url: &str, opts: &RenderOptions) -> Self {
        let mut guides_sorted: Vec<PageId> = visible.pages.iter().copied().collect();
        guides_sorted.sort_by(|a, b| {
            let (pa, pb) = (portal.page(*a), portal.page(*b));
            pa.weight
                .cmp(&pb.weight)
                .then(pa.title.cmp(&pb.title))
                .then(pa.url_path.cmp(&pb.url_path))
        });
        let base_path = base_url
            .find("://")
            .and_then(|i| {
                base_url[i + 3..]
                    .find('/')
                    .map(|j| base_url[i + 3 + j..].to_string())
            })
            .unwrap_or_else(|| "/".into());
        Shared {
            portal,
            visible,
            site: SiteView {
                title: portal.config.title.clone(),
                description: portal.config.description.as_deref().map(markdown::to_text),
                base_url: base_url.to_string(),
                generator: format!("portalgen {}", env!("CARGO_PKG_VERSION")),
                custom_css: portal.static_files.contains_key("theme.css"),
                noindex: !opts.audiences.is_empty(),
            },
            base_path,
            live_reload: opts.live_reload.clone(),
            guides_sorted,
            known: Default::default(),
            nav_groups: portal
                .api_ids()
                .map(|(ai, a)| {
                    tag_groups(ai, a, visible)
                        .into_iter()
                        .map(|(name, _, ops)| (name, ops.iter().map(|o| o.index()).collect()))
                        .collect()
                })
                .collect(),
        }
    }

    fn nav(&self, active_url: &str) -> Nav {
        let p = self.portal;
        Nav {
            apis: p
                .api_ids()
                .filter(|(ai, _)| self.visible.api(*ai))
                .map(|(ai, a)| {
                    let active = active_url.starts_with(&api_url(&a.slug));
                    let groups = &self.nav_groups[ai.index()];
                    let count: usize = groups.iter().map(|(_, ops)| ops.len()).sum();
                    // Pages carry only the current API's operations, and on a large API's
                    // operation pages only the current tag's: every page stays small and a
                    // build stays linear in the number of operations.
                    let on_op_page = active && active_url != api_url(&a.slug);
                    let tags = if !active {
                        Vec::new()
                    } else {
                        groups
                            .iter()
                            .map(|(name, ops)| {
                                let holds_current = ops.iter().any(|oi| {
                                    active_url == operation_url(&a.slug, &a.operations[*oi].slug)
                                });
                                let expand = count <= NAV_OP_LIMIT || !on_op_page || holds_current;
                                NavTag {
                                    name: name.clone(),
                                    count: ops.len(),
                                    operations: if expand {
                                        ops.iter()
                                            .map(|oi| {
                                                let o = &a.operations[*oi];
                                                let url = operation_url(&a.slug, &o.slug);
                                                NavOp {
                                                    method: o.method.as_str(),
                                                    path: o.path.clone(),
                                                    summary: o.summary.clone(),
                                                    deprecated: o.deprecated,
                                                    active: active_url == url,
                                                    url,
                                                }
                                            })
                                            .collect()
                                    } else {
                                        Vec::new()
                                    },
                                }
                            })
                            .collect()
                    };
                    NavApi {
                        slug: a.slug.to_string(),
                        title: a.title.clone(),
                        version: a.version.clone(),
                        url: api_url(&a.slug),
                        active,
                        operation_count: count,
                        tags,
                    }
                })
                .collect(),
            packages: self
                .visible
                .packages
                .iter()
                .map(|id| p.package(*id))
                .map(|pk| NavLink {
                    slug: pk.slug.to_string(),
                    name: pk.name.clone(),
                    title: pk.name.clone(),
                    url: package_url(&pk.slug),
                    active: active_url == package_url(&pk.slug),
                })
                .collect(),
            guides: self
                .guides_sorted
                .iter()
                .map(|i| {
                    let g = p.page(*i);
                    let url = format!("{}/", g.url_path);
                    NavLink {
                        slug: g.url_path.clone(),
                        name: g.title.clone(),
                        title: g.title.clone(),
                        active: active_url == url,
                        url,
                    }
                })
                .collect(),
        }
    }

    fn api_cards(&self) -> Vec<ApiCard> {
        self.portal
            .api_ids()
            .filter(|(ai, _)| self.visible.api(*ai))
            .map(|(ai, a)| ApiCard {
                slug: a.slug.to_string(),
                title: a.title.clone(),
                version: a.version.clone(),
                description_html: a
                    .description
                    .as_deref()
                    .map(summary_html)
                    .unwrap_or_default(),
                url: api_url(&a.slug),
                operation_count: self
                    .visible
                    .operations
                    .iter()
                    .filter(|o| o.api == ai)
                    .count(),
            })
            .collect()
    }

    fn package_cards(&self) -> Vec<PackageCard> {
        self.visible
            .packages
            .iter()
            .map(|id| self.portal.package(*id))
            .map(|p| PackageCard {
                slug: p.slug.to_string(),
                name: p.name.clone(),
                version: p.version.clone(),
                description_html: p
                    .description
                    .as_deref()
                    .map(summary_html)
                    .unwrap_or_default(),
                url: package_url(&p.slug),
                rate_limit_words: p.rate_limit.map(|r| r.words()),
                auth_name: strategy(&self.portal.config, &p.auth_strategy)
                    .map(|s| s.display_name.clone()),
                operation_count: p.operations.len(),
            })
            .collect()
    }

    fn guide_cards(&self) -> Vec<GuideCard> {
        self.guides_sorted
            .iter()
            .map(|i| {
                let g = self.portal.page(*i);
                GuideCard {
                    title: g.title.clone(),
                    description: g.description.clone(),
                    url: format!("{}/", g.url_path),
                }
            })
            .collect()
    }
}

/// The search index: one entry per visible page (APIs, operations, packages, guides), loaded
/// by the theme's search box on first use. Built from the visible set like everything else,
/// so private content cannot be found.
fn search_index(shared: &Shared<'_>) -> Vec<u8> {
    let portal = shared.portal;
    let clip = |s: String| -> String {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        match s.char_indices().nth(180) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s,
        }
    };
    let mut entries: Vec<Value> = Vec::new();
    for (ai, api) in portal.api_ids() {
        if !shared.visible.api(ai) {
            continue;
        }
        let desc = api
            .description
            .as_deref()
            .map(|d| clip(markdown::to_text(d)))
            .unwrap_or_default();
        entries.push(json!({ "k": "api", "t": api.title, "u": api_url(&api.slug), "s": desc }));
        for (_, ops) in &shared.nav_groups[ai.index()] {
            for oi in ops {
                let o = &api.operations[*oi];
                let text = [
                    o.operation_id.clone(),
                    o.description.as_deref().map(markdown::to_text),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
                entries.push(json!({
                    "k": "operation",
                    "t": o.summary.clone().unwrap_or_else(|| format!("{} {}", o.method, o.path)),
                    "u": operation_url(&api.slug, &o.slug),
                    "m": o.method.as_str(),
                    "p": o.path,
                    "a": api.title,
                    "s": clip(text),
                }));
            }
        }
    }
    for p in shared.visible.packages.iter().map(|id| portal.package(*id)) {
        let desc = p
            .description
            .as_deref()
            .map(|d| clip(markdown::to_text(d)))
            .unwrap_or_default();
        entries.push(json!({ "k": "package", "t": p.name, "u": package_url(&p.slug), "s": desc }));
    }
    for gi in &shared.guides_sorted {
        let g = portal.page(*gi);
        let text = format!(
            "{} {}",
            g.description.clone().unwrap_or_default(),
            markdown::to_text(&g.body)
        );
        entries.push(
            json!({ "k": "guide", "t": g.title, "u": format!("{}/", g.url_path), "s": clip(text) }),
        );
    }
    let mut bytes = serde_json::to_vec(&Value::Array(entries)).expect("JSON serializes");
    bytes.push(b'\n');
    bytes
}

/// `llms.txt` (llmstxt.org): the portal's visible content as a markdown index with absolute
/// links, so assistants can find the API reference without crawling.
fn llms_txt(shared: &Shared<'_>, base_url: &str) -> String {
    let portal = shared.portal;
    let mut s = format!("# {}\n\n", portal.config.title);
    if let Some(d) = &shared.site.description {
        s.push_str(&format!("> {d}\n\n"));
    }
    let line = |title: &str, url: &str, desc: &str| {
        if desc.is_empty() {
            format!("- [{title}]({base_url}{url})\n")
        } else {
            format!("- [{title}]({base_url}{url}): {desc}\n")
        }
    };
    let apis = shared.api_cards();
    if !apis.is_empty() {
        s.push_str("## APIs\n\n");
        for a in &apis {
            let (_, api) = portal.api_by_slug(&a.slug).expect("visible API exists");
            let desc = api
                .description
                .as_deref()
                .map(summary_text)
                .unwrap_or_default();
            s.push_str(&line(&a.title, &a.url, &desc));
            s.push_str(&line(
                &format!("{} OpenAPI document", a.title),
                &format!("{}openapi.json", a.url),
                "",
            ));
        }
        s.push('\n');
    }
    let packages = shared.package_cards();
    if !packages.is_empty() {
        s.push_str("## API packages\n\n");
        for p in &packages {
            let pkg = portal
                .packages
                .iter()
                .find(|x| x.slug == p.slug)
                .expect("visible package exists");
            let mut desc = pkg
                .description
                .as_deref()
                .map(summary_text)
                .unwrap_or_default();
            if let Some(w) = &p.rate_limit_words {
                desc = format!("{desc} ({w} per application)").trim().to_string();
            }
            s.push_str(&line(&p.name, &p.url, &desc));
        }
        s.push('\n');
    }
    let guides = shared.guide_cards();
    if !guides.is_empty() {
        s.push_str("## Guides\n\n");
        for g in &guides {
            s.push_str(&line(
                &g.title,
                &g.url,
                g.description.as_deref().unwrap_or(""),
            ));
        }
    }
    s
}

/// Links to the downloads written beside a package or API page.
fn download_links(page_url: &str) -> Vec<Download> {
    vec![
        Download {
            label: "OpenAPI 3.1 (JSON)".into(),
            url: format!("{page_url}openapi.json"),
        },
        Download {
            label: "Postman collection".into(),
            url: format!("{page_url}postman.json"),
        },
    ]
}

/// The OpenAPI and Postman downloads of every visible package and API.
fn downloads(portal: &Portal, visible: &Visible) -> Vec<Output> {
    use openapi_doc::{DocInfo, DocOperation};
    let mut out = Vec::new();
    let json_bytes = |v: &Value| {
        let mut s = serde_json::to_string_pretty(v).expect("JSON serializes");
        s.push('\n');
        s.into_bytes()
    };
    for p in visible.packages.iter().map(|id| portal.package(*id)) {
        let ops: Vec<DocOperation<'_>> = p
            .operations
            .iter()
            .map(|po| {
                let (api, op) = portal.operation(po.operation);
                DocOperation {
                    api,
                    op,
                    server: gateway_base(portal, api),
                    own_limit: po.rate_limit,
                }
            })
            .collect();
        let strategy = strategy(&portal.config, &p.auth_strategy);
        let info = DocInfo {
            title: &p.name,
            version: p.version.as_deref().unwrap_or("1.0.0"),
            description: p.description.as_deref(),
            strategy,
            limit: p.rate_limit.map(|rl| (rl, "package")),
        };
        let base = package_url(&p.slug);
        out.push(Output::new(
            format!("{base}openapi.json"),
            json_bytes(&openapi_doc::document(&info, &ops)),
        ));
        out.push(Output::new(
            format!("{base}postman.json"),
            json_bytes(&postman::collection(
                &p.name,
                p.description.as_deref(),
                strategy,
                &ops,
            )),
        ));
    }
    for (ai, api) in portal.api_ids().filter(|(ai, _)| visible.api(*ai)) {
        let settings = portal.config.api(&api.slug);
        let ops: Vec<DocOperation<'_>> = api
            .operations
            .iter()
            .enumerate()
            .filter(|(oi, _)| visible.operation(OperationId::new(ai, *oi)))
            .map(|(_, op)| DocOperation {
                api,
                op,
                server: gateway_base(portal, api),
                own_limit: None,
            })
            .collect();
        let strategy = strategy(&portal.config, &api_auth_choice(portal, api));
        let info = DocInfo {
            title: &api.title,
            version: &api.version,
            description: api.description.as_deref(),
            strategy,
            limit: settings.and_then(|s| s.rate_limit).map(|rl| (rl, "api")),
        };
        let base = api_url(&api.slug);
        out.push(Output::new(
            format!("{base}openapi.json"),
            json_bytes(&openapi_doc::document(&info, &ops)),
        ));
        out.push(Output::new(
            format!("{base}postman.json"),
            json_bytes(&postman::collection(
                &api.title,
                api.description.as_deref(),
                strategy,
                &ops,
            )),
        ));
    }
    out
}

/// The body without a leading `# Title` that repeats the page title (the template shows it).
fn without_title_heading<'b>(body: &'b str, title: &str) -> &'b str {
    let trimmed = body.trim_start();
    if let Some(rest) = trimmed.strip_prefix("# ") {
        // `after` stays a slice of `body`: callers compute offsets into it.
        let (line, after) = rest.split_once('\n').unwrap_or((rest, &rest[rest.len()..]));
        if line.trim() == title.trim() {
            return after;
        }
    }
    body
}

/// A description's first paragraph as sanitised HTML (cards).
fn summary_html(md: &str) -> String {
    markdown::to_safe_html(first_paragraph(md))
}

/// A description's first paragraph as plain text (meta descriptions, llms.txt).
fn summary_text(md: &str) -> String {
    markdown::to_text(first_paragraph(md))
}

fn first_paragraph(md: &str) -> &str {
    md.trim_start().split("\n\n").next().unwrap_or("")
}

fn job_url(portal: &Portal, job: &Job) -> String {
    match job {
        Job::Home => String::new(),
        Job::ApiCatalog => "apis/".into(),
        Job::PackageCatalog => "packages/".into(),
        Job::NotFound => "404.html".into(),
        Job::Api(a) => api_url(&portal.api(*a).slug),
        Job::Schemas(a) => schemas_url(&portal.api(*a).slug),
        Job::Operation(o) => {
            let (api, op) = portal.operation(*o);
            operation_url(&api.slug, &op.slug)
        }
        Job::Package(p) => package_url(&portal.package(*p).slug),
        Job::Guide(g) => format!("{}/", portal.page(*g).url_path),
    }
}

#[derive(Serialize)]
struct Page<'a> {
    site: &'a SiteView,
    root: String,
    page: PageMeta,
    nav: Nav,
    live_reload: Option<String>,
    #[serde(flatten)]
    extra: Value,
}

fn render_job(
    shared: &Shared<'_>,
    engine: &Engine,
    job: &Job,
) -> Result<(Output, Vec<Diagnostic>), Diagnostic> {
    let mut warnings = Vec::new();
    let portal = shared.portal;
    let url = job_url(portal, job);
    let (template, kind, title, description, extra): (
        &str,
        &'static str,
        String,
        Option<String>,
        Value,
    ) = match job {
        Job::Home => (
            "index.html",
            "home",
            portal.config.title.clone(),
            shared.site.description.clone(),
            json!({
                "intro_html": portal.config.description.as_deref().map(markdown::to_html).unwrap_or_default(),
                "apis": shared.api_cards(),
                "packages": shared.package_cards(),
                "guides": shared.guide_cards(),
            }),
        ),
        Job::ApiCatalog => (
            "apis.html",
            "apis",
            "APIs".into(),
            None,
            json!({ "apis": shared.api_cards() }),
        ),
        Job::PackageCatalog => (
            "packages.html",
            "packages",
            "API packages".into(),
            None,
            json!({ "packages": shared.package_cards() }),
        ),
        Job::NotFound => ("404.html", "404", "Page not found".into(), None, json!({})),
        Job::Api(a) => {
            let api = portal.api(*a);
            let view = api_view(
                portal,
                shared.visible,
                *a,
                download_links(&api_url(&api.slug)),
            );
            (
                "api.html",
                "api",
                api.title.clone(),
                api.description.as_deref().map(summary_text),
                json!({ "api": view }),
            )
        }
        Job::Schemas(a) => {
            let api = portal.api(*a);
            let ops = api
                .operations
                .iter()
                .enumerate()
                .filter(|(oi, _)| shared.visible.operation(OperationId::new(*a, *oi)))
                .map(|(_, o)| o);
            let names = reach::reachable_names(api, ops);
            (
                "schemas.html",
                "schemas",
                format!("{} schemas", api.title),
                None,
                json!({
                    "api": {"slug": api.slug, "title": api.title, "version": api.version, "url": api_url(&api.slug)},
                    "schemas": schema_views(api, &names),
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
                "operation.html",
                "operation",
                title,
                op.description.as_deref().map(summary_text),
                json!({
                    "api": {"slug": api.slug, "title": api.title, "version": api.version, "url": api_url(&api.slug)},
                    "op": operation_view(portal, shared.visible, *o),
                }),
            )
        }
        Job::Package(p) => {
            let pkg = portal.package(*p);
            (
                "package.html",
                "package",
                pkg.name.clone(),
                pkg.description.as_deref().map(summary_text),
                json!({ "package": package_view(portal, shared.visible, pkg, download_links(&package_url(&pkg.slug))) }),
            )
        }
        Job::Guide(g) => {
            let page = portal.page(*g);
            let body = without_title_heading(&page.body, &page.title);
            let base = body.as_ptr() as usize - page.body.as_ptr() as usize;
            let r = markdown::render_with(body, &mut |dest, at| {
                guide_link(shared, page, &url, dest, base + at, &mut warnings)
            });
            (
                "page.html",
                "guide",
                page.title.clone(),
                page.description.clone(),
                json!({ "doc": {
                    "title": page.title,
                    "description": page.description,
                    "content_html": r.html,
                    "toc": r.toc,
                }}),
            )
        }
    };
    let root = if *job == Job::NotFound {
        shared.base_path.clone()
    } else {
        root_prefix(&url)
    };
    let ctx = Page {
        site: &shared.site,
        root,
        page: PageMeta {
            kind,
            url: url.clone(),
            title,
            description,
        },
        nav: shared.nav(&url),
        live_reload: shared.live_reload.clone(),
        extra,
    };
    let html = engine.render(template, &ctx)?;
    Ok((Output::new(output_path(url), html), warnings))
}

/// The file a page URL is written to: `apis/x/` → `apis/x/index.html`, `` → `index.html`.
fn output_path(url: String) -> String {
    if url.is_empty() {
        "index.html".to_string()
    } else if url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url
    }
}

/// Every file the build will write (pages, downloads, assets, static files), before rendering.
fn known_paths(
    portal: &Portal,
    visible: &Visible,
    jobs: &[Job],
) -> std::collections::BTreeSet<String> {
    let mut known = std::collections::BTreeSet::new();
    known.extend(jobs.iter().map(|job| output_path(job_url(portal, job))));
    let bases = visible
        .packages
        .iter()
        .map(|p| package_url(&portal.package(*p).slug))
        .chain(visible.apis.iter().map(|a| api_url(&portal.api(*a).slug)));
    for base in bases {
        known.extend(download_links(&base).into_iter().map(|d| d.url));
    }
    known.extend(engine::BUILTIN_ASSETS.iter().map(|(p, _)| p.to_string()));
    known.extend(portal.static_files.keys().cloned());
    known.extend(["sitemap.xml", "robots.txt", "llms.txt", "search-index.json"].map(String::from));
    known
}

/// Resolve a link of a guide: `other.md` links become the other page's URL; a relative link
/// this build cannot serve is reported at its line and dropped (its text stays): it would 404,
/// and its target may be private content that must not even be named by URL.
fn guide_link(
    shared: &Shared<'_>,
    page: &crate::model::Page,
    page_url: &str,
    dest: &str,
    offset: usize,
    warnings: &mut Vec<Diagnostic>,
) -> markdown::LinkAction {
    use markdown::LinkAction;
    // Any `scheme:` (https:, mailto:, sms:, ...) is external; so are absolute paths and anchors.
    let scheme = dest.split_once(':').is_some_and(|(s, _)| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if scheme || dest.starts_with('#') || dest.starts_with('/') || dest.is_empty() {
        return LinkAction::Keep;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let before = &page.body[..offset.min(page.body.len())];
    let line = page.body_line + before.matches('\n').count() as u32;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() as u32 + 1)
        .unwrap_or(1);
    let span = crate::source::Span::new(page.span.file.clone(), line, column);
    let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    if let Some(md) = path.strip_suffix(".md") {
        // Relative to the markdown file, as editors and GitHub resolve it.
        let dir = page
            .span
            .file
            .rsplit_once('/')
            .map(|(d, _)| d)
            .unwrap_or("");
        let target = normalize(&format!("{dir}/{md}"));
        let target_page = target
            .as_deref()
            .and_then(|t| t.strip_prefix("pages/"))
            .map(crate::load::pages::page_url)
            .and_then(|u| {
                shared
                    .portal
                    .page_ids()
                    .find(|(id, p)| p.url_path == u && shared.visible.page(*id))
                    .map(|(_, p)| p)
            });
        return match target_page {
            Some(t) => {
                LinkAction::Replace(format!("{}{}/{frag}", root_prefix(page_url), t.url_path))
            }
            None => {
                warnings.push(
                    Diagnostic::new(codes::BROKEN_LINK, format!("`{dest}` links to no page of this build; the link is left out"))
                        .at(&span)
                        .help("link to another file of pages/ by its relative path, e.g. `../authentication.md`; private pages are only in builds for their teams"),
                );
                LinkAction::Unlink
            }
        };
    }
    let resolved = normalize(&format!("{page_url}{path}"));
    let found = resolved.as_deref().is_some_and(|r| {
        let r = r.trim_start_matches('/');
        shared.known.contains(r)
            || shared.known.contains(&format!("{r}index.html"))
            || shared.known.contains(&format!("{r}/index.html"))
    });
    if found {
        LinkAction::Keep
    } else {
        warnings.push(
            Diagnostic::new(codes::BROKEN_LINK, format!("`{dest}` leads to no page of this build; the link is left out"))
                .at(&span)
                .help(format!("the link is relative to the page's URL `{page_url}`; link other guides by file, e.g. `other.md`")),
        );
        LinkAction::Unlink
    }
}

/// Resolve `.` and `..` in a `/`-separated path; `None` when it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}
