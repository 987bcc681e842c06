// Draws the dashboard charts from the JSON the page embeds (no extra request, no CDN).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var palette = ["#1d4f91", "#b8322a", "#3a7bbf", "#d98b2b", "#4f9a6e", "#7a5ea8", "#5f6b7a", "#c0504d"];
  var font = { fontFamily: getComputedStyle(document.body).fontFamily };
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = echarts.init(el, null, { renderer: "canvas" });
    option.color = palette;
    option.textStyle = font;
    option.animation = false;
    // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the CSP refuses.
    if (option.tooltip) option.tooltip.renderMode = "richText";
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-kinds", {
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 16, bottom: 28 },
    xAxis: { type: "category", data: data.kinds.labels },
    // Logarithmic: 3,000 groups next to 20 apps must leave the apps visible. Zero cannot sit on a log axis.
    yAxis: { type: "log", logBase: 10, min: 1 },
    series: [{ type: "bar", barMaxWidth: 36,
               data: data.kinds.values.map(function (v) { return { value: v > 0 ? v : null, real: v }; }),
               label: { show: true, position: "top", formatter: function (p) { return p.data.real; } } }]
  });
  chart("chart-units", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: data.units.series, top: 0 },
    grid: { left: 8, right: 24, top: 44, bottom: 8, containLabel: true },
    // One axis per series: groups per cadre run in tens, apps per cadre in hundredths.
    xAxis: [{ type: "value", position: "bottom" }, { type: "value", position: "top" }],
    yAxis: { type: "category", data: data.units.labels, axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { name: data.units.series[0], type: "bar", data: data.units.groups, barMaxWidth: 14 },
      { name: data.units.series[1], type: "bar", data: data.units.apps, barMaxWidth: 14, xAxisIndex: 1 }
    ]
  });
  if (data.trend) chart("chart-trend", {
    tooltip: { trigger: "axis" }, legend: { data: data.trend.series, top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.trend.dates }, yAxis: { type: "value", name: "h" },
    series: [{ name: data.trend.series[0], type: "line", data: data.trend.p50 },
             { name: data.trend.series[1], type: "line", data: data.trend.p90 }]
  });
  chart("chart-platforms", {
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { type: "scroll", bottom: 0 },
    series: [{ type: "pie", radius: ["38%", "66%"], center: ["50%", "45%"], data: data.platforms,
               label: { formatter: "{b}\n{c}" } }]
  });
})();
