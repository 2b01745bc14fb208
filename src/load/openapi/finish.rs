//! Checks and identities over the converted operations: Konnect's rule that paths differing
//! only by a trailing slash (or only by path-parameter names) are the same operation, as are
//! repeated method + path pairs (one kept, the others warned); path template parameters
//! against declared path parameters; duplicate `operationId`s; and the URL slug of every
//! operation and webhook, unique within the API.

use crate::diagnostics::codes;
use std::collections::{HashMap, HashSet};

use crate::diagnostics::Diagnostic;
use crate::model::api::{Method, Operation, ParamLocation};

use super::context::Ctx;
use super::paths::Built;

/// Drop duplicate operations, check path parameters and operation ids, assign slugs.
pub fn finish(
    ctx: &mut Ctx<'_>,
    operations: Vec<Built>,
    webhooks: Vec<Built>,
) -> (Vec<Operation>, Vec<Operation>) {
    let operations = dedupe(ctx, operations);
    for b in &operations {
        check_path_params(ctx, &b.op);
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    for b in operations.iter().chain(webhooks.iter()) {
        if let Some(id) = &b.op.operation_id {
            let here = b
                .operation_id_span
                .clone()
                .unwrap_or_else(|| b.op.span.clone());
            match ids.get(id) {
                Some(first) => ctx.diags.push(
                    Diagnostic::new(
                        codes::DUPLICATE_OPERATION_ID,
                        format!("operationId `{id}` is already used by {first}"),
                    )
                    .at(&here)
                    .help("operationIds must be unique; this operation gets a numbered URL"),
                ),
                None => {
                    ids.insert(
                        id.clone(),
                        format!("{} {} ({})", b.op.method, b.op.path, here),
                    );
                }
            }
        }
    }
    // `schemas` is the API's schema page (apis/<api>/schemas/): no operation may take it.
    let mut taken: HashSet<String> = RESERVED_SLUGS.iter().map(|s| s.to_string()).collect();
    let mut assign = |list: Vec<Built>, webhook: bool| -> Vec<Operation> {
        list.into_iter()
            .map(|b| {
                let mut op = b.op;
                let base = op
                    .operation_id
                    .as_deref()
                    .map(slugify)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| {
                        let prefix = if webhook { "webhook-" } else { "" };
                        let s = slugify(&format!("{prefix}{} {}", op.method.lower(), op.path));
                        if s.is_empty() {
                            "operation".to_string()
                        } else {
                            s
                        }
                    });
                let mut slug = base.clone();
                let mut n = 2;
                while taken.contains(&slug) {
                    slug = format!("{base}-{n}");
                    n += 1;
                }
                taken.insert(slug.clone());
                op.slug = slug;
                op
            })
            .collect()
    };
    let operations = assign(operations, false);
    let webhooks = assign(webhooks, true);
    (operations, webhooks)
}

/// The path as Konnect compares it: no trailing slash, parameter names erased.
fn normalized_path(path: &str) -> String {
    let trimmed = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let mut out = String::with_capacity(trimmed.len());
    let mut in_param = false;
    for c in trimmed.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn dedupe(ctx: &mut Ctx<'_>, ops: Vec<Built>) -> Vec<Built> {
    let mut seen: HashMap<(Method, String), usize> = HashMap::new();
    let mut out: Vec<Built> = Vec::with_capacity(ops.len());
    for b in ops {
        let key = (b.op.method, normalized_path(&b.op.path));
        if let Some(&i) = seen.get(&key) {
            let first = &out[i].op;
            let (a, z) = (first.path.as_str(), b.op.path.as_str());
            let slash = a.trim_end_matches('/') != a || z.trim_end_matches('/') != z;
            let slash = slash && a.ends_with('/') != z.ends_with('/');
            let names = a.trim_end_matches('/') != z.trim_end_matches('/');
            let (code, what) = match (slash, names) {
                (true, false) => (
                    codes::TRAILING_SLASH_DUPLICATE,
                    "differs only by a trailing slash from",
                ),
                (true, true) => (
                    codes::TRAILING_SLASH_DUPLICATE,
                    "differs only by a trailing slash and path parameter names from",
                ),
                (false, true) => (
                    codes::DUPLICATE_OPERATION,
                    "differs only by path parameter names from",
                ),
                (false, false) => (codes::DUPLICATE_OPERATION, "repeats"),
            };
            ctx.diags.push(
                Diagnostic::new(
                    code,
                    format!(
                        "{} {} {what} {} {} ({}); they are one operation and only the first is kept",
                        b.op.method, b.op.path, first.method, first.path, first.span
                    ),
                )
                .at(&b.op.span)
                .help("remove or merge one of them (Konnect and Kong routes treat them as the same operation)"),
            );
            continue;
        }
        seen.insert(key, out.len());
        out.push(b);
    }
    out
}

/// Names of the `{parameters}` in a path template.
pub fn template_params(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

fn check_path_params(ctx: &mut Ctx<'_>, op: &Operation) {
    let names = template_params(&op.path);
    let declared: HashSet<&str> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| p.name.as_str())
        .collect();
    let in_template: HashSet<&str> = names.iter().copied().collect();
    for name in &names {
        if !declared.contains(name) {
            ctx.diags.push(
                Diagnostic::new(
                    codes::UNDECLARED_PATH_PARAMETER,
                    format!("{} {}: path parameter `{name}` is not declared", op.method, op.path),
                )
                .at(&op.span)
                .help(format!(
                    "add `{{name: {name}, in: path, required: true, schema: {{type: string}}}}` to the operation's or the path's `parameters`"
                )),
            );
        }
    }
    for p in &op.parameters {
        if p.location == ParamLocation::Path && !in_template.contains(p.name.as_str()) {
            ctx.diags.push(
                Diagnostic::new(
                    codes::UNUSED_PATH_PARAMETER,
                    format!(
                        "path parameter `{}` does not appear in the path `{}`",
                        p.name, op.path
                    ),
                )
                .at(&p.span)
                .help("rename it to match a `{placeholder}` of the path, or remove it"),
            );
        }
    }
}

/// Slugs the portal uses for its own pages below `apis/<api>/`.
pub const RESERVED_SLUGS: &[&str] = &["schemas"];

/// Lower-case `[a-z0-9-]` slug; camelCase and acronyms are split into words
/// (`getPetByID` → `get-pet-by-id`, `repos/get-content` → `repos-get-content`).
pub fn slugify(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    let mut pending_dash = false;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                });
            if (pending_dash || boundary) && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("getPetByID"), "get-pet-by-id");
        assert_eq!(slugify("repos/get-content"), "repos-get-content");
        assert_eq!(slugify("HTTPStatus2xx"), "http-status2xx");
        assert_eq!(slugify("get /pets/{petId}/toys/"), "get-pets-pet-id-toys");
        assert_eq!(slugify("list_pets"), "list-pets");
        assert_eq!(slugify("Été"), "t");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn normalization() {
        assert_eq!(normalized_path("/a/{id}/"), "/a/{}");
        assert_eq!(normalized_path("/"), "/");
        assert_eq!(template_params("/a/{x}/b/{y}"), vec!["x", "y"]);
        assert_eq!(template_params("/a/{x"), Vec::<&str>::new());
    }
}
