/* Taizhang: site search in Material's search box, answered by Pagefind. Pagefind's index is cut
   into chunks: a query downloads the few chunks and result fragments it needs, not the whole
   index, which keeps search usable on phones at 100,000 problems. Chinese text is segmented by
   Pagefind's extended build when the site is indexed. No inline script, nothing from another host. */
(function () {
  "use strict";
  if (window.__tzSearch) return;       // Material's instant navigation may run this again
  window.__tzSearch = true;

  var PAGE = 20;
  var config = JSON.parse(document.getElementById("__config").textContent);
  var t = config.translations;
  // config.base is relative to the page first loaded ("..", "."); resolve it once, here
  var base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  var input = document.querySelector(".tz-search-input");
  var meta = document.querySelector(".tz-search-meta");
  var list = document.querySelector(".tz-search-list");
  var toggle = document.getElementById("__search");
  if (!input || !meta || !list || !toggle) return;

  var engine = null;
  function pagefind() {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
        return pf.options({ baseUrl: base.pathname, excerptLength: 40 }).then(function () { return pf; });
      });
    }
    return engine;
  }

  // Pagefind's excerpts mark matches with <mark>; nothing else in them may become markup.
  function excerptHtml(text) {
    return text.replace(/&(?![a-z]+;|#\d+;)/g, "&amp;").replace(/<(?!\/?mark>)/g, "&lt;");
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var h = document.createElement("h1");
    h.textContent = (data.meta && data.meta.title) || data.url;
    var p = document.createElement("p");
    p.innerHTML = excerptHtml(data.excerpt || "");
    article.append(icon, h, p);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  function count(n) {
    if (n === 0) return t["search.result.none"];
    return (n === 1 ? t["search.result.one"] : t["search.result.other"]).replace("#", n);
  }

  var latest = 0;
  function show(results, from) {
    return Promise.all(results.slice(from, from + PAGE).map(function (r) { return r.data(); }))
      .then(function (pages) {
        var old = list.querySelector(".tz-search-more");
        if (old) old.remove();
        pages.forEach(function (data) { list.appendChild(item(data)); });
        if (results.length > from + PAGE) {
          var li = document.createElement("li");
          li.className = "md-search-result__item tz-search-more";
          var button = document.createElement("button");
          button.type = "button";
          button.className = "md-button";
          button.textContent = "显示更多结果";
          button.addEventListener("click", function () { show(results, from + PAGE); });
          li.appendChild(button);
          list.appendChild(li);
        }
      });
  }

  function search() {
    var query = input.value.trim();
    var mine = ++latest;
    if (!query) {
      meta.textContent = t["search.result.placeholder"];
      list.textContent = "";
      return;
    }
    pagefind()
      .then(function (pf) { return pf.debouncedSearch(query, {}, 150); })
      .then(function (found) {
        if (!found || mine !== latest) return;       // a newer query is on its way
        list.textContent = "";
        meta.textContent = count(found.results.length);
        return show(found.results, 0);
      })
      .catch(function () { meta.textContent = "搜索暂时不可用，请稍后再试。"; });
  }

  function open() { if (!toggle.checked) { toggle.checked = true; } }
  input.addEventListener("focus", function () { open(); pagefind(); });
  input.addEventListener("input", search);
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a.md-search-result__link");
    if (first) location.href = first.href;
  });
  input.form.addEventListener("reset", function () { setTimeout(search, 0); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { toggle.checked = false; input.blur(); }
  });
  toggle.addEventListener("change", function () { if (toggle.checked) input.focus(); });
  list.addEventListener("click", function (event) {
    if (event.target.closest("a")) toggle.checked = false;
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); open(); input.focus(); }
  });
})();
