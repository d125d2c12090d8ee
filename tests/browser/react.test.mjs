// client/react.js in headless Chromium with real React 18 (development
// build, StrictMode), bundled by esbuild, against the real worker and a
// throwaway cluster: ServerClock and useServerTime (seed 002's shapes),
// once-a-second renders, a worker restart, useSessionTimer, useRoom, a new
// token on the same connection, unmount closing the connection, and
// docs/react.md's example as written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { build } from 'esbuild';

import { Cluster, ROOT, Worker, launchChromium, makeToken, watchConsole } from './support/environment.mjs';

let cluster;
let worker;
let app;  // the pages' own HTTP server
const files = {};  // what it serves: path -> [type, body]
let browser;
let page;
let problems;

// One script; client/react.js's own `import 'react'` resolves to this
// suite's node_modules (the client folder has none), the same copy.
async function bundle(entry) {
  const result = await build({
    ...entry, bundle: true, write: false, format: 'iife', jsx: 'automatic', target: 'chrome110',
    nodePaths: [join(ROOT, 'tests', 'browser', 'node_modules')],
    define: { 'process.env.NODE_ENV': '"development"' }, logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

// docs/react.md's complete example, as written, but for the worker's address
// and the package's path in this tree.
function docsExample() {
  const [, code] = /```jsx\n([\s\S]*?)```/.exec(readFileSync(join(ROOT, 'docs', 'react.md'), 'utf8'));
  return code.replace("'session-clock-client/react'", JSON.stringify(join(ROOT, 'client', 'react.js')))
    .replace('"https://clock.example.com"', JSON.stringify(worker.origin));
}

const page_ = (script, globals = '') => `<!doctype html><meta charset="utf-8"><div id="root"></div>
<script>${globals}</script><script src="/${script}"></script>`;

// The pages and scripts from a server on loopback, as an app's own origin
// (Chromium refuses a WebSocket to 127.0.0.1 from a page whose address it
// cannot place, such as a routed one). `files`: path -> [type, body].
async function serveApp(files) {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url, 'http://x').pathname];
    res.writeHead(file ? 200 : 404, { 'content-type': file ? file[0] : 'text/plain' });
    res.end(file ? file[1] : 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript';

before(async () => {
  cluster = new Cluster();
  worker = await new Worker(cluster.url, cluster.dir).start();
  Object.assign(files, {
    '/': [HTML, page_('app.js')],
    '/favicon.ico': ['image/x-icon', ''],  // asked for by every page; a 404 is a console error
    '/app.js': [JS, await bundle({ entryPoints: [join(ROOT, 'tests', 'browser', 'react_app', 'app.jsx')] })],
    '/example.js': [JS, await bundle({ stdin: { contents: docsExample(), loader: 'jsx', resolveDir: ROOT } })],
  });
  app = await serveApp(files);
  browser = await launchChromium();
  page = await browser.newPage();
  problems = watchConsole(page);
  await page.goto(`http://127.0.0.1:${app.address().port}/`);
});

after(async () => {
  await browser?.close().catch(() => {});
  app?.close();
  await worker?.kill().catch(() => {});
  cluster?.stop();
});

const text = (selector) => page.locator(selector).first().textContent();
const render = (props) => page.evaluate((p) => window.app.render(p), props);
const unmount = () => page.evaluate(() => window.app.unmount());

async function waitFor(what, check, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

// The worker's count of each message type it received (its /metrics).
async function messagesReceived() {
  const text = await (await fetch(`${worker.origin}/metrics`)).text();
  const counts = {};
  for (const [, type, n] of text.matchAll(/^session_clock_messages_total\{type="([A-Z_]+)"\} (\d+)$/gm)) counts[type] = Number(n);
  return counts;
}

async function healthConnections() {
  const health = await (await fetch(`${worker.origin}/healthz`)).json();
  return health.connections;
}

test('ServerClock: Loading… until synced, then Live, a <time dateTime> once per server second', async () => {
  await render({ url: worker.origin, token: null, parts: ['clock', 'time'] });
  await page.waitForSelector('[data-part=compact] [data-status=live]', { timeout: 15_000 });
  const first = await page.evaluate(() => window.app.commits.compact[0].text);
  assert.match(first, /Loading…/);

  const clock = page.locator('[data-part=compact] time');
  const dateTime = await clock.getAttribute('datetime');
  assert.match(dateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  assert.ok(Math.abs(Date.parse(dateTime) - Date.now()) < 2_000, dateTime);  // one host: one clock
  assert.match(await text('[data-part=compact] .server-clock'), /^🟢 Live \d\d:\d\d:\d\d [AP]M$/);
  assert.match(await text('[data-part=full] .server-clock'),
    /^🟢 Live [A-Z][a-z]+day, [A-Z][a-z]+ \d\d \d{4}, \d\d:\d\d:\d\d [AP]M$/);
  const title = await page.locator('[data-part=compact] .server-clock').getAttribute('title');
  assert.match(title, /UTC \(UTC\+00:00\) · timestamp \d+/);
  assert.equal(await page.locator('[data-part=compact] [role=status]').count(), 1);

  // Commits over 5 s: one per second boundary, each a new second, soon after it.
  const from = await page.evaluate(() => window.app.commits.compact.length);
  await sleep(5_000);
  const seen = await page.evaluate((n) => window.app.commits.compact.slice(n), from);
  assert.ok(seen.length >= 4 && seen.length <= 6, `${seen.length} commits in 5 s: ${JSON.stringify(seen)}`);
  const lateness = seen.map((c) => c.at % 1000);
  for (const [i, c] of seen.entries()) {
    if (i > 0) assert.notEqual(c.text, seen[i - 1].text, 'a commit without a new second');
  }
  // A timer for the boundary, not a poll: late only by the page's own timer delay.
  assert.ok(lateness.every((ms) => ms < 250), `ms after each boundary: ${lateness}`);
  console.log(`# ServerClock commits in 5 s: ${seen.length}, ms after the boundary: ${lateness.map((ms) => ms.toFixed(1))}`);
  assert.deepEqual(problems, []);
});

test('useServerTime: seed 002\'s shape; timeData as the worker\'s /ws/time/ sends it; before/after', async () => {
  const got = await page.evaluate(async (host) => {
    const t = window.app.time;
    const rendered = { now: window.app.clock.now(), serverTimeMs: t.serverTime.getTime() };
    // The worker's own tick on a second boundary (the first, sent at once,
    // is the moment of connecting), and ours for the same instant.
    const tick = (tz) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${host}/ws/time/?tz=${tz}`);
      let n = 0;
      ws.onmessage = (e) => { if (++n === 2) { ws.close(); resolve(JSON.parse(e.data)); } };
      ws.onerror = () => reject(new Error('socket error'));
    });
    const pairs = [];
    for (const tz of ['UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kolkata']) {
      const worker = await tick(tz);
      pairs.push({ worker, ours: window.app.serverTimeData(worker.timestamp_ms, tz) });
    }
    const now = window.app.clock.now();
    return {
      keys: Object.keys(t).sort(), serverTimeIsDate: t.serverTime instanceof Date, rendered,
      timeData: t.timeData, isConnected: t.isConnected, pairs,
      past: t.isBeforeServerTime(new Date(now - 60_000).toISOString()),
      future: t.isAfterServerTime(new Date(now + 60_000).toISOString()),
      pastIsAfter: t.isAfterServerTime(new Date(now - 60_000)),
      futureIsBefore: t.isBeforeServerTime(now + 60_000),
      invalid: [t.isBeforeServerTime('not a date'), t.isAfterServerTime('')],
    };
  }, new URL(worker.origin).host);
  assert.deepEqual(got.keys,
    ['isAfterServerTime', 'isBeforeServerTime', 'isConnected', 'isSynced', 'serverTime', 'timeData']);
  assert.equal(got.serverTimeIsDate, true);
  // The last render's second: at most a second (and a render's delay) behind the clock.
  const behind = got.rendered.now - got.rendered.serverTimeMs;
  assert.ok(behind >= 0 && behind < 1_250, JSON.stringify(got.rendered));
  assert.equal(got.timeData.timestamp_ms, got.rendered.serverTimeMs);
  assert.equal(got.isConnected, true);
  assert.equal(got.timeData.type, 'time_update');
  for (const { worker: w, ours } of got.pairs) {
    const { t, ...fields } = w;
    assert.equal(t, 'time_update');
    assert.deepEqual(ours, fields, `${w.timezone}`);
  }
  assert.deepEqual([got.past, got.future, got.pastIsAfter, got.futureIsBefore], [true, true, false, false]);
  assert.deepEqual(got.invalid, [false, false]);
  assert.deepEqual(problems, []);
});

test('useServerNow(250): a commit on each quarter second of the server\'s clock, showing it', async () => {
  await render({ url: worker.origin, token: null, parts: ['clock', 'time', 'now'] });
  await waitFor('a synced clock', () => page.evaluate(() => window.app.clock?.sync.synced));
  const from = await page.evaluate(() => window.app.commits.now.length);
  await sleep(3_000);
  const seen = await page.evaluate((n) => window.app.commits.now.slice(n), from);
  assert.ok(seen.length >= 11 && seen.length <= 13, `${seen.length} commits in 3 s`);
  for (const c of seen) {
    const shown = Number(c.text);
    assert.equal(shown % 250, 0, c.text);
    assert.ok(c.at - shown >= 0 && c.at - shown < 250, `committed ${c.at - shown} ms after ${shown}`);
  }
  assert.deepEqual(problems, []);
});

test('a worker restart: the indicator goes Offline (with the warning) and comes back Live', async () => {
  await worker.kill('SIGKILL');
  await page.waitForSelector('[data-part=compact] [data-status=offline]', { timeout: 15_000 });
  assert.match(await text('[data-part=compact] .server-clock'), /^🔴 Offline \d\d:\d\d:\d\d [AP]M$/);
  assert.match(await text('[data-part=full] .server-clock'), /Time sync lost/);
  assert.equal(await page.evaluate(() => window.app.time.isConnected), false);
  // Still ticking on the last estimate while offline.
  const offlineText = await text('[data-part=compact] time');
  await waitFor('a tick while offline', async () => (await text('[data-part=compact] time')) !== offlineText, 3_000);

  await worker.start();
  await page.waitForSelector('[data-part=compact] [data-status=live]', { timeout: 20_000 });
  assert.equal(await page.locator('[data-part=full] .server-clock__warning').count(), 0);
  const dateTime = await page.locator('[data-part=compact] time').getAttribute('datetime');
  assert.ok(Math.abs(Date.parse(dateTime) - Date.now()) < 2_000, dateTime);
  // The browser logs the refused reconnects; nothing else may appear.
  const other = problems.filter((p) => !/WebSocket connection to .* failed/.test(p.text));
  assert.deepEqual(other, []);
  problems.length = 0;
  await unmount();
});

test('unmount closes the connection: the worker sees it go, and nothing reconnects', async () => {
  await render({ url: worker.origin, token: null, parts: ['clock'] });
  await page.waitForSelector('[data-part=compact] [data-status=live]', { timeout: 15_000 });
  await waitFor('the worker to count the connection', async () => (await healthConnections()) >= 1);
  await unmount();
  await waitFor('the worker to see the connection close', async () => (await healthConnections()) === 0, 5_000);
  const opened = await page.evaluate(() => window.app.sockets.length);
  await sleep(1_500);  // longer than a few backoff steps
  const after = await page.evaluate(() => ({
    opened: window.app.sockets.length, open: window.app.sockets.filter((s) => s.readyState !== WebSocket.CLOSED).length,
  }));
  assert.deepEqual(after, { opened, open: 0 });
  assert.equal(await healthConnections(), 0);
  assert.deepEqual(problems, []);
});

test('useSessionTimer: joined, elapsed as SQL has it, once per second, pause and resume through the hook', async () => {
  const sessionId = cluster.createSession('hana');
  // The timer mounts on a live connection, where StrictMode's second mount
  // would send a leave and a join again if the hook let go at once.
  const props = { url: worker.origin, token: makeToken({ sub: 'hana' }), parts: [], sessionId };
  await render(props);
  await waitFor('the connection', () => page.evaluate(() => window.app.clock?.identity?.sub === 'hana'));
  const before = await messagesReceived();
  await render({ ...props, parts: ['timer'] });
  await waitFor('the timer joined', async () => (await text('[data-field=joined]')) === 'true');
  const sent = await messagesReceived();
  const delta = (type) => (sent[type] ?? 0) - (before[type] ?? 0);
  assert.deepEqual([delta('JOIN_SESSION'), delta('LEAVE_SESSION'), delta('UNSUBSCRIBE_CLOCK')], [1, 0, 0],
    'StrictMode\'s second mount: one JOIN_SESSION, no leave');
  await waitFor('one participant', async () => (await text('[data-field=participants]')) === '1');

  // The hook's timer against the database at the database's own instant.
  const sql = cluster.reading(sessionId);
  const ours = await page.evaluate((at) => window.app.timer.timer.elapsedMs(at), sql.serverNowMs);
  assert.ok(Math.abs(ours - sql.elapsedMs) <= 1, `hook ${ours} ms, SQL ${sql.elapsedMs} ms`);

  const runningCommits = await countTimerCommits(3_000);
  assert.ok(runningCommits >= 2 && runningCommits <= 4, `${runningCommits} commits in 3 s while running`);

  await page.click('[data-action=pause]');
  await waitFor('paused', async () => (await text('[data-field=paused]')) === 'true');
  const paused = cluster.reading(sessionId);
  assert.equal(paused.isPaused, true);
  const shown = Number(await text('[data-field=elapsed]'));
  assert.equal(shown, Math.floor(paused.elapsedMs / 1000));
  assert.equal(await countTimerCommits(2_000), 0, 'no renders while paused');
  assert.equal(Number(await text('[data-field=elapsed]')), shown);

  await page.click('[data-action=resume]');
  await waitFor('running', async () => (await text('[data-field=paused]')) === 'false');
  assert.equal(cluster.reading(sessionId).isPaused, false);
  await waitFor('the elapsed seconds to move on', async () => Number(await text('[data-field=elapsed]')) > shown, 3_000);
  const [[events]] = cluster.sql(`SELECT string_agg(event, ',' ORDER BY at, id) FROM session_clock.session_events
                                   WHERE session_id = '${sessionId}' AND event IN ('join', 'leave', 'pause', 'resume')`);
  // One join logged, and the pause and resume made through the hook.
  assert.equal(events, 'join,pause,resume');
  assert.equal(await text('[data-field=refusal]'), '');
  await unmount();
  await waitFor('the leave at unmount', async () => cluster.sql(
    `SELECT count(*) FROM session_clock.session_events WHERE session_id = '${sessionId}' AND event = 'leave'`)[0][0] === '1');
  assert.deepEqual(problems, []);
});

async function countTimerCommits(ms) {
  const from = await page.evaluate(() => window.app.commits.timer.length);
  await sleep(ms);
  return page.evaluate((n) => window.app.commits.timer.length - n, from);
}

test('useRoom: the host creates a room and plays, pauses and stops it', async () => {
  const code = `RX${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  await render({ url: worker.origin, token: makeToken({ sub: 'hana' }), parts: ['room'], roomCode: code });
  await waitFor('the room', async () => (await text('[data-field=room-status]')) === 'idle');
  assert.equal(await text('[data-field=room-host]'), 'true');

  await page.click('[data-action=play]');
  await waitFor('playing', async () => (await text('[data-field=room-status]')) === 'playing');
  assert.equal(await text('[data-field=room-title]'), 'Track A');
  const party = await (await fetch(`${worker.origin}/api/party-state?code=${code}`)).json();
  assert.equal(party.currentTrack.title, 'Track A');

  await page.click('[data-action=room-pause]');
  await waitFor('paused', async () => (await text('[data-field=room-status]')) === 'paused');
  await page.click('[data-action=room-stop]');
  await waitFor('idle', async () => (await text('[data-field=room-status]')) === 'idle');
  assert.equal(await text('[data-field=room-error]'), '');
  await unmount();
  assert.deepEqual(problems, []);
});

test('a new token on the provider goes through setToken: same connection, new identity', async () => {
  await render({ url: worker.origin, token: makeToken({ sub: 'alice' }), parts: [] });
  await waitFor('alice', () => page.evaluate(() => window.app.clock?.identity?.sub === 'alice'));
  const sockets = await page.evaluate(() => window.app.sockets.length);
  await render({ url: worker.origin, token: makeToken({ sub: 'bob' }), parts: [] });
  await waitFor('bob', () => page.evaluate(() => window.app.clock?.identity?.sub === 'bob'));
  assert.equal(await page.evaluate(() => window.app.sockets.length), sockets);
  await unmount();
  assert.deepEqual(problems, []);
});

test('docs/react.md\'s example runs: a Live ServerClock, a timer that pauses and resumes', async () => {
  const sessionId = cluster.createSession('hana');
  // The example's free variables, as the page that embeds it would define them.
  files['/example.html'] = [HTML, page_('example.js',
    `var jwt = ${JSON.stringify(makeToken({ sub: 'hana' }))}, sessionId = ${JSON.stringify(sessionId)};`)];
  const example = await browser.newPage();
  const seen = watchConsole(example);
  try {
    await example.goto(`http://127.0.0.1:${app.address().port}/example.html`);
    await example.waitForSelector('header .server-clock[data-status=live] time', { timeout: 15_000 });
    await example.waitForSelector('section output', { timeout: 15_000 });
    assert.match(await example.locator('section').textContent(), /^\d+:\d\d · 1 present(Pause)$/);
    await example.click('section button');
    await example.waitForSelector('text=(paused)', { timeout: 10_000 });
    assert.equal(cluster.reading(sessionId).isPaused, true);
    await example.click('section button');
    await example.waitForFunction(() => !document.querySelector('section').textContent.includes('paused'));
    assert.equal(cluster.reading(sessionId).isPaused, false);
    // isBeforeServerTime disables a past slot.
    const slot = /Book (\S+)/.exec(await example.locator('button', { hasText: 'Book' }).textContent())[1];
    assert.equal(await example.locator('button', { hasText: 'Book' }).isDisabled(), Date.parse(slot) < Date.now());
  } finally {
    await example.close();
  }
  assert.deepEqual(seen, []);
});
