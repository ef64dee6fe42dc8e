// A properties panel of our own: it edits exactly the attributes and spiffworkflow extension elements
// this engine reads (engine/runner.py, services/runtime.py, services/assignment.py), every change
// through bpmn-js `modeling`, so it can be undone.
import { t } from './i18n.js';
import { variableRef } from './references.js';

var STAGES = ['plan', 'initiation', 'draw', 'joint_inspection', 'publication', 'diagnosis', 'follow_up', 'review'];

function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) {
    if (k === 'text') { node.textContent = attrs[k]; } else if (attrs[k] !== undefined && attrs[k] !== null) { node.setAttribute(k, attrs[k]); }
  });
  (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
  return node;
}

export function PropertiesPanel(modeler, container, options, language) {
  var modeling = modeler.get('modeling');
  var moddle = modeler.get('moddle');
  var registry = modeler.get('elementRegistry');
  var canvas = modeler.get('canvas');
  var current = null;
  var tr = function (s) { return t(s, {}, language); };

  // Extension helpers ---------------------------------------------------------------------------------
  function extensions(bo) { return (bo.extensionElements && bo.extensionElements.values) || []; }
  function extension(bo, type) { return extensions(bo).filter(function (e) { return is(e, type); })[0]; }

  function ensureExtension(element, bo, type, attrs) {
    var found = extension(bo, type);
    if (found) { return found; }
    var created = moddle.create(type, attrs || {});
    if (!bo.extensionElements) {
      var ext = moddle.create('bpmn:ExtensionElements', { values: [created] });
      created.$parent = ext;
      ext.$parent = bo;
      if (bo === element.businessObject) { modeling.updateProperties(element, { extensionElements: ext }); } else { modeling.updateModdleProperties(element, bo, { extensionElements: ext }); }
    } else {
      created.$parent = bo.extensionElements;
      modeling.updateModdleProperties(element, bo.extensionElements, { values: extensions(bo).concat([created]) });
    }
    return created;
  }

  function removeExtension(element, bo, type) {
    var found = extension(bo, type);
    if (found) { modeling.updateModdleProperties(element, bo.extensionElements, { values: extensions(bo).filter(function (e) { return e !== found; }) }); }
  }

  function spiffProperty(bo, name) {
    var props = extension(bo, 'spiffworkflow:Properties');
    var prop = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return prop ? prop.value : '';
  }

  function setSpiffProperty(element, name, value) {
    var bo = element.businessObject;
    var props = extension(bo, 'spiffworkflow:Properties');
    var list = props ? (props.properties || []) : [];
    var prop = list.filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (prop) { modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== prop; }) }); }
      return;
    }
    if (prop) { modeling.updateModdleProperties(element, prop, { value: value }); return; }
    props = props || ensureExtension(element, bo, 'spiffworkflow:Properties', { properties: [] });
    var created = moddle.create('spiffworkflow:Property', { name: name, value: value });
    created.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: (props.properties || []).concat([created]) });
  }

  function bodyExtension(bo, type) { var e = extension(bo, type); return e ? e.value || '' : ''; }

  function setBodyExtension(element, bo, type, value) {
    if (!value) { removeExtension(element, bo, type); return; }
    var found = extension(bo, type);
    if (found) { modeling.updateModdleProperties(element, found, { value: value }); } else { ensureExtension(element, bo, type, { value: value }); }
  }

  function expression(value) { return value ? moddle.create('bpmn:FormalExpression', { body: value }) : undefined; }

  // Lanes: a user task's lane decides who gets it (services/assignment.LANE_RULES). Read from the
  // semantic model, because a diagram may hold lanes without drawing them (bpmn-auto-layout output).
  function semanticLanes(bo) {
    var process = bo.$parent;
    while (process && !is(process, 'bpmn:Process')) { process = process.$parent; }
    var found = [];
    (function walk(sets) {
      (sets || []).forEach(function (set) {
        (set.lanes || []).forEach(function (lane) { found.push(lane); walk(lane.childLaneSet ? [lane.childLaneSet] : []); });
      });
    })(process ? process.laneSets : []);
    return found;
  }

  function laneOf(bo) {
    var found = semanticLanes(bo).filter(function (lane) { return (lane.flowNodeRef || []).indexOf(bo) !== -1; });
    return found.length ? found[found.length - 1] : null;  // the innermost lane comes last
  }

  function moveToLane(element, name) {
    var bo = element.businessObject;
    var shape = registry.filter(function (e) { return e.type === 'bpmn:Lane' && e.businessObject.name === name; })[0];
    if (shape) {  // drawn lanes: move the shape, bpmn-js updates flowNodeRef itself
      var dy = Math.round(shape.y + shape.height / 2 - (element.y + element.height / 2));
      modeling.moveElements([element], { x: 0, y: dy }, element.parent);
      return;
    }
    var target = semanticLanes(bo).filter(function (lane) { return lane.name === name; })[0];
    var from = laneOf(bo);
    if (from && from !== target) {
      modeling.updateModdleProperties(element, from, { flowNodeRef: from.flowNodeRef.filter(function (n) { return n !== bo; }) });
    }
    if (target && target !== from) {
      modeling.updateModdleProperties(element, target, { flowNodeRef: (target.flowNodeRef || []).concat([bo]) });
    }
  }

  // Field builders --------------------------------------------------------------------------------------
  function field(label, input, hint) {
    var wrap = el('div', { 'class': 'field' }, [el('label', { text: tr(label) }), input]);
    if (hint) { wrap.appendChild(el('p', { 'class': 'hint', text: tr(hint) })); }
    return wrap;
  }

  function text(name, value, onChange, attrs) {
    var input = el('input', Object.assign({ type: 'text', 'data-field': name, value: value || '' }, attrs || {}));
    input.addEventListener('change', function () { onChange(input.value.trim()); });
    return input;
  }

  function area(name, value, onChange) {
    var input = el('textarea', { 'data-field': name, rows: 4 });
    input.value = value || '';
    input.addEventListener('change', function () { onChange(input.value); });
    return input;
  }

  function select(name, value, choices, onChange) {
    var input = el('select', { 'data-field': name });
    var values = choices.map(function (c) { return c[0]; });
    if (value && values.indexOf(value) === -1) { choices = choices.concat([[value, value]]); }
    choices.forEach(function (c) {
      var opt = el('option', { value: c[0], text: c[1] });
      if (c[0] === (value || '')) { opt.selected = true; }
      input.appendChild(opt);
    });
    input.addEventListener('change', function () { onChange(input.value); });
    return input;
  }

  function label(v) { return v && typeof v === 'object' ? (language === 'zh' ? v.zh : v.en) || v.zh : v; }

  // Sections -------------------------------------------------------------------------------------------
  function general(element, out) {
    var bo = element.businessObject;
    out.push(field('ID', el('input', { type: 'text', value: bo.id, readonly: 'readonly', 'data-field': 'id' })));
    if (element.type === 'bpmn:Lane') {
      var list = el('datalist', { id: 'lane-names' }, options.lanes.map(function (n) { return el('option', { value: n }); }));
      out.push(field('Lane name', text('name', bo.name, function (v) { modeling.updateProperties(element, { name: v }); },
        { list: 'lane-names' }), 'Lane must be one of the configured lanes.'), list);
      return;
    }
    out.push(field('Name', text('name', bo.name, function (v) { modeling.updateProperties(element, { name: v }); })));
  }

  function userTask(element, out) {
    var bo = element.businessObject;
    var lane = laneOf(bo);
    var laneNames = semanticLanes(bo).map(function (l) { return l.name || ''; });
    out.push(field('Lane (department/role)', select('lane', lane ? lane.name : '',
      [['', '—']].concat(laneNames.map(function (n) { return [n, n]; })), function (v) { moveToLane(element, v); })));
    var forms = Object.keys(options.forms).map(function (k) { return [k, k + ' · ' + label(options.forms[k])]; });
    out.push(field('Form', select('formKey', spiffProperty(bo, 'formKey'), [['', '—']].concat(forms),
      function (v) { setSpiffProperty(element, 'formKey', v); })));
    out.push(field('Stage', select('stage', spiffProperty(bo, 'stage'), [['', '—']].concat(STAGES.map(function (s) { return [s, s]; })),
      function (v) { setSpiffProperty(element, 'stage', v); })));
    out.push(field('SLA (working days)', text('slaDays', spiffProperty(bo, 'slaDays'),
      function (v) { setSpiffProperty(element, 'slaDays', v); }, { inputmode: 'numeric' })));
    out.push(field('Instructions', area('instructions', bodyExtension(bo, 'spiffworkflow:InstructionsForEndUser'),
      function (v) { setBodyExtension(element, bo, 'spiffworkflow:InstructionsForEndUser', v); })));
  }

  function multiInstance(element, out) {
    var bo = element.businessObject;
    var loop = bo.loopCharacteristics;
    var kind = is(loop, 'bpmn:MultiInstanceLoopCharacteristics') ? (loop.isSequential ? 'sequential' : 'parallel') : '';
    out.push(field('Multi-instance', select('multiInstance', kind, [['', tr('None')], ['parallel', tr('Parallel')], ['sequential', tr('Sequential')]],
      function (v) {
        if (!v) { modeling.updateProperties(element, { loopCharacteristics: undefined }); return; }
        if (loop && is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) { modeling.updateModdleProperties(element, loop, { isSequential: v === 'sequential' }); return; }
        modeling.updateProperties(element, { loopCharacteristics: moddle.create('bpmn:MultiInstanceLoopCharacteristics', { isSequential: v === 'sequential' }) });
      })));
    if (!kind) { return; }
    var ref = loop.loopDataInputRef;
    out.push(field('Collection variable', text('loopDataInputRef', ref ? ref.id : '', function (v) {
      modeling.updateModdleProperties(element, loop, { loopDataInputRef: v ? variableRef(moddle, v) : undefined });
    })));
    var item = loop.inputDataItem;
    out.push(field('Item variable', text('inputDataItem', item ? item.name || item.id : '', function (v) {
      modeling.updateModdleProperties(element, loop, { inputDataItem: v ? moddle.create('bpmn:DataInput', { id: v, name: v }) : undefined });
    })));
    out.push(field('Cardinality', text('loopCardinality', loop.loopCardinality ? loop.loopCardinality.body : '', function (v) {
      modeling.updateModdleProperties(element, loop, { loopCardinality: expression(v) });
    })));
    out.push(field('Completion condition', text('completionCondition', loop.completionCondition ? loop.completionCondition.body : '', function (v) {
      modeling.updateModdleProperties(element, loop, { completionCondition: expression(v) });
    })));
  }

  function timer(element, definition, out) {
    var kinds = [['timeDuration', tr('Duration')], ['timeDate', tr('Date')], ['timeCycle', tr('Cycle')],
                 ['workdays', tr('Working days')]];
    var kind = ['timeDuration', 'timeDate', 'timeCycle'].filter(function (k) { return definition[k]; })[0] || 'timeDuration';
    var value = definition[kind] ? definition[kind].body : '';
    var working = kind === 'timeDate' && /^workdays\((\d+)\)$/.exec((value || '').trim());
    if (working) { kind = 'workdays'; value = working[1]; }
    function save(newKind, newValue) {
      var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      if (newKind === 'workdays') {
        var days = parseInt(newValue, 10);
        props.timeDate = expression(isNaN(days) ? '' : 'workdays(' + days + ')');
      } else {
        props[newKind] = expression(newValue);
      }
      modeling.updateModdleProperties(element, definition, props);
    }
    var kindInput = select('timerKind', kind, kinds, function (k) { save(k, k === 'workdays' ? '5' : ''); });
    out.push(el('h3', { text: tr('Timer') }), field('Timer', kindInput));
    if (kind === 'workdays') {
      out.push(field('Working days', text('timerExpression', value, function (v) { save('workdays', v); }, { inputmode: 'numeric' }),
        'Deadline at the end of the n-th working day (China calendar).'));
    } else {
      out.push(field('Timer expression', text('timerExpression', value, function (v) { save(kind, v); }),
        'Python expression, e.g. "P5D", "2026-12-01T09:00:00+08:00", "R3/PT1H"'));
    }
  }

  function definitionsOf(bo) { var d = bo; while (d && !is(d, 'bpmn:Definitions')) { d = d.$parent; } return d; }

  function message(element, definition, out) {
    var definitions = definitionsOf(element.businessObject);
    var messages = (definitions.rootElements || []).filter(function (r) { return is(r, 'bpmn:Message'); });
    var current = definition.messageRef ? definition.messageRef.name || definition.messageRef.id : '';
    var list = el('datalist', { id: 'message-names' }, messages.map(function (m) { return el('option', { value: m.name || m.id }); }));
    out.push(el('h3', { text: tr('Message') }), list, field('Message', text('messageRef', current, function (v) {
      if (!v) { modeling.updateModdleProperties(element, definition, { messageRef: undefined }); return; }
      var found = messages.filter(function (m) { return (m.name || m.id) === v; })[0];
      if (!found) {
        found = moddle.create('bpmn:Message', { id: 'msg_' + v.replace(/[^A-Za-z0-9_]/g, '_'), name: v });
        found.$parent = definitions;
        modeling.updateModdleProperties(element, definitions, { rootElements: definitions.rootElements.concat([found]) });
      }
      modeling.updateModdleProperties(element, definition, { messageRef: found });
    }, { list: 'message-names' })));
    if (is(element.businessObject, 'bpmn:CatchEvent')) {
      out.push(field('Message variable', text('messageVariable', bodyExtension(definition, 'spiffworkflow:MessageVariable'), function (v) {
        setBodyExtension(element, definition, 'spiffworkflow:MessageVariable', v);
      })));
    }
  }

  function specific(element, out) {
    var bo = element.businessObject;
    if (is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:ManualTask')) { userTask(element, out); }
    if (is(bo, 'bpmn:Activity') && !is(bo, 'bpmn:SubProcess')) { multiInstance(element, out); }
    if (is(bo, 'bpmn:ScriptTask')) {
      out.push(field('Script', area('script', bo.script, function (v) { modeling.updateProperties(element, { script: v, scriptFormat: 'python' }); })));
    }
    if (is(bo, 'bpmn:CallActivity')) {
      out.push(field('Called process', select('calledElement', bo.calledElement, [['', '—']].concat(options.processes.map(function (p) { return [p, p]; })),
        function (v) { modeling.updateProperties(element, { calledElement: v || undefined }); })));
    }
    if (is(bo, 'bpmn:BusinessRuleTask')) {
      out.push(field('Decision (DMN)', select('calledDecisionId', bodyExtension(bo, 'spiffworkflow:CalledDecisionId'),
        [['', '—']].concat(options.decisions.map(function (d) { return [d, d]; })),
        function (v) { setBodyExtension(element, bo, 'spiffworkflow:CalledDecisionId', v); })));
    }
    if (is(bo, 'bpmn:ServiceTask')) {
      var op = extension(bo, 'spiffworkflow:ServiceTaskOperator');
      out.push(field('Operation', select('operation', op ? op.id : '', [['', '—']].concat(options.operations.map(function (o) { return [o, o]; })),
        function (v) {
          if (!v) { removeExtension(element, bo, 'spiffworkflow:ServiceTaskOperator'); return; }
          if (op) { modeling.updateModdleProperties(element, op, { id: v }); } else { ensureExtension(element, bo, 'spiffworkflow:ServiceTaskOperator', { id: v }); }
        })));
      if (op) {
        out.push(field('Result variable', text('resultVariable', op.resultVariable, function (v) { modeling.updateModdleProperties(element, op, { resultVariable: v || undefined }); })));
      }
    }
    if (is(bo, 'bpmn:SequenceFlow') && bo.sourceRef && is(bo.sourceRef, 'bpmn:Gateway')) {
      out.push(field('Condition', text('condition', bo.conditionExpression ? bo.conditionExpression.body : '', function (v) {
        modeling.updateProperties(element, { conditionExpression: expression(v) });
      })));
    }
    (bo.eventDefinitions || []).forEach(function (definition) {
      if (is(definition, 'bpmn:TimerEventDefinition')) { timer(element, definition, out); }
      if (is(definition, 'bpmn:MessageEventDefinition')) { message(element, definition, out); }
    });
  }

  function render() {
    container.innerHTML = '';
    container.appendChild(el('h3', { text: tr('Properties') }));
    if (!current || current.type === 'label' || !registry.get(current.id)) {
      container.appendChild(el('p', { 'class': 'hint', text: tr('Nothing selected') }));
      return;
    }
    var out = [];
    general(current, out);
    specific(current, out);
    container.dataset.element = current.id;
    out.forEach(function (node) { container.appendChild(node); });
  }

  modeler.on('selection.changed', function (e) { current = e.newSelection.length === 1 ? e.newSelection[0] : null; render(); });
  modeler.on('elements.changed', function (e) {
    if (!current || !e.elements.some(function (x) { return x.id === current.id; })) { return; }
    var focused = container.contains(document.activeElement) ? document.activeElement.getAttribute('data-field') : null;
    render();  // keep the focus where the designer was (Tab after a change)
    var again = focused && container.querySelector('[data-field="' + focused + '"]');
    if (again) { again.focus(); }
  });
  modeler.on('import.done', function () { current = null; render(); });
  render();
  return { render: render, select: function (element) { current = element; render(); canvas.scrollToElement && canvas.scrollToElement(element); } };
}
