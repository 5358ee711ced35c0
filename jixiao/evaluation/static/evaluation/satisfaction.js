// The satisfaction dashboard's trend: index (line) and number of ratings (bars) per month.
(function () {
  var data = document.getElementById("jx-sat-data");
  var el = document.getElementById("jx-sat-chart");
  if (!window.echarts || !el || !data) { return; }
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis"}, legend: {top: 0},
    grid: {left: 48, right: 48, top: 32, bottom: 32},
    xAxis: {type: "category", data: d.months},
    yAxis: [{type: "value", name: "满意度", min: 0, max: 100}, {type: "value", name: "次数", minInterval: 1}],
    series: [
      {name: "满意度指数", type: "line", data: d.index.map(Number)},
      {name: "评价次数", type: "bar", yAxisIndex: 1, data: d.count, itemStyle: {opacity: 0.35}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
