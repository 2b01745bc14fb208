//! The portal's URL scheme, in one place: where every page, download and index lives, how a
//! page URL becomes an output file, and how a page links back to the root. The plan, the view
//! models, the search index and the guides' link resolution all ask here, so a URL cannot be
//! spelled two ways.
//!
//! Every page is a folder URL relative to the portal root (`apis/orders/`, written to
//! `apis/orders/index.html`); the home page is the empty URL. Links between pages are
//! relative (`root_prefix` + URL), so the output works from any sub-path.
//!
//! Every path segment made from a name of the project (an API, operation or package slug, a
//! guide's folders) goes through [`segment`], which keeps it within what file systems hold:
//! a 300-character operationId becomes its first characters plus a short hash of the whole
//! name, the same on every build and different for different names.

/// The home page.
pub const HOME: &str = "";
/// The API catalog.
pub const API_CATALOG: &str = "apis/";
/// The package catalog.
pub const PACKAGE_CATALOG: &str = "packages/";
/// The page served for any missing URL (a file, not a folder: hosts look for it by name).
pub const NOT_FOUND: &str = "404.html";
/// The sitemap (or, beyond 50,000 URLs, the sitemap index).
pub const SITEMAP: &str = "sitemap.xml";
/// The llmstxt.org index.
pub const LLMS_TXT: &str = "llms.txt";
/// The whole visible reference and guides in one markdown file (llmstxt.org's full form).
pub const LLMS_FULL_TXT: &str = "llms-full.txt";
/// Instructions for crawlers.
pub const ROBOTS_TXT: &str = "robots.txt";

/// The longest path segment (file or folder name) a URL gets. File systems hold 255 bytes
/// per name (ext4, APFS, NTFS); this leaves room for tools that add a suffix.
pub const MAX_SEGMENT_BYTES: usize = 200;

/// `name` as a path segment: unchanged when it is at most [`MAX_SEGMENT_BYTES`] long, else
/// its longest prefix that leaves room for `-` and 16 hex digits of a hash of the whole name
/// (FNV-1a, 64 bits: stable across builds, platforms and versions).
pub fn segment(name: &str) -> std::borrow::Cow<'_, str> {
    if name.len() <= MAX_SEGMENT_BYTES {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut cut = MAX_SEGMENT_BYTES - 17;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let prefix = name[..cut].trim_end_matches(['-', '.']);
    std::borrow::Cow::Owned(format!("{prefix}-{hash:016x}"))
}

/// An API's overview page.
pub fn api(api_slug: &str) -> String {
    format!("apis/{}/", segment(api_slug))
}

/// One operation's page, below its API.
pub fn operation(api_slug: &str, op_slug: &str) -> String {
    format!("apis/{}/{}/", segment(api_slug), segment(op_slug))
}

/// The index of an API's named schemas.
pub fn schemas(api_slug: &str) -> String {
    format!("apis/{}/schemas/", segment(api_slug))
}

/// One named schema's page, by its slug ([`crate::model::Api::schema_slug`]).
pub fn schema(api_slug: &str, schema_slug: &str) -> String {
    format!("apis/{api_slug}/schemas/{schema_slug}/")
}

/// The document of an API as the project has it (bundled into one JSON file when split).
pub fn original_download(api_slug: &str, yaml: bool) -> String {
    format!(
        "apis/{api_slug}/original.{}",
        if yaml { "yaml" } else { "json" }
    )
}

/// An API package's page.
pub fn package(package_slug: &str) -> String {
    format!("packages/{}/", segment(package_slug))
}

/// A guide's page, from its file's path below `pages/` without `.md`:
/// `getting-started` → `guides/getting-started/`, `auth/index` → `guides/auth/`,
/// `index` → `guides/`.
pub fn guide(path_in_pages: &str) -> String {
    let trimmed = path_in_pages
        .strip_suffix("/index")
        .unwrap_or(path_in_pages);
    if trimmed == "index" || trimmed.is_empty() {
        "guides/".to_string()
    } else {
        let segments: Vec<_> = trimmed.split('/').map(segment).collect();
        format!("guides/{}/", segments.join("/"))
    }
}

/// The OpenAPI document written beside a package or API page (`page_url` ends with `/`).
pub fn openapi_download(page_url: &str) -> String {
    format!("{page_url}openapi.json")
}

/// The Postman collection written beside a package or API page.
pub fn postman_download(page_url: &str) -> String {
    format!("{page_url}postman.json")
}

/// The markdown twin of a page (`apis/x/op/` → `apis/x/op/index.md`), for assistants and
/// readers of raw text.
pub fn markdown_twin(page_url: &str) -> String {
    format!("{page_url}index.md")
}

/// One part of a sitemap split beyond 50,000 URLs (1-based).
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

/// The file a page URL is written to: `apis/x/` → `apis/x/index.html`, `` → `index.html`.
pub fn output_path(url: &str) -> String {
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_string()
    }
}

/// Relative prefix from a page at `url` (folder style, e.g. `apis/x/`) to the root: `../../`.
pub fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// The shortest relative link from the page at `from` to `to` (both relative to the portal
/// root; `to` may end with a `#fragment`): `apis/x/a/` → `apis/x/b/` is `../b/`.
pub fn relative(from: &str, to: &str) -> String {
    let (path, fragment) = match to.find('#') {
        Some(i) => (&to[..i], &to[i..]),
        None => (to, ""),
    };
    // The folder the page is in: itself for folder URLs, its parent for files (404.html).
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = path.split('/').collect();
    let (to_dir, to_file) = to_parts.split_at(to_parts.len() - 1);
    let common = from_dir
        .iter()
        .zip(to_dir)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dir.len() - common);
    for seg in &to_dir[common..] {
        out.push_str(seg);
        out.push('/');
    }
    out.push_str(to_file[0]);
    if out.is_empty() {
        out.push_str(if fragment.is_empty() { "./" } else { "" });
    }
    out.push_str(fragment);
    out
}

/// The path part of `base_url` (`https://x.com/dev/` → `/dev/`): the root of the 404 page,
/// which is served at any depth and so cannot link relatively.
pub fn base_path(base_url: &str) -> String {
    // `base_url` was checked by `parse_base_url`; a URL that does not parse serves from `/`.
    url::Url::parse(base_url).map_or_else(|_| "/".into(), |u| u.path().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_are_shortest() {
        assert_eq!(relative("apis/x/a/", "apis/x/b/"), "../b/");
        assert_eq!(relative("apis/x/", "apis/x/b/"), "b/");
        assert_eq!(relative("apis/x/", "apis/x/#tag-a"), "#tag-a");
        assert_eq!(relative("apis/x/a/", "apis/x/#tag-a"), "../#tag-a");
        assert_eq!(relative("apis/x/a/", ""), "../../../");
        assert_eq!(relative("", ""), "./");
        assert_eq!(relative("", "apis/"), "apis/");
        assert_eq!(relative("packages/p/", "apis/x/o/"), "../../apis/x/o/");
        assert_eq!(
            relative("packages/p/", "packages/p/openapi.json"),
            "openapi.json"
        );
        assert_eq!(relative("404.html", "apis/"), "apis/");
    }

    #[test]
    fn guide_urls_fold_index_files() {
        assert_eq!(guide("getting-started"), "guides/getting-started/");
        assert_eq!(guide("auth/index"), "guides/auth/");
        assert_eq!(guide("index"), "guides/");
        assert_eq!(guide("a/b"), "guides/a/b/");
    }

    #[test]
    fn long_names_become_bounded_distinct_stable_segments() {
        let a = "x".repeat(300);
        let b = format!("{}y", "x".repeat(299));
        let (sa, sb) = (segment(&a), segment(&b));
        assert!(sa.len() <= MAX_SEGMENT_BYTES && sb.len() <= MAX_SEGMENT_BYTES);
        assert_ne!(sa, sb);
        assert_eq!(sa, segment(&a));
        assert!(sa.starts_with("xxxxxxxx"));
        // The hash is part of the URL scheme: it must not change between versions (FNV-1a of 300
        // `x`, as computed independently).
        assert_eq!(&sa[sa.len() - 17..], "-e78ddf9f1ba85555");
        // Multi-byte characters are never cut in half.
        let e = "é".repeat(150);
        assert!(segment(&e).len() <= MAX_SEGMENT_BYTES);
        assert_eq!(segment("short"), "short");
        assert_eq!(operation("a", &a), format!("apis/a/{sa}/"));
        assert_eq!(guide(&format!("{a}/x")), format!("guides/{sa}/x/"));
    }

    #[test]
    fn pages_are_folders_and_link_relatively() {
        assert_eq!(output_path(""), "index.html");
        assert_eq!(output_path("apis/x/"), "apis/x/index.html");
        assert_eq!(output_path(NOT_FOUND), "404.html");
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("apis/x/y/"), "../../../");
        assert_eq!(base_path("https://ex.com/dev/"), "/dev/");
        assert_eq!(base_path("https://ex.com"), "/");
        assert_eq!(openapi_download(&package("p")), "packages/p/openapi.json");
        assert_eq!(
            schema("orders", "order-line"),
            "apis/orders/schemas/order-line/"
        );
    }
}
