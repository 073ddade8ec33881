// Starts the real Winkel server on a random 127.0.0.1 port against this file's own database, with
// an admin signed in, and offers a small typed-enough HTTP helper.
import pino from 'pino';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { startWinkel, openDatabase, type Winkel } from '../../src/runtime.js';
import { createTestDatabase } from './db.js';

/** What the test helper's `call` answers. */
export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  url: string;
  winkel: Winkel;
  config: Config;
  adminToken: string;
  adminEmail: string;
  adminPassword: string;
  call<T = any>(method: string, path: string, opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<CallResult<T>>;
  close(): Promise<void>;
}

/** `log`: where the server's log lines go (a test that reads them); stdout at TEST_LOG or warn otherwise. */
export async function startTestServer(overrides: Partial<Config> = {}, opts: { log?: pino.DestinationStream } = {}): Promise<TestServer> {
  const testDb = await createTestDatabase();
  const config = loadConfig({
    env: {},
    file: '/nonexistent',
    overrides: { databaseUrl: testDb.url, port: 0, host: '127.0.0.1', logLevel: 'warn', serveWeb: false, dbPoolSize: 10, apiRateLimit: 0, signInRateLimit: 1000, ...overrides },
  });
  const log = opts.log ? pino({ level: config.logLevel }, opts.log) : pino({ level: process.env.TEST_LOG ?? 'warn' });
  const database = await openDatabase(config, log, { migrate: false });
  const winkel = await startWinkel(config, { mode: 'serve', log, database, bootstrapAdmin: { email: 'admin@test.example', name: 'Test Admin' } });
  const url = winkel.url!;
  const call: TestServer['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? adminToken : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body: body as any, headers: res.headers };
  };
  const adminPassword = winkel.firstAdmin!.password;
  let adminToken = '';
  const signIn = await call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'admin@test.example', password: adminPassword } });
  if (signIn.status !== 200) throw new Error(`admin sign-in failed: ${JSON.stringify(signIn.body)}`);
  adminToken = signIn.body.token;
  return {
    url,
    winkel,
    config,
    adminToken,
    adminEmail: 'admin@test.example',
    adminPassword,
    call,
    async close() {
      await winkel.stop();
      await database.close();
      await testDb.drop();
    },
  };
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}
