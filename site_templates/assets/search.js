/* Taizhang: site search in Material's search box. The index (search/, written by
   generator/site/search.py) is cut into shards: a query fetches the shards of its own terms and the
   document files of the results it shows, never the whole index, so search stays light on a
   phone at 100,000 problems. Chinese is matched by overlapping character pairs, exactly as it
   was indexed. No inline script, nothing from another host; result text is inserted as text. */
(function () {
  "use strict";
  if (window.__tzSearch) return;       // Material's instant navigation may run this again
  window.__tzSearch = true;

  var SHOWN = 20;
  var CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var TERMS = new RegExp("[" + CJK + "]+|[0-9a-z]+", "g");
  var config = JSON.parse(document.getElementById("__config").textContent);
  var t = config.translations;
  // config.base is relative to the page first loaded ("..", "."); resolve it once, here
  var base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  dialog();
  var input = document.querySelector(".tz-search-input");
  var meta = document.querySelector(".tz-search-meta");
  var list = document.querySelector(".tz-search-list");
  var toggle = document.getElementById("__search");
  if (!input || !meta || !list || !toggle) return;

  // Material's search dialog, built here once rather than written into each of 100,000 pages
  // (it works only with this script anyway). The form is not named "search" and carries no
  // data-md-component, so Material's own search (which would download the whole index) never
  // starts. Icons: Material's magnify, arrow-left and close (Material Design Icons).
  function dialog() {
    var button = document.querySelector(".md-header__button[for='__search']");
    if (!button || document.querySelector(".md-search")) return;
    var SVG = "http://www.w3.org/2000/svg";
    function icon(path) {
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", "0 0 24 24");
      var p = document.createElementNS(SVG, "path");
      p.setAttribute("d", path);
      svg.appendChild(p);
      return svg;
    }
    function el(tag, attributes, children) {
      var node = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
      (children || []).forEach(function (child) { node.append(child); });
      return node;
    }
    var root = el("div", { "class": "md-search", role: "dialog", "aria-label": "查找" }, [
      el("label", { "class": "md-search__overlay", "for": "__search" }),
      el("div", { "class": "md-search__inner", role: "search" }, [
        el("form", { "class": "md-search__form", name: "tz-search" }, [
          el("input", { type: "text", "class": "md-search__input tz-search-input", name: "query", "aria-label": "搜索",
                        placeholder: "搜索", autocapitalize: "off", autocorrect: "off", autocomplete: "off",
                        spellcheck: "false", required: "" }),
          el("label", { "class": "md-search__icon md-icon", "for": "__search" }, [
            icon("M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"),
            icon("M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z")]),
          el("nav", { "class": "md-search__options", "aria-label": "查找" }, [
            el("button", { type: "reset", "class": "md-search__icon md-icon", title: "清空当前内容", "aria-label": "清空当前内容",
                           tabindex: "-1" }, [
              icon("M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z")])])]),
        el("div", { "class": "md-search__output" }, [
          el("div", { "class": "md-search__scrollwrap", tabindex: "0" }, [
            el("div", { "class": "md-search-result" }, [
              el("div", { "class": "md-search-result__meta tz-search-meta", "aria-live": "polite" }, [t["search.result.placeholder"]]),
              el("ol", { "class": "md-search-result__list tz-search-list", role: "presentation" })])])])])]);
    button.after(root);
  }

  function terms(text) {
    var found = [];
    (text.toLowerCase().match(TERMS) || []).forEach(function (run) {
      if (/^[0-9a-z]/.test(run)) { found.push(run); return; }
      for (var i = 0; i + 1 < run.length; i++) found.push(run.slice(i, i + 2));
    });
    return found.filter(function (term, i) { return found.indexOf(term) === i; });
  }

  function shardOf(term, shards) {      // FNV-1a over UTF-16 code units, as generator/site/search.py
    var h = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      h ^= term.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % shards;
  }

  var cache = {};
  function json(path, fresh) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base).href, fresh ? { cache: "no-cache" } : {})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    }
    return cache[path];
  }
  function manifest() { return json("search/manifest.json", true); }

  function ids(deltas) {
    var out = [], id = 0;
    for (var i = 0; i < (deltas || []).length; i++) { id += deltas[i]; out.push(id); }
    return out;
  }

  // Documents holding every term of the query, best first: a term in the title counts more
  // than one in the text. A term too common to be indexed in the text (in most pages) must be
  // in the title.
  function find(query) {
    return manifest().then(function (m) {
      var wanted = terms(query);
      if (!wanted.length) return { manifest: m, docs: [], wanted: wanted };
      return Promise.all(wanted.map(function (term) {
        return json("search/t/" + shardOf(term, m.shards) + ".json?v=" + m.version);
      })).then(function (shards) {
        var score = new Map();
        // a shard is a parsed JSON object: look terms up as own keys only, or a query such
        // as "constructor" finds Object.prototype's members
        function postings(shard, key) {
          return Object.prototype.hasOwnProperty.call(shard, key) ? shard[key] : undefined;
        }
        wanted.forEach(function (term, i) {
          var inTitle = ids(postings(shards[i], "^" + term));
          var titleSet = new Set(inTitle);
          var holding = m.common.indexOf(term) >= 0 ? inTitle : ids(postings(shards[i], term));
          holding.forEach(function (id) {
            var s = score.get(id);
            if (s === undefined && i > 0) return;        // must hold every earlier term
            score.set(id, [(s ? s[0] : 0) + 1, (s ? s[1] : 0) + (titleSet.has(id) ? 1 : 0)]);
          });
        });
        var docs = [];
        score.forEach(function (s, id) { if (s[0] === wanted.length) docs.push([id, s[1]]); });
        docs.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        return { manifest: m, docs: docs.map(function (d) { return d[0]; }), wanted: wanted };
      });
    });
  }

  function document_(m, id) {
    var file = Math.floor(id / m.docs_per_file);
    return json("search/d/" + file + ".json?v=" + m.version).then(function (docs) {
      return docs[id % m.docs_per_file];
    });
  }

  // Text with the query's terms marked; built from text nodes, so record text stays text.
  function highlight(element, text, wanted) {
    var pairs = wanted.filter(function (w) { return w.length > 1; });
    var i = 0, plain = "";
    while (i < text.length) {
      var hit = pairs.find(function (w) { return text.substr(i, w.length).toLowerCase() === w; });
      if (!hit) { plain += text[i]; i += 1; continue; }
      var end = i + hit.length;      // extend over overlapping pairs: 盘龙 + 龙区 → 盘龙区
      for (var more = true; more;) {
        more = pairs.some(function (w) {
          if (text.substr(end - 1, w.length).toLowerCase() === w && w.length > 1) { end += w.length - 1; return true; }
          return false;
        });
      }
      element.append(plain);
      plain = "";
      var mark = document.createElement("mark");
      mark.textContent = text.slice(i, end);
      element.append(mark);
      i = end;
    }
    element.append(plain);
  }

  function item(doc, wanted) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = new URL(doc[0], base).href;
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var h = document.createElement("h1");
    highlight(h, doc[1], wanted);
    var p = document.createElement("p");
    highlight(p, doc[2], wanted);
    article.append(icon, h, p);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  function count(n) {
    if (n === 0) return t["search.result.none"];
    return (n === 1 ? t["search.result.one"] : t["search.result.other"]).replace("#", n);
  }

  function show(found, from, mine) {
    var shown = found.docs.slice(from, from + SHOWN);
    return Promise.all(shown.map(function (id) { return document_(found.manifest, id); }))
      .then(function (docs) {
        if (mine !== latest) return;
        var old = list.querySelector(".tz-search-more");
        if (old) old.remove();
        docs.forEach(function (doc) { list.appendChild(item(doc, found.wanted)); });
        if (found.docs.length > from + SHOWN) {
          var li = document.createElement("li");
          li.className = "md-search-result__item tz-search-more";
          var button = document.createElement("button");
          button.type = "button";
          button.className = "md-button";
          button.textContent = "显示更多结果";
          button.addEventListener("click", function () { show(found, from + SHOWN, mine); });
          li.appendChild(button);
          list.appendChild(li);
        }
      });
  }

  var latest = 0, timer = null;
  function search() {
    var query = input.value.trim();
    var mine = ++latest;
    clearTimeout(timer);
    if (!query) {
      meta.textContent = t["search.result.placeholder"];
      list.textContent = "";
      return;
    }
    timer = setTimeout(function () {
      find(query).then(function (found) {
        if (mine !== latest) return;                 // a newer query is on its way
        list.textContent = "";
        meta.textContent = found.wanted.length ? count(found.docs.length) : "请输入至少两个汉字或一个词";
        return show(found, 0, mine);
      }).catch(function () {
        if (mine === latest) meta.textContent = "搜索暂时不可用，请稍后再试。";
      });
    }, 120);
  }

  function open() { if (!toggle.checked) toggle.checked = true; }
  input.addEventListener("focus", function () { open(); manifest().catch(function () {}); });
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
