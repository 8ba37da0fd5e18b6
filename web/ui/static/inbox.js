/* Inbox: "select all" for the bulk claim. */
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('input[name="task_id"][form="bulk-claim"]').forEach(function (box) { box.checked = all.checked; });
  });
})();
