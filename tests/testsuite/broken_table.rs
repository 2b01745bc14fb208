//! The broken-project table: one small project per row, each with one defect of one input
//! kind (portal.yaml, packages, applications' auth strategies, APIs in YAML, JSON and split
//! across files, decK manifests, front matter, templates, static files, the output folder),
//! and for each the exit code of `check` AND of `build` (they must agree: `check` finds every
//! problem `build` would refuse), the diagnostic code, the file and the line.
//!
//! Each row also runs under a time limit (a FIFO or an endless template must not hang a
//! run) and with a secret planted outside the project (`../secret.yaml`, and the process
//! environment behind `/proc/self/environ`): no output of any run may quote either.
//!
//! Rows are data: a new defect is a new row. `broken.rs` keeps the full human and JSON
//! output of the fixture projects as golden files; this table asserts the facts that matter.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// Planted in `../secret.yaml` (outside every project) and in the environment of every run.
const SECRET: &str = "TOPSECRET-5ca1ab1e";

/// One row: files written over the minimal project (an empty content removes the file),
/// an optional setup for what files cannot express (links, FIFOs, folders), and what every
/// run must report.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    setup: Option<fn(&Path)>,
    exit: i32,
    /// The diagnostic that must be among those of `check --format json`: code, file, line.
    expect: Option<(&'static str, &'static str, Option<u32>)>,
    /// A diagnostic that must NOT be there: code, file.
    absent: Option<(&'static str, &'static str)>,
}

fn case(
    name: &'static str,
    files: &[(&'static str, &str)],
    exit: i32,
    expect: Option<(&'static str, &'static str, Option<u32>)>,
) -> Case {
    Case {
        name,
        files: files.iter().map(|(p, t)| (*p, t.to_string())).collect(),
        setup: None,
        exit,
        expect,
        absent: None,
    }
}

fn without(mut c: Case, code: &'static str, file: &'static str) -> Case {
    c.absent = Some((code, file));
    c
}

fn with_setup(mut c: Case, setup: fn(&Path)) -> Case {
    c.setup = Some(setup);
    c
}

const PORTAL: &str = "title: Test portal\nbase_url: https://example.com/dev/\nauth_strategies:\n  - name: key-auth\n    type: key_auth\n    key_names: [apikey]\n";

/// `apis/pets.yaml` whose one response schema (line 14) is `value` (a `$ref` and its target).
fn api_ref(value: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: Pets, version: '1'}}\nservers: [{{url: https://api.example.com}}]\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: {value}\n"
    )
}

/// The minimal API with `op` as the operationId of GET /pets (line 10).
fn api_op_id(op: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo:\n  title: Pets\n  version: '1'\nservers:\n  - url: https://api.example.com\npaths:\n  /pets:\n    get:\n      operationId: {op}\n      responses:\n        '200':\n          description: ok\n"
    )
}

const DECK: &str = "_format_version: \"3.0\"\nservices:\n  - name: pets\n    url: http://pets.internal\n    routes:\n      - name: pets\n        paths: [/pets]\n        strip_path: false\n";

fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn fifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(path);
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

fn cases() -> Vec<Case> {
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let fine_deep = format!("x: {}1{}\n", "[".repeat(250), "]".repeat(250));
    let chain: String = (0..70)
        .map(|i| format!("    S{i}:\n      $ref: '#/components/schemas/S{}'\n", i + 1))
        .collect();
    let long_chain = format!(
        "{}components:\n  schemas:\n{chain}    S70:\n      type: string\n",
        api_ref("'#/components/schemas/S0'")
    );
    // 20 aliases of an 11-node sequence: 220 alias nodes per file, under a budget of 300 for
    // one file, over it for two.
    let bomb = format!(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [{}]\n",
        ["*a"; 20].join(", ")
    );
    let long_op = "o".repeat(300);
    vec![
        // ── Confinement ──────────────────────────────────────────────────────────────
        case(
            "ref-proc-self-environ",
            &[("apis/pets.yaml", &api_ref("/proc/self/environ"))],
            1,
            Some(("file-outside-project", "apis/pets.yaml", Some(14))),
        ),
        case(
            "ref-absolute-path",
            &[("apis/pets.yaml", &api_ref("/etc/passwd"))],
            1,
            Some(("file-outside-project", "apis/pets.yaml", Some(14))),
        ),
        case(
            "ref-dotdot-escape",
            &[("apis/pets.yaml", &api_ref("'../../secret.yaml#/token'"))],
            1,
            Some(("file-outside-project", "apis/pets.yaml", Some(14))),
        ),
        case(
            "ref-deep-dotdot-escape",
            &[(
                "apis/pets.yaml",
                &api_ref("'../../../../../../../../secrets/x.yaml'"),
            )],
            1,
            Some(("file-outside-project", "apis/pets.yaml", Some(14))),
        ),
        case(
            "ref-dev-zero",
            &[("apis/pets.yaml", &api_ref("/dev/zero"))],
            1,
            Some(("file-outside-project", "apis/pets.yaml", Some(14))),
        ),
        with_setup(
            case(
                "api-symlink-pointing-out",
                &[],
                1,
                Some(("file-outside-project", "apis/x.yaml", None)),
            ),
            |p| symlink(&p.join("../secret.yaml"), &p.join("apis/x.yaml")),
        ),
        with_setup(
            case(
                "ref-target-symlink-pointing-out",
                &[("apis/pets.yaml", &api_ref("'./schemas/s.yaml'"))],
                1,
                Some(("file-outside-project", "apis/pets.yaml", Some(14))),
            ),
            |p| symlink(&p.join("../secret.yaml"), &p.join("apis/schemas/s.yaml")),
        ),
        case(
            "manifests-glob-escaping-the-project",
            &[(
                "portal.yaml",
                &format!("{PORTAL}gateway:\n  manifests: ['gateway/*.yaml', '../*.yaml']\n"),
            )],
            1,
            Some(("file-outside-project", "portal.yaml", Some(8))),
        ),
        with_setup(
            case(
                "read-roots-allow-a-shared-folder",
                &[
                    ("portal.yaml", &format!("{PORTAL}read_roots: [../shared]\n")),
                    ("apis/pets.yaml", &api_ref("'../../shared/pet.yaml'")),
                ],
                0,
                None,
            ),
            |p| {
                write_files(
                    &p.join("../shared"),
                    &[(
                        "pet.yaml",
                        "type: object\nproperties:\n  name: {type: string}\n",
                    )],
                )
            },
        ),
        case(
            "read-roots-file-system-root",
            &[("portal.yaml", &format!("{PORTAL}read_roots: [/]\n"))],
            1,
            Some(("invalid-read-root", "portal.yaml", Some(7))),
        ),
        case(
            "read-roots-missing-folder",
            &[(
                "portal.yaml",
                &format!("{PORTAL}read_roots: [../nowhere]\n"),
            )],
            1,
            Some(("invalid-read-root", "portal.yaml", Some(7))),
        ),
        case(
            "read-roots-proc",
            &[(
                "portal.yaml",
                &format!("{PORTAL}read_roots: [/proc/self]\n"),
            )],
            1,
            Some(("invalid-read-root", "portal.yaml", Some(7))),
        ),
        with_setup(
            case(
                "page-symlink-pointing-out",
                &[],
                1,
                Some(("file-outside-project", "pages/leak.md", None)),
            ),
            |p| symlink(&p.join("../secret.yaml"), &p.join("pages/leak.md")),
        ),
        with_setup(
            case(
                "pages-folder-symlink-pointing-out",
                &[("pages/intro.md", "")],
                1,
                Some(("file-outside-project", "pages", None)),
            ),
            |p| {
                std::fs::create_dir_all(p.join("../outside-pages")).unwrap();
                std::fs::write(p.join("../outside-pages/x.md"), format!("# {SECRET}\n")).unwrap();
                let _ = std::fs::remove_dir_all(p.join("pages"));
                symlink(&p.join("../outside-pages"), &p.join("pages"));
            },
        ),
        with_setup(
            case(
                "template-symlink-pointing-out",
                &[],
                1,
                Some(("file-outside-project", "templates/base.html", None)),
            ),
            |p| symlink(&p.join("../secret.yaml"), &p.join("templates/base.html")),
        ),
        with_setup(
            case(
                "static-symlink-pointing-out",
                &[],
                1,
                Some(("file-outside-project", "static/leak.txt", None)),
            ),
            |p| symlink(&p.join("../secret.yaml"), &p.join("static/leak.txt")),
        ),
        with_setup(
            case(
                "manifest-symlink-pointing-out",
                &[],
                1,
                Some(("file-outside-project", "gateway/leak.yaml", None)),
            ),
            |p| symlink(&p.join("../secret.yaml"), &p.join("gateway/leak.yaml")),
        ),
        // ── Special files ────────────────────────────────────────────────────────────
        with_setup(
            case(
                "api-document-is-a-fifo",
                &[],
                1,
                Some(("file-unreadable", "apis/a.yaml", None)),
            ),
            |p| fifo(&p.join("apis/a.yaml")),
        ),
        with_setup(
            case(
                "ref-target-is-a-fifo",
                &[("apis/pets.yaml", &api_ref("'./pipe.yaml'"))],
                1,
                Some(("file-unreadable", "apis/pets.yaml", Some(14))),
            ),
            |p| fifo(&p.join("apis/pipe.yaml")),
        ),
        with_setup(
            case(
                "page-is-a-fifo",
                &[],
                1,
                Some(("file-unreadable", "pages/pipe.md", None)),
            ),
            |p| fifo(&p.join("pages/pipe.md")),
        ),
        with_setup(
            case(
                "manifest-is-a-fifo",
                &[],
                1,
                Some(("file-unreadable", "gateway/pipe.yaml", None)),
            ),
            |p| fifo(&p.join("gateway/pipe.yaml")),
        ),
        with_setup(
            case(
                "package-is-a-fifo",
                &[],
                1,
                Some(("file-unreadable", "packages/pipe.yaml", None)),
            ),
            |p| fifo(&p.join("packages/pipe.yaml")),
        ),
        with_setup(
            case(
                "static-file-is-a-fifo",
                &[],
                1,
                Some(("file-unreadable", "static/pipe.css", None)),
            ),
            |p| fifo(&p.join("static/pipe.css")),
        ),
        with_setup(
            case(
                "template-is-a-fifo",
                &[],
                1,
                Some(("file-unreadable", "templates/base.html", None)),
            ),
            |p| fifo(&p.join("templates/base.html")),
        ),
        // ── Budgets ──────────────────────────────────────────────────────────────────
        case(
            "file-larger-than-limits-file-size",
            &[(
                "portal.yaml",
                &format!("{PORTAL}limits:\n  file_size: 200 B\n"),
            )],
            1,
            Some(("file-too-large", "apis/pets.yaml", None)),
        ),
        case(
            "inputs-larger-than-limits-input-size",
            &[(
                "portal.yaml",
                &format!("{PORTAL}limits:\n  input_size: 500 B\n"),
            )],
            1,
            Some(("input-too-large", "apis/pets.yaml", None)),
        ),
        case(
            "more-nodes-than-limits-yaml-nodes",
            &[(
                "portal.yaml",
                &format!("{PORTAL}limits:\n  yaml_nodes: 60\n"),
            )],
            1,
            Some(("yaml-too-large", "apis/pets.yaml", Some(1))),
        ),
        without(
            case(
                "alias-budget-is-per-run-not-per-file",
                &[
                    (
                        "portal.yaml",
                        &format!("{PORTAL}limits:\n  alias_nodes: 300\n"),
                    ),
                    ("gateway/b1.yaml", &bomb),
                    ("gateway/b2.yaml", &bomb),
                ],
                1,
                Some(("yaml-too-large", "gateway/b2.yaml", Some(2))),
            ),
            "yaml-too-large",
            "gateway/b1.yaml",
        ),
        case(
            "limits-value-not-a-size",
            &[(
                "portal.yaml",
                &format!("{PORTAL}limits:\n  file_size: 12 parsecs\n"),
            )],
            1,
            Some(("invalid-value", "portal.yaml", Some(8))),
        ),
        case(
            "limits-unknown-key",
            &[(
                "portal.yaml",
                &format!("{PORTAL}limits:\n  file_sizes: 1 MiB\n"),
            )],
            1,
            Some(("unknown-key", "portal.yaml", Some(8))),
        ),
        case(
            "flow-nesting-deeper-than-255",
            &[("packages/deep.yaml", &deep)],
            1,
            Some(("yaml-too-deep", "packages/deep.yaml", Some(1))),
        ),
        case(
            "flow-nesting-of-250-is-read",
            &[("gateway/deep.yaml", &fine_deep)],
            1,
            Some(("unknown-key", "gateway/deep.yaml", Some(1))),
        ),
        case(
            "acyclic-ref-chain-longer-than-64",
            &[("apis/pets.yaml", &long_chain)],
            1,
            Some(("ref-chain-too-long", "apis/pets.yaml", Some(18))),
        ),
        case(
            "ref-cycle",
            &[(
                "apis/pets.yaml",
                &format!(
                    "{}components:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n    B:\n      $ref: '#/components/schemas/A'\n",
                    api_ref("'#/components/schemas/A'")
                ),
            )],
            1,
            Some(("ref-cycle", "apis/pets.yaml", Some(20))),
        ),
        case(
            "page-larger-than-limits-page-size",
            &[
                (
                    "portal.yaml",
                    &format!("{PORTAL}limits:\n  page_size: 100 KiB\n"),
                ),
                (
                    "templates/page.html",
                    "{% extends \"theme/page.html\" %}\n{% block content %}{% for i in range(100000) %}<p>{{ i }}</p>{% endfor %}{% endblock %}\n",
                ),
            ],
            1,
            Some(("page-too-large", "templates/page.html", None)),
        ),
        case(
            "template-with-an-endless-loop",
            &[(
                "templates/page.html",
                "{% extends \"theme/page.html\" %}\n{% block content %}\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n{% endblock %}\n",
            )],
            1,
            Some(("template-out-of-fuel", "templates/page.html", Some(3))),
        ),
        // ── check = build ────────────────────────────────────────────────────────────
        case(
            "operation-id-of-300-characters",
            &[
                ("apis/pets.yaml", &api_op_id(&long_op)),
                (
                    "packages/basic.yaml",
                    "name: Basic\nvisibility: public\noperations:\n  - api: pets\n",
                ),
            ],
            0,
            None,
        ),
        // ── Unreadable and invalid files ─────────────────────────────────────────────
        case(
            "api-not-utf8",
            &[("apis/pets.yaml", "openapi: 3.0.3\ninfo:\n  title: P\u{0}\n")],
            1,
            None,
        ),
        with_setup(
            case(
                "api-invalid-utf8",
                &[],
                1,
                Some(("invalid-utf8", "apis/bad.yaml", Some(2))),
            ),
            |p| {
                std::fs::write(p.join("apis/bad.yaml"), b"openapi: 3.0.3\ninfo: \xff\xfe\n")
                    .unwrap()
            },
        ),
        with_setup(
            case(
                "manifest-invalid-utf8",
                &[],
                1,
                Some(("invalid-utf8", "gateway/kong.yaml", Some(3))),
            ),
            |p| {
                std::fs::write(
                    p.join("gateway/kong.yaml"),
                    b"_format_version: \"3.0\"\nservices:\n  - name: p\xff\n",
                )
                .unwrap()
            },
        ),
        with_setup(
            case(
                "package-invalid-utf8",
                &[],
                1,
                Some(("invalid-utf8", "packages/basic.yaml", Some(1))),
            ),
            |p| std::fs::write(p.join("packages/basic.yaml"), b"name: B\xc3\n").unwrap(),
        ),
        with_setup(
            case(
                "page-invalid-utf8",
                &[],
                1,
                Some(("invalid-utf8", "pages/intro.md", Some(4))),
            ),
            |p| std::fs::write(p.join("pages/intro.md"), b"---\ntitle: I\n---\n\xff\n").unwrap(),
        ),
        with_setup(
            case(
                "template-invalid-utf8",
                &[],
                1,
                Some(("invalid-utf8", "templates/page.html", Some(1))),
            ),
            |p| {
                std::fs::create_dir_all(p.join("templates")).unwrap();
                std::fs::write(p.join("templates/page.html"), b"\xff").unwrap()
            },
        ),
        with_setup(
            case(
                "ref-target-is-a-folder",
                &[("apis/pets.yaml", &api_ref("'s.yaml'"))],
                1,
                Some(("file-unreadable", "apis/pets.yaml", Some(14))),
            ),
            |p| std::fs::create_dir_all(p.join("apis/s.yaml")).unwrap(),
        ),
        with_setup(
            case(
                "portal-yaml-is-a-folder",
                &[("portal.yaml", "")],
                1,
                Some(("file-unreadable", "portal.yaml", None)),
            ),
            |p| std::fs::create_dir_all(p.join("portal.yaml")).unwrap(),
        ),
        // ── Silently ignored inputs ──────────────────────────────────────────────────
        case(
            "manifests-glob-matching-nothing",
            &[(
                "portal.yaml",
                &format!("{PORTAL}gateway:\n  manifests: ['deck/*.yaml']\n"),
            )],
            1,
            Some(("glob-matches-nothing", "portal.yaml", Some(8))),
        ),
        case(
            "deck-plugin-on-an-unknown-route",
            &[(
                "gateway/kong.yaml",
                &format!("{DECK}plugins:\n  - name: cors\n    route: nope\n"),
            )],
            1,
            Some(("unknown-route", "gateway/kong.yaml", Some(11))),
        ),
        case(
            "deck-plugin-on-an-unknown-service",
            &[(
                "gateway/kong.yaml",
                &format!("{DECK}plugins:\n  - name: cors\n    service: nope\n"),
            )],
            1,
            Some(("unknown-service", "gateway/kong.yaml", Some(11))),
        ),
        case(
            "template-that-replaces-nothing",
            &[("templates/pages.html", "<p>never used</p>\n")],
            1,
            Some(("unknown-template", "templates/pages.html", None)),
        ),
        case(
            "api-folder-without-a-document",
            &[("apis/orders/schemas.yaml", "type: object\n")],
            1,
            Some(("unused-input", "apis/orders", None)),
        ),
        with_setup(
            case(
                "folder-named-like-an-api-document",
                &[],
                1,
                Some(("unused-input", "apis/orders.yaml", None)),
            ),
            |p| std::fs::create_dir_all(p.join("apis/orders.yaml")).unwrap(),
        ),
        with_setup(
            case(
                "folder-named-like-a-package",
                &[],
                1,
                Some(("unused-input", "packages/extra.yaml", None)),
            ),
            |p| std::fs::create_dir_all(p.join("packages/extra.yaml")).unwrap(),
        ),
        case(
            "pinned-unknown-route",
            &[(
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\noperations:\n  - api: pets\n    method: GET\n    path: /pets\n    route: nope\n",
            )],
            1,
            Some(("pinned-route-unknown", "packages/basic.yaml", Some(4))),
        ),
        case(
            "duplicate-operation-id",
            &[(
                "apis/pets.yaml",
                "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\nservers: [{url: https://api.example.com}]\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses: {'200': {description: ok}}\n    post:\n      operationId: listPets\n      responses: {'200': {description: ok}}\n",
            )],
            1,
            Some(("duplicate-operation-id", "apis/pets.yaml", Some(10))),
        ),
        case(
            "ref-not-a-string",
            &[("apis/pets.yaml", &api_ref("42"))],
            1,
            Some(("ref-not-a-string", "apis/pets.yaml", Some(14))),
        ),
        // ── base_url ─────────────────────────────────────────────────────────────────
        case(
            "base-url-port-out-of-range",
            &[(
                "portal.yaml",
                &PORTAL.replace("https://example.com/dev/", "https://[::1]:99999/"),
            )],
            1,
            Some(("invalid-base-url", "portal.yaml", Some(2))),
        ),
        case(
            "base-url-with-credentials",
            &[(
                "portal.yaml",
                &PORTAL.replace("https://example.com/dev/", "https://user:pass@example.com/"),
            )],
            1,
            Some(("invalid-base-url", "portal.yaml", Some(2))),
        ),
        case(
            "base-url-not-http",
            &[(
                "portal.yaml",
                &PORTAL.replace("https://example.com/dev/", "ftp://example.com/"),
            )],
            1,
            Some(("invalid-base-url", "portal.yaml", Some(2))),
        ),
        // ── portal.yaml and applications' auth strategies ────────────────────────────
        case(
            "portal-yaml-syntax",
            &[(
                "portal.yaml",
                "title: [unclosed\nbase_url: https://example.com/\n",
            )],
            1,
            Some(("yaml-syntax", "portal.yaml", Some(2))),
        ),
        case(
            "portal-duplicate-key",
            &[("portal.yaml", &format!("{PORTAL}title: Again\n"))],
            1,
            Some(("duplicate-key", "portal.yaml", Some(7))),
        ),
        case(
            "portal-unknown-key",
            &[("portal.yaml", &format!("{PORTAL}colour: red\n"))],
            1,
            Some(("unknown-key", "portal.yaml", Some(7))),
        ),
        case(
            "portal-empty",
            &[("portal.yaml", "# nothing yet\n")],
            1,
            None,
        ),
        case(
            "auth-strategy-unknown-type",
            &[(
                "portal.yaml",
                &PORTAL.replace("type: key_auth", "type: magic"),
            )],
            1,
            Some(("invalid-value", "portal.yaml", Some(5))),
        ),
        case(
            "auth-strategy-reserved-name",
            &[(
                "portal.yaml",
                &PORTAL.replace("name: key-auth", "name: none"),
            )],
            1,
            None,
        ),
        // ── Packages ─────────────────────────────────────────────────────────────────
        case(
            "package-unknown-key",
            &[(
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\nvisibilty: public\noperations:\n  - api: pets\n",
            )],
            1,
            Some(("unknown-key", "packages/basic.yaml", Some(3))),
        ),
        case(
            "package-unknown-api",
            &[(
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\noperations:\n  - api: cats\n",
            )],
            1,
            Some(("unknown-api", "packages/basic.yaml", Some(4))),
        ),
        case(
            "package-yaml-syntax",
            &[("packages/basic.yaml", "name: Basic\noperations: [\n")],
            1,
            Some(("yaml-syntax", "packages/basic.yaml", None)),
        ),
        case(
            "package-bad-rate-limit",
            &[(
                "packages/basic.yaml",
                "name: Basic\nvisibility: public\nrate_limit: {limit: 5, duration: fortnights}\noperations:\n  - api: pets\n",
            )],
            1,
            Some(("invalid-rate-limit", "packages/basic.yaml", Some(3))),
        ),
        // ── APIs in YAML, JSON and split across files ────────────────────────────────
        case(
            "api-yaml-syntax",
            &[("apis/pets.yaml", "openapi: 3.0.3\ninfo: {title: [\n")],
            1,
            Some(("yaml-syntax", "apis/pets.yaml", None)),
        ),
        case(
            "api-empty",
            &[("apis/empty.yaml", "# nothing\n")],
            1,
            Some(("empty-document", "apis/empty.yaml", None)),
        ),
        case(
            "api-multiple-documents",
            &[("apis/two.yaml", "openapi: 3.0.3\n---\nopenapi: 3.0.3\n")],
            1,
            Some(("multiple-documents", "apis/two.yaml", Some(2))),
        ),
        case(
            "api-json-syntax",
            &[
                ("apis/pets.yaml", ""),
                (
                    "apis/pets.json",
                    "{\n  \"openapi\": \"3.0.3\",\n  \"info\" {\"title\": \"P\"}\n}\n",
                ),
            ],
            1,
            Some(("yaml-syntax", "apis/pets.json", Some(3))),
        ),
        case(
            "api-json-duplicate-key",
            &[(
                "apis/cats.json",
                "{\n  \"openapi\": \"3.0.3\",\n  \"openapi\": \"3.1.0\",\n  \"info\": {\"title\": \"C\", \"version\": \"1\"},\n  \"paths\": {}\n}\n",
            )],
            1,
            Some(("duplicate-key", "apis/cats.json", Some(3))),
        ),
        case(
            "split-api-bad-pointer",
            &[
                ("apis/pets.yaml", ""),
                ("apis/shop/openapi.yaml", &api_ref("'schemas.yaml#/Nope'")),
                ("apis/shop/schemas.yaml", "Pet:\n  type: object\n"),
            ],
            1,
            Some(("ref-bad-pointer", "apis/shop/openapi.yaml", Some(14))),
        ),
        case(
            "split-api-missing-file",
            &[
                ("apis/pets.yaml", ""),
                ("apis/shop/openapi.yaml", &api_ref("'schemas.yaml#/Pet'")),
            ],
            1,
            Some(("ref-missing-file", "apis/shop/openapi.yaml", Some(14))),
        ),
        case(
            "split-api-syntax-error-in-a-referenced-file",
            &[
                ("apis/pets.yaml", ""),
                ("apis/shop/openapi.yaml", &api_ref("'schemas.yaml#/Pet'")),
                ("apis/shop/schemas.yaml", "Pet:\n  type: [object\n  x: 1\n"),
            ],
            1,
            Some(("yaml-syntax", "apis/shop/schemas.yaml", None)),
        ),
        // ── decK manifests ───────────────────────────────────────────────────────────
        case(
            "deck-unknown-key",
            &[(
                "gateway/kong.yaml",
                &DECK.replace("strip_path", "strip_paths"),
            )],
            1,
            Some(("unknown-key", "gateway/kong.yaml", Some(8))),
        ),
        case(
            "deck-yaml-syntax",
            &[(
                "gateway/kong.yaml",
                "_format_version: \"3.0\"\nservices: [\n",
            )],
            1,
            Some(("yaml-syntax", "gateway/kong.yaml", None)),
        ),
        case(
            "deck-route-on-an-unknown-service",
            &[(
                "gateway/kong.yaml",
                &format!(
                    "{DECK}routes:\n  - name: other\n    service: nope\n    paths: [/other]\n"
                ),
            )],
            1,
            Some(("unknown-service", "gateway/kong.yaml", Some(11))),
        ),
        // ── Front matter and markdown ────────────────────────────────────────────────
        case(
            "front-matter-unclosed",
            &[("pages/intro.md", "---\ntitle: Intro\n# Intro\n")],
            1,
            Some(("unclosed-front-matter", "pages/intro.md", Some(1))),
        ),
        case(
            "front-matter-unknown-key",
            &[(
                "pages/intro.md",
                "---\ntitle: Intro\ntitel: x\n---\n# Intro\n",
            )],
            1,
            Some(("unknown-key", "pages/intro.md", Some(3))),
        ),
        case(
            "front-matter-yaml-syntax",
            &[("pages/intro.md", "---\ntitle: [Intro\n---\n# Intro\n")],
            1,
            Some(("yaml-syntax", "pages/intro.md", None)),
        ),
        // ── Templates ────────────────────────────────────────────────────────────────
        case(
            "template-syntax-error",
            &[(
                "templates/page.html",
                "{% extends \"theme/page.html\" %}\n{% block content %}\n{% if %}\n{% endblock %}\n",
            )],
            1,
            Some(("template-error", "templates/page.html", Some(3))),
        ),
        // ── The output folder ────────────────────────────────────────────────────────
    ]
}

/// Run portalgen with `args` under a time limit, the secret in its environment.
fn run_bounded(args: &[&str]) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .env("PORTALGEN_TEST_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("portalgen {args:?} did not finish in 120 s (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    }
}

/// The failures of one row, as sentences (empty when it holds).
fn run_case(c: &Case) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    minimal_project(&project);
    std::fs::write(
        tmp.path().join("secret.yaml"),
        format!("token: {SECRET}\nopenapi: 3.0.3\n"),
    )
    .unwrap();
    for (path, text) in &c.files {
        let p = project.join(path);
        if text.is_empty() {
            let _ = std::fs::remove_file(&p);
        } else {
            write_files(&project, &[(path, text)]);
        }
    }
    if let Some(setup) = c.setup {
        setup(&project);
    }
    let p = project.to_str().unwrap();
    let out = tmp.path().join("out");
    let check = run_bounded(&["check", p, "--format", "json"]);
    let build = run_bounded(&["build", p, "-o", out.to_str().unwrap()]);
    let mut failures = Vec::new();
    if check.code != c.exit {
        failures.push(format!("check exits {}, not {}", check.code, c.exit));
    }
    if build.code != c.exit {
        failures.push(format!(
            "build exits {}, not {}: {}",
            build.code,
            c.exit,
            build.stderr.trim()
        ));
    }
    if c.exit != 0 && out.exists() {
        failures.push("build wrote an output folder although it failed".into());
    }
    for (what, r) in [("check", &check), ("build", &build)] {
        for leak in [SECRET, "NO_COLOR=1", "root:x:0:0"] {
            if r.stdout.contains(leak) || r.stderr.contains(leak) {
                failures.push(format!("{what} shows `{leak}` from outside the project"));
            }
        }
        if r.stderr.contains("panicked") {
            failures.push(format!("{what} panicked: {}", r.stderr));
        }
    }
    let diags: Vec<serde_json::Value> =
        match serde_json::from_str::<serde_json::Value>(&check.stdout) {
            Ok(v) => v["diagnostics"].as_array().cloned().unwrap_or_default(),
            Err(e) => {
                failures.push(format!(
                    "check --format json printed no JSON ({e}): {}",
                    check.stderr
                ));
                Vec::new()
            }
        };
    if let Some((code, file)) = c.absent
        && diags.iter().any(|d| d["code"] == code && d["file"] == file)
    {
        failures.push(format!("`{code}` at {file}, which must not be reported"));
    }
    if let Some((code, file, line)) = c.expect {
        let found = diags
            .iter()
            .filter(|d| {
                d["code"] == code
                    && d["file"] == file
                    && line.is_none_or(|l| d["line"] == serde_json::json!(l))
            })
            .count();
        // One problem, one diagnostic: reported twice is as wrong as not at all.
        if found > 1 {
            failures.push(format!("`{code}` at {file} reported {found} times"));
        }
        if found == 0 {
            failures.push(format!(
                "no `{code}` at {file}:{} among {}",
                line.map(|l| l.to_string()).unwrap_or("-".into()),
                serde_json::to_string(&diags).unwrap()
            ));
        }
    }
    failures
}

#[test]
fn every_broken_project_is_reported_by_check_and_build_alike() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "two rows share a name");
    // Rows run in parallel on a few threads: each is two runs of the real binary.
    let report = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(c) = cases.get(i) else { break };
                    for f in run_case(c) {
                        report.lock().unwrap().push(format!("{}: {f}", c.name));
                    }
                }
            });
        }
    });
    let mut report = report.into_inner().unwrap();
    report.sort();
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}

/// The output folder: a build into a path whose parent is a file fails as an environment
/// problem that names the path, and leaves what is there untouched.
#[test]
fn an_output_folder_that_cannot_be_written_is_named_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    minimal_project(&project);
    let blocker = tmp.path().join("a-file");
    std::fs::write(&blocker, "keep me").unwrap();
    let out = blocker.join("site");
    let r = run_bounded(&[
        "build",
        project.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(blocker.to_str().unwrap()),
        "the error names no path: {}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "keep me");
    // check has nothing to write, so the same project passes it.
    let c = run_bounded(&["check", project.to_str().unwrap()]);
    assert_eq!(c.code, 0, "{}", c.stderr);
}
