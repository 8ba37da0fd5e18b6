/* Task page: the form-js form (one language, translated, numbers guarded), the analyst's score
   preview and confirmation, and completion through the REST API. */
(function () {
  "use strict";
  var page = cf.pageData("task-data");
  var task = page.task, texts = page.texts;
  var container = document.getElementById("task-form");
  var tr = CreditflowForm.translator(cf.messages());
  var form = null, guard = null;

  function fieldIds() {
    var ids = {};
    form.get("formFieldRegistry").getAll().forEach(function (f) { if (f.key) ids[f.key] = f.id; });
    return ids;
  }

  function clearErrors() {
    document.querySelectorAll(".cf-field-error:not(.cf-number-error)").forEach(function (n) { n.remove(); });
    document.getElementById("form-errors").textContent = "";
  }

  function showErrors(errors) {
    var ids = fieldIds(), rest = [];
    Object.entries(errors).forEach(function (kv) {
      var key = kv[0].replace(/^data\./, ""), messages = [].concat(kv[1]).map(tr);
      var id = ids[key];
      var input = id && container.querySelector('[id$="-' + id + '"]');
      var wrapper = input && input.closest(".fjs-form-field");
      if (wrapper) {
        wrapper.appendChild(cf.el("div", { "class": "cf-field-error", "data-field": key, "role": "alert" }, messages.join(" ")));
        input.setAttribute("aria-invalid", "true");
      } else {
        rest.push(key + ": " + messages.join(" "));
      }
    });
    document.getElementById("form-errors").textContent = texts.invalid + (rest.length ? " " + rest.join("; ") : "");
  }

  function formData() {
    return form ? form.submit() : { data: {}, errors: {} };
  }

  /* ---- the analyst's score preview -------------------------------------------------- */

  var preview = { last: null, timer: null, seq: 0 };

  function money(value) {
    var n = Number(value);
    return isNaN(n) ? String(value) : n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name] === null || values[name] === undefined ? "—" : values[name]; });
  }

  function renderPreview(result) {
    var box = document.getElementById("preview");
    box.innerHTML = "";
    if (!result || result.score === undefined) {
      var why = result && (result.problem || "");
      box.appendChild(cf.el("p", { "class": "muted" }, why ? texts.preview_failed + ": " + tr(why) : texts.preview_wait));
      return;
    }
    var dl = cf.el("dl", { "class": "kv preview-kv", "data-testid": "preview-values" });
    [[texts.score, String(result.score) + " / 100"], [texts.grade, result.grade],
     [texts.suggested_limit, money(result.suggested_limit) + " " + result.currency],
     [texts.suggested_terms, result.suggested_terms_days + " " + texts.days]].forEach(function (pair) {
      dl.appendChild(cf.el("dt", {}, pair[0]));
      dl.appendChild(cf.el("dd", { "data-preview": pair[0] }, pair[1]));
    });
    box.appendChild(dl);
    if (result.terms_rule && texts.rules[result.terms_rule.rule]) {
      box.appendChild(cf.el("p", { "class": "rule" }, fill(texts.rules[result.terms_rule.rule], result.terms_rule)));
    }
    var table = cf.el("table", { "class": "grid compact", "data-testid": "preview-factors" });
    var head = cf.el("tr");
    [texts.factor, texts.points, texts.reason].forEach(function (t) { head.appendChild(cf.el("th", { scope: "col" }, t)); });
    table.appendChild(head);
    result.factors.forEach(function (f) {
      var row = cf.el("tr", { "data-factor": f.factor });
      row.appendChild(cf.el("th", { scope: "row" }, texts.factors[f.factor] || f.factor));
      row.appendChild(cf.el("td", { "class": "num" }, f.points + " / " + f.max_points));
      row.appendChild(cf.el("td", {}, Number(f.points) < Number(f.max_points) ? (texts.reasons[f.reason_code] || f.reason_code) : ""));
      table.appendChild(row);
    });
    box.appendChild(table);
  }

  async function refreshPreview() {
    var seq = ++preview.seq;
    var values = Object.assign({}, formData().data);
    Object.keys(values).forEach(function (k) { if (values[k] === "" || values[k] === null) delete values[k]; });
    delete values.comment;
    var response = await cf.api("POST", "/api/v1/credit-applications/" + page.application_id + "/score-preview", values);
    if (seq !== preview.seq) return; // a newer preview is on its way
    preview.last = response.ok ? response.body : null;
    renderPreview(response.ok ? response.body : { problem: response.body && (response.body.detail || response.body.title) });
  }

  function schedulePreview() {
    clearTimeout(preview.timer);
    preview.timer = setTimeout(refreshPreview, 350);
  }

  /* ---- confirmation and completion -------------------------------------------------- */

  function confirmAssessment() {
    var dialog = document.getElementById("confirm");
    var summary = document.getElementById("confirm-summary");
    summary.innerHTML = "";
    var last = preview.last;
    if (last && last.score !== undefined) {
      summary.appendChild(cf.el("p", { "data-testid": "confirm-score" },
        texts.score + " " + last.score + " · " + texts.grade + " " + last.grade + " · " +
        texts.suggested_limit + " " + money(last.suggested_limit) + " " + last.currency + " · " +
        texts.suggested_terms + " " + last.suggested_terms_days + " " + texts.days));
    }
    return new Promise(function (resolve) {
      function done(answer) {
        dialog.close();
        document.getElementById("confirm-yes").removeEventListener("click", yes);
        document.getElementById("confirm-no").removeEventListener("click", no);
        resolve(answer);
      }
      function yes() { done(true); }
      function no() { done(false); }
      document.getElementById("confirm-yes").addEventListener("click", yes);
      document.getElementById("confirm-no").addEventListener("click", no);
      dialog.showModal();
    });
  }

  async function submit() {
    clearErrors();
    var status = document.getElementById("form-status");
    var result = formData();
    if (guard && guard.rejected().length) {
      document.getElementById("form-errors").textContent = texts.invalid;
      return;
    }
    if (Object.keys(result.errors || {}).length) {
      document.getElementById("form-errors").textContent = texts.invalid;
      return;
    }
    if (page.kind === "assess") {
      await refreshPreview();
      if (preview.last && preview.last.errors && Object.keys(preview.last.errors).length) {
        showErrors(preview.last.errors);
        return;
      }
      if (!(await confirmAssessment())) return;
    }
    var button = document.getElementById("submit-task");
    button.disabled = true;
    var response = await cf.api("POST", "/api/v1/tasks/" + task.id + "/complete", { data: result.data });
    button.disabled = false;
    if (response.ok) {
      status.textContent = texts.done;
      window.location.href = "/process-instances/" + task.process_instance_id + "?done=" + encodeURIComponent(task.id);
    } else if (response.status === 422 && response.body && response.body.errors) {
      showErrors(response.body.errors);
    } else {
      var detail = response.body ? (response.body.detail || response.body.title) : response.status;
      document.getElementById("form-errors").textContent = texts.failed + ": " + tr(String(detail));
    }
  }

  if (task.form && container) {
    // A person signs only what they enter: the form never starts from task data (whose other
    // keys are context, shown beside the form), so no earlier answer can be submitted by a click.
    form = CreditflowForm.render(container, task.form, {});
    CreditflowForm.translate(container, cf.messages());
    guard = CreditflowForm.guardNumbers(container, texts.not_a_number);
    form.imported.then(function () {
      if (container.dataset.readonly) form.setProperty("readOnly", true);
      if (page.kind === "assess" && page.application_id && !container.dataset.readonly) {
        form.on("changed", schedulePreview);
        refreshPreview();
      }
      container.dataset.ready = "1";
    });
  } else if (container) {
    container.dataset.ready = "1";
  }
  var button = document.getElementById("submit-task");
  if (button) button.addEventListener("click", submit);
})();
