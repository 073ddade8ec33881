// Idempotency-Key on creating POSTs and If-Match on updates, through real HTTP and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

async function keysNamed(name: string) {
  const r = await s.call('GET', '/v1/api-keys?limit=200');
  return r.body.data.filter((k: { name: string }) => k.name === name);
}

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key and body, and creates once', async () => {
    const headers = { 'idempotency-key': 'create-key-1' };
    const first = await s.call('POST', '/v1/api-keys', { headers, body: { kind: 'secret', name: 'idem-a', scopes: ['staff:read'] } });
    const again = await s.call('POST', '/v1/api-keys', { headers, body: { scopes: ['staff:read'], name: 'idem-a', kind: 'secret' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await keysNamed('idem-a')).toHaveLength(1);
  });

  it('refuses the same key with a different body with 422', async () => {
    const headers = { 'idempotency-key': 'create-key-2' };
    await s.call('POST', '/v1/api-keys', { headers, body: { kind: 'secret', name: 'idem-b' } });
    const other = await s.call('POST', '/v1/api-keys', { headers, body: { kind: 'secret', name: 'idem-c' } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await keysNamed('idem-c')).toHaveLength(0);
  });

  it('runs 30 concurrent requests with one key exactly once, all getting the same answer', async () => {
    const headers = { 'idempotency-key': 'race-1' };
    const results = await Promise.all(Array.from({ length: 30 }, () => s.call('POST', '/v1/webhook-endpoints', { headers, body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } })));
    const ids = new Set(results.map((r) => r.body.id));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(ids.size).toBe(1);
    const list = await s.call('GET', '/v1/webhook-endpoints');
    expect(list.body.data.filter((e: { url: string }) => e.url === 'http://127.0.0.1:9/hook')).toHaveLength(1);
  });

  it('keeps keys of different callers apart', async () => {
    const other = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'other caller', scopes: ['api_keys:write', 'api_keys:read'] } })).body.token;
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await s.call('POST', '/v1/api-keys', { headers, body: { kind: 'publishable', name: 'mine' } });
    const b = await s.call('POST', '/v1/api-keys', { token: other, headers, body: { kind: 'publishable', name: 'theirs' } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.apiKey.id).not.toBe(a.body.apiKey.id);
  });

  it('does not store answers to invalid requests, so the corrected request can reuse the key', async () => {
    const headers = { 'idempotency-key': 'fix-and-retry' };
    const bad = await s.call('POST', '/v1/api-keys', { headers, body: { kind: 'secret' } });
    expect(bad.status).toBe(400);
    const good = await s.call('POST', '/v1/api-keys', { headers, body: { kind: 'secret' } });
    expect(good.status).toBe(400);
    const bad2 = await s.call('POST', '/v1/api-keys', { headers: { 'idempotency-key': 'x'.repeat(300) }, body: { kind: 'secret', name: 'n' } });
    expect(bad2.status).toBe(400);
    expect(bad2.body.errors[0]).toMatchObject({ field: '/idempotency-key', in: 'header' });
  });
});

describe('optimistic concurrency', () => {
  it('answers with an ETag and refuses a stale If-Match with 412, changing nothing', async () => {
    const created = await s.call('POST', '/v1/staff-users', { body: { email: 'occ@test.example', name: 'Olga', role: 'planner', password: 'planner-pass-1' } });
    const id = created.body.user.id;
    expect(created.headers.get('etag')).toBe('"1"');
    const first = await s.call('PATCH', `/v1/staff-users/${id}`, { headers: { 'if-match': '"1"' }, body: { name: 'Olga B.' } });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    expect(first.headers.get('etag')).toBe('"2"');
    const stale = await s.call('PATCH', `/v1/staff-users/${id}`, { headers: { 'if-match': '"1"' }, body: { name: 'Overwritten' } });
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(2);
    const now = await s.call('GET', `/v1/staff-users/${id}`);
    expect(now.body.name).toBe('Olga B.');
    const garbage = await s.call('PATCH', `/v1/staff-users/${id}`, { headers: { 'if-match': 'yesterday' }, body: { name: 'x' } });
    expect(garbage.status).toBe(400);
  });
});
