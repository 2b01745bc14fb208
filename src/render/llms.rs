//! The machine-readable reference for assistants and tools (llmstxt.org):
//!
//! - `llms.txt`: the portal as a markdown index — every visible API with its document, every
//!   visible operation (linked to its markdown twin), every package and guide;
//! - one markdown twin per operation page (`apis/<api>/<op>/index.md`): everything the page
//!   says (method, path, base URL, packages and limits, parameters, bodies, responses, the
//!   curl sample) as plain markdown;
//! - `llms-full.txt`: every twin and every guide's markdown in one file.
//!
//! Built from the visible set like every page, so private content can neither be found nor
//! named. Links are absolute (`base_url`): these files are read outside the site.

use crate::model::OperationId;
use crate::model::api::{self, Api, Operation, ParamLocation, SchemaRef};
use crate::render::samples;
use crate::render::urls;
use crate::render::views::{self, SiteViews, summary_text};

/// `llms.txt`: the visible portal as a markdown index with absolute links.
pub fn llms_txt(views: &SiteViews<'_>, base_url: &str) -> String {
    let portal = views.portal;
    let mut s = format!("# {}\n\n", portal.config.title);
    if let Some(d) = &views.site.description {
        s.push_str(&format!("> {d}\n\n"));
    }
    s.push_str(&format!(
        "Every operation below links to a markdown version of its page. The whole reference and \
         every guide in one file: [{f}]({base_url}{f}).\n\n",
        f = urls::LLMS_FULL_TXT
    ));
    let line = |title: &str, url: &str, desc: &str| {
        if desc.is_empty() {
            format!("- [{}]({base_url}{url})\n", link_text(title))
        } else {
            format!("- [{}]({base_url}{url}): {desc}\n", link_text(title))
        }
    };
    for (ai, api) in portal.api_ids() {
        if !views.visible.api(ai) {
            continue;
        }
        let api_url = urls::api(&api.slug);
        s.push_str(&format!("## {}\n\n", api.title));
        if let Some(d) = &api.description {
            s.push_str(&format!("{}\n\n", summary_text(d)));
        }
        s.push_str(&line("API overview", &api_url, ""));
        s.push_str(&line(
            "OpenAPI document",
            &urls::openapi_download(&api_url),
            "",
        ));
        for (tag, ops) in &views.nav_groups[ai.index()] {
            s.push_str(&format!("\n### {tag}\n\n"));
            for oi in ops {
                let op = &api.operations[*oi];
                let page = urls::operation(&api.slug, &op.slug);
                let desc = format!("{} {}", op.method, op.path);
                s.push_str(&line(&op_title(op), &urls::markdown_twin(&page), &desc));
            }
        }
        s.push('\n');
    }
    let packages = views.package_cards();
    if !packages.is_empty() {
        s.push_str("## API packages\n\n");
        for p in &packages {
            let pkg = portal
                .packages
                .iter()
                .find(|x| x.slug == p.slug)
                .expect("visible package exists");
            let mut desc = pkg
                .description
                .as_deref()
                .map(summary_text)
                .unwrap_or_default();
            if let Some(w) = &p.rate_limit_words {
                desc = format!("{desc} ({w} per application)").trim().to_string();
            }
            s.push_str(&line(&p.name, &p.url, &desc));
            s.push_str(&line(
                &format!("{} OpenAPI document", p.name),
                &urls::openapi_download(&p.url),
                "",
            ));
        }
        s.push('\n');
    }
    let guides = views.guide_cards();
    if !guides.is_empty() {
        s.push_str("## Guides\n\n");
        for g in &guides {
            s.push_str(&line(
                &g.title,
                &g.url,
                g.description.as_deref().unwrap_or(""),
            ));
        }
    }
    s
}

/// `llms-full.txt`: every visible operation's markdown twin (in navigation order) and every
/// visible guide's markdown, in one file.
pub fn llms_full_txt(views: &SiteViews<'_>, base_url: &str) -> String {
    let portal = views.portal;
    let mut s = format!("# {}\n\n", portal.config.title);
    if let Some(d) = &views.site.description {
        s.push_str(&format!("> {d}\n\n"));
    }
    for (ai, api) in portal.api_ids() {
        if !views.visible.api(ai) {
            continue;
        }
        s.push_str(&format!("# API: {}\n\n", api.title));
        if let Some(d) = &api.description {
            s.push_str(&format!("{}\n\n", clean_markdown(d)));
        }
        for (_, ops) in &views.nav_groups[ai.index()] {
            for oi in ops {
                s.push_str(&demote(&operation_markdown(
                    views,
                    OperationId::new(ai, *oi),
                    base_url,
                )));
                s.push('\n');
            }
        }
    }
    for (gi, url) in &views.guides {
        let g = portal.page(*gi);
        s.push_str(&format!(
            "# Guide: {}\n\nSource: {base_url}{url}\n\n",
            g.title
        ));
        if let Some(d) = &g.description {
            s.push_str(&format!("{d}\n\n"));
        }
        let (body, _) = crate::render::links::rendered_body(g);
        s.push_str(&demote(clean_markdown(body).trim()));
        s.push_str("\n\n");
    }
    s
}

/// The markdown twin of an operation page.
pub fn operation_markdown(views: &SiteViews<'_>, id: OperationId, base_url: &str) -> String {
    let portal = views.portal;
    let visible = views.visible;
    let (api, op) = portal.operation(id);
    let page = urls::operation(&api.slug, &op.slug);
    let mut s = format!("# {}\n\n", op_title(op));
    s.push_str(&format!("`{} {}`\n\n", op.method, op.path));
    let base = views::gateway_base(portal, api);
    s.push_str(&format!(
        "- API: [{}]({base_url}{})\n- Base URL: `{base}`\n",
        link_text(&api.title),
        urls::api(&api.slug)
    ));
    if let Some(oid) = &op.operation_id {
        s.push_str(&format!("- operationId: `{oid}`\n"));
    }
    if op.deprecated {
        s.push_str("- Deprecated: this operation may be removed; avoid it in new code.\n");
    }
    s.push_str(&format!("- Web page: {base_url}{page}\n\n"));
    if let Some(d) = &op.description {
        s.push_str(&format!("{}\n\n", demote(clean_markdown(d).trim())));
    }
    let packages: Vec<String> = views::visible_packages(portal, visible, id)
        .filter_map(|(_, p)| {
            let po = p.operations.iter().find(|po| po.operation == id)?;
            let limit = po
                .rate_limit
                .or(p.rate_limit)
                .map(|l| format!(": {} per application", l.words()))
                .unwrap_or_default();
            Some(format!(
                "- [{}]({base_url}{}){limit}\n",
                link_text(&p.name),
                urls::package(&p.slug)
            ))
        })
        .collect();
    if !packages.is_empty() {
        s.push_str("## Packages\n\nAvailable in:\n\n");
        s.extend(packages);
        s.push('\n');
    }
    if !op.parameters.is_empty() {
        s.push_str("## Parameters\n\n| Name | In | Type | Required | Description |\n|---|---|---|---|---|\n");
        for p in &op.parameters {
            let loc = match p.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
            };
            s.push_str(&format!(
                "| `{}` | {loc} | {} | {} | {} |\n",
                p.name,
                cell(
                    &p.schema
                        .as_ref()
                        .map(|t| api::type_label(api, t))
                        .unwrap_or_default()
                ),
                if p.required { "yes" } else { "no" },
                cell(
                    &p.description
                        .as_deref()
                        .map(summary_text)
                        .unwrap_or_default()
                ),
            ));
        }
        s.push('\n');
    }
    if let Some(body) = &op.request_body {
        s.push_str("## Request body\n\n");
        if body.required {
            s.push_str("Required.\n\n");
        }
        if let Some(d) = &body.description {
            s.push_str(&format!("{}\n\n", summary_text(d)));
        }
        for mt in &body.content {
            media_type(&mut s, api, mt);
        }
    }
    if !op.responses.is_empty() {
        s.push_str("## Responses\n\n");
        for r in &op.responses {
            s.push_str(&format!("### {}\n\n", r.status));
            if let Some(d) = &r.description {
                s.push_str(&format!("{}\n\n", summary_text(d)));
            }
            for mt in &r.content {
                media_type(&mut s, api, mt);
            }
        }
    }
    let auth = views::visible_packages(portal, visible, id)
        .next()
        .map(|(_, p)| views::strategy(&portal.config, &p.auth_strategy))
        .unwrap_or_else(|| views::strategy(&portal.config, &views::api_auth_choice(portal, api)));
    let url = samples::sample_url(api, &base, op);
    let curl = samples::curl(&samples::request(api, op, &url, auth));
    s.push_str(&format!("## Example request\n\n```bash\n{curl}\n```\n"));
    s
}

/// A media type's schema (type and top-level properties) and example.
fn media_type(s: &mut String, api: &Api, mt: &api::MediaType) {
    s.push_str(&format!("Content type `{}`", mt.media_type));
    if let Some(schema) = &mt.schema {
        s.push_str(&format!(": {}", api::type_label(api, schema)));
    }
    s.push_str("\n\n");
    if let Some(schema) = &mt.schema {
        let props = properties(api, schema);
        if !props.is_empty() {
            s.push_str("| Property | Type | Required | Description |\n|---|---|---|---|\n");
            for (name, ty, required, desc) in props {
                s.push_str(&format!(
                    "| `{name}` | {} | {} | {} |\n",
                    cell(&ty),
                    if required { "yes" } else { "no" },
                    cell(&desc)
                ));
            }
            s.push('\n');
        }
    }
    if let Some(ex) = mt.example.as_ref().or_else(|| mt.examples.values().next())
        && let Ok(json) = serde_json::to_string_pretty(ex)
    {
        s.push_str(&format!("Example:\n\n```json\n{json}\n```\n\n"));
    }
}

/// The top-level properties of a schema (of its items for an array, with `allOf` members'),
/// as (name, type, required, description).
fn properties(api: &Api, schema: &SchemaRef) -> Vec<(String, String, bool, String)> {
    let resolve = |r: &SchemaRef| -> api::Schema {
        match r {
            SchemaRef::Ref { target, .. } => api.schema(*target).clone(),
            SchemaRef::Inline(s) => (**s).clone(),
        }
    };
    let mut target = resolve(schema);
    if target.types.iter().any(|t| t == "array")
        && let Some(items) = &target.items
    {
        target = resolve(items);
    }
    let mut members = vec![target.clone()];
    members.extend(target.all_of.iter().map(resolve));
    let mut out: Vec<(String, String, bool, String)> = Vec::new();
    for m in &members {
        for p in &m.properties {
            if out.iter().any(|(n, ..)| *n == p.name) {
                continue;
            }
            let desc = resolve(&p.schema)
                .description
                .as_deref()
                .map(summary_text)
                .unwrap_or_default();
            out.push((
                p.name.clone(),
                api::type_label(api, &p.schema),
                m.required.contains(&p.name),
                desc,
            ));
        }
    }
    out
}

fn op_title(op: &Operation) -> String {
    op.summary
        .clone()
        .unwrap_or_else(|| format!("{} {}", op.method, op.path))
}

/// Text safe inside a markdown link's brackets.
fn link_text(s: &str) -> String {
    s.replace('[', "\\[").replace(']', "\\]")
}

/// Text safe inside a markdown table cell (one line, no column breaks).
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Markdown without the HTML comments of the source (internal notes do not ship).
fn clean_markdown(src: &str) -> String {
    crate::render::markdown::strip_html_comments(src).into_owned()
}

/// Every ATX heading one level down (`#` → `##`), outside fenced code, so a document nests
/// under a heading of its own.
fn demote(md: &str) -> String {
    let mut out = String::with_capacity(md.len() + 64);
    let mut fence: Option<&str> = None;
    for line in md.lines() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
        } else if t.starts_with("```") {
            fence = Some("```");
        } else if t.starts_with("~~~") {
            fence = Some("~~~");
        } else if t.starts_with('#') && line.len() - t.len() < 4 {
            let hashes = t.chars().take_while(|c| *c == '#').count();
            if hashes < 6 && t[hashes..].starts_with([' ', '\t']) || t.len() == hashes {
                out.push('#');
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demote_skips_code_and_non_headings() {
        assert_eq!(
            demote("# A\n```\n# not\n```\n#tag\n## B\n"),
            "## A\n```\n# not\n```\n#tag\n### B\n"
        );
    }

    #[test]
    fn cells_stay_on_one_line() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
