//! The machine-readable reference: `llms.txt` lists every public operation and links its
//! markdown twin (`.../index.md`), every twin says what its page says, and `llms-full.txt`
//! holds the whole visible reference and every guide. Read from a real build of the example.

use crate::common::*;

const BASE: &str = "https://developer.example.com/";

/// The operation pages of a build, from its sitemap (`apis/<api>/<op>/`).
fn operation_pages(sitemap: &str) -> Vec<String> {
    sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|u| u.trim_start_matches(BASE).to_string())
        .filter(|u| {
            let parts: Vec<&str> = u.trim_end_matches('/').split('/').collect();
            parts.len() == 3 && parts[0] == "apis" && parts[2] != "schemas"
        })
        .collect()
}

#[test]
fn llms_txt_links_a_markdown_twin_of_every_public_operation() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let llms = std::fs::read_to_string(out.join("llms.txt")).unwrap();
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let ops = operation_pages(&sitemap);
    assert!(ops.len() >= 8, "{ops:?}");
    for op in &ops {
        let twin = format!("{BASE}{op}index.md");
        assert!(
            llms.contains(&format!("]({twin})")),
            "{twin} not in llms.txt:\n{llms}"
        );
        let md = std::fs::read_to_string(out.join(op).join("index.md")).unwrap();
        assert!(md.starts_with("# "), "{op}: {md}");
        assert!(md.contains(&format!("- Web page: {BASE}{op}")), "{md}");
    }
    assert!(
        llms.contains("- [Place an order](https://developer.example.com/apis/orders/create-order/index.md): POST /orders"),
        "{llms}"
    );
    assert!(llms.contains("[llms-full.txt](https://developer.example.com/llms-full.txt)"));
    // A twin holds what a developer needs to call the operation.
    let md = std::fs::read_to_string(out.join("apis/orders/create-order/index.md")).unwrap();
    for part in [
        "# Place an order",
        "`POST /orders`",
        "- operationId: `createOrder`",
        "## Packages",
        "[Starter bundle](https://developer.example.com/packages/starter/)",
        "## Request body",
        "## Responses",
        "## Example request",
        "```bash\ncurl -X POST",
    ] {
        assert!(md.contains(part), "`{part}` missing:\n{md}");
    }
}

#[test]
fn llms_full_txt_holds_every_operation_and_guide() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    build_example(&out, &[]);
    let full = std::fs::read_to_string(out.join("llms-full.txt")).unwrap();
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    for op in operation_pages(&sitemap) {
        let twin = std::fs::read_to_string(out.join(&op).join("index.md")).unwrap();
        let title = twin.lines().next().unwrap().trim_start_matches("# ");
        // Demoted one level under its API's heading.
        assert!(full.contains(&format!("\n## {title}\n")), "{title} missing");
    }
    // Guides in full, headings nested under the guide's own.
    assert!(full.contains("# Guide: Authentication"), "{full}");
    assert!(full.contains("Keep keys out of source control"));
    assert!(full.contains("## What the responses tell you"));
    // Code inside guides is left alone.
    assert!(full.contains("curl https://api.example.com/orders -H 'apikey: <your-api-key>'"));
}
