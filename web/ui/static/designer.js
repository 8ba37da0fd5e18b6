/* Designer: edit BPMN / DMN / form files of a model, deploy a new version, diff two versions. */
(function () {
  "use strict";
  var page = cf.pageData("designer-data");
  var files = Object.assign({}, page.files), texts = page.texts;
  var current = null; // {name, kind, instance}
  var select = document.getElementById("file-select");
  var panes = { bpmn: "editor-bpmn", dmn: "editor-dmn", form: "editor-form" };

  function kindOf(name) {
    if (name.endsWith(".bpmn")) return "bpmn";
    if (name.endsWith(".dmn")) return "dmn";
    if (name.endsWith(".json")) return "form";
    return null;
  }

  async function saveCurrent() {
    if (!current || !current.instance) return;
    if (current.kind === "form") {
      files[current.name] = JSON.stringify(current.instance.saveSchema(), null, 2);
    } else {
      files[current.name] = (await current.instance.saveXML({ format: true })).xml;
    }
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
    if (kind === "bpmn") instance = CreditflowBpmn.modeler("#canvas", "#properties", files[name]);
    if (kind === "dmn") instance = CreditflowDmn.modeler("#editor-dmn", files[name]);
    if (kind === "form") instance = CreditflowForm.editor("#editor-form", JSON.parse(files[name]));
    current = { name: name, kind: kind, instance: instance };
    if (instance) await instance.imported.catch(function (e) { console.error(e); });
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

  async function deploy() {
    var status = document.getElementById("deploy-status"), box = document.getElementById("deploy-errors");
    box.textContent = "";
    status.textContent = texts.deploying;
    await saveCurrent();
    var body = new FormData();
    Object.entries(files).forEach(function (kv) {
      body.append("files", new Blob([kv[1]], { type: "application/octet-stream" }), kv[0]);
    });
    var response = await cf.api("POST", "/api/v1/process-models", body);
    if (response.ok) {
      status.textContent = texts.deployed.replace("{v}", response.body.version);
      window.location.href = "/designer/" + encodeURIComponent(page.key) + "?deployed=" + response.body.version;
      return;
    }
    status.textContent = texts.failed;
    var problem = response.body || {};
    var list = cf.el("ul");
    list.appendChild(cf.el("li", {}, problem.detail || problem.title || String(response.status)));
    Object.entries(problem.errors || {}).forEach(function (kv) {
      list.appendChild(cf.el("li", {}, kv[0] + ": " + [].concat(kv[1]).join(" ")));
    });
    box.appendChild(list);
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
  document.getElementById("diff-form").addEventListener("submit", diff);
  open(select.value);
  window.cfDesigner = { files: files, open: open, deploy: deploy }; // for tests and the console
})();
