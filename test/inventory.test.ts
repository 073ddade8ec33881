// Inventory: locations, movements in an immutable ledger, reservations that never oversell (also
// with 500 concurrent attempts over many connections), expiry, availability near a shopper.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createPool, type Db } from '../src/platform/db.js';
import * as inv from '../src/modules/inventory/service.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pool: ReturnType<typeof createPool>;
let db: Db;
const handles: Array<{ pool: ReturnType<typeof createPool>; db: Db }> = [];
const loc: Record<string, string> = {};
const v: Record<string, string> = {};
const ctx = { actor: { type: 'system' as const, label: 'test' } };

beforeAll(async () => {
  s = await startTestServer();
  // 25 connections of our own, so the races below really run in parallel in PostgreSQL.
  pool = createPool(s.config.databaseUrl!, 25);
  db = createDb(pool);
  // And 20 separate handles, as 20 server processes would have: each batches its own reservations,
  // and the batches of different handles race each other for the same rows.
  for (let i = 0; i < 20; i++) {
    const p = createPool(s.config.databaseUrl!, 2);
    handles.push({ pool: p, db: createDb(p) });
  }
  pino({ level: 'silent' });
  const mk = async (body: object) => (await s.call('POST', '/v1/locations', { body })).body.id as string;
  loc.dc = await mk({ code: 'DC-UTR', name: 'DC Utrecht', type: 'warehouse', latitude: 52.09, longitude: 5.12 });
  loc.gent = await mk({ code: 'GENT', name: 'Gent Korenmarkt', type: 'store', latitude: 51.0543, longitude: 3.7196, pickup: true, shipFromStore: true });
  loc.adam = await mk({ code: 'AMS', name: 'Amsterdam Kalverstraat', type: 'store', latitude: 52.3702, longitude: 4.8952, pickup: true });
  for (const sku of ['HOT', 'A', 'B', 'LAMP', 'T1', 'T2', 'LOW1', 'LOW2', 'LOW3', 'BATCH']) {
    const p = await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: `Item ${sku}` }, variants: [{ sku }] } });
    v[sku] = p.body.variants[0].id;
  }
});
afterAll(async () => {
  await Promise.all(handles.map((h) => h.pool.end()));
  await pool?.end();
  await s?.close();
});

const receive = (sku: string, locationId: string, quantity: number) => s.call('POST', '/v1/stock/movements', { body: { sku, locationId, type: 'receipt', quantity } });

describe('stock levels and the ledger', () => {
  it('records receipts, adjustments and damage, each as a ledger row', async () => {
    expect((await receive('LAMP', loc.gent, 10)).body).toMatchObject({ onHand: 10, availableToPromise: 10 });
    const noReason = await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: loc.gent, type: 'adjustment', quantity: -2 } });
    expect(noReason.status).toBe(400);
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: loc.gent, type: 'adjustment', quantity: -2, reason: 'found broken in back room' } });
    const dmg = await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: loc.gent, type: 'damage', quantity: 1 } });
    expect(dmg.body.onHand).toBe(7);
    const tooMuch = await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: loc.gent, type: 'damage', quantity: 50 } });
    expect(tooMuch.status).toBe(409);
    const ledger = await s.call('GET', `/v1/stock/movements?variantId=${v.LAMP}`);
    expect(ledger.body.data.map((m: { type: string; onHandDelta: number }) => [m.type, m.onHandDelta])).toEqual([
      ['damage', -1],
      ['adjustment', -2],
      ['receipt', 10],
    ]);
    const refused = async (q: Promise<unknown>) => {
      const err = await q.then(() => undefined, (e: Error & { cause?: Error }) => e);
      return String(err?.cause?.message ?? err?.message);
    };
    expect(await refused(db.execute(sql`update stock_movements set on_hand_delta = 100`))).toMatch(/append-only/);
    expect(await refused(db.execute(sql`delete from stock_movements`))).toMatch(/append-only/);
  });

  it('answers where an item can be had, nearest store first', async () => {
    await receive('LAMP', loc.adam, 2);
    const near = await s.call('GET', '/v1/availability?sku=LAMP&near=51.05,3.72');
    expect(near.body.locations.map((l: { location: { code: string } }) => l.location.code)).toEqual(['GENT', 'DC-UTR', 'AMS']);
    expect(near.body.locations[0]).toMatchObject({ availableToPromise: 7, pickup: true, inStock: true });
    expect(near.body.locations[0].distanceKm).toBeLessThan(1);
    expect(near.body.totalAvailable).toBe(9);
    expect((await s.call('GET', '/v1/availability?sku=LAMP&near=99,3')).status).toBe(400);
  });

  it('announces low stock, stockouts and back-in-stock', async () => {
    await receive('B', loc.adam, 5);
    const r = await inv.reserve(db, ctx, [{ variantId: v.B, locationId: loc.adam, quantity: 3 }]);
    await inv.changeReservation(db, ctx, r[0].id, 'converted');
    const [out] = await inv.reserve(db, ctx, [{ variantId: v.B, locationId: loc.adam, quantity: 2 }]);
    await inv.changeReservation(db, ctx, out.id, 'released');
    const types = (await s.call('GET', `/v1/events?aggregateId=${v.B}@${loc.adam}&limit=50`)).body.data.map((e: { type: string }) => e.type).reverse();
    expect(types).toEqual(expect.arrayContaining(['stock.low', 'stock.out', 'stock.back_in_stock']));
    expect(types.indexOf('stock.out')).toBeLessThan(types.lastIndexOf('stock.back_in_stock'));
  });
});

describe('back in stock', () => {
  it('e-mails each waiting shopper once when the item is back at their store', async () => {
    const pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
    const sub = await s.call('POST', '/v1/back-in-stock', { token: pk, body: { email: 'Wendy@Example.com', sku: 'T2', locationId: loc.adam, locale: 'en' } });
    expect(sub.status).toBe(201);
    const online = await s.call('POST', '/v1/back-in-stock', { token: pk, body: { email: 'olaf@example.com', sku: 'T2' } });
    expect(online.status).toBe(201);
    await receive('T2', loc.gent, 1); // another store: nobody waits there
    await receive('T2', loc.adam, 2);
    const mail = await eventually(async () => (await s.call('GET', '/v1/devtools/emails?to=wendy@example.com')).body.data[0]);
    expect(mail.subject).toBe('Back in stock at Amsterdam Kalverstraat');
    await receive('T2', loc.adam, 1);
    await new Promise((r) => setTimeout(r, 800));
    expect((await s.call('GET', '/v1/devtools/emails?to=wendy@example.com')).body.data).toHaveLength(1);
    expect((await s.call('GET', '/v1/devtools/emails?to=olaf@example.com')).body.data).toHaveLength(0);
    const notified = await s.call('GET', `/v1/events?type=back_in_stock.notified`);
    expect(notified.body.data.map((e: { aggregate: { id: string } }) => e.aggregate.id)).toEqual([sub.body.id]);
  });
});

describe('store scope', () => {
  it('lets staff scoped to a store act only there', async () => {
    await s.call('POST', '/v1/staff-users', { body: { email: 'gent.manager@test.example', name: 'G', role: 'store_manager', storeIds: [loc.gent], password: 'manager-pass-9' } });
    const token = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'gent.manager@test.example', password: 'manager-pass-9' } })).body.token;
    const here = await s.call('POST', '/v1/stock/movements', { token, body: { sku: 'LAMP', locationId: loc.gent, type: 'receipt', quantity: 1 } });
    expect(here.status).toBe(201);
    const there = await s.call('POST', '/v1/stock/movements', { token, body: { sku: 'LAMP', locationId: loc.adam, type: 'receipt', quantity: 1 } });
    expect(there.status).toBe(403);
    expect(there.body.detail).toContain(loc.adam);
    expect((await s.call('GET', `/v1/locations/${loc.adam}/stock`, { token })).status).toBe(403);
    expect((await s.call('GET', `/v1/locations/${loc.gent}/stock`, { token })).status).toBe(200);
    // Undo the receipt so the counts below see what they expect.
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: loc.gent, type: 'adjustment', quantity: -1, reason: 'test scope receipt undone' } });
  });
});

describe('transfers and cycle counts', () => {
  it('moves stock from the DC to a store, showing it as incoming, and records differences', async () => {
    await receive('T1', loc.dc, 10);
    await receive('T2', loc.dc, 10);
    const t = await s.call('POST', '/v1/transfers', { body: { fromLocationId: loc.dc, toLocationId: loc.gent, lines: [{ variantId: v.T1, quantity: 4 }, { variantId: v.T2, quantity: 3 }] } });
    expect(t.status).toBe(201);
    const level = async (sku: string, locationId: string) => (await s.call('GET', `/v1/stock?sku=${sku}`)).body.data.find((l: { locationId: string }) => l.locationId === locationId);
    expect((await level('T1', loc.gent)).incoming).toBe(4);
    const shipped = await s.call('POST', `/v1/transfers/${t.body.id}/ship`, { body: {} });
    expect(shipped.body.status).toBe('shipped');
    expect((await level('T1', loc.dc)).onHand).toBe(6);
    const noReason = await s.call('POST', `/v1/transfers/${t.body.id}/receive`, { body: { lines: [{ variantId: v.T2, quantity: 2 }] } });
    expect(noReason.status).toBe(400);
    const got = await s.call('POST', `/v1/transfers/${t.body.id}/receive`, { body: { lines: [{ variantId: v.T2, quantity: 2, reason: 'one crushed in transit' }] } });
    expect(got.body.status).toBe('received');
    expect(got.body.lines.find((l: { variantId: string }) => l.variantId === v.T2)).toMatchObject({ shipped: 3, received: 2, difference: -1, differenceReason: 'one crushed in transit' });
    expect(await level('T1', loc.gent)).toMatchObject({ onHand: 4, incoming: 0 });
    expect((await s.call('POST', `/v1/transfers/${t.body.id}/cancel`)).status).toBe(409);
  });

  it('counts a zone, reports the variance and books it only when approved', async () => {
    // Gent holds 7 lamps (see above) and 4 of T1.
    const sheet = await s.call('POST', '/v1/count-sheets', { body: { locationId: loc.gent, zone: 'front window', variantIds: [v.LAMP, v.T1] } });
    expect(sheet.body.lines.find((l: { variantId: string }) => l.variantId === v.LAMP).expected).toBe(7);
    const partial = await s.call('POST', `/v1/count-sheets/${sheet.body.id}/counts`, { body: { counts: [{ variantId: v.LAMP, counted: 6 }], submit: true } });
    expect(partial.status).toBe(400);
    const done = await s.call('POST', `/v1/count-sheets/${sheet.body.id}/counts`, { body: { counts: [{ variantId: v.LAMP, counted: 6 }, { variantId: v.T1, counted: 4 }], submit: true } });
    expect(done.body.status).toBe('submitted');
    expect(done.body.variance).toMatchObject({ linesWithVariance: 1, netUnits: -1 });
    const approved = await s.call('POST', `/v1/count-sheets/${sheet.body.id}/approve`);
    expect(approved.body.status).toBe('approved');
    const lamp = (await s.call('GET', '/v1/stock?sku=LAMP')).body.data.find((l: { locationId: string }) => l.locationId === loc.gent);
    expect(lamp.onHand).toBe(6);
    const ledger = await s.call('GET', `/v1/stock/movements?variantId=${v.LAMP}&locationId=${loc.gent}`);
    expect(ledger.body.data[0]).toMatchObject({ type: 'count_correction', onHandDelta: -1, reference: sheet.body.id });
  });
});

describe('transfer and count lists', () => {
  it('filters transfers by direction and status, and count sheets by location, zone and status', async () => {
    await receive('T1', loc.adam, 5);
    const toAdam = await s.call('POST', '/v1/transfers', { body: { fromLocationId: loc.dc, toLocationId: loc.adam, lines: [{ variantId: v.T1, quantity: 1 }] } });
    const fromAdam = await s.call('POST', '/v1/transfers', { body: { fromLocationId: loc.adam, toLocationId: loc.gent, lines: [{ variantId: v.T1, quantity: 1 }] } });
    const ids = async (q: string) => (await s.call('GET', `/v1/transfers?${q}`)).body.data.map((t: { id: string }) => t.id);
    expect(await ids(`locationId=${loc.adam}`)).toEqual([fromAdam.body.id, toAdam.body.id]);
    expect(await ids(`fromLocationId=${loc.adam}`)).toEqual([fromAdam.body.id]);
    expect(await ids(`toLocationId=${loc.adam}`)).toEqual([toAdam.body.id]);
    expect(await ids(`toLocationId=${loc.adam}&status=shipped`)).toEqual([]);
    expect(await ids('status=received')).not.toContain(toAdam.body.id);

    const sheet = await s.call('POST', '/v1/count-sheets', { body: { locationId: loc.adam, zone: 'aisle 3', variantIds: [v.T1] } });
    const sheets = async (q: string) => (await s.call('GET', `/v1/count-sheets?${q}`)).body.data.map((c: { id: string }) => c.id);
    expect(await sheets(`locationId=${loc.adam}`)).toEqual([sheet.body.id]);
    expect(await sheets(`locationId=${loc.adam}&zone=aisle%203&status=open`)).toEqual([sheet.body.id]);
    expect(await sheets(`locationId=${loc.adam}&status=approved`)).toEqual([]);
    const listed = (await s.call('GET', `/v1/count-sheets?locationId=${loc.adam}`)).body.data[0];
    expect(listed).toMatchObject({ zone: 'aisle 3', status: 'open', lines: [{ variantId: v.T1, expected: 5, counted: null }] });
    expect((await s.call('GET', '/v1/count-sheets?status=nonsense')).status).toBe(400);
  });
});

describe('low-stock threshold per SKU and location', () => {
  const eventsOf = async (variantId: string, locationId: string) =>
    (await s.call('GET', `/v1/events?aggregateId=${variantId}@${locationId}&limit=100`)).body.data.map((e: { type: string; data: { level?: { availableToPromise: number; lowStockThreshold: number } } }) => ({ type: e.type, level: e.data.level })).reverse();
  const lowEvents = async (variantId: string, locationId: string) => (await eventsOf(variantId, locationId)).filter((e: { type: string }) => e.type === 'stock.low');

  it('uses the level’s own threshold, else the location’s, else the configured default', async () => {
    await receive('LOW1', loc.gent, 20);
    const path = `/v1/stock/levels/${v.LOW1}/${loc.gent}`;
    const first = await s.call('GET', path);
    expect(first.body).toMatchObject({ onHand: 20, lowStockThreshold: null, effectiveLowStockThreshold: 3, status: 'in_stock' });
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${first.body.version}"`);

    const set = await s.call('PATCH', path, { body: { lowStockThreshold: 10 }, headers: { 'if-match': etag } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ lowStockThreshold: 10, effectiveLowStockThreshold: 10, status: 'in_stock', version: first.body.version + 1 });
    // A stale If-Match changes nothing.
    const stale = await s.call('PATCH', path, { body: { lowStockThreshold: 1 }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect((await s.call('GET', path)).body.lowStockThreshold).toBe(10);
    expect((await s.call('PATCH', path, { body: { lowStockThreshold: -1 } })).status).toBe(400);
    expect((await s.call('PATCH', path, { body: {} })).status).toBe(400);

    // The location's default applies to levels without their own; the global default to the rest.
    const gentLoc = await s.call('GET', `/v1/locations/${loc.gent}`);
    const patched = await s.call('PATCH', `/v1/locations/${loc.gent}`, { body: { lowStockThreshold: 6 }, headers: { 'if-match': gentLoc.headers.get('etag')! } });
    expect(patched.body.lowStockThreshold).toBe(6);
    await receive('LOW2', loc.gent, 5);
    await receive('LOW2', loc.adam, 5);
    const levels = (await s.call('GET', '/v1/stock?sku=LOW2')).body.data;
    expect(levels.find((l: { locationId: string }) => l.locationId === loc.gent)).toMatchObject({ effectiveLowStockThreshold: 6, status: 'low' });
    expect(levels.find((l: { locationId: string }) => l.locationId === loc.adam)).toMatchObject({ effectiveLowStockThreshold: 3, status: 'in_stock' });
    const lowAtGent = (await s.call('GET', `/v1/locations/${loc.gent}/stock?status=low&limit=200`)).body.data.map((l: { variantId: string }) => l.variantId);
    expect(lowAtGent).toContain(v.LOW2);
    expect(lowAtGent).not.toContain(v.LOW1);

    await inv.setLowStockDefault(db, 8);
    try {
      const adam = (await s.call('GET', `/v1/stock/levels/${v.LOW2}/${loc.adam}`)).body;
      expect(adam).toMatchObject({ effectiveLowStockThreshold: 8, status: 'low' });
      expect((await s.call('GET', `/v1/locations/${loc.adam}/stock?status=low&limit=200`)).body.data.map((l: { variantId: string }) => l.variantId)).toContain(v.LOW2);
    } finally {
      await inv.setLowStockDefault(db, 3);
    }
    // null gives the level back to its location's threshold.
    const cleared = await s.call('PATCH', path, { body: { lowStockThreshold: null } });
    expect(cleared.body).toMatchObject({ lowStockThreshold: null, effectiveLowStockThreshold: 6 });
  });

  it('raises stock.low at the level’s threshold for movements, single and multi-line reservations, and stockouts still', async () => {
    await receive('LOW3', loc.adam, 12);
    await s.call('PATCH', `/v1/stock/levels/${v.LOW3}/${loc.adam}`, { body: { lowStockThreshold: 8 } });
    // Movement: 12 → 9 is not low yet; 9 → 8 crosses the threshold.
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'LOW3', locationId: loc.adam, type: 'damage', quantity: 3 } });
    expect(await lowEvents(v.LOW3, loc.adam)).toEqual([]);
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'LOW3', locationId: loc.adam, type: 'damage', quantity: 1 } });
    expect(await lowEvents(v.LOW3, loc.adam)).toEqual([{ type: 'stock.low', level: expect.objectContaining({ availableToPromise: 8, lowStockThreshold: 8 }) }]);

    // Back above, then a single-line reservation (one statement) crosses it again.
    await receive('LOW3', loc.adam, 4); // ATP 12
    await inv.reserve(db, ctx, [{ variantId: v.LOW3, locationId: loc.adam, quantity: 3 }]); // 9: not low
    expect(await lowEvents(v.LOW3, loc.adam)).toHaveLength(1);
    const [r] = await inv.reserve(db, ctx, [{ variantId: v.LOW3, locationId: loc.adam, quantity: 2 }]); // 7: low
    expect(await lowEvents(v.LOW3, loc.adam)).toHaveLength(2);
    await inv.changeReservation(db, ctx, r.id, 'released'); // 9

    // A multi-line reservation (one transaction) does the same.
    await receive('LOW1', loc.adam, 3);
    await inv.reserve(db, ctx, [
      { variantId: v.LOW3, locationId: loc.adam, quantity: 4 },
      { variantId: v.LOW1, locationId: loc.adam, quantity: 1 },
    ]); // LOW3: 5
    const lows = await lowEvents(v.LOW3, loc.adam);
    expect(lows).toHaveLength(3);
    expect(lows[2].level).toMatchObject({ availableToPromise: 5, lowStockThreshold: 8 });

    // Raising the threshold above the current ATP announces low stock once; a stockout is still a stockout.
    await s.call('PATCH', `/v1/stock/levels/${v.LOW1}/${loc.adam}`, { body: { lowStockThreshold: 0 } });
    const before = (await lowEvents(v.LOW1, loc.adam)).length;
    const raised = await s.call('PATCH', `/v1/stock/levels/${v.LOW1}/${loc.adam}`, { body: { lowStockThreshold: 5 } });
    expect(raised.body.status).toBe('low');
    expect(await lowEvents(v.LOW1, loc.adam)).toHaveLength(before + 1);
    await inv.reserve(db, ctx, [{ variantId: v.LOW3, locationId: loc.adam, quantity: 5 }]);
    const types = (await eventsOf(v.LOW3, loc.adam)).map((e: { type: string }) => e.type);
    expect(types.at(-1)).toBe('stock.out');
    const settingsEvents = (await eventsOf(v.LOW1, loc.adam)).filter((e: { type: string }) => e.type === 'stock.settings_changed');
    expect(settingsEvents.length).toBeGreaterThanOrEqual(2);
  });
});

describe('reservations never oversell', () => {
  it('500 concurrent attempts for 100 units over 20 handles (40 connections): exactly 100 succeed and nothing is left', async () => {
    await receive('HOT', loc.dc, 100);
    const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => inv.reserve(handles[i % handles.length].db, ctx, [{ variantId: v.HOT, locationId: loc.dc, quantity: 1 }], { reference: `cart_${i}` })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(100);
    expect(failed.every((f) => (f.reason as inv.InsufficientStock).code === 'insufficient_stock')).toBe(true);
    const [level] = (await inv.levelsForVariant(db, v.HOT)).map((r) => r.level);
    expect(level).toMatchObject({ onHand: 100, reserved: 100 });
    expect(inv.atp(level)).toBe(0);
  });

  it('a multi-line reservation takes all lines or none, under contention', async () => {
    await receive('A', loc.dc, 100);
    await receive('B', loc.dc, 50);
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        inv.reserve(
          handles[i % handles.length].db,
          ctx,
          i % 2
            ? [
                { variantId: v.A, locationId: loc.dc, quantity: 1 },
                { variantId: v.B, locationId: loc.dc, quantity: 1 },
              ]
            : [
                { variantId: v.B, locationId: loc.dc, quantity: 1 },
                { variantId: v.A, locationId: loc.dc, quantity: 1 },
              ],
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    const levels = Object.fromEntries((await db.execute<{ variant_id: string; reserved: number }>(sql`select variant_id, reserved from stock_levels where location_id = ${loc.dc}`)).rows.map((r) => [r.variant_id, r.reserved]));
    expect(levels[v.A]).toBe(50);
    expect(levels[v.B]).toBe(50);
    const short = await s.call('POST', '/v1/reservations', { body: { lines: [{ variantId: v.A, locationId: loc.dc, quantity: 1 }, { variantId: v.B, locationId: loc.dc, quantity: 1 }] } });
    expect(short.status).toBe(409);
    expect(short.body.lines).toEqual([expect.objectContaining({ variantId: v.B, available: 0 })]);
  });

  it('decides reservations that arrive together one by one, in arrival order, each all or nothing', async () => {
    await receive('BATCH', loc.gent, 5);
    const one = handles[0].db;
    const at = (quantity: number) => ({ variantId: v.BATCH, locationId: loc.gent, quantity });
    // Asked for in one turn of the event loop: decided together, in the order asked.
    const [a, b, c, d] = await Promise.allSettled([
      inv.reserve(one, ctx, [at(3)]),
      inv.reserve(one, ctx, [at(3)]),
      inv.reserve(one, ctx, [at(1), at(1)]),
      inv.reserve(one, ctx, [at(1)]),
    ]);
    expect(a.status).toBe('fulfilled');
    // 2 left: 3 does not fit, but does not hold up the smaller ones behind it.
    expect(b.status).toBe('rejected');
    expect(((b as PromiseRejectedResult).reason as inv.InsufficientStock).shortLines).toEqual([expect.objectContaining({ quantity: 3, available: 2 })]);
    // Naming one level twice needs the sum (2 of 2 left), then nothing is left for the last.
    expect(c.status).toBe('fulfilled');
    expect((c as PromiseFulfilledResult<unknown[]>).value).toHaveLength(2);
    expect(d.status).toBe('rejected');
    const [level] = (await inv.levelsForVariant(db, v.BATCH)).filter((r) => r.location.id === loc.gent).map((r) => r.level);
    expect(level).toMatchObject({ onHand: 5, reserved: 5 });
    const ledger = await db.execute<{ n: number }>(sql`select count(*)::int as n from stock_movements where variant_id = ${v.BATCH} and location_id = ${loc.gent} and type = 'reservation'`);
    expect(ledger.rows[0].n).toBe(3);
  });

  it('expires reservations whose time is up, and converts or releases the rest exactly once', async () => {
    await receive('LAMP', loc.dc, 5);
    const r = await s.call('POST', '/v1/reservations', { body: { lines: [{ variantId: v.LAMP, locationId: loc.dc, quantity: 2 }], ttlMinutes: 15, reference: 'cart_x' } });
    expect(r.status).toBe(201);
    const id = r.body.data[0].id;
    await db.execute(sql`update reservations set expires_at = now() - interval '1 second' where id = ${id}`);
    expect(await inv.expireReservations(db)).toBe(1);
    expect((await s.call('GET', `/v1/reservations/${id}`)).body.status).toBe('expired');
    expect((await s.call('POST', `/v1/reservations/${id}/convert`)).status).toBe(409);
    const again = (await s.call('POST', '/v1/reservations', { body: { lines: [{ variantId: v.LAMP, locationId: loc.dc, quantity: 5 }] } })).body.data[0];
    expect((await s.call('POST', `/v1/reservations/${again.id}/convert`)).body.status).toBe('converted');
    const level = (await s.call('GET', '/v1/stock?sku=LAMP')).body.data.find((l: { locationId: string }) => l.locationId === loc.dc);
    expect(level).toMatchObject({ onHand: 0, reserved: 0, availableToPromise: 0 });
  });

  it('keeps every level equal to the sum of its ledger (winkel inventory verify)', async () => {
    const r = await inv.verifyLedger(db);
    expect(r.levelsChecked).toBeGreaterThanOrEqual(6);
    expect(r.mismatches).toEqual([]);
  });
});
