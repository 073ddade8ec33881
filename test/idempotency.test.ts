// Idempotency-Key on creating POSTs and If-Match on updates, through real HTTP and PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  // The race below adds an endpoint on 127.0.0.1, which only local development allows.
  s = await startTestServer({ webhookAllowPrivate: true });
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

describe('Idempotency-Key: what is stored', () => {
  it('keeps stored answers unreadable without the key: no token, gift-card code, session or e-mail in the table, yet a retry gets them back', async () => {
    const keys = { apiKey: randomUUID(), giftCard: randomUUID(), signUp: randomUUID() };
    const apiKey = await s.call('POST', '/v1/api-keys', { headers: { 'idempotency-key': keys.apiKey }, body: { kind: 'secret', name: 'stored-once', scopes: ['catalog:read'] } });
    const giftCard = await s.call('POST', '/v1/gift-cards', { headers: { 'idempotency-key': keys.giftCard }, body: { amount: 2500 } });
    const signUp = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, headers: { 'idempotency-key': keys.signUp }, body: { email: 'stored.once@example.com', password: 'stored-once-password', name: 'Stella Stored' } });
    expect([apiKey.status, giftCard.status, signUp.status]).toEqual([201, 201, 201]);
    const secrets = [apiKey.body.token, giftCard.body.code, signUp.body.token, 'stored.once@example.com', 'Stella Stored', 'stored-once-password', ...Object.values(keys)];
    expect(secrets.every((x) => typeof x === 'string' && x.length > 8)).toBe(true);

    const dump = (await s.winkel.db.execute(sql`select string_agg(t::text, '\n') as all from idempotency_keys t`)).rows[0] as { all: string };
    expect(dump.all.length).toBeGreaterThan(500);
    for (const secret of secrets) expect(dump.all).not.toContain(secret);
    // Not even an unsalted hash of the request or the answer that a guess could be checked against.
    expect(dump.all).not.toContain(createHash('sha256').update(JSON.stringify(apiKey.body)).digest('hex'));

    const again = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, headers: { 'idempotency-key': keys.signUp }, body: { email: 'stored.once@example.com', password: 'stored-once-password', name: 'Stella Stored' } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(signUp.body);
    const keyAgain = await s.call('POST', '/v1/api-keys', { headers: { 'idempotency-key': keys.apiKey }, body: { kind: 'secret', name: 'stored-once', scopes: ['catalog:read'] } });
    expect(keyAgain.body.token).toBe(apiKey.body.token);
    expect(keyAgain.headers.get('location')).toBe(apiKey.headers.get('location'));
  });

  it('fingerprints a streamed upload by its bytes: the same file is replayed, another file with the key is refused', async () => {
    const upload = (key: string, csv: string) =>
      fetch(`${s.url}/v1/imports?kind=products&filename=idem.csv`, { method: 'POST', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/csv', 'idempotency-key': key }, body: csv });
    const csv = 'handle,sku,status,title_en,price\nidem-lamp,IDEM-1,active,Idem lamp,9.95\n';
    const key = randomUUID();
    const first = await upload(key, csv);
    expect(first.status).toBe(202);
    const job = await first.json();
    const again = await upload(key, csv);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).id).toBe(job.id);
    const other = await upload(key, csv.replace('9.95', '8.95'));
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe('idempotency_key_reused');
    const jobs = (await s.call('GET', '/v1/imports?limit=200')).body.data.filter((j: { source: string }) => j.source === 'idem.csv');
    expect(jobs).toHaveLength(1);
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
