// Order notes: the customer's note given at checkout is kept on the order (a note that is too long is
// refused before anything happens); staff add internal notes and notes for the customer, each with
// its author and time, append-only, announced as `order.note_added` (event log, webhooks, the
// customer's timeline); store-scoped staff only for their stores' orders; the customer sees only
// the notes meant for them, on their own order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from './helpers/receiver.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk = '';
let guest: ShopFront;
let dc = '';
let gent = '';
let delft = '';
let gentManager = '';
let delftManager = '';
let gentManagerId = '';
let adminId = '';
let customer = { id: '', token: '' };
let n = 0;
const CARD = { method: 'test_card', cardNumber: '4242424242424242' };

beforeAll(async () => {
  s = await startTestServer({ webhookRetryBaseSeconds: 0.2, webhookAllowPrivate: true });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'Central DC', type: 'warehouse' } })).body.id;
  gent = (await s.call('POST', '/v1/locations', { body: { code: 'GENT', name: 'Winkel Gent', type: 'store', pickup: true } })).body.id;
  delft = (await s.call('POST', '/v1/locations', { body: { code: 'DELFT', name: 'Winkel Delft', type: 'store', pickup: true } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Spotty mug' }, variants: [{ sku: 'MUG' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'MUG', amount: 500 }] } });
  for (const [locationId, quantity] of [[dc, 50], [gent, 10]] as const) await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId, type: 'receipt', quantity } });
  for (const [email, storeId] of [['gent@test.example', gent], ['delft@test.example', delft]] as const) {
    expect((await s.call('POST', '/v1/staff-users', { body: { email, name: email, role: 'store_manager', password: 'manager-pass-1', storeIds: [storeId] } })).status).toBe(201);
  }
  const gentSignIn = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'gent@test.example', password: 'manager-pass-1' } })).body;
  gentManager = gentSignIn.token;
  gentManagerId = gentSignIn.user.id;
  delftManager = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'delft@test.example', password: 'manager-pass-1' } })).body.token;
  adminId = (await s.call('GET', '/v1/staff-users')).body.data.find((u: { email: string }) => u.email === s.adminEmail).id;
  const up = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'lotte@example.com', password: 'lotte-secret-1', name: 'Lotte' } })).body;
  customer = { id: up.customer.id, token: up.token };
});
afterAll(() => s?.close());

async function cartOf(lines: Array<Record<string, unknown>>, token = pk, email: string | undefined = 'notes@example.com') {
  const cart = (await guest('POST', '/v1/carts', { token, body: { channel: 'web', ...(email ? { email } : {}) } })).body;
  for (const l of lines) expect((await guest('POST', `/v1/carts/${cart.id}/lines`, { token, body: l })).status).toBe(200);
  return cart.id as string;
}
const checkout = (cartId: string, body: Record<string, unknown>, token = pk) => guest('POST', `/v1/carts/${cartId}/checkout`, { token, body: { payment: CARD, acceptCurrentPrice: true, ...body }, headers: { 'idempotency-key': `notes-${++n}` } });
async function order(lines: Array<Record<string, unknown>> = [{ sku: 'MUG', quantity: 1 }], token = pk, extra: Record<string, unknown> = {}) {
  const r = await checkout(await cartOf(lines, token, token === pk ? 'notes@example.com' : undefined), extra, token);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; note: string | null; customerId: string | null };
}
const addNote = (orderId: string, body: Record<string, unknown>, token?: string) => s.call('POST', `/v1/orders/${orderId}/notes`, { body, token });
const notesOf = (orderId: string, token?: string) => s.call('GET', `/v1/orders/${orderId}/notes`, { token });
const reservedAtDc = async () => (await s.call('GET', '/v1/stock?sku=MUG')).body.data.find((l: { locationId: string }) => l.locationId === dc).reserved as number;

describe('the customer’s note at checkout', () => {
  it('is kept on the order, trimmed, and told in order.placed', async () => {
    const o = await order(undefined, pk, { note: '  Ring the neighbour’s bell (nr. 12) if nobody opens.  \n' });
    expect(o.note).toBe('Ring the neighbour’s bell (nr. 12) if nobody opens.');
    expect((await s.call('GET', `/v1/orders/${o.id}`)).body.note).toBe('Ring the neighbour’s bell (nr. 12) if nobody opens.');
    const placed = (await s.call('GET', `/v1/events?type=order.placed&aggregateId=${o.id}`)).body.data[0];
    expect(placed.data.order.note).toBe('Ring the neighbour’s bell (nr. 12) if nobody opens.');
    // No note, or only blanks: none.
    expect((await order()).note).toBeNull();
    expect((await order(undefined, pk, { note: '   ' })).note).toBeNull();
  });

  it('refuses a note over 1,000 characters with a 400 naming /note, and creates nothing', async () => {
    const cartId = await cartOf([{ sku: 'MUG', quantity: 2 }]);
    const reserved = await reservedAtDc();
    const ordersBefore = (await s.call('GET', '/v1/orders?email=notes@example.com&limit=200')).body.data.length;
    const r = await checkout(cartId, { note: 'x'.repeat(1001) });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('validation');
    expect(JSON.stringify(r.body.errors)).toContain('/note');
    // The cart is open and untouched, nothing is reserved or charged, there is no order.
    expect((await guest('GET', `/v1/carts/${cartId}`, { token: pk })).body.status).toBe('open');
    expect(await reservedAtDc()).toBe(reserved);
    expect((await s.call('GET', '/v1/orders?email=notes@example.com&limit=200')).body.data.length).toBe(ordersBefore);
    // Exactly 1,000 characters is fine.
    const ok = await checkout(cartId, { note: 'y'.repeat(1000) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.note).toHaveLength(1000);
  });
});

describe('staff notes', () => {
  it('adds internal and customer notes with author and UTC time, lists them newest first, never edits them', async () => {
    const o = await order();
    const before = Date.now();
    const first = await addNote(o.id, { body: '  Customer phoned: leave the parcel at the back door.  ' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ orderId: o.id, body: 'Customer phoned: leave the parcel at the back door.', visibility: 'internal', author: { type: 'staff', id: adminId, label: s.adminEmail } });
    expect(first.body.id).toMatch(/^note_/);
    expect(first.body.createdAt).toMatch(/Z$/);
    expect(Date.parse(first.body.createdAt)).toBeGreaterThanOrEqual(before - 5_000);
    const second = await addNote(o.id, { body: 'Your parcel leaves tomorrow morning.', visibility: 'customer' });
    expect(second.status).toBe(201);
    expect(second.body.visibility).toBe('customer');

    const list = await notesOf(o.id);
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([second.body.id, first.body.id]);
    expect(list.body.hasMore).toBe(false);
    const paged = (await s.call('GET', `/v1/orders/${o.id}/notes?limit=1`)).body;
    expect(paged.data.map((x: { id: string }) => x.id)).toEqual([second.body.id]);
    expect((await s.call('GET', `/v1/orders/${o.id}/notes?limit=1&cursor=${paged.nextCursor}`)).body.data.map((x: { id: string }) => x.id)).toEqual([first.body.id]);

    // Staff actions are audited.
    const audit = (await s.call('GET', `/v1/audit-log?resourceId=${o.id}`)).body.data;
    expect(audit.filter((a: { action: string }) => a.action === 'order.add_note')).toHaveLength(2);
    // Append-only: there is no route to change or remove a note.
    expect((await s.call('PATCH', `/v1/orders/${o.id}/notes/${first.body.id}`, { body: { body: 'rewritten' } })).status).toBe(404);
    expect((await s.call('DELETE', `/v1/orders/${o.id}/notes/${first.body.id}`)).status).toBe(404);
    expect((await notesOf(o.id)).body.data.map((x: { body: string }) => x.body)).toEqual(['Your parcel leaves tomorrow morning.', 'Customer phoned: leave the parcel at the back door.']);
  });

  it('refuses an empty or too long note and an unknown visibility (400), and an unknown order (404)', async () => {
    const o = await order();
    for (const body of [{ body: '   ' }, { body: 'z'.repeat(2001) }, { body: 'hello', visibility: 'everyone' }, {}]) {
      const r = await addNote(o.id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation');
    }
    expect((await notesOf(o.id)).body.data).toHaveLength(0);
    expect((await addNote('ord_00000000000000000000000000', { body: 'lost' })).status).toBe(404);
    expect((await notesOf('ord_00000000000000000000000000')).status).toBe(404);
  });

  it('lets store-scoped staff read and note only the orders of their stores', async () => {
    // Collected in Gent: a Gent order. Delft's manager may not read or add its notes.
    const o = await order([{ sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: gent }]);
    const theirs = await addNote(o.id, { body: 'Delft was here' }, delftManager);
    expect(theirs.status).toBe(403);
    expect(theirs.headers.get('content-type')).toContain('application/problem+json');
    expect((await notesOf(o.id, delftManager)).status).toBe(403);
    // Nor read the order itself, which their order list does not show either.
    const read = await s.call('GET', `/v1/orders/${o.id}`, { token: delftManager });
    expect(read.status).toBe(403);
    expect(read.headers.get('content-type')).toContain('application/problem+json');
    expect((await s.call('GET', '/v1/orders?limit=200', { token: delftManager })).body.data.map((x: { id: string }) => x.id)).not.toContain(o.id);
    expect((await s.call('GET', `/v1/orders/${o.id}`, { token: gentManager })).status).toBe(200);
    // Nor anything else about it: its receipt, payments, fulfilments, or a change to it.
    const line = (await s.call('GET', `/v1/orders/${o.id}`)).body.lines[0].id;
    for (const [method, path, body] of [
      ['GET', `/v1/orders/${o.id}/receipt`],
      ['GET', `/v1/orders/${o.id}/receipt.pdf`],
      ['GET', `/v1/orders/${o.id}/payments`],
      ['GET', `/v1/orders/${o.id}/fulfilments`],
      ['POST', `/v1/orders/${o.id}/payments/capture`, {}],
      ['POST', `/v1/orders/${o.id}/payments/void`, {}],
      ['POST', `/v1/orders/${o.id}/payments/refund`, { amount: 100, reason: 'goodwill' }],
      ['POST', `/v1/orders/${o.id}/lines/${line}/cancel`, {}],
      ['POST', `/v1/orders/${o.id}/pickup-store`, { locationId: delft }],
    ] as const) {
      const r = await s.call(method, path, { token: delftManager, body, headers: { 'idempotency-key': `scope-${++n}` } });
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(403);
    }
    expect((await s.call('GET', `/v1/orders/${o.id}/receipt`, { token: gentManager })).status).toBe(200);
    expect((await s.call('GET', `/v1/orders/${o.id}/payments`, { token: gentManager })).status).toBe(200);
    expect((await s.call('GET', `/v1/orders/${o.id}/fulfilments`, { token: gentManager })).status).toBe(200);
    const after = (await s.call('GET', `/v1/orders/${o.id}`)).body;
    expect(after.lines[0].status).not.toBe('cancelled');
    const ours = await addNote(o.id, { body: 'Put aside behind the counter.' }, gentManager);
    expect(ours.status, JSON.stringify(ours.body)).toBe(201);
    expect(ours.body.author).toMatchObject({ type: 'staff', id: gentManagerId, label: 'gent@test.example' });
    expect((await notesOf(o.id, gentManager)).body.data).toHaveLength(1);
    // A home delivery from the DC belongs to neither store.
    const home = await order();
    expect((await addNote(home.id, { body: 'not mine' }, gentManager)).status).toBe(403);
    expect((await s.call('GET', `/v1/orders/${home.id}`, { token: gentManager })).status).toBe(403);
    expect((await s.call('GET', `/v1/orders/${home.id}`)).status).toBe(200);
    // A publishable key (a shop front) cannot add or read notes.
    expect((await addNote(o.id, { body: 'shop' }, pk)).status).toBe(403);
    expect((await notesOf(o.id, pk)).status).toBe(403);
  });

  it('announces each note as order.note_added: in the event log, to webhooks, and in the customer’s timeline', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['order.note_added'] } })).body;
      const o = await order(undefined, customer.token);
      expect(o.customerId).toBe(customer.id);
      const note = (await addNote(o.id, { body: 'Gift wrap requested by phone.', visibility: 'customer' })).body;
      const events = (await s.call('GET', `/v1/events?type=order.note_added&aggregateId=${o.id}`)).body.data;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'order.note_added', customerId: customer.id, aggregate: { type: 'order', id: o.id }, actor: { type: 'staff', id: adminId } });
      expect(events[0].data).toMatchObject({ orderId: o.id, note: { id: note.id, body: 'Gift wrap requested by phone.', visibility: 'customer' } });
      const delivered = await eventually(async () => receiver.received.map((r) => JSON.parse(r.body)).find((e: { data: { note?: { id: string } } }) => e.data.note?.id === note.id));
      expect(delivered.type).toBe('order.note_added');
      expect(receiver.received[0].headers['winkel-event-type']).toBe('order.note_added');
      expect((await s.call('GET', `/v1/webhook-deliveries?endpointId=${endpoint.id}`)).body.data[0].eventType).toBe('order.note_added');
      // The order's history in the customer's profile.
      const profile = await eventually(async () => (await s.call('GET', `/v1/profiles/lookup?customerId=${customer.id}`)).body?.id as string | undefined);
      const entry = await eventually(async () => ((await s.call('GET', `/v1/profiles/${profile}/timeline?type=order.note_added`)).body.data as Array<{ data: { note?: { id: string } } }>).find((e) => e.data.note?.id === note.id));
      expect(entry).toBeTruthy();
    } finally {
      await receiver.close();
    }
  });
});

describe('what the customer sees', () => {
  it('only the notes meant for them, on their own order, without who wrote them', async () => {
    const o = await order(undefined, customer.token, { note: 'Please no plastic.' });
    await addNote(o.id, { body: 'Customer seemed upset; offer a voucher if they call.' });
    const forThem = (await addNote(o.id, { body: 'Sorry for the wait: your order ships on Monday.', visibility: 'customer' })).body;
    const mine = await notesOf(o.id, customer.token);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([{ id: forThem.id, orderId: o.id, body: 'Sorry for the wait: your order ships on Monday.', visibility: 'customer', author: { type: 'staff', id: null, label: null }, createdAt: forThem.createdAt }]);
    // Their own checkout note is on their order.
    expect((await s.call('GET', `/v1/orders/${o.id}`, { token: customer.token })).body.note).toBe('Please no plastic.');
    // Staff see both.
    expect((await notesOf(o.id)).body.data).toHaveLength(2);
    // Another customer sees nothing of it.
    const other = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'nosy@example.com', password: 'nosy-secret-1' } })).body.token;
    expect((await notesOf(o.id, other)).status).toBe(403);
    // A customer cannot write notes.
    expect((await addNote(o.id, { body: 'from me' }, customer.token)).status).toBe(403);
  });
});
