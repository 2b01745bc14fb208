//! Paths, path items and operations, common to all dialects: walks `paths` (and `webhooks`)
//! in document order, follows path-item `$ref`s (to `components/pathItems` or other files),
//! merges path-level and operation-level parameters (the operation's win, matched by name and
//! location), and fills the fields every dialect shares. The dialect-specific parts
//! (parameters, request bodies, responses, servers) are filled by the caller, [`super::oas3`]
//! or [`super::swagger2`], through the `fill` function it passes to [`walk`]: this module
//! depends on neither dialect.

use crate::diagnostics::codes;
use std::collections::HashSet;

use crate::diagnostics::Diagnostic;
use crate::model::api::{Method, Operation};
use crate::source::Span;
use crate::tree::{Key, Node};

use super::context::{Ctx, entries, extensions};
use super::document;
use super::store::DocId;

/// Where an operation is written, for the dialect's half of the conversion.
pub struct Site<'s> {
    pub doc: DocId,
    pub node: &'s Node,
    /// Path-level and operation-level parameters merged (the operation's win).
    pub params: Vec<RawParam<'s>>,
    /// The path item's `servers`, if any.
    pub path_servers: Option<&'s Node>,
}

/// An operation as converted, with the spans the later checks need.
pub struct Built {
    pub op: Operation,
    pub operation_id_span: Option<Span>,
}

/// A raw parameter (after `$ref`s) with its name and location as written.
pub struct RawParam<'s> {
    pub doc: DocId,
    pub node: &'s Node,
    pub name: String,
    pub location: String,
    /// A `description` written next to the `$ref` (it overrides the target's, as OpenAPI 3.1
    /// specifies and authors of older documents expect).
    pub description: Option<String>,
}

/// Keys of a path item that are not methods. (`query` is OpenAPI 3.2's QUERY method, which the
/// model and Kong routing do not know; it is skipped silently like the other fields.)
const PATH_ITEM_FIELDS: [&str; 6] = [
    "$ref",
    "summary",
    "description",
    "servers",
    "parameters",
    "query",
];

/// Convert every operation of a `paths` (or `webhooks`) mapping, in document order; `fill`
/// adds the dialect's half (parameters, body, responses, servers) to each.
pub fn walk<'s>(
    ctx: &mut Ctx<'s>,
    paths: &'s Node,
    webhooks: bool,
    mut fill: impl FnMut(&mut Ctx<'s>, &Site<'s>, &mut Operation),
) -> Vec<Built> {
    let mut out = Vec::new();
    for (path, key, item) in entries(paths) {
        if path.starts_with("x-") {
            continue;
        }
        if !webhooks && !path.starts_with('/') {
            ctx.diags.push(
                Diagnostic::new(
                    codes::PATH_NOT_ABSOLUTE,
                    format!("path `{path}` does not start with `/`"),
                )
                .at(&key_span(ctx, 0, key))
                .help(format!("write it as `/{path}`")),
            );
        }
        let Some((doc, item)) = ctx.follow(0, item) else {
            continue;
        };
        if item.as_map().is_none() {
            ctx.report(
                codes::INVALID_PATH_ITEM,
                format!(
                    "path `{path}` should map methods to operations, found {}",
                    item.kind()
                ),
                doc,
                item,
            );
            continue;
        }
        let path_params = params(ctx, doc, item);
        let path_servers = item.get("servers");
        let path_summary = ctx.text(doc, item, "summary");
        let path_description = ctx.text(doc, item, "description");
        for (method_key, mkey, op_node) in entries(item) {
            if PATH_ITEM_FIELDS.contains(&method_key) || method_key.starts_with("x-") {
                continue;
            }
            let Some(method) = Method::parse(method_key) else {
                ctx.diags.push(
                    Diagnostic::new(
                        codes::UNKNOWN_PATH_ITEM_FIELD,
                        format!("`{method_key}` is not an HTTP method or path item field; ignored"),
                    )
                    .at(&key_span(ctx, doc, mkey)),
                );
                continue;
            };
            let Some(op_map) = op_node.as_map() else {
                ctx.report(
                    codes::INVALID_OPERATION,
                    format!(
                        "`{method_key}` should be an operation (a mapping), found {}",
                        op_node.kind()
                    ),
                    doc,
                    op_node,
                );
                continue;
            };
            let span = key_span(ctx, doc, mkey);
            let own_params = params(ctx, doc, op_node);
            let merged = merge_params(&path_params, own_params);
            let operation_id = ctx
                .text(doc, op_node, "operationId")
                .filter(|s| !s.is_empty());
            let operation_id_span = op_map.get("operationId").map(|(_, n)| ctx.span(doc, n));
            let security = op_node
                .get("security")
                .map(|s| document::security(ctx, doc, s));
            let mut op = Operation {
                method,
                path: path.to_string(),
                operation_id,
                operation_id_span: operation_id_span.clone(),
                slug: String::new(),
                summary: ctx
                    .text(doc, op_node, "summary")
                    .or_else(|| path_summary.clone()),
                description: ctx
                    .text(doc, op_node, "description")
                    .or_else(|| path_description.clone()),
                tags: ctx.strings(doc, op_node, "tags"),
                deprecated: ctx.flag(doc, op_node, "deprecated").unwrap_or(false),
                parameters: Vec::new(),
                request_body: None,
                responses: Vec::new(),
                security,
                servers: Vec::new(),
                extensions: extensions(op_node),
                span,
            };
            let site = Site {
                doc,
                node: op_node,
                params: merged,
                path_servers,
            };
            fill(ctx, &site, &mut op);
            out.push(Built {
                op,
                operation_id_span,
            });
        }
    }
    out
}

/// A response key both dialects accept: a status code, a range like `4XX`, or `default`.
pub fn valid_status(status: &str) -> bool {
    let b = status.as_bytes();
    status == "default"
        || (b.len() == 3
            && (b'1'..=b'5').contains(&b[0])
            && (b[1..].iter().all(u8::is_ascii_digit) || b[1..].eq_ignore_ascii_case(b"XX")))
}

pub fn key_span(ctx: &Ctx<'_>, doc: DocId, key: &Key) -> Span {
    Span::new(ctx.store.docs[doc].rel.clone(), key.line, key.column)
}

/// The `parameters` of a path item or operation, `$ref`s followed, malformed ones warned and
/// skipped, duplicates (same name and location) warned.
fn params<'s>(ctx: &mut Ctx<'s>, doc: DocId, node: &'s Node) -> Vec<RawParam<'s>> {
    let mut out: Vec<RawParam<'s>> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for p in ctx.seq_field(doc, node, "parameters").unwrap_or_default() {
        let Some((pdoc, pnode)) = ctx.follow(doc, p) else {
            continue;
        };
        let name = ctx.text(pdoc, pnode, "name");
        let location = ctx.text(pdoc, pnode, "in");
        let (Some(name), Some(location)) = (name, location) else {
            ctx.report_help(
                codes::INVALID_PARAMETER,
                "a parameter needs a `name` and an `in` (path, query, header or cookie); ignored",
                "add `name:` and `in:`",
                pdoc,
                pnode,
            );
            continue;
        };
        if !seen.insert((name.clone(), location.clone())) {
            ctx.report(
                codes::DUPLICATE_PARAMETER,
                format!("{location} parameter `{name}` is declared twice; the first is used"),
                pdoc,
                pnode,
            );
            continue;
        }
        let description = sibling_description(p);
        out.push(RawParam {
            doc: pdoc,
            node: pnode,
            name,
            location,
            description,
        });
    }
    out
}

/// Path-level parameters, each replaced by the operation's own of the same name and location,
/// then the operation's others.
fn merge_params<'s>(path: &[RawParam<'s>], own: Vec<RawParam<'s>>) -> Vec<RawParam<'s>> {
    let mut own: Vec<Option<RawParam<'s>>> = own.into_iter().map(Some).collect();
    let index: std::collections::HashMap<(&str, &str), usize> = own
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            o.as_ref()
                .map(|o| ((o.name.as_str(), o.location.as_str()), i))
        })
        .collect();
    let replacements: Vec<Option<usize>> = path
        .iter()
        .map(|p| index.get(&(p.name.as_str(), p.location.as_str())).copied())
        .collect();
    let mut out = Vec::with_capacity(path.len() + own.len());
    for (p, replacement) in path.iter().zip(replacements) {
        let replaced = replacement.and_then(|i| own[i].take());
        out.push(replaced.unwrap_or(RawParam {
            doc: p.doc,
            node: p.node,
            name: p.name.clone(),
            location: p.location.clone(),
            description: p.description.clone(),
        }));
    }
    out.extend(own.into_iter().flatten());
    out
}

/// The `description` beside a `$ref` (`None` for objects that are not references).
pub fn sibling_description(node: &Node) -> Option<String> {
    node.get("$ref")?;
    node.get("description")?.as_str().map(str::to_string)
}

/// `paths` is required before OpenAPI 3.1 (where a document may hold only webhooks or
/// components); its absence is worth a warning, not a failure.
pub fn missing_paths(ctx: &mut Ctx<'_>, root: &Node) {
    if ctx.spec != crate::model::api::SpecVersion::OpenApi31 && root.get("paths").is_none() {
        ctx.report_help(
            codes::MISSING_PATHS,
            "the document has no `paths`, so it describes no operations",
            "add `paths:` with at least one operation (`paths: {}` if there are none yet)",
            0,
            root,
        );
    }
}
