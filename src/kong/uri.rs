//! Kong's request-path handling, ported from `kong/tools/uri.lua` and `kong/router/utils.lua`:
//! the normalisation applied before matching (percent-decoding of unreserved characters, dot
//! segments, merged slashes) and the upstream path Kong proxies to (`path_handling: v0`).
//! Both the router (probe paths) and the route rules (prefix paths must be normalised) use it.

/// Characters that stay percent-encoded (RFC 3986 reserved plus `%`), as in `RESERVED_CHARS`.
const RESERVED: &[u8] = b"!*'();:@&=+$,/?%#[]";

/// `normalize(uri, merge_slashes)` of `kong/tools/uri.lua`.
pub fn normalize(uri: &str, merge_slashes: bool) -> String {
    if uri.is_empty() || uri == "/" {
        return uri.to_string();
    }
    let mut uri = if uri.contains('%') {
        decode_unreserved(uri)
    } else {
        uri.to_string()
    };
    if !uri.contains('.') && (!merge_slashes || !uri.contains("//")) {
        return uri;
    }
    let mut output: Vec<String> = Vec::new();
    while !uri.is_empty() {
        let b = uri.as_bytes();
        let first = b.first().copied();
        let second = b.get(1).copied();
        let third = b.get(2).copied();
        let fourth = b.get(3).copied();
        if uri == "/." {
            uri = "/".into();
        } else if uri == "/.." {
            uri = "/".into();
            output.pop();
        } else if uri == "." || uri == ".." {
            uri.clear();
        } else if first == Some(b'.') && second == Some(b'.') && third == Some(b'/') {
            uri = uri[3..].to_string();
        } else if (first == Some(b'.') && second == Some(b'/'))
            || (first == Some(b'/') && second == Some(b'.') && third == Some(b'/'))
        {
            // `./` and `/./`
            uri = uri[2..].to_string();
        } else if first == Some(b'/')
            && second == Some(b'.')
            && third == Some(b'.')
            && fourth == Some(b'/')
        {
            uri = uri[3..].to_string();
            output.pop();
        } else if merge_slashes && first == Some(b'/') && second == Some(b'/') {
            uri = uri[1..].to_string();
        } else {
            // One segment: up to (not including) the next `/` after the first byte.
            let next = uri
                .as_bytes()
                .iter()
                .skip(1)
                .position(|&b| b == b'/')
                .map(|i| i + 1);
            match next {
                Some(i) => {
                    output.push(uri[..i].to_string());
                    uri = uri[i..].to_string();
                }
                None => {
                    output.push(std::mem::take(&mut uri));
                }
            }
        }
    }
    output.concat()
}

/// Decode `%XX` triplets of unreserved and "other" characters; reserved ones are kept with the
/// hex digits upper-cased. A decoding that would not be valid UTF-8 keeps the triplets.
fn decode_unreserved(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let h = &bytes[i + 1..i + 3];
            if h.iter().all(u8::is_ascii_hexdigit) {
                let value =
                    u8::from_str_radix(std::str::from_utf8(h).unwrap_or("00"), 16).unwrap_or(0);
                if RESERVED.contains(&value) {
                    out.push(b'%');
                    out.extend(h.iter().map(u8::to_ascii_uppercase));
                } else {
                    out.push(value);
                }
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| uri.to_string())
}

/// `strip_uri_args`: drop the query string (a `?` after the first character), then normalise
/// with merged slashes. This is the path the router matches on.
pub fn request_path(uri: &str) -> String {
    let path = match uri.get(1..).and_then(|r| r.find('?')) {
        Some(i) => &uri[..i + 1],
        None => uri,
    };
    normalize(path, true)
}

/// `sanitize_uri_postfix` of `kong/router/utils.lua`.
fn sanitize_postfix(postfix: &str) -> &str {
    if postfix == "." || postfix == ".." {
        return "";
    }
    if let Some(rest) = postfix.strip_prefix("./") {
        return rest;
    }
    if let Some(rest) = postfix.strip_prefix("../") {
        return rest;
    }
    postfix
}

/// The upstream path Kong proxies to (`get_upstream_uri_v0` with the request postfix computed
/// as in `atc.lua`): `matched` is the matched part of the path (prefix string or whole regex
/// match), `service_path` the service's `path` (Kong uses `/` when absent).
pub fn upstream_path(
    req_uri: &str,
    matched: Option<&str>,
    strip_path: bool,
    service_path: &str,
) -> String {
    // atc.lua: request_prefix = strip_path and matched_path; the postfix is what follows the
    // prefix, or the whole path without its leading `/` when nothing is stripped.
    let postfix_raw = match (strip_path, matched) {
        (true, Some(m)) => req_uri.get(m.len()..).unwrap_or(""),
        _ => req_uri.get(1..).unwrap_or(""),
    };
    v0(
        strip_path,
        sanitize_postfix(postfix_raw),
        req_uri,
        service_path,
    )
}

/// `get_upstream_uri_v0` of `kong/router/utils.lua`.
fn v0(strip_path: bool, postfix: &str, req_uri: &str, base: &str) -> String {
    if base.ends_with('/') {
        if strip_path {
            if postfix.is_empty() {
                if base == "/" {
                    return "/".to_string();
                }
                if req_uri.ends_with('/') {
                    return base.to_string();
                }
                return base.strip_suffix('/').unwrap_or(base).to_string();
            }
            if postfix.starts_with('/') {
                // double "/", so drop the first
                return format!("{}{}", base.strip_suffix('/').unwrap_or(base), postfix);
            }
            return format!("{base}{postfix}");
        }
        // keep the incoming path, prefixed with the upstream path, without its first `/`
        return format!("{base}{}", req_uri.get(1..).unwrap_or(""));
    }
    if strip_path {
        if postfix.is_empty() {
            if req_uri.len() > 1 && req_uri.ends_with('/') {
                return format!("{base}/");
            }
            return base.to_string();
        }
        if postfix.starts_with('/') {
            return format!("{base}{postfix}");
        }
        return format!("{base}/{postfix}");
    }
    if req_uri == "/" {
        return base.to_string();
    }
    format!("{base}{req_uri}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_kong() {
        // Cases from Kong's spec/01-unit/04-utils_spec.lua "normalize()".
        assert_eq!(normalize("/a/b/c/./../../g", false), "/a/g");
        assert_eq!(normalize("mid/content=5/../6", false), "mid/6");
        assert_eq!(normalize("/%41%42%43%2f", false), "/ABC%2F");
        assert_eq!(normalize("/foo%2e%2E/bar", false), "/foo../bar");
        assert_eq!(normalize("/a//b", true), "/a/b");
        assert_eq!(normalize("/a//b", false), "/a//b");
        assert_eq!(normalize("/orders/%7E1", true), "/orders/~1");
        assert_eq!(normalize("/x/%2e%2e/y", true), "/y");
        assert_eq!(normalize("/%", true), "/%");
        assert_eq!(normalize("/%ff", true), "/%ff");
        assert_eq!(normalize("é/./x/../y", true), "é/y");
        assert_eq!(normalize("/caf%C3%A9/./menu", true), "/café/menu");
    }

    #[test]
    fn strips_query() {
        assert_eq!(request_path("/a/./b?x=/../y"), "/a/b");
    }

    #[test]
    fn upstream_paths() {
        // strip_path with a prefix route and a service path.
        assert_eq!(
            upstream_path("/orders/1", Some("/orders"), true, "/api"),
            "/api/1"
        );
        assert_eq!(upstream_path("/orders/1", Some("/orders"), true, "/"), "/1");
        assert_eq!(upstream_path("/orders", Some("/orders"), true, "/"), "/");
        assert_eq!(
            upstream_path("/orders/", Some("/orders"), true, "/api"),
            "/api/"
        );
        assert_eq!(
            upstream_path("/orders/1", Some("/orders"), false, "/"),
            "/orders/1"
        );
        assert_eq!(
            upstream_path("/orders/1", Some("/orders"), false, "/api"),
            "/api/orders/1"
        );
        assert_eq!(
            upstream_path("/orders/1", Some("/orders/1"), true, "/api/"),
            "/api"
        );
        assert_eq!(
            upstream_path("/orders/1/", Some("/orders/1/"), true, "/api/"),
            "/api/"
        );
    }
}
