// Forced distribution counted as the person types, with the server's arithmetic
// (jixiao/evaluation/distribution.py): among the n units of a category, at most
// floor(highShare × n) at or above `high` (90% of the scale), at least ceil(lowShare × n)
// below `low` (80%), no full marks; the shares apply from minUnits units up.
// Used by the evaluation ballot and the collection grid.
window.jxDistribution = {
  // A typed score as a number: full-width digits, "85%"; null when blank or not a number.
  number: function (raw) {
    raw = (raw || "").trim();
    if (raw === "") { return null; }
    raw = raw.replace(/[０-９．]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); });
    var value = parseFloat(raw.replace(/%$/, ""));
    return isNaN(value) ? null : value;
  },
  // rule: {high, low, scale, highShare, lowShare, forbidFull, minUnits, labels: {most,
  // least, full}}; values: one per unit (null when not scored yet).
  count: function (values, rule) {
    var n = values.length, high = 0, low = 0, full = 0;
    values.forEach(function (v) {
      if (v === null) { return; }
      if (v >= parseFloat(rule.high)) { high++; }
      if (v < parseFloat(rule.low)) { low++; }
      if (v >= parseFloat(rule.scale)) { full++; }
    });
    var labels = rule.labels || { most: "最多", least: "至少", full: "满分" };
    var parts = [], bad = false;
    if (n >= rule.minUnits) {
      var maxHigh = Math.floor(parseFloat(rule.highShare) * n + 1e-9);
      var minLow = Math.ceil(parseFloat(rule.lowShare) * n - 1e-9);
      parts.push("≥" + rule.high + "：" + high + "/" + labels.most + " " + maxHigh);
      parts.push("<" + rule.low + "：" + low + "/" + labels.least + " " + minLow);
      bad = high > maxHigh || low < minLow;
    }
    if (rule.forbidFull) {
      parts.push(labels.full + "：" + full);
      bad = bad || full > 0;
    }
    return { text: parts.join(" · "), bad: bad };
  },
  // Write a count into its cell, red when the rule is broken; returns whether it is.
  show: function (cell, values, rule, prefix) {
    var result = window.jxDistribution.count(values, rule);
    cell.textContent = (prefix || "") + result.text;
    cell.classList.toggle("is-bad", result.bad);
    cell.classList.toggle("is-ok", !result.bad);
    return result.bad;
  }
};
