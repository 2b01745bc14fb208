//! The only module that knows the template engine (minijinja). Loads the built-in theme's
//! templates (embedded in the binary) with the project's `templates/` overrides on top, and
//! turns template errors into diagnostics that name the template and line.

use crate::diagnostics::codes;
use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};

use crate::diagnostics::Diagnostic;
use crate::source::Span;

/// The built-in theme's templates, embedded at compile time.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("apis.html", include_str!("../../templates/apis.html")),
    ("api.html", include_str!("../../templates/api.html")),
    (
        "operation.html",
        include_str!("../../templates/operation.html"),
    ),
    ("schemas.html", include_str!("../../templates/schemas.html")),
    ("schema.html", include_str!("../../templates/schema.html")),
    (
        "packages.html",
        include_str!("../../templates/packages.html"),
    ),
    ("package.html", include_str!("../../templates/package.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "partials/rate_limit_sentence.html",
        include_str!("../../templates/partials/rate_limit_sentence.html"),
    ),
    (
        "partials/over_limit.html",
        include_str!("../../templates/partials/over_limit.html"),
    ),
    (
        "partials/own_limit.html",
        include_str!("../../templates/partials/own_limit.html"),
    ),
    (
        "partials/auth_explanation.html",
        include_str!("../../templates/partials/auth_explanation.html"),
    ),
    (
        "partials/access.html",
        include_str!("../../templates/partials/access.html"),
    ),
    (
        "partials/security_scheme.html",
        include_str!("../../templates/partials/security_scheme.html"),
    ),
    (
        "partials/live_reload.html",
        include_str!("../../templates/partials/live_reload.html"),
    ),
];

/// The built-in theme's static assets, written under `assets/`.
pub const BUILTIN_ASSETS: &[(&str, &[u8])] = &[
    (
        "assets/style.css",
        include_bytes!("../../themes/default/style.css"),
    ),
    (
        "assets/theme.js",
        include_bytes!("../../themes/default/theme.js"),
    ),
    (
        "assets/search.js",
        include_bytes!("../../themes/default/search.js"),
    ),
    (
        "assets/favicon.svg",
        include_bytes!("../../themes/default/favicon.svg"),
    ),
];

/// A ready template environment.
pub struct Engine {
    env: Environment<'static>,
    overridden: std::collections::BTreeSet<String>,
}

impl Engine {
    /// Built-in templates plus the project's overrides (`templates/<name>`). Syntax errors in
    /// overrides are reported as diagnostics.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Engine, Vec<Diagnostic>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".xml") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_formatter(html_formatter);
        env.add_filter("rel", rel_filter);
        let mut errors = Vec::new();
        let mut overridden = std::collections::BTreeSet::new();
        for (name, src) in BUILTIN_TEMPLATES {
            // Every built-in is also reachable as `theme/<name>`, so a project's template can
            // `{% extends "theme/base.html" %}` and override a single block.
            if let Err(e) = env.add_template_owned(format!("theme/{name}"), *src) {
                errors.push(template_diagnostic(&e, false));
            }
            if overrides.contains_key(*name) {
                continue;
            }
            if let Err(e) = env.add_template(name, src) {
                errors.push(template_diagnostic(&e, false));
            }
        }
        for (name, src) in overrides {
            overridden.insert(name.clone());
            if let Err(e) = env.add_template_owned(name.clone(), src.clone()) {
                errors.push(template_diagnostic(&e, true));
            }
        }
        if errors.is_empty() {
            Ok(Engine { env, overridden })
        } else {
            Err(errors)
        }
    }

    /// Render `name` with `ctx`.
    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: &S) -> Result<String, Diagnostic> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| template_diagnostic(&e, self.overridden.contains(name)))?;
        tmpl.render(minijinja::Value::from(minijinja::value::Serde(ctx)))
            .map_err(|e| {
                // An error inside an included template (a partial) or a parent template is
                // wrapped by the includer's: report the innermost one, where the mistake is.
                let mut inner = &e;
                while let Some(cause) = std::error::Error::source(inner)
                    .and_then(|c| c.downcast_ref::<minijinja::Error>())
                {
                    inner = cause;
                }
                let in_override = inner.name().is_some_and(|n| self.overridden.contains(n));
                let mut d = template_diagnostic(inner, in_override);
                if let Some(outer) = e.name().filter(|n| Some(*n) != inner.name()) {
                    d.message.push_str(&format!(" (included from `{outer}`)"));
                }
                d
            })
    }
}

/// `{{ x.url|rel }}`: the shortest relative link from the page being rendered to `url` (a
/// root-relative URL of the contract), so pages stay small (`../b/` instead of
/// `../../../apis/x/b/`). On the 404 page, served at any depth, it is `root` + `url`.
fn rel_filter(state: &minijinja::State, url: String) -> String {
    let absolute = url.starts_with("http://")
        || url.starts_with("https://")
        || url.starts_with('/')
        || url.starts_with("mailto:");
    if absolute {
        return url;
    }
    let page = state.lookup("page");
    let kind = page
        .as_ref()
        .and_then(|p| p.get_attr("kind").ok())
        .map(|k| k.to_string());
    let from = page
        .as_ref()
        .and_then(|p| p.get_attr("url").ok())
        .and_then(|u| u.as_str().map(str::to_string));
    match (kind.as_deref(), from) {
        (Some("404"), _) | (_, None) => {
            let root = state
                .lookup("root")
                .and_then(|r| r.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{root}{url}")
        }
        (_, Some(from)) => crate::render::urls::relative(&from, &url),
    }
}

/// HTML escaping through the crate's one escaper ([`crate::render::escape::html`]):
/// minijinja's default also escapes `/`, which bloats every URL of every page by 10-15% for no
/// safety gain inside quoted attributes and text.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let escape = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    if !escape || value.is_safe() || value.is_none() || value.is_undefined() {
        return minijinja::escape_formatter(out, state, value);
    }
    out.write_str(&crate::render::escape::html(&value.to_string()))
        .map_err(minijinja::Error::from)
}

fn template_diagnostic(e: &minijinja::Error, in_override: bool) -> Diagnostic {
    let name = e.name().unwrap_or("template").to_string();
    let mut msg = format!("template `{name}`: {}", e.kind());
    if let Some(detail) = e.detail() {
        msg.push_str(": ");
        msg.push_str(detail);
    }
    let mut d = Diagnostic::new(codes::TEMPLATE_ERROR, msg);
    if in_override {
        d = d.at(&Span::new(
            format!("templates/{name}"),
            e.line().unwrap_or(0) as u32,
            1,
        ));
        d = d.help("the template context is documented in docs/templates.md");
    } else {
        d = d.help(format!(
            "this is the built-in template `{name}`{}; please report it",
            e.line().map(|l| format!(" (line {l})")).unwrap_or_default()
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_can_extend_the_builtin_and_replace_one_block() {
        let mut o = BTreeMap::new();
        o.insert(
            "page.html".to_string(),
            "{% extends \"theme/page.html\" %}{% block footer %}<p>Custom footer & co</p>{% endblock %}".to_string(),
        );
        let engine = Engine::new(&o).unwrap();
        let ctx = serde_json::json!({
            "site": {"title": "T", "description": null, "base_url": "https://x/", "generator": "g", "custom_css": false},
            "root": "../", "page": {"kind": "guide", "url": "guides/a/", "title": "A", "description": null},
            "nav": {"apis": [], "packages": [], "guides": []}, "live_reload": null,
            "doc": {"title": "A", "description": null, "content_html": "<p>body</p>", "toc": []}
        });
        let html = engine.render("page.html", &ctx).unwrap();
        assert!(html.contains("<p>Custom footer & co</p>"), "{html}");
        assert!(html.contains("<p>body</p>"));
        // URLs are not escaped beyond what HTML needs.
        assert!(html.contains("href=\"../assets/style.css\""), "{html}");
    }

    #[test]
    fn override_syntax_error_names_file_and_line() {
        let mut o = BTreeMap::new();
        o.insert("page.html".to_string(), "line one\n{% if %}\n".to_string());
        let errs = Engine::new(&o).err().expect("syntax error");
        assert_eq!(errs[0].file.as_deref(), Some("templates/page.html"));
        assert_eq!(errs[0].line, Some(2));
    }
}
