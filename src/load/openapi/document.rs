//! The document-level parts every dialect shares: which dialect a document is written in
//! (`swagger: "2.0"`, `openapi: 3.0.x / 3.1.x`, read from the text as written so an unquoted
//! `2.0` is not mistaken for the number 2), `info`, `tags` and `security` requirements.

use crate::diagnostics::Diagnostic;
use crate::diagnostics::codes;
use crate::model::api::{
    ApiInfo, Contact, ExternalDocs, License, OAuthFlow, SecurityRequirement, SpecVersion, Tag,
    TagGroup,
};
use crate::source::Span;
use crate::tree::{Node, Value};

use super::context::Ctx;
use super::store::{DocId, Store};

/// A scalar exactly as written in the source (numbers keep `2.0`, `1.10`).
pub fn raw_scalar(text: &str, node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
            let line = text.lines().nth(node.line.checked_sub(1)? as usize)?;
            let start = line
                .char_indices()
                .nth(node.column.checked_sub(1)? as usize)?
                .0;
            let token: String = line[start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '}' | ']' | '#'))
                .collect();
            if token.is_empty() {
                node.scalar_text()
            } else {
                Some(token)
            }
        }
        _ => None,
    }
}

/// The dialect of the entry document and the span of its version field, or the error.
pub fn detect(store: &Store) -> Result<(SpecVersion, Span), Diagnostic> {
    let doc = &store.docs[0];
    let root = &doc.root;
    let help = "portalgen reads Swagger 2.0 (`swagger: \"2.0\"`), OpenAPI 3.0.x and 3.1.x (`openapi: 3.1.0`)";
    if root.as_map().is_none() {
        return Err(Diagnostic::new(
            codes::OPENAPI_VERSION,
            format!(
                "this is not an OpenAPI description: the document is {}, not a mapping",
                root.kind()
            ),
        )
        .at(&doc.span(root))
        .help(help));
    }
    let field = root
        .get("openapi")
        .map(|n| ("openapi", n))
        .or_else(|| root.get("swagger").map(|n| ("swagger", n)));
    let Some((name, node)) = field else {
        return Err(Diagnostic::new(
            codes::OPENAPI_VERSION,
            "this is not an OpenAPI description: it has neither an `openapi` nor a `swagger` field",
        )
        .at(&Span::new(doc.rel.clone(), 1, 1))
        .help(help));
    };
    let span = doc.span(node);
    let version = raw_scalar(&doc.text, node).unwrap_or_default();
    let spec = match name {
        "swagger" if version == "2.0" || version == "2" => Some(SpecVersion::Swagger2),
        "openapi" if version == "3.0" || version.starts_with("3.0.") => {
            Some(SpecVersion::OpenApi30)
        }
        "openapi" if version == "3.1" || version.starts_with("3.1.") => {
            Some(SpecVersion::OpenApi31)
        }
        _ => None,
    };
    match spec {
        Some(s) => Ok((s, span)),
        None => Err(Diagnostic::new(
            codes::OPENAPI_VERSION,
            format!("unsupported {name} version `{version}`"),
        )
        .at(&span)
        .help(help)),
    }
}

/// `info.title`, `info.version`, `info.description`.
pub fn info(ctx: &mut Ctx<'_>, slug: &str) -> (String, String, Option<String>) {
    let store = ctx.store;
    let doc = &store.docs[0];
    let root = &doc.root;
    let Some(info) = ctx.map_field(0, root, "info") else {
        ctx.report_help(
            codes::MISSING_INFO,
            "the document has no `info` section",
            "add `info: {title: My API, version: 1.0.0}`",
            0,
            root,
        );
        return (slug.to_string(), String::new(), None);
    };
    let title = ctx.text(0, info, "title").filter(|t| !t.trim().is_empty());
    if title.is_none() {
        ctx.report_help(
            codes::MISSING_TITLE,
            "`info` has no `title`; the API is shown under its file name",
            "add `title:` to `info`",
            0,
            info,
        );
    }
    let version = info
        .get("version")
        .and_then(|v| raw_scalar(&doc.text, v))
        .unwrap_or_default();
    let description = ctx.text(0, info, "description");
    (
        title.unwrap_or_else(|| slug.to_string()),
        version,
        description,
    )
}

/// Top-level `tags`.
pub fn tags(ctx: &mut Ctx<'_>) -> Vec<Tag> {
    let store = ctx.store;
    let root = &store.docs[0].root;
    let mut out: Vec<Tag> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for t in ctx.seq_field(0, root, "tags").unwrap_or_default() {
        let Some(name) = ctx.text(0, t, "name") else {
            ctx.report(codes::INVALID_TAG, "a tag needs a `name`", 0, t);
            continue;
        };
        if !seen.insert(name.clone()) {
            ctx.report(
                codes::DUPLICATE_TAG,
                format!("tag `{name}` is declared twice"),
                0,
                t,
            );
            continue;
        }
        let description = ctx.text(0, t, "description");
        let external_docs = external_docs(ctx, 0, t);
        out.push(Tag {
            name,
            description,
            external_docs,
        });
    }
    out
}

/// The `externalDocs` of `node`, when it names a `url`.
pub fn external_docs(ctx: &mut Ctx<'_>, doc: DocId, node: &Node) -> Option<ExternalDocs> {
    let e = node.get("externalDocs")?;
    Some(ExternalDocs {
        url: ctx.text(doc, e, "url")?,
        description: ctx.text(doc, e, "description"),
    })
}

/// `info.contact`, `info.license`, `info.termsOfService` and the root `externalDocs`.
pub fn api_info(ctx: &mut Ctx<'_>) -> ApiInfo {
    let store = ctx.store;
    let root = &store.docs[0].root;
    let info = root.get("info");
    let contact = info.and_then(|i| i.get("contact")).map(|c| Contact {
        name: ctx.text(0, c, "name"),
        url: ctx.text(0, c, "url"),
        email: ctx.text(0, c, "email"),
    });
    let license = info.and_then(|i| i.get("license")).and_then(|l| {
        let name = ctx.text(0, l, "name")?;
        let url = ctx.text(0, l, "url").or_else(|| {
            ctx.text(0, l, "identifier")
                .map(|id| format!("https://spdx.org/licenses/{id}.html"))
        });
        Some(License { name, url })
    });
    ApiInfo {
        contact: contact.filter(|c| c.name.is_some() || c.url.is_some() || c.email.is_some()),
        license,
        terms_of_service: info.and_then(|i| ctx.text(0, i, "termsOfService")),
        external_docs: external_docs(ctx, 0, root),
    }
}

/// Redoc's `x-tagGroups`: `[{name, tags: [..]}]`.
pub fn tag_groups(ctx: &mut Ctx<'_>) -> Vec<TagGroup> {
    let store = ctx.store;
    let root = &store.docs[0].root;
    let mut out = Vec::new();
    for g in root
        .get("x-tagGroups")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(name) = ctx.text(0, g, "name") else {
            continue;
        };
        let tags = ctx.strings(0, g, "tags");
        out.push(TagGroup { name, tags });
    }
    out
}

/// One OAuth 2.0 flow (`kind` as written; Swagger 2.0 names mapped to 3.x ones).
pub fn oauth_flow(ctx: &mut Ctx<'_>, doc: DocId, kind: &str, flow: &Node) -> OAuthFlow {
    let kind = match kind {
        "application" => "clientCredentials",
        "accessCode" => "authorizationCode",
        k => k,
    };
    let scopes = flow
        .get("scopes")
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.starts_with("x-"))
                .map(|(k, (_, v))| (k.to_string(), v.scalar_text().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    OAuthFlow {
        kind: kind.to_string(),
        authorization_url: ctx.text(doc, flow, "authorizationUrl"),
        token_url: ctx.text(doc, flow, "tokenUrl"),
        refresh_url: ctx.text(doc, flow, "refreshUrl"),
        scopes,
    }
}

/// A `security` list: each entry is one alternative (all its schemes together, with scopes).
pub fn security(ctx: &mut Ctx<'_>, doc: DocId, node: &Node) -> Vec<SecurityRequirement> {
    let Some(items) = node.as_seq() else {
        ctx.wrong_type(doc, "`security`", "a list of requirements", node);
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(m) = item.as_map() else {
            ctx.wrong_type(
                doc,
                "a security requirement",
                "a mapping of scheme names to scopes",
                item,
            );
            continue;
        };
        let mut req = SecurityRequirement::default();
        for (name, (_, scopes)) in m {
            let scopes = scopes
                .as_seq()
                .map(|s| s.iter().filter_map(Node::scalar_text).collect())
                .unwrap_or_default();
            req.schemes.push((name.to_string(), scopes));
        }
        out.push(req);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::parse;

    #[test]
    fn raw_scalars_keep_what_was_written() {
        let text = "a: 2.0\nb: 1.10 # comment\nc: {d: 3.0, e: '3.0'}\nf: true\n";
        let doc = parse(text).unwrap();
        let raw = |n: &Node| raw_scalar(text, n);
        assert_eq!(raw(doc.get("a").unwrap()).as_deref(), Some("2.0"));
        assert_eq!(raw(doc.get("b").unwrap()).as_deref(), Some("1.10"));
        let c = doc.get("c").unwrap();
        assert_eq!(raw(c.get("d").unwrap()).as_deref(), Some("3.0"));
        assert_eq!(raw(c.get("e").unwrap()).as_deref(), Some("3.0"));
        assert_eq!(raw(doc.get("f").unwrap()).as_deref(), Some("true"));
        assert_eq!(raw(c), None);
    }
}
