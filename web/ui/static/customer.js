/* Customer credit file charts: limit and score history, exposure against limit. */
(function () {
  "use strict";
  var page = cf.pageData("customer-data"), t = page.texts;
  Chart.defaults.animation = false;
  var h = page.history || [];
  new Chart(document.getElementById("chart-history"), {
    type: "line",
    data: { labels: h.map(function (r) { return r.effective_on + (r.grade ? " (" + r.grade + ")" : ""); }),
      datasets: [
        { label: t.limit, data: h.map(function (r) { return Number(r.credit_limit || 0); }), borderColor: "#2563eb", yAxisID: "y", stepped: true },
        { label: t.score, data: h.map(function (r) { return r.score === null ? null : Number(r.score); }), borderColor: "#16a34a", yAxisID: "y1" }] },
    options: { scales: { y: { beginAtZero: true, position: "left" }, y1: { beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false } } } }
  });
  var limit = Number(page.limit || 0), exposure = Number(page.exposure || 0);
  new Chart(document.getElementById("chart-exposure"), {
    type: "bar",
    data: { labels: [t.limit, t.exposure, t.available],
      datasets: [{ data: [limit, exposure, Math.max(limit - exposure, 0)], backgroundColor: ["#2563eb", exposure > limit ? "#dc2626" : "#f59e0b", "#16a34a"] }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
  });
  var aging = page.aging || {}, buckets = ["current", "1_30", "31_60", "61_90", "over_90"];
  new Chart(document.getElementById("chart-aging"), {
    type: "bar",
    data: { labels: buckets.map(function (b) { return t[b]; }),
      datasets: [{ label: t.aging, data: buckets.map(function (b) { return Number(aging[b] || 0); }),
        backgroundColor: ["#16a34a", "#f59e0b", "#f97316", "#dc2626", "#7f1d1d"] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
  });
  document.body.dataset.chartsReady = "1";
})();
