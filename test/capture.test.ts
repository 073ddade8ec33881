// When money is captured, through the API on a real database (docs/commerce.md, "When money is
// captured"): a sale at a till, kiosk or scan & go whose goods are carried out at the counter is
// complete at once (captured, sold in the stock ledger, fulfilled, returnable); cash and the card
// terminal are captured at the sale; an online card when the goods leave, for what left (a partial
// shipment its part, a click & collect at the handover); an authorisation that expired before the
// goods left is renewed, or the goods do not leave and the order asks for attention; and a capture
// step retried after it failed half-way takes the money once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCardGateway } from '../src/modules/payments/providers.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk = '';
let dc = '';
let ams = '';
let associate = '';
let lampId = '';
let n = 0;
const CARD = { method: 'test_card', cardNumber: '4242424242424242' };
const NO_RENEWAL = { method: 'test_card', cardNumber: '4000000000000341' };
const PENDING = { method: 'test_card', cardNumber: '4000000000003220' };
const ADDRESS = { name: 'Lotte de Vries', line1: 'Keizersgracht 1', postalCode: '1015 CJ', city: 'Amsterdam', country: 'NL' };

beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'Central DC', type: 'warehouse' } })).body.id;
  ams = (await s.call('POST', '/v1/locations', { body: { code: 'AMS', name: 'Winkel Amsterdam', type: 'store', pickup: true } })).body.id;
  lampId = (await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Lamp' }, variants: [{ sku: 'LAMP' }] } })).body.variants[0].id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Mug' }, variants: [{ sku: 'MUG' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'LAMP', amount: 2500 }, { sku: 'MUG', amount: 800 }] } });
  for (const [sku, locationId] of [['LAMP', dc], ['LAMP', ams], ['MUG', dc], ['MUG', ams]] as const) await s.call('POST', '/v1/stock/movements', { body: { sku, locationId, type: 'receipt', quantity: 100 } });
  await s.call('POST', '/v1/staff-users', { body: { email: 'till@test.example', name: 'Till', role: 'store_associate', password: 'associate-pass-1', storeIds: [ams] } });
  associate = (await s.call('POST', '/v1/auth/sign-in', { token: null, body: { email: 'till@test.example', password: 'associate-pass-1' } })).body.token;
});
afterAll(() => s?.close());

type Line = { sku: string; quantity: number; fulfilment?: 'delivery' | 'pickup'; pickupLocationId?: string };

/** A cart at the Amsterdam till (or kiosk, scan & go), started by the associate. */
async function tillCart(lines: Line[], channel = 'pos') {
  const cart = (await s.call('POST', '/v1/carts', { token: associate, body: { channel, storeId: ams, email: 'shopper@example.com' } })).body;
  for (const l of lines) expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: associate, body: l })).status).toBe(200);
  return cart.id as string;
}
/** Guest carts' secrets (docs/commerce.md, "Whose cart it is"), as the shop's browser keeps them. */
const secrets = new Map<string, string>();
const secretOf = (cartId: string): Record<string, string> => (secrets.has(cartId) ? { 'winkel-cart-secret': secrets.get(cartId)! } : {});
/** A checkout at the price the shopper was shown (the cart's current one). */
const checkout = (cartId: string, body: Record<string, unknown>, token = associate, key = `k-${++n}`) =>
  s.call('POST', `/v1/carts/${cartId}/checkout`, { token, body: { acceptCurrentPrice: true, ...body }, headers: { 'idempotency-key': key, ...secretOf(cartId) } });

async function webOrder(lines: Line[], payment: Record<string, unknown> = CARD) {
  const cart = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'web@example.com' } })).body;
  secrets.set(cart.id, cart.secret);
  for (const l of lines) expect((await s.call('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: l, headers: secretOf(cart.id) })).status).toBe(200);
  const r = await checkout(cart.id, { payment, shippingAddress: ADDRESS }, pk);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

const order = async (id: string) => (await s.call('GET', `/v1/orders/${id}`)).body;
const ledger = async (id: string) => (await s.call('GET', `/v1/orders/${id}/payments`)).body.payments as Array<{ id: string; provider: string; kind: string; status: string; amount: number; parentId: string | null; providerReference: string | null; reason: string | null; failureCode: string | null }>;
const rows = async (id: string) => (await ledger(id)).map((p) => `${p.provider}:${p.kind}:${p.status}:${p.amount}`);
const fulfilmentsOf = async (orderId: string) => (await s.call('GET', `/v1/orders/${orderId}/fulfilments`)).body.data;
const act = (id: string, step: string, body?: unknown) => s.call('POST', `/v1/fulfilments/${id}/${step}`, { body });
const level = async (sku: string, locationId: string) => (await s.call('GET', `/v1/stock?sku=${sku}`)).body.data.find((l: { locationId: string }) => l.locationId === locationId);
const eventTypes = (aggregateId: string) => eventually(async () => (await s.call('GET', `/v1/events?aggregateId=${aggregateId}&limit=200`)).body.data.map((e: { type: string }) => e.type).reverse() as string[]);
/** What the test gateway holds for an authorisation (its own books, not Winkel's ledger). */
const atGateway = async (reference: string) => (await s.winkel.db.execute<{ captured: string; voided: string; refunded: string }>(sql`select captured, voided, refunded from test_gateway_authorisations where reference = ${reference}`)).rows.map((r) => ({ captured: Number(r.captured), voided: Number(r.voided), refunded: Number(r.refunded) }))[0];
/** The gateway's clock runs past the authorisation's lifetime (7 days). */
const expireAtGateway = (reference: string) => s.winkel.db.execute(sql`update test_gateway_authorisations set expires_at = now() - interval '1 minute' where reference = ${reference}`);
const firstAuthorisation = async (orderId: string) => (await ledger(orderId)).find((p) => p.kind === 'authorisation')!;

async function packed(orderId: string) {
  const [f] = await fulfilmentsOf(orderId);
  expect((await act(f.id, 'pick')).status).toBe(200);
  expect((await act(f.id, 'pack')).status).toBe(200);
  return f.id as string;
}
async function readyWithCode(fulfilmentId: string) {
  expect((await act(fulfilmentId, 'ready')).status).toBe(200);
  const [row] = (await s.winkel.db.execute<{ pickup_code: string }>(sql`select pickup_code from fulfilments where id = ${fulfilmentId}`)).rows;
  return row.pickup_code;
}

/** The next capture row fails to be written once, as if the process died after asking the provider. */
async function failNextCaptureOnce() {
  await s.winkel.db.execute(sql`drop trigger if exists capture_dies_once on payments`);
  await s.winkel.db.execute(sql`drop sequence if exists capture_dies_once_seq`);
  await s.winkel.db.execute(sql`create sequence capture_dies_once_seq`);
  await s.winkel.db.execute(
    sql.raw(`create or replace function capture_dies_once() returns trigger language plpgsql as $$
      begin
        if new.kind = 'capture' and nextval('capture_dies_once_seq') = 1 then raise exception 'the process died before the capture was recorded'; end if;
        return new;
      end $$`),
  );
  await s.winkel.db.execute(sql`create trigger capture_dies_once before insert on payments for each row execute function capture_dies_once()`);
}
const stopFailing = () => s.winkel.db.execute(sql`drop trigger if exists capture_dies_once on payments`);

describe('a sale at the till, carried out at the counter', () => {
  it('paid in cash is complete at once: captured, sold in the stock ledger, no reservation left, and returnable', async () => {
    const before = await level('LAMP', ams);
    const cartId = await tillCart([{ sku: 'LAMP', quantity: 2 }]);
    const r = await checkout(cartId, { tenders: [{ method: 'cash', tendered: 6000 }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'completed', total: 5000, capturedTotal: 5000, refundedTotal: 0, outstandingTotal: 0, amountDue: 0, paymentAttention: null, lines: [{ status: 'fulfilled' }] });
    expect(await rows(r.body.id)).toEqual(['cash:authorisation:succeeded:5000', 'cash:capture:succeeded:5000']);

    // The stock ledger has the sale, and nothing stays reserved for an expiry job to give back.
    expect(await level('LAMP', ams)).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    const sale = (await s.call('GET', `/v1/stock/movements?variantId=${lampId}&locationId=${ams}`)).body.data[0];
    expect(sale).toMatchObject({ type: 'sale', onHandDelta: -2, reservedDelta: -2 });
    const reservations = (await s.winkel.db.execute<{ status: string }>(sql`select status from reservations where reference = ${cartId}`)).rows;
    expect(reservations.map((x) => x.status)).toEqual(['converted']);
    expect(await fulfilmentsOf(r.body.id)).toEqual([]);
    const types = await eventTypes(r.body.id);
    for (const t of ['order.placed', 'order.handed_over', 'order.completed', 'payment.captured']) expect(types).toContain(t);
    expect(types.indexOf('order.placed')).toBeLessThan(types.indexOf('order.completed'));

    // Brought back the next day: accepted at the store and refunded in cash.
    const back = await s.call('POST', '/v1/returns', { token: associate, body: { orderId: r.body.id, method: 'in_store', locationId: ams, lines: [{ orderLineId: r.body.lines[0].id, quantity: 1, reason: 'changed_mind', outcome: 'restock' }] } });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(back.body.return.status).toBe('refunded');
    expect(await order(r.body.id)).toMatchObject({ capturedTotal: 5000, refundedTotal: 2500, outstandingTotal: 0 });
    expect((await ledger(r.body.id)).filter((p) => p.kind === 'refund').map((p) => `${p.provider}:${p.amount}`)).toEqual(['cash:2500']);
  });

  it('on the card terminal, at the till, a kiosk and scan & go, is complete and captured at once', async () => {
    for (const channel of ['pos', 'kiosk', 'scan_go']) {
      const r = await checkout(await tillCart([{ sku: 'MUG', quantity: 1 }], channel), { tenders: [{ method: 'card_present', fingerprint: `fp_${channel}`, last4: '4321' }] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body, channel).toMatchObject({ channel, status: 'completed', capturedTotal: 800, outstandingTotal: 0, lines: [{ status: 'fulfilled' }] });
      expect(await rows(r.body.id)).toEqual(['card_present:authorisation:succeeded:800', 'card_present:capture:succeeded:800']);
    }
  });

  it('split over a gift card and cash captures both tenders at once', async () => {
    const gc = (await s.call('POST', '/v1/gift-cards', { body: { amount: 1000 } })).body;
    const r = await checkout(await tillCart([{ sku: 'LAMP', quantity: 1 }]), { tenders: [{ method: 'gift_card', code: gc.code }, { method: 'cash', tendered: 2000 }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'completed', capturedTotal: 2500, outstandingTotal: 0 });
    expect(await rows(r.body.id)).toEqual(['gift_card:authorisation:succeeded:1000', 'cash:authorisation:succeeded:1500', 'cash:capture:succeeded:1500', 'gift_card:capture:succeeded:1000']);
  });

  it('with a line delivered at home (endless aisle): that line follows the normal flow; the cash is captured at the sale', async () => {
    const r = await checkout(await tillCart([{ sku: 'LAMP', quantity: 1 }, { sku: 'MUG', quantity: 1, fulfilment: 'delivery' }]), { tenders: [{ method: 'cash' }], shippingAddress: ADDRESS });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'placed', capturedTotal: 3300, outstandingTotal: 0 });
    expect(r.body.lines.map((l: { sku: string; status: string }) => `${l.sku}:${l.status}`).sort()).toEqual(['LAMP:fulfilled', 'MUG:reserved']);
    const [f] = await fulfilmentsOf(r.body.id);
    expect(f).toMatchObject({ locationId: dc, method: 'delivery', lines: [{ sku: 'MUG' }] });
    await packed(r.body.id);
    expect((await act(f.id, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-EA1' })).status).toBe(200);
    // Nothing more to take: the cash was captured in full at the till.
    expect(await order(r.body.id)).toMatchObject({ status: 'completed', capturedTotal: 3300 });
    expect((await ledger(r.body.id)).filter((p) => p.kind === 'capture')).toHaveLength(1);
  });

  it('with a line collected at another store: that line waits for its hand-over there; the card terminal is captured at the sale', async () => {
    const utr = (await s.call('POST', '/v1/locations', { body: { code: 'UTR', name: 'Winkel Utrecht', type: 'store', pickup: true } })).body.id;
    await s.call('POST', '/v1/stock/movements', { body: { sku: 'MUG', locationId: utr, type: 'receipt', quantity: 5 } });
    const r = await checkout(await tillCart([{ sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: utr }]), { tenders: [{ method: 'card_present', fingerprint: 'fp_utr', last4: '9999' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ status: 'placed', capturedTotal: 800, outstandingTotal: 0, lines: [{ status: 'reserved', locationId: utr }] });
    const [f] = await fulfilmentsOf(r.body.id);
    expect(f).toMatchObject({ locationId: utr, method: 'pickup', status: 'open' });
    const code = await readyWithCode(f.id);
    expect((await act(f.id, 'handover', { code })).status).toBe(200);
    expect(await order(r.body.id)).toMatchObject({ status: 'completed', capturedTotal: 800 });
    expect((await ledger(r.body.id)).filter((p) => p.kind === 'capture')).toHaveLength(1);
  });

  it('refuses a payment still pending at the provider, since the goods leave now, and keeps nothing', async () => {
    const cartId = await tillCart([{ sku: 'LAMP', quantity: 1 }]);
    const reserved = (await level('LAMP', ams)).reserved;
    const r = await checkout(cartId, { payment: PENDING });
    expect(r.status).toBe(402);
    expect(r.body).toMatchObject({ code: 'payment_failed', failureCode: 'payment_pending' });
    expect((await s.call('GET', `/v1/carts/${cartId}`, { token: associate })).body.status).toBe('open');
    expect((await level('LAMP', ams)).reserved).toBe(reserved);
  });
});

describe('an online card', () => {
  it('is captured when goods leave: a shipment captures its part (with the shipping), the click & collect the rest at the handover', async () => {
    const o = await webOrder([{ sku: 'LAMP', quantity: 1 }, { sku: 'MUG', quantity: 2, fulfilment: 'pickup', pickupLocationId: ams }]);
    expect(o).toMatchObject({ total: 2500 + 1600 + 495, capturedTotal: 0, outstandingTotal: 4595, amountDue: 0 });
    const fs = await fulfilmentsOf(o.id);
    const delivery = fs.find((f: { method: string }) => f.method === 'delivery');
    const pickup = fs.find((f: { method: string }) => f.method === 'pickup');
    const reference = (await firstAuthorisation(o.id)).providerReference!;

    await act(delivery.id, 'pick');
    await act(delivery.id, 'pack');
    expect(await order(o.id)).toMatchObject({ capturedTotal: 0 });
    expect((await act(delivery.id, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-P1' })).status).toBe(200);
    expect(await order(o.id)).toMatchObject({ status: 'placed', capturedTotal: 2995, outstandingTotal: 1600 });
    expect(await atGateway(reference)).toEqual({ captured: 2995, voided: 0, refunded: 0 });
    const capture = (await ledger(o.id)).find((p) => p.kind === 'capture')!;
    expect(capture).toMatchObject({ amount: 2995, reason: null });
    expect((await s.call('GET', `/v1/orders/${o.id}/payments`)).body.payments.find((p: { kind: string }) => p.kind === 'capture').reference).toBe(delivery.id);

    const code = await readyWithCode(pickup.id);
    expect((await act(pickup.id, 'handover', { code })).status).toBe(200);
    expect(await order(o.id)).toMatchObject({ status: 'completed', capturedTotal: 4595, outstandingTotal: 0 });
    expect(await atGateway(reference)).toEqual({ captured: 4595, voided: 0, refunded: 0 });
  });

  it('is not taken while it is pending at the provider: the parcel waits until it settles', async () => {
    const o = await webOrder([{ sku: 'LAMP', quantity: 1 }], PENDING);
    const f = await packed(o.id);
    const early = await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-P2' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'payment_not_captured', shortfall: 2995, pending: 2995 });
    expect((await s.call('GET', `/v1/fulfilments/${f}`)).body.status).toBe('packed');
    const hook = new TestCardGateway(s.config.testGatewaySecret).signWebhook({ reference: (await firstAuthorisation(o.id)).providerReference!, status: 'succeeded' });
    expect((await fetch(`${s.url}/v1/payments/webhooks/test_card`, { method: 'POST', headers: { 'content-type': 'application/json', 'winkel-gateway-signature': hook.signature }, body: hook.body })).status).toBe(200);
    expect((await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-P2' })).status).toBe(200);
    expect(await order(o.id)).toMatchObject({ status: 'completed', capturedTotal: 2995 });
  });
});

describe('an authorisation that expired before the goods left', () => {
  it('is renewed at the shipment and the new one captured', async () => {
    const o = await webOrder([{ sku: 'LAMP', quantity: 1 }]);
    const f = await packed(o.id);
    const expired = await firstAuthorisation(o.id);
    await expireAtGateway(expired.providerReference!);
    const shipped = await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-R1' });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    const l = await ledger(o.id);
    expect(l.map((p) => `${p.kind}:${p.status}:${p.amount}`)).toEqual(['authorisation:succeeded:2995', 'void:succeeded:2995', 'authorisation:succeeded:2995', 'capture:succeeded:2995']);
    const [, lapse, renewal, capture] = l;
    expect(lapse).toMatchObject({ parentId: expired.id, reason: 'authorisation expired at the provider' });
    expect(renewal).toMatchObject({ parentId: expired.id, reason: 'renewal of an expired authorisation' });
    expect(capture.parentId).toBe(renewal.id);
    expect(await atGateway(expired.providerReference!)).toEqual({ captured: 0, voided: 0, refunded: 0 });
    expect(await atGateway(renewal.providerReference!)).toEqual({ captured: 2995, voided: 0, refunded: 0 });
    expect(await order(o.id)).toMatchObject({ status: 'completed', capturedTotal: 2995, outstandingTotal: 0, paymentAttention: null });
    const types = await eventTypes(o.id);
    expect(types.filter((t) => t.startsWith('payment.'))).toEqual(['payment.expired', 'payment.reauthorised', 'payment.captured']);
  });

  it('that the issuer will not renew keeps the parcel in the warehouse and asks for attention; cancelling settles it', async () => {
    const o = await webOrder([{ sku: 'LAMP', quantity: 1 }], NO_RENEWAL);
    const f = await packed(o.id);
    await expireAtGateway((await firstAuthorisation(o.id)).providerReference!);
    const reserved = (await level('LAMP', dc)).reserved;
    const refused = await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-R2' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'payment_not_captured', shortfall: 2995, amountDue: 2995 });
    expect((await s.call('GET', `/v1/fulfilments/${f}`)).body.status).toBe('packed');
    expect((await level('LAMP', dc)).reserved).toBe(reserved);
    const attention = await order(o.id);
    expect(attention).toMatchObject({ status: 'placed', capturedTotal: 0, outstandingTotal: 2995, amountDue: 2995, paymentAttention: { reason: 'authorisation_expired', amount: 2995, failureCode: 'card_declined' } });
    expect(await rows(o.id)).toEqual(['test_card:authorisation:succeeded:2995', 'test_card:void:succeeded:2995', 'test_card:authorisation:failed:2995']);
    const event = await eventually(async () => (await s.call('GET', `/v1/events?type=payment.attention_required&aggregateId=${o.id}`)).body.data[0]);
    expect(event).toMatchObject({ customerId: null, data: { orderId: o.id, amountDue: 2995, paymentAttention: { reason: 'authorisation_expired' } } });

    // Asked again, the goods still do not leave, and the issuer is not asked twice.
    expect((await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-R2' })).body.code).toBe('payment_not_captured');
    expect(await ledger(o.id)).toHaveLength(3);

    expect((await act(f, 'cancel', { reason: 'payment expired' })).status).toBe(200);
    expect(await order(o.id)).toMatchObject({ status: 'cancelled', amountDue: 0, outstandingTotal: 0, paymentAttention: null });
  });

  it('of a click & collect is paid at the counter when the issuer will not renew it', async () => {
    const o = await webOrder([{ sku: 'MUG', quantity: 1, fulfilment: 'pickup', pickupLocationId: ams }], NO_RENEWAL);
    const [f] = await fulfilmentsOf(o.id);
    const code = await readyWithCode(f.id);
    const reference = (await firstAuthorisation(o.id)).providerReference!;
    await expireAtGateway(reference);
    const unpaid = await act(f.id, 'handover', { code });
    expect(unpaid.status).toBe(402);
    expect(unpaid.body).toMatchObject({ code: 'payment_required', amountDue: 800 });
    expect(await order(o.id)).toMatchObject({ amountDue: 800, paymentAttention: { reason: 'authorisation_expired', amount: 800 } });

    const paid = await act(f.id, 'handover', { code, tenders: [{ method: 'cash', tendered: 1000 }] });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(await order(o.id)).toMatchObject({ status: 'completed', capturedTotal: 800, outstandingTotal: 0, amountDue: 0, paymentAttention: null });
    expect(await atGateway(reference)).toEqual({ captured: 0, voided: 0, refunded: 0 });
  });
});

describe('a capture step retried', () => {
  it('after the process died before the shipment’s capture was recorded takes the money once', async () => {
    const o = await webOrder([{ sku: 'LAMP', quantity: 1 }]);
    const f = await packed(o.id);
    const reference = (await firstAuthorisation(o.id)).providerReference!;
    await failNextCaptureOnce();
    try {
      const died = await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-X1' });
      expect(died.status).toBe(500);
      // Nothing half-done: not shipped, nothing captured on either side.
      expect((await s.call('GET', `/v1/fulfilments/${f}`)).body.status).toBe('packed');
      expect(await atGateway(reference)).toEqual({ captured: 0, voided: 0, refunded: 0 });
      const again = await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-X1' });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
    } finally {
      await stopFailing();
    }
    expect((await act(f, 'ship', { carrier: 'manual', trackingNumber: 'TRACK-X1' })).body.code).toBe('invalid_transition');
    expect((await ledger(o.id)).filter((p) => p.kind === 'capture').map((p) => p.amount)).toEqual([2995]);
    expect(await atGateway(reference)).toEqual({ captured: 2995, voided: 0, refunded: 0 });
  });

  it('after a till checkout died before its capture: the retried checkout completes it, once', async () => {
    const cartId = await tillCart([{ sku: 'LAMP', quantity: 1 }]);
    const onHand = (await level('LAMP', ams)).onHand;
    const body = { tenders: [{ method: 'card_present', fingerprint: 'fp_retry', last4: '1111', amount: 1000 }, { method: 'cash' }] };
    await failNextCaptureOnce();
    try {
      const died = await checkout(cartId, body, associate, 'till-retry');
      expect(died.status).toBe(500);
      // The order and its sale are in (one transaction); the capture is not.
      const [placed] = (await s.winkel.db.execute<{ id: string; status: string; captured_total: string }>(sql`select id, status, captured_total from orders where cart_id = ${cartId}`)).rows;
      expect(placed).toMatchObject({ status: 'completed', captured_total: '0' });
      const retried = await checkout(cartId, body, associate, 'till-retry');
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retried.body).toMatchObject({ id: placed.id, status: 'completed', capturedTotal: 2500, outstandingTotal: 0 });
      // And once more: nothing left to take.
      expect((await checkout(cartId, body, associate, 'till-retry-2')).status).toBe(200);
      expect(await rows(placed.id)).toEqual(['card_present:authorisation:succeeded:1000', 'cash:authorisation:succeeded:1500', 'card_present:capture:succeeded:1000', 'cash:capture:succeeded:1500']);
    } finally {
      await stopFailing();
    }
    expect((await level('LAMP', ams)).onHand).toBe(onHand - 1);
  });

  it('by staff pressing hand-over at once on two counters captures once', async () => {
    const o = await webOrder([{ sku: 'MUG', quantity: 3, fulfilment: 'pickup', pickupLocationId: ams }]);
    const [f] = await fulfilmentsOf(o.id);
    const code = await readyWithCode(f.id);
    const answers = await Promise.all(Array.from({ length: 6 }, () => act(f.id, 'handover', { code })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 409)).toBe(true);
    expect((await ledger(o.id)).filter((p) => p.kind === 'capture').map((p) => p.amount)).toEqual([2400]);
    expect(await atGateway((await firstAuthorisation(o.id)).providerReference!)).toEqual({ captured: 2400, voided: 0, refunded: 0 });
  });
});
