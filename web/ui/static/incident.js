/* Incident page: the instance's diagram with the failing element marked in red. */
(function () {
  "use strict";
  var d = cf.pageData("diagram-data"), box = document.getElementById("diagram");
  if (!d || !d.xml) return;
  var viewer = CreditflowBpmn.viewer("#diagram", d.xml, { active: d.active, completed: d.completed });
  viewer.imported.then(function () {
    var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
    (d.failed || []).forEach(function (id) {
      if (registry.get(id)) canvas.addMarker(id, "cf-error");
    });
    box.dataset.ready = "1";
  }, function () {
    box.textContent = d.noLayout;  // a model deployed without diagram layout
    box.dataset.ready = "1";
  });
})();
