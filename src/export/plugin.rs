//! The plugins portalgen adds to a gateway configuration, typed: which Kong plugin, its scope
//! (a route and/or a consumer of the manifest, by id) and its `config` as a struct per plugin,
//! so every config the export can write is visible here and serialises with a fixed key order.
//! What to add is decided by the flavors' plans ([`super::konnect`], [`super::kong`]); writing
//! it is [`super::deck`]'s.

use serde::Serialize;

use crate::model::config::{AceRateLimiting, MatchPolicy};
use crate::model::gateway::Manifest;
use crate::model::ids::{ConsumerId, RouteId};

/// A plugin to add, scoped to a route and/or consumer of the exported manifest (neither:
/// global). The exported manifest holds the project's entities plus the routes and consumers
/// the plan adds.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlugin {
    pub route: Option<RouteId>,
    pub consumer: Option<ConsumerId>,
    pub config: PluginConfig,
}

impl NewPlugin {
    pub fn name(&self) -> &'static str {
        self.config.name()
    }

    /// How the decK file refers to the route: its name, else its id.
    pub fn route_ref<'m>(&self, manifest: &'m Manifest) -> Option<&'m str> {
        self.route.map(|r| manifest.route_at(r).label())
    }

    /// How the decK file refers to the consumer: its username, else its id.
    pub fn consumer_ref<'m>(&self, manifest: &'m Manifest) -> Option<&'m str> {
        self.consumer
            .and_then(|c| manifest.consumer_at(c).reference())
    }

    /// The scope in words, for messages: "on route `r` and consumer `c`", "globally".
    pub fn scope_words(&self, manifest: &Manifest) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.route_ref(manifest) {
            parts.push(format!("route `{r}`"));
        }
        if let Some(c) = self.consumer_ref(manifest) {
            parts.push(format!("consumer `{c}`"));
        }
        if parts.is_empty() {
            "globally".to_string()
        } else {
            format!("on {}", parts.join(" and "))
        }
    }
}

/// The `config` of each plugin portalgen writes (field order = output order).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PluginConfig {
    Ace(AceConfig),
    Acl(AclConfig),
    KeyAuth(KeyAuthConfig),
    OpenidConnect(OpenidConnectConfig),
    RateLimiting(RateLimitingConfig),
    RequestTermination(RequestTerminationConfig),
    /// `request-transformer` restoring the upstream path of a derived regex route
    /// (`replace.uri`), on top of the config of the manifest's instance it takes the place of.
    RequestTransformer(serde_json::Value),
}

impl PluginConfig {
    /// The Kong plugin's name.
    pub fn name(&self) -> &'static str {
        match self {
            PluginConfig::Ace(_) => "ace",
            PluginConfig::Acl(_) => "acl",
            PluginConfig::KeyAuth(_) => "key-auth",
            PluginConfig::OpenidConnect(_) => "openid-connect",
            PluginConfig::RateLimiting(_) => "rate-limiting",
            PluginConfig::RequestTermination(_) => "request-termination",
            PluginConfig::RequestTransformer(_) => "request-transformer",
        }
    }

    /// The config as one line of JSON, for messages.
    pub fn to_json_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `ace` (Konnect's access control enforcement).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AceConfig {
    pub match_policy: MatchPolicy,
    /// From `gateway.ace.rate_limiting`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limiting: Option<AceRateLimiting>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AclConfig {
    pub allow: Vec<String>,
}

/// `key-auth`: where the key is read, and whether it reaches the upstream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyAuthConfig {
    pub key_names: Vec<String>,
    pub hide_credentials: bool,
    pub key_in_header: bool,
    pub key_in_query: bool,
    pub key_in_body: bool,
}

/// `openid-connect` (Kong Enterprise).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenidConnectConfig {
    pub issuer: String,
    pub scopes: Vec<String>,
    pub consumer_claim: Vec<String>,
    pub consumer_by: Vec<String>,
    pub credential_claim: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_methods: Option<Vec<String>>,
}

/// `rate-limiting` (OSS): limits per window, counted per credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateLimitingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minute: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hour: Option<u64>,
    pub limit_by: &'static str,
    pub policy: &'static str,
    /// Set on the instance that only keeps a 0-limited operation off the package counter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_client_headers: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestTerminationConfig {
    pub status_code: u16,
    pub message: &'static str,
}
