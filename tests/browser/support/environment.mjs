// Real parts for the browser tests: a throwaway PostgreSQL cluster
// (scripts/pg-cluster) with the extension, the real worker binary
// (build/session-clock-worker) as a child process, HS256 tokens signed here,
// and Debian's chromium driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const WORKER_BINARY = process.env.SESSION_CLOCK_WORKER || join(ROOT, 'build', 'session-clock-worker');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'tests', 'browser', 'artifacts');
export const JWT_SECRET = 'browser-test-secret-with-enough-entropy-0123456789abcdef';

const PG_CLUSTER = join(ROOT, 'scripts', 'pg-cluster');

// pg-cluster picks the first port nothing listens on, but the port may still
// be taken: another suite on this host binding it between the pick and the
// bind, or a client connection's ephemeral port. Try again on a random one.
function startCluster(dir) {
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 ? [] : [String(54320 + Math.floor(Math.random() * 100))];
    try {
      return execFileSync(PG_CLUSTER, ['start', dir, ...port], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (e) {
      if (attempt >= 8 || !/Address already in use/.test(String(e.stderr))) throw e;
      try { execFileSync(PG_CLUSTER, ['stop', dir]); } catch { /* nothing to stop */ }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200 + Math.random() * 800);
    }
  }
}

/** A throwaway cluster with the Supabase roles and the extension. */
export class Cluster {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'session_clock_browser.'));
    chmodSync(this.dir, 0o755);  // the cluster inside runs as postgres when we are root
    this.pgdir = join(this.dir, 'pg');
    this.url = startCluster(this.pgdir);
    try {
      this.#prepare();
    } catch (e) {
      this.stop();  // the caller never gets this object to stop (the extension not installed, say)
      throw e;
    }
  }

  #prepare() {
    this.sql(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; END IF;
    END $$`);
    this.sql('CREATE EXTENSION session_clock');
  }

  /** Runs SQL as the superuser; returns the rows, each an array of column texts. */
  sql(statement) {
    const out = execFileSync(PG_CLUSTER, ['psql', this.pgdir, '-qAt', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', statement],
      { encoding: 'utf8' });
    return out.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
  }

  /** A running session with `host` as its host member; returns its id. */
  createSession(host) {
    const [[id]] = this.sql('SELECT session_id FROM session_clock_start(gen_random_uuid())');
    this.sql(`SELECT session_clock_add_member('${id}', '${host}', 'host')`);
    return id;
  }

  /** The clock as SQL computes it now: elapsed at server_now (epoch ms), and its version. */
  reading(id, call = `session_clock_get('${id}')`) {
    const [[elapsed, serverNow, version, paused]] = this.sql(
      `SELECT elapsed_ms, extract(epoch FROM server_now) * 1000, version, is_paused FROM ${call}`);
    return { elapsedMs: Number(elapsed), serverNowMs: Number(serverNow), version: Number(version), isPaused: paused === 't' };
  }

  stop() {
    try { execFileSync(PG_CLUSTER, ['stop', this.pgdir]); } catch { /* already gone */ }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The real worker binary; `port` 0 lets the kernel choose (read back from its log). */
export class Worker {
  constructor(databaseUrl, logDir) {
    this.databaseUrl = databaseUrl;
    this.logDir = logDir;
    this.port = 0;
    this.process = null;
    this.starts = 0;
  }

  async start() {
    this.starts += 1;
    this.logPath = join(this.logDir, `worker.${this.starts}.log`);
    const fd = openSync(this.logPath, 'w');
    this.process = spawn(WORKER_BINARY, [
      '--database-url', this.databaseUrl, '--listen', `127.0.0.1:${this.port}`,
      '--jwt-secret', JWT_SECRET, '--threads', '2', '--log-level', 'info',
    ], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise((done) => this.process.once('exit', (code, signal) => done({ code, signal })));
    this.exited = exited;
    const marker = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
    // Until it has read the database's clock the worker serves its own
    // host's, with no bound (docs/protocol.md, "One clock"): wait for both.
    const measured = "serving the database's clock";
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      const found = marker.exec(this.log());
      if (found && this.log().includes(measured)) {
        this.port = Number(found[1]);
        return this;
      }
      if (this.process.exitCode !== null) break;
      await sleep(20);
    }
    throw new Error(`the worker did not start:\n${this.log()}`);
  }

  log() {
    try { return readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }

  get origin() { return `http://127.0.0.1:${this.port}`; }

  /** Stops it (SIGKILL: a crash, no goodbye) and waits for the exit. */
  async kill(signal = 'SIGKILL') {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill(signal);
    await this.exited;
  }
}

function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

/** An HS256 JWT for the tests' secret. */
export function makeToken({ sub, role = 'authenticated', ttlSeconds = 3600 }) {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = { role, exp: Math.floor(Date.now() / 1000) + ttlSeconds };
  if (sub) claims.sub = sub;
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/**
 * Chromium from Debian. Playwright passes --no-sandbox unless asked for the
 * sandbox, which root (CI) needs anyway. `args`: extra switches (the room
 * test lets audio start without a user gesture).
 */
export async function launchChromium(args = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false, args });
}

/** Console errors and uncaught exceptions of a page, collected as they happen. */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push({ kind: `console.${message.type()}`, text: message.text(), at: Date.now() });
    }
  });
  page.on('pageerror', (error) => problems.push({ kind: 'pageerror', text: String(error), stack: error.stack, at: Date.now() }));
  return problems;
}
