//! The Kong side of the portal: the services and routes of the project's decK files, merged as
//! decK merges them. Plain data; reading the files is [`crate::load::deck`]'s job, Kong's
//! semantics (routing, priorities) are [`crate::kong`]'s.

use serde::Serialize;

use crate::model::ids::{RouteId, ServiceId};
use crate::source::Span;

/// The merged decK configuration of the project.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Project-relative paths of the files read, sorted.
    pub files: Vec<String>,
    pub services: Vec<Service>,
    pub routes: Vec<Route>,
    /// The merged decK document as JSON (entities as written), for export.
    pub document: serde_json::Map<String, serde_json::Value>,
    /// `_format_version` of the first file that sets it.
    pub format_version: Option<String>,
    /// `_info.select_tags` (union over the files, in order of appearance).
    pub select_tags: Vec<String>,
}

impl Manifest {
    /// The route called `name_or_id` (name first, then id).
    pub fn route(&self, name_or_id: &str) -> Option<RouteId> {
        self.routes
            .iter()
            .position(|r| r.name.as_deref() == Some(name_or_id))
            .or_else(|| {
                self.routes
                    .iter()
                    .position(|r| r.id.as_deref() == Some(name_or_id))
            })
            .map(RouteId::new)
    }

    pub fn route_at(&self, id: RouteId) -> &Route {
        &self.routes[id.index()]
    }

    pub fn service_at(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    /// The service a route forwards to.
    pub fn service_of(&self, route: &Route) -> Option<&Service> {
        route.service.map(|s| self.service_at(s))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub name: Option<String>,
    pub id: Option<String>,
    /// Upstream path of the service (`path` or the path of `url`).
    pub path: Option<String>,
    /// `protocol` (or the scheme of `url`); Kong's default is `http`.
    pub protocol: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Service {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub name: Option<String>,
    pub id: Option<String>,
    pub service: Option<ServiceId>,
    pub methods: Vec<String>,
    pub hosts: Vec<String>,
    /// `hosts` was written (even as an empty list): Kong's "plain hosts only" bit depends on
    /// `hosts` being a table, not on it being non-empty.
    pub hosts_present: bool,
    pub paths: Vec<String>,
    pub headers: Vec<(String, Vec<String>)>,
    pub snis: Vec<String>,
    /// `sources` / `destinations` entries as `(ip or cidr, port)`.
    pub sources: Vec<(Option<String>, Option<u16>)>,
    pub destinations: Vec<(Option<String>, Option<u16>)>,
    /// Kong's default is `["http", "https"]`.
    pub protocols: Vec<String>,
    pub strip_path: bool,
    pub preserve_host: bool,
    pub regex_priority: i64,
    /// `v0` (default) or `v1`; the ATC flavors always behave as `v0`.
    pub path_handling: String,
    pub expression: Option<String>,
    pub priority: Option<u64>,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Route {
    /// Name, else id.
    pub fn label(&self) -> &str {
        self.name.as_deref().or(self.id.as_deref()).unwrap_or("")
    }

    /// True for routes Kong's HTTP subsystem routes (not tcp/tls/udp stream routes).
    pub fn is_http(&self) -> bool {
        self.protocols.iter().any(|p| {
            matches!(
                p.as_str(),
                "http" | "https" | "grpc" | "grpcs" | "ws" | "wss"
            )
        }) || self.protocols.is_empty()
    }
}
