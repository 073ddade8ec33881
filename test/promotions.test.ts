// Promotions through the API: create, coupons, quoting a cart with explanations and VAT, the
// builder's preview, and redemption limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;
let mugs = '';

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  const kitchen = (await s.call('POST', '/v1/categories', { body: { name: { en: 'Kitchen' } } })).body.id;
  mugs = (await s.call('POST', '/v1/categories', { body: { name: { en: 'Mugs' }, parentId: kitchen } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, categoryId: mugs, variants: [{ sku: 'MUG-1' }] } });
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Cook book' }, taxClass: 'reduced', variants: [{ sku: 'BOOK-1' }] } });
  const base = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${base}/prices`, { body: { prices: [{ sku: 'MUG-1', amount: 500 }, { sku: 'BOOK-1', amount: 2000 }] } });
  const three = await s.call('POST', '/v1/promotions', {
    body: { name: '3 for 2 on kitchen', status: 'active', stacking: 'combinable', priority: 10, target: { categoryIds: [kitchen] }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } },
  });
  expect(three.status).toBe(201);
  const code = await s.call('POST', '/v1/promotions', {
    body: { name: '€5 off with WELCOME', status: 'active', stacking: 'combinable', requiresCoupon: true, rule: { kind: 'amount_off_order', amount: 500, minSubtotal: 2500 } },
  });
  expect(code.status).toBe(201);
  await s.call('POST', `/v1/promotions/${code.body.id}/coupons`, { body: { code: 'welcome', maxUses: 1 } });
});
afterAll(() => s?.close());

const quote = (body: object, token: string | null = pk) => s.call('POST', '/v1/pricing/quote', { token, body: { channel: 'web', country: 'NL', ...body } });

describe('quoting a cart', () => {
  it('applies 3 for 2 through the parent category and explains what did not apply', async () => {
    const r = await quote({ lines: [{ sku: 'MUG-1', quantity: 3 }, { sku: 'BOOK-1', quantity: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body.subtotal).toBe(3500);
    expect(r.body.lines[0].adjustments.map((a: { amount: number }) => a.amount)).toEqual([-500]);
    const welcome = r.body.notApplied.find((n: { name: string }) => n.name.includes('WELCOME'));
    expect(welcome.reason).toBe('coupon_required');
    expect(r.body.total).toBe(3000);
    // VAT per line: mugs at 21 %, the book at 9 % in NL.
    expect(r.body.vat.rows.map((row: { rate: number; gross: number }) => [row.rate, row.gross])).toEqual([
      [2100, 1000],
      [900, 2000],
    ]);
    expect(r.body.vat.net + r.body.vat.vat).toBe(r.body.total);
  });

  it('says how many more items a multi-buy needs', async () => {
    const r = await quote({ lines: [{ sku: 'MUG-1', quantity: 2 }] });
    const three = r.body.notApplied.find((n: { name: string }) => n.name.startsWith('3 for 2'));
    expect(three.reason).toBe('needs_more_items');
    expect(three.message).toMatch(/1 more/);
  });

  it('takes a coupon code in any case, once', async () => {
    const r = await quote({ couponCodes: ['Welcome'], lines: [{ sku: 'BOOK-1', quantity: 2 }] });
    expect(r.body.applied.map((a: { couponCode?: string }) => a.couponCode)).toContain('WELCOME');
    expect(r.body.total).toBe(3500);
    expect(r.body.usage.redemptions).toEqual(expect.arrayContaining([expect.objectContaining({ couponCode: 'WELCOME', amount: 500 })]));
    const unknown = await quote({ couponCodes: ['NOPE'], lines: [{ sku: 'BOOK-1', quantity: 2 }] });
    expect(unknown.body.coupons[0]).toMatchObject({ code: 'NOPE', applied: false });
  });

  it('refuses unknown or unpriced lines with the line named', async () => {
    const r = await quote({ lines: [{ sku: 'MUG-1', quantity: 1 }, { sku: 'GHOST', quantity: 1 }] });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('/lines/1');
  });
});

describe('promotion builder', () => {
  it('previews an unsaved promotion on a sample cart', async () => {
    const r = await s.call('POST', '/v1/promotions/preview', {
      body: { promotion: { name: '20 % off mugs', status: 'draft', stacking: 'exclusive', target: { categoryIds: [mugs] }, rule: { kind: 'percent_off_items', percent: 20 } }, cart: { channel: 'web', lines: [{ sku: 'MUG-1', quantity: 2 }] } },
    });
    expect(r.status).toBe(200);
    expect(r.body.applied).toEqual([expect.objectContaining({ name: '20 % off mugs', amount: 200 })]);
    expect(r.body.total).toBe(800);
  });

  it('refuses definitions that cannot work, saying why', async () => {
    const r = await s.call('POST', '/v1/promotions', { body: { name: 'Broken', status: 'active', stacking: 'combinable', rule: { kind: 'percent_off_items', percent: 10 } } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/target/);
    expect(r.body.errors[0].field).toBe('/target');
    const bad = await s.call('POST', '/v1/promotions', { body: { name: 'Too much', status: 'active', stacking: 'combinable', target: { all: true }, rule: { kind: 'percent_off_items', percent: 120 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.some((e: { field: string }) => e.field.includes('rule/percent'))).toBe(true);
  });

  it('updates with If-Match, and the next quote uses the change', async () => {
    const list = await s.call('GET', '/v1/promotions?status=active');
    const three = list.body.data.find((p: { name: string }) => p.name.startsWith('3 for 2'));
    const r = await s.call('PATCH', `/v1/promotions/${three.id}`, { headers: { 'if-match': `"${three.version}"` }, body: { status: 'archived' } });
    expect(r.status).toBe(200);
    const q = await quote({ lines: [{ sku: 'MUG-1', quantity: 3 }] });
    expect(q.body.total).toBe(1500);
    const stale = await s.call('PATCH', `/v1/promotions/${three.id}`, { headers: { 'if-match': `"${three.version}"` }, body: { status: 'active' } });
    expect(stale.status).toBe(412);
    const events = await s.call('GET', `/v1/events?aggregateId=${three.id}`);
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['promotion.updated', 'promotion.created']);
  });

  it('generates coupon batches', async () => {
    const list = await s.call('GET', '/v1/promotions');
    const id = list.body.data[0].id;
    const b = await s.call('POST', `/v1/promotions/${id}/coupon-batches`, { body: { count: 25, prefix: 'XMAS-' } });
    expect(b.status).toBe(201);
    expect(new Set(b.body.codes).size).toBe(25);
    const codes = await s.call('GET', `/v1/promotions/${id}/coupons?limit=100`);
    expect(codes.body.data.length).toBeGreaterThanOrEqual(25);
  });
});

describe('explanations in the shopper’s language', () => {
  it('answers why-not messages in Dutch for Accept-Language nl, in English otherwise, with the same reason code and params', async () => {
    // (The category 3 for 2 above is archived by now.)
    const mb = await s.call('POST', '/v1/promotions', { body: { name: 'Mugs 3 for 2', status: 'active', stacking: 'combinable', target: { skus: ['MUG-1'] }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } } });
    expect(mb.status).toBe(201);
    const lines = [{ sku: 'MUG-1', quantity: 2 }];
    const nl = await s.call('POST', '/v1/pricing/quote', { token: pk, headers: { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.8' }, body: { channel: 'web', lines, couponCodes: ['NOPE'] } });
    const en = await s.call('POST', '/v1/pricing/quote', { token: pk, headers: { 'accept-language': 'en-GB' }, body: { channel: 'web', lines, couponCodes: ['NOPE'] } });
    const none = await s.call('POST', '/v1/pricing/quote', { token: pk, body: { channel: 'web', lines, couponCodes: ['NOPE'] } });
    expect(nl.headers.get('content-language')).toBe('nl');
    expect(none.headers.get('content-language')).toBe('en');
    const find = (r: typeof nl, reason: string) => r.body.notApplied.find((n: { reason: string }) => n.reason === reason);
    // The multi-buy's params say what is missing; the words follow the language.
    expect(find(nl, 'needs_more_items').params).toEqual({ missing: [{ count: 1, kind: 'item' }], offer: { kind: 'multi_buy', quantity: 3, payFor: 2 } });
    expect(find(nl, 'needs_more_items').params).toEqual(find(en, 'needs_more_items').params);
    expect(find(en, 'needs_more_items').message).toBe('Add 1 more item to get 3 for 2.');
    expect(find(nl, 'needs_more_items').message).toBe('Voeg nog 1 artikel toe om 3 voor de prijs van 2 te krijgen.');
    expect(find(none, 'needs_more_items').message).toBe(find(en, 'needs_more_items').message);
    expect(find(en, 'coupon_required').message).toBe('Enter a coupon code to get €5.00 off your order.');
    expect(find(nl, 'coupon_required').message).toBe('Vul een kortingscode in om € 5,00 korting op je bestelling te krijgen.');
    expect(nl.body.coupons[0]).toMatchObject({ code: 'NOPE', reason: 'coupon_unknown', params: { code: 'NOPE' }, message: 'Code NOPE is onbekend.' });
    expect(en.body.coupons[0].message).toBe('Code NOPE is not known.');
  });

  it('words the builder’s preview in the language asked for', async () => {
    const body = {
      promotion: { name: 'Spend €50', status: 'draft', stacking: 'combinable', rule: { kind: 'amount_off_order', amount: 1000, minSubtotal: 5000 } },
      cart: { channel: 'web', lines: [{ sku: 'BOOK-1', quantity: 1 }] },
    };
    const nl = await s.call('POST', '/v1/promotions/preview', { headers: { 'accept-language': 'nl' }, body });
    const en = await s.call('POST', '/v1/promotions/preview', { headers: { 'accept-language': 'fr, en;q=0.5' }, body });
    expect(nl.body.notApplied[0]).toMatchObject({ reason: 'below_min_subtotal', params: { amount: 3000, onQualifyingItems: false }, message: 'Besteed nog € 30,00 om € 10,00 korting op je bestelling te krijgen.' });
    expect(en.body.notApplied[0].message).toBe('Spend €30.00 more to get €10.00 off your order.');
  });
});

describe('changing a promotion with PATCH', () => {
  it('removes restrictions with null or an empty list, and leaves out what is not sent', async () => {
    const created = await s.call('POST', '/v1/promotions', {
      body: {
        name: 'Gold members, web only',
        status: 'active',
        stacking: 'combinable',
        target: { skus: ['MUG-1'] },
        rule: { kind: 'percent_off_items', percent: 10 },
        channels: ['app'],
        storeIds: ['st_ams'],
        customerGroups: ['gold'],
        customerId: 'cus_someone',
        requiresCoupon: true,
        limits: { total: 10, perCustomer: 1, budget: 5000 },
        startsAt: '2020-01-01T00:00:00Z',
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const patch = (body: object, version: number) => s.call('PATCH', `/v1/promotions/${id}`, { headers: { 'if-match': `"${version}"` }, body });

    const lists = await patch({ channels: [], storeIds: null, customerGroups: [] }, created.body.version);
    expect(lists.status).toBe(200);
    expect(lists.body.channels).toBeUndefined();
    expect(lists.body.storeIds).toBeUndefined();
    expect(lists.body.customerGroups).toBeUndefined();
    // What was not sent stays.
    expect(lists.body).toMatchObject({ customerId: 'cus_someone', requiresCoupon: true, limits: { total: 10, perCustomer: 1, budget: 5000 }, target: { skus: ['MUG-1'] } });

    const oneLimit = await patch({ limits: { total: null, perCustomer: 2 } }, lists.body.version);
    expect(oneLimit.body.limits).toEqual({ perCustomer: 2 });
    const rest = await patch({ customerId: null, requiresCoupon: null, limits: null, startsAt: null }, oneLimit.body.version);
    expect(rest.status).toBe(200);
    expect(rest.body.customerId).toBeUndefined();
    expect(rest.body.requiresCoupon).toBeUndefined();
    expect(rest.body.limits).toBeUndefined();
    expect(rest.body.startsAt).toBeNull();

    // Without its restrictions the offer now applies to anyone on the web.
    const q = await quote({ lines: [{ sku: 'MUG-1', quantity: 1 }] });
    expect(q.body.applied.map((a: { promotionId: string }) => a.promotionId)).toContain(id);

    // An item rule still needs a target: clearing it is refused and changes nothing.
    const noTarget = await patch({ target: null }, rest.body.version);
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.errors[0].field).toBe('/target');
    expect((await s.call('GET', `/v1/promotions/${id}`)).body).toMatchObject({ version: rest.body.version, target: { skus: ['MUG-1'] } });
    expect((await patch({ name: null }, rest.body.version)).status).toBe(400);

    const audit = await s.call('GET', `/v1/events?aggregateId=${id}`);
    expect(audit.body.data.filter((e: { type: string }) => e.type === 'promotion.updated')).toHaveLength(3);
  });
});
