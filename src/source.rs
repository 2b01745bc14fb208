//! Source texts and positions. Every file portalgen reads is registered here under its
//! project-relative path, so diagnostics can quote the offending line, and every model item
//! carries a [`Span`] back to where it was written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A position in a project file: path relative to the project root (with `/`), 1-based line
/// and column. Line 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Span {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Span {
    pub fn new(file: impl Into<Arc<str>>, line: u32, column: u32) -> Self {
        Span {
            file: file.into(),
            line,
            column,
        }
    }

    /// The whole file, no particular line.
    pub fn file(file: impl Into<Arc<str>>) -> Self {
        Span::new(file, 0, 0)
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        } else {
            write!(f, "{}", self.file)
        }
    }
}

/// The texts of all files read in a run, keyed by project-relative path. Shared between
/// threads (loading runs in parallel), so it locks internally.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Mutex<BTreeMap<String, Arc<str>>>,
}

impl SourceMap {
    /// Register `text` as the content of `rel` and return it, with every lone CR made a LF
    /// (see [`lone_cr_to_lf`]): the text the readers parse and the snippets quote is one.
    pub fn add(&self, rel: &str, text: impl Into<Arc<str>>) -> Arc<str> {
        let mut text = text.into();
        if has_lone_cr(text.as_bytes()) {
            let mut bytes = text.as_bytes().to_vec();
            lone_cr_to_lf(&mut bytes);
            // Replacing one ASCII byte by another keeps the text UTF-8.
            text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
                .into();
        }
        self.files
            .lock()
            .expect("source map lock")
            .insert(rel.to_string(), text.clone());
        text
    }

    pub fn text(&self, rel: &str) -> Option<Arc<str>> {
        self.files
            .lock()
            .expect("source map lock")
            .get(rel)
            .cloned()
    }

    /// Move every file of `other` into this map (replacing files of the same path).
    pub fn absorb(&self, other: SourceMap) {
        let other = other.files.into_inner().expect("source map lock");
        self.files.lock().expect("source map lock").extend(other);
    }

    /// All registered paths, sorted.
    pub fn paths(&self) -> Vec<String> {
        self.files
            .lock()
            .expect("source map lock")
            .keys()
            .cloned()
            .collect()
    }
}

/// The project-relative, `/`-separated form of `path` (falls back to the path as given).
pub fn relative(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `bytes` hold a CR that is not the start of a CRLF.
pub fn has_lone_cr(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// Make every lone CR (an old Mac line break) a LF, in place. YAML counts a lone CR as a line
/// break and so do editors, while line numbers everywhere else count LFs: with this done when
/// a file is read, a diagnostic's line is the same line in the parser, in the quoted snippet
/// and in the editor. CRLF stays as it is.
pub fn lone_cr_to_lf(bytes: &mut [u8]) {
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let t = "ab\ncdé f\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, t.find('f').unwrap()), (2, 5));
    }

    #[test]
    fn lone_crs_become_lfs_and_crlf_stays() {
        let mut b = b"a\rb\r\nc\r".to_vec();
        assert!(has_lone_cr(&b));
        lone_cr_to_lf(&mut b);
        assert_eq!(b, b"a\nb\r\nc\n");
        assert!(!has_lone_cr(&b));
        let sources = SourceMap::default();
        assert_eq!(&*sources.add("x.yaml", "k: 1\rj: 2\r"), "k: 1\nj: 2\n");
        assert_eq!(&*sources.text("x.yaml").unwrap(), "k: 1\nj: 2\n");
    }
}
