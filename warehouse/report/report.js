(function () {
  "use strict";
  function key(td) {
    var v = td.getAttribute("data-sort");
    if (v === null) { return td.textContent.trim().toLowerCase(); }
    var n = Number(v);
    return (v !== "" && isFinite(n)) ? n : v.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === typeof b) { return a < b ? -1 : a > b ? 1 : 0; }
    if (a === "") { return 1; }
    if (b === "") { return -1; }
    return typeof a === "number" ? -1 : 1;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var asc = !th.classList.contains("sorted-asc");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.classList.remove("sorted-asc", "sorted-desc"); });
    th.classList.add(asc ? "sorted-asc" : "sorted-desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(key(r1.cells[col]), key(r2.cells[col]));
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.addEventListener("click", function () { sortBy(table, i, th); });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var target = input.getAttribute("data-filter");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      var tables = document.querySelectorAll("table#" + CSS.escape(target) + ", table." + CSS.escape(target));
      tables.forEach(function (table) {
        var shown = 0;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          var ok = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
          r.style.display = ok ? "" : "none";
          if (ok) { shown += 1; }
        });
        var det = table.closest("details");
        if (det) { if (q) { det.open = shown > 0; } det.style.display = (q && !shown) ? "none" : ""; }
      });
    });
  });
  document.querySelectorAll("button.toggle").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var box = document.getElementById(btn.getAttribute("data-target") + "-blocks");
      var open = btn.textContent === "Expand all";
      box.querySelectorAll("details").forEach(function (d) { d.open = open; });
      btn.textContent = open ? "Collapse all" : "Expand all";
    });
  });
  document.querySelectorAll(".canvas a.cell").forEach(function (a) {
    a.addEventListener("click", function () {
      var d = document.getElementById(a.getAttribute("href").slice(1));
      if (d) { d.open = true; }
    });
  });
  document.documentElement.setAttribute("data-report-ready", "1");
})();
