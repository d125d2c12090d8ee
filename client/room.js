// room.js: a playback room as a SessionClock joins it (docs/rooms.md): its
// state from ROOM_STATE and the frames that follow, its position from the
// schedule and the server time, and the host's controls.

import { fire } from './events.js';
import { RESUME, DISCONNECTED, MESSAGE, SERVER_ERROR, CLOSE, ROOM_KEY } from './hooks.js';
import { RequestError } from './request-error.js';

// Requests whose ERROR concerns the room.
const ROOM_REQUESTS = new Set(['CREATE_ROOM', 'JOIN_ROOM', 'LEAVE_ROOM', 'HOST_PLAY', 'HOST_PAUSE', 'HOST_SEEK',
  'HOST_STOP', 'READY']);

/**
 * A room's position in seconds at server time `atServerMs`, from its
 * schedule (ROOM_STATE's currentTrack, or a PREPARE_PLAY / PLAY_AT):
 * playing, startPositionSec + (t − startAtServerMs) / 1000, never less than
 * startPositionSec (before the start it waits there); paused,
 * startPositionSec; idle, null.
 */
export function playbackPosition(track, atServerMs) {
  if (!track || !Number.isFinite(track.startPositionSec)) return null;
  if (track.status === 'idle') return null;
  if (track.status === 'paused' || !Number.isFinite(track.startAtServerMs)) return track.startPositionSec;
  return track.startPositionSec + Math.max(0, atServerMs - track.startAtServerMs) / 1000;
}

function trackOf(m) {
  return {
    url: m.trackUrl ?? null, trackUrl: m.trackUrl ?? null, title: m.title ?? null, filename: m.filename ?? null,
    startAtServerMs: m.startAtServerMs ?? null, startPositionSec: m.startPositionSec ?? null,
  };
}

const IDLE_TRACK = Object.freeze({
  url: null, trackUrl: null, title: null, filename: null, startAtServerMs: null, startPositionSec: null, status: 'idle',
});

/**
 * A playback room, as joined through a SessionClock (room() / createRoom()).
 * `state` is the last ROOM_STATE with every later PREPARE_PLAY, PAUSE_AT and
 * STOPPED applied to its currentTrack and version: members are sent those,
 * not a new state, on each change.
 */
export class Room extends EventTarget {
  #owner;
  #request;            // CREATE_ROOM or JOIN_ROOM, until the first state
  #code;
  #state = null;
  #before = null;      // the playing schedule a pending PAUSE_AT interrupts
  #closed = false;
  #nextRef = 1;
  #settle;
  joined;

  constructor(owner, request, key) {
    super();
    if (key !== ROOM_KEY) throw new TypeError('use SessionClock.room(code) or createRoom(code)');
    this.#owner = owner;
    this.#request = request;
    this.#code = request.code ?? null;
    /** Resolves with this room at its first ROOM_STATE; rejects with a RequestError if refused. */
    this.joined = new Promise((resolve, reject) => { this.#settle = { resolve, reject }; });
    this.joined.catch(() => {});  // awaiting it is optional
  }

  /** The room's code (upper case); null until a created room's first state. */
  get code() { return this.#code; }
  get state() { return this.#state; }
  get closed() { return this.#closed; }
  get version() { return this.#state ? this.#state.version : null; }
  get host() { return this.#state ? this.#state.host : null; }
  /** The token's user is the host (host controls are refused for anyone else). */
  get isHost() {
    const identity = this.#owner.identity();
    return Boolean(this.#state && identity && identity.sub === this.#state.host);
  }
  get currentTrack() { return this.#state ? this.#state.currentTrack : null; }
  /** 'idle', 'preparing' (a start ahead), 'playing' or 'paused', at now(). */
  get status() {
    const track = this.currentTrack;
    if (!track) return null;
    if (track.status === 'playing' || track.status === 'preparing') {
      return this.#owner.now() < track.startAtServerMs ? 'preparing' : 'playing';
    }
    return track.status;
  }

  /** Server epoch ms now (the owner's estimate). */
  now() { return this.#owner.now(); }

  /**
   * The position in seconds at server time `atServerMs` (default now()),
   * from the schedule: null when idle or before the first state. Between a
   * pause command and its instant, the playing schedule still applies.
   */
  positionSec(atServerMs = this.#owner.now()) {
    const track = this.currentTrack;
    if (track && track.status === 'paused' && this.#before && atServerMs < track.startAtServerMs) {
      return playbackPosition(this.#before, atServerMs);
    }
    return playbackPosition(track, atServerMs);
  }

  // Host controls. Each returns the request's `ref`, which an ERROR about it
  // echoes (the 'error' event's detail.ref.ref); success shows as the
  // room's next 'prepare', 'pause' or 'stop'.

  /** HOST_PLAY: every member starts `trackUrl` from startPositionSec at one server instant. */
  play({ trackUrl, title, filename, startPositionSec = 0, requestId } = {}) {
    if (typeof trackUrl !== 'string' || trackUrl === '') throw new TypeError('trackUrl must be a non-empty string');
    const message = { t: 'HOST_PLAY', trackUrl, startPositionSec };
    if (title != null) message.title = title;
    if (filename != null) message.filename = filename;
    if (requestId != null) message.requestId = requestId;
    return this.#sendRequest(message);
  }

  /** HOST_PAUSE: every member stops at one instant, at positionSec if given. */
  pause(positionSec, requestId) {
    const message = { t: 'HOST_PAUSE' };
    if (positionSec != null) message.positionSec = positionSec;
    if (requestId != null) message.requestId = requestId;
    return this.#sendRequest(message);
  }

  /** HOST_SEEK: the same status, from positionSec. */
  seek(positionSec, requestId) {
    if (!Number.isFinite(positionSec) || positionSec < 0) throw new TypeError('positionSec must be a number ≥ 0');
    const message = { t: 'HOST_SEEK', positionSec };
    if (requestId != null) message.requestId = requestId;
    return this.#sendRequest(message);
  }

  /** HOST_STOP: the room goes idle. */
  stop(requestId) {
    return this.#sendRequest(requestId != null ? { t: 'HOST_STOP', requestId } : { t: 'HOST_STOP' });
  }

  /** READY for `version` (the host sees who is ready; it never delays the start). */
  ready(version = this.version) {
    if (!Number.isInteger(version) || version < 1) throw new TypeError('version must be the room\'s version');
    return this.#sendRequest({ t: 'READY', version });
  }

  /** LEAVE_ROOM (the host cannot leave); the room closes with LEFT_ROOM. */
  leave() {
    return this.#sendRequest({ t: 'LEAVE_ROOM' });
  }

  #sendRequest(message) {
    if (this.#closed) throw new Error(`room ${this.#code ?? ''} is closed`);
    const ref = this.#nextRef++;
    if (!this.#owner.send({ ...message, ref })) {
      fire(this, 'error', { code: 'offline', message: 'not connected', ref: { t: message.t, ref } });
    }
    return ref;
  }

  #setState(state, cause, detail) {
    this.#state = Object.freeze(state);
    if (cause !== 'ROOM_STATE') {
      const type = { PREPARE_PLAY: 'prepare', PLAY_AT: 'play', PAUSE_AT: 'pause', STOPPED: 'stop' }[cause];
      fire(this, type, detail);
    }
    fire(this, 'state', { state: this.#state, cause });
  }

  // --- called by SessionClock ---

  [RESUME]() {
    if (this.#closed) return;
    // Joined once: the same room again (a guest keeps its name; a guest's
    // new connection is a new guest).
    const again = { t: 'JOIN_ROOM', code: this.#code };
    if (this.#request.name != null) again.name = this.#request.name;
    this.#owner.send(this.#state ? again : this.#request);
  }

  [DISCONNECTED]() { /* JOIN_ROOM again on RESUME */ }

  [MESSAGE](m) {
    if (this.#closed) return;
    if (this.#code && m.code && m.code !== this.#code) return;  // a room we left
    const { t, ...fields } = m;
    const current = this.#state;
    if (t === 'LEFT_ROOM') return this[CLOSE]('left');
    if (t === 'ROOM_STATE') {
      if (current && fields.version < current.version) return;
      this.#code = fields.code;
      if (!current || fields.version > current.version) this.#before = null;
      this.#setState(fields, t);
      if (!current) this.#settle.resolve(this);
      return;
    }
    if (!current || fields.version < current.version) return;  // before the state (it carries the schedule) or old
    let track;
    if (t === 'PREPARE_PLAY' || t === 'PLAY_AT') {
      this.#before = null;
      track = { ...trackOf(fields), status: 'playing' };
    } else if (t === 'PAUSE_AT') {
      const was = current.currentTrack;
      this.#before = was && (was.status === 'playing' || was.status === 'preparing') ? was : this.#before;
      track = { ...(was || IDLE_TRACK), startAtServerMs: fields.atServerMs, startPositionSec: fields.positionSec, status: 'paused' };
    } else if (t === 'STOPPED') {
      this.#before = null;
      track = IDLE_TRACK;
    } else {
      return;
    }
    this.#setState({ ...current, currentTrack: Object.freeze(track), version: fields.version }, t, fields);
  }

  // Given every ERROR with a ref: those about other requests are not the room's.
  [SERVER_ERROR](code, message, ref) {
    if (this.#closed || !ROOM_REQUESTS.has(ref.t)) return;
    if (!this.#state && (ref.t === 'CREATE_ROOM' || ref.t === 'JOIN_ROOM')) {
      const error = new RequestError(code, message, ref);
      if (code === 'unavailable') {
        fire(this, 'error', { code, message, ref });  // the database is down: asked again on the next connection
        return;
      }
      this.#settle.reject(error);
      fire(this, 'error', { code, message, ref });
      this[CLOSE]('refused');
      return;
    }
    fire(this, 'error', { code, message, ref });
  }

  [CLOSE](reason) {
    if (this.#closed) return;
    this.#closed = true;
    this.#settle.reject(new RequestError('closed', `the room was ${reason} before its state arrived`, null));
    this.#owner.forget(this);
    fire(this, 'left', { code: this.#code, reason });
  }
}
