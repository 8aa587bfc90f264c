// Rhizome's reader page: search, graph of related ideas (cytoscape.js),
// linked passages side by side. No build step: plain script, one library.
'use strict';

const API = '/api/v1';
const PALETTE = ['#2f7d4f', '#3b6fb6', '#b5542c', '#8a4fb0', '#c28a00', '#2a8f8f', '#b03a6f', '#5f6b2f', '#6b4f2f', '#4f5fb0'];
const MAX_DRAWN = 300; // bound what is drawn: graph views slow down past a few hundred nodes
const $ = (sel) => document.querySelector(sel);
const state = { center: null, graph: null, cy: null, corpora: [], passage: null };

function enc(id) { return id.split('/').map(encodeURIComponent).join('/'); }
function setStatus(msg) { $('#status').textContent = msg; }
// A site written by `rhizome export site` has no server: `<html data-static>`
// maps each API call to the file holding its answer.
const STATIC = document.documentElement.hasAttribute('data-static');
function staticFile(url) {
  const path = url.slice(API.length + 1).split('?')[0];
  if (path.startsWith('search') || path.startsWith('graph/path')) {
    throw new Error('cette page est statique : la recherche et les chemins demandent le serveur Rhizome');
  }
  return path.startsWith('related/') ? `${path}.json` : `api/${path}.json`;
}
async function getJSON(url) {
  if (STATIC) url = staticFile(url);
  const res = await fetch(url);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ? body.error.message : `HTTP ${res.status}`);
  return body;
}
function year(ts) { return ts == null ? null : new Date(ts * 1000).getUTCFullYear(); }

async function init() {
  try {
    const stats = await getJSON(`${API}/stats`);
    state.corpora = stats.corpora.map((c) => c.name);
    for (const c of state.corpora) {
      const o = document.createElement('option');
      o.value = c; o.textContent = `${c} (${stats.corpora.find((x) => x.name === c).texts})`;
      $('#corpus').appendChild(o);
    }
    setStatus(`${stats.texts} textes, ${stats.paragraphs} paragraphes, ${stats.related_pairs} paires de textes liés.`);
  } catch (e) { setStatus(`Serveur indisponible : ${e.message}`); }
  $('#search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search($('#q').value); });
  $('#overview-btn').addEventListener('click', overview);
  initMap();
  for (const id of ['#depth', '#min-score', '#year-from', '#year-to', '#corpus']) $(id).addEventListener('change', () => {
    if ($('#graph-pane').hidden) return;
    if (state.center) loadEgo(); else overview();
  });
  $('#color-by').addEventListener('change', () => state.graph && draw(state.graph));
  $('#zoom-btn').addEventListener('click', zoomPassages);
  $('#lineage-btn').addEventListener('click', () => showLineage(state.passage));
  $('#read-btn').addEventListener('click', () => state.center && openReader(state.center));
  window.addEventListener('popstate', route);
  $('#path-form').addEventListener('submit', (ev) => { ev.preventDefault(); findPath($('#path-to').value.trim()); });
  route();
}
// Addresses (issue 17): every view has a URL that reopens it — `?q=`
// (search), `?view=map`, `?view=overview`, `?text=` (its graph),
// `?text=&path=` (a path), `?read=` (reading view), `?read=&p=&with=` (a
// passage pair side by side). Back and forward replay them.
function go(params) {
  const url = `?${new URLSearchParams(params)}`;
  if (url !== location.search) history.pushState(null, '', url);
}
async function route() {
  const p = new URLSearchParams(location.search);
  const q = p.get('q');
  if (q) { $('#q').value = q; await search(q, false); }
  if (p.get('view') === 'map') return openMap(false);
  if (p.get('view') === 'overview') return overview(false);
  if (p.get('read')) return openReader(p.get('read'), p.get('p'), p.get('with'), false);
  if (p.get('text')) {
    await openText(p.get('text'), null, false);
    if (p.get('path')) { $('#path-to').value = p.get('path'); await findPath(p.get('path'), false); }
  }
}

async function search(q, push = true) {
  q = q.trim();
  if (!q) return;
  if (push) go({ q });
  setStatus('Recherche…');
  const corpus = $('#corpus').value;
  try {
    const r = await getJSON(`${API}/search?k=20&group=true&q=${encodeURIComponent(q)}${corpus ? `&corpus=${encodeURIComponent(corpus)}` : ''}`);
    const ol = $('#results');
    ol.textContent = '';
    for (const h of r.hits) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.className = 'open'; b.textContent = h.title; b.dataset.text = h.text_id;
      b.addEventListener('click', () => openText(h.text_id, h.title));
      const read = document.createElement('button');
      read.className = 'read'; read.type = 'button'; read.textContent = 'lire';
      read.setAttribute('aria-label', `Lire ${h.title}`);
      read.addEventListener('click', () => openReader(h.text_id));
      const meta = document.createElement('div');
      meta.className = 'meta';
      const parts = [h.corpus, year(h.date), h.heading].filter(Boolean);
      meta.textContent = parts.join(' · ');
      const snip = document.createElement('p');
      snip.innerHTML = h.snippet; // HTML-escaped by the server; only <mark> is markup
      li.append(b, read, meta, snip);
      ol.appendChild(li);
    }
    setStatus(r.hits.length ? `${r.hits.length} textes pour « ${q} »` : `Rien pour « ${q} ».`);
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

async function openText(id, title, push = true) {
  state.center = id;
  if (push) go({ text: id });
  $('#reader').hidden = true;
  if (!title) title = await getJSON(`${API}/texts/${enc(id)}`).then((t) => t.title).catch(() => id);
  $('#graph-title').textContent = title || id;
  await loadEgo();
}

async function loadEgo() {
  const depth = Math.min(3, Math.max(1, parseInt($('#depth').value, 10) || 1));
  const k = [0, 15, 8, 4][depth];
  const min = parseFloat($('#min-score').value) || 0;
  try {
    const g = await getJSON(`${API}/graph/ego/${enc(state.center)}?depth=${depth}&k=${k}&min_score=${min}${corpusParam()}`);
    draw(g);
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

async function overview(push = true) {
  state.center = null;
  if (push) go({ view: 'overview' });
  $('#reader').hidden = true;
  $('#graph-title').textContent = 'Vue d’ensemble des corpus';
  try { draw(await getJSON(`${API}/graph/overview?max_nodes=200${corpusParam()}`)); } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

// The corpus selector filters the search and the graphs alike.
function corpusParam() {
  const c = $('#corpus').value;
  return c ? `&corpus=${encodeURIComponent(c)}` : '';
}

function colorOf(node) {
  if ($('#color-by').value === 'cluster') return PALETTE[node.cluster % PALETTE.length];
  const i = state.corpora.indexOf(node.corpus);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

function draw(g) {
  state.graph = g;
  $('#graph-pane').hidden = false;
  $('#map-pane').hidden = true;
  const from = parseInt($('#year-from').value, 10);
  const to = parseInt($('#year-to').value, 10);
  let nodes = g.nodes.filter((n) => n.id === state.center || ((!from || (year(n.date) ?? from) >= from) && (!to || (year(n.date) ?? to) <= to)));
  nodes = nodes.slice(0, MAX_DRAWN);
  const keep = new Set(nodes.map((n) => n.id));
  const edges = g.edges.filter((e) => keep.has(e.source) && keep.has(e.target));
  const maxDeg = Math.max(1, ...nodes.map((n) => n.degree));
  const maxW = Math.max(1, ...edges.map((e) => e.weight));
  const elements = [
    ...nodes.map((n) => ({ data: { id: n.id, label: n.title, color: colorOf(n), size: 18 + 42 * (n.degree / maxDeg), center: n.id === state.center ? 1 : 0 } })),
    ...edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, weight: e.weight, width: 1 + 6 * (e.weight / maxW), author: e.author ? 1 : 0, kind: e.kind } })),
  ];
  drawGraph(elements, {
    node: { 'font-size': 10, 'text-wrap': 'ellipsis', 'text-max-width': 140 },
    edge: { opacity: 0.8 },
    extra: [
      { selector: 'node[center = 1]', style: { 'border-width': 4, 'border-color': '#f0a500' } },
      { selector: 'edge[author = 1]', style: { 'line-style': 'dashed', 'line-color': '#b5542c' } },
      { selector: 'edge[kind = "reuse"]', style: { 'line-color': '#2f7d4f' } },
      { selector: '.path', style: { 'line-color': '#f0a500', 'border-color': '#f0a500', 'border-width': 4, width: 6 } },
    ],
    layout: { name: nodes.length > 150 ? 'circle' : 'cose', nodeRepulsion: 9000, idealEdgeLength: 90 },
    wheelSensitivity: 0.3,
    onNode: (n) => openText(n.id(), n.data('label')),
    onEdge: (d) => showPassages(d.source, d.target),
  });
  // Accessible list of what is drawn: keyboard users re-centre from here.
  const ul = $('#node-list');
  const dl = $('#node-ids');
  ul.textContent = ''; dl.textContent = '';
  for (const n of nodes) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.textContent = `${n.title} (${n.corpus})`;
    b.addEventListener('click', () => openText(n.id, n.title));
    li.appendChild(b); ul.appendChild(li);
    const o = document.createElement('option'); o.value = n.id; dl.appendChild(o);
  }
  const box = $('#clusters');
  box.textContent = '';
  if (!state.center) {
    for (const c of g.clusters.slice().sort((a, b) => b.size - a.size).slice(0, 10)) {
      const s = document.createElement('span');
      s.style.background = PALETTE[c.id % PALETTE.length];
      s.textContent = `${c.label} (${c.size})`;
      box.appendChild(s);
    }
  }
  setStatus(`${nodes.length} textes, ${edges.length} liens dessinés.`);
}

// The graph zoomed in: the centred text's paragraphs (gold) and the passages
// of other texts they echo; choosing a link shows both passages.
async function zoomPassages() {
  if (!state.center) { setStatus('Choisissez d’abord un texte.'); return; }
  try {
    const g = await getJSON(`${API}/graph/passages/${enc(state.center)}`);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const texts = [...new Set(g.nodes.map((n) => n.text_id))];
    const elements = [
      ...g.nodes.map((n) => ({ data: { id: n.id, label: `${n.title.slice(0, 30)} §${n.ordinal + 1}`, color: n.text_id === state.center ? '#f0a500' : PALETTE[texts.indexOf(n.text_id) % PALETTE.length], size: n.text_id === state.center ? 26 : 18, center: 0 } })),
      ...g.edges.map((e, i) => ({ data: { id: `p${i}`, source: e.source, target: e.target, width: 1 + e.score / 2, author: 0, score: e.score, dense: e.dense, bm25: e.bm25, kind: e.kind, confidence: e.confidence } })),
    ];
    drawGraph(elements, {
      node: { 'font-size': 9 },
      layout: { name: 'cose' },
      onEdge: (d) => {
        const a = byId.get(d.source), b = byId.get(d.target);
        $('#passages').hidden = false;
        $('#passage-a h3').textContent = `${a.title} §${a.ordinal + 1}`;
        $('#passage-a blockquote').textContent = a.text;
        $('#passage-b h3').textContent = `${b.title} §${b.ordinal + 1}`;
        $('#passage-b blockquote').textContent = b.text;
        $('#evidence-list').textContent = '';
        const scores = $('#link-scores');
        scores.textContent = '';
        scores.append(kindBadge(d.kind), `sûr à ${Math.round(100 * d.confidence)} % · score ${d.score.toFixed(2)} · cosinus ${d.dense.toFixed(3)} · BM25 ${d.bm25.toFixed(1)}`);
        state.passage = d.source;
      },
    });
    setStatus(`${g.nodes.length} passages, ${g.edges.length} liens (zoom sur les paragraphes).`);
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

// One graph set-up for both views (texts, and passages zoomed in): the
// shared node and edge styles, the layout, and what a tap does.
function drawGraph(elements, { node = {}, edge = {}, extra = [], layout, wheelSensitivity, onNode, onEdge }) {
  if (state.cy) state.cy.destroy();
  state.cy = cytoscape({
    container: $('#graph'),
    elements,
    style: [
      { selector: 'node', style: { 'background-color': 'data(color)', width: 'data(size)', height: 'data(size)', label: 'data(label)', color: '#333', ...node } },
      { selector: 'edge', style: { width: 'data(width)', 'line-color': '#9aa8a0', 'curve-style': 'bezier', ...edge } },
      ...extra,
    ],
    layout: { animate: false, randomize: false, ...layout },
    ...(wheelSensitivity ? { wheelSensitivity } : {}),
  });
  if (onNode) state.cy.on('tap', 'node', (ev) => onNode(ev.target));
  if (onEdge) state.cy.on('tap', 'edge', (ev) => onEdge(ev.target.data()));
}

const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
// Kinds of links (issue 16), as a reader names them.
const KIND_LABEL = { reuse: 'reprise', echo: 'écho', theme: 'même thème' };
function kindBadge(kind) {
  const s = document.createElement('span');
  s.className = `kind kind-${kind}`; s.textContent = KIND_LABEL[kind] || kind;
  return s;
}
// A reuse's spans are byte ranges of the UTF-8 text: marked exactly.
function highlightRanges(text, ranges) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  let html = '', at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start < at || r.end > bytes.length) continue;
    html += esc(dec.decode(bytes.slice(at, r.start))) + `<mark class="reused">${esc(dec.decode(bytes.slice(r.start, r.end)))}</mark>`;
    at = r.end;
  }
  return html + esc(dec.decode(bytes.slice(at)));
}
function highlight(text, terms) {
  let html = esc(text);
  for (const t of terms) {
    const re = new RegExp(`(^|[^\\p{L}])(${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?=[^\\p{L}]|$)`, 'giu');
    html = html.replace(re, '$1<mark>$2</mark>');
  }
  return html;
}

async function showPassages(a, b) {
  try {
    let r = await getJSON(`${API}/related/${enc(a)}`);
    let rel = r.related.find((x) => x.text === b);
    let title = r.title;
    if (!rel) {
      r = await getJSON(`${API}/related/${enc(b)}`);
      rel = r.related.find((x) => x.text === a);
      title = r.title;
    }
    if (!rel || !rel.evidence.length) { setStatus('Pas de passage pour ce lien.'); return; }
    // Every passage pair of the link, a reuse first: the reader picks one.
    const order = rel.evidence.map((ev, i) => i).sort((i, j) => (rel.evidence[j].kind === 'reuse') - (rel.evidence[i].kind === 'reuse') || i - j);
    const list = $('#evidence-list');
    list.textContent = '';
    order.forEach((i, n) => {
      const ev = rel.evidence[i];
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button'; b.dataset.kind = ev.kind;
      b.append(kindBadge(ev.kind), `§${Number(ev.from.id.split('#').pop()) + 1} ↔ §${Number(ev.to.id.split('#').pop()) + 1}`);
      b.addEventListener('click', () => {
        for (const o of list.querySelectorAll('button')) o.setAttribute('aria-pressed', String(o === b));
        showEvidence(title, rel, ev);
      });
      li.appendChild(b); list.appendChild(li);
      if (n === 0) b.setAttribute('aria-pressed', 'true');
    });
    showEvidence(title, rel, rel.evidence[order[0]]);
    $('#passages').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}
// One passage pair side by side: a reuse's shared spans marked exactly,
// otherwise the salient words both use.
function showEvidence(title, rel, ev) {
  const reuse = ev.kind === 'reuse' && ev.from.reused.length;
  $('#passages').hidden = false;
  $('#passages').dataset.kind = ev.kind;
  $('#passage-a h3').textContent = title;
  $('#passage-a blockquote').innerHTML = reuse ? highlightRanges(ev.from.text, ev.from.reused) : highlight(ev.from.text, ev.terms);
  $('#passage-b h3').textContent = rel.title;
  $('#passage-b blockquote').innerHTML = reuse ? highlightRanges(ev.to.text, ev.to.reused) : highlight(ev.to.text, ev.terms);
  const scores = $('#link-scores');
  scores.textContent = '';
  scores.append(kindBadge(ev.kind), `sûr à ${Math.round(100 * ev.confidence)} % · score ${rel.score.toFixed(2)} · cosinus ${ev.dense.toFixed(3)} · BM25 ${ev.bm25.toFixed(1)}${rel.author ? ' · lien déjà fait par l’auteur' : ''}${!reuse && ev.terms.length ? ` · mots partagés : ${ev.terms.join(', ')}` : ''}`);
  state.passage = ev.from.id;
}
// The lineage of the shown passage: the passages its links reach, by date.
async function showLineage(paragraph) {
  if (!paragraph) return;
  try {
    const r = await getJSON(`${API}/lineage/${enc(paragraph)}`); // `#` travels as %23
    const ol = $('#lineage-steps');
    ol.textContent = '';
    for (const s of r.steps) {
      const li = document.createElement('li');
      if (s.paragraph === r.paragraph) li.className = 'start';
      const head = document.createElement('div');
      const y = document.createElement('span'); y.className = 'year'; y.textContent = year(s.date) ?? 's. d.';
      head.append(y);
      if (s.kind) head.append(kindBadge(s.kind));
      const b = document.createElement('button');
      b.className = 'open'; b.type = 'button'; b.textContent = s.title;
      b.addEventListener('click', () => openText(s.text, s.title));
      head.append(b);
      const q = document.createElement('blockquote'); q.textContent = s.passage;
      li.append(head, q); ol.appendChild(li);
    }
    const years = new Set(r.steps.map((s) => year(s.date)).filter((y) => y != null));
    $('#lineage-status').textContent = `${r.steps.length} passages, ${years.size} années.`;
    $('#lineage').hidden = false;
    $('#lineage').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

async function findPath(to, push = true) {
  if (!state.center || !to) { $('#path-result').textContent = 'Choisissez d’abord un texte.'; return; }
  if (push) go({ text: state.center, path: to });
  try {
    const r = await getJSON(`${API}/graph/path?from=${encodeURIComponent(state.center)}&to=${encodeURIComponent(to)}`);
    const ids = r.path.map((n) => n.id);
    $('#path-result').textContent = r.path.map((n) => n.title).join(' → ');
    if (state.cy) {
      state.cy.elements().removeClass('path');
      ids.forEach((id, i) => {
        state.cy.getElementById(id).addClass('path');
        if (i > 0) state.cy.edges().filter((e) => (e.data('source') === ids[i - 1] && e.data('target') === id) || (e.data('target') === ids[i - 1] && e.data('source') === id)).addClass('path');
      });
    }
  } catch (e) { $('#path-result').textContent = e.message; }
}

window.rhizome = state; // for the end-to-end tests and the curious
init();
