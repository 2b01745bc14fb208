// Search in real headless Chromium (playwright-core, Debian's chromium): the theme's search
// box over Pagefind's index. Run by tests/testsuite/search.rs with PORTALGEN_SITE (the
// bundled example) and PORTALGEN_GITHUB_SITE (a portal of GitHub's REST description); a run
// with only PORTALGEN_SITE skips the GitHub tests (search.rs requires that none is skipped).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { serve, measure, indexBytes } from "./first-search.mjs";

const site = process.env.PORTALGEN_SITE;
const github = process.env.PORTALGEN_GITHUB_SITE;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const noGithub = !github && "PORTALGEN_GITHUB_SITE is not set";
const servers = [];
let browser, base, githubBase;

before(async () => {
  assert.ok(site && fs.existsSync(path.join(site, "index.html")), "PORTALGEN_SITE must point at a built portal");
  let server;
  [server, base] = await serve(site);
  servers.push(server);
  if (github) {
    [server, githubBase] = await serve(github);
    servers.push(server);
  }
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  servers.forEach((s) => s.close());
});

async function open(url, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...opts });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url);
  return { context, page, problems };
}

// The options shown for `query`, as [{group, text}] in display order.
async function results(page, query) {
  await page.locator(`.search-panel[data-query="${query}"] .search-status`).filter({ hasText: /result/ }).waitFor();
  return page.locator("#search-results [role=option]").evaluateAll((els) =>
    els.map((e) => ({ group: e.closest("[role=group]").querySelector(".search-group").textContent, text: e.textContent })));
}

test("results are grouped by kind and the keyboard opens one", async () => {
  const { context, page, problems } = await open(base + "guides/getting-started/");
  const input = page.locator("#search-input");
  assert.equal(await input.isVisible(), true);
  // Nothing of the search is loaded before the box is used.
  assert.equal(await page.evaluate(() => performance.getEntriesByType("resource").some((r) => /pagefind|search\.js/.test(r.name))), false);
  await input.fill("order");
  const shown = await results(page, "order");
  assert.ok(shown.length > 1, JSON.stringify(shown));
  const groups = [...new Set(shown.map((r) => r.group))];
  // Each kind appears as one block (results of a kind are together).
  assert.deepEqual(groups, shown.map((r) => r.group).filter((g, i, all) => all.indexOf(g) === i));
  assert.ok(groups.includes("Operations"), groups.join());
  const op = shown.find((r) => /Place an order/.test(r.text));
  assert.ok(op && /POST \/orders/.test(op.text) && op.group === "Operations", JSON.stringify(shown));
  // The listbox and combobox wiring.
  assert.equal(await input.getAttribute("aria-expanded"), "true");
  await input.press("ArrowDown");
  const active = await input.getAttribute("aria-activedescendant");
  assert.equal(await page.locator(`#${active}`).getAttribute("aria-selected"), "true");
  await input.fill("place an order");
  const best = await results(page, "place an order");
  assert.match(best[0].text, /Place an order/);
  await input.press("ArrowDown");
  await Promise.all([page.waitForURL(/apis\/orders\/create-order\/$/), input.press("Enter")]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a word from the middle of a guide finds the guide", async () => {
  const { context, page, problems } = await open(base);
  await page.locator("#search-input").fill("forbidden");
  const shown = await results(page, "forbidden");
  const guide = shown.find((r) => r.group === "Guides" && /Authentication/.test(r.text));
  assert.ok(guide, JSON.stringify(shown));
  assert.match(guide.text, /Forbidden/i, "the excerpt shows the match");
  assert.deepEqual(problems, []);
  await context.close();
});

test("no results says so, Escape clears, and private content is not found", async () => {
  const { context, page, problems } = await open(base + "apis/");
  const input = page.locator("#search-input");
  for (const query of ["zzzz-nothing", "Zephyr", "shipments", "dispatch"]) {
    await input.fill(query);
    await page.locator(`.search-panel[data-query="${query}"] .search-none`).filter({ hasText: "No results" }).waitFor();
    assert.equal(await page.locator("#search-results [role=option]").count(), 0, query);
  }
  await input.fill("order");
  await results(page, "order");
  await input.press("Escape");
  assert.equal(await input.inputValue(), "");
  assert.equal(await page.locator(".search-panel").isVisible(), false);
  // "/" focuses the box from anywhere on the page.
  // (Focus leaves the box without a click, which could land on a link and navigate.)
  await input.evaluate((e) => e.blur());
  assert.notEqual(await page.evaluate(() => document.activeElement.id), "search-input");
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "search-input");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the search box is hidden without JavaScript", async () => {
  const { context, page } = await open(base, { javaScriptEnabled: false });
  assert.equal(await page.locator(".search").isVisible(), false);
  await context.close();
});

test("GitHub: 'secondary rate limiting' finds 'Create an issue', with a small first download", { skip: noGithub }, async () => {
  const { bytes, files, results: shown, context, problems } = await measure(browser, githubBase + "apis/", "secondary rate limiting");
  console.log(`first-search payload: ${bytes} bytes in ${files.length} files\n  ${files.join("\n  ")}`);
  const hit = shown.find((r) => /^Create an issue/.test(r.text));
  assert.ok(hit, shown.map((r) => r.text.slice(0, 60)).join("\n"));
  assert.equal(hit.group, "Operations");
  assert.match(hit.text, /POST \/repos\/\{owner\}\/\{repo\}\/issues/);
  // Chunked: the first search fetches a small part of the index.
  const total = indexBytes(github);
  assert.ok(bytes < 400 * 1024, `first search fetched ${bytes} bytes`);
  assert.ok(bytes < total / 4, `first search fetched ${bytes} of the index's ${total} bytes`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("GitHub: schemas are found by name and grouped as schemas", { skip: noGithub }, async () => {
  const { context, page, problems } = await open(githubBase);
  await page.locator("#search-input").fill("repository ruleset");
  const shown = await results(page, "repository ruleset");
  assert.ok(shown.some((r) => r.group === "Schemas"), shown.map((r) => `${r.group}: ${r.text.slice(0, 40)}`).join("\n"));
  assert.deepEqual(problems, []);
  await context.close();
});
