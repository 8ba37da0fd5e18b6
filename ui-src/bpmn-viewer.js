// dist/bpmn-viewer.js: read-only BPMN view with execution-state markers.
//
//   const viewer = CreditflowBpmn.viewer(container, xml, { completed: [ids], active: [ids] });
//   await viewer.imported;   // { warnings }, rejects on invalid XML

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import './markers.css';

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { expose, toElement, translateModule, withImport } from './util.js';

export const MARKER_COMPLETED = 'cf-completed';
export const MARKER_ACTIVE = 'cf-active';

async function importAndMark(viewer, xml, state) {
  const result = await viewer.importXML(xml);

  const canvas = viewer.get('canvas');
  const elementRegistry = viewer.get('elementRegistry');

  const mark = (ids, marker) => {
    for (const id of ids || []) {
      if (elementRegistry.get(id)) {
        canvas.addMarker(id, marker);
      } else {
        console.warn(`[creditflow] cannot mark <${id}> as ${marker}: no such element`);
      }
    }
  };

  mark(state.completed, MARKER_COMPLETED);
  mark(state.active, MARKER_ACTIVE);

  canvas.zoom('fit-viewport', 'auto');

  return result;
}

/**
 * @param {Element|string} container
 * @param {string} xml BPMN 2.0 XML
 * @param {{ completed?: string[], active?: string[] }} [state]
 * @return {NavigatedViewer} with `.imported` promise
 */
export function viewer(container, xml, state = {}) {
  const instance = new NavigatedViewer({
    container: toElement(container)
  });

  return withImport(instance, importAndMark(instance, xml, state), 'BPMN viewer');
}

expose('CreditflowBpmn', { viewer, NavigatedViewer, translateModule });
