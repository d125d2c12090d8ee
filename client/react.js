// react.js: React bindings of the client (the package's `./react` subpath):
// one SessionClock for a tree, hooks that re-render only when what they show
// changes, and seed 002's ServerClock. Written without JSX, so it ships as a
// plain ES module; `react` (18 or later) is a peer dependency, and the rest
// of the client stays free of it. Types in react.d.ts; docs/react.md.
//
//   <SessionClockProvider url="https://clock.example" token={jwt}>
//     <ServerClock compact />
//   </SessionClockProvider>

import {
  createContext, createElement as h, useCallback, useContext, useEffect, useMemo, useRef, useState,
  useSyncExternalStore,
} from 'react';

import { RequestError } from './request-error.js';
import { SessionClock } from './session-clock.js';

// undefined outside a provider; null inside one until its clock exists (its first effect).
const ClockContext = createContext(undefined);
ClockContext.displayName = 'SessionClock';

/**
 * One SessionClock for the tree below. A new `url` makes a new connection;
 * `options` are read when it is made; a new `token` goes through setToken()
 * on the same connection. Unmounting closes it (a tick later).
 */
export function SessionClockProvider({ url, token = null, options, children }) {
  const [clock, setClock] = useState(null);
  const latest = useRef(null);
  latest.current = { options, token };
  const sentToken = useRef(null);  // what the clock's AUTH carries
  const kept = useRef(null);       // { clock, url, closing }
  const address = String(url);     // a URL object made on each render is the same address

  useEffect(() => {
    let entry = kept.current;
    if (entry && entry.url === address && entry.closing) {
      clearTimeout(entry.closing);  // StrictMode's remount: keep the connection
      entry.closing = null;
    } else {
      const { options: made, token: first } = latest.current;
      entry = { clock: new SessionClock(address, { ...made, token: first }), url: address, closing: null };
      sentToken.current = first;
      kept.current = entry;
    }
    setClock(entry.clock);
    // Closed a tick later, so StrictMode's unmount-and-mount again does not
    // open a second socket (closing the first before it is even open).
    return () => {
      entry.closing = setTimeout(() => {
        entry.clock.close();
        if (kept.current === entry) kept.current = null;
      }, 0);
    };
  }, [address]);

  // A new token is sent on the open connection: no reconnect, and the
  // server re-checks followed clocks only if the user changed.
  useEffect(() => {
    if (!clock || sentToken.current === token) return;
    sentToken.current = token;
    clock.setToken(token);
  }, [clock, token]);

  return h(ClockContext.Provider, { value: clock }, children);
}

/** The provider's SessionClock: null until it exists (the provider's first effect). */
export function useSessionClock() {
  const clock = useContext(ClockContext);
  if (clock === undefined) throw new Error('useSessionClock and the session_clock hooks need a <SessionClockProvider> above');
  return clock;
}

const localNow = () => performance.timeOrigin + performance.now();
const SYNC_EVENTS = ['sync'];
const STATUS_EVENTS = ['status'];

// A value of `target` read on its `events` (no re-render unless it changed).
function useEventValue(target, events, read) {
  const subscribe = useCallback((notify) => {
    if (!target) return () => {};
    for (const type of events) target.addEventListener(type, notify);
    return () => { for (const type of events) target.removeEventListener(type, notify); };
  }, [target, events]);  // `events`: a module constant at every call site
  return useSyncExternalStore(subscribe, read, read);
}

// A value that advances at rate 1 with the server's clock while
// `source.moving()`, seen in whole steps of `stepMs`: a timer wakes at the
// instant it crosses the next step, so a component re-renders once per step
// (and on `events`, only if the stepped value changed), never per frame.
function useStepped(target, events, source, stepMs) {
  if (!(stepMs > 0)) throw new RangeError('the resolution must be a positive number of ms');
  const subscribe = useCallback((notify) => {
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      timer = null;
      const value = source.read();
      if (value == null || !source.moving()) return;
      const untilNext = stepMs - (((value % stepMs) + stepMs) % stepMs);
      // +1 ms: a timer may fire a little early; then it is armed again for the rest.
      timer = setTimeout(() => { notify(); arm(); }, untilNext + 1);
    };
    const changed = () => { notify(); arm(); };
    for (const type of events) target?.addEventListener(type, changed);
    arm();
    return () => {
      clearTimeout(timer);
      for (const type of events) target?.removeEventListener(type, changed);
    };
  }, [target, events, source, stepMs]);
  const snapshot = () => {
    const value = source.read();
    return value == null ? null : Math.floor(value / stepMs) * stepMs;
  };
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/**
 * The server's time in epoch ms, floored to `resolutionMs` (default 1000):
 * the component re-renders when the server's clock crosses the next
 * multiple of it, not more often. Local time until the first sync.
 */
export function useServerNow(resolutionMs = 1000) {
  const clock = useSessionClock();
  const source = useMemo(() => ({ read: () => (clock ? clock.now() : localNow()), moving: () => true }), [clock]);
  return useStepped(clock, SYNC_EVENTS, source, resolutionMs);
}

// --- seed 002's time_update, from a server instant ---

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const formatters = new Map();

function zoneFormatter(timeZone) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

// The wall clock in `timeZone` at `ms`: numbers, and the offset as +HH:MM.
function wallClock(ms, timeZone) {
  const parts = {};
  for (const { type, value } of zoneFormatter(timeZone).formatToParts(ms)) parts[type] = value;
  const offset = parts.timeZoneName.replace(/^GMT/, '') || '+00:00';  // 'GMT' alone is UTC
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second),
    offset: /^[+-]\d\d$/.test(offset) ? `${offset}:00` : offset,
  };
}

const two = (n) => String(n).padStart(2, '0');

/**
 * Seed 002's `time_update` for the server instant `ms` (floored to the
 * second), as its Django consumer formats it and the worker's /ws/time/
 * sends it: `datetime` isoformat(), `formatted` '%A, %B %d %Y, %I:%M:%S %p',
 * …, `timezone`; plus the worker's `timestamp_ms` and `utc_offset`.
 */
export function serverTimeData(ms, timeZone = 'UTC') {
  const second = Math.floor(ms / 1000) * 1000;
  const w = wallClock(second, timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()];
  const date = `${String(w.year).padStart(4, '0')}-${two(w.month)}-${two(w.day)}`;
  const clock24 = `${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
  const time = `${two(w.hour % 12 || 12)}:${two(w.minute)}:${two(w.second)} ${w.hour < 12 ? 'AM' : 'PM'}`;
  return {
    type: 'time_update',
    datetime: `${date}T${clock24}${w.offset}`,
    formatted: `${weekday}, ${MONTHS[w.month - 1]} ${two(w.day)} ${w.year}, ${time}`,
    date, time, time_24h: clock24,
    timestamp: Math.trunc(second / 1000), timestamp_ms: second,
    year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second,
    weekday, timezone: timeZone, utc_offset: w.offset,
  };
}

function epochMs(value) {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return new Date(value).getTime();  // an ISO string; NaN (so false below) when unparsable
}

/**
 * Seed 002's useServerTime(): `{ serverTime, timeData, isConnected,
 * isBeforeServerTime(iso), isAfterServerTime(iso) }`, plus `isSynced`;
 * re-renders once per server second. `serverTime` is a Date: local time
 * until the first sync (the seed's fallback); after it, the server's clock,
 * carried on by the last estimate while disconnected (a changed device clock
 * does not move it). `timeData` is null until the first sync.
 */
export function useServerTime({ timeZone = 'UTC' } = {}) {
  const clock = useSessionClock();
  const second = useServerNow(1000);
  const isConnected = useEventValue(clock, STATUS_EVENTS, () => clock?.status === 'live');
  const isSynced = useEventValue(clock, SYNC_EVENTS, () => Boolean(clock?.sync.synced));
  const serverTime = useMemo(() => new Date(second), [second]);
  const timeData = useMemo(() => (isSynced ? serverTimeData(second, timeZone) : null), [second, isSynced, timeZone]);
  // Against the clock at the call, not the rendered second.
  const now = useCallback(() => (clock ? clock.now() : localNow()), [clock]);
  const isBeforeServerTime = useCallback((when) => epochMs(when) < now(), [now]);
  const isAfterServerTime = useCallback((when) => epochMs(when) > now(), [now]);
  return { serverTime, timeData, isConnected, isSynced, isBeforeServerTime, isAfterServerTime };
}

// --- shared timers and rooms ---

// Components following one session through one SessionClock share its
// SessionTimer: joined while any of them asks, closed when the last lets go.
// Letting go waits a tick, so StrictMode's unmount-and-mount again sends
// neither a leave nor a second join.
const timerLeases = new WeakMap();  // SessionClock -> Map<sessionId, lease>

function timerLease(clock, sessionId) {
  let leases = timerLeases.get(clock);
  if (!leases) timerLeases.set(clock, (leases = new Map()));
  let lease = leases.get(sessionId);
  if (!lease) {
    const timer = clock.clock(sessionId);
    lease = { timer, users: 0, joiners: 0, view: { state: timer.state, joined: timer.joined, error: null } };
    const update = (change) => { lease.view = { ...lease.view, state: timer.state, joined: timer.joined, ...change }; };
    timer.addEventListener('change', () => update({ error: null }));
    timer.addEventListener('joined', () => update({}));
    timer.addEventListener('left', () => update({}));
    timer.addEventListener('error', (e) => update({ error: e.detail }));
    leases.set(sessionId, lease);
  }
  return lease;
}

function holdTimer(clock, sessionId, join) {
  const lease = timerLease(clock, sessionId);
  lease.users += 1;
  if (join && lease.joiners++ === 0) lease.timer.join();
  return () => setTimeout(() => {
    lease.users -= 1;
    if (join && --lease.joiners === 0 && lease.users > 0) lease.timer.leave();
    if (lease.users > 0) return;
    lease.timer.close();  // leaves first if joined
    timerLeases.get(clock)?.delete(sessionId);
  }, 0);
}

const TIMER_EVENTS = ['change', 'joined', 'left', 'error'];
const EMPTY_TIMER = Object.freeze({ state: null, joined: false, error: null });
const noClock = () => Promise.reject(new RequestError('offline', 'no SessionClock yet'));

/**
 * Follows a session timer: `elapsedMs` in steps of `resolutionMs` (default
 * 1000: one re-render per second while it runs, none while paused),
 * `isPaused`, `isEnded`, `participants`, `state`, `joined`, the last
 * `error`, and `pause(reason)`, `resume(reason)`, `stop(reason)` (promises
 * of { changed, version }). `join`: count this user as present while mounted.
 */
export function useSessionTimer(sessionId, { join = false, resolutionMs = 1000 } = {}) {
  const clock = useSessionClock();
  const [lease, setLease] = useState(null);
  useEffect(() => {
    if (!clock || !sessionId) return undefined;
    const release = holdTimer(clock, sessionId, join);
    setLease(timerLease(clock, sessionId));
    return () => { release(); setLease(null); };
  }, [clock, sessionId, join]);

  const timer = lease && lease.timer.sessionId === sessionId ? lease.timer : null;
  const view = useEventValue(timer, TIMER_EVENTS, () => (timer ? lease.view : EMPTY_TIMER));
  const source = useMemo(() => ({
    read: () => (timer ? timer.elapsedMs() : null),
    moving: () => Boolean(timer && timer.ready && !timer.isPaused && !timer.isEnded),
  }), [timer]);
  const elapsedMs = useStepped(timer, TIMER_EVENTS, source, resolutionMs);
  const controls = useMemo(() => ({
    pause: (reason) => (timer ? timer.pause(reason) : noClock()),
    resume: (reason) => (timer ? timer.resume(reason) : noClock()),
    stop: (reason) => (timer ? timer.stop(reason) : noClock()),
  }), [timer]);
  const { state } = view;
  return {
    elapsedMs, state, ready: state !== null, joined: view.joined, error: view.error,
    isPaused: state ? state.isPaused : null, isEnded: state ? state.endedAtMs != null : null,
    participants: state ? state.participants : null, timer, ...controls,
  };
}

// A connection is in one room at a time: the hooks on it share that Room,
// and the last to unmount leaves it (a tick later, as timers do; the host
// cannot leave: its room stays joined until the provider's connection closes).
const roomLeases = new WeakMap();  // SessionClock -> lease

function roomLease(clock, code, create) {
  const lease = roomLeases.get(clock);
  if (lease && !lease.room.closed && lease.room.code === code) return lease;
  const current = clock.currentRoom;
  const room = current && current.code === code ? current : create ? clock.createRoom(code) : clock.room(code);
  const fresh = { room, users: 0, view: { state: room.state, closed: room.closed, error: null } };
  const update = (change) => { fresh.view = { ...fresh.view, state: room.state, closed: room.closed, ...change }; };
  room.addEventListener('state', () => update({}));
  room.addEventListener('left', () => update({}));
  room.addEventListener('error', (e) => update({ error: e.detail }));
  roomLeases.set(clock, fresh);
  return fresh;
}

function holdRoom(lease) {
  lease.users += 1;
  return () => setTimeout(() => {
    lease.users -= 1;
    if (lease.users > 0 || lease.room.closed || lease.room.isHost) return;
    lease.room.leave();
  }, 0);
}

const ROOM_EVENTS = ['state', 'error', 'left'];
const NO_ROOM = Object.freeze({ state: null, closed: false, error: null });

/**
 * Joins the playback room `code` (or creates it, hosted by the token's
 * user, with `{ create: true }`): its `state`, `status` ('idle',
 * 'preparing', 'playing', 'paused'), `isHost`, `closed`, the last `error`,
 * and the controls `play`, `pause`, `seek`, `stop` (the host's), `ready`
 * and `leave` (each returns the request's ref; the result shows as the
 * next state, a refusal as `error`).
 */
export function useRoom(code, { create = false } = {}) {
  const clock = useSessionClock();
  const [lease, setLease] = useState(null);
  useEffect(() => {
    if (!clock || !code) return undefined;
    const held = roomLease(clock, String(code).toUpperCase(), create);
    const release = holdRoom(held);
    setLease(held);
    return () => { release(); setLease(null); };
  }, [clock, code, create]);

  const room = lease ? lease.room : null;
  const view = useEventValue(room, ROOM_EVENTS, () => (room ? lease.view : NO_ROOM));
  const status = useRoomStatus(room);
  const controls = useMemo(() => roomControls(room), [room]);
  return {
    room, state: view.state, status, isHost: Boolean(room && view.state && room.isHost), closed: view.closed,
    error: view.error, ...controls,
  };
}

// 'preparing' turns 'playing' at startAtServerMs: re-render then.
function useRoomStatus(room) {
  const subscribe = useCallback((notify) => {
    if (!room) return () => {};
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      notify();
      const start = room.currentTrack?.startAtServerMs;
      if (room.status === 'preparing' && Number.isFinite(start)) timer = setTimeout(arm, start - room.now() + 1);
    };
    room.addEventListener('state', arm);
    arm();
    return () => { clearTimeout(timer); room.removeEventListener('state', arm); };
  }, [room]);
  const read = () => (room ? room.status : null);
  return useSyncExternalStore(subscribe, read, read);
}

function roomControls(room) {
  const need = () => {
    if (!room) throw new Error('not in a room yet');
    return room;
  };
  return {
    play: (track) => need().play(track),
    pause: (positionSec, requestId) => need().pause(positionSec, requestId),
    seek: (positionSec, requestId) => need().seek(positionSec, requestId),
    stop: (requestId) => need().stop(requestId),
    ready: (version) => need().ready(version),
    leave: () => need().leave(),
  };
}

// --- seed 002's ServerClock ---

function clockText(data, showDate, showTime) {
  const day = `${data.weekday}, ${MONTHS[data.month - 1]} ${two(data.day)} ${data.year}`;
  if (showDate && showTime) return data.formatted;
  return showDate ? day : data.time;
}

/**
 * Seed 002's <ServerClock />: the server's time, once a second, in a
 * <time dateTime> element; a Live / Offline indicator; the time zone and
 * timestamp in its tooltip; "Loading…" until synced; a warning while
 * disconnected (full mode). `compact` shows the time only (unless
 * `showDate`). Unstyled: class names `server-clock`, `server-clock--compact`,
 * `server-clock--live|offline|loading` and `data-status`; the <time>
 * element is new each second, so a CSS animation on it pulses.
 */
export function ServerClock({ compact = false, showDate = !compact, showTime = true, className = '', timeZone = 'UTC' }) {
  const { timeData, isConnected } = useServerTime({ timeZone });
  const status = !timeData ? 'loading' : isConnected ? 'live' : 'offline';
  const classes = ['server-clock', compact && 'server-clock--compact', `server-clock--${status}`, className];
  const tooltip = timeData
    ? `Server time · ${timeData.timezone} (UTC${timeData.utc_offset}) · timestamp ${timeData.timestamp}`
    : 'Server time: synchronising';
  return h('div', { className: classes.filter(Boolean).join(' '), 'data-status': status, title: tooltip },
    h('span', { className: 'server-clock__indicator', role: 'status' },
      h('span', { 'aria-hidden': 'true' }, isConnected ? '🟢 ' : '🔴 '), isConnected ? 'Live' : 'Offline'),
    ' ',
    timeData
      ? h('time', { key: timeData.timestamp, className: 'server-clock__time', dateTime: timeData.datetime },
        clockText(timeData, showDate, showTime))
      : h('span', { className: 'server-clock__loading' }, 'Loading…'),
    !compact && timeData && !isConnected
      ? h('span', { className: 'server-clock__warning', role: 'alert' }, ' Time sync lost: showing the last estimate')
      : null);
}
