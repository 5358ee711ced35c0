// Small enhancements only; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var msg = status === 403 ? "没有权限执行此操作。" : status === 409 ? "数据已被他人修改，请刷新后重试。" : "操作失败（" + status + "），请稍后重试。";
  window.alert(msg);
});
// Confirm dangerous actions: <button data-confirm="确定删除？">
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});
// The Content-Security-Policy refuses inline handlers (onchange=…), so small behaviours
// are declared with data attributes and wired here, once for every page.
// <select data-autosubmit>: submit its form when the choice changes.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
  // <input type=checkbox data-check-all="entry">: tick or untick every input[name=entry].
  if (el.matches && el.matches("[data-check-all]")) {
    document.querySelectorAll('input[name="' + el.getAttribute("data-check-all") + '"]').forEach(function (c) { c.checked = el.checked; });
  }
});
// <form data-no-submit>: a client-side filter; Enter must not reload the page.
document.addEventListener("submit", function (event) {
  if (event.target.matches && event.target.matches("[data-no-submit]")) { event.preventDefault(); }
});
// Stacked tables on phones (<table class="jx-stack">): label each cell with its column
// header so a row reads as "分值 25 / 得分 22.5" once the CSS stacks it.
function jxLabelStack(root) {
  (root || document).querySelectorAll("table.jx-stack").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/\s+/g, " ").replace(/[▲▼]/g, "").trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (td, i) {
        if (!td.hasAttribute("data-label") && heads[i] && !td.hasAttribute("colspan")) {
          td.setAttribute("data-label", heads[i]);
        }
      });
    });
  });
}
// One row at a time on phones (<table class="jx-stack jx-one-at-a-time">): a select and
// previous/next buttons pick the row; the others are hidden. Desktop keeps the full grid.
function jxPager(table) {
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
  if (rows.length < 2 || table.jxPager) { return; }
  var pager = document.createElement("div");
  pager.className = "jx-pager";
  var prev = document.createElement("button");
  var next = document.createElement("button");
  var select = document.createElement("select");
  prev.type = next.type = "button";
  prev.className = next.className = "btn btn-sm btn-outline-secondary";
  prev.innerHTML = '<i class="bi bi-chevron-left"></i>';
  next.innerHTML = '<i class="bi bi-chevron-right"></i>';
  prev.setAttribute("aria-label", table.getAttribute("data-prev-label") || "上一个");
  next.setAttribute("aria-label", table.getAttribute("data-next-label") || "下一个");
  select.className = "form-select form-select-sm";
  select.setAttribute("aria-label", table.getAttribute("data-pager-label") || "选择");
  rows.forEach(function (row, i) {
    var option = document.createElement("option");
    var first = row.querySelector("td");
    option.value = String(i);
    option.textContent = (i + 1) + ". " + (first ? first.textContent.trim() : "");
    select.appendChild(option);
  });
  function show(i) {
    i = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (row, j) { row.classList.toggle("jx-pager-hidden", j !== i); });
    select.value = String(i);
    prev.disabled = i === 0;
    next.disabled = i === rows.length - 1;
  }
  prev.addEventListener("click", function () { show(Number(select.value) - 1); });
  next.addEventListener("click", function () { show(Number(select.value) + 1); });
  select.addEventListener("change", function () { show(Number(select.value)); });
  pager.appendChild(prev);
  pager.appendChild(select);
  pager.appendChild(next);
  var wrap = table.closest(".table-wrap") || table;
  wrap.parentNode.insertBefore(pager, wrap);
  // Start on the first row with an error, else the first still missing, else the first.
  var start = rows.findIndex(function (r) { return r.classList.contains("has-error"); });
  if (start < 0) { start = rows.findIndex(function (r) { return r.classList.contains("is-missing"); }); }
  show(start < 0 ? 0 : start);
  table.jxPager = pager;
}
document.addEventListener("DOMContentLoaded", function () {
  jxLabelStack(document);
  document.querySelectorAll("table.jx-one-at-a-time").forEach(jxPager);
});
document.addEventListener("htmx:afterSettle", function (event) { jxLabelStack(event.target); });
