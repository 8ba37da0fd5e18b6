/* Task page: render the task's form-js form and diagram; submit through the REST API. */
(function () {
  "use strict";
  var page = cf.pageData("task-data");
  var task = page.task, texts = page.texts;
  var container = document.getElementById("task-form");
  var form = null;

  function fieldIds() {
    var ids = {};
    form.get("formFieldRegistry").getAll().forEach(function (f) { if (f.key) ids[f.key] = f.id; });
    return ids;
  }

  function clearErrors() {
    document.querySelectorAll(".cf-field-error").forEach(function (n) { n.remove(); });
    document.getElementById("form-errors").textContent = "";
  }

  function showErrors(errors) {
    var ids = fieldIds(), formErrors = {}, rest = [];
    Object.entries(errors).forEach(function (kv) {
      var key = kv[0].replace(/^data\./, ""), messages = [].concat(kv[1]);
      var id = ids[key];
      var input = id && container.querySelector('[id$="-' + id + '"]');
      var wrapper = input && input.closest(".fjs-form-field");
      if (wrapper) {
        formErrors[id] = messages;
        var note = cf.el("div", { "class": "cf-field-error", "data-field": key, "role": "alert" }, messages.join(" "));
        wrapper.appendChild(note);
        input.setAttribute("aria-invalid", "true");
      } else {
        rest.push(key + ": " + messages.join(" "));
      }
    });
    var box = document.getElementById("form-errors");
    box.textContent = texts.invalid + (rest.length ? " " + rest.join("; ") : "");
  }

  async function submit() {
    clearErrors();
    var status = document.getElementById("form-status");
    var result = form ? form.submit() : { data: {}, errors: {} };
    if (Object.keys(result.errors || {}).length) {
      document.getElementById("form-errors").textContent = texts.invalid;
      return;
    }
    var button = document.getElementById("submit-task");
    button.disabled = true;
    var response = await cf.api("POST", "/api/v1/tasks/" + task.id + "/complete", { data: result.data });
    button.disabled = false;
    if (response.ok) {
      status.textContent = texts.done;
      window.location.href = "/process-instances/" + task.process_instance_id + "?done=" + task.id;
    } else if (response.status === 422 && response.body && response.body.errors) {
      showErrors(response.body.errors);
    } else {
      var detail = response.body ? (response.body.detail || response.body.title) : response.status;
      document.getElementById("form-errors").textContent = texts.failed + ": " + detail;
    }
  }

  if (task.form) {
    // A person signs only what they enter: the form never starts from task data (whose other
    // keys are context, shown beside the form), so no earlier answer can be submitted by a click.
    form = CreditflowForm.render(container, task.form, {});
    form.imported.then(function () {
      if (container.dataset.readonly) form.setProperty("readOnly", true);
      container.dataset.ready = "1";
    });
  } else {
    container.dataset.ready = "1";
  }
  var button = document.getElementById("submit-task");
  if (button) button.addEventListener("click", submit);

  if (page.diagram && page.diagram.xml) {
    var d = page.diagram;
    var viewer = CreditflowBpmn.viewer("#diagram", d.xml, { active: d.active, completed: d.completed });
    viewer.imported.then(function () { document.getElementById("diagram").dataset.ready = "1"; });
  }
})();
