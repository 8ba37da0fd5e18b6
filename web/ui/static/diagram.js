/* The case's diagram: opens at the step in focus, call activities open their process in place
   (with a path back up), finished steps green, active steps blue, zoom and fit. */
(function () {
  "use strict";
  // Choosing another diagram reloads the page (no inline handlers: the CSP forbids them).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var d = cf.pageData("diagram-data");
  var box = document.getElementById("diagram");
  if (!d || !box || !d.files || !d.files[d.root]) return;
  var viewer = new CreditflowBpmn.NavigatedViewer({
    container: box,
    additionalModules: [CreditflowBpmn.translateModule(cf.messages())]
  });
  var path = d.path && d.path.length ? d.path.slice() : [d.root];

  function current() { return path[path.length - 1]; }

  function mark(file) {
    var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"), overlays = viewer.get("overlays");
    (d.completed[file] || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "cf-completed"); });
    (d.active[file] || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "cf-active"); });
    Object.entries(d.calls[file] || {}).forEach(function (kv) {
      var element = registry.get(kv[0]);
      if (!element) return;
      canvas.addMarker(kv[0], "cf-drill");
      var link = cf.el("button", { type: "button", "class": "cf-drill-button", "data-drill": kv[0], title: d.titles[kv[1]] || kv[1] }, "⤵ " + d.texts.open);
      link.addEventListener("click", function () { open(kv[1]); });
      overlays.add(kv[0], { position: { bottom: 12, left: 4 }, html: link });
    });
  }

  function crumbs() {
    var nav = document.getElementById("diagram-crumbs");
    if (!nav) return;
    nav.innerHTML = "";
    path.forEach(function (file, i) {
      var label = d.titles[file] || file;
      if (i === path.length - 1) {
        nav.appendChild(cf.el("span", { "aria-current": "page", "data-testid": "crumb-current" }, label));
      } else {
        var up = cf.el("button", { type: "button", "class": "link" }, label);
        up.addEventListener("click", function () { path = path.slice(0, i + 1); show(); });
        nav.appendChild(up);
        nav.appendChild(cf.el("span", { "class": "muted" }, " › "));
      }
    });
  }

  async function show() {
    box.dataset.ready = "";
    await viewer.importXML(d.files[current()]);
    mark(current());
    viewer.get("canvas").zoom("fit-viewport", "auto");
    crumbs();
    box.dataset.file = current();
    box.dataset.ready = "1";
  }

  function open(file) {
    if (!d.files[file]) return;
    path.push(file);
    show();
  }

  viewer.on("element.click", function (event) {
    var target = (d.calls[current()] || {})[event.element.id];
    if (target) open(target);
  });

  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var canvas = viewer.get("canvas"), how = button.dataset.zoom;
      if (how === "fit") canvas.zoom("fit-viewport", "auto");
      else canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
    });
  });

  show().catch(function (error) { console.error(error); box.dataset.ready = "error"; });
  window.cfDiagram = { open: open, viewer: viewer, path: function () { return path.slice(); } };
})();
