// Entry grid: Enter moves down a column, Ctrl+S saves, changed rows are marked.
(function () {
  var form = document.getElementById("jx-grid-form");
  if (!form) { return; }
  var dirty = false;
  form.addEventListener("input", function (event) {
    var row = event.target.closest("tr");
    if (row) { row.classList.add("is-dirty"); }
    dirty = true;
  });
  form.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (event.key !== "Enter" || cell.tagName !== "INPUT") { return; }
    event.preventDefault();
    var column = cell.getAttribute("data-col");
    var row = cell.closest("tr");
    var step = event.shiftKey ? "previousElementSibling" : "nextElementSibling";
    for (var next = row[step]; next; next = next[step]) {
      var target = next.querySelector('[data-col="' + column + '"]:not([disabled])');
      if (target) { target.focus(); target.select(); return; }
    }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      dirty = false;
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
