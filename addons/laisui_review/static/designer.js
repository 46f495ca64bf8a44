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
  // What each palette entry does, for its tooltip (title and aria-label).
  const KIND_HINTS = {
    task: '拖到画布上，添加由一个角色或部门办理的审核环节',
    department: '拖到画布上，添加同时分派给各职能部门并行审核的环节',
    condition: '拖到画布上，添加按条件选择下一环节的判断',
    timer: '拖到画布上，添加等待若干工作日后继续的环节（如公示）',
    automatic: '拖到画布上，添加由系统自动执行的环节（如自动比对）',
    end: '拖到画布上，添加流程的结束（审核通过或不予通过）',
  };
  // The outline a route ends on (designer_layout.js onOutline).
  const OUTLINES = {condition: 'diamond', timer: 'circle', end: 'circle'};
  // How far a transition buried under others is moved aside when the
  // layout is not ELK's: more than the 15 px hit stroke.
  const SPREAD = 18;
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
  const layoutButton = document.getElementById('layout');
  const canvasElement = document.getElementById('canvas');
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
      handTool, lassoTool, globalConnect, eventBus) {
    let entries = {};
    this.getPaletteEntries = function () {
      entries = {
        'hand-tool': {group: 'tools', className: 'bpmn-icon-hand-tool',
          title: '移动画布：按住拖动以平移视图',
          action: {click: (event) => handTool.activateHand(event)}},
        'lasso-tool': {group: 'tools', className: 'bpmn-icon-lasso-tool',
          title: '框选：拖出一个矩形以选中其中的环节和流转',
          action: {click: (event) => lassoTool.activateSelection(event)}},
        'global-connect-tool': {group: 'tools',
          className: 'bpmn-icon-connection-multi',
          title: '画流转：从一个环节拖到下一个环节',
          action: {click: () => globalConnect.toggle()}},
        'tool-separator': {group: 'tools', separator: true},
      };
      for (const kind of Object.keys(SHAPES)) {
        const start = (event) => create.start(event,
          newShape(kind, elementFactory, bpmnFactory));
        entries['create.laisui-' + kind] = {
          group: kind === 'end' ? 'end' : 'stages',
          className: SHAPES[kind].icon,
          title: label(info.kinds, kind) + '：' + KIND_HINTS[kind],
          action: {dragstart: start, click: start},
        };
      }
      return entries;
    };
    // bpmn-js shows its own tooltip on hover only: the title attribute
    // is the browser's, also kept by assistive technology.
    eventBus.on('palette.changed', () => {
      for (const control of document.querySelectorAll(
          '.djs-palette .entry[data-action]')) {
        const entry = entries[control.dataset.action];
        if (entry && entry.title) {
          control.title = entry.title;
          control.setAttribute('aria-label', entry.title);
          control.setAttribute('role', 'button');
        }
      }
    });
    palette.registerProvider(this);
  }
  LaisuiPalette.$inject = ['palette', 'create', 'elementFactory',
    'bpmnFactory', 'handTool', 'lassoTool', 'globalConnect', 'eventBus'];

  function LaisuiContextPad(contextPad, connect, modeling, eventBus) {
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
        title: element.type === 'bpmn:SequenceFlow' ? '删除这条流转' :
          '删除这个环节及其流转',
        action: {click: () => modeling.removeElements([element])}};
      return entries;
    };
    eventBus.on('contextPad.open', () => {
      for (const control of document.querySelectorAll(
          '.djs-context-pad .entry[title]')) {
        control.setAttribute('aria-label', control.title);
        control.setAttribute('role', 'button');
      }
    });
    contextPad.registerProvider(this);
  }
  LaisuiContextPad.$inject = ['contextPad', 'connect', 'modeling',
    'eventBus'];

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
      // Larger than bpmn-js's 12 and 11 px: the whole workflow is shown
      // at once, zoomed out.
      textRenderer: {defaultStyle: {fontSize: 14, lineHeight: 1.2},
        externalStyle: {fontSize: 13, lineHeight: 1.2}},
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
    await settle();
    modeler.get('commandStack').clear();
    fit();
    saveButton.disabled = !data.workflow.editable;
    layoutButton.disabled = !data.workflow.editable;
    loading = false;
    showProperties(null);
  }

  // The whole drawing in view, centred, clear of the palette that floats
  // over the canvas's left side; never enlarged.
  function fit() {
    const canvas = modeler.get('canvas');
    const {inner, outer} = canvas.viewbox();
    if (!inner.width || !inner.height) {
      return;
    }
    const left = 90;
    const margin = 20;
    const width = outer.width - left - margin;
    const height = outer.height - 2 * margin;
    const scale = Math.min(1, width / inner.width, height / inner.height);
    canvas.viewbox({
      x: inner.x - (left + (width - inner.width * scale) / 2) / scale,
      y: inner.y - (margin + (height - inner.height * scale) / 2) / scale,
      width: outer.width / scale,
      height: outer.height / scale,
    });
  }

  // Automatic layout (designer_layout.js): what it needs of the drawing.
  function layoutGraph() {
    const size = (label) => label ?
      {width: label.width, height: label.height} : null;
    const nodes = [];
    const edges = [];
    for (const element of registry.getAll()) {
      if (element.type === 'bpmn:SequenceFlow') {
        const values = flowProps(element);
        edges.push({id: element.id, source: element.source.id,
          target: element.target.id, event: values.event,
          text: flowLabel(values), label: size(element.label)});
      } else if (element.type !== 'label' && kindOf(element)) {
        const values = stageProps(element);
        nodes.push({id: element.id, code: values.code,
          initial: Boolean(values.initial), x: element.x, y: element.y,
          width: element.width, height: element.height,
          label: size(element.label)});
      }
    }
    return {nodes: nodes, edges: edges};
  }

  function outline(shape) {
    return {kind: OUTLINES[kindOf(shape)] || 'box', x: shape.x, y: shape.y,
      width: shape.width, height: shape.height};
  }

  function moveTo(element, place) {
    const delta = {x: place.x - element.x, y: place.y - element.y};
    if (delta.x || delta.y) {
      modeling.moveShape(element, delta);
    }
  }

  // Stages to their place, then each transition along its route and each
  // label to its own place: in that order, as moving a stage re-routes
  // its transitions and moving a route drags its label.
  function applyLayout(result) {
    for (const [id, place] of result.nodes) {
      moveTo(registry.get(id), place);
    }
    for (const [id, route] of result.edges) {
      const connection = registry.get(id);
      const points = route.points.slice();
      const last = points.length - 1;
      points[0] = LaisuiLayout.onOutline(outline(connection.source),
        points[0], points[1]);
      points[last] = LaisuiLayout.onOutline(outline(connection.target),
        points[last], points[last - 1]);
      modeling.updateWaypoints(connection, points);
    }
    for (const [id, place] of result.nodes) {
      const label = registry.get(id).label;
      if (label && place.label) {
        moveTo(label, place.label);
      }
    }
    for (const [id, route] of result.edges) {
      const label = registry.get(id).label;
      if (label && route.label) {
        moveTo(label, route.label);
      }
    }
  }

  /* A loaded drawing: where the stages stand as the automatic layout put
     them, the layout's routes and label places again (only the stages'
     x and y are stored); otherwise bpmn-js's own routes, with parallel
     transitions drawn apart. */
  async function settle() {
    const graph = layoutGraph();
    let result = null;
    if (graph.nodes.length && window.LaisuiLayout &&
        window.ELK) {
      try {
        result = await LaisuiLayout.layout(graph);
      } catch (error) {
        result = null;
      }
    }
    if (result && LaisuiLayout.matches(graph, result)) {
      applyLayout(result);
      canvasElement.dataset.layout = 'auto';
    } else {
      unbury();
      canvasElement.dataset.layout = 'manual';
    }
  }

  async function autoLayout() {
    layoutButton.disabled = true;
    try {
      const result = await LaisuiLayout.layout(layoutGraph());
      applyLayout(result);
      canvasElement.dataset.layout = 'auto';
      fit();
      say('已自动排版，保存后生效');
    } catch (error) {
      say('自动排版失败：' + error.message, 'error');
    } finally {
      layoutButton.disabled = !(info && info.workflow.editable);
    }
  }

  function distance(p, a, b) {
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length2 = dx * dx + dy * dy;
    const t = length2 ? Math.max(0, Math.min(1,
      ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0;
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  }

  // Points every few pixels along a route.
  function samples(points) {
    const result = [];
    for (let i = 1; i < points.length; i += 1) {
      const [a, b] = [points[i - 1], points[i]];
      const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x,
        b.y - a.y) / 4));
      for (let k = 0; k <= steps; k += 1) {
        result.push({x: a.x + (b.x - a.x) * k / steps,
          y: a.y + (b.y - a.y) * k / steps});
      }
    }
    return result;
  }

  // A route lying all along other transitions: only one of them gets
  // the click there.
  function buried(points, others) {
    return samples(points).every((p) => others.some((o) => {
      for (let i = 1; i < o.waypoints.length; i += 1) {
        if (distance(p, o.waypoints[i - 1], o.waypoints[i]) < 3) {
          return true;
        }
      }
      return false;
    }));
  }

  // The route moved across its direction by offset, its ends still on
  // their stages' sides, or null. An end whose segment runs along the
  // move stays where it is (the segment only gets longer or shorter).
  function moved(connection, offset) {
    const points = connection.waypoints;
    const [first, last] = [points[0], points[points.length - 1]];
    const across = Math.abs(last.x - first.x) >= Math.abs(last.y - first.y) ?
      {x: 0, y: offset} : {x: offset, y: 0};
    const result = points.map((p) => ({x: p.x + across.x, y: p.y + across.y}));
    const ends = [[0, 1, connection.source], [points.length - 1,
      points.length - 2, connection.target]];
    for (const [end, next, shape] of ends) {
      const along = across.x ? points[end].y === points[next].y :
        points[end].x === points[next].x;
      if (along) {
        result[end] = {x: points[end].x, y: points[end].y};
        continue;
      }
      // Moved along the stage's side: it must stay on that side.
      const [value, low, size] = across.x ?
        [result[end].x, shape.x, shape.width] :
        [result[end].y, shape.y, shape.height];
      if (value < low + 4 || value > low + size - 4) {
        return null;
      }
    }
    return result;
  }

  // bpmn-js's own routes (a drawing placed by hand) may run one
  // transition wholly along others, e.g. a 通过 under a 不予通过 leaving
  // the same side, or a 通过 one way and a 退回 back: each such one is
  // moved aside, by more than the 15 px hit stroke, so that every
  // transition keeps a line of its own to be clicked on.
  function unbury() {
    const connections = registry.filter(
      (e) => e.type === 'bpmn:SequenceFlow');
    for (const connection of connections) {
      const others = connections.filter((c) => c !== connection);
      if (!buried(connection.waypoints, others)) {
        continue;
      }
      for (const offset of [SPREAD, -SPREAD, 2 * SPREAD, -2 * SPREAD]) {
        const points = moved(connection, offset);
        if (points && !buried(points, others)) {
          modeling.updateWaypoints(connection, points);
          break;
        }
      }
    }
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
        setTimeout(() => {
          modeling.updateLabel(connection, flowLabel(values));
          unbury();
        });
      }
    });
    // A stage dragged by hand: bpmn-js re-routes its transitions, maybe
    // over each other.
    eventBus.on('commandStack.elements.move.postExecuted', () => {
      if (!loading) {
        setTimeout(unbury);
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
    if (element && element.type === 'label' && element.labelTarget) {
      // A click on a transition's name is a click on the transition.
      element = element.labelTarget;
    }
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

  layoutButton.addEventListener('click', autoLayout);

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
