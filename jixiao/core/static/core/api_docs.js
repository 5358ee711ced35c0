// Loaded before ReDoc on /api/docs/. ReDoc's side menu hard-codes an <img> of Redocly's
// logo from cdn.redoc.ly; with no internet (and under our CSP) that request must never
// be made, so that one address is swapped for an empty local image whichever way the
// page sets it (attribute or property).
(function () {
  var EMPTY = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
  function local(value) {
    return String(value).indexOf("https://cdn.redoc.ly/") === 0 ? EMPTY : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this.tagName === "IMG" && String(name).toLowerCase() === "src") { value = local(value); }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) { src.set.call(this, local(value)); }
  });
})();
