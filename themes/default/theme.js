/* portalgen default theme: progressive enhancements only. Every page reads and navigates
 * without this file. Loaded synchronously in <head> so the stored colour scheme is applied
 * before first paint; the rest waits for DOMContentLoaded.
 *  1. light/dark toggle (localStorage "portalgen-theme", falls back to prefers-color-scheme)
 *  2. copy buttons on [data-copy] (code blocks, inline paths/URLs) and guide code blocks
 *  3. tabs for code samples ([data-tabs]); the chosen language is remembered
 *  4. scrolls the current navigation entry into view in the sidebar
 *  5. opens collapsed responses before printing
 *  6. shows the search box and loads its code (assets/search.js) on first use
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
        var wrap = document.createElement("div");
        wrap.className = "copy-wrap";
        el.parentNode.insertBefore(wrap, el);
        wrap.appendChild(el);
        wrap.appendChild(makeButton("copy-button", el, "code"));
      } else {
        // In the endpoint line the button goes last in the line, outside any heading.
        var box = el.closest ? el.closest(".op-endpoint") : null;
        var b = makeButton("copy-inline", el, el.textContent);
        if (box) box.appendChild(b);
        else el.parentNode.insertBefore(b, el.nextSibling);
      }
    }
  }

  // 3. Sample tabs (ARIA tabs pattern, arrow keys move between tabs).
  function setupTabs() {
    var groups = document.querySelectorAll("[data-tabs]");
    var preferred = load(TAB_KEY);
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g];
      var panels = group.querySelectorAll(".sample");
      if (panels.length < 2) continue;
      var list = document.createElement("div");
      list.className = "tabs";
      list.setAttribute("role", "tablist");
      list.setAttribute("aria-label", "Sample language");
      var tabs = [];
      var start = 0;
      for (var i = 0; i < panels.length; i++) {
        var label = panels[i].getAttribute("data-label") || "Sample " + (i + 1);
        if (label === preferred) start = i;
        var id = "sample-" + g + "-" + i;
        panels[i].id = id;
        panels[i].setAttribute("role", "tabpanel");
        var t = document.createElement("button");
        t.type = "button";
        t.setAttribute("role", "tab");
        t.setAttribute("aria-controls", id);
        t.textContent = label;
        list.appendChild(t);
        tabs.push(t);
        panels[i].setAttribute("aria-label", label);
      }
      var select = (function (tabs, panels) {
        return function (n, remember, focus) {
          for (var k = 0; k < tabs.length; k++) {
            var on = k === n;
            tabs[k].setAttribute("aria-selected", on ? "true" : "false");
            tabs[k].tabIndex = on ? 0 : -1;
            panels[k].hidden = !on;
          }
          if (focus) tabs[n].focus();
          if (remember) save(TAB_KEY, panels[n].getAttribute("data-label"));
        };
      })(tabs, panels);
      tabs.forEach(function (t, n, all) {
        t.addEventListener("click", function () { select(n, true, false); });
        t.addEventListener("keydown", function (e) {
          var d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
          if (!d) return;
          e.preventDefault();
          select((n + d + all.length) % all.length, true, true);
        });
      });
      var first = panels[0];
      first.parentNode.insertBefore(list, first);
      group.classList.add("has-tabs");
      select(start, false, false);
    }
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
    revealCurrent();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
