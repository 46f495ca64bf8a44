/* This file is part of Laisui.  The COPYRIGHT file at the top level of
   this repository contains the full copyright notices and license terms.

   Automatic layout of the workflow designer (自动排版) with elkjs, the
   Eclipse Layout Kernel from npm (scripts/lib.sh).

   ELK's layered algorithm puts the stages in columns from left to right,
   routes the transitions orthogonally between them (never through a
   stage) and places each transition's label as an obstacle of its own, so
   that labels overlap neither each other nor a stage. This file knows
   nothing of bpmn-js: it takes boxes and links, and gives back positions,
   routes and label places (designer.js applies them).

   The same graph always gives the same layout: nodes and edges reach ELK
   in an order computed from the workflow alone (never from positions or
   from the order the server lists them in), so a page reopened on a saved
   automatic layout finds it again and draws the routes (see matches). */
(function () {
  'use strict';

  const OPTIONS = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.edgeRouting': 'ORTHOGONAL',
    // Cycles (returns for correction) are broken against the order of
    // the workflow's own path, so that path reads left to right.
    'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
    'elk.edgeLabels.placement': 'CENTER',
    // Compact: a workflow is a long row, the whole of which should fit
    // the screen.
    'elk.spacing.nodeNode': '30',
    'elk.layered.spacing.nodeNodeBetweenLayers': '24',
    // Parallel segments further apart than an edge's 15 px hit stroke:
    // each transition keeps a line of its own to be clicked on.
    'elk.spacing.edgeEdge': '16',
    'elk.layered.spacing.edgeEdgeBetweenLayers': '16',
    'elk.spacing.edgeNode': '16',
    'elk.layered.spacing.edgeNodeBetweenLayers': '12',
    'elk.spacing.edgeLabel': '4',
    'elk.spacing.labelNode': '6',
    'elk.padding': '[top=40,left=40,bottom=40,right=40]',
    'elk.randomSeed': '1',
  };
  // Forward exits first: a return for correction is the one that closes
  // a cycle, and is drawn backwards.
  const EVENT_ORDER = ['pass', 'timeout', 'otherwise', 'condition',
    'mismatch', 'reject', 'return'];

  let elk = null;

  function rank(event) {
    const index = EVENT_ORDER.indexOf(event);
    return index < 0 ? EVENT_ORDER.length : index;
  }

  function compareText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // The nodes in the order of a depth-first walk from the initial
  // stages, forward exits first, reversed at the end (reverse
  // postorder): every edge that closes no cycle goes forward in it.
  function modelOrder(graph) {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const outgoing = new Map(graph.nodes.map((n) => [n.id, []]));
    for (const edge of graph.edges) {
      outgoing.get(edge.source).push(edge);
    }
    for (const edges of outgoing.values()) {
      edges.sort((a, b) => rank(a.event) - rank(b.event) ||
        compareText(byId.get(a.target).code, byId.get(b.target).code));
    }
    const nodes = graph.nodes.slice().sort((a, b) =>
      (b.initial ? 1 : 0) - (a.initial ? 1 : 0) ||
      compareText(a.code, b.code));
    const seen = new Set();
    const finished = [];
    for (const start of nodes) {
      if (seen.has(start.id)) {
        continue;
      }
      // Iterative: a long workflow must not exhaust the stack.
      seen.add(start.id);
      const stack = [[start.id, 0]];
      while (stack.length) {
        const top = stack[stack.length - 1];
        const edges = outgoing.get(top[0]);
        if (top[1] < edges.length) {
          const next = edges[top[1]].target;
          top[1] += 1;
          if (!seen.has(next)) {
            seen.add(next);
            stack.push([next, 0]);
          }
        } else {
          finished.push(top[0]);
          stack.pop();
        }
      }
    }
    return finished.reverse().map((id) => byId.get(id));
  }

  function elkGraph(graph) {
    const order = modelOrder(graph);
    const position = new Map(order.map((n, i) => [n.id, i]));
    const codes = new Map(graph.nodes.map((n) => [n.id, n.code]));
    const edges = graph.edges.slice().sort((a, b) =>
      position.get(a.source) - position.get(b.source) ||
      rank(a.event) - rank(b.event) ||
      compareText(codes.get(a.target), codes.get(b.target)) ||
      compareText(a.text || '', b.text || ''));
    return {
      id: 'root',
      layoutOptions: OPTIONS,
      children: order.map((node) => ({
        id: node.id, width: node.width, height: node.height,
        // Below the shape, where bpmn-js puts the name of an event.
        layoutOptions: {
          'elk.nodeLabels.placement': 'OUTSIDE V_BOTTOM H_CENTER'},
        // ELK places only labels that have a text.
        labels: node.label ? [{id: node.id + '#label', text: node.code,
          width: node.label.width, height: node.label.height}] : [],
      })),
      edges: edges.map((edge) => ({
        id: edge.id, sources: [edge.source], targets: [edge.target],
        labels: edge.label ? [{id: edge.id + '#label',
          text: edge.text || edge.event, width: edge.label.width,
          height: edge.label.height}] : [],
      })),
    };
  }

  function point(p) {
    return {x: Math.round(p.x), y: Math.round(p.y)};
  }

  /* graph: {nodes: [{id, code, initial, width, height, label}],
             edges: [{id, source, target, event, text, label}]}
     where a label is {width, height} or null.
     Resolves to {nodes: Map id -> {x, y, label: {x, y} | null},
                  edges: Map id -> {points: [{x, y}...],
                                    label: {x, y} | null}}
     in whole pixels, labels by their top left corner. */
  async function layout(graph) {
    if (!elk) {
      elk = new ELK();
    }
    const result = await elk.layout(elkGraph(graph));
    const nodes = new Map();
    for (const child of result.children) {
      const x = Math.round(child.x);
      const y = Math.round(child.y);
      const label = child.labels && child.labels[0];
      nodes.set(child.id, {x: x, y: y, label: label ?
        {x: x + Math.round(label.x), y: y + Math.round(label.y)} : null});
    }
    const edges = new Map();
    for (const edge of result.edges) {
      // A flat graph: every edge lies in the root's coordinates.
      const section = edge.sections[0];
      const points = [section.startPoint, ...(section.bendPoints || []),
        section.endPoint].map(point);
      const label = edge.labels && edge.labels[0];
      edges.set(edge.id, {points: points,
        label: label ? point(label) : null});
    }
    return {nodes: nodes, edges: edges};
  }

  // Whether the drawing stands where the layout puts it (within a pixel
  // of rounding): then it is this layout, and its routes are the ones.
  function matches(graph, result) {
    return graph.nodes.every((node) => {
      const placed = result.nodes.get(node.id);
      return placed && Math.abs(placed.x - node.x) <= 1 &&
        Math.abs(placed.y - node.y) <= 1;
    });
  }

  /* The end of a route that ELK leaves on the box of a round or diamond
     shape, moved along its last (straight) segment onto the outline.
     shape: {kind: 'circle' | 'diamond' | 'box', x, y, width, height};
     end: the point on the box; from: the point before it. */
  function onOutline(shape, end, from) {
    if (shape.kind === 'box') {
      return end;
    }
    const cx = shape.x + shape.width / 2;
    const cy = shape.y + shape.height / 2;
    const rx = shape.width / 2;
    const ry = shape.height / 2;
    const horizontal = from.y === end.y;
    if (!horizontal && from.x !== end.x) {
      return end;
    }
    // Offset across the segment, from the centre.
    const across = horizontal ? end.y - cy : end.x - cx;
    const half = horizontal ? rx : ry;
    const other = horizontal ? ry : rx;
    if (Math.abs(across) >= other) {
      return end;
    }
    let along;
    if (shape.kind === 'circle') {
      along = half * Math.sqrt(1 - (across / other) ** 2);
    } else {
      along = half * (1 - Math.abs(across) / other);
    }
    if (horizontal) {
      const side = end.x < cx ? -1 : 1;
      return {x: Math.round(cx + side * along), y: end.y};
    }
    const side = end.y < cy ? -1 : 1;
    return {x: end.x, y: Math.round(cy + side * along)};
  }

  window.LaisuiLayout = {layout: layout, matches: matches,
    onOutline: onOutline, modelOrder: modelOrder};
}());
