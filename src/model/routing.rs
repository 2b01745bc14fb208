//! The routing verdict of each documented operation: which route of the gateway really serves
//! it (as Kong's router decides, computed by [`crate::kong`] during validation), with the
//! probe requests that showed it and the path the upstream receives.

use serde::Serialize;

use super::Method;
use super::ids::{RouteId, ServiceId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Matched,
    Unmatched,
    Ambiguous,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Matched => "matched",
            Status::Unmatched => "unmatched",
            Status::Ambiguous => "ambiguous",
        }
    }
}

/// One sample request sent through the router for an operation.
#[derive(Debug, Clone)]
pub struct Probe {
    pub method: Method,
    /// The `Host` header sent, if any.
    pub host: Option<String>,
    /// The request path as sent (path parameters filled with sample values).
    pub path: String,
    /// The route that won this request.
    pub route: Option<RouteId>,
    /// Header values sent with the probe (documented header parameters).
    pub headers: Vec<(String, String)>,
}

/// The verdict for one operation.
#[derive(Debug, Clone)]
pub struct OperationRoute {
    pub status: Status,
    /// The route serving the operation (only when matched).
    pub route: Option<RouteId>,
    /// That route's service.
    pub service: Option<ServiceId>,
    pub probes: Vec<Probe>,
    /// The path the upstream receives for the documented path (matched only).
    pub upstream_path: Option<String>,
    /// Human explanations of the verdict (ties, precedence, …) for reports.
    pub notes: Vec<String>,
    /// Routes that win or tie for some probe.
    pub reached: Vec<RouteId>,
}

impl OperationRoute {
    /// The route serving the operation, when the verdict is `matched`.
    pub fn matched_route(&self) -> Option<RouteId> {
        (self.status == Status::Matched)
            .then_some(self.route)
            .flatten()
    }
}
