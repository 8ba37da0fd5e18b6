// Shared helpers for the creditflow entry modules (not an entry itself).

/**
 * Attach an import promise to a bpmn.io instance as `instance.imported`.
 *
 * Failures are logged, but the original promise is exposed so callers can
 * `await instance.imported` and see the error themselves.
 *
 * @template T
 * @param {T} instance
 * @param {Promise<any>} promise
 * @param {string} what
 * @return {T}
 */
export function withImport(instance, promise, what) {
  promise.catch(err => console.error(`[creditflow] ${what} import failed`, err));

  Object.defineProperty(instance, 'imported', {
    value: promise,
    configurable: true
  });

  return instance;
}

/**
 * Merge `api` into the `window[name]` namespace, so several bundles can
 * contribute to the same global (e.g. bpmn-viewer.js + bpmn-modeler.js).
 */
export function expose(name, api) {
  window[name] = Object.assign(window[name] || {}, api);
  return window[name];
}

/**
 * Resolve a container argument (element or CSS selector).
 *
 * @param {Element|string} container
 * @return {Element}
 */
export function toElement(container) {
  if (typeof container === 'string') {
    const el = document.querySelector(container);

    if (!el) {
      throw new Error(`[creditflow] no element matches <${container}>`);
    }

    return el;
  }

  return container;
}

/**
 * A diagram-js `translate` service from a catalog: template -> translation, with {name}
 * placeholders filled from the replacements (bpmn-js and its properties panel ask it).
 *
 * @param {Object<string, string>} [messages]
 * @return {object} a diagram-js module
 */
export function translateModule(messages) {
  return {
    translate: [ 'value', function(template, replacements = {}) {
      const text = (messages && messages[template]) || template;

      return text.replace(/{([^}]+)}/g, (match, key) => (key in replacements ? replacements[key] : match));
    } ]
  };
}
