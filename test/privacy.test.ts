// GDPR: a person with data in every module that exists is exported as JSON (by staff and by
// themself), then erased; afterwards every text, JSON and array column of every table in the
// database (found through the catalog, so new tables are covered without touching this test) is
// searched for their e-mail, phone and name. Orders stay, anonymised. Old anonymous events are
// purged by the retention job's function.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { startReceiver } from './helpers/receiver.js';
import { purgeAnonymousEvents } from '../src/modules/privacy/service.js';
import { hasConsent } from '../src/modules/consent/service.js';
import { RESOLVER_LOCK } from '../src/modules/customers/identity.js';
import { emit } from '../src/platform/events/outbox.js';

let s: TestServer;
let pk: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const EMAIL = 'Zebulon.Quixotewright@Example.com';
const PHONE = '+31687654321';
const NAME = 'Zebulon Quixotewright';
let customer: { id: string; token: string };
let orderId = '';

/** Every (table, column) in the database whose text holds `needle`, case-insensitively. */
async function whereFound(needle: string): Promise<string[]> {
  const cols = (
    await s.winkel.db.execute<{ schema: string; table: string; column: string }>(sql`
      select c.table_schema as schema, c.table_name as table, c.column_name as column
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema not in ('pg_catalog', 'information_schema')
        and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb') or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar')))`)
  ).rows;
  expect(cols.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const c of cols) {
    const r = await s.winkel.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(c.schema)}.${sql.identifier(c.table)} where ${sql.identifier(c.column)}::text ilike ${`%${needle}%`}`,
    );
    if (r.rows[0].n > 0) found.push(`${c.schema}.${c.table}.${c.column}`);
  }
  return found;
}

beforeAll(async () => {
  receiver = await startReceiver();
  s = await startTestServer({ webhookRetryBaseSeconds: 1 });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  // Webhooks receive every event, so deliveries carry the person's data too.
  expect((await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['*'] } })).status).toBe(201);

  // Accounts: sign-up and a password reset (a queued and caught e-mail to the address).
  const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: EMAIL, password: 'zebulon-secret-1', name: NAME, locale: 'en' } });
  expect(up.status).toBe(201);
  customer = { id: up.body.customer.id, token: up.body.token };
  expect((await s.call('POST', '/v1/customer-auth/password-reset', { token: null, body: { email: EMAIL } })).status).toBeLessThan(300);

  // Collected events: anonymous browsing, then identify with traits.
  const batch = await s.call('POST', '/v1/collect/batch', {
    token: pk,
    body: {
      batch: [
        { type: 'page', anonymousId: 'anon-zeb', name: 'Home' },
        { type: 'track', anonymousId: 'anon-zeb', event: 'Product Viewed', properties: { sku: 'MUG' } },
        { type: 'identify', anonymousId: 'anon-zeb', userId: customer.id, traits: { email: EMAIL, phone: PHONE, name: NAME } },
        { type: 'track', userId: customer.id, event: 'Newsletter Read', properties: { subject: `Hi ${NAME}` } },
      ],
    },
  });
  expect(batch.body.accepted).toBe(4);

  // Consent: from the account page and by staff with a reason naming them.
  expect((await s.call('PUT', '/v1/me/consents', { token: customer.token, body: { consents: [{ purpose: 'email', granted: true }, { purpose: 'analytics', granted: true }] } })).status).toBe(200);
  expect((await s.call('POST', '/v1/consents', { body: { email: EMAIL, consents: [{ purpose: 'sms', granted: true }], reason: `${NAME} asked at the counter` }, headers: { 'idempotency-key': 'zeb-consent-1' } })).status).toBe(201);

  // Commerce: a cart and a paid order with their e-mail; back-in-stock with their e-mail.
  const dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Rare vase' }, variants: [{ sku: 'VASE' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }, { sku: 'VASE', amount: 9900 }] } });
  await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId: dc, type: 'receipt', quantity: 10 } });
  const cart = (await s.call('POST', '/v1/carts', { token: customer.token, body: { channel: 'web', email: EMAIL } })).body;
  expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: customer.token, body: { sku: 'MUG', quantity: 2 } })).status).toBe(200);
  const shippingAddress = { name: NAME, line1: 'Quixoteweg 7', postalCode: '1234 AB', city: 'Amsterdam', country: 'NL', phone: PHONE };
  const order = await s.call('POST', `/v1/carts/${cart.id}/checkout`, { token: customer.token, body: { payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress, note: `Ring twice for ${NAME}` } });
  expect(order.status).toBe(201);
  orderId = order.body.id;
  // A staff note naming them: free text on an order that erasure must clear too.
  expect((await s.call('POST', `/v1/orders/${orderId}/notes`, { body: { body: `${NAME} called from ${PHONE} about the delivery`, visibility: 'internal' } })).status).toBe(201);
  expect((await s.call('POST', '/v1/back-in-stock', { token: pk, body: { email: EMAIL, sku: 'VASE' } })).status).toBeLessThan(300);

  // Let the relay deliver the webhooks (and any timeline/profile work) before erasing.
  await eventually(async () => receiver.received.some((r) => r.body.includes('order.placed')), 30_000);
  await eventually(async () => (await whereFound('zebulon.quixotewright@example.com')).includes('public.webhook_deliveries.payload'), 30_000);
});
afterAll(async () => {
  await s?.close();
  await receiver?.close();
});

describe('GDPR export', () => {
  it('gives staff everything held on the person, found from any identifier', async () => {
    const r = await s.call('GET', `/v1/privacy/export?email=${encodeURIComponent(EMAIL.toUpperCase())}`);
    expect(r.status).toBe(200);
    expect(r.body.format).toBe('winkel.person-export.v1');
    expect(r.body.identifiers.customerIds).toEqual([customer.id]);
    expect(r.body.identifiers.anonymousIds).toContain('anon-zeb');
    // The phone number was only declared in an identify call: a trace of them, not a way to anyone.
    expect(r.body.identifiers.phones).toEqual([]);
    const m = r.body.modules;
    expect(m.accounts.accounts[0]).toMatchObject({ id: customer.id, name: NAME });
    expect(m.accounts.accounts[0].password_hash ?? m.accounts.accounts[0].passwordHash).toBeUndefined();
    expect(m.collected_events.map((e: { type: string }) => e.type)).toEqual(['page', 'track', 'identify', 'track']);
    expect(m.commerce.orders.map((o: { id: string }) => o.id)).toEqual([orderId]);
    expect(m.commerce.orders[0].lines.length).toBe(1);
    expect(m.consent.map((c: { purpose: string }) => c.purpose).sort()).toEqual(['analytics', 'email', 'sms']);
    expect(m.messages.length).toBeGreaterThanOrEqual(1);
    expect(m.back_in_stock.length).toBe(1);
    // Staff exports are audited, without personal data in the entry.
    const audit = await s.call('GET', `/v1/audit-log?action=customer.export&resourceId=${customer.id}`);
    expect(audit.body.data.length).toBe(1);
    expect(m.events.some((e: { type: string }) => e.type === 'order.placed')).toBe(true);
    // Identity resolution made one profile of the anonymous visit and the account.
    expect(m.profiles.profiles.length).toBeGreaterThanOrEqual(1);
    expect(m.profiles.identifiers.map((i: { key: string }) => i.key)).toEqual(expect.arrayContaining([`customer_id:${customer.id}`, 'anonymous_id:anon-zeb']));
    expect(m.profiles.timeline.length).toBeGreaterThanOrEqual(4);
  });

  it('lets the customer download their own data, and nobody else’s', async () => {
    const r = await s.call('GET', '/v1/me/export?download=true', { token: customer.token });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    expect(r.body.identifiers.customerIds).toEqual([customer.id]);
    expect((await s.call('GET', `/v1/privacy/export?customerId=${customer.id}`, { token: customer.token })).status).toBe(403);
    expect((await s.call('GET', '/v1/privacy/export')).status).toBe(400);
  });
});

describe('GDPR erasure', () => {
  it('needs a reason and the erase permission', async () => {
    expect((await s.call('POST', '/v1/privacy/erasures', { body: { customerId: customer.id } })).status).toBe(400);
    const agent = await s.call('POST', '/v1/staff-users', { body: { email: 'agent@test.example', name: 'Agent', role: 'service_agent', password: 'agent-secret-1' } });
    expect(agent.status).toBe(201);
    const signIn = await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'agent@test.example', password: 'agent-secret-1' } });
    const agentToken = signIn.body.token;
    expect((await s.call('GET', `/v1/privacy/export?customerId=${customer.id}`, { token: agentToken })).status).toBe(200);
    expect((await s.call('POST', '/v1/privacy/erasures', { token: agentToken, body: { customerId: customer.id, reason: 'request 42' } })).status).toBe(403);
    expect((await s.call('POST', '/v1/privacy/erasures', { body: { customerId: 'cus_01JXXXXXXXXXXXXXXXXXXXXXXX', reason: 'request 42' } })).status).toBe(404);
  });

  it('removes the person from every table: no e-mail, phone or name is left anywhere', async () => {
    // Before: the person is all over the database.
    const before = await whereFound(EMAIL);
    expect(before).toEqual(expect.arrayContaining(['public.customer_accounts.email', 'public.collected_events.traits', 'public.orders.email', 'public.consent_records.email', 'public.outgoing_emails.to']));
    expect(await whereFound(PHONE)).toContain('public.collected_events.traits');
    expect(await whereFound(NAME)).toEqual(expect.arrayContaining(['public.customer_accounts.name', 'public.orders.shipping_address']));

    // An ingestion batch under way holds the identity graph (shared, as batches with nothing new do):
    // the erasure waits for it, so no batch can add to this person between finding and erasing them.
    const batch = new pg.Client({ connectionString: s.config.databaseUrl });
    await batch.connect();
    let r: Awaited<ReturnType<typeof s.call<any>>>;
    try {
      await batch.query('select pg_advisory_lock_shared($1)', [RESOLVER_LOCK]);
      let done = false;
      const erasure = s.call('POST', '/v1/privacy/erasures', { body: { customerId: customer.id, reason: `GDPR request from ${NAME} (ticket 42)` } }).finally(() => (done = true));
      await eventually(async () => (await batch.query(`select 1 from pg_locks where locktype = 'advisory' and not granted and objid = $1`, [RESOLVER_LOCK])).rowCount);
      expect(done).toBe(false);
      await batch.query('select pg_advisory_unlock_shared($1)', [RESOLVER_LOCK]);
      r = await erasure;
    } finally {
      await batch.end();
    }
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^era_/);
    expect(r.body.summary.modules.accounts.customer_accounts).toBe(1);
    expect(r.body.summary.modules.collected_events.collected_events).toBe(4);
    expect(r.body.summary.modules.commerce.orders).toBe(1);
    expect(r.body.summary.modules.profiles.profiles).toBeGreaterThanOrEqual(1);
    expect(r.body.summary.refused).toBeUndefined();

    for (const needle of [EMAIL, PHONE, NAME, 'anon-zeb']) expect(await whereFound(needle), needle).toEqual([]);

    // The order stays for the books, without the person.
    const [o] = (await s.winkel.db.execute<{ email: string | null; customer_id: string | null; total: number }>(sql`select email, customer_id, total from orders where id = ${orderId}`)).rows;
    expect(o).toMatchObject({ email: null });
    expect(o.customer_id).toMatch(/^cus_/);
    expect(o.customer_id).not.toBe(customer.id);
    const [addr] = (await s.winkel.db.execute<{ a: Record<string, unknown> }>(sql`select shipping_address as a from orders where id = ${orderId}`)).rows;
    expect(addr.a).toMatchObject({ name: '[erased]', line1: '[erased]', phone: null, country: 'NL' });
    expect(Number(o.total)).toBeGreaterThan(0);
    // They cannot sign in any more, their consent is gone (defaults apply), and the event says so.
    expect((await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: EMAIL, password: 'zebulon-secret-1' } })).status).toBe(401);
    expect((await s.call('GET', '/v1/customer-auth/me', { token: customer.token })).status).toBe(401);
    expect(await hasConsent(s.winkel.db, { email: EMAIL }, 'email')).toBe(false);
    const events = await s.call('GET', '/v1/events?type=customer.erased');
    expect(events.body.data[0]).toMatchObject({ customerId: null, data: { erasureId: r.body.id, customerIds: [customer.id] } });
    // The proof lists the erasure without personal data.
    const list = await s.call('GET', '/v1/privacy/erasures');
    expect(list.body.data[0].id).toBe(r.body.id);
    expect(JSON.stringify(list.body)).not.toMatch(/zebulon/i);
  });
});

describe('erasure by the customer themself', () => {
  it('asks for the password again, then erases their account', async () => {
    const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'Self.Eraser@example.com', password: 'self-secret-1', name: 'Selma Eraser' } });
    const token = up.body.token;
    const wrong = await s.call('POST', '/v1/me/erasure', { token, body: { password: 'not-my-password' } });
    expect(wrong.status).toBe(403);
    expect((await s.call('GET', '/v1/customer-auth/me', { token })).status).toBe(200);
    const r = await s.call('POST', '/v1/me/erasure', { token, body: { password: 'self-secret-1' } });
    expect(r.status).toBe(201);
    expect(r.body.summary.modules.accounts.customer_accounts).toBe(1);
    expect((await s.call('GET', '/v1/customer-auth/me', { token })).status).toBe(401);
    expect(await whereFound('self.eraser@example.com')).toEqual([]);
    expect(await whereFound('Selma Eraser')).toEqual([]);
  });
});

describe('events under way when a person is erased', () => {
  const LATE_EMAIL = 'lena.latecomer@example.com';
  const LATE_NAME = 'Lena Latecomer';
  let lateId = '';
  const profileKeysOf = async (customerId: string) =>
    (await s.winkel.db.execute(sql`select key from profile_identifiers where key = ${`customer_id:${customerId}`}`)).rows.length;
  /** Until the timeline subscriber has been past every event recorded so far. */
  const timelineCaughtUp = () =>
    eventually(async () => {
      const r = await s.winkel.db.execute<{ behind: boolean }>(sql`
        select exists (select 1 from outbox_events e, event_cursors c where c.name = 'customers.timeline' and (e.tx_id, e.seq) > (c.last_tx_id, c.last_seq)) as behind`);
      return !r.rows[0].behind;
    }, 30_000);

  it('lets a timeline batch holding their sign-up finish first, then erases what it added', async () => {
    // The identity graph is held, so the timeline subscriber reads the sign-up and then waits, with
    // its cursor locked, for the graph: a batch under way with the person's data in memory.
    const other = new pg.Client({ connectionString: s.config.databaseUrl });
    await other.connect();
    let r: Awaited<ReturnType<typeof s.call<any>>>;
    try {
      await other.query('select pg_advisory_lock($1)', [RESOLVER_LOCK]);
      const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: LATE_EMAIL, password: 'late-secret-1', name: LATE_NAME } });
      expect(up.status).toBe(201);
      lateId = up.body.customer.id;
      await eventually(async () => (await other.query(`select 1 from pg_locks where locktype = 'advisory' and not granted and objid = $1`, [RESOLVER_LOCK])).rowCount);
      expect((await other.query(`select 1 from event_cursors where name = 'customers.timeline' for update skip locked`)).rowCount).toBe(0);

      let done = false;
      const erasure = s.call('POST', '/v1/me/erasure', { token: up.body.token, body: { password: 'late-secret-1' } }).finally(() => (done = true));
      // The erasure waits for that batch, before it looks the person up.
      await eventually(
        async () => (await other.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%from event_cursors order by name for update%'`)).rowCount,
      );
      expect(done).toBe(false);
      await other.query('select pg_advisory_unlock($1)', [RESOLVER_LOCK]);
      r = await erasure;
    } finally {
      await other.end();
    }
    expect(r.status).toBe(201);
    // The batch put the sign-up on a new profile before the erasure looked, so the erasure took it away.
    expect(r.body.summary.modules.profiles.profiles).toBe(1);
    await timelineCaughtUp();
    expect(await profileKeysOf(lateId)).toBe(0);
    expect(await whereFound(LATE_EMAIL)).toEqual([]);
    expect(await whereFound(LATE_NAME)).toEqual([]);
  });

  it('drops events naming the erased account that arrive afterwards, from any source', async () => {
    expect(lateId).toMatch(/^cus_/);
    // Kept as a hash: the table names no one.
    const [retired] = (await s.winkel.db.execute<{ erasure_id: string }>(sql`select erasure_id from retired_identifiers where key = ${createHash('sha256').update(`customer_id:${lateId}`).digest('hex')}`)).rows;
    expect(retired.erasure_id).toMatch(/^era_/);

    // A page left open: the SDK sends an identify with their e-mail. Acknowledged, kept nowhere.
    const batch = await s.call('POST', '/v1/collect/batch', {
      token: pk,
      body: { batch: [{ type: 'identify', userId: lateId, anonymousId: 'anon-late', messageId: 'late-1', traits: { email: LATE_EMAIL, name: LATE_NAME } }] },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.accepted).toBe(1);
    expect((await s.winkel.db.execute(sql`select 1 from collected_events where message_id = 'late-1'`)).rows.length).toBe(0);

    // A store visit reported by the app: not recorded.
    const visit = await s.call('POST', '/v1/collect/store-visit', { token: pk, body: { storeId: 'AMS', method: 'scan', customerId: lateId } });
    expect(visit.status).toBe(200);
    expect(visit.body).toEqual({ accepted: false, profileId: null });

    // A business event about them that committed after the erasure (say, a checkout under way).
    await s.winkel.db.transaction((tx) =>
      emit(tx, { type: 'order.placed', aggregateType: 'order', aggregateId: 'ord_late', customerId: lateId, data: { customer: { id: lateId, email: LATE_EMAIL }, order: { total: 1250, currency: 'EUR' } } }),
    );
    await timelineCaughtUp();
    expect(await profileKeysOf(lateId)).toBe(0);
    const onProfiles = (await whereFound(LATE_EMAIL)).filter((w) => /profile|identity_links|timeline|collected_events/.test(w));
    expect(onProfiles).toEqual([]);

    // Anyone else's events go in as before.
    const fresh = await s.call('POST', '/v1/collect/batch', { token: pk, body: { batch: [{ type: 'identify', userId: 'cus_someone_else', messageId: 'late-2', traits: { email: 'someone.else@example.com' } }] } });
    expect(fresh.body.accepted).toBe(1);
    expect(await profileKeysOf('cus_someone_else')).toBe(1);
    // And the same address may come back as a new customer.
    const again = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: LATE_EMAIL, password: 'late-secret-2' } });
    expect(again.status).toBe(201);
    expect(again.body.customer.id).not.toBe(lateId);
    await timelineCaughtUp();
    expect(await profileKeysOf(again.body.customer.id)).toBe(1);
  });
});

describe('retention', () => {
  it('purges anonymous events older than the setting, keeping recent ones and those of known people', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await s.call('POST', '/v1/collect/batch', {
      token: pk,
      body: {
        batch: [
          { type: 'page', anonymousId: 'anon-old', timestamp: old, messageId: 'ret-1' },
          { type: 'page', anonymousId: 'anon-old', messageId: 'ret-5' },
          { type: 'page', anonymousId: 'anon-new', messageId: 'ret-2' },
          { type: 'page', anonymousId: 'anon-known', timestamp: old, messageId: 'ret-3' },
          { type: 'identify', anonymousId: 'anon-known', userId: 'cus_known', messageId: 'ret-4' },
        ],
      },
    });
    expect(await purgeAnonymousEvents(s.winkel.db, 0)).toBe(0);
    const profileOf = async (anonymousId: string) =>
      (
        await s.winkel.db.execute<{ event_count: number; first_seen_at: Date }>(
          sql`select p.event_count, p.first_seen_at from profiles p join profile_identifiers i on i.profile_id = p.id where i.key = ${`anonymous_id:${anonymousId}`}`,
        )
      ).rows[0];
    expect((await profileOf('anon-old')).event_count).toBe(2);
    expect(await purgeAnonymousEvents(s.winkel.db, 30)).toBe(1);
    const left = (await s.winkel.db.execute<{ message_id: string }>(sql`select message_id from collected_events where message_id like 'ret-%' order by message_id`)).rows.map((r) => r.message_id);
    expect(left).toEqual(['ret-2', 'ret-3', 'ret-4', 'ret-5']);
    // The profile is recounted: one event left, first seen when that one happened.
    const after = await profileOf('anon-old');
    expect(after.event_count).toBe(1);
    expect(new Date(after.first_seen_at).getTime()).toBeGreaterThan(Date.now() - 86_400_000);
  });
});

describe('an identifier someone merely claims grants nothing', () => {
  // The attack: with only the shop's publishable key, a customer claims a victim's e-mail (and
  // customer id) in identify calls, then uses their own "me" routes. The claim may join behaviour
  // for analytics; it must never hand over, change or erase the victim's data.
  const VICTIM_EMAIL = 'Violet.Victimson@example.com';
  const VICTIM_NAME = 'Violet Victimson';
  const VICTIM_STREET = 'Slachtofferlaan 99';
  const VICTIM_AGENT = 'VioletBrowser/7.1';
  let victim: { id: string; token: string };
  let attacker: { id: string; token: string };
  let victimOrder = '';

  const victimState = async () => {
    const db = s.winkel.db;
    const [account] = (await db.execute<{ email: string; name: string | null; status: string }>(sql`select email, name, status from customer_accounts where id = ${victim.id}`)).rows;
    const sessions = (await db.execute(sql`select 1 from customer_sessions where customer_id = ${victim.id} and revoked_at is null`)).rows.length;
    const [order] = (await db.execute<{ email: string | null; customer_id: string | null; a: { line1: string } | null }>(sql`select email, customer_id, shipping_address as a from orders where id = ${victimOrder}`)).rows;
    const consents = (await db.execute(sql`select 1 from consent_records where customer_id = ${victim.id}`)).rows.length;
    const profile = (await db.execute(sql`select 1 from profile_identifiers where key = ${`customer_id:${victim.id}`} and profile_id is not null`)).rows.length;
    return { account, sessions, order, consents, profile };
  };
  const mentionsVictim = (body: unknown) => {
    const text = JSON.stringify(body).toLowerCase();
    return [victim.id, VICTIM_EMAIL, VICTIM_NAME, VICTIM_STREET, VICTIM_AGENT].filter((v) => text.includes(v.toLowerCase()));
  };

  beforeAll(async () => {
    const v = await fetch(`${s.url}/v1/customer-auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': VICTIM_AGENT },
      body: JSON.stringify({ email: VICTIM_EMAIL, password: 'violet-secret-1', name: VICTIM_NAME }),
    });
    expect(v.status).toBe(201);
    const vb = await v.json();
    victim = { id: vb.customer.id, token: vb.token };
    // The victim shows the address is theirs (a link mailed to it, here a password reset), so
    // their account-page choices count for the address too: the strongest case for the attacker.
    expect((await s.call('POST', '/v1/customer-auth/password-reset', { token: null, body: { email: VICTIM_EMAIL } })).status).toBe(202);
    const [mail] = (await s.winkel.db.execute<{ text: string }>(sql`select text from outgoing_emails where lower("to") = ${VICTIM_EMAIL.toLowerCase()} and purpose = 'password_reset'`)).rows;
    const resetToken = /(rst_\S+)\s*$/.exec(mail.text)![1];
    expect((await s.call('POST', '/v1/customer-auth/password-reset/confirm', { token: null, body: { token: resetToken, password: 'violet-secret-1' } })).status).toBeLessThan(300);
    const again = await fetch(`${s.url}/v1/customer-auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': VICTIM_AGENT },
      body: JSON.stringify({ email: VICTIM_EMAIL, password: 'violet-secret-1' }),
    });
    victim.token = (await again.json()).token;
    const cart = (await s.call('POST', '/v1/carts', { token: victim.token, body: { channel: 'web', email: VICTIM_EMAIL } })).body;
    expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: victim.token, body: { sku: 'MUG', quantity: 1 } })).status).toBe(200);
    const order = await s.call('POST', `/v1/carts/${cart.id}/checkout`, {
      token: victim.token,
      body: { payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress: { name: VICTIM_NAME, line1: VICTIM_STREET, postalCode: '9999 ZZ', city: 'Utrecht', country: 'NL' } },
    });
    expect(order.status).toBe(201);
    victimOrder = order.body.id;
    expect((await s.call('PUT', '/v1/me/consents', { token: victim.token, body: { consents: [{ purpose: 'email', granted: true }, { purpose: 'profiling', granted: false }] } })).status).toBe(200);
    await s.call('POST', '/v1/collect/batch', { token: pk, body: { batch: [{ type: 'identify', anonymousId: 'anon-violet', userId: victim.id, messageId: 'violet-1', traits: { email: VICTIM_EMAIL, name: VICTIM_NAME } }] } });

    const a = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'mallory@example.com', password: 'mallory-secret-1', name: 'Mallory' } });
    attacker = { id: a.body.customer.id, token: a.body.token };
    // The claims, with nothing but the publishable key.
    const claims = await s.call('POST', '/v1/collect/batch', {
      token: pk,
      body: {
        batch: [
          { type: 'identify', userId: attacker.id, messageId: 'mallory-1', traits: { email: VICTIM_EMAIL } },
          { type: 'identify', anonymousId: 'anon-mallory', messageId: 'mallory-2', traits: { email: VICTIM_EMAIL } },
          { type: 'identify', anonymousId: 'anon-mallory', userId: victim.id, messageId: 'mallory-3' },
          { type: 'alias', userId: attacker.id, previousId: victim.id, messageId: 'mallory-4' },
        ],
      },
    });
    expect(claims.body.accepted).toBe(4);
    // Business events about both have reached the timeline (the sign-ups, the order).
    await eventually(async () => (await victimState()).profile === 1, 30_000);
  });

  it('does not export the victim to the claimer', async () => {
    const r = await s.call('GET', '/v1/me/export', { token: attacker.token });
    expect(r.status).toBe(200);
    expect(r.body.identifiers.customerIds).toEqual([attacker.id]);
    expect(r.body.identifiers.emails).toEqual([]);
    expect(r.body.modules.accounts.accounts.map((a: { id: string }) => a.id)).toEqual([attacker.id]);
    expect(JSON.stringify(r.body)).not.toContain(victimOrder);
    // The claims the attacker sent come back to them as they sent them, and nothing else of the victim.
    const sent = r.body.modules.collected_events.map((e: { messageId: string }) => e.messageId).sort();
    expect(sent).toEqual(['mallory-1', 'mallory-4']);
    const echoes = { collected_events: [], profiles: { ...r.body.modules.profiles, timeline: [], profiles: r.body.modules.profiles.profiles.map((x: object) => ({ ...x, traits: {} })) } };
    const rest = { ...r.body, modules: { ...r.body.modules, ...echoes } };
    expect(mentionsVictim(rest)).toEqual([]);
    expect(mentionsVictim(r.body.modules.profiles.timeline).filter((v) => v !== victim.id && v !== VICTIM_EMAIL)).toEqual([]);
  });

  it('does not let the claimer read or change the victim’s consents, from the account page or the SDK', async () => {
    const mine = await s.call('GET', '/v1/me/consents', { token: attacker.token });
    expect(mine.status).toBe(200);
    expect(mentionsVictim(mine.body)).toEqual([]);
    expect(mine.body.current.find((c: { purpose: string }) => c.purpose === 'email')).toMatchObject({ granted: false, source: 'default' });
    const put = await s.call('PUT', '/v1/me/consents', { token: attacker.token, body: { consents: [{ purpose: 'email', granted: false }, { purpose: 'profiling', granted: true }] } });
    expect(put.status).toBe(200);
    expect(mentionsVictim(put.body)).toEqual([]);
    // The anonymous id the attacker claimed for the victim reads defaults, and its choices stay its own.
    const sdk = await s.call('GET', '/v1/sdk/consents?anonymousId=anon-mallory', { token: pk });
    expect(sdk.body.current.find((c: { purpose: string }) => c.purpose === 'email')).toMatchObject({ granted: false, source: 'default' });
    expect((await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: 'anon-mallory', consents: [{ purpose: 'email', granted: false }, { purpose: 'profiling', granted: true }] } })).status).toBe(200);
    for (const subject of [{ customerId: victim.id }, { email: VICTIM_EMAIL }]) {
      expect(await hasConsent(s.winkel.db, subject, 'email'), JSON.stringify(subject)).toBe(true);
      expect(await hasConsent(s.winkel.db, subject, 'profiling'), JSON.stringify(subject)).toBe(false);
    }
    const victimProfile = (await s.winkel.db.execute<{ profile_id: string }>(sql`select profile_id from profile_identifiers where key = ${`customer_id:${victim.id}`}`)).rows[0].profile_id;
    expect(await hasConsent(s.winkel.db, { profileId: victimProfile }, 'profiling')).toBe(false);
    const theirs = await s.call('GET', '/v1/me/consents', { token: victim.token });
    expect(theirs.body.history.map((h: { purpose: string; granted: boolean }) => `${h.purpose}:${h.granted}`).sort()).toEqual(['email:true', 'profiling:false']);
  });

  it('does not let the claimer erase the victim, and staff still erase the victim with a reason', async () => {
    const before = await victimState();
    expect(before).toMatchObject({ account: { status: 'active', name: VICTIM_NAME }, sessions: 1, order: { customer_id: victim.id, a: { line1: VICTIM_STREET } }, consents: 2, profile: 1 });
    const r = await s.call('POST', '/v1/me/erasure', { token: attacker.token, body: { password: 'mallory-secret-1' } });
    expect(r.status).toBe(201);
    expect(r.body.customerIds).toEqual([attacker.id]);
    expect(await victimState()).toEqual(before);
    expect((await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: VICTIM_EMAIL, password: 'violet-secret-1' } })).status).toBe(200);
    expect(await whereFound(VICTIM_EMAIL)).toEqual(expect.arrayContaining(['public.customer_accounts.email', 'public.orders.email']));

    // Staff, with a reason, erase the victim across what they proved: account, order, sessions, profile.
    const staff = await s.call('POST', '/v1/privacy/erasures', { body: { customerId: victim.id, reason: 'Request 77 (identity checked)' } });
    expect(staff.status).toBe(201);
    expect(staff.body.customerIds).toEqual([victim.id]);
    const after = await victimState();
    expect(after).toMatchObject({ account: undefined, sessions: 0, consents: 0, profile: 0 });
    expect(after.order).toMatchObject({ email: null });
    expect(after.order.customer_id).not.toBe(victim.id);
    for (const needle of [VICTIM_EMAIL, VICTIM_NAME, VICTIM_STREET, VICTIM_AGENT, 'anon-violet']) expect(await whereFound(needle), needle).toEqual([]);
  });
});
