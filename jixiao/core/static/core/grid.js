// Keyboard of the entry grids (the collection grid, the evaluation ballot): Enter moves
// down a column and Shift+Enter up (skipping disabled cells), Ctrl+S saves, and leaving
// with unsaved changes asks first. Each page calls jxGrid(form, options) from its own
// script; options.save is the button Ctrl+S presses (default: none, a plain submit),
// options.onInput(event) runs on every input and change.
window.jxGrid = function (form, options) {
  options = options || {};
  var state = { dirty: false };
  function changed(event) {
    state.dirty = true;
    if (options.onInput) { options.onInput(event); }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (event.key !== "Enter" || cell.tagName !== "INPUT") { return; }
    event.preventDefault();
    var column = cell.getAttribute("data-col");
    var row = cell.closest("tr");
    var step = event.shiftKey ? "previousElementSibling" : "nextElementSibling";
    for (var next = row[step]; next; next = next[step]) {
      var target = next.querySelector('[data-col="' + column + '"]:not([disabled]):not(td)');
      if (target) { target.focus(); if (target.select) { target.select(); } return; }
    }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      state.dirty = false;
      form.requestSubmit(options.save ? form.querySelector(options.save) : undefined);
    }
  });
  form.addEventListener("submit", function () { state.dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  return state;
};
