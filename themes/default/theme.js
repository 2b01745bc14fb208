/* portalgen default theme: progressive enhancements only. Every page reads and navigates
 * without this file. Loaded synchronously in <head> so the stored colour scheme is applied
 * before first paint; the rest waits for DOMContentLoaded.
 *  1. light/dark toggle (localStorage "portalgen-theme", falls back to prefers-color-scheme)
 *  2. copy buttons on [data-copy] (code blocks, inline paths/URLs) and guide code blocks
 *  3. code sample tabs (radio buttons that work without this file): the chosen language is
 *     remembered and applied on every page
 *  4. scrolls the current navigation entry into view in the sidebar
 *  5. opens collapsed responses before printing
 *  6. shows the search box and loads its code (assets/search.js) on first use
 *  7. remembers which schema fields (<details>) a reader opened on a page, for the session
 */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "portalgen-theme";
  var TAB_KEY = "portalgen-sample";

  function load(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* private mode: ignore */ }
  }

  // 1. Before first paint.
  var stored = load(KEY);
  if (stored === "light" || stored === "dark") root.setAttribute("data-theme", stored);
  root.classList.add("js");

  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function isDark() {
    var t = root.getAttribute("data-theme");
    if (t) return t === "dark";
    return !!(media && media.matches);
  }

  function setupToggle() {
    var buttons = document.querySelectorAll(".theme-toggle");
    function sync() {
      var dark = isDark();
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].setAttribute("aria-pressed", dark ? "true" : "false");
        buttons[i].title = dark ? "Switch to light theme" : "Switch to dark theme";
      }
    }
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var next = isDark() ? "light" : "dark";
        root.setAttribute("data-theme", next);
        save(KEY, next);
        sync();
      });
    }
    if (media && media.addEventListener) media.addEventListener("change", sync);
    sync();
  }

  // 2. Copy buttons.
  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text, done); });
    } else {
      fallbackCopy(text, done);
    }
  }
  function fallbackCopy(text, done) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    try { if (document.execCommand("copy")) done(); } catch (e) { /* nothing to do */ }
    document.body.removeChild(ta);
  }
  function makeButton(cls, target, what) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = "Copy";
    b.setAttribute("aria-label", "Copy " + what);
    b.addEventListener("click", function () {
      copyText(target.textContent, function () {
        b.textContent = "Copied";
        b.classList.add("is-done");
        setTimeout(function () { b.textContent = "Copy"; b.classList.remove("is-done"); }, 1600);
      });
    });
    return b;
  }
  function setupCopy() {
    // Theme code blocks carry data-copy; Markdown code blocks in guides get one too.
    var items = document.querySelectorAll("[data-copy], .prose pre");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      if (el.tagName === "PRE") {
        // The button goes in a bar above the code, never over it (touch screens included).
        var wrap = document.createElement("div");
        wrap.className = "copy-wrap";
        el.parentNode.insertBefore(wrap, el);
        var bar = document.createElement("div");
        bar.className = "code-bar";
        bar.appendChild(makeButton("copy-button", el, el.getAttribute("aria-label") || "code"));
        wrap.appendChild(bar);
        wrap.appendChild(el);
      } else {
        // In the endpoint line the button goes last in the line, outside any heading.
        var box = el.closest ? el.closest(".op-endpoint") : null;
        var b = makeButton("copy-inline", el, el.textContent);
        if (box) box.appendChild(b);
        else el.parentNode.insertBefore(b, el.nextSibling);
      }
    }
  }

  // 3. Sample tabs: radio buttons switch the panels in CSS; here the choice is remembered
  // and the same language is selected in every tab set of the page and on later pages.
  function setupTabs() {
    var radios = document.querySelectorAll(".tabset .tab-radio");
    if (!radios.length) return;
    function choose(label) {
      for (var i = 0; i < radios.length; i++) {
        if (radios[i].value === label) radios[i].checked = true;
      }
    }
    var preferred = load(TAB_KEY);
    if (preferred) choose(preferred);
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener("change", function (e) {
        save(TAB_KEY, e.target.value);
        choose(e.target.value);
      });
    }
  }

  // 6. Schema fields opened by the reader stay open when they come back to the page.
  function setupSchemaState() {
    var all = document.querySelectorAll("details.sf-x");
    if (!all.length || !window.sessionStorage) return;
    var key = "portalgen-open:" + location.pathname;
    var open = [];
    try { open = JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { open = []; }
    for (var i = 0; i < open.length; i++) {
      if (all[open[i]]) all[open[i]].open = true;
    }
    function store() {
      var now = [];
      for (var j = 0; j < all.length; j++) if (all[j].open) now.push(j);
      try { sessionStorage.setItem(key, JSON.stringify(now)); } catch (e) { /* full: ignore */ }
    }
    for (var k = 0; k < all.length; k++) all[k].addEventListener("toggle", store);
  }

  // 4. Keep the current page visible in the (independently scrolling) sidebar.
  function revealCurrent() {
    var side = document.querySelector(".sidebar");
    var cur = side && side.querySelector('[aria-current="page"]');
    if (!cur || side.scrollHeight <= side.clientHeight) return;
    var s = side.getBoundingClientRect();
    var c = cur.getBoundingClientRect();
    if (c.top < s.top || c.bottom > s.bottom) {
      side.scrollTop += c.top - s.top - side.clientHeight / 3;
    }
  }

  // 5. Print everything, including collapsed responses.
  window.addEventListener("beforeprint", function () {
    var closed = document.querySelectorAll("main details:not([open])");
    for (var i = 0; i < closed.length; i++) {
      closed[i].setAttribute("open", "");
      closed[i].setAttribute("data-print-opened", "");
    }
  });
  window.addEventListener("afterprint", function () {
    var opened = document.querySelectorAll("[data-print-opened]");
    for (var i = 0; i < opened.length; i++) {
      opened[i].removeAttribute("open");
      opened[i].removeAttribute("data-print-opened");
    }
  });

  // 6. Search: the box needs JavaScript. Its code (assets/search.js) and Pagefind's index
  // load on first use, so pages that are only read never fetch them.
  function setupSearch() {
    var box = document.querySelector("[data-search-root]");
    if (!box) return;
    var input = box.querySelector("input");
    var started = false;
    box.hidden = false;
    function start() {
      if (started) return;
      started = true;
      var s = document.createElement("script");
      s.src = (box.getAttribute("data-search-root") || "") + "assets/search.js";
      document.head.appendChild(s);
    }
    input.addEventListener("focus", start);
    input.addEventListener("input", start);
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) {
        e.preventDefault();
        input.focus();
      }
    });
  }

  function init() {
    setupSearch();
    setupToggle();
    setupCopy();
    setupTabs();
    setupSchemaState();
    revealCurrent();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
