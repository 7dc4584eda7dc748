// Dashboard charts, drawn from the figures the server embedded in the page (the same as the tables).
(function () {
  "use strict";
  var COLORS = ["#1d3f72", "#b8272c", "#2e7d32", "#b26a00", "#4a2f8f", "#00695c", "#5f6b76", "#8f1d21"];
  var WAN = 10000;

  function wan(value) { return Math.round(Number(value) / WAN * 100) / 100; }

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return null; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    option.color = COLORS;
    option.textStyle = { fontFamily: "inherit" };
    chart.setOption(option);
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("dashboard-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var units = data.by_unit;
    // One bar per unit, every name shown: the chart grows with the number of units.
    var unitChart = document.getElementById("chart-unit");
    if (unitChart) { unitChart.style.height = Math.max(260, 60 + units.length * 22) + "px"; }
    charts.push(draw("chart-unit", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + " 万元"; } },
      legend: { data: ["已清偿", "未清偿"], top: 0 },
      grid: { left: 8, right: 40, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "value", name: "万元" },
      yAxis: { type: "category", inverse: true, axisLabel: { interval: 0 }, data: units.map(function (u) { return u.name; }) },
      series: [
        { name: "已清偿", type: "bar", stack: "total", data: units.map(function (u) { return wan(u.cleared); }), itemStyle: { color: "#2e7d32" } },
        { name: "未清偿", type: "bar", stack: "total", data: units.map(function (u) { return wan(u.outstanding); }), itemStyle: { color: "#b26a00" } }
      ]
    }));
    charts.push(draw("chart-category", {
      tooltip: { trigger: "item", valueFormatter: function (v) { return v + " 万元"; } },
      legend: { bottom: 0 },
      series: [{ name: "未清偿", type: "pie", radius: ["40%", "70%"], center: ["50%", "45%"],
        label: { formatter: "{b}\n{d}%" },
        data: data.by_category.map(function (c) { return { name: c.name, value: wan(c.value) }; }) }]
    }));
    charts.push(draw("chart-status", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " 笔"; } },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.by_status.map(function (s) { return s.name; }), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", name: "笔", minInterval: 1 },
      series: [{ type: "bar", data: data.by_status.map(function (s) { return s.value; }), itemStyle: { color: "#1d3f72" } }]
    }));
    charts.push(draw("chart-overdue", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " 万元"; } },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.overdue.map(function (b) { return b.name; }), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", name: "万元" },
      series: [{ type: "bar", data: data.overdue.map(function (b, i) { return { value: wan(b.value), itemStyle: { color: i === 0 ? "#2e7d32" : "#b8272c" } }; }) }]
    }));
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { if (c) { c.resize(); } });
    });
  });
})();
