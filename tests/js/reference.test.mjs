// Browser tests of the API reference in real headless Chromium (playwright-core, Debian's
// chromium), with axe-core for accessibility. Run by tests/testsuite/reference.rs with:
//   PORTALGEN_SITE       a built portal holding every page type (the reference fixture),
//   PORTALGEN_BIG_SITE   optionally, GitHub's portal: its biggest pages are checked too,
//   PORTALGEN_ARTEFACTS  the folder the screenshots are saved in.
// Every page type: no console errors, no horizontal overflow at 390 px and 1280 px in light
// and dark, no serious or critical axe violation; a collapsed schema opens; a sample tab
// switches and its copy button copies that sample.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const artefacts = process.env.PORTALGEN_ARTEFACTS;
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain", ".yaml": "application/yaml", ".md": "text/markdown" };
let browser;
const servers = [];

/** Serves `site` on a free port; unknown paths get the site's 404 page with status 404. */
async function serve(site) {
  assert.ok(site && fs.existsSync(path.join(site, "index.html")), `${site} is not a built portal`);
  const server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(site, p);
    if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { "content-type": types[".html"] });
      return res.end(fs.readFileSync(path.join(site, "404.html")));
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}/`;
}

function sitemap(site) {
  const xml = fs.readFileSync(path.join(site, "sitemap.xml"), "utf8");
  const origin = xml.match(/<loc>([^<]*)<\/loc>/)[1];
  return [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].slice(origin.length));
}

let base;
/** One page of each kind (the `kind-…` class of <body>), plus the 404 page. */
let kinds;

before(async () => {
  base = await serve(process.env.PORTALGEN_SITE);
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  kinds = new Map();
  for (const u of sitemap(process.env.PORTALGEN_SITE)) {
    const file = path.join(process.env.PORTALGEN_SITE, u.endsWith("/") || u === "" ? u + "index.html" : u);
    const html = fs.readFileSync(file, "utf8");
    let kind = html.match(/<body class="kind-([a-z0-9-]+)"/)?.[1];
    if (kind && !kinds.has(kind)) kinds.set(kind, u);
    // The operation page the interaction tests use: one with a collapsed schema field.
    if (kind === "operation" && !kinds.has("operation-with-schema") && html.includes('<details class="sf-x">')) {
      kinds.set("operation-with-schema", u);
    }
  }
  kinds.set("404", "no/such/page/");
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
});

/** Opens `url` in a fresh context and records script errors and failed requests. */
async function open(url, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // The 404 page is served with status 404, which Chromium logs as a console error.
    if (m.type() === "error" && !/status of 404/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on("requestfailed", (r) => { if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? "")) problems.push(`failed request: ${r.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  return { context, page, problems };
}

async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Serious and critical axe-core violations of the page as it is shown. */
async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  return result;
}

test("the fixture has every page type", () => {
  for (const k of ["home", "apis", "api", "operation", "schemas", "schema", "packages", "package", "guide", "404"]) {
    assert.ok(kinds.has(k), `no ${k} page in the sitemap (have ${[...kinds.keys()]})`);
  }
});

for (const scheme of ["light", "dark"]) {
  for (const width of [390, 1280]) {
    test(`every page type at ${width} px in ${scheme}: no script errors, no overflow${(width === 390) === (scheme === "light") ? ", no serious axe violation" : ""}`, async () => {
      const failures = [];
      for (const [kind, u] of kinds) {
        const { context, page, problems } = await open(base + u, { viewport: { width, height: 900 }, colorScheme: scheme });
        // The theme follows the system scheme unless the reader chose one.
        const dark = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
        assert.equal(dark, scheme === "dark");
        // Open every collapsed schema field: the widest state of the page.
        await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
        const over = await overflow(page);
        if (over > 1) failures.push(`${kind} (${u}) overflows by ${over}px`);
        // axe in both schemes, once each (phone light, desktop dark): colours and layout differ.
        if ((width === 390) === (scheme === "light")) for (const v of await axe(page)) failures.push(`${kind} (${u}): ${v}`);
        failures.push(...problems.map((p) => `${kind} (${u}): ${p}`));
        await context.close();
      }
      assert.deepEqual(failures, []);
    });
  }
}

test("a collapsed schema field opens and shows its fields", async () => {
  const { context, page } = await open(base + kinds.get("operation-with-schema"), { viewport: { width: 1280, height: 900 } });
  // A handle, not a locator: `:not([open])` would find the next closed field once it opens.
  const details = await page.locator("main details.sf-x:not([open])").first().elementHandle();
  assert.ok(details, "the operation page has a collapsed schema field");
  const inner = await details.$(":scope > ul.schema, :scope > .sf-alts");
  assert.equal(await inner.isVisible(), false, "closed: its fields are hidden");
  await (await details.$(":scope > summary")).click();
  assert.equal(await details.evaluate((d) => d.open), true);
  assert.equal(await inner.isVisible(), true, "open: its fields are shown");
  await context.close();
});

test("a sample tab switches the sample and its copy button copies it", async () => {
  const { context, page } = await open(base + kinds.get("operation-with-schema"), { viewport: { width: 1280, height: 900 }, permissions: ["clipboard-read", "clipboard-write"] });
  const labels = await page.locator(".tabset .tab-label").allTextContents();
  assert.deepEqual(labels.map((l) => l.trim()).slice(0, 4), ["curl", "JavaScript", "Python", "Go"]);
  const curl = page.locator('.tab-panel.sample[data-label="curl"]').first();
  const python = page.locator('.tab-panel.sample[data-label="Python"]').first();
  assert.equal(await curl.isVisible(), true, "the first tab shows first");
  assert.equal(await python.isVisible(), false);
  await page.locator(".tabset .tab-label", { hasText: "Python" }).first().click();
  assert.equal(await python.isVisible(), true, "Python shows after its tab is chosen");
  assert.equal(await curl.isVisible(), false, "curl is hidden then");
  const button = python.locator("button.copy-button");
  assert.equal(await button.count(), 1, "one copy button per sample");
  await button.click();
  await page.waitForFunction(() => document.querySelector('.tab-panel.sample[data-label="Python"] button.copy-button')?.textContent === "Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const shown = await python.locator("pre").textContent();
  assert.equal(copied, shown, "the clipboard holds the Python sample");
  assert.match(copied, /import requests/);
  await context.close();
});

test("without JavaScript the first sample tab is shown and schemas open", async () => {
  const { context, page } = await open(base + kinds.get("operation-with-schema"), { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  assert.equal(await page.locator('.tab-panel.sample[data-label="curl"]').first().isVisible(), true);
  assert.equal(await page.locator('.tab-panel.sample[data-label="Go"]').first().isVisible(), false);
  await page.locator(".tabset .tab-label", { hasText: "Go" }).first().click();
  assert.equal(await page.locator('.tab-panel.sample[data-label="Go"]').first().isVisible(), true, "radio tabs work without scripts");
  const details = await page.locator("main details.sf-x:not([open])").first().elementHandle();
  await (await details.$(":scope > summary")).click();
  assert.equal(await details.evaluate((d) => d.open), true);
  await context.close();
});

test("code samples are not clipped at 1280 px and every language prints", async () => {
  const { context, page } = await open(base + kinds.get("operation-with-schema"), { viewport: { width: 1280, height: 900 } });
  const clipped = await page.evaluate(() => [...document.querySelectorAll(".samples pre")]
    .filter((p) => p.offsetParent !== null && p.scrollWidth > p.clientWidth + 1)
    .map((p) => p.getAttribute("aria-label") || p.textContent.slice(0, 40)));
  assert.deepEqual(clipped, [], "no visible sample scrolls sideways");
  await page.emulateMedia({ media: "print" });
  for (const lang of ["curl", "JavaScript", "Python", "Go"]) {
    assert.equal(await page.locator(`.tab-panel.sample[data-label="${lang}"]`).first().isVisible(), true, `${lang} is printed`);
  }
  await context.close();
});

test("screenshots of home, package, operation (light and dark) and a phone", { skip: !artefacts && "PORTALGEN_ARTEFACTS is not set" }, async () => {
  fs.mkdirSync(artefacts, { recursive: true });
  const shots = [
    ["home", kinds.get("home"), { width: 1280, height: 900 }, "light"],
    ["package", kinds.get("package"), { width: 1280, height: 900 }, "light"],
    ["operation-light", kinds.get("operation-with-schema"), { width: 1280, height: 900 }, "light"],
    ["operation-dark", kinds.get("operation-with-schema"), { width: 1280, height: 900 }, "dark"],
    ["operation-phone", kinds.get("operation-with-schema"), { width: 390, height: 844 }, "light"],
    ["schema-phone", kinds.get("schema"), { width: 390, height: 844 }, "dark"],
  ];
  for (const [name, u, viewport, colorScheme] of shots) {
    const { context, page } = await open(base + u, { viewport, colorScheme });
    const file = path.join(artefacts, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 5000, `${file} holds a picture`);
    await context.close();
  }
});

test("GitHub's biggest pages: no overflow at 390 px, no serious axe violation", { skip: !process.env.PORTALGEN_BIG_SITE && "PORTALGEN_BIG_SITE is not set" }, async () => {
  const big = process.env.PORTALGEN_BIG_SITE;
  const bigBase = await serve(big);
  // The API page, the schemas index, the package page and the biggest operation page.
  const candidates = ["apis/github/", "apis/github/schemas/", ...sitemap(big).filter((u) => u.startsWith("packages/") && u !== "packages/")];
  let biggest = ["", 0];
  for (const u of sitemap(big)) {
    if (!/^apis\/github\/[^/]+\/$/.test(u) || u === "apis/github/schemas/") continue;
    const size = fs.statSync(path.join(big, u, "index.html")).size;
    if (size > biggest[1]) biggest = [u, size];
  }
  candidates.push(biggest[0]);
  const failures = [];
  for (const u of candidates) {
    for (const [width, scheme] of [[390, "light"], [1280, "dark"]]) {
      const { context, page, problems } = await open(bigBase + u, { viewport: { width, height: 900 }, colorScheme: scheme });
      const over = await overflow(page);
      if (over > 1) failures.push(`${u} at ${width}px overflows by ${over}px`);
      if (width === 390) for (const v of await axe(page)) failures.push(`${u}: ${v}`);
      failures.push(...problems.map((p) => `${u}: ${p}`));
      await context.close();
    }
  }
  assert.deepEqual(failures, []);
});
