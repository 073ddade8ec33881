// Suppliers, purchase orders and replenishment over HTTP.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { IdParam, Page, PageQuery, ref, Timestamp } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import * as purchasing from './purchasing.js';
import { assertInScope, assertLocationAccess, storeScope } from '../../platform/access/scope.js';

const tags = ['purchasing'];
const NullInt = Type.Union([Type.Integer(), Type.Null()]);

const SupplierItem = Type.Object(
  {
    variantId: Type.String(),
    supplierSku: Type.Union([Type.String(), Type.Null()]),
    leadTimeDays: NullInt,
    packSize: Type.Integer(),
    minimumOrder: Type.Integer(),
    cost: Type.Union([Type.Integer({ description: 'cents excl. VAT' }), Type.Null()]),
    preferred: Type.Boolean(),
  },
  { $id: 'SupplierItem' },
);
const Supplier = Type.Object(
  { id: Type.String({ description: 'sup_…' }), code: Type.String(), name: Type.String(), email: Type.Union([Type.String(), Type.Null()]), leadTimeDays: Type.Integer(), items: Type.Optional(Type.Array(ref(SupplierItem))), version: Type.Integer() },
  { $id: 'Supplier' },
);
const PurchaseOrder = Type.Object(
  {
    id: Type.String({ description: 'po_…' }),
    supplierId: Type.String(),
    locationId: Type.String(),
    status: Type.Union([Type.Literal('draft'), Type.Literal('sent'), Type.Literal('partially_received'), Type.Literal('received'), Type.Literal('cancelled')]),
    note: Type.Union([Type.String(), Type.Null()]),
    expectedAt: Type.Union([Timestamp, Type.Null()]),
    lines: Type.Array(Type.Object({ variantId: Type.String(), quantity: Type.Integer(), received: Type.Integer(), outstanding: Type.Integer(), cost: NullInt })),
    totalCost: NullInt,
    createdAt: Timestamp,
    sentAt: Type.Union([Timestamp, Type.Null()]),
    closedAt: Type.Union([Timestamp, Type.Null()]),
    version: Type.Integer(),
  },
  { $id: 'PurchaseOrder' },
);
const PurchaseOrderPage = Page(ref(PurchaseOrder), 'PurchaseOrder');
const Suggestion = Type.Object(
  {
    variantId: Type.String(),
    method: Type.String({ description: 'ses, sba or none' }),
    perWeek: Type.Number(),
    sigma: Type.Number(),
    leadTimeWeeks: Type.Integer(),
    safetyStock: Type.Integer(),
    reorderPoint: Type.Integer(),
    orderUpTo: Type.Integer(),
    position: Type.Integer(),
    suggestedQuantity: Type.Integer(),
    source: Type.Union([Type.Object({ kind: Type.Literal('supplier'), supplierId: Type.String() }), Type.Object({ kind: Type.Literal('transfer'), fromLocationId: Type.String() }), Type.Null()]),
    reason: Type.String(),
  },
  { $id: 'ReplenishmentSuggestion' },
);

const publicSupplier = (s: Awaited<ReturnType<typeof purchasing.getSupplier>> | Awaited<ReturnType<typeof purchasing.listSuppliers>>[number]) => ({
  id: s.id,
  code: s.code,
  name: s.name,
  email: s.email,
  leadTimeDays: s.leadTimeDays,
  ...('items' in s ? { items: s.items.map(({ supplierId: _s, ...i }) => i) } : {}),
  version: s.version,
});

export async function purchasingRoutes(app: App, ctx: AppContext) {
  for (const s of [SupplierItem, Supplier, PurchaseOrder, PurchaseOrderPage, Suggestion]) app.addSchema(s);
  const read = { access: { permission: 'inventory:read' } } as const;
  const write = { access: { permission: 'purchasing:write' } } as const;

  app.get('/v1/suppliers', { config: read, schema: { tags, summary: 'Suppliers', response: { 200: Type.Object({ data: Type.Array(ref(Supplier)) }) } } }, async () => ({ data: (await purchasing.listSuppliers(ctx.db)).map(publicSupplier) }));
  app.post(
    '/v1/suppliers',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a supplier',
        body: Type.Object({ code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }), name: Type.String({ minLength: 1, maxLength: 200 }), email: Type.Optional(Type.String({ format: 'email' })), leadTimeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })) }, { additionalProperties: false }),
        response: { 201: ref(Supplier) },
      },
    },
    async (req, reply) => reply.code(201).send(publicSupplier(await purchasing.createSupplier(ctx.db, requestContext(req), req.body))),
  );
  app.get('/v1/suppliers/:id', { config: read, schema: { tags, summary: 'A supplier with its items', params: IdParam, response: { 200: ref(Supplier) } } }, async (req) => publicSupplier(await purchasing.getSupplier(ctx.db, req.params.id)));
  app.post(
    '/v1/suppliers/:id/items',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Set what a supplier delivers: lead time, pack size, minimum order, cost per variant',
        params: IdParam,
        body: Type.Object({
          items: Type.Array(
            Type.Object(
              {
                variantId: Type.String(),
                supplierSku: Type.Optional(Type.Union([Type.String(), Type.Null()])),
                leadTimeDays: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 365 }), Type.Null()])),
                packSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
                minimumOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
                cost: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
                preferred: Type.Optional(Type.Boolean()),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 5000 },
          ),
        }),
        response: { 200: Type.Object({ updated: Type.Integer() }) },
      },
    },
    async (req) => ({ updated: await purchasing.setSupplierItems(ctx.db, requestContext(req), req.params.id, req.body.items) }),
  );

  app.get(
    '/v1/purchase-orders',
    {
      config: read,
      schema: {
        tags,
        summary: 'Purchase orders, newest first',
        querystring: Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(Type.String()), supplierId: Type.Optional(Type.String()) })]),
        response: { 200: ref(PurchaseOrderPage) },
      },
    },
    async (req) => purchasing.listPurchaseOrders(ctx.db, { ...req.query, locationIds: storeScope(req.principal) ?? undefined, limit: req.query.limit ?? 50 }),
  );
  app.post(
    '/v1/purchase-orders',
    {
      config: write,
      schema: {
        tags,
        summary: 'Draft a purchase order',
        body: Type.Object(
          {
            supplierId: Type.String(),
            locationId: Type.String(),
            note: Type.Optional(Type.String({ maxLength: 500 })),
            expectedAt: Type.Optional(Type.String({ format: 'date-time' })),
            lines: Type.Array(Type.Object({ variantId: Type.String(), quantity: Type.Integer({ minimum: 1, maximum: 10_000_000 }), cost: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])) }, { additionalProperties: false }), { minItems: 1, maxItems: 5000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(PurchaseOrder) },
      },
    },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.body.locationId);
      return reply.code(201).send(await purchasing.createPurchaseOrder(ctx.db, requestContext(req), req.body));
    },
  );
  /** A purchase order, 403 when it is for another store than the caller's. */
  const orderInScope = async (req: { principal?: Parameters<typeof storeScope>[0] }, id: string) => {
    const po = await purchasing.getPurchaseOrder(ctx.db, id);
    assertInScope(req.principal, `purchase order ${id}`, [po.locationId]);
    return po;
  };
  app.get('/v1/purchase-orders/:id', { config: read, schema: { tags, summary: 'A purchase order', params: IdParam, response: { 200: ref(PurchaseOrder) } } }, async (req) =>
    purchasing.publicPurchaseOrder(await orderInScope(req, req.params.id)),
  );
  app.post('/v1/purchase-orders/:id/send', { config: { ...write }, schema: { tags, summary: 'Send a draft to the supplier (quantities become incoming)', params: IdParam, response: { 200: ref(PurchaseOrder) } } }, async (req) => {
    await orderInScope(req, req.params.id);
    return purchasing.sendPurchaseOrder(ctx.db, requestContext(req), req.params.id);
  });
  app.post(
    '/v1/purchase-orders/:id/receive',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Receive goods (everything outstanding, or the quantities given): receipts in the ledger',
        params: IdParam,
        body: Type.Object({ lines: Type.Optional(Type.Array(Type.Object({ variantId: Type.String(), quantity: Type.Integer({ minimum: 0, maximum: 10_000_000 }) }, { additionalProperties: false }), { maxItems: 5000 })) }, { additionalProperties: false }),
        response: { 200: ref(PurchaseOrder) },
      },
    },
    async (req) => {
      await orderInScope(req, req.params.id);
      return purchasing.receivePurchaseOrder(ctx.db, requestContext(req), req.params.id, req.body.lines);
    },
  );
  app.post('/v1/purchase-orders/:id/cancel', { config: { ...write }, schema: { tags, summary: 'Cancel a purchase order (outstanding quantities stop being incoming)', params: IdParam, response: { 200: ref(PurchaseOrder) } } }, async (req) => {
    await orderInScope(req, req.params.id);
    return purchasing.cancelPurchaseOrder(ctx.db, requestContext(req), req.params.id);
  });

  const SuggestQuery = Type.Object({
    locationId: Type.String(),
    serviceLevel: Type.Optional(Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.95 })),
    fromLocationId: Type.Optional(Type.String({ description: 'for a store: the warehouse to transfer from' })),
    weeks: Type.Optional(Type.Integer({ minimum: 4, maximum: 156, description: 'weeks of sales history; default 26' })),
  });
  app.get(
    '/v1/replenishment/suggestions',
    { config: read, schema: { tags, summary: 'Forecast, reorder point and suggested quantity per variant at a location', querystring: SuggestQuery, response: { 200: Type.Object({ data: Type.Array(ref(Suggestion)) }) } } },
    async (req) => {
      assertLocationAccess(req.principal, req.query.locationId);
      return { data: await purchasing.replenishmentSuggestions(ctx.db, req.query) };
    },
  );
  app.post(
    '/v1/replenishment/orders',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Turn the suggestions into draft purchase orders (per supplier) or transfer requests',
        body: Type.Object({ locationId: Type.String(), serviceLevel: Type.Optional(Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1 })), fromLocationId: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 201: Type.Object({ purchaseOrders: Type.Array(ref(PurchaseOrder)), transfers: Type.Array(Type.Ref('Transfer')) }) },
      },
    },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.body.locationId);
      return reply.code(201).send(await purchasing.actOnSuggestions(ctx.db, requestContext(req), req.body));
    },
  );
}
