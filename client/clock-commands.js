// clock-commands.js: the clock commands a SessionClock has sent and awaits.
// Answers carry no request id: CLOCK_CHANGED names the session and the
// action, ERROR's ref the type and the session. The worker answers one
// connection's commands for a session in order, so the oldest pending
// request that matches is the one answered.

import { RequestError } from './request-error.js';

// Clock commands and the action their CLOCK_CHANGED answer names.
const CLOCK_COMMANDS = Object.freeze({
  START_CLOCK: 'start', PAUSE_CLOCK: 'pause', RESUME_CLOCK: 'resume', STOP_CLOCK: 'stop',
});

/** A clock command's refusal is its promise's business, not a subscription's. */
export function isClockCommand(type) {
  return Boolean(CLOCK_COMMANDS[type]);
}

export class ClockCommands {
  #connection;
  #options;                  // requestTimeoutMs
  #pending = [];             // awaiting CLOCK_CHANGED or ERROR, oldest first

  constructor(connection, options) {
    this.#connection = connection;
    this.#options = options;
  }

  /** Sends the command; resolves with CLOCK_CHANGED's { changed, version }, rejects with a RequestError. */
  send(type, sessionId, reason) {
    if (typeof sessionId !== 'string' || sessionId === '') {
      return Promise.reject(new TypeError('sessionId must be a non-empty string'));
    }
    if (reason !== undefined && reason !== null && typeof reason !== 'string') {
      return Promise.reject(new TypeError('reason must be a string'));
    }
    if (this.#connection.closed) return Promise.reject(new RequestError('closed', 'the client was closed'));
    const message = { t: type, sessionId };
    if (reason != null) message.reason = reason;
    if (!this.#connection.live || !this.#connection.send(message)) {
      return Promise.reject(new RequestError('offline', 'not connected', { t: type, sessionId }));
    }
    return new Promise((resolve, reject) => {
      const entry = { type, action: CLOCK_COMMANDS[type], sessionId, resolve, reject, timer: null };
      entry.timer = setTimeout(() => {
        this.#settle(entry);
        reject(new RequestError('timeout', `no answer to ${type} in ${this.#options.requestTimeoutMs} ms`, { t: type, sessionId }));
      }, this.#options.requestTimeoutMs);
      this.#pending.push(entry);
    });
  }

  /** Resolves the command a CLOCK_CHANGED answers; false if it answers none. */
  changed(m) {
    const entry = this.#pending.find((c) => c.sessionId === m.sessionId && c.action === m.action);
    if (!entry) return false;
    this.#settle(entry);
    entry.resolve({ changed: Boolean(m.changed), version: m.version });
    return true;
  }

  /** Rejects the command an ERROR answers; false if it answers none. */
  refused(code, message, ref) {
    if (!ref || !isClockCommand(ref.t)) return false;
    const entry = this.#pending.find((c) => c.type === ref.t && c.sessionId === ref.sessionId);
    if (!entry) return false;
    this.#settle(entry);
    entry.reject(new RequestError(code, message, ref));
    return true;
  }

  /** Rejects every pending command: no answer can come any more. */
  failAll(code, message) {
    const pending = this.#pending;
    this.#pending = [];
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(new RequestError(code, message, { t: entry.type, sessionId: entry.sessionId }));
    }
  }

  #settle(entry) {
    clearTimeout(entry.timer);
    const i = this.#pending.indexOf(entry);
    if (i >= 0) this.#pending.splice(i, 1);
  }
}
