// Types for time-estimator.js, the pure server-time estimator behind
// SessionClock (served by the worker at /time-estimator.js).

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

/** The defaults of EstimatorOptions. */
export const DEFAULT_ESTIMATOR_OPTIONS: Readonly<EstimatorOptions>;

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
