/* Read-only BPMN diagram with completed and active elements marked (instance page). */
(function () {
  "use strict";
  // Choosing another diagram reloads the page (no inline handlers: the CSP forbids them).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var d = cf.pageData("diagram-data");
  if (!d || !d.xml) return;
  var viewer = CreditflowBpmn.viewer("#diagram", d.xml, { active: d.active, completed: d.completed });
  viewer.imported.then(function () { document.getElementById("diagram").dataset.ready = "1"; });
})();
