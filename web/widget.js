/* Rhizome "Idées liées" widget. One tag on a blog post:
 *   <script src="https://rhizome.example/widget.js" data-text="crouzet-blog/posts/2025/01/technofascisme" async></script>
 * or data-url="https://tcrouzet.com/2025/01/24/technofascisme/" (default: the page's own address).
 * Options: data-rhizome (server, default: where this script comes from), data-k (default 5),
 * data-author="hide" (leave out the texts the post already links to; default: mark them).
 * Without a server: data-src="/related/crouzet-blog/posts/2025/01/technofascisme.json", a file
 * written by `rhizome export site` (then data-text, data-url and data-rhizome are not needed).
 * No dependencies; isolated in a shadow root; renders nothing if the server is down. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var server = (script.getAttribute('data-rhizome') || new URL(script.src, location.href).origin).replace(/\/$/, '');
  var k = parseInt(script.getAttribute('data-k') || '5', 10);
  var hideAuthor = script.getAttribute('data-author') === 'hide';
  var host = document.createElement('div');
  host.className = 'rhizome-widget';
  script.parentNode.insertBefore(host, script.nextSibling);

  function enc(id) { return id.split('/').map(encodeURIComponent).join('/'); }
  function get(path) {
    return fetch(server + path, { mode: 'cors' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }
  function textId() {
    var id = script.getAttribute('data-text');
    if (id) return Promise.resolve(id);
    var url = script.getAttribute('data-url') || location.href;
    return get('/api/v1/lookup?url=' + encodeURIComponent(url)).then(function (r) { return r.id; });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function clip(s, n) { return s.length > n ? s.slice(0, n).replace(/\s+\S*$/, '') + '…' : s; }

  var css = ':host{all:initial;display:block;font:15px/1.5 system-ui,sans-serif;color:#222}' +
    'section{border-top:2px solid #2f7d4f;margin:2em 0;padding-top:.6em}' +
    'h2{font-size:1.1em;margin:0 0 .6em;color:#2f7d4f}ul{list-style:none;margin:0;padding:0}' +
    'li{margin:0 0 .9em}a{color:#1e5b3a;font-weight:600;text-decoration:none}a:hover,a:focus{text-decoration:underline}' +
    'blockquote{margin:.25em 0 0;padding-left:.7em;border-left:3px solid #d6e4da;color:#444;font-size:.92em}' +
    '.author{font-size:.75em;color:#b5542c;margin-left:.5em;font-weight:400}.corpus{font-size:.75em;color:#777;margin-left:.5em}' +
    '.kind{font-size:.72em;color:#5a6b60;margin-left:.5em;font-variant:small-caps;letter-spacing:.03em}';
  // What connects the texts (issue 16): a passage taken up, the same idea, a shared subject.
  var KIND = { reuse: 'reprise', echo: 'écho', theme: 'même thème' };
  function kindOf(x) {
    var ev = x.evidence || [];
    if (ev.some(function (e) { return e.kind === 'reuse'; })) return 'reuse';
    return ev[0] && ev[0].kind;
  }

  var src = script.getAttribute('data-src');
  var related = src
    ? fetch(src).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    : textId().then(function (id) { return get('/api/v1/related/' + enc(id)); });
  related.then(function (r) {
    var items = r.related.filter(function (x) { return !(hideAuthor && x.author); }).slice(0, k);
    if (!items.length) return;
    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    var style = el('style'); style.textContent = css; root.appendChild(style);
    var box = el('section'); box.setAttribute('aria-label', 'Idées liées');
    box.appendChild(el('h2', null, 'Idées liées'));
    var ul = el('ul');
    items.forEach(function (x) {
      var li = el('li');
      var a = el(x.url ? 'a' : 'span', null, x.title);
      if (x.url) a.href = x.url;
      li.appendChild(a);
      if (x.corpus && x.corpus !== (r.text.split('/')[0])) li.appendChild(el('span', 'corpus', x.corpus));
      if (x.author) li.appendChild(el('span', 'author', 'déjà lié'));
      var kind = kindOf(x);
      if (KIND[kind]) li.appendChild(el('span', 'kind', KIND[kind]));
      var ev = x.evidence && x.evidence[0];
      if (ev && ev.to && ev.to.text) li.appendChild(el('blockquote', null, clip(ev.to.text, 240)));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    root.appendChild(box);
  }).catch(function (e) {
    // Harmless when the server is down: nothing rendered, one line logged.
    if (window.console) console.warn('rhizome widget: ' + e.message);
  });
})();
