//! API packages as Konnect defines them: operations picked from several APIs, a shared
//! package rate limit with per-operation overrides, an auth strategy and a visibility.

use serde::Serialize;

use crate::model::config::AuthChoice;
use crate::model::ids::{OperationId, Slug};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Private,
}

/// Konnect's rate-limit units (no days, months or years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Duration {
    Seconds,
    Minutes,
    Hours,
}

impl Duration {
    pub fn as_str(self) -> &'static str {
        match self {
            Duration::Seconds => "seconds",
            Duration::Minutes => "minutes",
            Duration::Hours => "hours",
        }
    }

    /// Singular unit word: `second`, `minute`, `hour`.
    pub fn unit(self) -> &'static str {
        match self {
            Duration::Seconds => "second",
            Duration::Minutes => "minute",
            Duration::Hours => "hour",
        }
    }

    pub fn seconds(self) -> u64 {
        match self {
            Duration::Seconds => 1,
            Duration::Minutes => 60,
            Duration::Hours => 3600,
        }
    }
}

/// `{limit: N, duration: seconds|minutes|hours}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    pub limit: u64,
    pub duration: Duration,
}

impl RateLimit {
    /// "5 requests per minute".
    pub fn words(&self) -> String {
        format!(
            "{} request{} per {}",
            self.limit,
            if self.limit == 1 { "" } else { "s" },
            self.duration.unit()
        )
    }
}

/// One API package.
#[derive(Debug, Clone)]
pub struct Package {
    pub slug: Slug,
    pub name: String,
    pub version: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub auth_strategy: AuthChoice,
    pub visibility: Visibility,
    pub teams: Vec<String>,
    /// Konnect approves registrations for the package without review.
    pub auto_approve_registrations: bool,
    /// Resolved operations, in the order the package lists them (duplicates removed).
    pub operations: Vec<PackageOperation>,
    pub span: Span,
}

/// An operation of some API, as a member of a package.
#[derive(Debug, Clone)]
pub struct PackageOperation {
    pub operation: OperationId,
    /// Replaces the package limit for this operation.
    pub rate_limit: Option<RateLimit>,
    /// Route pinned by `route:` (name or id), checked by routing.
    pub route: Option<String>,
    /// The selector item that picked this operation.
    pub span: Span,
}
