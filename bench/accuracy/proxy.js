// A user-space TCP proxy that delays each direction (the kernel here has no
// netem). Every chunk read from one side is released to the other at
//   max(previous release in that direction, arrival + base + jitter)
// so bytes never overtake each other (TCP's order is kept) while each chunk
// gets its own random extra delay. "up" is client → server, "down" the reverse.
//
//   node proxy.js --target 127.0.0.1:8080 [--up-ms 20] [--down-ms 20]
//                 [--jitter-ms 40] [--dist uniform|exp] [--seed 1]
//   prints "listening on 127.0.0.1:PORT" once ready; stops on SIGTERM.
//
// Jitter: uniform in [0, jitter], or exponential with mean jitter / 4 capped at
// jitter (mostly small, a long tail). A seeded generator, so a run is repeatable
// as far as the timers allow. Node's timers have 1 ms granularity: release
// times are met within about a millisecond, which adds a little jitter of its own.
import net from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

// mulberry32: small, seedable, good enough for delays.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function jitterSampler(jitterMs, dist, random) {
  if (!(jitterMs > 0)) return () => 0;
  if (dist === 'uniform') return () => random() * jitterMs;
  if (dist === 'exp') return () => Math.min(jitterMs, -Math.log(1 - random()) * jitterMs / 4);
  throw new Error(`unknown jitter distribution: ${dist}`);
}

// One direction: a FIFO of chunks with release times, one timer for its head.
class DelayLine {
  #to; #baseMs; #jitter; #queue = []; #lastRelease = 0; #timer = null; #closed = false;

  constructor(to, baseMs, jitter) {
    this.#to = to;
    this.#baseMs = baseMs;
    this.#jitter = jitter;
  }

  push(chunk) {
    if (this.#closed) return;
    const delay = this.#baseMs + this.#jitter();
    if (delay <= 0 && this.#queue.length === 0) {  // a clean link: no timer at all
      this.#to.write(chunk);
      return;
    }
    const at = Math.max(this.#lastRelease, performance.now() + delay);
    this.#lastRelease = at;
    this.#queue.push({ at, chunk });
    if (!this.#timer) this.#arm();
  }

  // end() after the queued bytes, as the peer's FIN would arrive.
  end() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#queue.length === 0) this.#to.end();
  }

  destroy() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  #arm() {
    const wait = this.#queue[0].at - performance.now();
    this.#timer = setTimeout(() => this.#release(), Math.max(0, wait));
  }

  #release() {
    this.#timer = null;
    const now = performance.now();
    while (this.#queue.length > 0 && this.#queue[0].at <= now + 0.25) this.#to.write(this.#queue.shift().chunk);
    if (this.#queue.length > 0) this.#arm();
    else if (this.#closed) this.#to.end();
  }
}

export function startProxy({ targetHost, targetPort, upMs = 0, downMs = 0, jitterMs = 0, dist = 'uniform', seed = 1 }) {
  const random = rng(seed);
  const jitter = jitterSampler(jitterMs, dist, random);
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: targetHost, port: targetPort });
    upstream.setNoDelay(true);
    const up = new DelayLine(upstream, upMs, jitter);
    const down = new DelayLine(client, downMs, jitter);
    client.on('data', (c) => up.push(c));
    upstream.on('data', (c) => down.push(c));
    client.on('end', () => up.end());
    upstream.on('end', () => down.end());
    const kill = () => { up.destroy(); down.destroy(); client.destroy(); upstream.destroy(); };
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => { if (!upstream.writableEnded) setTimeout(kill, 5000).unref(); });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      'up-ms': { type: 'string', default: '0' },
      'down-ms': { type: 'string', default: '0' },
      'jitter-ms': { type: 'string', default: '0' },
      dist: { type: 'string', default: 'uniform' },
      seed: { type: 'string', default: '1' },
    },
  });
  const m = /^([^:]+):(\d+)$/.exec(values.target || '');
  if (!m) { console.error('proxy: --target HOST:PORT is required'); process.exit(2); }
  const num = (k) => {
    const v = Number(values[k]);
    if (!Number.isFinite(v) || v < 0) { console.error(`proxy: --${k} must be a number >= 0`); process.exit(2); }
    return v;
  };
  const server = await startProxy({
    targetHost: m[1], targetPort: Number(m[2]),
    upMs: num('up-ms'), downMs: num('down-ms'), jitterMs: num('jitter-ms'),
    dist: values.dist, seed: num('seed'),
  });
  console.log(`listening on 127.0.0.1:${server.address().port}`);
  const stop = () => { server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
