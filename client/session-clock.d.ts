// Type declarations for session-clock.js, the browser client of
// session_clock's worker (served by the worker at /session-clock.js; these at
// /session-clock.d.ts). The wire protocol: docs/protocol.md.
//
//   import { SessionClock } from 'http://127.0.0.1:8080/session-clock.js'
//   const sc = new SessionClock('http://127.0.0.1:8080', { token })
//   sc.addEventListener('sync', () => console.log(sc.sync.offsetMs, sc.sync.maxErrorMs))
//   const timer = sc.clock(sessionId)
//   timer.addEventListener('change', () => console.log(timer.isPaused))
//   requestAnimationFrame(function draw() { show(timer.elapsedMs()); requestAnimationFrame(draw) })
//   const room = sc.room('K7Q2PX')                  // a playback room (docs/rooms.md)
//   syncMedia(room, audio, { onAutoplayBlocked: ({ resume }) => showTapToStart(resume) })

/** Options of the estimator (client/time-estimator.js). */
export interface EstimatorOptions {
  /** Most samples kept. Default 256. */
  windowSize: number;
  /** Oldest sample kept, in ms. Default 64 000. */
  windowMs: number;
  /** Once synced, a correction larger than this steps; smaller ones are slewed. Default 50 ms. */
  stepThresholdMs: number;
  /** Largest slew, as a fraction of elapsed time (0 < rate < 1: never backwards). Default 0.05. */
  slewRate: number;
  /** The first samples of a fresh estimate step freely (the initial burst converges at once). Default 4. */
  stepSamples: number;
  /** How fast a sample's interval widens with its age, in ppm. Default 15 (NTP's PHI). */
  driftPpm: number;
  /** The local clock's reading granularity, in ms (SessionClock measures it). Default 0. */
  resolutionMs: number;
}

/** One exchange, as the estimator keeps it (ms, local base). */
export interface Sample {
  offset: number;
  /** Round trip minus the server's processing time. */
  delay: number;
  /** t2 − t1: the offset is at most this. */
  up: number;
  /** t4 − t3: the offset is at least minus this. */
  down: number;
  roundTrip: number;
  /** Local receive time (t4). */
  at: number;
}

/** TimeEstimator.snapshot(): the estimate at a local time. */
export interface EstimatorSnapshot {
  offsetMs: number;
  /** The estimate (the middle of the samples' intersection), which offsetMs slews towards. */
  targetOffsetMs: number;
  maxErrorMs: number;
  rttMs: number;
  delayMs: number;
  synced: boolean;
  samples: number;
  steps: number;
  lastSampleAgeMs: number;
}

/** NTP's offset and delay of one exchange: t1 local send, t2 server receive, t3 server send, t4 local receive. */
export function computeSample(t1: number, t2: number, t3: number, t4: number): { offset: number; delay: number };

/**
 * The pure estimator behind SessionClock (also importable from
 * /time-estimator.js). Local times are passed in, on one monotonic base.
 */
export class TimeEstimator {
  constructor(options?: Partial<EstimatorOptions>);
  readonly options: Readonly<EstimatorOptions>;
  readonly synced: boolean;
  readonly sampleCount: number;
  readonly steps: number;
  /** How often samples contradicted each other (a clock stepped) and the window restarted. */
  readonly restarts: number;
  /** Likely error jitter still leaves: mean gap between each direction's lowest and second-lowest delay (ms). */
  readonly residualMs: number;
  /** Adds an exchange; null when unusable (non-finite stamps, t4 < t1, t3 < t2). */
  addSample(stamps: { t1: number; t2: number; t3: number; t4: number }): Sample | null;
  /** Offset (server − local) in force at local time localMs, slewing included. */
  offsetAt(localMs: number): number;
  /** Server epoch ms at local time localMs. */
  serverTime(localMs: number): number;
  snapshot(localMs: number): EstimatorSnapshot;
  /** Forgets the samples, keeps the estimate (a reconnect). */
  clearWindow(): void;
  /** Forgets samples and estimate state: the next sample steps (a local clock jump). */
  invalidate(): void;
}

/** Compares Date.now() with performance.now() advances to notice a wall-clock step or a suspend. */
export class ClockJumpDetector {
  constructor(options?: { thresholdMs?: number });
  check(wallMs: number, monoMs: number): { jumped: boolean; driftMs: number };
}

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
   * Bound on |now() − the server's clock|: half the round-trip delay of the
   * best recent sample, grown by its age at 15 ppm, plus any correction still
   * being slewed. Infinity until synced. Does not include the server's own
   * error against UTC (serverMaxErrorMs).
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
  /** The server host's kernel says its clock is not synchronised (TIME_PONG syncWarning). */
  serverSyncWarning: boolean;
  /** The server host kernel's maxerror (ms); NaN until known. */
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

/** An ERROR frame from the worker (docs/protocol.md), or a client-side failure. */
export interface ClockError {
  /** bad_field, unauthorized, forbidden, not_found, unavailable, rate_limited, … or connect_failed. */
  code: string;
  message: string;
  /** What the error answers: the request's type under `t` and its `sessionId`, if any; null if unknown. */
  ref: { t?: string; sessionId?: string; [key: string]: unknown } | null;
}

/**
 * Why a request was refused: the server's ERROR (`forbidden`, `not_found`,
 * `invalid_state`, `bad_field`, `unauthorized`, `unavailable`,
 * `rate_limited`, …), or on the client's side `offline` (not sent: not
 * connected), `disconnected` (the connection closed before the answer: the
 * command may or may not have been applied), `timeout`, `closed`.
 */
export class RequestError extends Error implements ClockError {
  constructor(code: string, message: string, ref?: ClockError['ref']);
  readonly name: 'RequestError';
  readonly code: string;
  readonly ref: ClockError['ref'];
}

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
export class SessionClock extends EventTarget {
  /**
   * @param url the worker's WebSocket URL (`ws://host:8080/ws`) or its HTTP
   *   origin (`http://host:8080`, made `ws://host:8080/ws`); relative URLs
   *   resolve against the page.
   */
  constructor(url: string | URL, options?: SessionClockOptions);

  /** The server's clock now, in epoch milliseconds (fractional). Before the first sync: the local base. */
  now(): number;
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
   * Joined again after every reconnect. Needs a user's token.
   */
  room(code: string): Room;
  /** Creates a room (CREATE_ROOM) with this code or a random one; the token's user hosts it. */
  createRoom(code?: string): Room;
  /** The room this client is in or joining, or null. */
  readonly currentRoom: Room | null;
  /** Closes for good: no reconnects; timers stop following. */
  close(): void;

  addEventListener<K extends keyof SessionClockEventMap>(
    type: K, listener: (this: SessionClock, ev: SessionClockEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SessionClockEventMap>(
    type: K, listener: (this: SessionClock, ev: SessionClockEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}

export interface SessionTimerEventMap {
  /** A new CLOCK_STATE (on subscribing, after every change, after a reconnect). */
  change: CustomEvent<{ state: ClockState }>;
  /** The server counts this connection's user as present (JOINED). */
  joined: CustomEvent<{ sessionId: string }>;
  /** No longer present: after leave(); the connection dropped ('disconnected'; re-joined on reconnect); the
   *  user was removed from the session ('removed'; the server also stopped its pushes: close the timer). */
  left: CustomEvent<{ sessionId: string; reason: 'left' | 'disconnected' | 'removed' }>;
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
export class SessionTimer extends EventTarget {
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
   * (`forbidden` for a non-member, `invalid_state` for a stopped clock, …).
   * Answers are matched by session and action, oldest first.
   */
  pause(reason?: string): Promise<ClockChange>;
  resume(reason?: string): Promise<ClockChange>;
  stop(reason?: string): Promise<ClockChange>;

  addEventListener<K extends keyof SessionTimerEventMap>(
    type: K, listener: (this: SessionTimer, ev: SessionTimerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SessionTimerEventMap>(
    type: K, listener: (this: SessionTimer, ev: SessionTimerEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}

/** The defaults of SessionClockOptions. */
export const DEFAULT_OPTIONS: Readonly<Required<Omit<SessionClockOptions, 'token' | 'estimator' | 'WebSocket'>>>;

/** A timer's position at server time `atServerMs` from its state (what SessionTimer.elapsedMs uses). */
export function elapsedAt(state: Pick<ClockState, 'startedAtMs' | 'isPaused' | 'totalPausedMs' |
  'lastStateChangeAtMs' | 'endedAtMs'> | null, atServerMs: number): number | null;

/** The WebSocket URL for a ws(s) URL or an http(s) origin (path `/` becomes `/ws`). */
export function socketUrl(url: string | URL): string;

/** The smallest step of a few performance.now() readings (ms; spins at most ~3 ms): the local clock's resolution. */
export function clockResolutionMs(now?: () => number): number;

/** A room's playback schedule (ROOM_STATE's currentTrack). Times are server epoch ms. */
export interface RoomTrack {
  url: string | null;
  title: string | null;
  filename: string | null;
  /** The instant the play, pause or seek takes effect. */
  startAtServerMs: number | null;
  /** The position at that instant, in seconds (null when idle). */
  startPositionSec: number | null;
  /** As sent (ROOM_STATE may say 'preparing'); the client stores later plays as 'playing' — Room.status tells them apart by now(). */
  status: 'idle' | 'preparing' | 'playing' | 'paused';
}

/** ROOM_STATE's fields, with every later PREPARE_PLAY, PAUSE_AT and STOPPED applied to currentTrack and version. */
export interface RoomState {
  code: string;
  host: string;
  /** The first 200 members; `ready`: said READY for the current version. */
  members: { id: string; ready: boolean }[];
  memberCount: number;
  currentTrack: Readonly<RoomTrack>;
  serverNowMs: number;
  version: number;
  leadMs: number;
}

/** PREPARE_PLAY and PLAY_AT (the same fields: a member that missed one can start on the other). */
export interface PlayFrame {
  code: string;
  trackUrl: string;
  title: string;
  filename: string;
  startAtServerMs: number;
  startPositionSec: number;
  version: number;
}

export interface RoomEventMap {
  /** The state changed: a ROOM_STATE, or a frame applied to it (`cause`: its type). */
  state: CustomEvent<{ state: Readonly<RoomState>; cause: 'ROOM_STATE' | 'PREPARE_PLAY' | 'PLAY_AT' | 'PAUSE_AT' | 'STOPPED' }>;
  /** PREPARE_PLAY: load and position now; start at startAtServerMs. */
  prepare: CustomEvent<PlayFrame>;
  /** PLAY_AT, sent at startAtServerMs. */
  play: CustomEvent<PlayFrame>;
  /** PAUSE_AT: stop at atServerMs, on positionSec. */
  pause: CustomEvent<{ code: string; atServerMs: number; positionSec: number; version: number }>;
  /** STOPPED: the room is idle. */
  stop: CustomEvent<{ code: string; version: number }>;
  /** An ERROR about a room request (`ref.t` its type, `ref.ref` what the control returned), or 'offline'. */
  error: CustomEvent<ClockError>;
  /** The room closed: LEFT_ROOM ('left'), another room ('replaced'), a refused join ('refused'), close() ('closed'). */
  left: CustomEvent<{ code: string | null; reason: 'left' | 'replaced' | 'refused' | 'closed' }>;
}

/**
 * A playback room joined through a SessionClock. Its position is derived
 * from the schedule and SessionClock.now(), never counted locally.
 * Host controls return the request's `ref` (echoed by an ERROR about it);
 * success shows as the room's next 'prepare', 'pause' or 'stop'.
 */
export class Room extends EventTarget {
  private constructor();
  /** Upper case; null until a room created without a code gets its first state. */
  readonly code: string | null;
  /** Null until the first ROOM_STATE (`ready` is the READY request here, not a flag as on SessionTimer). */
  readonly state: Readonly<RoomState> | null;
  /** Resolves at the first ROOM_STATE; rejects with a RequestError (not_found, conflict, forbidden, closed). */
  readonly joined: Promise<Room>;
  readonly closed: boolean;
  readonly version: number | null;
  readonly host: string | null;
  /** The token's user (AUTH_OK's sub) is the host. */
  readonly isHost: boolean;
  readonly currentTrack: Readonly<RoomTrack> | null;
  /** At now(): 'preparing' until startAtServerMs, then 'playing'; or 'paused', 'idle'; null before the state. */
  readonly status: 'idle' | 'preparing' | 'playing' | 'paused' | null;
  /** The owner's server time (SessionClock.now()). */
  now(): number;
  /** Position in seconds at `atServerMs` (default now()); null when idle. A pause ahead keeps the playing schedule until its instant. */
  positionSec(atServerMs?: number): number | null;
  play(track: { trackUrl: string; title?: string; filename?: string; startPositionSec?: number; requestId?: string }): number;
  pause(positionSec?: number, requestId?: string): number;
  seek(positionSec: number, requestId?: string): number;
  stop(requestId?: string): number;
  /** READY for `version` (default: the current one): the host sees it; it never delays the start. */
  ready(version?: number): number;
  /** LEAVE_ROOM (the host cannot leave). */
  leave(): number;

  addEventListener<K extends keyof RoomEventMap>(
    type: K, listener: (this: Room, ev: RoomEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RoomEventMap>(
    type: K, listener: (this: Room, ev: RoomEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}

/** A room's position at `atServerMs` from a schedule (what Room.positionSec uses). */
export function playbackPosition(track: Pick<RoomTrack, 'status' | 'startAtServerMs' | 'startPositionSec'> | null,
  atServerMs: number): number | null;

/** What syncMedia needs of a media element (an HTMLMediaElement, or a stand-in such as a Web Audio player). */
export interface MediaLike {
  src: string;
  preload: string;
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  play(): Promise<void> | void;
  pause(): void;
  addEventListener?(type: 'canplay', listener: () => void): void;
  removeEventListener?(type: 'canplay', listener: () => void): void;
  /** An element's: a track without a source drops the clip through these (a stand-in gets src = ''). */
  hasAttribute?(name: 'src'): boolean;
  removeAttribute?(name: 'src'): void;
  load?(): void;
}

export interface MediaSyncOptions {
  /** Drift within this is left alone. Default 25 ms. */
  toleranceMs: number;
  /** Drift beyond this seeks; between tolerance and this the rate is nudged. Default 300 ms. */
  seekThresholdMs: number;
  /** Rate nudges are ±minRateDelta … ±maxRateDelta, proportional to the drift. Defaults 0.02 and 0.05. */
  minRateDelta: number;
  maxRateDelta: number;
  /** A nudge aims to close the drift in about this long. Default 2 s. */
  correctionSec: number;
  /** How often the drift is measured. Default 250 ms. */
  checkIntervalMs: number;
  /** The last stretch before a start or pause is waited out in a loop (timers fire late on a busy host). Default 40 ms. */
  spinMs: number;
  /**
   * The element's source for a track: the room carries the same trackUrl to
   * every member, and a page may play it from its own copy (a blob: URL made
   * in the page, a signed or cached URL). null: this page has none; the
   * element is emptied, not started, and onError gets an Error with code
   * 'no_source' and the track. Default: track.url.
   */
  resolveSource: (track: RoomTrack) => string | null;
  /**
   * The element's start-up lag: after play() or a seek a real element's clock
   * holds while the browser's audio output fills (headless Chromium: 100–135
   * ms), then runs that far behind. syncMedia starts that much before the
   * instant and seeks that far ahead. This is the value before any is
   * measured. Default 0.
   */
  startLagMs: number;
  /**
   * Measure the lag once the element's clock runs steadily after each start
   * and seek (no nudges meanwhile), use it from then on, and correct a start
   * still outside toleranceMs with up to two seeks ahead by it. Default true;
   * false: the rate nudges alone close the lag (about 3.5 s for 120 ms).
   */
  learnStartLag: boolean;
}

export const DEFAULT_MEDIA_SYNC: Readonly<MediaSyncOptions>;

/** syncMedia's decision for a drift (media − schedule, ms; positive: ahead). */
export function driftCorrection(driftMs: number, options?: Partial<MediaSyncOptions>, nudging?: boolean):
  { action: 'none' | 'rate' | 'seek'; rate: number };

/**
 * Keeps `media` on the room's schedule: on PREPARE_PLAY loads the track's
 * source (resolveSource, default its trackUrl; preload) and sets currentTime,
 * then starts it at startAtServerMs less its start-up lag (a timer to just
 * before, then a spin) — or, when late, as soon as the element can play, at
 * the current position plus the lag; nudges playbackRate for small drift and seeks for large; pauses at
 * PAUSE_AT's instant; stops on STOPPED. Sends READY once the media can play
 * (unless sendReady is false). A play() the browser refuses calls
 * onAutoplayBlocked: call its resume() from a user gesture.
 */
export function syncMedia(room: Room, media: MediaLike, options?: Partial<MediaSyncOptions> & {
  /** play() was called: at atServerMs (startLagMs before the instant), from positionSec. */
  onStart?: (start: { atServerMs: number; startAtServerMs: number; positionSec: number; late: boolean; version: number;
    startLagMs: number }) => void;
  onAutoplayBlocked?: (blocked: { resume: () => Promise<void> }) => void;
  onDrift?: (drift: { driftMs: number; action: 'none' | 'rate' | 'seek'; rate: number }) => void;
  /** play() failed for another reason than autoplay, or resolveSource gave no source (code 'no_source', track). */
  onError?: (error: unknown) => void;
  sendReady?: boolean;
}): { resume(): Promise<void>; detach(): void };
