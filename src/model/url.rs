//! The one splitter for the URLs portalgen reads but does not own: OpenAPI server URLs, a
//! decK service's `url`, `gateway.host` in portal.yaml. They are not all URLs the `url` crate
//! accepts: OpenAPI server URLs are often relative (`/v1`) or scheme-relative and carry
//! `{variables}` in the host and path (`https://{region}.api.example.com/{version}`), which a
//! WHATWG parser refuses or percent-encodes, and Kong reads a service `url` with its own
//! lenient split (`protocol://host:port/path`). So the loader, the routing probe and the
//! renderer share this split, and `base_url` (which portalgen does own and which must be a real
//! URL) is parsed by the `url` crate in [`crate::model::config::parse_base_url`].

/// The parts of a URL as written: scheme and authority only when present, userinfo, query and
/// fragment dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlParts {
    /// Lowercased, when the URL has `scheme://`.
    pub scheme: Option<String>,
    /// The host without port (IPv6 keeps its brackets), when the URL has an authority.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The path as written (`""` when there is none), without query or fragment.
    pub path: String,
}

impl UrlParts {
    /// Split `url`: `scheme://[user@]host[:port]/path?query#fragment`, `//host/path`, or a
    /// relative `/path`. A port that is not a number stays part of the host (so
    /// `{host}:{port}` templates survive).
    pub fn split(url: &str) -> UrlParts {
        let url = url.trim();
        let (scheme, rest) = match url.split_once("://") {
            Some((s, rest)) if is_scheme(s) => (Some(s.to_ascii_lowercase()), Some(rest)),
            _ => (None, url.strip_prefix("//")),
        };
        let Some(rest) = rest else {
            return UrlParts {
                path: strip_query(url).to_string(),
                ..UrlParts::default()
            };
        };
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        let (host, port) = split_port(authority);
        UrlParts {
            scheme,
            host: (!host.is_empty()).then(|| host.to_string()),
            port,
            path: strip_query(path).to_string(),
        }
    }

    /// `host[:port]` as a client sends it in the `Host` header.
    pub fn authority(&self) -> Option<String> {
        let host = self.host.as_deref()?;
        Some(match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        })
    }
}

/// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn strip_query(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or("")
}

fn split_port(authority: &str) -> (&str, Option<u16>) {
    match authority.rsplit_once(':') {
        // `[::1]` alone has colons but no port; `[::1]:8080` has one after the bracket.
        Some((h, p)) if !authority.starts_with('[') || h.ends_with(']') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (authority, None),
        },
        _ => (authority, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(scheme: Option<&str>, host: Option<&str>, port: Option<u16>, path: &str) -> UrlParts {
        UrlParts {
            scheme: scheme.map(str::to_string),
            host: host.map(str::to_string),
            port,
            path: path.to_string(),
        }
    }

    #[test]
    fn absolute_relative_and_scheme_relative() {
        assert_eq!(
            UrlParts::split("HTTPS://user:pw@api.example.com:8443/v1/?x#y"),
            parts(Some("https"), Some("api.example.com"), Some(8443), "/v1/")
        );
        assert_eq!(UrlParts::split("/v2?q"), parts(None, None, None, "/v2"));
        assert_eq!(
            UrlParts::split("//cdn.example.com/a"),
            parts(None, Some("cdn.example.com"), None, "/a")
        );
        assert_eq!(
            UrlParts::split("http://h?x=1"),
            parts(Some("http"), Some("h"), None, "")
        );
        assert_eq!(
            UrlParts::split("https:///x"),
            parts(Some("https"), None, None, "/x")
        );
    }

    #[test]
    fn ipv6_and_templates_keep_their_shape() {
        assert_eq!(
            UrlParts::split("http://[::1]:8080/p"),
            parts(Some("http"), Some("[::1]"), Some(8080), "/p")
        );
        assert_eq!(
            UrlParts::split("http://[::1]/p"),
            parts(Some("http"), Some("[::1]"), None, "/p")
        );
        let t = UrlParts::split("https://{region}.example.com:{port}/{version}");
        assert_eq!(t.host.as_deref(), Some("{region}.example.com:{port}"));
        assert_eq!(t.path, "/{version}");
        assert_eq!(
            t.authority().as_deref(),
            Some("{region}.example.com:{port}")
        );
        assert_eq!(
            UrlParts::split("http://h:81").authority().as_deref(),
            Some("h:81")
        );
    }
}
