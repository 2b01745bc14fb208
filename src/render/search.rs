//! The search index: Pagefind, used as a library, over the visible content of one build.
//!
//! Each visible item (API, operation, named schema, package, guide) becomes one small HTML
//! document made here for the indexer — not the rendered page — so that indexing does not
//! depend on a project's template overrides, holds only what this build shows (private
//! content is never indexed in a public build: it is never visible), and costs a fraction of
//! parsing whole pages. Every document carries:
//!
//! - its full text: an operation's summary, method and path, operationId, description and
//!   parameter names with their descriptions; a schema's name, description and property names;
//!   a package's name, description and operations; a guide's whole rendered body, whose
//!   heading ids make Pagefind return sections (`guides/x/#retries`) as sub-results;
//! - `kind` as a filter and as meta (`API`, `Operation`, `Schema`, `Package`, `Guide`), so the
//!   search box groups results by kind; operations also carry `method`, `path` and `api`.
//!
//! Pagefind writes a chunked index (`pagefind/`): the browser fetches the entry file, the
//! search code, the word chunks a query needs and the fragments of the results it shows —
//! never the whole index. Only the files the theme's search box loads are kept (not
//! Pagefind's own UIs, which the theme does not use). Fixed names are in [`FIXED_FILES`];
//! every other file (content-hashed chunks) is below [`DIR`], which the plan reserves.

use std::collections::BTreeMap;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::diagnostics::{Diagnostic, codes};
use crate::model::{Api, OperationId, PageId, Portal};
use crate::output::Output;
use crate::render::escape::html as esc;
use crate::render::markdown;
use crate::render::urls;
use crate::render::views::SiteViews;

/// The folder of the search index, below the portal root. The content-hashed chunk files are
/// named only when the index is built, so the plan reserves the whole folder.
pub const DIR: &str = "pagefind/";

/// The files of the index whose names are known before it is built: the search code (and its
/// web worker, which keeps searching off the page's main thread), the entry file naming the
/// current chunks, and the WebAssembly search engine (with English stemming, the portal's
/// language).
pub const FIXED_FILES: [&str; 4] = [
    "pagefind/pagefind.js",
    "pagefind/pagefind-worker.js",
    "pagefind/pagefind-entry.json",
    "pagefind/wasm.en.pagefind",
];

/// The prefixes of the content-hashed files Pagefind writes, below [`DIR`]: the language's
/// meta file, word chunks, result fragments and filter chunks.
const CHUNK_PREFIXES: [&str; 4] = [
    "pagefind/pagefind.en_",
    "pagefind/index/",
    "pagefind/fragment/",
    "pagefind/filter/",
];

/// What kind of item a search result is; the search box groups results by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Operation,
    Schema,
    Package,
    Guide,
}

impl Kind {
    /// The value of the `kind` filter and meta.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Api => "API",
            Kind::Operation => "Operation",
            Kind::Schema => "Schema",
            Kind::Package => "Package",
            Kind::Guide => "Guide",
        }
    }
}

/// One document handed to the indexer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Relative to the portal root (`apis/orders/create-order/`), as page links are.
    pub url: String,
    pub kind: Kind,
    pub title: String,
    /// Extra meta shown with a result (`method`, `path`, `api`).
    pub meta: Vec<(&'static str, String)>,
    /// The indexed body, HTML (escaped text or sanitised, rendered markdown).
    pub body: String,
}

impl Record {
    /// The HTML document Pagefind indexes: the title as the page's only `h1` (Pagefind's
    /// title, weighted above the body), the kind as filter and meta, the rest as meta read
    /// from attributes (not indexed twice).
    pub fn document(&self) -> String {
        // Pagefind reads `key[attribute]` specs, comma-separated, from one element; a static
        // `key:value` takes the rest of the attribute, so the kind has an element of its own.
        let mut extra = String::new();
        if !self.meta.is_empty() {
            let specs: Vec<String> = (0..self.meta.len())
                .map(|i| format!("{}[data-m{i}]", self.meta[i].0))
                .collect();
            extra.push_str(&format!("<div data-pagefind-meta=\"{}\"", specs.join(", ")));
            for (i, (_, value)) in self.meta.iter().enumerate() {
                extra.push_str(&format!(" data-m{i}=\"{}\"", esc(value)));
            }
            extra.push_str("></div>");
        }
        format!(
            "<html lang=\"en\"><head><title>{title}</title></head><body>\
             <div data-pagefind-filter=\"kind:{kind}\" data-pagefind-meta=\"kind:{kind}\"></div>{extra}\
             <h1>{title}</h1>{body}</body></html>",
            title = esc(&self.title),
            kind = self.kind.label(),
            body = self.body,
        )
    }
}

/// Whether `path` is a file of the search index (named by the plan or below its folder).
pub fn owns(path: &str) -> bool {
    FIXED_FILES.contains(&path) || CHUNK_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The records of every visible item of the build, in a stable order: APIs with their
/// operations (navigation order) and schemas, packages, guides. `guide_html` gives a guide's
/// rendered body (as its page shows it: links resolved, heading ids set).
pub fn records(views: &SiteViews<'_>, guide_html: &dyn Fn(PageId, &str) -> String) -> Vec<Record> {
    let portal = views.portal;
    let visible = views.visible;
    let mut out = Vec::new();
    for (ai, api) in portal.api_ids() {
        if !visible.api(ai) {
            continue;
        }
        let api_url = urls::api(&api.slug);
        let mut body = String::new();
        if !api.version.is_empty() {
            body.push_str(&format!("<p>Version {}</p>", esc(&api.version)));
        }
        if let Some(d) = &api.description {
            body.push_str(&markdown::to_safe_html(d));
        }
        out.push(Record {
            url: api_url,
            kind: Kind::Api,
            title: api.title.clone(),
            meta: Vec::new(),
            body,
        });
        let mut visible_ops = Vec::new();
        for (_, ops) in &views.nav_groups[ai.index()] {
            for oi in ops {
                visible_ops.push(*oi);
                out.push(operation(portal, OperationId::new(ai, *oi)));
            }
        }
        let ops = visible_ops.iter().map(|oi| &api.operations[*oi]);
        for name in crate::model::reach::reachable_names(api, ops) {
            out.push(schema(api, &name));
        }
    }
    for p in visible.packages.iter().map(|id| portal.package(*id)) {
        let mut body = String::new();
        if let Some(v) = &p.version {
            body.push_str(&format!("<p>Version {}</p>", esc(v)));
        }
        if let Some(d) = &p.description {
            body.push_str(&markdown::to_safe_html(d));
        }
        out.push(Record {
            url: urls::package(&p.slug),
            kind: Kind::Package,
            title: p.name.clone(),
            meta: Vec::new(),
            body,
        });
    }
    for (gi, url) in &views.guides {
        let g = portal.page(*gi);
        let mut body = String::new();
        if let Some(d) = &g.description {
            body.push_str(&format!("<p>{}</p>", esc(d)));
        }
        body.push_str(&guide_html(*gi, url));
        out.push(Record {
            url: url.clone(),
            kind: Kind::Guide,
            title: g.title.clone(),
            meta: Vec::new(),
            body,
        });
    }
    out
}

/// An operation's record: everything a developer may type to find it.
fn operation(portal: &Portal, id: OperationId) -> Record {
    let (api, op) = portal.operation(id);
    let title = op
        .summary
        .clone()
        .unwrap_or_else(|| format!("{} {}", op.method, op.path));
    let mut body = format!(
        "<p>{} {}</p>",
        op.method.as_str(),
        esc(&spaced_path(&op.path))
    );
    if let Some(oid) = &op.operation_id {
        body.push_str(&format!("<p>{}</p>", esc(oid)));
    }
    if let Some(d) = &op.description {
        body.push_str(&markdown::to_safe_html(d));
    }
    if !op.parameters.is_empty() {
        body.push_str("<ul>");
        for p in &op.parameters {
            body.push_str(&format!("<li>{}", esc(&p.name)));
            if let Some(d) = &p.description {
                body.push_str(&format!(": {}", esc(&markdown::to_text(d))));
            }
            body.push_str("</li>");
        }
        body.push_str("</ul>");
    }
    Record {
        url: urls::operation(&api.slug, &op.slug),
        kind: Kind::Operation,
        title,
        meta: vec![
            ("method", op.method.as_str().to_string()),
            ("path", op.path.clone()),
            ("api", api.title.clone()),
        ],
        body,
    }
}

/// A named schema's record: its name, description and property names with descriptions.
fn schema(api: &Api, name: &str) -> Record {
    let mut body = String::new();
    if let Some(id) = api.schema_names.get(name) {
        let s = api.schema(*id);
        if let Some(t) = &s.title {
            body.push_str(&format!("<p>{}</p>", esc(t)));
        }
        if let Some(d) = &s.description {
            body.push_str(&markdown::to_safe_html(d));
        }
        if !s.properties.is_empty() {
            body.push_str("<ul>");
            for p in &s.properties {
                body.push_str(&format!("<li>{}", esc(&p.name)));
                let d = match &p.schema {
                    crate::model::api::SchemaRef::Inline(s) => s.description.as_deref(),
                    crate::model::api::SchemaRef::Ref { target, .. } => {
                        api.schema(*target).description.as_deref()
                    }
                };
                if let Some(d) = d {
                    body.push_str(&format!(": {}", esc(&markdown::to_text(d))));
                }
                body.push_str("</li>");
            }
            body.push_str("</ul>");
        }
    }
    Record {
        url: urls::schema(&api.slug, name),
        kind: Kind::Schema,
        title: name.to_string(),
        meta: vec![("api", api.title.clone())],
        body,
    }
}

/// A path with spaces between its segments, so each segment is a word of its own:
/// `/repos/{owner}/{repo}/issues` is found by `repos issues`.
fn spaced_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Build the index of `records` into its files (below [`DIR`], sorted by path), calling
/// `indexed` after each record. Pagefind's API is async; it runs on a thread of its own with
/// a single-threaded runtime, so this works whether or not the caller is inside one (`serve`
/// is).
pub fn index(records: &[Record], indexed: &(dyn Fn() + Sync)) -> Result<Vec<Output>, Diagnostic> {
    let failed = |e: String| {
        Diagnostic::new(
            codes::SEARCH_INDEX_FAILED,
            format!("the search index could not be built: {e}"),
        )
        .help("this is a bug in portalgen or Pagefind; please report it with the project")
    };
    let docs: Vec<(String, String)> = records
        .iter()
        .map(|r| (r.url.clone(), r.document()))
        .collect();
    let files = std::thread::scope(|s| {
        s.spawn(
            move || -> Result<Vec<pagefind::api::SyntheticFile>, String> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .map_err(|e| e.to_string())?;
                rt.block_on(async move {
                    let config = PagefindServiceConfig::builder()
                        .force_language("en".to_string())
                        .keep_index_url(true)
                        .build();
                    let mut index = PagefindIndex::new(Some(config)).map_err(|e| e.to_string())?;
                    for (url, doc) in docs {
                        index
                            .add_html_file(None, Some(url), doc)
                            .await
                            .map_err(|e| e.to_string())?;
                        indexed();
                    }
                    index.get_files().await.map_err(|e| e.to_string())
                })
            },
        )
        .join()
        .map_err(|_| "the indexer panicked".to_string())?
    })
    .map_err(failed)?;
    let mut out: Vec<Output> = files
        .into_iter()
        .filter_map(|f| {
            let path = format!("{DIR}{}", f.filename.to_string_lossy().replace('\\', "/"));
            owns(&path).then(|| Output::new(path, f.contents))
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    for fixed in FIXED_FILES {
        if !out.iter().any(|o| o.path == fixed) {
            return Err(failed(format!("Pagefind wrote no `{fixed}`")));
        }
    }
    Ok(out)
}

/// How many records of each kind (for tests and reports).
pub fn counts(records: &[Record]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for r in records {
        *m.entry(r.kind.label()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_escape_text_and_carry_kind_and_meta() {
        let r = Record {
            url: "apis/a/x/".into(),
            kind: Kind::Operation,
            title: "Create <b>".into(),
            meta: vec![("path", "/a/{id}\"x".into())],
            body: "<p>text</p>".into(),
        };
        let doc = r.document();
        assert!(doc.contains("<h1>Create &lt;b&gt;</h1>"), "{doc}");
        assert!(
            doc.contains(r#"data-pagefind-filter="kind:Operation""#),
            "{doc}"
        );
        assert!(
            doc.contains(r#"data-pagefind-meta="kind:Operation""#),
            "{doc}"
        );
        assert!(
            doc.contains(r#"data-pagefind-meta="path[data-m0]""#),
            "{doc}"
        );
        assert!(doc.contains(r#"data-m0="/a/{id}&quot;x""#), "{doc}");
    }

    #[test]
    fn paths_are_split_into_words() {
        assert_eq!(
            spaced_path("/repos/{owner}/issues"),
            "repos / {owner} / issues"
        );
    }

    #[test]
    fn the_index_holds_only_the_files_the_theme_loads() {
        let records = vec![Record {
            url: "guides/a/".into(),
            kind: Kind::Guide,
            title: "Alpha".into(),
            meta: vec![],
            body: "<h2 id=\"retries\">Retries</h2><p>Backoff with jitter.</p>".into(),
        }];
        let files = index(&records, &|| {}).expect("indexed");
        assert!(
            files.iter().all(|f| owns(&f.path)),
            "{:?}",
            files.iter().map(|f| &f.path).collect::<Vec<_>>()
        );
        for fixed in FIXED_FILES {
            assert!(files.iter().any(|f| f.path == fixed), "{fixed}");
        }
        assert!(
            files
                .iter()
                .any(|f| f.path.starts_with("pagefind/fragment/"))
        );
        assert!(!files.iter().any(|f| f.path.contains("-ui")));
        // Deterministic: the same records give the same bytes.
        assert_eq!(files, index(&records, &|| {}).unwrap());
    }
}
