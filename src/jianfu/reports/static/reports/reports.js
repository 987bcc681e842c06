// Draws the outcome report's charts from the JSON the page embeds (no extra request, no CDN).
(function () {
  var el = document.getElementById("report-chart-data");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.textContent);
  var palette = ["#1d4f91", "#d98b2b", "#4f9a6e", "#b8322a", "#7a5ea8", "#5f6b7a"];
  var font = { fontFamily: getComputedStyle(document.body).fontFamily };
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var c = echarts.init(node, null, { renderer: "canvas" });
    option.color = palette;
    option.textStyle = font;
    option.animation = false;
    if (option.tooltip) option.tooltip.renderMode = "richText";  // HTML tooltips carry styles the CSP refuses
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function series(list, type, extra) {
    return list.map(function (s) { return Object.assign({ name: s.name, type: type, data: s.data }, extra || {}); });
  }
  chart("chart-carriers", {
    tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.carriers.dates },
    // Logarithmic: thousands of groups beside dozens of apps.
    yAxis: { type: "log", logBase: 10, min: 1 },
    series: series(data.carriers.series, "line")
  });
  chart("chart-cadre", {
    tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.cadre.labels }, yAxis: { type: "value" },
    series: series(data.cadre.series, "bar", { barMaxWidth: 32, label: { show: true, position: "top" } })
  });
  chart("chart-rules", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { type: "scroll", top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.rules.labels }, yAxis: { type: "value" },
    series: series(data.rules.series, "bar", { stack: "all", barMaxWidth: 36 })
  });
})();
