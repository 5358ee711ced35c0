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
