// Unit tests of client/session-clock.js in Node, with a scripted WebSocket:
// the order of messages, reconnecting, re-subscribing, timers from CLOCK_STATE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { RequestError, SessionClock, elapsedAt, socketUrl } from '../../client/session-clock.js';
import { pong, scriptedSockets } from './support/scripted_socket.mjs';

const SESSION = '6f1c2d3e-0000-4000-8000-000000000001';
const pingsSent = (socket) => socket.sent.filter((m) => m.t === 'TIME_PING');

function clockState(version, fields = {}) {
  return { t: 'CLOCK_STATE', sessionId: SESSION, startedAtMs: 1_000_000, isPaused: false, totalPausedMs: 0,
           lastStateChangeAtMs: 1_000_000, endedAtMs: null, elapsedMs: 0, serverNowMs: 1_000_000, version,
           participants: 0, graceDeadlineMs: null, autoPaused: false, presenceTracked: false, ...fields };
}

test('elapsedAt: running, paused, ended, never negative', () => {
  const running = { startedAtMs: 1000, isPaused: false, totalPausedMs: 200, lastStateChangeAtMs: 1500, endedAtMs: null };
  assert.equal(elapsedAt(running, 5000), 3800);
  assert.equal(elapsedAt(running, 1400), 1500 - 1000 - 200);  // not before the last change
  const paused = { ...running, isPaused: true, lastStateChangeAtMs: 3000 };
  assert.equal(elapsedAt(paused, 99_999), 1800);
  const ended = { ...running, endedAtMs: 4000 };
  assert.equal(elapsedAt(ended, 99_999), 2800);
  assert.equal(elapsedAt({ ...running, totalPausedMs: 10_000 }, 2000), 0);
  assert.equal(elapsedAt(null, 1), null);
});

test('socketUrl: http origins become ws(s)://…/ws; ws URLs are kept', () => {
  assert.equal(socketUrl('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/ws');
  assert.equal(socketUrl('https://clock.example/'), 'wss://clock.example/ws');
  assert.equal(socketUrl('ws://127.0.0.1:8080/ws'), 'ws://127.0.0.1:8080/ws');
  assert.equal(socketUrl('wss://h/custom/path'), 'wss://h/custom/path');
  assert.throws(() => socketUrl('ftp://h/'), TypeError);
});

test('on open: a ping first, AUTH before any subscription; the first pong gives an estimate', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('http://127.0.0.1:1', { token: 'jwt', WebSocket: FakeSocket, burstSpacingMs: 0, burstSize: 3 });
  try {
    const timer = sc.clock(SESSION);
    assert.equal(sc.status, 'offline');
    assert.equal(sc.sync.synced, false);
    const statuses = [];
    sc.addEventListener('status', (e) => {
      statuses.push(e.detail.status);
      if (e.detail.status === 'live') timer.join();  // reacting at once is safe: AUTH went first
    });
    const socket = sockets[0];
    assert.equal(socket.url, 'ws://127.0.0.1:1/ws');
    socket.open();
    assert.deepEqual(socket.types(), ['TIME_PING', 'AUTH', 'SUBSCRIBE_CLOCK', 'JOIN_SESSION']);
    assert.equal(socket.sent[1].token, 'jwt');
    assert.equal(socket.sent[2].sessionId, SESSION);
    assert.deepEqual(statuses, ['live']);

    let syncs = 0;
    sc.addEventListener('sync', () => syncs++);
    socket.receive(pong(socket.sent[0], 5000));
    assert.equal(syncs, 1);
    assert.equal(sc.sync.synced, true);
    // The fake server answers at once, but this (possibly busy) process takes
    // its time between the send and the reply: the estimate must be within
    // the error bound it claims, which is half that round trip.
    const bound = sc.sync.maxErrorMs + 0.5;
    assert.ok(Math.abs(sc.sync.offsetMs - 5000) <= bound, `offset ${sc.sync.offsetMs}, bound ${bound}`);
    assert.ok(Math.abs(sc.now() - (performance.timeOrigin + performance.now() + 5000)) <= bound);
    assert.equal(sc.sync.serverMaxErrorMs, 4.5);
    // The burst goes on without awaiting answers, then stops.
    for (const deadline = performance.now() + 1000; pingsSent(socket).length < 3 && performance.now() < deadline;) await sleep(1);
    await sleep(20);
    const pings = pingsSent(socket);
    assert.equal(pings.length, 3);
    assert.equal(new Set(pings.map((p) => p.pingId)).size, 3);
    for (const ping of pings.slice(1)) socket.receive(pong(ping, 5000));
    await sleep(5);
    assert.equal(pingsSent(socket).length, 3);
    assert.equal(sc.sync.samples, 3);

    socket.receive(clockState(2));
    assert.equal(timer.version, 2);
    assert.equal(timer.isPaused, false);
    socket.receive(clockState(1, { isPaused: true }));  // older: ignored
    assert.equal(timer.isPaused, false);
    socket.receive(clockState(3, { isPaused: true, lastStateChangeAtMs: 1_002_500, totalPausedMs: 500 }));
    assert.equal(timer.elapsedMs(), 2000);
    assert.equal(timer.elapsedMs(9e12), 2000);
  } finally {
    sc.close();
  }
});

// Answers every ping not yet answered, after `holdMs`, with the server's
// receive stamp `upMs()` into that hold: the rest is the downlink.
async function answerPings(socket, answered, { holdMs, upMs, untilMs }) {
  const deadline = performance.now() + untilMs;
  while (performance.now() < deadline) {
    for (const ping of pingsSent(socket).filter((m) => !answered.has(m.pingId))) {
      answered.add(ping.pingId);
      const reply = pong(ping, 0);
      reply.serverReceiveMs = ping.clientNowMs + upMs(holdMs);
      reply.serverSendMs = reply.serverNowMs = reply.serverReceiveMs + 0.01;
      setTimeout(() => socket.receive(reply), holdMs);
    }
    await sleep(1);
  }
}

test('seed 001: getStatus() and nowISO() as the clock helper gave them; null until synced', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('https://clock.example:8443', { WebSocket: FakeSocket, burstSpacingMs: 0, burstSize: 1 });
  try {
    assert.deepEqual(sc.getStatus(), { server: 'clock.example:8443', offset: null, lastSync: null, isSynced: false });
    assert.equal(sc.nowISO(), null);
    const socket = sockets[0];
    socket.open();
    const sampledAt = performance.timeOrigin + performance.now();
    socket.receive(pong(socket.sent[0], 6.04));
    const status = sc.getStatus();
    assert.equal(status.server, 'clock.example:8443');
    assert.equal(status.isSynced, true);
    const bound = sc.sync.maxErrorMs + 0.5;
    assert.ok(Math.abs(status.offset - 6.04) <= bound, `offset ${status.offset}`);
    // lastSync: the sample's moment on the server's clock, as an ISO string.
    assert.match(status.lastSync, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(status.lastSync) - (sampledAt + 6.04)) <= bound + 2, status.lastSync);
    await sleep(30);
    assert.equal(sc.getStatus().lastSync, status.lastSync);  // no new sample, same moment
    // nowISO() is now() to the millisecond: between two readings around it
    // (compared with one reading after it, a slow host failed the test).
    const before = sc.now();
    const iso = sc.nowISO();
    const after = sc.now();
    assert.match(iso, /Z$/);
    const at = Date.parse(iso);
    assert.ok(at >= Math.floor(before) && at <= after, `${iso} not within [${before}, ${after}]`);
  } finally {
    sc.close();
  }
});

test('after the burst: a jittery path is sampled every sharpenIntervalMs for sharpenMs, then at roughPollIntervalMs', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('http://127.0.0.1:1', {
    WebSocket: FakeSocket, burstSize: 2, burstSpacingMs: 0, sharpenIntervalMs: 10, sharpenMs: 300,
    roughPollIntervalMs: 60_000, pollIntervalMs: 60_000, residualTargetMs: 1,
  });
  try {
    sockets[0].open();
    const answered = new Set();
    // Each exchange takes 20 ms, split between the two directions by a
    // low-discrepancy sequence: the two lowest of each direction stay > 1 ms
    // apart for the first dozen samples, so the path reads as jittery.
    let k = 0;
    const split = (hold) => hold * (((k += 1) * 0.618034) % 1);
    await answerPings(sockets[0], answered, { holdMs: 20, upMs: split, untilMs: 600 });
    const pings = pingsSent(sockets[0]);
    // ~30 ms per exchange: about ten pings while sharpening, none after (60 s poll).
    assert.ok(pings.length >= 6 && pings.length <= 16, `${pings.length} pings`);
    assert.ok(sc.sync.samples >= 6);
    const last = Math.max(...pings.map((p) => p.clientNowMs));
    const first = Math.min(...pings.map((p) => p.clientNowMs));
    assert.ok(last - first < 300 + 60, `sharpening went on for ${last - first} ms`);
  } finally {
    sc.close();
  }
});

test('after the burst: a quiet path is polled at pollIntervalMs', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('http://127.0.0.1:1', {
    WebSocket: FakeSocket, burstSize: 4, burstSpacingMs: 0, sharpenIntervalMs: 10, sharpenMs: 60_000,
    roughPollIntervalMs: 10, pollIntervalMs: 60_000, residualTargetMs: 5,  // timer lateness is the only noise
  });
  try {
    sockets[0].open();
    // The same 20 ms hold, always split the same way: the minima are reached at once.
    await answerPings(sockets[0], new Set(), { holdMs: 20, upMs: () => 5, untilMs: 300 });
    assert.equal(pingsSent(sockets[0]).length, 4);
    assert.equal(sc.sync.samples, 4);
  } finally {
    sc.close();
  }
});

test('resync() and tab resumes start at most one burst per minBurstGapMs', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('http://127.0.0.1:1', { WebSocket: FakeSocket, burstSize: 3, burstSpacingMs: 1, minBurstGapMs: 600 });
  try {
    sockets[0].open();
    const count = () => pingsSent(sockets[0]).length;
    for (let i = 0; i < 20; i++) { sc.resync(); await sleep(2); }  // a tab flickering for ~60 ms
    assert.equal(count(), 3, 'the connect burst only');
    await sleep(600);
    sc.resync();
    await sleep(20);
    assert.equal(count(), 6, 'one more burst once the gap has passed');
  } finally {
    sc.close();
  }
});

test('a rate_limited ERROR ends the burst and the sharpening; the unanswered pings do not count as a dead connection', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('http://127.0.0.1:1', {
    WebSocket: FakeSocket, burstSize: 20, burstSpacingMs: 5, pongTimeoutMs: 100, sharpenIntervalMs: 5,
    roughPollIntervalMs: 60_000, pollIntervalMs: 60_000,
  });
  try {
    sockets[0].open();
    const count = () => pingsSent(sockets[0]).length;
    for (const deadline = performance.now() + 1000; count() < 2 && performance.now() < deadline;) await sleep(1);
    // The server dropped one of them (which, it does not say).
    sockets[0].receive({ t: 'ERROR', code: 'rate_limited', message: 'too many messages: slow down' });
    const atError = count();
    await sleep(400);  // four pong timeouts
    assert.equal(count(), atError, 'no more pings until the steady poll');
    assert.equal(sockets.length, 1, 'not reconnected');
    assert.equal(sc.status, 'live');
    assert.equal(sc.lastError.code, 'rate_limited');
  } finally {
    sc.close();
  }
});

test('a removal pushed by the server ends the timer\'s presence and is not re-joined on reconnect', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', {
    token: 'jwt', WebSocket: FakeSocket, minBackoffMs: 4, maxBackoffMs: 8, burstSpacingMs: 0,
  });
  try {
    const timer = sc.clock(SESSION);
    timer.join();
    sockets[0].open();
    sockets[0].receive({ t: 'JOINED', sessionId: SESSION });
    const left = [];
    const errors = [];
    timer.addEventListener('left', (e) => left.push(e.detail.reason));
    timer.addEventListener('error', (e) => errors.push(e.detail.code));
    // A refused command of this session is not a removal.
    sockets[0].receive({ t: 'ERROR', code: 'forbidden', message: 'only the host', ref: { t: 'STOP_CLOCK', sessionId: SESSION } });
    assert.equal(timer.joined, true);
    sockets[0].receive({ t: 'ERROR', code: 'forbidden', message: `removed from session ${SESSION}`, ref: { sessionId: SESSION } });
    assert.equal(timer.joined, false);
    assert.deepEqual(left, ['removed']);
    assert.deepEqual(errors, ['forbidden', 'forbidden'], 'both reach the timer as errors');
    sockets[0].drop();
    const deadline = performance.now() + 200;
    while (sockets.length < 2 && performance.now() < deadline) await sleep(1);
    sockets[1].open();
    assert.deepEqual(sockets[1].types(), ['TIME_PING', 'AUTH', 'SUBSCRIBE_CLOCK'], 'follows again, does not re-join');
  } finally {
    sc.close();
  }
});

test('seed 003: superseded by another device, the timer leaves, keeps following, and join() takes it back', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', {
    token: 'jwt', WebSocket: FakeSocket, minBackoffMs: 4, maxBackoffMs: 8, burstSpacingMs: 0,
  });
  try {
    const timer = sc.clock(SESSION);
    timer.join();
    sockets[0].open();
    sockets[0].receive({ t: 'JOINED', sessionId: SESSION });
    const left = [];
    timer.addEventListener('left', (e) => left.push(e.detail.reason));
    sockets[0].receive({ t: 'ERROR', code: 'superseded', message: `joined session ${SESSION} from another connection`,
                         ref: { t: 'JOIN_SESSION', sessionId: SESSION } });
    assert.equal(timer.joined, false);
    assert.deepEqual(left, ['superseded']);
    sockets[0].receive(clockState(4));
    assert.equal(timer.version, 4, 'still following');
    sockets[0].drop();
    const deadline = performance.now() + 200;
    while (sockets.length < 2 && performance.now() < deadline) await sleep(1);
    sockets[1].open();
    assert.deepEqual(sockets[1].types(), ['TIME_PING', 'AUTH', 'SUBSCRIBE_CLOCK'], 'does not take the session back by itself');
    timer.join();
    assert.deepEqual(sockets[1].types().slice(-1), ['JOIN_SESSION']);
  } finally {
    sc.close();
  }
});

test('reconnects with bounded full-jitter backoff, then re-authenticates, re-joins and bursts again', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', {
    token: 'jwt', WebSocket: FakeSocket, minBackoffMs: 4, maxBackoffMs: 16, burstSpacingMs: 0,
  });
  try {
    const timer = sc.clock(SESSION);
    timer.join();  // offline: remembered, sent once connected
    sockets[0].open();
    assert.deepEqual(sockets[0].types(), ['TIME_PING', 'AUTH', 'JOIN_SESSION']);
    sockets[0].receive({ t: 'JOINED', sessionId: SESSION });
    assert.equal(timer.joined, true);
    const left = [];
    timer.addEventListener('left', (e) => left.push(e.detail.reason));

    // The server goes away; every attempt fails for a while.
    sockets[0].drop();
    assert.equal(sc.status, 'offline');
    assert.equal(timer.joined, false);
    assert.deepEqual(left, ['disconnected']);
    const failures = 8;
    for (let i = 1; i <= failures; i++) {
      const deadline = performance.now() + 200;
      while (sockets.length <= i && performance.now() < deadline) await sleep(1);
      assert.ok(sockets.length > i, `attempt ${i} never came`);
      if (i < failures) sockets[i].drop();
    }
    // Each gap is within the cap (16 ms), plus timer slack.
    const gaps = sockets.slice(1).map((s, i) => s.createdAt - sockets[i].createdAt);
    assert.ok(Math.max(...gaps) < 16 + 30, `gaps ${gaps.map((g) => g.toFixed(1))}`);

    const back = sockets[failures];
    back.open();
    assert.equal(sc.status, 'live');
    assert.deepEqual(back.types(), ['TIME_PING', 'AUTH', 'JOIN_SESSION']);
    back.receive({ t: 'JOINED', sessionId: SESSION });
    assert.equal(timer.joined, true);

    // leave(): not present any more, but still following.
    timer.leave();
    assert.deepEqual(back.types().slice(-2), ['LEAVE_SESSION', 'SUBSCRIBE_CLOCK']);
    back.receive({ t: 'LEFT', sessionId: SESSION });
    assert.equal(timer.joined, false);
    back.drop();
    const deadline = performance.now() + 200;
    while (sockets.length <= failures + 1 && performance.now() < deadline) await sleep(1);
    sockets[failures + 1].open();
    assert.deepEqual(sockets[failures + 1].types(), ['TIME_PING', 'AUTH', 'SUBSCRIBE_CLOCK']);
  } finally {
    sc.close();
  }
});

test('a ping unanswered past pongTimeoutMs drops the connection and reconnects', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { WebSocket: FakeSocket, pongTimeoutMs: 30, minBackoffMs: 1, maxBackoffMs: 2 });
  try {
    sockets[0].open();
    assert.equal(sc.status, 'live');
    const deadline = performance.now() + 500;
    while (sockets.length < 2 && performance.now() < deadline) await sleep(2);
    assert.equal(sockets.length, 2, 'reconnected');
    assert.equal(sockets[0].readyState, 3, 'the silent socket was closed');
  } finally {
    sc.close();
  }
});

test('errors reach the timer they concern; unavailable is retried', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { token: 'jwt', WebSocket: FakeSocket, resubscribeDelayMs: 10 });
  try {
    const timer = sc.clock(SESSION);
    sockets[0].open();
    const timerErrors = [];
    const clockErrors = [];
    timer.addEventListener('error', (e) => timerErrors.push(e.detail.code));
    sc.addEventListener('error', (e) => clockErrors.push(e.detail.code));
    sockets[0].receive({ t: 'ERROR', code: 'unavailable', message: 'retry', ref: { t: 'SUBSCRIBE_CLOCK', sessionId: SESSION } });
    sockets[0].receive({ t: 'ERROR', code: 'bad_json', message: 'x', ref: null });
    assert.deepEqual(timerErrors, ['unavailable']);
    assert.deepEqual(clockErrors, ['unavailable', 'bad_json']);
    assert.equal(sc.lastError.code, 'bad_json');
    await sleep(40);
    assert.equal(sockets[0].types().filter((t) => t === 'SUBSCRIBE_CLOCK').length, 2, 'subscribed again');
    // close(): unsubscribes and forgets; clock() makes a new timer.
    timer.close();
    assert.equal(sockets[0].types().at(-1), 'UNSUBSCRIBE_CLOCK');
    assert.notEqual(sc.clock(SESSION), timer);
  } finally {
    sc.close();
  }
});

test('clock commands: answers matched by session and action, oldest first; refusals reject with the ERROR', async () => {
  const OTHER = '6f1c2d3e-0000-4000-8000-000000000002';
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { token: 'jwt', WebSocket: FakeSocket });
  try {
    const timer = sc.clock(SESSION);
    const other = sc.clock(OTHER);
    // Not connected: refused at once, nothing queued.
    await assert.rejects(timer.pause(), (e) => e instanceof RequestError && e.code === 'offline');
    const socket = sockets[0];
    socket.open();
    const before = socket.sent.length;

    const pause = timer.pause('coffee');
    const otherPause = other.pause();
    const resume = timer.resume();
    const refused = other.resume();
    const start = sc.startClock(SESSION);
    assert.deepEqual(socket.sent.slice(before), [
      { t: 'PAUSE_CLOCK', sessionId: SESSION, reason: 'coffee' },
      { t: 'PAUSE_CLOCK', sessionId: OTHER },
      { t: 'RESUME_CLOCK', sessionId: SESSION },
      { t: 'RESUME_CLOCK', sessionId: OTHER },
      { t: 'START_CLOCK', sessionId: SESSION },
    ]);
    const settled = [];
    for (const [name, p] of Object.entries({ pause, otherPause, resume, refused, start })) {
      p.then((v) => settled.push([name, v]), (e) => settled.push([name, e.code, e.message]));
    }
    // Answers for different sessions and actions may interleave.
    socket.receive({ t: 'CLOCK_CHANGED', sessionId: SESSION, action: 'resume', changed: true, version: 8 });
    socket.receive({ t: 'ERROR', code: 'forbidden', message: 'not a member', ref: { t: 'RESUME_CLOCK', sessionId: OTHER } });
    socket.receive({ t: 'CLOCK_CHANGED', sessionId: OTHER, action: 'pause', changed: false, version: 3 });
    socket.receive({ t: 'CLOCK_CHANGED', sessionId: SESSION, action: 'pause', changed: true, version: 7 });
    socket.receive({ t: 'CLOCK_CHANGED', sessionId: SESSION, action: 'pause', changed: true, version: 99 });  // nobody's: ignored
    socket.receive({ t: 'CLOCK_CHANGED', sessionId: SESSION, action: 'start', changed: false, version: 8 });
    await sleep(0);
    assert.deepEqual(settled, [
      ['resume', { changed: true, version: 8 }],
      ['refused', 'forbidden', 'not a member'],
      ['otherPause', { changed: false, version: 3 }],
      ['pause', { changed: true, version: 7 }],
      ['start', { changed: false, version: 8 }],
    ]);

    // Two of a kind: the oldest is answered first.
    const first = timer.pause('one');
    const second = timer.pause('two');
    socket.receive({ t: 'CLOCK_CHANGED', sessionId: SESSION, action: 'pause', changed: true, version: 9 });
    assert.deepEqual(await first, { changed: true, version: 9 });
    socket.receive({ t: 'ERROR', code: 'invalid_state', message: 'stopped', ref: { t: 'PAUSE_CLOCK', sessionId: SESSION } });
    await assert.rejects(second, { code: 'invalid_state', message: 'stopped' });

    // The connection drops with a command in flight: rejected, not left hanging.
    const lost = timer.stop('done');
    assert.deepEqual(socket.sent.at(-1), { t: 'STOP_CLOCK', sessionId: SESSION, reason: 'done' });
    socket.drop();
    await assert.rejects(lost, { code: 'disconnected' });
  } finally {
    sc.close();
  }
});

test('clock commands: unanswered ones time out; a start lets a timer without state follow again', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { token: 'jwt', WebSocket: FakeSocket, requestTimeoutMs: 20 });
  try {
    const timer = sc.clock(SESSION);
    sockets[0].open();
    await assert.rejects(timer.resume(), { code: 'timeout' });
    // The session did not exist: following it failed; starting it creates it, and the timer follows again.
    sockets[0].receive({ t: 'ERROR', code: 'not_found', message: 'no such session', ref: { t: 'SUBSCRIBE_CLOCK', sessionId: SESSION } });
    const start = sc.startClock(SESSION);
    sockets[0].receive({ t: 'CLOCK_CHANGED', sessionId: SESSION, action: 'start', changed: true, version: 1 });
    assert.deepEqual(await start, { changed: true, version: 1 });
    assert.deepEqual(sockets[0].types().slice(-2), ['START_CLOCK', 'SUBSCRIBE_CLOCK']);
    await assert.rejects(sc.startClock(''), TypeError);
  } finally {
    sc.close();
  }
});
