//! The HTTP side of `serve`: answers from the in-memory site with the static build's URLs
//! under `base_url`'s path, and streams reload events.
//!
//! Semantics of a static host (as tower-http's `ServeDir`): `dir/` serves `dir/index.html`,
//! `dir` redirects to `dir/` when that page exists, a missing file gets the portal's 404 page
//! with status 404, single byte ranges are honoured (media in `static/`), content types come
//! from `mime_guess`. Stricter than a file server where a preview must be: each path segment
//! is percent-decoded on its own and a segment that decodes to a separator, `.`, `..` or a NUL
//! is refused (404), so `%2f` never becomes a folder boundary and nothing climbs out of the
//! site; the site is in memory, so no symlink can lead out of it either. When bound to a
//! loopback address, requests for any other Host than that address, `localhost` or
//! `127.0.0.1` are refused (403): a page on another site cannot read the preview through DNS
//! rebinding. While the last build failed, HTML responses carry the diagnostics overlay.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::{broadcast, watch};

use super::overlay::{self, EVENTS_PATH};
use super::rebuild::CLIENT_PATH;
use super::{Signal, State};

/// What every request needs.
#[derive(Clone)]
pub struct App {
    pub state: Arc<RwLock<State>>,
    pub events: broadcast::Sender<Signal>,
    /// Becomes `true` when the server stops: open event streams end.
    pub shutdown: watch::Receiver<bool>,
    /// The Host names accepted (lowercase, without port); `None`: any (not bound to loopback).
    pub hosts: Option<Vec<String>>,
    /// Identifies this server process in `hello` events.
    pub instance: String,
}

pub fn router(app: App) -> Router {
    Router::new().fallback(handle).with_state(app)
}

async fn handle(AxState(app): AxState<App>, req: Request) -> Response {
    if !host_allowed(app.hosts.as_deref(), req.headers(), req.uri()) {
        return text(
            StatusCode::FORBIDDEN,
            "portalgen serve refuses this Host: open the preview by the address it printed (localhost or 127.0.0.1)\n",
        );
    }
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = req.uri().path();
    if path == EVENTS_PATH {
        return events(&app).into_response();
    }
    if path == CLIENT_PATH {
        return respond(
            &method,
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Bytes::from(overlay::client_js()),
        );
    }
    let (site, base, overlay_html, built) = {
        let st = app.state.read().expect("state lock");
        (
            st.site.clone(),
            st.base_path.clone(),
            st.overlay.clone(),
            st.built,
        )
    };
    if !built {
        let page = overlay::standalone(overlay_html.as_deref().unwrap_or("building…"));
        return respond(
            &method,
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/html; charset=utf-8",
            Bytes::from(page),
        );
    }
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let with_overlay = |body: Bytes| match &overlay_html {
        Some(o) => Bytes::from(overlay::inject(&body, o)),
        None => body,
    };
    let not_found = || {
        let body = site
            .get(crate::render::urls::NOT_FOUND)
            .cloned()
            .unwrap_or_else(|| Bytes::from_static(b"Not found"));
        respond(
            &method,
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            with_overlay(body),
        )
    };
    // The portal lives under base_url's path, as in production; `/` leads there.
    if base != "/" {
        if path == "/" {
            return redirect(StatusCode::FOUND, &base);
        }
        if path == base.trim_end_matches('/') {
            return redirect(StatusCode::MOVED_PERMANENTLY, &format!("{base}{query}"));
        }
    }
    let Some(rel) = path.strip_prefix(base.as_str()) else {
        return not_found();
    };
    let Some(key) = site_key(rel) else {
        return not_found();
    };
    let Some(body) = site.get(&key) else {
        // `apis/x` → `apis/x/` when that page exists, as static hosts do.
        if !key.is_empty() && !rel.ends_with('/') && site.contains_key(&format!("{key}/index.html"))
        {
            return redirect(StatusCode::MOVED_PERMANENTLY, &format!("{path}/{query}"));
        }
        return not_found();
    };
    let ctype = content_type(&key);
    let body = if ctype.starts_with("text/html") {
        with_overlay(body.clone())
    } else {
        body.clone()
    };
    if let Some(range) = req.headers().get(header::RANGE) {
        return ranged(&method, ctype, body, range);
    }
    respond(&method, StatusCode::OK, ctype, body)
}

/// The site key for a request path below the base path (`apis/x/` → `apis/x/index.html`), or
/// `None` when a segment is not a plain name once decoded.
pub fn site_key(rel: &str) -> Option<String> {
    let mut segments = Vec::new();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, raw) in parts.iter().enumerate() {
        if raw.is_empty() {
            // Only a trailing slash may leave an empty segment (`a//b` and `//etc` are no paths).
            if i == parts.len() - 1 {
                continue;
            }
            return None;
        }
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()?;
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0']) {
            return None;
        }
        segments.push(seg.into_owned());
    }
    let mut key = segments.join("/");
    if rel.is_empty() || rel.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Some(key)
}

/// The content type of a site file, from its extension; text types in UTF-8.
pub fn content_type(path: &str) -> &'static str {
    let mime = mime_guess::from_path(path).first_raw();
    match mime {
        Some("text/html") => "text/html; charset=utf-8",
        Some("text/css") => "text/css; charset=utf-8",
        Some("text/javascript" | "application/javascript") => "text/javascript; charset=utf-8",
        Some("application/json") => "application/json",
        Some("text/plain") => "text/plain; charset=utf-8",
        Some("text/markdown") => "text/markdown; charset=utf-8",
        Some("text/xml" | "application/xml") => "application/xml",
        Some("image/svg+xml") => "image/svg+xml",
        Some(m) => m,
        None => match path.rsplit_once('.').map(|(_, e)| e) {
            Some("yaml" | "yml") => "application/yaml",
            _ => "application/octet-stream",
        },
    }
}

fn respond(method: &Method, status: StatusCode, ctype: &str, body: Bytes) -> Response {
    let len = body.len();
    let mut r = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ctype)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::ACCEPT_RANGES, "bytes");
    if *method == Method::HEAD {
        r = r.header(header::CONTENT_LENGTH, len);
        return r.body(Body::empty()).expect("valid response");
    }
    r.body(Body::from(body)).expect("valid response")
}

/// A response to `Range: bytes=…` (one range; several, or none satisfiable: 416).
fn ranged(method: &Method, ctype: &str, body: Bytes, range: &HeaderValue) -> Response {
    let len = body.len() as u64;
    let parsed = range
        .to_str()
        .ok()
        .and_then(|r| r.strip_prefix("bytes="))
        .filter(|r| !r.contains(','))
        .and_then(|r| r.trim().split_once('-'))
        .and_then(|(a, b)| match (a.trim(), b.trim()) {
            ("", n) => {
                let n: u64 = n.parse().ok()?;
                (n > 0 && len > 0).then(|| (len.saturating_sub(n), len - 1))
            }
            (a, "") => {
                let a: u64 = a.parse().ok()?;
                (a < len).then(|| (a, len - 1))
            }
            (a, b) => {
                let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
                (a <= b && a < len).then(|| (a, b.min(len - 1)))
            }
        });
    let Some((start, end)) = parsed else {
        return Response::builder()
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .body(Body::empty())
            .expect("valid response");
    };
    let mut r = respond(
        method,
        StatusCode::PARTIAL_CONTENT,
        ctype,
        body.slice(start as usize..=end as usize),
    );
    r.headers_mut().insert(
        header::CONTENT_RANGE,
        HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")).expect("ASCII"),
    );
    r
}

fn redirect(status: StatusCode, to: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::LOCATION, to)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::empty())
        .expect("valid response")
}

fn text(status: StatusCode, msg: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        msg,
    )
        .into_response()
}

/// Whether the request's Host (or the authority of an absolute-form target) is one of
/// `hosts`; always when `hosts` is `None`.
pub fn host_allowed(hosts: Option<&[String]>, headers: &HeaderMap, uri: &axum::http::Uri) -> bool {
    let Some(hosts) = hosts else { return true };
    let host = uri.authority().map(|a| a.host().to_string()).or_else(|| {
        let h = headers.get(header::HOST)?.to_str().ok()?;
        let name = if let Some(rest) = h.strip_prefix('[') {
            // [::1]:4000
            format!("[{}]", rest.split(']').next()?)
        } else {
            h.rsplit_once(':')
                .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map(|(n, _)| n)
                .unwrap_or(h)
                .to_string()
        };
        Some(name)
    });
    match host {
        Some(h) => {
            let h = h.to_ascii_lowercase();
            hosts.contains(&h)
        }
        None => false,
    }
}

/// The event stream: `hello` on connection, then `reload` and `overlay` events; ends when the
/// server stops.
fn events(app: &App) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>> + use<>> {
    use futures_util::future::{Either, select};
    let generation = app.state.read().map(|s| s.generation).unwrap_or(0);
    let hello = Event::default()
        .event("hello")
        .data(format!("{}-{generation}", app.instance));
    let start = (
        Some(hello),
        app.events.subscribe(),
        app.shutdown.clone(),
        app.instance.clone(),
    );
    let stream = futures_util::stream::unfold(
        start,
        |(hello, mut rx, mut shutdown, instance)| async move {
            if let Some(h) = hello {
                return Some((Ok(h), (None, rx, shutdown, instance)));
            }
            loop {
                if *shutdown.borrow() {
                    return None;
                }
                let msg = {
                    let next = rx.recv();
                    let stop = shutdown.changed();
                    futures_util::pin_mut!(next, stop);
                    match select(next, stop).await {
                        Either::Left((msg, _)) => msg,
                        Either::Right(_) => return None,
                    }
                };
                let ev = match msg {
                    Ok(Signal::Reload(g)) => Event::default()
                        .event("reload")
                        .data(format!("{instance}-{g}")),
                    Ok(Signal::Overlay(html)) => Event::default().event("overlay").data(html),
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                return Some((Ok(ev), (None, rx, shutdown, instance)));
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_request_paths() {
        assert_eq!(site_key("").as_deref(), Some("index.html"));
        assert_eq!(site_key("apis/x/").as_deref(), Some("apis/x/index.html"));
        assert_eq!(
            site_key("assets/style.css").as_deref(),
            Some("assets/style.css")
        );
        assert_eq!(site_key("a%20b.txt").as_deref(), Some("a b.txt"));
        for bad in [
            "..",
            "a/../b",
            "%2e%2e/x",
            "apis%2forders%2f",
            "a//b",
            "/etc/passwd",
            "a%5cb",
            "a%00",
            ".",
        ] {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.wasm"), "application/wasm");
        assert_eq!(content_type("x.woff2"), "font/woff2");
        assert_eq!(content_type("x.webp"), "image/webp");
        assert_eq!(content_type("x.unknown-ext"), "application/octet-stream");
    }
}
