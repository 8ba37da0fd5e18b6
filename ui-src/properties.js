// creditflow's group in the bpmn-js properties panel: what the engine needs to run a model.
//
//   user task:          candidate groups, form, due date (SLA, business days), priority, excluded users
//   service task:       operation (a registered service) and its parameters, result variable
//   business rule task: decision (a DMN decision of the bundle)
//   call activity:      called process
//   timer events:       the timer expression is edited in the panel's own "Timer" group; this
//                       group says how creditflow reads it (Python, business_deadline(n))
//
// The choices (groups, forms, services, decisions, processes) come from the page:
// new BpmnModeler({ creditflow: { choices } }).

import { h } from '@bpmn-io/properties-panel/preact';
import {
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const LOW_PRIORITY = 400;

// ---- reading and writing spiffworkflow extension elements ----------------------------------

function extension(bo, type) {
  const ext = bo.get('extensionElements');

  return ext ? ext.get('values').find(value => is(value, type)) : undefined;
}

function ensureExtension(element, injector, type, attrs = {}) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const bo = getBusinessObject(element);
  let ext = bo.get('extensionElements');

  if (!ext) {
    ext = moddle.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateProperties(element, { extensionElements: ext });
  }

  let found = ext.get('values').find(value => is(value, type));

  if (!found) {
    found = moddle.create(type, attrs);
    found.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [ ...ext.get('values'), found ] });
  }

  return found;
}

export function getProperty(element, name) {
  const props = extension(getBusinessObject(element), 'spiffworkflow:Properties');
  const prop = props && props.get('properties').find(p => p.name === name);

  return prop ? prop.value : '';
}

export function setProperty(element, injector, name, value) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const props = ensureExtension(element, injector, 'spiffworkflow:Properties', { properties: [] });
  const list = props.get('properties');
  const prop = list.find(p => p.name === name);

  if (!value) {
    if (prop) {
      modeling.updateModdleProperties(element, props, { properties: list.filter(p => p !== prop) });
    }

    return;
  }

  if (prop) {
    modeling.updateModdleProperties(element, prop, { value });
  } else {
    const created = moddle.create('spiffworkflow:Property', { name, value });
    created.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: [ ...list, created ] });
  }
}

function operator(element) {
  return extension(getBusinessObject(element), 'spiffworkflow:ServiceTaskOperator');
}

export function parametersText(element) {
  const op = operator(element);
  const params = op && op.get('parameterList') ? op.get('parameterList').get('parameters') : [];

  return params.map(p => `${p.id} = ${p.value}`).join('\n');
}

export function setParametersText(element, injector, text) {
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const op = ensureExtension(element, injector, 'spiffworkflow:ServiceTaskOperator');
  const parameters = (text || '').split('\n')
    .map(line => line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$/))
    .filter(Boolean)
    .map(([ , id, value ]) => moddle.create('spiffworkflow:Parameter', { id, type: 'any', value }));
  const list = moddle.create('spiffworkflow:Parameters', { parameters });

  list.$parent = op;
  parameters.forEach(p => { p.$parent = list; });
  modeling.updateModdleProperties(element, op, { parameterList: list });
}

// ---- entries ----------------------------------------------------------------------------

function options(values, current, emptyLabel) {
  const all = [ ...new Set([ ...(values || []), ...(current ? [ current ] : []) ]) ].sort();

  return [ { value: '', label: emptyLabel }, ...all.map(value => ({ value, label: value })) ];
}

function PropertyText(props) {
  const { element, id, name, label, description, validate } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');

  return h(TextFieldEntry, {
    element, id, label, description, debounce, validate,
    getValue: () => getProperty(element, name),
    setValue: (value, error) => error || setProperty(element, injector, name, (value || '').trim())
  });
}

function PropertySelect(props) {
  const { element, id, name, label, description, choices, emptyLabel } = props;
  const injector = useService('injector');

  return h(SelectEntry, {
    element, id, label, description,
    getValue: () => getProperty(element, name),
    setValue: value => setProperty(element, injector, name, value),
    getOptions: () => options(choices, getProperty(element, name), emptyLabel)
  });
}

function OperationSelect(props) {
  const { element, id, label, choices, emptyLabel } = props;
  const injector = useService('injector');
  const modeling = useService('modeling');
  const get = () => (operator(element) || {}).id || '';

  return h(SelectEntry, {
    element, id, label,
    getValue: get,
    setValue: value => modeling.updateModdleProperties(
      element, ensureExtension(element, injector, 'spiffworkflow:ServiceTaskOperator'), { id: value }),
    getOptions: () => options(choices, get(), emptyLabel)
  });
}

function ResultVariable(props) {
  const { element, id, label } = props;
  const injector = useService('injector');
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');

  return h(TextFieldEntry, {
    element, id, label, debounce,
    getValue: () => (operator(element) || {}).resultVariable || '',
    setValue: value => modeling.updateModdleProperties(
      element, ensureExtension(element, injector, 'spiffworkflow:ServiceTaskOperator'), { resultVariable: value })
  });
}

function Parameters(props) {
  const { element, id, label, description } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');

  return h(TextAreaEntry, {
    element, id, label, description, debounce, rows: 3,
    getValue: () => parametersText(element),
    setValue: value => setParametersText(element, injector, value)
  });
}

function DecisionSelect(props) {
  const { element, id, label, choices, emptyLabel } = props;
  const injector = useService('injector');
  const modeling = useService('modeling');
  const get = () => (extension(getBusinessObject(element), 'spiffworkflow:CalledDecisionId') || {}).value || '';

  return h(SelectEntry, {
    element, id, label,
    getValue: get,
    setValue: value => modeling.updateModdleProperties(
      element, ensureExtension(element, injector, 'spiffworkflow:CalledDecisionId'), { value }),
    getOptions: () => options(choices, get(), emptyLabel)
  });
}

function CalledProcess(props) {
  const { element, id, label, choices, emptyLabel } = props;
  const modeling = useService('modeling');
  const get = () => getBusinessObject(element).get('calledElement') || '';

  return h(SelectEntry, {
    element, id, label,
    getValue: get,
    setValue: value => modeling.updateProperties(element, { calledElement: value }),
    getOptions: () => options(choices, get(), emptyLabel)
  });
}

function Hint(props) {
  return h('div', { class: 'bio-properties-panel-entry cf-hint', 'data-entry-id': props.id }, props.text);
}

const WHOLE_DAYS = value => (!value || /^\d{1,3}$/.test(value)) ? null : 'whole business days, e.g. 2';
const PRIORITY = value => (!value || /^\d{1,3}$/.test(value)) ? null : '0 to 100';

function hasTimer(element) {
  const bo = getBusinessObject(element);

  return (bo.get('eventDefinitions') || []).some(d => is(d, 'bpmn:TimerEventDefinition'));
}

export function entries(element, choices, t) {
  const item = (id, component, isEdited, extra = {}) => ({ id: `cf-${id}`, element, component, isEdited, ...extra });

  if (is(element, 'bpmn:UserTask')) {
    return [
      item('candidateGroups', PropertyText, isTextFieldEntryEdited, {
        name: 'candidateGroups', label: t.candidateGroups,
        description: t.candidateGroupsHint + ' ' + (choices.groups || []).join(', ')
      }),
      item('formKey', PropertySelect, isSelectEntryEdited, {
        name: 'formKey', label: t.form, choices: choices.forms, emptyLabel: t.formDefault
      }),
      item('dueInBusinessDays', PropertyText, isTextFieldEntryEdited, {
        name: 'dueInBusinessDays', label: t.due, description: t.dueHint, validate: WHOLE_DAYS
      }),
      item('priority', PropertyText, isTextFieldEntryEdited, {
        name: 'priority', label: t.priority, validate: PRIORITY
      }),
      item('excludedUsers', PropertyText, isTextFieldEntryEdited, {
        name: 'excludedUsers', label: t.excluded, description: t.excludedHint
      })
    ];
  }

  if (is(element, 'bpmn:ServiceTask')) {
    return [
      item('operation', OperationSelect, isSelectEntryEdited, {
        label: t.operation, choices: choices.services, emptyLabel: t.choose
      }),
      item('parameters', Parameters, isTextAreaEntryEdited, { label: t.parameters, description: t.parametersHint }),
      item('resultVariable', ResultVariable, isTextFieldEntryEdited, { label: t.resultVariable })
    ];
  }

  if (is(element, 'bpmn:BusinessRuleTask')) {
    return [ item('decision', DecisionSelect, isSelectEntryEdited, {
      label: t.decision, choices: choices.decisions, emptyLabel: t.choose
    }) ];
  }

  if (is(element, 'bpmn:CallActivity')) {
    return [ item('calledElement', CalledProcess, isSelectEntryEdited, {
      label: t.calledProcess, choices: choices.processes, emptyLabel: t.choose
    }) ];
  }

  if (is(element, 'bpmn:Event') && hasTimer(element)) {
    return [ item('timerHint', Hint, () => false, { text: t.timerHint }) ];
  }

  return [];
}

function CreditflowPropertiesProvider(propertiesPanel, config) {
  const settings = (config && config.creditflow) || {};

  this.getGroups = function(element) {
    return function(groups) {
      const found = entries(element, settings.choices || {}, settings.texts || {});

      if (found.length) {
        groups.splice(1, 0, { id: 'creditflow', label: (settings.texts || {}).group || 'creditflow', entries: found });
      }

      return groups;
    };
  };

  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

CreditflowPropertiesProvider.$inject = [ 'propertiesPanel', 'config' ];

export default {
  __init__: [ 'creditflowPropertiesProvider' ],
  creditflowPropertiesProvider: [ 'type', CreditflowPropertiesProvider ]
};
