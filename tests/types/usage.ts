// An app's use of the client, compiled (never run) by `tsc --noEmit` against
// the .d.ts files in client/: every export of the public entry, every option
// and every event, as an app would write them. The `@ts-expect-error` lines
// are misuses the declarations must reject (tsc fails if one compiles).
// noUnusedLocals (tsconfig.json) keeps every import here in use.

import {
  ClockJumpDetector, DEFAULT_MEDIA_SYNC, DEFAULT_OPTIONS, RequestError, Room, SessionClock, SessionTimer,
  TimeEstimator, clockResolutionMs, computeSample, driftCorrection, elapsedAt, playbackPosition, socketUrl, syncMedia,
} from '../../client/session-clock.js';
import type {
  ClockChange, ClockError, ClockState, ConnectionStatus, EstimatorOptions, EstimatorSnapshot, MediaLike,
  MediaSyncOptions, PlayFrame, RoomEventMap, RoomState, RoomTrack, Sample, SessionClockEventMap, SessionClockOptions,
  SessionTimerEventMap, SyncState,
} from '../../client/session-clock.js';
import { DEFAULT_ESTIMATOR_OPTIONS } from '../../client/time-estimator.js';

declare function show(...values: unknown[]): void;

// --- the connection and time sync ---

const options: SessionClockOptions = {
  token: 'jwt', burstSize: 32, burstSpacingMs: 30, burstMaxInFlight: 8, sharpenIntervalMs: 100, sharpenMs: 15_000,
  residualTargetMs: 0.1, roughPollIntervalMs: 1_000, pollIntervalMs: 10_000, minBurstGapMs: 2_000,
  pongTimeoutMs: 8_000, minBackoffMs: 250, maxBackoffMs: 10_000, resubscribeDelayMs: 2_000, requestTimeoutMs: 10_000,
  jumpCheckIntervalMs: 1_000, jumpThresholdMs: 100, estimator: { windowSize: 64, slewRate: 0.05 }, WebSocket,
};
const sc = new SessionClock('http://127.0.0.1:8080', options);
new SessionClock(new URL('ws://127.0.0.1:8080/ws'));
const defaults: number = DEFAULT_OPTIONS.burstSize + DEFAULT_OPTIONS.requestTimeoutMs;
const url: string = socketUrl(new URL('https://clock.example/')) + sc.url;
const resolution: number = clockResolutionMs() + clockResolutionMs(() => performance.now());

const serverNow: number = sc.now();
const sync: SyncState = sc.sync;
show(sync.offsetMs, sync.maxErrorMs, sync.rttMs, sync.synced, sync.delayMs, sync.samples, sync.steps,
  sync.lastSampleAgeMs, sync.serverSyncWarning, sync.serverMaxErrorMs, serverNow, defaults, url, resolution);
const iso: string | null = sc.nowISO();
const helper = sc.getStatus();
show(iso, helper.server.toUpperCase(), helper.offset?.toFixed(2), helper.lastSync?.length, helper.isSynced === true);
const status: ConnectionStatus = sc.status;
const identity = sc.identity;
if (identity) show(identity.sub?.toUpperCase(), identity.role, identity.expiresAtMs?.toFixed());
const lastError: ClockError | null = sc.lastError;
show(status, lastError?.code, lastError?.ref?.sessionId);
sc.setToken('another jwt');
sc.setToken(null);
sc.resync();

sc.addEventListener('sync', (e) => show(e.detail.offsetMs, e.detail.synced));
sc.addEventListener('status', function (e) {
  const now: ConnectionStatus = e.detail.status;
  show(now, this.status);  // `this` is the SessionClock
});
sc.addEventListener('clock', (e) => show(e.detail.sessionId, e.detail.state.version));
sc.addEventListener('error', (e) => show(e.detail.code, e.detail.message, e.detail.ref?.t));
sc.addEventListener('some-future-event', (e) => show(e.type));  // other types stay allowed
const onSync = (e: SessionClockEventMap['sync']) => show(e.detail.maxErrorMs);
sc.addEventListener('sync', onSync, { once: true });
sc.removeEventListener('sync', onSync);

// --- timers and clock commands ---

const timer: SessionTimer = sc.clock('6f1c2d3e-0000-4000-8000-000000000001');
const state: Readonly<ClockState> | null = timer.state;
if (state) show(state.sessionId, state.startedAtMs, state.isPaused, state.totalPausedMs, state.lastStateChangeAtMs,
  state.endedAtMs, state.elapsedMs, state.serverNowMs, state.version, state.participants, state.graceDeadlineMs,
  state.autoPaused, state.presenceTracked);
show(timer.sessionId, timer.ready, timer.isPaused, timer.isEnded, timer.participants, timer.graceDeadlineMs,
  timer.autoPaused, timer.presenceTracked, timer.version, timer.joined);
const elapsed: number | null = timer.elapsedMs() ?? timer.elapsedMs(sc.now() + 1000);
show(elapsed, elapsedAt(state, sc.now()), elapsedAt(null, 0));
show(elapsedAt({ startedAtMs: 0, isPaused: false, totalPausedMs: 0, lastStateChangeAtMs: 0, endedAtMs: null }, 5));
timer.join();
timer.leave();

async function drive(): Promise<void> {
  const started: ClockChange = await sc.startClock(timer.sessionId);
  const changes: ClockChange[] = await Promise.all([timer.pause(), timer.pause('break'), timer.resume('back'),
    timer.stop()]);
  show(started.changed, started.version, changes.length);
  try {
    await timer.pause();
  } catch (e) {
    if (e instanceof RequestError) show(e.name, e.code, e.message, e.ref?.t, e.ref?.sessionId);
  }
  const refused = new RequestError('forbidden', 'not a member', { t: 'PAUSE_CLOCK', sessionId: 's' });
  const asDetail: ClockError = refused;
  show(asDetail, new RequestError('timeout', 'no answer').ref);
}

timer.addEventListener('change', (e) => show(e.detail.state.isPaused));
timer.addEventListener('joined', (e) => show(e.detail.sessionId));
timer.addEventListener('left', function (e) {
  const { reason } = e.detail;
  switch (reason) {
    case 'left': show('left on request', this.joined); break;
    case 'disconnected': show('rejoined on reconnect'); break;
    case 'removed': this.close(); break;
    case 'superseded': show('joined elsewhere: offer to take it back', this.join); break;
    default: { const unknown: never = reason; show(unknown); }
  }
});
timer.addEventListener('error', (e) => show(e.detail.code));
const onLeft = (e: SessionTimerEventMap['left']) => show(e.detail.reason);
timer.removeEventListener('left', onLeft);
timer.close();

// --- rooms ---

const room: Room = sc.room('k7q2px');
const hosted: Room = sc.createRoom() ?? sc.createRoom('PARTY1') ?? sc.createRoom(undefined, { guests: true });
const asGuest: Room = new SessionClock('wss://example.com/ws').room('PARTY00001', { name: 'Ann' });
const current: Room | null = sc.currentRoom;
room.joined.then((joined: Room) => show(joined.code));
const roomState: Readonly<RoomState> | null = room.state;
if (roomState) {
  show(roomState.code, roomState.host, roomState.memberCount, roomState.serverNowMs, roomState.version,
    roomState.leadMs, roomState.members.map((m) => `${m.id}:${m.ready}`));
}
const track: Readonly<RoomTrack> | null = room.currentTrack;
if (track) show(track.url, track.title, track.filename, track.startAtServerMs, track.startPositionSec, track.status);
show(room.code, room.closed, room.version, room.host, room.isHost, room.status, room.now(), hosted, current, asGuest);
const position: number | null = room.positionSec() ?? room.positionSec(sc.now());
show(position, playbackPosition(track, sc.now()), playbackPosition(null, 0));
show(playbackPosition({ status: 'playing', startAtServerMs: 0, startPositionSec: 12.5 }, 1000));
const refs: number[] = [
  room.play({ trackUrl: 'https://media.example/a.mp3' }),
  room.play({ trackUrl: '/a.mp3', title: 'A', filename: 'a.mp3', startPositionSec: 30, requestId: 'r1' }),
  room.pause(), room.pause(42.5), room.pause(undefined, 'r2'), room.seek(10), room.seek(10, 'r3'),
  room.stop(), room.stop('r4'), room.ready(), room.ready(3), room.leave(),
];
show(refs);

room.addEventListener('state', (e) => {
  const cause: 'ROOM_STATE' | 'PREPARE_PLAY' | 'PLAY_AT' | 'PAUSE_AT' | 'STOPPED' = e.detail.cause;
  show(cause, e.detail.state.currentTrack.status);
});
const onPlay = (e: RoomEventMap['play']) => {
  const frame: PlayFrame = e.detail;
  show(frame.code, frame.trackUrl, frame.title, frame.filename, frame.startAtServerMs, frame.startPositionSec,
    frame.version);
};
room.addEventListener('prepare', onPlay);
room.addEventListener('play', onPlay);
room.addEventListener('pause', (e) => show(e.detail.code, e.detail.atServerMs, e.detail.positionSec, e.detail.version));
room.addEventListener('stop', (e) => show(e.detail.code, e.detail.version));
room.addEventListener('error', (e) => show(e.detail.code, e.detail.ref?.ref));
room.addEventListener('left', function (e) {
  const reason: 'left' | 'replaced' | 'refused' | 'closed' = e.detail.reason;
  show(reason, e.detail.code, this.closed);
});
room.removeEventListener('play', onPlay);

// --- media ---

const audio = new Audio();
const sync1 = syncMedia(room, audio);
const mediaOptions: Partial<MediaSyncOptions> = { toleranceMs: 20, seekThresholdMs: 250 };
const stand: MediaLike = {
  src: '', preload: 'auto', currentTime: 0, playbackRate: 1, paused: true, readyState: 4, play: () => Promise.resolve(),
  pause() {},
};
const sync2 = syncMedia(room, stand, {
  ...mediaOptions,
  minRateDelta: 0.01, maxRateDelta: 0.04, correctionSec: 3, checkIntervalMs: 200, spinMs: 30,
  resolveSource: (t: RoomTrack) => (t.url ? `blob:${t.url}` : null), startLagMs: 120, learnStartLag: false,
  sendReady: false,
  onStart: (s) => show(s.atServerMs, s.startAtServerMs, s.positionSec, s.late, s.version, s.startLagMs),
  onAutoplayBlocked: ({ resume }) => { document.body.addEventListener('click', () => { void resume(); }); },
  onDrift: (d) => show(d.driftMs, d.action, d.rate),
  onError: (error) => show(error),
});
sync1.addEventListener('drift', (e) => {
  const far: boolean = Math.abs(e.detail.driftMs) > 1500 && e.detail.action === 'seek' && e.detail.rate === 1;
  if (far) sync1.resync();
});
void sync1.resume().then(() => sync1.detach());
sync2.detach();
const media: Readonly<MediaSyncOptions> = DEFAULT_MEDIA_SYNC;
const decision: { action: 'none' | 'rate' | 'seek'; rate: number } = driftCorrection(40);
show(media.toleranceMs, decision, driftCorrection(40, { toleranceMs: 10 }, true).action);

// --- the estimator ---

const estimatorOptions: EstimatorOptions = { ...DEFAULT_ESTIMATOR_OPTIONS, resolutionMs: 0.1 };
const estimator = new TimeEstimator(estimatorOptions);
new TimeEstimator();
const sample: Sample | null = estimator.addSample({ t1: 0, t2: 5, t3: 5.1, t4: 10 });
if (sample) show(sample.offset, sample.delay, sample.up, sample.down, sample.roundTrip, sample.at);
const snapshot: EstimatorSnapshot = estimator.snapshot(11);
show(snapshot.offsetMs, snapshot.targetOffsetMs, snapshot.maxErrorMs, snapshot.rttMs, snapshot.delayMs,
  snapshot.synced, snapshot.samples, snapshot.steps, snapshot.lastSampleAgeMs);
show(estimator.options.windowSize, estimator.synced, estimator.sampleCount, estimator.steps, estimator.restarts,
  estimator.residualMs, estimator.offsetAt(12), estimator.serverTime(12));
estimator.clearWindow();
estimator.invalidate();
const jumps = new ClockJumpDetector({ thresholdMs: 50 });
const { jumped, driftMs } = jumps.check(Date.now(), performance.now());
const exchange: { offset: number; delay: number } = computeSample(0, 5, 5.1, 10);
show(jumped, driftMs, exchange, new ClockJumpDetector().check(0, 0));

void drive();
sc.close();

// --- misuse the declarations reject ---

// @ts-expect-error: the URL is a string or a URL
new SessionClock(8080);
// @ts-expect-error: no such option
new SessionClock('ws://h/ws', { burstsize: 32 });
// @ts-expect-error: a session id is a string
sc.clock(42);
// @ts-expect-error: status is read-only
sc.status = 'live';
// @ts-expect-error: a sync event's detail has no such field
sc.addEventListener('sync', (e) => show(e.detail.offset));
// @ts-expect-error: a timer leaves for 'left', 'disconnected' or 'removed' only
timer.addEventListener('left', (e) => show(e.detail.reason === 'kicked'));
// @ts-expect-error: timers come from SessionClock.clock()
new SessionTimer();
// @ts-expect-error: rooms come from SessionClock.room() and createRoom()
new Room();
// @ts-expect-error: a play needs its trackUrl
room.play({ title: 'no track' });
// @ts-expect-error: a seek needs its position
room.seek();
// @ts-expect-error: a room's state event names its cause
room.addEventListener('state', (e) => show(e.detail.cause === 'PLAY'));
// @ts-expect-error: tolerances are numbers
syncMedia(room, audio, { toleranceMs: '25' });
// @ts-expect-error: a media element needs play() and pause()
syncMedia(room, { src: '', preload: '', currentTime: 0, playbackRate: 1, paused: true });
// @ts-expect-error: a drift is a number of milliseconds
driftCorrection('40ms');
// @ts-expect-error: a status is 'live' or 'offline'
const connecting: ConnectionStatus = 'connecting';
show(connecting);
