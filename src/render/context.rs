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
pub const CONTRACT_VERSION: u32 = 2;

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
    /// When set (by `serve`), the URL of the live-reload event stream.
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
    pub title: String,
    pub description: Option<String>,
}

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
    /// Visible operations under the tag.
    pub count: usize,
    /// The operations to list; empty when the tag is collapsed to a link (large APIs).
    pub operations: Vec<NavOp>,
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

/// `schemas.html`: the named schemas an API's visible operations use.
#[derive(Debug, Clone, Serialize)]
pub struct SchemasContext {
    pub api: ApiRef,
    pub schemas: Vec<SchemaView>,
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
    pub description_html: String,
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
    pub spec_version: &'static str,
    pub url: String,
    pub description_html: String,
    pub servers: Vec<ServerView>,
    pub auth: Option<AuthView>,
    pub registration_url: Option<String>,
    pub rate_limit: Option<RateLimitView>,
    pub tags: Vec<TagView>,
    pub downloads: Vec<Download>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Prop {
    pub name: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub required: bool,
    pub description_html: String,
    #[serde(rename = "ref")]
    pub reference: Option<LinkRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContentView {
    pub media_type: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub properties: Vec<Prop>,
    pub example_json: Option<String>,
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
    pub api_title: String,
    pub api_url: String,
    /// The operation's own limit, replacing the package's.
    pub own_limit: Option<RateLimitView>,
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
    pub operations: Vec<PackageOpRow>,
    pub downloads: Vec<Download>,
    /// What the gateway export really enforces for the package's operations.
    pub enforcement: Option<EnforcementView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchemaView {
    pub name: String,
    pub anchor: String,
    #[serde(rename = "type")]
    pub type_label: String,
    pub description_html: String,
    pub properties: Vec<Prop>,
    pub enum_values: Vec<String>,
}
