// Type declarations for session-clock.js, the browser client of
// session_clock's worker, and its public entry: SessionClock here, the rest
// re-exported from the .d.ts beside each public module (served by the worker
// beside /session-clock.js, these at /session-clock.d.ts). The wire
// protocol: docs/protocol.md.
//
//   import { SessionClock } from 'http://127.0.0.1:8080/session-clock.js'
//   const sc = new SessionClock('http://127.0.0.1:8080', { token })
//   sc.addEventListener('sync', () => console.log(sc.sync.offsetMs, sc.sync.maxErrorMs))
//   const timer = sc.clock(sessionId)
//   timer.addEventListener('change', () => console.log(timer.isPaused))
//   requestAnimationFrame(function draw() { show(timer.elapsedMs()); requestAnimationFrame(draw) })
//   const room = sc.room('K7Q2PX')                  // a playback room (docs/rooms.md)
//   syncMedia(room, audio, { onAutoplayBlocked: ({ resume }) => showTapToStart(resume) })
//
// socketUrl and clockResolutionMs come from connection.js and time-sync.js,
// modules without types of their own: the rest of them is not public.

import type { TypedEventTarget } from './events.js';
import type { EstimatorOptions } from './time-estimator.js';
import type { ClockError } from './request-error.js';
import type { ClockChange, ClockState, SessionTimer } from './session-timer.js';
import type { Room } from './room.js';

export {
  computeSample, TimeEstimator, ClockJumpDetector, type EstimatorOptions, type Sample, type EstimatorSnapshot,
} from './time-estimator.js';
export * from './request-error.js';
export * from './session-timer.js';
export * from './room.js';
export * from './media-sync.js';

/** Connection state: 'live' while the WebSocket is open. */
export type ConnectionStatus = 'live' | 'offline';

/** The time-sync estimate (SessionClock.sync). All values in milliseconds. */
export interface SyncState {
  /**
   * Server clock minus this page's local base (performance.timeOrigin +
   * performance.now()), as now() applies it at this moment (slewing included).
   */
  offsetMs: number;
  /**
   * Bound on |now() − the database's clock|: half the round-trip delay of the
   * best recent sample, grown by its age at 15 ppm, plus any correction still
   * being slewed, plus the worker's own bound on its offset to the database
   * (serverMaxErrorMs). Infinity until synced, or while the worker has not
   * measured the database's clock.
   */
  maxErrorMs: number;
  /** Round trip of the most recent ping, server processing included. NaN before the first. */
  rttMs: number;
  /** True once a ping has been answered; false again after a local clock jump until the next answer. */
  synced: boolean;
  /** The lowest network delay in the window (round trip minus server processing). */
  delayMs: number;
  /** Samples in the window (cleared on reconnect). */
  samples: number;
  /** How often the offset stepped instead of slewing since synced. */
  steps: number;
  /** Local ms since the last answered ping. */
  lastSampleAgeMs: number;
  /** The worker cannot back its time: it has not read the database's clock lately enough (TIME_PONG syncWarning). */
  serverSyncWarning: boolean;
  /** The worker's bound on |its time − the database's clock| (ms; TIME_PONG maxErrorMs); NaN until known. */
  serverMaxErrorMs: number;
}

export interface SessionClockOptions {
  /**
   * A JWT for the worker (HS256/RS256/… as configured there; role
   * `authenticated` with a `sub`, or `service_role`). Sent with AUTH on every
   * connection. Without it, time sync works; clocks and presence do not.
   */
  token?: string | null;
  /** Pings sent on (re)connect, tab resume and clock jumps, without awaiting answers. Default 32. */
  burstSize?: number;
  /** Between burst pings. Default 30 ms (closer pings queue behind each other on a jittery path). */
  burstSpacingMs?: number;
  /** Burst pings unanswered at once, at most. Default 8. */
  burstMaxInFlight?: number;
  /** After a burst, while the estimator's residualMs exceeds residualTargetMs: a ping this often... Default 100 ms. */
  sharpenIntervalMs?: number;
  /** ...for at most this long after the burst began. Default 15 000 ms. */
  sharpenMs?: number;
  /** Likely error (ms) below which more samples are not worth sending. Default 0.1. */
  residualTargetMs?: number;
  /** A path still above residualTargetMs after sharpening is polled this often. Default 1 000 ms. */
  roughPollIntervalMs?: number;
  /** A quiet path (residual at or below the target) is polled this often. Default 10 000 ms. */
  pollIntervalMs?: number;
  /** resync() and tab resumes start at most one burst this often (connects and clock jumps always do). Default 2 000 ms. */
  minBurstGapMs?: number;
  /** A ping unanswered this long means the connection is dead: it is dropped and reopened. Default 8 000 ms. */
  pongTimeoutMs?: number;
  /**
   * Reconnect delay: uniformly random in [0, min(maxBackoffMs, minBackoffMs × 2^n)]
   * after the n-th failed attempt ("full jitter"); n resets once the server answers a ping.
   * Defaults 250 ms and 10 000 ms.
   */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Re-subscription delay after an `unavailable` error (the database was down). Default 2 000 ms. */
  resubscribeDelayMs?: number;
  /** A clock command (startClock, pause, resume, stop) unanswered this long is rejected with code 'timeout'. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** How often Date.now() and performance.now() are compared to detect a jump. Default 1 000 ms. */
  jumpCheckIntervalMs?: number;
  /** Disagreement between the two that counts as a jump. Default 100 ms. */
  jumpThresholdMs?: number;
  /** Options of the estimator (window, slewing, step threshold). */
  estimator?: Partial<EstimatorOptions>;
  /** A WebSocket constructor (default: globalThis.WebSocket), e.g. for Node or tests. */
  WebSocket?: new (url: string) => WebSocket;
}

export interface SessionClockEventMap {
  /** A new sample was taken, or a local clock jump voided the estimate. detail: SessionClock.sync */
  sync: CustomEvent<SyncState>;
  /** The connection opened or closed. */
  status: CustomEvent<{ status: ConnectionStatus }>;
  /** A CLOCK_STATE for a followed timer. */
  clock: CustomEvent<{ sessionId: string; state: ClockState }>;
  /** An ERROR frame (also delivered to the timer it concerns). */
  error: CustomEvent<ClockError>;
}

/**
 * One connection to a session_clock worker: the server's time, and the
 * session timers it follows. Reconnects by itself until close().
 */
export class SessionClock {
  /**
   * @param url the worker's WebSocket URL (`ws://host:8080/ws`) or its HTTP
   *   origin (`http://host:8080`, made `ws://host:8080/ws`); relative URLs
   *   resolve against the page.
   */
  constructor(url: string | URL, options?: SessionClockOptions);

  /** The server's clock now, in epoch milliseconds (fractional). Before the first sync: the local base. */
  now(): number;
  /** The server's clock now as ISO 8601 in UTC (`2025-10-05T04:37:12.768Z`), or null before the first sync. */
  nowISO(): string | null;
  /**
   * Seed 001's clock-helper status. `server`: the worker's host; `offset`:
   * server − local in ms; `lastSync`: the last sample's server time (ISO
   * 8601); both null until the first sync and after a local clock jump.
   */
  getStatus(): { server: string; offset: number | null; lastSync: string | null; isSynced: boolean };
  /** The time-sync estimate now. */
  readonly sync: SyncState;
  readonly status: ConnectionStatus;
  /** The WebSocket URL in use. */
  readonly url: string;
  /** What AUTH_OK said about the token, or null before it (or after a refused token). */
  readonly identity: { sub: string | null; role: string | null; expiresAtMs: number | null } | null;
  /** The last error event's detail, or null. */
  readonly lastError: ClockError | null;

  /**
   * Replaces the token: sent at once with AUTH when live (the server re-checks
   * followed timers), and on every later connection. `null` stops sending
   * one from the next connection on (the open one keeps its identity).
   */
  setToken(token: string | null): void;
  /** Follows the session timer `sessionId` (needs a token); the same object until it is closed. */
  clock(sessionId: string): SessionTimer;
  /**
   * Starts the session's clock (START_CLOCK), creating the session with the
   * token's user as host if it does not exist yet; a followed timer that had
   * no state follows again. Rejects with a RequestError.
   */
  startClock(sessionId: string): Promise<ClockChange>;
  /** A burst of pings now (it happens by itself on connect, tab resume and local clock jumps). */
  resync(): void;
  /**
   * Joins the playback room `code` (JOIN_ROOM; 4–12 letters or digits, any
   * case); the same Room while in it. A connection is in one room at a time:
   * joining or creating another closes this one ('left', reason 'replaced').
   * Joined again after every reconnect. Needs a user's token, or none at
   * all for a room that admits guests: this client is then a guest, shown
   * to the room as `name`, that listens and says READY but commands nothing.
   */
  room(code: string, options?: { name?: string }): Room;
  /**
   * Creates a room (CREATE_ROOM) with this code or a random one; the token's
   * user hosts it. guests: true admits tokenless guests (a random code is
   * then 10 characters; a chosen one must have at least 10).
   */
  createRoom(code?: string, options?: { guests?: boolean }): Room;
  /** The room this client is in or joining, or null. */
  readonly currentRoom: Room | null;
  /** Closes for good: no reconnects; timers stop following. */
  close(): void;
}
/** addEventListener and removeEventListener, typed by SessionClockEventMap. */
export interface SessionClock extends TypedEventTarget<SessionClockEventMap> {}

/** The defaults of SessionClockOptions. */
export const DEFAULT_OPTIONS: Readonly<Required<Omit<SessionClockOptions, 'token' | 'estimator' | 'WebSocket'>>>;

/** The WebSocket URL for a ws(s) URL or an http(s) origin (path `/` becomes `/ws`). */
export function socketUrl(url: string | URL): string;

/** The smallest step of a few performance.now() readings (ms; spins at most ~3 ms): the local clock's resolution. */
export function clockResolutionMs(now?: () => number): number;
