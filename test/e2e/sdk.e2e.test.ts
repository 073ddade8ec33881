// The browser SDK in a real browser on a shop page of another origin: without analytics consent
// nothing is sent; after the visitor grants it, page and track events arrive in the timeline, the
// anonymous id cookie survives reloads, hiding the page hands what is queued to sendBeacon, failed
// batches are retried with growing pauses (a batch the server keeps failing on is given up after
// the configured retries), events the server refuses are not sent again while the good ones of
// their batch arrive, and the stored queue stays within its bound.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let shop: http.Server;
let shopUrl = '';
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken = '';
const requests: string[] = [];

declare global {
  interface Window {
    winkel: import('../../sdk/src/index.js').Winkel;
  }
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
}
const timeline = async (anonymousId: string) => (await api('GET', `/v1/collect/timeline?anonymousId=${encodeURIComponent(anonymousId)}`)).body.data as Array<{ type: string; event: string | null; name: string | null }>;
async function until<T>(check: () => Promise<T | false | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
const sent = () => requests.filter((u) => u.includes('/v1/collect/') || u.includes('/v1/sdk/beacon'));
const cookie = async () => (await context.cookies(shopUrl)).find((c) => c.name === 'wkl_aid');

beforeAll(async () => {
  server = await startWinkelServer();
  adminToken = (await (await fetch(`${server.url}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }) })).json()).token;
  const pk = (await api('POST', '/v1/api-keys', { kind: 'publishable', name: 'shop' })).body.token;
  // A plain shop page on its own origin that loads the SDK from Winkel.
  shop = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const extra = req.url === '/small' ? ' data-max-queue="3"' : req.url === '/retries' ? ' data-max-retries="2"' : '';
    res.end(`<!doctype html><html><head><title>Shop home</title><script src="${server.url}/sdk/winkel.js" data-key="${pk}" data-flush-interval="60000"${extra}></script></head><body><h1>Shop</h1></body></html>`);
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', () => r()));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  if (shop) await new Promise((r) => shop.close(r));
  await server?.stop();
});

describe('browser SDK', () => {
  it('sends nothing and sets no cookie without analytics consent', async () => {
    await page.goto(shopUrl);
    await page.evaluate(() => window.winkel.ready);
    const anonymousId = await page.evaluate(() => window.winkel.anonymousId());
    await page.evaluate(() => {
      window.winkel.track('Clicked Banner', { banner: 'autumn' });
      return window.winkel.flush();
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(sent()).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('winkel:queue'))).toBeNull();
    expect(await cookie()).toBeUndefined();
    expect(await timeline(anonymousId)).toEqual([]);
  });

  it('after the visitor grants analytics, page and track events arrive and the anonymous id survives reloads', async () => {
    const current = await page.evaluate(() => window.winkel.consent.set({ analytics: true }));
    expect(current.analytics).toBe(true);
    const first = await cookie();
    expect(first).toMatchObject({ sameSite: 'Lax', path: '/' });
    const anonymousId = decodeURIComponent(first!.value);
    expect(await page.evaluate(() => window.winkel.anonymousId())).toBe(anonymousId);

    await page.reload();
    await page.evaluate(() => window.winkel.ready);
    expect(await page.evaluate(() => window.winkel.anonymousId())).toBe(anonymousId);
    expect((await cookie())!.value).toBe(first!.value);
    await page.evaluate(() => {
      window.winkel.track('Product Viewed', { sku: 'MUG' });
      return window.winkel.flush();
    });
    const events = await until(async () => {
      const t = await timeline(anonymousId);
      return t.length >= 2 && t;
    });
    expect(events.map((e) => [e.type, e.event])).toEqual([
      ['page', null],
      ['track', 'Product Viewed'],
    ]);
    expect(sent().some((u) => u.includes('/v1/collect/batch'))).toBe(true);
  });

  it('hands the queue to sendBeacon when the page is hidden', async () => {
    const anonymousId = await page.evaluate(() => window.winkel.anonymousId());
    requests.length = 0;
    await page.evaluate(() => window.winkel.track('Added To Cart', { sku: 'MUG', quantity: 1 }));
    // Queued in localStorage, not yet sent (the flush interval is a minute).
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('winkel:queue'))) ?? '[]').length).toBe(1);
    expect(sent()).toEqual([]);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await until(async () => sent().some((u) => u.includes('/v1/sdk/beacon')));
    expect(sent().every((u) => u.includes('/v1/sdk/beacon'))).toBe(true);
    const events = await until(async () => {
      const t = await timeline(anonymousId);
      return t.some((e) => e.event === 'Added To Cart') && t;
    });
    expect(events.filter((e) => e.event === 'Added To Cart')).toHaveLength(1);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('winkel:queue'))) ?? '[]')).toEqual([]);
  });

  it('retries a failed batch with growing pauses until it gets through', async () => {
    const anonymousId = await page.evaluate(() => window.winkel.anonymousId());
    const attempts: number[] = [];
    await page.route('**/v1/collect/batch', async (route) => {
      attempts.push(Date.now());
      if (attempts.length <= 2) await route.fulfill({ status: 503, headers: { 'access-control-allow-origin': '*' }, body: 'down for maintenance' });
      else await route.continue();
    });
    await page.evaluate(() => {
      window.winkel.track('Wishlist Added', { sku: 'MUG' });
      return window.winkel.flush();
    });
    await until(async () => (await timeline(anonymousId)).some((e) => e.event === 'Wishlist Added'), 30_000);
    expect(attempts.length).toBe(3);
    // Back-off: about 1–2 s after the first failure, about 2–4 s after the second.
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(900);
    expect(attempts[2] - attempts[1]).toBeGreaterThanOrEqual(1900);
    expect(attempts[2] - attempts[1]).toBeGreaterThan((attempts[1] - attempts[0]) * 0.9);
    await page.unroute('**/v1/collect/batch');
  });

  it('drops a batch the server keeps failing on after the configured retries, and sends what comes after', async () => {
    await page.goto(`${shopUrl}retries`);
    await page.evaluate(() => window.winkel.ready);
    const anonymousId = await page.evaluate(() => window.winkel.anonymousId());
    // The page view of this load goes out first, undisturbed.
    await page.evaluate(() => window.winkel.flush());
    await until(async () => (JSON.parse((await page.evaluate(() => localStorage.getItem('winkel:queue'))) ?? '[]') as unknown[]).length === 0);
    const attempts: number[] = [];
    await page.route('**/v1/collect/batch', async (route) => {
      attempts.push(Date.now());
      await route.fulfill({ status: 500, headers: { 'access-control-allow-origin': '*', 'content-type': 'application/problem+json' }, body: '{"status":500,"code":"internal"}' });
    });
    await page.evaluate(() => {
      window.winkel.track('Poison Batch');
      return window.winkel.flush();
    });
    // One try and two retries (after about 1–2 s and 2–4 s), then the batch is given up.
    await until(async () => attempts.length >= 3 && (JSON.parse((await page.evaluate(() => localStorage.getItem('winkel:queue'))) ?? '[]') as unknown[]).length === 0, 30_000);
    await new Promise((r) => setTimeout(r, 4500));
    expect(attempts).toHaveLength(3);
    await page.unroute('**/v1/collect/batch');
    await page.evaluate(() => {
      window.winkel.track('After The Outage');
      return window.winkel.flush();
    });
    const events = await until(async () => {
      const t = await timeline(anonymousId);
      return t.some((e) => e.event === 'After The Outage') && t;
    });
    expect(events.some((e) => e.event === 'Poison Batch')).toBe(false);
  });

  it('keeps the good events of a batch in which the server refuses one, and does not send the refused one again', async () => {
    const anonymousId = await page.evaluate(() => window.winkel.anonymousId());
    const batches: string[] = [];
    page.on('request', (r) => r.url().includes('/v1/collect/batch') && batches.push(r.url()));
    await page.evaluate(() => {
      window.winkel.track('Good Before', { sku: 'MUG' });
      // Half a character: the server refuses this event, and only this one.
      window.winkel.track('Broken', { note: 'half \ud800 a character' });
      window.winkel.track('Good After');
      return window.winkel.flush();
    });
    const events = await until(async () => {
      const t = await timeline(anonymousId);
      return t.some((e) => e.event === 'Good After') && t;
    });
    expect(events.filter((e) => ['Good Before', 'Broken', 'Good After'].includes(e.event ?? '')).map((e) => e.event)).toEqual(['Good Before', 'Good After']);
    await new Promise((r) => setTimeout(r, 2500));
    expect(batches).toHaveLength(1);
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('winkel:queue'))) ?? '[]')).toEqual([]);
  });

  it('keeps at most the configured number of events while the server cannot be reached, dropping the oldest', async () => {
    await page.route('**/v1/collect/batch', (route) => route.abort());
    await page.goto(`${shopUrl}small`);
    await page.evaluate(() => window.winkel.ready);
    const kept = await page.evaluate(async () => {
      for (let i = 1; i <= 5; i++) window.winkel.track(`Step ${i}`);
      await window.winkel.flush();
      return (JSON.parse(localStorage.getItem('winkel:queue') ?? '[]') as Array<{ event?: string; type: string }>).map((m) => m.event ?? m.type);
    });
    expect(kept).toEqual(['Step 3', 'Step 4', 'Step 5']);
    await page.unroute('**/v1/collect/batch');
  });
});
