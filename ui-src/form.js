// dist/form.js: form-js viewer and editor.
//
//   const form = CreditflowForm.render(container, schema, data);
//   form.on('submit', ({ data, errors }) => ...);
//   const editor = CreditflowForm.editor(container, schema);
//   const schema = editor.saveSchema();

import '@bpmn-io/form-js/dist/assets/form-js.css';
import '@bpmn-io/form-js/dist/assets/form-js-editor.css';

import { Form, FormEditor } from '@bpmn-io/form-js';

import { expose, toElement, withImport } from './util.js';

/**
 * @param {Element|string} container
 * @param {object} schema form-js schema
 * @param {object} [data] initial field values
 * @return {Form} with `.imported` promise
 */
export function render(container, schema, data = {}) {
  const form = new Form({
    container: toElement(container)
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

expose('CreditflowForm', { render, editor, Form, FormEditor });
