//! `$ref` strings and JSON Pointers (RFC 6901) into spanned trees: splitting a reference into
//! its file and fragment, percent-decoding, `~0`/`~1` unescaping, walking a [`Node`] tree, and
//! explaining where a dangling pointer stops matching (with a "did you mean" suggestion).

use percent_encoding::percent_decode_str;

use crate::tree::{Node, Value};

/// A `$ref` value taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefTarget {
    /// `http://…`, `https://…` or any other URI with a scheme: never fetched.
    Remote(String),
    /// A reference into a file (`file` empty = the same document) at `pointer` (decoded
    /// segments; empty = the whole document).
    Local { file: String, pointer: Vec<String> },
    /// A JSON Schema plain-name fragment (`#node`, `other.yaml#node`): the schema that
    /// declares `$anchor: node` in that file.
    Anchor { file: String, name: String },
    /// Not a usable reference; the message says why.
    Invalid(String),
}

/// Split and decode a `$ref` string.
pub fn parse_ref(reference: &str) -> RefTarget {
    if has_uri_scheme(reference) {
        return RefTarget::Remote(reference.to_string());
    }
    let (file, fragment) = match reference.split_once('#') {
        Some((f, frag)) => (f, Some(frag)),
        None => (reference, None),
    };
    let file = decode_percent(file);
    let pointer = match fragment {
        None | Some("") => Vec::new(),
        Some(frag) => {
            let frag = decode_percent(frag);
            match parse_pointer(&frag) {
                Some(p) => p,
                None if is_anchor_name(&frag) => return RefTarget::Anchor { file, name: frag },
                None => {
                    return RefTarget::Invalid(format!(
                        "`#{frag}` is not a JSON Pointer (it must start with `/`, like `#/components/schemas/Pet`)"
                    ));
                }
            }
        }
    };
    if file.is_empty() && fragment.is_none() {
        return RefTarget::Invalid("the reference is empty".into());
    }
    RefTarget::Local { file, pointer }
}

/// `[A-Za-z_][-A-Za-z0-9._]*`, the JSON Schema 2020-12 anchor syntax.
pub fn is_anchor_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// True for `scheme:` prefixes such as `http:`, `https:`, `urn:` (but not `C:` drive letters
/// or plain relative paths).
fn has_uri_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !scheme.contains('/')
}

fn decode_percent(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    match percent_decode_str(s).decode_utf8() {
        Ok(d) => d.into_owned(),
        Err(_) => s.to_string(),
    }
}

/// Split a decoded pointer (`/a/b~1c`) into unescaped segments. `None` when it does not start
/// with `/`.
pub fn parse_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(unescape).collect())
}

fn unescape(segment: &str) -> String {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~")
    } else {
        segment.to_string()
    }
}

/// Canonical text of a pointer (escaped, without `#`), used as a location key.
pub fn format_pointer(segments: &[String]) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&s.replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// Why a pointer does not resolve: how far it matched and what was there instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointerMiss {
    /// Number of segments that matched.
    pub matched: usize,
    pub message: String,
}

/// Walk `segments` from `root`. (Messages are only built on a miss: this runs for every `$ref`.)
pub fn lookup<'a>(root: &'a Node, segments: &[String]) -> Result<&'a Node, PointerMiss> {
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let here = || {
            if i == 0 {
                "the document root".to_string()
            } else {
                format!("`#{}`", format_pointer(&segments[..i]))
            }
        };
        let next = match &node.value {
            Value::Map(m) => {
                crate::tree::lookup(m, seg)
                    .map(|(_, n)| n)
                    .ok_or_else(|| PointerMiss {
                        matched: i,
                        message: format!("{} has no key `{seg}`", here()),
                    })?
            }
            Value::Seq(items) => seg
                .parse::<usize>()
                .ok()
                .and_then(|ix| items.get(ix))
                .ok_or_else(|| PointerMiss {
                    matched: i,
                    message: format!(
                        "{} is a list of {} items; `{seg}` is not an index into it",
                        here(),
                        items.len()
                    ),
                })?,
            _ => {
                return Err(PointerMiss {
                    matched: i,
                    message: format!("{} is {}, not a mapping or list", here(), node.kind()),
                });
            }
        };
        node = next;
    }
    Ok(node)
}

/// For a pointer that stopped matching after `matched` segments: the key of that mapping
/// closest to the missing one. `budget` bounds the total work (character pairs compared)
/// across calls, so thousands of dangling pointers into a huge mapping stay cheap.
pub fn suggest_key(
    root: &Node,
    segments: &[String],
    matched: usize,
    budget: &mut usize,
) -> Option<String> {
    let wanted = segments.get(matched)?;
    let parent = lookup(root, &segments[..matched]).ok()?;
    suggest_bounded(wanted, parent.as_map()?.keys().map(|k| &**k), budget)
}

/// The candidate closest to `wanted`, if it is close enough to be a likely typo.
pub fn suggest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut budget = 1_000_000;
    suggest_bounded(wanted, candidates, &mut budget)
}

fn suggest_bounded<'a>(
    wanted: &str,
    candidates: impl Iterator<Item = &'a str>,
    budget: &mut usize,
) -> Option<String> {
    crate::diagnostics::suggest::closest(wanted, candidates, budget).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::parse;

    fn local(file: &str, ptr: &[&str]) -> RefTarget {
        RefTarget::Local {
            file: file.into(),
            pointer: ptr.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn splits_and_decodes_refs() {
        assert_eq!(
            parse_ref("#/components/schemas/Pet"),
            local("", &["components", "schemas", "Pet"])
        );
        assert_eq!(parse_ref("./pet.yaml"), local("./pet.yaml", &[]));
        assert_eq!(parse_ref("pet.yaml#"), local("pet.yaml", &[]));
        assert_eq!(parse_ref("a%20b.yaml#/x"), local("a b.yaml", &["x"]));
        assert_eq!(
            parse_ref("#/paths/~1pets~1%7Bid%7D/get"),
            local("", &["paths", "/pets/{id}", "get"])
        );
        assert_eq!(parse_ref("#/a~01/b~10"), local("", &["a~1", "b/0"]));
        assert_eq!(parse_ref("#/a%25"), local("", &["a%"]));
        assert!(matches!(
            parse_ref("https://x.test/a.yaml#/B"),
            RefTarget::Remote(_)
        ));
        assert!(matches!(
            parse_ref("http://x.test/a.yaml"),
            RefTarget::Remote(_)
        ));
        assert!(matches!(
            parse_ref("#components/schemas/Pet"),
            RefTarget::Invalid(_)
        ));
        assert!(matches!(parse_ref(""), RefTarget::Invalid(_)));
    }

    #[test]
    fn pointer_round_trip() {
        let segs = vec!["a/b".to_string(), "c~d".to_string()];
        assert_eq!(format_pointer(&segs), "/a~1b/c~0d");
        assert_eq!(parse_pointer("/a~1b/c~0d"), Some(segs));
    }

    #[test]
    fn lookup_and_misses() {
        let doc =
            parse("components:\n  schemas:\n    Pet: {type: object}\nlist: [a, b]\n").unwrap();
        let seg = |p: &str| parse_pointer(p).unwrap();
        assert_eq!(
            lookup(&doc, &seg("/components/schemas/Pet")).unwrap().line,
            3
        );
        assert_eq!(lookup(&doc, &seg("/list/1")).unwrap().as_str(), Some("b"));
        let miss = lookup(&doc, &seg("/components/schemas/Pett")).unwrap_err();
        assert_eq!(miss.matched, 2);
        let mut budget = 1000;
        let segs = seg("/components/schemas/Pett");
        assert_eq!(
            suggest_key(&doc, &segs, 2, &mut budget).as_deref(),
            Some("Pet")
        );
        // An exhausted budget gives no suggestion rather than more work.
        let mut empty = 3;
        assert_eq!(suggest_key(&doc, &segs, 2, &mut empty), None);
        assert!(
            miss.message
                .contains("`#/components/schemas` has no key `Pett`"),
            "{miss:?}"
        );
        assert!(lookup(&doc, &seg("/list/7")).is_err());
        assert!(lookup(&doc, &seg("/list/0/x")).is_err());
    }
}
