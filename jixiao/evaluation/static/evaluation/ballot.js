// Ballot page: the grid keyboard of core/grid.js (Enter down a column, Ctrl+S saves a
// draft), category screens switch without a reload, and the forced-distribution counts
// of core/distribution.js are recomputed on every keystroke under each column.
(function () {
  var form = document.getElementById("jx-ballot");
  if (!form) { return; }
  var config = JSON.parse(form.getAttribute("data-config"));

  function number(field) {
    if (field.tagName === "SELECT") {
      var raw = (field.value || "").trim();
      return raw in config.grades ? parseFloat(config.grades[raw]) : null;
    }
    return window.jxDistribution.number(field.value);
  }

  function recount() {
    var blocked = false;
    form.querySelectorAll("section.jx-screen").forEach(function (screen) {
      screen.querySelectorAll("td.jx-dist").forEach(function (cell) {
        var col = cell.getAttribute("data-col");
        var fields = screen.querySelectorAll('[data-col="' + col + '"]:not(td)');
        var values = Array.prototype.map.call(fields, number);
        blocked = window.jxDistribution.show(cell, values, config) || blocked;
      });
    });
    var submit = document.getElementById("jx-submit");
    var note = document.getElementById("jx-dist-block");
    if (config.policy === "refuse" && submit) {
      submit.disabled = blocked;
      if (note) { note.hidden = !blocked; }
    }
  }

  window.jxGrid(form, { save: 'button[value="save"]', onInput: recount });
  form.querySelectorAll("[data-screen]").forEach(function (button) {
    if (button.tagName !== "BUTTON") { return; }
    button.addEventListener("click", function () {
      var which = button.getAttribute("data-screen");
      form.querySelectorAll("section.jx-screen").forEach(function (s) {
        s.hidden = s.getAttribute("data-screen") !== which;
      });
      form.querySelectorAll("button[data-screen]").forEach(function (b) {
        b.classList.toggle("btn-primary", b === button);
        b.classList.toggle("btn-outline-primary", b !== button);
      });
    });
  });
  recount();
})();
