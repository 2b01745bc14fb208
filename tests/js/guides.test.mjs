// Guides in real headless Chromium (playwright-core, Debian's chromium): accessibility
// (axe-core: no serious or critical violation), no horizontal overflow and no console errors
// at phone and desktop widths in light and dark, the table of contents reachable at every
// width, code blocks reachable by keyboard. Run by tests/testsuite/guides.rs with
// PORTALGEN_SITE (a built portal) and PORTALGEN_GUIDES (comma-separated guide URLs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serve } from "./first-search.mjs";

const site = process.env.PORTALGEN_SITE;
const guides = (process.env.PORTALGEN_GUIDES || "").split(",").filter(Boolean);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser, server, base;

before(async () => {
  assert.ok(site && fs.existsSync(path.join(site, "index.html")), "PORTALGEN_SITE must point at a built portal");
  assert.ok(guides.length, "PORTALGEN_GUIDES names the guides to test");
  [server, base] = await serve(site);
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(url, width, colorScheme) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url);
  await page.waitForLoadState("networkidle");
  return { context, page, problems };
}

for (const guide of guides) {
  for (const width of [390, 1280]) {
    for (const scheme of ["light", "dark"]) {
      test(`${guide} at ${width}px, ${scheme}: axe finds nothing serious, no overflow, no errors`, async () => {
        const { context, page, problems } = await open(base + guide, width, scheme);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
        await page.addScriptTag({ content: axeSource });
        const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`));
        assert.deepEqual(found, []);
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  }
}

test("the table of contents is reachable on a phone and beside the text on a desktop", async () => {
  const guide = guides[0];
  const phone = await open(base + guide, 390, "light");
  const inline = phone.page.locator("details.toc-inline");
  assert.equal(await inline.isVisible(), true, "the collapsible contents show on a phone");
  await inline.locator("summary").click();
  const link = inline.locator("a").nth(1);
  const id = (await link.getAttribute("href")).slice(1);
  await link.click();
  await phone.page.waitForURL(new RegExp(`#${id}$`));
  // In view once any smooth scrolling has ended.
  await phone.page.waitForFunction((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= -1 && r.bottom <= window.innerHeight;
  }, id, { timeout: 5000 });
  await phone.context.close();
  const desk = await open(base + guide, 1280, "light");
  assert.equal(await desk.page.locator("details.toc-inline").isVisible(), false, "one contents per width");
  const aside = desk.page.locator("aside a[href^='#']");
  assert.ok(await aside.count() > 1, "the contents column shows beside the text");
  assert.equal(await aside.first().isVisible(), true);
  await desk.context.close();
});

test("code blocks and heading anchors are reachable by keyboard", async () => {
  const { context, page } = await open(base + guides[0], 1280, "light");
  const seen = new Set();
  for (let i = 0; i < 200 && !(seen.has("PRE") && seen.has("heading-anchor")); i++) {
    await page.keyboard.press("Tab");
    const [tag, cls] = await page.evaluate(() => [document.activeElement.tagName, document.activeElement.className]);
    if (tag === "PRE") seen.add("PRE");
    if (cls === "heading-anchor") {
      // Shown on keyboard focus (after its short fade-in).
      await page.waitForFunction(() => getComputedStyle(document.activeElement).opacity === "1", null, { timeout: 2000 });
      seen.add("heading-anchor");
    }
  }
  assert.ok(seen.has("PRE"), "Tab reaches a code block");
  assert.ok(seen.has("heading-anchor"), "Tab reaches a heading's anchor link");
  await context.close();
});
