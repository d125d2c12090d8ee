// Unit tests of client/time-estimator.js: pure arithmetic, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { TimeEstimator, ClockJumpDetector, computeSample } from '../../client/time-estimator.js';

// One exchange with a server whose clock is `offset` ahead of ours: sent at
// local t1, `up` ms to the server, `serve` ms there, `down` ms back.
function exchange(t1, offset, up, down, serve = 0.05) {
  const t2 = t1 + up + offset;
  const t3 = t2 + serve;
  const t4 = t1 + up + serve + down;
  return { t1, t2, t3, t4 };
}

const close = (actual, expected, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} is not within ${eps} of ${expected}`);

test('computeSample: the four-timestamp offset and delay exclude server time', () => {
  const { offset, delay } = computeSample(1000, 1510, 1520, 1040);
  close(offset, ((1510 - 1000) + (1520 - 1040)) / 2);  // 495
  close(delay, (1040 - 1000) - (1520 - 1510));         // 30
  // Symmetric paths give the true offset, whatever the server took.
  const s = computeSample(...Object.values(exchange(0, 250, 7, 7, 40)));
  close(s.offset, 250);
  close(s.delay, 14);
});

test('first estimate after one round trip; maxErrorMs is delay / 2', () => {
  const e = new TimeEstimator();
  assert.equal(e.synced, false);
  assert.equal(e.snapshot(0).maxErrorMs, Infinity);
  e.addSample(exchange(100, -3000, 2, 2));
  const s = e.snapshot(104.05);
  assert.equal(s.synced, true);
  close(s.offsetMs, -3000);
  close(s.maxErrorMs, 2, 1e-6);
  close(s.rttMs, 4.05, 1e-9);
  close(e.serverTime(1000), 1000 - 3000);
});

test('a quick sample bounds the offset: queued (asymmetric) samples do not bias it', () => {
  const e = new TimeEstimator({ windowSize: 8 });
  // True offset 500. Delayed uplinks bias the offset; the quick sample does not.
  e.addSample(exchange(0, 500, 30, 1));     // offset 514.5, delay 31
  e.addSample(exchange(100, 500, 0.4, 0.4)); // offset 500,   delay 0.8
  e.addSample(exchange(200, 500, 1, 25));   // offset 488,   delay 26
  const s = e.snapshot(300);
  close(s.targetOffsetMs, 500);
  close(s.delayMs, 0.8, 1e-9);
  assert.ok(s.maxErrorMs < 0.41, `bound ${s.maxErrorMs}`);
});

test('the intersection: a quick uplink and a quick downlink from different exchanges', () => {
  const e = new TimeEstimator();
  // True offset 500; neither exchange is quick both ways (delay 30 each).
  e.addSample(exchange(0, 500, 0.2, 29.8));   // offset 485.2: says <= 500.2
  e.addSample(exchange(100, 500, 29.7, 0.3)); // offset 514.7: says >= 499.7
  const s = e.snapshot(200);
  close(s.targetOffsetMs, 499.95, 1e-6);
  close(s.delayMs, 30, 1e-6);                  // the lowest single delay
  assert.ok(s.maxErrorMs < 0.26, `bound ${s.maxErrorMs}: the intersection, not delay / 2`);
});

test('the window slides: the best sample is forgotten after windowSize newer ones', () => {
  const e = new TimeEstimator({ windowSize: 8, stepSamples: 100 });
  e.addSample(exchange(0, 10, 0.1, 0.1));  // says 9.9 ... 10.1
  for (let i = 1; i <= 7; i++) e.addSample(exchange(i * 100, 10, 3, 1));  // each says 9 ... 13
  close(e.snapshot(800).targetOffsetMs, 10);
  e.addSample(exchange(800, 10, 3, 1));  // pushes the best out
  close(e.snapshot(900).targetOffsetMs, 11);
  assert.equal(e.sampleCount, 8);
});

test('samples older than windowMs leave the window', () => {
  const e = new TimeEstimator({ windowMs: 10_000, stepSamples: 100 });
  e.addSample(exchange(0, 10, 0.1, 0.1));
  e.addSample(exchange(5_000, 10, 3, 1));
  close(e.snapshot(5_010).targetOffsetMs, 10);
  e.addSample(exchange(10_500, 10, 3, 1));  // the first is now 10.5 s old
  assert.equal(e.sampleCount, 2);
  close(e.snapshot(10_510).targetOffsetMs, 11);
});

test('an old sample widens with its age: the bound stays honest under drift', () => {
  const e = new TimeEstimator({ driftPpm: 15 });
  e.addSample(exchange(0, 10, 0.5, 0.5));          // bound 0.5 at once
  close(e.snapshot(1.05).maxErrorMs, 0.5, 1e-6);
  // A minute later, without a new sample: 0.5 + 60 s * 15 ppm.
  close(e.snapshot(60_001.05).maxErrorMs, 1.4, 1e-6);
  // Drift of 10 ppm moved the truth by 0.6 ms: the samples still meet once
  // widened, and the bound covers the truth.
  e.addSample(exchange(60_000, 10.6, 0.5, 0.5));
  const s = e.snapshot(60_001.05);
  assert.equal(e.restarts, 0);
  assert.ok(Math.abs(s.targetOffsetMs - 10.6) <= s.maxErrorMs, `${s.targetOffsetMs} ± ${s.maxErrorMs}`);
});

test('samples that cannot all hold mean a clock stepped: the window restarts from the newest', () => {
  const e = new TimeEstimator({ stepSamples: 100 });
  for (let i = 0; i < 5; i++) e.addSample(exchange(i * 100, 10, 0.1, 0.1));
  assert.equal(e.restarts, 0);
  e.addSample(exchange(600, 30, 0.1, 0.1));  // the server's clock stepped 20 ms
  assert.equal(e.restarts, 1);
  assert.equal(e.sampleCount, 1);
  close(e.snapshot(700).targetOffsetMs, 30);
});

test('slewing: once synced, a small correction is slewed at slewRate, never jumped', () => {
  const e = new TimeEstimator({ slewRate: 0.05, stepThresholdMs: 50, stepSamples: 1, windowSize: 1 });
  e.addSample(exchange(0, 100, 1, 1));              // synced at offset 100 (t4 = 2.05)
  const t4 = exchange(1000, 110, 1, 1).t4;
  e.addSample(exchange(1000, 110, 1, 1));           // the filter now says 110
  close(e.offsetAt(t4), 100);                       // no jump at the moment it is learned
  close(e.offsetAt(t4 + 100), 105);                 // 0.05 * 100 ms
  close(e.offsetAt(t4 + 200), 110);                 // gap closed
  close(e.offsetAt(t4 + 5000), 110);
  // The error bound covers the gap still being slewed.
  const mid = e.snapshot(t4 + 100);
  assert.ok(mid.maxErrorMs >= 5, `bound ${mid.maxErrorMs} must cover the 5 ms still to slew`);
  // Server time never runs backwards while slewing down.
  const f = new TimeEstimator({ slewRate: 0.05, stepSamples: 1, windowSize: 1 });
  f.addSample(exchange(0, 100, 1, 1));
  f.addSample(exchange(1000, 80, 1, 1));
  let previous = -Infinity;
  for (let t = 1000; t < 2000; t += 7) {
    const now = f.serverTime(t);
    assert.ok(now > previous, 'monotonic');
    previous = now;
  }
  assert.equal(f.steps, 0);
});

test('step threshold: a correction above stepThresholdMs steps at once', () => {
  const e = new TimeEstimator({ stepThresholdMs: 50, stepSamples: 1, windowSize: 1 });
  e.addSample(exchange(0, 100, 1, 1));
  e.addSample(exchange(1000, 49 + 100, 1, 1));  // 49 ms: slewed
  assert.equal(e.steps, 0);
  const t4 = exchange(2000, 300, 1, 1).t4;
  e.addSample(exchange(2000, 300, 1, 1));       // ~150 ms away: stepped
  assert.equal(e.steps, 1);
  close(e.offsetAt(t4), 300);
});

test('the first stepSamples samples step freely (the initial burst converges at once)', () => {
  const e = new TimeEstimator({ stepSamples: 4, windowSize: 8 });
  e.addSample(exchange(0, 100, 10, 1));      // offset 104.5, delay 11
  const t4 = exchange(30, 100, 0.2, 0.2).t4;
  e.addSample(exchange(30, 100, 0.2, 0.2));  // the better sample: 100
  close(e.offsetAt(t4), 100);                // stepped, not slewed
});

test('clearWindow keeps the estimate; invalidate drops it until the next sample', () => {
  const e = new TimeEstimator({ stepSamples: 1 });
  e.addSample(exchange(0, 100, 1, 1));
  e.clearWindow();
  assert.equal(e.sampleCount, 0);
  assert.equal(e.synced, true);
  close(e.offsetAt(10), 100);
  // After a reconnect, a slightly different offset is slewed into.
  e.addSample(exchange(100, 104, 1, 1));
  close(e.offsetAt(exchange(100, 104, 1, 1).t4), 100);
  e.invalidate();
  assert.equal(e.synced, false);
  assert.equal(e.snapshot(200).maxErrorMs, Infinity);
  // The next sample steps, however small the change.
  const t4 = exchange(300, 101, 1, 1).t4;
  e.addSample(exchange(300, 101, 1, 1));
  close(e.offsetAt(t4), 101);
  assert.equal(e.synced, true);
});

test('unusable samples are rejected', () => {
  const e = new TimeEstimator();
  assert.equal(e.addSample({ t1: 10, t2: NaN, t3: 1, t4: 12 }), null);
  assert.equal(e.addSample({ t1: 10, t2: 1, t3: 1, t4: 9 }), null);   // received before sent
  assert.equal(e.addSample({ t1: 10, t2: 5, t3: 4, t4: 12 }), null);  // server sent before it received
  assert.equal(e.addSample({ t1: 10, t2: undefined, t3: 4, t4: 12 }), null);
  assert.equal(e.synced, false);
  assert.throws(() => new TimeEstimator({ slewRate: 1 }), RangeError);
  assert.throws(() => new TimeEstimator({ windowSize: 0 }), RangeError);
});

test('under jitter the estimate beats the best single sample, and its bound holds', () => {
  // A deterministic pseudo-random link: 5 ms each way plus 0-40 ms, independently.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const e = new TimeEstimator();
  const truth = 1234.5;
  let t = 0;
  let quickest = null;  // what NTP's clock filter alone would pick
  for (let i = 0; i < 60; i++) {
    const x = exchange(t, truth, 5 + 40 * random(), 5 + 40 * random(), 0.1);
    e.addSample(x);
    const c = computeSample(x.t1, x.t2, x.t3, x.t4);
    if (!quickest || c.delay < quickest.delay) quickest = c;
    t = x.t4 + 1000;
    const s = e.snapshot(x.t4 + 1);
    // The bound is honest: the truth lies within it.
    assert.ok(Math.abs(s.offsetMs - truth) <= s.maxErrorMs + 1e-9, `sample ${i}: ${s.offsetMs} ± ${s.maxErrorMs}`);
  }
  // Each direction's minimum is within ~40/61 ms of the path's 5 ms, so
  // their split is close; the quickest single exchange is off by 0.9 ms here.
  const error = Math.abs(e.snapshot(t).targetOffsetMs - truth);
  assert.ok(error < 0.5, `error ${error}`);
  assert.ok(error < Math.abs(quickest.offset - truth) / 2, `error ${error} vs the quickest sample's ${quickest.offset - truth}`);
  assert.equal(e.restarts, 0);
});

test('ClockJumpDetector: clocks advancing together are fine; a step or a suspend is a jump', () => {
  const d = new ClockJumpDetector({ thresholdMs: 100 });
  assert.deepEqual(d.check(1_000_000, 50), { jumped: false, driftMs: 0 });
  assert.equal(d.check(1_001_000, 1050).jumped, false);        // both advanced 1 s
  assert.equal(d.check(1_002_001, 2050).jumped, false);        // 1 ms of Date.now() granularity
  const step = d.check(1_063_000, 3050);                       // the wall clock stepped 60 s forward
  assert.equal(step.jumped, true);
  close(step.driftMs, 60_000 - 1);
  const back = d.check(1_000_000, 4050);                       // and back
  assert.equal(back.jumped, true);
  assert.ok(back.driftMs < 0);
  // A suspend the monotonic clock did not count: wall +30 s, monotonic +0.
  const s = new ClockJumpDetector();
  s.check(0, 0);
  assert.equal(s.check(30_000, 5).jumped, true);
});
