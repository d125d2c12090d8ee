// Proves the RoomService stand-in (tests/support/room_service_replies.hpp)
// speaks LiveKit's wire format: LiveKit's own server SDK (livekit-server-sdk,
// RoomServiceClient) lists its rooms and participants, in both JSON spellings
// the stand-in offers, and reads its refusals as LiveKit's. The worker's C++
// client is tested against the same stand-in (tests/unit).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AccessToken, ParticipantInfo_State, RoomServiceClient } from 'livekit-server-sdk';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const STANDIN = process.env.ROOM_SERVICE_STANDIN || resolve(HERE, '../../build/room_service_standin');
const KEY = 'APIw8pLx2cQeZ';
const SECRET = 'Wq3kOpvS1xYfZ8mGtA5nR7cJ2uLhE9dBvK4sN6yT0iP';
const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 5000;

const STATE = {
  rooms: [
    { name: 'call-1', sid: 'RM_hycBMAjmt6Ub', participants: [
      { sid: 'PA_1', identity: 'alice', state: 'ACTIVE', joinedAt: 1700000000 },
      { sid: 'PA_2', identity: 'bob', state: 'JOINING', joinedAt: 1700000001 },
      { sid: 'PA_3', identity: 'carol', state: 'DISCONNECTED', joinedAt: 1700000002 },
      { sid: 'PA_4', identity: 'dave', state: 'JOINED', joinedAt: 1700000003 },
    ] },
    { name: 'lobby', sid: 'RM_lobby', participants: [] },
  ],
};

/** Resolves when `pattern` appears on the child's stdout, rejects on exit or after `ms`. */
function waitForLine(child, pattern, ms) {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`no ${pattern} from the stand-in within ${ms} ms: ${seen}`)), ms);
    const onData = (chunk) => {
      seen += chunk;
      const match = seen.match(pattern);
      if (match) done(null, match);
    };
    const onExit = (code) => done(new Error(`the stand-in exited (${code}) before listening: ${seen}`));
    function done(error, match) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error); else resolvePromise(match);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  });
}

/** The stand-in binary with STATE, on an ephemeral port. */
async function startStandIn(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'room_service_standin.'));
  const stateFile = join(dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(STATE));
  const child = spawn(STANDIN, ['--api-key', KEY, '--api-secret', SECRET, '--state', stateFile, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [, port] = await waitForLine(child, /port=(\d+)\n/, START_TIMEOUT_MS);
    return { url: `http://127.0.0.1:${port}`, child, dir };
  } catch (error) {
    await stopStandIn({ child, dir });
    throw error;
  }
}

async function stopStandIn(standin) {
  if (!standin) return;
  const { child, dir } = standin;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A raw Twirp call with a token carrying `grant`, to see the JSON itself. */
async function rawCall(url, method, body, grant) {
  const token = new AccessToken(KEY, SECRET, { ttl: 60 });
  token.addGrant(grant);
  const response = await fetch(`${url}/twirp/livekit.RoomService/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await token.toJwt()}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, json: await response.json() };
}

const summary = (p) => ({ sid: p.sid, identity: p.identity, state: p.state, joinedAt: p.joinedAt });

for (const style of ['livekit-server', 'protojson']) {
  describe(`stand-in answering in ${style} JSON`, () => {
    let standin;
    let client;
    before(async () => {
      standin = await startStandIn(['--json-style', style]);
      client = new RoomServiceClient(standin.url, KEY, SECRET);
    });
    after(() => stopStandIn(standin));

    test('listRooms() returns every room, exactly', async () => {
      const rooms = await client.listRooms();
      assert.deepEqual(rooms.map((r) => [r.name, r.sid, r.numParticipants]).sort(),
        [['call-1', 'RM_hycBMAjmt6Ub', 3], ['lobby', 'RM_lobby', 0]]);
      assert.ok(rooms.every((r) => r.creationTime > 0n && r.emptyTimeout === 300), 'int64 and uint32 fields decode');
    });

    test('listRooms([name]) returns only the rooms named', async () => {
      assert.deepEqual((await client.listRooms(['call-1'])).map((r) => [r.name, r.sid]), [['call-1', 'RM_hycBMAjmt6Ub']]);
      assert.deepEqual(await client.listRooms(['no-such-room']), []);
    });

    test('listParticipants(name) returns every participant with its state', async () => {
      const participants = (await client.listParticipants('call-1')).map(summary);
      assert.deepEqual(participants.sort((a, b) => a.sid.localeCompare(b.sid)), [
        { sid: 'PA_1', identity: 'alice', state: ParticipantInfo_State.ACTIVE, joinedAt: 1700000000n },
        { sid: 'PA_2', identity: 'bob', state: ParticipantInfo_State.JOINING, joinedAt: 1700000001n },
        { sid: 'PA_3', identity: 'carol', state: ParticipantInfo_State.DISCONNECTED, joinedAt: 1700000002n },
        { sid: 'PA_4', identity: 'dave', state: ParticipantInfo_State.JOINED, joinedAt: 1700000003n },
      ]);
      assert.deepEqual(await client.listParticipants('lobby'), []);
    });

    test('a room that does not exist has no participants (livekit-server answers an empty list)', async () => {
      assert.deepEqual(await client.listParticipants('no-such-room'), []);
    });

    test('the JSON itself is in the spelling asked for', async () => {
      const { status, json } = await rawCall(standin.url, 'ListParticipants', { room: 'call-1' },
        { roomAdmin: true, room: 'call-1' });
      assert.equal(status, 200);
      const bob = json.participants.find((p) => p.identity === 'bob');
      if (style === 'livekit-server') {
        assert.equal(bob.state, 'JOINING');  // every default present, proto field names
        assert.equal(bob.joined_at, '1700000001');
        assert.equal(bob.is_publisher, false);
      } else {
        assert.equal('state' in bob, false);  // JOINING is the default: left out
        assert.equal(bob.joinedAt, '1700000001');
        assert.equal('isPublisher' in bob, false);
      }
    });
  });
}

describe('stand-in refusing as LiveKit does', () => {
  let standin;
  before(async () => { standin = await startStandIn(['--missing-room', 'not-found']); });
  after(() => stopStandIn(standin));

  test('a missing room answered not_found rejects with the SDK\'s not-found error', async () => {
    const client = new RoomServiceClient(standin.url, KEY, SECRET);
    await assert.rejects(client.listParticipants('no-such-room'),
      { status: 404, code: 'not_found', message: 'requested room does not exist' });
    assert.equal((await client.listParticipants('call-1')).length, 4);
  });

  test('the wrong secret is refused as unauthenticated (401 from the auth middleware)', async () => {
    const client = new RoomServiceClient(standin.url, KEY, 'not-the-secret');
    await assert.rejects(client.listRooms(), (error) => {
      assert.equal(error.status, 401);
      assert.equal(error.code, undefined);  // plain text, not a Twirp body, as livekit-server answers
      assert.match(error.message, /^invalid token: .*, error: go-jose\/go-jose: error in cryptographic primitive$/);
      return true;
    });
  });

  test('an unknown API key is refused', async () => {
    const client = new RoomServiceClient(standin.url, 'APIsomeoneelse', SECRET);
    await assert.rejects(client.listRooms(), { status: 401, message: 'invalid API key: APIsomeoneelse' });
  });

  test('a token without the grant a method needs is Twirp unauthenticated', async () => {
    const token = new AccessToken(KEY, SECRET, { ttl: 60 });
    token.addGrant({ roomList: true });
    const client = new RoomServiceClient(standin.url, undefined, undefined, { token: await token.toJwt() });
    assert.equal((await client.listRooms()).length, 2);
    await assert.rejects(client.listParticipants('call-1'),
      { status: 401, code: 'unauthenticated', message: 'permissions denied' });
    const otherRoom = new AccessToken(KEY, SECRET, { ttl: 60 });
    otherRoom.addGrant({ roomAdmin: true, room: 'lobby' });
    const lobbyAdmin = new RoomServiceClient(standin.url, undefined, undefined, { token: await otherRoom.toJwt() });
    await assert.rejects(lobbyAdmin.listParticipants('call-1'), { status: 401, code: 'unauthenticated' });
    await assert.rejects(lobbyAdmin.listRooms(), { status: 401, code: 'unauthenticated' });
  });
});
