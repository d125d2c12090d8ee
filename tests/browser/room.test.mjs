// Unit tests of the client's playback rooms and media helper in Node, with a
// scripted WebSocket and a media double: the schedule arithmetic, frames
// applied to the state, re-joining after a reconnect, rttMs in pings, drift
// correction, starting on the schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { SessionClock, driftCorrection, playbackPosition, syncMedia } from '../../client/session-clock.js';
import { pong, scriptedSockets } from './support/scripted_socket.mjs';

function roomState(version, track = {}, fields = {}) {
  return { t: 'ROOM_STATE', code: 'K7Q2PX', host: 'hana', members: [{ id: 'hana', ready: false }], memberCount: 1,
           currentTrack: { url: null, title: null, filename: null, startAtServerMs: null, startPositionSec: null,
                           status: 'idle', ...track },
           serverNowMs: 1, version, leadMs: 1200, ...fields };
}

function prepare(version, startAtServerMs, startPositionSec = 0, t = 'PREPARE_PLAY') {
  return { t, code: 'K7Q2PX', trackUrl: 'tone:440', title: 'A', filename: 'a.wav', startAtServerMs, startPositionSec, version };
}

test('playbackPosition: waits at the start, runs at rate 1, frozen when paused, null when idle', () => {
  const playing = { status: 'playing', startAtServerMs: 10_000, startPositionSec: 30 };
  assert.equal(playbackPosition(playing, 9_000), 30);
  assert.equal(playbackPosition(playing, 12_500), 32.5);
  assert.equal(playbackPosition({ ...playing, status: 'preparing' }, 11_000), 31);
  assert.equal(playbackPosition({ ...playing, status: 'paused' }, 99_000), 30);
  assert.equal(playbackPosition({ status: 'idle', startPositionSec: null }, 1), null);
  assert.equal(playbackPosition(null, 1), null);
});

test('driftCorrection: nothing within tolerance, ±2–5 % nudges for small drift, a seek for large', () => {
  const o = { toleranceMs: 25, seekThresholdMs: 300 };
  assert.deepEqual(driftCorrection(10, o), { action: 'none', rate: 1 });
  assert.deepEqual(driftCorrection(-24, o), { action: 'none', rate: 1 });
  assert.deepEqual(driftCorrection(30, o), { action: 'rate', rate: 0.98 });    // ahead: slower, at least 2 %
  assert.deepEqual(driftCorrection(-60, o), { action: 'rate', rate: 1.03 });   // behind: faster, drift / 2 s
  assert.deepEqual(driftCorrection(250, o), { action: 'rate', rate: 0.95 });   // at most 5 %
  assert.deepEqual(driftCorrection(-301, o), { action: 'seek', rate: 1 });
  // Once nudging, until within half the tolerance.
  assert.equal(driftCorrection(20, o, true).action, 'rate');
  assert.equal(driftCorrection(12, o, true).action, 'none');
});

test('rooms: JOIN_ROOM after AUTH, frames applied to the state, errors, re-joined after a reconnect', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { token: 'jwt', WebSocket: FakeSocket, burstSize: 1, minBurstGapMs: 0, minBackoffMs: 1, maxBackoffMs: 2 });
  try {
    const room = sc.room('k7q2px');
    assert.equal(room.code, 'K7Q2PX');
    assert.equal(sc.room('K7Q2PX'), room, 'the same room while in it');
    const socket = sockets[0];
    socket.open();
    assert.deepEqual(socket.types(), ['TIME_PING', 'AUTH', 'JOIN_ROOM']);
    assert.equal(socket.sent[2].code, 'K7Q2PX');
    socket.receive({ t: 'AUTH_OK', sub: 'hana', role: 'authenticated', expiresAtMs: null });
    const events = [];
    for (const type of ['state', 'prepare', 'play', 'pause', 'stop', 'error', 'left']) {
      room.addEventListener(type, (e) => events.push(type === 'state' ? `state:${e.detail.cause}` : type));
    }
    socket.receive(roomState(3));
    assert.equal(await room.joined, room);
    assert.equal(room.isHost, true);
    assert.equal(room.status, 'idle');
    assert.equal(room.positionSec(), null);

    // The host plays: one frame each, applied to currentTrack.
    const ref = room.play({ trackUrl: 'tone:440', title: 'A', startPositionSec: 30, requestId: 'r1' });
    assert.deepEqual(socket.sent.at(-1), { t: 'HOST_PLAY', trackUrl: 'tone:440', startPositionSec: 30, title: 'A', requestId: 'r1', ref });
    const start = sc.now() + 5_000;
    socket.receive(prepare(4, start, 30));
    assert.equal(room.status, 'preparing');
    assert.equal(room.positionSec(), 30);
    assert.equal(room.positionSec(start + 2_000), 32);
    socket.receive(prepare(3, start + 99, 0));  // older: ignored
    assert.equal(room.currentTrack.startAtServerMs, start);
    socket.receive(prepare(4, start, 30, 'PLAY_AT'));
    // A pause ahead: the playing schedule holds until its instant.
    socket.receive({ t: 'PAUSE_AT', code: 'K7Q2PX', atServerMs: start + 10_000, positionSec: 40, version: 5 });
    assert.equal(room.currentTrack.status, 'paused');
    assert.equal(room.positionSec(start + 4_000), 34);
    assert.equal(room.positionSec(start + 20_000), 40);
    socket.receive({ t: 'STOPPED', code: 'K7Q2PX', version: 6 });
    assert.equal(room.status, 'idle');
    assert.equal(room.version, 6);
    socket.receive({ t: 'ERROR', code: 'forbidden', message: 'not the host', ref: { t: 'HOST_SEEK', ref: 9 } });
    assert.deepEqual(events, ['state:ROOM_STATE', 'prepare', 'state:PREPARE_PLAY', 'play', 'state:PLAY_AT',
      'pause', 'state:PAUSE_AT', 'stop', 'state:STOPPED', 'error']);

    // rttMs rides on the pings once a round trip is known.
    socket.receive(pong(socket.sent[0], 0));
    sc.resync();
    const ping = socket.sent.filter((m) => m.t === 'TIME_PING').at(-1);
    assert.ok(Number.isFinite(ping.rttMs) && ping.rttMs >= 0, JSON.stringify(ping));

    // A reconnect joins again (PLAY_AT is sent once: the schedule comes with the state).
    socket.drop();
    const deadline = performance.now() + 500;
    while (sockets.length < 2 && performance.now() < deadline) await sleep(1);
    sockets[1].open();
    assert.deepEqual(sockets[1].types().slice(1), ['AUTH', 'JOIN_ROOM']);
    assert.ok(Number.isFinite(sockets[1].sent[0].rttMs), 'the last round trip is reported on the new connection too');

    // Another room replaces this one; LEFT_ROOM closes it.
    const other = sc.room('OTHER1');
    assert.equal(room.closed, true);
    assert.ok(events.includes('left'));
    assert.equal(sc.currentRoom, other);
    sockets[1].receive({ t: 'ERROR', code: 'not_found', message: 'no such room', ref: { t: 'JOIN_ROOM' } });
    await assert.rejects(other.joined, { code: 'not_found' });
    assert.equal(other.closed, true);
    assert.equal(sc.currentRoom, null);
  } finally {
    sc.close();
  }
});

test('createRoom without a code learns it from the state', async () => {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { token: 'jwt', WebSocket: FakeSocket, burstSize: 1 });
  try {
    const room = sc.createRoom();
    assert.equal(room.code, null);
    sockets[0].open();
    assert.deepEqual(sockets[0].sent.at(-1), { t: 'CREATE_ROOM' });
    sockets[0].receive(roomState(1, {}, { code: 'Q9Z8Y7' }));
    await room.joined;
    assert.equal(room.code, 'Q9Z8Y7');
  } finally {
    sc.close();
  }
});

// A media element double: a position that runs while playing, at its rate;
// with stallMs, its clock holds that long after play() and after a seek while
// playing (a real element's output filling), then runs that far behind.
class FakeMedia {
  constructor({ refuse = false, stallMs = 0, readyState } = {}) {
    if (readyState !== undefined) this.readyState = readyState;  // a stand-in without one is taken as ready
    this.src = '';
    this.preload = 'none';
    this.paused = true;
    this.playbackRate = 1;
    this.refuse = refuse;
    this.stallMs = stallMs;
    this.plays = [];
    this.seeks = 0;
    this._pos = 0;
    this._at = performance.now();
  }
  get currentTime() {
    return this.paused ? this._pos : this._pos + Math.max(0, performance.now() - this._at) / 1000 * this.playbackRate;
  }
  set currentTime(v) {
    this.seeks++;
    this._pos = v;
    this._at = performance.now() + (this.paused ? 0 : this.stallMs);
  }
  play() {
    this.plays.push(performance.now());
    if (this.refuse) return Promise.reject(Object.assign(new Error('no gesture'), { name: 'NotAllowedError' }));
    if (this.paused) { this._pos = this.currentTime; this._at = performance.now() + this.stallMs; }
    this.paused = false;
    return Promise.resolve();
  }
  pause() { this._pos = this.currentTime; this._at = performance.now(); this.paused = true; }
}

// A client in room K7Q2PX over a scripted socket, its ROOM_STATE received.
function joinedRoom() {
  const { FakeSocket, sockets } = scriptedSockets();
  const sc = new SessionClock('ws://127.0.0.1:1/ws', { token: 'jwt', WebSocket: FakeSocket, burstSize: 1 });
  const room = sc.room('K7Q2PX');
  sockets[0].open();
  sockets[0].receive(roomState(1));
  return { sc, sockets, room };
}

test('syncMedia: loads on PREPARE_PLAY, starts at the instant, corrects drift, pauses at PAUSE_AT; autoplay refusals call back', async () => {
  const { sc, sockets, room } = joinedRoom();
  let sync = null, sync2 = null;  // detached in finally: a failed check must not leave their timers running
  try {
    const media = new FakeMedia();
    const starts = [];
    const drifts = [];
    sync = syncMedia(room, media, { checkIntervalMs: 20, onStart: (s) => starts.push(s), onDrift: (d) => drifts.push(d) });
    const startAt = sc.now() + 120;
    sockets[0].receive(prepare(2, startAt, 30));
    assert.equal(media.src, 'tone:440');
    assert.equal(media.preload, 'auto');
    assert.equal(media.currentTime, 30);
    assert.equal(media.paused, true);
    await sleep(200);
    assert.equal(starts.length, 1);
    // The spin makes it well under a millisecond; a busy 2-core host
    // preempting this process in its last stretch has made it 2.8-10 ms.
    assert.ok(starts[0].atServerMs >= startAt && starts[0].atServerMs - startAt < 15, `started ${starts[0].atServerMs - startAt} ms after`);
    assert.equal(starts[0].late, false);
    sockets[0].receive(prepare(2, startAt, 30, 'PLAY_AT'));  // nothing new
    assert.equal(media.plays.length, 1);
    assert.ok(Math.abs(media.currentTime - room.positionSec()) < 0.01);

    // Drift, once the start has settled (its lag measured: none here): a little ahead → slower; far behind → a seek.
    await sleep(150);
    media.currentTime = media.currentTime + 0.05;
    await sleep(30);
    assert.ok(media.playbackRate < 1 && media.playbackRate >= 0.95, `rate ${media.playbackRate}`);
    media.currentTime = media.currentTime - 1;
    await sleep(30);
    assert.ok(drifts.some((d) => d.action === 'seek'));
    assert.ok(Math.abs(media.currentTime - room.positionSec()) < 0.03);

    // PAUSE_AT ahead: still playing until its instant, then paused on its position.
    const pauseAt = sc.now() + 60;
    sockets[0].receive({ t: 'PAUSE_AT', code: 'K7Q2PX', atServerMs: pauseAt, positionSec: 31, version: 3 });
    assert.equal(media.paused, false);
    await sleep(100);
    assert.equal(media.paused, true);
    assert.equal(media.currentTime, 31);
    sync.detach();

    // A page the browser will not let play: the callback gets a resume() for a tap.
    const refusing = new FakeMedia({ refuse: true });
    let blocked = null;
    sync2 = syncMedia(room, refusing, { onAutoplayBlocked: (b) => { blocked = b; } });
    sockets[0].receive(prepare(4, sc.now() - 1_000, 10));  // already started: a late start at 11 s
    await sleep(10);
    assert.equal(typeof blocked?.resume, 'function');
    refusing.refuse = false;
    await blocked.resume();
    assert.equal(refusing.paused, false);
    assert.ok(Math.abs(refusing.currentTime - room.positionSec()) < 0.01);
  } finally {
    sync?.detach();
    sync2?.detach();
    sc.close();
  }
});

test('syncMedia: resolveSource maps the room\'s track to this page\'s source; null empties the element and reports it', async () => {
  const { sc, sockets, room } = joinedRoom();
  let sync = null;
  try {
    const media = new FakeMedia();
    const sources = [];
    Object.defineProperty(media, 'src', {
      get() { return this._src ?? ''; },
      set(url) { sources.push(url); this._src = url; },
    });
    const asked = [];
    const errors = [];
    sync = syncMedia(room, media, {
      resolveSource: (track) => { asked.push(track); return track.url === 'tone:440' ? 'blob:page/clip-1' : null; },
      onError: (e) => errors.push(e),
    });
    sockets[0].receive(prepare(2, sc.now() - 500, 0));  // already started: plays at once
    assert.deepEqual(sources, ['blob:page/clip-1']);
    assert.equal(asked[0].url, 'tone:440');
    assert.equal(asked[0].title, 'A');
    await sleep(5);
    assert.equal(media.paused, false);
    // A seek on the same track: the same source, not set again (an element would reload it).
    sockets[0].receive(prepare(3, sc.now() - 100, 20));
    assert.deepEqual(sources, ['blob:page/clip-1']);
    assert.ok(Math.abs(media.currentTime - 20.1) < 0.02, `at ${media.currentTime}`);
    assert.deepEqual(errors, []);

    // A track this page has no source for: emptied, not played, reported once.
    const plays = media.plays.length;
    sockets[0].receive({ ...prepare(4, sc.now() - 100, 0), trackUrl: 'https://example.com/a.mp3' });
    assert.deepEqual(sources, ['blob:page/clip-1', '']);
    assert.equal(media.paused, true);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'no_source');
    assert.equal(errors[0].track.url, 'https://example.com/a.mp3');
    await sleep(30);
    assert.equal(media.plays.length, plays, 'not started');
    assert.equal(media.paused, true);
  } finally {
    sync?.detach();
    sc.close();
  }
});

test('syncMedia: a late joiner\'s element still loading starts once it can play, at the position then', async () => {
  const { sc, sockets, room } = joinedRoom();
  let sync = null;
  try {
    const media = new FakeMedia({ readyState: 1 });  // HAVE_METADATA: loading
    const starts = [];
    sync = syncMedia(room, media, { onStart: (s) => starts.push(s), learnStartLag: false });
    sockets[0].receive(prepare(2, sc.now() - 2_000, 10));  // started 2 s ago: a late join
    await sleep(120);
    assert.equal(starts.length, 0, 'not started while loading');
    assert.equal(media.plays.length, 0);
    media.readyState = 4;
    for (const deadline = performance.now() + 1000; starts.length === 0 && performance.now() < deadline;) await sleep(2);
    assert.equal(starts.length, 1);
    assert.equal(starts[0].late, true);
    // Positioned when it started, not when the state arrived 120+ ms earlier.
    assert.ok(Math.abs(starts[0].positionSec - room.positionSec(starts[0].atServerMs)) < 0.005,
      `${starts[0].positionSec} vs ${room.positionSec(starts[0].atServerMs)}`);
    assert.ok(starts[0].positionSec > 12.1, `${starts[0].positionSec}`);
  } finally {
    sync?.detach();
    sc.close();
  }
});

test('syncMedia: an element that holds its clock after play() and seeks: the lag is measured, corrected once, then started early', async () => {
  const STALL_MS = 120;  // headless Chromium's: 100–135 ms
  const { sc, sockets, room } = joinedRoom();
  let sync = null;
  try {
    const media = new FakeMedia({ stallMs: STALL_MS });
    const starts = [];
    sync = syncMedia(room, media, { onStart: (s) => starts.push(s) });
    const driftMs = () => (media.currentTime - room.positionSec()) * 1000;
    // Readings every 5 ms until `untilMs` after `from`: [ms after from, drift].
    const record = async (from, untilMs) => {
      const out = [];
      while (sc.now() - from < untilMs) { out.push([sc.now() - from, driftMs()]); await sleep(5); }
      return out;
    };
    const worstFrom = (readings, ms) => Math.max(...readings.filter(([t]) => t >= ms).map(([, d]) => Math.abs(d)));

    // First start: nothing measured yet. It ends STALL_MS behind; one seek ahead by that puts it on the schedule.
    const first = sc.now() + 100;
    sockets[0].receive(prepare(2, first, 30));
    const one = await record(first, 900);
    assert.equal(starts[0].startLagMs, 0);
    assert.ok(starts[0].atServerMs >= first, 'on the instant');
    assert.ok(Math.abs(one.find(([t]) => t >= 200)[1] + STALL_MS) < 15, 'behind by the stall before the correction');
    assert.ok(worstFrom(one, 600) < 15, `within tolerance 0.6 s after the start (worst after: ${worstFrom(one, 600)} ms)`);
    assert.equal(media.playbackRate, 1, 'no nudging');

    // The next start: play() that much early, on the schedule from the instant, no seek while playing.
    const seeks = media.seeks;
    const next = sc.now() + 300;
    sockets[0].receive(prepare(3, next, 40));
    const two = await record(next - 200, 700);
    assert.ok(Math.abs(starts[1].startLagMs - STALL_MS) < 15, `learned ${starts[1].startLagMs} ms`);
    assert.ok(Math.abs(next - starts[1].atServerMs - starts[1].startLagMs) < 5, `play() ${next - starts[1].atServerMs} ms early`);
    assert.ok(worstFrom(two, 210) < 15, `on the schedule from the instant (worst: ${worstFrom(two, 210)} ms)`);
    assert.equal(media.seeks, seeks + 1, 'positioned once, before the start');

    // A late joiner's start (the schedule began a second ago): positioned that far ahead.
    const late = sc.now() - 1_000;
    sockets[0].receive(prepare(4, late, 0));
    const three = await record(sc.now(), 400);
    assert.equal(starts[2].late, true);
    assert.ok(worstFrom(three, STALL_MS + 20) < 15, `on the schedule once its clock runs (worst: ${worstFrom(three, STALL_MS + 20)} ms)`);
  } finally {
    sync?.detach();
    sc.close();
  }
});

// Seed 004's rules on top: a position is clamped to [0, duration − 0.25 s];
// 'drift' events let a page show its resync button, and resync() puts the
// element back on the schedule whatever the drift.
test('syncMedia: clamps to the duration, fires drift events, resync() puts it back on the schedule', async () => {
  const { sc, sockets, room } = joinedRoom();
  let sync = null;
  try {
    const media = new FakeMedia();
    media.duration = 60;
    sync = syncMedia(room, media, { checkIntervalMs: 20, learnStartLag: false, seekThresholdMs: 5_000 });
    const drifts = [];
    sync.addEventListener('drift', (e) => drifts.push(e.detail));
    // A late joiner 90 s into a 60 s track: positioned just before its end, not past it.
    sockets[0].receive(prepare(2, sc.now() - 90_000, 0));
    await sleep(5);
    assert.ok(media.currentTime >= 59.75 && media.currentTime < 59.8, `at ${media.currentTime}`);

    sockets[0].receive(prepare(3, sc.now() - 1_000, 10));  // a new play, 1 s in
    await sleep(60);
    media.currentTime = media.currentTime - 2;  // 2 s behind: beyond the seed's 1.5 s button threshold
    await sleep(60);
    const far = drifts.filter((d) => d.driftMs < -1500);
    assert.ok(far.length > 0, JSON.stringify(drifts.slice(-3)));
    assert.equal(far[0].action, 'rate', 'within seekThresholdMs the drift is only nudged');
    sync.resync();
    assert.ok(Math.abs(media.currentTime - room.positionSec()) < 0.01, `${media.currentTime} vs ${room.positionSec()}`);
    assert.equal(media.playbackRate, 1);
  } finally {
    sync?.detach();
    sc.close();
  }
});
