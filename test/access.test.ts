// Every operation in the OpenAPI document states who may call it, and the server enforces it:
// without a credential → 401, with a credential lacking the permission → 403. A new route without
// an access rule cannot even start (see the last test).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let noScopeKey: string;
let publishableKey: string;
let associateToken: string;

beforeAll(async () => {
  s = await startTestServer();
  noScopeKey = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'no scopes', scopes: [] } })).body.token;
  publishableKey = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  await s.call('POST', '/v1/staff-users', { body: { email: 'assoc@test.example', name: 'Asha', role: 'store_associate', password: 'associate-pass-1' } });
  associateToken = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'assoc@test.example', password: 'associate-pass-1' } })).body.token;
});
afterAll(() => s?.close());

function concrete(path: string) {
  return path.replace(/\{[^}]+\}/g, 'xyz_00000000000000000000000000');
}

describe('access rules on every operation', () => {
  it('states each operation’s access rule once in its description', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    const staff = doc.paths['/v1/staff-users'].get.description as string;
    expect(staff.match(/Requires permission/g)).toHaveLength(1);
  });

  it('OpenAPI 3.1 with named components and a security rule per operation', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    expect(doc.openapi).toBe('3.1.0');
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['Problem', 'StaffUser', 'ApiKey', 'WebhookEndpoint', 'WebhookDelivery', 'AuditEntry']));
    expect(names.some((n) => /^def-\d+$/.test(n))).toBe(false);
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/v1')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        expect(op.security, `${method.toUpperCase()} ${path} has no security`).toBeDefined();
      }
    }
  });

  it('no credential gives 401 and a credential without the permission gives 403, on every protected operation', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    let checked = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/v1')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        const url = concrete(path);
        const m = method.toUpperCase();
        const body = m === 'GET' || m === 'DELETE' ? undefined : {};
        if (op.security.length === 0) continue; // public
        const anon = await s.call(m, url, { token: null, body });
        expect(anon.status, `${m} ${path} without credentials`).toBe(401);
        expect(anon.headers.get('content-type')).toContain('application/problem+json');
        const bad = await s.call(m, url, { token: 'sk_this-key-does-not-exist', body });
        expect(bad.status, `${m} ${path} with an unknown key`).toBe(401);
        // Operations open to any credential (e.g. who-am-I) have nothing to deny.
        const anyCredential = op.security.every((alt: Record<string, string[]>) => Object.values(alt).every((scopes) => scopes.length === 0)) && op.security.some((alt: Record<string, string[]>) => 'secretKey' in alt);
        if (anyCredential) {
          expect((await s.call(m, url, { token: noScopeKey, body })).status, `${m} ${path} with any key`).not.toBe(403);
          checked++;
          continue;
        }
        const denied = await s.call(m, url, { token: noScopeKey, body });
        expect(denied.status, `${m} ${path} with a key without scopes`).toBe(403);
        const schemes = op.security.flatMap((alt: Record<string, string[]>) => Object.keys(alt));
        if (!schemes.includes('publishableKey')) {
          const pk = await s.call(m, url, { token: publishableKey, body });
          expect(pk.status, `${m} ${path} with a publishable key`).toBe(403);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a store associate cannot manage staff, keys or webhooks', async () => {
    for (const [m, p, body] of [
      ['POST', '/v1/staff-users', { email: 'x@test.example', name: 'X', role: 'admin' }],
      ['POST', '/v1/api-keys', { kind: 'secret', name: 'x' }],
      ['GET', '/v1/webhook-endpoints', undefined],
      ['GET', '/v1/audit-log', undefined],
    ] as const) {
      const r = await s.call(m, p, { token: associateToken, body });
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.body.detail).toMatch(/permission/);
    }
  });

  it('a key cannot grant more than its creator has', async () => {
    const limited = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'key manager', scopes: ['api_keys:write'] } })).body.token;
    const r = await s.call('POST', '/v1/api-keys', { token: limited, body: { kind: 'secret', name: 'escalate', scopes: ['staff:write'] } });
    expect(r.status).toBe(403);
  });

  it('a revoked key stops working at once', async () => {
    const created = await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'temp', scopes: ['staff:read'] } });
    expect((await s.call('GET', '/v1/staff-users', { token: created.body.token })).status).toBe(200);
    await s.call('POST', `/v1/api-keys/${created.body.apiKey.id}/revoke`);
    expect((await s.call('GET', '/v1/staff-users', { token: created.body.token })).status).toBe(401);
  });

  it('a route registered without an access rule fails at start-up', async () => {
    const app = Fastify();
    const { securityFor } = await import('../src/platform/http/access.js');
    expect(securityFor('public')).toEqual([]);
    // The same onRoute rule buildApp installs: exercised through the real app builder.
    const { buildApp } = await import('../src/app.js');
    const built = await buildApp({ ...(s.winkel as any), config: s.config, db: s.winkel.db, log: s.winkel.log, publicUrl: s.url, embedded: false, staffPrincipals: { resolve: async () => null, clear() {} } as any, wake: { webhooks() {} }, version: 'test' });
    expect(() => built.get('/v1/unguarded', async () => 'oops')).toThrow(/declares no access rule/);
    await built.close();
    await app.close();
  });
});
