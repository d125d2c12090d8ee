// session-clock.js: the browser client of session_clock's worker, and its
// public entry: SessionClock is here, the rest of the API is re-exported
// from the modules beside it. ES modules with no dependencies; types and
// documentation in session-clock.d.ts (and the .d.ts files it re-exports).
// Served by the worker at /session-clock.js, its modules beside it.
//
//   const sc = new SessionClock('ws://127.0.0.1:8080/ws', { token })
//   sc.now()                      // server epoch ms
//   const timer = sc.clock(sessionId)
//   timer.elapsedMs()             // from the server's parameters and sc.now()
//
//   const room = sc.room('K7Q2PX')  // a playback room (docs/rooms.md)
//   syncMedia(room, audioElement)   // starts, pauses and seeks it on the room's schedule
//
// One WebSocket carries everything (connection.js). Time sync runs without
// a token (time-sync.js); clocks, presence and rooms need one (AUTH is sent
// first on every connection): session-timer.js, clock-commands.js, room.js,
// media-sync.js.

import { ClockCommands } from './clock-commands.js';
import { Connection, socketUrl } from './connection.js';
import { fire } from './events.js';
import { RESUME, DISCONNECTED, MESSAGE, SERVER_ERROR, CLOSE, TIMER_KEY, ROOM_KEY } from './hooks.js';
import { Room } from './room.js';
import { SessionTimer } from './session-timer.js';
import { TimeSync, clockResolutionMs } from './time-sync.js';

export { TimeEstimator, ClockJumpDetector, computeSample } from './time-estimator.js';
export { socketUrl } from './connection.js';
export { clockResolutionMs } from './time-sync.js';
export { RequestError } from './request-error.js';
export { SessionTimer, elapsedAt } from './session-timer.js';
export { Room, playbackPosition } from './room.js';
export { DEFAULT_MEDIA_SYNC, driftCorrection, syncMedia } from './media-sync.js';

export const DEFAULT_OPTIONS = Object.freeze({
  burstSize: 32,            // pings on connect, one every burstSpacingMs without awaiting answers
  burstSpacingMs: 30,       // closer pings queue behind each other and share their delay: no gain
  burstMaxInFlight: 8,
  sharpenIntervalMs: 100,   // after the burst, while jitter still leaves more than residualTargetMs
  sharpenMs: 15_000,        //   of likely error, a ping this often, for at most this long
  residualTargetMs: 0.1,
  roughPollIntervalMs: 1_000, // a path still that jittery afterwards is polled this often,
  pollIntervalMs: 10_000,   // a quiet one this often
  minBurstGapMs: 2_000,     // resync() and tab resumes start at most one burst this often
  pongTimeoutMs: 8_000,     // no answer this long: the connection is dead
  minBackoffMs: 250,        // reconnect delay range: full jitter in [0, min(max, min * 2^n)]
  maxBackoffMs: 10_000,
  resubscribeDelayMs: 2_000, // after an `unavailable` answer (the database is down)
  requestTimeoutMs: 10_000, // a clock command unanswered this long is rejected ('timeout')
  jumpCheckIntervalMs: 1_000,
  jumpThresholdMs: 100,
});

// A room code as the worker takes it: 4 to 12 letters or digits, any case.
function roomCode(code) {
  if (typeof code !== 'string' || !/^[A-Za-z0-9]{4,12}$/.test(code)) {
    throw new TypeError('a room code is 4 to 12 letters or digits');
  }
  return code.toUpperCase();
}

const hasDocument = typeof document !== 'undefined' && typeof document.addEventListener === 'function';
const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function';

export class SessionClock extends EventTarget {
  #token;
  #options;
  #connection;
  #sync;
  #commands;
  #timers = new Map();       // sessionId -> SessionTimer
  #room = null;              // a connection is in at most one room
  #identity = null;
  #lastError = null;
  #listeners = [];

  /**
   * @param {string} url ws(s)://host:port/ws, or the worker's http(s) origin
   * @param {object} [options] see session-clock.d.ts
   */
  constructor(url, options = {}) {
    super();
    const { token = null, WebSocket: Ctor = globalThis.WebSocket, estimator = {}, ...rest } = options;
    this.#options = Object.freeze({ ...DEFAULT_OPTIONS, ...rest });
    const address = socketUrl(url);
    this.#token = token || null;
    if (typeof Ctor !== 'function') throw new TypeError('no WebSocket implementation: pass options.WebSocket');
    this.#connection = new Connection(address, Ctor, this.#options, {
      opened: () => this.#opened(),
      message: (m) => this.#route(m),
      dropped: () => this.#dropped(),
      status: (status) => fire(this, 'status', { status }),
      failed: (message) => this.#error('connect_failed', message, null),
    });
    this.#sync = new TimeSync(this.#options, { resolutionMs: clockResolutionMs(), ...estimator }, this.#connection,
      (state) => fire(this, 'sync', state));
    this.#commands = new ClockCommands(this.#connection, this.#options);
    this.#listen();
    this.#connection.connect();
  }

  /** Server epoch milliseconds now (fractional). */
  now() {
    return this.#sync.now();
  }

  /** The server's clock now as ISO 8601 in UTC, or null before the first sync (seed 001's nowISO()). */
  nowISO() {
    return this.#sync.state.synced ? new Date(this.now()).toISOString() : null;
  }

  /**
   * Seed 001's clock-helper status: the server synced with (the worker's
   * host), the offset to it (server − local, ms), when the server answered
   * the last sample (its own clock, ISO 8601), and whether the estimate holds. offset and
   * lastSync are null until the first sync (and after a local clock jump).
   */
  getStatus() {
    const s = this.#sync.state;
    return {
      server: new URL(this.url).host,
      offset: s.synced ? s.offsetMs : null,
      lastSync: s.synced ? new Date(this.#sync.lastSampleServerMs).toISOString() : null,
      isSynced: s.synced,
    };
  }

  /** The time-sync estimate now. */
  get sync() { return this.#sync.state; }
  /** 'live' while the WebSocket is open, 'offline' otherwise. */
  get status() { return this.#connection.status; }
  get url() { return this.#connection.url; }
  /** What AUTH_OK said about the token: { sub, role, expiresAtMs }, or null. */
  get identity() { return this.#identity; }
  get lastError() { return this.#lastError; }

  /** Replaces the token (sent at once when live; the server re-checks followed clocks). */
  setToken(token) {
    this.#token = token || null;
    this.#identity = null;
    if (this.#token && this.#connection.live) this.#connection.send({ t: 'AUTH', token: this.#token });
  }

  /** Follows a session timer; the same object for the same id until closed. */
  clock(sessionId) {
    if (typeof sessionId !== 'string' || sessionId === '') throw new TypeError('sessionId must be a non-empty string');
    let timer = this.#timers.get(sessionId);
    if (!timer) {
      timer = new SessionTimer(this.#port, sessionId, TIMER_KEY);
      this.#timers.set(sessionId, timer);
      if (this.#connection.live) timer[RESUME]();
    }
    return timer;
  }

  /**
   * Starts the session's clock (START_CLOCK; creates the session with the
   * token's user as host if it does not exist). Resolves with CLOCK_CHANGED's
   * { changed, version }; rejects with a RequestError.
   */
  startClock(sessionId) {
    return this.#commands.send('START_CLOCK', sessionId, undefined);
  }

  /**
   * Joins the playback room `code` (JOIN_ROOM, any case); the same Room while
   * in it. A connection is in one room at a time: another room replaces it.
   * Without a token this client is a guest (a room created with guests:
   * true), shown to the room as `name` if given.
   */
  room(code, { name } = {}) {
    const upper = roomCode(code);
    if (this.#room && this.#room.code === upper) return this.#room;
    if (name != null && (typeof name !== 'string' || name.trim() === '')) throw new TypeError('name must be a non-empty string');
    return this.#enterRoom(name == null ? { t: 'JOIN_ROOM', code: upper } : { t: 'JOIN_ROOM', code: upper, name });
  }

  /**
   * Creates a room (CREATE_ROOM) with this code, or a random one, hosted by
   * the token's user; guests: true admits tokenless guests (its random code
   * is then 10 characters, a chosen one must be at least that long).
   */
  createRoom(code, { guests = false } = {}) {
    const request = { t: 'CREATE_ROOM' };
    if (code != null) request.code = roomCode(code);
    if (guests) request.guests = true;
    return this.#enterRoom(request);
  }

  /** The room this client is in (or joining), or null. */
  get currentRoom() { return this.#room; }

  #enterRoom(request) {
    if (this.#room) this.#room[CLOSE]('replaced');
    const room = new Room(this.#roomPort, request, ROOM_KEY);
    this.#room = room;
    if (this.#connection.live) room[RESUME]();
    return room;
  }

  /** A burst of pings now (done by itself on connect, tab resume and clock jumps). */
  resync() {
    if (this.#connection.live) this.#sync.burst({ force: false });
  }

  /** Closes the connection for good: no reconnects, timers stop following. */
  close() {
    if (this.#connection.closed) return;
    this.#sync.close();
    for (const [target, type, fn] of this.#listeners) target.removeEventListener(type, fn);
    this.#listeners = [];
    this.#connection.close();
    this.#commands.failAll('closed', 'the client was closed');
    if (this.#room) this.#room[CLOSE]('closed');
  }

  // What a timer may do through its owner.
  #port = Object.freeze({
    send: (message) => this.#connection.send(message),
    now: () => this.now(),
    live: () => this.#connection.live,
    options: () => this.#options,
    command: (type, sessionId, reason) => this.#commands.send(type, sessionId, reason),
    forget: (sessionId, timer) => {
      if (this.#timers.get(sessionId) === timer) this.#timers.delete(sessionId);
    },
  });

  // What a room may do through its owner.
  #roomPort = Object.freeze({
    send: (message) => this.#connection.send(message),
    now: () => this.now(),
    live: () => this.#connection.live,
    identity: () => this.#identity,
    forget: (room) => {
      if (this.#room === room) this.#room = null;
    },
  });

  // A tab shown again may have slept (a clock jump) or lost its socket; a
  // network back online is worth a connection attempt before the backoff ends.
  #listen() {
    const on = (target, type, fn) => {
      target.addEventListener(type, fn);
      this.#listeners.push([target, type, fn]);
    };
    if (hasDocument) {
      on(document, 'visibilitychange', () => {
        if (document.visibilityState !== 'visible') return;
        this.#sync.checkJump();
        if (this.#connection.live) this.#sync.burst({ force: false });
        else this.#connection.reconnectSoon();
      });
    }
    if (hasWindow) on(window, 'online', () => this.#connection.reconnectSoon());
  }

  #opened() {
    this.#sync.connected();
    if (this.#token) this.#connection.send({ t: 'AUTH', token: this.#token });
    for (const timer of this.#timers.values()) timer[RESUME]();
    if (this.#room) this.#room[RESUME]();  // JOIN_ROOM again: PLAY_AT is sent once, the schedule is in the state
  }

  #dropped() {
    this.#sync.disconnected();
    // A command sent on this socket may or may not have been applied: the
    // caller re-reads the state (the timer gets it again on reconnect).
    this.#commands.failAll('disconnected', 'the connection closed before the answer');
    for (const timer of this.#timers.values()) timer[DISCONNECTED]();
    if (this.#room) this.#room[DISCONNECTED]();
  }

  // Each frame to whom it concerns.
  #route(m) {
    switch (m.t) {
      case 'TIME_PONG': return this.#sync.pong(m);
      case 'AUTH_OK':
        this.#identity = { sub: m.sub ?? null, role: m.role ?? null, expiresAtMs: m.expiresAtMs ?? null };
        return;
      case 'CLOCK_STATE':
      case 'JOINED':
      case 'LEFT':
      case 'UNSUBSCRIBED': {
        const timer = this.#timers.get(m.sessionId);
        if (timer) timer[MESSAGE](m);
        if (m.t === 'CLOCK_STATE' && timer) fire(this, 'clock', { sessionId: m.sessionId, state: timer.state });
        return;
      }
      case 'CLOCK_CHANGED': return this.#onClockChanged(m);
      case 'ROOM_STATE':
      case 'PREPARE_PLAY':
      case 'PLAY_AT':
      case 'PAUSE_AT':
      case 'STOPPED':
      case 'LEFT_ROOM':
        if (this.#room) this.#room[MESSAGE](m);
        return;
      case 'ERROR': return this.#onServerError(m);
      default: return;  // time ticks and future messages: not ours to handle
    }
  }

  #onClockChanged(m) {
    if (!this.#commands.changed(m)) return;
    // A start may have created the session a timer failed to follow: follow again.
    const timer = m.action === 'start' ? this.#timers.get(m.sessionId) : undefined;
    if (timer && !timer.ready) timer[RESUME]();
  }

  #onServerError(m) {
    if (m.code === 'rate_limited') this.#sync.slowDown();
    const ref = m.ref && typeof m.ref === 'object' ? m.ref : null;
    if (ref && ref.t === 'AUTH') this.#identity = null;
    this.#commands.refused(m.code, m.message, ref);
    if (ref && this.#room) this.#room[SERVER_ERROR](m.code, m.message, ref);
    const timer = ref && typeof ref.sessionId === 'string' ? this.#timers.get(ref.sessionId) : undefined;
    if (timer) timer[SERVER_ERROR](m.code, m.message, ref);
    this.#error(m.code, m.message, ref);
  }

  #error(code, message, ref) {
    this.#lastError = { code, message, ref };
    fire(this, 'error', { code, message, ref });
  }
}
