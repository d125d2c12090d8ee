// Types for react.js: the client's React bindings (the package's `./react`
// subpath; `react` 18 or later is a peer dependency). docs/react.md.
//
//   <SessionClockProvider url="https://clock.example" token={jwt}>
//     <ServerClock compact />
//   </SessionClockProvider>

import type { ReactElement, ReactNode } from 'react';
import type { ClockError } from './request-error.js';
import type { ClockChange, ClockState, SessionTimer } from './session-timer.js';
import type { Room, RoomState } from './room.js';
import type { SessionClock, SessionClockOptions } from './session-clock.js';

export interface SessionClockProviderProps {
  /** The worker's WebSocket URL or HTTP origin. A new url makes a new connection. */
  url: string | URL;
  /** The JWT; a new one is sent on the open connection (SessionClock.setToken), no reconnect. */
  token?: string | null;
  /** Read when the connection is made (a later change needs a new url, or a remount). */
  options?: Omit<SessionClockOptions, 'token'>;
  children?: ReactNode;
}

/** One SessionClock for the tree below; unmounting closes it. */
export function SessionClockProvider(props: SessionClockProviderProps): ReactElement;

/** The provider's SessionClock; null until it exists (the provider's first effect). Throws outside a provider. */
export function useSessionClock(): SessionClock | null;

/** The server's time in epoch ms, floored to `resolutionMs` (default 1000); re-renders once per step. */
export function useServerNow(resolutionMs?: number): number;

/**
 * Seed 002's `time_update` fields, as its Django consumer formats them and
 * the worker's /ws/time/ sends them, plus the worker's timestamp_ms and
 * utc_offset.
 */
export interface TimeData {
  type: 'time_update';
  /** isoformat(): `2025-12-05T12:45:22+00:00` */
  datetime: string;
  /** `Friday, December 05 2025, 12:45:22 PM` */
  formatted: string;
  /** `2025-12-05` */
  date: string;
  /** `12:45:22 PM` */
  time: string;
  /** `12:45:22` */
  time_24h: string;
  /** Epoch seconds. */
  timestamp: number;
  timestamp_ms: number;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** English: `Friday`. */
  weekday: string;
  /** The IANA zone asked for. */
  timezone: string;
  /** `+00:00` */
  utc_offset: string;
}

/** Seed 002's time_update for the server instant `ms` (floored to the second) in `timeZone` (default UTC). */
export function serverTimeData(ms: number, timeZone?: string): TimeData;

/** Seed 002's useServerTime() result, plus isSynced. */
export interface ServerTime {
  /** The server's time at the current second: local time until the first sync; the last estimate while offline. */
  serverTime: Date;
  /** Null until the first sync. */
  timeData: TimeData | null;
  /** The WebSocket is open. */
  isConnected: boolean;
  /** The time-sync estimate holds (SessionClock.sync.synced). */
  isSynced: boolean;
  /** `when` (ISO 8601 as Date parses it, a Date or epoch ms) is before the server's now; false if unparsable. */
  isBeforeServerTime(when: string | Date | number): boolean;
  /** `when` is after the server's now; false if unparsable. */
  isAfterServerTime(when: string | Date | number): boolean;
}

/** Seed 002's useServerTime(); re-renders once per server second. */
export function useServerTime(options?: { timeZone?: string }): ServerTime;

export interface SessionTimerView {
  /** Elapsed ms floored to the resolution; null before the first state. */
  elapsedMs: number | null;
  state: Readonly<ClockState> | null;
  ready: boolean;
  isPaused: boolean | null;
  isEnded: boolean | null;
  participants: number | null;
  /** The server counts this connection's user as present. */
  joined: boolean;
  /** The last ERROR about this session, cleared by the next state. */
  error: ClockError | null;
  /** The shared SessionTimer; null until followed. */
  timer: SessionTimer | null;
  /** Reject with a RequestError (code 'offline' before the provider's clock exists). */
  pause(reason?: string): Promise<ClockChange>;
  resume(reason?: string): Promise<ClockChange>;
  stop(reason?: string): Promise<ClockChange>;
}

/**
 * Follows a session timer while mounted; `join` counts the user as present
 * meanwhile. Re-renders once per `resolutionMs` (default 1000) of elapsed
 * time while it runs, and on each new state.
 */
export function useSessionTimer(sessionId: string | null | undefined,
  options?: { join?: boolean; resolutionMs?: number }): SessionTimerView;

export interface RoomView {
  /** The shared Room; null until joined. */
  room: Room | null;
  state: Readonly<RoomState> | null;
  status: 'idle' | 'preparing' | 'playing' | 'paused' | null;
  isHost: boolean;
  /** The room closed (refused, left, replaced). */
  closed: boolean;
  /** The last ERROR about a room request. */
  error: ClockError | null;
  /** Host controls and READY / LEAVE_ROOM: each returns the request's ref; throws before the room exists. */
  play(track: { trackUrl: string; title?: string; filename?: string; startPositionSec?: number; requestId?: string }): number;
  pause(positionSec?: number, requestId?: string): number;
  seek(positionSec: number, requestId?: string): number;
  stop(requestId?: string): number;
  ready(version?: number): number;
  leave(): number;
}

/** Joins (or with `create`, creates and hosts) the playback room `code` while mounted. */
export function useRoom(code: string | null | undefined, options?: { create?: boolean }): RoomView;

export interface ServerClockProps {
  /** The time only (unless showDate), for headers. */
  compact?: boolean;
  /** Default: !compact. */
  showDate?: boolean;
  /** Default: true. */
  showTime?: boolean;
  className?: string;
  /** IANA zone of the display (default UTC, as the seed's server). */
  timeZone?: string;
}

/**
 * Seed 002's <ServerClock />: Live/Offline indicator, a <time dateTime>
 * once per server second, tooltip with the zone and timestamp, "Loading…"
 * until synced, a warning while disconnected (full mode).
 */
export function ServerClock(props: ServerClockProps): ReactElement;
