// The demo page and session-clock.js in headless Chromium, against the real
// worker binary and a real throwaway cluster. Every figure is measured inside
// the page; the truth for "server time" is the host's realtime clock, which
// the worker reads and which the page reads as Date.now() (same host).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { ARTIFACTS, Cluster, ROOT, Worker, launchChromium, makeToken, watchConsole } from './support/environment.mjs';

let cluster;
let worker;
let browser;
let page;              // follows session A as alice
let problems;          // page's console errors so far
let sessionA;
const alice = 'alice';
const figures = {};

const WS_FAILED = /^WebSocket connection to '.*' failed/;  // Chromium's own log line while the worker is down

before(async () => {
  cluster = new Cluster();
  sessionA = cluster.createSession(alice);
  worker = await new Worker(cluster.url, cluster.dir).start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  problems = watchConsole(page);
});

after(async () => {
  if (Object.keys(figures).length) console.log(`# figures ${JSON.stringify(figures)}`);
  await browser?.close().catch(() => {});
  await worker?.kill().catch(() => {});
  cluster?.stop();
});

function pageUrl({ token, session }) {
  const hash = new URLSearchParams();
  if (token) hash.set('token', token);
  if (session) hash.set('session', session);
  return `${worker.origin}/#${hash}`;
}

async function waitSynced(p, minSamples = 6) {
  await p.waitForFunction((n) => {
    const demo = window.sessionClockDemo;
    return demo && demo.client.status === 'live' && demo.client.sync.synced && demo.client.sync.samples >= n;
  }, minSamples, { timeout: 15_000 });
}

// now() against the host's realtime clock, sampled continuously for 200 ms so
// that Date.now()'s whole-millisecond floor averages out to exactly 0.5 ms.
async function truthError(p) {
  return p.evaluate(() => {
    const { client } = window.sessionClockDemo;
    let sum = 0;
    let n = 0;
    let worst = 0;
    for (const end = performance.now() + 200; performance.now() < end; n++) {
      const d = client.now() - Date.now() - 0.5;
      sum += d;
      worst = Math.max(worst, Math.abs(d));
    }
    return { errorMs: sum / n, samples: n, worstSingleMs: worst, sync: client.sync };
  });
}

// The running timer's position against SQL's. Running, both are "now − anchor":
// SQL's anchor is server_now − elapsed_ms; the page's position is compared
// with it over 100 ms of continuous readings (Date.now() + 0.5 as the truth,
// as above). Each difference is formed before summing: sums of epoch
// milliseconds would lose the sub-millisecond part.
async function timerError(p, reading) {
  const sqlAnchor = reading.serverNowMs - reading.elapsedMs;
  return p.evaluate((anchor) => {
    const { timer } = window.sessionClockDemo;
    let sum = 0;
    let n = 0;
    for (const end = performance.now() + 100; performance.now() < end; n++) {
      const expected = Date.now() + 0.5 - anchor;
      sum += timer.elapsedMs() - expected;
    }
    return sum / n;
  }, sqlAnchor);
}

// The status of a GET sent byte for byte (fetch() would normalise `..` away).
function rawStatus(port, target) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => { text += chunk; });
    socket.on('error', reject);
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
  });
}

async function waitVersion(p, version) {
  await p.waitForFunction((v) => (window.sessionClockDemo.timer.version ?? -1) >= v, version, { timeout: 10_000 });
}

test('the worker serves the client and the demo page, embedded, with types and validators', async () => {
  const expectations = [
    ['/', 'text/html; charset=utf-8'],
    ['/demo/demo.js', 'text/javascript; charset=utf-8'],
    ['/demo/demo.css', 'text/css; charset=utf-8'],
    ['/demo/favicon.svg', 'image/svg+xml'],
    ['/demo/click_track.js', 'text/javascript; charset=utf-8'],
    ['/session-clock.js', 'text/javascript; charset=utf-8'],
    ['/time-estimator.js', 'text/javascript; charset=utf-8'],
    ['/session-clock.d.ts', 'text/plain; charset=utf-8'],
  ];
  // Every module of the client and its types, beside the entry that imports them (CMakeLists.txt lists them).
  // Not react.js: it imports `react` by name, for bundlers (docs/react.md).
  for (const file of readdirSync(join(ROOT, 'client')).filter((f) => /\.(js|d\.ts)$/.test(f) && !f.startsWith('react.'))) {
    const type = file.endsWith('.d.ts') ? 'text/plain; charset=utf-8' : 'text/javascript; charset=utf-8';
    if (!expectations.some(([path]) => path === `/${file}`)) expectations.push([`/${file}`, type]);
  }
  for (const [path, type] of expectations) {
    const res = await fetch(worker.origin + path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), type, path);
    assert.equal(res.headers.get('cache-control'), 'no-cache', path);
    const etag = res.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{32}"$/, path);
    assert.ok((await res.text()).length > 0, path);
    const again = await fetch(worker.origin + path, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, `${path} revalidated`);
  }
  const page = await fetch(`${worker.origin}/`);
  // Every directive, so that a broader one fails here: media only from blob:
  // URLs (the listening room's clip is made in the page).
  const policy = Object.fromEntries(page.headers.get('content-security-policy').split(';')
    .map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources.join(' ')]));
  assert.deepEqual(policy, {
    'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self'", 'img-src': "'self'", 'media-src': 'blob:',
    'connect-src': "'self' ws: wss:", 'base-uri': "'none'", 'form-action': "'none'", 'frame-ancestors': "'none'",
  });
  assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const library = await fetch(`${worker.origin}/session-clock.js`);
  assert.equal(library.headers.get('access-control-allow-origin'), '*');
  for (const path of ['/index.html', '/demo/', '/client/session-clock.js',
    '/session-clock.js/', '/etc/passwd', '/%2e%2e/CMakeLists.txt']) {
    assert.equal((await fetch(worker.origin + path)).status, 404, path);
  }
  for (const target of ['/demo/../session-clock.js', '/../CMakeLists.txt', '/demo/..%2fsession-clock.js', '//session-clock.js']) {
    assert.equal(await rawStatus(worker.port, target), 404, target);
  }
  assert.equal(await rawStatus(worker.port, '/session-clock.js'), 200);
  assert.equal((await fetch(`${worker.origin}/session-clock.js`, { method: 'POST', body: '{}' })).status, 404);
});

test('the page syncs: offset within a millisecond of the truth, a small error bound on loopback', async () => {
  const token = makeToken({ sub: alice });
  const started = Date.now();
  await page.goto(pageUrl({ token, session: sessionA }));
  await page.waitForFunction(() => window.sessionClockDemo?.client.sync.synced, null, { timeout: 15_000 });
  figures.firstSyncAfterLoadMs = Date.now() - started;
  await waitSynced(page, 32);  // the whole burst
  const { errorMs, samples, sync } = await truthError(page);
  figures.offsetErrorMs = Number(errorMs.toFixed(4));
  figures.offsetMs = Number(sync.offsetMs.toFixed(4));
  figures.maxErrorMs = Number(sync.maxErrorMs.toFixed(4));
  figures.rttMs = Number(sync.rttMs.toFixed(4));
  figures.delayMs = Number(sync.delayMs.toFixed(4));
  figures.crossOriginIsolated = await page.evaluate(() => crossOriginIsolated);
  assert.equal(sync.synced, true);
  assert.ok(samples > 1000, `only ${samples} readings`);
  // Within the bound it claims, and the bound small on loopback (loose
  // absolute limits: a busy CI host stretches round trips).
  assert.ok(Math.abs(errorMs) < 5, `now() is ${errorMs} ms off the host's clock`);
  assert.ok(Math.abs(sync.offsetMs) < 5, `offset ${sync.offsetMs} ms on one host`);
  assert.ok(sync.maxErrorMs < 5, `error bound ${sync.maxErrorMs} ms on loopback`);
  assert.ok(Math.abs(errorMs) <= sync.maxErrorMs + 0.5, `error ${errorMs} beyond the bound ${sync.maxErrorMs} (+0.5 for reading Date.now())`);
  // What the page shows.
  assert.equal(await page.textContent('#status'), 'Live');
  assert.match(await page.textContent('#server-time'), /^\d\d:\d\d:\d\d\.\d\d\d$/);
  assert.match(await page.textContent('#sync-error'), /^± \d+\.\d{3} ms$/);
  // The worker serves the database's clock and says how well it knows it.
  figures.databaseClockErrorMs = sync.serverMaxErrorMs;
  assert.match(await page.textContent('#database-clock'), /^server clock = database clock ± \d+\.\d{3} ms$/);
  assert.ok(sync.serverMaxErrorMs < 2, `the worker's bound on the database's clock: ${sync.serverMaxErrorMs} ms on loopback`);
});

test('a timer reads right while running, after a pause and a resume done in SQL', async () => {
  await page.waitForFunction(() => window.sessionClockDemo.timer.ready, null, { timeout: 10_000 });
  let reading = cluster.reading(sessionA);
  const running = await timerError(page, reading);
  assert.ok(Math.abs(running) < 2, `running timer ${running} ms off SQL`);

  // Record when each state arrives, in server time, to see how fast pushes are.
  await page.evaluate(() => {
    window.arrivals = [];
    const { client, timer } = window.sessionClockDemo;
    timer.addEventListener('change', (e) => window.arrivals.push({ version: e.detail.state.version, at: client.now() }));
  });

  const paused = cluster.reading(sessionA, `session_clock_pause('${sessionA}', 'browser test')`);
  await waitVersion(page, paused.version);
  const frozen = await page.evaluate(() => window.sessionClockDemo.timer.elapsedMs());
  assert.ok(Math.abs(frozen - paused.elapsedMs) < 0.01, `paused at ${frozen}, SQL says ${paused.elapsedMs}`);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.sessionClockDemo.timer.elapsedMs()), frozen, 'a paused timer stands still');
  assert.equal(await page.textContent('#timer-state'), 'Paused');
  const state = await page.evaluate(() => window.sessionClockDemo.timer.state);
  figures.pushLatencyMs = Number(((await page.evaluate(
    (v) => window.arrivals.find((a) => a.version === v).at, paused.version)) - state.lastStateChangeAtMs).toFixed(2));

  await page.waitForTimeout(250);
  const resumed = cluster.reading(sessionA, `session_clock_resume('${sessionA}', 'browser test')`);
  await waitVersion(page, resumed.version);
  const afterResume = await timerError(page, resumed);
  figures.timerErrorMs = Number(afterResume.toFixed(4));
  assert.ok(Math.abs(afterResume) < 2, `resumed timer ${afterResume} ms off SQL`);
  reading = cluster.reading(sessionA);
  assert.ok(Math.abs(await timerError(page, reading)) < 2);
  assert.equal(await page.textContent('#timer-state'), 'Running');
});

test('after a reload the timer reads right again (its state comes from the server)', async () => {
  await page.reload();
  await waitSynced(page, 6);
  const reading = cluster.reading(sessionA);
  await waitVersion(page, reading.version);
  const state = await page.evaluate(() => window.sessionClockDemo.timer.state);
  assert.ok(state.totalPausedMs >= 250, `the pause before the reload counts: ${state.totalPausedMs}`);
  const error = await timerError(page, reading);
  figures.timerErrorAfterReloadMs = Number(error.toFixed(4));
  assert.ok(Math.abs(error) < 2, `after reload ${error} ms off SQL`);

  // Paused across a reload too.
  const paused = cluster.reading(sessionA, `session_clock_pause('${sessionA}', 'before reload')`);
  await page.reload();
  await page.waitForFunction((v) => (window.sessionClockDemo?.timer.version ?? -1) >= v, paused.version, { timeout: 10_000 });
  assert.ok(Math.abs(await page.evaluate(() => window.sessionClockDemo.timer.elapsedMs()) - paused.elapsedMs) < 0.01);
  const resumed = cluster.reading(sessionA, `session_clock_resume('${sessionA}', 'after reload')`);
  await waitVersion(page, resumed.version);
});

test('Pause and Resume in the page drive the clock: the timer and the row follow', async () => {
  const isPaused = () => cluster.sql(`SELECT is_paused FROM session_clock.sessions WHERE id = '${sessionA}'`)[0][0];
  await page.waitForFunction(() => window.sessionClockDemo.timer.ready && !window.sessionClockDemo.timer.isPaused,
    null, { timeout: 10_000 });
  assert.equal(isPaused(), 'f');
  assert.equal(await page.isDisabled('#resume-button'), true, 'a running clock offers no Resume');
  const before = await page.evaluate(() => window.sessionClockDemo.timer.version);

  await page.click('#pause-button');
  await page.waitForFunction((v) => window.sessionClockDemo.timer.version > v && window.sessionClockDemo.timer.isPaused,
    before, { timeout: 10_000 });
  assert.equal(isPaused(), 't');
  assert.equal(await page.textContent('#timer-state'), 'Paused');
  const paused = cluster.reading(sessionA);
  assert.ok(Math.abs(await page.evaluate(() => window.sessionClockDemo.timer.elapsedMs()) - paused.elapsedMs) < 0.01);
  await page.waitForFunction(() => !document.querySelector('#resume-button').disabled, null, { timeout: 10_000 });
  assert.equal(await page.isDisabled('#pause-button'), true);

  await page.click('#resume-button');
  await page.waitForFunction((v) => window.sessionClockDemo.timer.version > v && !window.sessionClockDemo.timer.isPaused,
    paused.version, { timeout: 10_000 });
  assert.equal(isPaused(), 'f');
  assert.equal(await page.textContent('#timer-state'), 'Running');
  assert.ok(Math.abs(await timerError(page, cluster.reading(sessionA))) < 2);
  assert.equal(await page.isHidden('#timer-error'), true);
  const events = cluster.sql(`SELECT event, actor FROM session_clock.session_events
    WHERE session_id = '${sessionA}' AND reason = 'demo page' ORDER BY version`);
  assert.deepEqual(events, [['pause', alice], ['resume', alice]], 'both went through the worker as the page\'s user');
});

test('a non-member\'s page shows the refusal; Start creates a new session with its user as host', async () => {
  const mallory = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const malloryProblems = watchConsole(mallory);
  try {
    await mallory.goto(pageUrl({ token: makeToken({ sub: 'mallory' }), session: sessionA }));
    await waitSynced(mallory, 3);
    await mallory.waitForFunction(() => !document.querySelector('#pause-button').disabled, null, { timeout: 10_000 });
    const version = cluster.reading(sessionA).version;
    await mallory.click('#pause-button');
    await mallory.waitForFunction(() => /^Pause refused/.test(document.querySelector('#timer-error').textContent),
      null, { timeout: 10_000 });
    assert.match(await mallory.textContent('#timer-error'), /^Pause refused — forbidden: /);
    assert.equal(await mallory.isVisible('#timer-error'), true);
    assert.equal(await mallory.isDisabled('#pause-button'), false, 'enabled again once answered');
    const after = cluster.reading(sessionA);
    assert.equal(after.version, version, 'nothing changed');
    assert.equal(after.isPaused, false);

    // A session that does not exist yet: Start creates it, and the page follows it.
    const fresh = cluster.sql('SELECT gen_random_uuid()')[0][0];
    await mallory.goto(pageUrl({ token: makeToken({ sub: 'mallory' }), session: fresh }));
    await waitSynced(mallory, 3);
    await mallory.waitForFunction(() => !document.querySelector('#start-button').disabled, null, { timeout: 10_000 });
    await mallory.click('#start-button');
    await mallory.waitForFunction(() => window.sessionClockDemo.timer.ready && !window.sessionClockDemo.timer.isPaused,
      null, { timeout: 10_000 });
    assert.equal(await mallory.textContent('#timer-state'), 'Running');
    assert.equal(await mallory.isDisabled('#start-button'), true);
    assert.deepEqual(cluster.sql(`SELECT participant_id, role FROM session_clock.session_members WHERE session_id = '${fresh}'`),
      [['mallory', 'host']]);
    assert.deepEqual(malloryProblems, []);
  } finally {
    await mallory.close();
  }
});

test('presence: join and leave from the page; grace fields follow', async () => {
  const bob = 'bob';
  const sessionB = cluster.createSession(bob);
  const second = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const secondProblems = watchConsole(second);
  try {
    await second.goto(pageUrl({ token: makeToken({ sub: bob }), session: sessionB }));
    await waitSynced(second, 3);
    await second.waitForFunction(() => window.sessionClockDemo.timer.ready && !document.querySelector('#join-button').disabled);
    await second.click('#join-button');
    await second.waitForFunction(() => window.sessionClockDemo.timer.joined && window.sessionClockDemo.timer.participants === 1,
      null, { timeout: 10_000 });
    assert.equal(cluster.sql(`SELECT participants FROM session_clock.sessions WHERE id = '${sessionB}'`)[0][0], '1');
    // One of the default two: a grace period runs, and the page says so.
    await second.waitForFunction(() => window.sessionClockDemo.timer.graceDeadlineMs !== null, null, { timeout: 10_000 });
    assert.match(await second.textContent('#timer-grace'), /pauses in \d+ s/);
    assert.equal(await second.textContent('#timer-presence'), 'joined');
    mkdirSync(ARTIFACTS, { recursive: true });
    await second.screenshot({ path: join(ARTIFACTS, 'demo.png') });
    await second.setViewportSize({ width: 390, height: 844 });
    await second.screenshot({ path: join(ARTIFACTS, 'demo-narrow.png'), fullPage: true });
    await second.setViewportSize({ width: 1100, height: 760 });

    await second.click('#leave-button');
    await second.waitForFunction(() => !window.sessionClockDemo.timer.joined && window.sessionClockDemo.timer.participants === 0,
      null, { timeout: 10_000 });
    assert.equal(cluster.sql(`SELECT participants FROM session_clock.sessions WHERE id = '${sessionB}'`)[0][0], '0');
    // Still following after leaving.
    const paused = cluster.reading(sessionB, `session_clock_pause('${sessionB}', 'after leaving')`);
    await second.waitForFunction((v) => window.sessionClockDemo.timer.version >= v && window.sessionClockDemo.timer.isPaused,
      paused.version, { timeout: 10_000 });
    assert.deepEqual(secondProblems, []);
  } finally {
    await second.close();
  }
});

test('no console errors or uncaught exceptions so far', () => {
  assert.deepEqual(problems, []);
});

test('the client recovers after the worker restarts: offline, then live, still right', async () => {
  await page.evaluate(() => {
    window.statusLog = [];
    window.sessionClockDemo.client.addEventListener('status', (e) => window.statusLog.push(e.detail.status));
  });
  const port = worker.port;
  await worker.kill('SIGKILL');
  await page.waitForFunction(() => window.sessionClockDemo.client.status === 'offline', null, { timeout: 10_000 });
  assert.equal(await page.textContent('#status'), 'Offline');
  // A change while the page cannot hear about it: it must learn it on reconnect.
  const paused = cluster.reading(sessionA, `session_clock_pause('${sessionA}', 'while the worker is down')`);
  await page.waitForTimeout(500);
  await worker.start();
  assert.equal(worker.port, port);
  const restarted = Date.now();
  await page.waitForFunction(() => window.sessionClockDemo.client.status === 'live', null, { timeout: 20_000 });
  figures.reconnectAfterRestartMs = Date.now() - restarted;
  await waitVersion(page, paused.version);
  assert.deepEqual(await page.evaluate(() => window.statusLog), ['offline', 'live']);
  assert.equal(await page.textContent('#status'), 'Live');
  assert.ok(Math.abs(await page.evaluate(() => window.sessionClockDemo.timer.elapsedMs()) - paused.elapsedMs) < 0.01);
  await page.waitForFunction(() => window.sessionClockDemo.client.sync.samples >= 6, null, { timeout: 10_000 });
  const { errorMs, sync } = await truthError(page);
  figures.offsetErrorAfterRestartMs = Number(errorMs.toFixed(4));
  assert.ok(Math.abs(errorMs) <= sync.maxErrorMs + 0.5,
            `after the restart now() is ${errorMs} ms off, beyond the bound ${sync.maxErrorMs} (+0.5)`);
  const resumed = cluster.reading(sessionA, `session_clock_resume('${sessionA}', 'worker back')`);
  await waitVersion(page, resumed.version);
  assert.ok(Math.abs(await timerError(page, resumed)) < 2);
  // Chromium itself logs each refused connection attempt; nothing else may appear.
  assert.deepEqual(problems.filter((p) => !(p.kind === 'console.error' && WS_FAILED.test(p.text))), []);
});
