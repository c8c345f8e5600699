// Charts of the console: each <canvas data-chart="ID"> is drawn from the JSON in the
// <script type="application/json" id="ID"> beside it (the page's own data, no request),
// on first load and whenever htmx swaps new content in.
(function () {
  "use strict";
  var palette = ["#1f5f8b", "#8fbcd9", "#e59f3a", "#5b9a4a", "#c0504d", "#8064a2"];
  var lang = document.documentElement.lang || "fr";

  function money(value, currency) {
    try {
      return new Intl.NumberFormat(lang, {
        style: currency ? "currency" : "decimal",
        currency: currency || undefined,
        maximumFractionDigits: 0,
      }).format(value);
    } catch (e) {
      return String(value);
    }
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var spec = JSON.parse(source.textContent);
    var round = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d, i) {
      var line = d.kind === "line" || spec.type === "line";
      var colour = palette[i % palette.length];
      return {
        label: d.label,
        data: d.data.map(function (x) { return x === null || x === undefined ? null : Number(x); }),
        type: d.kind === "line" ? "line" : undefined,
        backgroundColor: round ? palette : colour,
        borderColor: round ? "#fff" : colour,
        borderWidth: line ? 2 : round ? 2 : 0,
        pointRadius: line ? 3 : undefined,
        tension: 0.2,
        spanGaps: true,
      };
    });
    var top = Math.max.apply(null, datasets.map(function (d) {
      return Math.max.apply(null, d.data.map(function (x) { return Math.abs(x || 0); }).concat([0]));
    }));
    var axis = {
      beginAtZero: true,
      suggestedMax: top === 0 ? (spec.currency ? 1000 : 1) : undefined,
      stacked: !!spec.stacked,
      ticks: {
        precision: 0,
        callback: function (v) { return spec.currency ? money(v, spec.currency) : v; },
      },
    };
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: spec.horizontal ? "y" : "x",
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var v = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
              if (round) v = ctx.parsed;
              return ctx.dataset.label + ": " + (spec.currency ? money(v, spec.currency) : v);
            },
          },
        },
      },
    };
    if (!round) {
      var value = Object.assign({}, axis);
      var category = { stacked: !!spec.stacked, ticks: { autoSkip: false } };
      options.scales = spec.horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  document.addEventListener("DOMContentLoaded", function () {
    htmx.onLoad(function (root) {
      root.querySelectorAll("canvas[data-chart]").forEach(draw);
    });
  });
})();
