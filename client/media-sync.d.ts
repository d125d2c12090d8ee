// Types for media-sync.js: a media element kept on a room's schedule.

import type { TypedEventTarget } from './events.js';
import type { Room, RoomTrack } from './room.js';

/** What syncMedia needs of a media element (an HTMLMediaElement, or a stand-in such as a Web Audio player). */
export interface MediaLike {
  src: string;
  preload: string;
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  play(): Promise<void> | void;
  pause(): void;
  /**
   * An element's HAVE_… level. 3 (HAVE_FUTURE_DATA) or more: it can play, so
   * READY goes at once and a late joiner starts at once; below 3 a late
   * joiner starts once it gets there (at most 10 s later). Without it, READY
   * waits for 'canplay' and a late joiner starts at once.
   */
  readonly readyState?: number;
  /** Seconds, once known (NaN before): positions are kept within [0, duration − 0.25]. */
  readonly duration?: number;
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
  onDrift?: (drift: MediaDrift) => void;
  /** play() failed for another reason than autoplay, or resolveSource gave no source (code 'no_source', track). */
  onError?: (error: unknown) => void;
  sendReady?: boolean;
}): MediaSync;

/** What a drift check found (media − schedule, ms; positive: ahead) and did about it. */
export interface MediaDrift { driftMs: number; action: 'none' | 'rate' | 'seek'; rate: number }

/** syncMedia's controller: 'drift' events at each check while playing (an app's "resync" button). */
export interface MediaSync extends TypedEventTarget<{ drift: CustomEvent<MediaDrift> }> {
  /** Starts playback from a user gesture after the browser refused to autoplay. */
  resume(): Promise<void>;
  /** Back on the schedule now: a seek (then the start-up lag measured again), whatever the drift. */
  resync(): void;
  /** Stops following the room; the element is left as it is. */
  detach(): void;
}
