//! `robots.txt` for crawlers. Built from the visible set like every page: a build for a team
//! asks crawlers to stay away. The other machine-readable files have modules of their own:
//! [`super::search`] (the search index) and [`super::llms`] (`llms.txt` and markdown twins).

use crate::model::audience::Visible;
use crate::render::urls;

/// `robots.txt`: a build for a team is not for search engines.
pub fn robots_txt(visible: &Visible, base_url: &str) -> String {
    if visible.audiences.is_empty() {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {base_url}{}\n",
            urls::SITEMAP
        )
    } else {
        "User-agent: *\nDisallow: /\n".to_string()
    }
}
