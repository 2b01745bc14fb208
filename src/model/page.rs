//! Markdown guide pages (`pages/**/*.md`) with their front matter.

use crate::model::Visibility;
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Page {
    /// The file's path below `pages/` without `.md` (`getting-started`, `auth/index`): the
    /// page's identity. Its URL is the render stage's business (`render::urls::guide`).
    pub path: String,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub visibility: Visibility,
    pub teams: Vec<String>,
    /// Markdown body (front matter removed).
    pub body: String,
    /// 1-based line of the file where `body` starts (after the front matter).
    pub body_line: u32,
    pub span: Span,
}
