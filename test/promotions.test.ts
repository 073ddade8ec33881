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
