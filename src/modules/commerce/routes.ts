// Carts and checkout for every channel; orders.
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { App, WiredContext } from '../../app.js';
import { badRequest, forbidden } from '../../platform/errors.js';
import { IdParam, literalUnion, Page, PageQuery, ref, Timestamp } from '../../platform/http/schemas.js';
import { checkout } from '../../flows/checkout.js';
import { requestContext } from '../../platform/context.js';
import { assertLocationAccess } from '../../platform/access/scope.js';
import { PromotionCache, AppliedPromotionSchema as AppliedPromotion, LineAdjustment, VatBreakdown } from '../promotions/index.js';
import { paymentProviders, TenderSchema } from '../payments/index.js';
import { orders } from './schema.js';
import * as commerce from './service.js';
import { cancelOrderLine, changePickupStore } from './edits.js';
import { ShippingAddress } from './address.js';
import { addOrderNote, CHECKOUT_NOTE_MAX_LENGTH, listOrderNotes, NOTE_MAX_LENGTH, NOTE_VISIBILITIES } from './notes.js';
import { assertOrderInScope, checkOrderScope, locationsOfOrder } from './scope.js';
import { assertCartReachable, assertMayStartCart, CART_SECRET_DESCRIPTION, CART_SECRET_HEADER } from './cart-access.js';

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
    secret: Type.Optional(
      Type.String({ description: 'Only in the answer that made a guest cart (with a publishable key), and only then: the cart’s secret (`wcs_…`). Keep it with the cart id and send it as the `Winkel-Cart-Secret` header on every later call on the cart; Winkel keeps only its hash and cannot show it again.' }),
    ),
  },
  { $id: 'Cart', description: 'A cart reaches only its owner: the guest who holds its secret, the customer it belongs to, or staff and keys of its store (docs/commerce.md, “Whose cart it is”); anyone else gets 404.' },
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
    capturedTotal: Type.Integer({ description: 'Σ captures in the payment ledger: money taken. Cash and card-present tenders are captured at the sale, online cards and gift cards when the goods leave (docs/commerce.md, “When money is captured”).' }),
    refundedTotal: Type.Integer({ description: 'Σ refunds (store credit included) in the payment ledger.' }),
    outstandingTotal: Type.Integer({ description: 'What the order still has to capture: its lines not cancelled (and shipping) less `capturedTotal`; 0 once every good has left and been paid for.' }),
    amountDue: Type.Integer({ description: 'The part of `outstandingTotal` no authorisation covers: the whole total of an order paid at pickup until the handover, or money an expired or failed authorisation no longer holds.' }),
    paymentAttention: Type.Union(
      [
        Type.Object(
          {
            reason: Type.Union([Type.Literal('authorisation_expired'), Type.Literal('authorisation_failed')], { description: '`authorisation_expired`: it ran out before the goods left and the issuer refused a new one; `authorisation_failed`: a pending authorisation failed after the order was placed.' }),
            amount: Type.Integer({ description: 'What is owed and not covered (= `amountDue`).' }),
            failureCode: Type.Union([Type.String(), Type.Null()]),
            paymentId: Type.String({ description: 'The refused authorisation in the payment ledger.' }),
            since: Type.String({ description: 'When it was refused (UTC).' }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'Set while money is due because an authorisation was lost: take the payment (a pickup at the counter) or cancel what cannot be paid. Goods never leave uncaptured (409 `payment_not_captured`).' },
    ),
    createdAt: Type.String(),
  },
  { $id: 'Order' },
);
const OrderPage = Page(ref(Order), 'Order');
const NoteVisibilityT = literalUnion(NOTE_VISIBILITIES, { description: '`internal`: staff only. `customer`: the customer sees it on their order too.' });
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

export async function commerceRoutes(app: App, ctx: WiredContext) {
  for (const s of [ShippingAddress, Cart, Order, OrderPage, OrderNote, OrderNotePage]) app.addSchema(s);
  const cache = ctx.promotionCache ?? new PromotionCache();
  const provider = paymentProviders(ctx.db, { testGatewaySecret: ctx.config.testGatewaySecret });
  const shop = { access: { permission: 'storefront' } } as const;
  const view = async (id: string) => commerce.pricedCart(ctx.db, cache, await commerce.getCartRow(ctx.db, id));
  // Every route under /v1/carts/{id}, here or added later anywhere, first checks that the caller may
  // reach the cart (404 otherwise), before anything else runs, an Idempotency-Key replay included.
  const reachCart = async (req: FastifyRequest) => assertCartReachable(ctx.db, req, (req.params as { id: string }).id);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/carts/:id')) return;
    const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [reachCart, ...own];
  });
  const CartSecretHeader = Type.Object({ [CART_SECRET_HEADER]: Type.Optional(Type.String({ maxLength: 200, description: CART_SECRET_DESCRIPTION })) });

  app.post(
    '/v1/carts',
    {
      config: shop,
      schema: {
        tags,
        summary: 'Start a cart for a channel (web, app, pos, kiosk, scan_go)',
        description:
          'A publishable key starts a guest cart and gets its `secret` in this answer, once: every later call on the cart sends it as `Winkel-Cart-Secret`. A customer session’s cart is the customer’s. A cart of a store (`pos`, `kiosk` and `scan_go` carts, or any cart with a `storeId`) is started only by staff of that store or its device key (a secret key scoped to the store) with `orders:write`: 403 for shop fronts and shoppers.',
        body: Type.Object(
          {
            channel: ChannelT,
            storeId: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The store the cart sells in: required for pos, kiosk and scan_go; staff of that store or its device key only.' })),
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
      // Till, kiosk and scan & go carts, and any cart of a store, are the store's to start.
      assertMayStartCart(p, req.body.channel, req.body.storeId);
      let customerId = p?.kind === 'customer' ? p.id : null;
      if (req.body.customerId !== undefined && req.body.customerId !== customerId) {
        if (p?.kind === 'customer') throw forbidden('A customer’s cart is their own: leave out `customerId`.');
        if (!p || p.kind === 'publishable_key' || !p.permissions.has('customers:read')) throw forbidden('Only staff and secret keys with customers:read give a cart’s customer.');
        await commerce.assertActiveCustomer(ctx.db, req.body.customerId);
        customerId = req.body.customerId;
      }
      // A shop front's cart is a guest's: it gets a secret, answered here once.
      const c = await commerce.createCart(ctx.db, { ...req.body, customerId, guest: p?.kind === 'publishable_key' });
      return reply.code(201).send({ ...(await view(c.id)), ...(c.secret ? { secret: c.secret } : {}) });
    },
  );

  app.get('/v1/carts/:id', { config: shop, schema: { tags, summary: 'A cart with its live price and explanations', params: IdParam, headers: CartSecretHeader, response: { 200: ref(Cart) } } }, async (req) => view(req.params.id));

  app.post(
    '/v1/carts/:id/claim',
    {
      config: { access: 'customer' },
      schema: {
        tags,
        summary: 'Take over a guest cart after signing in',
        description:
          'A shopper who filled a cart as a guest and then signed in sends the cart’s secret (`Winkel-Cart-Secret`) with their customer session: the cart becomes theirs (their personal offers apply, the order will be in their account) and the secret stops working. Claiming a cart that is already theirs changes nothing. 404 without the right secret; 409 `cart_closed` once checked out.',
        params: IdParam,
        headers: CartSecretHeader,
        response: { 200: ref(Cart) },
      },
    },
    async (req) => {
      await commerce.claimCart(ctx.db, req.params.id, req.principal!.id);
      return await view(req.params.id);
    },
  );

  app.post(
    '/v1/carts/:id/lines',
    {
      config: { ...shop },
      schema: {
        tags,
        summary: 'Add a product by SKU, variant or scanned barcode',
        params: IdParam,
        headers: CartSecretHeader,
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
      return await view(req.params.id);
    },
  );

  app.patch(
    '/v1/carts/:id/lines/:lineId',
    { config: shop, schema: { tags, summary: 'Change a line’s quantity (0 removes it)', params: Type.Object({ id: Type.String(), lineId: Type.String() }), headers: CartSecretHeader, body: Type.Object({ quantity: Type.Integer({ minimum: 0, maximum: 10_000 }) }, { additionalProperties: false }), response: { 200: ref(Cart) } } },
    async (req) => {
      await commerce.changeLine(ctx.db, req.params.id, req.params.lineId, req.body.quantity);
      return await view(req.params.id);
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
      return await view(req.params.id);
    },
  );

  app.post(
    '/v1/carts/:id/coupons',
    { config: { ...shop }, schema: { tags, summary: 'Set the coupon codes of a cart', params: IdParam, headers: CartSecretHeader, body: Type.Object({ codes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 }) }, { additionalProperties: false }), response: { 200: ref(Cart) } } },
    async (req) => {
      await commerce.setCoupons(ctx.db, req.params.id, req.body.codes);
      return await view(req.params.id);
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
          'Send an Idempotency-Key. A cart is checked out once, whatever races: a concurrent or repeated checkout answers with the same order (and finishes its capture step if that failed). Say which price is paid: `expectedTotal` (the total the shopper was shown) or `acceptCurrentPrice: true`; without either, or when the price differs from `expectedTotal`, 409 `cart_changed` answers the current total, line prices and coupons and nothing happens. 409 `out_of_stock`, 402 `payment_failed` (nothing is kept: no reservation, no order). Cash and card-present tenders are captured at once; a till, kiosk or scan & go sale carried out at the counter is completed at once (fulfilled, sold in the stock ledger, captured); a payment still pending at the provider is refused for it (402 `payment_failed`, `failureCode: payment_pending`).',
        params: IdParam,
        headers: CartSecretHeader,
        body: Type.Object(
          {
            email: Type.Optional(Type.String({ format: 'email' })),
            expectedTotal: Type.Optional(Type.Integer({ minimum: 0, description: 'The total in cents the shopper was shown and accepts; any other current total is refused with 409 `cart_changed`.' })),
            acceptCurrentPrice: Type.Optional(Type.Boolean({ description: '`true`: pay whatever the cart costs now (a program with no person to show a total to). Instead of `expectedTotal`; one of the two is required.' })),
            customerGroups: Type.Optional(
              Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, deprecated: true, description: 'No longer accepted: a cart is priced with its customer’s own groups, never with groups the request names. A non-empty list is a 400.' }),
            ),
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
      if (req.body.acceptCurrentPrice && req.body.expectedTotal !== undefined) throw badRequest('Give `expectedTotal` or `acceptCurrentPrice`, not both.', [{ field: '/acceptCurrentPrice', message: 'leave out when `expectedTotal` is given' }]);
      // Customer groups (and their prices) come from the cart's customer, not from whoever checks out.
      if (req.body.customerGroups?.length) throw badRequest('A checkout cannot name customer groups: the cart is priced with its customer’s own groups. Leave out `customerGroups`.', [{ field: '/customerGroups', message: 'not accepted; groups come from the cart’s customer' }]);
      const till = req.body.tenders?.some((t) => t.method === 'cash' || t.method === 'card_present');
      if (till && req.principal?.kind !== 'staff' && req.principal?.kind !== 'secret_key') throw forbidden('Cash and card-present tenders are taken at a till: only staff sessions and secret keys may use them.');
      const { customerGroups: _none, ...body } = req.body;
      const r = await checkout(ctx.db, ctx.flows!, provider, requestContext(req).actor, {
        ...body,
        cartId: req.params.id,
        requireShippingAddress: ctx.config.requireShippingAddress,
        sourcing: { policy: ctx.config.sourcingPolicy, shipToStore: ctx.config.shipToStore },
      });
      return reply.code(r.replayed ? 200 : 201).send(r.order);
    },
  );

  app.get('/v1/orders/:id', { config: shop, schema: { tags, summary: 'An order (staff with orders:read, or the customer who placed it)', description: 'Staff and keys scoped to stores see the orders of those stores only (sold there, or with a line there), as in the order list; 403 for others.', params: IdParam, response: { 200: ref(Order) } } }, async (req) => {
    const o = await commerce.getOrder(ctx.db, req.params.id);
    const p = req.principal!;
    const mine = p.kind === 'customer' && o.customerId === p.id;
    if (!mine && !p.permissions.has('orders:read')) throw forbidden('Only staff with orders:read or the customer who placed it may see an order.');
    // The same orders the list shows them: sold in one of their stores or with a line there.
    if (!mine) checkOrderScope(p, o.id, locationsOfOrder(o));
    return commerce.publicOrder(o);
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
      return reply.code(201).send(await addOrderNote(ctx.db, requestContext(req), req.params.id, req.body));
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
      return await listOrderNotes(ctx.db, req.params.id, { forCustomer: mine, limit: req.query.limit ?? 50, cursor: req.query.cursor });
    },
  );

  app.post(
    '/v1/orders/:id/lines/:lineId/cancel',
    {
      config: { access: { permission: 'orders:write' } },
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
      await cancelOrderLine(ctx.db, provider, ctx.orderFulfilments, requestContext(req), req.params.id, req.params.lineId, req.body?.reason);
      return commerce.publicOrder(await commerce.getOrder(ctx.db, req.params.id));
    },
  );

  app.post(
    '/v1/orders/:id/pickup-store',
    {
      config: { access: { permission: 'orders:write' } },
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
      await changePickupStore(ctx.db, ctx.orderFulfilments, requestContext(req), req.params.id, req.body.locationId, req.body.lineIds);
      return commerce.publicOrder(await commerce.getOrder(ctx.db, req.params.id));
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
      return await commerce.listOrders(ctx.db, { ...req.query, storeIds: scope ?? undefined, limit: req.query.limit ?? 50 });
    },
  );
}
