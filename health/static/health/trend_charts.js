/* The store page's trend charts (health/panel_health.html): reads the data the server embedded with json_script
   and draws one line chart per metric with the Chart.js that the admin theme ships (window.Chart), so that the
   page loads nothing from another host. A day without a value is a gap, never zero. */
(function () {
  "use strict";

  var STYLES = {
    value: { borderColor: "rgb(2, 132, 199)", backgroundColor: "rgba(2, 132, 199, 0.12)", borderWidth: 2, fill: false,
             pointRadius: 0, pointHoverRadius: 3, stepped: false },
    target: { borderColor: "rgb(220, 38, 38)", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, stepped: true },
    critical: { borderColor: "rgb(127, 29, 29)", borderDash: [2, 3], borderWidth: 1.5, pointRadius: 0, stepped: true }
  };

  function draw(canvas, chart) {
    var unit = chart.unit || "";
    new window.Chart(canvas.getContext("2d"), {
      type: "line",
      data: {
        labels: chart.dates,
        datasets: chart.series.map(function (series) {
          return Object.assign({ label: series.label, data: series.values, spanGaps: false }, STYLES[series.role] || STYLES.value);
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: true, position: "bottom", labels: { boxWidth: 12, boxHeight: 2 } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + (item.raw === null ? "—" : item.raw + unit);
              }
            }
          }
        },
        scales: {
          x: { ticks: { maxTicksLimit: 6, maxRotation: 0 }, grid: { display: false } },
          y: { beginAtZero: unit === "" , ticks: { callback: function (value) { return value + unit; } } }
        }
      }
    });
  }

  function drawAll() {
    if (!window.Chart) { return; }
    document.querySelectorAll("script[data-charts]").forEach(function (script) {
      var source = document.getElementById(script.getAttribute("data-charts"));
      if (!source) { return; }
      var charts = JSON.parse(source.textContent);
      var panel = source.closest(".health-panel") || document;
      panel.querySelectorAll("canvas[data-chart-index]").forEach(function (canvas) {
        if (canvas.getAttribute("data-drawn")) { return; }
        var chart = charts[Number(canvas.getAttribute("data-chart-index"))];
        if (chart) { draw(canvas, chart); canvas.setAttribute("data-drawn", "1"); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
