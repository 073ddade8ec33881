// Catalog HTTP API: products, variants, barcode lookup, search, categories, attributes.
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { App, AppContext } from '../../app.js';
import { badRequest, forbidden, notFound } from '../../platform/errors.js';
import { isShopperFacing } from '../../platform/http/access.js';
import { candidatePricesOf, pricesFromCandidates, resolvePrices, variantIdsPricedBetween, type CandidateRow, type PriceContext, type ResolvedPrice } from '../pricing/index.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, ref, withHeaders } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import * as catalog from './service.js';
import { AnswerCache, type CachedAnswer } from './answer-cache.js';
import { CatalogWords } from './words.js';

const tags = ['catalog'];
const Texts = Type.Object({ nl: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])), en: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])) }, { additionalProperties: false });
const ChannelT = Type.Union(catalog.CHANNELS.map((c) => Type.Literal(c)));
const LocaleT = Type.Union([Type.Literal('nl'), Type.Literal('en')], { description: 'Language of displayTitle; falls back to the other language. Default: Accept-Language, else en.' });
const TaxClassT = Type.Union([Type.Literal('standard'), Type.Literal('intermediate'), Type.Literal('reduced'), Type.Literal('zero')], { description: 'VAT class; the rate follows from the country (see docs/pricing.md).' });
const StatusT = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')]);
const Media = Type.Array(Type.Object({ url: Type.String({ format: 'uri', maxLength: 2000 }), alt: Type.Optional(Type.String({ maxLength: 300 })) }, { additionalProperties: false }), { maxItems: 50 });
const VariantIn = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    gtin: Type.Optional(Type.Union([Type.String({ maxLength: 14, description: 'EAN-8, UPC-A, EAN-13 or GTIN-14 with a valid check digit' }), Type.Null()])),
    options: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 100 }))),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived')])),
  },
  { additionalProperties: false },
);
const AssortmentIn = Type.Array(Type.Object({ channel: ChannelT, storeId: Type.Optional(Type.Union([Type.String(), Type.Null()])) }, { additionalProperties: false }), { maxItems: 2000 });

export const Variant = Type.Object(
  {
    id: Type.String({ description: 'var_…' }),
    productId: Type.Optional(Type.String({ description: 'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.' })),
    sku: Type.String(),
    gtin: Type.Union([Type.String(), Type.Null()]),
    options: Type.Record(Type.String(), Type.String()),
    status: Type.String(),
    position: Type.Integer(),
    version: Type.Optional(Type.Integer({ description: 'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.' })),
    price: Type.Optional(
      Type.Union(
        [
          Type.Object({
            amount: Type.Integer({ description: 'cents, VAT included' }),
            currency: Type.String(),
            compareAt: Type.Union([Type.Integer(), Type.Null()], { description: 'the regular price when this one is lower' }),
            priceListId: Type.String(),
          }),
          Type.Null(),
        ],
        { description: 'The resolved price for the asked channel/store/customer group (product lists and details when `channel` is given); null when unpriced.' },
      ),
    ),
  },
  { $id: 'Variant' },
);
const TextsOut = Type.Object({ nl: Type.Union([Type.String(), Type.Null()]), en: Type.Union([Type.String(), Type.Null()]) });
export const Product = Type.Object(
  {
    id: Type.String({ description: 'prd_…' }),
    handle: Type.String(),
    status: StatusT,
    kind: Type.Union([Type.Literal('physical'), Type.Literal('service')]),
    title: TextsOut,
    description: TextsOut,
    displayTitle: Type.String(),
    displayDescription: Type.Union([Type.String(), Type.Null()]),
    categoryId: Type.Union([Type.String(), Type.Null()]),
    taxClass: Type.String(),
    brand: Type.Union([Type.String(), Type.Null()]),
    attributes: Type.Record(Type.String(), Type.Unknown()),
    media: Type.Array(Type.Object({ url: Type.String(), alt: Type.Optional(Type.String()) })),
    externalRef: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.' })),
    variants: Type.Array(ref(Variant)),
    assortment: Type.Optional(
      Type.Array(Type.Object({ channel: Type.String(), storeId: Type.Union([Type.String(), Type.Null()]) }), { description: `Where it is sold. ${'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.'}` }),
    ),
    createdAt: Type.Optional(Type.String({ format: 'date-time', description: 'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.' })),
    updatedAt: Type.Optional(Type.String({ format: 'date-time', description: 'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.' })),
    version: Type.Optional(Type.Integer({ description: `For If-Match. ${'Not shown to shoppers (publishable keys and customer sessions); present for callers with `catalog:read`.'}` })),
  },
  {
    $id: 'Product',
    description:
      'A product with its variants. Shoppers (publishable keys and customer sessions) get the storefront view: without `externalRef`, `assortment`, timestamps, versions and the variants\' `productId`, which only the back office needs.',
  },
);
const ProductSearchResult = Type.Object(
  {
    data: Type.Array(ref(Product)),
    hasMore: Type.Boolean(),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    total: Type.Union([Type.Integer(), Type.Null()], { description: 'Products matching, over all pages (with facets=true).' }),
    facets: Type.Union([
      Type.Object({
        categories: Type.Array(Type.Object({ categoryId: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() })),
        status: Type.Array(Type.Object({ status: Type.String(), count: Type.Integer() })),
      }),
      Type.Null(),
    ]),
  },
  { $id: 'ProductSearchResult' },
);
const BarcodeMatch = Type.Object(
  {
    variant: ref(Variant),
    product: Type.Object({ id: Type.String(), handle: Type.String(), status: Type.String(), displayTitle: Type.String(), title: TextsOut, taxClass: Type.String(), kind: Type.String() }),
  },
  { $id: 'BarcodeMatch' },
);
export const Category = Type.Object(
  { id: Type.String({ description: 'cat_…' }), parentId: Type.Union([Type.String(), Type.Null()]), slug: Type.String(), name: TextsOut, displayName: Type.String(), position: Type.Integer(), version: Type.Integer() },
  { $id: 'Category' },
);
const Attribute = Type.Object(
  {
    code: Type.String(),
    type: Type.String(),
    label: TextsOut,
    options: Type.Union([Type.Array(Type.String()), Type.Null()]),
    filterable: Type.Boolean(),
  },
  { $id: 'Attribute' },
);

function localeOf(req: FastifyRequest, given?: 'nl' | 'en'): catalog.Locale {
  if (given) return given;
  const header = String(req.headers['accept-language'] ?? '').toLowerCase();
  return header.startsWith('nl') ? 'nl' : 'en';
}

/** Shoppers (publishable keys, customers) see active products only. */
/** A group's prices are for its members: a shop front or a shopper cannot ask for them by naming the group. */
function refuseShopperGroups(req: FastifyRequest, groups: string[] | undefined) {
  if (groups?.length && isShopperFacing(req.principal)) throw forbidden('A shop front or a shopper cannot name a customer group: a customer’s groups come from their account. Leave out `customerGroup` (staff and secret keys see a group’s prices).');
}

function seesDrafts(req: FastifyRequest) {
  return !!req.principal?.permissions.has('catalog:read');
}

/**
 * The storefront view of a product: what a shop page shows, without what only the back office
 * works with (the ERP reference, where it is sold, timestamps and versions). A publishable key is
 * public, so this is also all that anyone can read with it; and a page of 50 is about a third smaller.
 */
function forShoppers(p: catalog.PublicProduct) {
  const { externalRef: _ref, assortment: _where, createdAt: _c, updatedAt: _u, version: _v, variants, ...shown } = p;
  return { ...shown, variants: variants.map(({ productId: _p, version: _vv, ...v }) => v) };
}

/** Adds each variant's resolved price (one query for the whole page). */
async function attachPrices(ctx: AppContext, list: catalog.PublicProduct[], priceContext: PriceContext) {
  setPrices(list, await resolvePrices(ctx.db, list.flatMap((p) => p.variants.map((v) => v.id)), priceContext));
}

function setPrices(list: catalog.PublicProduct[], resolved: Map<string, ResolvedPrice> = new Map()) {
  for (const p of list) {
    for (const v of p.variants as Array<catalog.PublicProduct['variants'][number] & { price?: unknown }>) {
      const r = resolved.get(v.id);
      v.price = r ? { amount: r.amount, currency: r.currency, compareAt: r.compareAt, priceListId: r.priceListId } : null;
    }
  }
}

export async function catalogRoutes(app: App, ctx: AppContext) {
  for (const s of [Variant, Product, ProductSearchResult, BarcodeMatch, Category, Attribute]) app.addSchema(s);
  const read = { access: { permission: 'storefront' } } as const;
  const answers = ctx.catalogAnswers ?? new AnswerCache({ ttlMs: 0 });
  const words = ctx.catalogWords ?? new CatalogWords();
  const write = { access: { permission: 'catalog:write' } } as const;

  app.get(
    '/v1/products',
    {
      config: read,
      schema: {
        tags,
        summary: 'Search and list products',
        description:
          'Full-text search in Dutch and English (stemmed), codes (SKU, GTIN) and typo-tolerant matching, with filters, facets and sorting. Shoppers see active products only.',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          categoryId: Type.Optional(Type.String({ description: 'This category and everything below it.' })),
          status: Type.Optional(StatusT),
          kind: Type.Optional(Type.Union([Type.Literal('physical'), Type.Literal('service')])),
          channel: Type.Optional(ChannelT),
          storeId: Type.Optional(Type.String()),
          sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('newest'), Type.Literal('title')])),
          locale: Type.Optional(LocaleT),
          currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', default: 'EUR' })),
          customerGroup: Type.Optional(Type.Array(Type.String(), { description: 'Prices for these customer groups: staff and secret keys only (403 for a publishable key or a customer).' })),
          facets: Type.Optional(Type.Boolean({ description: 'also count the whole result per category and status (total and facets)' })),
          minPrice: Type.Optional(Type.Integer({ minimum: 0, description: 'cents; needs channel' })),
          maxPrice: Type.Optional(Type.Integer({ minimum: 0, description: 'cents; needs channel' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        headers: Type.Object({
          'if-none-match': Type.Optional(Type.String({ description: 'The ETag of an answer you have: 304 and no body while it is still the answer.' })),
          'cache-control': Type.Optional(Type.String({ description: '`no-cache` for a freshly computed answer instead of a remembered one.' })),
        }),
        response: { 200: withHeaders(ref(ProductSearchResult), 'etag'), 304: withHeaders(Type.Null({ description: 'Not modified: the answer named by If-None-Match is still the answer.' }), 'etag') },
      },
    },
    async (req, reply) => {
      const q = req.query;
      refuseShopperGroups(req, q.customerGroup);
      const priceContext = q.channel ? { currency: q.currency ?? 'EUR', channel: q.channel, storeId: q.storeId, customerGroups: q.customerGroup } : undefined;
      if ((q.minPrice !== undefined || q.maxPrice !== undefined) && !priceContext) {
        throw badRequest('A price range needs a channel: prices differ per channel.', [{ field: '/channel', in: 'query', message: 'required with minPrice or maxPrice' }]);
      }
      // The same question from the same kind of caller gets the same answer until something in it
      // changes (answer-cache.ts). `Cache-Control: no-cache` asks for a freshly computed one.
      // Staff see every status and the whole product; shoppers active products in the storefront view.
      const staff = seesDrafts(req);
      const status = staff ? q.status : 'active';
      const locale = localeOf(req, q.locale);
      // The whole query as sent names the question; who asks changes which products and fields.
      const key = `${staff ? 'staff' : 'shop'}|${status ?? ''}|${locale}|${req.url}`;
      const fresh = /no-cache|no-store|max-age=0/i.test(String(req.headers['cache-control'] ?? ''));
      const send = (a: CachedAnswer, how: 'hit' | 'miss' | 'bypass') => {
        reply.header('etag', a.etag).header('x-winkel-cache', how);
        if (req.headers['if-none-match'] === a.etag) return reply.code(304).send(null);
        // Gzipped from the second time an answer is sent: compressing costs more than a fresh
        // answer's own making saves, and pays off only once it is sent again and again.
        const { body, gzip } = how === 'hit' ? answers.encode(a, req.headers['accept-encoding']) : { body: a.body, gzip: false };
        reply.header('vary', 'accept-encoding');
        if (gzip) reply.header('content-encoding', 'gzip');
        // Already serialised by the route's schema when it was made: Fastify sends a Buffer as it
        // is. The type provider types the body by the schema alone, hence this one cast.
        return reply.type('application/json; charset=utf-8').send(body as unknown as Parameters<typeof reply.send>[0]);
      };
      const hit = fresh ? undefined : answers.get(key);
      if (hit) return send(hit, 'hit');
      const started = await answers.begin(ctx.db);
      const variantIds = q.minPrice !== undefined || q.maxPrice !== undefined ? await variantIdsPricedBetween(ctx.db, priceContext!, q.minPrice, q.maxPrice) : undefined;
      // The page comes with its prices' candidates in the same statement; the choice is pricing's.
      const { also, ...result } = await catalog.searchProducts(ctx.db, {
        ...q,
        words,
        variantIds,
        status,
        locale,
        limit: q.limit ?? 50,
        also: priceContext ? (variantIds) => candidatePricesOf(variantIds, priceContext) : undefined,
        forShoppers: !staff,
      });
      if (priceContext) setPrices(result.data, pricesFromCandidates((also as CandidateRow[][]).flat(), priceContext));
      const body = Buffer.from(reply.serialize(staff ? result : { ...result, data: result.data.map(forShoppers) }) as string);
      return send(answers.put(key, started, body), fresh ? 'bypass' : 'miss');
    },
  );

  app.post(
    '/v1/products',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a product with its variants',
        body: Type.Object(
          {
            handle: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')], { default: 'draft', description: '`draft` unless given: shoppers do not see the product until it is made `active` (here or with PATCH). The import’s `status` column defaults to `active` instead (docs/catalog.md).' })),
            kind: Type.Optional(Type.Union([Type.Literal('physical'), Type.Literal('service')])),
            title: Texts,
            description: Type.Optional(Texts),
            categoryId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            taxClass: Type.Optional(TaxClassT),
            brand: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            media: Type.Optional(Media),
            externalRef: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            variants: Type.Array(VariantIn, { minItems: 1, maxItems: 500 }),
            assortment: Type.Optional(AssortmentIn),
          },
          { additionalProperties: false },
        ),
        response: { 201: withHeaders(ref(Product), 'etag', 'location') },
      },
    },
    async (req, reply) => {
      const p = await catalog.createProduct(ctx.db, requestContext(req), req.body as catalog.ProductInput);
      reply.code(201).header('etag', etag(p.version)).header('location', `/v1/products/${p.id}`);
      return p;
    },
  );

  app.get(
    '/v1/products/:id',
    {
      config: read,
      schema: {
        tags,
        summary: 'Get a product',
        params: IdParam,
        querystring: Type.Object({
          locale: Type.Optional(LocaleT),
          channel: Type.Optional(ChannelT),
          storeId: Type.Optional(Type.String()),
          currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', default: 'EUR' })),
          customerGroup: Type.Optional(Type.Array(Type.String(), { description: 'Prices for these customer groups: staff and secret keys only (403 for a publishable key or a customer).' })),
        }),
        response: { 200: withHeaders(ref(Product), 'etag') },
      },
    },
    async (req, reply) => {
      const q = req.query;
      refuseShopperGroups(req, q.customerGroup);
      const p = await catalog.getProduct(ctx.db, req.params.id, localeOf(req, q.locale));
      if (p.status !== 'active' && !seesDrafts(req)) throw notFound('product', req.params.id);
      if (q.channel) await attachPrices(ctx, [p], { currency: q.currency ?? 'EUR', channel: q.channel, storeId: q.storeId, customerGroups: q.customerGroup });
      reply.header('etag', etag(p.version));
      return seesDrafts(req) ? p : forShoppers(p);
    },
  );

  app.patch(
    '/v1/products/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a product, its variants or where it is sold',
        description: 'Variants are matched by SKU: new SKUs are added, missing ones archived (never deleted). Send If-Match with the ETag to avoid lost updates (412 when stale).',
        params: IdParam,
        headers: IfMatchHeaders,
        body: Type.Object(
          {
            handle: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            status: Type.Optional(StatusT),
            title: Type.Optional(Texts),
            description: Type.Optional(Texts),
            categoryId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            taxClass: Type.Optional(TaxClassT),
            brand: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            media: Type.Optional(Media),
            variants: Type.Optional(Type.Array(VariantIn, { minItems: 1, maxItems: 500 })),
            assortment: Type.Optional(AssortmentIn),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: withHeaders(ref(Product), 'etag') },
      },
    },
    async (req, reply) => {
      const p = await catalog.updateProduct(ctx.db, requestContext(req), req.params.id, req.body as catalog.ProductPatch, expectedVersion(req));
      reply.header('etag', etag(p.version));
      return p;
    },
  );

  app.get(
    '/v1/variants/by-barcode/:code',
    {
      config: read,
      schema: {
        tags,
        summary: 'Find the variant of a scanned barcode (EAN-8, UPC-A, EAN-13, GTIN-14)',
        description: 'One indexed lookup. 422 when the code is not a valid GTIN (wrong length or check digit), 404 when no product carries it.',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) }),
        querystring: Type.Object({ locale: Type.Optional(LocaleT) }),
        response: { 200: ref(BarcodeMatch) },
      },
    },
    async (req) => catalog.lookupBarcode(ctx.db, req.params.code, localeOf(req, req.query.locale)),
  );

  app.get(
    '/v1/variants/:id',
    { config: read, schema: { tags, summary: 'A variant by id, with its product’s title and status', params: IdParam, querystring: Type.Object({ locale: Type.Optional(LocaleT) }), response: { 200: ref(BarcodeMatch) } } },
    async (req) => {
      const r = await catalog.getVariant(ctx.db, req.params.id, localeOf(req, req.query.locale));
      if (r.product.status !== 'active' && !seesDrafts(req)) throw notFound('variant', req.params.id);
      return r;
    },
  );

  app.get('/v1/categories', { config: read, schema: { tags, summary: 'The category tree, as a flat list with parentId', querystring: Type.Object({ locale: Type.Optional(LocaleT) }), response: { 200: Type.Object({ data: Type.Array(ref(Category)) }) } } }, async (req) => ({
    data: await catalog.listCategories(ctx.db, localeOf(req, req.query.locale)),
  }));

  app.post(
    '/v1/categories',
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a category',
        body: Type.Object({ slug: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), name: Texts, parentId: Type.Optional(Type.Union([Type.String(), Type.Null()])), position: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
        response: { 201: withHeaders(ref(Category), 'etag', 'location') },
      },
    },
    async (req, reply) => {
      const c = await catalog.createCategory(ctx.db, requestContext(req), req.body);
      return reply.code(201).header('etag', etag(c.version)).header('location', `/v1/categories/${c.id}`).send(c);
    },
  );

  app.get(
    '/v1/categories/:id',
    { config: read, schema: { tags, summary: 'A category (ETag for If-Match)', params: IdParam, querystring: Type.Object({ locale: Type.Optional(LocaleT) }), response: { 200: withHeaders(ref(Category), 'etag') } } },
    async (req, reply) => {
      const c = await catalog.getCategory(ctx.db, req.params.id, localeOf(req, req.query.locale));
      reply.header('etag', etag(c.version));
      return c;
    },
  );

  app.patch(
    '/v1/categories/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Rename, move or reorder a category',
        params: IdParam,
        headers: IfMatchHeaders,
        body: Type.Object({ slug: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), name: Type.Optional(Texts), parentId: Type.Optional(Type.Union([Type.String(), Type.Null()])), position: Type.Optional(Type.Integer()) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: withHeaders(ref(Category), 'etag') },
      },
    },
    async (req, reply) => {
      const c = await catalog.updateCategory(ctx.db, requestContext(req), req.params.id, req.body, expectedVersion(req));
      reply.header('etag', etag(c.version));
      return c;
    },
  );

  app.delete('/v1/categories/:id', { config: write, schema: { tags, summary: 'Delete an empty category', params: IdParam, response: { 204: Type.Null() } } }, async (req, reply) => {
    await catalog.deleteCategory(ctx.db, requestContext(req), req.params.id);
    return reply.code(204).send(null);
  });

  const toAttribute = (a: Awaited<ReturnType<typeof catalog.listAttributes>>[number]) => ({ code: a.code, type: a.type, label: { nl: a.labelNl, en: a.labelEn }, options: a.options, filterable: a.filterable });
  app.get('/v1/attributes', { config: read, schema: { tags, summary: 'Attribute definitions', response: { 200: Type.Object({ data: Type.Array(ref(Attribute)) }) } } }, async () => ({
    data: (await catalog.listAttributes(ctx.db)).map(toAttribute),
  }));
  app.post(
    '/v1/attributes',
    {
      config: write,
      schema: {
        tags,
        summary: 'Define a typed product attribute',
        body: Type.Object(
          {
            code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
            type: Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('enum')]),
            label: Type.Optional(Texts),
            options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
            filterable: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: ref(Attribute) },
      },
    },
    async (req, reply) => reply.code(201).send(toAttribute(await catalog.defineAttribute(ctx.db, requestContext(req), req.body))),
  );
}
