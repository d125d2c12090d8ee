// The listening room's real <audio> element in headless Chromium: two pages
// in one room against the real worker and a throwaway cluster, the host
// presses Play, and each page's element is read while it plays. Chromium runs
// with its default autoplay policy (a document may play sound once the user
// has interacted with it): a guest who clicked Join plays at once; a guest
// who joined through a link and never touched the page gets "tap to start".
//
// What is measured is the element's own clock: audio.currentTime against
// room.positionSec(client.now()), the schedule's position at the page's
// estimate of server time, read back to back in the page every 10 ms.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ARTIFACTS, Cluster, Worker, launchChromium, makeToken, watchConsole } from './support/environment.mjs';
import { CLICK_TRACK, CLICK_TRACK_FORMAT, clickTrackWav } from '../../client/demo/click_track.js';
import { DEFAULT_MEDIA_SYNC, DEFAULT_OPTIONS } from '../../client/session-clock.js';

let cluster;
let worker;
let browser;
const figures = {};

before(async () => {
  cluster = new Cluster();
  worker = await new Worker(cluster.url, cluster.dir).start();
  browser = await launchChromium();  // no autoplay switch: the blocked path is real
});

after(async () => {
  if (Object.keys(figures).length) console.log(`# figures ${JSON.stringify(figures)}`);
  await browser?.close().catch(() => {});
  await worker?.kill().catch(() => {});
  cluster?.stop();
});

const round = (x, digits = 1) => Number(x.toFixed(digits));

// Tolerances (ms), each at least twice the worst seen in our runs, or the
// design's own bound where that is the tighter statement. TOLERANCE_MS
// is syncMedia's own "in sync". A first start (no lag measured yet) ends
// about 120 ms behind; syncMedia measures that once the element's clock runs
// steadily and seeks that far ahead: within tolerance 330–420 ms after the
// clock first moved (it was 3.1–3.8 s with the rate nudges alone). A seek's
// own stall is 10–30 ms shorter than a start's, so that seek may land just
// outside and a second one follows (670–720 ms). Under CI load both once
// landed outside (25–50 ms): the rate nudges closed the rest by 2.1 s.
const TOLERANCE_MS = DEFAULT_MEDIA_SYNC.toleranceMs;
const RECORD_SEC = 4;               // recorded from the start
const START_WITHIN_MS = 250;        // the clock first moves this soon after the start or the tap, and
                                    // this close to the schedule (seen: 86 after a tap; 36)
const WORST_DRIFT_MS = 250;         // at any time after that (seen: 150); syncMedia would seek at 300
const SETTLED_AFTER_MS = 1000;      // the seeks are over by now: from here on, the drift stays within ...
const SETTLED_DRIFT_MS = 50;        // ... this (seen: 23; nudges alone would still be 80 ms behind)
const WITHIN_TOLERANCE_MS = 3000;   // within TOLERANCE_MS for good this soon after the clock first moved (seen: 720,
                                    // 2076 once). The design's bound: under 50 ms off at 1 s, the nudges (from the
                                    // next check, 250 ms) close to 25 at 2 %/s or faster: by about 2.5 s
// Two pages' positions at one server instant, once both are within their
// tolerance for good: syncMedia leaves each page alone there, on either
// side of the schedule, so two pages may sit twice that apart by design
// (seen: 33.5, and 35.5 once under CI load).
const PAGES_APART_MS = 2 * TOLERANCE_MS;
// After a tap, once in 7 runs under load the correcting seek was not made and
// the nudges closed 51 ms by 2.3 s: there the bound is the nudges'.
const TAP_SETTLED_AFTER_MS = 3000;  // (seen: 9.4 ms off from 3 s on)
// A later start plays early by the lag learned: on the schedule from its
// instant. Chromium's lag varies by ±15 ms from start to start, so each
// page is up to about that off, the two pages up to twice that apart.
const LEARNED_DRIFT_MS = 60;        // |drift| from the instant on (seen: 27.8)
const LEARNED_AHEAD_MS = 70;        // before the instant the clock creeps ahead, then holds (seen: 31.3)
const LEARNED_APART_MS = 65;        // the two pages (seen: 32)

function summary(r) {
  return { firstMoveAfterStartMs: r.firstMoveAfterStartMs, driftAtFirstMoveMs: r.driftAtFirstMoveMs,
    worstDriftBySecondMs: r.worstDriftBySecondMs, withinToleranceAfterMs: r.withinToleranceAfterMs, maxRate: r.maxRate };
}

// The element started on the schedule at the right position, never drifted
// as far as a seek, and syncMedia brought it close (one seek ahead by its lag, then nudges if need be).
function checkPlayback(r, who, { settledAfterMs = SETTLED_AFTER_MS, quick = true } = {}) {
  assert.ok(r.firstMoveAfterStartMs >= 0, `${who}: moved ${r.firstMoveAfterStartMs} ms before the start`);
  assert.ok(Math.abs(r.driftAtFirstMoveMs) < START_WITHIN_MS, `${who}: ${r.driftAtFirstMoveMs} ms off when it started`);
  const worst = Math.max(...r.driftAfter(0).map(Math.abs));
  assert.ok(worst < WORST_DRIFT_MS, `${who}: ${round(worst)} ms off the schedule`);
  const late = r.driftAfter(settledAfterMs);
  assert.ok(late.length > 50, `${who}: only ${late.length} readings after ${settledAfterMs} ms`);
  const settled = Math.max(...late.map(Math.abs));
  assert.ok(settled < SETTLED_DRIFT_MS, `${who}: still ${round(settled)} ms off after ${settledAfterMs} ms`);
  if (quick) assert.ok(r.withinToleranceAfterMs < WITHIN_TOLERANCE_MS, `${who}: outside ${TOLERANCE_MS} ms until ${r.withinToleranceAfterMs} ms`);
}

function checkLearned(r, who) {
  assert.ok(r.readingsAfter > 100, `${who}: only ${r.readingsAfter} readings`);
  assert.ok(r.aheadBeforeStartMs < LEARNED_AHEAD_MS, `${who}: ${r.aheadBeforeStartMs} ms ahead before the instant`);
  assert.ok(r.worstDriftAfterStartMs < LEARNED_DRIFT_MS, `${who}: ${r.worstDriftAfterStartMs} ms off after the instant`);
}

function pageUrl(sub, room) {
  const hash = new URLSearchParams({ token: makeToken({ sub }) });
  if (room) hash.set('room', room);
  return `${worker.origin}/#${hash}`;
}

// Playwright evaluates with userGesture: true, which counts as the user
// interacting with the page and would let autoplay through. A page that must
// stay untouched is read through CDP's Runtime.evaluate, which does not.
async function untouchedReader(page) {
  const cdp = await page.context().newCDPSession(page);
  const read = async (expression) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  };
  read.until = async (expression, timeoutMs = 10_000) => {
    for (const deadline = Date.now() + timeoutMs; ; await sleep(25)) {
      if (await read(expression)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    }
  };
  return read;
}

// Live, with the whole first burst of time-sync samples in.
const SYNCED = `(() => { const c = window.sessionClockDemo?.client;
  return Boolean(c && c.status === 'live' && c.sync.synced && c.sync.samples >= ${DEFAULT_OPTIONS.burstSize}); })()`;

async function openPage(sub, room) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const problems = watchConsole(page);
  await page.goto(pageUrl(sub, room));
  const read = await untouchedReader(page);
  await read.until(SYNCED, 15_000);
  return { page, problems, read };
}

// Records, every 10 ms while the room plays, the schedule's position and the
// element's, read back to back (each in its own task: the element's position
// is re-read per task). Stops by itself `seconds` after its first reading.
const RECORD = (seconds) => `(() => {
  const demo = window.sessionClockDemo;
  const rec = window.mediaRecord = { samples: [], done: false };
  const timer = setInterval(() => {
    const room = demo.room;
    if (!room || room.currentTrack.status !== 'playing') return;
    const at = demo.client.now();
    const current = demo.audio.currentTime;
    if (rec.samples.length && at - rec.samples[0].at > ${seconds} * 1000) { clearInterval(timer); rec.done = true; return; }
    rec.samples.push({ at, startAtServerMs: room.currentTrack.startAtServerMs, expected: room.positionSec(at), current,
                       paused: demo.audio.paused, rate: demo.audio.playbackRate });
  }, 10);
  return true;
})()`;

// The same, from the first frame of a version after `version` (a new start).
const RECORD_FROM = (version, seconds) => RECORD(seconds).replace("room.currentTrack.status !== 'playing'",
  `room.currentTrack.status !== 'playing' || room.version <= ${version}`);

async function recording(read) {
  await read.until('window.mediaRecord.done', 30_000);
  return read('window.mediaRecord.samples');
}

const driftOf = (s) => (s.current - s.expected) * 1000;  // ms; negative: the element is behind

// The recording summed up, from the moment the element's clock first moves
// (before that it waits at the start position). It first moves about on time,
// then Chromium holds it while its audio pipeline fills (currentTime follows
// what is played out), so it falls behind by the output latency; syncMedia
// measures that once the clock runs steadily and seeks that far ahead.
function analyse(samples) {
  const startAt = samples[0].startAtServerMs;
  const moving = samples.findIndex((s, i) => i > 0 && !s.paused && s.current > samples[i - 1].current);
  assert.ok(moving > 0, 'the element\'s currentTime never advanced');
  const first = samples[moving];
  const played = samples.slice(moving);
  const bySecond = {};
  for (const s of played) (bySecond[Math.floor((s.at - first.at) / 1000)] ??= []).push(driftOf(s));
  const worst = (list) => list.reduce((w, d) => (Math.abs(d) > Math.abs(w) ? d : w), 0);
  const lastOutside = played.findLast((s) => Math.abs(driftOf(s)) > TOLERANCE_MS);
  return {
    firstMoveAt: first.at,
    firstMoveAfterStartMs: round(first.at - startAt),
    driftAtFirstMoveMs: round(driftOf(first)),
    worstDriftBySecondMs: Object.values(bySecond).map((list) => round(worst(list))),
    withinToleranceAfterMs: round(lastOutside ? lastOutside.at - first.at : 0),
    driftAfter: (ms) => played.filter((s) => s.at - first.at >= ms).map(driftOf),
    maxRate: Math.max(...samples.map((s) => s.rate)),
  };
}

// The two pages' positions at the same server instants (each drift is against
// the one schedule, so their difference is the pages' difference), from `fromAt`.
// A start whose lag was learned (the element's earlier start): the drift
// against the schedule before its instant (the schedule waits at the start
// position; an element started early may creep ahead a little) and after.
function analyseLearned(samples) {
  const startAt = samples.at(-1).startAtServerMs;
  const ours = samples.filter((s) => s.startAtServerMs === startAt);
  const before = ours.filter((s) => s.at < startAt).map(driftOf);
  const after = ours.filter((s) => s.at >= startAt);
  const lastOutside = after.findLast((s) => Math.abs(driftOf(s)) > TOLERANCE_MS);
  return {
    readingsBefore: before.length,
    aheadBeforeStartMs: round(Math.max(0, ...before)),
    behindBeforeStartMs: round(Math.max(0, ...before.map((d) => -d))),
    worstDriftAfterStartMs: round(Math.max(...after.map((s) => Math.abs(driftOf(s))))),
    withinToleranceAfterStartMs: round(lastOutside ? lastOutside.at - startAt : 0),
    readingsAfter: after.length,
    maxRate: Math.max(...ours.map((s) => s.rate)),
  };
}

function pageDifferences(a, b, fromAt) {
  const out = [];
  let j = 0;
  for (const s of a) {
    if (s.at < fromAt) continue;
    while (j + 1 < b.length && Math.abs(b[j + 1].at - s.at) <= Math.abs(b[j].at - s.at)) j++;
    if (Math.abs(b[j].at - s.at) <= 10) out.push(driftOf(s) - driftOf(b[j]));
  }
  return out;
}

test('the click track is a WAV file with an accented click on every bar\'s first beat', () => {
  const format = { ...CLICK_TRACK_FORMAT, seconds: 4 };
  const wav = new DataView(clickTrackWav(format));
  const text = (offset) => String.fromCharCode(...new Uint8Array(wav.buffer, offset, 4));
  assert.equal(text(0), 'RIFF');
  assert.equal(text(8), 'WAVE');
  assert.equal(wav.getUint32(24, true), format.sampleRate);
  assert.equal(wav.getUint32(40, true), 4 * format.sampleRate * 2);
  const pcm = new Int16Array(wav.buffer, 44);
  const peak = (second) => {
    const from = Math.round(second * format.sampleRate);
    return Math.max(...pcm.subarray(from, from + format.sampleRate * 0.03).map(Math.abs));
  };
  const beat = 60 / format.bpm;
  assert.equal(pcm[0], 0, 'silence before the first onset');
  assert.ok(peak(0) > 20_000, 'the accent is loud');
  assert.ok(peak(beat) > 8_000 && peak(beat) < peak(0) * 0.7, 'the other beats are softer');
  assert.equal(peak(beat / 2), 0, 'silence between beats');
  assert.match(CLICK_TRACK.trackUrl, /^[a-z]+:/, 'a name with a scheme: syncMedia resolves it unchanged');
});

test('two pages play the click track through a real <audio> element on the server clock\'s schedule', async () => {
  const host = await openPage('hana');
  const guest = await openPage('gus');
  try {
    await host.page.fill('#room-code-input', 'Media1');
    await host.page.click('#room-create');
    await host.page.waitForSelector('#room-view', { state: 'visible', timeout: 10_000 });
    await guest.page.fill('#room-code-input', 'media1');
    await guest.page.click('#room-join');  // a click: the guest has interacted, so it may autoplay
    await guest.page.waitForSelector('#room-view', { state: 'visible', timeout: 10_000 });
    await host.page.waitForFunction(() => document.querySelector('#room-members').textContent === '2', null, { timeout: 10_000 });

    for (const p of [host, guest]) await p.read(RECORD(RECORD_SEC));
    await host.page.click('#room-play');
    const [a, b] = await Promise.all([recording(host.read), recording(guest.read)]);
    const results = { host: analyse(a), guest: analyse(b) };
    for (const [who, r] of Object.entries(results)) {
      figures[who] = summary(r);
      checkPlayback(r, who);
    }
    // The pages against each other. Early on they differ by how late each
    // one's pipeline started, until each one's correcting seek; once
    // settled, by their sync estimates and output latencies.
    const largest = (list) => round(Math.max(...list.map(Math.abs)));
    const bothWithin = Math.max(...Object.values(results).map((r) => r.firstMoveAt + r.withinToleranceAfterMs));
    const apart = pageDifferences(a, b, bothWithin);
    assert.ok(apart.length > 50, `only ${apart.length} paired readings`);
    figures.pagesApartSettledMs = largest(apart);
    assert.ok(figures.pagesApartSettledMs <= PAGES_APART_MS, `the pages' positions were ${figures.pagesApartSettledMs} ms apart`);

    // The host jumps: a second start, on a lag each element has measured.
    const version = await host.read('window.sessionClockDemo.room.version');
    for (const p of [host, guest]) await p.read(RECORD_FROM(version, 3));
    await host.page.evaluate(() => window.sessionClockDemo.room.seek(20, crypto.randomUUID()));
    const [a2, b2] = await Promise.all([recording(host.read), recording(guest.read)]);
    figures.hostSecond = analyseLearned(a2);
    figures.guestSecond = analyseLearned(b2);
    figures.pagesApartSecondMs = largest(pageDifferences(a2, b2, a2.at(-1).startAtServerMs));
    checkLearned(figures.hostSecond, 'host, second start');
    checkLearned(figures.guestSecond, 'guest, second start');
    assert.ok(figures.pagesApartSecondMs <= LEARNED_APART_MS, `second start: the pages were ${figures.pagesApartSecondMs} ms apart`);

    for (const p of [host, guest]) {
      const element = await p.page.evaluate(() => {
        const { audio } = window.sessionClockDemo;
        return { src: audio.src, error: audio.error?.message ?? null, paused: audio.paused, readyState: audio.readyState };
      });
      assert.match(element.src, /^blob:/, 'the page\'s own clip');
      assert.equal(element.error, null);
      assert.equal(element.paused, false);
    }
    assert.equal(await guest.page.isVisible('#room-tap'), false, 'no tap needed after a click');
    mkdirSync(ARTIFACTS, { recursive: true });
    await host.page.screenshot({ path: join(ARTIFACTS, 'media-host.png') });
    await guest.page.screenshot({ path: join(ARTIFACTS, 'media-guest.png') });
    assert.deepEqual(host.problems, []);
    assert.deepEqual(guest.problems, []);
  } finally {
    await host.page.close();
    await guest.page.close();
  }
});

test('autoplay refused: the page shows "tap to start", and a tap starts the audio at the schedule\'s position', async () => {
  const host = await openPage('hugo');
  try {
    await host.page.fill('#room-code-input', 'Tap1');
    await host.page.click('#room-create');
    await host.page.waitForSelector('#room-view', { state: 'visible', timeout: 10_000 });
    // Joined through the link; nothing on this page is touched until the tap.
    const guest = await openPage('greta', 'tap1');
    try {
      await guest.read.until('window.sessionClockDemo.room?.state?.memberCount === 2');
      await host.page.click('#room-play');
      await guest.read.until('!document.querySelector("#room-autoplay").hidden');
      const refused = await guest.read(`(() => { const d = window.sessionClockDemo;
        return { paused: d.audio.paused, starts: d.roomStarts, visible: document.querySelector('#room-tap').checkVisibility() }; })()`);
      assert.equal(refused.paused, true, 'the browser refused to play');
      assert.equal(refused.visible, true, 'the tap-to-start control shows');
      assert.equal(refused.starts.length, 1);
      assert.equal(refused.starts[0].late, false, 'it tried on the schedule');
      mkdirSync(ARTIFACTS, { recursive: true });
      await guest.page.screenshot({ path: join(ARTIFACTS, 'media-tap-to-start.png') });

      await sleep(1500);  // the room plays on without this page
      await guest.read(RECORD(RECORD_SEC));
      const tappedAt = await guest.read('window.sessionClockDemo.client.now()');
      await guest.page.click('#room-tap');
      const r = analyse(await recording(guest.read));
      figures.tap = { tapAfterStartMs: round(tappedAt - refused.starts[0].startAtServerMs),
        firstMoveAfterTapMs: round(r.firstMoveAt - tappedAt), ...summary(r) };
      assert.ok(r.firstMoveAt - tappedAt < START_WITHIN_MS, `the element moved ${r.firstMoveAt - tappedAt} ms after the tap`);
      checkPlayback(r, 'after the tap', { settledAfterMs: TAP_SETTLED_AFTER_MS, quick: false });
      assert.equal(await guest.page.isVisible('#room-tap'), false, 'the control goes once tapped');
      assert.deepEqual(guest.problems, []);
    } finally {
      await guest.page.close();
    }
    assert.deepEqual(host.problems, []);
  } finally {
    await host.page.close();
  }
});

test('a track the page did not make (set from SQL or another app) is refused in the page, not fetched', async () => {
  const host = await openPage('hilde');
  try {
    await host.page.fill('#room-code-input', 'Other1');
    await host.page.click('#room-create');
    await host.page.waitForSelector('#room-view', { state: 'visible', timeout: 10_000 });
    await host.page.click('#room-play');  // first the click track, so there is a clip to drop
    await host.page.waitForFunction(() => window.sessionClockDemo.audio.currentTime > 0.5, null, { timeout: 10_000 });
    await host.page.evaluate(() => window.sessionClockDemo.room.play({ trackUrl: 'https://example.com/a.mp3', title: 'A',
      startPositionSec: 0, requestId: crypto.randomUUID() }));
    await host.page.waitForFunction(() => /plays only its own click track, not https:\/\/example\.com\/a\.mp3/
      .test(document.querySelector('#room-error').textContent), null, { timeout: 10_000 });
    await host.page.waitForFunction(() => window.sessionClockDemo.room.status === 'playing', null, { timeout: 10_000 });
    await sleep(500);
    const element = await host.page.evaluate(() => {
      const { audio } = window.sessionClockDemo;
      return { src: audio.getAttribute('src'), readyState: audio.readyState };
    });
    // HAVE_NOTHING: no media data (syncMedia may still set currentTime, which
    // on such an element only records where to start).
    assert.deepEqual(element, { src: null, readyState: 0 }, 'the clip is dropped, nothing else loaded');
    assert.deepEqual(host.problems, [], 'no CSP violation: nothing was requested');
  } finally {
    await host.page.close();
  }
});
