// chainkit explorer: reads the node's read-only JSON-RPC at POST /api and
// redraws every POLL_MS. Hash routes: #/, #/block/HASH, #/tx/TXID,
// #/address/ADDR. Every value from the node is put into the page as text
// (textContent / setAttribute, never innerHTML), so nothing it holds can
// become markup.
'use strict';

const POLL_MS = 1500;
const LATEST_BLOCKS = 10;
const CHART_BLOCKS = 30;
const TX_SEARCH_BLOCKS = 50;
const COIN = 100000000;
const SVG_NS = 'http://www.w3.org/2000/svg';

let nextId = 1;
let lastTip = null;
let dashboardCache = null;  // {tip, blocks, headers}

// ---- RPC ----
class RpcFailure extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

async function post(body) {
  const res = await fetch('api', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                  body: JSON.stringify(body)});
  if (!res.ok) throw new RpcFailure(res.status, 'HTTP ' + res.status);
  return res.json();
}

async function rpc(method, params = []) {
  const answer = await post({jsonrpc: '2.0', id: nextId++, method, params});
  if (answer.error) throw new RpcFailure(answer.error.code, method + ': ' + answer.error.message);
  return answer.result;
}

// Calls in one batch; each result, or a RpcFailure in its place.
async function batch(calls) {
  if (calls.length === 0) return [];
  const first = nextId;
  const answers = await post(calls.map(([method, params], i) => ({jsonrpc: '2.0', id: first + i, method, params})));
  nextId += calls.length;
  const byId = new Map(answers.map((a) => [a.id, a]));
  return calls.map((c, i) => {
    const a = byId.get(first + i);
    if (!a) return new RpcFailure(-32603, 'no answer');
    return a.error ? new RpcFailure(a.error.code, a.error.message) : a.result;
  });
}

// ---- DOM helpers (text only) ----
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function link(route, text, cls = 'hash') { return el('a', {href: '#/' + route, class: cls}, text); }
function blockLink(hash, text = hash) { return link('block/' + encodeURIComponent(hash), text); }
function txLink(txid, text = txid) { return link('tx/' + encodeURIComponent(txid), text); }
function addrLink(addr) { return link('address/' + encodeURIComponent(addr), addr); }
function short(h) { return h.length > 20 ? h.slice(0, 10) + '…' + h.slice(-8) : h; }
function coins(v) { return (v / COIN).toFixed(8); }
function age(t) {
  const s = Math.round(Date.now() / 1000 - t);
  if (s < 0) return 'in ' + (-s) + ' s';
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}
function table(headers, rows, attrs = {}) {
  const head = el('tr', {}, ...headers.map((h) => el('th', h.startsWith('#') ? {class: 'num'} : {}, h.replace(/^#/, ''))));
  return el('table', attrs, el('thead', {}, head), el('tbody', {}, ...rows));
}
function td(content, cls) { return el('td', cls ? {class: cls} : {}, content); }
function card(title, ...content) { return el('section', {class: 'card'}, el('h2', {}, title), ...content); }
function kv(pairs) {
  const d = el('div', {class: 'kv'});
  for (const [k, v] of pairs) d.append(el('div', {}, k), el('div', {}, v));
  return d;
}
function setText(id, text) { document.getElementById(id).textContent = String(text); }
function showError(message) {
  const p = document.getElementById('error');
  p.textContent = message || '';
  p.hidden = !message;
}
function setView(...sections) { document.getElementById('view').replaceChildren(...sections); }

// ---- charts (inline SVG) ----
function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}
// values: [{x: label, y: number}]; kind 'bar' or 'line'. The y axis starts at 0.
function chart(values, kind, unit, testid) {
  const W = 600, H = 170, L = 48, R = 8, B = 22, T = 8;
  const root = svg('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, 'data-testid': testid,
                           'data-points': values.length, role: 'img'});
  const max = Math.max(1e-9, ...values.map((v) => v.y));
  const slot = (W - L - R) / Math.max(values.length, 1);
  const xAt = (i) => L + slot * (i + 0.5);
  const yAt = (y) => T + (H - T - B) * (1 - y / max);
  root.append(svg('line', {class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B}));
  root.append(svg('text', {x: 2, y: T + 8}, fmtNum(max) + unit), svg('text', {x: 2, y: H - B}, '0' + unit));
  if (values.length > 0) {
    root.append(svg('text', {x: L, y: H - 6}, values[0].x));
    root.append(svg('text', {x: W - R - 30, y: H - 6}, values[values.length - 1].x));
  }
  if (kind === 'bar') {
    values.forEach((v, i) => {
      const bar = svg('rect', {class: 'bar', x: L + slot * i + 1, y: yAt(v.y), width: Math.max(1, slot - 2),
                               height: H - B - yAt(v.y)});
      bar.append(svg('title', {}, `block ${v.x}: ${fmtNum(v.y)}${unit}`));
      root.append(bar);
    });
  } else {
    root.append(svg('polyline', {class: 'line', points: values.map((v, i) => `${xAt(i)},${yAt(v.y)}`).join(' ')}));
  }
  return root;
}
function fmtNum(n) { return Math.abs(n) >= 100 ? n.toFixed(0) : Number(n.toPrecision(3)).toString(); }

// ---- status bar (every poll) ----
async function pollStatus() {
  const [info, pool] = await batch([['getblockchaininfo', []], ['getmempoolinfo', []]]);
  if (info instanceof Error) throw info;
  setText('chain', info.chain);
  setText('tip-height', info.blocks);
  setText('header-height', info.headers);
  const progress = document.getElementById('sync-progress');
  progress.value = info.verificationprogress;
  setText('sync-text', (info.verificationprogress * 100).toFixed(1) + '%' + (info.initialblockdownload ? ' syncing' : ' synced'));
  setText('difficulty', fmtNum(info.difficulty));
  if (!(pool instanceof Error)) setText('mempool-summary', `${pool.size} tx, ${pool.bytes} bytes`);
  setText('updated', new Date().toLocaleTimeString());
  return info;
}

// ---- dashboard ----
async function loadDashboardData(info) {
  if (dashboardCache && dashboardCache.tip === info.bestblockhash) return dashboardCache;
  const tip = info.blocks;
  const heights = [];
  for (let h = tip; h >= 0 && h > tip - Math.max(LATEST_BLOCKS, CHART_BLOCKS + 1); --h) heights.push(h);
  const calls = heights.map((h) => h > tip - LATEST_BLOCKS ? ['getblock', [h, 1]] : ['getblockheader', [h]]);
  const results = await batch(calls);
  const headers = results.filter((r) => !(r instanceof Error));
  dashboardCache = {tip: info.bestblockhash, blocks: headers.filter((b) => b.tx !== undefined), headers};
  return dashboardCache;
}

function blocksCard(blocks, fresh) {
  const rows = blocks.map((b) => el('tr', {'data-testid': 'block-row', 'data-height': b.height, 'data-hash': b.hash,
                                           class: fresh.has(b.hash) ? 'fresh' : ''},
    td(b.height, 'num'), td(blockLink(b.hash, short(b.hash))), td(age(b.time)), td(b.ntx, 'num'), td(b.size, 'num')));
  return card('Latest blocks', table(['#Height', 'Hash', 'Age', '#Txs', '#Size'], rows, {'data-testid': 'blocks'}));
}

function chartsCard(headers) {
  const asc = [...headers].sort((a, b) => a.height - b.height);
  const intervals = [];
  for (let i = 1; i < asc.length; ++i) intervals.push({x: asc[i].height, y: asc[i].time - asc[i - 1].time});
  const difficulty = asc.map((h) => ({x: h.height, y: h.difficulty}));
  return card('Last blocks', el('h3', {}, 'Block interval (s)'), chart(intervals.slice(-CHART_BLOCKS), 'bar', ' s', 'interval-chart'),
              el('h3', {}, 'Difficulty'), chart(difficulty.slice(-CHART_BLOCKS), 'line', '', 'difficulty-chart'));
}

function peersCard(peers) {
  const rows = peers.map((p) => el('tr', {'data-testid': 'peer-row', 'data-peer-id': p.id},
    td(short(p.id), 'hash'), td(p.addr, 'hash'), td(p.inbound ? 'in' : 'out'),
    td(p.latency_ms === null ? '–' : p.latency_ms.toFixed(2) + ' ms', 'num'),
    td(p.synced_headers, 'num'), td(p.bytessent, 'num'), td(p.bytesrecv, 'num')));
  return card(`Peers (${peers.length})`,
              table(['Peer', 'Address', 'Dir', '#Latency', '#Headers', '#Sent', '#Received'], rows, {'data-testid': 'peers'}));
}

function mempoolCard(pool) {
  const entries = Object.entries(pool).slice(0, 50);
  const rows = entries.map(([txid, e]) => el('tr', {'data-testid': 'mempool-row'},
    td(txLink(txid, short(txid))), td(e.size, 'num'), td(e.fee, 'num')));
  return card(`Mempool (${Object.keys(pool).length})`, table(['Txid', '#Size', '#Fee'], rows, {'data-testid': 'mempool'}));
}

async function renderDashboard(info) {
  const data = await loadDashboardData(info);
  const [peers, pool] = await batch([['getpeerinfo', []], ['getrawmempool', [true]]]);
  const shown = new Set([...document.querySelectorAll('[data-testid="block-row"]')].map((r) => r.dataset.hash));
  const fresh = new Set(shown.size ? data.blocks.map((b) => b.hash).filter((h) => !shown.has(h)) : []);
  const cards = [blocksCard(data.blocks, fresh), chartsCard(data.headers)];
  if (!(peers instanceof Error)) cards.push(peersCard(peers));
  if (!(pool instanceof Error)) cards.push(mempoolCard(pool));
  if (route().kind === 'home') setView(...cards);
}

// ---- block, transaction, address ----
function inputsOf(tx) {
  return tx.vin.map((i) => i.coinbase !== undefined
    ? el('div', {class: 'muted'}, `coinbase (height ${i.height})`)
    : el('div', {}, txLink(i.txid, short(i.txid)), `:${i.vout} `, addrLink(i.address)));
}
function outputsOf(tx) {
  return tx.vout.map((o) => el('div', {}, `${o.n}: `, addrLink(o.address), ` ${coins(o.value)}`));
}
function txBlock(tx) {
  return el('div', {class: 'tx', 'data-testid': 'tx', 'data-txid': tx.txid},
    el('div', {}, txLink(tx.txid), el('span', {class: 'muted'}, ` ${tx.size} bytes`)),
    el('div', {class: 'io'}, el('div', {}, el('h3', {}, 'Inputs'), ...inputsOf(tx)),
                             el('div', {}, el('h3', {}, 'Outputs'), ...outputsOf(tx))));
}

async function renderBlock(hash) {
  const b = await rpc('getblock', [hash, 1]);
  const pairs = [['Hash', el('span', {class: 'hash', 'data-testid': 'block-hash'}, b.hash)],
                 ['Height', el('span', {'data-testid': 'block-height'}, b.height)],
                 ['Confirmations', b.confirmations], ['Time', `${new Date(b.time * 1000).toISOString()} (${age(b.time)})`],
                 ['Size', b.size + ' bytes'], ['Transactions', b.ntx], ['Difficulty', fmtNum(b.difficulty)],
                 ['Bits', b.bits], ['Nonce', b.nonce], ['Merkle root', el('span', {class: 'hash'}, b.merkleroot)]];
  if (b.previousblockhash) pairs.push(['Previous', blockLink(b.previousblockhash)]);
  if (b.nextblockhash) pairs.push(['Next', blockLink(b.nextblockhash)]);
  setView(el('section', {class: 'card wide', 'data-testid': 'block-view'}, el('h2', {}, `Block ${b.height}`), kv(pairs),
             el('h3', {}, 'Transactions'), ...b.tx.map(txBlock)));
}

// gettransaction when the node has it; otherwise the recent blocks are searched.
async function findTransaction(txid) {
  try {
    // {txid, in_mempool, blockhash?, height?, confirmations, size?, tx: {...}}: flattened as getblock's txs.
    const r = await rpc('gettransaction', [txid]);
    return Object.assign({size: r.size}, r.tx, {blockhash: r.blockhash, height: r.height, confirmations: r.confirmations});
  } catch (e) {
    if (!(e instanceof RpcFailure) || e.code !== -32601) throw e;
  }
  const tip = await rpc('getblockcount');
  const calls = [];
  for (let h = tip; h >= 0 && h > tip - TX_SEARCH_BLOCKS; --h) calls.push(['getblock', [h, 1]]);
  for (const b of await batch(calls)) {
    if (b instanceof Error) continue;
    const tx = b.tx.find((t) => t.txid === txid);
    if (tx) return Object.assign({blockhash: b.hash, height: b.height, confirmations: b.confirmations}, tx);
  }
  throw new RpcFailure(-5, `transaction ${txid} not found in the last ${TX_SEARCH_BLOCKS} blocks`);
}

async function renderTx(txid) {
  const tx = await findTransaction(txid);
  const pairs = [['Txid', el('span', {class: 'hash', 'data-testid': 'tx-id'}, tx.txid)], ['Size', tx.size + ' bytes'],
                 ['Coinbase', tx.coinbase ? 'yes' : 'no']];
  if (tx.blockhash) pairs.push(['Block', blockLink(tx.blockhash)], ['Confirmations', tx.confirmations ?? '']);
  else pairs.push(['Block', 'unconfirmed (mempool)']);
  const total = tx.vout.reduce((s, o) => s + o.value, 0);
  pairs.push(['Output total', coins(total)]);
  setView(el('section', {class: 'card wide', 'data-testid': 'tx-view'}, el('h2', {}, 'Transaction'), kv(pairs), txBlock(tx)));
}

async function renderAddress(addr) {
  const [bal, utxos, hist] = await batch([['getbalance', [addr]], ['listunspent', [addr]], ['getaddresshistory', [addr, 200]]]);
  if (bal instanceof Error) throw new Error(`address ${addr}: ${bal.message}`);
  const summary = kv([['Address', el('span', {class: 'hash', 'data-testid': 'address'}, addr)],
                      ['Confirmed', coins(bal.confirmed)], ['Unconfirmed', coins(bal.unconfirmed)],
                      ['Total', el('span', {'data-testid': 'balance'}, coins(bal.total))]]);
  const sections = [el('section', {class: 'card wide', 'data-testid': 'address-view'}, el('h2', {}, 'Address'), summary)];
  if (!(utxos instanceof Error))
    sections.push(card(`Unspent (${utxos.length})`, table(['Outpoint', '#Value', '#Confirmations'],
      utxos.map((u) => el('tr', {}, td(el('span', {}, txLink(u.txid, short(u.txid)), ':' + u.vout)),
                                     td(coins(u.value), 'num'), td(u.confirmations, 'num'))))));
  if (!(hist instanceof Error))
    sections.push(card(`History (blocks ${hist.fromheight}–${hist.toheight})`, table(['Txid', '#Height', '#Received', '#Sent'],
      hist.txs.map((h) => el('tr', {}, td(txLink(h.txid, short(h.txid))), td(h.height, 'num'),
                                       td(coins(h.received), 'num'), td(h.sent === null ? '?' : coins(h.sent), 'num'))))));
  setView(...sections);
}

// ---- routing and the loop ----
function route() {
  const m = /^#\/(block|tx|address)\/(.+)$/.exec(location.hash);
  return m ? {kind: m[1], arg: decodeURIComponent(m[2])} : {kind: 'home'};
}

let rendering = false;
let queued = 0;  // a refresh asked for while one ran: 1 a poll, 2 a full one (a new route)
async function refresh(full) {
  if (rendering) {
    queued = Math.max(queued, full ? 2 : 1);
    return;
  }
  rendering = true;
  try {
    const info = await pollStatus();
    const r = route();
    const moved = info.bestblockhash !== lastTip;
    lastTip = info.bestblockhash;
    if (r.kind === 'home') await renderDashboard(info);
    else if (full || moved) {
      if (r.kind === 'block') await renderBlock(r.arg);
      else if (r.kind === 'tx') await renderTx(r.arg);
      else await renderAddress(r.arg);
    }
    showError('');
  } catch (e) {
    showError(e.message);
  } finally {
    rendering = false;
  }
  if (queued) {
    const again = queued === 2;
    queued = 0;
    await refresh(again);
  }
}

async function search(text) {
  const q = text.trim();
  if (/^\d+$/.test(q)) return void (location.hash = '#/block/' + (await rpc('getblockhash', [Number(q)])));
  if (/^[0-9a-fA-F]{64}$/.test(q)) {
    try {
      await rpc('getblockheader', [q.toLowerCase()]);
      location.hash = '#/block/' + q.toLowerCase();
    } catch (e) {
      location.hash = '#/tx/' + q.toLowerCase();
    }
    return;
  }
  location.hash = '#/address/' + encodeURIComponent(q);
}

window.addEventListener('hashchange', () => {
  if (route().kind !== 'home') setView(el('section', {class: 'card wide muted'}, 'Loading…'));
  refresh(true);
});
document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  search(document.getElementById('search-input').value).catch((e) => showError(e.message));
});
refresh(true);
setInterval(() => refresh(false), POLL_MS);
