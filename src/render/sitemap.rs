//! `sitemap.xml` with absolute URLs from `base_url`; split into a sitemap index when a portal
//! exceeds the protocol's 50,000 URLs per file.

use crate::output::Output;

const MAX_URLS: usize = 50_000;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `urls` are page URLs relative to the portal root (`""`, `apis/x/`).
pub fn sitemap(base_url: &str, urls: &[String]) -> Vec<Output> {
    let mut sorted: Vec<&String> = urls.iter().collect();
    sorted.sort();
    let chunks: Vec<&[&String]> = sorted.chunks(MAX_URLS).collect();
    let urlset = |chunk: &[&String]| {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for u in chunk {
            s.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                xml_escape(&format!("{base_url}{u}"))
            ));
        }
        s.push_str("</urlset>\n");
        s
    };
    if chunks.len() <= 1 {
        return vec![Output::new(
            "sitemap.xml",
            urlset(chunks.first().copied().unwrap_or(&[])),
        )];
    }
    let mut out = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in chunks.iter().enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            xml_escape(&format!("{base_url}{name}"))
        ));
        out.push(Output::new(name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    out.push(Output::new("sitemap.xml", index));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_sorted_urls() {
        let out = sitemap("https://ex.com/dev/", &["apis/".into(), "".into()]);
        let s = String::from_utf8(out[0].bytes.clone()).unwrap();
        let a = s.find("<loc>https://ex.com/dev/</loc>").unwrap();
        let b = s.find("<loc>https://ex.com/dev/apis/</loc>").unwrap();
        assert!(a < b);
    }

    #[test]
    fn index_beyond_limit() {
        let urls: Vec<String> = (0..50_001).map(|i| format!("p{i}/")).collect();
        let out = sitemap("https://ex.com/", &urls);
        assert_eq!(out.len(), 3);
        let index = out.iter().find(|o| o.path == "sitemap.xml").unwrap();
        assert!(String::from_utf8_lossy(&index.bytes).contains("sitemap-2.xml"));
    }
}
