// Inventory HTTP API: locations, stock levels and the ledger, movements, reservations, availability.
import Type, { type Static, type TSchema } from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest } from '../../platform/errors.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, Page, PageQuery, ref, Timestamp, withHeaders, ActorOut } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import { findVariant } from '../catalog/index.js';
import * as inv from './service.js';
import { assertAllStores, assertAnyLocationAccess, assertInScope, assertLocationAccess, locationFilter, storeScope } from '../../platform/access/scope.js';
import { cancelBackInStock, subscribeBackInStock } from './back-in-stock.js';

const tags = ['inventory'];
const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const Location = Type.Object(
  {
    id: Type.String({ description: 'loc_…' }),
    code: Type.String(),
    name: Type.String(),
    type: Type.Union([Type.Literal('warehouse'), Type.Literal('store'), Type.Literal('supplier')]),
    address: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
    latitude: Nullable(Type.Number()),
    longitude: Nullable(Type.Number()),
    openingHours: Type.Union([Type.Record(Type.String(), Type.Array(Type.Array(Type.String()))), Type.Null()]),
    timeZone: Type.String(),
    pickup: Type.Boolean(),
    shipFromStore: Type.Boolean(),
    dailyCapacity: Type.Union([Type.Integer(), Type.Null()]),
    lowStockThreshold: Type.Union([Type.Integer(), Type.Null()], { description: 'low-stock alert threshold for levels here without their own; null: the global default (LOW_STOCK_THRESHOLD)' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('closed')]),
    version: Type.Integer(),
  },
  { $id: 'Location' },
);
export const StockLevel = Type.Object(
  {
    variantId: Type.String(),
    locationId: Type.String(),
    onHand: Type.Integer(),
    reserved: Type.Integer(),
    safetyStock: Type.Integer(),
    incoming: Type.Integer(),
    availableToPromise: Type.Integer({ description: 'on hand − reserved − safety stock, never below 0' }),
    lowStockThreshold: Type.Union([Type.Integer(), Type.Null()], { description: 'this level’s own low-stock threshold; null: the location’s, else the global default' }),
    effectiveLowStockThreshold: Type.Integer({ description: 'the threshold that applies: ATP at or below it (and above 0) is low stock' }),
    status: Type.Union([Type.Literal('in_stock'), Type.Literal('low'), Type.Literal('out')]),
    version: Type.Integer({ description: 'changes with the level’s settings (safety stock, threshold), not with stock movements; the ETag for If-Match' }),
    updatedAt: Timestamp,
  },
  { $id: 'StockLevel' },
);
const StockLevelPage = Page(ref(StockLevel), 'StockLevel');
const Movement = Type.Object(
  {
    seq: Type.Integer(),
    variantId: Type.String(),
    locationId: Type.String(),
    type: Type.String(),
    onHandDelta: Type.Integer(),
    reservedDelta: Type.Integer(),
    reason: Type.Union([Type.String(), Type.Null()]),
    reference: Type.Union([Type.String(), Type.Null()]),
    actor: Type.Union([ActorOut, Type.Null()]),
    occurredAt: Timestamp,
  },
  { $id: 'StockMovement' },
);
const MovementPage = Page(ref(Movement), 'StockMovement');
export const Reservation = Type.Object(
  {
    id: Type.String({ description: 'rsv_…' }),
    variantId: Type.String(),
    locationId: Type.String(),
    quantity: Type.Integer(),
    status: Type.Union([Type.Literal('active'), Type.Literal('released'), Type.Literal('converted'), Type.Literal('expired')]),
    reference: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'Reservation' },
);
const Availability = Type.Object(
  {
    variantId: Type.String(),
    sku: Type.String(),
    totalAvailable: Type.Integer(),
    locations: Type.Array(
      Type.Object({ location: ref(Location), availableToPromise: Type.Integer(), inStock: Type.Boolean(), pickup: Type.Boolean({ description: 'can be collected here now' }), distanceKm: Type.Union([Type.Number(), Type.Null()]) }),
    ),
  },
  { $id: 'Availability' },
);

/**
 * A value or null as `type: [T, 'null']`: with Ajv's type coercion a Union (anyOf) would turn null
 * into 0 before the null branch is tried.
 */
const orNull = <T>(schema: ReturnType<typeof Type.Number> | ReturnType<typeof Type.Integer>) => {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<T | null>({ ...rest, type: [type, 'null'] });
};

const LocationBody = {
  code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  type: Type.Union([Type.Literal('warehouse'), Type.Literal('store'), Type.Literal('supplier')]),
  address: Type.Union([Type.Record(Type.String(), Type.String({ maxLength: 300 })), Type.Null()]),
  latitude: orNull<number>(Type.Number({ minimum: -90, maximum: 90 })),
  longitude: orNull<number>(Type.Number({ minimum: -180, maximum: 180 })),
  openingHours: Type.Union([Type.Record(Type.String({ pattern: '^(mon|tue|wed|thu|fri|sat|sun)$' }), Type.Array(Type.Array(Type.String({ pattern: '^\\d{2}:\\d{2}$' }), { minItems: 2, maxItems: 2 }))), Type.Null()]),
  timeZone: Type.String({ maxLength: 64 }),
  pickup: Type.Boolean(),
  shipFromStore: Type.Boolean(),
  dailyCapacity: orNull<number>(Type.Integer({ minimum: 0 })),
  lowStockThreshold: orNull<number>(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  status: Type.Union([Type.Literal('active'), Type.Literal('closed')]),
};
const optional = <T extends Record<string, TSchema>>(o: T) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Type.Optional(v)])) as unknown as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> };

const toReservation = (r: { id: string; variantId: string; locationId: string; quantity: number; status: string; reference: string | null; expiresAt: Date | string | null }) => ({
  id: r.id,
  variantId: r.variantId,
  locationId: r.locationId,
  quantity: r.quantity,
  status: r.status as 'active',
  reference: r.reference,
  expiresAt: r.expiresAt ? new Date(r.expiresAt).toISOString() : null,
});

const Transfer = Type.Object(
  {
    id: Type.String({ description: 'trf_…' }),
    fromLocationId: Type.String(),
    toLocationId: Type.String(),
    status: Type.Union([Type.Literal('requested'), Type.Literal('shipped'), Type.Literal('received'), Type.Literal('cancelled')]),
    note: Type.Union([Type.String(), Type.Null()]),
    lines: Type.Array(
      Type.Object({
        variantId: Type.String(),
        quantity: Type.Integer(),
        shipped: Type.Union([Type.Integer(), Type.Null()]),
        received: Type.Union([Type.Integer(), Type.Null()]),
        difference: Type.Union([Type.Integer(), Type.Null()], { description: 'received − shipped' }),
        differenceReason: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    createdAt: Timestamp,
    shippedAt: Type.Union([Timestamp, Type.Null()]),
    receivedAt: Type.Union([Timestamp, Type.Null()]),
    version: Type.Integer(),
  },
  { $id: 'Transfer' },
);
const TransferPage = Page(ref(Transfer), 'Transfer');
const CountSheet = Type.Object(
  {
    id: Type.String({ description: 'cnt_…' }),
    locationId: Type.String(),
    zone: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('open'), Type.Literal('submitted'), Type.Literal('approved'), Type.Literal('rejected')]),
    lines: Type.Array(Type.Object({ variantId: Type.String(), expected: Type.Integer(), counted: Type.Union([Type.Integer(), Type.Null()]), variance: Type.Union([Type.Integer(), Type.Null()]) })),
    variance: Type.Object({ linesCounted: Type.Integer(), linesWithVariance: Type.Integer(), netUnits: Type.Integer(), absoluteUnits: Type.Integer() }, { description: 'the variance report' }),
    createdAt: Timestamp,
    submittedAt: Type.Union([Timestamp, Type.Null()]),
    decidedAt: Type.Union([Timestamp, Type.Null()]),
    decidedBy: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
  },
  { $id: 'CountSheet' },
);
const CountSheetPage = Page(ref(CountSheet), 'CountSheet');

export async function inventoryRoutes(app: App, ctx: AppContext) {
  for (const s of [Location, StockLevel, StockLevelPage, Movement, MovementPage, Reservation, Availability, Transfer, TransferPage, CountSheet, CountSheetPage]) app.addSchema(s);
  const read = { access: { permission: 'inventory:read' } } as const;
  const write = { access: { permission: 'inventory:write' } } as const;

  app.get('/v1/locations', { config: { access: { permission: 'storefront' } }, schema: { tags, summary: 'Stock locations: warehouses, stores, suppliers', querystring: Type.Object({ type: Type.Optional(LocationBody.type) }), response: { 200: Type.Object({ data: Type.Array(ref(Location)) }) } } }, async (req) => ({
    data: (await inv.listLocations(ctx.db, req.query)).map(inv.publicLocation),
  }));

  app.post(
    '/v1/locations',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a warehouse, store or supplier location',
        body: Type.Object({ code: LocationBody.code, name: LocationBody.name, type: LocationBody.type, ...optional({ address: LocationBody.address, latitude: LocationBody.latitude, longitude: LocationBody.longitude, openingHours: LocationBody.openingHours, timeZone: LocationBody.timeZone, pickup: LocationBody.pickup, shipFromStore: LocationBody.shipFromStore, dailyCapacity: LocationBody.dailyCapacity, lowStockThreshold: LocationBody.lowStockThreshold, status: LocationBody.status }) }, { additionalProperties: false }),
        response: { 201: withHeaders(ref(Location), 'etag', 'location') },
      },
    },
    async (req, reply) => {
      assertAllStores(req.principal, 'Adding a location');
      const l = await inv.createLocation(ctx.db, requestContext(req), req.body as inv.LocationInput);
      reply.code(201).header('etag', etag(l.version)).header('location', `/v1/locations/${l.id}`);
      return inv.publicLocation(l);
    },
  );

  app.get('/v1/locations/:id', { config: { access: { permission: 'storefront' } }, schema: { tags, summary: 'Get a location', params: IdParam, response: { 200: withHeaders(ref(Location), 'etag') } } }, async (req, reply) => {
    const l = await inv.getLocation(ctx.db, req.params.id);
    reply.header('etag', etag(l.version));
    return inv.publicLocation(l);
  });

  app.patch(
    '/v1/locations/:id',
    { config: write, schema: { tags, summary: 'Change a location', params: IdParam, headers: IfMatchHeaders, body: Type.Object(optional(LocationBody), { additionalProperties: false, minProperties: 1 }), response: { 200: withHeaders(ref(Location), 'etag') } } },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.params.id);
      const l = await inv.updateLocation(ctx.db, requestContext(req), req.params.id, req.body as Partial<inv.LocationInput>, expectedVersion(req));
      reply.header('etag', etag(l.version));
      return inv.publicLocation(l);
    },
  );

  app.get(
    '/v1/locations/:id/stock',
    { config: read, schema: { tags, summary: 'Every stock level at one location', params: IdParam, querystring: Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(Type.Union([Type.Literal('in_stock'), Type.Literal('low'), Type.Literal('out')])) })]), response: { 200: ref(StockLevelPage) } } },
    async (req) => {
      assertLocationAccess(req.principal, req.params.id);
      const page = await inv.levelsForLocation(ctx.db, req.params.id, { limit: req.query.limit ?? 50, cursor: req.query.cursor, status: req.query.status });
      return { ...page, data: page.data.map((l) => inv.publicLevel(l, page.lowStockThreshold)) };
    },
  );

  app.get(
    '/v1/stock',
    { config: read, schema: { tags, summary: 'One variant’s stock at every location', querystring: Type.Object({ sku: Type.Optional(Type.String()), variantId: Type.Optional(Type.String()) }), response: { 200: Type.Object({ data: Type.Array(ref(StockLevel)) }) } } },
    async (req) => {
      if (!req.query.sku && !req.query.variantId) throw badRequest('Give sku or variantId.', [{ field: '/sku', in: 'query', message: 'sku or variantId is required' }]);
      const v = await findVariant(ctx.db, req.query);
      if (!v) return { data: [] };
      // Staff of some stores see the levels there; availability across stores is GET /v1/availability.
      const levels = await inv.publicLevelsForVariant(ctx.db, v.id);
      const scope = storeScope(req.principal);
      return { data: scope ? levels.filter((l) => scope.includes(l.locationId)) : levels };
    },
  );

  const LevelParams = Type.Object({ variantId: Type.String(), locationId: Type.String() });
  app.get(
    '/v1/stock/levels/:variantId/:locationId',
    { config: read, schema: { tags, summary: 'One stock level with its settings (ETag for If-Match)', params: LevelParams, response: { 200: withHeaders(ref(StockLevel), 'etag') } } },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.params.locationId);
      const l = await inv.getLevel(ctx.db, { variantId: req.params.variantId }, req.params.locationId);
      reply.header('etag', etag(l.version));
      return l;
    },
  );

  app.patch(
    '/v1/stock/levels/:variantId/:locationId',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a level’s safety stock or low-stock threshold (send If-Match)',
        description: 'lowStockThreshold null falls back to the location’s threshold, else the global default. No stock moves; low-stock, stockout and back-in-stock events follow the new settings.',
        params: LevelParams,
        headers: IfMatchHeaders,
        body: Type.Object(
          { safetyStock: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })), lowStockThreshold: Type.Optional(orNull<number>(Type.Integer({ minimum: 0, maximum: 1_000_000 }))) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: withHeaders(ref(StockLevel), 'etag') },
      },
    },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.params.locationId);
      const l = await inv.updateLevelSettings(ctx.db, requestContext(req), { variantId: req.params.variantId }, req.params.locationId, req.body, expectedVersion(req));
      reply.header('etag', etag(l.version));
      return l;
    },
  );

  app.post(
    '/v1/stock/movements',
    {
      config: write,
      schema: {
        tags,
        summary: 'Record a receipt, adjustment (with reason), damage, return or count correction',
        body: Type.Object(
          {
            sku: Type.Optional(Type.String()),
            variantId: Type.Optional(Type.String()),
            locationId: Type.String(),
            type: Type.Union([Type.Literal('receipt'), Type.Literal('adjustment'), Type.Literal('damage'), Type.Literal('return'), Type.Literal('count_correction')]),
            quantity: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'pieces; negative only for adjustments and count corrections' }),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
            reference: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(StockLevel) },
      },
    },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.body.locationId);
      const r = await inv.recordMovement(ctx.db, requestContext(req), req.body);
      return reply.code(201).send(await inv.getLevel(ctx.db, { variantId: r.variantId }, r.locationId));
    },
  );

  app.get(
    '/v1/stock/movements',
    {
      config: read,
      schema: {
        tags,
        summary: 'The stock ledger, newest first',
        description: 'Staff and keys scoped to stores see the movements at their stores only; naming another location is a 403.',
        querystring: Type.Intersect([PageQuery, Type.Object({ variantId: Type.Optional(Type.String()), locationId: Type.Optional(Type.String()) })]),
        response: { 200: ref(MovementPage) },
      },
    },
    async (req) => {
      const page = await inv.listMovements(ctx.db, { variantId: req.query.variantId, locationIds: locationFilter(req.principal, req.query.locationId), cursor: req.query.cursor, limit: req.query.limit ?? 50 });
      return { ...page, data: page.data.map((m) => ({ ...m, actor: m.actor as Static<typeof ActorOut> | null, occurredAt: m.occurredAt.toISOString() })) };
    },
  );

  app.post(
    '/v1/reservations',
    {
      config: { access: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Reserve stock for a cart or order: every line or none',
        description: '409 `insufficient_stock` lists each line that cannot be had with what is available. Reservations with ttlMinutes are released automatically when they expire.',
        body: Type.Object(
          {
            lines: Type.Array(Type.Object({ variantId: Type.String(), locationId: Type.String(), quantity: Type.Integer({ minimum: 1, maximum: 100_000 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 200 }),
            reference: Type.Optional(Type.String({ maxLength: 200 })),
            ttlMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 * 24 * 30 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ data: Type.Array(ref(Reservation)) }) },
      },
    },
    async (req, reply) => {
      assertLocationAccess(req.principal, ...new Set(req.body.lines.map((l) => l.locationId)));
      return reply.code(201).send({ data: (await inv.reserve(ctx.db, requestContext(req), req.body.lines, req.body)).map(toReservation) });
    },
  );

  /** A reservation, 403 when it holds stock at another store than the caller's. */
  const reservationInScope = async (req: { principal?: Parameters<typeof storeScope>[0]; params: { id: string } }) => {
    const r = await inv.getReservation(ctx.db, req.params.id);
    assertInScope(req.principal, `reservation ${r.id}`, [r.locationId]);
    return r;
  };

  app.get('/v1/reservations/:id', { config: { access: { permission: 'orders:read' } }, schema: { tags, summary: 'Get a reservation', params: IdParam, response: { 200: ref(Reservation) } } }, async (req) => toReservation(await reservationInScope(req)));

  for (const [action, how, summary] of [
    ['release', 'released', 'Give reserved stock back'],
    ['convert', 'converted', 'Fulfil a reservation: the stock leaves (a sale)'],
  ] as const) {
    app.post(
      `/v1/reservations/:id/${action}`,
      {
        config: { access: { permission: 'orders:write' } },
        schema: { tags, summary, params: IdParam, querystring: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }), response: { 200: ref(Reservation) } },
      },
      async (req) => {
        await reservationInScope(req);
        return toReservation(await inv.changeReservation(ctx.db, requestContext(req), req.params.id, how, req.query.reason));
      },
    );
  }

  app.post(
    '/v1/reservations/:id/extend',
    { config: { access: { permission: 'orders:write' } }, schema: { tags, summary: 'Move a reservation’s expiry', params: IdParam, body: Type.Object({ ttlMinutes: Type.Integer({ minimum: 1, maximum: 60 * 24 * 30 }) }), response: { 200: ref(Reservation) } } },
    async (req) => {
      await reservationInScope(req);
      return toReservation(await inv.extendReservation(ctx.db, req.params.id, req.body.ttlMinutes));
    },
  );

  app.get(
    '/v1/availability',
    {
      config: { access: { permission: 'storefront' } },
      schema: {
        tags,
        summary: 'Where a product can be had: stock and pickup per store, nearest first',
        querystring: Type.Object({ sku: Type.Optional(Type.String()), variantId: Type.Optional(Type.String()), near: Type.Optional(Type.String({ pattern: '^-?\\d+(\\.\\d+)?,-?\\d+(\\.\\d+)?$', description: 'lat,lon' })) }),
        response: { 200: ref(Availability) },
      },
    },
    async (req) => {
      const q = req.query;
      if (!q.sku && !q.variantId) throw badRequest('Give sku or variantId.', [{ field: '/sku', in: 'query', message: 'sku or variantId is required' }]);
      const near = q.near ? { lat: Number(q.near.split(',')[0]), lon: Number(q.near.split(',')[1]) } : undefined;
      if (near && (Math.abs(near.lat) > 90 || Math.abs(near.lon) > 180)) throw badRequest('near is lat,lon in degrees.', [{ field: '/near', in: 'query', message: 'out of range' }]);
      return inv.availability(ctx.db, q, near);
    },
  );

  const Qty = Type.Array(Type.Object({ variantId: Type.String(), quantity: Type.Integer({ minimum: 0, maximum: 1_000_000 }), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }), { maxItems: 1000 });

  app.get(
    '/v1/transfers',
    {
      config: read,
      schema: {
        tags,
        summary: 'Transfers between locations, newest first',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            locationId: Type.Optional(Type.String({ description: 'either end' })),
            fromLocationId: Type.Optional(Type.String({ description: 'shipped from here' })),
            toLocationId: Type.Optional(Type.String({ description: 'going to here' })),
            status: Type.Optional(Type.Union([Type.Literal('requested'), Type.Literal('shipped'), Type.Literal('received'), Type.Literal('cancelled')])),
          }),
        ]),
        response: { 200: ref(TransferPage) },
      },
    },
    async (req) => {
      // Staff of some stores see the transfers with one end at their stores.
      if (req.query.locationId) assertLocationAccess(req.principal, req.query.locationId);
      const scope = storeScope(req.principal);
      return inv.listTransfers(ctx.db, { ...req.query, ...(scope ? { scope } : {}), limit: req.query.limit ?? 50 });
    },
  );

  app.post(
    '/v1/transfers',
    {
      config: write,
      schema: {
        tags,
        summary: 'Request a transfer (the destination sees it as incoming)',
        body: Type.Object(
          {
            fromLocationId: Type.String(),
            toLocationId: Type.String(),
            note: Type.Optional(Type.String({ maxLength: 500 })),
            lines: Type.Array(Type.Object({ variantId: Type.String(), quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(Transfer) },
      },
    },
    async (req, reply) => {
      assertAnyLocationAccess(req.principal, req.body.fromLocationId, req.body.toLocationId);
      return reply.code(201).send(await inv.requestTransfer(ctx.db, requestContext(req), req.body));
    },
  );

  /** A transfer, 403 when neither end is one of the caller's stores. */
  const transferInScope = async (req: { principal?: Parameters<typeof storeScope>[0] }, id: string) => {
    const t = await inv.getTransfer(ctx.db, id);
    assertInScope(req.principal, `transfer ${id}`, [t.fromLocationId, t.toLocationId]);
    return t;
  };

  app.get('/v1/transfers/:id', { config: read, schema: { tags, summary: 'Get a transfer', params: IdParam, response: { 200: ref(Transfer) } } }, async (req) => inv.publicTransfer(await transferInScope(req, req.params.id)));

  app.post(
    '/v1/transfers/:id/ship',
    { config: { ...write }, schema: { tags, summary: 'Ship a transfer (all requested, or the quantities given)', params: IdParam, body: Type.Object({ lines: Type.Optional(Qty) }, { additionalProperties: false }), response: { 200: ref(Transfer) } } },
    async (req) => {
      assertLocationAccess(req.principal, (await inv.getTransfer(ctx.db, req.params.id)).fromLocationId);
      return inv.shipTransfer(ctx.db, requestContext(req), req.params.id, req.body.lines);
    },
  );

  app.post(
    '/v1/transfers/:id/receive',
    {
      config: { ...write },
      schema: { tags, summary: 'Receive a transfer; a quantity that differs from what shipped needs a reason', params: IdParam, body: Type.Object({ lines: Type.Optional(Qty) }, { additionalProperties: false }), response: { 200: ref(Transfer) } },
    },
    async (req) => {
      assertLocationAccess(req.principal, (await inv.getTransfer(ctx.db, req.params.id)).toLocationId);
      return inv.receiveTransfer(ctx.db, requestContext(req), req.params.id, req.body.lines);
    },
  );

  app.post('/v1/transfers/:id/cancel', { config: { ...write }, schema: { tags, summary: 'Cancel a requested transfer (staff of either end)', params: IdParam, response: { 200: ref(Transfer) } } }, async (req) => {
    await transferInScope(req, req.params.id);
    return inv.cancelTransfer(ctx.db, requestContext(req), req.params.id);
  });

  app.post(
    '/v1/count-sheets',
    {
      config: write,
      schema: {
        tags,
        summary: 'Start a cycle count for a store zone',
        body: Type.Object({ locationId: Type.String(), zone: Type.Optional(Type.String({ maxLength: 100 })), variantIds: Type.Array(Type.String(), { minItems: 1, maxItems: 5000 }) }, { additionalProperties: false }),
        response: { 201: ref(CountSheet) },
      },
    },
    async (req, reply) => {
      assertLocationAccess(req.principal, req.body.locationId);
      return reply.code(201).send(await inv.createCountSheet(ctx.db, requestContext(req), req.body));
    },
  );

  app.get(
    '/v1/count-sheets',
    {
      config: read,
      schema: {
        tags,
        summary: 'Cycle counts, newest first, with their variance reports',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            locationId: Type.Optional(Type.String()),
            zone: Type.Optional(Type.String({ maxLength: 100 })),
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('submitted'), Type.Literal('approved'), Type.Literal('rejected')])),
          }),
        ]),
        response: { 200: ref(CountSheetPage) },
      },
    },
    async (req) => inv.listCountSheets(ctx.db, { zone: req.query.zone, status: req.query.status, cursor: req.query.cursor, locationIds: locationFilter(req.principal, req.query.locationId), limit: req.query.limit ?? 50 }),
  );

  app.get('/v1/count-sheets/:id', { config: read, schema: { tags, summary: 'A count sheet with its variance report', params: IdParam, response: { 200: ref(CountSheet) } } }, async (req) => {
    const sheet = await inv.getCountSheet(ctx.db, req.params.id);
    assertInScope(req.principal, `count sheet ${sheet.id}`, [sheet.locationId]);
    return inv.publicCountSheet(sheet);
  });

  app.post(
    '/v1/count-sheets/:id/counts',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Enter counted quantities; submit when every line is counted',
        params: IdParam,
        body: Type.Object({ counts: Type.Array(Type.Object({ variantId: Type.String(), counted: Type.Integer({ minimum: 0, maximum: 10_000_000 }) }, { additionalProperties: false }), { maxItems: 5000 }), submit: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: ref(CountSheet) },
      },
    },
    async (req) => {
      assertLocationAccess(req.principal, (await inv.getCountSheet(ctx.db, req.params.id)).locationId);
      return inv.enterCounts(ctx.db, requestContext(req), req.params.id, req.body.counts, req.body.submit ?? false);
    },
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    app.post(
      `/v1/count-sheets/:id/${action}`,
      { config: { ...write }, schema: { tags, summary: approve ? 'Approve a submitted count: variances become count corrections' : 'Reject a submitted count: stock stays as it is', params: IdParam, response: { 200: ref(CountSheet) } } },
      async (req) => {
        assertLocationAccess(req.principal, (await inv.getCountSheet(ctx.db, req.params.id)).locationId);
        return inv.decideCount(ctx.db, requestContext(req), req.params.id, approve);
      },
    );
  }

  app.post(
    '/v1/back-in-stock',
    {
      config: { access: { permission: 'storefront' } },
      schema: {
        tags,
        summary: 'Ask for an e-mail when a product is back in stock (at a store, or online)',
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 254 }),
            sku: Type.Optional(Type.String()),
            variantId: Type.Optional(Type.String()),
            locationId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            locale: Type.Optional(Type.Union([Type.Literal('nl'), Type.Literal('en')])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), variantId: Type.String(), locationId: Type.Union([Type.String(), Type.Null()]), status: Type.String() }) },
      },
    },
    async (req, reply) => {
      if (!req.body.sku && !req.body.variantId) throw badRequest('Give sku or variantId.', [{ field: '/sku', message: 'sku or variantId is required' }]);
      const sub = await subscribeBackInStock(ctx.db, { ...req.body, customerId: req.principal?.kind === 'customer' ? req.principal.id : null });
      return reply.code(201).send({ id: sub.id, variantId: sub.variantId, locationId: sub.locationId, status: sub.status });
    },
  );

  app.delete('/v1/back-in-stock/:id', { config: { access: { permission: 'storefront' } }, schema: { tags, summary: 'Stop a back-in-stock request', params: IdParam, response: { 204: Type.Null() } } }, async (req, reply) => {
    await cancelBackInStock(ctx.db, req.params.id);
    return reply.code(204).send(null);
  });
}
