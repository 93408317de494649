// Progressive enhancement only: the page is complete without this script.
(function () {
  "use strict";
  var box = document.getElementById("filter");
  var table = document.getElementById("sources");
  if (box && table) {
    var select = box.querySelector("select");
    var rows = table.querySelectorAll("tbody tr[data-outcome]");
    select.addEventListener("change", function () {
      rows.forEach(function (row) {
        row.hidden = select.value !== "" && row.getAttribute("data-outcome") !== select.value;
      });
    });
    box.hidden = false;
  }
  // Following a highlight (#claim-…) opens that claim's evidence.
  function openTarget() {
    var id;
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { return; }
    var target = id ? document.getElementById(id) : null;
    var details = target ? target.querySelector("details") : null;
    if (details) { details.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  // Print every redirect chain, not only the opened ones.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
