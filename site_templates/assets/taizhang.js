/* Taizhang: sortable tables and a filter box above each table. No inline script, no other
   host. Runs on every page load, including Material's instant navigation. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }

  // A whole number or decimal ("1,234", "66.7", "100.0"): compared as a number, so 100.0 comes
  // after 66.7 and 8.0 before 21.5. Cells without a number ("—") come before the numbers.
  var NUMBER = /^-?\d+(\.\d+)?$/;

  function compare(a, b) {
    var x = a.replace(/,/g, ""), y = b.replace(/,/g, "");
    var xNumber = NUMBER.test(x), yNumber = NUMBER.test(y);
    if (xNumber && yNumber) return parseFloat(x) - parseFloat(y);
    if (xNumber !== yNumber) return xNumber ? 1 : -1;
    return a.localeCompare(b, "zh-Hans-CN");
  }

  function makeSortable(table) {
    if (table.getAttribute("data-ready")) return;
    table.setAttribute("data-ready", "1");
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      th.setAttribute("tabindex", "0");
      th.setAttribute("role", "columnheader button");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var result = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }

  function makeFilter(input) {
    if (input.getAttribute("data-ready")) return;
    input.setAttribute("data-ready", "1");
    var table = document.getElementById(input.getAttribute("data-table"));
    if (!table) return;
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  }

  // A table wider than its box scrolls sideways inside its wrapper (wide screens: e.g. a year of
  // weekly cadence columns): the wrapper then takes keyboard focus, so it can be scrolled with
  // the arrow keys, and is named by the table's caption. Wrappers that fit stay out of the tab order.
  function markScrollable() {
    document.querySelectorAll(".tz-table-wrap").forEach(function (wrap) {
      var table = wrap.querySelector("table");
      if (table && wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", table.caption ? table.caption.textContent : "表格");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  // Record and list pages do not repeat the site's navigation (100,000 pages would carry it):
  // their drawer holds a link to the site map, and the list it stands for is loaded here, once
  // per visit (the browser caches the file), from the file the list names (data-tz-nav). Its
  // links are relative to the site root; the page's own way to the root goes before each.
  var navigation = {};
  function fillNavigation() {
    var list = document.querySelector("ul[data-tz-nav]");
    if (!list || list.getAttribute("data-ready")) return;
    list.setAttribute("data-ready", "1");
    var source = list.getAttribute("data-tz-nav");
    var root = source.replace(/assets\/[^\/]*$/, "");
    var url = new URL(source, location.href).href;
    if (!navigation[url]) {
      navigation[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
    }
    navigation[url].then(function (data) {
      var parsed = new DOMParser().parseFromString("<ul>" + data.items + "</ul>", "text/html").querySelector("ul");
      if (!parsed || !list.isConnected) return;
      parsed.querySelectorAll("[href]").forEach(function (a) {
        var href = a.getAttribute("href");
        a.setAttribute("href", root + (href === "./" ? "" : href) || "./");
      });
      var items = document.createDocumentFragment();
      while (parsed.firstChild) items.appendChild(document.adoptNode(parsed.firstChild));
      list.replaceChildren(items);
      list.querySelectorAll("input.md-nav__toggle").forEach(function (toggle) {
        var nested = toggle.parentNode.querySelector("nav[aria-expanded]");
        if (nested) toggle.addEventListener("change", function () {
          nested.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
        });
      });
    }).catch(function () { /* the link to the site map stays */ });
  }

  function init() {
    fillNavigation();
    document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
    document.querySelectorAll("input.tz-filter").forEach(makeFilter);
    markScrollable();
  }

  var resizing;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(markScrollable, 200);
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
