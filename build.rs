//! Embeds the bundled example project (`content/`) into the binary for `portalgen init`.
use std::path::Path;

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || (dir == root && name == "public") {
            continue;
        }
        if path.is_dir() {
            walk(&path, root, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let root = Path::new(&manifest).join("content");
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let mut code = String::from(
        "/// The bundled example project: (relative path, bytes).\npub const EXAMPLE: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        code.push_str(&format!(
            "    ({f:?}, include_bytes!({:?})),\n",
            root.join(f).display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("example.rs");
    std::fs::write(out, code).unwrap();
    println!("cargo:rerun-if-changed=content");
    for f in &files {
        println!("cargo:rerun-if-changed=content/{f}");
    }
}
