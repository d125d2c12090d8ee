// media-sync.js: keeps a media element on a room's schedule (syncMedia),
// and the drift rule it follows (driftCorrection).

export const DEFAULT_MEDIA_SYNC = Object.freeze({
  toleranceMs: 25,          // drift within this is left alone
  seekThresholdMs: 300,     // drift beyond this seeks; between, the rate is nudged
  minRateDelta: 0.02,       // nudges: ±2 % … ±5 %, proportional to the drift
  maxRateDelta: 0.05,
  correctionSec: 2,         // a nudge aims to close the drift in about this long
  checkIntervalMs: 250,
  spinMs: 40,               // the last stretch before a start is waited out in a loop: timers fire late
  resolveSource: (track) => track.url,  // the element's source for a track (null: none, reported to onError)
  startLagMs: 0,            // the element's start-up lag before one is measured
  learnStartLag: true,      // measure it after each start and seek, apply it to the next
});

// After a start or seek, the element's drift is read this often until it
// holds still (within STEADY_MS over STEADY_READINGS readings while the
// element's clock runs): the start-up stall is over. Chromium's stall may
// hold, run a little, and hold again: a window of 150 ms, not 100, and up to
// CORRECTIONS seeks a start. Given up after SETTLE_MAX_MS.
const SETTLE_POLL_MS = 50;
const STEADY_MS = 5;
const STEADY_READINGS = 4;
const CORRECTIONS = 2;
const SETTLE_MAX_MS = 2000;
const LOAD_WAIT_MS = 10_000;  // a late joiner's element is given this long to load before it is started anyway
// Never positioned closer to the end than this (seed 004's clamp): a
// position at or past the end would end the track at once, and on a
// schedule that ran past it there is nothing left to hear.
const END_MARGIN_SEC = 0.25;

/**
 * What to do about `driftMs` (media position − schedule; positive: ahead):
 * nothing within tolerance (once nudging, until within half of it, so the
 * rate does not flap at the edge), a rate nudge for small drift, a seek for
 * large.
 */
export function driftCorrection(driftMs, options = {}, nudging = false) {
  const o = { ...DEFAULT_MEDIA_SYNC, ...options };
  const size = Math.abs(driftMs);
  if (!Number.isFinite(driftMs)) return { action: 'none', rate: 1 };
  if (size > o.seekThresholdMs) return { action: 'seek', rate: 1 };
  if (size <= (nudging ? o.toleranceMs / 2 : o.toleranceMs)) return { action: 'none', rate: 1 };
  const delta = Math.min(o.maxRateDelta, Math.max(o.minRateDelta, size / 1000 / o.correctionSec));
  return { action: 'rate', rate: driftMs > 0 ? 1 - delta : 1 + delta };
}

function waitUntil(clock, atServerMs, spinMs, then) {
  const delay = atServerMs - clock() - spinMs;
  return setTimeout(() => {
    while (clock() < atServerMs) { /* spin: the last few ms */ }
    then();
  }, Math.max(0, delay));
}

/**
 * Keeps a media element (or anything with its currentTime, playbackRate,
 * paused, src, preload, play(), pause()) on the room's schedule: loads the
 * track's source (options.resolveSource(track), default its URL; null: none,
 * the element is emptied and onError told) and positions it on PREPARE_PLAY
 * (and sends READY once it can play), starts it at startAtServerMs less the
 * element's start-up lag (a timer to just before, then a spin), starts a late
 * joiner once its element can play, at the current position plus that lag, measures the lag after each
 * start and seek (and seeks ahead by it when outside the tolerance), nudges
 * the rate for small drift and seeks for large, pauses at PAUSE_AT's instant, stops on STOPPED. A play() the
 * browser refuses (autoplay policy) calls onAutoplayBlocked({ resume }):
 * call resume() from a user gesture ("tap to start"). Positions are clamped
 * to [0, duration − 0.25 s] once the element knows its duration.
 * Returns a controller (an EventTarget): resume(), resync() (back on the
 * schedule at once: the seed's "resync" button) and detach(); it fires
 * 'drift' ({ driftMs, action, rate }) at each check while playing, for an
 * app that shows how far off it is.
 */
export function syncMedia(room, media, options = {}) {
  const o = { ...DEFAULT_MEDIA_SYNC, ...options };
  const now = () => room.now();
  let applied = null;       // the schedule last acted on
  let startTimer = null;
  let pauseTimer = null;
  let nudging = false;
  let blocked = false;
  let readySent = null;
  let detached = false;
  let loaded = false;       // the current track has a source
  // Start-up lag. After play() or a seek, a real element's clock holds while
  // the browser's audio output fills (headless Chromium: 100–135 ms), then
  // runs at rate 1 that far behind: it reports what is being heard. The lag
  // is measured once the clock runs steadily and applied to what follows:
  // play() that much before the instant, seek that much ahead. A start that
  // still ends up outside the tolerance (the first, before anything was
  // measured) is corrected by a seek at once, not by seconds of nudging.
  const clampLag = (ms) => Math.min(o.seekThresholdMs, Math.max(0, Number(ms) || 0));
  let lagMs = clampLag(o.startLagMs);
  let settling = null;      // after a start or seek, until the element's clock runs steadily
  let settleTimer = null;

  const position = (seconds) => {
    const duration = media.duration;
    let at = Math.max(0, seconds);
    if (Number.isFinite(duration) && duration > 0) at = Math.min(at, Math.max(0, duration - END_MARGIN_SEC));
    try { media.currentTime = at; } catch { /* no media yet: set again at the start */ }
  };
  const clearTimers = () => {
    clearTimeout(startTimer);
    clearTimeout(pauseTimer);
    clearTimeout(settleTimer);
    startTimer = pauseTimer = settleTimer = null;
    settling = null;
  };
  // Where the element must be now to be on the schedule once its lag is over.
  const aheadTarget = () => room.positionSec(now() + lagMs);

  // Loads the track's source (resolveSource's answer); false when there is
  // none, after dropping the clip the element had (it would play on).
  function load(track) {
    if (!track.url) return unload();
    let source;
    try { source = o.resolveSource(track); } catch (e) { report(e); return unload(); }
    if (source == null) {
      report(Object.assign(new Error(`no source for track ${track.url}`), { code: 'no_source', track }));
      return unload();
    }
    const base = typeof location !== 'undefined' ? location.href : undefined;
    let url = String(source);
    try { url = new URL(url, base).href; } catch { /* not a URL: a media-like object's own scheme */ }
    if (media.src !== url) media.src = url;  // the same source again would reload it from the start
    media.preload = 'auto';
    return true;
  }

  function unload() {
    media.pause();
    if (typeof media.removeAttribute === 'function') {
      if (media.hasAttribute?.('src') ?? true) {
        media.removeAttribute('src');
        media.load?.();  // an element keeps the clip it had until it loads again
      }
    } else if (media.src) {
      media.src = '';
    }
    return false;
  }

  function report(error) {
    if (!detached && o.onError) o.onError(error);
  }

  function play(version, late) {
    startTimer = null;
    const at = now();
    const target = aheadTarget();
    if (late || Math.abs(media.currentTime - target) * 1000 > o.toleranceMs) position(target);
    media.playbackRate = 1;
    nudging = false;
    let started;
    try { started = media.play(); } catch (e) { started = Promise.reject(e); }
    settleAfter();
    if (o.onStart) {
      o.onStart({ atServerMs: at, startAtServerMs: room.currentTrack.startAtServerMs, positionSec: target, late, version,
        startLagMs: lagMs });
    }
    Promise.resolve(started).catch((e) => {
      if (detached) return;
      if (e && e.name === 'NotAllowedError') {
        blocked = true;
        if (o.onAutoplayBlocked) o.onAutoplayBlocked({ resume });
      } else if (o.onError) {
        o.onError(e);
      }
    });
  }

  function apply(state, cause) {
    const track = state.currentTrack;
    const key = `${state.version}|${track.status === 'preparing' ? 'playing' : track.status}|${track.startAtServerMs}|${track.startPositionSec}`;
    if (key === applied) return;  // PLAY_AT after its PREPARE_PLAY: already scheduled or started
    applied = key;
    clearTimers();
    loaded = false;
    if (track.status === 'playing' || track.status === 'preparing') {
      if (!(loaded = load(track))) return;
      if (media.readyState >= 3) queueMicrotask(onCanPlay);  // no 'canplay' for a source already loaded
      const playAt = track.startAtServerMs - lagMs;
      if (now() < playAt) {
        media.pause();
        position(track.startPositionSec);
        startTimer = waitUntil(now, playAt, o.spinMs, () => play(state.version, false));
      } else if (now() >= track.startAtServerMs && media.readyState < 3) {
        // A late joiner whose element is still loading: started now, the
        // load would count as start-up lag (the schedule runs on while
        // nothing plays) and the first correction would overshoot by it.
        // Started once it can play, at the position then.
        whenPlayable(() => play(state.version, true));
      } else {
        play(state.version, now() >= track.startAtServerMs);
      }
    } else if (track.status === 'paused') {
      const stop = () => {
        pauseTimer = null;
        media.pause();
        media.playbackRate = 1;
        position(track.startPositionSec);
      };
      if (cause === 'PAUSE_AT' && now() < track.startAtServerMs && !media.paused) {
        loaded = true;  // playing the track until the instant
        pauseTimer = waitUntil(now, track.startAtServerMs, o.spinMs, stop);
      } else if ((loaded = load(track))) {
        stop();
      }
    } else {
      media.pause();
      media.playbackRate = 1;
    }
  }

  // Runs `then` once the element has data to play (readyState >= 3,
  // HAVE_FUTURE_DATA), or after LOAD_WAIT_MS anyway (a source that never
  // loads then fails in play(), which reports it); cancelled with the other
  // timers by the next change.
  function whenPlayable(then) {
    const deadline = now() + LOAD_WAIT_MS;
    const check = () => {
      startTimer = null;
      if (media.readyState >= 3 || now() >= deadline) then();
      else startTimer = setTimeout(check, SETTLE_POLL_MS / 2);
    };
    check();
  }

  function seekAhead() {
    position(aheadTarget());
    media.playbackRate = 1;
    nudging = false;
  }

  function settleAfter(corrections = CORRECTIONS) {
    clearTimeout(settleTimer);
    settleTimer = null;
    settling = null;
    if (!o.learnStartLag) return;
    const from = now();
    settling = { corrections, readings: [], deadline: from + SETTLE_MAX_MS };
    // Not before the instant: until then the schedule waits at the start, like an element that has not started.
    const startAt = room.currentTrack?.startAtServerMs;
    settleTimer = setTimeout(settle, Math.max(0, (startAt ?? from) - from) + SETTLE_POLL_MS);
  }

  function settle() {
    settleTimer = null;
    const s = settling;
    if (!s || detached || blocked || !loaded || room.status !== 'playing') {
      settling = null;
      return;
    }
    const at = now();
    const current = media.currentTime;
    const reading = { at, current, drift: (current - room.positionSec(at)) * 1000, paused: media.paused };
    const last = s.readings.slice(1 - STEADY_READINGS);
    s.readings.push(reading);
    const steady = last.length === STEADY_READINGS - 1 && last.every((r) => !r.paused) && !reading.paused
      && Math.max(...last.map((r) => Math.abs(r.drift - reading.drift))) <= STEADY_MS
      && current - last[0].current >= (at - last[0].at) / 2000;  // moving: an element held at the start reads steady too
    if (!steady) {
      if (at < s.deadline) settleTimer = setTimeout(settle, SETTLE_POLL_MS);
      else settling = null;  // never steady (a stalled network?): left to the nudges and seeks
      return;
    }
    settling = null;
    // This start's lag is what was compensated plus what is left. A small
    // residue is noise (Chromium varies by ±15 ms from start to start):
    // averaged. A large one is a new lag (another output device): taken.
    const observed = lagMs - reading.drift;
    const outside = Math.abs(reading.drift) > o.toleranceMs;
    lagMs = clampLag(outside ? observed : (lagMs + observed) / 2);
    if (outside && s.corrections > 0 && Math.abs(reading.drift) <= o.seekThresholdMs) {
      seekAhead();
      settleAfter(s.corrections - 1);  // then the nudges
    }
  }

  function check() {
    if (detached || blocked || settling || !loaded || media.paused || room.status !== 'playing') return;
    const expected = room.positionSec(now());
    const drift = (media.currentTime - expected) * 1000;
    const c = driftCorrection(drift, o, nudging);
    if (c.action === 'seek') {
      seekAhead();
      settleAfter();
    } else {
      nudging = c.action === 'rate';
      if (media.playbackRate !== c.rate) media.playbackRate = c.rate;
    }
    const detail = { driftMs: drift, action: c.action, rate: c.rate };
    if (o.onDrift) o.onDrift(detail);
    controller.dispatchEvent(new CustomEvent('drift', { detail }));
  }

  function onCanPlay() {
    const version = room.version;
    if (version == null || readySent === version || room.closed) return;
    readySent = version;
    if (o.sendReady !== false) room.ready(version);
  }

  /** Starts playback from a user gesture after the browser refused to autoplay. */
  function resume() {
    blocked = false;
    if (loaded && room.status === 'playing') {
      seekAhead();
      const started = Promise.resolve(media.play());
      settleAfter();  // the clock first runs once play() resolves: measured then, and corrected if need be
      return started;
    }
    return Promise.resolve();
  }

  /** Back on the schedule now (a seek, then the lag measured again), whatever the drift. */
  function resync() {
    if (detached || blocked || !loaded) return;
    const track = room.currentTrack;
    if (room.status === 'playing') {
      seekAhead();
      settleAfter();
    } else if (track && track.status === 'paused' && media.paused) {
      position(track.startPositionSec);
    }
  }

  const controller = Object.assign(new EventTarget(), {
    resume,
    resync,
    detach() {
      detached = true;
      clearTimers();
      clearInterval(checker);
      room.removeEventListener('state', onState);
      if (typeof media.removeEventListener === 'function') media.removeEventListener('canplay', onCanPlay);
    },
  });
  const onState = (e) => apply(e.detail.state, e.detail.cause);
  room.addEventListener('state', onState);
  if (typeof media.addEventListener === 'function') media.addEventListener('canplay', onCanPlay);
  const checker = setInterval(check, o.checkIntervalMs);
  if (room.state) apply(room.state, 'ROOM_STATE');
  return controller;
}
