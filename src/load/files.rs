//! The one way portalgen reads files. Every reader of the load stage (portal.yaml, packages,
//! OpenAPI documents and each file a `$ref` names, decK files and their `gateway.manifests`
//! globs, guides, templates, static files) goes through a [`Files`], which enforces:
//!
//! - **Confinement**: a path is read only when it lies, after every symbolic link is resolved,
//!   inside the project folder or one of the `read_roots` of portal.yaml. A path outside is
//!   refused before the file system is asked anything about it (so neither its content nor
//!   its existence leaks into a diagnostic); a link inside the project that leads outside is
//!   refused once resolved.
//! - **Regular files only**: devices, FIFOs and sockets are refused from their metadata,
//!   without opening them, and a file is opened non-blocking and checked again once open, so
//!   one swapped in meanwhile cannot hang the run.
//! - **Budgets**: bytes per file (`limits.file_size`, checked before reading, and reading
//!   stops one byte past it whatever size the file claims), bytes of all files together
//!   (`limits.input_size`), and the YAML/JSON node budget of the run ([`tree::Budget`]).
//!
//! Problems are [`FileError`]s, each turned into one diagnostic shape by
//! [`FileError::diagnostic`]: the code of its kind, a message naming the file, located at the
//! referring file and line when there is one (the `$ref`, the glob) and at the file otherwise.
//!
//! Where the bytes come from is a [`Backend`]: [`Disk`] reads the working tree; another
//! backend (a git revision, for `portalgen diff`) only has to answer the four questions of
//! the trait, and gets confinement, budgets and diagnostics from this layer unchanged.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::diagnostics::{Diagnostic, Diagnostics, codes};
use crate::source::{SourceMap, Span};
use crate::tree;

/// What an entry of a file system is, after symbolic links are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file of `len` bytes (as its metadata says).
    File {
        len: u64,
    },
    Dir,
    /// Anything else (a FIFO, socket or device), in words: "a named pipe (FIFO)".
    Special(&'static str),
}

/// Where file bytes come from. Paths are absolute; [`Files`] has already checked that they
/// lie inside the allowed folders before it asks anything.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// The path with every symbolic link resolved.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// What the entry at `path` is, following symbolic links.
    fn kind(&self, path: &Path) -> io::Result<Kind>;
    /// The bytes of the regular file at `path`, at most `max + 1` of them (so a file that
    /// grew, or a file whose metadata lies about its size, is still caught as too large).
    /// Must refuse, without blocking, anything that is not a regular file once opened.
    fn read(&self, path: &Path, max: u64) -> io::Result<Vec<u8>>;
    /// The names of the entries of the folder `path`, in any order.
    fn list(&self, path: &Path) -> io::Result<Vec<OsString>>;
}

/// The working tree on disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct Disk;

impl Backend for Disk {
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        path.canonicalize()
    }

    fn kind(&self, path: &Path) -> io::Result<Kind> {
        let meta = std::fs::metadata(path)?;
        Ok(kind_of(&meta))
    }

    fn read(&self, path: &Path, max: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A FIFO opened for reading blocks until a writer comes; non-blocking, it opens
            // at once and is refused below. No controlling terminal from a device either.
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
        }
        let file = options.open(path)?;
        let meta = file.metadata()?;
        if let Kind::Special(what) = kind_of(&meta) {
            return Err(io::Error::other(format!("it is {what}")));
        }
        if meta.is_dir() {
            return Err(io::Error::other("it is a folder"));
        }
        let mut bytes = Vec::with_capacity(meta.len().min(max) as usize + 1);
        file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn list(&self, path: &Path) -> io::Result<Vec<OsString>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.file_name()))
            .collect()
    }
}

/// A project held in memory: files by absolute path (their folders exist implicitly). For
/// fuzzing the whole pipeline without touching the disk, and the simplest example of a
/// [`Backend`] other than [`Disk`]; it has no symbolic links or special files.
#[derive(Debug, Default, Clone)]
pub struct Memory {
    files: std::collections::BTreeMap<PathBuf, Vec<u8>>,
}

impl Memory {
    pub fn new() -> Self {
        Memory::default()
    }

    /// Add (or replace) the file at `path` (absolute).
    pub fn insert(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(normalize(&path.into()), bytes.into());
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files
            .range(path.to_path_buf()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(path) && p != path)
    }
}

impl Backend for Memory {
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let path = normalize(path);
        if self.files.contains_key(&path) || self.is_dir(&path) {
            Ok(path)
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    fn kind(&self, path: &Path) -> io::Result<Kind> {
        match self.files.get(path) {
            Some(bytes) => Ok(Kind::File {
                len: bytes.len() as u64,
            }),
            None if self.is_dir(path) => Ok(Kind::Dir),
            None => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn read(&self, path: &Path, max: u64) -> io::Result<Vec<u8>> {
        match self.files.get(path) {
            Some(bytes) => Ok(bytes[..bytes.len().min(max.saturating_add(1) as usize)].to_vec()),
            None if self.is_dir(path) => Err(io::Error::other("it is a folder")),
            None => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn list(&self, path: &Path) -> io::Result<Vec<OsString>> {
        if !self.is_dir(path) {
            return Err(io::ErrorKind::NotFound.into());
        }
        let mut names: Vec<OsString> = self
            .files
            .range(path.to_path_buf()..)
            .take_while(|(p, _)| p.starts_with(path))
            .filter_map(|(p, _)| p.strip_prefix(path).ok()?.components().next())
            .map(|c| c.as_os_str().to_os_string())
            .collect();
        names.dedup();
        Ok(names)
    }
}

fn kind_of(meta: &std::fs::Metadata) -> Kind {
    let t = meta.file_type();
    if t.is_file() {
        return Kind::File { len: meta.len() };
    }
    if t.is_dir() {
        return Kind::Dir;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Kind::Special("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Kind::Special("a socket");
        }
        if t.is_char_device() {
            return Kind::Special("a character device");
        }
        if t.is_block_device() {
            return Kind::Special("a block device");
        }
    }
    Kind::Special("not a regular file")
}

/// The byte budgets of reading (from `limits` in portal.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteLimits {
    /// Bytes per input file.
    pub file_size: u64,
    /// Bytes of every input file of the run together.
    pub input_size: u64,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Nothing at the path (for an entry found by listing a folder: a dangling link).
    NotFound,
    /// The path lies outside the project and the read roots; `via_link` when it is written
    /// inside but a symbolic link on the way leads out.
    Outside { via_link: bool },
    /// A folder where a file is expected.
    IsDir,
    /// A FIFO, socket or device, in words.
    NotRegular(&'static str),
    /// Larger than `limits.file_size` (`len` as far as it is known).
    TooLarge { len: u64, max: u64 },
    /// Reading it would take the run over `limits.input_size`.
    InputBudget { max: u64 },
    /// Not UTF-8; the position of the first bad byte.
    Utf8 { line: u32, column: u32 },
    /// Any other failure of the file system, in words.
    Io(String),
}

impl FileError {
    fn io(e: &io::Error) -> FileError {
        if e.kind() == io::ErrorKind::NotFound {
            FileError::NotFound
        } else {
            FileError::Io(e.to_string())
        }
    }

    /// Why, in a few words (for messages that name the file themselves).
    pub fn reason(&self) -> String {
        match self {
            FileError::NotFound => "it does not exist".into(),
            FileError::Outside { .. } => "it is outside the project folder".into(),
            FileError::IsDir => "it is a folder".into(),
            FileError::NotRegular(what) => format!("it is {what}, not a regular file"),
            FileError::TooLarge { max, .. } => format!("it has more than {max} bytes"),
            FileError::InputBudget { max } => {
                format!("the input files would have more than {max} bytes in all")
            }
            FileError::Utf8 { .. } => "it is not valid UTF-8".into(),
            FileError::Io(e) => e.clone(),
        }
    }

    /// The diagnostic for not reading `rel` (the file as written or found, project-relative),
    /// at `at` (the `$ref`, the glob, … that names it) or, without one, at the file itself.
    pub fn diagnostic(&self, rel: &str, at: Option<&Span>) -> Diagnostic {
        let (code, message, help) = match self {
            FileError::NotFound => (
                codes::FILE_UNREADABLE,
                format!("`{rel}` does not exist (a symbolic link to nothing?)"),
                None,
            ),
            FileError::Outside { via_link: false } => (
                codes::FILE_OUTSIDE_PROJECT,
                format!("`{rel}` is outside the project folder, so it is not read"),
                Some(
                    "portalgen reads only files inside the project: copy the file into it, or list its folder under `read_roots:` in portal.yaml",
                ),
            ),
            FileError::Outside { via_link: true } => (
                codes::FILE_OUTSIDE_PROJECT,
                format!(
                    "`{rel}` is a symbolic link (or lies in a linked folder) that leads outside the project folder, so it is not read"
                ),
                Some(
                    "portalgen reads only files inside the project: replace the link with the file, or list the folder it leads to under `read_roots:` in portal.yaml",
                ),
            ),
            FileError::IsDir => (
                codes::FILE_UNREADABLE,
                format!("`{rel}` is a folder, not a file"),
                None,
            ),
            FileError::NotRegular(what) => (
                codes::FILE_UNREADABLE,
                format!("`{rel}` is {what}, not a regular file, so it is not read"),
                Some("portalgen reads only regular files; replace it with one"),
            ),
            FileError::TooLarge { len, max } => (
                codes::FILE_TOO_LARGE,
                format!(
                    "`{rel}` has {}{} bytes, more than the {max} bytes one input file may have",
                    if *len > *max { "" } else { "more than " },
                    len.max(max)
                ),
                Some("raise `limits.file_size` in portal.yaml if the file is meant to be this big"),
            ),
            FileError::InputBudget { max } => (
                codes::INPUT_TOO_LARGE,
                format!(
                    "reading `{rel}` would take the project's input files over {max} bytes in all, so it is not read"
                ),
                Some(
                    "raise `limits.input_size` in portal.yaml if the project is meant to be this big",
                ),
            ),
            FileError::Utf8 { line, column } => (
                codes::INVALID_UTF8,
                format!(
                    "`{rel}` is not valid UTF-8 (the first bad byte is at line {line}, column {column})"
                ),
                Some("save the file as UTF-8"),
            ),
            FileError::Io(e) => (
                codes::FILE_UNREADABLE,
                format!("cannot read `{rel}`: {e}"),
                None,
            ),
        };
        let mut d = Diagnostic::new(code, message);
        d = match (self, at) {
            (_, Some(at)) => d.at(at),
            // Found, not named: point at the bad byte (the file is confined, so it may be
            // quoted).
            (FileError::Utf8 { line, column }, None) => d.at(&Span::new(rel, *line, *column)),
            (_, None) => d.in_file(rel),
        };
        match help {
            Some(h) => d.help(h),
            None => d,
        }
    }
}

/// A file that was read: its project-relative name (registered in the [`SourceMap`] under it)
/// and its text.
#[derive(Debug, Clone)]
pub struct Text {
    pub rel: Arc<str>,
    pub text: Arc<str>,
}

/// An entry found by [`Files::list`].
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    /// The entry's path as found (below the listed folder; links not resolved).
    pub path: PathBuf,
    pub kind: Result<Kind, FileError>,
}

/// The file-access layer of one run: the allowed folders, the backend and the budgets.
#[derive(Debug)]
pub struct Files {
    backend: Box<dyn Backend>,
    /// The project folder, canonical.
    root: PathBuf,
    /// Extra folders files may be read from (canonical), from `read_roots`.
    read_roots: Vec<PathBuf>,
    limits: ByteLimits,
    used: AtomicU64,
    tripped: AtomicBool,
    /// The YAML/JSON node budget of the run.
    tree: tree::Budget,
}

/// What a [`Files`] had used at one point (see [`Files::snapshot`]).
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    bytes: u64,
    tree: tree::Snapshot,
}

impl Files {
    /// The layer for the project at `root` (canonical) on `backend`.
    pub fn new(
        backend: Box<dyn Backend>,
        root: PathBuf,
        limits: ByteLimits,
        tree_limits: tree::Limits,
    ) -> Self {
        Files {
            backend,
            root,
            read_roots: Vec::new(),
            limits,
            used: AtomicU64::new(0),
            tripped: AtomicBool::new(false),
            tree: tree::Budget::new(tree_limits),
        }
    }

    /// The layer for the project at `root` on disk, with the default limits.
    pub fn disk(root: &Path) -> io::Result<Self> {
        Ok(Files::with_defaults(Box::new(Disk), root.canonicalize()?))
    }

    /// The layer for the project at `root` (canonical) on `backend`, with the default limits
    /// (until portal.yaml sets its own).
    pub fn with_defaults(backend: Box<dyn Backend>, root: PathBuf) -> Self {
        let d = crate::model::config::Limits::default();
        Files::new(
            backend,
            root,
            ByteLimits {
                file_size: d.file_size,
                input_size: d.input_size,
            },
            tree::Limits {
                max_nodes: d.yaml_nodes as usize,
                max_alias_nodes: d.alias_nodes as usize,
            },
        )
    }

    /// The limits portal.yaml sets, once it is read (bytes and nodes already used stay used).
    pub fn set_limits(&mut self, limits: ByteLimits, tree_limits: tree::Limits) {
        let snap = self.tree.snapshot();
        self.limits = limits;
        self.tree = tree::Budget::new(tree_limits);
        self.tree.restore(snap);
    }

    pub fn limits(&self) -> ByteLimits {
        self.limits
    }

    /// The project folder (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The run's YAML/JSON node budget.
    pub fn budget(&self) -> &tree::Budget {
        &self.tree
    }

    /// Allow reading below `dir` too (a `read_roots` entry); `written` is how portal.yaml
    /// writes it. Refuses what must never be a read root.
    pub fn add_read_root(&mut self, written: &str) -> Result<(), String> {
        let lexical = normalize(&self.root.join(written));
        let canonical = match self.backend.canonicalize(&lexical) {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!("`{written}` does not exist"));
            }
            Err(e) => return Err(format!("`{written}` cannot be opened: {e}")),
        };
        match self.backend.kind(&canonical) {
            Ok(Kind::Dir) => {}
            Ok(_) => return Err(format!("`{written}` is not a folder")),
            Err(e) => return Err(format!("`{written}` cannot be opened: {e}")),
        }
        if canonical.parent().is_none() {
            return Err(format!(
                "`{written}` is the root of the file system; a read root must be a folder of shared files"
            ));
        }
        for system in ["/proc", "/sys", "/dev"] {
            if canonical.starts_with(system) {
                return Err(format!(
                    "`{written}` is inside {system}, which holds no project files"
                ));
            }
        }
        if !self.read_roots.contains(&canonical) {
            self.read_roots.push(canonical);
        }
        Ok(())
    }

    /// Whether `path` (absolute) lies inside the project or a read root.
    fn allowed(&self, path: &Path) -> bool {
        path.starts_with(&self.root) || self.read_roots.iter().any(|r| path.starts_with(r))
    }

    /// True when `path` (absolute, lexically normalised) may be asked about at all.
    pub fn is_allowed(&self, path: &Path) -> bool {
        self.allowed(&normalize(path))
    }

    /// The name of `path` in diagnostics and the source map: relative to the project folder,
    /// with `../` for files of a read root outside it.
    pub fn display(&self, path: &Path) -> String {
        display_path(&self.root, &normalize(path))
    }

    /// Resolve `path` (absolute): confined, existing, and what it is.
    pub fn resolve(&self, path: &Path) -> Result<(PathBuf, Kind), FileError> {
        let lexical = normalize(path);
        if !self.allowed(&lexical) {
            return Err(FileError::Outside { via_link: false });
        }
        let canonical = self
            .backend
            .canonicalize(&lexical)
            .map_err(|e| FileError::io(&e))?;
        if !self.allowed(&canonical) {
            return Err(FileError::Outside { via_link: true });
        }
        let kind = self
            .backend
            .kind(&canonical)
            .map_err(|e| FileError::io(&e))?;
        Ok((canonical, kind))
    }

    /// Read the text file at `path` (absolute) and register it in `sources` under its
    /// display name.
    pub fn read_text(&self, path: &Path, sources: &SourceMap) -> Result<Text, FileError> {
        let mut bytes = self.read_bytes(path)?;
        // Before the UTF-8 check, so the line of a bad byte counts lines as the parsers do.
        crate::source::lone_cr_to_lf(&mut bytes);
        let rel = self.display(path);
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            // Valid by construction up to there.
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let (line, column) = crate::source::line_col(valid, valid.len());
            FileError::Utf8 { line, column }
        })?;
        let text = sources.add(&rel, text);
        Ok(Text {
            rel: rel.into(),
            text,
        })
    }

    /// Read the regular file at `path` (absolute) within the budgets.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, FileError> {
        let (canonical, kind) = self.resolve(path)?;
        let len = match kind {
            Kind::File { len } => len,
            Kind::Dir => return Err(FileError::IsDir),
            Kind::Special(what) => return Err(FileError::NotRegular(what)),
        };
        let max = self.limits.file_size;
        if len > max {
            return Err(FileError::TooLarge { len, max });
        }
        self.draw(len)?;
        let bytes = match self.backend.read(&canonical, max) {
            Ok(b) => b,
            Err(e) => {
                self.used.fetch_sub(len, Ordering::Relaxed);
                return Err(FileError::io(&e));
            }
        };
        let actual = bytes.len() as u64;
        if actual > max {
            self.used.fetch_sub(len, Ordering::Relaxed);
            return Err(FileError::TooLarge { len: actual, max });
        }
        if actual > len {
            self.draw(actual - len)?;
        } else {
            self.used.fetch_sub(len - actual, Ordering::Relaxed);
        }
        Ok(bytes)
    }

    /// Take `n` bytes from the run's input budget.
    fn draw(&self, n: u64) -> Result<(), FileError> {
        let max = self.limits.input_size;
        let total = self.used.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if total > max {
            self.used.fetch_sub(n, Ordering::Relaxed);
            self.tripped.store(true, Ordering::Relaxed);
            return Err(FileError::InputBudget { max });
        }
        Ok(())
    }

    /// Check that the file at `path` could be read (confined, regular, within
    /// `limits.file_size`) without reading it, and count it in the input budget: for static
    /// files, which are copied at render time. Returns its canonical path.
    pub fn admit(&self, path: &Path) -> Result<PathBuf, FileError> {
        let (canonical, kind) = self.resolve(path)?;
        match kind {
            Kind::File { len } if len > self.limits.file_size => Err(FileError::TooLarge {
                len,
                max: self.limits.file_size,
            }),
            Kind::File { len } => {
                self.draw(len)?;
                Ok(canonical)
            }
            Kind::Dir => Err(FileError::IsDir),
            Kind::Special(what) => Err(FileError::NotRegular(what)),
        }
    }

    /// Parse `text` (a file already read) into a spanned tree with the run's node budget.
    pub fn parse(&self, text: &Text) -> Result<tree::Node, tree::ParseError> {
        tree::parse_in(&text.text, &self.tree)
    }

    /// True when a budget draw failed because of what other files had used (see
    /// [`tree::Budget`]): the files read in parallel must be read again in order.
    pub fn tripped(&self) -> bool {
        self.tripped.load(Ordering::Relaxed) || self.tree.tripped()
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            bytes: self.used.load(Ordering::SeqCst),
            tree: self.tree.snapshot(),
        }
    }

    /// Go back to `snap`, to read the same files again one by one.
    pub fn restore(&self, snap: Snapshot) {
        self.used.store(snap.bytes, Ordering::SeqCst);
        self.tripped.store(false, Ordering::SeqCst);
        self.tree.restore(snap.tree);
    }

    /// The entries of the folder `dir` (absolute), hidden ones (`.name`) left out, sorted by
    /// name, each with what it is after links are followed (or why it cannot be used).
    pub fn list(&self, dir: &Path) -> Result<Vec<Entry>, FileError> {
        let (canonical, kind) = self.resolve(dir)?;
        if kind != Kind::Dir {
            return Err(FileError::Io("not a folder".into()));
        }
        let names = self
            .backend
            .list(&canonical)
            .map_err(|e| FileError::io(&e))?;
        let mut out: Vec<Entry> = Vec::new();
        for name in names {
            let path = dir.join(&name);
            let Some(name) = name.to_str().map(str::to_string) else {
                out.push(Entry {
                    name: name.to_string_lossy().into_owned(),
                    path,
                    kind: Err(FileError::Io("its name is not valid UTF-8".into())),
                });
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let kind = self.resolve(&path).map(|(_, k)| k);
            out.push(Entry { name, path, kind });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The files below `dir` (absolute) whose extension is one of `exts` (any when empty),
    /// sorted by path, following links to folders inside the allowed folders (each folder
    /// once). Entries that cannot be used (outside the project, not regular files, unlistable
    /// folders) are reported in `diags`; a missing `dir` is no input at all.
    pub fn walk(
        &self,
        dir: &Path,
        exts: &[&str],
        recursive: bool,
        diags: &mut Diagnostics,
    ) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
        match self.resolve(dir) {
            Err(FileError::NotFound) => return out,
            Err(e) => {
                diags.push(e.diagnostic(&self.display(dir), None));
                return out;
            }
            Ok((canonical, Kind::Dir)) => {
                seen.insert(canonical);
            }
            Ok(_) => {
                diags.push(
                    Diagnostic::new(
                        codes::UNUSED_INPUT,
                        format!(
                            "`{}` is a file, where portalgen looks for a folder of inputs",
                            self.display(dir)
                        ),
                    )
                    .in_file(self.display(dir))
                    .help("move the file into a folder of that name"),
                );
                return out;
            }
        }
        let wanted = |path: &Path| {
            exts.is_empty()
                || path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        };
        // Folders named like an input file (`packages/a.yaml/`): reported unless they hold
        // inputs of their own.
        let mut named_like_files: Vec<PathBuf> = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries = match self.list(&d) {
                Ok(e) => e,
                Err(e) => {
                    diags.push(
                        Diagnostic::new(
                            codes::FILE_UNREADABLE,
                            format!(
                                "cannot list the folder `{}`: {}",
                                self.display(&d),
                                e.reason()
                            ),
                        )
                        .in_file(self.display(&d)),
                    );
                    continue;
                }
            };
            let mut subdirs = Vec::new();
            for entry in entries {
                match entry.kind {
                    Ok(Kind::File { .. }) => {
                        if wanted(&entry.path) {
                            out.push(entry.path);
                        }
                    }
                    Ok(Kind::Dir) => {
                        if !exts.is_empty() && wanted(&entry.path) {
                            named_like_files.push(entry.path.clone());
                        }
                        if recursive
                            && let Ok((canonical, _)) = self.resolve(&entry.path)
                            && seen.insert(canonical)
                        {
                            subdirs.push(entry.path);
                        }
                    }
                    Ok(Kind::Special(what)) => diags.push(
                        FileError::NotRegular(what).diagnostic(&self.display(&entry.path), None),
                    ),
                    Err(e) => diags.push(e.diagnostic(&self.display(&entry.path), None)),
                }
            }
            // Depth first, in name order.
            stack.extend(subdirs.into_iter().rev());
        }
        for folder in named_like_files {
            if out.iter().any(|p| p.starts_with(&folder)) {
                continue;
            }
            let rel = self.display(&folder);
            diags.push(
                Diagnostic::new(
                    codes::UNUSED_INPUT,
                    format!("`{rel}` is a folder, not a file, so it is not read"),
                )
                .in_file(&rel)
                .help("rename the folder, or replace it with the file its name promises"),
            );
        }
        out.sort();
        out
    }
}

/// Lexical normalisation (`a/./b/../c` → `a/c`) without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // `/..` is `/`; a relative path keeps its leading `..`.
                let at_root = out.has_root() && out.parent().is_none();
                if !at_root && !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `root` with `/` separators, climbing with `../` when it is outside.
fn display_path(root: &Path, path: &Path) -> String {
    let root: Vec<Component> = root.components().collect();
    let target: Vec<Component> = path.components().collect();
    let common = root.iter().zip(&target).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return path.display().to_string();
    }
    let mut parts: Vec<String> =
        std::iter::repeat_n("..".to_string(), root.len() - common).collect();
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_climb_out_of_the_project() {
        let root = Path::new("/repo/portal");
        assert_eq!(
            display_path(root, Path::new("/repo/portal/apis/x.yaml")),
            "apis/x.yaml"
        );
        assert_eq!(
            display_path(root, Path::new("/repo/shared/s.yaml")),
            "../shared/s.yaml"
        );
        assert_eq!(
            display_path(root, Path::new("/etc/passwd")),
            "../../etc/passwd"
        );
    }

    #[test]
    fn memory_backend_lists_folders_and_refuses_what_is_missing() {
        let mut m = Memory::new();
        m.insert("/p/portal.yaml", "title: x\n");
        m.insert("/p/apis/a.yaml", "a");
        m.insert("/p/apis/sub/b.yaml", "b");
        let files = Files::with_defaults(Box::new(m), PathBuf::from("/p"));
        let names: Vec<String> = files
            .list(Path::new("/p/apis"))
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["a.yaml", "sub"]);
        let sources = SourceMap::default();
        assert_eq!(
            &*files
                .read_text(Path::new("/p/apis/sub/b.yaml"), &sources)
                .unwrap()
                .rel,
            "apis/sub/b.yaml"
        );
        assert_eq!(
            files
                .read_text(Path::new("/p/apis/c.yaml"), &sources)
                .unwrap_err(),
            FileError::NotFound
        );
        assert_eq!(
            files
                .read_text(Path::new("/q/x.yaml"), &sources)
                .unwrap_err(),
            FileError::Outside { via_link: false }
        );
        assert_eq!(
            files.read_text(Path::new("/p/apis"), &sources).unwrap_err(),
            FileError::IsDir
        );
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(
            normalize(Path::new("/a/b/./c/../d.yaml")),
            PathBuf::from("/a/b/d.yaml")
        );
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
    }
}
