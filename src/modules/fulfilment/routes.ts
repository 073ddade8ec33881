// Fulfilment HTTP API: the queue per location, one fulfilment, its steps (pick, pack, ship, deliver,
// ready, handover, cancel), the customer's view with the pickup code and QR, carriers, and the
// sourcing engine's explanation for a would-be order.
import encodeQR from 'qr';
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../../app.js';
import { badRequest, forbidden, notFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/http/access.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, literalUnion, NullableTimestamp, Page, PageQuery, ref, Timestamp, withHeaders } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import { assertAnyLocationAccess, assertLocationAccess } from '../../platform/access/scope.js';
import { checkOrderScope, locationsOfOrder, getOrder, shippingAddressesOf, ShippingAddress } from '../commerce/index.js';
import { findVariant } from '../catalog/index.js';
import { paymentProviders, TenderSchema } from '../payments/index.js';
import { Carriers } from './carriers.js';
import { FULFILMENT_METHODS, FULFILMENT_STATUSES } from './schema.js';
import * as svc from './service.js';
import { SOURCING_POLICIES, sourceOrder, type SourcingPolicyName } from './sourcing.js';

const tags = ['fulfilment'];
const Str = Type.String();
const NStr = Type.Union([Type.String(), Type.Null()]);
const Action = literalUnion(['pick', 'pack', 'ship', 'deliver', 'ready', 'handover', 'cancel']);

const Alternative = Type.Object({ locationId: Str, code: Str, reason: Str, detail: Str, cost: Type.Optional(Type.Integer()) });

export const Fulfilment = Type.Object(
  {
    id: Type.String({ description: 'ful_…' }),
    orderId: Str,
    customerId: NStr,
    locationId: Type.String({ description: 'Where the goods are picked.' }),
    method: literalUnion(FULFILMENT_METHODS, { description: 'delivery (home), pickup (click & collect at the store that has it), ship_to_store (from a warehouse to the pickup store).' }),
    pickupLocationId: Type.Union([Type.String(), Type.Null()], { description: 'Where the customer collects (pickup and ship-to-store).' }),
    status: literalUnion(FULFILMENT_STATUSES),
    carrier: NStr,
    trackingNumber: NStr,
    trackingUrl: NStr,
    pickupCode: Type.Union([Type.String(), Type.Null()], { description: 'Only for the customer who placed the order, while the parcel is ready.' }),
    pickupQrUrl: Type.Union([Type.String(), Type.Null()], { description: 'An SVG QR code carrying the pickup code (customer only).' }),
    pickupDeadline: NullableTimestamp,
    cancelReason: NStr,
    sourcing: Type.Union(
      [Type.Array(Type.Object({ orderLineId: Str, sku: Str, reasons: Type.Array(Str, { description: 'Why this location (or what moved the line here).' }), rejected: Type.Array(Alternative, { description: 'Other locations considered and why not (at most 10).' }) })), Type.Null()],
      { description: 'Why the sourcing engine chose this location, per line, and what it rejected.' },
    ),
    shippingAddress: Type.Union([ref(ShippingAddress), Type.Null()], { description: 'Home delivery: where the parcel goes (the order’s delivery address, for the pick list and the label). Null for pickup and ship-to-store.' }),
    lines: Type.Array(Type.Object({ orderLineId: Str, variantId: Str, sku: Str, quantity: Type.Integer(), reservationId: NStr })),
    nextActions: Type.Array(Action, { description: 'The steps that can be taken now.' }),
    createdAt: Timestamp,
    pickedAt: NullableTimestamp,
    packedAt: NullableTimestamp,
    shippedAt: NullableTimestamp,
    readyAt: NullableTimestamp,
    completedAt: NullableTimestamp,
    cancelledAt: NullableTimestamp,
    version: Type.Integer(),
  },
  { $id: 'Fulfilment' },
);
const FulfilmentPage = Page(ref(Fulfilment), 'Fulfilment');
const FulfilmentList = Type.Object({ data: Type.Array(ref(Fulfilment)) }, { $id: 'FulfilmentList' });

export const SourcingDecision = Type.Object(
  {
    policy: Str,
    cost: Type.Integer({ description: 'The chosen plan’s cost under the policy, in cents (compares plans; not a price).' }),
    splits: Type.Integer({ description: 'Delivery shipments beyond the first.' }),
    shortLineIds: Type.Array(Str, { description: 'Lines no location can serve.' }),
    lines: Type.Array(
      Type.Object({
        lineId: Str,
        variantId: Str,
        quantity: Type.Integer(),
        locationId: NStr,
        method: Type.Union([Type.Literal('delivery'), Type.Literal('pickup'), Type.Literal('ship_to_store')]),
        pickupLocationId: NStr,
        shipment: Type.Union([Type.Integer(), Type.Null()]),
        distanceKm: Type.Union([Type.Number(), Type.Null()]),
        reasons: Type.Array(Str),
        rejected: Type.Array(Alternative),
      }),
    ),
    shipments: Type.Array(Type.Object({ shipment: Type.Integer(), locationId: Str, method: Str, lineIds: Type.Array(Str), cost: Type.Integer(), distanceKm: Type.Union([Type.Number(), Type.Null()]) })),
    plansConsidered: Type.Array(Type.Object({ kind: Str, cost: Type.Integer(), shipments: Type.Integer(), chosen: Type.Boolean() })),
  },
  { $id: 'SourcingDecision' },
);
const Carrier = Type.Object({ code: Str, name: Str }, { $id: 'Carrier' });
const PolicyName = Type.Union(Object.keys(SOURCING_POLICIES).map((k) => Type.Literal(k)));

/** Staff see the fulfilments of their stores; customers their own orders'. */
function assertMayRead(p: Principal | undefined, f: { customerId: string | null; locationId: string; pickupLocationId: string | null }) {
  if (p?.kind === 'customer' && f.customerId === p.id) return 'customer' as const;
  if (!p || !p.permissions.has('orders:read') || p.kind === 'customer' || p.kind === 'publishable_key') throw forbidden('Only staff with orders:read or the customer who placed the order may see its fulfilments.');
  assertAnyLocationAccess(p, ...[f.locationId, f.pickupLocationId].filter((x): x is string => !!x));
  return 'staff' as const;
}

function scopeOf(p: Principal | undefined) {
  return p && (p.kind === 'staff' || p.kind === 'secret_key') ? p.storeIds : null;
}

export async function fulfilmentRoutes(app: App, ctx: AppContext) {
  for (const s of [Fulfilment, FulfilmentPage, FulfilmentList, SourcingDecision, Carrier]) app.addSchema(s);
  const carriers = new Carriers();
  const deps: svc.ActionDeps = {
    settings: { pickupHoldDays: ctx.config.pickupHoldDays, publicUrl: ctx.publicUrl },
    carriers,
    providers: paymentProviders(ctx.db, { testGatewaySecret: ctx.config.testGatewaySecret }),
  };
  type Loaded = Awaited<ReturnType<typeof svc.getFulfilment>>;
  // Home deliveries carry the order's address (read from the order, so an erasure there erases it here too).
  const views = async (list: Loaded[], withCode = false) => {
    const addresses = await shippingAddressesOf(ctx.db, list.filter((f) => f.method === 'delivery').map((f) => f.orderId));
    return list.map((f) => ({ ...svc.publicFulfilment(f, { withCode, publicUrl: ctx.publicUrl }), shippingAddress: f.method === 'delivery' ? (addresses.get(f.orderId) ?? null) : null }));
  };
  const view = async (f: Loaded, withCode = false) => (await views([f], withCode))[0];

  app.get(
    '/v1/fulfilments',
    {
      config: { access: { permission: 'orders:read' } },
      schema: {
        tags,
        summary: 'Fulfilments, newest first: a location’s queue of pick lists, pick tasks and parcels',
        description: '`locationId` matches where the goods are picked and where they are collected. Staff scoped to stores see only theirs.',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            locationId: Type.Optional(Type.String()),
            status: Type.Optional(Type.Array(literalUnion(FULFILMENT_STATUSES), { description: 'One or more (repeat the parameter).' })),
            method: Type.Optional(literalUnion(FULFILMENT_METHODS)),
            orderId: Type.Optional(Type.String()),
          }),
        ]),
        response: { 200: ref(FulfilmentPage) },
      },
    },
    async (req) => {
      if (req.query.locationId) assertLocationAccess(req.principal, req.query.locationId);
      const page = await svc.listFulfilments(ctx.db, { ...req.query, scope: scopeOf(req.principal), limit: req.query.limit ?? 50 });
      return { ...page, data: await views(page.data) };
    },
  );

  app.get(
    '/v1/fulfilments/:id',
    { config: { access: { permission: 'storefront' } }, schema: { tags, summary: 'A fulfilment (staff with orders:read for its stores, or the customer who ordered; the pickup code only for the customer)', params: IdParam, response: { 200: withHeaders(ref(Fulfilment), 'etag') } } },
    async (req, reply) => {
      const f = await svc.getFulfilment(ctx.db, req.params.id);
      const who = assertMayRead(req.principal, f);
      reply.header('etag', etag(f.version));
      return await view(f, who === 'customer');
    },
  );

  app.get(
    '/v1/orders/:id/fulfilments',
    { config: { access: { permission: 'storefront' } }, schema: { tags, summary: 'An order’s fulfilments with their tracking and, for the customer, the pickup code', params: IdParam, response: { 200: ref(FulfilmentList) } } },
    async (req) => {
      const o = await getOrder(ctx.db, req.params.id);
      const p = req.principal;
      const mine = p?.kind === 'customer' && o.customerId === p.id;
      if (!mine && (!p || p.kind === 'customer' || p.kind === 'publishable_key' || !p.permissions.has('orders:read'))) throw forbidden('Only staff with orders:read or the customer who placed it may see an order’s fulfilments.');
      if (!mine) checkOrderScope(p!, o.id, locationsOfOrder(o));
      const list = await svc.fulfilmentsOfOrder(ctx.db, o.id);
      return { data: await views(list, mine) };
    },
  );

  app.get(
    '/v1/fulfilments/:id/pickup-qr.svg',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The pickup QR code as SVG (the link in the ready-for-pickup e-mail)',
        description: 'The `token` comes from the e-mail (or `pickupQrUrl`); the image exists only while the parcel is ready for pickup.',
        params: IdParam,
        querystring: Type.Object({ token: Type.String({ minLength: 10, maxLength: 64 }) }),
        response: { 200: { description: 'The QR code, carrying the pickup code.', content: { 'image/svg+xml': { schema: Type.String({ description: 'An SVG image.' }) } } } },
      },
    },
    async (req, reply) => {
      const f = await svc.fulfilmentByQrToken(ctx.db, req.params.id, req.query.token);
      if (!f) throw notFound('ready parcel with this QR link');
      const svg = encodeQR(svc.qrPayload(f), 'svg', { ecc: 'medium', border: 2 });
      return reply.type('image/svg+xml').header('cache-control', 'private, max-age=300').send(svg);
    },
  );

  app.get('/v1/carriers', { config: { access: { permission: 'orders:read' } }, schema: { tags, summary: 'Carriers a parcel can be shipped with', response: { 200: Type.Object({ data: Type.Array(ref(Carrier)) }) } } }, async () => ({ data: carriers.list() }));

  const action = (name: svc.FulfilmentAction, summary: string, body?: ReturnType<typeof Type.Object>, description?: string) =>
    app.post(
      `/v1/fulfilments/:id/${name}`,
      {
        config: { access: { permission: 'fulfilment:write' } },
        schema: { tags, summary, description: [description, 'Send `If-Match` with the fulfilment’s ETag to refuse a stale step (412). 409 `invalid_transition` when the step does not fit the current status.'].filter(Boolean).join(' '), params: IdParam, headers: IfMatchHeaders, ...(body ? { body } : {}), response: { 200: withHeaders(ref(Fulfilment), 'etag') } },
      },
      async (req: FastifyRequest, reply) => {
        const id = (req.params as { id: string }).id;
        const input = { ...((req.body as Record<string, string> | undefined) ?? {}) };
        const f = await svc.getFulfilment(ctx.db, id);
        assertLocationAccess(req.principal, svc.actingLocation(f, name));
        if (name === 'handover' && input.code?.startsWith('WINKEL-PICKUP:')) {
          // A scanned QR code: it must be this parcel's.
          const scanned = svc.parseQrPayload(input.code);
          if (!scanned || scanned.fulfilmentId !== id) throw badRequest('This QR code belongs to another parcel.', [{ field: '/code', message: 'QR code of another fulfilment' }]);
          input.code = scanned.code;
        }
        const after = await svc.performAction(ctx.db, requestContext(req), deps, id, name, { ...input, expectedVersion: expectedVersion(req) });
        reply.header('etag', etag(after.version));
        return await view(after);
      },
    );

  action('pick', 'Mark picked (the pick list is done)');
  action('pack', 'Mark packed');
  action(
    'ship',
    'Hand the parcel to a carrier with its tracking number',
    Type.Object({ carrier: Type.String({ minLength: 1, maxLength: 40, description: 'See GET /v1/carriers; `manual` takes any tracking number.' }), trackingNumber: Type.String({ minLength: 1, maxLength: 64 }), trackingUrl: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) }, { additionalProperties: false }),
    'Home delivery: the reservation becomes a sale in the stock ledger, the order lines are fulfilled and their value is captured from the online card (an expired authorisation is renewed first). When it cannot be captured (the payment is pending, or its authorisation was lost), 409 `payment_not_captured` and nothing changes. Ship-to-store: the parcel leaves for the pickup store (captured at the hand-over). The customer gets an e-mail.',
  );
  action('deliver', 'Mark delivered at the customer’s address');
  action('ready', 'Ready for pickup: the customer gets an e-mail with the pickup code and QR', undefined, 'The parcel is held for PICKUP_HOLD_DAYS; after that it is cancelled, restocked and refunded automatically.');
  action(
    'handover',
    'Hand the parcel to the customer who shows the pickup code',
    Type.Object(
      {
        code: Type.String({ minLength: 1, maxLength: 80, description: 'The six digits from the e-mail, or the scanned QR text.' }),
        tenders: Type.Optional(Type.Array(ref(TenderSchema), { minItems: 1, maxItems: 5, description: 'For an order paid at pickup: what the counter takes, in this order (cash, card terminal, gift card).' })),
      },
      { additionalProperties: false },
    ),
    'A wrong code answers 422 `pickup_code_invalid` and changes nothing. A right one turns the reservation into a sale, fulfils the order lines and captures their value. An order with money due (reserved to be paid at pickup, or whose card authorisation expired and was not renewed) needs `tenders` for it (402 `payment_required` with `amountDue` otherwise); they are authorised and captured with the handover, or nothing happens. A payment still pending at the provider: 409 `payment_not_captured`.',
  );
  action(
    'cancel',
    'Cancel: stock released, the customer’s money released or refunded',
    Type.Object({ reason: Type.Optional(Type.String({ maxLength: 300 })) }, { additionalProperties: false }),
  );

  app.post(
    '/v1/sourcing/preview',
    {
      config: { access: { permission: 'orders:read' } },
      schema: {
        tags,
        summary: 'Explain where the sourcing engine would take these lines from, and why not elsewhere',
        description: 'Changes nothing. Uses the configured SOURCING_POLICY unless `policy` names another preset.',
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object(
                {
                  sku: Type.Optional(Type.String({ maxLength: 64 })),
                  variantId: Type.Optional(Type.String({ maxLength: 64 })),
                  quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
                  fulfilment: Type.Optional(Type.Union([Type.Literal('delivery'), Type.Literal('pickup')])),
                  pickupLocationId: Type.Optional(Type.String({ maxLength: 64 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 100 },
            ),
            destination: Type.Optional(Type.Object({ latitude: Type.Number({ minimum: -90, maximum: 90 }), longitude: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false })),
            policy: Type.Optional(PolicyName),
            shipToStore: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: ref(SourcingDecision) },
      },
    },
    async (req) => {
      const lines = [];
      for (const [i, l] of req.body.lines.entries()) {
        if (!l.sku && !l.variantId) throw badRequest('Give each line a sku or a variantId.', [{ field: `/lines/${i}/sku`, message: 'sku or variantId required' }]);
        const v = await findVariant(ctx.db, l);
        if (!v) throw badRequest(`No product with ${l.sku ? `SKU ${l.sku}` : `variant ${l.variantId}`}.`, [{ field: `/lines/${i}/${l.sku ? 'sku' : 'variantId'}`, message: 'unknown' }]);
        const fulfilment = l.fulfilment ?? 'delivery';
        if (fulfilment === 'pickup' && !l.pickupLocationId) throw badRequest('A pickup line needs its store.', [{ field: `/lines/${i}/pickupLocationId`, message: 'required for pickup' }]);
        lines.push({ lineId: String(i + 1), variantId: v.id, quantity: l.quantity, fulfilment, pickupLocationId: l.pickupLocationId ?? null });
      }
      return (await sourceOrder(ctx.db, lines, {
        destination: req.body.destination ?? null,
        policy: (req.body.policy as SourcingPolicyName | undefined) ?? ctx.config.sourcingPolicy,
        shipToStore: req.body.shipToStore ?? ctx.config.shipToStore,
      }));
    },
  );
}
