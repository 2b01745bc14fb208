//! The HTTP side of `serve`: answers from the in-memory site and streams reload events. The
//! pages carry their live-reload client themselves (the build sets the template's
//! `live_reload` flag), so responses are served exactly as built.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxState;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;

use super::{LIVE_RELOAD_PATH, State};

#[derive(Clone)]
struct App {
    state: Arc<RwLock<State>>,
    tx: broadcast::Sender<u64>,
}

pub fn router(state: Arc<RwLock<State>>, tx: broadcast::Sender<u64>) -> Router {
    Router::new()
        .route(LIVE_RELOAD_PATH, get(live))
        .fallback(get(page))
        .with_state(App { state, tx })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        _ => "application/octet-stream",
    }
}

async fn page(AxState(app): AxState<App>, uri: Uri) -> Response {
    let raw = uri.path();
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned();
    let path = decoded.trim_start_matches('/');
    let st = app.state.read().expect("state lock");
    if let Some(err) = &st.error_page {
        return html_response(StatusCode::INTERNAL_SERVER_ERROR, err.clone().into_bytes());
    }
    let candidates = if path.is_empty() || path.ends_with('/') {
        vec![format!("{path}index.html")]
    } else {
        vec![path.to_string()]
    };
    for c in &candidates {
        if let Some(bytes) = st.site.get(c) {
            return Response::builder()
                .header(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(content_type(c)),
                )
                .header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
                .body(Body::from(bytes.clone()))
                .expect("valid response");
        }
    }
    // `apis/x` → `apis/x/` when that page exists, as static hosts do.
    if !path.is_empty()
        && !path.ends_with('/')
        && st.site.contains_key(&format!("{path}/index.html"))
    {
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, format!("/{path}/"))
            .body(Body::empty())
            .expect("valid response");
    }
    let not_found = st
        .site
        .get("404.html")
        .cloned()
        .unwrap_or_else(|| b"Not found".to_vec());
    html_response(StatusCode::NOT_FOUND, not_found)
}

fn html_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn live(
    AxState(app): AxState<App>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let rx = app.tx.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(generation) => {
                    return Some((Ok(Event::default().data(generation.to_string())), rx));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
