/* Designer: edit BPMN / DMN / form files of a model, deploy a new version, diff two versions. */
(function () {
  "use strict";
  var page = cf.pageData("designer-data");
  var files = Object.assign({}, page.files), texts = page.texts;
  var current = null; // {name, kind, instance}
  var baseline = {}; // file name -> how the editor wrote it right after opening (unchanged = same)
  var select = document.getElementById("file-select");
  var panes = { bpmn: "editor-bpmn", dmn: "editor-dmn", form: "editor-form" };

  function kindOf(name) {
    if (name.endsWith(".bpmn")) return "bpmn";
    if (name.endsWith(".dmn")) return "dmn";
    if (name.endsWith(".json")) return "form";
    return null;
  }

  async function serialize(editor) {
    if (editor.kind === "form") return JSON.stringify(editor.instance.saveSchema(), null, 2);
    return (await editor.instance.saveXML({ format: true })).xml;
  }

  // A file the designer did not change keeps its deployed text byte for byte, so an unchanged
  // bundle hashes the same and no version is created for nothing.
  async function saveCurrent() {
    if (!current || !current.instance) return;
    var text = await serialize(current);
    if (text !== baseline[current.name]) files[current.name] = text;
  }

  async function open(name) {
    await saveCurrent();
    if (current && current.instance) current.instance.destroy();
    document.getElementById("canvas").innerHTML = "";
    document.getElementById("properties").innerHTML = "";
    document.getElementById("editor-dmn").innerHTML = "";
    document.getElementById("editor-form").innerHTML = "";
    var kind = kindOf(name), instance = null;
    Object.entries(panes).forEach(function (kv) { document.getElementById(kv[1]).hidden = kv[0] !== kind; });
    document.getElementById("properties-card").hidden = kind !== "bpmn";
    if (kind === "bpmn") instance = CreditflowBpmn.modeler("#canvas", "#properties", files[name], { choices: page.choices, texts: texts.panel, messages: cf.messages() });
    if (kind === "dmn") instance = CreditflowDmn.modeler("#editor-dmn", files[name]);
    if (kind === "form") instance = CreditflowForm.editor("#editor-form", JSON.parse(files[name]));
    current = { name: name, kind: kind, instance: instance };
    if (instance) await instance.imported.catch(function (e) { console.error(e); });
    if (instance && !(name in baseline)) baseline[name] = await serialize(current);
    if (kind === "bpmn") instance.get("canvas").zoom("fit-viewport", "auto");
    document.getElementById("canvas").dataset.ready = kind === "bpmn" ? "1" : "";
    document.body.dataset.designerReady = "1";
  }

  function markErrors(errors) {
    if (!current || current.kind !== "bpmn") return;
    var registry = current.instance.get("elementRegistry"), canvas = current.instance.get("canvas");
    Object.keys(errors).forEach(function (key) {
      key.split(/[.:/ ]/).forEach(function (part) {
        if (registry.get(part)) canvas.addMarker(part, "cf-error");
      });
    });
  }

  function changedFiles() {
    var names = Object.keys(Object.assign({}, files, page.files)).sort();
    return names.filter(function (n) { return files[n] !== page.files[n]; });
  }

  async function describe(name) {
    var item = cf.el("li", { "data-file": name });
    if (!(name in page.files)) { item.textContent = name + ": " + texts.new_file; return item; }
    if (!(name in files)) { item.textContent = name + ": " + texts.file_removed; return item; }
    item.appendChild(cf.el("strong", {}, name));
    if (!name.endsWith(".bpmn")) { item.appendChild(document.createTextNode(": " + texts.file_changed)); return item; }
    var d = await CreditflowBpmn.diff(page.files[name], files[name]);
    var list = cf.el("ul", { "class": "diff-list" });
    [["added", d.added], ["removed", d.removed], ["changed", d.changed], ["layout", d.layoutChanged]].forEach(function (pair) {
      pair[1].forEach(function (id) { list.appendChild(cf.el("li", { "class": "diff-" + pair[0] }, texts[pair[0]] + ": " + id)); });
    });
    if (!list.children.length) list.appendChild(cf.el("li", {}, texts.same));
    item.appendChild(list);
    return item;
  }

  function ask(dialog) {
    return new Promise(function (resolve) {
      var yes = document.getElementById("deploy-yes"), no = document.getElementById("deploy-no");
      function done(answer) { dialog.close(); yes.onclick = no.onclick = null; resolve(answer); }
      yes.onclick = function () { done(true); };
      no.onclick = function () { done(false); };
      dialog.showModal();
    });
  }

  async function deploy() {
    var status = document.getElementById("deploy-status"), box = document.getElementById("deploy-errors");
    box.textContent = "";
    status.textContent = "";
    await saveCurrent();
    var changed = changedFiles();
    if (!changed.length) {
      status.textContent = texts.no_changes;
      status.dataset.outcome = "unchanged";
      return;
    }
    var dialog = document.getElementById("deploy-dialog"), diffBox = document.getElementById("deploy-diff");
    diffBox.innerHTML = "";
    var list = cf.el("ul");
    for (var i = 0; i < changed.length; i++) list.appendChild(await describe(changed[i]));
    diffBox.appendChild(list);
    if (!(await ask(dialog))) return;
    status.textContent = texts.deploying;
    var body = new FormData();
    Object.entries(files).forEach(function (kv) {
      body.append("files", new Blob([kv[1]], { type: "application/octet-stream" }), kv[0]);
    });
    var response = await cf.api("POST", "/api/v1/process-models", body);
    if (response.ok && response.body.created === false) {
      status.textContent = texts.unchanged_server.replace("{v}", response.body.version);
      status.dataset.outcome = "unchanged";
      return;
    }
    if (response.ok) {
      var state = response.body.status || "active";
      window.location.href = "/designer/" + encodeURIComponent(page.key) + "?deployed=" + response.body.version + "&status=" + encodeURIComponent(state);
      return;
    }
    status.textContent = texts.failed;
    var problem = response.body || {};
    var errors = cf.el("ul");
    errors.appendChild(cf.el("li", {}, problem.detail || problem.title || String(response.status)));
    Object.entries(problem.errors || {}).forEach(function (kv) {
      errors.appendChild(cf.el("li", {}, kv[0] + ": " + [].concat(kv[1]).join(" ")));
    });
    box.appendChild(errors);
    markErrors(problem.errors || {});
  }

  async function diff(event) {
    event.preventDefault();
    var a = document.getElementById("diff-a").value, b = document.getElementById("diff-b").value;
    var out = document.getElementById("diff-result");
    var name = current && current.kind === "bpmn" ? current.name : Object.keys(files).find(function (n) { return n.endsWith(".bpmn"); });
    var urls = [a, b].map(function (v) { return "/designer/" + encodeURIComponent(page.key) + "/versions/" + v + ".json"; });
    var res = await Promise.all(urls.map(function (u) { return cf.api("GET", u); }));
    var xmlA = res[0].body.files[name], xmlB = res[1].body.files[name];
    out.innerHTML = "";
    if (!xmlA || !xmlB) { out.textContent = name + ": —"; return; }
    var d = await CreditflowBpmn.diff(xmlA, xmlB);
    var total = d.added.length + d.removed.length + d.changed.length + d.layoutChanged.length;
    out.appendChild(cf.el("p", {}, name + " v" + a + " → v" + b + (total ? "" : " · " + texts.same)));
    var list = cf.el("ul", { "class": "diff-list" });
    [["added", d.added], ["removed", d.removed], ["changed", d.changed], ["layout", d.layoutChanged]].forEach(function (pair) {
      pair[1].forEach(function (id) { list.appendChild(cf.el("li", { "class": "diff-" + pair[0] }, texts[pair[0]] + ": " + id)); });
    });
    out.appendChild(list);
    if (current && current.kind === "bpmn" && current.name === name) {
      var registry = current.instance.get("elementRegistry"), canvas = current.instance.get("canvas");
      [["cf-diff-added", d.added], ["cf-diff-changed", d.changed], ["cf-diff-changed", d.layoutChanged]].forEach(function (pair) {
        pair[1].forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, pair[0]); });
      });
    }
  }

  var main = Object.keys(files).find(function (n) { return n.endsWith(".bpmn") && files[n].indexOf('id="' + page.key + '"') >= 0; });
  select.value = main || select.options[0].value;
  select.addEventListener("change", function () { open(select.value); });
  document.getElementById("deploy").addEventListener("click", deploy);
  // the properties panel's own widgets have strings bpmn-js cannot translate (tooltips)
  CreditflowForm.translate(document.getElementById("properties"), cf.messages());
  document.getElementById("diff-form").addEventListener("submit", diff);
  open(select.value);
  window.cfDesigner = { files: files, open: open, deploy: deploy }; // for tests and the console
})();
