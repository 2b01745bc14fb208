//! OpenAPI 3.0.x and 3.1.x front end: servers (variables substituted with their defaults),
//! security schemes, parameters (`schema` or `content`), request bodies, responses, headers,
//! media types with examples, 3.1 `webhooks` (and the `x-webhooks` extension GitHub and Redoc
//! use in 3.0 documents). Schemas go through [`super::schema`].

use crate::diagnostics::codes;
use indexmap::IndexMap;

use crate::model::api::{
    Header, MediaType, Operation, ParamLocation, Parameter, RequestBody, Response, SecurityScheme,
    SecuritySchemeKind, Server, SpecVersion,
};
use crate::tree::Node;

use super::context::{Ctx, entries};
use super::paths::{Built, RawParam, Site, key_span, sibling_description, valid_status, walk};
use super::store::DocId;

/// Everything of a 3.x document except the document-level fields handled in `mod.rs`.
pub struct Parts {
    pub servers: Vec<Server>,
    pub operations: Vec<Built>,
    pub webhooks: Vec<Built>,
    pub security_schemes: Vec<SecurityScheme>,
}

pub fn convert<'s>(ctx: &mut Ctx<'s>) -> Parts {
    let store = ctx.store;
    let root = &store.docs[0].root;
    let components = ctx.map_field(0, root, "components");
    if let Some(schemas) = components.and_then(|c| c.get("schemas")) {
        ctx.register_components(schemas, &["components", "schemas"]);
    }
    let servers = root
        .get("servers")
        .map(|s| servers(ctx, 0, s))
        .unwrap_or_default();
    let security_schemes = components
        .and_then(|c| ctx.map_field(0, c, "securitySchemes"))
        .map(|s| security_schemes(ctx, s))
        .unwrap_or_default();
    let operations = match ctx.map_field(0, root, "paths") {
        Some(paths) => walk(ctx, paths, false, fill),
        None => {
            super::paths::missing_paths(ctx, root);
            Vec::new()
        }
    };
    let webhooks = match ctx
        .map_field(0, root, "webhooks")
        .or_else(|| ctx.map_field(0, root, "x-webhooks"))
    {
        Some(hooks) => walk(ctx, hooks, true, fill),
        None => Vec::new(),
    };
    Parts {
        servers,
        operations,
        webhooks,
        security_schemes,
    }
}

/// The 3.x half of an operation.
fn fill<'s>(ctx: &mut Ctx<'s>, site: &Site<'s>, op: &mut Operation) {
    let (doc, op_node, path_servers) = (site.doc, site.node, site.path_servers);
    for p in &site.params {
        if let Some(param) = parameter(ctx, p) {
            op.parameters.push(param);
        }
    }
    if let Some(body) = op_node.get("requestBody") {
        op.request_body = request_body(ctx, doc, body);
    }
    op.responses = responses(ctx, doc, op_node, op);
    if let Some(s) = op_node.get("servers") {
        op.servers = servers(ctx, doc, s);
    } else if let Some(s) = path_servers {
        op.servers = servers(ctx, doc, s);
    }
}

fn parameter<'s>(ctx: &mut Ctx<'s>, p: &RawParam<'s>) -> Option<Parameter> {
    let (doc, node) = (p.doc, p.node);
    let Some(loc) = ParamLocation::parse(&p.location) else {
        let v = node.get("in").unwrap_or(node);
        ctx.report_help(
            codes::INVALID_PARAMETER,
            format!(
                "parameter `{}` has an unknown location `in: {}`; ignored",
                p.name, p.location
            ),
            "use one of path, query, header, cookie",
            doc,
            v,
        );
        return None;
    };
    let mut required = ctx.flag(doc, node, "required").unwrap_or(false);
    if loc == ParamLocation::Path && !required {
        ctx.report_help(
            codes::PATH_PARAMETER_NOT_REQUIRED,
            format!(
                "path parameter `{}` must be `required: true`; treated as required",
                p.name
            ),
            "add `required: true`",
            doc,
            node,
        );
        required = true;
    }
    let mut schema = node.get("schema").map(|s| ctx.schema_use(doc, s, 0));
    let mut example = node.get("example").map(|e| ctx.value(e));
    if schema.is_none()
        && let Some(content) = ctx.map_field(doc, node, "content")
        && let Some((_, _, mt)) = entries(content).next()
    {
        schema = mt.get("schema").map(|s| ctx.schema_use(doc, s, 0));
        if example.is_none() {
            example = mt.get("example").map(|e| ctx.value(e));
        }
    }
    if schema.is_none() {
        ctx.report_help(
            codes::PARAMETER_WITHOUT_SCHEMA,
            format!(
                "parameter `{}` has no `schema` (or `content`); its type is unknown",
                p.name
            ),
            "add a schema, e.g. `schema: {type: string}`",
            doc,
            node,
        );
    }
    if example.is_none() {
        example = node
            .get("examples")
            .and_then(|e| first_example(ctx, doc, e));
    }
    Some(Parameter {
        name: p.name.clone(),
        location: loc,
        required,
        deprecated: ctx.flag(doc, node, "deprecated").unwrap_or(false),
        description: p
            .description
            .clone()
            .or_else(|| ctx.text(doc, node, "description")),
        schema,
        example,
        span: ctx.span(doc, node),
    })
}

fn first_example<'s>(
    ctx: &mut Ctx<'s>,
    doc: DocId,
    examples: &'s Node,
) -> Option<std::sync::Arc<serde_json::Value>> {
    let (_, _, first) = entries(examples).next()?;
    let (_, e) = ctx.follow(doc, first)?;
    e.get("value").map(|v| ctx.value(v))
}

fn request_body<'s>(ctx: &mut Ctx<'s>, doc: DocId, site: &'s Node) -> Option<RequestBody> {
    let (doc, node) = ctx.follow(doc, site)?;
    if node.as_map().is_none() {
        ctx.wrong_type(doc, "`requestBody`", "a mapping", node);
        return None;
    }
    let content = match ctx.map_field(doc, node, "content") {
        Some(c) => content(ctx, doc, c),
        None => {
            ctx.report_help(
                codes::REQUEST_BODY_WITHOUT_CONTENT,
                "the request body has no `content`",
                "add `content: {application/json: {schema: …}}`",
                doc,
                node,
            );
            Vec::new()
        }
    };
    Some(RequestBody {
        description: sibling_description(site).or_else(|| ctx.text(doc, node, "description")),
        required: ctx.flag(doc, node, "required").unwrap_or(false),
        content,
    })
}

/// A `content` map: media type → schema and examples.
pub fn content<'s>(ctx: &mut Ctx<'s>, doc: DocId, node: &'s Node) -> Vec<MediaType> {
    let mut out = Vec::new();
    for (media_type, _, mt) in entries(node) {
        let schema = mt.get("schema").map(|s| ctx.schema_use(doc, s, 0));
        let example = mt.get("example").map(|e| ctx.value(e));
        let mut examples = IndexMap::new();
        if let Some(ex) = mt.get("examples") {
            for (name, _, e) in entries(ex) {
                let Some((_, e)) = ctx.follow(doc, e) else {
                    continue;
                };
                if let Some(v) = e.get("value") {
                    examples.insert(name.to_string(), ctx.value(v));
                } else if let Some(url) = e.get("externalValue").and_then(Node::as_str) {
                    examples.insert(
                        name.to_string(),
                        std::sync::Arc::new(serde_json::Value::String(url.to_string())),
                    );
                }
            }
        }
        out.push(MediaType {
            media_type: media_type.to_string(),
            schema,
            example,
            examples,
        });
    }
    out
}

fn responses<'s>(
    ctx: &mut Ctx<'s>,
    doc: DocId,
    op_node: &'s Node,
    op: &Operation,
) -> Vec<Response> {
    let Some(responses) = op_node.get("responses") else {
        // `responses` became optional in OpenAPI 3.1.
        if ctx.spec == SpecVersion::OpenApi31 {
            return Vec::new();
        }
        ctx.diags.push(
            crate::diagnostics::Diagnostic::new(
                codes::MISSING_RESPONSES,
                format!("{} {} has no `responses`", op.method, op.path),
            )
            .at(&op.span)
            .help("describe at least one response, e.g. `responses: {'200': {description: OK}}`"),
        );
        return Vec::new();
    };
    if responses.as_map().is_none_or(|m| m.is_empty()) {
        ctx.report_help(
            codes::MISSING_RESPONSES,
            format!("{} {} has no responses listed", op.method, op.path),
            "describe at least one response, e.g. `'200': {description: OK}`",
            doc,
            responses,
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (status, key, r) in entries(responses) {
        if status.starts_with("x-") {
            continue;
        }
        if !valid_status(status) {
            ctx.diags.push(
                crate::diagnostics::Diagnostic::new(
                    codes::INVALID_STATUS,
                    format!(
                        "`{status}` is not an HTTP status code, a range like `4XX`, or `default`"
                    ),
                )
                .at(&key_span(ctx, doc, key)),
            );
        }
        let site_description = sibling_description(r);
        let Some((rdoc, r)) = ctx.follow(doc, r) else {
            continue;
        };
        let headers = match ctx.map_field(rdoc, r, "headers") {
            Some(h) => headers(ctx, rdoc, h),
            None => Vec::new(),
        };
        let content = match ctx.map_field(rdoc, r, "content") {
            Some(c) => content(ctx, rdoc, c),
            None => Vec::new(),
        };
        out.push(Response {
            status: status.to_string(),
            description: site_description.or_else(|| ctx.text(rdoc, r, "description")),
            headers,
            content,
        });
    }
    out
}

fn headers<'s>(ctx: &mut Ctx<'s>, doc: DocId, node: &'s Node) -> Vec<Header> {
    let mut out = Vec::new();
    for (name, _, h) in entries(node) {
        // "If a response header is defined with the name Content-Type, it SHALL be ignored."
        if name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        let site_description = sibling_description(h);
        let Some((hdoc, h)) = ctx.follow(doc, h) else {
            continue;
        };
        let mut schema = h.get("schema").map(|s| ctx.schema_use(hdoc, s, 0));
        if schema.is_none()
            && let Some(c) = h.get("content")
            && let Some((_, _, mt)) = entries(c).next()
        {
            schema = mt.get("schema").map(|s| ctx.schema_use(hdoc, s, 0));
        }
        out.push(Header {
            name: name.to_string(),
            description: site_description.or_else(|| ctx.text(hdoc, h, "description")),
            schema,
        });
    }
    out
}

/// A `servers` list, variables replaced by their defaults.
pub fn servers<'s>(ctx: &mut Ctx<'s>, doc: DocId, node: &'s Node) -> Vec<Server> {
    let mut out = Vec::new();
    let Some(items) = node.as_seq() else {
        ctx.wrong_type(doc, "`servers`", "a list", node);
        return out;
    };
    for s in items {
        let Some(mut url) = ctx.text(doc, s, "url") else {
            ctx.report(codes::INVALID_SERVER, "a server needs a `url`", doc, s);
            continue;
        };
        let variables = s.get("variables");
        for (name, _, var) in variables.into_iter().flat_map(entries) {
            let placeholder = format!("{{{name}}}");
            match var.get("default").and_then(Node::scalar_text) {
                Some(default) => url = url.replace(&placeholder, &default),
                None => ctx.report(
                    codes::INVALID_SERVER,
                    format!("server variable `{name}` needs a `default`"),
                    doc,
                    var,
                ),
            }
        }
        out.push(Server {
            url,
            description: ctx.text(doc, s, "description"),
        });
    }
    out
}

fn security_schemes<'s>(ctx: &mut Ctx<'s>, node: &'s Node) -> Vec<SecurityScheme> {
    let mut out = Vec::new();
    for (name, _, s) in entries(node) {
        let Some((doc, s)) = ctx.follow(0, s) else {
            continue;
        };
        let kind = match ctx.text(doc, s, "type").as_deref() {
            Some("apiKey") => SecuritySchemeKind::ApiKey {
                location: ctx.text(doc, s, "in").unwrap_or_default(),
                param_name: ctx.text(doc, s, "name").unwrap_or_default(),
            },
            Some("http") => SecuritySchemeKind::Http {
                scheme: ctx.text(doc, s, "scheme").unwrap_or_default(),
                bearer_format: ctx.text(doc, s, "bearerFormat"),
            },
            Some("oauth2") => SecuritySchemeKind::OAuth2 {
                flows: s
                    .get("flows")
                    .map(|f| {
                        entries(f)
                            .filter(|(k, _, _)| !k.starts_with("x-"))
                            .map(|(kind, _, flow)| {
                                super::document::oauth_flow(ctx, doc, kind, flow)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            Some("openIdConnect") => SecuritySchemeKind::OpenIdConnect {
                url: ctx.text(doc, s, "openIdConnectUrl").unwrap_or_default(),
            },
            Some("mutualTLS") => SecuritySchemeKind::MutualTls,
            other => {
                ctx.report_help(
                    codes::INVALID_SECURITY_SCHEME,
                    format!(
                        "security scheme `{name}` has {}; ignored",
                        other.map_or("no `type`".to_string(), |t| format!("unknown type `{t}`"))
                    ),
                    "use apiKey, http, oauth2, openIdConnect or mutualTLS",
                    doc,
                    s,
                );
                continue;
            }
        };
        out.push(SecurityScheme {
            name: name.to_string(),
            kind,
            description: ctx.text(doc, s, "description"),
        });
    }
    out
}
