// Staff accounts as an admin manages them: sessions end when they should, keys show when they were
// last used, the last admin cannot lock everyone out, and housekeeping jobs run on pg-boss.
import { sql } from 'drizzle-orm';
import { idempotencySecrets } from '../src/platform/http/idempotency.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const signIn = (email: string, password: string) => s.call('POST', '/v1/auth/sign-in', { token: null, body: { email, password } });

describe('staff sessions', () => {
  it('lists my sessions, revokes one, and signs out', async () => {
    await s.call('POST', '/v1/staff-users', { body: { email: 'sam@test.example', name: 'Sam', role: 'store_manager', storeIds: ['sto_gent'], password: 'manager-pass-1' } });
    const a = (await signIn('sam@test.example', 'manager-pass-1')).body;
    const b = (await signIn('sam@test.example', 'manager-pass-1')).body;
    expect(a.user.storeIds).toEqual(['sto_gent']);
    const list = await s.call('GET', '/v1/auth/sessions', { token: a.token });
    expect(list.body.data.map((x: { id: string }) => x.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(list.body.data.find((x: { current: boolean }) => x.current).id).toBe(a.sessionId);
    expect((await s.call('DELETE', `/v1/auth/sessions/${b.sessionId}`, { token: a.token })).status).toBe(204);
    expect((await s.call('GET', '/v1/auth/me', { token: b.token })).status).toBe(401);
    const me = await s.call('GET', '/v1/auth/me', { token: a.token });
    expect(me.body).toMatchObject({ kind: 'staff', role: 'store_manager', storeIds: ['sto_gent'] });
    expect(me.body.permissions).toContain('inventory:write');
    expect((await s.call('POST', '/v1/auth/sign-out', { token: a.token })).status).toBe(204);
    expect((await s.call('GET', '/v1/auth/me', { token: a.token })).status).toBe(401);
  });

  it('ends every session of a user who is disabled, and refuses their sign-in', async () => {
    const created = await s.call('POST', '/v1/staff-users', { body: { email: 'leaver@test.example', name: 'Lee', role: 'service_agent', password: 'service-pass-1' } });
    const session = (await signIn('leaver@test.example', 'service-pass-1')).body;
    expect((await s.call('GET', '/v1/auth/me', { token: session.token })).status).toBe(200);
    await s.call('PATCH', `/v1/staff-users/${created.body.user.id}`, { body: { status: 'disabled' } });
    expect((await s.call('GET', '/v1/auth/me', { token: session.token })).status).toBe(401);
    const again = await signIn('leaver@test.example', 'service-pass-1');
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('account_disabled');
  });

  it('applies a role change to open sessions at once', async () => {
    const created = await s.call('POST', '/v1/staff-users', { body: { email: 'promo@test.example', name: 'Pim', role: 'store_associate', password: 'assoc-pass-12' } });
    const session = (await signIn('promo@test.example', 'assoc-pass-12')).body;
    expect((await s.call('GET', '/v1/audit-log', { token: session.token })).status).toBe(403);
    await s.call('PATCH', `/v1/staff-users/${created.body.user.id}`, { body: { role: 'store_manager' } });
    expect((await s.call('GET', '/v1/audit-log', { token: session.token })).status).toBe(200);
  });

  it('keeps at least one active admin, and admins cannot demote themselves', async () => {
    const me = await s.call('GET', '/v1/auth/me');
    const self = await s.call('PATCH', `/v1/staff-users/${me.body.id}`, { body: { role: 'marketer' } });
    expect(self.status).toBe(403);
    const other = await s.call('POST', '/v1/staff-users', { body: { email: 'admin2@test.example', name: 'A2', role: 'admin', password: 'admin2-pass-1' } });
    const t2 = (await signIn('admin2@test.example', 'admin2-pass-1')).body.token;
    // A key that holds every permission (an admin's own tool): keys with less may not manage admins at all.
    const everything = (await s.call('GET', '/v1/roles')).body.roles.find((r: { name: string }) => r.name === 'admin').permissions as string[];
    const hr = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'hr sync', scopes: everything } })).body.token;
    // Demoting one of two admins works...
    expect((await s.call('PATCH', `/v1/staff-users/${me.body.id}`, { token: t2, body: { role: 'marketer' } })).status).toBe(200);
    // ...but the last one cannot be disabled or demoted.
    const disable = await s.call('PATCH', `/v1/staff-users/${other.body.user.id}`, { token: hr, body: { status: 'disabled' } });
    expect(disable.status).toBe(409);
    expect(disable.body.code).toBe('last_admin');
    expect((await s.call('PATCH', `/v1/staff-users/${other.body.user.id}`, { token: hr, body: { role: 'planner' } })).body.code).toBe('last_admin');
    expect((await s.call('PATCH', `/v1/staff-users/${me.body.id}`, { token: t2, body: { role: 'admin' } })).status).toBe(200);
  });
});

describe('API keys', () => {
  it('records when a key was last used', async () => {
    const created = await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'pos sync', scopes: ['staff:read'] } });
    expect(created.body.apiKey.lastUsedAt).toBeNull();
    expect(created.body.apiKey.tokenHint).toBe(`${created.body.token.slice(0, 7)}…${created.body.token.slice(-4)}`);
    await s.call('GET', '/v1/staff-users', { token: created.body.token });
    const used = await eventually(async () => {
      const k = (await s.call('GET', `/v1/api-keys/${created.body.apiKey.id}`)).body;
      return k.lastUsedAt ? k : undefined;
    });
    expect(new Date(used.lastUsedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('who may give a role', () => {
  const adminEmail = () => s.adminEmail;
  it('refuses a key with staff:write that makes an admin, or changes, disables or takes over an admin', async () => {
    const key = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'hr tool', scopes: ['staff:read', 'staff:write'] } })).body.token;
    const made = await s.call('POST', '/v1/staff-users', { token: key, body: { email: 'sneaky@test.example', name: 'Sneaky', role: 'admin', password: 'sneaky-pass-123' } });
    expect(made.status, JSON.stringify(made.body)).toBe(403);
    expect(made.body.detail).toContain('permissions you do not have');
    const admin = (await s.call('GET', '/v1/staff-users?role=admin')).body.data.find((u: { email: string }) => u.email === adminEmail());
    for (const patch of [{ password: 'taken-over-pass-1' }, { status: 'disabled' }, { role: 'planner' }, { name: 'Renamed' }]) {
      const r = await s.call('PATCH', `/v1/staff-users/${admin.id}`, { token: key, body: patch });
      expect(r.status, JSON.stringify(patch)).toBe(403);
    }
    // The admin still signs in with the old password.
    expect((await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: adminEmail(), password: s.adminPassword } })).status).toBe(200);
    // It may still manage roles it holds every permission of… which for staff:read + staff:write is none:
    // a planner holds catalog and stock permissions the key lacks.
    expect((await s.call('POST', '/v1/staff-users', { token: key, body: { email: 'planner@test.example', name: 'P', role: 'planner', password: 'planner-pass-123' } })).status).toBe(403);
    // An admin gives any role.
    expect((await s.call('POST', '/v1/staff-users', { body: { email: 'planner@test.example', name: 'P', role: 'planner', password: 'planner-pass-123' } })).status).toBe(201);
  });

  it('refuses a key of some stores the permissions that span every store, at creation', async () => {
    const r = await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'store tool', scopes: ['events:read', 'inventory:read'], storeIds: ['loc_01JXXXXXXXXXXXXXXXXXXXXXXX'] } });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.code).toBe('scope_needs_all_stores');
    expect((await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'store tool', scopes: ['inventory:read'], storeIds: ['loc_01JXXXXXXXXXXXXXXXXXXXXXXX'] } })).status).toBe(201);
  });

  it('refuses a store manager the identity rules, which decide who is whom across every store', async () => {
    const store = (await s.call('POST', '/v1/locations', { body: { code: 'RULES', name: 'Rules store', type: 'store' } })).body.id;
    expect((await s.call('POST', '/v1/staff-users', { body: { email: 'manager@test.example', name: 'M', role: 'store_manager', password: 'manager-pass-123', storeIds: [store] } })).status).toBe(201);
    const manager = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'manager@test.example', password: 'manager-pass-123' } })).body.token;
    const before = (await s.call('GET', '/v1/identity-rules')).body;
    const r = await s.call('PUT', '/v1/identity-rules', { token: manager, body: { anonymousIdMaxUsers: 2 } });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect((await s.call('GET', '/v1/identity-rules')).body).toEqual(before);
  });
});

describe('housekeeping jobs (pg-boss)', () => {
  it('removes expired idempotency keys', async () => {
    await s.call('POST', '/v1/api-keys', { headers: { 'idempotency-key': 'old-one' }, body: { kind: 'publishable', name: 'old' } });
    // Stored under a value derived from the caller and the key, not the key itself.
    const me = (await s.call('GET', '/v1/auth/me')).body;
    const stored = idempotencySecrets(`staff:${me.id}`, 'old-one').lookup;
    const aged = await s.winkel.db.execute(sql`update idempotency_keys set expires_at = now() - interval '1 minute' where key = ${stored}`);
    expect(aged.rowCount).toBe(1);
    await s.winkel.jobs.send('maintenance-idempotency-keys', {});
    await eventually(async () => {
      const r = await s.winkel.db.execute(sql`select count(*)::int as n from idempotency_keys where key = ${stored}`);
      return (r.rows[0] as { n: number }).n === 0;
    }, 20_000);
  });
});
