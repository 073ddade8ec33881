// Bad input gets a 4xx problem document that says what to fix, never a 500, and changes nothing:
// each case here was a 500 (or a plain, id-less answer) found by sending bad input from outside.
// test/bad-input.property.test.ts sends generated bad input to every operation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueViolationProblem } from '../src/platform/http/request-limits.js';
import { startTestServer, type CallResult, type TestServer } from './helpers/server.js';

let s: TestServer;
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
interface Operation {
  parameters?: Array<{ name: string; in: string; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: Array<Record<string, string[]>>;
}
type Schema = Record<string, any>;

beforeAll(async () => {
  s = await startTestServer();
  doc = await (await fetch(`${s.url}/openapi.json`)).json();
});
afterAll(() => s?.close());

const isProblem = (r: CallResult) => {
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body.requestId).toMatch(/^req_/);
  expect(r.headers.get('x-request-id')).toBe(r.body.requestId);
  expect(typeof r.body.code).toBe('string');
};

/** Operations of the OpenAPI document, with the method in capitals and `{id}` filled in. */
function operations() {
  const out: Array<{ method: string; path: string; template: string; op: Operation }> = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      out.push({ method: method.toUpperCase(), template, path: template.replace(/\{[^}]+\}/g, 'nothing_here'), op });
    }
  }
  return out;
}
const staffMay = (op: Operation) => !op.security || op.security.length === 0 || op.security.some((s) => 'staffSession' in s);

async function activeProduct(sku: string, title = sku) {
  const p = await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: title }, variants: [{ sku }] } });
  expect(p.status).toBe(201);
  return p.body as { id: string; variants: Array<{ id: string }> };
}

describe('pricing', () => {
  it('two active general lists at one priority: the newer one prices the SKU, in carts, product answers and the explanation', async () => {
    const product = await activeProduct('TIE-1');
    const lists: string[] = [];
    for (const [name, amount] of [['Older', 7000], ['Newer', 6000]] as const) {
      const l = await s.call('POST', '/v1/price-lists', { body: { name } });
      expect(l.status).toBe(201);
      await s.call('POST', `/v1/price-lists/${l.body.id}/prices`, { body: { prices: [{ sku: 'TIE-1', amount }] } });
      lists.push(l.body.id);
    }
    const cart = await s.call('POST', '/v1/carts', { body: { channel: 'web' } });
    const withLine = await s.call('POST', `/v1/carts/${cart.body.id}/lines`, { body: { sku: 'TIE-1', quantity: 1 } });
    expect(withLine.status).toBe(200);
    expect(withLine.body.quote.subtotal).toBe(6000);
    expect((await s.call("GET", `/v1/carts/${cart.body.id}`)).body.quote.subtotal).toBe(6000);
    const shown = await s.call('GET', `/v1/products/${product.id}?channel=web`);
    expect(shown.body.variants[0].price).toMatchObject({ amount: 6000, priceListId: lists[1] });
    const explained = await s.call('GET', '/v1/prices/resolve?sku=TIE-1&channel=web');
    expect(explained.body.price).toMatchObject({ amount: 6000, priceListId: lists[1] });
    expect(explained.body.considered.find((c: { priceListId: string }) => c.priceListId === lists[0])).toMatchObject({ outcome: 'lost' });
  });
});

describe('event collection', () => {
  const post = (path: string, body: string, token = s.adminToken) =>
    fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  it('keeps the good events of a batch and lists each bad one (year 0000, lone surrogate, 5,000 levels deep, NUL)', async () => {
    // Sent as text: a lone surrogate and such depth do not survive JSON.stringify on the way out.
    const bad = [
      '{"type":"track","event":"Old","anonymousId":"bi-anon","timestamp":"0000-01-01T00:00:00Z"}',
      '{"type":"track","event":"Half \\ud800 a character","anonymousId":"bi-anon"}',
      '{"type":"track","event":"Deep","anonymousId":"bi-anon","properties":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}',
      '{"type":"track","event":"Deep list","anonymousId":"bi-anon","properties":{"d":' + '['.repeat(5000) + ']'.repeat(5000) + '}}',
      '{"type":"track","event":"Nul","anonymousId":"bi-anon","properties":{"note":"a\\u0000b"}}',
    ];
    const good = (n: number) => `{"type":"track","event":"Good ${n}","anonymousId":"bi-anon","messageId":"bi-good-${n}"}`;
    const res = await post('/v1/collect/batch', `{"batch":[${good(1)},${bad.join(',')},${good(2)}]}`);
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.accepted).toBe(2);
    expect(r.rejected.map((x: { index: number }) => x.index)).toEqual([1, 2, 3, 4, 5]);
    expect(r.rejected[0].errors).toEqual([{ field: '/timestamp', message: expect.stringContaining('1970') }]);
    expect(r.rejected[1].errors).toEqual([{ field: '/event', message: expect.stringContaining('surrogate') }]);
    expect(r.rejected[2].errors[0].message).toContain('deep');
    expect(r.rejected[4].errors).toEqual([{ field: '/properties/note', message: expect.stringContaining('NUL') }]);
    const timeline = await s.call('GET', '/v1/collect/timeline?anonymousId=bi-anon');
    expect(timeline.body.data.map((e: { event: string }) => e.event)).toEqual(['Good 1', 'Good 2']);
  });

  it('refuses a batch with nothing good in it (400, each event named), a day that does not exist, and a type the route does not take', async () => {
    const none = await post('/v1/collect/batch', JSON.stringify({ batch: [{ type: 'track', event: 'Leap', anonymousId: 'bi-none', timestamp: '2026-02-30T10:00:00Z' }, { type: 'shout', anonymousId: 'bi-none' }] }));
    expect(none.status).toBe(400);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const p = await none.json();
    expect(p.errors.map((e: { field: string }) => e.field)).toEqual(['/batch/0/timestamp', '/batch/1/type']);
    expect(p.rejected.map((x: { index: number }) => x.index)).toEqual([0, 1]);
    expect((await s.call('GET', '/v1/collect/timeline?anonymousId=bi-none')).body.data).toEqual([]);
    // 30 February is not 2 March.
    const leap = await post('/v1/collect/track', JSON.stringify({ event: 'Leap', anonymousId: 'bi-none', timestamp: '2026-02-30T10:00:00Z' }));
    expect(leap.status).toBe(400);
    expect((await leap.json()).errors[0].field).toBe('/timestamp');
    const wrongType = await post('/v1/collect/track', JSON.stringify({ type: 'identify', anonymousId: 'bi-none', event: 'X' }));
    expect(wrongType.status).toBe(400);
    expect((await wrongType.json()).errors[0].field).toBe('/type');
  });

  it('a single bad event is a 400 naming the field, and the beacon keeps the good events too', async () => {
    const one = await post('/v1/collect/track', '{"event":"X","anonymousId":"bi-one","properties":{"x":"\\udc00"}}');
    expect(one.status).toBe(400);
    expect(one.headers.get('content-type')).toContain('application/problem+json');
    const pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'bad input shop' } })).body.token;
    await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: 'bi-beacon', consents: [{ purpose: 'analytics', granted: true }] } });
    const beacon = await fetch(`${s.url}/v1/sdk/beacon?key=${pk}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"batch":[{"type":"page","anonymousId":"bi-\\ud800"},{"type":"page","anonymousId":"bi-beacon","timestamp":"0000-01-01T00:00:00Z"},{"type":"page","anonymousId":"bi-beacon"}]}',
    });
    expect(beacon.status).toBe(200);
    const r = await beacon.json();
    expect(r.rejected.map((x: { index: number }) => x.index)).toEqual([0, 1]);
  });

  it('a malformed timeline cursor is a 400, also one that names a time the database cannot hold', async () => {
    const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const c of ['junk', cursor(null), cursor({ t: 'yesterday', id: 'x' }), cursor({ t: '0000-01-01T00:00:00.000Z', id: 'x' }), cursor({ t: 5, id: 'x' }), cursor({ t: '2026-01-01T00:00:00.000Z' })]) {
      const r = await s.call('GET', `/v1/collect/timeline?anonymousId=bi-anon&cursor=${c}`);
      expect(r.status, c).toBe(400);
      isProblem(r);
    }
  });
});

describe('query and path values', () => {
  it('limit=1e309, Infinity or -Infinity is a 400 on every list that takes a limit', async () => {
    let lists = 0;
    for (const { method, path, op } of operations()) {
      if (method !== 'GET' || !op.parameters?.some((p) => p.in === 'query' && p.name === 'limit') || !staffMay(op)) continue;
      lists++;
      for (const limit of ['1e309', 'Infinity', '-Infinity', 'NaN', '1e3', '']) {
        const r = await s.call('GET', `${path}?limit=${limit}`);
        expect(r.status, `${path}?limit=${limit}`).toBe(400);
        isProblem(r);
      }
    }
    expect(lists).toBeGreaterThan(25);
  });

  it('a query string that is not percent-encoded UTF-8 is a 400, also where the parameter is free text', async () => {
    for (const q of ['q=%ED%A0%80', 'q=%FF', 'q=100%', 'q=a%zzb']) {
      const r = await s.call('GET', `/v1/products?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.code).toBe('validation');
      isProblem(r);
    }
    expect((await s.call('GET', '/v1/products?q=%C3%A9t%C3%A9')).status).toBe(200);
  });

  it('a malformed cursor is a 400 on every list that takes one', async () => {
    const cursors = ['junk', Buffer.from('null').toString('base64url'), Buffer.from('{"k":5}').toString('base64url'), Buffer.from('[1]').toString('base64url'), Buffer.from('{"o":-1}').toString('base64url')];
    let lists = 0;
    for (const { method, path, template, op } of operations()) {
      if (method !== 'GET' || !op.parameters?.some((p) => p.in === 'query' && p.name === 'cursor') || !staffMay(op)) continue;
      lists++;
      for (const cursor of cursors) {
        const r = await s.call('GET', `${path}?cursor=${cursor}`);
        // A list under an unknown parent may say so first.
        if (template.includes('{')) expect([400, 404], `${path} ${cursor}`).toContain(r.status);
        else expect(r.status, `${path}?cursor=${cursor}`).toBe(400);
        isProblem(r);
      }
    }
    expect(lists).toBeGreaterThan(25);
  });

  it('an over-long path parameter is a 414, a request line over 16 kB a 431 and a broken percent-encoding a 400, all problem documents with a request id', async () => {
    const long = await s.call('GET', `/v1/products/${'x'.repeat(5000)}`);
    expect(long.status).toBe(414);
    expect(long.body.code).toBe('uri_too_long');
    isProblem(long);
    const huge = await s.call('GET', `/v1/products?q=${'x'.repeat(20_000)}`);
    expect(huge.status).toBe(431);
    expect(huge.body.code).toBe('headers_too_large');
    expect(huge.headers.get('content-type')).toContain('application/problem+json');
    expect(huge.headers.get('x-request-id')).toBe(huge.body.requestId);
    const broken = await s.call('GET', '/v1/products/%zz');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('malformed');
    isProblem(broken);
  });

  it('a path the router does not take is a 404 (with a hint for a trailing slash); only a method the path lacks is a 405', async () => {
    const slash = await s.call('GET', '/v1/auth/me/');
    expect(slash.status).toBe(404);
    expect(slash.body.detail).toContain('/v1/auth/me (without the trailing slash)');
    isProblem(slash);
    const wrong = await s.call('DELETE', '/v1/auth/me');
    expect(wrong.status).toBe(405);
    expect(wrong.body.detail).toBe('DELETE is not supported here; use GET.');
    const options = await fetch(`${s.url}/v1/products`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
  });
});

describe('times the database cannot hold', () => {
  it('a date-time in year 0000, or with a leap second Date cannot read, is a 400 naming the field', async () => {
    for (const startsAt of ['0000-01-01T00:00:00Z', '2026-12-31T23:59:60Z']) {
      const r = await s.call('POST', '/v1/price-lists', { body: { name: `Odd time ${startsAt}`, startsAt } });
      expect(r.status, startsAt).toBe(400);
      expect(r.body.errors[0].field).toContain('startsAt');
    }
    expect((await s.call('POST', '/v1/price-lists', { body: { name: 'Year one', startsAt: '0001-01-01T00:00:00Z' } })).status).toBe(201);
  });
});

describe('numbers the database cannot hold', () => {
  it('every integer and string a request takes is bounded, and every body object says whether it takes other fields, in the OpenAPI document', () => {
    const unbounded: string[] = [];
    const walk = (schema: Schema | undefined, at: string, seen: Set<string>) => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.$ref) {
        const name = String(schema.$ref).split('/').pop()!;
        if (!seen.has(name)) walk(doc.components.schemas[name], `${at}->${name}`, new Set([...seen, name]));
        return;
      }
      const types = ([] as string[]).concat(schema.type ?? []);
      if (types.includes('integer') && (schema.maximum === undefined || schema.minimum === undefined)) unbounded.push(`${at} (integer)`);
      if (types.includes('string') && schema.maxLength === undefined && schema.enum === undefined && schema.const === undefined) unbounded.push(`${at} (string)`);
      if (at.includes(' body') && (schema.properties || schema.patternProperties) && schema.additionalProperties === undefined) unbounded.push(`${at} (object: other fields?)`);
      for (const [k, v] of Object.entries(schema.properties ?? {})) walk(v as Schema, `${at}/${k}`, seen);
      for (const k of ['items', 'additionalProperties', 'propertyNames']) if (typeof schema[k] === 'object') walk(schema[k], `${at}/${k}`, seen);
      for (const k of ['anyOf', 'oneOf', 'allOf']) for (const v of schema[k] ?? []) walk(v, at, seen);
    };
    for (const { method, template, op } of operations()) {
      for (const p of op.parameters ?? []) if (p.in !== 'header') walk(p.schema, `${method} ${template} ${p.in}:${p.name}`, new Set());
      for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) if (type.includes('json')) walk(c.schema, `${method} ${template} body`, new Set());
    }
    expect(unbounded).toEqual([]);
  });

  it('a location’s daily capacity beyond an integer column is a 400, not a 500', async () => {
    for (const dailyCapacity of [1e308, 2 ** 31, 2 ** 53]) {
      const r = await s.call('POST', '/v1/locations', { body: { code: `CAP${dailyCapacity}`.slice(0, 30).replace(/[^A-Za-z0-9]/g, ''), name: 'Big', type: 'warehouse', dailyCapacity } });
      expect(r.status, String(dailyCapacity)).toBe(400);
      expect(r.body.errors[0].field).toContain('dailyCapacity');
    }
    const ok = await s.call('POST', '/v1/locations', { body: { code: 'CAPOK', name: 'Big', type: 'warehouse', dailyCapacity: 2 ** 31 - 1 } });
    expect(ok.status).toBe(201);
  });

  it('opening hours take weekdays only, each checked (a record with a key pattern takes no other keys)', async () => {
    const odd = await s.call('POST', '/v1/locations', { body: { code: 'HOURS1', name: 'Hours', type: 'store', openingHours: { someday: [['09:00', '17:00', '18:00']] } } });
    expect(odd.status).toBe(400);
    expect(odd.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain('someday');
    const ok = await s.call('POST', '/v1/locations', { body: { code: 'HOURS2', name: 'Hours', type: 'store', openingHours: { mon: [['09:00', '17:00']] } } });
    expect(ok.status).toBe(201);
  });

  it('stock past what one level holds is a 422 and changes nothing', async () => {
    const product = await activeProduct('HEAP-1');
    const loc = await s.call('POST', '/v1/locations', { body: { code: 'HEAP', name: 'Heap', type: 'warehouse' } });
    const supplier = await s.call('POST', '/v1/suppliers', { body: { code: 'HEAPSUP', name: 'Heap supplier' } });
    const variantId = product.variants[0].id;
    // Purchase orders of 10 million pieces each, sent: the 101st would make more than a billion
    // incoming (2^31 is only 215 of them away).
    const order = async () => {
      const po = await s.call('POST', '/v1/purchase-orders', { body: { supplierId: supplier.body.id, locationId: loc.body.id, lines: [{ variantId, quantity: 10_000_000 }] } });
      expect(po.status).toBe(201);
      return s.call('POST', `/v1/purchase-orders/${po.body.id}/send`);
    };
    for (let i = 0; i < 100; i++) expect((await order()).status).toBe(200);
    const sent = await order();
    expect(sent.status, JSON.stringify(sent.body)).toBe(422);
    expect(sent.body.code).toBe('stock_limit');
    isProblem(sent);
    const level = await s.call('GET', `/v1/stock/levels/${variantId}/${loc.body.id}`);
    expect(level.body.incoming).toBe(1_000_000_000);
    // Receipts one by one stop at the limit as well.
    let last: CallResult | undefined;
    for (let i = 0; i < 3; i++) last = await s.call('POST', '/v1/stock/movements', { body: { variantId, locationId: loc.body.id, type: 'receipt', quantity: 1_000_000 } });
    expect(last!.status).toBe(201);
    expect(last!.body.onHand).toBe(3_000_000);
  });
});

describe('unique values', () => {
  it('changing a location code or a category slug to one in use is a 409 with the same code as creating it', async () => {
    const a = await s.call('POST', '/v1/locations', { body: { code: 'UNQ-A', name: 'A', type: 'store' } });
    const b = await s.call('POST', '/v1/locations', { body: { code: 'UNQ-B', name: 'B', type: 'store' } });
    const clash = await s.call('PATCH', `/v1/locations/${b.body.id}`, { body: { code: 'UNQ-A' } });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('code_taken');
    isProblem(clash);
    expect((await s.call('GET', `/v1/locations/${b.body.id}`)).body.code).toBe('UNQ-B');
    expect(a.status).toBe(201);

    const c1 = await s.call('POST', '/v1/categories', { body: { name: { en: 'Mugs' }, slug: 'unq-mugs' } });
    const c2 = await s.call('POST', '/v1/categories', { body: { name: { en: 'Cups' }, slug: 'unq-cups' } });
    expect(c1.status).toBe(201);
    const slug = await s.call('PATCH', `/v1/categories/${c2.body.id}`, { body: { slug: 'unq-mugs' } });
    expect(slug.status).toBe(409);
    expect(slug.body.code).toBe('slug_taken');
    isProblem(slug);
  });

  it('a unique violation nobody checked for is a 409 conflict naming the field, never a 500', async () => {
    const db = s.winkel.db;
    await db.execute(sql`create table bad_input_unique (id int, item_code text)`);
    await db.execute(sql`create unique index on bad_input_unique (lower(item_code))`);
    await db.execute(sql`insert into bad_input_unique values (1, 'A')`);
    const err = await db.execute(sql`insert into bad_input_unique values (2, 'a')`).catch((e: unknown) => e);
    const problem = uniqueViolationProblem(err)!;
    expect(problem.status).toBe(409);
    expect(problem.code).toBe('conflict');
    expect(problem.errors).toEqual([{ field: '/itemCode', message: 'already taken' }]);
    expect(problem.detail).not.toContain("'a'");
    expect(uniqueViolationProblem(new Error('something else'))).toBeUndefined();
  });

  it('sign-ups and new staff users with one e-mail at the same moment: one is made, the others get 409 email_taken', async () => {
    const signUps = await Promise.all(
      Array.from({ length: 6 }, () => s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'Twin@bad-input.example', password: 'a-long-password-1' } })),
    );
    expect(signUps.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of signUps.filter((x) => x.status === 409)) expect(r.body.code).toBe('email_taken');
    const staff = await Promise.all(
      Array.from({ length: 6 }, (_, i) => s.call('POST', '/v1/staff-users', { body: { email: i % 2 ? 'twin@staff.example' : 'TWIN@staff.example', name: 'Twin', role: 'planner' } })),
    );
    expect(staff.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of staff.filter((x) => x.status === 409)) expect(r.body.code).toBe('email_taken');
  });
});

describe('carts', () => {
  it('adding to a line stops at 10,000 with a 422 that says the quantity and the limit, also for adds at the same moment', async () => {
    await activeProduct('BULK-1');
    const list = await s.call('POST', '/v1/price-lists', { body: { name: 'Bulk' } });
    await s.call('POST', `/v1/price-lists/${list.body.id}/prices`, { body: { prices: [{ sku: 'BULK-1', amount: 100 }] } });
    const cart = (await s.call('POST', '/v1/carts', { body: { channel: 'web' } })).body.id;
    const add = (quantity: number) => s.call('POST', `/v1/carts/${cart}/lines`, { body: { sku: 'BULK-1', quantity } });
    expect((await add(6000)).status).toBe(200);
    const over = await add(6000);
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'line_quantity_limit', currentQuantity: 6000, maxQuantity: 10_000 });
    expect(over.body.detail).toContain('at most 4000');
    isProblem(over);
    expect((await add(4000)).body.lines[0].quantity).toBe(10_000);
    expect((await add(1)).status).toBe(422);

    const other = (await s.call('POST', '/v1/carts', { body: { channel: 'web' } })).body.id;
    const together = await Promise.all(Array.from({ length: 5 }, () => s.call('POST', `/v1/carts/${other}/lines`, { body: { sku: 'BULK-1', quantity: 3000 } })));
    expect(together.map((r) => r.status).sort()).toEqual([200, 200, 200, 422, 422]);
    const lines = (await s.call('GET', `/v1/carts/${other}`)).body.lines;
    expect(lines).toHaveLength(1);
    expect(lines[0].quantity).toBe(9000);
  });

  it('changing a cart that does not exist is a 404, not a closed cart', async () => {
    const line = await s.call('PATCH', '/v1/carts/cart_nothing_here/lines/cl_nothing', { body: { quantity: 1 } });
    expect(line.status).toBe(404);
    isProblem(line);
    const coupons = await s.call('POST', '/v1/carts/cart_nothing_here/coupons', { body: { codes: [] } });
    expect(coupons.status, JSON.stringify(coupons.body)).toBe(404);
  });
});

describe('refused checkouts', () => {
  it('a checkout refused (an empty cart) leaves the cart exactly as it was', async () => {
    const cart = await s.call('POST', '/v1/carts', { body: { channel: 'web', email: 'empty@bad-input.example' } });
    const row = async () => (await s.winkel.db.execute(sql`select status, updated_at::text as at, version from carts where id = ${cart.body.id}`)).rows[0];
    const before = await row();
    const r = await s.call('POST', `/v1/carts/${cart.body.id}/checkout`, { body: { payment: { method: 'test_card', cardNumber: '4242424242424242' } } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('cart_empty');
    expect(await row()).toEqual(before);
  });
});
