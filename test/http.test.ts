// The HTTP contract every route shares: problem+json errors, request ids, pagination, rate limits,
// the audit log, health and readiness, the docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { startTestServer, type CallResult, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ signInRateLimit: 5 });
});
afterAll(() => s?.close());

describe('errors', () => {
  it('says which field is wrong and why, as problem+json with a request id, and changes nothing', async () => {
    const r = await s.call('POST', '/v1/staff-users', { body: { email: 'not-an-email', name: '', role: 'king', extra: 1 } });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.type).toBe('https://winkel.dev/problems/validation');
    const fields = r.body.errors.map((e: { field: string; in: string }) => `${e.in} ${e.field}`);
    expect(fields).toEqual(expect.arrayContaining(['body /email', 'body /name', 'body /role', 'body /extra']));
    expect(r.body.requestId).toMatch(/^req_/);
    expect(r.headers.get('x-request-id')).toBe(r.body.requestId);
    const list = await s.call('GET', '/v1/staff-users');
    expect(list.body.data).toHaveLength(1);
  });

  it('names each wrong field once, as a JSON Pointer into the body, query or path it is in', async () => {
    // A union (anyOf) fails once per branch in the validator; the answer has one entry per field.
    const cart = await s.call('POST', '/v1/carts', { body: { channel: 'web' } });
    const line = await s.call('POST', `/v1/carts/${cart.body.id}/lines`, { body: { sku: 'NONE', quantity: 1, fulfilment: 'drone', pickupLocationId: 7, note: 'x' } });
    expect(line.status).toBe(400);
    const byField = [...line.body.errors].sort((a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field));
    expect(byField).toEqual([
      { field: '/fulfilment', in: 'body', message: 'must be one of: "delivery", "pickup"' },
      { field: '/note', in: 'body', message: 'unknown field; remove it' },
    ]);
    const fields = line.body.errors.map((e: { field: string }) => e.field);
    expect(new Set(fields).size).toBe(fields.length);
    expect(line.body.detail).toContain('/fulfilment (must be one of: "delivery", "pickup")');
    // A union of objects: the errors of the branch the value was meant for (its `method`).
    const checkout = await s.call('POST', `/v1/carts/${cart.body.id}/checkout`, { body: { payment: { method: 'test_card' } } });
    expect(checkout.status).toBe(400);
    expect(checkout.body.errors).toEqual([{ field: '/payment/cardNumber', in: 'body', message: 'is required' }]);
    const unknownMethod = await s.call('POST', `/v1/carts/${cart.body.id}/checkout`, { body: { payment: { method: 'cheque' } } });
    expect(unknownMethod.body.errors).toEqual([{ field: '/payment/method', in: 'body', message: 'must be one of: "test_card", "pay_at_pickup"' }]);
    // Query and path parameters say so in `in`, with a pointer into the query or the path.
    const page = await s.call('GET', '/v1/staff-users?limit=500');
    expect(page.status).toBe(400);
    expect(page.body.errors).toEqual([{ field: '/limit', in: 'query', message: 'must be <= 200' }]);
    expect(page.body.detail).toBe('Fix these fields: query /limit (must be <= 200).');
    const path = await s.call('GET', `/v1/staff-users/${'x'.repeat(65)}`);
    expect(path.status).toBe(400);
    expect(path.body.errors).toEqual([{ field: '/id', in: 'path', message: 'must NOT have more than 64 characters' }]);
    // Errors raised by a service after the schema's checks follow the same convention.
    const nullable = await s.call('POST', `/v1/carts/${cart.body.id}/checkout`, { body: { shippingAddress: { line1: 'x' } } });
    expect(nullable.status).toBe(400);
    expect(nullable.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['/shippingAddress/city', '/shippingAddress/country', '/shippingAddress/name', '/shippingAddress/postalCode']);
  });

  it('answers malformed JSON, unknown ids, unknown paths and wrong methods with precise problems', async () => {
    const res = await fetch(`${s.url}/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' }, body: '{"kind":' });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('malformed');
    const text = await fetch(`${s.url}/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/xml' }, body: '<hello/>' });
    expect(text.status).toBe(415);
    const missing = await s.call('GET', '/v1/staff-users/stf_01J0000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('stf_01J0000000000000000000000');
    expect((await s.call('GET', '/v1/nothing-here')).status).toBe(404);
    const wrongMethod = await s.call('DELETE', '/v1/staff-users');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    const conflict = await s.call('POST', '/v1/staff-users', { body: { email: s.adminEmail.toUpperCase(), name: 'Dup', role: 'admin' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('email_taken');
  });

  it('refuses a NUL character in any text with a 400 naming the field, and changes nothing', async () => {
    const search = await s.call('GET', '/v1/products?q=%00heart');
    expect(search.status).toBe(400);
    expect(search.body.errors).toEqual([{ field: '/q', in: 'query', message: expect.stringContaining('NUL') }]);
    const key = await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop\u0000front' } });
    expect(key.status).toBe(400);
    expect(key.body.errors[0]).toMatchObject({ field: '/name', in: 'body' });
    const keys = await s.call('GET', '/v1/api-keys');
    expect(keys.body.data.map((k: { name: string }) => k.name)).not.toContain('shopfront');
    expect(keys.body.data.some((k: { name: string }) => k.name.startsWith('shop'))).toBe(false);
    expect((await s.call('GET', `/v1/staff-users/${encodeURIComponent('stf_\u0000')}`)).status).toBe(400);
  });

  it('hides internals on a 500', async () => {
    const app = await buildApp({ config: s.config, db: s.winkel.db, log: s.winkel.log, publicUrl: s.url, embedded: false, staffPrincipals: { resolve: async () => null, clear() {} } as never, wake: { webhooks() {} }, version: 'test' });
    app.get('/v1/explode', { config: { access: 'public' }, schema: { hide: true } }, async () => {
      throw new Error('secret internal detail at /srv/db.ts:42');
    });
    const r = await app.inject({ method: 'GET', url: '/v1/explode' });
    await app.close();
    expect(r.statusCode).toBe(500);
    const body = r.json();
    expect(body.code).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('secret internal detail');
    expect(body.requestId).toBeTruthy();
  });

  it('limits sign-in attempts per client with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last: CallResult | undefined;
    for (let i = 0; i < 7; i++) {
      last = await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'intruder@test.example', password: `guess-${i}` } });
      statuses.push(last.status);
    }
    // The budget is 5 a minute per address; the server's own start-up sign-in used one of them.
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last!.body.code).toBe('rate_limited');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits staff password-reset requests per client like sign-in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await s.call('POST', '/v1/auth/password-reset', { token: null, body: { email: `someone-${i}@test.example` } })).status);
    // 5 a minute per address: the sixth and seventh are refused (or all, when sign-in shares the budget).
    expect(statuses.every((x) => x === 202 || x === 429)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe('pagination', () => {
  it('walks every item exactly once with cursors, newest first', async () => {
    for (let i = 0; i < 7; i++) await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: `page-${i}` } });
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: CallResult = await s.call('GET', `/v1/api-keys?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      names.push(...r.body.data.map((k: { name: string }) => k.name));
      cursor = r.body.nextCursor;
      expect(r.body.hasMore).toBe(cursor !== null);
      pages++;
    } while (cursor);
    const ours = names.filter((n) => n.startsWith('page-'));
    expect(ours).toEqual(['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect(pages).toBeGreaterThanOrEqual(3);
    const bad = await s.call('GET', '/v1/api-keys?cursor=definitely-not-ours');
    expect(bad.status).toBe(400);
    expect((await s.call('GET', '/v1/api-keys?limit=1000')).status).toBe(400);
  });
});

describe('audit log', () => {
  it('records who changed what, with before and after, without secrets', async () => {
    const created = await s.call('POST', '/v1/staff-users', { body: { email: 'audited@test.example', name: 'Aud', role: 'marketer', password: 'marketer-pass-1' } });
    const id = created.body.user.id;
    await s.call('PATCH', `/v1/staff-users/${id}`, { body: { role: 'merchandiser' } });
    const log = await s.call('GET', `/v1/audit-log?resourceType=staff_user&resourceId=${id}`);
    expect(log.body.data.map((e: { action: string }) => e.action)).toEqual(['staff_user.update', 'staff_user.create']);
    const update = log.body.data[0];
    expect(update.actor.label).toBe(s.adminEmail);
    expect(update.before.role).toBe('marketer');
    expect(update.after.role).toBe('merchandiser');
    expect(update.requestId).toMatch(/^req_/);
    const all = await s.call('GET', '/v1/audit-log?limit=200');
    expect(JSON.stringify(all.body)).not.toMatch(/scrypt\$|marketer-pass-1/);
  });
});

describe('process endpoints and docs', () => {
  it('reports health, readiness, the OpenAPI document and interactive docs', async () => {
    expect((await s.call('GET', '/health', { token: null })).body.status).toBe('ok');
    expect((await s.call('GET', '/ready', { token: null })).body).toEqual({ status: 'ready', database: 'reachable' });
    const docs = await fetch(`${s.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('sends browser security headers: a locked-down policy on API answers, the page policy on the docs', async () => {
    const api = await s.call('GET', '/v1/staff-users');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    const problem = await s.call('GET', '/v1/nothing-here');
    expect(problem.headers.get('x-content-type-options')).toBe('nosniff');
    const docs = await fetch(`${s.url}/docs/`);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(docs.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
