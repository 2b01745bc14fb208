//! `portal.yaml`: the project's settings, as used after validation. Parsing and strict
//! validation of the file (unknown keys, types, allowed values, all with positions) live in
//! [`crate::load::portal_config`]; this module holds only the typed result and its defaults.

use indexmap::IndexMap;
use serde::Serialize;

use crate::model::{RateLimit, Visibility};
use crate::source::Span;

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
    pub span: Span,
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
#[derive(Debug, Clone, Serialize)]
pub struct AuthStrategy {
    pub name: String,
    /// Human name shown in the portal (defaults to `name`).
    pub display_name: String,
    #[serde(flatten)]
    pub kind: AuthKind,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
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
    pub registration_url: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub span: Option<Span>,
}

/// `gateway:` in portal.yaml.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Globs (relative to the project root) of decK files.
    pub manifests: Vec<String>,
    pub match_policy: MatchPolicy,
    pub router_flavor: RouterFlavor,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            manifests: vec![
                "gateway/*.yaml".into(),
                "gateway/*.yml".into(),
                "gateway/*.json".into(),
            ],
            match_policy: MatchPolicy::IfPresent,
            router_flavor: RouterFlavor::TraditionalCompatible,
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

/// Kong's `router_flavor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RouterFlavor {
    #[default]
    TraditionalCompatible,
    Expressions,
}
