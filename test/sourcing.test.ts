// The sourcing engine: the pure decision (fewest splits, distance, cost, capacity, stock, with its
// reasons and rejected alternatives; properties over random networks), then the same engine through
// the API (preview) and inside the checkout, on a real database.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSourcing, SOURCING_POLICIES, startOfLocalDay, type CandidateLocation, type SourcingLine } from '../src/modules/fulfilment/sourcing.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

const AMSTERDAM = { latitude: 52.37, longitude: 4.9 };
const loc = (o: Partial<CandidateLocation> & { id: string }): CandidateLocation => ({
  code: o.id.toUpperCase(),
  name: o.id,
  type: 'store',
  status: 'active',
  shipFromStore: true,
  pickup: true,
  latitude: null,
  longitude: null,
  dailyCapacity: null,
  usedToday: 0,
  available: {},
  ...o,
});
const delivery = (lineId: string, variantId: string, quantity = 1): SourcingLine => ({ lineId, variantId, quantity, fulfilment: 'delivery' });
const balanced = { policy: SOURCING_POLICIES.balanced, destination: AMSTERDAM };

// A warehouse in Maastricht (~180 km from Amsterdam), a store in Amsterdam, one in Utrecht (~35 km).
const dc = loc({ id: 'dc', type: 'warehouse', latitude: 50.85, longitude: 5.69, available: { A: 50, B: 50, C: 50 } });
const ams = loc({ id: 'ams', latitude: 52.37, longitude: 4.89, available: { A: 10, B: 10 } });
const utr = loc({ id: 'utr', latitude: 52.09, longitude: 5.12, available: { C: 10 } });

describe('sourcing engine (pure)', () => {
  it('ships the whole order from one location when one has everything, and says why the others lost', () => {
    const d = planSourcing([delivery('1', 'A'), delivery('2', 'C')], [dc, ams, utr], balanced);
    expect(d.lines.map((l) => l.locationId)).toEqual(['dc', 'dc']);
    expect(d.splits).toBe(0);
    expect(d.shipments).toHaveLength(1);
    expect(d.lines[0].reasons.join(' ')).toContain('one location');
    // Amsterdam has A but would split the order: a candidate with a higher plan cost.
    expect(d.lines[0].rejected.find((r) => r.locationId === 'ams')).toMatchObject({ reason: 'higher_cost' });
    // Utrecht has no A at all.
    expect(d.lines[0].rejected.find((r) => r.locationId === 'utr')).toMatchObject({ reason: 'insufficient_stock', detail: 'UTR has 0 available, 1 needed.' });
    expect(d.plansConsidered.find((p) => p.chosen)!.kind).toBe('single_location');
  });

  it('prefers the nearby store that has everything over a far warehouse', () => {
    const d = planSourcing([delivery('1', 'A'), delivery('2', 'B')], [dc, ams], balanced);
    expect(d.lines.map((l) => l.locationId)).toEqual(['ams', 'ams']);
    expect(d.lines[0].distanceKm).toBeLessThan(2);
    const far = d.lines[0].rejected.find((r) => r.locationId === 'dc')!;
    expect(far.reason).toBe('higher_cost');
    expect(far.cost).toBeGreaterThan(d.cost);
  });

  it('splits into shipments when no single location has every line', () => {
    const d = planSourcing([delivery('1', 'A'), delivery('2', 'C')], [ams, utr], balanced);
    expect(d.lines.map((l) => l.locationId)).toEqual(['ams', 'utr']);
    expect(d.splits).toBe(1);
    expect(new Set(d.lines.map((l) => l.shipment))).toEqual(new Set([1, 2]));
    expect(d.lines[0].reasons.join(' ')).toContain('Split into 2 shipments');
  });

  it('leaves out closed locations, stores that do not ship, stores at their daily capacity, and too little stock', () => {
    const locations = [
      loc({ id: 'closed', status: 'closed', available: { A: 9 } }),
      loc({ id: 'noship', shipFromStore: false, available: { A: 9 } }),
      loc({ id: 'busy', dailyCapacity: 3, usedToday: 3, available: { A: 9 } }),
      loc({ id: 'thin', available: { A: 1 } }),
      loc({ id: 'ok', available: { A: 9 } }),
    ];
    const d = planSourcing([delivery('1', 'A', 2)], locations, balanced);
    expect(d.lines[0].locationId).toBe('ok');
    const why = Object.fromEntries(d.lines[0].rejected.map((r) => [r.locationId, r.reason]));
    expect(why).toEqual({ closed: 'closed', noship: 'does_not_ship', busy: 'capacity_full', thin: 'insufficient_stock' });
  });

  it('reports a line nothing can serve as short, and serves the rest', () => {
    const d = planSourcing([delivery('1', 'A'), delivery('2', 'Z')], [dc], balanced);
    expect(d.shortLineIds).toEqual(['2']);
    expect(d.lines[1].locationId).toBeNull();
    expect(d.lines[0].locationId).toBe('dc');
  });

  it('collects a pickup line at its store, or sends it from a warehouse when ship-to-store is on', () => {
    const pickup = { lineId: 'p', variantId: 'C', quantity: 2, fulfilment: 'pickup' as const, pickupLocationId: 'ams' };
    const off = planSourcing([pickup], [dc, ams, utr], balanced);
    expect(off.lines[0]).toMatchObject({ locationId: null, method: 'pickup', pickupLocationId: 'ams' });
    expect(off.shortLineIds).toEqual(['p']);
    const on = planSourcing([pickup], [dc, ams, utr], { ...balanced, shipToStore: true });
    expect(on.lines[0]).toMatchObject({ locationId: 'dc', method: 'ship_to_store', pickupLocationId: 'ams' });
    const there = planSourcing([{ ...pickup, pickupLocationId: 'utr' }], [dc, ams, utr], balanced);
    expect(there.lines[0]).toMatchObject({ locationId: 'utr', method: 'pickup' });
    expect(there.lines[0].rejected.map((r) => r.reason)).toEqual(['not_the_pickup_store']);
  });

  it('follows the policy: "nearest" takes the closest store even at a higher shipping cost', () => {
    const near = loc({ id: 'near', latitude: 52.36, longitude: 4.9, available: { A: 2 } });
    const wh = loc({ id: 'wh', type: 'warehouse', latitude: 52.0, longitude: 4.9, available: { A: 100 } });
    expect(planSourcing([delivery('1', 'A')], [near, wh], balanced).lines[0].locationId).toBe('wh');
    expect(planSourcing([delivery('1', 'A')], [near, wh], { policy: SOURCING_POLICIES.nearest, destination: AMSTERDAM }).lines[0].locationId).toBe('near');
  });

  it('counts a store’s day in its own time zone', () => {
    const now = new Date('2026-11-23T23:30:00Z'); // 00:30 the next day in Amsterdam (UTC+1)
    expect(startOfLocalDay('Europe/Amsterdam', now).toISOString()).toBe('2026-11-23T23:00:00.000Z');
    expect(startOfLocalDay('UTC', now).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  const VARIANTS = ['A', 'B', 'C', 'D'];
  const networkArb = fc.array(
    fc.record({
      type: fc.constantFrom<'warehouse' | 'store'>('warehouse', 'store', 'store'),
      status: fc.constantFrom<'active' | 'closed'>('active', 'active', 'active', 'closed'),
      shipFromStore: fc.boolean(),
      latitude: fc.double({ min: 50.5, max: 53.5, noNaN: true }),
      longitude: fc.double({ min: 3.3, max: 7.2, noNaN: true }),
      dailyCapacity: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
      usedToday: fc.integer({ min: 0, max: 5 }),
      available: fc.record(Object.fromEntries(VARIANTS.map((v) => [v, fc.integer({ min: 0, max: 6 })])) as Record<string, fc.Arbitrary<number>>),
    }),
    { minLength: 1, maxLength: 8 },
  );
  const linesArb = fc.uniqueArray(fc.constantFrom(...VARIANTS), { minLength: 1, maxLength: 4 }).chain((vs) => fc.tuple(...vs.map((v, i) => fc.integer({ min: 1, max: 4 }).map((q) => delivery(String(i), v, q)))));
  const policyArb = fc.constantFrom(...Object.values(SOURCING_POLICIES));

  it('property: every chosen location can ship its line, short lines have no such location, and the plan beats every single-location plan', () => {
    fc.assert(
      fc.property(networkArb, linesArb, policyArb, (net, lines, policy) => {
        const locations = net.map((n, i) => loc({ id: `l${i}`, ...n }));
        const eligible = (l: CandidateLocation, line: SourcingLine) =>
          l.status === 'active' && (l.type === 'warehouse' || l.shipFromStore) && (l.dailyCapacity == null || l.usedToday < l.dailyCapacity) && (l.available[line.variantId] ?? 0) >= line.quantity;
        const opts = { policy, destination: AMSTERDAM };
        const d = planSourcing(lines, locations, opts);
        for (const [i, line] of lines.entries()) {
          const dec = d.lines[i];
          expect(dec.lineId).toBe(line.lineId);
          const chosen = locations.find((l) => l.id === dec.locationId);
          if (chosen) {
            expect(eligible(chosen, line)).toBe(true);
            expect(dec.rejected.some((r) => r.locationId === chosen.id)).toBe(false);
            expect(dec.rejected).toHaveLength(locations.length - 1);
          } else {
            expect(d.shortLineIds).toContain(line.lineId);
            expect(locations.some((l) => eligible(l, line))).toBe(false);
          }
        }
        const served = lines.filter((l) => !d.shortLineIds.includes(l.lineId));
        for (const l of locations) {
          if (!served.length || !served.every((line) => eligible(l, line))) continue;
          const single = planSourcing(served, [l], opts);
          expect(d.cost).toBeLessThanOrEqual(single.cost);
        }
        expect(planSourcing(lines, [...locations].reverse(), opts)).toEqual(d);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sourcing through the API and the checkout', () => {
  let s: TestServer;
  let pk: string;
  let guest: ShopFront;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestServer();
    pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
    guest = shopFront(s, pk);
    const mk = async (code: string, body: Record<string, unknown>) => (ids[code] = (await s.call('POST', '/v1/locations', { body: { code, name: code, ...body } })).body.id);
    await mk('DC-LUX', { type: 'warehouse', latitude: 49.61, longitude: 6.13 });
    await mk('AMS', { type: 'store', pickup: true, shipFromStore: true, latitude: 52.37, longitude: 4.89, dailyCapacity: 1 });
    await mk('UTR', { type: 'store', pickup: true, shipFromStore: true, latitude: 52.09, longitude: 5.12 });
    for (const sku of ['LAMP', 'VASE', 'RUG']) await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: sku }, variants: [{ sku }] } });
    const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
    await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'LAMP', amount: 2500 }, { sku: 'VASE', amount: 1500 }, { sku: 'RUG', amount: 9900 }] } });
    for (const [sku, code, quantity] of [['LAMP', 'DC-LUX', 20], ['VASE', 'DC-LUX', 20], ['LAMP', 'AMS', 5], ['VASE', 'AMS', 5], ['RUG', 'UTR', 3]] as const) {
      await s.call('POST', '/v1/stock/movements', { body: { sku, locationId: ids[code], type: 'receipt', quantity } });
    }
  });
  afterAll(() => s?.close());

  const preview = (body: unknown, token?: string) => s.call('POST', '/v1/sourcing/preview', { body, token });

  it('explains a decision for given lines and destination, and changes nothing', async () => {
    const r = await preview({ lines: [{ sku: 'LAMP', quantity: 1 }, { sku: 'VASE', quantity: 2 }], destination: { latitude: 52.37, longitude: 4.9 } });
    expect(r.status).toBe(200);
    expect(r.body.policy).toBe('balanced');
    expect(r.body.lines.map((l: { locationId: string }) => l.locationId)).toEqual([ids.AMS, ids.AMS]);
    expect(r.body.lines[0].rejected.find((a: { locationId: string }) => a.locationId === ids['DC-LUX']).reason).toBe('higher_cost');
    expect(r.body.lines[0].rejected.find((a: { locationId: string }) => a.locationId === ids.UTR).reason).toBe('insufficient_stock');
    // Without the customer's coordinates every distance counts the same, and the warehouse is cheaper.
    const blind = await preview({ lines: [{ sku: 'LAMP', quantity: 1 }] });
    expect(blind.body.lines[0].locationId).toBe(ids['DC-LUX']);
    // A split: the rug is only in Utrecht.
    const split = await preview({ lines: [{ sku: 'LAMP', quantity: 1 }, { sku: 'RUG', quantity: 1 }], destination: { latitude: 52.37, longitude: 4.9 } });
    expect(split.body.splits).toBe(1);
    expect(split.body.shipments).toHaveLength(2);
    // Click & collect in Utrecht, which has no lamp: refused, unless the warehouse may send it there.
    const pickupLine = { sku: 'LAMP', quantity: 1, fulfilment: 'pickup', pickupLocationId: ids.UTR };
    expect((await preview({ lines: [pickupLine] })).body.shortLineIds).toEqual(['1']);
    const sts = await preview({ lines: [pickupLine], shipToStore: true });
    expect(sts.body.lines[0]).toMatchObject({ method: 'ship_to_store', locationId: ids['DC-LUX'], pickupLocationId: ids.UTR });
    const levels = (await s.call('GET', '/v1/stock?sku=LAMP')).body.data;
    expect(levels.every((l: { reserved: number }) => l.reserved === 0)).toBe(true);
  });

  it('refuses bad input with what to fix, and is for staff only', async () => {
    const unknown = await preview({ lines: [{ sku: 'NOPE', quantity: 1 }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('/lines/0/sku');
    expect((await preview({ lines: [{ sku: 'LAMP', quantity: 1, fulfilment: 'pickup' }] })).body.errors[0].field).toBe('/lines/0/pickupLocationId');
    expect((await preview({ lines: [] })).status).toBe(400);
    expect((await preview({ lines: [{ sku: 'LAMP', quantity: 1 }], policy: 'random' })).status).toBe(400);
    expect((await preview({ lines: [{ sku: 'LAMP', quantity: 1 }] }, pk)).status).toBe(403);
  });

  it('the checkout sources with the engine: a split order gets a fulfilment per location, and a full store drops out for the day', async () => {
    const cart = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'split@example.com' } })).body;
    for (const sku of ['LAMP', 'RUG']) await guest('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: { sku, quantity: 1 } });
    const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } }, headers: { 'idempotency-key': 'split-1' } });
    expect(r.status).toBe(201);
    const bySku = Object.fromEntries(r.body.lines.map((l: { sku: string; locationId: string }) => [l.sku, l.locationId]));
    expect(bySku).toEqual({ LAMP: ids['DC-LUX'], RUG: ids.UTR });
    const fulfilments = (await s.call('GET', `/v1/orders/${r.body.id}/fulfilments`)).body.data;
    expect(fulfilments.map((f: { locationId: string; method: string }) => [f.locationId, f.method]).sort()).toEqual([[ids['DC-LUX'], 'delivery'], [ids.UTR, 'delivery']].sort());
    expect(fulfilments[0].sourcing[0].reasons.join(' ')).toContain('Split into 2 shipments');

    // Amsterdam can make one fulfilment a day; a click & collect there uses it up.
    const pickupCart = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'ams@example.com' } })).body;
    await guest('POST', `/v1/carts/${pickupCart.id}/lines`, { token: pk, body: { sku: 'VASE', quantity: 1, fulfilment: 'pickup', pickupLocationId: ids.AMS } });
    expect((await guest('POST', `/v1/carts/${pickupCart.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } } })).status).toBe(201);
    const full = await preview({ lines: [{ sku: 'LAMP', quantity: 1 }], destination: { latitude: 52.37, longitude: 4.9 } });
    expect(full.body.lines[0].locationId).toBe(ids['DC-LUX']);
    expect(full.body.lines[0].rejected.find((a: { locationId: string }) => a.locationId === ids.AMS)).toMatchObject({ reason: 'capacity_full', detail: 'AMS has made 1 of its 1 fulfilments today.' });
  });

  it('keeps 409 out_of_stock when no location can deliver a line', async () => {
    const cart = (await guest('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'short@example.com' } })).body;
    await guest('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: { sku: 'RUG', quantity: 50 } });
    const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('out_of_stock');
    expect(r.body.lineIds).toHaveLength(1);
    expect((await guest('GET', `/v1/carts/${cart.id}`, { token: pk })).body.status).toBe('open');
  });
});
