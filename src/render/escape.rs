//! The one HTML escaper of the crate. Templates are escaped by the engine through it, and the
//! few places that write HTML or XML by hand (the routing coverage report, the sitemap, the
//! `serve` error page) call it too, so every page escapes text the same way and there is a
//! single function to get right.

use std::borrow::Cow;

/// Escape `& < > " '` for HTML text and quoted attribute values (and for XML, where `&#39;`
/// is as valid as `&apos;`). `/` is left alone: escaping it would bloat every URL for no
/// safety gain inside quoted attributes and text. Borrows when nothing needs escaping.
pub fn html(s: &str) -> Cow<'_, str> {
    let Some(first) = s.bytes().position(needs_escape) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    push_html(&mut out, &s[first..]);
    Cow::Owned(out)
}

/// Append `s` to `out`, escaped as [`html`] does.
pub fn push_html(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

fn needs_escape(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters_and_borrows_clean_text() {
        assert_eq!(
            html(r#"a<b>&"c"'d'/e"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;/e"
        );
        assert!(matches!(html("https://x/y?z"), Cow::Borrowed(_)));
        assert_eq!(html("ünï<"), "ünï&lt;");
    }
}
