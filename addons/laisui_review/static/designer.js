/* This file is part of Laisui.  The COPYRIGHT file at the top level of
   this repository contains the full copyright notices and license terms.

   Workflow designer (图形化流程定制) on bpmn-js.

   The canvas draws the workflow's stages and transitions as BPMN shapes
   only while the page is open: it loads them from and saves them to
   laisui.review.stage / laisui.review.transition (designer_routes.py), never as a
   BPMN file. The palette offers the module's stage kinds and nothing else;
   the side panel edits the fields each kind has. */
(function () {
  'use strict';

  // Stage kind <-> BPMN shape. A department fan-out is a task with the
  // parallel multi-instance marker: one task per department at once.
  const SHAPES = {
    task: {type: 'bpmn:UserTask', icon: 'bpmn-icon-user-task'},
    department: {type: 'bpmn:UserTask', multi: true,
      icon: 'bpmn-icon-parallel-mi-marker'},
    condition: {type: 'bpmn:ExclusiveGateway', icon: 'bpmn-icon-gateway-xor'},
    timer: {type: 'bpmn:IntermediateCatchEvent', timer: true,
      icon: 'bpmn-icon-intermediate-event-catch-timer'},
    automatic: {type: 'bpmn:ServiceTask', icon: 'bpmn-icon-service-task'},
    end: {type: 'bpmn:EndEvent', icon: 'bpmn-icon-end-event-none'},
  };
  const DEADLINE_KINDS = ['task', 'department', 'timer'];
  const REMINDER_KINDS = ['task', 'department'];

  const database = location.pathname.split('/')[1];
  const fragment = new URLSearchParams(location.hash.slice(1));
  const workflowId = parseInt(fragment.get('workflow'), 10);
  const storageKey = 'laisui_designer_' + workflowId;
  let token = fragment.get('token');
  if (token) {
    // Kept for a reload of this tab only, and out of the address bar.
    sessionStorage.setItem(storageKey, token);
    history.replaceState(null, '', location.pathname +
      '#workflow=' + workflowId);
  } else {
    token = sessionStorage.getItem(storageKey);
  }

  const status = document.getElementById('status');
  const saveButton = document.getElementById('save');
  const panel = document.getElementById('properties');
  const hint = panel.innerHTML;
  let info = null;  // what the server sent: labels, choices, stamp
  const props = new Map();  // element id -> stage or transition fields
  let loading = false;

  function say(text, kind) {
    status.textContent = text;
    status.className = kind || '';
  }

  function kindOf(element) {
    const bo = element.businessObject;
    if (!bo) {
      return null;
    }
    if (bo.$type === 'bpmn:UserTask') {
      return bo.loopCharacteristics ? 'department' : 'task';
    }
    for (const [kind, shape] of Object.entries(SHAPES)) {
      if (shape.type === bo.$type) {
        return kind;
      }
    }
    return null;
  }

  function label(choices, value) {
    const found = (choices || []).find((c) => c[0] === value);
    return found ? found[1] : value;
  }

  // Palette and context pad restricted to what a workflow can hold.
  function LaisuiPalette(palette, create, elementFactory, bpmnFactory,
      handTool, lassoTool, globalConnect) {
    this.getPaletteEntries = function () {
      const entries = {
        'hand-tool': {group: 'tools', className: 'bpmn-icon-hand-tool',
          title: '移动画布',
          action: {click: (event) => handTool.activateHand(event)}},
        'lasso-tool': {group: 'tools', className: 'bpmn-icon-lasso-tool',
          title: '框选',
          action: {click: (event) => lassoTool.activateSelection(event)}},
        'global-connect-tool': {group: 'tools',
          className: 'bpmn-icon-connection-multi', title: '画流转',
          action: {click: () => globalConnect.toggle()}},
        'tool-separator': {group: 'tools', separator: true},
      };
      for (const kind of Object.keys(SHAPES)) {
        const start = (event) => create.start(event,
          newShape(kind, elementFactory, bpmnFactory));
        entries['create.laisui-' + kind] = {
          group: kind === 'end' ? 'end' : 'stages',
          className: SHAPES[kind].icon,
          title: label(info.kinds, kind),
          action: {dragstart: start, click: start},
        };
      }
      return entries;
    };
    palette.registerProvider(this);
  }
  LaisuiPalette.$inject = ['palette', 'create', 'elementFactory',
    'bpmnFactory', 'handTool', 'lassoTool', 'globalConnect'];

  function LaisuiContextPad(contextPad, connect, modeling) {
    this.getContextPadEntries = function (element) {
      const entries = {};
      if (element.type !== 'bpmn:SequenceFlow' &&
          kindOf(element) !== 'end') {
        const start = (event, target) => connect.start(event, target);
        entries.connect = {group: 'connect',
          className: 'bpmn-icon-connection-multi', title: '连线到下一环节',
          action: {click: start, dragstart: start}};
      }
      entries.delete = {group: 'edit', className: 'bpmn-icon-trash',
        title: '删除', action: {click: () => modeling.removeElements([element])}};
      return entries;
    };
    contextPad.registerProvider(this);
  }
  LaisuiContextPad.$inject = ['contextPad', 'connect', 'modeling'];

  function newShape(kind, elementFactory, bpmnFactory) {
    const spec = SHAPES[kind];
    const bo = bpmnFactory.create(spec.type, {name: label(info.kinds, kind)});
    if (spec.multi) {
      bo.loopCharacteristics = bpmnFactory.create(
        'bpmn:MultiInstanceLoopCharacteristics', {isSequential: false});
    }
    if (spec.timer) {
      bo.eventDefinitions = [bpmnFactory.create('bpmn:TimerEventDefinition')];
    }
    return elementFactory.createShape({type: spec.type, businessObject: bo});
  }

  // Made once the labels are loaded: the palette shows them.
  let modeler, registry, modeling;

  function makeModeler() {
    modeler = new BpmnJS({
      container: '#canvas',
      additionalModules: [{
        __init__: ['paletteProvider', 'contextPadProvider'],
        paletteProvider: ['type', LaisuiPalette],
        contextPadProvider: ['type', LaisuiContextPad],
      }],
    });
    registry = modeler.get('elementRegistry');
    modeling = modeler.get('modeling');
    listen(modeler.get('eventBus'));
    // The browser test and the curious read the canvas through this.
    window.laisuiDesigner = {modeler: modeler, props: props};
  }

  function stageProps(element) {
    if (!props.has(element.id)) {
      const kind = kindOf(element);
      const codes = new Set([...props.values()].map((p) => p.code));
      let n = 1;
      while (codes.has(kind + '_' + n)) {
        n += 1;
      }
      props.set(element.id, {id: null, code: kind + '_' + n, kind: kind,
        initial: false, group: null, department: null,
        deadline_days: DEADLINE_KINDS.includes(kind) ? 5 : null,
        remind_days: null, escalate_days: null, distinct_decider: false,
        action: kind === 'automatic' ? 'compare' : null,
        outcome: kind === 'end' ? 'approved' : null, notice: null});
    }
    return props.get(element.id);
  }

  function flowProps(connection) {
    if (!props.has(connection.id)) {
      // The first exit the source may have and does not have yet.
      const kind = kindOf(connection.source);
      const used = new Set(connection.source.outgoing
        .filter((c) => c !== connection && props.has(c.id))
        .map((c) => props.get(c.id).event));
      const allowed = info.kind_events[kind] || [];
      const preferred = ['pass', 'timeout', 'otherwise', 'condition',
        'return', 'reject', 'mismatch'];
      const event = preferred.find((e) => allowed.includes(e) &&
        (!used.has(e) || e === 'condition')) || 'pass';
      props.set(connection.id, {id: null, event: event,
        condition: event === 'condition' ? 'mismatches == 0' : null,
        name: null, sequence: null});
    }
    return props.get(connection.id);
  }

  function flowLabel(values) {
    return values.name || label(info.events, values.event);
  }

  // Loading draws the stored stages at their stored place.
  async function load() {
    const response = await fetch(`/${database}/laisui/designer/${workflowId}`,
      {headers: {'Authorization': 'Bearer ' + token}});
    const data = await response.json();
    if (!response.ok) {
      throw new Error(data.error || response.statusText);
    }
    await draw(data);
  }

  async function draw(data) {
    loading = true;
    info = data;
    if (!modeler) {
      makeModeler();
    }
    props.clear();
    document.getElementById('title').textContent =
      '图形化流程定制：' + data.workflow.name;
    document.getElementById('state').textContent = data.workflow.state;
    await modeler.importXML(EMPTY_DIAGRAM);
    const elementFactory = modeler.get('elementFactory');
    const bpmnFactory = modeler.get('bpmnFactory');
    const root = modeler.get('canvas').getRootElement();
    const shapes = new Map();
    data.stages.forEach((stage, index) => {
      const shape = newShape(stage.kind, elementFactory, bpmnFactory);
      shape.businessObject.name = stage.name;
      const x = stage.x === null ? 60 + 180 * (index % 6) : stage.x;
      const y = stage.y === null ? 80 + 160 * Math.floor(index / 6) : stage.y;
      const created = modeling.createShape(shape,
        {x: x + shape.width / 2, y: y + shape.height / 2}, root);
      props.set(created.id, Object.assign({}, stage));
      shapes.set(stage.id, created);
    });
    for (const transition of data.transitions) {
      const connection = modeling.connect(shapes.get(transition.source),
        shapes.get(transition.target), {type: 'bpmn:SequenceFlow'});
      props.set(connection.id, {id: transition.id, event: transition.event,
        condition: transition.condition, name: transition.name,
        sequence: transition.sequence});
      modeling.updateLabel(connection, flowLabel(transition));
    }
    modeler.get('commandStack').clear();
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    saveButton.disabled = !data.workflow.editable;
    loading = false;
    showProperties(null);
  }

  const EMPTY_DIAGRAM = '<?xml version="1.0" encoding="UTF-8"?>' +
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"' +
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"' +
    ' id="laisui" targetNamespace="https://laisui.invalid/workflow">' +
    '<bpmn:process id="workflow" isExecutable="false"/>' +
    '<bpmndi:BPMNDiagram id="diagram">' +
    '<bpmndi:BPMNPlane id="plane" bpmnElement="workflow"/>' +
    '</bpmndi:BPMNDiagram></bpmn:definitions>';

  function listen(eventBus) {
    eventBus.on('commandStack.connection.create.postExecuted', (event) => {
      const connection = event.context.connection;
      if (!loading && connection) {
        const values = flowProps(connection);
        // A label change is a command of its own: after this one.
        setTimeout(() => modeling.updateLabel(connection, flowLabel(values)));
      }
    });
    eventBus.on('commandStack.changed', () => {
      if (!loading) {
        say('有未保存的修改');
      }
    });
    eventBus.on('selection.changed', (event) => {
      const selected = event.newSelection;
      showProperties(selected.length === 1 ? selected[0] : null);
    });
  }

  // The side panel: one small form per selected stage or transition.
  function field(labelText, input) {
    const wrapper = document.createElement('div');
    const caption = document.createElement('label');
    caption.textContent = labelText;
    if (input.type === 'checkbox') {
      caption.prepend(input);
      wrapper.append(caption);
    } else {
      input.id = 'p-' + labelText;
      caption.htmlFor = input.id;
      wrapper.append(caption, input);
    }
    return wrapper;
  }

  function textInput(value, onChange, type) {
    const input = document.createElement('input');
    input.type = type || 'text';
    input.value = value === null || value === undefined ? '' : value;
    if (onChange) {
      input.addEventListener('change', () => onChange(input.value));
    }
    return input;
  }

  function select(choices, value, onChange, empty) {
    const input = document.createElement('select');
    const options = empty ? [[null, '（无）'], ...choices] : choices;
    for (const [key, text] of options) {
      const option = document.createElement('option');
      option.value = key === null ? '' : String(key);
      option.textContent = text;
      option.selected = key === value;
      input.append(option);
    }
    input.addEventListener('change', () => onChange(input.value));
    return input;
  }

  function number(value) {
    return value === '' ? null : parseInt(value, 10);
  }

  function showProperties(element) {
    panel.innerHTML = '';
    if (!element || element.type === 'label' ||
        (!kindOf(element) && element.type !== 'bpmn:SequenceFlow')) {
      panel.innerHTML = hint;
      return;
    }
    const heading = document.createElement('h2');
    panel.append(heading);
    const changed = () => say('有未保存的修改');
    if (element.type === 'bpmn:SequenceFlow') {
      const values = flowProps(element);
      heading.textContent = '流转：' + element.source.businessObject.name +
        ' → ' + element.target.businessObject.name;
      const allowed = info.kind_events[kindOf(element.source)] || [];
      const relabel = () => {
        modeling.updateLabel(element, flowLabel(values));
        showProperties(element);
      };
      panel.append(field('事件', select(
        info.events.filter((e) => allowed.includes(e[0])), values.event,
        (v) => { values.event = v; relabel(); })));
      if (values.event === 'condition') {
        panel.append(field('条件', textInput(values.condition,
          (v) => { values.condition = v; changed(); })));
        // The first condition that holds wins: the order is the admin's.
        panel.append(field('判断顺序（小者先判断）', textInput(values.sequence,
          (v) => { values.sequence = number(v); changed(); }, 'number')));
      }
      panel.append(field('显示名称', textInput(values.name,
        (v) => { values.name = v || null; relabel(); })));
      return;
    }
    const values = stageProps(element);
    heading.textContent = label(info.kinds, values.kind);
    panel.append(field('名称', textInput(element.businessObject.name,
      (v) => modeling.updateLabel(element, v))));
    panel.append(field('编码', textInput(values.code,
      (v) => { values.code = v; changed(); })));
    const initial = textInput(null, null, 'checkbox');
    initial.checked = Boolean(values.initial);
    initial.addEventListener('change', () => {
      values.initial = initial.checked;
      changed();
    });
    panel.append(field('起始环节', initial));
    if (values.kind === 'task') {
      panel.append(field('负责角色', select(info.groups, values.group,
        (v) => { values.group = number(v); changed(); }, true)));
      panel.append(field('负责部门', select(info.departments,
        values.department,
        (v) => { values.department = number(v); changed(); }, true)));
    }
    if (DEADLINE_KINDS.includes(values.kind)) {
      panel.append(field(values.kind === 'timer' ? '等待（工作日）' :
        '办理时限（工作日）', textInput(values.deadline_days,
        (v) => { values.deadline_days = number(v); changed(); }, 'number')));
    }
    if (REMINDER_KINDS.includes(values.kind)) {
      panel.append(field('提前提醒（工作日）', textInput(values.remind_days,
        (v) => { values.remind_days = number(v); changed(); }, 'number')));
      panel.append(field('超期升级（工作日）', textInput(values.escalate_days,
        (v) => { values.escalate_days = number(v); changed(); }, 'number')));
      // Four eyes: nobody who decided another stage of the case.
      const distinct = textInput(null, null, 'checkbox');
      distinct.checked = Boolean(values.distinct_decider);
      distinct.addEventListener('change', () => {
        values.distinct_decider = distinct.checked;
        changed();
      });
      panel.append(field('双人复核（不得由前序环节办理人审核）', distinct));
    }
    if (values.kind === 'automatic') {
      panel.append(field('自动动作', select(info.actions, values.action,
        (v) => { values.action = v; changed(); })));
    }
    if (values.kind === 'end') {
      panel.append(field('结果', select(info.outcomes, values.outcome,
        (v) => { values.outcome = v; changed(); })));
    }
    // The SMS the applicant gets when a case enters the stage.
    panel.append(field('进入环节时短信通知', select(info.notices || [],
      values.notice, (v) => { values.notice = number(v); changed(); },
      true)));
  }

  function collect() {
    const stages = [];
    const transitions = [];
    for (const element of registry.getAll()) {
      if (element.type === 'bpmn:SequenceFlow') {
        const values = flowProps(element);
        transitions.push({source: element.source.id,
          target: element.target.id, event: values.event,
          condition: values.condition, name: values.name,
          sequence: values.sequence});
      } else if (element.type !== 'label' && kindOf(element)) {
        const values = stageProps(element);
        stages.push(Object.assign({}, values, {
          key: element.id, name: element.businessObject.name || '',
          x: Math.round(element.x), y: Math.round(element.y)}));
      }
    }
    return {stages: stages, transitions: transitions};
  }

  saveButton.addEventListener('click', async () => {
    saveButton.disabled = true;
    say('正在保存…');
    try {
      const response = await fetch(
        `/${database}/laisui/designer/${workflowId}`, {
          method: 'PUT',
          headers: {'Authorization': 'Bearer ' + token,
            'Content-Type': 'application/json'},
          body: JSON.stringify({stamp: info.stamp, diagram: collect()}),
        });
      const data = await response.json();
      if (!response.ok) {
        say(data.error || response.statusText, 'error');
        return;
      }
      await draw(data);
      say('已保存', 'ok');
    } catch (error) {
      say('保存失败：' + error.message, 'error');
    } finally {
      saveButton.disabled = !(info && info.workflow.editable);
    }
  });

  if (!workflowId || !token) {
    say('请从审核流程表单的“图形化设计”按钮打开本页。', 'error');
  } else {
    load().catch((error) => say(error.message, 'error'));
  }
}());
