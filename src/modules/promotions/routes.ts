// Promotions, coupon codes, a builder preview, and pricing a cart (quote).
import Type, { type TSchema } from 'typebox';
import type { App, AppContext } from '../../app.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, NullableTimestamp, Page, PageQuery, ref, Timestamp, withHeaders } from '../../platform/http/schemas.js';
import { forbidden } from '../../platform/errors.js';
import { isShopperFacing, type Principal } from '../../platform/http/access.js';
import { requestContext } from '../../platform/context.js';
import { langOf, localiseExplanations } from './messages.js';
import * as promos from './service.js';
import { addCoupon, generateCoupons } from './usage.js';
import type { Promotion } from './types.js';

const tags = ['promotions'];
const Cents = (description?: string) => Type.Integer({ minimum: 0, maximum: 100_000_000, description: description ?? 'cents' });
const ChannelT = Type.Union([Type.Literal('web'), Type.Literal('app'), Type.Literal('pos'), Type.Literal('kiosk'), Type.Literal('scan_go')]);
const Target = Type.Object(
  {
    all: Type.Optional(Type.Literal(true)),
    skus: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })),
    productIds: Type.Optional(Type.Array(Type.String(), { maxItems: 10_000 })),
    categoryIds: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
  },
  { additionalProperties: false, $id: 'PromotionTarget', description: 'Which lines qualify: any of the lists, or all.' },
);
const Percent = Type.Number({ exclusiveMinimum: 0, maximum: 100 });
const Rule = Type.Union(
  [
    Type.Object({ kind: Type.Literal('percent_off_items'), percent: Percent }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('amount_off_items'), amountPerUnit: Cents('cents off each qualifying unit') }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('percent_off_order'), percent: Percent, minSubtotal: Type.Optional(Cents()) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('amount_off_order'), amount: Cents(), minSubtotal: Type.Optional(Cents()) }, { additionalProperties: false }),
    Type.Object(
      { kind: Type.Literal('buy_x_get_y'), buy: Type.Integer({ minimum: 1 }), get: Type.Integer({ minimum: 1 }), getPercentOff: Percent, getTarget: Type.Optional(ref(Target)) },
      { additionalProperties: false },
    ),
    Type.Object({ kind: Type.Literal('multi_buy'), quantity: Type.Integer({ minimum: 2 }), payFor: Type.Optional(Type.Integer({ minimum: 1 })), forPrice: Type.Optional(Cents()) }, { additionalProperties: false }),
    Type.Object(
      { kind: Type.Literal('bundle'), components: Type.Array(Type.Object({ target: ref(Target), quantity: Type.Integer({ minimum: 1 }), label: Type.Optional(Type.String()) }), { minItems: 2, maxItems: 20 }), bundlePrice: Cents() },
      { additionalProperties: false },
    ),
    Type.Object({ kind: Type.Literal('free_shipping'), minSubtotal: Type.Optional(Cents()) }, { additionalProperties: false }),
  ],
  { $id: 'PromotionRule' },
);
const DefinitionFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  status: Type.Union([Type.Literal('active'), Type.Literal('draft'), Type.Literal('archived')]),
  priority: Type.Integer({ minimum: -1000, maximum: 1000, description: 'higher first' }),
  stacking: Type.Union([Type.Literal('exclusive'), Type.Literal('combinable')]),
  startsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  endsAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  channels: Type.Array(ChannelT, { minItems: 1 }),
  storeIds: Type.Array(Type.String(), { minItems: 1 }),
  memberOnly: Type.Boolean(),
  customerGroups: Type.Array(Type.String(), { minItems: 1, description: 'tier-only: e.g. gold' }),
  customerId: Type.String({ description: 'a personal offer for one customer' }),
  requiresCoupon: Type.Boolean(),
  limits: Type.Object({ total: Type.Optional(Type.Integer({ minimum: 0 })), perCustomer: Type.Optional(Type.Integer({ minimum: 0 })), budget: Type.Optional(Cents('cents of discount in all')) }, { additionalProperties: false }),
  target: ref(Target),
  rule: ref(Rule),
};
const optionalAll = <T extends Record<string, TSchema>>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> };
const PromotionBody = Type.Object(
  {
    name: DefinitionFields.name,
    status: DefinitionFields.status,
    stacking: DefinitionFields.stacking,
    rule: DefinitionFields.rule,
    ...optionalAll({
      priority: DefinitionFields.priority,
      startsAt: DefinitionFields.startsAt,
      endsAt: DefinitionFields.endsAt,
      channels: DefinitionFields.channels,
      storeIds: DefinitionFields.storeIds,
      memberOnly: DefinitionFields.memberOnly,
      customerGroups: DefinitionFields.customerGroups,
      customerId: DefinitionFields.customerId,
      requiresCoupon: DefinitionFields.requiresCoupon,
      limits: DefinitionFields.limits,
      target: DefinitionFields.target,
    }),
  },
  { additionalProperties: false, $id: 'PromotionInput' },
);
// `type: [T, 'null']` rather than anyOf: with Ajv's type coercion an anyOf would turn null into ""
// or 0 (or 0 into null) before the right branch is tried; a type list coerces only what matches neither.
const orNull = <T>(schema: TSchema, description?: string) => {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Optional(Type.Unsafe<T | null>({ ...rest, type: [type, 'null'], ...(description ? { description } : {}) }));
};
const PromotionPatchBody = Type.Object(
  {
    ...optionalAll({ name: DefinitionFields.name, status: DefinitionFields.status, stacking: DefinitionFields.stacking, rule: DefinitionFields.rule, priority: DefinitionFields.priority }),
    startsAt: Type.Optional(DefinitionFields.startsAt),
    endsAt: Type.Optional(DefinitionFields.endsAt),
    channels: orNull<Array<'web' | 'app' | 'pos' | 'kiosk' | 'scan_go'>>(Type.Array(ChannelT), 'null or []: every channel'),
    storeIds: orNull<string[]>(Type.Array(Type.String()), 'null or []: every store'),
    customerGroups: orNull<string[]>(Type.Array(Type.String()), 'null or []: every customer'),
    customerId: orNull<string>(Type.String(), 'null: no longer a personal offer'),
    memberOnly: orNull<boolean>(Type.Boolean()),
    requiresCoupon: orNull<boolean>(Type.Boolean()),
    limits: orNull<{ total?: number | null; perCustomer?: number | null; budget?: number | null }>(
      Type.Object(
        {
          total: orNull<number>(Type.Integer({ minimum: 0 })),
          perCustomer: orNull<number>(Type.Integer({ minimum: 0 })),
          budget: orNull<number>(Cents('cents of discount in all')),
        },
        { additionalProperties: false },
      ),
      'replaces the limits as a whole; null or {} removes them all, a null inside removes that one',
    ),
    target: Type.Optional(Type.Union([ref(Target), Type.Null()], { description: 'null: no target (order rules then count the whole cart)' })),
  },
  { additionalProperties: false, minProperties: 1, $id: 'PromotionPatch', description: 'Only the fields given change. null (and [] for lists) removes a restriction.' },
);
const PromotionOut = Type.Object(
  {
    id: Type.String({ description: 'pro_…' }),
    ...DefinitionFields,
    ...optionalAll({ channels: DefinitionFields.channels, storeIds: DefinitionFields.storeIds, memberOnly: DefinitionFields.memberOnly, customerGroups: DefinitionFields.customerGroups, customerId: DefinitionFields.customerId, requiresCoupon: DefinitionFields.requiresCoupon, limits: DefinitionFields.limits, target: DefinitionFields.target }),
    startsAt: NullableTimestamp,
    endsAt: NullableTimestamp,
    usage: Type.Object({ redemptions: Type.Integer(), spent: Type.Integer({ description: 'cents of discount given' }) }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Promotion' },
);
const PromotionPage = Page(ref(PromotionOut), 'Promotion');
const Coupon = Type.Object(
  { code: Type.String(), promotionId: Type.String(), batchId: Type.Union([Type.String(), Type.Null()]), maxUses: Type.Union([Type.Integer(), Type.Null()]), used: Type.Integer(), expiresAt: NullableTimestamp, createdAt: Timestamp },
  { $id: 'Coupon' },
);
const CouponPage = Page(ref(Coupon), 'Coupon');
const CartBody = {
  channel: ChannelT,
  storeId: Type.Optional(Type.String()),
  customerId: Type.Optional(Type.String()),
  customerGroups: Type.Optional(Type.Array(Type.String())),
  isMember: Type.Optional(Type.Boolean()),
  couponCodes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 })),
  shippingCost: Type.Optional(Cents()),
  country: Type.Optional(Type.Union([Type.Literal('NL'), Type.Literal('BE')])),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  at: Type.Optional(Type.String({ format: 'date-time' })),
  lines: Type.Array(Type.Object({ lineId: Type.Optional(Type.String({ maxLength: 64 })), sku: Type.Optional(Type.String()), variantId: Type.Optional(Type.String()), quantity: Type.Integer({ minimum: 1, maximum: 100_000 }) }, { additionalProperties: false }), { minItems: 1, maxItems: 500 }),
};
const ReasonParamsT = Type.Record(Type.String(), Type.Unknown(), { description: 'what the reason is made of: amounts in cents, moments in ISO 8601, `offer` the rule’s terms (see docs/pricing.md)' });
const Adj = Type.Object({ promotionId: Type.String(), name: Type.String(), amount: Type.Integer(), description: Type.String() });
/** A discount on one line: an item discount, or the line's share of an order discount. */
export const LineAdjustment = Type.Object(
  {
    promotionId: Type.String(),
    name: Type.String(),
    level: Type.Union([Type.Literal('item'), Type.Literal('order')], { description: '`order`: this line’s share of an order-level discount' }),
    amount: Type.Integer({ description: 'negative cents' }),
    description: Type.String(),
  },
  { $id: 'LineAdjustment' },
);
/** A promotion that gave a discount, with how much in all. */
export const AppliedPromotion = Type.Object(
  {
    promotionId: Type.String(),
    name: Type.String(),
    amount: Type.Integer({ description: 'positive cents of discount given (items, order share and shipping together)' }),
    couponCode: Type.Optional(Type.String()),
    note: Type.Optional(Type.String({ description: 'e.g. why the discount is smaller than the rule says (budget cap)' })),
  },
  { $id: 'AppliedPromotion' },
);
/** The VAT in a total, per rate (prices include VAT). */
export const VatBreakdown = Type.Object(
  {
    rows: Type.Array(Type.Object({ rate: Type.Integer({ description: 'basis points: 2100 = 21 %' }), gross: Type.Integer(), net: Type.Integer(), vat: Type.Integer() })),
    gross: Type.Integer(),
    net: Type.Integer(),
    vat: Type.Integer(),
  },
  { $id: 'VatBreakdown', description: 'Cents, per VAT rate and in total: gross (with VAT), net and the VAT itself.' },
);
const Quote = Type.Object(
  {
    currency: Type.String(),
    country: Type.String(),
    lines: Type.Array(Type.Object({ lineId: Type.String(), sku: Type.String(), unitPrice: Type.Integer(), quantity: Type.Integer(), subtotal: Type.Integer(), adjustments: Type.Array(ref(LineAdjustment)), total: Type.Integer() })),
    orderAdjustments: Type.Array(Adj),
    shipping: Type.Object({ cost: Type.Integer(), discount: Type.Integer(), total: Type.Integer() }),
    subtotal: Type.Integer(),
    itemDiscountTotal: Type.Integer(),
    orderDiscountTotal: Type.Integer(),
    discountTotal: Type.Integer(),
    total: Type.Integer(),
    applied: Type.Array(ref(AppliedPromotion)),
    notApplied: Type.Array(
      Type.Object({
        promotionId: Type.String(),
        name: Type.String(),
        reason: Type.String({ description: 'stable code, e.g. needs_more_items, coupon_expired' }),
        params: ReasonParamsT,
        message: Type.String({ description: 'the reason in words, in the language of Accept-Language (nl or en; default en)' }),
        lineIds: Type.Array(Type.String()),
      }),
    ),
    coupons: Type.Array(
      Type.Object({ code: Type.String(), promotionId: Type.Optional(Type.String()), applied: Type.Boolean(), reason: Type.Optional(Type.String()), params: ReasonParamsT, message: Type.String({ description: 'in the language of Accept-Language' }) }),
    ),
    usage: Type.Object({ customerId: Type.Optional(Type.String()), redemptions: Type.Array(Type.Object({ promotionId: Type.String(), couponCode: Type.Optional(Type.String()), amount: Type.Integer() })) }),
    vat: ref(VatBreakdown),
  },
  { $id: 'CartQuote' },
);

/**
 * Who the customer is (their groups, membership, identity) comes from their own data, never from a
 * shop front or a shopper saying so: 403 for such a claim. Staff and secret keys preview prices for
 * anyone, which is what the fields are for.
 */
function refuseShopperClaims(p: Principal | undefined, b: { customerId?: string; customerGroups?: string[]; isMember?: boolean }) {
  if (!isShopperFacing(p)) return;
  if (b.customerGroups?.length) throw forbidden('A shop front or a shopper cannot name customer groups: a customer’s groups come from their account. Leave out `customerGroups` (staff and secret keys preview prices for a group).');
  if (b.isMember) throw forbidden('A shop front or a shopper cannot say the customer is a member: membership comes from the customer’s account. Leave out `isMember` (staff and secret keys preview member prices).');
  if (b.customerId !== undefined && !(p.kind === 'customer' && b.customerId === p.id)) {
    throw forbidden(p.kind === 'customer' ? 'A customer prices for themselves: leave out `customerId` (your own offers apply).' : 'A shop front cannot price for a customer: leave out `customerId`, or send the customer’s own session.');
  }
}

const toCoupon = (c: { code: string; promotionId: string; batchId: string | null; maxUses: number | null; used: number; expiresAt: Date | null; createdAt: Date }) => ({ ...c, expiresAt: c.expiresAt?.toISOString() ?? null, createdAt: c.createdAt.toISOString() });

export async function promotionRoutes(app: App, ctx: AppContext) {
  for (const s of [Target, Rule, PromotionBody, PromotionPatchBody, PromotionOut, PromotionPage, Coupon, CouponPage, LineAdjustment, AppliedPromotion, VatBreakdown, Quote]) app.addSchema(s);
  const cache = ctx.promotionCache ?? new promos.PromotionCache();
  const read = { access: { permission: 'catalog:read' } } as const;
  const write = { access: { permission: 'promotions:write' } } as const;

  app.get('/v1/promotions', { config: read, schema: { tags, summary: 'Promotions, newest first', querystring: Type.Intersect([PageQuery, Type.Object({ status: Type.Optional(DefinitionFields.status) })]), response: { 200: ref(PromotionPage) } } }, async (req) => {
    const page = await promos.listPromotions(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor, status: req.query.status });
    return { ...page, data: page.data.map(promos.publicPromotion) };
  });
  app.post('/v1/promotions', { config: write, schema: { tags, summary: 'Create a promotion', body: ref(PromotionBody), response: { 201: withHeaders(ref(PromotionOut), 'etag', 'location') } } }, async (req, reply) => {
    const p = await promos.createPromotion(ctx.db, requestContext(req), req.body as promos.PromotionInput, cache);
    reply.code(201).header('etag', etag(p.version)).header('location', `/v1/promotions/${p.id}`);
    return promos.publicPromotion(p);
  });
  app.get('/v1/promotions/:id', { config: read, schema: { tags, summary: 'Get a promotion with its usage', params: IdParam, response: { 200: withHeaders(ref(PromotionOut), 'etag') } } }, async (req, reply) => {
    const p = await promos.getPromotion(ctx.db, req.params.id);
    reply.header('etag', etag(p.version));
    return promos.publicPromotion(p);
  });
  app.patch(
    '/v1/promotions/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change a promotion (send If-Match)',
        description: 'Fields left out stay as they are. null removes a restriction (channels, storeIds, customerGroups, customerId, limits, target, startsAt, endsAt); an empty list does the same for channels, storeIds and customerGroups.',
        params: IdParam,
        headers: IfMatchHeaders,
        body: ref(PromotionPatchBody),
        response: { 200: withHeaders(ref(PromotionOut), 'etag') },
      },
    },
    async (req, reply) => {
      const p = await promos.updatePromotion(ctx.db, requestContext(req), req.params.id, req.body as promos.PromotionPatch, expectedVersion(req), cache);
      reply.header('etag', etag(p.version));
      return promos.publicPromotion(p);
    },
  );

  app.get('/v1/promotions/:id/coupons', { config: read, schema: { tags, summary: 'The promotion’s coupon codes', params: IdParam, querystring: PageQuery, response: { 200: ref(CouponPage) } } }, async (req) => {
    await promos.getPromotion(ctx.db, req.params.id);
    const page = await promos.listCoupons(ctx.db, req.params.id, { limit: req.query.limit ?? 50, cursor: req.query.cursor });
    return { ...page, data: page.data.map(toCoupon) };
  });
  app.post(
    '/v1/promotions/:id/coupons',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a coupon code (single use by default; maxUses null for unlimited)',
        params: IdParam,
        body: Type.Object({ code: Type.String({ pattern: '^[A-Za-z0-9_-]{3,64}$' }), maxUses: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])), expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])) }, { additionalProperties: false }),
        response: { 201: ref(Coupon) },
      },
    },
    async (req, reply) => reply.code(201).send(toCoupon(await addCoupon(ctx.db, req.params.id, req.body))),
  );
  app.post(
    '/v1/promotions/:id/coupon-batches',
    {
      config: write,
      schema: {
        tags,
        summary: 'Generate a batch of unique random codes',
        params: IdParam,
        body: Type.Object(
          {
            count: Type.Integer({ minimum: 1, maximum: 100_000 }),
            prefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{0,20}$' })),
            length: Type.Optional(Type.Integer({ minimum: 6, maximum: 32 })),
            maxUses: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
            expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ batchId: Type.String(), codes: Type.Array(Type.String()) }) },
      },
    },
    async (req, reply) => reply.code(201).send(await generateCoupons(ctx.db, req.params.id, req.body)),
  );

  app.post(
    '/v1/pricing/quote',
    {
      config: { access: { permission: 'storefront' } },
      schema: {
        tags,
        summary: 'Price a cart: list prices, every promotion with what applied and why others did not, shipping, VAT breakdown',
        description:
          'Staff and secret keys price for anyone: `customerId`, `customerGroups` and `isMember` say whom. A shop front (publishable key) or a customer session prices for the shopper only: naming customer groups, membership or another customer is a 403 (a customer’s own offers apply by their session).',
        body: Type.Object(CartBody, { additionalProperties: false }),
        response: { 200: ref(Quote) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      // Shoppers price for themselves only; staff and servers may price for anyone, in any group.
      refuseShopperClaims(req.principal, b);
      const customerId = req.principal?.kind === 'customer' ? req.principal.id : b.customerId;
      const lang = langOf(req.headers['accept-language']);
      reply.header('content-language', lang).header('vary', 'Accept-Language');
      return localiseExplanations(await promos.quoteCart(ctx.db, cache, { ...b, customerId, at: b.at ? new Date(b.at) : undefined }), lang);
    },
  );

  app.post(
    '/v1/promotions/preview',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Try an unsaved promotion on a sample cart (the builder’s live preview)',
        body: Type.Object({ promotion: ref(PromotionBody), cart: Type.Object(CartBody, { additionalProperties: false }) }, { additionalProperties: false }),
        response: { 200: ref(Quote) },
      },
    },
    async (req, reply) => {
      const input = req.body.promotion as promos.PromotionInput;
      promos.checkDefinition(input);
      const draft: Promotion = { ...input, id: 'pro_preview', status: 'active', startsAt: input.startsAt ? new Date(input.startsAt) : undefined, endsAt: input.endsAt ? new Date(input.endsAt) : undefined, priority: input.priority ?? 0 } as Promotion;
      const c = req.body.cart;
      const lang = langOf(req.headers['accept-language']);
      reply.header('content-language', lang).header('vary', 'Accept-Language');
      return localiseExplanations(await promos.quoteCart(ctx.db, cache, { ...c, at: c.at ? new Date(c.at) : undefined }, [draft]), lang);
    },
  );
}
