// Entry grid: the grid keyboard of core/grid.js (Enter moves down a column, Ctrl+S
// saves), changed rows are marked, and for an indicator under forced distribution the
// counts per category (core/distribution.js, the ballot's arithmetic) follow every
// keystroke, red when the rule is broken.
(function () {
  var form = document.getElementById("jx-grid-form");
  if (!form) { return; }
  var raw = form.getAttribute("data-distribution");
  var counter = raw ? JSON.parse(raw) : null;

  function recount() {
    if (!counter) { return; }
    counter.groups.forEach(function (group) {
      var cell = document.querySelector('.jx-dist[data-group="' + group.id + '"]');
      if (!cell) { return; }
      // Every unit of the category counts, saved and submitted ones too (the server
      // checks all of the department's scores of the indicator).
      var fields = form.querySelectorAll('tr[data-group="' + group.id + '"] input[data-col="1"]');
      var values = Array.prototype.map.call(fields, function (f) {
        var grade = (f.value || "").trim().toUpperCase();
        if (counter.grades && grade in counter.grades) {  // a grade counts as points × share
          return parseFloat(counter.grades[grade]) * parseFloat(group.scale);
        }
        return window.jxDistribution.number(f.value);
      });
      window.jxDistribution.show(cell, values, group, cell.getAttribute("data-name") + "：");
    });
  }

  window.jxGrid(form, {
    onInput: function (event) {
      var row = event.target.closest("tr");
      if (row && event.type === "input") { row.classList.add("is-dirty"); }
      recount();
    }
  });
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
  recount();
})();
