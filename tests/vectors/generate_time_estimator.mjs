// Generates tests/vectors/time_estimator.json from client/time-estimator.js,
// the reference estimator: sequences of four-timestamp samples (and window
// resets), each followed by the estimate the JS estimator gives at chosen
// local times. tests/browser/time_estimator_vectors.test.mjs replays the file
// through the JS estimator and tests/python/test_time_estimator_vectors.py
// through the Python port; both require bit-identical numbers.
//
//   node tests/vectors/generate_time_estimator.mjs   (rewrites the file)
//   node tests/vectors/generate_time_estimator.mjs --check   (exit 1 if it differs)
//
// Regenerate after a deliberate change to the JS estimator, and port the
// change to clients/python/session_clock/time_estimator.py in the same commit.
// Timestamps are made with a seeded generator, but the file stores them, so
// neither test depends on this script's random numbers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { TimeEstimator } from '../../client/time-estimator.js';

const OUT = fileURLToPath(new URL('./time_estimator.json', import.meta.url));

// A deterministic generator (an LCG, as time_estimator.test.mjs uses).
function random(seed) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

// One exchange with a server whose clock is `offset` ahead of ours: sent at
// local t1, `up` ms to the server, `serve` ms there, `down` ms back.
function exchange(t1, offset, up, down, serve = 0.05) {
  const t2 = t1 + up + offset;
  const t3 = t2 + serve;
  const t4 = t1 + up + serve + down;
  return { t1, t2, t3, t4 };
}

// JSON has no Infinity or NaN: they travel as strings.
const encode = (x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);

function expectation(e, returned, at) {
  return {
    returned: returned && {
      offset: returned.offset, delay: returned.delay, up: returned.up, down: returned.down,
      roundTrip: returned.roundTrip, at: returned.at,
    },
    synced: e.synced, sampleCount: e.sampleCount, steps: e.steps, restarts: e.restarts,
    residualMs: encode(e.residualMs),
    snapshots: at.map((t) => {
      const s = e.snapshot(t);
      return {
        at: t, offsetMs: s.offsetMs, targetOffsetMs: s.targetOffsetMs, maxErrorMs: encode(s.maxErrorMs),
        rttMs: encode(s.rttMs), delayMs: encode(s.delayMs), synced: s.synced, samples: s.samples, steps: s.steps,
        lastSampleAgeMs: encode(s.lastSampleAgeMs), serverTime: e.serverTime(t),
      };
    }),
  };
}

// A case: the estimator's options and its steps, each { op, ...args, at: [local times to query] }.
const cases = [];
function record(name, description, options, steps) {
  const e = new TimeEstimator(options);
  const out = [];
  for (const step of steps) {
    let returned = null;
    if (step.op === 'sample') returned = e.addSample({ t1: step.t1, t2: step.t2, t3: step.t3, t4: step.t4 });
    else if (step.op === 'clearWindow') e.clearWindow();
    else if (step.op === 'invalidate') e.invalidate();
    else if (step.op !== 'query') throw new Error(`unknown op ${step.op}`);
    const { at, ...args } = step;
    for (const k of ['t1', 't2', 't3', 't4']) if (k in args) args[k] = encode(args[k]);
    out.push({ ...args, expect: expectation(e, returned, at) });
  }
  cases.push({ name, description, options, steps: out });
}

// Samples from `exchange`, queried at their receipt and `later` ms after.
const sample = (x, later = 250) => ({ op: 'sample', ...x, at: [x.t4, x.t4 + later] });

// A burst (32 pings 30 ms apart, as SessionClock sends them) then polls.
function schedule({ offset, link, burst = 32, polls, pollMs, start = 1_000 }) {
  const steps = [];
  let t = start;
  for (let i = 0; i < burst; i++, t += 30) steps.push(sample(exchange(t, offset(t), ...link(i))));
  for (let i = 0; i < polls; i++, t += pollMs) steps.push(sample(exchange(t, offset(t), ...link(burst + i)), pollMs / 2));
  return steps;
}

{
  const r = random(7);
  record('quiet path', 'loopback-like: 0.1 ms each way with microseconds of noise, then 10 s polls', {},
    schedule({ offset: () => 1234.5, link: () => [0.1 + 0.01 * r(), 0.1 + 0.01 * r(), 0.02], polls: 12, pollMs: 10_000 }));
}
{
  const r = random(42);
  record('uniform jitter', '20 ms each way + uniform 0-40 ms, independently; 100 ms polls (the sharpening)', {},
    schedule({ offset: () => -1234.5, link: () => [20 + 40 * r(), 20 + 40 * r(), 0.1], polls: 60, pollMs: 100 }));
}
{
  const r = random(3);
  // An exponential tail, capped: most exchanges quick, some very slow.
  const exp = () => Math.min(40, -10 * Math.log(1 - r()));
  record('exponential jitter', '20 ms each way + exponential extra (mean 10, cap 40); 1 s polls', {},
    schedule({ offset: () => 500.25, link: () => [20 + exp(), 20 + exp(), 0.1], polls: 40, pollMs: 1_000 }));
}
{
  const r = random(11);
  record('asymmetric delays', '5 ms up, 30 ms down, a little jitter: the estimate is biased by half the asymmetry', {},
    schedule({ offset: () => 42, link: () => [5 + 0.5 * r(), 30 + 0.5 * r(), 0.05], polls: 20, pollMs: 1_000 }));
}
{
  // The server's clock steps +20 ms (intervals cannot all hold: a restart),
  // then -300 ms (beyond the step threshold), on a quiet path.
  const offset = (t) => (t < 3_000 ? 100 : t < 8_000 ? 120 : -180);
  record('clock step', 'the server clock steps +20 ms (window restarts), later -300 ms (stepped, not slewed)',
    { windowSize: 64 },
    schedule({ offset, link: (i) => [0.3 + 0.01 * (i % 3), 0.3, 0.02], burst: 40, polls: 12, pollMs: 1_000 }));
}
{
  // Sparse samples from a clock drifting 10 ppm from ours: old intervals
  // widen at 15 ppm, so they still meet; queries long after the last sample
  // show the bound growing with time.
  const steps = [];
  for (let i = 0; i < 6; i++) {
    const t = 1_000 + i * 12_000;
    steps.push(sample(exchange(t, 10 + t * 10e-6, 0.5, 0.5), 30_000));
  }
  steps.push({ op: 'query', at: [200_000, 1_000_000] });
  record('aging samples', 'a 10 ppm drift; intervals widen at 15 ppm (driftPpm) with age; the bound grows after the last sample',
    {}, steps);
}
{
  // A coarse local clock (0.1 ms, like a browser's performance.now()).
  const r = random(5);
  const q = (x) => Math.round(x * 10) / 10;
  const steps = schedule({ offset: () => 77.77, link: () => [0.4 + 0.2 * r(), 0.4 + 0.2 * r(), 0.03], polls: 10, pollMs: 1_000 })
    .map((s) => ({ ...s, t1: q(s.t1), t4: q(s.t4), at: [q(s.t4), q(s.t4) + 125] }));
  record('resolution', 'local stamps rounded to 0.1 ms and resolutionMs 0.1 widening every interval', { resolutionMs: 0.1 }, steps);
}
{
  // windowSize 8: the best sample is forgotten after 8 newer ones;
  // windowMs 10 s: a sample older than that leaves (the newest always stays).
  const steps = [sample(exchange(0, 10, 0.1, 0.1))];
  for (let i = 1; i <= 10; i++) steps.push(sample(exchange(i * 100, 10, 3 + 0.1 * i, 1)));
  record('window size limit', 'windowSize 8: the quick first sample leaves after 8 newer ones', { windowSize: 8, stepSamples: 100 }, steps);
  const aging = [sample(exchange(0, 10, 0.1, 0.1)), sample(exchange(5_000, 10, 3, 1)), sample(exchange(10_500, 10, 3, 1)),
    sample(exchange(30_000, 10, 2, 2)), { op: 'query', at: [90_000] }];
  record('window age limit', 'windowMs 10 s: older samples leave the window', { windowMs: 10_000, stepSamples: 100 }, aging);
}
{
  // Slewing at 5 % and the step threshold, on a window of one sample.
  const x = [exchange(0, 100, 1, 1), exchange(1_000, 110, 1, 1), exchange(2_000, 80, 1, 1), exchange(3_000, 149, 1, 1),
    exchange(6_000, 300, 1, 1), exchange(7_000, 290, 1, 1)];
  record('slewing and steps', 'once synced, 10 and 30 ms corrections slew at 5 %; 151 ms steps',
    { slewRate: 0.05, stepThresholdMs: 50, stepSamples: 1, windowSize: 1 },
    x.map((s) => ({ op: 'sample', ...s, at: [s.t4, s.t4 + 100, s.t4 + 200, s.t4 + 700] })));
}
{
  const steps = [
    sample(exchange(0, 100, 1, 1)),
    { op: 'clearWindow', at: [10] },
    sample(exchange(100, 104, 1, 1)),
    { op: 'invalidate', at: [200] },
    sample(exchange(300, 101, 1, 1)),
    // Unusable: non-finite stamps, received before sent, the server sent before it received.
    { op: 'sample', t1: 400, t2: NaN, t3: 401, t4: 402, at: [500] },
    { op: 'sample', t1: 400, t2: 401, t3: 401, t4: 399, at: [500] },
    { op: 'sample', t1: 400, t2: 405, t3: 404, t4: 402, at: [500] },
    { op: 'sample', t1: 400, t2: Infinity, t3: Infinity, t4: 402, at: [500] },
  ];
  record('resets and unusable samples', 'clearWindow keeps the estimate; invalidate drops it; bad stamps are refused',
    { stepSamples: 1 }, steps);
}
{
  const steps = [{ op: 'query', at: [0, 1_000] }];
  record('no samples', 'before any sample: offset 0, an infinite bound, not synced', {}, steps);
}

// One step per line: diffs stay readable.
const text = '{"generator":"tests/vectors/generate_time_estimator.mjs","reference":"client/time-estimator.js",\n' +
  '"cases":[\n' + cases.map((c) => {
  const { steps, ...head } = c;
  return JSON.stringify(head).slice(0, -1) + ',"steps":[\n' + steps.map((s) => JSON.stringify(s)).join(',\n') + '\n]}';
}).join(',\n') + '\n]}\n';

if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(OUT, 'utf8'); } catch { /* missing */ }
  if (current !== text) {
    console.error('tests/vectors/time_estimator.json differs from what client/time-estimator.js gives: regenerate it');
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}: ${cases.length} cases, ${cases.reduce((n, c) => n + c.steps.length, 0)} steps`);
}
