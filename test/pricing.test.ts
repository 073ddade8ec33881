// Price lists and the documented resolution order, through the HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;
const list: Record<string, string> = {};
let productId = '';

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  const p = await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Jumbo bag red retrospot', nl: 'Grote tas rood' }, variants: [{ sku: '85099B' }, { sku: '85099C' }] } });
  productId = p.body.id;
  const mk = async (name: string, body: object, prices: object[]) => {
    const l = await s.call('POST', '/v1/price-lists', { body: { name, ...body } });
    expect(l.status).toBe(201);
    const set = await s.call('POST', `/v1/price-lists/${l.body.id}/prices`, { body: { prices } });
    expect(set.body.updated).toBe(prices.length);
    list[name] = l.body.id;
  };
  await mk('Base', {}, [
    { sku: '85099B', amount: 195 },
    { sku: '85099B', amount: 165, minQuantity: 10 },
    { sku: '85099C', amount: 250 },
  ]);
  await mk('Web', { channel: 'web' }, [{ sku: '85099B', amount: 179 }]);
  await mk('Gent store', { channel: 'pos', storeId: 'sto_gent' }, [{ sku: '85099B', amount: 185 }]);
  await mk('Gold members', { customerGroup: 'gold' }, [{ sku: '85099B', amount: 150 }]);
  await mk('Web promo high', { channel: 'web', priority: 10 }, [{ sku: '85099B', amount: 189 }]);
  await mk('Next year', { startsAt: '2099-01-01T00:00:00Z' }, [{ sku: '85099B', amount: 99 }]);
});
afterAll(() => s?.close());

const resolve = (qs: string, token?: string) => s.call('GET', `/v1/prices/resolve?sku=85099B&${qs}`, token ? { token } : {});

describe('price resolution', () => {
  it('uses the general list when nothing more specific applies', async () => {
    const r = await resolve('channel=kiosk', pk);
    expect(r.status).toBe(200);
    expect(r.body.price).toEqual({ amount: 195, priceListId: list.Base, compareAt: null });
    const future = r.body.considered.find((c: { name: string }) => c.name === 'Next year');
    expect(future).toMatchObject({ outcome: 'not_applicable', reason: expect.stringContaining('not valid until 2099') });
  });

  it('prefers the more specific list, then the higher priority, and explains the losers', async () => {
    const web = await resolve('channel=web');
    expect(web.body.price).toEqual({ amount: 189, priceListId: list['Web promo high'], compareAt: 195 });
    const lost = web.body.considered.find((c: { name: string }) => c.name === 'Web');
    expect(lost).toMatchObject({ outcome: 'lost', reason: expect.stringContaining('lower priority') });
    const base = web.body.considered.find((c: { name: string; minQuantity: number }) => c.name === 'Base' && c.minQuantity === 1);
    expect(base).toMatchObject({ outcome: 'lost', reason: expect.stringContaining('less specific') });
    const gent = await resolve('channel=pos&storeId=sto_gent');
    expect(gent.body.price.amount).toBe(185);
    const gold = await resolve('channel=pos&storeId=sto_gent&customerGroup=gold');
    expect(gold.body.price).toEqual({ amount: 150, priceListId: list['Gold members'], compareAt: 195 });
  });

  it('applies volume prices from their minimum quantity', async () => {
    expect((await resolve('channel=kiosk&quantity=9')).body.price.amount).toBe(195);
    expect((await resolve('channel=kiosk&quantity=10')).body.price.amount).toBe(165);
  });

  it('honours validity windows and the asked moment', async () => {
    expect((await resolve('channel=kiosk&at=2099-06-01T00:00:00Z')).body.price.amount).toBe(99);
    const r = await s.call('POST', '/v1/price-lists', { body: { name: 'Bad window', startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' } });
    expect(r.status).toBe(400);
  });

  it('refuses unknown SKUs and negative amounts, changing nothing', async () => {
    const r = await s.call('POST', `/v1/price-lists/${list.Base}/prices`, { body: { prices: [{ sku: '85099C', amount: 1 }, { sku: 'NOPE', amount: 100 }] } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('/prices/1');
    expect((await s.call('GET', '/v1/prices/resolve?sku=85099C&channel=kiosk')).body.price.amount).toBe(250);
    expect((await s.call('POST', `/v1/price-lists/${list.Base}/prices`, { body: { prices: [{ sku: '85099C', amount: -5 }] } })).status).toBe(400);
  });
});

describe('prices in product lists', () => {
  it('shows each variant’s resolved price for a channel, and filters by price range', async () => {
    const r = await s.call('GET', '/v1/products?channel=web', { token: pk });
    const v = r.body.data[0].variants;
    expect(v.map((x: { price: { amount: number } }) => x.price?.amount)).toEqual([189, 250]);
    expect(v[0].price.compareAt).toBe(195);
    const cheap = await s.call('GET', '/v1/products?channel=web&maxPrice=200');
    expect(cheap.body.data.map((p: { id: string }) => p.id)).toEqual([productId]);
    const none = await s.call('GET', '/v1/products?channel=web&minPrice=300');
    expect(none.body.data).toEqual([]);
    expect((await s.call('GET', '/v1/products?maxPrice=200')).status).toBe(400);
    const one = await s.call('GET', `/v1/products/${productId}?channel=pos&storeId=sto_gent`);
    expect(one.body.variants[0].price.amount).toBe(185);
    // The list chooses as the resolver does, for a store and a customer group too.
    const gold = await s.call('GET', '/v1/products?channel=pos&storeId=sto_gent&customerGroup=gold', { headers: { 'cache-control': 'no-cache' } });
    expect(gold.body.data[0].variants[0].price).toEqual({ amount: 150, currency: 'EUR', priceListId: list['Gold members'], compareAt: 195 });
    const gent = await s.call('GET', '/v1/products?channel=pos&storeId=sto_gent');
    expect(gent.body.data[0].variants.map((x: { price: { amount: number } }) => x.price?.amount)).toEqual([185, 250]);
    const later = await s.call('GET', '/v1/products?channel=kiosk&storeId=sto_gent');
    expect(later.body.data[0].variants[0].price).toEqual({ amount: 195, currency: 'EUR', priceListId: list.Base, compareAt: null });
  });

  it('emits price events', async () => {
    const e = await s.call('GET', '/v1/events?type=price.changed');
    expect(e.body.data.length).toBeGreaterThanOrEqual(6);
    expect(e.body.data.at(-1).data.prices[0]).toMatchObject({ amount: 195, minQuantity: 1 });
  });
});
