/* KPIs page charts: aging on the last day, and the period's receivables flow. */
(function () {
  "use strict";
  var page = cf.pageData("kpis-data"), t = page.texts;
  Chart.defaults.animation = false;
  var buckets = ["current", "1_30", "31_60", "61_90", "over_90"];
  new Chart(document.getElementById("chart-aging"), {
    type: "bar",
    data: { labels: buckets.map(function (b) { return t[b]; }),
      datasets: [{ label: t.aging, data: buckets.map(function (b) { return Number(page.aging[b] || 0); }),
        backgroundColor: ["#16a34a", "#f59e0b", "#f97316", "#dc2626", "#7f1d1d"] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
  });
  var flow = ["opening_receivables", "credit_sales", "cash_collected", "written_off", "closing_receivables"];
  new Chart(document.getElementById("chart-flow"), {
    type: "bar",
    data: { labels: flow.map(function (f) { return t[f]; }),
      datasets: [{ data: flow.map(function (f) { return Number(page.figures[f] || 0); }),
        backgroundColor: ["#64748b", "#2563eb", "#16a34a", "#dc2626", "#0f172a"] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
  });
  document.body.dataset.chartsReady = "1";
})();
