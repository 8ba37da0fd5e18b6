/* creditflow UI helpers shared by every page: page data, CSRF-carrying fetch. */
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  function pageData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  async function api(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf(), "Accept": "application/json" } };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var response = await fetch(url, init);
    var payload = null;
    try { payload = await response.json(); } catch (e) { payload = null; }
    return { ok: response.ok, status: response.status, body: payload };
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function (kv) { node.setAttribute(kv[0], kv[1]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function messages() {
    return pageData("ui-catalog") || {};
  }
  window.cf = { csrf: csrf, pageData: pageData, api: api, el: el, messages: messages };
})();
