// The index of a large run: sort, filter and page through every article.
// Data comes from the JSON island #index-data; cells are filled with textContent only.
(function () {
  "use strict";
  var island = document.getElementById("index-data");
  var table = document.getElementById("articles");
  var controls = document.getElementById("index-controls");
  if (!island || !table || !controls) { return; }
  var data = JSON.parse(island.textContent);
  var rows = data.rows;  // see srccheck.report.html.index_rows for the fields
  var F = data.fields;
  var PAGE = data.page_rows;
  var body = table.tBodies[0];
  var outcome = document.getElementById("filter-outcome");
  var verdict = document.getElementById("filter-verdict");
  var search = document.getElementById("filter-text");
  var status = document.getElementById("index-status");
  var prev = document.getElementById("page-prev");
  var next = document.getElementById("page-next");
  var sortKey = "worst";
  var sortDown = true;
  var page = 0;
  var shown = rows;

  function worst(r) {
    return [r[F.error] ? 1 : 0, r[F.broken], r[F.contradicted], r[F.transient], r[F.unverifiable], r[F.not_found]];
  }
  function compare(a, b) {
    if (sortKey === "worst") {
      var x = worst(a), y = worst(b);
      for (var i = 0; i < x.length; i++) { if (x[i] !== y[i]) { return y[i] - x[i]; } }
      return a[F.n] - b[F.n];
    }
    var k = F[sortKey], u = a[k], v = b[k];
    var c = typeof u === "number" ? u - v : String(u).localeCompare(String(v));
    if (c === 0) { c = a[F.n] - b[F.n]; }
    return sortDown ? -c : c;
  }
  function keep(r) {
    var o = outcome.value, v = verdict.value, t = search.value.trim().toLowerCase();
    if (o === "findings" && !worst(r).some(function (n) { return n > 0; })) { return false; }
    if (o === "not-checked" && !r[F.error]) { return false; }
    if (o === "ok" && (r[F.error] || r[F.ok] !== r[F.sources])) { return false; }
    if ((o === "broken" || o === "transient" || o === "unverifiable") && !r[F[o]]) { return false; }
    if (v && !r[F[v]]) { return false; }
    if (t && (r[F.title] + " " + r[F.file]).toLowerCase().indexOf(t) < 0) { return false; }
    return true;
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function link(td, href, label) {
    if (!href) { return; }
    if (td.childNodes.length) { td.appendChild(document.createTextNode(" · ")); }
    var a = document.createElement("a");
    a.setAttribute("href", href);
    a.textContent = label;
    td.appendChild(a);
  }
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1);
    var fragment = document.createDocumentFragment();
    shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) {
      var tr = document.createElement("tr");
      cell(tr, r[F.n], "num");
      cell(tr, r[F.title] || "—");
      cell(tr, r[F.file], "mono");
      cell(tr, r[F.date]);
      cell(tr, r[F.state] + (r[F.error] ? " · " + r[F.error] : ""));
      cell(tr, r[F.sources], "num");
      ["ok", "broken", "transient", "unverifiable"].forEach(function (k) { cell(tr, r[F[k]], "num"); });
      var td = cell(tr, "");
      link(td, r[F.html], "HTML");
      link(td, r[F.json], "JSON");
      if (data.archives) { cell(tr, r[F.asked] ? r[F.archived] + "/" + r[F.asked] : "–", "num"); }
      if (data.claims) {
        ["supported", "partial", "contradicted", "not_found", "unverifiable_claims"].forEach(function (k) { cell(tr, r[F[k]], "num"); });
      }
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
    status.textContent = shown.length + " of " + rows.length + " articles · page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function update() {
    shown = rows.filter(keep);
    shown.sort(compare);
    page = 0;
    render();
  }
  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    th.tabIndex = 0;
    th.classList.add("sortable");
    function sortBy() {
      var key = th.getAttribute("data-sort");
      sortDown = key === sortKey ? !sortDown : key !== "title" && key !== "file" && key !== "n";
      sortKey = key;
      table.querySelectorAll("th[data-sort]").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", sortDown ? "descending" : "ascending");
      update();
    }
    th.addEventListener("click", sortBy);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(); } });
  });
  [outcome, verdict].forEach(function (s) { s.addEventListener("change", update); });
  search.addEventListener("input", update);
  prev.addEventListener("click", function () { page -= 1; render(); });
  next.addEventListener("click", function () { page += 1; render(); });
  controls.hidden = false;
  update();
})();
