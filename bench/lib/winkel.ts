// The real Winkel server as a child process (`node bin/winkel.mjs serve`), so its memory is its own:
// a fresh data directory, a free port, its first-start admin password, its resident memory sampled
// from start to stop. Without a database URL it starts its own embedded PostgreSQL, exactly as
// `npx winkel` does for a shop; with BENCH_DATABASE_URL it gets a fresh database on that server.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabaseOn, serverVersion } from './database.js';
// @ts-expect-error: a plain ES module without types
import { serveNodeFlags } from '../../bin/node-flags.mjs';
import { captureOutput, freePort, ROOT, RssSampler, sleep, track, waitForExit } from './process.js';

export interface WinkelOptions {
  /** Use this database (it must be empty). Default: a fresh one on BENCH_DATABASE_URL, else embedded. */
  databaseUrl?: string;
  /** Names the fresh database on BENCH_DATABASE_URL. */
  name?: string;
  /** More environment for the server (e.g. a lower DB_POOL_SIZE). */
  env?: Record<string, string>;
  /** The database has been used before (a restart): no first-start admin password is printed. */
  restart?: boolean;
}

export interface WinkelProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  dataDir: string;
  /** The admin e-mail and password printed on first start. */
  email: string;
  password: string;
  /** E.g. "PostgreSQL 18.4, embedded (started by winkel serve)"; `url` is Winkel's database. */
  database: { embedded: boolean; version: string; label: string; url?: string };
  rss: RssSampler;
  output(): string;
  /** SIGTERM, wait for the exit (Winkel stops its embedded PostgreSQL itself), remove the data directory. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

let bundleBuilt: Promise<unknown> | undefined;
function ensureServerBundle() {
  // @ts-expect-error: a plain ESM script without types.
  bundleBuilt ??= import('../../scripts/build-server.mjs').then((m: { buildServer: () => Promise<string> }) => m.buildServer());
  return bundleBuilt;
}

export async function startWinkel(opts: WinkelOptions | string = {}): Promise<WinkelProcess> {
  const o: WinkelOptions = typeof opts === 'string' ? { databaseUrl: opts } : opts;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'winkel-bench-serve-'));
  // Embedded PostgreSQL runs as the postgres user, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  let databaseUrl = o.databaseUrl;
  let dbSource = databaseUrl ? 'given by the benchmark' : 'embedded';
  if (!databaseUrl && process.env.BENCH_DATABASE_URL) {
    databaseUrl = await freshDatabaseOn(process.env.BENCH_DATABASE_URL, o.name ?? 'serve');
    dbSource = 'BENCH_DATABASE_URL';
  }
  const port = await freePort();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the server's Node, for profiling.
  // The heap settings bin/winkel.mjs gives `serve` (bin/node-flags.mjs), given here directly so that
  // the measured process is the server itself, not the launcher in front of it.
  const nodeArgs = [...serveNodeFlags(), ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(/\s+/).filter(Boolean) : [])];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    WINKEL_DATA_DIR: dataDir,
    // A path that does not exist, so a developer's winkel.config.json cannot change the figures.
    WINKEL_CONFIG: path.join(dataDir, 'no-config.json'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Keeps the rate limiter on the request path, but never limits.
    API_RATE_LIMIT: '100000000',
    WINKEL_SERVE_WEB: 'false',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...o.env,
  };
  // What `npm start` runs: the server bundle (bin/winkel.mjs falls back to the sources when stale).
  await ensureServerBundle();
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/winkel.mjs'), 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C reaches only bench/run.ts, which then stops it once, cleanly.
    detached: true,
  });
  const out = captureOutput(child);
  // The start-up banner (with the first-start password), kept whole whatever is printed after it.
  let banner = '';
  const ready = () => /Press Ctrl-C to stop/.test(banner);
  const onBanner = (d: Buffer) => {
    banner += d.toString();
    if (ready()) child.stdout!.off('data', onBanner);
  };
  child.stdout!.on('data', onBanner);
  const rss = new RssSampler(child.pid!, 'start-up').start();
  const url = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      rss.stop();
      try {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const code = await waitForExit(child, STOP_TIMEOUT_MS);
          if (code === null) {
            child.kill('SIGKILL');
            await waitForExit(child, 10_000);
            await stopLeftoverPostgres(dataDir);
            throw new Error(`winkel serve (pid ${child.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed it.\n${tail(out.text)}`);
          }
          if (code !== 0) process.stderr.write(`warning: winkel serve exited with ${code} after SIGTERM\n${tail(out.text)}\n`);
        }
      } finally {
        untrack();
        rmSync(dataDir, { recursive: true, force: true });
      }
    })());
  const untrack = track(stop);

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let healthy = false;
    while (!healthy || !ready()) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`winkel serve exited (${child.exitCode ?? child.signalCode}) while starting:\n${tail(out.text)}`);
      if (Date.now() > deadline) throw new Error(`winkel serve did not answer GET /health with 200 within ${START_TIMEOUT_MS / 1000} s:\n${tail(out.text)}`);
      if (!healthy) healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
        async (r) => (await r.text(), r.status === 200),
        () => false,
      );
      if (!healthy || !ready()) await sleep(100);
    }
    const password = /^\s*password:\s+(\S+)\s*$/m.exec(banner)?.[1];
    if (!password && !o.restart) throw new Error(`winkel serve printed no first-start admin password (was the database not empty?):\n${tail(out.text)}`);
    const email = /^\s*e-mail:\s+(\S+)\s*$/m.exec(banner)?.[1] ?? 'admin@winkel.example';
    const database = await describeDatabase(dataDir, databaseUrl, dbSource);
    rss.phase('idle');
    return { url, pid: child.pid!, child, dataDir, email, password: password ?? '', database, rss, output: () => out.text, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function describeDatabase(dataDir: string, url: string | undefined, source: string) {
  if (url) {
    const version = await serverVersion(url).catch(() => '?');
    return { embedded: false, version, label: `PostgreSQL ${version} (${source})`, url };
  }
  // The embedded server's credentials and port, as winkel serve leaves them in its data directory
  // (src/platform/embedded-pg.ts; its database is "winkel").
  let version = '?';
  let dbUrl: string | undefined;
  try {
    const { user, password } = JSON.parse(readFileSync(path.join(dataDir, 'pg-credentials.json'), 'utf8')) as { user: string; password: string };
    const port = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
    const base = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    version = await serverVersion(`${base}/postgres`);
    dbUrl = `${base}/winkel`;
  } catch {
    const major = path.join(dataDir, 'pg', 'PG_VERSION');
    if (existsSync(major)) version = readFileSync(major, 'utf8').trim();
  }
  return { embedded: true, version, label: `PostgreSQL ${version}, embedded (started by winkel serve)`, url: dbUrl };
}

/** After a forced kill, the embedded PostgreSQL would outlive Winkel: ask it to stop (fast shutdown). */
async function stopLeftoverPostgres(dataDir: string) {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 300 && existsSync(pidFile); i++) await sleep(100);
}

function tail(text: string, lines = 30) {
  return text.split('\n').slice(-lines).join('\n');
}

/** A JSON request that must succeed; throws with the status and body otherwise. */
export async function api<T = any>(base: string, token: string | null, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(base + p, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Signs the first-start admin in; returns the session token. */
export async function signInAdmin(winkel: WinkelProcess): Promise<string> {
  return (await api<{ token: string }>(winkel.url, null, 'POST', '/v1/auth/sign-in', { email: winkel.email, password: winkel.password })).token;
}

/** Runs `work(i)` for i in [0, n), at most `parallel` at a time. */
export async function inBatches(n: number, parallel: number, work: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, n) }, async () => {
      while (next < n) await work(next++);
    }),
  );
}
