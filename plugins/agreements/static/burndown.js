// Burn-down of the outstanding amount: actual (from payments) against the straight line to the final deadline.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("burndown-data");
    var el = document.getElementById("chart-burndown");
    if (!source || !el || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    function wan(v) { return v === null ? null : Math.round(Number(v) / 100) / 100; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: ["#1d3f72", "#b8272c"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "" : v + " 万元"; } },
      legend: { data: ["实际未清偿", "计划进度"], top: 0 },
      grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.dates },
      yAxis: { type: "value", name: "万元" },
      series: [
        { name: "实际未清偿", type: "line", step: "end", showSymbol: false, data: data.actual.map(wan) },
        { name: "计划进度", type: "line", showSymbol: false, lineStyle: { type: "dashed" }, data: data.ideal.map(wan) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
