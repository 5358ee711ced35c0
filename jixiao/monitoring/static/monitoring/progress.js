// The monthly progress grid: the shared grid keyboard (core/grid.js: Enter moves down a
// column, Ctrl+S saves a draft, leaving with unsaved changes asks first); changed rows
// are marked.
(function () {
  var form = document.getElementById("jx-grid-form");
  if (!form) { return; }
  window.jxGrid(form, {
    save: 'button[name="intent"][value="draft"]',
    onInput: function (event) {
      var row = event.target.closest("tr");
      if (row && event.type === "input") { row.classList.add("is-dirty"); }
    }
  });
})();
