//! `portal.yaml`: the project's settings, as used after validation. Parsing and strict
//! validation of the file (unknown keys, types, allowed values, all with positions) live in
//! [`crate::load::portal_config`]; this module holds only the typed result and its defaults.

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::gateway::Spanned;
use crate::model::{RateLimit, Visibility};
use crate::source::Span;

/// `base_url` normalised: an absolute `http(s)` URL with a host, no credentials, query or
/// fragment, ending with `/`. The one rule for `base_url` in portal.yaml and `--base-url`.
pub fn parse_base_url(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| match e {
        url::ParseError::InvalidPort => {
            format!("`base_url` `{url}` has an invalid port (1 to 65535)")
        }
        url::ParseError::RelativeUrlWithoutBase => {
            format!("`base_url` must be an absolute http(s) URL, found `{url}`")
        }
        url::ParseError::EmptyHost => format!("`base_url` `{url}` has no host"),
        e => format!("`base_url` `{url}` is not a valid URL: {e}"),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "`base_url` must be an absolute http(s) URL, found `{url}`"
        ));
    }
    // The URL parser reads `https:///x` as host `x`; a written host is required.
    let written_host = url
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    if !written_host || parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`base_url` `{url}` has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "`base_url` `{url}` must not contain credentials (they would be published in sitemap.xml)"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() || url.contains(' ') {
        return Err(format!(
            "`base_url` `{url}` must not contain a query, fragment or spaces"
        ));
    }
    let mut u = url.to_string();
    if !u.ends_with('/') {
        u.push('/');
    }
    Ok(u)
}

/// Settings from `portal.yaml`.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    pub title: String,
    /// Absolute URL where the portal is hosted; always ends with `/`.
    pub base_url: String,
    pub description: Option<String>,
    /// Name of the theme (`default` is built in).
    pub theme: String,
    /// URL template for "Register an application" with `{package}` placeholder.
    pub registration_url: Option<String>,
    /// Application auth strategies; the first is the default.
    pub auth_strategies: Vec<AuthStrategy>,
    /// Per-API settings keyed by API slug.
    pub apis: IndexMap<String, ApiSettings>,
    pub gateway: GatewaySettings,
    /// Folders outside the project that files may be read from (`read_roots`), as written,
    /// with where; the loader resolves and checks them.
    pub read_roots: Vec<(String, Span)>,
    /// The budgets of one run (`limits`).
    pub limits: Limits,
    /// Where each `limits` key is written (for diagnostics that name the budget).
    pub limit_spans: IndexMap<String, Span>,
    pub konnect: KonnectSettings,
    pub span: Span,
}

/// `limits:` in portal.yaml: the budgets that keep one run's memory and time bounded, whatever
/// the inputs hold. Each has a default that real projects stay well inside; a project that
/// needs more raises it (docs/project-format.md, "Limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes per input file (YAML, JSON, markdown, templates, static files). The default
    /// admits Microsoft Graph's 45 MB description.
    pub file_size: u64,
    /// Bytes of every input file of the run together.
    pub input_size: u64,
    /// YAML/JSON nodes (after alias expansion) of every file of the run together.
    pub yaml_nodes: u64,
    /// Nodes added by expanding YAML aliases, in every file of the run together.
    pub alias_nodes: u64,
    /// Bytes per generated file (an HTML page, a download, an index).
    pub page_size: u64,
    /// Instructions one page's render may run when the project overrides templates
    /// (minijinja's fuel): an endless loop in a template stops instead of hanging the build.
    pub template_fuel: u64,
}

impl Limits {
    /// The keys of `limits:`, each with whether it is a size in bytes.
    pub const KEYS: [(&'static str, bool); 6] = [
        ("file_size", true),
        ("input_size", true),
        ("yaml_nodes", false),
        ("alias_nodes", false),
        ("page_size", true),
        ("template_fuel", false),
    ];

    /// The limit named `key` (one of [`Limits::KEYS`]).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut u64> {
        Some(match key {
            "file_size" => &mut self.file_size,
            "input_size" => &mut self.input_size,
            "yaml_nodes" => &mut self.yaml_nodes,
            "alias_nodes" => &mut self.alias_nodes,
            "page_size" => &mut self.page_size,
            "template_fuel" => &mut self.template_fuel,
            _ => return None,
        })
    }
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_size: 64 * MIB,
            input_size: 512 * MIB,
            yaml_nodes: 20_000_000,
            alias_nodes: 1_000_000,
            page_size: 64 * MIB,
            template_fuel: 100_000_000,
        }
    }
}

/// A size as portal.yaml writes it: bytes (`1048576`) or a number with a unit (`64 MiB`,
/// `1.5 GB`, `512kb`; KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: String = number.chars().filter(|c| *c != '_').collect();
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => MIB,
        "gib" => 1024 * MIB,
        _ => return None,
    };
    if number.is_empty() {
        return None;
    }
    if let Ok(n) = number.parse::<u64>() {
        return n.checked_mul(factor);
    }
    let f: f64 = number.parse().ok()?;
    let v = f * factor as f64;
    (v.is_finite() && v >= 0.0 && v < u64::MAX as f64).then_some(v.round() as u64)
}

impl PortalConfig {
    pub fn default_auth_strategy(&self) -> Option<&AuthStrategy> {
        self.auth_strategies.first()
    }

    pub fn auth_strategy(&self, name: &str) -> Option<&AuthStrategy> {
        self.auth_strategies.iter().find(|s| s.name == name)
    }

    pub fn api(&self, slug: &str) -> Option<&ApiSettings> {
        self.apis.get(slug)
    }
}

/// An application auth strategy, as in Konnect (`key_auth` or `openid_connect`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthStrategy {
    pub name: String,
    /// Human name shown in the portal (defaults to `name`).
    pub display_name: String,
    #[serde(flatten)]
    pub kind: AuthKind,
    /// How Kong's `key-auth` plugin treats the key (key_auth strategies, `export --flavor kong`).
    #[serde(skip)]
    pub key_auth: KeyAuthOptions,
    #[serde(skip)]
    pub span: Span,
}

/// The `key-auth` options of a key_auth strategy (portal.yaml `hide_credentials`,
/// `key_in_query`). portalgen's defaults differ from Kong's on purpose: the key never reaches
/// the upstream, and it is never accepted in the query string, where access logs and proxies
/// record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAuthOptions {
    /// Strip the key before proxying (Kong's default: `false`; portalgen's: `true`).
    pub hide_credentials: bool,
    /// Accept the key as a query parameter (Kong's default: `true`; portalgen's: `false`).
    pub key_in_query: bool,
}

impl Default for KeyAuthOptions {
    fn default() -> Self {
        KeyAuthOptions {
            hide_credentials: true,
            key_in_query: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuthKind {
    KeyAuth {
        /// Header (or query parameter) names that carry the key; Kong's default is `apikey`.
        key_names: Vec<String>,
    },
    OpenidConnect {
        issuer: String,
        scopes: Vec<String>,
        credential_claim: Vec<String>,
        auth_methods: Vec<String>,
    },
}

/// Which auth strategy an API or package uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AuthChoice {
    /// Inherit the portal's default strategy (the first of `auth_strategies`).
    Default,
    /// No application auth (`none`).
    None,
    Named(String),
}

impl ApiSettings {
    /// The API is published on its own (Konnect's API publication): portal.yaml gives it an
    /// `auth_strategy` or a `rate_limit`, which the API's page promises for all its operations.
    pub fn published(&self) -> bool {
        self.auth_strategy.is_some() || self.rate_limit.is_some()
    }
}

/// `apis.<slug>` in portal.yaml.
#[derive(Debug, Clone, Default)]
pub struct ApiSettings {
    pub title: Option<String>,
    pub version: Option<String>,
    pub visibility: Visibility,
    pub teams: Vec<String>,
    pub gateway_host: Option<String>,
    pub gateway_path_prefix: Option<String>,
    pub auth_strategy: Option<AuthChoice>,
    /// Where `auth_strategy` is written.
    pub auth_strategy_at: Option<Span>,
    pub registration_url: Option<String>,
    pub rate_limit: Option<RateLimit>,
    /// Konnect approves registrations for the API without review (its publication's
    /// `auto_approve_registrations`).
    pub auto_approve_registrations: bool,
    pub span: Option<Span>,
}

/// `gateway:` in portal.yaml.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Globs (relative to the project root) of decK files, each with where it is written
    /// (`None` for the defaults).
    pub manifests: Vec<(String, Option<Span>)>,
    pub match_policy: MatchPolicy,
    pub router_flavor: RouterFlavor,
    /// The gateway `check` plans the export for, and `export` writes by default.
    pub flavor: GatewayFlavor,
    /// Where `match_policy` is written.
    pub match_policy_at: Option<Span>,
    /// `_info.select_tags` of the exported decK file (instead of the manifest's).
    pub select_tags: Option<Spanned<Vec<String>>>,
    /// `gateway.ace.rate_limiting`: the ACE plugin's counter storage.
    pub ace_rate_limiting: Option<Spanned<AceRateLimiting>>,
}

/// `config.rate_limiting` of the ACE plugin: where package and operation counters live.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AceRateLimiting {
    /// Seconds between counter syncs with Redis (0: synchronous); none: node memory only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_rate: Option<f64>,
    /// Kong's `redis-ee` settings, as written (keys and types checked against Kong 3.13).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `konnect:` in portal.yaml: where `export --flavor konnect` puts the catalog.
#[derive(Debug, Clone)]
pub struct KonnectSettings {
    /// The control plane the decK file is synced to and the APIs are linked to.
    pub control_plane: Option<Spanned<String>>,
    /// An existing Konnect Dev Portal to publish the APIs and packages to.
    pub portal: Option<Spanned<String>>,
    /// kongctl namespace of every resource the catalog declares.
    pub namespace: String,
    /// Konnect region of the organization (`entity_region` of team roles).
    pub region: String,
}

impl KonnectSettings {
    /// decK targets this control plane when a file names none.
    pub const DEFAULT_CONTROL_PLANE: &'static str = "default";
    pub const REGIONS: [&'static str; 6] = ["us", "eu", "au", "me", "in", "sg"];
}

impl Default for KonnectSettings {
    fn default() -> Self {
        KonnectSettings {
            control_plane: None,
            portal: None,
            namespace: "portalgen".into(),
            region: "us".into(),
        }
    }
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            manifests: ["gateway/*.yaml", "gateway/*.yml", "gateway/*.json"]
                .into_iter()
                .map(|g| (g.to_string(), None))
                .collect(),
            match_policy: MatchPolicy::IfPresent,
            router_flavor: RouterFlavor::TraditionalCompatible,
            flavor: GatewayFlavor::Konnect,
            match_policy_at: None,
            select_tags: None,
            ace_rate_limiting: None,
        }
    }
}

/// The ACE plugin's `match_policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatchPolicy {
    #[default]
    IfPresent,
    Required,
}

impl MatchPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchPolicy::IfPresent => "if_present",
            MatchPolicy::Required => "required",
        }
    }
}

/// Which gateway the exported configuration is for (`gateway.flavor`, `--flavor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GatewayFlavor {
    /// Kong Konnect: manifest entities plus a global `ace` plugin.
    #[default]
    Konnect,
    /// Self-managed Kong Gateway: ACL groups, auth and rate-limiting plugins per package.
    Kong,
}

impl GatewayFlavor {
    pub const NAMES: [&'static str; 2] = ["konnect", "kong"];

    pub fn as_str(self) -> &'static str {
        match self {
            GatewayFlavor::Konnect => "konnect",
            GatewayFlavor::Kong => "kong",
        }
    }

    pub fn parse(s: &str) -> Option<GatewayFlavor> {
        match s {
            "konnect" => Some(GatewayFlavor::Konnect),
            "kong" => Some(GatewayFlavor::Kong),
            _ => None,
        }
    }
}

/// Kong's `router_flavor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RouterFlavor {
    #[default]
    TraditionalCompatible,
    Expressions,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            parse_base_url("https://example.com/dev").as_deref(),
            Ok("https://example.com/dev/")
        );
        assert_eq!(
            parse_base_url("http://[::1]:8080/").as_deref(),
            Ok("http://[::1]:8080/")
        );
        for bad in [
            "example.com",
            "ftp://example.com/",
            "https:///x",
            "https://[::1]:99999/",
            "https://user:pass@example.com/",
            "https://example.com/?a=1",
            "https://example.com/#x",
            "https://exa mple.com/",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Some(1_048_576));
        assert_eq!(parse_size("64 MiB"), Some(64 * MIB));
        assert_eq!(parse_size("1.5 GB"), Some(1_500_000_000));
        assert_eq!(parse_size("512kb"), Some(512_000));
        assert_eq!(parse_size("10_000"), Some(10_000));
        for bad in [
            "",
            "MiB",
            "12 parsecs",
            "-1",
            "1e3",
            "99999999999999999999 GiB",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
