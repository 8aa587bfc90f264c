// The map of everything (issue 17): every text at once in WebGL (sigma.js
// on a graphology graph), at the positions the server computed once per
// link graph. Clusters are coloured regions with their labels; labels show
// by importance (degree) and zoom; hovering a text shows its neighbours and
// dims the rest; a time mode lays the years out left to right.
'use strict';
const MAP = { sigma: null, graph: null, data: null, hovered: null, mode: 'layout', readyMs: null };

async function openMap(push = true) {
  const started = performance.now();
  if (push) go({ view: 'map' });
  $('#reader').hidden = true;
  try {
    const c = $('#corpus').value;
    const data = await getJSON(`${API}/graph/map${c ? `?corpus=${encodeURIComponent(c)}` : ''}`);
    showMapPane(true);
    drawMap(data);
    MAP.readyMs = performance.now() - started;
    setStatus(`Carte : ${data.nodes.length} textes, ${data.edges.length} liens.`);
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

function showMapPane(on) {
  $('#map-pane').hidden = !on;
  if (on) for (const s of ['#graph-pane', '#reader']) $(s).hidden = true;
}

function drawMap(data) {
  if (MAP.sigma) MAP.sigma.kill();
  const g = new graphology.Graph({ type: 'undirected' });
  const maxDeg = Math.max(1, ...data.nodes.map((n) => n.degree));
  for (const n of data.nodes) {
    g.addNode(n.id, {
      x: n.x, y: n.y, lx: n.x, ly: n.y, year: year(n.date),
      size: 2 + 9 * Math.sqrt(n.degree / maxDeg), label: n.title,
      color: n.cluster == null ? '#b8c0bb' : PALETTE[n.cluster % PALETTE.length],
      cluster: n.cluster,
    });
  }
  for (const e of data.edges) {
    if (g.hasNode(e.source) && g.hasNode(e.target) && !g.hasEdge(e.source, e.target)) {
      g.addEdge(e.source, e.target, { size: 0.4 + Math.min(3, e.weight / 3), color: e.kind === 'reuse' ? '#2f7d4f' : '#d3d9d5' });
    }
  }
  MAP.graph = g; MAP.data = data; MAP.hovered = null;
  const ids = $('#map-ids');
  ids.textContent = '';
  for (const n of data.nodes) { const o = document.createElement('option'); o.value = n.title; o.dataset.id = n.id; ids.appendChild(o); }
  placeByMode(MAP.mode);
  MAP.sigma = new Sigma(g, $('#map'), {
    labelRenderedSizeThreshold: 7, labelDensity: 0.6, labelGridCellSize: 80, zIndex: true,
    // while the view moves, draw the texts only: 20,000 links redrawn per
    // frame is what makes a map of everything crawl
    hideEdgesOnMove: true, hideLabelsOnMove: true,
    allowInvalidContainer: true, // the pane may be hidden while the map lives
    // points rather than shaded discs: a quarter of the fragment work per
    // text, what keeps 3,000 of them smooth in software WebGL
    nodeProgramClasses: { circle: Sigma.rendering.NodePointProgram },
    nodeReducer: (node, attrs) => {
      const h = MAP.hovered;
      if (!h || node === h) return h ? { ...attrs, highlighted: true, forceLabel: true, zIndex: 2 } : attrs;
      if (g.areNeighbors(h, node)) return { ...attrs, forceLabel: true, zIndex: 1 };
      return { ...attrs, color: '#ececE8', label: '', zIndex: 0 };
    },
    edgeReducer: (edge, attrs) => (MAP.hovered && !g.hasExtremity(edge, MAP.hovered) ? { ...attrs, hidden: true } : attrs),
  });
  MAP.sigma.on('enterNode', ({ node }) => hoverMapNode(node));
  MAP.sigma.on('leaveNode', () => hoverMapNode(null));
  MAP.sigma.on('clickNode', ({ node }) => openText(node, g.getNodeAttribute(node, 'label')));
  MAP.sigma.on('afterRender', placeMapLabels);
  placeMapLabels();
  window.rhizome.sigma = MAP.sigma;
}

function hoverMapNode(node) {
  MAP.hovered = node;
  $('#map-hover').textContent = node ? `${MAP.graph.getNodeAttribute(node, 'label')} — ${MAP.graph.degree(node)} liens` : '';
  MAP.sigma.refresh({ skipIndexation: true });
}

// Layout (positions from the server) or time (years left to right; undated
// texts in a column of their own at the left).
function placeByMode(mode) {
  MAP.mode = mode;
  const g = MAP.graph;
  const years = g.mapNodes((n, a) => a.year).filter((y) => y != null);
  const lo = Math.min(...years), hi = Math.max(...years);
  g.forEachNode((n, a) => {
    if (mode === 'time') {
      g.setNodeAttribute(n, 'x', a.year == null ? -1.25 : (hi > lo ? 2 * (a.year - lo) / (hi - lo) - 1 : 0));
      g.setNodeAttribute(n, 'y', a.ly);
    } else {
      g.setNodeAttribute(n, 'x', a.lx);
      g.setNodeAttribute(n, 'y', a.ly);
    }
  });
  MAP.years = years.length ? [lo, hi] : null;
  clusterCentres();
}

// The biggest clusters' centres, once per placement (not per frame).
function clusterCentres() {
  const sums = new Map();
  MAP.graph.forEachNode((n, a) => {
    if (a.cluster == null) return;
    const c = sums.get(a.cluster) || { x: 0, y: 0, n: 0 };
    c.x += a.x; c.y += a.y; c.n += 1; sums.set(a.cluster, c);
  });
  MAP.centres = MAP.data.clusters.slice().sort((a, b) => b.size - a.size).slice(0, 12)
    .filter((c) => sums.has(c.id))
    .map((c) => { const s = sums.get(c.id); return { ...c, x: s.x / s.n, y: s.y / s.n }; });
}

// Cluster labels at their members' centre; year ticks in time mode.
function placeMapLabels() {
  const box = $('#map-labels');
  const s = MAP.sigma;
  // While the view moves, no DOM work per frame (like sigma's own labels):
  // the labels come back once it stops.
  if (s.getCamera().isAnimated() || s.getMouseCaptor().isMoving) {
    box.style.visibility = 'hidden';
    clearTimeout(MAP.relabel);
    MAP.relabel = setTimeout(placeMapLabels, 120);
    return;
  }
  box.style.visibility = '';
  box.textContent = '';
  for (const c of MAP.centres) {
    const p = s.graphToViewport({ x: c.x, y: c.y });
    const span = document.createElement('span');
    span.className = 'cluster-label';
    span.style.left = `${p.x}px`; span.style.top = `${p.y}px`;
    span.style.color = PALETTE[c.id % PALETTE.length];
    span.textContent = c.label;
    box.appendChild(span);
  }
  if (MAP.mode === 'time' && MAP.years) {
    const [lo, hi] = MAP.years;
    const step = Math.max(1, Math.ceil((hi - lo) / 8));
    for (let y = lo; y <= hi; y += step) {
      const p = s.graphToViewport({ x: hi > lo ? 2 * (y - lo) / (hi - lo) - 1 : 0, y: -1.1 });
      const t = document.createElement('span');
      t.className = 'year-tick'; t.style.left = `${p.x}px`; t.textContent = y;
      box.appendChild(t);
    }
  }
}

// Keyboard: find a text by its title, the camera goes there and shows it.
function findOnMap(title) {
  const o = [...$('#map-ids').options].find((x) => x.value === title);
  if (!o || !MAP.sigma) return;
  const d = MAP.sigma.getNodeDisplayData(o.dataset.id);
  if (d) MAP.sigma.getCamera().animate({ x: d.x, y: d.y, ratio: 0.3 }, { duration: 300 });
  hoverMapNode(o.dataset.id);
}

function initMap() {
  $('#map-btn').addEventListener('click', () => openMap());
  $('#map-mode').addEventListener('change', (e) => {
    placeByMode(e.target.value);
    MAP.sigma.refresh();
  });
  $('#map-find').addEventListener('change', (e) => findOnMap(e.target.value));
  $('#map-find').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && MAP.hovered) openText(MAP.hovered, MAP.graph.getNodeAttribute(MAP.hovered, 'label'));
  });
}
