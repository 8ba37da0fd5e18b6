/* Dashboard charts (Chart.js): tasks, applications by status, grades, SLA. */
(function () {
  "use strict";
  var page = cf.pageData("dashboard-data"), c = page.charts, t = page.texts;
  var palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#64748b"];
  Chart.defaults.animation = false;
  new Chart(document.getElementById("chart-tasks"), {
    type: "bar",
    data: { labels: c.tasks.labels, datasets: [
      { label: t.waiting, data: c.tasks.waiting, backgroundColor: "#2563eb" },
      { label: t.overdue, data: c.tasks.overdue, backgroundColor: "#dc2626" }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  new Chart(document.getElementById("chart-status"), {
    type: "doughnut",
    data: { labels: Object.keys(c.status), datasets: [{ label: t.applications, data: Object.values(c.status), backgroundColor: palette }] }
  });
  new Chart(document.getElementById("chart-grades"), {
    type: "bar",
    data: { labels: Object.keys(c.grades), datasets: [{ label: t.customers, data: Object.values(c.grades), backgroundColor: "#16a34a" }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  new Chart(document.getElementById("chart-sla"), {
    type: "pie",
    data: { labels: [t.on_time, t.overdue, t.escalated], datasets: [{ data: [c.sla.on_time, c.sla.overdue, c.sla.escalated], backgroundColor: ["#16a34a", "#dc2626", "#f59e0b"] }] }
  });
  document.body.dataset.chartsReady = "1";
})();
