// The server-time estimator of session-clock.js: pure arithmetic, no I/O, no
// timers, no clock reads. Every local time is passed in by the caller, on one
// monotonic base (session-clock.js uses performance.timeOrigin +
// performance.now(), never Date.now()), so this file runs the same in a
// browser and in Node's unit tests.
//
// The method is NTP's (RFC 5905), cut down to one server:
// - a sample uses all four timestamps: t1 = local send, t2 = server receive,
//   t3 = server send, t4 = local receive. offset = ((t2 - t1) + (t3 - t4)) / 2,
//   delay = (t4 - t1) - (t3 - t2): the server's processing time is not network
//   delay. The true offset lies within offset ± delay / 2.
// - of the last `windowSize` samples the one with the lowest delay wins
//   (the clock filter); its bound also grows with its age, at `driftPpm`, so a
//   fresh sample eventually beats an old lucky one.
// - the offset the clock uses (`applied`) steps to the first samples, then
//   slews towards the filtered offset at `slewRate` and steps only when the
//   gap exceeds `stepThresholdMs`: a synced clock never jumps, and never runs
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
  windowSize: 16,        // samples the filter chooses from (NTP: 8, Beatsync: 16)
  stepThresholdMs: 50,   // a synced clock steps only for a larger correction
  slewRate: 0.05,        // slews at most 50 ms per second (the clock runs at 0.95-1.05)
  stepSamples: 4,        // the first samples of a fresh estimate step freely (chrony's makestep)
  driftPpm: 15,          // how fast an old sample's bound grows (NTP's PHI)
});

function isFiniteNumber(x) {
  return typeof x === 'number' && Number.isFinite(x);
}

export class TimeEstimator {
  #options;
  #window = [];          // recent samples, oldest first
  #best = null;          // the filtered sample (kept when the window is cleared)
  #last = null;          // the most recent sample
  #target = 0;           // offset of the filtered sample
  #applied = 0;          // applied offset at #appliedAt (local ms)
  #appliedAt = 0;
  #synced = false;
  #accepted = 0;         // samples since the estimate was (re)started
  #steps = 0;

  /** @param {Partial<typeof DEFAULT_ESTIMATOR_OPTIONS>} [options] */
  constructor(options = {}) {
    const o = { ...DEFAULT_ESTIMATOR_OPTIONS, ...options };
    if (!(Number.isInteger(o.windowSize) && o.windowSize >= 1)) throw new RangeError('windowSize must be an integer >= 1');
    if (!(o.slewRate > 0 && o.slewRate < 1)) throw new RangeError('slewRate must be in (0, 1)');
    if (!(o.stepThresholdMs >= 0)) throw new RangeError('stepThresholdMs must be >= 0');
    if (!(o.driftPpm >= 0)) throw new RangeError('driftPpm must be >= 0');
    if (!(Number.isInteger(o.stepSamples) && o.stepSamples >= 1)) throw new RangeError('stepSamples must be an integer >= 1');
    this.#options = Object.freeze(o);
  }

  get options() { return this.#options; }
  /** True once a sample has been taken (and no local clock jump has voided it since). */
  get synced() { return this.#synced; }
  /** Samples in the filter's window. */
  get sampleCount() { return this.#window.length; }
  /** How often the applied offset has stepped instead of slewing. */
  get steps() { return this.#steps; }

  /**
   * Adds one exchange. Returns the sample, or null when it is unusable
   * (missing or non-finite stamps, a reply received before it was sent).
   * @param {{t1:number,t2:number,t3:number,t4:number}} stamps local send, server receive, server send, local receive
   */
  addSample({ t1, t2, t3, t4 }) {
    if (![t1, t2, t3, t4].every(isFiniteNumber) || t4 < t1 || t3 < t2) return null;
    const { offset, delay } = computeSample(t1, t2, t3, t4);
    const sample = { offset, delay, roundTrip: t4 - t1, at: t4 };
    this.#window.push(sample);
    if (this.#window.length > this.#options.windowSize) this.#window.shift();
    this.#last = sample;
    this.#best = this.#select(t4);
    this.#adopt(this.#best.offset, t4);
    return sample;
  }

  // The sample whose bound is smallest now: lowest delay, ties and near-ties
  // going to the younger one.
  #select(nowLocal) {
    let best = null;
    let bestBound = Infinity;
    for (const s of this.#window) {
      const bound = this.#boundOf(s, nowLocal);
      if (bound <= bestBound) { best = s; bestBound = bound; }
    }
    return best;
  }

  #boundOf(sample, nowLocal) {
    return sample.delay / 2 + Math.max(0, nowLocal - sample.at) * this.#options.driftPpm * 1e-6;
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
   * maxErrorMs bounds |serverTime(localMs) − the server's clock|: the filtered
   * sample's delay / 2, grown by its age at driftPpm, plus any gap still being
   * slewed. Infinity before the first sample.
   */
  snapshot(localMs) {
    const offsetMs = this.offsetAt(localMs);
    if (!this.#best) {
      return { offsetMs, targetOffsetMs: offsetMs, maxErrorMs: Infinity, rttMs: NaN, delayMs: NaN,
               synced: false, samples: 0, steps: this.#steps, lastSampleAgeMs: Infinity };
    }
    const maxErrorMs = this.#boundOf(this.#best, localMs) + Math.abs(this.#target - offsetMs);
    return {
      offsetMs,
      targetOffsetMs: this.#target,
      maxErrorMs: this.#synced ? maxErrorMs : Infinity,
      rttMs: this.#last.roundTrip,
      delayMs: this.#best.delay,
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
