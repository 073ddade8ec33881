// Carts and checkout for every channel; orders.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest, forbidden } from '../../platform/errors.js';
import { IdParam, Page, PageQuery, ref, Timestamp } from '../../platform/http/schemas.js';
import { checkout } from '../../flows/checkout.js';
import { requestContext } from '../access/routes.js';
import { assertLocationAccess } from '../access/service.js';
import { PromotionCache } from '../promotions/service.js';
import { paymentProviders } from '../payments/providers.js';
import { TenderSchema } from '../payments/routes.js';
import { AppliedPromotion, LineAdjustment, VatBreakdown } from '../promotions/routes.js';
import { orders } from './schema.js';
import * as commerce from './service.js';
import { cancelOrderLine, changePickupStore } from './edits.js';
import { ShippingAddress } from './address.js';
import { addOrderNote, CHECKOUT_NOTE_MAX_LENGTH, listOrderNotes, NOTE_MAX_LENGTH, NOTE_VISIBILITIES } from './notes.js';
import { assertOrderInScope, checkOrderScope, locationsOfOrder } from './scope.js';

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
    channel: Type.String({ description: 'Where it was sold: web, app, pos (a till), kiosk, scan_go.' }),
    storeId: Type.Union([Type.String(), Type.Null()], { description: 'The store it was sold in (in-store channels), also when its lines are delivered from elsewhere (endless aisle); each line’s `locationId` says where its goods come from.' }),
    customerId: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    currency: Type.String(),
    country: Type.String(),
    status: Type.String(),
    subtotal: Type.Integer(),
    discountTotal: Type.Integer(),
    shippingTotal: Type.Integer(),
    total: Type.Integer(),
    vat: ref(VatBreakdown),
    promotions: Type.Array(ref(AppliedPromotion), { description: 'The promotions that gave the order a discount.' }),
    shippingAddress: Type.Union([ref(ShippingAddress), Type.Null()], { description: 'Where home delivery goes; null for pickup and in-store orders, and after erasure.' }),
    note: Type.Union([Type.String(), Type.Null()], { description: 'The customer’s note given at checkout (e.g. “ring the neighbour’s bell”); null when none. Staff notes are at GET /v1/orders/{id}/notes.' }),
    lines: Type.Array(
      Type.Object({ id: Type.String(), variantId: Type.String(), sku: Type.String(), quantity: Type.Integer(), unitPrice: Type.Integer(), adjustments: Type.Array(ref(LineAdjustment)), total: Type.Integer(), taxClass: Type.String(), fulfilment: Type.String(), locationId: Type.String(), status: Type.String() }),
    ),
    payments: Type.Array(Type.Object({ id: Type.String(), provider: Type.String(), kind: Type.String(), status: Type.String(), amount: Type.Integer(), failureCode: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String() })),
    capturedTotal: Type.Optional(Type.Integer({ description: 'Σ captures in the payment ledger.' })),
    refundedTotal: Type.Optional(Type.Integer({ description: 'Σ refunds (store credit included) in the payment ledger.' })),
    createdAt: Type.String(),
  },
  { $id: 'Order' },
);
const OrderPage = Page(ref(Order), 'Order');
const NoteVisibilityT = Type.Union(NOTE_VISIBILITIES.map((v) => Type.Literal(v)), { description: '`internal`: staff only. `customer`: the customer sees it on their order too.' });
const OrderNote = Type.Object(
  {
    id: Type.String({ description: 'note_…' }),
    orderId: Type.String(),
    body: Type.String(),
    visibility: NoteVisibilityT,
    author: Type.Object(
      {
        type: Type.String({ description: 'staff, api_key, …' }),
        id: Type.Union([Type.String(), Type.Null()], { description: 'The staff user (stf_…) or API key (key_…); null in a customer’s view.' }),
        label: Type.Union([Type.String(), Type.Null()], { description: 'Their e-mail or the key’s name; null in a customer’s view.' }),
      },
      { description: 'Who wrote the note (the caller of POST /v1/orders/{id}/notes).' },
    ),
    createdAt: Timestamp,
  },
  { $id: 'OrderNote', description: 'A note staff added to an order. Notes are append-only: never changed or removed.' },
);
const OrderNotePage = Page(ref(OrderNote), 'OrderNote');

export async function commerceRoutes(app: App, ctx: AppContext) {
  for (const s of [ShippingAddress, Cart, Order, OrderPage, OrderNote, OrderNotePage]) app.addSchema(s);
  const cache = ctx.promotionCache ?? new PromotionCache();
  const provider = paymentProviders(ctx.db, { testGatewaySecret: ctx.config.testGatewaySecret });
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
          {
            channel: ChannelT,
            storeId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            email: Type.Optional(Type.String({ format: 'email' })),
            country: Type.Optional(Type.Union([Type.Literal('NL'), Type.Literal('BE')])),
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
            customerId: Type.Optional(
              Type.String({ maxLength: 64, description: 'The customer the cart is for (`cus_…`), given by staff or a secret key with `customers:read`, e.g. at a till. A customer session’s cart is always its own.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(Cart) },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      let customerId = p?.kind === 'customer' ? p.id : null;
      if (req.body.customerId !== undefined && req.body.customerId !== customerId) {
        if (p?.kind === 'customer') throw forbidden('A customer’s cart is their own: leave out `customerId`.');
        if (!p || p.kind === 'publishable_key' || !p.permissions.has('customers:read')) throw forbidden('Only staff and secret keys with customers:read give a cart’s customer.');
        await commerce.assertActiveCustomer(ctx.db, req.body.customerId);
        customerId = req.body.customerId;
      }
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

  app.put(
    '/v1/carts/:id/customer',
    {
      config: { access: { permission: 'customers:read' } },
      schema: {
        tags,
        summary: 'Attach a customer account to a cart, or detach it (at a till)',
        description:
          'Staff (or a secret key) who looked the customer up or scanned their card attach them to an open cart: from the next quote on their personal offers and per-customer limits apply, and the order will be theirs. `null` detaches. 422 `unknown_customer` for an unknown or disabled account; 409 `cart_closed` once checked out.',
        params: IdParam,
        body: Type.Object({ customerId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]) }, { additionalProperties: false }),
        response: { 200: ref(Cart) },
      },
    },
    async (req) => {
      await commerce.setCartCustomer(ctx.db, req.params.id, req.body.customerId);
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
            payment: Type.Optional(
              Type.Union([
                Type.Object({ method: Type.Literal('test_card'), cardNumber: Type.String({ minLength: 12, maxLength: 23 }) }, { additionalProperties: false }),
                Type.Object({ method: Type.Literal('pay_at_pickup') }, { additionalProperties: false, description: 'Reserve in store, pay at the counter when collecting (every line must be a pickup line).' }),
              ]),
            ),
            tenders: Type.Optional(Type.Array(ref(TenderSchema), { minItems: 1, maxItems: 5, description: 'Split tender, charged in this order; a tender without `amount` pays what is left (a gift card: up to its balance). Instead of `payment`.' })),
            shippingAddress: Type.Optional(Type.Union([ref(ShippingAddress), Type.Null()], { description: 'Where the delivery lines go (kept only when some line is delivered). With `latitude` and `longitude`, the sourcing engine weighs each location’s distance to it. Required for delivery lines of in-store carts (pos, kiosk, scan_go: endless aisle), and of every cart when REQUIRE_SHIPPING_ADDRESS is on.' })),
            note: Type.Optional(Type.Union([Type.String({ maxLength: CHECKOUT_NOTE_MAX_LENGTH }), Type.Null()], { description: 'The customer’s note for the order (“ring the neighbour’s bell”), at most 1,000 characters; trimmed, kept on the order as `note`.' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(Order), 200: ref(Order) },
      },
    },
    async (req, reply) => {
      // Cash and the card terminal are at a till: a publishable key (a shop front) cannot use them.
      if (req.body.payment && req.body.tenders) throw badRequest('Give `payment` or `tenders`, not both.', [{ field: '/tenders', message: 'leave out when `payment` is given' }]);
      const till = req.body.tenders?.some((t) => t.method === 'cash' || t.method === 'card_present');
      if (till && req.principal?.kind !== 'staff' && req.principal?.kind !== 'secret_key') throw forbidden('Cash and card-present tenders are taken at a till: only staff sessions and secret keys may use them.');
      const r = await checkout(ctx.db, cache, provider, requestContext(req).actor, {
        ...req.body,
        cartId: req.params.id,
        requireShippingAddress: ctx.config.requireShippingAddress,
        sourcing: { policy: ctx.config.sourcingPolicy, shipToStore: ctx.config.shipToStore },
      });
      return reply.code(r.replayed ? 200 : 201).send(r.order as never);
    },
  );

  app.get('/v1/orders/:id', { config: shop, schema: { tags, summary: 'An order (staff with orders:read, or the customer who placed it)', description: 'Staff and keys scoped to stores see the orders of those stores only (sold there, or with a line there), as in the order list; 403 for others.', params: IdParam, response: { 200: ref(Order) } } }, async (req) => {
    const o = await commerce.getOrder(ctx.db, req.params.id);
    const p = req.principal!;
    const mine = p.kind === 'customer' && o.customerId === p.id;
    if (!mine && !p.permissions.has('orders:read')) throw forbidden('Only staff with orders:read or the customer who placed it may see an order.');
    // The same orders the list shows them: sold in one of their stores or with a line there.
    if (!mine) checkOrderScope(p, o.id, locationsOfOrder(o));
    return commerce.publicOrder(o) as never;
  });

  app.post(
    '/v1/orders/:id/notes',
    {
      config: { access: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Add a note to an order (internal, or shown to the customer too)',
        description:
          'Notes are append-only: there is no way to change or remove one. The author is the caller (staff user or API key); the time is the server’s, in UTC. Emits `order.note_added`. Staff scoped to stores may add notes only to orders of those stores (403 otherwise).',
        params: IdParam,
        body: Type.Object(
          {
            body: Type.String({ minLength: 1, maxLength: NOTE_MAX_LENGTH, description: 'The text, trimmed; at most 2,000 characters.' }),
            visibility: Type.Optional(NoteVisibilityT),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(OrderNote) },
      },
    },
    async (req, reply) => {
      await assertOrderInScope(ctx.db, req.principal!, req.params.id);
      return reply.code(201).send((await addOrderNote(ctx.db, requestContext(req), req.params.id, req.body)) as never);
    },
  );

  app.get(
    '/v1/orders/:id/notes',
    {
      config: shop,
      schema: {
        tags,
        summary: 'An order’s notes, newest first (staff: all; the customer who placed it: those meant for them)',
        description: 'Staff need `orders:read` (and, when scoped to stores, an order of those stores). A signed-in customer sees only the `customer` notes of their own order, without the author’s id and label.',
        params: IdParam,
        querystring: PageQuery,
        response: { 200: ref(OrderNotePage) },
      },
    },
    async (req) => {
      const p = req.principal!;
      const { customerId } = await assertOrderInScope(ctx.db, p, req.params.id);
      const mine = p.kind === 'customer' && customerId === p.id;
      if (!mine && (p.kind === 'customer' || p.kind === 'publishable_key' || !p.permissions.has('orders:read'))) throw forbidden('Only staff with orders:read or the customer who placed it may see an order’s notes.');
      return (await listOrderNotes(ctx.db, req.params.id, { forCustomer: mine, limit: req.query.limit ?? 50, cursor: req.query.cursor })) as never;
    },
  );

  app.post(
    '/v1/orders/:id/lines/:lineId/cancel',
    {
      config: { access: { permission: 'orders:write' }, idempotent: false },
      schema: {
        tags,
        summary: 'Cancel a line before it is fulfilled: release its stock, re-price the rest, give back the difference',
        description: 'The remaining lines are priced again with the order’s promotions (a broken 3-for-2 loses its discount), and the difference is released from the authorisation or refunded. 409 `line_fulfilled` when the line has left already (return it instead).',
        params: Type.Object({ id: Type.String(), lineId: Type.String() }),
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: ref(Order) },
      },
    },
    async (req) => {
      await assertOrderInScope(ctx.db, req.principal!, req.params.id);
      await cancelOrderLine(ctx.db, provider, requestContext(req), req.params.id, req.params.lineId, req.body?.reason);
      return commerce.publicOrder(await commerce.getOrder(ctx.db, req.params.id)) as never;
    },
  );

  app.post(
    '/v1/orders/:id/pickup-store',
    {
      config: { access: { permission: 'orders:write' }, idempotent: false },
      schema: {
        tags,
        summary: 'Collect at another store: reserve there, release here',
        description: 'All pickup lines waiting to be collected, or the `lineIds` given. 409 `insufficient_stock` when the new store lacks stock; 409 `line_fulfilled` when a line was collected already.',
        params: IdParam,
        body: Type.Object({ locationId: Type.String({ maxLength: 64 }), lineIds: Type.Optional(Type.Array(Type.String(), { minItems: 1, maxItems: 200 })) }, { additionalProperties: false }),
        response: { 200: ref(Order) },
      },
    },
    async (req) => {
      await assertOrderInScope(ctx.db, req.principal!, req.params.id);
      await changePickupStore(ctx.db, requestContext(req), req.params.id, req.body.locationId, req.body.lineIds);
      return commerce.publicOrder(await commerce.getOrder(ctx.db, req.params.id)) as never;
    },
  );

  app.get(
    '/v1/orders',
    {
      config: { access: { permission: 'orders:read' } },
      schema: {
        tags,
        summary: 'Orders, newest first',
        description: '`storeId` finds the orders sold in that store and those with a line collected at or sent from it.',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            channel: Type.Optional(ChannelT),
            storeId: Type.Optional(Type.String()),
            status: Type.Optional(Type.Union(orders.status.enumValues.map((v) => Type.Literal(v)))),
            customerId: Type.Optional(Type.String()),
            email: Type.Optional(Type.String({ maxLength: 254, description: 'The e-mail the order was placed with (a return at a store looks the order up by it).' })),
          }),
        ]),
        response: { 200: ref(OrderPage) },
      },
    },
    async (req) => {
      // Staff and keys scoped to stores see only those stores' orders.
      const p = req.principal!;
      const scope = p.kind === 'staff' || p.kind === 'secret_key' ? p.storeIds : null;
      if (req.query.storeId) assertLocationAccess(p, req.query.storeId);
      return (await commerce.listOrders(ctx.db, { ...req.query, storeIds: scope ?? undefined, limit: req.query.limit ?? 50 })) as never;
    },
  );
}
