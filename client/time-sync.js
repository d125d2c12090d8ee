// time-sync.js: a SessionClock's estimate of the server's clock. Pings over
// the connection (a burst on connect, tab resume and local clock jumps, then
// polls paced by what more samples can still gain) feed their pongs to the
// estimator (time-estimator.js, pure); a ping unanswered for pongTimeoutMs
// means the connection is dead.

import { TimeEstimator, ClockJumpDetector } from './time-estimator.js';

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

// The server's stamps are the database's clock within the bound its pongs
// state (maxErrorMs: the worker's own offset to the database), so a bound
// against the database's clock adds it. A server that states none (an older
// one: the field absent, NaN here) adds nothing; null (not yet measured)
// makes the bound infinite: nothing backs it.
function serverError(ms) {
  return Number.isNaN(ms) ? 0 : ms;
}

export class TimeSync {
  #options;
  #connection;
  #onSync;                   // told the new state after each usable sample and each local clock jump
  #estimator;
  #jumps;
  #jumpTimer;
  #pollTimer = null;
  #burstTimer = null;
  #burstLeft = 0;
  #burstStartedAt = -Infinity; // local ms
  #sharpenUntil = -Infinity;    // local ms: polls are fast until then while the path is jittery
  #nextPingId = 1;
  #inFlight = new Map();     // pingId -> local send time
  #timeoutTimer = null;
  #serverHealth = { syncWarning: false, maxErrorMs: NaN };
  #lastRttMs = NaN;          // the latest round trip, reported in TIME_PING (rooms size their lead by it)
  #lastSampleServerMs = null; // when the server sent the last pong the estimator took (getStatus().lastSync)

  /** Starts watching the local clock for jumps at once; pings once the connection opens (connected()). */
  constructor(options, estimatorOptions, connection, onSync) {
    this.#options = options;
    this.#connection = connection;
    this.#onSync = onSync;
    this.#estimator = new TimeEstimator(estimatorOptions);
    this.#jumps = new ClockJumpDetector({ thresholdMs: options.jumpThresholdMs });
    this.#jumps.check(Date.now(), performance.now());
    this.#jumpTimer = setInterval(() => this.checkJump(), options.jumpCheckIntervalMs);
  }

  /** Server epoch milliseconds now (fractional). */
  now() {
    return this.#estimator.serverTime(localNow());
  }

  /** The server's time stamp on the last pong the estimate took, or null. */
  get lastSampleServerMs() {
    return this.#lastSampleServerMs;
  }

  /** The estimate now, and what the server says of its own clock (SessionClock.sync). */
  get state() {
    const s = this.#estimator.snapshot(localNow());
    return {
      offsetMs: s.offsetMs,
      maxErrorMs: s.maxErrorMs + serverError(this.#serverHealth.maxErrorMs),
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

  /** A new socket: a new path, perhaps a new server: new samples, from a burst. */
  connected() {
    this.#estimator.clearWindow();
    this.burst({ force: true });
  }

  /** The socket is gone: no more pings on it, and a late answer is not counted. */
  disconnected() {
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#burstTimer);
    clearTimeout(this.#timeoutTimer);
    this.#pollTimer = this.#burstTimer = this.#timeoutTimer = null;
    this.#burstLeft = 0;
    this.#inFlight.clear();
  }

  /** No more jump checks (the SessionClock is closed). */
  close() {
    clearInterval(this.#jumpTimer);
  }

  // A burst: burstSize pings burstSpacingMs apart, not waiting for answers
  // (a first estimate after one round trip, ~30 samples within a second).
  // Forced after a connect or a clock jump; otherwise (a tab resume, resync())
  // skipped while one runs or began less than minBurstGapMs ago, so rapid
  // tab switching cannot flood the server's rate limit.
  burst({ force }) {
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

  // The server dropped a message for the rate limit (its ERROR names none;
  // it may have been a ping, whose answer would then never come): end the
  // burst and the sharpening, forget the pings in flight (a late answer is
  // ignored) and go on at the steady poll, so the connection is neither
  // declared dead for a missing pong nor flooded into a 1008 close.
  slowDown() {
    clearTimeout(this.#burstTimer);
    clearTimeout(this.#timeoutTimer);
    this.#burstTimer = this.#timeoutTimer = null;
    this.#burstLeft = 0;
    this.#sharpenUntil = -Infinity;
    this.#inFlight.clear();
    if (this.#connection.live) this.#schedulePoll();
  }

  /** A TIME_PONG: a sample for the estimator, if it answers a ping of this socket. */
  pong(m) {
    const t4 = localNow();
    const t1 = this.#inFlight.get(m.pingId);
    if (t1 === undefined) return;  // not ours, or from before a reconnect
    this.#inFlight.delete(m.pingId);
    this.#lastRttMs = t4 - t1;
    if (this.#inFlight.size === 0) {
      clearTimeout(this.#timeoutTimer);
      this.#timeoutTimer = null;
    }
    this.#connection.healthy();
    if (typeof m.syncWarning === 'boolean') this.#serverHealth.syncWarning = m.syncWarning;
    if (typeof m.maxErrorMs === 'number') this.#serverHealth.maxErrorMs = m.maxErrorMs;
    else if (m.maxErrorMs === null) this.#serverHealth.maxErrorMs = Infinity;  // the server cannot back its stamps yet
    const t2 = m.serverReceiveMs ?? m.serverNowMs;
    const t3 = m.serverSendMs ?? m.serverNowMs;
    if (this.#estimator.addSample({ t1, t2, t3, t4 })) {
      this.#lastSampleServerMs = t3;
      this.#onSync(this.state);
    }
    if (this.#burstLeft === 0 && this.#inFlight.size === 0) this.#schedulePoll();
  }

  /** A local clock step or a suspend voids the estimate: start again with a burst. */
  checkJump() {
    const { jumped } = this.#jumps.check(Date.now(), performance.now());
    if (!jumped) return;
    this.#estimator.invalidate();
    this.#onSync(this.state);
    if (this.#connection.live) this.burst({ force: true });
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

  #ping() {
    if (!this.#connection.writable) return;
    const pingId = this.#nextPingId++;
    const t1 = localNow();
    this.#inFlight.set(pingId, t1);
    const ping = { t: 'TIME_PING', clientNowMs: t1, pingId };
    // The worker accepts [0, 60000]; a room's lead is sized from its members' round trips.
    if (Number.isFinite(this.#lastRttMs)) ping.rttMs = Math.min(60_000, Math.round(this.#lastRttMs * 1000) / 1000);
    this.#connection.send(ping);
    if (!this.#timeoutTimer) this.#armPongTimeout();
  }

  #armPongTimeout() {
    this.#timeoutTimer = setTimeout(() => {
      this.#timeoutTimer = null;
      if (this.#inFlight.size === 0) return;
      const oldest = Math.min(...this.#inFlight.values());
      if (localNow() - oldest >= this.#options.pongTimeoutMs) {
        this.#connection.abandon();  // half-open: close it ourselves and reconnect
      } else {
        this.#armPongTimeout();
      }
    }, this.#options.pongTimeoutMs);
  }
}
