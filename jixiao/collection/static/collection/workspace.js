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
  // 提交本指标: name how many units are still blank on the grid as it is now (typed but
  // unsaved values count as filled; the page asks to save first). Runs in the capture
  // phase, before the shared data-confirm handler reads the text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-blank-check]");
    if (!button) { return; }
    var blank = 0;
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var inputs = row.querySelectorAll("input.form-control:not([disabled])");
      if (!inputs.length) { return; }
      var filled = Array.prototype.some.call(inputs, function (i) { return i.value.trim() !== ""; });
      if (!filled) { blank += 1; }
    });
    if (blank) {
      button.setAttribute("data-confirm", button.getAttribute("data-blank-template").replace("__N__", blank));
    }
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
