// Product lists remembered in memory: served again while nothing in them changed, and dropped at once
// when something did, whether the change came through this server, through another process writing
// the database, or from a price list whose window opened with no write at all.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;
let productId: string;
const LIST = '/v1/products?channel=web&limit=50&sort=title';

// A TTL of an hour: nothing in these tests may be explained by an answer simply growing old.
beforeAll(async () => {
  s = await startTestServer({ catalogCacheTtlMs: 3_600_000 });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  const p = await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Paper chain kit', nl: 'Papieren slinger' }, variants: [{ sku: 'CACHE1' }] } });
  productId = p.body.id;
  const l = await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } });
  await s.call('POST', `/v1/price-lists/${l.body.id}/prices`, { body: { prices: [{ sku: 'CACHE1', amount: 295 }] } });
});
afterAll(() => s?.close());

const shop = (path = LIST, headers: Record<string, string> = {}) => s.call('GET', path, { token: pk, headers });
const first = (r: { body: { data: Array<{ displayTitle: string; variants: Array<{ price: { amount: number } | null }> }> } }) => ({
  title: r.body.data[0]?.displayTitle,
  amount: r.body.data[0]?.variants[0]?.price?.amount,
});

describe('remembered product lists', () => {
  it('answers the same question from memory, with an ETag that gives 304 while it holds', async () => {
    const a = await shop();
    const b = await shop();
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.headers.get('x-winkel-cache')).toBe('hit');
    expect(b.body).toEqual(a.body);
    expect(first(b)).toEqual({ title: 'Paper chain kit', amount: 295 });
    expect(b.headers.get('content-type')).toMatch(/^application\/json/);
    const etag = b.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const c = await shop(LIST, { 'if-none-match': etag });
    expect(c.status).toBe(304);
  });

  it('sends the remembered answer gzipped to callers that take gzip, and as it is to others', async () => {
    const raw = (encoding?: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const req = http.get(s.url + LIST, { headers: { authorization: `Bearer ${pk}`, ...(encoding ? { 'accept-encoding': encoding } : {}) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
      });
    for (let i = 1; i <= 6; i++) await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: `Zinc bucket ${i}`, nl: `Zinken emmer ${i}` }, description: { en: 'A galvanised zinc bucket for the garden', nl: 'Een gegalvaniseerde zinken emmer voor de tuin' }, variants: [{ sku: `ZINC${i}` }] } });
    // The new products' NOTIFY may reach the server after the first answer was made and drop it
    // again, so the three requests are asked together until all three meet one remembered answer.
    const { plain, zipped, refused } = await eventually(async () => {
      const plain = await raw();
      const zipped = await raw('br, gzip, deflate');
      const refused = await raw('gzip;q=0, identity');
      const sameAnswer = zipped.headers.etag === plain.headers.etag && refused.headers.etag === plain.headers.etag;
      return sameAnswer && zipped.headers['x-winkel-cache'] === 'hit' && refused.headers['x-winkel-cache'] === 'hit' ? { plain, zipped, refused } : undefined;
    });
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(gunzipSync(zipped.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    expect(zipped.body.length).toBeLessThan(plain.body.length);
  });

  it('shows a change made through the API in the very next answer', async () => {
    await shop();
    const p = await s.call('GET', `/v1/products/${productId}`);
    const patched = await s.call('PATCH', `/v1/products/${productId}`, { body: { title: { en: 'Paper chain kit, red', nl: 'Papieren slinger, rood' } }, headers: { 'if-match': p.headers.get('etag')! } });
    expect(patched.status).toBe(200);
    const after = await shop();
    expect(after.headers.get('x-winkel-cache')).toBe('miss');
    expect(first(after).title).toBe('Paper chain kit, red');
    const lists = await s.call('GET', '/v1/price-lists');
    const base = lists.body.data.find((l: { name: string }) => l.name === 'Base').id;
    await s.call('POST', `/v1/price-lists/${base}/prices`, { body: { prices: [{ sku: 'CACHE1', amount: 275 }] } });
    expect(first(await shop()).amount).toBe(275);
  });

  it('drops its answers when another process changes the database', async () => {
    expect(first(await shop()).amount).toBe(275);
    expect((await shop()).headers.get('x-winkel-cache')).toBe('hit');
    const other = new pg.Client({ connectionString: s.config.databaseUrl });
    await other.connect();
    try {
      await other.query(`update prices set amount = 249 where variant_id = (select id from variants where sku = 'CACHE1')`);
    } finally {
      await other.end();
    }
    await eventually(async () => first(await shop()).amount === 249, 5_000, 20);
  });

  it('drops its answers when a price list window opens, with no write at all', async () => {
    const startsAt = new Date(Date.now() + 1_500).toISOString();
    const l = await s.call('POST', '/v1/price-lists', { body: { name: 'Flash sale', channel: 'web', priority: 50, startsAt } });
    await s.call('POST', `/v1/price-lists/${l.body.id}/prices`, { body: { prices: [{ sku: 'CACHE1', amount: 199 }] } });
    expect(first(await shop()).amount).toBe(249);
    expect((await shop()).headers.get('x-winkel-cache')).toBe('hit');
    await eventually(async () => first(await shop()).amount === 199, 10_000, 100);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(startsAt));
  });

  it('keeps callers who see different things apart, and computes afresh on Cache-Control: no-cache', async () => {
    await s.call('POST', '/v1/products', { body: { title: { en: 'Paper chain draft' }, variants: [{ sku: 'CACHE2' }] } });
    const staff = await s.call('GET', '/v1/products?q=paper+chain');
    expect(staff.body.data.map((p: { displayTitle: string }) => p.displayTitle)).toContain('Paper chain draft');
    const shopper = await shop('/v1/products?q=paper+chain');
    expect(shopper.body.data.map((p: { displayTitle: string }) => p.displayTitle)).not.toContain('Paper chain draft');
    expect((await shop('/v1/products?q=paper+chain')).headers.get('x-winkel-cache')).toBe('hit');
    const fresh = await shop('/v1/products?q=paper+chain', { 'cache-control': 'no-cache' });
    expect(fresh.headers.get('x-winkel-cache')).toBe('bypass');
    expect(fresh.body).toEqual(shopper.body);
    // Dutch and English callers get their own answers.
    const nl = await shop('/v1/products?q=paper+chain', { 'accept-language': 'nl-BE' });
    expect(nl.body.data[0].displayTitle).toMatch(/^Papieren slinger/);
  });
});

describe('with the cache turned off', () => {
  let off: TestServer;
  beforeAll(async () => {
    off = await startTestServer({ catalogCacheTtlMs: 0 });
  });
  afterAll(() => off?.close());

  it('computes every answer', async () => {
    await off.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Tin sign' }, variants: [{ sku: 'OFF1' }] } });
    const a = await off.call('GET', '/v1/products');
    const b = await off.call('GET', '/v1/products');
    expect(a.body.data).toHaveLength(1);
    expect(b.headers.get('x-winkel-cache')).toBe('miss');
  });
});
