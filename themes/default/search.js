/* portalgen default theme: the search box. theme.js loads this file on first use of the box;
 * it loads Pagefind's search code and index (pagefind/) and draws the results itself, in the
 * theme's look: grouped by kind (operations, APIs, schemas, packages, guides; the group of the
 * best result first), each with an excerpt, a guide result pointing at its best section.
 * Keys: arrows move through every result, Enter opens, Escape clears ("/" focusing the box
 * is theme.js's, so it works before this file loads).
 * Only Pagefind's chunks for the words typed and the fragments of the shown results are
 * fetched. Excerpts are inserted as text (only Pagefind's <mark> highlights become markup).
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-search-root]");
  if (!box || box.getAttribute("data-search-ready")) return;
  box.setAttribute("data-search-ready", "");
  var root = new URL(box.getAttribute("data-search-root") || "./", location.href);
  var input = box.querySelector("input");
  var list = box.querySelector("#search-results");
  var panel = box.querySelector(".search-panel");
  var status = box.querySelector(".search-status");
  var SHOWN = 20;
  var PLURAL = { API: "APIs", Operation: "Operations", Schema: "Schemas", Package: "Packages", Guide: "Guides" };
  var engine = null, failed = false, seq = 0, current = -1;

  function load() {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return pf.options({
          basePath: new URL("pagefind/", root).pathname,
          baseUrl: root.pathname,
          excerptLength: 16
        }).then(function () { return pf.init(); }).then(function () { return pf; });
      }).catch(function () { failed = true; return null; });
    }
    return engine;
  }

  // Pagefind's excerpt as nodes: its <mark> highlights kept, anything else as plain text.
  function excerpt(html) {
    var frag = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    doc.body.childNodes.forEach(function (n) {
      if (n.nodeName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = n.textContent;
        frag.appendChild(m);
      } else {
        frag.appendChild(document.createTextNode(n.textContent));
      }
    });
    return frag;
  }

  function option(d, i) {
    var meta = d.meta || {};
    var kind = meta.kind || "Page";
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    li.id = "search-result-" + i;
    var a = document.createElement("a");
    a.tabIndex = -1;
    var title = meta.title || d.url;
    var text = d.excerpt;
    a.href = d.url;
    // A guide: point at the section that matched best (not the page top).
    var sub = (d.sub_results || []).filter(function (s) { return s.url !== d.url && s.url.indexOf("#") > 0; })[0];
    if (kind === "Guide" && sub) {
      a.href = sub.url;
      title = title + " › " + sub.title;
      text = sub.excerpt;
    }
    var t = document.createElement("span");
    t.className = "search-title";
    t.textContent = title;
    a.appendChild(t);
    if (meta.method) {
      var m = document.createElement("span");
      m.className = "search-meta";
      m.textContent = meta.method + " " + meta.path + (meta.api ? " · " + meta.api : "");
      a.appendChild(m);
    } else if (meta.api) {
      var s = document.createElement("span");
      s.className = "search-meta";
      s.textContent = meta.api;
      a.appendChild(s);
    }
    if (text) {
      var e = document.createElement("span");
      e.className = "search-excerpt";
      e.appendChild(excerpt(text));
      a.appendChild(e);
    }
    li.appendChild(a);
    return { kind: kind, li: li };
  }

  function show(items, total, query) {
    list.textContent = "";
    current = -1;
    input.removeAttribute("aria-activedescendant");
    if (!query) {
      panel.hidden = true;
      status.textContent = "";
      input.setAttribute("aria-expanded", "false");
      return;
    }
    var groups = [], byKind = {};
    items.forEach(function (it) {
      if (!byKind[it.kind]) { byKind[it.kind] = []; groups.push(it.kind); }
      byKind[it.kind].push(it.li);
    });
    groups.forEach(function (kind, g) {
      var group = document.createElement("li");
      group.setAttribute("role", "group");
      group.setAttribute("aria-labelledby", "search-group-" + g);
      var head = document.createElement("div");
      head.className = "search-group";
      head.id = "search-group-" + g;
      head.textContent = PLURAL[kind] || kind;
      var ul = document.createElement("ul");
      ul.setAttribute("role", "none");
      byKind[kind].forEach(function (li) { ul.appendChild(li); });
      group.appendChild(head);
      group.appendChild(ul);
      list.appendChild(group);
    });
    list.hidden = !items.length;
    status.className = "search-status " + (items.length ? "search-count" : "search-none");
    status.textContent = failed ? "Search is unavailable here: open the portal through a web server"
      : !items.length ? "No results"
      : total > items.length ? "Best " + items.length + " of " + total + " results: add words to narrow them"
      : total + (total === 1 ? " result" : " results");
    panel.hidden = false;
    panel.setAttribute("data-query", query);
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function run() {
    var query = input.value.trim();
    var mine = ++seq;
    if (!query) return show([], 0, "");
    load().then(function (pf) {
      if (!pf) return { results: [] };
      return pf.debouncedSearch(query, {}, 120);
    }).then(function (r) {
      if (!r || mine !== seq) return null; // superseded by a newer query
      var top = r.results.slice(0, SHOWN);
      return Promise.all(top.map(function (x) { return x.data(); })).then(function (data) {
        if (mine !== seq) return;
        show(data.map(option), r.results.length, query);
      });
    });
  }

  function move(step) {
    var items = list.querySelectorAll("[role=option]");
    if (!items.length) return;
    if (current >= 0) items[current].removeAttribute("aria-selected");
    current = (current + step + items.length) % items.length;
    items[current].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", items[current].id);
    items[current].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("input", run);
  input.addEventListener("focus", function () { if (input.value.trim() && panel.hidden) run(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter") {
      if (panel.hidden) return;
      var links = list.querySelectorAll("[role=option] a");
      var target = links[current >= 0 ? current : 0];
      if (target) { e.preventDefault(); location.href = target.href; }
    } else if (e.key === "Escape") { input.value = ""; seq++; show([], 0, ""); }
  });
  document.addEventListener("click", function (e) {
    if (!box.contains(e.target)) { panel.hidden = true; input.setAttribute("aria-expanded", "false"); }
  });
  load();
  if (input.value.trim()) run();
})();
