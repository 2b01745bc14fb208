//! The one internal API model that every OpenAPI front end (Swagger 2.0, OpenAPI 3.0, 3.1)
//! produces and every later stage (validate, render, export, routing) consumes. Plain data, no
//! IO. References stay references: schemas live in an arena ([`Api::schemas`]) and a
//! [`SchemaRef::Ref`] points into it, so recursive schemas are just cycles in the arena.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::model::ids::Slug;
use crate::source::Span;

/// The OpenAPI dialect a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SpecVersion {
    #[serde(rename = "2.0")]
    Swagger2,
    #[serde(rename = "3.0")]
    OpenApi30,
    #[serde(rename = "3.1")]
    OpenApi31,
}

/// HTTP methods OpenAPI can describe, in Konnect's set and order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
    Connect,
}

impl Method {
    pub const ALL: [Method; 9] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
        Method::Connect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
            Method::Connect => "CONNECT",
        }
    }

    /// Lower-case key as written in an OpenAPI path item.
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
            Method::Connect => "connect",
        }
    }

    /// Case-insensitive parse.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API: one OpenAPI document (possibly split across files).
#[derive(Debug, Clone)]
pub struct Api {
    /// From the file name (`apis/<slug>.yaml` or `apis/<slug>/openapi.yaml`).
    pub slug: Slug,
    pub title: String,
    pub version: String,
    /// Markdown.
    pub description: Option<String>,
    pub spec_version: SpecVersion,
    /// The entry document (project-relative) and the position of its version field.
    pub source: Span,
    pub servers: Vec<Server>,
    pub tags: Vec<Tag>,
    pub operations: Vec<Operation>,
    /// OpenAPI 3.1 webhooks, same shape as operations (not routed through the gateway).
    pub webhooks: Vec<Operation>,
    /// Arena of every schema reachable from the document: named components first.
    pub schemas: Vec<Schema>,
    /// Named component schemas (`#/components/schemas/X`, Swagger `#/definitions/X`) → arena index,
    /// then every other `$ref` target (another file, a `$defs` entry…) under its last pointer
    /// segment or file name, made unique. Every [`SchemaRef::Ref`] `name` is a key here.
    pub schema_names: IndexMap<String, SchemaId>,
    /// The URL slug of each entry of `schema_names` (same order): lower-case, unique within
    /// the API (`Order Line` → `order-line`; a second `order_line` → `order-line-2`).
    pub schema_slugs: Vec<String>,
    /// `info.contact`, `info.license`, `info.termsOfService` and the root `externalDocs`.
    pub info: ApiInfo,
    /// `x-tagGroups` (Redoc's extension): named groups of tags, in the document's order.
    pub tag_groups: Vec<TagGroup>,
    /// The document as the project has it, offered for download.
    pub original: Original,
    pub security_schemes: Vec<SecurityScheme>,
    /// Document-level security requirements (operations inherit them unless they override).
    pub security: Vec<SecurityRequirement>,
    /// `x-` extensions at the document root, kept for templates.
    pub extensions: IndexMap<String, Value>,
}

impl Api {
    pub fn schema(&self, id: SchemaId) -> &Schema {
        &self.schemas[id.0]
    }

    /// The URL slug of the named schema `name` (see [`Api::schema_slugs`]).
    pub fn schema_slug(&self, name: &str) -> Option<&str> {
        let i = self.schema_names.get_index_of(name)?;
        self.schema_slugs.get(i).map(String::as_str)
    }

    /// The security requirements that apply to `op` (its own, else the document's).
    pub fn effective_security<'a>(&'a self, op: &'a Operation) -> &'a [SecurityRequirement] {
        op.security.as_deref().unwrap_or(&self.security)
    }
}

/// A server URL as written (variables substituted with their defaults).
#[derive(Debug, Clone, Serialize)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub name: String,
    /// Markdown.
    pub description: Option<String>,
    pub external_docs: Option<ExternalDocs>,
}

/// An `externalDocs` object.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalDocs {
    pub url: String,
    /// Markdown.
    pub description: Option<String>,
}

/// The parts of `info` beyond title, version and description, and the root `externalDocs`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiInfo {
    pub contact: Option<Contact>,
    pub license: Option<License>,
    pub terms_of_service: Option<String>,
    pub external_docs: Option<ExternalDocs>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct License {
    pub name: String,
    /// `url`, or the SPDX page of a 3.1 `identifier`.
    pub url: Option<String>,
}

/// One `x-tagGroups` entry.
#[derive(Debug, Clone, Serialize)]
pub struct TagGroup {
    pub name: String,
    pub tags: Vec<String>,
}

/// The API document as written in the project.
#[derive(Debug, Clone)]
pub struct Original {
    /// The entry file, project-relative (`apis/orders.yaml`).
    pub file: String,
    /// `openapi`/`swagger` as written (`3.0.3`, `2.0`).
    pub version: String,
    /// Whether the entry file is YAML (else JSON).
    pub yaml: bool,
    /// The document bundled into one JSON file, when it is split across files (every file
    /// it references inlined, schemas into `components/schemas`); `None` for one file.
    pub bundled: Option<String>,
    /// Whether any file of the document holds an HTML comment (`<!--`): notes for the team
    /// that a reader must not see, so the document is then not offered as it is.
    pub html_comment: bool,
    /// The entry file's text as the loader read it (through the project's file access,
    /// confined and within budget): what the download of a one-file document serves, so
    /// rendering reads no file again.
    pub text: std::sync::Arc<str>,
}

/// One operation: a method on a path template.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    /// The path template as written in the spec, e.g. `/orders/{id}`.
    pub path: String,
    pub operation_id: Option<String>,
    /// Where `operationId` is written (diagnostics about the URL made from it point there).
    pub operation_id_span: Option<Span>,
    /// URL slug, unique within the API (from `operationId`, else method and path).
    pub slug: String,
    pub summary: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Path-level and operation-level parameters merged (operation wins), refs resolved.
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// `None` = inherit the document's; `Some(vec![])` = explicitly open.
    pub security: Option<Vec<SecurityRequirement>>,
    /// Operation- or path-level servers overriding the document's.
    pub servers: Vec<Server>,
    pub extensions: IndexMap<String, Value>,
    /// Where the operation is written (the method key).
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    /// The location written as OpenAPI's `in:` (`path`, `query`, `header`, `cookie`).
    pub fn parse(s: &str) -> Option<ParamLocation> {
        match s {
            "path" => Some(ParamLocation::Path),
            "query" => Some(ParamLocation::Query),
            "header" => Some(ParamLocation::Header),
            "cookie" => Some(ParamLocation::Cookie),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub deprecated: bool,
    pub description: Option<String>,
    pub schema: Option<SchemaRef>,
    /// Shared: a `$ref`'d example is one value however many operations use it.
    pub example: Option<Arc<Value>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub description: Option<String>,
    pub required: bool,
    pub content: Vec<MediaType>,
}

#[derive(Debug, Clone)]
pub struct MediaType {
    /// e.g. `application/json`.
    pub media_type: String,
    pub schema: Option<SchemaRef>,
    /// Shared, like every example: GitHub's description uses each of its component examples
    /// in dozens of operations, and a copy per use multiplied their memory by 40.
    pub example: Option<Arc<Value>>,
    /// Named examples (`examples:`), values only.
    pub examples: IndexMap<String, Arc<Value>>,
}

#[derive(Debug, Clone)]
pub struct Response {
    /// `200`, `4XX`, `default`.
    pub status: String,
    pub description: Option<String>,
    pub headers: Vec<Header>,
    pub content: Vec<MediaType>,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub description: Option<String>,
    pub schema: Option<SchemaRef>,
}

/// Index into [`Api::schemas`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SchemaId(pub usize);

/// A schema use site: a reference into the arena (named or not), or an inline schema.
#[derive(Debug, Clone)]
pub enum SchemaRef {
    /// `$ref` kept as a reference. `name` is the component name when the target is a named
    /// component, else the last pointer segment.
    Ref {
        name: String,
        target: SchemaId,
    },
    Inline(Box<Schema>),
}

/// A JSON Schema / OpenAPI schema object, as far as a portal needs it.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `type`, normalised to a list (3.1 type arrays; 3.0 `nullable` adds `null`).
    pub types: Vec<String>,
    pub format: Option<String>,
    pub enum_values: Vec<Value>,
    pub const_value: Option<Value>,
    pub default: Option<Value>,
    pub examples: Vec<Value>,
    pub properties: Vec<Property>,
    pub required: Vec<String>,
    pub additional_properties: Option<Box<SchemaRef>>,
    pub items: Option<Box<SchemaRef>>,
    pub prefix_items: Vec<SchemaRef>,
    pub all_of: Vec<SchemaRef>,
    pub one_of: Vec<SchemaRef>,
    pub any_of: Vec<SchemaRef>,
    pub not: Option<Box<SchemaRef>>,
    pub discriminator: Option<String>,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub extensions: IndexMap<String, Value>,
    /// Less common keywords, boxed so `Schema` stays small: big descriptions hold tens of
    /// thousands of inline schemas (GitHub's: ~45,000). `None` when none is written.
    pub details: Option<Box<SchemaDetails>>,
}

/// The keywords of [`Schema::details`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchemaDetails {
    /// Exclusive bounds (3.1 numbers; 3.0/2.0 `exclusiveMinimum: true` moves `minimum` here).
    pub exclusive_minimum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    pub multiple_of: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// Discriminator `mapping` (value → schema reference as written).
    pub discriminator_mapping: IndexMap<String, String>,
}

impl Schema {
    /// The less common keywords (defaults when none is written).
    pub fn details(&self) -> SchemaDetails {
        self.details.as_deref().cloned().unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct Property {
    pub name: String,
    pub schema: SchemaRef,
}

/// A security scheme from `components.securitySchemes` / `securityDefinitions`.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    pub name: String,
    pub kind: SecuritySchemeKind,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SecuritySchemeKind {
    ApiKey {
        location: String,
        param_name: String,
    },
    Http {
        scheme: String,
        bearer_format: Option<String>,
    },
    OAuth2 {
        flows: Vec<OAuthFlow>,
    },
    OpenIdConnect {
        url: String,
    },
    MutualTls,
}

/// One OAuth 2.0 flow of a security scheme.
#[derive(Debug, Clone, Serialize)]
pub struct OAuthFlow {
    /// `authorizationCode`, `clientCredentials`, `implicit`, `password` (3.x names; Swagger
    /// 2.0's `accessCode` and `application` are mapped to them).
    pub kind: String,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub refresh_url: Option<String>,
    /// Scope → what it grants.
    pub scopes: Vec<(String, String)>,
}

/// One alternative of a `security` list: all named schemes together (with scopes).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SecurityRequirement {
    pub schemes: Vec<(String, Vec<String>)>,
}

/// Short human label for a schema use: `string`, `integer (int64)`, `array of Pet`, `Pet`.
pub fn type_label(api: &Api, schema: &SchemaRef) -> String {
    type_label_depth(api, schema, 0)
}

/// [`type_label`] of a schema itself (a named schema's own type: `object`, `string`).
pub fn schema_label(api: &Api, s: &Schema) -> String {
    inline_label(api, s, 0)
}

fn type_label_depth(api: &Api, schema: &SchemaRef, depth: usize) -> String {
    match schema {
        SchemaRef::Ref { name, .. } => name.clone(),
        SchemaRef::Inline(s) => inline_label(api, s, depth),
    }
}

#[allow(clippy::only_used_in_recursion)]
fn inline_label(api: &Api, s: &Schema, depth: usize) -> String {
    {
        {
            if depth > 4 {
                return "…".into();
            }
            let is_array = s.types.iter().any(|t| t == "array");
            if is_array {
                if let Some(items) = &s.items {
                    return format!("array of {}", type_label_depth(api, items, depth + 1));
                }
                return "array".into();
            }
            let composite = |list: &Vec<SchemaRef>, word: &str| -> Option<String> {
                if list.is_empty() {
                    None
                } else {
                    Some(
                        list.iter()
                            .map(|s| type_label_depth(api, s, depth + 1))
                            .collect::<Vec<_>>()
                            .join(word),
                    )
                }
            };
            if s.types.is_empty() {
                if let Some(l) = composite(&s.one_of, " | ").or_else(|| composite(&s.any_of, " | "))
                {
                    return l;
                }
                // allOf is one schema with every member's fields: a single member names it,
                // several make an object (never `A & B`).
                match s.all_of.as_slice() {
                    [] => {}
                    [one] => return type_label_depth(api, one, depth + 1),
                    _ => return "object".into(),
                }
                if !s.properties.is_empty() {
                    return "object".into();
                }
                if let Some(c) = &s.const_value {
                    return format!("const {c}");
                }
                return "any".into();
            }
            let mut label = s
                .types
                .iter()
                .filter(|t| t.as_str() != "null")
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ");
            if label.is_empty() {
                label = "null".into();
            }
            if let Some(f) = &s.format {
                label = format!("{label} ({f})");
            }
            if s.types.iter().any(|t| t == "null") && label != "null" {
                label.push_str(" | null");
            }
            label
        }
    }
}
