// Payments over HTTP: an order's payment ledger with capture, refund and void; gift cards; and the
// webhook through which a payment provider settles a pending authorisation.
import Type from 'typebox';
import type { App, WiredContext } from '../../app.js';
import { notFound, unauthorized } from '../../platform/errors.js';
import { IdParam, Page, PageQuery, ref } from '../../platform/http/schemas.js';
import { requestContext, SYSTEM } from '../../platform/context.js';
import { captureOrderPayments, orderPayments, paymentSummary, publicPayment, refundOrderPayments, settleAuthorisation, voidOrderPayments } from './ledger.js';
import * as gift from './gift-cards.js';
import { paymentProviders } from './providers.js';

const tags = ['payments'];
const Cents = (description?: string) => Type.Integer({ minimum: 1, maximum: 100_000_000, description });

export const TenderSchema = Type.Union(
  [
    Type.Object({ method: Type.Literal('test_card'), cardNumber: Type.String({ minLength: 12, maxLength: 23 }), amount: Type.Optional(Cents()) }, { additionalProperties: false }),
    Type.Object({ method: Type.Literal('gift_card'), code: Type.String({ minLength: 4, maxLength: 40 }), amount: Type.Optional(Cents()) }, { additionalProperties: false }),
    Type.Object({ method: Type.Literal('card_present'), fingerprint: Type.String({ minLength: 4, maxLength: 100, description: 'The terminal’s card fingerprint (kept for identity resolution).' }), last4: Type.Optional(Type.String({ pattern: '^\\d{4}$' })), amount: Type.Optional(Cents()) }, { additionalProperties: false }),
    Type.Object({ method: Type.Literal('cash'), tendered: Type.Optional(Cents('What the shopper handed over; change is the difference.')), amount: Type.Optional(Cents()) }, { additionalProperties: false }),
  ],
  { $id: 'Tender', description: 'One tender of a (split) payment. `cash` and `card_present` are for tills (staff sessions and secret keys).' },
);

const Payment = Type.Object(
  {
    id: Type.String({ description: 'pay_…' }),
    provider: Type.String({ description: 'test_card, card_present, cash, gift_card or store_credit' }),
    kind: Type.String({ description: 'authorisation, capture, void or refund' }),
    status: Type.String({ description: 'succeeded, failed or pending' }),
    amount: Type.Integer(),
    currency: Type.String(),
    tenderSeq: Type.Integer({ description: 'Position of the tender in a split payment (1 = charged first; 0 = store credit).' }),
    parentId: Type.Union([Type.String(), Type.Null()], { description: 'The authorisation this row belongs to.' }),
    providerReference: Type.Union([Type.String(), Type.Null()], { description: 'The provider’s id of the payment (what its webhooks name).' }),
    giftCardId: Type.Union([Type.String(), Type.Null()]),
    cardLast4: Type.Union([Type.String(), Type.Null()]),
    failureCode: Type.Union([Type.String(), Type.Null()]),
    reference: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Type.String(), Type.Null()], { description: 'Authorisations: until when the provider holds the money (the test card gateway: 7 days). An authorisation that expired before capture is renewed when the goods leave, or the order shows `paymentAttention`.' }),
    createdAt: Type.String(),
  },
  { $id: 'Payment' },
);
const PaymentSummary = Type.Object(
  {
    authorised: Type.Integer(),
    pending: Type.Integer(),
    captured: Type.Integer(),
    voided: Type.Integer(),
    refunded: Type.Integer(),
    capturable: Type.Integer(),
    refundable: Type.Integer(),
    net: Type.Integer({ description: 'captured − refunded' }),
  },
  { $id: 'PaymentSummary' },
);
const OrderPayments = Type.Object({ orderId: Type.String(), currency: Type.String(), orderTotal: Type.Integer(), summary: ref(PaymentSummary), payments: Type.Array(ref(Payment)) }, { $id: 'OrderPayments' });
const GiftCard = Type.Object(
  {
    id: Type.String({ description: 'gc_…' }),
    maskedCode: Type.String({ description: 'Only the last four characters; the code is shown once, when issued.' }),
    currency: Type.String(),
    balance: Type.Integer(),
    initialAmount: Type.Integer(),
    status: Type.String(),
    customerId: Type.Union([Type.String(), Type.Null()]),
    origin: Type.String({ description: 'sold, store_credit or goodwill' }),
    reference: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  },
  { $id: 'GiftCard' },
);
const GiftCardEntry = Type.Object({ id: Type.String(), kind: Type.String(), amount: Type.Integer(), balanceAfter: Type.Integer(), reference: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() }, { $id: 'GiftCardEntry' });
const GiftCardDetail = Type.Object({ giftCard: ref(GiftCard), entries: Type.Array(ref(GiftCardEntry)) }, { $id: 'GiftCardDetail' });
const IssuedGiftCard = Type.Object({ giftCard: ref(GiftCard), code: Type.String({ description: 'The full code: shown only now.' }) }, { $id: 'IssuedGiftCard' });
const GiftCardPage = Page(ref(GiftCard), 'GiftCard');

export async function paymentRoutes(app: App, ctx: WiredContext) {
  for (const s of [TenderSchema, Payment, PaymentSummary, OrderPayments, GiftCard, GiftCardEntry, GiftCardDetail, IssuedGiftCard, GiftCardPage]) app.addSchema(s);
  const providers = paymentProviders(ctx.db, { testGatewaySecret: ctx.config.testGatewaySecret });

  const orders = ctx.paymentOrders;
  const ledger = async (orderId: string) => {
    const o = await orders.find(ctx.db, orderId);
    if (!o) throw notFound('order', orderId);
    const rows = await orderPayments(ctx.db, orderId);
    return { orderId, currency: o.currency, orderTotal: o.total, summary: paymentSummary(rows), payments: rows.map(publicPayment) };
  };

  app.get('/v1/orders/:id/payments', { config: { access: { permission: 'orders:read' } }, schema: { tags, summary: 'An order’s payment ledger and where it stands', params: IdParam, response: { 200: ref(OrderPayments) } } }, async (req) => {
    await orders.assertInScope(ctx.db, req.principal!, req.params.id);
    return await ledger(req.params.id);
  });

  app.post(
    '/v1/orders/:id/payments/capture',
    {
      config: { access: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Capture authorised money ahead of the rule, first tender first',
        description: 'Winkel captures by itself (cash and card-present at the sale, online cards and gift cards when the goods leave; docs/commerce.md, “When money is captured”); this is for capturing earlier. Without `amount`, captures everything authorised and not captured. An authorisation that expired at the provider is renewed first (or, refused, the order shows `paymentAttention`). 422 `capture_exceeds_authorised` when more is asked; 409 `nothing_to_capture` when nothing is left (or the authorisation is still pending).',
        params: IdParam,
        body: Type.Object({ amount: Type.Optional(Cents()) }, { additionalProperties: false }),
        response: { 200: ref(OrderPayments) },
      },
    },
    async (req) => {
      await orders.assertInScope(ctx.db, req.principal!, req.params.id);
      await captureOrderPayments(ctx.db, providers, orders, requestContext(req), req.params.id, req.body.amount);
      return await ledger(req.params.id);
    },
  );

  app.post(
    '/v1/orders/:id/payments/refund',
    {
      config: { access: { permission: 'returns:write' } },
      schema: {
        tags,
        summary: 'Refund captured money to the original tenders, last tender first',
        description: '422 `refund_exceeds_captured` when more is asked than was captured and not yet refunded. Returns compute their refund themselves (POST /v1/returns); this is for goodwill and corrections.',
        params: IdParam,
        body: Type.Object({ amount: Cents(), reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: ref(OrderPayments) },
      },
    },
    async (req) => {
      await orders.assertInScope(ctx.db, req.principal!, req.params.id);
      await refundOrderPayments(ctx.db, providers, orders, requestContext(req), req.params.id, req.body.amount, { reason: req.body.reason });
      return await ledger(req.params.id);
    },
  );

  app.post(
    '/v1/orders/:id/payments/void',
    {
      config: { access: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Release authorised money that was not captured, last tender first',
        params: IdParam,
        body: Type.Object({ amount: Type.Optional(Cents()), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: ref(OrderPayments) },
      },
    },
    async (req) => {
      await orders.assertInScope(ctx.db, req.principal!, req.params.id);
      await voidOrderPayments(ctx.db, providers, orders, requestContext(req), req.params.id, req.body.amount, { reason: req.body.reason });
      return await ledger(req.params.id);
    },
  );

  // The provider's webhook needs the raw body for its signature: its own JSON parser, in its own scope.
  await app.register(async (plain) => {
    const scope = plain as unknown as App;
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      (req as unknown as { rawBody: string }).rawBody = body as string;
      try {
        done(null, body ? JSON.parse(body as string) : {});
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    });
    scope.post(
      '/v1/payments/webhooks/:provider',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A payment provider tells Winkel that a pending authorisation settled or failed',
          description: `Signed by the provider. The test card gateway signs like Winkel's own webhooks: header \`winkel-gateway-signature: t=<unix>,v1=<HMAC-SHA256(TEST_GATEWAY_SECRET, "<t>.<raw body>")>\`; body \`{"type": "authorisation.settled" | "authorisation.failed", "reference": "tc_…"}\`. Repeats are harmless.`,
          params: Type.Object({ provider: Type.String({ maxLength: 40 }) }),
          body: Type.Object({}, { additionalProperties: true }),
          response: { 200: Type.Object({ received: Type.Boolean(), changed: Type.Boolean(), payment: ref(Payment) }) },
        },
      },
      async (req) => {
        const provider = providers.get(req.params.provider);
        if (!provider.parseWebhook) throw unauthorized(`${provider.name} sends no webhooks.`);
        const outcome = provider.parseWebhook(req.headers, (req as unknown as { rawBody?: string }).rawBody ?? '');
        if (!outcome) throw unauthorized('The webhook signature is missing, wrong or too old.');
        const r = await settleAuthorisation(ctx.db, orders, { ...SYSTEM, actor: { type: 'system', label: `${provider.name} webhook` }, requestId: String(req.id) }, provider.name, outcome);
        return { received: true, changed: r.changed, payment: publicPayment(r.payment) };
      },
    );
  });

  // ------------------------------------------------------------ gift cards

  const detail = async (id: string) => {
    const g = await gift.getGiftCard(ctx.db, id);
    const entries = await gift.giftCardEntries(ctx.db, id);
    return { giftCard: gift.publicGiftCard(g), entries: entries.map((e) => ({ id: e.id, kind: e.kind, amount: e.amount, balanceAfter: e.balanceAfter, reference: e.reference, createdAt: e.createdAt.toISOString() })) };
  };

  app.post(
    '/v1/gift-cards',
    {
      config: { access: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Issue a gift card; the answer holds its code, shown only this once',
        body: Type.Object({ amount: Cents(), currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })), customerId: Type.Optional(Type.String({ maxLength: 64 })), origin: Type.Optional(Type.Union([Type.Literal('sold'), Type.Literal('goodwill')])) }, { additionalProperties: false }),
        response: { 201: ref(IssuedGiftCard) },
      },
    },
    async (req, reply) => {
      const r = await gift.issueGiftCard(ctx.db, requestContext(req), req.body);
      return reply.code(201).send({ giftCard: gift.publicGiftCard(r.giftCard), code: r.code });
    },
  );

  app.get(
    '/v1/gift-cards',
    { config: { access: { permission: 'orders:read' } }, schema: { tags, summary: 'Gift cards, newest first (codes masked)', querystring: Type.Intersect([PageQuery, Type.Object({ customerId: Type.Optional(Type.String()), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])) })]), response: { 200: ref(GiftCardPage) } } },
    async (req) => {
      const page = await gift.listGiftCards(ctx.db, { ...req.query, limit: req.query.limit ?? 50 });
      return { ...page, data: page.data.map(gift.publicGiftCard) };
    },
  );

  app.get('/v1/gift-cards/:id', { config: { access: { permission: 'orders:read' } }, schema: { tags, summary: 'A gift card with its ledger (newest first)', params: IdParam, response: { 200: ref(GiftCardDetail) } } }, async (req) => (await detail(req.params.id)));

  app.post(
    '/v1/gift-cards/balance',
    {
      config: { access: { permission: 'storefront' } },
      schema: { tags, summary: 'Look up a gift card by its code (balance and status)', body: Type.Object({ code: Type.String({ minLength: 4, maxLength: 40 }) }, { additionalProperties: false }), response: { 200: ref(GiftCard) } },
    },
    async (req) => {
      const g = await gift.findByCode(ctx.db, req.body.code);
      if (!g) throw new gift.GiftCardError({ status: 404, code: 'not_found', title: 'Not found', detail: 'No gift card has this code; check it and try again.' });
      return gift.publicGiftCard(g);
    },
  );

  app.post(
    '/v1/gift-cards/:id/reload',
    { config: { access: { permission: 'orders:write' } }, schema: { tags, summary: 'Add money to a gift card', params: IdParam, body: Type.Object({ amount: Cents(), reference: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }), response: { 200: ref(GiftCardDetail) } } },
    async (req) => {
      await gift.reloadGiftCard(ctx.db, requestContext(req), req.params.id, req.body.amount, req.body.reference);
      return await detail(req.params.id);
    },
  );

  app.post(
    '/v1/gift-cards/redeem',
    {
      config: { access: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Take money off a gift card at a till (outside a checkout)',
        description: '409 `insufficient_balance` when the card holds less; 422 `unknown_gift_card` for a wrong code.',
        body: Type.Object({ code: Type.String({ minLength: 4, maxLength: 40 }), amount: Cents(), reference: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 200: ref(GiftCardDetail) },
      },
    },
    async (req) => {
      const r = await gift.redeemByCode(ctx.db, requestContext(req).actor, req.body.code, req.body.amount, req.body.reference);
      return await detail(r.giftCard.id);
    },
  );

  app.patch(
    '/v1/gift-cards/:id',
    { config: { access: { permission: 'orders:write' } }, schema: { tags, summary: 'Disable (e.g. reported stolen) or enable a gift card', params: IdParam, body: Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]) }, { additionalProperties: false }), response: { 200: ref(GiftCardDetail) } } },
    async (req) => {
      await gift.setGiftCardStatus(ctx.db, requestContext(req), req.params.id, req.body.status);
      return await detail(req.params.id);
    },
  );
}
