// The reading view (issue 17): a text to read, each paragraph that echoes
// others marked in the margin with its links (title, kind, score);
// choosing one opens the other text beside it at that passage, the shared
// words or the reused spans highlighted on both sides.
'use strict';
const READER = { id: null, text: null, edges: [], nodes: new Map() };

async function openReader(id, ordinal = null, withId = null, push = true) {
  try {
    const [text, g] = await Promise.all([getJSON(`${API}/texts/${enc(id)}`), getJSON(`${API}/graph/passages/${enc(id)}`)]);
    READER.id = id; READER.text = text; READER.edges = g.edges;
    READER.nodes = new Map(g.nodes.map((n) => [n.id, n]));
    showReaderPane();
    renderReader(text);
    if (push) go({ read: id });
    if (withId && ordinal != null) await openBeside(`${id}#${ordinal}`, withId, false);
    else $('#reader-other').hidden = true;
    setStatus(`${text.title} : ${text.paragraphs.length} paragraphes, ${g.edges.length} liens vers d’autres textes.`);
  } catch (e) { setStatus(`Erreur : ${e.message}`); }
}

function showReaderPane() {
  for (const s of ['#graph-pane', '#map-pane', '#passages', '#lineage']) $(s).hidden = true;
  $('#reader').hidden = false;
}

// This paragraph's links, strongest first, each with the other passage.
function linksOf(pid) {
  return READER.edges
    .filter((e) => e.source === pid || e.target === pid)
    .map((e) => ({ edge: e, other: e.source === pid ? e.target : e.source, mine: e.source === pid ? 'source' : 'target' }))
    .sort((a, b) => b.edge.score - a.edge.score);
}

function renderReader(text) {
  $('#reader-title').textContent = text.title;
  $('#reader-meta').textContent = [text.corpus, year(text.date), text.url].filter(Boolean).join(' · ');
  const box = $('#reader-paras');
  box.textContent = '';
  for (const p of text.paragraphs) {
    const row = document.createElement('div');
    row.className = 'para'; row.id = `para-${p.ordinal}`; row.dataset.id = p.id;
    const body = document.createElement('p'); body.textContent = p.text;
    const margin = document.createElement('aside'); margin.className = 'echoes';
    const links = linksOf(p.id);
    if (links.length) {
      row.classList.add('echoing');
      const ul = document.createElement('ul');
      ul.setAttribute('aria-label', `Paragraphe ${p.ordinal + 1} : ${links.length} échos`);
      for (const l of links.slice(0, 5)) {
        const node = READER.nodes.get(l.other);
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button'; b.className = 'echo-link'; b.dataset.other = l.other;
        b.append(kindBadge(l.edge.kind), `${node ? node.title : l.other} · ${l.edge.score.toFixed(1)}`);
        b.addEventListener('click', () => openBeside(p.id, l.other));
        li.appendChild(b); ul.appendChild(li);
      }
      margin.appendChild(ul);
    }
    row.append(body, margin);
    box.appendChild(row);
  }
}

// The other text beside this one, scrolled to the passage; both passages
// highlighted: reused spans exactly, otherwise the shared salient words.
async function openBeside(pid, otherPid, push = true) {
  const edge = READER.edges.find((e) => (e.source === pid && e.target === otherPid) || (e.target === pid && e.source === otherPid));
  const otherText = otherPid.split('#')[0];
  const other = await getJSON(`${API}/texts/${enc(otherText)}`);
  $('#reader-other').hidden = false;
  $('#reader-other-title').textContent = other.title;
  const box = $('#reader-other-paras');
  box.textContent = '';
  const mineRanges = edge ? (edge.source === pid ? edge.source_reused : edge.target_reused) : [];
  const otherRanges = edge ? (edge.source === pid ? edge.target_reused : edge.source_reused) : [];
  const terms = edge ? edge.terms : [];
  let target = null;
  for (const p of other.paragraphs) {
    const el = document.createElement('p');
    el.id = `other-${p.ordinal}`; el.dataset.id = p.id;
    if (p.id === otherPid) {
      el.className = 'target';
      el.innerHTML = otherRanges.length ? highlightRanges(p.text, otherRanges) : highlight(p.text, terms);
      target = el;
    } else el.textContent = p.text;
    box.appendChild(el);
  }
  for (const row of document.querySelectorAll('#reader-paras .para')) {
    const body = row.querySelector('p');
    const para = READER.text.paragraphs.find((x) => x.id === row.dataset.id);
    if (row.dataset.id === pid) {
      row.classList.add('target');
      body.innerHTML = mineRanges.length ? highlightRanges(para.text, mineRanges) : highlight(para.text, terms);
    } else { row.classList.remove('target'); body.textContent = para.text; }
  }
  $('#reader-pair').textContent = '';
  if (edge) $('#reader-pair').append(kindBadge(edge.kind), `score ${edge.score.toFixed(2)} · cosinus ${edge.dense.toFixed(3)}${terms.length && !mineRanges.length ? ` · mots partagés : ${terms.join(', ')}` : ''}`);
  $(`#para-${pid.split('#').pop()}`).scrollIntoView({ block: 'nearest' });
  if (target) target.scrollIntoView({ block: 'nearest' });
  if (push) go({ read: READER.id, p: pid.split('#').pop(), with: otherPid });
}
