// The first-search payload: what a reader's browser downloads for its first search on a
// built portal (the search code, Pagefind's entry, engine and meta files, the word chunks the
// query needs and the fragments of the results shown), measured in real Chromium.
// `measure` is used by search.test.mjs; run directly, it prints one JSON line for
// portalgen-bench: node first-search.mjs SITE "QUERY".
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".json": "application/json", ".txt": "text/plain", ".md": "text/markdown" };

/// Serve `dir` on a free loopback port; resolves to [server, base URL].
export async function serve(dir) {
  const server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(dir, p);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { "content-type": types[".html"] });
      return res.end(fs.readFileSync(path.join(dir, "404.html")));
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return [server, `http://127.0.0.1:${server.address().port}/`];
}

/// Type `query` into the search box of `url` in a fresh context; resolves to
/// {bytes, files: ["path size"], results: [{group, text}], page, context, problems}.
export async function measure(browser, url, query) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url);
  await page.waitForLoadState("networkidle");
  let bytes = 0;
  const files = [];
  page.on("response", async (r) => {
    if (!/\/pagefind\/|assets\/search\.js/.test(r.url())) return;
    try {
      const n = (await r.body()).length;
      bytes += n;
      files.push(`${new URL(r.url()).pathname} ${n}`);
    } catch { /* a navigation discarded it */ }
  });
  await page.locator("#search-input").fill(query);
  await page.locator(`.search-panel[data-query="${query}"] .search-status`).filter({ hasText: /result/ }).waitFor();
  await page.waitForLoadState("networkidle");
  const results = await page.locator("#search-results [role=option]").evaluateAll((els) =>
    els.map((e) => ({ group: e.closest("[role=group]").querySelector(".search-group").textContent, text: e.textContent })));
  return { bytes, files, results, page, context, problems };
}

/// The bytes of every file of the site's search index.
export function indexBytes(site) {
  const dir = path.join(site, "pagefind");
  return fs.readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile())
    .reduce((n, f) => n + fs.statSync(f).size, 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [site, query] = process.argv.slice(2);
  const [server, base] = await serve(path.resolve(site));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const m = await measure(browser, base + "apis/", query);
    console.log(JSON.stringify({ bytes: m.bytes, files: m.files.length, index_bytes: indexBytes(path.resolve(site)), top: m.results.slice(0, 3).map((r) => r.text.slice(0, 60)), problems: m.problems }));
  } finally {
    await browser.close();
    server.close();
  }
}
