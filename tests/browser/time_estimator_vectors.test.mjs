// Replays tests/vectors/time_estimator.json through client/time-estimator.js.
// The file was generated from this estimator (tests/vectors/
// generate_time_estimator.mjs), so a change to the estimator fails here until
// the vectors are regenerated; the Python port replays the same file
// (tests/python/test_time_estimator_vectors.py), so the two stay equal.
//
// Equality is exact (Object.is on every number): both sides are IEEE-754
// binary64 and the Python port evaluates each expression in the JS order, so
// any difference at all, even one ulp, is a divergence worth knowing about.
// JSON round-trips doubles exactly (shortest representation both ways).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { TimeEstimator } from '../../client/time-estimator.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/time_estimator.json', import.meta.url), 'utf8'));
// Infinity and NaN travel as strings.
const decode = (x) => (x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x === 'NaN' ? NaN : x);

function same(actual, expected, where) {
  assert.ok(Object.is(actual, decode(expected)) || (actual === 0 && decode(expected) === 0),
    `${where}: got ${actual}, the vectors say ${expected}`);
}

test('the vectors cover every behaviour they are meant to', () => {
  const names = vectors.cases.map((c) => c.name);
  for (const n of ['quiet path', 'uniform jitter', 'asymmetric delays', 'clock step', 'aging samples', 'resolution',
    'window size limit', 'window age limit']) assert.ok(names.includes(n), `missing case ${n}`);
});

for (const c of vectors.cases) {
  test(`vectors: ${c.name}`, () => {
    const e = new TimeEstimator(c.options);
    c.steps.forEach((step, i) => {
      const where = `${c.name}, step ${i} (${step.op})`;
      let returned = null;
      if (step.op === 'sample') {
        returned = e.addSample({ t1: decode(step.t1), t2: decode(step.t2), t3: decode(step.t3), t4: decode(step.t4) });
      } else if (step.op === 'clearWindow') e.clearWindow();
      else if (step.op === 'invalidate') e.invalidate();
      const x = step.expect;
      if (x.returned === null) assert.equal(returned, null, `${where}: a sample was accepted`);
      else {
        assert.ok(returned, `${where}: the sample was refused`);
        for (const k of Object.keys(x.returned)) same(returned[k], x.returned[k], `${where} returned.${k}`);
      }
      assert.equal(e.synced, x.synced, `${where}: synced`);
      assert.equal(e.sampleCount, x.sampleCount, `${where}: sampleCount`);
      assert.equal(e.steps, x.steps, `${where}: steps`);
      assert.equal(e.restarts, x.restarts, `${where}: restarts`);
      same(e.residualMs, x.residualMs, `${where} residualMs`);
      for (const s of x.snapshots) {
        const got = e.snapshot(s.at);
        for (const k of Object.keys(s)) {
          if (k === 'at') continue;
          same(k === 'serverTime' ? e.serverTime(s.at) : got[k], s[k], `${where} at ${s.at}: ${k}`);
        }
      }
    });
  });
}
