//! `sitemap.xml` with absolute URLs from `base_url`; split into a sitemap index when a portal
//! exceeds the protocol's 50,000 URLs per file. [`files`] names the files for a number of URLs
//! (the plan), [`render`] writes them.

use crate::output::Output;
use crate::render::escape;
use crate::render::urls;

const MAX_URLS: usize = 50_000;

/// The sitemap files a portal of `url_count` pages has: `sitemap.xml` alone, or beyond the
/// limit `sitemap-1.xml` … `sitemap-N.xml` and `sitemap.xml` as their index.
pub fn files(url_count: usize) -> Vec<String> {
    let parts = url_count.div_ceil(MAX_URLS);
    let mut out: Vec<String> = if parts <= 1 {
        Vec::new()
    } else {
        (1..=parts).map(urls::sitemap_part).collect()
    };
    out.push(urls::SITEMAP.to_string());
    out
}

/// `urls` are page URLs relative to the portal root (`""`, `apis/x/`); the outputs are the
/// files [`files`] names, in that order.
pub fn render(base_url: &str, urls: &[String]) -> Vec<Output> {
    let mut sorted: Vec<&String> = urls.iter().collect();
    sorted.sort();
    let chunks: Vec<&[&String]> = sorted.chunks(MAX_URLS).collect();
    let loc = |u: &str| escape::html(&format!("{base_url}{u}")).into_owned();
    let urlset = |chunk: &[&String]| {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for u in chunk {
            s.push_str(&format!("  <url><loc>{}</loc></url>\n", loc(u)));
        }
        s.push_str("</urlset>\n");
        s
    };
    if chunks.len() <= 1 {
        return vec![Output::new(
            urls::SITEMAP,
            urlset(chunks.first().copied().unwrap_or(&[])),
        )];
    }
    let mut out = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in chunks.iter().enumerate() {
        let name = urls::sitemap_part(i + 1);
        index.push_str(&format!("  <sitemap><loc>{}</loc></sitemap>\n", loc(&name)));
        out.push(Output::new(name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    out.push(Output::new(urls::SITEMAP, index));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_sorted_urls() {
        let out = render("https://ex.com/dev/", &["apis/".into(), "".into()]);
        let s = String::from_utf8(out[0].bytes.clone()).unwrap();
        let a = s.find("<loc>https://ex.com/dev/</loc>").unwrap();
        let b = s.find("<loc>https://ex.com/dev/apis/</loc>").unwrap();
        assert!(a < b);
        assert_eq!(files(2), ["sitemap.xml"]);
    }

    #[test]
    fn index_beyond_limit() {
        let urls: Vec<String> = (0..50_001).map(|i| format!("p{i}/")).collect();
        let out = render("https://ex.com/", &urls);
        assert_eq!(out.len(), 3);
        let index = out.iter().find(|o| o.path == "sitemap.xml").unwrap();
        assert!(String::from_utf8_lossy(&index.bytes).contains("sitemap-2.xml"));
        let paths: Vec<&str> = out.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(files(urls.len()), paths);
    }
}
