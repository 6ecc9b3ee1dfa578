// The "OCF Software Update" console page: polls state.json and fills the page with textContent only.
(function () {
  'use strict';
  var root = document.getElementById('ocf-update');
  var base = root.getAttribute('data-base');
  var token = root.getAttribute('data-csrf');
  var POLL_MS = 500;

  function el(id) { return document.getElementById(id); }
  function text(id, value) { el(id).textContent = value === null || value === undefined ? '' : String(value); }
  function bytes(n) {
    if (n < 0) { return '?'; }
    if (n < 1024) { return n + ' B'; }
    if (n < 1048576) { return (n / 1024).toFixed(1) + ' KiB'; }
    return (n / 1048576).toFixed(1) + ' MiB';
  }
  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) {
      var td = document.createElement('td');
      if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c === null || c === undefined ? '' : String(c); }
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(id, rows, empty, columns) {
    var body = el(id);
    body.textContent = '';
    if (rows.length === 0) {
      var tr = row([empty]);
      tr.firstChild.colSpan = columns;
      body.appendChild(tr);
    }
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function bits(m) { return m.value + (m.bits.length ? ' (' + m.bits.join(', ') + ')' : ''); }

  function render(s) {
    var states = el('ocf-states').querySelectorAll('[data-state]');
    for (var i = 0; i < states.length; i++) {
      states[i].className = states[i].getAttribute('data-state') === s.state ? 'ocf-current' : '';
    }
    text('ocf-state', s.state);
    text('ocf-swupdatestate', s.swupdatestate);
    text('ocf-result', s.result.name + ' (' + s.result.code + ')');
    text('ocf-version', s.version);
    // the last transitions, also those quicker than one poll
    text('ocf-transitions', (s.transitions || []).map(function (t) {
      return t.state + ' ' + t.time.substring(11, 23);
    }).join(' \u2192 '));
    text('ocf-pin', s.transferPin ? 'Ownership transfer waiting: Random PIN ' + s.transferPin : '');
    text('ocf-offer', s.offer ? s.offer.version + (s.offer.provider ? ' from ' + s.offer.provider : '') : 'none');

    var p = s.progress;
    var bar = el('ocf-progress');
    bar.max = p.total > 0 ? p.total : 1;
    bar.value = p.total > 0 ? Math.min(p.bytes, p.total) : 0;
    text('ocf-bytes', p.bytes > 0 || p.total > 0 ? bytes(p.bytes) + ' of ' + bytes(p.total) : '');
    text('ocf-rate', p.rate > 0 ? bytes(p.rate) + '/s' : '');
    text('ocf-step', p.step || '-');

    var ps = s.pstat;
    fill('ocf-pstat', [
      row(['dos', ps.dos.name + ' (s ' + ps.dos.s + (ps.dos.p ? ', pending' : '') + ')']),
      row(['isop', ps.isop]), row(['cm', bits(ps.cm)]), row(['tm', bits(ps.tm)]),
      row(['om', ps.om]), row(['sm', ps.sm]), row(['rowneruuid', ps.rowneruuid])
    ], '', 2);

    fill('ocf-providers', s.providers.map(function (pr) {
      var use = document.createElement('button');
      use.type = 'button';
      use.textContent = 'Use';
      use.disabled = pr.inUse;
      use.setAttribute('data-provider', pr.name);
      use.addEventListener('click', function () { act('use', { provider: String(pr.serviceId) }); });
      return row([pr.name, pr.ranking, pr.status, pr.inUse ? 'yes' : '', use]);
    }), 'no provider is present', 5);

    fill('ocf-history', s.history.map(function (h) {
      return row([h.time, h.from, h.to, h.provider, h.result, (h.duration / 1000).toFixed(1) + ' s', h.reason]);
    }), 'no update yet', 7);

    fill('ocf-keys', s.keys.map(function (k) { return row([k.path, k.algorithm, k.fingerprint]); }),
      'no trusted key: every package is refused (configure org.ocfupdate.trust keys)', 3);
  }

  function message(textValue, ok) {
    var m = el('ocf-message');
    m.textContent = textValue;
    m.className = 'ocf-message ' + (ok ? 'ocf-ok' : 'ocf-error');
  }

  function act(what, extra) {
    var body = new URLSearchParams(extra || {});
    body.set('do', what);
    var headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    headers['X-OCF-CSRF'] = token;
    fetch(base + '/action', { method: 'POST', headers: headers, body: body.toString(), credentials: 'same-origin' })
      .then(function (r) {
        return r.json().then(function (j) { message(j.message, j.done); },
          function () { message('the gateway answered ' + r.status, false); });
      }, function (e) { message('the gateway is not answering: ' + e.message, false); });
  }

  function poll() {
    fetch(base + '/state.json', { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (s) { render(s); text('ocf-connection', ''); },
        function (e) { text('ocf-connection', 'Waiting for the gateway (' + e.message + ')'); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  var buttons = root.querySelectorAll('[data-action]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', (function (what) { return function () { act(what); }; })(
      buttons[i].getAttribute('data-action')));
  }
  poll();
})();
