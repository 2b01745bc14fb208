//! OpenAPI front ends: Swagger 2.0, OpenAPI 3.0 and 3.1 documents (YAML or JSON, split across
//! files with `$ref`) loaded into the one internal model of [`crate::model::api`].
//!
//! The pipeline for one API: [`store`] reads the entry document and every file it references
//! and checks every `$ref` once; [`document`] detects the dialect; [`oas3`] or [`swagger2`]
//! (sharing [`paths`] and [`schema`]) convert it; [`finish`] removes duplicate operations,
//! checks path parameters and operation ids and assigns slugs. Problems are diagnostics with
//! project-relative file, line and column; only an unreadable or unrecognisable entry
//! document yields no model.

mod bundle;
mod context;
mod document;
mod finish;
mod oas3;
mod paths;
pub mod pointer;
mod schema;
mod store;
mod swagger2;

use crate::diagnostics::codes;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::files::Files;
use crate::model::api::{Original, SecurityRequirement, SecurityScheme, SpecVersion, Tag};
use crate::model::{Api, Operation, Slug};
use crate::source::{SourceMap, Span};

pub use finish::slugify;

/// Load the API `slug` whose entry document is `entry` (absolute path below `root`), reading
/// from disk with the default limits, confined to `root`. Registers every file read in
/// `sources`. `None` when the document is unusable.
pub fn load_api(
    root: &Path,
    slug: &str,
    entry: &Path,
    sources: &SourceMap,
) -> (Option<Api>, Diagnostics) {
    match Files::disk(root) {
        Ok(files) => load_api_from(&files, slug, entry, sources),
        Err(e) => {
            let mut diags = Diagnostics::new();
            diags.push(
                Diagnostic::new(
                    codes::FILE_UNREADABLE,
                    format!("cannot open the folder `{}`: {e}", root.display()),
                )
                .in_file(root.display().to_string()),
            );
            (None, diags)
        }
    }
}

/// Load the API `slug` whose entry document is `entry`, reading every file through `files`.
pub fn load_api_from(
    files: &Files,
    slug: &str,
    entry: &Path,
    sources: &SourceMap,
) -> (Option<Api>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(store) = store::Store::load(files, entry, sources, &mut diags) else {
        diags.sort();
        return (None, diags);
    };
    let (spec, source) = match document::detect(&store) {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            diags.sort();
            return (None, diags);
        }
    };
    let mut ctx = context::Ctx::new(&store, spec);
    let (title, version, description) = document::info(&mut ctx, slug);
    let mut tags = document::tags(&mut ctx);
    let info = document::api_info(&mut ctx);
    let tag_groups = document::tag_groups(&mut ctx);
    let root = &store.docs[0].root;
    let security = root
        .get("security")
        .map(|s| document::security(&mut ctx, 0, s))
        .unwrap_or_default();
    let (servers, operations, webhooks, security_schemes) = match spec {
        SpecVersion::Swagger2 => {
            let p = swagger2::convert(&mut ctx);
            (p.servers, p.operations, Vec::new(), p.security_schemes)
        }
        SpecVersion::OpenApi30 | SpecVersion::OpenApi31 => {
            let p = oas3::convert(&mut ctx);
            (p.servers, p.operations, p.webhooks, p.security_schemes)
        }
    };
    ctx.drain_schemas();
    let (operations, webhooks) = finish::finish(&mut ctx, operations, webhooks);
    // Tags used by operations but not declared are appended in order of first use, so
    // templates can group by `api.tags` alone.
    let mut known: std::collections::HashSet<String> =
        tags.iter().map(|t| t.name.clone()).collect();
    for op in operations.iter().chain(webhooks.iter()) {
        for t in &op.tags {
            if known.insert(t.clone()) {
                tags.push(Tag {
                    name: t.clone(),
                    description: None,
                    external_docs: None,
                });
            }
        }
    }
    check_security(&mut ctx, &security_schemes, &security, &operations);
    let mut extensions = context::extensions(root);
    if spec != SpecVersion::OpenApi31 {
        // Converted into `webhooks` above.
        extensions.shift_remove("x-webhooks");
    }
    let schema_names = std::mem::take(&mut ctx.schema_names);
    let schema_slugs = schema_slugs(schema_names.keys());
    let entry_doc = &store.docs[0];
    let original = Original {
        file: entry_doc.rel.to_string(),
        version: entry_doc
            .root
            .get("openapi")
            .or_else(|| entry_doc.root.get("swagger"))
            .and_then(|n| document::raw_scalar(&entry_doc.text, n))
            .unwrap_or_default(),
        yaml: !entry_doc.text.trim_start().starts_with('{'),
        html_comment: store.docs.iter().any(|d| d.text.contains("<!--")),
        bundled: bundle::bundle(&store),
        text: entry_doc.text.clone(),
    };
    let api = Api {
        slug: Slug::parse(slug).unwrap_or_else(|| Slug::from_name(slug)),
        title,
        version,
        description,
        spec_version: spec,
        source,
        servers,
        tags,
        operations,
        webhooks,
        schemas: std::mem::take(&mut ctx.schemas),
        schema_names,
        schema_slugs,
        info,
        tag_groups,
        original,
        security_schemes,
        security,
        extensions,
    };
    diags.extend(std::mem::take(&mut ctx.diags));
    diags.sort();
    (Some(api), diags)
}

/// URL slugs for named schemas, in order: [`slugify`]'s lower-case words, made unique with a
/// number (`Pet`, `pet` → `pet`, `pet-2`); a name with no letters or digits becomes `schema`.
fn schema_slugs<'a>(names: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    names
        .map(|n| {
            let base = match slugify(n) {
                s if s.is_empty() => "schema".to_string(),
                s => s,
            };
            let mut slug = base.clone();
            let mut i = 2;
            while !used.insert(slug.clone()) {
                slug = format!("{base}-{i}");
                i += 1;
            }
            slug
        })
        .collect()
}

/// Security requirements must name declared schemes.
fn check_security(
    ctx: &mut context::Ctx<'_>,
    schemes: &[SecurityScheme],
    document: &[SecurityRequirement],
    operations: &[Operation],
) {
    let declared: std::collections::HashSet<&str> =
        schemes.iter().map(|s| s.name.as_str()).collect();
    let store = ctx.store;
    let doc_span = store.docs[0]
        .root
        .get("security")
        .map(|n| store.docs[0].span(n))
        .unwrap_or_else(|| Span::file(store.docs[0].rel.clone()));
    let uses = document
        .iter()
        .map(|r| (r, &doc_span))
        .chain(operations.iter().flat_map(|op| {
            op.security
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(move |r| (r, &op.span))
        }));
    for (req, span) in uses {
        for (name, _) in &req.schemes {
            if !declared.contains(name.as_str()) {
                ctx.diags.push(
                    Diagnostic::new(
                        codes::UNKNOWN_SECURITY_SCHEME,
                        format!("security requirement names `{name}`, which is not a declared security scheme"),
                    )
                    .at(span)
                    .help("declare it under `components.securitySchemes` (`securityDefinitions` in Swagger 2.0)"),
                );
            }
        }
    }
}
