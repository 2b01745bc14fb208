//! The template contract: the serializable data each template receives, one struct per page
//! type plus the parts every page shares (`site`, `page`, `nav`). Templates never see the model
//! itself, so the model can change without breaking a project's template overrides. Contexts
//! carry data, never product wording: sentences live in the theme's partials. This file is the
//! source of truth of docs/templates.md, and a test (`contract_tests`) fails when the two
//! differ. Building these values from the model is [`super::views`]'s job.

use serde::Serialize;

use crate::render::markdown::TocEntry;

/// The version of the contract documented in docs/templates.md. Raise it when a field is
/// removed or changes meaning.
pub const CONTRACT_VERSION: u32 = 3;

/// What every page receives; `content` is the page type's own part, flattened beside the
/// shared keys (a home page sees `site`, `root`, …, `intro_html`, `apis`, …).
#[derive(Debug, Clone, Serialize)]
pub struct PageContext<'a> {
    pub site: &'a SiteView,
    /// Relative prefix from this page to the portal root (`../../`); on the 404 page the
    /// absolute path of `base_url` (`/dev/`).
    pub root: String,
    pub page: PageMeta,
    pub nav: Nav,
    /// When set (by `serve`), the URL of the live-reload client script.
    pub live_reload: Option<String>,
    #[serde(flatten)]
    pub content: PageContent,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub base_url: String,
    pub generator: String,
    pub custom_css: bool,
    /// Audience builds ask search engines not to index them.
    pub noindex: bool,
}

/// Which template a page is rendered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Home,
    Apis,
    Api,
    Operation,
    Schemas,
    Schema,
    Packages,
    Package,
    Guide,
    #[serde(rename = "404")]
    NotFound,
}

impl PageKind {
    /// The template of this kind of page.
    pub fn template(self) -> &'static str {
        match self {
            PageKind::Home => "index.html",
            PageKind::Apis => "apis.html",
            PageKind::Api => "api.html",
            PageKind::Operation => "operation.html",
            PageKind::Schemas => "schemas.html",
            PageKind::Schema => "schema.html",
            PageKind::Packages => "packages.html",
            PageKind::Package => "package.html",
            PageKind::Guide => "page.html",
            PageKind::NotFound => "404.html",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub kind: PageKind,
    pub url: String,
    /// Unique across the portal (operations sharing a summary are told apart by method and
    /// path).
    pub title: String,
    /// Plain text of at most [`DESCRIPTION_MAX`] characters, never the portal's own
    /// description repeated (only the home page uses that).
    pub description: Option<String>,
}

/// The longest `page.description` (search engines show about this much).
pub const DESCRIPTION_MAX: usize = 160;

// ---------------------------------------------------------------------------------------------
// Navigation (every page)

#[derive(Debug, Clone, Serialize)]
pub struct Nav {
    pub apis: Vec<NavApi>,
    pub packages: Vec<NavLink>,
    pub guides: Vec<NavLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavApi {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub url: String,
    pub active: bool,
    pub operation_count: usize,
    /// Only the API being viewed carries its tags (the navigation expands only that one).
    pub tags: Vec<NavTag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavTag {
    pub name: String,
    /// The id of the tag's section on the API page.
    pub anchor: String,
    /// Visible operations under the tag.
    pub count: usize,
    /// The operations to list; empty when the tag is collapsed to a link (large APIs). On
    /// the operation pages of a large tag only a window around the current operation.
    pub operations: Vec<NavOp>,
    /// Operations of the tag before and after the listed window (0 when all are listed).
    pub before: usize,
    pub after: usize,
    /// The `x-tagGroups` group the tag is in, if the document groups its tags.
    pub group: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavOp {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub url: String,
    pub deprecated: bool,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub slug: String,
    pub name: String,
    pub title: String,
    pub url: String,
    pub active: bool,
}

// ---------------------------------------------------------------------------------------------
// Page types

/// The part of the context that depends on the page type (flattened into [`PageContext`]).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PageContent {
    Home(HomeContext),
    Apis(ApisContext),
    Packages(PackagesContext),
    Api(ApiContext),
    Operation(OperationContext),
    Schemas(SchemasContext),
    Schema(SchemaContext),
    Package(PackageContext),
    Guide(GuideContext),
    NotFound(NotFoundContext),
}

impl PageContent {
    /// The kind of page this content is for.
    pub fn kind(&self) -> PageKind {
        match self {
            PageContent::Home(_) => PageKind::Home,
            PageContent::Apis(_) => PageKind::Apis,
            PageContent::Packages(_) => PageKind::Packages,
            PageContent::Api(_) => PageKind::Api,
            PageContent::Operation(_) => PageKind::Operation,
            PageContent::Schemas(_) => PageKind::Schemas,
            PageContent::Schema(_) => PageKind::Schema,
            PageContent::Package(_) => PageKind::Package,
            PageContent::Guide(_) => PageKind::Guide,
            PageContent::NotFound(_) => PageKind::NotFound,
        }
    }
}

/// `index.html`: the home page.
#[derive(Debug, Clone, Serialize)]
pub struct HomeContext {
    pub intro_html: String,
    pub apis: Vec<ApiCard>,
    pub packages: Vec<PackageCard>,
    pub guides: Vec<GuideCard>,
}

/// `apis.html`: the API catalog.
#[derive(Debug, Clone, Serialize)]
pub struct ApisContext {
    pub apis: Vec<ApiCard>,
}

/// `packages.html`: the package catalog.
#[derive(Debug, Clone, Serialize)]
pub struct PackagesContext {
    pub packages: Vec<PackageCard>,
}

/// `api.html`: one API's overview.
#[derive(Debug, Clone, Serialize)]
pub struct ApiContext {
    pub api: ApiView,
}

/// `operation.html`: one operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationContext {
    pub api: ApiRef,
    pub op: OperationView,
}

/// `schemas.html`: the index of the named schemas an API's visible operations use.
#[derive(Debug, Clone, Serialize)]
pub struct SchemasContext {
    pub api: ApiRef,
    pub schemas: Vec<SchemaCard>,
}

/// `schema.html`: one named schema.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaContext {
    pub api: ApiRef,
    pub schema: SchemaView,
}

/// `package.html`: one API package.
#[derive(Debug, Clone, Serialize)]
pub struct PackageContext {
    pub package: PackageView,
}

/// `page.html`: a markdown guide.
#[derive(Debug, Clone, Serialize)]
pub struct GuideContext {
    pub doc: DocView,
}

/// `404.html`: nothing beyond the shared context.
#[derive(Debug, Clone, Serialize)]
pub struct NotFoundContext {}

// ---------------------------------------------------------------------------------------------
// Shapes

#[derive(Debug, Clone, Serialize)]
pub struct ApiCard {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub description_html: String,
    pub url: String,
    pub operation_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageCard {
    pub slug: String,
    pub name: String,
    pub version: Option<String>,
    pub description_html: String,
    pub url: String,
    pub rate_limit_words: Option<String>,
    pub auth_name: Option<String>,
    pub operation_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuideCard {
    pub title: String,
    pub description: Option<String>,
    pub url: String,
}

/// The API an operation or schema page belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct ApiRef {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    pub title: String,
    pub description: Option<String>,
    pub content_html: String,
    pub toc: Vec<TocEntry>,
}

/// Who a rate limit counts against; the partials word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitScope {
    /// Shared by every operation of a package.
    Package,
    /// Shared by every operation of an API.
    Api,
    /// One operation's own limit inside a package.
    Operation,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateLimitView {
    pub limit: u64,
    pub duration: &'static str,
    /// "5 requests per minute".
    pub words: String,
    pub scope: LimitScope,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthView {
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub key_names: Vec<String>,
    pub issuer: Option<String>,
    /// The issuer's OpenID Connect discovery document.
    pub discovery_url: Option<String>,
    pub scopes: Vec<String>,
    pub credential_claim: Vec<String>,
    pub auth_methods: Vec<String>,
    pub curl_example: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Download {
    pub label: String,
    pub url: String,
    /// `original` (the document as the project has it), `openapi` (computed, exactly the
    /// operations of the page), `postman`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpRow {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub url: String,
    pub deprecated: bool,
    pub operation_id: Option<String>,
    pub packages: Vec<LinkRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkRef {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    pub name: String,
    /// The id of the tag's section on the API page (navigation links point at it).
    pub anchor: String,
    pub description_html: String,
    pub external_docs: Option<ExternalDocsView>,
    pub operations: Vec<OpRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerView {
    pub url: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiView {
    pub slug: String,
    pub title: String,
    pub version: String,
    /// `openapi` / `swagger` as the document writes it (`3.0.3`).
    pub spec_version: String,
    pub url: String,
    pub description_html: String,
    pub servers: Vec<ServerView>,
    pub auth: Option<AuthView>,
    pub registration_url: Option<String>,
    /// Kinds of security the document declares for its operations (see PackageView).
    pub declared_security: Vec<&'static str>,
    pub rate_limit: Option<RateLimitView>,
    /// Tags in the document's order, grouped by `x-tagGroups` (one group named null when the
    /// document has none).
    pub tag_groups: Vec<TagGroupView>,
    /// The packages holding every operation of the API, when they all share the same ones
    /// (the operation rows then carry none).
    pub common_packages: Vec<LinkRef>,
    /// The document's own security schemes.
    pub security_schemes: Vec<SchemeView>,
    pub contact: Option<ContactView>,
    pub license: Option<LinkRef>,
    pub terms_of_service: Option<String>,
    pub external_docs: Option<ExternalDocsView>,
    pub downloads: Vec<Download>,
    pub schemas_url: String,
    pub schema_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagGroupView {
    pub name: Option<String>,
    pub tags: Vec<TagView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub name: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExternalDocsView {
    pub url: String,
    /// Plain text (it is a link's text).
    pub description: Option<String>,
}

/// A security scheme of the API document, as facts; partials/security_scheme.html words it.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeView {
    pub name: String,
    /// The id of its explanation on the API page (operation pages link to it).
    pub anchor: String,
    /// `apiKey`, `http`, `oauth2`, `openIdConnect`, `mutualTLS`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description_html: String,
    /// apiKey: `header`, `query` or `cookie`, and the parameter's name.
    pub location: Option<String>,
    pub param_name: Option<String>,
    /// http: `bearer`, `basic`, … and the bearer format.
    pub scheme: Option<String>,
    pub bearer_format: Option<String>,
    /// openIdConnect: the discovery document.
    pub url: Option<String>,
    pub flows: Vec<FlowView>,
    /// Operations of this page that use the scheme.
    pub operation_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowView {
    /// `authorizationCode`, `clientCredentials`, `implicit`, `password`.
    pub kind: String,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub refresh_url: Option<String>,
    pub scopes: Vec<ScopeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeView {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContentView {
    pub media_type: String,
    /// The schema tree (render/schema.rs markup), empty without a schema.
    pub schema_html: String,
    /// The example, highlighted (null without schema or example).
    pub example_html: Option<String>,
    /// Whether the example was generated from the schema (the document has none).
    pub example_generated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParamView {
    pub name: String,
    pub location: &'static str,
    pub required: bool,
    pub deprecated: bool,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
    pub example: Option<String>,
    /// Constraints in words ("1 to 100 · default: `30`"), as HTML.
    pub constraints_html: String,
    /// The fields of an object parameter (schema tree), else empty.
    pub schema_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BodyView {
    pub description_html: String,
    pub required: bool,
    pub content: Vec<ContentView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeaderView {
    pub name: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseView {
    pub status: String,
    pub description_html: String,
    pub headers: Vec<HeaderView>,
    pub content: Vec<ContentView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityView {
    pub schemes: Vec<SchemeUse>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchemeUse {
    pub name: String,
    pub scopes: Vec<String>,
    /// The scheme's explanation on the API page.
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpPackage {
    pub name: String,
    pub url: String,
    pub limit_words: Option<String>,
    pub own_limit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub label: String,
    pub lang: &'static str,
    pub code: String,
    /// `code` highlighted (class-based spans, render/highlight.rs).
    pub code_html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationView {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub description_html: String,
    pub deprecated: bool,
    pub operation_id: Option<String>,
    pub tags: Vec<String>,
    pub servers: Vec<ServerView>,
    pub security: Vec<SecurityView>,
    pub parameters: Vec<ParamView>,
    pub request_body: Option<BodyView>,
    pub responses: Vec<ResponseView>,
    pub packages: Vec<OpPackage>,
    pub samples: Vec<Sample>,
    /// What the gateway export really enforces (`partials/enforcement.html` words it).
    pub enforcement: Option<EnforcementView>,
}

/// What the gateway enforces for an operation, or for the operations of a package, as the
/// export verified it (`kong`) or as Konnect's ACE is configured (`konnect`).
#[derive(Debug, Clone, Serialize)]
pub struct EnforcementView {
    /// `kong` or `konnect`.
    pub gateway: &'static str,
    /// enforced|open|terminated|unrouted|unchecked|konnect (a package: of its operations, the
    /// status they share, else `mixed`).
    pub status: &'static str,
    /// `key-auth` or `openid-connect`, when application auth is enforced.
    pub auth_plugin: Option<&'static str>,
    pub key_names: Vec<String>,
    pub key_in_query: bool,
    pub hide_credentials: bool,
    pub issuer: Option<String>,
    /// Per visible package (or the API's publication): the limit and its counter.
    pub limits: Vec<EnforcedLimit>,
    /// The status code answering every request (`terminated`).
    pub status_code: Option<u16>,
    /// Operations whose enforcement was verified, of all counted (1 of 1 for an operation).
    pub verified: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnforcedLimit {
    pub name: String,
    pub limit: Option<RateLimitView>,
    /// `package` (one counter for the package's operations) or `operation` (its own).
    pub counter: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageOpRow {
    pub method: &'static str,
    pub path: String,
    pub summary: Option<String>,
    pub url: String,
    pub deprecated: bool,
    /// The operation's own limit, replacing the package's.
    pub own_limit: Option<RateLimitView>,
}

/// The operations of a package under one API and tag.
#[derive(Debug, Clone, Serialize)]
pub struct PackageSection {
    pub api_title: String,
    pub api_url: String,
    pub tag: String,
    pub operations: Vec<PackageOpRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageView {
    pub slug: String,
    pub name: String,
    pub version: Option<String>,
    pub description_html: String,
    pub visibility: &'static str,
    pub teams: Vec<String>,
    pub rate_limit: Option<RateLimitView>,
    pub auth: Option<AuthView>,
    pub registration_url: Option<String>,
    /// Operations grouped by API and tag, in package order.
    pub sections: Vec<PackageSection>,
    pub operation_count: usize,
    /// Whether some operation has its own limit.
    pub has_own_limits: bool,
    /// Kinds of security the API documents of its operations declare (`oauth2`, `apiKey`,
    /// `http`, `openIdConnect`, `mutualTLS`), for partials/access.html.
    pub declared_security: Vec<&'static str>,
    pub downloads: Vec<Download>,
    /// What the gateway export really enforces for the package's operations.
    pub enforcement: Option<EnforcementView>,
}

/// A named schema in the index.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaCard {
    pub name: String,
    pub url: String,
    #[serde(rename = "type")]
    pub type_label: String,
    /// The description's first sentence or paragraph, plain text.
    pub summary: Option<String>,
}

/// A named schema's page.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaView {
    pub name: String,
    pub url: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
    /// The tree of its fields (render/schema.rs markup).
    pub tree_html: String,
    pub example_html: Option<String>,
    pub example_generated: bool,
}
