// The catalog through its HTTP API: products with variants and barcodes, categories, assortment,
// search in Dutch and English with typo tolerance, and what shoppers may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  const home = await s.call('POST', '/v1/categories', { body: { name: { nl: 'Wonen', en: 'Home' } } });
  const lights = await s.call('POST', '/v1/categories', { body: { name: { nl: 'Verlichting', en: 'Lighting' }, parentId: home.body.id } });
  const xmas = await s.call('POST', '/v1/categories', { body: { name: { nl: 'Kerst', en: 'Christmas' } } });
  Object.assign(ids, { home: home.body.id, lights: lights.body.id, xmas: xmas.body.id });
  const make = (body: object) => s.call('POST', '/v1/products', { body });
  const lantern = await make({
    status: 'active',
    title: { en: 'White metal lantern', nl: 'Witte metalen lantaarn' },
    description: { en: 'Lanterns for candles', nl: 'Lantaarns voor kaarsen' },
    categoryId: lights.body.id,
    variants: [
      { sku: '71053', gtin: '4006381333931', options: { colour: 'white' } },
      { sku: '71053B', gtin: '036000291452', options: { colour: 'black' } },
    ],
  });
  const tree = await make({ status: 'active', title: { en: 'Christmas tree decoration', nl: 'Kerstboomversiering' }, categoryId: xmas.body.id, variants: [{ sku: '22086' }], assortment: [{ channel: 'web' }, { channel: 'pos', storeId: 'sto_gent' }] });
  const draft = await make({ title: { en: 'Secret new candle' }, variants: [{ sku: 'NEW1' }] });
  Object.assign(ids, { lantern: lantern.body.id, tree: tree.body.id, draft: draft.body.id });
});
afterAll(() => s?.close());

const titles = (r: { body: { data: Array<{ displayTitle: string }> } }) => r.body.data.map((p) => p.displayTitle);

describe('products', () => {
  it('creates a product with variants, texts in both languages and a default assortment', async () => {
    const p = await s.call('GET', `/v1/products/${ids.lantern}?locale=nl`);
    expect(p.status).toBe(200);
    expect(p.body.displayTitle).toBe('Witte metalen lantaarn');
    expect(p.body.handle).toBe('white-metal-lantern');
    expect(p.body.variants.map((v: { sku: string }) => v.sku)).toEqual(['71053', '71053B']);
    expect(p.body.assortment).toHaveLength(5);
    expect(p.headers.get('etag')).toBe('"1"');
    const en = await s.call('GET', `/v1/products/${ids.draft}?locale=nl`);
    expect(en.body.displayTitle).toBe('Secret new candle'); // falls back to English
  });

  it('refuses bad barcodes and duplicate codes, saying which field', async () => {
    const bad = await s.call('POST', '/v1/products', { body: { title: { en: 'x' }, variants: [{ sku: 'X1', gtin: '4006381333932' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: '/variants/0/gtin', in: 'body', message: expect.stringContaining('check digit') }]);
    const dup = await s.call('POST', '/v1/products', { body: { title: { en: 'x' }, variants: [{ sku: '71053' }, { sku: 'X2', gtin: '0036000291452' }] } });
    expect(dup.status).toBe(409);
    expect(dup.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['/variants/0/sku', '/variants/1/gtin']);
    const noTitle = await s.call('POST', '/v1/products', { body: { title: {}, variants: [{ sku: 'X3' }] } });
    expect(noTitle.status).toBe(400);
    const badCat = await s.call('POST', '/v1/products', { body: { title: { en: 'x' }, categoryId: 'cat_nope', variants: [{ sku: 'X4' }] } });
    expect(badCat.body.errors[0].field).toBe('/categoryId');
  });

  it('updates with If-Match, keeping variant ids by SKU and archiving dropped ones', async () => {
    const before = (await s.call('GET', `/v1/products/${ids.lantern}`)).body;
    const r = await s.call('PATCH', `/v1/products/${ids.lantern}`, {
      headers: { 'if-match': `"${before.version}"` },
      body: { variants: [{ sku: '71053', gtin: '4006381333931', options: { colour: 'white' } }, { sku: '71053R', options: { colour: 'red' } }] },
    });
    expect(r.status).toBe(200);
    const bySku = Object.fromEntries(r.body.variants.map((v: { sku: string; id: string; status: string }) => [v.sku, v]));
    expect(bySku['71053'].id).toBe(before.variants[0].id);
    expect(bySku['71053B'].status).toBe('archived');
    expect(bySku['71053R'].status).toBe('active');
    const stale = await s.call('PATCH', `/v1/products/${ids.lantern}`, { headers: { 'if-match': `"${before.version}"` }, body: { brand: 'Winkel' } });
    expect(stale.status).toBe(412);
    const events = await s.call('GET', `/v1/events?aggregateId=${ids.lantern}`);
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['product.updated', 'product.created']);
  });
});

describe('barcode lookup', () => {
  it('finds the variant for EAN-13 and for UPC-A scanned as 12 or 13 digits', async () => {
    const ean = await s.call('GET', '/v1/variants/by-barcode/4006381333931', { token: pk });
    expect(ean.status).toBe(200);
    expect(ean.body.variant.sku).toBe('71053');
    expect(ean.body.product.id).toBe(ids.lantern);
    const upc = await s.call('GET', '/v1/variants/by-barcode/0036000291452');
    expect(upc.body.variant.sku).toBe('71053B');
  });

  it('finds a variant by id with its product', async () => {
    const p = (await s.call('GET', `/v1/products/${ids.lantern}`)).body;
    const v = await s.call('GET', `/v1/variants/${p.variants[0].id}?locale=nl`);
    expect(v.body).toMatchObject({ variant: { sku: '71053' }, product: { id: ids.lantern, displayTitle: 'Witte metalen lantaarn' } });
    expect((await s.call('GET', '/v1/variants/var_nope')).status).toBe(404);
  });

  it('answers 404 for an unknown code and 422 for a malformed one', async () => {
    const unknown = await s.call('GET', '/v1/variants/by-barcode/96385074');
    expect(unknown.status).toBe(404);
    const typo = await s.call('GET', '/v1/variants/by-barcode/4006381333932');
    expect(typo.status).toBe(422);
    expect(typo.body.code).toBe('invalid_barcode');
    expect((await s.call('GET', '/v1/variants/by-barcode/abc')).status).toBe(422);
  });
});

describe('search', () => {
  it('stems English and Dutch, matches codes, and tolerates typos', async () => {
    expect(titles(await s.call('GET', '/v1/products?q=lanterns'))).toEqual(['White metal lantern']);
    expect(titles(await s.call('GET', '/v1/products?q=kaars&locale=nl'))).toEqual(['Witte metalen lantaarn']);
    expect(titles(await s.call('GET', '/v1/products?q=22086'))).toEqual(['Christmas tree decoration']);
    expect(titles(await s.call('GET', '/v1/products?q=chrismas'))).toEqual(['Christmas tree decoration']);
    expect(titles(await s.call('GET', '/v1/products?q=zzzqqq'))).toEqual([]);
    // Typos in one word of several: every typed word must still match, exactly or closely.
    expect(titles(await s.call('GET', '/v1/products?q=lantarn'))).toEqual(['White metal lantern']);
    expect(titles(await s.call('GET', `/v1/products?q=${encodeURIComponent('christmas decoraton')}`))).toEqual(['Christmas tree decoration']);
    expect(titles(await s.call('GET', `/v1/products?q=${encodeURIComponent('metal decoraton')}`))).toEqual([]);
    // Web search syntax keeps its meaning: without a word, a phrase, either word.
    expect(titles(await s.call('GET', `/v1/products?q=${encodeURIComponent('lantern -white')}`))).toEqual([]);
    expect(titles(await s.call('GET', `/v1/products?q=${encodeURIComponent('"lantern metal"')}`))).toEqual([]);
    expect(titles(await s.call('GET', `/v1/products?q=${encodeURIComponent('"metal lantern"')}`))).toEqual(['White metal lantern']);
    expect(titles(await s.call('GET', `/v1/products?q=${encodeURIComponent('lantern or decoration')}&sort=title`))).toEqual(['Christmas tree decoration', 'White metal lantern']);
  });

  it('filters by category (with subcategories), channel and store, and counts facets', async () => {
    const home = await s.call('GET', `/v1/products?categoryId=${ids.home}`);
    expect(titles(home)).toEqual(['White metal lantern']);
    const gent = await s.call('GET', '/v1/products?channel=pos&storeId=sto_gent&status=active');
    expect(titles(gent).sort()).toEqual(['Christmas tree decoration', 'White metal lantern']);
    const brugge = await s.call('GET', '/v1/products?channel=pos&storeId=sto_brugge&status=active');
    expect(titles(brugge)).toEqual(['White metal lantern']);
    const all = await s.call('GET', '/v1/products?limit=2&facets=true');
    expect(all.body.total).toBe(3);
    expect(all.body.hasMore).toBe(true);
    const next = await s.call('GET', `/v1/products?limit=2&cursor=${all.body.nextCursor}`);
    expect(next.body.data).toHaveLength(1);
    expect(all.body.facets.status).toEqual(expect.arrayContaining([{ status: 'active', count: 2 }, { status: 'draft', count: 1 }]));
  });

  it('lists each product exactly as it reads by id: variants in order and where it is sold', async () => {
    const list = await s.call('GET', `/v1/products?q=${encodeURIComponent('lantern')}`);
    const one = await s.call('GET', `/v1/products/${ids.lantern}`);
    expect(list.body.data).toEqual([one.body]);
    expect(one.body.variants.map((v: { sku: string }) => v.sku).slice(0, 2)).toEqual(['71053', '71053B']);
    const tree = (await s.call('GET', '/v1/products?q=22086')).body.data[0];
    expect(tree.assortment).toEqual([
      { channel: 'pos', storeId: 'sto_gent' },
      { channel: 'web', storeId: null },
    ]);
    expect(tree).toEqual((await s.call('GET', `/v1/products/${ids.tree}`)).body);
  });

  it('shows shoppers active products only', async () => {
    const shop = await s.call('GET', '/v1/products', { token: pk });
    expect(titles(shop)).not.toContain('Secret new candle');
    expect((await s.call('GET', `/v1/products/${ids.draft}`, { token: pk })).status).toBe(404);
    expect((await s.call('POST', '/v1/products', { token: pk, body: { title: { en: 'x' }, variants: [{ sku: 'P1' }] } })).status).toBe(403);
  });

  it('gives shoppers the storefront view, and staff the whole product, for the same question', async () => {
    const made = await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Zinc watering can' }, externalRef: 'ERP-22086', variants: [{ sku: 'ZWC1' }] } });
    const list = (await s.call('GET', '/v1/price-lists')).body.data;
    const priceList = list[0]?.id ?? (await s.call('POST', '/v1/price-lists', { body: { name: 'Shop' } })).body.id;
    await s.call('POST', `/v1/price-lists/${priceList}/prices`, { body: { prices: [{ sku: 'ZWC1', amount: 1295 }] } });
    ids.can = made.body.id;
    const internal = ['externalRef', 'assortment', 'createdAt', 'updatedAt', 'version'];
    const url = '/v1/products?q=ZWC1&channel=web&status=active';
    // Staff first, so that a remembered staff answer would be what the shopper gets if views mixed.
    const staff = (await s.call('GET', url)).body.data[0];
    const shop = (await s.call('GET', url, { token: pk })).body.data[0];
    const shopOne = (await s.call('GET', `/v1/products/${ids.can}?channel=web`, { token: pk })).body;
    expect(staff.externalRef).toBe('ERP-22086');
    for (const field of internal) expect(staff).toHaveProperty(field);
    expect(staff.variants[0]).toHaveProperty('productId', ids.can);
    for (const p of [shop, shopOne]) {
      for (const field of internal) expect(p).not.toHaveProperty(field);
      expect(p.variants[0]).not.toHaveProperty('productId');
      expect(p.variants[0]).not.toHaveProperty('version');
    }
    // Everything else is the same, prices included.
    const { externalRef: _r, assortment: _a, createdAt: _c, updatedAt: _u, version: _v, variants, ...rest } = staff;
    expect(shop).toEqual({ ...rest, variants: variants.map(({ productId: _p, version: _w, ...v }: Record<string, unknown>) => v) });
    expect(shopOne).toEqual(shop);
    expect(shop.variants[0].price).toMatchObject({ amount: 1295, currency: 'EUR' });
  });
});

describe('categories', () => {
  it('refuses loops and deleting categories in use', async () => {
    const loop = await s.call('PATCH', `/v1/categories/${ids.home}`, { body: { parentId: ids.lights } });
    expect(loop.status).toBe(400);
    const inUse = await s.call('DELETE', `/v1/categories/${ids.home}`);
    expect(inUse.status).toBe(409);
    const list = await s.call('GET', '/v1/categories?locale=nl');
    expect(list.body.data.map((c: { displayName: string }) => c.displayName).sort()).toEqual(['Kerst', 'Verlichting', 'Wonen']);
  });

  it('validates typed attributes', async () => {
    await s.call('POST', '/v1/attributes', { body: { code: 'material', type: 'enum', options: ['metal', 'glass'], filterable: true } });
    const ok = await s.call('PATCH', `/v1/products/${ids.tree}`, { body: { attributes: { material: 'glass' } } });
    expect(ok.status).toBe(200);
    const bad = await s.call('PATCH', `/v1/products/${ids.tree}`, { body: { attributes: { material: 'wood', colour: 'red' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['/attributes/colour', '/attributes/material']);
  });
});
