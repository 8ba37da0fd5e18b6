// dist/form.js: form-js viewer and editor.
//
//   const form = CreditflowForm.render(container, schema, data);
//   form.on('submit', ({ data, errors }) => ...);
//   const stop = CreditflowForm.translate(container, messages);   // form-js's own strings
//   const guard = CreditflowForm.guardNumbers(container, text);   // guard.rejected() → fields
//   const editor = CreditflowForm.editor(container, schema);
//   const schema = editor.saveSchema();

import '@bpmn-io/form-js/dist/assets/form-js.css';
import '@bpmn-io/form-js/dist/assets/form-js-editor.css';

import { Form, FormEditor } from '@bpmn-io/form-js';

import { expose, toElement, withImport } from './util.js';

/**
 * Render a form. Field changes reach the form state at once (no debounce): with form-js's
 * 300 ms debounce, a number field's late update re-rendered the whole form and wiped what was
 * typed meanwhile into a text area.
 *
 * @param {Element|string} container
 * @param {object} schema form-js schema
 * @param {object} [data] initial field values
 * @return {Form} with `.imported` promise
 */
export function render(container, schema, data = {}) {
  const form = new Form({
    container: toElement(container),
    debounce: false
  });

  return withImport(form, form.importSchema(schema, data), 'form');
}

/**
 * @param {Element|string} container
 * @param {object} [schema] form-js schema; an empty form if omitted
 * @return {FormEditor} with `.imported` promise
 */
export function editor(container, schema) {
  const formEditor = new FormEditor({
    container: toElement(container)
  });

  schema = schema || { type: 'default', components: [] };

  return withImport(formEditor, formEditor.importSchema(schema), 'form editor');
}

/**
 * Turn a catalog of messages into a translator; a msgid may hold %(name)s placeholders
 * ("Field must have minimum value of %(min)s.") that match any text.
 *
 * @param {Object<string, string>} messages msgid -> translation
 * @return {function(string): string}
 */
export function translator(messages) {
  const patterns = Object.entries(messages || {})
    .filter(([ msgid ]) => msgid.includes('%('))
    .map(([ msgid, text ]) => {
      const names = [];
      const source = msgid
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%\\\((\w+)\\\)s/g, (_, name) => {
          names.push(name);

          return '(.+?)';
        });

      return { regex: new RegExp(`^${source}$`), names, text };
    });

  return function(message) {
    if (messages && Object.prototype.hasOwnProperty.call(messages, message)) {
      return messages[message];
    }

    for (const { regex, names, text } of patterns) {
      const match = regex.exec(message);

      if (match) {
        return names.reduce((out, name, i) => out.replace(`%(${name})s`, match[i + 1]), text);
      }
    }

    return message;
  };
}

/**
 * Translate form-js's own strings ("Select", "Field is required.") in a container, also
 * those form-js renders later (placeholders, options lists, validation errors).
 *
 * @param {Element|string} container
 * @param {Object<string, string>} messages msgid -> translation
 * @return {function} stops translating
 */
export function translate(container, messages) {
  const root = toElement(container);
  const tr = translator(messages);

  const fix = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.nodeValue.trim();
      const translated = text && tr(text);

      if (translated && translated !== text) {
        node.nodeValue = node.nodeValue.replace(text, translated);
      }
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      for (const attribute of [ 'placeholder', 'aria-label', 'title' ]) {
        const value = node.getAttribute(attribute);

        if (value && tr(value) !== value) {
          node.setAttribute(attribute, tr(value));
        }
      }

      node.childNodes.forEach(fix);
    }
  };

  fix(root);

  const observer = new MutationObserver(records => {
    for (const record of records) {
      if (record.type === 'characterData') {
        fix(record.target);
      } else if (record.type === 'attributes') {
        fix(record.target);
      } else {
        record.addedNodes.forEach(fix);
      }
    }
  });

  observer.observe(root, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: [ 'placeholder' ]
  });

  return () => observer.disconnect();
}

const NUMBER_KEY = /^[0-9.,-]$/;

/**
 * Reject text typed into number fields instead of silently dropping it: form-js ignores a
 * key that cannot be part of a number ("abc12x" became 12). A field that received such a key
 * is marked invalid with a message until it is cleared or its whole content is replaced.
 *
 * @param {Element|string} container
 * @param {string} message with %(key)s for the rejected key
 * @return {{ rejected: function(): string[] }} keys (input ids) of the fields in error
 */
export function guardNumbers(container, message) {
  const root = toElement(container);
  const bad = new Map();

  const numberInput = (target) => target instanceof HTMLInputElement &&
    target.closest('.fjs-form-field-number') ? target : null;

  const show = (input, key) => {
    const field = input.closest('.fjs-form-field');
    let note = field.querySelector('.cf-number-error');

    if (!note) {
      note = document.createElement('div');
      note.className = 'cf-number-error cf-field-error';
      note.setAttribute('role', 'alert');
      field.appendChild(note);
    }

    note.textContent = message.replace('%(key)s', key);
    input.setAttribute('aria-invalid', 'true');
    bad.set(input.id, key);
  };

  const clear = (input) => {
    const note = input.closest('.fjs-form-field').querySelector('.cf-number-error');

    if (note) {
      note.remove();
    }

    bad.delete(input.id);
  };

  // capture phase: runs before form-js's own keypress handler swallows the key
  root.addEventListener('keypress', (event) => {
    const input = numberInput(event.target);

    if (!input || event.key.length !== 1) {
      return;
    }

    const replacesAll = input.selectionStart === 0 && input.selectionEnd === input.value.length;

    if (!NUMBER_KEY.test(event.key)) {
      show(input, event.key);
    } else if (replacesAll && bad.has(input.id)) {
      clear(input);
    }
  }, true);

  root.addEventListener('input', (event) => {
    const input = numberInput(event.target);

    if (!input) {
      return;
    }

    if (input.value === '') {
      clear(input);
    } else if (input.value === 'NaN') {
      show(input, input.dataset.pasted || '?');
    }
  }, true);

  root.addEventListener('paste', (event) => {
    const input = numberInput(event.target);
    const text = event.clipboardData ? event.clipboardData.getData('text') : '';

    if (input && text && isNaN(Number(text.replaceAll(',', '.')))) {
      input.dataset.pasted = text;
    }
  }, true);

  return {
    rejected: () => Array.from(bad.keys())
  };
}

expose('CreditflowForm', { render, editor, translate, translator, guardNumbers, Form, FormEditor });
