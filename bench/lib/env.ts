// What the benchmarks run on: one embedded PostgreSQL for the run (or BENCH_DATABASE_URL), a fresh
// database per benchmark, Winkel as a child process (so its memory is its own), free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/platform/embedded-pg.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export class BenchDatabase {
  private embedded?: EmbeddedPostgres;
  private dir?: string;
  adminUrl = '';
  version = '';

  async start() {
    if (process.env.BENCH_DATABASE_URL) {
      this.adminUrl = process.env.BENCH_DATABASE_URL;
    } else {
      this.dir = mkdtempSync(path.join(os.tmpdir(), 'winkel-bench-'));
      chmodSync(this.dir, 0o755);
      // Durable settings, as in production: the figures include fsync.
      this.embedded = await startEmbeddedPostgres({ dataDir: this.dir, database: 'postgres' });
      this.adminUrl = this.embedded.url;
    }
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    this.version = (await c.query('show server_version')).rows[0].server_version;
    await c.end();
  }

  get embeddedLabel() {
    return this.embedded ? `embedded PostgreSQL ${this.version}` : `PostgreSQL ${this.version} (BENCH_DATABASE_URL)`;
  }

  async freshDatabase(name: string): Promise<string> {
    const db = `bench_${name}_${Date.now().toString(36)}`;
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    await c.query(`create database ${db}`);
    await c.end();
    const u = new URL(this.adminUrl);
    u.pathname = `/${db}`;
    return u.toString();
  }

  async stop() {
    await this.embedded?.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Samples a process's resident memory; `peakMb` is the highest seen (and the kernel's high-water mark). */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  peakKb = 0;
  constructor(private readonly pid: number) {}
  private read(field: string) {
    try {
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }
  start() {
    this.timer = setInterval(() => (this.peakKb = Math.max(this.peakKb, this.read('VmRSS'))), 200);
    return this;
  }
  stop() {
    clearInterval(this.timer);
    this.peakKb = Math.max(this.peakKb, this.read('VmHWM'));
    return Math.round(this.peakKb / 1024);
  }
}

export interface WinkelProcess {
  url: string;
  child: ChildProcess;
  password: string;
  rss: RssSampler;
  stop(): Promise<void>;
}

export async function startWinkel(databaseUrl: string, env: Record<string, string> = {}): Promise<WinkelProcess> {
  const port = await freePort();
  // BENCH_NODE_ARGS (e.g. --cpu-prof) go to the server's Node, for profiling a benchmark.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/winkel.mjs'), 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WINKEL_SERVE_WEB: 'false', API_RATE_LIMIT: '100000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Press Ctrl-C to stop')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`winkel did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const password = /password: (\S+)/.exec(out)?.[1] ?? '';
  const rss = new RssSampler(child.pid!).start();
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    password,
    rss,
    async stop() {
      child.kill('SIGTERM');
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.on('exit', () => r())));
    },
  };
}

export async function startReference(): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/reference-server.ts')], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`reference server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.on('exit', () => r())));
    },
  };
}

export async function api<T = any>(base: string, token: string | null, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(base + p, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export function percentile(sorted: number[], p: number) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
