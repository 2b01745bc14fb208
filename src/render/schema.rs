//! Schema trees: a schema (a request or response body, a parameter, a named schema's page) as
//! nested, collapsible HTML that reads without JavaScript. Every field shows its type (linked
//! to the named schema's page), `required`, `deprecated`, read/write-only badges and every
//! JSON Schema keyword in words ("1 to 100 characters", "one of: `open`, `closed`",
//! "default: `20`"); objects and arrays of objects open as `<details>`; `allOf` is merged for
//! display with every member's constraints kept; `oneOf`/`anyOf` are labelled alternatives,
//! each expandable, with the discriminator and its mapping; request views leave out
//! `readOnly` fields and response views `writeOnly` ones.
//!
//! Named schemas expand inline up to [`NAMED_DEPTH`] levels and while the tree holds fewer than
//! [`NODE_BUDGET`] fields; past that (and on recursion) a field links to the schema's own page,
//! so every page stays small however large the description is.
//!
//! The trees are written here, not by a template: a large reference renders hundreds of
//! thousands of fields, and this keeps that linear and fast. The markup (classes `schema`,
//! `sf`, `sf-h`, `sf-n`, `sf-t`, `sf-c`, …) is documented in docs/templates.md for themes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::model::api::{Api, Schema, SchemaId, SchemaRef};
use crate::render::escape::push_html;
use crate::render::{markdown, urls};

/// Named schemas expand inline this many levels deep (deeper ones link to their page).
pub const NAMED_DEPTH: usize = 3;
/// A named schema nested in a tree expands only while the tree, with its fields, holds at
/// most this many fields (a level's fields are counted before any of them expands, so the
/// choice does not depend on field order). The top level always shows.
pub const NODE_BUDGET: usize = 100;
/// Enumerations longer than this show their first values and a count.
const ENUM_SHOWN: usize = 25;

/// Which side of the wire a tree describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request: `readOnly` fields are left out.
    Request,
    /// A response: `writeOnly` fields are left out.
    Response,
    /// A schema's own page: every field, with read/write-only badges.
    Both,
}

/// A schema tree for one use site, on the page at `page` (root-relative URL, for links).
pub struct Tree<'a> {
    api: &'a Api,
    dir: Direction,
    page: &'a str,
    fields: usize,
    stack: Vec<SchemaId>,
    named_depth: usize,
}

impl<'a> Tree<'a> {
    pub fn new(api: &'a Api, dir: Direction, page: &'a str) -> Self {
        Tree {
            api,
            dir,
            page,
            fields: 0,
            stack: Vec::new(),
            named_depth: 0,
        }
    }

    /// The whole tree of a body or parameter schema: a line with its type and constraints,
    /// its description when `describe`, then its fields and alternatives.
    pub fn body(&mut self, r: &'a SchemaRef, describe: bool) -> String {
        let m = self.merge(r);
        let mut out = String::new();
        out.push_str("<div class=\"schema-root\">");
        if !is_plain_object(&m) || m.named.is_some() {
            out.push_str("<p class=\"sf-h\">");
            self.type_label(&mut out, &m);
            self.badges(&mut out, &m, false, None);
            out.push_str("</p>");
        }
        if describe && let Some(d) = m.description {
            out.push_str("<div class=\"sf-d\">");
            out.push_str(&description_html(d));
            out.push_str("</div>");
        }
        self.facts(&mut out, &m);
        if let Some((_, id)) = m.named {
            self.stack.push(id);
        }
        self.children(&mut out, &m);
        if m.named.is_some() {
            self.stack.pop();
        }
        out.push_str("</div>");
        out
    }

    /// A named schema's page: its tree, the schema itself counting as the first level.
    pub fn page(&mut self, name: &'a str, id: SchemaId) -> String {
        let m = self.merge_schema(self.api.schema(id), Some((name, id)));
        let mut out = String::new();
        out.push_str("<div class=\"schema-root\"><p class=\"sf-h\">");
        self.plain_type(&mut out, &m);
        self.badges(&mut out, &m, false, None);
        out.push_str("</p>");
        self.facts(&mut out, &m);
        self.stack.push(id);
        self.named_depth = 1;
        self.children(&mut out, &m);
        out.push_str("</div>");
        out
    }

    /// Constraints in words of a parameter's schema (for a parameter row), as HTML.
    pub fn constraints(&mut self, r: &'a SchemaRef) -> String {
        let m = self.merge(r);
        let mut out = String::new();
        self.facts(&mut out, &m);
        out
    }

    /// Whether `r` has fields or alternatives to show below it.
    pub fn has_children(&self, r: &'a SchemaRef) -> bool {
        let m = self.merge(r);
        self.expandable(&m)
    }

    // -----------------------------------------------------------------------------------------

    fn merge(&self, r: &'a SchemaRef) -> Merged<'a> {
        match r {
            SchemaRef::Ref { name, target } => {
                self.merge_schema(self.api.schema(*target), Some((name.as_str(), *target)))
            }
            SchemaRef::Inline(s) => {
                // A decorated reference (`allOf: [X]` plus a description, or `$ref` with
                // siblings) is X, described here.
                let decorated = match s.all_of.as_slice() {
                    [SchemaRef::Ref { name, target }]
                        if s.properties.is_empty()
                            && s.one_of.is_empty()
                            && s.any_of.is_empty()
                            && s.items.is_none()
                            && s.types.iter().all(|t| t == "object" || t == "null") =>
                    {
                        Some((name.as_str(), *target))
                    }
                    _ => None,
                };
                self.merge_schema(s, decorated)
            }
        }
    }

    fn merge_schema(&self, s: &'a Schema, named: Option<(&'a str, SchemaId)>) -> Merged<'a> {
        let mut m = Merged {
            named,
            ..Merged::default()
        };
        let mut seen: Vec<SchemaId> = named.map(|(_, id)| vec![id]).unwrap_or_default();
        self.apply(s, &mut m, &mut seen, named.map(|(_, id)| id));
        m
    }

    /// Add `s` (and its `allOf` members, recursively) to `m`. `decorated` is the member that
    /// `m.named` already names (not listed again as an included schema).
    fn apply(
        &self,
        s: &'a Schema,
        m: &mut Merged<'a>,
        seen: &mut Vec<SchemaId>,
        decorated: Option<SchemaId>,
    ) {
        if m.types.is_empty() {
            m.types = s.types.iter().map(String::as_str).collect();
        } else if s.types.iter().any(|t| t == "null") && !m.types.contains(&"null") {
            m.types.push("null");
        }
        m.format = m.format.or(s.format.as_deref());
        m.title = m.title.or(s.title.as_deref());
        m.description = m.description.or(s.description.as_deref());
        m.example = m.example.or(s.examples.first());
        m.read_only |= s.read_only;
        m.write_only |= s.write_only;
        m.deprecated |= s.deprecated;
        for p in &s.properties {
            let required = s.required.contains(&p.name);
            match m.props.iter_mut().find(|(n, _, _)| *n == p.name) {
                Some(existing) => existing.2 |= required,
                None => m.props.push((p.name.as_str(), &p.schema, required)),
            }
        }
        for r in &s.required {
            if let Some(existing) = m.props.iter_mut().find(|(n, _, _)| *n == r) {
                existing.2 = true;
            } else if !m.late_required.contains(&r.as_str()) {
                m.late_required.push(r.as_str());
            }
        }
        m.items = m.items.or(s.items.as_deref());
        m.additional = m.additional.or(s.additional_properties.as_deref());
        if m.prefix_items.is_empty() {
            m.prefix_items = s.prefix_items.iter().collect();
        }
        if m.one_of.is_empty() {
            m.one_of = s.one_of.iter().collect();
        }
        if m.any_of.is_empty() {
            m.any_of = s.any_of.iter().collect();
        }
        if m.discriminator.is_none() {
            m.discriminator = s.discriminator.as_deref();
            if let Some(d) = s.details.as_deref() {
                m.mapping = d
                    .discriminator_mapping
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
            }
        }
        words(s, &mut m.words);
        for member in &s.all_of {
            match member {
                SchemaRef::Ref { name, target } => {
                    if seen.contains(target) {
                        continue;
                    }
                    seen.push(*target);
                    if Some(*target) != decorated {
                        m.includes.push((name.as_str(), *target));
                    }
                    self.apply(self.api.schema(*target), m, seen, None);
                }
                SchemaRef::Inline(inner) => self.apply(inner, m, seen, None),
            }
        }
        // `required` named before the property was seen (in another allOf member).
        let late = std::mem::take(&mut m.late_required);
        for r in late {
            match m.props.iter_mut().find(|(n, _, _)| *n == r) {
                Some(p) => p.2 = true,
                None => m.late_required.push(r),
            }
        }
    }

    fn shown(&self, r: &'a SchemaRef) -> bool {
        let (ro, wo) = flags(self.api, r);
        match self.dir {
            Direction::Request => !ro,
            Direction::Response => !wo,
            Direction::Both => true,
        }
    }

    /// The schema whose fields a field of type `m` shows: itself, or its array's items.
    fn content_of(&self, m: &Merged<'a>) -> Option<Merged<'a>> {
        if m.types.contains(&"array")
            && let Some(items) = m.items
        {
            return Some(self.merge(items));
        }
        None
    }

    fn expandable(&self, m: &Merged<'a>) -> bool {
        if !m.props.is_empty()
            || !m.one_of.is_empty()
            || !m.any_of.is_empty()
            || !m.prefix_items.is_empty()
            || m.additional.is_some_and(|a| !is_any(self.api, a))
        {
            return true;
        }
        self.content_of(m)
            .is_some_and(|i| !i.props.is_empty() || !i.one_of.is_empty() || !i.any_of.is_empty())
    }

    /// The fields, alternatives and discriminator below a schema.
    fn children(&mut self, out: &mut String, m: &Merged<'a>) {
        if let Some(items) = self.content_of(m) {
            if self.expandable(&items) {
                out.push_str("<p class=\"sf-items\">Each item:</p>");
                self.facts(out, &items);
                let pushed = self.enter(&items);
                self.children(out, &items);
                self.leave(pushed);
            }
            return;
        }
        let shown: Vec<&(&'a str, &'a SchemaRef, bool)> =
            m.props.iter().filter(|(_, r, _)| self.shown(r)).collect();
        let additional = m.additional.filter(|a| !is_any(self.api, a));
        self.fields += shown.len() + m.prefix_items.len() + usize::from(additional.is_some());
        if !shown.is_empty() || additional.is_some() || !m.prefix_items.is_empty() {
            out.push_str("<ul class=\"schema\">");
            for (name, r, required) in shown {
                self.field(out, FieldName::Property(name), r, *required);
            }
            for (i, r) in m.prefix_items.iter().enumerate() {
                self.field(out, FieldName::Index(i), r, false);
            }
            if let Some(a) = additional {
                self.field(out, FieldName::Additional, a, false);
            }
            out.push_str("</ul>");
        }
        if let Some(d) = m.discriminator {
            self.discriminator(out, d, m);
        }
        for (word, list) in [("One of", &m.one_of), ("Any of", &m.any_of)] {
            if !list.is_empty() {
                self.alternatives(out, word, list, m);
            }
        }
    }

    fn enter(&mut self, m: &Merged<'a>) -> bool {
        if let Some((_, id)) = m.named {
            self.stack.push(id);
            self.named_depth += 1;
            return true;
        }
        false
    }

    fn leave(&mut self, pushed: bool) {
        if pushed {
            self.stack.pop();
            self.named_depth -= 1;
        }
    }

    /// Why a named schema is not expanded here, if it is not.
    fn cut(&self, m: &Merged<'a>) -> Option<Cut<'a>> {
        let target = m
            .named
            .or_else(|| self.content_of(m).and_then(|i| i.named))?;
        let size = match self.content_of(m) {
            Some(items) => items.props.len(),
            None => m.props.len(),
        };
        if self.stack.contains(&target.1) {
            Some(Cut::Recursion(target.0))
        } else if self.named_depth >= NAMED_DEPTH || self.fields + size > NODE_BUDGET {
            Some(Cut::Depth(target.0))
        } else {
            None
        }
    }

    fn field(&mut self, out: &mut String, name: FieldName<'_>, r: &'a SchemaRef, required: bool) {
        let m = self.merge(r);
        let cut = self.cut(&m);
        let open_children = cut.is_none() && self.expandable(&m);
        out.push_str(if m.deprecated {
            "<li class=\"sf sf-dep\">"
        } else {
            "<li class=\"sf\">"
        });
        if open_children {
            out.push_str("<details class=\"sf-x\"><summary class=\"sf-h\">");
        } else {
            out.push_str("<div class=\"sf-h\">");
        }
        match name {
            FieldName::Property(n) => {
                out.push_str("<code class=\"sf-n\">");
                push_breakable(out, n);
                out.push_str("</code> ");
            }
            FieldName::Index(i) => {
                let _ = write!(out, "<code class=\"sf-n\">[{i}]</code> ");
            }
            FieldName::Additional => {
                out.push_str("<span class=\"sf-n sf-any\">other properties</span> ");
            }
        }
        if open_children {
            // No link inside a <summary> (a link in a button is nested interaction): the
            // summary says the type, the schema's link follows it in the opened part.
            out.push_str("<span class=\"sf-t\">");
            self.plain_type(out, &m);
            out.push_str("</span>");
        } else {
            self.type_label(out, &m);
        }
        self.badges(out, &m, required, None);
        out.push_str(if open_children {
            "</summary>"
        } else {
            "</div>"
        });
        if open_children {
            let mut names = Vec::new();
            self.named_in_label(&m, 0, &mut names);
            if !names.is_empty() {
                out.push_str("<p class=\"sf-more\">Schema: ");
                for (i, n) in names.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.link(out, n);
                }
                out.push_str("</p>");
            }
        }
        if let Some(d) = m.description {
            out.push_str("<div class=\"sf-d\">");
            out.push_str(&description_html(d));
            out.push_str("</div>");
        }
        self.facts(out, &m);
        match cut {
            Some(Cut::Recursion(n)) => {
                out.push_str("<p class=\"sf-more\">Recursive: ");
                self.link(out, n);
                out.push_str(" again (see its page).</p>");
            }
            Some(Cut::Depth(n)) if self.has_fields(&m) => {
                out.push_str("<p class=\"sf-more\">Fields: see ");
                self.link(out, n);
                out.push_str(".</p>");
            }
            _ => {}
        }
        if open_children {
            let pushed = self.enter(&m);
            self.children(out, &m);
            self.leave(pushed);
            out.push_str("</details>");
        }
        out.push_str("</li>");
    }

    fn has_fields(&self, m: &Merged<'a>) -> bool {
        self.expandable(m)
    }

    fn alternatives(
        &mut self,
        out: &mut String,
        word: &str,
        list: &[&'a SchemaRef],
        m: &Merged<'a>,
    ) {
        let _ = write!(
            out,
            "<div class=\"sf-alts\"><p class=\"sf-alts-h\">{word}:</p><ul class=\"schema schema-alts\">"
        );
        for (i, r) in list.iter().enumerate() {
            self.fields += 1;
            let alt = self.merge(r);
            let mut label = String::new();
            match alt.named {
                Some((n, _)) => push_html(&mut label, n),
                None => match alt.title {
                    Some(t) => {
                        push_html(&mut label, t);
                        let mut ty = String::new();
                        self.plain_type(&mut ty, &alt);
                        if ty != "any" {
                            let _ = write!(label, " <span class=\"muted\">({ty})</span>");
                        }
                    }
                    None => {
                        let mut t = String::new();
                        self.plain_type(&mut t, &alt);
                        label.push_str(&t);
                        if list.len() > 1 && !alt.types.iter().all(|t| *t == "null") {
                            let _ =
                                write!(label, " <span class=\"muted\">(option {})</span>", i + 1);
                        }
                    }
                },
            }
            // Which discriminator values select this alternative.
            let values: Vec<&str> = match (m.discriminator, alt.named) {
                (Some(_), Some((n, _))) => {
                    let explicit: Vec<&str> = m
                        .mapping
                        .iter()
                        .filter(|(_, to)| ref_name(to) == n)
                        .map(|(v, _)| *v)
                        .collect();
                    if explicit.is_empty() && m.mapping.is_empty() {
                        vec![n]
                    } else {
                        explicit
                    }
                }
                _ => Vec::new(),
            };
            let cut = self.cut(&alt);
            let open = cut.is_none()
                && (self.expandable(&alt) || alt.description.is_some() || !alt.words.is_empty());
            out.push_str("<li class=\"sf\">");
            if open {
                out.push_str("<details class=\"sf-x\"><summary class=\"sf-h\">");
            } else {
                out.push_str("<div class=\"sf-h\">");
            }
            let _ = write!(out, "<span class=\"sf-t\">{label}</span>");
            if let (Some(d), false) = (m.discriminator, values.is_empty()) {
                out.push_str(" <span class=\"sf-when\">");
                for (k, v) in values.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str("<code>");
                    push_html(out, d);
                    out.push_str(": ");
                    push_html(out, v);
                    out.push_str("</code>");
                }
                out.push_str("</span>");
            }
            self.badges(out, &alt, false, None);
            out.push_str(if open { "</summary>" } else { "</div>" });
            if let Some((n, _)) = alt.named {
                out.push_str("<p class=\"sf-more\">Schema: ");
                self.link(out, n);
                if let Some(Cut::Recursion(_)) = cut {
                    out.push_str(" (recursive)");
                }
                out.push_str("</p>");
            }
            if open {
                if let Some(d) = alt.description {
                    out.push_str("<div class=\"sf-d\">");
                    out.push_str(&description_html(d));
                    out.push_str("</div>");
                }
                self.facts(out, &alt);
                let pushed = self.enter(&alt);
                self.children(out, &alt);
                self.leave(pushed);
                out.push_str("</details>");
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></div>");
    }

    fn discriminator(&mut self, out: &mut String, property: &str, m: &Merged<'a>) {
        out.push_str("<p class=\"sf-disc\">Discriminator: <code>");
        push_html(out, property);
        out.push_str("</code>");
        if !m.mapping.is_empty() {
            out.push_str(" selects the schema: ");
            for (i, (value, to)) in m.mapping.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str("<code>");
                push_html(out, value);
                out.push_str("</code> → ");
                self.link(out, ref_name(to));
            }
        } else if !m.one_of.is_empty() || !m.any_of.is_empty() {
            out.push_str(" holds the name of the schema that applies");
        }
        out.push_str("</p>");
    }

    /// The named schemas a type label mentions (and links, outside a summary), in order.
    fn named_in_label(&self, m: &Merged<'a>, depth: usize, names: &mut Vec<&'a str>) {
        if let Some((n, _)) = m.named {
            names.push(n);
        } else if m.types.contains(&"array") {
            if let Some(items) = m.items
                && depth < 3
            {
                let im = self.merge(items);
                self.named_in_label(&im, depth + 1, names);
            }
        } else if m.types.contains(&"object")
            && m.props.is_empty()
            && let Some(a) = m.additional
            && !is_any(self.api, a)
            && depth < 3
        {
            let am = self.merge(a);
            self.named_in_label(&am, depth + 1, names);
        }
    }

    /// A link to the named schema's page (plain text when it has none).
    fn link(&self, out: &mut String, name: &str) {
        match self.api.schema_slug(name) {
            Some(slug) => {
                out.push_str("<a href=\"");
                push_html(
                    out,
                    &urls::relative(self.page, &urls::schema(&self.api.slug, slug)),
                );
                out.push_str("\">");
                push_html(out, name);
                out.push_str("</a>");
            }
            None => push_html(out, name),
        }
    }

    /// The type of a field: `string (date-time)`, `array of Pet` (linked), `object`, `Pet`.
    fn type_label(&self, out: &mut String, m: &Merged<'a>) {
        out.push_str("<span class=\"sf-t\">");
        self.label_inner(out, m, true, 0);
        out.push_str("</span>");
    }

    /// [`Tree::type_label`] without links or the wrapping span.
    fn plain_type(&self, out: &mut String, m: &Merged<'a>) {
        self.label_inner(out, m, false, 0);
    }

    fn label_inner(&self, out: &mut String, m: &Merged<'a>, links: bool, depth: usize) {
        let nullable = m.types.contains(&"null") && m.types.len() > 1;
        if let Some((n, _)) = m.named {
            if links {
                self.link(out, n);
            } else {
                push_html(out, n);
            }
        } else if m.types.contains(&"array") {
            out.push_str("array");
            if let Some(items) = m.items
                && depth < 3
            {
                out.push_str(" of ");
                let im = self.merge(items);
                self.label_inner(out, &im, links, depth + 1);
            }
        } else if let Some(t) = m.types.iter().find(|t| **t != "null") {
            let others: Vec<&&str> = m.types.iter().filter(|x| **x != "null").collect();
            if others.len() > 1 {
                push_html(
                    out,
                    &others.iter().map(|s| **s).collect::<Vec<_>>().join(" or "),
                );
            } else {
                push_html(out, t);
            }
            if let Some(f) = m.format {
                out.push_str(" (");
                push_html(out, f);
                out.push(')');
            }
            if *t == "object"
                && m.props.is_empty()
                && let Some(a) = m.additional
                && !is_any(self.api, a)
                && depth < 3
            {
                out.push_str(" (map of ");
                let am = self.merge(a);
                self.label_inner(out, &am, links, depth + 1);
                out.push(')');
            }
        } else if !m.props.is_empty() || m.additional.is_some() {
            out.push_str("object");
        } else if !m.one_of.is_empty() {
            let _ = write!(out, "one of {} types", non_null(self.api, &m.one_of));
        } else if !m.any_of.is_empty() {
            let _ = write!(out, "any of {} types", non_null(self.api, &m.any_of));
        } else if m.types.contains(&"null") {
            out.push_str("null");
        } else {
            out.push_str("any");
        }
        if nullable || (m.types.is_empty() && has_null_alternative(self.api, m)) {
            out.push_str(" or null");
        }
    }

    fn badges(&self, out: &mut String, m: &Merged<'a>, required: bool, _extra: Option<&str>) {
        if required {
            out.push_str(" <span class=\"tag tag-required\">required</span>");
        }
        if m.deprecated {
            out.push_str(" <span class=\"tag tag-deprecated\">deprecated</span>");
        }
        if m.read_only {
            out.push_str(" <span class=\"tag\">read-only</span>");
        }
        if m.write_only {
            out.push_str(" <span class=\"tag\">write-only</span>");
        }
    }

    /// Constraints, included schemas and the example, below the description.
    fn facts(&self, out: &mut String, m: &Merged<'a>) {
        if !m.words.is_empty() {
            out.push_str("<p class=\"sf-c\">");
            for (i, w) in m.words.iter().enumerate() {
                if i > 0 {
                    out.push_str(" · ");
                }
                out.push_str(w);
            }
            out.push_str("</p>");
        }
        if !m.includes.is_empty() {
            out.push_str("<p class=\"sf-c\">Includes every field of ");
            for (i, (n, _)) in m.includes.iter().enumerate() {
                if i > 0 {
                    out.push_str(if i + 1 == m.includes.len() {
                        " and "
                    } else {
                        ", "
                    });
                }
                self.link(out, n);
            }
            out.push_str(".</p>");
        }
        if let Some(e) = m.example {
            let text = compact(e, 160);
            out.push_str("<p class=\"sf-e\">Example: <code>");
            push_html(out, &text);
            out.push_str("</code></p>");
        }
    }
}

enum FieldName<'n> {
    Property(&'n str),
    Index(usize),
    Additional,
}

enum Cut<'n> {
    Recursion(&'n str),
    Depth(&'n str),
}

/// A schema as shown: its own keywords with those of every `allOf` member.
#[derive(Default)]
struct Merged<'a> {
    named: Option<(&'a str, SchemaId)>,
    types: Vec<&'a str>,
    format: Option<&'a str>,
    title: Option<&'a str>,
    description: Option<&'a str>,
    example: Option<&'a Value>,
    props: Vec<(&'a str, &'a SchemaRef, bool)>,
    late_required: Vec<&'a str>,
    items: Option<&'a SchemaRef>,
    additional: Option<&'a SchemaRef>,
    prefix_items: Vec<&'a SchemaRef>,
    one_of: Vec<&'a SchemaRef>,
    any_of: Vec<&'a SchemaRef>,
    discriminator: Option<&'a str>,
    mapping: Vec<(&'a str, &'a str)>,
    read_only: bool,
    write_only: bool,
    deprecated: bool,
    words: Vec<String>,
    includes: Vec<(&'a str, SchemaId)>,
}

fn is_plain_object(m: &Merged<'_>) -> bool {
    (m.types.is_empty() || m.types == ["object"])
        && m.one_of.is_empty()
        && m.any_of.is_empty()
        && m.words.is_empty()
}

/// `true` / `{}`: any value, nothing to show.
fn is_any(api: &Api, r: &SchemaRef) -> bool {
    let s = match r {
        SchemaRef::Ref { target, .. } => api.schema(*target),
        SchemaRef::Inline(s) => s,
    };
    s.types.is_empty()
        && s.properties.is_empty()
        && s.all_of.is_empty()
        && s.one_of.is_empty()
        && s.any_of.is_empty()
        && s.items.is_none()
        && s.enum_values.is_empty()
        && s.const_value.is_none()
        && s.not.is_none()
}

/// How many of `alternatives` are not just `null` (that one is said as "or null").
fn non_null(api: &Api, alternatives: &[&SchemaRef]) -> usize {
    alternatives
        .iter()
        .filter(|r| {
            let s = match r {
                SchemaRef::Ref { target, .. } => api.schema(*target),
                SchemaRef::Inline(s) => s,
            };
            s.types != ["null"]
        })
        .count()
}

fn has_null_alternative(api: &Api, m: &Merged<'_>) -> bool {
    m.one_of.iter().chain(&m.any_of).any(|r| {
        let s = match r {
            SchemaRef::Ref { target, .. } => api.schema(*target),
            SchemaRef::Inline(s) => s,
        };
        s.types == ["null"]
    })
}

/// `readOnly` / `writeOnly` of a use site (through references and `allOf`).
fn flags(api: &Api, r: &SchemaRef) -> (bool, bool) {
    fn walk(api: &Api, s: &Schema, depth: usize) -> (bool, bool) {
        let (mut ro, mut wo) = (s.read_only, s.write_only);
        if depth < 4 {
            for m in &s.all_of {
                let inner = match m {
                    SchemaRef::Ref { target, .. } => api.schema(*target),
                    SchemaRef::Inline(s) => s,
                };
                let (r, w) = walk(api, inner, depth + 1);
                ro |= r;
                wo |= w;
            }
        }
        (ro, wo)
    }
    match r {
        SchemaRef::Ref { target, .. } => walk(api, api.schema(*target), 0),
        SchemaRef::Inline(s) => walk(api, s, 0),
    }
}

/// The schema name a mapping target (`#/components/schemas/Dog`, `Dog`) points at.
fn ref_name(target: &str) -> &str {
    target.rsplit('/').next().unwrap_or(target)
}

/// A number as written by people: `20`, `0.5`.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A JSON value on one line, cut to about `max` characters.
fn compact(v: &Value, max: usize) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn code(out: &mut String, v: &Value) {
    out.push_str("<code>");
    push_html(out, &compact(v, 80));
    out.push_str("</code>");
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The constraints of one schema in words, as HTML pieces (deduplicated into `out`).
fn words(s: &Schema, out: &mut Vec<String>) {
    let mut push = |w: String| {
        if !out.contains(&w) {
            out.push(w);
        }
    };
    if !s.enum_values.is_empty() {
        let mut w = String::from("one of: ");
        for (i, v) in s.enum_values.iter().take(ENUM_SHOWN).enumerate() {
            if i > 0 {
                w.push_str(", ");
            }
            code(&mut w, v);
        }
        if s.enum_values.len() > ENUM_SHOWN {
            let _ = write!(w, " and {} more", s.enum_values.len() - ENUM_SHOWN);
        }
        push(w);
    }
    if let Some(c) = &s.const_value {
        let mut w = String::from("always ");
        code(&mut w, c);
        push(w);
    }
    match (s.min_length, s.max_length) {
        (Some(a), Some(b)) if a == b => {
            push(format!("exactly {}", plural(a, "character", "characters")))
        }
        (Some(a), Some(b)) => push(format!("{a} to {b} characters")),
        (Some(a), None) if a > 0 => {
            push(format!("at least {}", plural(a, "character", "characters")))
        }
        (None, Some(b)) => push(format!("at most {}", plural(b, "character", "characters"))),
        _ => {}
    }
    let d = s.details.as_deref();
    let xmin = d.and_then(|d| d.exclusive_minimum);
    let xmax = d.and_then(|d| d.exclusive_maximum);
    match (s.minimum, s.maximum) {
        (Some(a), Some(b)) => push(format!("{} to {}", number(a), number(b))),
        (Some(a), None) => push(format!("at least {}", number(a))),
        (None, Some(b)) => push(format!("at most {}", number(b))),
        _ => {}
    }
    if let Some(a) = xmin {
        push(format!("greater than {}", number(a)));
    }
    if let Some(b) = xmax {
        push(format!("less than {}", number(b)));
    }
    if let Some(m) = d.and_then(|d| d.multiple_of) {
        push(format!("multiple of {}", number(m)));
    }
    if let Some(p) = &s.pattern {
        let mut w = String::from("pattern: <code>");
        push_html(&mut w, p);
        w.push_str("</code>");
        push(w);
    }
    if let Some(d) = d {
        match (d.min_items, d.max_items) {
            (Some(a), Some(b)) if a == b => push(format!("exactly {}", plural(a, "item", "items"))),
            (Some(a), Some(b)) => push(format!("{a} to {b} items")),
            (Some(a), None) if a > 0 => push(format!("at least {}", plural(a, "item", "items"))),
            (None, Some(b)) => push(format!("at most {}", plural(b, "item", "items"))),
            _ => {}
        }
        if d.unique_items {
            push("unique items".into());
        }
        match (d.min_properties, d.max_properties) {
            (Some(a), Some(b)) => push(format!("{a} to {b} properties")),
            (Some(a), None) if a > 0 => {
                push(format!("at least {}", plural(a, "property", "properties")))
            }
            (None, Some(b)) => push(format!("at most {}", plural(b, "property", "properties"))),
            _ => {}
        }
    }
    if let Some(def) = &s.default {
        let mut w = String::from("default: ");
        code(&mut w, def);
        push(w);
    }
    if s.not.is_some() {
        push("must not match the excluded schema".into());
    }
}

/// Insert break opportunities after `_`, `.` and `-` of a long identifier, so a phone
/// wraps it at a word boundary instead of overflowing (or breaking mid-word).
pub fn push_breakable(out: &mut String, s: &str) {
    if s.len() <= 16 {
        push_html(out, s);
        return;
    }
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if matches!(c, '_' | '.' | '-' | '/') {
            push_html(out, &s[last..=i]);
            out.push_str("<wbr>");
            last = i + 1;
        }
    }
    push_html(out, &s[last..]);
}

thread_local! {
    // Descriptions repeat on every page a named schema is shown on: render each once per thread.
    static DESCRIPTIONS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// A description (markdown from the API document) as sanitised HTML, cached.
pub fn description_html(md: &str) -> String {
    DESCRIPTIONS.with(|c| {
        let mut cache = c.borrow_mut();
        if let Some(h) = cache.get(md) {
            return h.clone();
        }
        let html = markdown::to_safe_html(md);
        if cache.len() > 100_000 {
            cache.clear();
        }
        cache.insert(md.to_string(), html.clone());
        html
    })
}
