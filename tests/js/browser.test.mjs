// Browser tests of a built portal in real headless Chromium (playwright-core, Debian's
// chromium). Run by tests/testsuite/browser.rs with PORTALGEN_SITE set to a built site folder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const site = process.env.PORTALGEN_SITE;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
let server, base, browser;

const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain", ".yaml": "application/yaml" };

before(async () => {
  assert.ok(site && fs.existsSync(path.join(site, "index.html")), "PORTALGEN_SITE must point at a built portal");
  server = http.createServer((req, res) => {
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
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

function pages() {
  const xml = fs.readFileSync(path.join(site, "sitemap.xml"), "utf8");
  const origin = xml.match(/<loc>([^<]*)<\/loc>/)[1];
  return [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].slice(origin.length));
}

test("every page loads without script errors, failed requests or outside requests", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  // A navigation aborts the previous page's pending requests (net::ERR_ABORTED): not a failure.
  page.on("requestfailed", (r) => { if (!/ERR_ABORTED/.test(r.failure()?.errorText ?? "")) problems.push(`failed request: ${r.url()} ${r.failure()?.errorText}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) problems.push(`outside request: ${r.url()}`); });
  const urls = pages();
  assert.ok(urls.length > 10, `sitemap lists ${urls.length} pages`);
  for (const u of urls) {
    const resp = await page.goto(base + u, { waitUntil: "networkidle" });
    assert.equal(resp.status(), 200, u);
    const h1 = await page.locator("h1").count();
    assert.ok(h1 >= 1, `${u} has a heading`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("the theme toggle switches and remembers the colour scheme", async () => {
  const context = await browser.newContext({ colorScheme: "light" });
  const page = await context.newPage();
  await page.goto(base);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const before = await bg();
  await page.locator(".theme-toggle").first().click();
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute("data-theme")), "dark");
  const dark = await bg();
  assert.notEqual(dark, before, "background changes");
  await page.goto(base + "apis/");
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute("data-theme")), "dark", "choice persists");
  assert.equal(await bg(), dark);
  await context.close();
});

test("on a phone the navigation opens from the menu button without JavaScript", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  await page.goto(base + "apis/");
  const nav = page.locator("#site-nav");
  assert.equal(await nav.isVisible(), false, "navigation hidden at first");
  await page.locator("label.menu-button").click();
  assert.equal(await nav.isVisible(), true, "navigation shown after tapping Menu");
  // No horizontal scrolling on a phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page overflows by ${overflow}px`);
  await context.close();
});

test("operation pages show samples beside the content on wide screens", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const op = pages().find((u) => /^apis\/[^/]+\/[^/]+\/$/.test(u) && !u.endsWith("/schemas/"));
  await page.goto(base + op);
  const main = await page.locator("main").boundingBox();
  const aside = await page.locator("aside").first().boundingBox();
  assert.ok(aside && main, "main and aside rendered");
  assert.ok(aside.x >= main.x + main.width - 1, "aside is to the right of the content");
  const code = await page.locator("aside pre").first().textContent();
  assert.match(code, /curl/);
  await context.close();
});

test("search finds operations, packages and guides and opens the chosen one", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + "guides/getting-started/");
  const input = page.locator("#search-input");
  assert.equal(await input.isVisible(), true, "search box shown when JavaScript runs");
  await input.fill("place order");
  const first = page.locator("#search-results [role=option]").first();
  await first.waitFor();
  assert.match(await first.textContent(), /Place an order/);
  assert.match(await first.textContent(), /POST \/orders/);
  await input.fill("starter");
  await page.locator("#search-results [role=option]").first().waitFor();
  assert.match(await page.locator("#search-results").textContent(), /Starter bundle/);
  await input.fill("zzzz-nothing");
  await page.locator(".search-none").waitFor();
  await input.fill("place order");
  await page.locator("#search-results [role=option]").first().waitFor();
  await input.press("ArrowDown");
  await Promise.all([page.waitForURL(/apis\/orders\/create-order\/$/), input.press("Enter")]);
  await context.close();
});

test("without JavaScript the search box is not shown", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(base);
  assert.equal(await page.locator(".search").isVisible(), false);
  await context.close();
});
