// Drives Debian's Chromium (through playwright-core) against a node's
// explorer page and checks it against the node's own JSON-RPC answers.
// Run by explorer_browser_tests.cpp, which starts the node:
//   node explorer_check.mjs URL COOKIE_FILE SCREENSHOT_PNG
// (it also saves the block and address views beside it, as -block.png and
// -address.png).
// Exit 0 when every check passed; otherwise 1 with the reason on stderr.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, cookieFile, screenshot] = process.argv.slice(2);
if (!url || !cookieFile || !screenshot) {
  console.error('usage: node explorer_check.mjs URL COOKIE_FILE SCREENSHOT_PNG');
  process.exit(2);
}
const WAIT_MS = 15000;

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok: ' + what);
}

// The read-only endpoint the page itself uses.
async function api(method, params = []) {
  const res = await fetch(new URL('api', url), {method: 'POST', body: JSON.stringify({jsonrpc: '2.0', id: 1, method, params})});
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}
// POST / with the cookie: the test program's hook that mines a block.
async function mineBlock() {
  const auth = Buffer.from(readFileSync(cookieFile, 'utf8').trim()).toString('base64');
  const res = await fetch(url, {method: 'POST', headers: {Authorization: 'Basic ' + auth},
                                body: JSON.stringify({jsonrpc: '2.0', id: 1, method: 'test_mineblock', params: []})});
  const j = await res.json();
  if (j.error) throw new Error('test_mineblock: ' + j.error.message);
  return j.result;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 1000}});
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    page.on('request', (r) => { if (!r.url().startsWith(url)) problems.push('request outside the node: ' + r.url()); });
    await page.goto(url);

    // Tip and the latest blocks match the RPC.
    const info = await api('getblockchaininfo');
    await page.locator('#tip-height', {hasText: String(info.blocks)}).waitFor({timeout: WAIT_MS});
    const rows = page.locator('[data-testid="block-row"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="block-row"]').length === n,
                               Math.min(10, info.blocks + 1), {timeout: WAIT_MS});
    const shown = await rows.evaluateAll((rs) => rs.map((r) => ({height: Number(r.dataset.height), hash: r.dataset.hash,
                                                                 cells: [...r.cells].map((c) => c.textContent)})));
    check(shown[0].height === info.blocks && shown[0].hash === info.bestblockhash, 'the first row is the tip');
    for (const row of shown) {
      const b = await api('getblock', [row.height, 1]);
      check(b.hash === row.hash && row.cells[3] === String(b.ntx) && row.cells[4] === String(b.size),
            `block ${row.height}: hash, tx count and size as getblock says`);
    }

    // Peers match getpeerinfo.
    const peers = await api('getpeerinfo');
    check(peers.length > 0, 'the node has peers');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="peer-row"]').length === n, peers.length,
                               {timeout: WAIT_MS});
    const peerIds = await page.locator('[data-testid="peer-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.peerId).sort());
    check(JSON.stringify(peerIds) === JSON.stringify(peers.map((p) => p.id).sort()), 'peers shown are getpeerinfo\'s');
    const points = await page.locator('[data-testid="interval-chart"]').getAttribute('data-points');
    check(Number(points) === Math.min(30, info.blocks), 'the interval chart has a bar per block');

    // A block mined while the page is open appears without a reload.
    await page.evaluate(() => { window.stillSamePage = true; });
    const mined = await mineBlock();
    await page.locator(`[data-testid="block-row"][data-hash="${mined}"]`).waitFor({timeout: WAIT_MS});
    await page.locator('#tip-height', {hasText: String(info.blocks + 1)}).waitFor({timeout: WAIT_MS});
    check(await page.evaluate(() => window.stillSamePage === true), `new block ${mined.slice(0, 12)} shown without reloading`);

    // Click into a block that holds a spend, then into that transaction.
    let spendBlock = null;
    for (let h = info.blocks; h > 0 && !spendBlock; --h) {
      const b = await api('getblock', [h, 1]);
      if (b.tx.length > 1) spendBlock = b;
    }
    check(spendBlock !== null, 'the chain holds a block with a spend');
    await page.locator(`[data-testid="block-row"][data-hash="${spendBlock.hash}"] a`).click();
    await page.locator('[data-testid="block-hash"]', {hasText: spendBlock.hash}).waitFor({timeout: WAIT_MS});
    check(page.url().endsWith('#/block/' + spendBlock.hash), 'the block route is in the address bar');
    const txCount = await page.locator('[data-testid="tx"]').count();
    check(txCount === spendBlock.ntx, `block page shows its ${spendBlock.ntx} transactions`);
    await page.screenshot({path: screenshot.replace(/\.png$/, '-block.png'), fullPage: true});
    const spend = spendBlock.tx[1];
    await page.locator(`[data-testid="tx"][data-txid="${spend.txid}"] > div > a`).first().click();
    await page.locator('[data-testid="tx-id"]', {hasText: spend.txid}).waitFor({timeout: WAIT_MS});
    const txView = page.locator('[data-testid="tx-view"]');
    const text = await txView.textContent();
    check(spend.vin.every((i) => text.includes(i.address)) && spend.vout.every((o) => text.includes(o.address)),
          'the transaction page shows its inputs\' and outputs\' addresses');

    // The address page shows what getbalance says.
    const address = spend.vout[0].address;
    await page.locator(`[data-testid="tx-view"] a[href="#/address/${address}"]`).first().click();
    const balance = await api('getbalance', [address]);
    await page.locator('[data-testid="balance"]', {hasText: (balance.total / 1e8).toFixed(8)}).waitFor({timeout: WAIT_MS});
    check(true, 'the address page shows getbalance\'s total');
    await page.screenshot({path: screenshot.replace(/\.png$/, '-address.png'), fullPage: true});

    // Text from the route or the node never becomes markup.
    await page.goto(url + '#/address/' + encodeURIComponent('<img src=x onerror="window.pwned=1">'));
    await page.locator('#error', {hasText: 'address <img src=x'}).waitFor({timeout: WAIT_MS});
    check(await page.evaluate(() => window.pwned === undefined && document.querySelectorAll('img').length === 0),
          'markup in an address is shown as text, not run');

    // Back home for the screenshot.
    await page.goto(url + '#/');
    await page.locator('[data-testid="block-row"]').first().waitFor({timeout: WAIT_MS});
    await page.screenshot({path: screenshot, fullPage: true});
    check(problems.length === 0, 'no console errors, page errors or outside requests' +
          (problems.length ? ': ' + problems.join('; ') : ''));
  } finally {
    await browser.close();
  }
}

main().then(() => console.log('explorer_check: all checks passed'), (e) => {
  console.error('explorer_check: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
