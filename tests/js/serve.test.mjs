// `portalgen serve` in real headless Chromium: an open guide page updates when its file is
// saved, and the reader stays where they were. Run by tests/testsuite/browser.rs with
// PORTALGEN_BIN (the portalgen binary) and PORTALGEN_EXAMPLE (the bundled example project).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const bin = process.env.PORTALGEN_BIN;
const example = process.env.PORTALGEN_EXAMPLE;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
let dir, server, base, browser, guide, text;

before(async () => {
  assert.ok(bin && fs.existsSync(bin), "PORTALGEN_BIN must name the portalgen binary");
  assert.ok(example && fs.existsSync(path.join(example, "portal.yaml")), "PORTALGEN_EXAMPLE must name the example project");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portalgen-serve-"));
  fs.cpSync(example, dir, { recursive: true, filter: (src) => path.basename(src) !== "public" });
  // A long guide, so that the reader can be far down the page.
  guide = path.join(dir, "pages", "getting-started.md");
  const filler = Array.from({ length: 150 }, (_, i) => `Paragraph ${i} of the long guide.`).join("\n\n");
  text = `${fs.readFileSync(guide, "utf8")}\n\n${filler}\n`;
  fs.writeFileSync(guide, text);
  server = spawn(bin, ["serve", dir, "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  base = await new Promise((resolve, reject) => {
    let log = "";
    server.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/ at (http:\/\/\S+) \(Ctrl-C/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`portalgen serve exited (${code}):\n${log}`)));
  });
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("a guide edit updates the open page and keeps the scroll position", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const connected = page.waitForResponse((r) => r.url().endsWith("/__portalgen/events"));
  await page.goto(`${base}guides/getting-started/`);
  await connected;
  await page.evaluate(() => window.scrollTo(0, 2000));
  const y = await page.evaluate(() => window.scrollY);
  assert.ok(y > 1500, `scrolled down (${y})`);

  const reloaded = page.waitForEvent("load", { timeout: 30000 });
  fs.writeFileSync(guide, text.replace("Paragraph 120 of the long guide.", "Paragraph 120 was edited."));
  await reloaded;
  await page.waitForFunction(() => document.body.innerText.includes("Paragraph 120 was edited."), null, { timeout: 30000 });
  // Back where the reader was (the client restores it once the page has loaded).
  await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 2, y, { timeout: 10000 });
  assert.equal(await page.locator("#portalgen-overlay").count(), 0);

  // A broken save shows the overlay on the same page without losing the place.
  const packageFile = path.join(dir, "packages", "starter.yaml");
  const good = fs.readFileSync(packageFile, "utf8");
  fs.writeFileSync(packageFile, "name: [oops\n");
  await page.locator("#portalgen-overlay").waitFor({ timeout: 30000 });
  assert.match(await page.locator("#portalgen-overlay").innerText(), /packages\/starter\.yaml:1:/);
  assert.ok(Math.abs((await page.evaluate(() => window.scrollY)) - y) < 2, "still at the same place");
  const fixed = page.waitForEvent("load", { timeout: 30000 });
  fs.writeFileSync(packageFile, good);
  await fixed;
  await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 2, y, { timeout: 10000 });
  assert.equal(await page.locator("#portalgen-overlay").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
