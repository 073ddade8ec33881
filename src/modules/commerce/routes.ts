// Carts and checkout for every channel; orders.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { forbidden } from '../../platform/errors.js';
import { IdParam, Page, PageQuery, ref } from '../../platform/http/schemas.js';
import { checkout } from '../../flows/checkout.js';
import { requestContext } from '../access/routes.js';
import { PromotionCache } from '../promotions/service.js';
import { TestCardGateway } from './payments.js';
import * as commerce from './service.js';

const tags = ['commerce'];
const ChannelT = Type.Union([Type.Literal('web'), Type.Literal('app'), Type.Literal('pos'), Type.Literal('kiosk'), Type.Literal('scan_go')]);
const Cart = Type.Object(
  {
    id: Type.String({ description: 'cart_…' }),
    channel: Type.String(),
    storeId: Type.Union([Type.String(), Type.Null()]),
    customerId: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    currency: Type.String(),
    country: Type.String(),
    status: Type.String(),
    couponCodes: Type.Array(Type.String()),
    lines: Type.Array(Type.Object({ id: Type.String(), variantId: Type.String(), sku: Type.String(), quantity: Type.Integer(), fulfilment: Type.String(), pickupLocationId: Type.Union([Type.String(), Type.Null()]) })),
    quote: Type.Union([ref(Type.Object({}, { $id: 'CartQuote' })), Type.Null()], { description: 'The live price (see /v1/pricing/quote); null for an empty cart.' }),
    version: Type.Integer(),
  },
  { $id: 'Cart' },
);
const Order = Type.Object(
  {
    id: Type.String({ description: 'ord_…' }),
    cartId: Type.String(),
    channel: Type.String(),
    storeId: Type.Union([Type.String(), Type.Null()]),
    customerId: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    currency: Type.String(),
    country: Type.String(),
    status: Type.String(),
    subtotal: Type.Integer(),
    discountTotal: Type.Integer(),
    shippingTotal: Type.Integer(),
    total: Type.Integer(),
    vat: Type.Unknown(),
    promotions: Type.Unknown(),
    lines: Type.Array(
      Type.Object({ id: Type.String(), variantId: Type.String(), sku: Type.String(), quantity: Type.Integer(), unitPrice: Type.Integer(), adjustments: Type.Unknown(), total: Type.Integer(), taxClass: Type.String(), fulfilment: Type.String(), locationId: Type.String(), status: Type.String() }),
    ),
    payments: Type.Array(Type.Object({ id: Type.String(), provider: Type.String(), kind: Type.String(), status: Type.String(), amount: Type.Integer(), failureCode: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() })),
    createdAt: Type.String(),
  },
  { $id: 'Order' },
);
const OrderPage = Page(ref(Order), 'Order');

export async function commerceRoutes(app: App, ctx: AppContext) {
  for (const s of [Cart, Order, OrderPage]) app.addSchema(s);
  const cache = ctx.promotionCache ?? new PromotionCache();
  const provider = new TestCardGateway();
  const shop = { access: { permission: 'storefront' } } as const;
  const view = async (id: string) => commerce.pricedCart(ctx.db, cache, await commerce.getCartRow(ctx.db, id));

  app.post(
    '/v1/carts',
    {
      config: shop,
      schema: {
        tags,
        summary: 'Start a cart for a channel (web, app, pos, kiosk, scan_go)',
        body: Type.Object(
          { channel: ChannelT, storeId: Type.Optional(Type.Union([Type.String(), Type.Null()])), email: Type.Optional(Type.String({ format: 'email' })), country: Type.Optional(Type.Union([Type.Literal('NL'), Type.Literal('BE')])), currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })) },
          { additionalProperties: false },
        ),
        response: { 201: ref(Cart) },
      },
    },
    async (req, reply) => {
      const customerId = req.principal?.kind === 'customer' ? req.principal.id : null;
      const c = await commerce.createCart(ctx.db, { ...req.body, customerId });
      return reply.code(201).send((await view(c.id)) as never);
    },
  );

  app.get('/v1/carts/:id', { config: shop, schema: { tags, summary: 'A cart with its live price and explanations', params: IdParam, response: { 200: ref(Cart) } } }, async (req) => (await view(req.params.id)) as never);

  app.post(
    '/v1/carts/:id/lines',
    {
      config: { ...shop, idempotent: false },
      schema: {
        tags,
        summary: 'Add a product by SKU, variant or scanned barcode',
        params: IdParam,
        body: Type.Object(
          {
            sku: Type.Optional(Type.String()),
            variantId: Type.Optional(Type.String()),
            barcode: Type.Optional(Type.String({ maxLength: 14 })),
            quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
            fulfilment: Type.Optional(Type.Union([Type.Literal('delivery'), Type.Literal('pickup')])),
            pickupLocationId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(Cart) },
      },
    },
    async (req) => {
      await commerce.addLine(ctx.db, req.params.id, req.body);
      return (await view(req.params.id)) as never;
    },
  );

  app.patch(
    '/v1/carts/:id/lines/:lineId',
    { config: shop, schema: { tags, summary: 'Change a line’s quantity (0 removes it)', params: Type.Object({ id: Type.String(), lineId: Type.String() }), body: Type.Object({ quantity: Type.Integer({ minimum: 0, maximum: 10_000 }) }, { additionalProperties: false }), response: { 200: ref(Cart) } } },
    async (req) => {
      await commerce.changeLine(ctx.db, req.params.id, req.params.lineId, req.body.quantity);
      return (await view(req.params.id)) as never;
    },
  );

  app.post(
    '/v1/carts/:id/coupons',
    { config: { ...shop, idempotent: false }, schema: { tags, summary: 'Set the coupon codes of a cart', params: IdParam, body: Type.Object({ codes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 }) }, { additionalProperties: false }), response: { 200: ref(Cart) } } },
    async (req) => {
      await commerce.setCoupons(ctx.db, req.params.id, req.body.codes);
      return (await view(req.params.id)) as never;
    },
  );

  app.post(
    '/v1/carts/:id/checkout',
    {
      config: shop,
      schema: {
        tags,
        summary: 'Check out: source, reserve, authorise the payment, create the order (or undo all of it)',
        description:
          'Send an Idempotency-Key. A cart is checked out once, whatever races: a concurrent or repeated checkout answers with the same order. 409 `cart_changed` when the price differs from `expectedTotal`, 409 `out_of_stock`, 402 `payment_failed` (nothing is kept: no reservation, no order).',
        params: IdParam,
        body: Type.Object(
          {
            email: Type.Optional(Type.String({ format: 'email' })),
            expectedTotal: Type.Optional(Type.Integer({ minimum: 0 })),
            customerGroups: Type.Optional(Type.Array(Type.String())),
            payment: Type.Object({ method: Type.Literal('test_card'), cardNumber: Type.String({ minLength: 12, maxLength: 23 }) }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(Order), 200: ref(Order) },
      },
    },
    async (req, reply) => {
      const r = await checkout(ctx.db, cache, provider, requestContext(req).actor, { ...req.body, cartId: req.params.id });
      return reply.code(r.replayed ? 200 : 201).send(r.order as never);
    },
  );

  app.get('/v1/orders/:id', { config: shop, schema: { tags, summary: 'An order (staff with orders:read, or the customer who placed it)', params: IdParam, response: { 200: ref(Order) } } }, async (req) => {
    const o = await commerce.getOrder(ctx.db, req.params.id);
    const p = req.principal!;
    const mine = p.kind === 'customer' && o.customerId === p.id;
    if (!mine && !p.permissions.has('orders:read')) throw forbidden('Only staff with orders:read or the customer who placed it may see an order.');
    return commerce.publicOrder(o) as never;
  });

  app.get(
    '/v1/orders',
    { config: { access: { permission: 'orders:read' } }, schema: { tags, summary: 'Orders, newest first', querystring: Type.Intersect([PageQuery, Type.Object({ channel: Type.Optional(ChannelT), storeId: Type.Optional(Type.String()) })]), response: { 200: ref(OrderPage) } } },
    async (req) => (await commerce.listOrders(ctx.db, { ...req.query, limit: req.query.limit ?? 50 })) as never,
  );
}
