//! Syntax highlighting: code to HTML with class-based spans (`<span class="hl-string">`),
//! coloured by the theme's CSS for light and dark (section "Highlighting" of style.css).
//!
//! Two entry points, one set of classes:
//! - [`html`] highlights any code with arborium's tree-sitter grammars (guides' fenced code
//!   blocks, the code samples of operation pages). Unknown languages come back escaped, never
//!   failing a build.
//! - [`json`] writes a JSON *value* the portal holds (examples) as pretty-printed, highlighted
//!   HTML directly while serialising it. Parsing text that we have just serialised would cost
//!   ~200 ns per byte through tree-sitter (measured: GitHub's 1.8 MB of component examples
//!   took 373 ms), for the same result.
//!
//! Text is escaped for HTML *text* (`&`, `<`, `>`): the output only ever goes between tags,
//! where quotes need no escaping (JSON is full of them).

use std::cell::RefCell;

use arborium::{Config, Highlighter, HtmlFormat};
use serde_json::Value;

/// The class prefix of every highlighted token (`hl-string`, `hl-keyword`, …).
pub const PREFIX: &str = "hl";

thread_local! {
    // A highlighter per rendering thread: grammars are compiled once per thread on first use.
    static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::with_config(Config {
        max_injection_depth: 0,
        html_format: HtmlFormat::ClassNamesWithPrefix(PREFIX.to_string()),
    }));
}

/// The grammar for a fence or sample language name (`sh`, `shell`, `js`, `py`, …), if one is
/// compiled in.
pub fn grammar(lang: &str) -> Option<&'static str> {
    Some(match lang.trim().to_ascii_lowercase().as_str() {
        "bash" | "sh" | "shell" | "zsh" | "console" | "curl" => "bash",
        "json" | "jsonc" | "json5" => "json",
        "yaml" | "yml" => "yaml",
        "javascript" | "js" | "mjs" | "cjs" | "node" => "javascript",
        "typescript" | "ts" => "typescript",
        "python" | "py" => "python",
        "go" | "golang" => "go",
        "java" => "java",
        "ruby" | "rb" => "ruby",
        "php" => "php",
        "csharp" | "c#" | "cs" | "c-sharp" | "c_sharp" => "c-sharp",
        "xml" | "html" | "svg" => "xml",
        _ => return None,
    })
}

/// `code` as HTML: highlighted spans when `lang` names a compiled grammar, else escaped text.
pub fn html(lang: &str, code: &str) -> String {
    let Some(grammar) = grammar(lang) else {
        return escape_text(code);
    };
    HIGHLIGHTER
        .with(|h| h.borrow_mut().highlight(grammar, code).ok())
        .map(|h| {
            let mut h = compact(&h);
            // The grammar drops the final line break; the text must stay as written.
            let trailing = code.len() - code.trim_end_matches('\n').len();
            let kept = h.len() - h.trim_end_matches('\n').len();
            for _ in kept..trailing {
                h.push('\n');
            }
            h
        })
        .unwrap_or_else(|| escape_text(code))
}

/// Token kinds the theme leaves in the text colour: their spans are dropped (their text
/// kept), which on a large reference saves megabytes for no visible difference.
const UNCOLOURED: [&str; 3] = ["variable", "punctuation", "operator"];

/// arborium's HTML, smaller: quotes unescaped (they need no escaping between tags) and the
/// spans of [`UNCOLOURED`] kinds unwrapped.
fn compact(h: &str) -> String {
    let h = h
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'");
    let mut out = String::with_capacity(h.len());
    // Spans never nest in arborium's output: each opening tag is closed before the next.
    let mut rest = h.as_str();
    while let Some(i) = rest.find("<span class=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 13..];
        let Some(q) = after.find('"') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let class = &after[..q];
        let kind = class
            .strip_prefix(PREFIX)
            .and_then(|c| c.strip_prefix('-'))
            .unwrap_or("");
        let inner_start = i + 13 + q + 2;
        if UNCOLOURED.contains(&kind)
            && let Some(end) = rest[inner_start..].find("</span>")
            && !rest[inner_start..inner_start + end].contains('<')
        {
            out.push_str(&rest[inner_start..inner_start + end]);
            rest = &rest[inner_start + end + 7..];
        } else {
            out.push_str(&rest[i..inner_start]);
            rest = &rest[inner_start..];
        }
    }
    out.push_str(rest);
    out
}

/// A JSON value pretty-printed (two spaces, like `serde_json::to_string_pretty`) as
/// highlighted HTML with the classes arborium's JSON grammar gives: `hl-property` for keys,
/// `hl-string`, `hl-number`, `hl-constant` (true, false, null).
pub fn json(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value, 0);
    out
}

/// The plain text [`json`] highlights (what a copy button copies).
pub fn json_text(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn write_json(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => span(out, "constant", "null"),
        Value::Bool(b) => span(out, "constant", if *b { "true" } else { "false" }),
        Value::Number(n) => span(out, "number", &n.to_string()),
        Value::String(s) => string(out, "string", s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent + 1);
                write_json(out, item, indent + 1);
            }
            newline(out, indent);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent + 1);
                string(out, "property", k);
                out.push_str(": ");
                write_json(out, item, indent + 1);
            }
            newline(out, indent);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"");
    out.push_str(PREFIX);
    out.push('-');
    out.push_str(class);
    out.push_str("\">");
    out.push_str(text);
    out.push_str("</span>");
}

fn string(out: &mut String, class: &str, s: &str) {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    span(out, class, &escape_text(&quoted));
}

/// Escape text placed between tags (`&`, `<`, `>`).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_languages_are_highlighted_with_prefixed_classes() {
        for (lang, code) in [
            ("bash", "curl -X GET 'https://x/y' \\\n  -H 'a: b'"),
            ("javascript", "const r = await fetch(\"https://x\");"),
            ("python", "import requests\nr = requests.get(\"https://x\")"),
            ("go", "package main\n\nfunc main() {}\n"),
            ("yaml", "a: 1\nb: [x, y]\n"),
        ] {
            let h = html(lang, code);
            assert!(h.contains("<span class=\"hl-"), "{lang}: {h}");
            // Highlighting never changes the text.
            let text = scraper::Html::parse_fragment(&h)
                .root_element()
                .text()
                .collect::<String>();
            assert_eq!(text, code, "{lang}");
        }
    }

    #[test]
    fn unknown_languages_are_escaped_not_dropped() {
        assert_eq!(html("brainfuck", "<a> & b"), "&lt;a&gt; &amp; b");
    }

    #[test]
    fn json_values_match_the_pretty_printer_and_the_grammar_classes() {
        let v = serde_json::json!({"a": [1, true, null, "x<y"], "b": {}, "c": []});
        let h = json(&v);
        let text = scraper::Html::parse_fragment(&h)
            .root_element()
            .text()
            .collect::<String>();
        assert_eq!(text, json_text(&v));
        assert!(
            h.contains("<span class=\"hl-property\">\"a\"</span>"),
            "{h}"
        );
        assert!(
            h.contains("<span class=\"hl-string\">\"x&lt;y\"</span>"),
            "{h}"
        );
        // The grammar gives the same classes to the same tokens.
        let g = html("json", &json_text(&v));
        for class in ["hl-string", "hl-number", "hl-constant"] {
            assert_eq!(h.contains(class), g.contains(class), "{class}: {g}");
        }
    }
}
