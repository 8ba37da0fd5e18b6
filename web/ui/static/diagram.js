/* Read-only BPMN diagram with completed and active elements marked (instance page). */
(function () {
  "use strict";
  var d = cf.pageData("diagram-data");
  if (!d || !d.xml) return;
  var viewer = CreditflowBpmn.viewer("#diagram", d.xml, { active: d.active, completed: d.completed });
  viewer.imported.then(function () { document.getElementById("diagram").dataset.ready = "1"; });
})();
