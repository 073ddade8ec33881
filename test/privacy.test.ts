// GDPR: a person with data in every module that exists is exported as JSON (by staff and by
// themself), then erased; afterwards every row of every table in the database (found through the
// catalog, so new tables are covered without touching this test) is read as text and searched for
// every form of them: name, e-mail, phone, address lines, anonymous id, card fingerprint and last
// digits, customer id, note texts, session ids and browser. Orders, payments, returns and events
// stay for the books under a pseudonym. A namesake's records keep the name. Old anonymous events
// are purged by the retention job's function.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { startReceiver } from './helpers/receiver.js';
import { purgeAnonymousEvents } from '../src/modules/customers/index.js';
import { hasConsent } from '../src/modules/consent/service.js';
import { RESOLVER_LOCK } from '../src/modules/customers/identity.js';
import { emit } from '../src/platform/events/outbox.js';
import { idempotencySecrets } from '../src/platform/http/idempotency.js';
import { shopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let echo: http.Server;

const EMAIL = 'Zebulon.Quixotewright@Example.com';
const PHONE = '+31687654321';
const NAME = 'Zebulon Quixotewright';
const FIRST_NAME = 'Zebulon';
const STREET = 'Quixoteweg 7';
const POSTAL_CODE = '1234 QX';
const AGENT = 'ZebulonPhone/3.14 (QuixoteOS)';
const FINGERPRINT = 'fp-zebulon-7731';
const LAST4 = '7731';
const ANONYMOUS_ID = 'anon-zeb';
const CHECKOUT_NOTE = 'Leave it behind the blue garden gnome';
const STAFF_NOTE = 'Called about the wobbly mug handle';
const RETURN_NOTE = 'Handle wobbled like jelly on arrival';
const NAMESAKE_EMAIL = 'zq.namesake@elsewhere.example';
let customer: { id: string; token: string };
let namesake: { id: string; orderId: string };
let orderId = '';
let tillOrderId = '';
let returnId = '';
let promotionId = '';
let sessionIds: string[] = [];

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

/** The whole database, every row of every table (all schemas but PostgreSQL's own) as text. */
async function dump(): Promise<Array<{ table: string; row: string }>> {
  const tables = (
    await s.winkel.db.execute<{ schema: string; table: string }>(sql`
      select table_schema as schema, table_name as table from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`)
  ).rows;
  expect(tables.length).toBeGreaterThan(50);
  const out: Array<{ table: string; row: string }> = [];
  for (const t of tables) {
    const r = await s.winkel.db.execute<{ row: string }>(sql`select x::text as row from ${sql.identifier(t.schema)}.${sql.identifier(t.table)} as x`);
    for (const { row } of r.rows) out.push({ table: `${t.schema}.${t.table}`, row });
  }
  return out;
}
const textArray = (xs: string[]) => sql`${`{${xs.join(',')}}`}::text[]`;
/** The stored answer of an idempotent request, found as the server finds it (by the key's derived lookup). */
const storedAnswer = async (principal: string, key: string) =>
  (await s.winkel.db.execute<{ response_body: string }>(sql`select response_body from idempotency_keys where principal = ${principal} and key = ${idempotencySecrets(principal, key).lookup}`)).rows;
const rowsWith = (rows: Array<{ table: string; row: string }>, needle: string) => rows.filter((r) => r.row.toLowerCase().includes(needle.toLowerCase()));

/** A webhook receiver that answers with what it got, so the delivery log's answers hold the person too. */
async function startEcho() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

beforeAll(async () => {
  receiver = await startReceiver();
  echo = await startEcho();
  s = await startTestServer({ webhookRetryBaseSeconds: 1, webhookAllowPrivate: true });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  // Webhooks receive every event, so deliveries carry the person's data too.
  expect((await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['*'] } })).status).toBe(201);
  expect((await s.call('POST', '/v1/webhook-endpoints', { body: { url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/echo`, eventTypes: ['*'] } })).status).toBe(201);

  // Accounts: sign-up from a recognisable browser, and a password reset (a queued and caught e-mail).
  const up = await fetch(`${s.url}/v1/customer-auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': AGENT },
    body: JSON.stringify({ email: EMAIL, password: 'zebulon-secret-1', name: NAME, locale: 'en' }),
  });
  expect(up.status).toBe(201);
  const upBody = await up.json();
  customer = { id: upBody.customer.id, token: upBody.token };
  expect((await s.call('POST', '/v1/customer-auth/password-reset', { token: null, body: { email: EMAIL } })).status).toBeLessThan(300);
  sessionIds = (await s.call('GET', '/v1/customer-auth/sessions', { token: customer.token })).body.data.map((x: { id: string }) => x.id);
  expect(sessionIds.length).toBe(1);

  // Collected events: anonymous browsing, then identify with traits. The cookie banner's choice
  // is recorded under the anonymous id alone (its consent.changed event names no customer).
  expect((await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: ANONYMOUS_ID, consents: [{ purpose: 'personalisation', granted: true }] } })).status).toBe(200);
  const batch = await s.call('POST', '/v1/collect/batch', {
    token: pk,
    body: {
      batch: [
        { type: 'page', anonymousId: ANONYMOUS_ID, name: 'Home' },
        { type: 'track', anonymousId: ANONYMOUS_ID, event: 'Product Viewed', properties: { sku: 'MUG' } },
        { type: 'identify', anonymousId: ANONYMOUS_ID, userId: customer.id, traits: { email: EMAIL, phone: PHONE, name: NAME, firstName: FIRST_NAME } },
        { type: 'track', userId: customer.id, event: 'Newsletter Read', properties: { subject: `Hi ${NAME}` } },
      ],
    },
  });
  expect(batch.body.accepted).toBe(4);

  // Consent: from the account page and by staff with a reason naming them.
  expect((await s.call('PUT', '/v1/me/consents', { token: customer.token, body: { consents: [{ purpose: 'email', granted: true }, { purpose: 'analytics', granted: true }] } })).status).toBe(200);
  expect((await s.call('POST', '/v1/consents', { body: { email: EMAIL, consents: [{ purpose: 'sms', granted: true }], reason: `${NAME} asked at the counter` }, headers: { 'idempotency-key': 'zeb-consent-1' } })).status).toBe(201);

  // Catalog, stock, a personal offer made for them by the service desk.
  const dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  const store = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Amsterdam', type: 'store' } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Rare vase' }, variants: [{ sku: 'VASE' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }, { sku: 'VASE', amount: 9900 }] } });
  for (const locationId of [dc, store]) await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId, type: 'receipt', quantity: 10 } });
  const promo = await s.call('POST', '/v1/promotions', {
    body: { name: `Goodwill for ${NAME}`, status: 'active', stacking: 'combinable', target: { skus: ['MUG'] }, rule: { kind: 'percent_off_items', percent: 10 }, customerId: customer.id },
  });
  expect(promo.status, JSON.stringify(promo.body)).toBe(201);
  promotionId = promo.body.id;

  // Commerce: a paid online order with their address and notes, checked out with an
  // Idempotency-Key (its answer is stored for replays), delivered, and partly returned.
  const cart = (await s.call('POST', '/v1/carts', { token: customer.token, body: { channel: 'web', email: EMAIL } })).body;
  expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: customer.token, body: { sku: 'MUG', quantity: 2 } })).status).toBe(200);
  const shippingAddress = { name: NAME, line1: STREET, postalCode: POSTAL_CODE, city: 'Amsterdam', country: 'NL', phone: PHONE };
  const order = await s.call('POST', `/v1/carts/${cart.id}/checkout`, {
    token: customer.token,
    headers: { 'idempotency-key': 'zeb-checkout-1' },
    body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress, note: `${CHECKOUT_NOTE}, ${FIRST_NAME}` },
  });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  orderId = order.body.id;
  // A staff note naming them: free text on an order that erasure must clear too.
  expect((await s.call('POST', `/v1/orders/${orderId}/notes`, { body: { body: `${STAFF_NOTE}: ${NAME}, ${PHONE}`, visibility: 'internal' } })).status).toBe(201);
  for (const f of (await s.call('GET', `/v1/orders/${orderId}/fulfilments`)).body.data) {
    for (const [step, body] of [['pick', {}], ['pack', {}], ['ship', { carrier: 'manual', trackingNumber: 'TRACK-ZEB' }], ['deliver', {}]] as const) {
      expect((await s.call('POST', `/v1/fulfilments/${f.id}/${step}`, { body })).status).toBe(200);
    }
  }
  const lineId = (await s.call('GET', `/v1/orders/${orderId}`)).body.lines[0].id;
  const ret = await s.call('POST', '/v1/returns', {
    body: { orderId, method: 'in_store', locationId: store, refundMethod: 'store_credit', lines: [{ orderLineId: lineId, quantity: 1, reason: 'defective', outcome: 'damaged', note: RETURN_NOTE }] },
  });
  expect(ret.status, JSON.stringify(ret.body)).toBe(201);
  returnId = ret.body.return.id;

  // The till: staff sell to them, paid by card on the terminal (fingerprint and last digits kept).
  const till = (await s.call('POST', '/v1/carts', { body: { channel: 'pos', storeId: store, customerId: customer.id } })).body;
  expect((await s.call('POST', `/v1/carts/${till.id}/lines`, { body: { sku: 'MUG', quantity: 1 } })).status).toBe(200);
  const sale = await s.call('POST', `/v1/carts/${till.id}/checkout`, { body: { acceptCurrentPrice: true, tenders: [{ method: 'card_present', fingerprint: FINGERPRINT, last4: LAST4 }] } });
  expect(sale.status, JSON.stringify(sale.body)).toBe(201);
  tillOrderId = sale.body.id;
  expect((await s.call('POST', '/v1/back-in-stock', { token: pk, body: { email: EMAIL, sku: 'VASE' } })).status).toBeLessThan(300);

  // Someone else with the very same name: their records keep it.
  const other = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: NAMESAKE_EMAIL, password: 'namesake-secret-1', name: NAME } });
  const otherCart = (await s.call('POST', '/v1/carts', { token: other.body.token, body: { channel: 'web', email: NAMESAKE_EMAIL } })).body;
  await s.call('POST', `/v1/carts/${otherCart.id}/lines`, { token: other.body.token, body: { sku: 'MUG', quantity: 1 } });
  const otherOrder = await s.call('POST', `/v1/carts/${otherCart.id}/checkout`, {
    token: other.body.token,
    body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress: { name: NAME, line1: 'Andere Straat 1', postalCode: '9876 ZZ', city: 'Groningen', country: 'NL' } },
  });
  expect(otherOrder.status, JSON.stringify(otherOrder.body)).toBe(201);
  namesake = { id: other.body.customer.id, orderId: otherOrder.body.id };

  // Let the relay deliver the webhooks (and any timeline/profile work) before erasing.
  await eventually(async () => receiver.received.some((r) => r.body.includes(tillOrderId)), 30_000);
  await eventually(async () => (await whereFound(FINGERPRINT)).includes('public.webhook_attempts.response_body'), 30_000);
});
afterAll(async () => {
  await s?.close();
  await receiver?.close();
  await new Promise((r) => echo?.close(r));
});

describe('GDPR export', () => {
  it('gives staff everything held on the person, found from any identifier', async () => {
    const r = await s.call('GET', `/v1/privacy/export?email=${encodeURIComponent(EMAIL.toUpperCase())}`);
    expect(r.status).toBe(200);
    expect(r.body.format).toBe('winkel.person-export.v1');
    expect(r.body.identifiers.customerIds).toEqual([customer.id]);
    expect(r.body.identifiers.anonymousIds).toContain(ANONYMOUS_ID);
    // The phone number was only declared in an identify call: a trace of them, not a way to anyone.
    expect(r.body.identifiers.phones).toEqual([]);
    const m = r.body.modules;
    expect(m.accounts.accounts[0]).toMatchObject({ id: customer.id, name: NAME });
    expect(m.accounts.accounts[0].password_hash ?? m.accounts.accounts[0].passwordHash).toBeUndefined();
    expect(m.accounts.sessions.map((x: { id: string; userAgent: string }) => [x.id, x.userAgent])).toEqual([[sessionIds[0], AGENT]]);
    expect(m.collected_events.map((e: { type: string }) => e.type)).toEqual(['page', 'track', 'identify', 'track']);
    expect(m.commerce.orders.map((o: { id: string }) => o.id).sort()).toEqual([orderId, tillOrderId].sort());
    expect(m.commerce.orders.find((o: { id: string }) => o.id === orderId).lines.length).toBe(1);
    expect(m.commerce.orders.find((o: { id: string }) => o.id === orderId).notes[0].body).toContain(STAFF_NOTE);
    // What the export used to miss: return lines with their notes, personal offers, payment rows, audit entries.
    expect(m.returns.map((x: { id: string }) => x.id)).toEqual([returnId]);
    expect(m.returns[0].lines[0].note).toBe(RETURN_NOTE);
    expect(m.promotions.personalOffers.map((x: { id: string }) => x.id)).toEqual([promotionId]);
    expect(m.payments.payments.some((x: { card_fingerprint: string; card_last4: string }) => x.card_fingerprint === FINGERPRINT && x.card_last4 === LAST4)).toBe(true);
    expect(m.payments.giftCards.length).toBe(1);
    expect(m.audit.some((a: { action: string; resourceId: string }) => a.resourceId === orderId || a.resourceId === promotionId)).toBe(true);
    expect(m.fulfilment.length).toBeGreaterThanOrEqual(1);
    expect(m.consent.map((c: { purpose: string }) => c.purpose).sort()).toEqual(['analytics', 'email', 'personalisation', 'sms']);
    expect(m.messages.length).toBeGreaterThanOrEqual(1);
    expect(m.back_in_stock.length).toBe(1);
    // Staff exports are audited, without personal data in the entry.
    const audit = await s.call('GET', `/v1/audit-log?action=customer.export&resourceId=${customer.id}`);
    expect(audit.body.data.length).toBe(1);
    expect(m.events.some((e: { type: string }) => e.type === 'order.placed')).toBe(true);
    expect(m.events.some((e: { type: string; data: { anonymousId?: string } }) => e.type === 'consent.changed' && e.data.anonymousId === ANONYMOUS_ID)).toBe(true);
    // Identity resolution made one profile of the anonymous visit and the account.
    expect(m.profiles.profiles.length).toBeGreaterThanOrEqual(1);
    expect(m.profiles.identifiers.map((i: { key: string }) => i.key)).toEqual(expect.arrayContaining([`customer_id:${customer.id}`, `anonymous_id:${ANONYMOUS_ID}`, `card_fingerprint:${FINGERPRINT}`]));
    expect(m.profiles.timeline.length).toBeGreaterThanOrEqual(4);
    // Nothing of the namesake.
    expect(JSON.stringify(r.body)).not.toContain(namesake.id);
    expect(JSON.stringify(r.body)).not.toContain(NAMESAKE_EMAIL);
  });

  it('lets the customer download their own data, and nobody else’s', async () => {
    const r = await s.call('GET', '/v1/me/export?download=true', { token: customer.token });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    expect(r.body.identifiers.customerIds).toEqual([customer.id]);
    expect(r.body.modules.commerce.orders.map((o: { id: string }) => o.id).sort()).toEqual([orderId, tillOrderId].sort());
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

  it('leaves nothing in the database that identifies or links the person; the books still add up under a pseudonym', async () => {
    // Before: the person is all over the database.
    const before = await whereFound(EMAIL);
    expect(before).toEqual(expect.arrayContaining(['public.customer_accounts.email', 'public.collected_events.traits', 'public.orders.email', 'public.consent_records.email', 'public.outgoing_emails.to']));
    expect(await whereFound(PHONE)).toContain('public.collected_events.traits');
    expect(await whereFound(NAME)).toEqual(expect.arrayContaining(['public.customer_accounts.name', 'public.orders.shipping_address']));
    // Their checkout's answer is stored for replays, encrypted under their key: no address in the clear.
    expect(await storedAnswer(`customer:${customer.id}`, 'zeb-checkout-1')).toHaveLength(1);
    expect(await whereFound(STREET)).not.toContain('public.idempotency_keys.response_body');
    expect(await whereFound(FINGERPRINT)).toEqual(expect.arrayContaining(['public.payments.card_fingerprint', 'public.outbox_events.data', 'public.webhook_deliveries.payload']));
    const totalsBefore = (await s.winkel.db.execute<{ id: string; total: number; captured_total: number; refunded_total: number }>(sql`select id, total, captured_total, refunded_total from orders where id = any(${textArray([orderId, tillOrderId])}) order by id`)).rows;

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
    expect(r.body.summary.modules.commerce.orders).toBe(2);
    expect(r.body.summary.modules.profiles.profiles).toBeGreaterThanOrEqual(1);
    expect(r.body.summary.refused).toBeUndefined();

    // After: every row of every table, read as text.
    const rows = await dump();
    const forms = [EMAIL, PHONE, STREET, POSTAL_CODE, AGENT, FINGERPRINT, ANONYMOUS_ID, CHECKOUT_NOTE, STAFF_NOTE, RETURN_NOTE, ...sessionIds];
    for (const form of forms) expect(rowsWith(rows, form).map((x) => x.table), form).toEqual([]);
    // The name stays only where it is the namesake's: their account, order, events and profile.
    for (const x of rowsWith(rows, NAME)) expect(x.row.includes(namesake.id) || x.row.toLowerCase().includes(NAMESAKE_EMAIL) || x.row.includes(namesake.orderId), `${x.table}: ${x.row.slice(0, 300)}`).toBe(true);
    expect(rowsWith(rows, NAME).some((x) => x.table === 'public.customer_accounts')).toBe(true);
    expect(rowsWith(rows, NAME).some((x) => x.table === 'public.orders')).toBe(true);
    // The customer id is left only in the erasure notice for systems downstream (customer.erased and its deliveries).
    for (const x of rowsWith(rows, customer.id)) expect(x.row, x.table).toContain('customer.erased');
    expect(rowsWith(rows, customer.id).filter((x) => x.table === 'public.outbox_events').length).toBe(1);
    // The card's last digits are gone from their payments.
    const cards = (await s.winkel.db.execute<{ card_last4: string | null; card_fingerprint: string | null }>(sql`select card_last4, card_fingerprint from payments where order_id = any(${textArray([orderId, tillOrderId])})`)).rows;
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c).toEqual({ card_last4: null, card_fingerprint: null });
    // No session of theirs, and no stored answer of their checkout to replay.
    expect((await s.winkel.db.execute(sql`select 1 from customer_sessions where id = any(${textArray(sessionIds)})`)).rows).toEqual([]);
    expect(await storedAnswer(`customer:${customer.id}`, 'zeb-checkout-1')).toEqual([]);

    // The books: the orders, their return and gift card stay with their amounts, all under one
    // fresh pseudonym that appears nowhere else, and the delivery country stays for VAT.
    const kept = (await s.winkel.db.execute<{ id: string; total: number; captured_total: number; refunded_total: number; email: string | null; customer_id: string; a: Record<string, unknown> | null }>(
      sql`select id, total, captured_total, refunded_total, email, customer_id, shipping_address as a from orders where id = any(${textArray([orderId, tillOrderId])}) order by id`,
    )).rows;
    expect(kept.map(({ id, total, captured_total, refunded_total }) => ({ id, total, captured_total, refunded_total }))).toEqual(totalsBefore);
    const pseudonym = kept[0].customer_id;
    expect(pseudonym).toMatch(/^cus_/);
    expect(pseudonym).not.toBe(customer.id);
    expect(kept.every((o) => o.customer_id === pseudonym && o.email === null)).toBe(true);
    expect(kept.find((o) => o.id === orderId)!.a).toMatchObject({ name: '[erased]', line1: '[erased]', phone: null, country: 'NL' });
    const [ret] = (await s.winkel.db.execute<{ customer_id: string }>(sql`select customer_id from returns where id = ${returnId}`)).rows;
    expect(ret.customer_id).toBe(pseudonym);
    const [promotion] = (await s.winkel.db.execute<{ name: string; definition: { customerId: string } }>(sql`select name, definition from promotions where id = ${promotionId}`)).rows;
    expect(promotion.definition.customerId).toBe(pseudonym);
    expect(promotion.name).toBe('Goodwill for [erased]');
    // The pseudonym is retired too: a later event about these orders builds no profile.
    const { retiredKeyOf } = await import('../src/modules/customers/identity.js');
    expect((await s.winkel.db.execute(sql`select 1 from retired_identifiers where key = ${retiredKeyOf(`customer_id:${pseudonym}`)}`)).rows.length).toBe(1);

    // They cannot sign in any more, their consent is gone (defaults apply), and the event says so.
    expect((await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: EMAIL, password: 'zebulon-secret-1' } })).status).toBe(401);
    expect((await s.call('GET', '/v1/customer-auth/me', { token: customer.token })).status).toBe(401);
    expect(await hasConsent(s.winkel.db, { email: EMAIL }, 'email')).toBe(false);
    const events = await s.call('GET', '/v1/events?type=customer.erased');
    expect(events.body.data[0]).toMatchObject({ customerId: null, data: { erasureId: r.body.id, customerIds: [customer.id] } });
    // The proof lists the erasure without personal data.
    const list = await s.call('GET', '/v1/privacy/erasures');
    expect(list.body.data[0].id).toBe(r.body.id);
    expect(list.body.data[0].reason).toBe('GDPR request from [erased] (ticket 42)');
    expect(JSON.stringify(list.body)).not.toMatch(/zebulon/i);
  });
});

describe('erasure while a webhook delivery is on its way', () => {
  it('keeps no answer of a receiver that echoes a delivery scrubbed while it was in flight', async () => {
    const EMAIL_IN_FLIGHT = 'ines.inflight@example.com';
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const slowEcho = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!body.includes(EMAIL_IN_FLIGHT)) return void res.end('ok');
        arrived();
        void held.then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(body));
      });
    });
    await new Promise<void>((r) => slowEcho.listen(0, '127.0.0.1', () => r()));
    try {
      const endpoint = await s.call('POST', '/v1/webhook-endpoints', { body: { url: `http://127.0.0.1:${(slowEcho.address() as AddressInfo).port}/slow`, eventTypes: ['customer.signed_up'] } });
      expect(endpoint.status).toBe(201);
      const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: EMAIL_IN_FLIGHT, password: 'inflight-secret-1', name: 'Ines Inflight' } });
      expect(up.status).toBe(201);
      // The sign-up's delivery is with the receiver, which holds its answer; now the person is erased.
      await reached;
      const r = await s.call('POST', '/v1/privacy/erasures', { body: { customerId: up.body.customer.id, reason: 'asked at the desk' } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      release();
      const attempt = await eventually(async () => {
        const rows = (await s.winkel.db.execute<{ response_body: string | null; status_code: number | null }>(sql`
          select a.response_body, a.status_code from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = ${endpoint.body.id}`)).rows;
        return rows.find((x) => x.status_code === 200);
      });
      expect(attempt.response_body).toBeNull();
      expect(await whereFound(EMAIL_IN_FLIGHT)).toEqual([]);
    } finally {
      release();
      slowEcho.closeAllConnections();
      await new Promise((r) => slowEcho.close(r));
      await s.call('DELETE', `/v1/webhook-endpoints/${(await s.call('GET', '/v1/webhook-endpoints')).body.data.find((e: { url: string }) => e.url.endsWith('/slow'))?.id}`);
    }
  });
});

describe('erasure of a guest who checked out with an Idempotency-Key', () => {
  it('deletes the stored answer of their checkout, made with the shop front’s key, which no text search could find', async () => {
    const key = await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'guest shop' } });
    expect(key.status).toBe(201);
    const shop = shopFront(s, key.body.token);
    const principal = `publishable_key:${key.body.apiKey.id}`;
    const dc = (await s.call('POST', '/v1/locations', { body: { code: 'GUEST-DC', name: 'Guest DC', type: 'warehouse' } })).body.id;
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId: dc, type: 'receipt', quantity: 5 } });
    const cart = (await shop('POST', '/v1/carts', { body: { channel: 'web', email: 'gideon.guest@example.com' } })).body;
    expect((await shop('POST', `/v1/carts/${cart.id}/lines`, { body: { sku: 'MUG', quantity: 1 } })).status).toBe(200);
    const order = await shop('POST', `/v1/carts/${cart.id}/checkout`, {
      headers: { 'idempotency-key': 'gideon-checkout' },
      body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress: { name: 'Gideon Guest', line1: 'Gastpad 3', postalCode: '4321 GG', city: 'Delft', country: 'NL' } },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(await storedAnswer(principal, 'gideon-checkout')).toHaveLength(1);

    const r = await s.call('POST', '/v1/privacy/erasures', { body: { email: 'gideon.guest@example.com', reason: 'Guest asked by e-mail' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await storedAnswer(principal, 'gideon-checkout')).toEqual([]);
  });
});

describe('erasure of a visitor known only by their browser', () => {
  it('finds their events, consent and profile by the anonymous id, or takes a profile staff name whole', async () => {
    const visit = (anonymousId: string, email: string) =>
      s.call('POST', '/v1/collect/batch', {
        token: pk,
        body: { batch: [{ type: 'page', anonymousId, name: 'Home' }, { type: 'identify', anonymousId, traits: { email, name: 'Vera Visitor' } }] },
      });
    expect((await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: 'anon-vera-31', consents: [{ purpose: 'personalisation', granted: true }] } })).status).toBe(200);
    expect((await visit('anon-vera-31', 'vera.visitor@example.com')).body.accepted).toBe(2);
    expect((await visit('anon-wim-47', 'wim.visitor@example.com')).body.accepted).toBe(2);
    const profileOf = async (anonymousId: string) => (await s.call('GET', `/v1/profiles/lookup?anonymousId=${anonymousId}`)).body.id as string;
    const wim = await profileOf('anon-wim-47');
    await eventually(async () => (await whereFound('anon-vera-31')).includes('public.outbox_events.data'));

    const byBrowser = await s.call('POST', '/v1/privacy/erasures', { body: { anonymousId: 'anon-vera-31', reason: 'Asked through the cookie banner' } });
    expect(byBrowser.status, JSON.stringify(byBrowser.body)).toBe(201);
    // The consent.changed event named only the anonymous id: it is scrubbed too.
    expect(await whereFound('anon-vera-31')).toEqual([]);
    // The e-mail the visitor typed into a form is a trace on their records, which are gone.
    expect(await whereFound('vera.visitor@example.com')).toEqual([]);

    const byProfile = await s.call('POST', '/v1/privacy/erasures', { body: { profileId: wim, reason: 'Profile named by the service desk' } });
    expect(byProfile.status, JSON.stringify(byProfile.body)).toBe(201);
    expect(byProfile.body.summary.modules.profiles.profiles).toBe(1);
    expect(await whereFound('anon-wim-47')).toEqual([]);
    expect((await s.winkel.db.execute(sql`select 1 from profile_identifiers where key = 'email:wim.visitor@example.com'`)).rows).toEqual([]);
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

    // A store visit reported by the app, or by a till: not recorded. The app's shop-front key is
    // told nothing (that the customer was erased is not its to know); the till is told.
    const visit = await s.call('POST', '/v1/collect/store-visit', { token: pk, body: { storeId: 'AMS', method: 'scan', customerId: lateId } });
    expect(visit.status).toBe(200);
    expect(visit.body).toEqual({ accepted: true, profileId: null });
    const atTill = await s.call('POST', '/v1/collect/store-visit', { body: { storeId: 'AMS', method: 'scan', customerId: lateId } });
    expect(atTill.body).toEqual({ accepted: false, profileId: null });

    // A business event about them that committed after the erasure (say, a checkout under way).
    await s.winkel.db.transaction((tx) =>
      emit(tx, { type: 'order.placed', aggregateType: 'order', aggregateId: 'ord_late', customerId: lateId, data: { payAtPickup: false, customer: { id: lateId, email: LATE_EMAIL }, order: { id: 'ord_late', channel: 'web', storeId: null, total: 1250, currency: 'EUR', note: null, lines: [] } } }),
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
      body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress: { name: VICTIM_NAME, line1: VICTIM_STREET, postalCode: '9999 ZZ', city: 'Utrecht', country: 'NL' } },
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

  it('does not tell a shop front whose profile a store visit naming the victim joined', async () => {
    const store = (await s.call('POST', '/v1/locations', { body: { code: 'VISIT', name: 'Visit store', type: 'store' } })).body.id;
    const visit = (token: string | undefined) => s.call('POST', '/v1/collect/store-visit', { token, body: { storeId: store, method: 'geofence', customerId: victim.id } });
    const claimed = await visit(pk);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body).toEqual({ accepted: true, profileId: null });
    // A till (staff) reporting the same visit learns the profile, as its clienteling needs.
    const told = await visit(undefined);
    expect(told.body.profileId).toMatch(/^prf_/);
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
