// What a browser test needs around it: a real Winkel server in a child process (its own data
// directory or its own database), a real webhook receiver, and Debian's chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningWinkel {
  url: string;
  adminEmail: string;
  adminPassword: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A fresh database on TEST_DATABASE_URL's server, or nothing (the server then embeds its own). */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return undefined;
  const name = `winkel_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await c.end();
    },
  };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; server output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts `winkel serve` as a user would, and waits until it answers and has printed the admin password. */
export async function startWinkelServer(env: Record<string, string> = {}): Promise<RunningWinkel> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'winkel-e2e-'));
  // The embedded PostgreSQL runs as its own user, which must be able to reach the directory.
  chmodSync(dataDir, 0o755);
  const db = await freshDatabase();
  const port = await freePort();
  let out = '';
  let exited: number | null | undefined;
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/winkel.mjs'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      WINKEL_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      WINKEL_SERVE_WEB: 'true',
      WEBHOOK_RETRY_BASE_SECONDS: '1',
      LOG_LEVEL: 'warn',
      ...(db ? { DATABASE_URL: db.url } : { DATABASE_URL: '' }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  child.on('exit', (code) => (exited = code));
  const output = () => out;
  const url = `http://127.0.0.1:${port}`;

  async function stop() {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const gone = await Promise.race([
        new Promise<boolean>((r) => child.once('exit', () => r(true))),
        new Promise<boolean>((r) => setTimeout(() => r(false), 20_000)),
      ]);
      if (!gone) child.kill('SIGKILL');
    }
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  try {
    await waitFor('the server to answer /health', 90_000, async () => {
      if (exited !== undefined) throw new Error(`winkel serve exited with ${exited}:\n${out}`);
      try {
        const res = await fetch(`${url}/health`);
        return res.ok ? true : undefined;
      } catch {
        return undefined;
      }
    }, output);
    const adminPassword = await waitFor('the first admin password', 10_000, () => /password:\s+(\S+)/.exec(out)?.[1], output);
    const adminEmail = /e-mail:\s+(\S+@\S+)/.exec(out)?.[1] ?? 'admin@winkel.example';
    const running: RunningWinkel = {
      url,
      adminEmail,
      adminPassword,
      output,
      async stop() {
        runningServers.delete(running);
        await stop();
      },
    };
    runningServers.add(running);
    return running;
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that keeps every request and answers 200. */
export async function startReceiver() {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('received');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/winkel-hooks`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// ---- what a failed browser test leaves behind ------------------------------------------------
// A browser test that fails on a CI machine can only be understood from the log. Every page opened
// through launchBrowser and every server started here are remembered, with the API answers of 400
// and above, failed requests and console errors each page saw; `describeForFailure` (called by
// test/e2e/setup.ts after a failed test) prints each page's address and visible text with them,
// and the end of each server's output.

const watchedPages = new Map<Page, string[]>();
const runningServers = new Set<RunningWinkel>();

function watchPage(page: Page) {
  const seen: string[] = [];
  watchedPages.set(page, seen);
  const note = (line: string) => {
    seen.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (seen.length > 60) seen.shift();
  };
  page.on('response', (r) => {
    if (r.status() >= 400) note(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => note(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? ''}`));
  page.on('console', (m) => {
    if (m.type() === 'error') note(`console: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => note(`page error: ${e.message.slice(0, 300)}`));
  page.on('close', () => watchedPages.delete(page));
}

/** What the open pages show and saw, and what the servers printed last: for a failed test's log. */
export async function describeForFailure(): Promise<string> {
  const parts: string[] = [];
  for (const [page, seen] of watchedPages) {
    let text = '';
    try {
      text = (await page.locator('body').innerText({ timeout: 2_000 })).replace(/\n{2,}/g, '\n').slice(0, 1_500);
    } catch (err) {
      text = `(could not read the page: ${(err as Error).message.split('\n')[0]})`;
    }
    parts.push(`--- page ${page.url()}\n${text}\n--- it saw:\n${seen.join('\n') || '(no errors)'}`);
  }
  for (const server of runningServers) parts.push(`--- server ${server.url}, last output:\n${server.output().split('\n').slice(-40).join('\n')}`);
  return parts.join('\n');
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const context = await newContext(...args);
    context.on('page', watchPage);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args: Parameters<Browser['newPage']>) => {
    const page = await newPage(...args);
    watchPage(page);
    return page;
  };
  return browser;
}

/**
 * One API request as the tests' setup makes it: JSON in and out, an idempotency key on every POST,
 * the bearer token when one is given; anything but a 2xx throws with what the server answered.
 */
/** Guest carts the tests started through apiCall, with their secrets (docs/commerce.md, "Whose cart it is"). */
const guestCartSecrets = new Map<string, string>();

/**
 * Calls the API as a test's set-up does. Like a shop front, it keeps the secret a guest cart is
 * answered with when it is made and sends it on every later call on that cart.
 */
export async function apiCall<T>(baseUrl: string, method: string, path: string, body: unknown, token: string | null | undefined): Promise<T> {
  const cartId = /^\/v1\/carts\/([^/?]+)/.exec(path)?.[1];
  const secret = cartId ? guestCartSecrets.get(cartId) : undefined;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json', ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}), ...(secret ? { 'winkel-cart-secret': secret } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  const answer = (text ? JSON.parse(text) : undefined) as T;
  const made = answer as { id?: string; secret?: string } | undefined;
  if (method === 'POST' && path === '/v1/carts' && made?.id && made.secret) guestCartSecrets.set(made.id, made.secret);
  return answer;
}
