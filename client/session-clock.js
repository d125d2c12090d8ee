// session-clock.js: the browser client of session_clock's worker.
// An ES module with no dependencies; types and documentation in
// session-clock.d.ts. Served by the worker at /session-clock.js.
//
//   const sc = new SessionClock('ws://127.0.0.1:8080/ws', { token })
//   sc.now()                      // server epoch ms
//   const timer = sc.clock(sessionId)
//   timer.elapsedMs()             // from the server's parameters and sc.now()
//
//   const room = sc.room('K7Q2PX')  // a playback room (docs/rooms.md)
//   syncMedia(room, audioElement)   // starts, pauses and seeks it on the room's schedule
//
// One WebSocket carries everything. Time sync runs without a token; clocks,
// presence and rooms need one (AUTH is sent first on every connection).

import { TimeEstimator, ClockJumpDetector } from './time-estimator.js';

export { TimeEstimator, ClockJumpDetector, computeSample } from './time-estimator.js';

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

/**
 * Position of a session timer at server time `atServerMs`, from the
 * parameters the server sent (the same arithmetic as the extension's
 * elapsed_ms: running, now − started − paused; frozen at the last change while
 * paused; at the end once stopped). Never counted up locally.
 */
export function elapsedAt(state, atServerMs) {
  if (!state || !Number.isFinite(state.startedAtMs)) return null;
  let end;
  if (state.endedAtMs != null) end = state.endedAtMs;
  else if (state.isPaused) end = state.lastStateChangeAtMs;
  else end = Math.max(atServerMs, state.lastStateChangeAtMs);
  const elapsed = end - state.startedAtMs - (state.totalPausedMs || 0);
  return elapsed > 0 ? elapsed : 0;
}

/** ws(s)://host/ws from a ws(s) URL, an http(s) origin or page URL. */
export function socketUrl(url) {
  const base = typeof location !== 'undefined' ? location.href : undefined;
  const u = new URL(String(url), base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a WebSocket or HTTP URL: ${url}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  u.hash = '';
  return u.toString();
}

// The monotonic local base: performance.timeOrigin + performance.now() is
// epoch-like but never steps. Date.now() is read only to detect jumps.
function localNow() {
  return performance.timeOrigin + performance.now();
}

/**
 * The local clock's reading granularity (ms): browsers coarsen
 * performance.now() (Chrome to 0.1 ms, others to as much as 1 ms) and the
 * error bound must allow for it. The smallest step seen in a few readings,
 * spinning at most ~3 ms, once per SessionClock.
 */
export function clockResolutionMs(now = () => performance.now()) {
  const start = now();
  let last = start;
  let step = Infinity;
  // Bounded by reads too: a clock that never moves must not hang the page.
  for (let changes = 0, reads = 0; changes < 4 && reads < 200_000; reads += 1) {
    const t = now();
    if (t !== last) { step = Math.min(step, t - last); last = t; changes += 1; }
    if (t - start > 3) break;
  }
  return Number.isFinite(step) ? step : 1;
}

/**
 * A refused request: the server's ERROR ({code, message, ref}), or a
 * client-side failure (code 'disconnected', 'offline', 'timeout', 'closed').
 */
export class RequestError extends Error {
  constructor(code, message, ref = null) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.ref = ref;
  }
}

// Clock commands and the action their CLOCK_CHANGED answer names.
const CLOCK_COMMANDS = Object.freeze({
  START_CLOCK: 'start', PAUSE_CLOCK: 'pause', RESUME_CLOCK: 'resume', STOP_CLOCK: 'stop',
});

function fire(target, type, detail) {
  target.dispatchEvent(new CustomEvent(type, { detail }));
}

// Hooks between SessionClock and the objects it serves (timers now, rooms
// later): symbols, so they are not part of the public API.
const RESUME = Symbol('resume');
const DISCONNECTED = Symbol('disconnected');
const MESSAGE = Symbol('message');
const SERVER_ERROR = Symbol('serverError');
const CLOSE = Symbol('close');
const TIMER_KEY = Symbol('SessionTimer');
const ROOM_KEY = Symbol('Room');

// Requests whose ERROR concerns the room, and frames the room receives.
const ROOM_REQUESTS = new Set(['CREATE_ROOM', 'JOIN_ROOM', 'LEAVE_ROOM', 'HOST_PLAY', 'HOST_PAUSE', 'HOST_SEEK',
  'HOST_STOP', 'READY']);

const hasDocument = typeof document !== 'undefined' && typeof document.addEventListener === 'function';
const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function';

export class SessionClock extends EventTarget {
  #url;
  #token;
  #options;
  #WebSocket;
  #estimator;
  #jumps;
  #socket = null;
  #status = 'offline';
  #closed = false;
  #attempt = 0;              // reconnect attempts since the last healthy connection
  #reconnectTimer = null;
  #pollTimer = null;
  #burstTimer = null;
  #burstLeft = 0;
  #burstStartedAt = -Infinity; // local ms
  #sharpenUntil = -Infinity;    // local ms: polls are fast until then while the path is jittery
  #jumpTimer = null;
  #nextPingId = 1;
  #inFlight = new Map();     // pingId -> { t1, socket }
  #timeoutTimer = null;
  #timers = new Map();       // sessionId -> SessionTimer
  #serverHealth = { syncWarning: false, maxErrorMs: NaN };
  #identity = null;
  #lastError = null;
  #listeners = [];
  #commands = [];            // clock commands awaiting CLOCK_CHANGED or ERROR, oldest first
  #room = null;              // a connection is in at most one room
  #lastRttMs = NaN;          // the latest round trip, reported in TIME_PING (rooms size their lead by it)

  /**
   * @param {string} url ws(s)://host:port/ws, or the worker's http(s) origin
   * @param {object} [options] see session-clock.d.ts
   */
  constructor(url, options = {}) {
    super();
    const { token = null, WebSocket: Ctor = globalThis.WebSocket, estimator = {}, ...rest } = options;
    this.#options = Object.freeze({ ...DEFAULT_OPTIONS, ...rest });
    this.#url = socketUrl(url);
    this.#token = token || null;
    if (typeof Ctor !== 'function') throw new TypeError('no WebSocket implementation: pass options.WebSocket');
    this.#WebSocket = Ctor;
    this.#estimator = new TimeEstimator({ resolutionMs: clockResolutionMs(), ...estimator });
    this.#jumps = new ClockJumpDetector({ thresholdMs: this.#options.jumpThresholdMs });
    this.#jumps.check(Date.now(), performance.now());
    this.#jumpTimer = setInterval(() => this.#checkJump(), this.#options.jumpCheckIntervalMs);
    this.#listen();
    this.#connect();
  }

  /** Server epoch milliseconds now (fractional). */
  now() {
    return this.#estimator.serverTime(localNow());
  }

  /** The time-sync estimate now. */
  get sync() {
    const s = this.#estimator.snapshot(localNow());
    return {
      offsetMs: s.offsetMs,
      maxErrorMs: s.maxErrorMs,
      rttMs: s.rttMs,
      synced: s.synced,
      delayMs: s.delayMs,
      samples: s.samples,
      steps: s.steps,
      lastSampleAgeMs: s.lastSampleAgeMs,
      serverSyncWarning: this.#serverHealth.syncWarning,
      serverMaxErrorMs: this.#serverHealth.maxErrorMs,
    };
  }

  /** 'live' while the WebSocket is open, 'offline' otherwise. */
  get status() { return this.#status; }
  get url() { return this.#url; }
  /** What AUTH_OK said about the token: { sub, role, expiresAtMs }, or null. */
  get identity() { return this.#identity; }
  get lastError() { return this.#lastError; }

  /** Replaces the token (sent at once when live; the server re-checks followed clocks). */
  setToken(token) {
    this.#token = token || null;
    this.#identity = null;
    if (this.#token && this.#status === 'live') this.#send({ t: 'AUTH', token: this.#token });
  }

  /** Follows a session timer; the same object for the same id until closed. */
  clock(sessionId) {
    if (typeof sessionId !== 'string' || sessionId === '') throw new TypeError('sessionId must be a non-empty string');
    let timer = this.#timers.get(sessionId);
    if (!timer) {
      timer = new SessionTimer(this.#port, sessionId, TIMER_KEY);
      this.#timers.set(sessionId, timer);
      if (this.#status === 'live') timer[RESUME]();
    }
    return timer;
  }

  /**
   * Starts the session's clock (START_CLOCK; creates the session with the
   * token's user as host if it does not exist). Resolves with CLOCK_CHANGED's
   * { changed, version }; rejects with a RequestError.
   */
  startClock(sessionId) {
    return this.#command('START_CLOCK', sessionId, undefined);
  }

  /**
   * Joins the playback room `code` (JOIN_ROOM, any case); the same Room while
   * in it. A connection is in one room at a time: another room replaces it.
   */
  room(code) {
    if (typeof code !== 'string' || !/^[A-Za-z0-9]{4,12}$/.test(code)) {
      throw new TypeError('a room code is 4 to 12 letters or digits');
    }
    const upper = code.toUpperCase();
    if (this.#room && this.#room.code === upper) return this.#room;
    return this.#enterRoom({ t: 'JOIN_ROOM', code: upper });
  }

  /** Creates a room (CREATE_ROOM) with this code, or a random one, hosted by the token's user. */
  createRoom(code) {
    if (code != null && (typeof code !== 'string' || !/^[A-Za-z0-9]{4,12}$/.test(code))) {
      throw new TypeError('a room code is 4 to 12 letters or digits');
    }
    return this.#enterRoom(code == null ? { t: 'CREATE_ROOM' } : { t: 'CREATE_ROOM', code: code.toUpperCase() });
  }

  /** The room this client is in (or joining), or null. */
  get currentRoom() { return this.#room; }

  #enterRoom(request) {
    if (this.#room) this.#room[CLOSE]('replaced');
    const room = new Room(this.#roomPort, request, ROOM_KEY);
    this.#room = room;
    if (this.#status === 'live') room[RESUME]();
    return room;
  }

  /** A burst of pings now (done by itself on connect, tab resume and clock jumps). */
  resync() {
    if (this.#status === 'live') this.#startBurst({ force: false });
  }

  /** Closes the connection for good: no reconnects, timers stop following. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#jumpTimer);
    clearTimeout(this.#reconnectTimer);
    for (const [target, type, fn] of this.#listeners) target.removeEventListener(type, fn);
    this.#listeners = [];
    const socket = this.#socket;
    this.#dropSocket();
    if (socket) {
      try { socket.close(1000, 'client closed'); } catch { /* already closing */ }
    }
    this.#failCommands('closed', 'the client was closed');
    if (this.#room) this.#room[CLOSE]('closed');
  }

  // What a timer (or, later, a room) may do through its owner.
  #port = Object.freeze({
    send: (message) => this.#send(message),
    now: () => this.now(),
    live: () => this.#status === 'live',
    options: () => this.#options,
    command: (type, sessionId, reason) => this.#command(type, sessionId, reason),
    forget: (sessionId, timer) => {
      if (this.#timers.get(sessionId) === timer) this.#timers.delete(sessionId);
    },
  });

  // What a room may do through its owner.
  #roomPort = Object.freeze({
    send: (message) => this.#send(message),
    now: () => this.now(),
    live: () => this.#status === 'live',
    identity: () => this.#identity,
    forget: (room) => {
      if (this.#room === room) this.#room = null;
    },
  });

  // --- connection ---

  #listen() {
    const on = (target, type, fn) => {
      target.addEventListener(type, fn);
      this.#listeners.push([target, type, fn]);
    };
    if (hasDocument) {
      on(document, 'visibilitychange', () => {
        if (document.visibilityState !== 'visible') return;
        this.#checkJump();
        if (this.#status === 'live') this.#startBurst({ force: false });
        else this.#reconnectSoon();
      });
    }
    if (hasWindow) on(window, 'online', () => this.#reconnectSoon());
  }

  #connect() {
    this.#reconnectTimer = null;
    if (this.#closed) return;
    let socket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (e) {
      this.#error('connect_failed', String(e && e.message || e), null);
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => { if (this.#socket === socket) this.#onOpen(); };
    socket.onmessage = (e) => { if (this.#socket === socket) this.#onMessage(e.data); };
    socket.onclose = () => { if (this.#socket === socket) this.#onClose(); };
    socket.onerror = () => { /* a close follows; its details are not exposed to scripts */ };
  }

  #onOpen() {
    this.#estimator.clearWindow();  // a new path, perhaps a new server: new samples
    this.#startBurst({ force: true });
    if (this.#token) this.#send({ t: 'AUTH', token: this.#token });
    for (const timer of this.#timers.values()) timer[RESUME]();
    if (this.#room) this.#room[RESUME]();  // JOIN_ROOM again: PLAY_AT is sent once, the schedule is in the state
    // Last: a 'status' listener may send at once, and AUTH must precede it.
    this.#setStatus('live');
  }

  #onClose() {
    this.#dropSocket();
    this.#setStatus('offline');
    this.#scheduleReconnect();
  }

  // Forgets the socket without waiting for its close event (a dead peer may
  // take minutes to produce one).
  #dropSocket() {
    const socket = this.#socket;
    this.#socket = null;
    if (socket) socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#burstTimer);
    clearTimeout(this.#timeoutTimer);
    this.#pollTimer = this.#burstTimer = this.#timeoutTimer = null;
    this.#burstLeft = 0;
    this.#inFlight.clear();
    // A command sent on this socket may or may not have been applied: the
    // caller re-reads the state (the timer gets it again on reconnect).
    this.#failCommands('disconnected', 'the connection closed before the answer');
    for (const timer of this.#timers.values()) timer[DISCONNECTED]();
    if (this.#room) this.#room[DISCONNECTED]();
    if (this.#closed) this.#setStatus('offline');
  }

  #scheduleReconnect() {
    if (this.#closed || this.#reconnectTimer) return;
    const { minBackoffMs, maxBackoffMs } = this.#options;
    const cap = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    const delay = Math.random() * cap;  // full jitter: reconnecting clients spread out
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  // Now rather than after the backoff: the network or the tab just came back.
  #reconnectSoon() {
    if (this.#closed || this.#socket) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#attempt = 0;
    this.#connect();
  }

  #setStatus(status) {
    if (this.#status === status) return;
    this.#status = status;
    fire(this, 'status', { status });
  }

  #send(message) {
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  // --- clock commands ---

  // Answers carry no request id: CLOCK_CHANGED names the session and the
  // action, ERROR's ref the type and the session. The worker answers one
  // connection's commands for a session in order, so the oldest pending
  // request that matches is the one answered.
  #command(type, sessionId, reason) {
    if (typeof sessionId !== 'string' || sessionId === '') {
      return Promise.reject(new TypeError('sessionId must be a non-empty string'));
    }
    if (reason !== undefined && reason !== null && typeof reason !== 'string') {
      return Promise.reject(new TypeError('reason must be a string'));
    }
    if (this.#closed) return Promise.reject(new RequestError('closed', 'the client was closed'));
    const message = { t: type, sessionId };
    if (reason != null) message.reason = reason;
    if (this.#status !== 'live' || !this.#send(message)) {
      return Promise.reject(new RequestError('offline', 'not connected', { t: type, sessionId }));
    }
    return new Promise((resolve, reject) => {
      const entry = { type, action: CLOCK_COMMANDS[type], sessionId, resolve, reject, timer: null };
      entry.timer = setTimeout(() => {
        this.#settleCommand(entry);
        reject(new RequestError('timeout', `no answer to ${type} in ${this.#options.requestTimeoutMs} ms`, { t: type, sessionId }));
      }, this.#options.requestTimeoutMs);
      this.#commands.push(entry);
    });
  }

  #settleCommand(entry) {
    clearTimeout(entry.timer);
    const i = this.#commands.indexOf(entry);
    if (i >= 0) this.#commands.splice(i, 1);
  }

  #onClockChanged(m) {
    const entry = this.#commands.find((c) => c.sessionId === m.sessionId && c.action === m.action);
    if (!entry) return;
    this.#settleCommand(entry);
    entry.resolve({ changed: Boolean(m.changed), version: m.version });
    // A start may have created the session a timer failed to follow: follow again.
    const timer = m.action === 'start' ? this.#timers.get(m.sessionId) : undefined;
    if (timer && !timer.ready) timer[RESUME]();
  }

  // True if the error answered a pending command (which it then rejects).
  #commandRefused(code, message, ref) {
    if (!ref || !CLOCK_COMMANDS[ref.t]) return false;
    const entry = this.#commands.find((c) => c.type === ref.t && c.sessionId === ref.sessionId);
    if (!entry) return false;
    this.#settleCommand(entry);
    entry.reject(new RequestError(code, message, ref));
    return true;
  }

  #failCommands(code, message) {
    const pending = this.#commands;
    this.#commands = [];
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(new RequestError(code, message, { t: entry.type, sessionId: entry.sessionId }));
    }
  }

  #error(code, message, ref) {
    this.#lastError = { code, message, ref };
    fire(this, 'error', { code, message, ref });
  }

  // --- time sync ---

  // A burst: burstSize pings burstSpacingMs apart, not waiting for answers
  // (a first estimate after one round trip, ~30 samples within a second).
  // Forced after a connect or a clock jump; otherwise (a tab resume, resync())
  // skipped while one runs or began less than minBurstGapMs ago, so rapid
  // tab switching cannot flood the server's rate limit.
  #startBurst({ force }) {
    const now = localNow();
    if (!force && (this.#burstLeft > 0 || now - this.#burstStartedAt < this.#options.minBurstGapMs)) return;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#burstTimer);
    this.#pollTimer = this.#burstTimer = null;
    this.#burstStartedAt = now;
    this.#sharpenUntil = now + this.#options.sharpenMs;
    this.#burstLeft = this.#options.burstSize;
    this.#burstPing();
  }

  #burstPing() {
    this.#burstTimer = null;
    if (this.#burstLeft <= 0) return;
    if (this.#inFlight.size < this.#options.burstMaxInFlight) {
      this.#burstLeft -= 1;
      this.#ping();
    }
    if (this.#burstLeft > 0) this.#burstTimer = setTimeout(() => this.#burstPing(), this.#options.burstSpacingMs);
  }

  // After the burst, one ping at a time. More samples sharpen the estimate
  // only while jitter still leaves a residual: sample fast for a while
  // (bounded), then keep a jittery path at a second and a quiet one at ten.
  #pollDelay() {
    const o = this.#options;
    if (this.#estimator.residualMs <= o.residualTargetMs) return o.pollIntervalMs;
    return localNow() < this.#sharpenUntil ? o.sharpenIntervalMs : o.roughPollIntervalMs;
  }

  #schedulePoll() {
    if (this.#pollTimer) return;
    this.#pollTimer = setTimeout(() => { this.#pollTimer = null; this.#ping(); }, this.#pollDelay());
  }

  // The server dropped a message for the rate limit (its ERROR names none;
  // it may have been a ping, whose answer would then never come): end the
  // burst and the sharpening, forget the pings in flight (a late answer is
  // ignored) and go on at the steady poll, so the connection is neither
  // declared dead for a missing pong nor flooded into a 1008 close.
  #slowDownSync() {
    clearTimeout(this.#burstTimer);
    clearTimeout(this.#timeoutTimer);
    this.#burstTimer = this.#timeoutTimer = null;
    this.#burstLeft = 0;
    this.#sharpenUntil = -Infinity;
    this.#inFlight.clear();
    if (this.#status === 'live') this.#schedulePoll();
  }

  #ping() {
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) return;
    const pingId = this.#nextPingId++;
    const t1 = localNow();
    this.#inFlight.set(pingId, t1);
    const ping = { t: 'TIME_PING', clientNowMs: t1, pingId };
    // The worker accepts [0, 60000]; a room's lead is sized from its members' round trips.
    if (Number.isFinite(this.#lastRttMs)) ping.rttMs = Math.min(60_000, Math.round(this.#lastRttMs * 1000) / 1000);
    socket.send(JSON.stringify(ping));
    if (!this.#timeoutTimer) this.#armPongTimeout();
  }

  #armPongTimeout() {
    this.#timeoutTimer = setTimeout(() => {
      this.#timeoutTimer = null;
      if (this.#inFlight.size === 0) return;
      const oldest = Math.min(...this.#inFlight.values());
      if (localNow() - oldest >= this.#options.pongTimeoutMs) {
        // Half-open: close it ourselves and reconnect.
        const socket = this.#socket;
        this.#onClose();
        try { socket && socket.close(); } catch { /* already closing */ }
      } else {
        this.#armPongTimeout();
      }
    }, this.#options.pongTimeoutMs);
  }

  #onPong(m) {
    const t4 = localNow();
    const t1 = this.#inFlight.get(m.pingId);
    if (t1 === undefined) return;  // not ours, or from before a reconnect
    this.#inFlight.delete(m.pingId);
    this.#lastRttMs = t4 - t1;
    if (this.#inFlight.size === 0) {
      clearTimeout(this.#timeoutTimer);
      this.#timeoutTimer = null;
    }
    this.#attempt = 0;  // the server answers: the next outage starts from the shortest backoff
    if (typeof m.syncWarning === 'boolean') this.#serverHealth.syncWarning = m.syncWarning;
    if (typeof m.maxErrorMs === 'number') this.#serverHealth.maxErrorMs = m.maxErrorMs;
    const t2 = m.serverReceiveMs ?? m.serverNowMs;
    const t3 = m.serverSendMs ?? m.serverNowMs;
    if (this.#estimator.addSample({ t1, t2, t3, t4 })) fire(this, 'sync', this.sync);
    if (this.#burstLeft === 0 && this.#inFlight.size === 0) this.#schedulePoll();
  }

  #checkJump() {
    const { jumped } = this.#jumps.check(Date.now(), performance.now());
    if (!jumped) return;
    this.#estimator.invalidate();
    fire(this, 'sync', this.sync);
    if (this.#status === 'live') this.#startBurst({ force: true });
  }

  // --- messages ---

  #onMessage(data) {
    if (typeof data !== 'string') return;
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (!m || typeof m !== 'object') return;
    switch (m.t) {
      case 'TIME_PONG': return this.#onPong(m);
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

  #onServerError(m) {
    if (m.code === 'rate_limited') this.#slowDownSync();
    const ref = m.ref && typeof m.ref === 'object' ? m.ref : null;
    if (ref && ref.t === 'AUTH') this.#identity = null;
    this.#commandRefused(m.code, m.message, ref);
    if (ref && ROOM_REQUESTS.has(ref.t) && this.#room) this.#room[SERVER_ERROR](m.code, m.message, ref);
    const timer = ref && typeof ref.sessionId === 'string' ? this.#timers.get(ref.sessionId) : undefined;
    if (timer) timer[SERVER_ERROR](m.code, m.message, ref);
    this.#error(m.code, m.message, ref);
  }
}

/**
 * One session timer, as followed through a SessionClock. Created by
 * SessionClock.clock(sessionId).
 */
export class SessionTimer extends EventTarget {
  #owner;
  #sessionId;
  #state = null;
  #wantJoined = false;
  #joined = false;
  #closed = false;
  #retryTimer = null;

  constructor(owner, sessionId, key) {
    super();
    if (key !== TIMER_KEY) throw new TypeError('use SessionClock.clock(sessionId)');
    this.#owner = owner;
    this.#sessionId = sessionId;
  }

  get sessionId() { return this.#sessionId; }
  /** The last CLOCK_STATE's fields (without `t`), or null before the first. */
  get state() { return this.#state; }
  get ready() { return this.#state !== null; }
  get isPaused() { return this.#state ? this.#state.isPaused : null; }
  get isEnded() { return this.#state ? this.#state.endedAtMs != null : null; }
  get participants() { return this.#state ? this.#state.participants ?? null : null; }
  get graceDeadlineMs() { return this.#state ? this.#state.graceDeadlineMs ?? null : null; }
  get autoPaused() { return this.#state ? Boolean(this.#state.autoPaused) : null; }
  get presenceTracked() { return this.#state ? Boolean(this.#state.presenceTracked) : null; }
  get version() { return this.#state ? this.#state.version : null; }
  /** True while the server counts this connection's user as present. */
  get joined() { return this.#joined; }

  /** Position in ms at server time `atServerMs` (default: the owner's now()); null before the first state. */
  elapsedMs(atServerMs = this.#owner.now()) {
    return elapsedAt(this.#state, atServerMs);
  }

  /** Counts the token's user as present (JOIN_SESSION); kept across reconnects. */
  join() {
    this.#checkOpen();
    this.#wantJoined = true;
    this.#owner.send({ t: 'JOIN_SESSION', sessionId: this.#sessionId });
  }

  /** No longer present (LEAVE_SESSION); the timer keeps following the clock. */
  leave() {
    this.#checkOpen();
    this.#wantJoined = false;
    if (this.#owner.send({ t: 'LEAVE_SESSION', sessionId: this.#sessionId })) {
      // LEAVE_SESSION also stops the server's pushes: follow again.
      this.#owner.send({ t: 'SUBSCRIBE_CLOCK', sessionId: this.#sessionId });
    }
  }

  /** Pauses the clock (PAUSE_CLOCK): resolves with { changed, version }; rejects with a RequestError. */
  pause(reason) {
    return this.#drive('PAUSE_CLOCK', reason);
  }

  /** Resumes the clock (RESUME_CLOCK). */
  resume(reason) {
    return this.#drive('RESUME_CLOCK', reason);
  }

  /** Stops the clock for good (STOP_CLOCK; the host only). */
  stop(reason) {
    return this.#drive('STOP_CLOCK', reason);
  }

  #drive(type, reason) {
    if (this.#closed) return Promise.reject(new Error(`timer ${this.#sessionId} is closed`));
    return this.#owner.command(type, this.#sessionId, reason);
  }

  /** Stops following (leaving first if joined). */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#owner.send(this.#wantJoined || this.#joined
      ? { t: 'LEAVE_SESSION', sessionId: this.#sessionId }
      : { t: 'UNSUBSCRIBE_CLOCK', sessionId: this.#sessionId });
    this.#wantJoined = this.#joined = false;
    this.#owner.forget(this.#sessionId, this);
  }

  #checkOpen() {
    if (this.#closed) throw new Error(`timer ${this.#sessionId} is closed`);
  }

  // --- called by SessionClock (symbol-keyed: not public) ---

  // A (re)connected socket: follow again, and join again if we were joined.
  // The server answers with the current state, so nothing is lost while away.
  [RESUME]() {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#owner.send(this.#wantJoined
      ? { t: 'JOIN_SESSION', sessionId: this.#sessionId }
      : { t: 'SUBSCRIBE_CLOCK', sessionId: this.#sessionId });
  }

  [DISCONNECTED]() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (this.#joined) {
      this.#joined = false;  // the server's view: a closed connection leaves
      fire(this, 'left', { sessionId: this.#sessionId, reason: 'disconnected' });
    }
  }

  [MESSAGE](m) {
    if (this.#closed) return;
    if (m.t === 'CLOCK_STATE') {
      // Versions only increase; an equal one (a re-subscription) may carry newer presence.
      if (this.#state && typeof m.version === 'number' && m.version < this.#state.version) return;
      const { t, ...state } = m;
      this.#state = Object.freeze(state);
      fire(this, 'change', { state: this.#state });
    } else if (m.t === 'JOINED') {
      if (!this.#wantJoined) return;  // a leave() crossed it
      this.#joined = true;
      fire(this, 'joined', { sessionId: this.#sessionId });
    } else if (m.t === 'LEFT') {
      if (this.#wantJoined) return;  // a join() crossed it
      const was = this.#joined;
      this.#joined = false;
      if (was) fire(this, 'left', { sessionId: this.#sessionId, reason: 'left' });
    }
  }

  [SERVER_ERROR](code, message, ref) {
    if (this.#closed) return;
    if (ref && ref.t === 'JOIN_SESSION') this.#wantJoined = false;
    // Unasked (no request type): the user was removed from the session. The
    // server has ended its presence and stopped its pushes.
    if (code === 'forbidden' && ref && ref.t === undefined) {
      this.#wantJoined = false;
      if (this.#joined) {
        this.#joined = false;
        fire(this, 'left', { sessionId: this.#sessionId, reason: 'removed' });
      }
    }
    // A refused command is its promise's business; only a refused subscription is retried.
    const subscription = !ref || !CLOCK_COMMANDS[ref.t];
    if (code === 'unavailable' && subscription && !this.#retryTimer) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        if (this.#owner.live()) this[RESUME]();
      }, this.#owner.options().resubscribeDelayMs);
    }
    fire(this, 'error', { code, message, ref });
  }
}

// --- playback rooms ---

/**
 * A room's position in seconds at server time `atServerMs`, from its
 * schedule (ROOM_STATE's currentTrack, or a PREPARE_PLAY / PLAY_AT):
 * playing, startPositionSec + (t − startAtServerMs) / 1000, never less than
 * startPositionSec (before the start it waits there); paused,
 * startPositionSec; idle, null.
 */
export function playbackPosition(track, atServerMs) {
  if (!track || !Number.isFinite(track.startPositionSec)) return null;
  if (track.status === 'idle') return null;
  if (track.status === 'paused' || !Number.isFinite(track.startAtServerMs)) return track.startPositionSec;
  return track.startPositionSec + Math.max(0, atServerMs - track.startAtServerMs) / 1000;
}

function trackOf(m) {
  return {
    url: m.trackUrl ?? null, title: m.title ?? null, filename: m.filename ?? null,
    startAtServerMs: m.startAtServerMs ?? null, startPositionSec: m.startPositionSec ?? null,
  };
}

const IDLE_TRACK = Object.freeze({
  url: null, title: null, filename: null, startAtServerMs: null, startPositionSec: null, status: 'idle',
});

/**
 * A playback room, as joined through a SessionClock (room() / createRoom()).
 * `state` is the last ROOM_STATE with every later PREPARE_PLAY, PAUSE_AT and
 * STOPPED applied to its currentTrack and version: members are sent those,
 * not a new state, on each change.
 */
export class Room extends EventTarget {
  #owner;
  #request;            // CREATE_ROOM or JOIN_ROOM, until the first state
  #code;
  #state = null;
  #before = null;      // the playing schedule a pending PAUSE_AT interrupts
  #closed = false;
  #nextRef = 1;
  #settle;
  joined;

  constructor(owner, request, key) {
    super();
    if (key !== ROOM_KEY) throw new TypeError('use SessionClock.room(code) or createRoom(code)');
    this.#owner = owner;
    this.#request = request;
    this.#code = request.code ?? null;
    /** Resolves with this room at its first ROOM_STATE; rejects with a RequestError if refused. */
    this.joined = new Promise((resolve, reject) => { this.#settle = { resolve, reject }; });
    this.joined.catch(() => {});  // awaiting it is optional
  }

  /** The room's code (upper case); null until a created room's first state. */
  get code() { return this.#code; }
  get state() { return this.#state; }
  get closed() { return this.#closed; }
  get version() { return this.#state ? this.#state.version : null; }
  get host() { return this.#state ? this.#state.host : null; }
  /** The token's user is the host (host controls are refused for anyone else). */
  get isHost() {
    const identity = this.#owner.identity();
    return Boolean(this.#state && identity && identity.sub === this.#state.host);
  }
  get currentTrack() { return this.#state ? this.#state.currentTrack : null; }
  /** 'idle', 'preparing' (a start ahead), 'playing' or 'paused', at now(). */
  get status() {
    const track = this.currentTrack;
    if (!track) return null;
    if (track.status === 'playing' || track.status === 'preparing') {
      return this.#owner.now() < track.startAtServerMs ? 'preparing' : 'playing';
    }
    return track.status;
  }

  /** Server epoch ms now (the owner's estimate). */
  now() { return this.#owner.now(); }

  /**
   * The position in seconds at server time `atServerMs` (default now()),
   * from the schedule: null when idle or before the first state. Between a
   * pause command and its instant, the playing schedule still applies.
   */
  positionSec(atServerMs = this.#owner.now()) {
    const track = this.currentTrack;
    if (track && track.status === 'paused' && this.#before && atServerMs < track.startAtServerMs) {
      return playbackPosition(this.#before, atServerMs);
    }
    return playbackPosition(track, atServerMs);
  }

  // Host controls. Each returns the request's `ref`, which an ERROR about it
  // echoes (the 'error' event's detail.ref.ref); success shows as the
  // room's next 'prepare', 'pause' or 'stop'.

  /** HOST_PLAY: every member starts `trackUrl` from startPositionSec at one server instant. */
  play({ trackUrl, title, filename, startPositionSec = 0, requestId } = {}) {
    if (typeof trackUrl !== 'string' || trackUrl === '') throw new TypeError('trackUrl must be a non-empty string');
    const message = { t: 'HOST_PLAY', trackUrl, startPositionSec };
    if (title != null) message.title = title;
    if (filename != null) message.filename = filename;
    if (requestId != null) message.requestId = requestId;
    return this.#sendRequest(message);
  }

  /** HOST_PAUSE: every member stops at one instant, at positionSec if given. */
  pause(positionSec, requestId) {
    const message = { t: 'HOST_PAUSE' };
    if (positionSec != null) message.positionSec = positionSec;
    if (requestId != null) message.requestId = requestId;
    return this.#sendRequest(message);
  }

  /** HOST_SEEK: the same status, from positionSec. */
  seek(positionSec, requestId) {
    if (!Number.isFinite(positionSec) || positionSec < 0) throw new TypeError('positionSec must be a number ≥ 0');
    const message = { t: 'HOST_SEEK', positionSec };
    if (requestId != null) message.requestId = requestId;
    return this.#sendRequest(message);
  }

  /** HOST_STOP: the room goes idle. */
  stop(requestId) {
    return this.#sendRequest(requestId != null ? { t: 'HOST_STOP', requestId } : { t: 'HOST_STOP' });
  }

  /** READY for `version` (the host sees who is ready; it never delays the start). */
  ready(version = this.version) {
    if (!Number.isInteger(version) || version < 1) throw new TypeError('version must be the room\'s version');
    return this.#sendRequest({ t: 'READY', version });
  }

  /** LEAVE_ROOM (the host cannot leave); the room closes with LEFT_ROOM. */
  leave() {
    return this.#sendRequest({ t: 'LEAVE_ROOM' });
  }

  #sendRequest(message) {
    if (this.#closed) throw new Error(`room ${this.#code ?? ''} is closed`);
    const ref = this.#nextRef++;
    if (!this.#owner.send({ ...message, ref })) {
      fire(this, 'error', { code: 'offline', message: 'not connected', ref: { t: message.t, ref } });
    }
    return ref;
  }

  #setState(state, cause, detail) {
    this.#state = Object.freeze(state);
    if (cause !== 'ROOM_STATE') {
      const type = { PREPARE_PLAY: 'prepare', PLAY_AT: 'play', PAUSE_AT: 'pause', STOPPED: 'stop' }[cause];
      fire(this, type, detail);
    }
    fire(this, 'state', { state: this.#state, cause });
  }

  // --- called by SessionClock ---

  [RESUME]() {
    if (this.#closed) return;
    this.#owner.send(this.#state ? { t: 'JOIN_ROOM', code: this.#code } : this.#request);
  }

  [DISCONNECTED]() { /* JOIN_ROOM again on RESUME */ }

  [MESSAGE](m) {
    if (this.#closed) return;
    if (this.#code && m.code && m.code !== this.#code) return;  // a room we left
    const { t, ...fields } = m;
    const current = this.#state;
    if (t === 'LEFT_ROOM') return this[CLOSE]('left');
    if (t === 'ROOM_STATE') {
      if (current && fields.version < current.version) return;
      this.#code = fields.code;
      if (!current || fields.version > current.version) this.#before = null;
      this.#setState(fields, t);
      if (!current) this.#settle.resolve(this);
      return;
    }
    if (!current || fields.version < current.version) return;  // before the state (it carries the schedule) or old
    let track;
    if (t === 'PREPARE_PLAY' || t === 'PLAY_AT') {
      this.#before = null;
      track = { ...trackOf(fields), status: 'playing' };
    } else if (t === 'PAUSE_AT') {
      const was = current.currentTrack;
      this.#before = was && (was.status === 'playing' || was.status === 'preparing') ? was : this.#before;
      track = { ...(was || IDLE_TRACK), startAtServerMs: fields.atServerMs, startPositionSec: fields.positionSec, status: 'paused' };
    } else if (t === 'STOPPED') {
      this.#before = null;
      track = IDLE_TRACK;
    } else {
      return;
    }
    this.#setState({ ...current, currentTrack: Object.freeze(track), version: fields.version }, t, fields);
  }

  [SERVER_ERROR](code, message, ref) {
    if (this.#closed) return;
    if (!this.#state && (ref.t === 'CREATE_ROOM' || ref.t === 'JOIN_ROOM')) {
      const error = new RequestError(code, message, ref);
      if (code === 'unavailable') {
        fire(this, 'error', { code, message, ref });  // the database is down: asked again on the next connection
        return;
      }
      this.#settle.reject(error);
      fire(this, 'error', { code, message, ref });
      this[CLOSE]('refused');
      return;
    }
    fire(this, 'error', { code, message, ref });
  }

  [CLOSE](reason) {
    if (this.#closed) return;
    this.#closed = true;
    this.#settle.reject(new RequestError('closed', `the room was ${reason} before its state arrived`, null));
    this.#owner.forget(this);
    fire(this, 'left', { code: this.#code, reason });
  }
}

// --- media ---

export const DEFAULT_MEDIA_SYNC = Object.freeze({
  toleranceMs: 25,          // drift within this is left alone
  seekThresholdMs: 300,     // drift beyond this seeks; between, the rate is nudged
  minRateDelta: 0.02,       // nudges: ±2 % … ±5 %, proportional to the drift
  maxRateDelta: 0.05,
  correctionSec: 2,         // a nudge aims to close the drift in about this long
  checkIntervalMs: 250,
  spinMs: 40,               // the last stretch before a start is waited out in a loop: timers fire late
  resolveSource: (track) => track.url,  // the element's source for a track (null: none, reported to onError)
  startLagMs: 0,            // the element's start-up lag before one is measured
  learnStartLag: true,      // measure it after each start and seek, apply it to the next
});

// After a start or seek, the element's drift is read this often until it
// holds still (within STEADY_MS over STEADY_READINGS readings while the
// element's clock runs): the start-up stall is over. Chromium's stall may
// hold, run a little, and hold again: a window of 150 ms, not 100, and up to
// CORRECTIONS seeks a start. Given up after SETTLE_MAX_MS.
const SETTLE_POLL_MS = 50;
const STEADY_MS = 5;
const STEADY_READINGS = 4;
const CORRECTIONS = 2;
const SETTLE_MAX_MS = 2000;
const LOAD_WAIT_MS = 10_000;  // a late joiner's element is given this long to load before it is started anyway

/**
 * What to do about `driftMs` (media position − schedule; positive: ahead):
 * nothing within tolerance (once nudging, until within half of it, so the
 * rate does not flap at the edge), a rate nudge for small drift, a seek for
 * large.
 */
export function driftCorrection(driftMs, options = {}, nudging = false) {
  const o = { ...DEFAULT_MEDIA_SYNC, ...options };
  const size = Math.abs(driftMs);
  if (!Number.isFinite(driftMs)) return { action: 'none', rate: 1 };
  if (size > o.seekThresholdMs) return { action: 'seek', rate: 1 };
  if (size <= (nudging ? o.toleranceMs / 2 : o.toleranceMs)) return { action: 'none', rate: 1 };
  const delta = Math.min(o.maxRateDelta, Math.max(o.minRateDelta, size / 1000 / o.correctionSec));
  return { action: 'rate', rate: driftMs > 0 ? 1 - delta : 1 + delta };
}

function waitUntil(clock, atServerMs, spinMs, then) {
  const delay = atServerMs - clock() - spinMs;
  return setTimeout(() => {
    while (clock() < atServerMs) { /* spin: the last few ms */ }
    then();
  }, Math.max(0, delay));
}

/**
 * Keeps a media element (or anything with its currentTime, playbackRate,
 * paused, src, preload, play(), pause()) on the room's schedule: loads the
 * track's source (options.resolveSource(track), default its URL; null: none,
 * the element is emptied and onError told) and positions it on PREPARE_PLAY
 * (and sends READY once it can play), starts it at startAtServerMs less the
 * element's start-up lag (a timer to just before, then a spin), starts a late
 * joiner once its element can play, at the current position plus that lag, measures the lag after each
 * start and seek (and seeks ahead by it when outside the tolerance), nudges
 * the rate for small drift and seeks for large, pauses at PAUSE_AT's instant, stops on STOPPED. A play() the
 * browser refuses (autoplay policy) calls onAutoplayBlocked({ resume }):
 * call resume() from a user gesture ("tap to start").
 * Returns { resume, detach }.
 */
export function syncMedia(room, media, options = {}) {
  const o = { ...DEFAULT_MEDIA_SYNC, ...options };
  const now = () => room.now();
  let applied = null;       // the schedule last acted on
  let startTimer = null;
  let pauseTimer = null;
  let nudging = false;
  let blocked = false;
  let readySent = null;
  let detached = false;
  let loaded = false;       // the current track has a source
  // Start-up lag. After play() or a seek, a real element's clock holds while
  // the browser's audio output fills (headless Chromium: 100–135 ms), then
  // runs at rate 1 that far behind: it reports what is being heard. The lag
  // is measured once the clock runs steadily and applied to what follows:
  // play() that much before the instant, seek that much ahead. A start that
  // still ends up outside the tolerance (the first, before anything was
  // measured) is corrected by a seek at once, not by seconds of nudging.
  const clampLag = (ms) => Math.min(o.seekThresholdMs, Math.max(0, Number(ms) || 0));
  let lagMs = clampLag(o.startLagMs);
  let settling = null;      // after a start or seek, until the element's clock runs steadily
  let settleTimer = null;

  const position = (seconds) => {
    try { media.currentTime = seconds; } catch { /* no media yet: set again at the start */ }
  };
  const clearTimers = () => {
    clearTimeout(startTimer);
    clearTimeout(pauseTimer);
    clearTimeout(settleTimer);
    startTimer = pauseTimer = settleTimer = null;
    settling = null;
  };
  // Where the element must be now to be on the schedule once its lag is over.
  const aheadTarget = () => room.positionSec(now() + lagMs);

  // Loads the track's source (resolveSource's answer); false when there is
  // none, after dropping the clip the element had (it would play on).
  function load(track) {
    if (!track.url) return unload();
    let source;
    try { source = o.resolveSource(track); } catch (e) { report(e); return unload(); }
    if (source == null) {
      report(Object.assign(new Error(`no source for track ${track.url}`), { code: 'no_source', track }));
      return unload();
    }
    const base = typeof location !== 'undefined' ? location.href : undefined;
    let url = String(source);
    try { url = new URL(url, base).href; } catch { /* not a URL: a media-like object's own scheme */ }
    if (media.src !== url) media.src = url;  // the same source again would reload it from the start
    media.preload = 'auto';
    return true;
  }

  function unload() {
    media.pause();
    if (typeof media.removeAttribute === 'function') {
      if (media.hasAttribute?.('src') ?? true) {
        media.removeAttribute('src');
        media.load?.();  // an element keeps the clip it had until it loads again
      }
    } else if (media.src) {
      media.src = '';
    }
    return false;
  }

  function report(error) {
    if (!detached && o.onError) o.onError(error);
  }

  function play(version, late) {
    startTimer = null;
    const at = now();
    const target = aheadTarget();
    if (late || Math.abs(media.currentTime - target) * 1000 > o.toleranceMs) position(target);
    media.playbackRate = 1;
    nudging = false;
    let started;
    try { started = media.play(); } catch (e) { started = Promise.reject(e); }
    settleAfter();
    if (o.onStart) {
      o.onStart({ atServerMs: at, startAtServerMs: room.currentTrack.startAtServerMs, positionSec: target, late, version,
        startLagMs: lagMs });
    }
    Promise.resolve(started).catch((e) => {
      if (detached) return;
      if (e && e.name === 'NotAllowedError') {
        blocked = true;
        if (o.onAutoplayBlocked) o.onAutoplayBlocked({ resume });
      } else if (o.onError) {
        o.onError(e);
      }
    });
  }

  function apply(state, cause) {
    const track = state.currentTrack;
    const key = `${state.version}|${track.status === 'preparing' ? 'playing' : track.status}|${track.startAtServerMs}|${track.startPositionSec}`;
    if (key === applied) return;  // PLAY_AT after its PREPARE_PLAY: already scheduled or started
    applied = key;
    clearTimers();
    loaded = false;
    if (track.status === 'playing' || track.status === 'preparing') {
      if (!(loaded = load(track))) return;
      if (media.readyState >= 3) queueMicrotask(onCanPlay);  // no 'canplay' for a source already loaded
      const playAt = track.startAtServerMs - lagMs;
      if (now() < playAt) {
        media.pause();
        position(track.startPositionSec);
        startTimer = waitUntil(now, playAt, o.spinMs, () => play(state.version, false));
      } else if (now() >= track.startAtServerMs && media.readyState < 3) {
        // A late joiner whose element is still loading: started now, the
        // load would count as start-up lag (the schedule runs on while
        // nothing plays) and the first correction would overshoot by it.
        // Started once it can play, at the position then.
        whenPlayable(() => play(state.version, true));
      } else {
        play(state.version, now() >= track.startAtServerMs);
      }
    } else if (track.status === 'paused') {
      const stop = () => {
        pauseTimer = null;
        media.pause();
        media.playbackRate = 1;
        position(track.startPositionSec);
      };
      if (cause === 'PAUSE_AT' && now() < track.startAtServerMs && !media.paused) {
        loaded = true;  // playing the track until the instant
        pauseTimer = waitUntil(now, track.startAtServerMs, o.spinMs, stop);
      } else if ((loaded = load(track))) {
        stop();
      }
    } else {
      media.pause();
      media.playbackRate = 1;
    }
  }

  // Runs `then` once the element has data to play (readyState >= 3,
  // HAVE_FUTURE_DATA), or after LOAD_WAIT_MS anyway (a source that never
  // loads then fails in play(), which reports it); cancelled with the other
  // timers by the next change.
  function whenPlayable(then) {
    const deadline = now() + LOAD_WAIT_MS;
    const check = () => {
      startTimer = null;
      if (media.readyState >= 3 || now() >= deadline) then();
      else startTimer = setTimeout(check, SETTLE_POLL_MS / 2);
    };
    check();
  }

  function seekAhead() {
    position(aheadTarget());
    media.playbackRate = 1;
    nudging = false;
  }

  function settleAfter(corrections = CORRECTIONS) {
    clearTimeout(settleTimer);
    settleTimer = null;
    settling = null;
    if (!o.learnStartLag) return;
    const from = now();
    settling = { corrections, readings: [], deadline: from + SETTLE_MAX_MS };
    // Not before the instant: until then the schedule waits at the start, like an element that has not started.
    const startAt = room.currentTrack?.startAtServerMs;
    settleTimer = setTimeout(settle, Math.max(0, (startAt ?? from) - from) + SETTLE_POLL_MS);
  }

  function settle() {
    settleTimer = null;
    const s = settling;
    if (!s || detached || blocked || !loaded || room.status !== 'playing') {
      settling = null;
      return;
    }
    const at = now();
    const current = media.currentTime;
    const reading = { at, current, drift: (current - room.positionSec(at)) * 1000, paused: media.paused };
    const last = s.readings.slice(1 - STEADY_READINGS);
    s.readings.push(reading);
    const steady = last.length === STEADY_READINGS - 1 && last.every((r) => !r.paused) && !reading.paused
      && Math.max(...last.map((r) => Math.abs(r.drift - reading.drift))) <= STEADY_MS
      && current - last[0].current >= (at - last[0].at) / 2000;  // moving: an element held at the start reads steady too
    if (!steady) {
      if (at < s.deadline) settleTimer = setTimeout(settle, SETTLE_POLL_MS);
      else settling = null;  // never steady (a stalled network?): left to the nudges and seeks
      return;
    }
    settling = null;
    // This start's lag is what was compensated plus what is left. A small
    // residue is noise (Chromium varies by ±15 ms from start to start):
    // averaged. A large one is a new lag (another output device): taken.
    const observed = lagMs - reading.drift;
    const outside = Math.abs(reading.drift) > o.toleranceMs;
    lagMs = clampLag(outside ? observed : (lagMs + observed) / 2);
    if (outside && s.corrections > 0 && Math.abs(reading.drift) <= o.seekThresholdMs) {
      seekAhead();
      settleAfter(s.corrections - 1);  // then the nudges
    }
  }

  function check() {
    if (detached || blocked || settling || !loaded || media.paused || room.status !== 'playing') return;
    const expected = room.positionSec(now());
    const drift = (media.currentTime - expected) * 1000;
    const c = driftCorrection(drift, o, nudging);
    if (c.action === 'seek') {
      seekAhead();
      settleAfter();
    } else {
      nudging = c.action === 'rate';
      if (media.playbackRate !== c.rate) media.playbackRate = c.rate;
    }
    if (o.onDrift) o.onDrift({ driftMs: drift, action: c.action, rate: c.rate });
  }

  function onCanPlay() {
    const version = room.version;
    if (version == null || readySent === version || room.closed) return;
    readySent = version;
    if (o.sendReady !== false) room.ready(version);
  }

  /** Starts playback from a user gesture after the browser refused to autoplay. */
  function resume() {
    blocked = false;
    if (loaded && room.status === 'playing') {
      seekAhead();
      const started = Promise.resolve(media.play());
      settleAfter();  // the clock first runs once play() resolves: measured then, and corrected if need be
      return started;
    }
    return Promise.resolve();
  }

  const onState = (e) => apply(e.detail.state, e.detail.cause);
  room.addEventListener('state', onState);
  if (typeof media.addEventListener === 'function') media.addEventListener('canplay', onCanPlay);
  const checker = setInterval(check, o.checkIntervalMs);
  if (room.state) apply(room.state, 'ROOM_STATE');

  return {
    resume,
    detach() {
      detached = true;
      clearTimers();
      clearInterval(checker);
      room.removeEventListener('state', onState);
      if (typeof media.removeEventListener === 'function') media.removeEventListener('canplay', onCanPlay);
    },
  };
}
