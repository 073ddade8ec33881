// The `winkel` command as an operator meets it: help, one-line errors with a non-zero exit code,
// and the embedded PostgreSQL life cycle (first start, Ctrl-C, restart with data kept, recovery
// after the process was killed).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/db.js';
import { eventually } from './helpers/server.js';

const BIN = path.resolve('bin/winkel.mjs');
const BASE_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', WINKEL_SERVE_WEB: 'false' };

function run(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...BASE_ENV, ...env } as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Served {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

async function serve(env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...BASE_ENV, ...env } as NodeJS.ProcessEnv });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await eventually(async () => out.includes('Press Ctrl-C to stop') || child.exitCode !== null, 60_000);
  } catch (err) {
    // Not up in time: stop it (the launcher passes the signal on), or it outlives the test run.
    child.kill('SIGTERM');
    throw err;
  }
  if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
  return { child, out: () => out, exited };
}

function postmasterAlive(dataDir: string): boolean {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
    return true;
  } catch {
    return false;
  }
}

let dbUrl: string;
let dropDb: () => Promise<void>;
beforeAll(async () => {
  const t = await createTestDatabase();
  dbUrl = t.url;
  dropDb = t.drop;
});
afterAll(() => dropDb?.());

// Each test starts real processes (servers, an embedded PostgreSQL cluster): on a slow machine a
// test can take minutes, which is not what these tests are about.
describe('winkel CLI', { timeout: 240_000 }, () => {
  it('explains itself with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'worker', 'migrate', 'create-admin', 'api-key']) expect(r.stdout).toContain(cmd);
    const sub = await run(['api-key', 'create', '--help']);
    expect(sub.stdout).toContain('--scopes');
  });

  it('rejects bad configuration with one message per wrong value', async () => {
    const r = await run(['serve'], { PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('PORT="abc"');
    expect(r.stderr).toContain('LOG_LEVEL="loud"');
  });

  it('says in one line that the database is unreachable', async () => {
    const r = await run(['serve'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/database unreachable/);
  });

  it('says in one line that the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await run(['serve'], { DATABASE_URL: dbUrl, PORT: String(port) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`port ${port} is taken`);
    } finally {
      blocker.close();
    }
  });

  it('migrates, creates an admin and an API key that works', async () => {
    expect((await run(['migrate'], { DATABASE_URL: dbUrl })).stdout).toContain('up to date');
    const admin = await run(['create-admin', '--email', 'ops@test.example'], { DATABASE_URL: dbUrl });
    expect(admin.code).toBe(0);
    expect(admin.stdout).toMatch(/created admin ops@test.example\npassword: \S{20}/);
    const key = await run(['api-key', 'create', '--name', 'ci', '--scopes', 'staff:read'], { DATABASE_URL: dbUrl });
    expect(key.code).toBe(0);
    const [id, token] = key.stdout.trim().split('\n');
    expect(id).toMatch(/^key_/);
    expect(token).toMatch(/^sk_/);
    const bad = await run(['api-key', 'create', '--name', 'x', '--scopes', 'root:all'], { DATABASE_URL: dbUrl });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('unknown scope(s): root:all');

    const port = await freePort();
    const srv = await serve({ DATABASE_URL: dbUrl, PORT: String(port) });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/staff-users`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const emails = ((await res.json()) as { data: Array<{ email: string }> }).data.map((u) => u.email);
      expect(emails).toContain('ops@test.example');
      // DATABASE_URL given: no embedded PostgreSQL, and the admin exists already: no first-start password.
      expect(srv.out()).toContain('Database:  DATABASE_URL');
      expect(srv.out()).not.toContain('First start');
      // The launcher started the server with Winkel's heap ceiling (bin/node-flags.mjs).
      const kids = readFileSync(`/proc/${srv.child.pid}/task/${srv.child.pid}/children`, 'utf8').trim().split(/\s+/);
      expect(kids).toHaveLength(1);
      expect(readFileSync(`/proc/${kids[0]}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--max-old-space-size=512', '--max-semi-space-size=4']));
    } finally {
      srv.child.kill('SIGTERM');
      expect(await srv.exited).toBe(0);
    }
  });

  it('runs the same from the bundle that npm start builds as from the sources', async () => {
    const dir = path.resolve(`dist/test-${process.pid}`);
    // @ts-expect-error: a plain ESM script without types.
    const { buildServer } = (await import('../scripts/build-server.mjs')) as { buildServer: (out: string) => Promise<string> };
    const bundle = await buildServer(path.join(dir, 'winkel.mjs'));
    try {
      const help = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [bundle, 'migrate', '--help'], { env: { ...BASE_ENV } as NodeJS.ProcessEnv });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', () => resolve(out));
      });
      expect(help).toContain('migrate');
      const port = await freePort();
      const child = spawn(process.execPath, [bundle, 'serve'], { env: { ...BASE_ENV, DATABASE_URL: dbUrl, PORT: String(port) } as NodeJS.ProcessEnv });
      try {
        // Migrations and package.json are found from the bundle's place in dist/.
        const health = await eventually(async () => {
          const r = await fetch(`http://127.0.0.1:${port}/health`);
          return (await r.json()) as { status: string; version: string };
        }, 30_000);
        expect(health.status).toBe('ok');
        expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
        const ready = await fetch(`http://127.0.0.1:${port}/ready`);
        expect(ready.status).toBe(200);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs on embedded PostgreSQL: first start, Ctrl-C, restart with data kept, recovery after kill -9', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'winkel-cli-'));
    chmodSync(dataDir, 0o755);
    const env = { WINKEL_DATA_DIR: dataDir };
    try {
      let port = await freePort();
      const first = await serve({ ...env, PORT: String(port) });
      const password = /password: (\S+)/.exec(first.out())![1];
      expect(first.out()).toContain('embedded PostgreSQL');
      const signIn = async (p: number) =>
        fetch(`http://127.0.0.1:${p}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@winkel.example', password }) });
      const token = ((await (await signIn(port)).json()) as { token: string }).token;
      const created = await fetch(`http://127.0.0.1:${port}/v1/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'publishable', name: 'kept across restarts' }),
      });
      expect(created.status).toBe(201);
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
      expect(postmasterAlive(dataDir)).toBe(false);

      port = await freePort();
      const second = await serve({ ...env, PORT: String(port) });
      expect(second.out()).not.toContain('First start');
      const again = await signIn(port);
      expect(again.status).toBe(200);
      const keys = await fetch(`http://127.0.0.1:${port}/v1/api-keys`, { headers: { authorization: `Bearer ${((await again.json()) as { token: string }).token}` } });
      expect(((await keys.json()) as { data: Array<{ name: string }> }).data.map((k) => k.name)).toContain('kept across restarts');
      // A hard kill leaves PostgreSQL running; the next start must cope.
      second.child.kill('SIGKILL');
      await second.exited;
      expect(postmasterAlive(dataDir)).toBe(true);

      port = await freePort();
      const third = await serve({ ...env, PORT: String(port) });
      expect((await signIn(port)).status).toBe(200);
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
      expect(postmasterAlive(dataDir)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
