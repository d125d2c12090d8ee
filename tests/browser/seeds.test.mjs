// The seeds' own clients in headless Chromium against the real worker and a
// real cluster, written as each seed's document writes them
// (../shared/seeds/; docs/protocol.md, "Coming from …").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { Cluster, Worker, launchChromium, makeToken, watchConsole } from './support/environment.mjs';

let cluster;
let worker;
let browser;
let page;
let problems;

before(async () => {
  cluster = new Cluster();
  worker = await new Worker(cluster.url, cluster.dir).start();
  browser = await launchChromium();
  page = await browser.newPage();
  problems = watchConsole(page);
  await page.goto(`${worker.origin}/`);
});

after(async () => {
  await browser?.close().catch(() => {});
  await worker?.kill().catch(() => {});
  cluster?.stop();
});

// Seed 002's TimeContext: opens ws://HOST/ws/time/, sends nothing, keeps the
// last time_update and makes its serverTime from `datetime`.
test('seed 002: the ServerClock gets a time_update at once and every second', async () => {
  const seen = await page.evaluate(async () => {
    const url = `ws://${location.host}/ws/time/`;
    const updates = [];
    const opened = performance.now();
    await new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onmessage = (event) => {
        const data = JSON.parse(event.data);
        if (data.type !== 'time_update') return;
        updates.push({ data, atMs: performance.now() - opened, localNow: Date.now(),
                       serverTime: new Date(data.datetime).getTime() });
        if (updates.length === 4) { ws.close(); resolve(); }
      };
      ws.onerror = () => reject(new Error('socket error'));
      setTimeout(() => reject(new Error(`only ${updates.length} updates`)), 6000);
    });
    return updates;
  });
  assert.ok(seen[0].atMs < 500, `first update after ${seen[0].atMs} ms`);
  for (const [i, u] of seen.entries()) {
    // Same host: the browser's Date parses the Python isoformat() to the server's time.
    assert.ok(Math.abs(u.serverTime - u.localNow) < 1100, JSON.stringify(u));
    assert.equal(u.data.timezone, 'UTC');
    assert.equal(u.data.timestamp, Math.trunc(u.serverTime / 1000));
    if (i > 0) assert.equal(u.data.timestamp, seen[i - 1].data.timestamp + 1);
  }
  assert.deepEqual(problems, []);
});

// Seed 001's ntpClock API on our client: getStatus() and nowISO().
test('seed 001: getStatus() and nowISO() against the real worker', async () => {
  const got = await page.evaluate(async () => {
    const { SessionClock } = await import('/session-clock.js');
    const sc = new SessionClock(location.origin);
    const before = { status: sc.getStatus(), iso: sc.nowISO() };
    const deadline = performance.now() + 10_000;
    while (!sc.sync.synced && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const status = sc.getStatus();
    const iso = sc.nowISO();
    const local = Date.now();
    const maxErrorMs = sc.sync.maxErrorMs;
    sc.close();
    return { before, status, iso, local, maxErrorMs, host: location.host };
  });
  assert.deepEqual(got.before, { status: { server: got.host, offset: null, lastSync: null, isSynced: false }, iso: null });
  assert.equal(got.status.server, got.host);
  assert.equal(got.status.isSynced, true);
  // Same host, same clock: the offset is within the bound the client claims.
  assert.ok(Math.abs(got.status.offset) <= got.maxErrorMs + 1, JSON.stringify(got));
  assert.ok(Math.abs(Date.parse(got.status.lastSync) - got.local) < 5000, got.status.lastSync);
  assert.ok(Math.abs(Date.parse(got.iso) - got.local) <= got.maxErrorMs + 2, JSON.stringify(got));
  // The helper's server-side twin: server_time_status() names a server and
  // says when it last synced (null where nothing records it).
  const [[server, lastSyncType]] = cluster.sql(
    "SELECT s ->> 'server', jsonb_typeof(s -> 'last_sync') FROM session_clock.server_time_status() s");
  assert.equal(server, 'session_clock');
  assert.ok(['string', 'null'].includes(lastSyncType), lastSyncType);
  assert.deepEqual(problems, []);
});

// Seed 004's guest page: a WebSocket with no token, JOIN_ROOM with the code,
// PREPARE_PLAY then PLAY_AT; its tab resume fetches /api/party-state and
// hands currentTrack to the same PLAY_AT handler. The host signs in (our
// client) and creates the room with guests; a second guest uses our client
// without a token.
test('seed 004: a tokenless guest joins by code, hears the schedule, resumes from party-state', async () => {
  const token = makeToken({ sub: 'hana' });
  const got = await page.evaluate(async (token) => {
    const { SessionClock } = await import('/session-clock.js');
    const host = new SessionClock(location.origin, { token });
    const hosted = await host.createRoom(undefined, { guests: true }).joined;
    const code = hosted.code;

    // The seed's own guest code.
    const frames = [];
    const ws = new WebSocket(`ws://${location.host}/ws`);
    await new Promise((resolve) => { ws.onopen = resolve; });
    const heard = new Promise((resolve) => {
      ws.onmessage = (event) => {
        const m = JSON.parse(event.data);
        frames.push(m);
        if (m.t === 'PLAY_AT') resolve(m);
      };
    });
    ws.send(JSON.stringify({ t: 'JOIN_ROOM', code }));

    // Our client as a guest, with a name.
    const guest = new SessionClock(location.origin);
    const joined = await guest.room(code, { name: 'Ann' }).joined;
    const refused = new Promise((resolve) => joined.addEventListener('error', (e) => resolve(e.detail.code), { once: true }));
    joined.play({ trackUrl: 'https://evil.test/x.mp3' });

    while (!frames.some((m) => m.t === 'ROOM_STATE')) await new Promise((r) => setTimeout(r, 10));
    hosted.play({ trackUrl: 'https://media.test/song.mp3', title: 'Song Title', filename: 'song.mp3' });
    const playAt = await heard;
    const prepare = frames.find((m) => m.t === 'PREPARE_PLAY');
    const resumed = await (await fetch(`/api/party-state?code=${code}`)).json();
    const handled = (({ trackUrl, title, startAtServerMs, startPositionSec }) =>
      ({ trackUrl, title, startAtServerMs, startPositionSec }))(resumed.currentTrack);
    const result = { code, prepare, playAt, handled, status: resumed.currentTrack.status, refusal: await refused,
                     members: joined.state.members, guestTrack: joined.currentTrack.trackUrl };
    ws.close();
    guest.close();
    host.close();
    return result;
  }, token);
  assert.equal(got.code.length, 10);
  for (const frame of [got.prepare, got.playAt]) {
    assert.equal(frame.trackUrl, 'https://media.test/song.mp3');
    assert.equal(frame.title, 'Song Title');
    assert.equal(frame.filename, 'song.mp3');
    assert.equal(typeof frame.startAtServerMs, 'number');
    assert.equal(frame.startPositionSec, 0);
  }
  assert.deepEqual(got.handled, { trackUrl: got.playAt.trackUrl, title: got.playAt.title,
                                  startAtServerMs: got.playAt.startAtServerMs, startPositionSec: 0 });
  assert.equal(got.status, 'playing');
  assert.equal(got.refusal, 'forbidden');
  assert.ok(got.members.some((m) => m.name === 'Ann' && m.id.startsWith('guest:')), JSON.stringify(got.members));
  assert.equal(got.guestTrack, 'https://media.test/song.mp3');
  assert.deepEqual(problems, []);
});
