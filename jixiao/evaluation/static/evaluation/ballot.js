// Ballot page: Enter moves down a column (like the collection grid), Ctrl+S saves a
// draft, category screens switch without a reload, and the forced-distribution counts
// are recomputed on every keystroke with the server's arithmetic
// (jixiao/evaluation/distribution.py): at most floor(30% n) at >= 90% of the scale, at
// least ceil(20% n) below 80% of it, no full marks, only from minUnits units up.
(function () {
  var form = document.getElementById("jx-ballot");
  if (!form) { return; }
  var config = JSON.parse(form.getAttribute("data-config"));
  var dirty = false;

  function number(field) {
    var raw = (field.value || "").trim();
    if (raw === "") { return null; }
    if (field.tagName === "SELECT") {
      return raw in config.grades ? parseFloat(config.grades[raw]) : null;
    }
    raw = raw.replace(/[０-９．]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
    var value = parseFloat(raw.replace(/%$/, ""));
    return isNaN(value) ? null : value;
  }

  function recount() {
    var blocked = false;
    form.querySelectorAll("section.jx-screen").forEach(function (screen) {
      screen.querySelectorAll("td.jx-dist").forEach(function (cell) {
        var col = cell.getAttribute("data-col");
        var fields = screen.querySelectorAll('[data-col="' + col + '"]:not(td)');
        var n = fields.length, high = 0, low = 0, full = 0;
        fields.forEach(function (f) {
          var v = number(f);
          if (v === null) { return; }
          if (v >= parseFloat(config.high)) { high++; }
          if (v < parseFloat(config.low)) { low++; }
          if (v >= parseFloat(config.scale)) { full++; }
        });
        var parts = [], bad = false;
        if (n >= config.minUnits) {
          var maxHigh = Math.floor(parseFloat(config.highShare) * n + 1e-9);
          var minLow = Math.ceil(parseFloat(config.lowShare) * n - 1e-9);
          parts.push("≥" + config.high + "：" + high + "/最多 " + maxHigh);
          parts.push("<" + config.low + "：" + low + "/至少 " + minLow);
          bad = high > maxHigh || low < minLow;
        }
        if (config.forbidFull) {
          parts.push("满分：" + full);
          bad = bad || full > 0;
        }
        cell.textContent = parts.join(" · ");
        cell.classList.toggle("is-bad", bad);
        cell.classList.toggle("is-ok", !bad);
        blocked = blocked || bad;
      });
    });
    var submit = document.getElementById("jx-submit");
    var note = document.getElementById("jx-dist-block");
    if (config.policy === "refuse" && submit) {
      submit.disabled = blocked;
      if (note) { note.hidden = !blocked; }
    }
  }

  form.addEventListener("input", function () { dirty = true; recount(); });
  form.addEventListener("change", function () { dirty = true; recount(); });
  form.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (event.key !== "Enter" || cell.tagName !== "INPUT") { return; }
    event.preventDefault();
    var column = cell.getAttribute("data-col");
    var row = cell.closest("tr");
    var step = event.shiftKey ? "previousElementSibling" : "nextElementSibling";
    for (var next = row[step]; next; next = next[step]) {
      var target = next.querySelector('[data-col="' + column + '"]');
      if (target) { target.focus(); target.select(); return; }
    }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      dirty = false;
      var save = form.querySelector('button[value="save"]');
      form.requestSubmit(save);
    }
  });
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
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  recount();
})();
