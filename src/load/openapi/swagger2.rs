//! Swagger 2.0 front end, converted to the same model as OpenAPI 3.x (following the rules of
//! swagger2openapi): `host` + `basePath` + `schemes` become servers; `consumes`/`produces`
//! (document or operation level) become the media types of request bodies and responses; a
//! `body` parameter becomes the request body and `formData` parameters one form body
//! (multipart when a file is uploaded); non-body parameters carry their schema keywords inline;
//! `definitions` are the named schemas; `securityDefinitions` the security schemes.

use crate::diagnostics::codes;
use indexmap::IndexMap;

use crate::model::api::{
    Header, MediaType, Operation, ParamLocation, Parameter, Property, RequestBody, Response,
    Schema, SchemaRef, SecurityScheme, SecuritySchemeKind, Server,
};
use crate::tree::{Key, Node, Value};

use super::context::{Ctx, entries};
use super::paths::{Built, Site, key_span, valid_status, walk};
use super::store::DocId;

/// Document-level defaults operations inherit.
pub struct Globals {
    pub consumes: Vec<String>,
    pub produces: Vec<String>,
}

pub struct Parts {
    pub servers: Vec<Server>,
    pub operations: Vec<Built>,
    pub security_schemes: Vec<SecurityScheme>,
}

/// Schema keywords a non-body parameter, header or `items` object may carry.
const SCHEMA_KEYWORDS: [&str; 17] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
];

pub fn convert<'s>(ctx: &mut Ctx<'s>) -> Parts {
    let store = ctx.store;
    let root = &store.docs[0].root;
    if let Some(defs) = ctx.map_field(0, root, "definitions") {
        ctx.register_components(defs, &["definitions"]);
    }
    let globals = Globals {
        consumes: ctx.strings(0, root, "consumes"),
        produces: ctx.strings(0, root, "produces"),
    };
    let servers = servers(ctx, root);
    let security_schemes = ctx
        .map_field(0, root, "securityDefinitions")
        .map(|s| security_definitions(ctx, s))
        .unwrap_or_default();
    let operations = match ctx.map_field(0, root, "paths") {
        Some(paths) => walk(ctx, paths, false, |ctx, site, op| {
            fill(ctx, &globals, site, op)
        }),
        None => {
            super::paths::missing_paths(ctx, root);
            Vec::new()
        }
    };
    Parts {
        servers,
        operations,
        security_schemes,
    }
}

/// `schemes` × `host` + `basePath` (https when no scheme is given; a relative URL when no host).
fn servers(ctx: &mut Ctx<'_>, root: &Node) -> Vec<Server> {
    let host = ctx.text(0, root, "host");
    let base = ctx.text(0, root, "basePath").unwrap_or_default();
    let base = if base.is_empty() || base.starts_with('/') {
        base
    } else {
        format!("/{base}")
    };
    match host {
        None if base.is_empty() => Vec::new(),
        None => vec![Server {
            url: base,
            description: None,
        }],
        Some(host) => {
            let mut schemes = ctx.strings(0, root, "schemes");
            if schemes.is_empty() {
                schemes.push("https".into());
            }
            schemes
                .into_iter()
                .map(|s| Server {
                    url: format!("{}://{host}{base}", s.to_lowercase()),
                    description: None,
                })
                .collect()
        }
    }
}

/// The 2.0 half of an operation.
fn fill<'s>(ctx: &mut Ctx<'s>, globals: &Globals, site: &Site<'s>, op: &mut Operation) {
    let (doc, op_node, params) = (site.doc, site.node, &site.params);
    let consumes = match op_node.get("consumes") {
        Some(_) => ctx.strings(doc, op_node, "consumes"),
        None => globals.consumes.clone(),
    };
    let produces = match op_node.get("produces") {
        Some(_) => ctx.strings(doc, op_node, "produces"),
        None => globals.produces.clone(),
    };
    let mut body: Option<RequestBody> = None;
    let mut form = Schema {
        types: vec!["object".into()],
        ..Schema::default()
    };
    let mut has_file = false;
    for p in params {
        let (pdoc, node) = (p.doc, p.node);
        match p.location.as_str() {
            "body" => {
                if body.is_some() {
                    ctx.report(
                        codes::DUPLICATE_PARAMETER,
                        "an operation can have only one `body` parameter; the first is used",
                        pdoc,
                        node,
                    );
                    continue;
                }
                let schema = match node.get("schema") {
                    Some(s) => Some(ctx.schema_use(pdoc, s, 0)),
                    None => {
                        ctx.report_help(
                            codes::PARAMETER_WITHOUT_SCHEMA,
                            format!("body parameter `{}` has no `schema`", p.name),
                            "add `schema:` (often a `$ref` to a definition)",
                            pdoc,
                            node,
                        );
                        None
                    }
                };
                let types = if consumes.is_empty() {
                    vec!["application/json".to_string()]
                } else {
                    consumes.clone()
                };
                body = Some(RequestBody {
                    description: ctx.text(pdoc, node, "description"),
                    required: ctx.flag(pdoc, node, "required").unwrap_or(false),
                    content: types
                        .into_iter()
                        .map(|t| MediaType {
                            media_type: t,
                            schema: schema.clone(),
                            example: None,
                            examples: IndexMap::new(),
                        })
                        .collect(),
                });
            }
            "formData" => {
                let mut schema = inline_schema(ctx, pdoc, node);
                if let SchemaRef::Inline(s) = &mut schema {
                    s.description = ctx.text(pdoc, node, "description");
                    has_file |= s.format.as_deref() == Some("binary")
                        && node.get("type").and_then(Node::as_str) == Some("file");
                }
                if ctx.flag(pdoc, node, "required") == Some(true) {
                    form.required.push(p.name.clone());
                }
                form.properties.push(Property {
                    name: p.name.clone(),
                    schema,
                });
            }
            other => {
                let Some(loc) = ParamLocation::parse(other) else {
                    let v = node.get("in").unwrap_or(node);
                    ctx.report_help(
                        codes::INVALID_PARAMETER,
                        format!(
                            "parameter `{}` has an unknown location `in: {other}`; ignored",
                            p.name
                        ),
                        "use one of path, query, header, body, formData",
                        pdoc,
                        v,
                    );
                    continue;
                };
                let schema = if node.get("type").is_some() {
                    Some(inline_schema(ctx, pdoc, node))
                } else {
                    ctx.report_help(
                        codes::PARAMETER_WITHOUT_SCHEMA,
                        format!("parameter `{}` has no `type`; its type is unknown", p.name),
                        "add `type: string` (or integer, number, boolean, array)",
                        pdoc,
                        node,
                    );
                    None
                };
                let mut required = ctx.flag(pdoc, node, "required").unwrap_or(false);
                if loc == crate::model::api::ParamLocation::Path && !required {
                    ctx.report_help(
                        codes::PATH_PARAMETER_NOT_REQUIRED,
                        format!(
                            "path parameter `{}` must be `required: true`; treated as required",
                            p.name
                        ),
                        "add `required: true`",
                        pdoc,
                        node,
                    );
                    required = true;
                }
                op.parameters.push(Parameter {
                    name: p.name.clone(),
                    location: loc,
                    required,
                    deprecated: false,
                    description: p
                        .description
                        .clone()
                        .or_else(|| ctx.text(pdoc, node, "description")),
                    schema,
                    example: node.get("x-example").map(|e| ctx.value(e)),
                    span: ctx.span(pdoc, node),
                });
            }
        }
    }
    if !form.properties.is_empty() {
        if body.is_some() {
            ctx.report(
                codes::BODY_AND_FORM_DATA,
                "an operation cannot have both a `body` and `formData` parameters; the form is ignored",
                doc,
                op_node,
            );
        } else {
            let form_types: Vec<String> = consumes
                .iter()
                .filter(|t| {
                    t.starts_with("multipart/form-data")
                        || t.starts_with("application/x-www-form-urlencoded")
                })
                .cloned()
                .collect();
            let types = if !form_types.is_empty() {
                form_types
            } else if has_file {
                vec!["multipart/form-data".to_string()]
            } else {
                vec!["application/x-www-form-urlencoded".to_string()]
            };
            let required = !form.required.is_empty();
            let schema = SchemaRef::Inline(Box::new(form));
            body = Some(RequestBody {
                description: None,
                required,
                content: types
                    .into_iter()
                    .map(|t| MediaType {
                        media_type: t,
                        schema: Some(schema.clone()),
                        example: None,
                        examples: IndexMap::new(),
                    })
                    .collect(),
            });
        }
    }
    op.request_body = body;
    op.responses = responses(ctx, doc, op_node, &produces, op);
}

/// A schema from the keywords written directly on a parameter, header or items object.
fn inline_schema(ctx: &mut Ctx<'_>, doc: DocId, node: &Node) -> SchemaRef {
    let map = node
        .as_map()
        .map(|m| m.select(|k| SCHEMA_KEYWORDS.contains(&k)))
        .unwrap_or_default();
    let synthetic = Node {
        value: Value::Map(map),
        line: node.line,
        column: node.column,
    };
    ctx.schema_use(doc, &synthetic, 0)
}

fn responses<'s>(
    ctx: &mut Ctx<'s>,
    doc: DocId,
    op_node: &'s Node,
    produces: &[String],
    op: &Operation,
) -> Vec<Response> {
    let responses = match op_node.get("responses") {
        Some(r) if r.as_map().is_some_and(|m| !m.is_empty()) => r,
        _ => {
            ctx.diags.push(
                crate::diagnostics::Diagnostic::new(
                    codes::MISSING_RESPONSES,
                    format!("{} {} has no `responses`", op.method, op.path),
                )
                .at(&op.span)
                .help(
                    "describe at least one response, e.g. `responses: {'200': {description: OK}}`",
                ),
            );
            return Vec::new();
        }
    };
    let types: Vec<String> = if produces.is_empty() {
        vec!["application/json".into()]
    } else {
        produces.to_vec()
    };
    let mut out = Vec::new();
    for (status, key, r) in entries(responses) {
        if status.starts_with("x-") {
            continue;
        }
        if !valid_status(status) {
            warn_status(ctx, doc, key, status);
        }
        let Some((rdoc, r)) = ctx.follow(doc, r) else {
            continue;
        };
        let mut headers = Vec::new();
        for (name, _, h) in entries(r.get("headers").unwrap_or(&NULL)) {
            let schema = Some(inline_schema(ctx, rdoc, h));
            headers.push(Header {
                name: name.to_string(),
                description: ctx.text(rdoc, h, "description"),
                schema,
            });
        }
        let mut content = Vec::new();
        let examples = r.get("examples");
        if let Some(s) = r.get("schema") {
            let schema = ctx.schema_use(rdoc, s, 0);
            for t in &types {
                content.push(MediaType {
                    media_type: t.clone(),
                    schema: Some(schema.clone()),
                    example: examples.and_then(|e| e.get(t)).map(|e| ctx.value(e)),
                    examples: IndexMap::new(),
                });
            }
        }
        // Examples for media types the operation does not list still describe the response.
        for (mime, _, e) in entries(examples.unwrap_or(&NULL)) {
            if !content.iter().any(|c| c.media_type == mime) {
                content.push(MediaType {
                    media_type: mime.to_string(),
                    schema: None,
                    example: Some(ctx.value(e)),
                    examples: IndexMap::new(),
                });
            }
        }
        out.push(Response {
            status: status.to_string(),
            description: ctx.text(rdoc, r, "description"),
            headers,
            content,
        });
    }
    out
}

static NULL: Node = Node {
    value: Value::Null,
    line: 0,
    column: 0,
};

fn warn_status(ctx: &mut Ctx<'_>, doc: DocId, key: &Key, status: &str) {
    ctx.diags.push(
        crate::diagnostics::Diagnostic::new(
            codes::INVALID_STATUS,
            format!("`{status}` is not an HTTP status code or `default`"),
        )
        .at(&key_span(ctx, doc, key)),
    );
}

fn security_definitions<'s>(ctx: &mut Ctx<'s>, node: &'s Node) -> Vec<SecurityScheme> {
    let mut out = Vec::new();
    for (name, _, s) in entries(node) {
        let Some((doc, s)) = ctx.follow(0, s) else {
            continue;
        };
        let kind = match ctx.text(doc, s, "type").as_deref() {
            Some("basic") => SecuritySchemeKind::Http {
                scheme: "basic".into(),
                bearer_format: None,
            },
            Some("apiKey") => SecuritySchemeKind::ApiKey {
                location: ctx.text(doc, s, "in").unwrap_or_default(),
                param_name: ctx.text(doc, s, "name").unwrap_or_default(),
            },
            Some("oauth2") => {
                let flow = match ctx.text(doc, s, "flow").as_deref() {
                    Some("implicit") => "implicit",
                    Some("password") => "password",
                    Some("application") => "clientCredentials",
                    Some("accessCode") => "authorizationCode",
                    _ => "implicit",
                };
                SecuritySchemeKind::OAuth2 {
                    flows: vec![super::document::oauth_flow(ctx, doc, flow, s)],
                }
            }
            other => {
                ctx.report_help(
                    codes::INVALID_SECURITY_SCHEME,
                    format!(
                        "security definition `{name}` has {}; ignored",
                        other.map_or("no `type`".to_string(), |t| format!("unknown type `{t}`"))
                    ),
                    "use basic, apiKey or oauth2",
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
