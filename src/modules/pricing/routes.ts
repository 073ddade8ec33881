// Price lists, prices and price resolution with its explanation.
import Type from 'typebox';
import type { App, WiredContext } from '../../app.js';
import { badRequest, forbidden } from '../../platform/errors.js';
import { isShopperFacing } from '../../platform/http/access.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, NullableTimestamp, Page, PageQuery, ref, Timestamp, withHeaders } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import * as pricing from './service.js';

const tags = ['pricing'];
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. EUR' });
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);

export const PriceList = Type.Object(
  {
    id: Type.String({ description: 'pl_…' }),
    name: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('draft'), Type.Literal('archived')]),
    currency: Type.String(),
    channel: Type.Union([Type.String(), Type.Null()]),
    storeId: Type.Union([Type.String(), Type.Null()]),
    customerGroup: Type.Union([Type.String(), Type.Null()]),
    priority: Type.Integer(),
    startsAt: NullableTimestamp,
    endsAt: NullableTimestamp,
    specificity: Type.Integer({ description: 'customer group 4 + store 2 + channel 1; the most specific applicable list wins' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'PriceList' },
);
const PriceListPage = Page(ref(PriceList), 'PriceList');
const Price = Type.Object({ variantId: Type.String(), minQuantity: Type.Integer(), amount: Type.Integer({ description: 'cents, VAT included' }), updatedAt: Timestamp }, { $id: 'Price' });
const PricePage = Page(ref(Price), 'Price');
const PriceExplanation = Type.Object(
  {
    variantId: Type.String(),
    sku: Type.String(),
    currency: Type.String(),
    quantity: Type.Integer(),
    at: Timestamp,
    price: Type.Union([Type.Object({ amount: Type.Integer(), priceListId: Type.String(), compareAt: Type.Union([Type.Integer(), Type.Null()]) }), Type.Null()]),
    considered: Type.Array(
      Type.Object({
        priceListId: Type.String(),
        name: Type.String(),
        amount: Type.Integer(),
        minQuantity: Type.Integer(),
        specificity: Type.Integer(),
        priority: Type.Integer(),
        outcome: Type.Union([Type.Literal('won'), Type.Literal('lost'), Type.Literal('not_applicable')]),
        reason: Type.String(),
      }),
    ),
  },
  { $id: 'PriceExplanation' },
);

const ListBody = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  status: Type.Union([Type.Literal('active'), Type.Literal('draft'), Type.Literal('archived')]),
  currency: Currency,
  channel: Type.Union([Type.Literal('web'), Type.Literal('app'), Type.Literal('pos'), Type.Literal('kiosk'), Type.Literal('scan_go'), Type.Null()]),
  storeId: Nullable(Type.String({ maxLength: 64 })),
  customerGroup: Nullable(Type.String({ maxLength: 64, description: 'e.g. a loyalty tier: gold' })),
  priority: Type.Integer({ minimum: -1000, maximum: 1000 }),
  startsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  endsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};

export async function pricingRoutes(app: App, ctx: WiredContext) {
  for (const s of [PriceList, PriceListPage, Price, PricePage, PriceExplanation]) app.addSchema(s);
  const read = { access: { permission: 'catalog:read' } } as const;
  const write = { access: { permission: 'prices:write' } } as const;

  app.get('/v1/price-lists', { config: read, schema: { tags, summary: 'List price lists', querystring: Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(ListBody.status) })]), response: { 200: ref(PriceListPage) } } }, async (req) => {
    const page = await pricing.listPriceLists(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor, status: req.query.status });
    return { ...page, data: page.data.map(pricing.publicPriceList) };
  });

  app.post(
    '/v1/price-lists',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a price list for a scope and validity window',
        body: Type.Object(
          {
            name: ListBody.name,
            status: Type.Optional(ListBody.status),
            currency: Type.Optional(ListBody.currency),
            channel: Type.Optional(ListBody.channel),
            storeId: Type.Optional(ListBody.storeId),
            customerGroup: Type.Optional(ListBody.customerGroup),
            priority: Type.Optional(ListBody.priority),
            startsAt: Type.Optional(ListBody.startsAt),
            endsAt: Type.Optional(ListBody.endsAt),
          },
          { additionalProperties: false },
        ),
        response: { 201: withHeaders(ref(PriceList), 'etag', 'location') },
      },
    },
    async (req, reply) => {
      const l = await pricing.createPriceList(ctx.db, requestContext(req), req.body as pricing.PriceListInput);
      reply.code(201).header('etag', etag(l.version)).header('location', `/v1/price-lists/${l.id}`);
      return pricing.publicPriceList(l);
    },
  );

  app.get('/v1/price-lists/:id', { config: read, schema: { tags, summary: 'Get a price list', params: IdParam, response: { 200: withHeaders(ref(PriceList), 'etag') } } }, async (req, reply) => {
    const l = await pricing.getPriceList(ctx.db, req.params.id);
    reply.header('etag', etag(l.version));
    return pricing.publicPriceList(l);
  });

  app.patch(
    '/v1/price-lists/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a price list (scope, window, priority, status)',
        params: IdParam,
        headers: IfMatchHeaders,
        body: Type.Object(
          {
            name: Type.Optional(ListBody.name),
            status: Type.Optional(ListBody.status),
            currency: Type.Optional(ListBody.currency),
            channel: Type.Optional(ListBody.channel),
            storeId: Type.Optional(ListBody.storeId),
            customerGroup: Type.Optional(ListBody.customerGroup),
            priority: Type.Optional(ListBody.priority),
            startsAt: Type.Optional(ListBody.startsAt),
            endsAt: Type.Optional(ListBody.endsAt),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: withHeaders(ref(PriceList), 'etag') },
      },
    },
    async (req, reply) => {
      const l = await pricing.updatePriceList(ctx.db, requestContext(req), req.params.id, req.body as Partial<pricing.PriceListInput>, expectedVersion(req));
      reply.header('etag', etag(l.version));
      return pricing.publicPriceList(l);
    },
  );

  app.get('/v1/price-lists/:id/prices', { config: read, schema: { tags, summary: 'Prices in a list', params: IdParam, querystring: PageQuery, response: { 200: ref(PricePage) } } }, async (req) => {
    const page = await pricing.listPrices(ctx.db, req.params.id, { limit: req.query.limit ?? 50, cursor: req.query.cursor });
    return { ...page, data: page.data.map((p) => ({ variantId: p.variantId, minQuantity: p.minQuantity, amount: p.amount, updatedAt: p.updatedAt.toISOString() })) };
  });

  app.post(
    '/v1/price-lists/:id/prices',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set prices in a list (adds or replaces; all or nothing)',
        params: IdParam,
        body: Type.Object(
          {
            prices: Type.Array(
              Type.Object(
                {
                  variantId: Type.Optional(Type.String()),
                  sku: Type.Optional(Type.String()),
                  amount: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'cents, VAT included' }),
                  minQuantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 10_000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ updated: Type.Integer() }) },
      },
    },
    async (req) => ({ updated: await pricing.setPrices(ctx.db, ctx.pricedVariants, requestContext(req), req.params.id, req.body.prices) }),
  );

  app.delete(
    '/v1/price-lists/:id/prices/:variantId',
    {
      config: write,
      schema: { tags, summary: 'Remove a price from a list', params: Type.Object({ id: Type.String(), variantId: Type.String() }), querystring: Type.Object({ minQuantity: Type.Optional(Type.Integer({ minimum: 1 })) }), response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await pricing.removePrice(ctx.db, requestContext(req), req.params.id, req.params.variantId, req.query.minQuantity ?? 1);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/prices/resolve',
    {
      config: { access: { permission: 'storefront' } },
      schema: {
        tags,
        summary: 'The price of a variant in a context, with every list considered and why it won or lost',
        querystring: Type.Object({
          sku: Type.Optional(Type.String()),
          variantId: Type.Optional(Type.String()),
          currency: Type.Optional(Currency),
          channel: Type.Optional(Type.String()),
          storeId: Type.Optional(Type.String()),
          customerGroup: Type.Optional(Type.Array(Type.String(), { description: 'repeat for several groups; staff and secret keys only (403 for a publishable key or a customer)' })),
          quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          at: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
        }),
        response: { 200: ref(PriceExplanation) },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.customerGroup?.length && isShopperFacing(req.principal)) throw forbidden('A shop front or a shopper cannot name a customer group: a customer’s groups come from their account. Leave out `customerGroup` (staff and secret keys see a group’s prices).');
      if (!q.sku && !q.variantId) throw badRequest('Give sku or variantId.', [{ field: '/sku', in: 'query', message: 'sku or variantId is required' }]);
      return pricing.explainPrice(ctx.db, ctx.pricedVariants, { sku: q.sku, variantId: q.variantId }, { currency: q.currency ?? 'EUR', channel: q.channel, storeId: q.storeId, customerGroups: q.customerGroup, quantity: q.quantity, at: q.at ? new Date(q.at) : undefined });
    },
  );
}
