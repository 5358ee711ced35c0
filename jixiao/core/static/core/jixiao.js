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
