//! The only module that knows the template engine (minijinja). Loads the built-in theme's
//! templates (embedded in the binary) with the project's `templates/` overrides on top, and
//! turns template errors into diagnostics that name the template and line.
//!
//! A project's own templates are code that runs in every build, so an engine with overrides
//! runs under two budgets from `limits` in portal.yaml: `template_fuel` (minijinja's fuel: the
//! instructions and allocations one page's render may use, so an endless loop stops with a
//! `template-out-of-fuel` error at its template and line) and `page_size` (output is written
//! into a capped buffer, so a loop printing a large string stops at the cap instead of filling
//! memory). Both are properties of the [`Engine`]: every command that renders (`build`,
//! `check`, `serve`) gets them, and a render that stops leaves nothing behind, so the next
//! render (serve's rebuild after the fix) starts afresh. The theme's own templates run without
//! them: their work and output grow linearly with the content, which the input limits bound.
//!
//! A file of `templates/` that replaces no theme template and that no template names is an
//! `unknown-template` error (`templates/pages.html` is a typo, not a new page type).

use crate::diagnostics::codes;
use std::collections::BTreeMap;

use minijinja::{Environment, ErrorKind, UndefinedBehavior};

use crate::diagnostics::Diagnostic;
use crate::model::config::Limits;
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
    (
        "partials/enforcement.html",
        include_str!("../../templates/partials/enforcement.html"),
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
    /// Bytes one page may have (only with overrides).
    page_size: Option<u64>,
    /// Fuel per page (only with overrides), for messages.
    fuel: Option<u64>,
}

impl Engine {
    /// Built-in templates plus the project's overrides (`templates/<name>`), with the budgets
    /// of `limits` when there are overrides. Syntax errors in overrides and overrides that no
    /// template uses are reported as diagnostics.
    pub fn new(
        overrides: &BTreeMap<String, String>,
        limits: &Limits,
    ) -> Result<Engine, Vec<Diagnostic>> {
        let mut env = Environment::new();
        let (fuel, page_size) = if overrides.is_empty() {
            (None, None)
        } else {
            (Some(limits.template_fuel), Some(limits.page_size))
        };
        env.set_fuel(fuel);
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
        errors.extend(unknown_templates(overrides));
        if errors.is_empty() {
            Ok(Engine {
                env,
                overridden,
                page_size,
                fuel,
            })
        } else {
            Err(errors)
        }
    }

    /// Render `name` with `ctx` into the page at `url` (for messages).
    pub fn render<S: serde::Serialize>(
        &self,
        name: &str,
        ctx: &S,
        url: &str,
    ) -> Result<String, Diagnostic> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| template_diagnostic(&e, self.overridden.contains(name)))?;
        let ctx = minijinja::Value::from(minijinja::value::Serde(ctx));
        let result = match self.page_size {
            None => tmpl.render(ctx),
            Some(max) => {
                let mut out = Capped {
                    bytes: Vec::new(),
                    max,
                };
                tmpl.render_captured_to(ctx, &mut out)
                    .map(|_| String::from_utf8(out.bytes).unwrap_or_default())
            }
        };
        result.map_err(|e| {
                if e.kind() == ErrorKind::WriteFailure
                    && let Some(max) = self.page_size
                {
                    let d = Diagnostic::new(
                        codes::PAGE_TOO_LARGE,
                        format!(
                            "the page `{}` would be larger than {max} bytes (rendered with template `{name}`)",
                            super::urls::output_path(url)
                        ),
                    )
                    .help("a loop in the template probably repeats too much; `limits.page_size` in portal.yaml sets the limit");
                    return if self.overridden.contains(name) {
                        d.at(&Span::file(format!("templates/{name}")))
                    } else {
                        d
                    };
                }
                // An error inside an included template (a partial) or a parent template is
                // wrapped by the includer's: report the innermost one, where the mistake is.
                let mut inner = &e;
                while let Some(cause) = std::error::Error::source(inner)
                    .and_then(|c| c.downcast_ref::<minijinja::Error>())
                {
                    inner = cause;
                }
                let in_override = inner.name().is_some_and(|n| self.overridden.contains(n));
                if inner.kind() == ErrorKind::OutOfFuel || e.kind() == ErrorKind::OutOfFuel {
                    return self.out_of_fuel(inner, name, url, in_override);
                }
                let mut d = template_diagnostic(inner, in_override);
                if let Some(outer) = e.name().filter(|n| Some(*n) != inner.name()) {
                    d.message.push_str(&format!(" (included from `{outer}`)"));
                }
                d
            })
    }
}

impl Engine {
    /// The diagnostic for a render that used up its fuel: at the template and line it was at.
    fn out_of_fuel(
        &self,
        e: &minijinja::Error,
        page_template: &str,
        url: &str,
        in_override: bool,
    ) -> Diagnostic {
        let name = e.name().unwrap_or(page_template);
        let fuel = self.fuel.unwrap_or_default();
        let d = Diagnostic::new(
            codes::TEMPLATE_OUT_OF_FUEL,
            format!(
                "template `{name}` ran out of fuel rendering `{}`: it used more than {fuel} units (an endless or very long loop?)",
                super::urls::output_path(url)
            ),
        )
        .help("shorten the loop; if the template really needs that much work, raise `limits.template_fuel` in portal.yaml");
        match (in_override || self.overridden.contains(name), e.line()) {
            (true, Some(line)) => d.at(&Span::new(format!("templates/{name}"), line as u32, 1)),
            (true, None) => d.at(&Span::file(format!("templates/{name}"))),
            (false, _) => d,
        }
    }
}

/// Output of one page, refused past `max` bytes (the render then stops).
struct Capped {
    bytes: Vec<u8>,
    max: u64,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.bytes.len() + buf.len()) as u64 > self.max {
            return Err(std::io::Error::other("the page is larger than the limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Overrides that replace no theme template and that no other template names as a quoted
/// string (`{% include "partials/x.html" %}`; a template that builds the name at render time
/// names it in a comment: `{# "partials/x.html" #}`).
fn unknown_templates(overrides: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let builtin: Vec<&str> = BUILTIN_TEMPLATES.iter().map(|(n, _)| *n).collect();
    let mut out = Vec::new();
    for name in overrides.keys() {
        if builtin.contains(&name.as_str()) {
            continue;
        }
        let (dq, sq) = (format!("\"{name}\""), format!("'{name}'"));
        let named = overrides
            .iter()
            .filter(|(other, _)| *other != name)
            .map(|(_, s)| s.as_str())
            .chain(BUILTIN_TEMPLATES.iter().map(|(_, s)| *s))
            .any(|s| s.contains(&dq) || s.contains(&sq));
        if named {
            continue;
        }
        let mut d = Diagnostic::new(
            codes::UNKNOWN_TEMPLATE,
            format!("`templates/{name}` replaces no template of the theme and no template includes it, so it is never used"),
        )
        .at(&Span::file(format!("templates/{name}")));
        d = match crate::diagnostics::suggest::did_you_mean(name, &builtin) {
            Some(s) => d.help(format!("did you mean `{s}`? A file of templates/ replaces the theme's template of the same name")),
            None => d.help(format!(
                "a file of templates/ replaces the theme's template of the same name ({}); a helper template must be included by name from another one",
                builtin.join(", ")
            )),
        };
        out.push(d);
    }
    out
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
        let engine = Engine::new(&o, &Limits::default()).unwrap();
        let ctx = serde_json::json!({
            "site": {"title": "T", "description": null, "base_url": "https://x/", "generator": "g", "custom_css": false},
            "root": "../", "page": {"kind": "guide", "url": "guides/a/", "title": "A", "description": null},
            "nav": {"apis": [], "packages": [], "guides": []}, "live_reload": null,
            "doc": {"title": "A", "description": null, "content_html": "<p>body</p>", "toc": []}
        });
        let html = engine.render("page.html", &ctx, "guides/a/").unwrap();
        assert!(html.contains("<p>Custom footer & co</p>"), "{html}");
        assert!(html.contains("<p>body</p>"));
        // URLs are not escaped beyond what HTML needs.
        assert!(html.contains("href=\"../assets/style.css\""), "{html}");
    }

    #[test]
    fn override_syntax_error_names_file_and_line() {
        let mut o = BTreeMap::new();
        o.insert("page.html".to_string(), "line one\n{% if %}\n".to_string());
        let errs = Engine::new(&o, &Limits::default())
            .err()
            .expect("syntax error");
        assert_eq!(errs[0].file.as_deref(), Some("templates/page.html"));
        assert_eq!(errs[0].line, Some(2));
    }
}
