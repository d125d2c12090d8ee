// session-timer.js: one session timer as a SessionClock follows it. Its
// state always comes from the server; its position is derived from that
// state and the server time, never counted up locally.

import { isClockCommand } from './clock-commands.js';
import { fire } from './events.js';
import { RESUME, DISCONNECTED, MESSAGE, SERVER_ERROR, TIMER_KEY } from './hooks.js';

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

  // The server ended this connection's presence on its own: not joined
  // again after a reconnect unless the app asks.
  #leftBy(reason) {
    this.#wantJoined = false;
    if (!this.#joined) return;
    this.#joined = false;
    fire(this, 'left', { sessionId: this.#sessionId, reason });
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
    if (code === 'forbidden' && ref && ref.t === undefined) this.#leftBy('removed');
    // The user joined a single-device session from another connection: this
    // one's presence ended; the clock stays followed, and join() takes the
    // session back.
    if (code === 'superseded') this.#leftBy('superseded');
    // A refused command is its promise's business; only a refused subscription is retried.
    const subscription = !ref || !isClockCommand(ref.t);
    if (code === 'unavailable' && subscription && !this.#retryTimer) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        if (this.#owner.live()) this[RESUME]();
      }, this.#owner.options().resubscribeDelayMs);
    }
    fire(this, 'error', { code, message, ref });
  }
}
