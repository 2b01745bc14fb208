//! What the browser shows of a failed build: an overlay listing the diagnostics (file, line,
//! column, message, help) on top of the last good build's page, or alone when no build has
//! succeeded yet; and the live-reload client every page loads ([`CLIENT_JS`]).

use crate::diagnostics::{Diagnostics, Severity};
use crate::render::escape::html;

/// The element id of the overlay (the client replaces it when a new one arrives).
pub const OVERLAY_ID: &str = "portalgen-overlay";

/// The URL of the event stream the client listens to.
pub const EVENTS_PATH: &str = "/__portalgen/events";

/// The overlay for the diagnostics of a failed build (`fatal`: a problem that stopped loading
/// altogether, such as a deleted portal.yaml).
pub fn overlay(diags: &Diagnostics, fatal: Option<&str>) -> String {
    let mut items = String::new();
    if let Some(msg) = fatal {
        items.push_str(&format!(
            "<li class=\"pg-error\"><div class=\"pg-msg\"><b>error</b>: {}</div></li>",
            html(msg)
        ));
    }
    // Errors first (they are why the build failed), then the rest, each in file order.
    let mut list: Vec<_> = diags.iter().collect();
    list.sort_by_key(|d| d.severity != Severity::Error);
    for d in list {
        let at = match (&d.file, d.line, d.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), Some(l), None) => format!("{f}:{l}"),
            (Some(f), None, _) => f.clone(),
            (None, ..) => String::new(),
        };
        let help = d
            .help
            .as_deref()
            .map(|h| format!("<div class=\"pg-help\">help: {}</div>", html(h)))
            .unwrap_or_default();
        items.push_str(&format!(
            "<li class=\"pg-{sev}\"><div class=\"pg-at\">{at}</div><div class=\"pg-msg\"><b>{sev}[{code}]</b>: {msg}</div>{help}</li>",
            sev = d.severity.as_str(),
            at = html(&at),
            code = d.code.id(),
            msg = html(&d.message),
        ));
    }
    let errors = diags.count(Severity::Error) + usize::from(fatal.is_some());
    format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alertdialog\" aria-label=\"Build failed\" style=\"all:initial\">\
<style>#{OVERLAY_ID}{{position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:2147483647;background:#1e1e1e;color:#eee;\
font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 4px 24px rgba(0,0,0,.5);border-bottom:3px solid #e5534b}}\
#{OVERLAY_ID} *{{box-sizing:border-box}}#{OVERLAY_ID} header{{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#2d2d2d;font-family:system-ui,sans-serif}}\
#{OVERLAY_ID} ul{{list-style:none;margin:0;padding:.5rem 1rem}}#{OVERLAY_ID} li{{padding:.4rem 0;border-bottom:1px solid #333}}\
#{OVERLAY_ID} .pg-at{{color:#8ab4f8}}#{OVERLAY_ID} .pg-error b{{color:#ff7b72}}#{OVERLAY_ID} .pg-warning b{{color:#d29922}}#{OVERLAY_ID} .pg-info b{{color:#8b949e}}\
#{OVERLAY_ID} .pg-help{{color:#aaa}}#{OVERLAY_ID} button{{font:inherit;background:#444;color:#eee;border:0;border-radius:4px;padding:.2rem .6rem;cursor:pointer}}</style>\
<header><span><b>The portal could not be built</b> ({errors} error{plural}). Showing the last good build; fix and save to reload.</span>\
<button type=\"button\" onclick=\"this.closest('#{OVERLAY_ID}').remove()\">Dismiss</button></header><ul>{items}</ul></div>",
        plural = if errors == 1 { "" } else { "s" },
    )
}

/// `html` with `overlay` inserted before its closing `</body>` (or at the end).
pub fn inject(html: &[u8], overlay: &str) -> Vec<u8> {
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + overlay.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(overlay.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The page served while no build has succeeded: the overlay alone, with the client, so the
/// page turns into the portal once a save fixes the build.
pub fn standalone(overlay: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed · portalgen</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
         <body style=\"margin:0;background:#111\">{overlay}<script src=\"{}\"></script></body></html>",
        super::rebuild::CLIENT_PATH
    )
}

/// The live-reload client (served at [`super::rebuild::CLIENT_PATH`]). It listens to the
/// event stream: `reload` reloads the page and scrolls back to where the reader was;
/// `overlay` shows a failed build's diagnostics without reloading; `hello` (sent on every
/// connection) reloads when the server was restarted or rebuilt while the stream was down.
pub const CLIENT_JS: &str = r#"(function () {
  "use strict";
  var KEY = "portalgen-scroll";
  try {
    var saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
    if (saved && saved.url === location.href) {
      if ("scrollRestoration" in history) history.scrollRestoration = "manual";
      var restore = function () { window.scrollTo(saved.x, saved.y); };
      restore();
      document.addEventListener("DOMContentLoaded", restore);
      window.addEventListener("load", restore);
    }
  } catch (e) {}
  function reload() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ url: location.href, x: window.scrollX, y: window.scrollY }));
    } catch (e) {}
    location.reload();
  }
  var first = null;
  var events = new EventSource("__EVENTS__");
  events.addEventListener("hello", function (e) {
    if (first === null) first = e.data;
    else if (e.data !== first) reload();
  });
  events.addEventListener("reload", function (e) {
    first = e.data;
    reload();
  });
  events.addEventListener("overlay", function (e) {
    var old = document.getElementById("__OVERLAY__");
    if (old) old.remove();
    document.body.insertAdjacentHTML("beforeend", e.data);
  });
})();
"#;

/// [`CLIENT_JS`] with its URLs filled in.
pub fn client_js() -> String {
    CLIENT_JS
        .replace("__EVENTS__", EVENTS_PATH)
        .replace("__OVERLAY__", OVERLAY_ID)
}
