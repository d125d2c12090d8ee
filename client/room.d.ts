// Types for room.js: a playback room joined through a SessionClock
// (docs/rooms.md), and the arithmetic of its position.

import type { TypedEventTarget } from './events.js';
import type { ClockError } from './request-error.js';

/** A room's playback schedule (ROOM_STATE's currentTrack). Times are server epoch ms. */
export interface RoomTrack {
  url: string | null;
  /** The same URL under PLAY_AT's name for it (seed 004's resume code reads currentTrack.trackUrl). */
  trackUrl: string | null;
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
  /** The first 200 members in join order; `ready`: said READY for the current version; a guest (`guest:…`) with the name it gave, if any. */
  members: { id: string; ready: boolean; name?: string }[];
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
export class Room {
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
}
/** addEventListener and removeEventListener, typed by RoomEventMap. */
export interface Room extends TypedEventTarget<RoomEventMap> {}

/** A room's position at `atServerMs` from a schedule (what Room.positionSec uses). */
export function playbackPosition(track: Pick<RoomTrack, 'status' | 'startAtServerMs' | 'startPositionSec'> | null,
  atServerMs: number): number | null;
