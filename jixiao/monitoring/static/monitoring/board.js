// 绩效比拼 board: ECharts figures from the page's JSON, and in big-screen mode
// (data-rotate on .jx-board-screen) one panel at a time, rotating.
(function () {
  var dataNode = document.getElementById("jx-board-data");
  if (!dataNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var charts = [];
  function draw() {
    if (!window.echarts) { return; }
    var bars = document.getElementById("jx-board-progress");
    if (bars) {
      var chart = echarts.init(bars);
      chart.setOption({
        tooltip: { trigger: "axis" },
        textStyle: { color: "#e8eef7" },
        legend: { top: 0, data: [data.actualLabel, data.expectedLabel], textStyle: { color: "#e8eef7" } },
        grid: { left: 40, right: 20, bottom: 70, top: 40 },
        xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 20, color: "#c9d6ea" } },
        yAxis: { type: "value", axisLabel: { color: "#c9d6ea" }, splitLine: { lineStyle: { color: "#2b4a75" } },
                 max: function (v) { return Math.max(100, Math.ceil(v.max)); } },
        series: [
          { name: data.actualLabel, type: "bar", data: data.actual, itemStyle: { color: "#2f6fbf" } },
          { name: data.expectedLabel, type: "line", data: data.expected, itemStyle: { color: "#d9822b" } }
        ]
      });
      charts.push(chart);
    }
    var pie = document.getElementById("jx-board-lights");
    if (pie) {
      var colors = ["#d64545", "#e0a526", "#3a9b5a"];
      var chart2 = echarts.init(pie);
      chart2.setOption({
        tooltip: { trigger: "item" },
        series: [{
          type: "pie", radius: ["45%", "70%"], label: { color: "#e8eef7" },
          data: data.labels.map(function (label, i) {
            return { name: label, value: data.counts[i], itemStyle: { color: colors[i] } };
          })
        }]
      });
      charts.push(chart2);
    }
  }
  draw();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  var screen = document.querySelector(".jx-board-screen[data-rotate]");
  if (!screen) { return; }
  var panels = screen.querySelectorAll("[data-board-panel]");
  var dots = screen.querySelector(".jx-board-dots");
  var period = parseInt(screen.getAttribute("data-rotate"), 10) || 15000;
  var current = 0;
  panels.forEach(function (panel, i) {
    var dot = document.createElement("span");
    dots.appendChild(dot);
    panel.classList.toggle("is-shown", i === 0);
  });
  function show(i) {
    panels.forEach(function (panel, j) { panel.classList.toggle("is-shown", j === i); });
    dots.querySelectorAll("span").forEach(function (dot, j) { dot.classList.toggle("is-on", j === i); });
    charts.forEach(function (c) { c.resize(); });
    screen.setAttribute("data-panel", String(i));
  }
  show(0);
  window.setInterval(function () {
    current = (current + 1) % panels.length;
    show(current);
  }, period);
})();
