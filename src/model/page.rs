//! Markdown guide pages (`pages/**/*.md`) with their front matter.

use crate::model::Visibility;
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Page {
    /// URL path below the portal root without leading or trailing slash, e.g. `guides/auth`.
    pub url_path: String,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub visibility: Visibility,
    pub teams: Vec<String>,
    /// Markdown body (front matter removed).
    pub body: String,
    pub span: Span,
}
