// The server-time estimator of session-clock.js: pure arithmetic, no I/O, no
// timers, no clock reads. Every local time is passed in by the caller, on one
// monotonic base (time-sync.js uses performance.timeOrigin +
// performance.now(), never Date.now()), so this file runs the same in a
// browser and in Node's unit tests.
//
// The method is NTP's (RFC 5905) for one server, with its clock filter taken
// one step further:
// - a sample uses all four timestamps: t1 = local send, t2 = server receive,
//   t3 = server send, t4 = local receive. Its uplink says the offset
//   (server − local) is at most up = t2 − t1, its downlink that it is at least
//   −down = −(t4 − t3): the classic offset ± delay / 2, with the server's
//   processing time excluded.
// - every sample of the window must hold at once, so the offset lies in the
//   intersection [max(−down), min(up)] of their intervals: the lowest uplink
//   and the lowest downlink, even when no single exchange was quick both ways.
//   Jitter only ever adds delay, so each minimum converges on the path's
//   fixed delay; the estimate is the intersection's middle. With one quick
//   sample this is NTP's lowest-delay sample; under jitter it needs far fewer
//   lucky exchanges (one per direction instead of one in both at once).
// - the local clock drifts from the server's (at most `driftPpm`, NTP's PHI):
//   an old sample's interval widens with its age for the error bound, and the
//   window keeps at most `windowMs` of samples. Intervals that do not meet
//   even widened mean a clock stepped (the server's, or ours): the window
//   restarts from the newest sample, which speaks for the server's clock now.
// - the offset the clock uses (`applied`) steps to the first samples, then
//   slews towards the estimate at `slewRate` and steps only when the gap
//   exceeds `stepThresholdMs`: a synced clock never jumps, and never runs
//   backwards (slewRate < 1). The reported error bound includes any gap still
//   being slewed, so it is honest while a correction is under way.

/** Offset and round-trip delay of one exchange (all in milliseconds). */
export function computeSample(t1, t2, t3, t4) {
  return {
    offset: ((t2 - t1) + (t3 - t4)) / 2,
    // A clock tick between stamps can make this a hair negative: that is zero.
    delay: Math.max(0, (t4 - t1) - (t3 - t2)),
  };
}

export const DEFAULT_ESTIMATOR_OPTIONS = Object.freeze({
  windowSize: 256,       // most samples kept: 64 s of the fastest polling (a burst, 15 s at 10 /s, then 1 /s)
  windowMs: 64_000,      // oldest sample kept: by then drift has widened its interval ~1 ms
  stepThresholdMs: 50,   // a synced clock steps only for a larger correction
  slewRate: 0.05,        // slews at most 50 ms per second (the clock runs at 0.95-1.05)
  stepSamples: 4,        // the first samples of a fresh estimate step freely (chrony's makestep)
  driftPpm: 15,          // how fast an old sample's interval widens (NTP's PHI)
  resolutionMs: 0,       // how coarse the local clock's readings are (browsers coarsen performance.now())
});

function isFiniteNumber(x) {
  return typeof x === 'number' && Number.isFinite(x);
}

export class TimeEstimator {
  #options;
  #window = [];          // recent samples, oldest first
  #fix = null;           // the last estimate: { offset, errorMs, at, delay } (kept when the window is cleared)
  #last = null;          // the most recent sample
  #target = 0;           // the estimated offset
  #applied = 0;          // applied offset at #appliedAt (local ms)
  #appliedAt = 0;
  #synced = false;
  #accepted = 0;         // samples since the estimate was (re)started
  #steps = 0;
  #restarts = 0;

  /** @param {Partial<typeof DEFAULT_ESTIMATOR_OPTIONS>} [options] */
  constructor(options = {}) {
    const o = { ...DEFAULT_ESTIMATOR_OPTIONS, ...options };
    if (!(Number.isInteger(o.windowSize) && o.windowSize >= 1)) throw new RangeError('windowSize must be an integer >= 1');
    if (!(o.windowMs > 0)) throw new RangeError('windowMs must be > 0');
    if (!(o.slewRate > 0 && o.slewRate < 1)) throw new RangeError('slewRate must be in (0, 1)');
    if (!(o.stepThresholdMs >= 0)) throw new RangeError('stepThresholdMs must be >= 0');
    if (!(o.driftPpm >= 0)) throw new RangeError('driftPpm must be >= 0');
    if (!(o.resolutionMs >= 0)) throw new RangeError('resolutionMs must be >= 0');
    if (!(Number.isInteger(o.stepSamples) && o.stepSamples >= 1)) throw new RangeError('stepSamples must be an integer >= 1');
    this.#options = Object.freeze(o);
  }

  get options() { return this.#options; }
  /** True once a sample has been taken (and no local clock jump has voided it since). */
  get synced() { return this.#synced; }
  /** Samples in the window. */
  get sampleCount() { return this.#window.length; }
  /** How often the applied offset has stepped instead of slewing. */
  get steps() { return this.#steps; }
  /** How often samples contradicted each other and the window restarted (a clock stepped). */
  get restarts() { return this.#restarts; }

  /**
   * How much error jitter likely still leaves in the estimate (ms): the mean
   * gap between the lowest and the second-lowest delay of each direction.
   * The minima sit about that far above the path's floor, so more samples
   * still help while it is large (SessionClock then polls faster); on a
   * quiet path it is a few microseconds. Infinity with fewer than two samples.
   */
  get residualMs() {
    if (this.#window.length < 2) return Infinity;
    let up1 = Infinity, up2 = Infinity, down1 = Infinity, down2 = Infinity;
    for (const s of this.#window) {
      if (s.up < up1) { up2 = up1; up1 = s.up; } else if (s.up < up2) up2 = s.up;
      if (s.down < down1) { down2 = down1; down1 = s.down; } else if (s.down < down2) down2 = s.down;
    }
    return ((up2 - up1) + (down2 - down1)) / 2;
  }

  /**
   * Adds one exchange. Returns the sample, or null when it is unusable
   * (missing or non-finite stamps, a reply received before it was sent).
   * @param {{t1:number,t2:number,t3:number,t4:number}} stamps local send, server receive, server send, local receive
   */
  addSample({ t1, t2, t3, t4 }) {
    if (![t1, t2, t3, t4].every(isFiniteNumber) || t4 < t1 || t3 < t2) return null;
    const { offset, delay } = computeSample(t1, t2, t3, t4);
    const sample = { offset, delay, up: t2 - t1, down: t4 - t3, roundTrip: t4 - t1, at: t4 };
    this.#window.push(sample);
    this.#trim(t4);
    this.#last = sample;
    let fix = this.#intersect(t4);
    if (!fix) {
      // The newest sample contradicts older ones beyond any drift: a clock
      // stepped. The server's clock is the reference: follow it from now on.
      this.#window = [sample];
      this.#restarts += 1;
      fix = this.#intersect(t4);
    }
    this.#fix = fix;
    this.#adopt(fix.offset, t4);
    return sample;
  }

  #trim(nowLocal) {
    const { windowSize, windowMs } = this.#options;
    let drop = Math.max(0, this.#window.length - windowSize);
    while (drop < this.#window.length - 1 && nowLocal - this.#window[drop].at > windowMs) drop += 1;
    if (drop > 0) this.#window.splice(0, drop);
  }

  // The estimate from every sample in the window, or null when their
  // intervals do not meet even widened by drift and resolution.
  #intersect(nowLocal) {
    const phi = this.#options.driftPpm * 1e-6;
    const r = this.#options.resolutionMs;
    let up = Infinity, down = Infinity, hi = Infinity, lo = -Infinity, delay = Infinity;
    for (const s of this.#window) {
      const slack = r + phi * Math.max(0, nowLocal - s.at);
      up = Math.min(up, s.up);
      down = Math.min(down, s.down);
      hi = Math.min(hi, s.up + slack);
      lo = Math.max(lo, -s.down - slack);
      delay = Math.min(delay, s.delay);
    }
    if (lo > hi) return null;
    // The middle at zero drift, unless only drift reconciles the samples.
    let offset = (up - down) / 2;
    if (offset > hi || offset < lo) offset = (lo + hi) / 2;
    return { offset, errorMs: Math.max(hi - offset, offset - lo), at: nowLocal, delay };
  }

  #adopt(target, nowLocal) {
    const current = this.offsetAt(nowLocal);
    this.#accepted += 1;
    const free = !this.#synced || this.#accepted <= this.#options.stepSamples;
    if (free || Math.abs(target - current) > this.#options.stepThresholdMs) {
      if (this.#synced && current !== target) this.#steps += 1;
      this.#applied = target;
    } else {
      this.#applied = current;
    }
    this.#appliedAt = nowLocal;
    this.#target = target;
    this.#synced = true;
  }

  /** The offset (server − local, ms) in force at local time `localMs`, slewing included. */
  offsetAt(localMs) {
    const gap = this.#target - this.#applied;
    if (gap === 0) return this.#applied;
    const room = this.#options.slewRate * Math.max(0, localMs - this.#appliedAt);
    return this.#applied + Math.sign(gap) * Math.min(Math.abs(gap), room);
  }

  /** Server epoch ms at local time `localMs`. */
  serverTime(localMs) {
    return localMs + this.offsetAt(localMs);
  }

  /**
   * The estimate at local time `localMs`.
   * maxErrorMs bounds |serverTime(localMs) − the server's clock|: the
   * intersection's reach from the estimate (each sample's interval widened by
   * its age at driftPpm and by the local clock's resolution), grown by drift
   * since, plus any gap still being slewed. Infinity before the first sample.
   */
  snapshot(localMs) {
    const offsetMs = this.offsetAt(localMs);
    if (!this.#fix) {
      return { offsetMs, targetOffsetMs: offsetMs, maxErrorMs: Infinity, rttMs: NaN, delayMs: NaN,
               synced: false, samples: 0, steps: this.#steps, lastSampleAgeMs: Infinity };
    }
    const fix = this.#fix;
    const drift = Math.max(0, localMs - fix.at) * this.#options.driftPpm * 1e-6;
    const maxErrorMs = fix.errorMs + drift + Math.abs(this.#target - offsetMs);
    return {
      offsetMs,
      targetOffsetMs: this.#target,
      maxErrorMs: this.#synced ? maxErrorMs : Infinity,
      rttMs: this.#last.roundTrip,
      delayMs: fix.delay,
      synced: this.#synced,
      samples: this.#window.length,
      steps: this.#steps,
      lastSampleAgeMs: Math.max(0, localMs - this.#last.at),
    };
  }

  /**
   * Forgets the samples but keeps the estimate (and its slewing): after a
   * reconnect the path, or even the server behind the address, may differ.
   */
  clearWindow() {
    this.#window = [];
  }

  /**
   * The local base itself may have jumped (a suspended machine stops the
   * monotonic clock): forget the samples and let the next one step.
   */
  invalidate() {
    this.#window = [];
    this.#synced = false;
    this.#accepted = 0;
  }
}

/**
 * Notices the local clocks disagreeing: the wall clock (Date.now()) and the
 * monotonic one (performance.now()) advance together unless one of them
 * jumped — a wall-clock step, or a suspend that the monotonic clock did not
 * count. Either way the estimate needs a new burst.
 */
export class ClockJumpDetector {
  #thresholdMs;
  #wall = NaN;
  #mono = NaN;

  constructor({ thresholdMs = 100 } = {}) {
    this.#thresholdMs = thresholdMs;
  }

  /**
   * Call with both clocks read together. Returns the disagreement since the
   * previous call (wall advance − monotonic advance, ms) and whether it
   * exceeds the threshold. The first call only records.
   */
  check(wallMs, monoMs) {
    const first = Number.isNaN(this.#wall);
    const driftMs = first ? 0 : (wallMs - this.#wall) - (monoMs - this.#mono);
    this.#wall = wallMs;
    this.#mono = monoMs;
    return { jumped: Math.abs(driftMs) > this.#thresholdMs, driftMs };
  }
}
