// One measuring run: three time-sync estimators side by side, all through the
// same proxy to the same worker, each one's offset error sampled every
// --sample-ms for --duration-s seconds after they start connecting.
//
//   node runner.js --url http://127.0.0.1:PROXYPORT [--shift-ms=1234.5]
//                  [--duration-s 60] [--sample-ms 100] [--ours-options JSON] --out FILE.json
//
//   ours      client/session-clock.js (SessionClock, `ws` as its WebSocket;
//             its defaults unless --ours-options gives e.g. {"pollIntervalMs":1000})
//   timesync  the `timesync` npm library (1.x) polling POST /timesync, with the
//             README's interval of 10 s (5 requests 1 s apart per sync)
//   ewma      the seeds' hand-written method: a TIME_PING every second,
//             sample = serverNowMs + rtt/2 − local receive time, EWMA α = 0.1
//
// Truth: the worker runs on this host, so its clock is this process's
// real-time clock, read as performance.timeOrigin + performance.now() (µs
// resolution; Date.now() is whole ms). Every client's notion of local time is
// that plus --shift-ms, so the right offset estimate is −shift and nothing can
// pass by sharing the clock. error = estimator's server time − true time,
// read between two truth readings (their midpoint). Before an estimator has
// its first sample its error is not counted (null), it has no estimate yet.
//
// All three get the shifted high-resolution clock (not Date.now()), so the
// comparison is of the methods, not of a whole-millisecond clock.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'shift-ms': { type: 'string', default: '0' },
    'duration-s': { type: 'string', default: '60' },
    'sample-ms': { type: 'string', default: '100' },
    out: { type: 'string' },
    'ours-options': { type: 'string', default: '{}' },
  },
});
const shiftMs = Number(values['shift-ms']);
const durationMs = Number(values['duration-s']) * 1000;
const sampleMs = Number(values['sample-ms']);
if (!values.url || !values.out || !Number.isFinite(shiftMs) || !(durationMs > 0) || !(sampleMs >= 10)) {
  console.error('runner: need --url, --out, a finite --shift-ms, --duration-s > 0, --sample-ms >= 10');
  process.exit(2);
}
const base = values.url.replace(/\/+$/, '');
let oursOptions;
try { oursOptions = JSON.parse(values['ours-options']); } catch { oursOptions = null; }
if (!oursOptions || typeof oursOptions !== 'object' || Array.isArray(oursOptions)) {
  console.error('runner: --ours-options must be a JSON object (SessionClock options)');
  process.exit(2);
}

// --- clocks -------------------------------------------------------------------------
const realPerf = globalThis.performance;
const trueNow = () => realPerf.timeOrigin + realPerf.now();
const localNow = () => trueNow() + shiftMs;

// How far Node's high-resolution base is from the system clock the worker
// stamps with: Date.now() (floored to the ms) minus it, over many reads;
// about −0.5 ms when they agree.
function calibrate() {
  let sum = 0, n = 0;
  for (let i = 0; i < 20000; i++) {
    const a = trueNow(), d = Date.now(), b = trueNow();
    sum += d - (a + b) / 2; n++;
  }
  return sum / n;
}
const calibrationMs = calibrate();

// The client reads only performance.timeOrigin and performance.now() (and
// Date.now() to detect jumps by their advances): shift its base.
Object.defineProperty(globalThis, 'performance', {
  configurable: true, enumerable: true, writable: true,
  value: { timeOrigin: realPerf.timeOrigin + shiftMs, now: () => realPerf.now() },
});
const { SessionClock } = await import('../../client/session-clock.js');
const require = createRequire(import.meta.url);
const timesync = require('timesync');

// --- the estimators -------------------------------------------------------------------
const started = trueNow();

// (a) ours
const sc = new SessionClock(base, { ...oursOptions, WebSocket });
const ours = {
  synced: () => sc.sync.synced,
  now: () => sc.now(),
};
let ourSyncs = 0;
sc.addEventListener('sync', () => { ourSyncs++; });

// (b) timesync 1.x, as its README sets it up, over HTTP POST through the proxy
const ts = timesync.create({ server: `${base}/timesync`, interval: 10_000, now: localNow });
let tsSynced = false, tsChanges = 0, tsErrors = 0;
ts.on('change', () => { tsSynced = true; tsChanges++; });
ts.on('error', () => { tsErrors++; });
const tsEst = { synced: () => tsSynced, now: () => ts.now() };

// (c) the seeds: EWMA over serverNowMs + rtt/2 − receive time, a ping a second
const ALPHA = 0.1;
let ewmaOffset = null, ewmaSamples = 0, ewmaNextId = 0;
const ewmaSent = new Map();
const ewmaWs = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
let ewmaTimer = null;
ewmaWs.on('open', () => {
  const ping = () => {
    const id = ewmaNextId++;
    const t1 = localNow();
    ewmaSent.set(id, t1);
    ewmaWs.send(JSON.stringify({ t: 'TIME_PING', clientNowMs: t1, pingId: id }));
  };
  ping();
  ewmaTimer = setInterval(ping, 1000);
});
ewmaWs.on('message', (data) => {
  const t4 = localNow();
  let m;
  try { m = JSON.parse(data.toString()); } catch { return; }
  if (m.t !== 'TIME_PONG' || !ewmaSent.has(m.pingId)) return;
  const rtt = t4 - ewmaSent.get(m.pingId);
  ewmaSent.delete(m.pingId);
  const sample = m.serverNowMs + rtt / 2 - t4;
  ewmaOffset = ewmaOffset === null ? sample : ewmaOffset + ALPHA * (sample - ewmaOffset);
  ewmaSamples++;
});
ewmaWs.on('error', () => {});
const ewma = { synced: () => ewmaOffset !== null, now: () => localNow() + ewmaOffset };

const estimators = { ours, timesync: tsEst, ewma };

// --- sampling ---------------------------------------------------------------------------
const samples = [];  // { t: ms since start, ours, timesync, ewma, oursBound } (errors in ms, or null)
function sample() {
  const row = { t: trueNow() - started };
  for (const [name, e] of Object.entries(estimators)) {
    if (!e.synced()) { row[name] = null; continue; }
    const a = trueNow();
    const est = e.now();
    const b = trueNow();
    row[name] = est - (a + b) / 2;
  }
  // The bound our client claims on its own error, to check it holds.
  if (row.ours !== null) row.oursBound = sc.sync.maxErrorMs;
  samples.push(row);
}
// Bounded: one sample per period until the duration is over, scheduled
// against the start so the timer's drift does not accumulate.
let k = 1;
await new Promise((resolve) => {
  const next = () => {
    sample();
    k++;
    if (k * sampleMs > durationMs) { resolve(); return; }
    setTimeout(next, Math.max(0, started + k * sampleMs - trueNow()));
  };
  setTimeout(next, sampleMs);
});

const s = sc.sync;
writeFileSync(values.out, JSON.stringify({
  shiftMs, durationMs, sampleMs, calibrationMs, oursOptions,
  cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  ours: { syncEvents: ourSyncs, samples: s.samples, steps: s.steps, offsetMs: s.offsetMs, maxErrorMs: s.maxErrorMs,
    delayMs: s.delayMs, rttMs: s.rttMs },
  timesync: { changes: tsChanges, errors: tsErrors, offsetMs: ts.offset },
  ewma: { samples: ewmaSamples, offsetMs: ewmaOffset },
  samples,
}));
sc.close();
ts.destroy();
clearInterval(ewmaTimer);
ewmaWs.terminate();
setTimeout(() => process.exit(0), 200).unref();
