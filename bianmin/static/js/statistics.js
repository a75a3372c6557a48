/* Statistics dashboard charts (ECharts 5.6.0 with only these charts, static/vendor/echarts-statistics.min.js, built
 * by bianmin/statistics/echarts/build.sh: a new chart type or component goes into its entry.js too).
 * The content security policy forbids inline scripts: each chart reads its data from the
 * <script type="application/json"> block its container names in data-chart, and a click on a bar,
 * point or slice opens the cases behind it (the same link as the table cell under the chart). */
(function () {
  "use strict";

  var PALETTE = ["#c0392b", "#2c7be5", "#e8a317", "#6f42c1", "#27ae60", "#7f8c8d"];
  // Severities in Level order (预警, 黄牌, 红牌, 严重违规): the colours the alert badges use.
  var PALETTES = { severity: ["#1a56b0", "#e8a317", "#c0392b", "#5b1a18"] };
  var NARROW = 480;

  function optionFor(spec, palette, width) {
    var base = {
      color: PALETTES[palette] || PALETTE,
      aria: { enabled: true, decal: { show: false } },
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true }
    };
    if (spec.kind === "pie") {
      var series = spec.series[0];
      base.series = [{
        type: "pie",
        name: series.name,
        radius: ["35%", "65%"],
        label: { show: width > NARROW },
        data: spec.categories.map(function (name, index) { return { name: name, value: series.data[index] }; })
      }];
      return base;
    }
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { hideOverlap: true } };
    var valueAxis = { type: "value", minInterval: 1 };
    if (spec.horizontal) {
      categoryAxis.inverse = true;
      categoryAxis.axisLabel.width = width > NARROW ? 180 : 110;
      categoryAxis.axisLabel.overflow = "truncate";
      base.xAxis = valueAxis;
      base.yAxis = categoryAxis;
    } else {
      base.xAxis = categoryAxis;
      base.yAxis = valueAxis;
    }
    base.series = spec.series.map(function (series) {
      var item = { type: spec.kind, name: series.name, data: series.data };
      if (spec.stacked) { item.stack = "total"; }
      if (spec.kind === "line") { item.smooth = false; item.symbolSize = 6; }
      return item;
    });
    return base;
  }

  function linkFor(spec, params) {
    var series = spec.kind === "pie" ? spec.series[0] : spec.series[params.seriesIndex];
    return series && series.links ? series.links[params.dataIndex] : "";
  }

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source || typeof window.echarts === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    if (spec.horizontal) {
      container.style.height = Math.max(220, 36 * spec.categories.length + 80) + "px";
    }
    var chart = window.echarts.init(container, null, { renderer: "svg" });
    var palette = container.getAttribute("data-palette");
    chart.setOption(optionFor(spec, palette, container.clientWidth));
    container.setAttribute("data-rendered", "true");
    chart.on("click", function (params) {
      var link = linkFor(spec, params);
      if (link) { window.location.assign(link); }
    });
    window.addEventListener("resize", function () {
      chart.setOption(optionFor(spec, palette, container.clientWidth));
      chart.resize();
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
