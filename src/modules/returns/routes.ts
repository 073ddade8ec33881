// Returns over HTTP: customers authorise returns of their own orders; staff receive them (or take
// a return directly at a store), see the refund before they confirm, and list them.
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../../app.js';
import { badRequest, forbidden, notFound } from '../../platform/errors.js';
import { IdParam, Page, PageQuery, ref } from '../../platform/http/schemas.js';
import { LineAdjustment, PromotionCache } from '../promotions/index.js';
import { requestContext } from '../../platform/context.js';
import { assertInScope, assertLocationAccess, storeScope } from '../../platform/access/scope.js';
import { orderInScope, getOrder, listOrders } from '../commerce/index.js';
import { paymentProviders, TenderSchema } from '../payments/index.js';
import { checkReturnable, createReturn, getReturn, listReturns, planReturnMoney, policyFrom, publicReturn, REASONS, receiveReturn, cancelReturn, returnableOrder, type ReturnDeps } from './service.js';

const tags = ['returns'];
const ReasonT = Type.Union(REASONS.map((r) => Type.Literal(r)), { description: 'Why it comes back.' });
const OutcomeT = Type.Union([Type.Literal('restock'), Type.Literal('damaged'), Type.Literal('quarantine')], { description: 'Inspection: back on sale, written off, or held (reserved) until decided.' });
const RefundMethodT = Type.Union([Type.Literal('original'), Type.Literal('store_credit')], { description: 'To the original tenders (last charged first) or as store credit on a new gift card.' });
const ExchangeT = Type.Array(Type.Object({ sku: Type.Optional(Type.String({ maxLength: 64 })), variantId: Type.Optional(Type.String({ maxLength: 64 })), quantity: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: false }), { maxItems: 20, description: 'New goods handed over in exchange, priced at today’s store price.' });
const LineIn = Type.Object(
  { orderLineId: Type.String({ maxLength: 64 }), quantity: Type.Integer({ minimum: 1, maximum: 10_000 }), reason: ReasonT, outcome: Type.Optional(OutcomeT), note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

const RefundSplit = Type.Object({ paymentId: Type.String(), provider: Type.String(), tenderSeq: Type.Integer(), amount: Type.Integer(), giftCardId: Type.Union([Type.String(), Type.Null()]), cardLast4: Type.Union([Type.String(), Type.Null()]) });
const RefundPlan = Type.Object(
  {
    goods: Type.Integer({ description: 'Credit for the goods: paid for goods − kept goods repriced with the order’s promotions − earlier returns’ credit.' }),
    shipping: Type.Integer({ description: 'Shipping refunded (only when nothing is kept).' }),
    due: Type.Integer(),
    exchangeTotal: Type.Integer(),
    payout: Type.Integer({ description: 'Paid out: due − exchange, when positive.' }),
    toPay: Type.Integer({ description: 'To be paid: exchange − due, when positive.' }),
    refundMethod: Type.String(),
    split: Type.Array(RefundSplit, { description: 'Over the tenders, last charged first.' }),
    keptValueBefore: Type.Integer(),
    keptValueAfter: Type.Integer(),
    paidForGoods: Type.Integer(),
    giftCardId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: 'ReturnRefund', additionalProperties: true },
);
const Return = Type.Object(
  {
    id: Type.String({ description: 'ret_…' }),
    orderId: Type.String(),
    customerId: Type.Union([Type.String(), Type.Null()]),
    orderChannel: Type.String(),
    method: Type.String({ description: 'in_store or mail' }),
    locationId: Type.Union([Type.String(), Type.Null()], { description: 'Where it was received.' }),
    status: Type.String({ description: 'requested → refunded (received and paid out in one step), or cancelled' }),
    refundMethod: Type.String(),
    refundTotal: Type.Union([Type.Integer(), Type.Null()]),
    refund: Type.Union([ref(RefundPlan), Type.Null()]),
    exchange: Type.Union(
      [Type.Array(Type.Object({ variantId: Type.String(), sku: Type.String(), quantity: Type.Integer(), unitPrice: Type.Integer(), total: Type.Integer(), adjustments: Type.Array(ref(LineAdjustment)), taxClass: Type.String() })), Type.Null()],
      { description: 'The goods taken in exchange, as priced (they join the order as lines too); null without an exchange.' },
    ),
    note: Type.Union([Type.String(), Type.Null()]),
    lines: Type.Array(Type.Object({ id: Type.String(), orderLineId: Type.String(), variantId: Type.String(), sku: Type.String(), quantity: Type.Integer(), reason: Type.String(), outcome: Type.Union([Type.String(), Type.Null()]), note: Type.Union([Type.String(), Type.Null()]) })),
    storeIds: Type.Array(Type.String(), { description: 'The stores the return belongs to: its order’s (sold there or a line from there) and the one that received it. Staff scoped to stores see the returns of theirs.' }),
    createdAt: Type.String(),
    receivedAt: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
  },
  { $id: 'Return' },
);
const ReturnResult = Type.Object({ return: ref(Return), storeCreditCode: Type.Union([Type.String(), Type.Null()], { description: 'The store credit gift card’s code: shown only in this answer.' }) }, { $id: 'ReturnResult' });
const ReturnPreview = Type.Object({ orderId: Type.String(), currency: Type.String(), refund: ref(RefundPlan), exchange: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer(), unitPrice: Type.Integer(), total: Type.Integer() })) }, { $id: 'ReturnPreview' });
const ReturnPolicy = Type.Object({ windowDays: Type.Integer(), excludedCategoryIds: Type.Array(Type.String()), productFlag: Type.String(), reasons: Type.Array(Type.String()) }, { $id: 'ReturnPolicy' });
const ReturnPage = Page(ref(Return), 'Return');
const ReturnableOrder = Type.Object(
  {
    id: Type.String({ description: 'ord_…' }),
    channel: Type.String(),
    storeId: Type.Union([Type.String(), Type.Null()], { description: 'The store it was sold in (in-store channels).' }),
    status: Type.String(),
    currency: Type.String(),
    total: Type.Integer(),
    createdAt: Type.String(),
    lines: Type.Array(
      Type.Object({
        id: Type.String(),
        variantId: Type.String(),
        sku: Type.String(),
        quantity: Type.Integer(),
        unitPrice: Type.Integer(),
        total: Type.Integer(),
        status: Type.String(),
        returnable: Type.Integer({ description: 'How many can still come back: fulfilled, minus those in returns that are not cancelled.' }),
      }),
    ),
  },
  { $id: 'ReturnableOrder', description: 'What a store needs to take a return of an order from any store or channel; nothing about the customer or the payments (GET /v1/orders/{id} has the full order for those who may see it).' },
);

/** What creating a return takes; the preview takes the very same, so a client can preview what it is about to send. */
const ReturnRequest = Type.Object(
  {
    orderId: Type.String({ maxLength: 64 }),
    method: Type.Union([Type.Literal('in_store'), Type.Literal('mail')]),
    lines: Type.Array(LineIn, { minItems: 1, maxItems: 200 }),
    refundMethod: Type.Optional(RefundMethodT),
    locationId: Type.Optional(Type.String({ maxLength: 64, description: 'The store receiving it now (direct return).' })),
    exchange: Type.Optional(ExchangeT),
    payment: Type.Optional(ref(TenderSchema)),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false, $id: 'ReturnRequest' },
);

export async function returnRoutes(app: App, ctx: AppContext) {
  for (const s of [RefundPlan, Return, ReturnResult, ReturnPreview, ReturnPolicy, ReturnPage, ReturnableOrder, ReturnRequest]) app.addSchema(s);
  const deps: ReturnDeps = { providers: paymentProviders(ctx.db, { testGatewaySecret: ctx.config.testGatewaySecret }), policy: policyFrom(ctx.config), promotionCache: ctx.promotionCache ?? new PromotionCache() };
  const shop = { access: { permission: 'storefront' } } as const;

  /** A customer acts on their own orders; staff and keys need the permission. */
  const who = (req: FastifyRequest, permission: string) => {
    const p = req.principal!;
    if (p.kind === 'customer') return { customerId: p.id };
    if (p.kind === 'publishable_key' || !p.permissions.has(permission)) throw forbidden(`This needs permission \`${permission}\`, or a signed-in customer acting on their own order.`);
    return {};
  };
  /** Staff and keys scoped to stores see and change the returns of their stores only (docs/API.md, Store scope). */
  const returnInScope = (req: FastifyRequest, r: { id: string; storeIds: readonly string[] }) => assertInScope(req.principal, `return ${r.id}`, r.storeIds);

  app.get('/v1/return-policy', { config: shop, schema: { tags, summary: 'The return policy: window, excluded categories, the product flag, reasons', response: { 200: ref(ReturnPolicy) } } }, async () => ({ ...deps.policy, productFlag: 'A product with attribute `returnable: false` cannot be returned.', reasons: REASONS }));

  app.get(
    '/v1/returns/order-lookup',
    {
      config: { access: { permission: 'returns:write' } },
      schema: {
        tags,
        summary: 'Find the order a shopper brings back, by its number or the e-mail it was placed with',
        description:
          'Returns are taken anywhere, so the answer is not limited to the caller’s stores; it therefore holds only what taking a return needs: the lines and how many of each can still come back, without the customer, the address or the payments (GET /v1/orders/{id} has those, for staff of the order’s stores). At most 20 orders, newest first.',
        querystring: Type.Object({ orderId: Type.Optional(Type.String({ maxLength: 64 })), email: Type.Optional(Type.String({ maxLength: 254 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(ref(ReturnableOrder)) }) },
      },
    },
    async (req) => {
      if (req.query.orderId) {
        const o = await getOrder(ctx.db, req.query.orderId.trim()).catch(() => null);
        return { data: o ? [await returnableOrder(ctx.db, o)] : [] };
      }
      if (!req.query.email) throw badRequest('Give `orderId` or `email`.', [{ field: '/email', message: 'orderId or email required' }]);
      const found = (await listOrders(ctx.db, { email: req.query.email, limit: 20 })).data;
      return { data: await Promise.all(found.map(async (o) => returnableOrder(ctx.db, await getOrder(ctx.db, o.id)))) };
    },
  );

  app.post(
    '/v1/returns/preview',
    {
      config: { ...shop },
      schema: {
        tags,
        summary: 'What a return would refund, and over which tenders, without changing anything',
        description:
          'Takes the body of POST /v1/returns, so a client can preview exactly what it is about to send (`payment` and `note` change nothing here). The same checks as creating it (422 `not_returnable`, `return_window_closed`, `quantity_exceeds_returnable`; 409 `line_not_fulfilled`).',
        body: ref(ReturnRequest),
        response: { 200: ref(ReturnPreview) },
      },
    },
    async (req) => {
      const w = who(req, 'returns:write');
      const order = await getOrder(ctx.db, req.body.orderId);
      if (w.customerId && order.customerId !== w.customerId) throw notFound('order', req.body.orderId);
      await checkReturnable(ctx.db, deps.policy, order, req.body.lines);
      if (req.body.exchange?.length && !req.body.locationId) throw forbidden('An exchange is priced at a store: give `locationId`.');
      const { plan, exchangeLines } = await planReturnMoney(ctx.db, deps, order, req.body.lines, { refundMethod: req.body.refundMethod, exchange: req.body.exchange, locationId: req.body.locationId });
      return { orderId: order.id, currency: order.currency, refund: plan, exchange: exchangeLines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total })) };
    },
  );

  app.post(
    '/v1/returns',
    {
      config: shop,
      schema: {
        tags,
        summary: 'Authorise a return (RMA), or take one directly at a store',
        description:
          'Customers authorise returns of their own orders (`method` mail or in_store); staff with returns:write may do so for any order. With `locationId` and an `outcome` on every line (staff), the goods are received at once: stock movements at that location, the refund paid out (and an exchange handed over) in one step. 422 `not_returnable`, `return_window_closed`, `quantity_exceeds_returnable`; 409 `line_not_fulfilled`; 402 `payment_required` when an exchange costs more and no `payment` is given.',
        body: ref(ReturnRequest),
        response: { 201: ref(ReturnResult) },
      },
    },
    async (req, reply) => {
      const w = who(req, 'returns:write');
      if (req.body.locationId) assertLocationAccess(req.principal, req.body.locationId);
      // A store takes back any order, at its own counter; authorising one without receiving it
      // (an RMA) is for the order's own stores.
      if (!w.customerId && !req.body.locationId && !(await orderInScope(ctx.db, req.principal!, req.body.orderId))) {
        throw forbidden(`Order ${req.body.orderId} belongs to other stores: take the return at your store (give \`locationId\` and an \`outcome\` per line), or leave the authorisation to staff of the order's stores.`);
      }
      const r = await createReturn(ctx.db, deps, requestContext(req), req.body, w);
      return reply.code(201).send({ return: publicReturn(r.ret), storeCreditCode: r.storeCreditCode });
    },
  );

  app.get(
    '/v1/returns',
    {
      config: shop,
      schema: {
        tags,
        summary: 'Returns, newest first (staff with orders:read; a signed-in customer sees their own)',
        querystring: Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(Type.Union([Type.Literal('requested'), Type.Literal('received'), Type.Literal('refunded'), Type.Literal('cancelled')])), orderId: Type.Optional(Type.String()), locationId: Type.Optional(Type.String()), customerId: Type.Optional(Type.String()) })]),
        response: { 200: ref(ReturnPage) },
      },
    },
    async (req) => {
      const w = who(req, 'orders:read');
      if (req.query.locationId) assertLocationAccess(req.principal, req.query.locationId);
      const storeIds = storeScope(req.principal) ?? undefined;
      return await listReturns(ctx.db, { ...req.query, ...(w.customerId ? { customerId: w.customerId } : {}), storeIds, limit: req.query.limit ?? 50 });
    },
  );

  app.get('/v1/returns/:id', { config: shop, schema: { tags, summary: 'A return (staff with orders:read, or the customer whose order it is)', params: IdParam, response: { 200: ref(Return) } } }, async (req) => {
    const w = who(req, 'orders:read');
    const r = await getReturn(ctx.db, req.params.id);
    if (w.customerId && r.customerId !== w.customerId) throw notFound('return', req.params.id);
    returnInScope(req, r);
    return publicReturn(r);
  });

  app.post(
    '/v1/returns/:id/receive',
    {
      config: { access: { permission: 'returns:write' } },
      schema: {
        tags,
        summary: 'Receive an authorised return at a store or the DC: inspect, restock, refund',
        params: IdParam,
        body: Type.Object(
          {
            locationId: Type.String({ maxLength: 64 }),
            outcomes: Type.Array(Type.Object({ returnLineId: Type.String(), outcome: OutcomeT, note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }), { minItems: 1, maxItems: 200 }),
            refundMethod: Type.Optional(RefundMethodT),
            exchange: Type.Optional(ExchangeT),
            payment: Type.Optional(ref(TenderSchema)),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(ReturnResult) },
      },
    },
    async (req) => {
      // Goods may arrive at any store or warehouse: the receiving place must be the caller's.
      assertLocationAccess(req.principal, req.body.locationId);
      const r = await receiveReturn(ctx.db, deps, requestContext(req), req.params.id, req.body);
      return { return: publicReturn(r.ret), storeCreditCode: r.storeCreditCode };
    },
  );

  app.post(
    '/v1/returns/:id/cancel',
    { config: { ...shop }, schema: { tags, summary: 'Cancel a return that has not been received', params: IdParam, response: { 200: ref(Return) } } },
    async (req) => {
      const w = who(req, 'returns:write');
      if (!w.customerId) returnInScope(req, await getReturn(ctx.db, req.params.id));
      return publicReturn(await cancelReturn(ctx.db, requestContext(req), req.params.id, w));
    },
  );
}
