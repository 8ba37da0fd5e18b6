// dist/dmn-editor.js: DMN modeler (DRD, decision tables, literal expressions).
//
//   const modeler = CreditflowDmn.modeler(container, xml);
//   await modeler.imported;
//   const { xml } = await modeler.saveXML({ format: true });

import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn.css';

import DmnModeler from 'dmn-js/lib/Modeler';

import { expose, toElement, withImport } from './util.js';

/**
 * @param {Element|string} container
 * @param {string} xml DMN 1.3 XML
 * @param {{ decision?: string | true }} [options]
 *   `decision`: open the decision table of the decision with this id
 *   (or of the first decision with a table if `true`) instead of the DRD
 * @return {DmnModeler} with `.imported` promise
 */
export function modeler(container, xml, options = {}) {
  const instance = new DmnModeler({
    container: toElement(container)
  });

  const imported = instance.importXML(xml).then(result => {
    if (options.decision) {
      const view = instance.getViews().find(v => v.type === 'decisionTable' && (
        options.decision === true || v.element.id === options.decision
      ));

      if (view) {
        return instance.open(view).then(() => result);
      }

      console.warn(`[creditflow] no decision table for <${options.decision}>`);
    }

    return result;
  });

  return withImport(instance, imported, 'DMN modeler');
}

expose('CreditflowDmn', { modeler, DmnModeler });
