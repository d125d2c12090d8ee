// Types for session-timer.js: a session timer followed through a
// SessionClock, and the arithmetic of its position.

import type { TypedEventTarget } from './events.js';
import type { ClockError } from './request-error.js';

/** CLOCK_CHANGED's answer to a clock command. */
export interface ClockChange {
  /** False when the clock already was in that state (a pause of a paused clock). */
  changed: boolean;
  /** The clock's version after the command; the CLOCK_STATE with it follows for every follower. */
  version: number;
}

/** A session timer's state, as the last CLOCK_STATE carried it. Times are server epoch ms. */
export interface ClockState {
  sessionId: string;
  startedAtMs: number;
  isPaused: boolean;
  /** Paused time before the current pause (the current one counts from lastStateChangeAtMs). */
  totalPausedMs: number;
  lastStateChangeAtMs: number;
  endedAtMs: number | null;
  /** Position at serverNowMs, as the server computed it. */
  elapsedMs: number | null;
  serverNowMs: number;
  /** Increases with every committed change. */
  version: number;
  /** Participants present now (docs/grace.md). */
  participants: number;
  /** While a grace period runs: the instant the clock pauses unless enough participants return; else null. */
  graceDeadlineMs: number | null;
  /** Paused by the grace rule (it resumes by itself). */
  autoPaused: boolean;
  /** The grace rule applies to this session. */
  presenceTracked: boolean;
}

export interface SessionTimerEventMap {
  /** A new CLOCK_STATE (on subscribing, after every change, after a reconnect). */
  change: CustomEvent<{ state: ClockState }>;
  /** The server counts this connection's user as present (JOINED). */
  joined: CustomEvent<{ sessionId: string }>;
  /** No longer present: after leave(); the connection dropped ('disconnected'; re-joined on reconnect); the
   *  user was removed from the session ('removed'; the server also stopped its pushes: close the timer); the
   *  user joined this single-device session from another connection ('superseded'; the clock stays followed,
   *  join() takes the session back). */
  left: CustomEvent<{ sessionId: string; reason: 'left' | 'disconnected' | 'removed' | 'superseded' }>;
  /** An ERROR about this session (forbidden, not_found, unavailable — retried —, …). */
  error: CustomEvent<ClockError>;
}

/**
 * A session timer followed through a SessionClock (SUBSCRIBE_CLOCK). Its
 * state always comes from the server — on subscribing, after every change,
 * and again after every reconnect — and its position is derived from that
 * state and SessionClock.now(), never counted up locally: it is right after
 * pauses, reconnects and page reloads.
 */
export class SessionTimer {
  private constructor();
  readonly sessionId: string;
  /** The last CLOCK_STATE, or null before the first. */
  readonly state: Readonly<ClockState> | null;
  /** A state has arrived. */
  readonly ready: boolean;
  /** These read the last state; null before it. */
  readonly isPaused: boolean | null;
  readonly isEnded: boolean | null;
  readonly participants: number | null;
  readonly graceDeadlineMs: number | null;
  readonly autoPaused: boolean | null;
  readonly presenceTracked: boolean | null;
  readonly version: number | null;
  /** The server counts this connection's user as present. */
  readonly joined: boolean;

  /**
   * The position in ms at server time `atServerMs` (default: now()):
   * running, atServerMs − startedAtMs − totalPausedMs; paused, frozen at
   * lastStateChangeAtMs; ended, at endedAtMs. Null before the first state.
   */
  elapsedMs(atServerMs?: number): number | null;
  /** Counts the token's user as present (JOIN_SESSION); repeated after reconnects until leave(). */
  join(): void;
  /** No longer present (LEAVE_SESSION); the timer keeps following the clock. */
  leave(): void;
  /** Stops following (leaving first if joined). SessionClock.clock() makes a new one. */
  close(): void;
  /**
   * Drive the clock (PAUSE_CLOCK, RESUME_CLOCK, STOP_CLOCK), as the token's
   * user: the extension's rule decides (members pause and resume, the host
   * stops). `reason` (at most 200 characters) goes to the event log. Resolves
   * with CLOCK_CHANGED's { changed, version } — the CLOCK_STATE with that
   * version reaches `change` separately; rejects with a RequestError
   * (`forbidden` for a non-member, `invalid_state` for a stopped clock, …),
   * or a plain Error once the timer is closed. Answers are matched by
   * session and action, oldest first.
   */
  pause(reason?: string): Promise<ClockChange>;
  resume(reason?: string): Promise<ClockChange>;
  stop(reason?: string): Promise<ClockChange>;
}
/** addEventListener and removeEventListener, typed by SessionTimerEventMap. */
export interface SessionTimer extends TypedEventTarget<SessionTimerEventMap> {}

/** A timer's position at server time `atServerMs` from its state (what SessionTimer.elapsedMs uses). */
export function elapsedAt(state: Pick<ClockState, 'startedAtMs' | 'isPaused' | 'totalPausedMs' |
  'lastStateChangeAtMs' | 'endedAtMs'> | null, atServerMs: number): number | null;
