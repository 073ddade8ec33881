// Event collection (Segment-spec shape) and a person's raw event timeline.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest, type JsonPointer } from '../../platform/errors.js';
import { ref, withHeaders, documentedBody } from '../../platform/http/schemas.js';
import { collect, eventsFor, refuseWhollyBadBatch, type IncomingEvent, type Vouch } from './collect.js';
import { decodeCursor, decodeTimeCursor, encodeCursor, encodeTimeCursor } from '../../platform/http/pagination.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { requestContext } from '../../platform/context.js';
import { assertAllStores, assertLocationAccess } from '../../platform/access/scope.js';
import type { Observation } from './identity.js';
import * as profiles from './profiles.js';

const tags = ['customer data'];
const Result = Type.Object(
  {
    accepted: Type.Integer({ description: 'new events stored' }),
    duplicates: Type.Integer({ description: 'events whose messageId was seen before (stored once)' }),
    rejected: Type.Array(Type.Object({ index: Type.Integer(), messageId: Type.Union([Type.String(), Type.Null()]), errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })) })),
  },
  { $id: 'CollectResult' },
);
// What the routes accept: anything per field, because each event is checked on its own
// (collect.ts), so that one bad event in a batch does not lose the others. CollectEvent below is
// what a valid event holds, as the OpenAPI document shows it.
const EventIn = Type.Object(
  {
    messageId: Type.Optional(Type.Unknown()),
    anonymousId: Type.Optional(Type.Unknown()),
    userId: Type.Optional(Type.Unknown()),
    previousId: Type.Optional(Type.Unknown()),
    event: Type.Optional(Type.Unknown()),
    name: Type.Optional(Type.Unknown()),
    timestamp: Type.Optional(Type.Unknown()),
    context: Type.Optional(Type.Unknown()),
    properties: Type.Optional(Type.Unknown()),
    traits: Type.Optional(Type.Unknown()),
    type: Type.Optional(Type.Unknown()),
  },
  // Open: Segment libraries send more fields (sentAt, integrations, channel, …), which are ignored.
  { additionalProperties: true, description: 'Segment-spec fields; each event is checked on its own so that one bad event does not lose the others. Other fields are ignored.' },
);
/** Free-form by nature: an object with string keys (what the sender chose to put in it). */
const FreeForm = (description: string) => Type.Union([Type.Record(Type.String(), Type.Unknown(), { description }), Type.Null()]);
const CollectedId = (description: string) => Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Number(), Type.Null()], { description }));
export const CollectEvent = Type.Object(
  {
    type: Type.Optional(Type.Union(['track', 'identify', 'page', 'screen', 'alias'].map((t) => Type.Literal(t)), { description: 'Required in a batch; /v1/collect/{type} sets it.' })),
    messageId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Your id for the event: a repeat with the same id is stored once.' })),
    anonymousId: CollectedId('The browser or device (give it, userId, or both).'),
    userId: CollectedId('Your id of the person, e.g. their customer id.'),
    previousId: CollectedId('alias: the id the person had before.'),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'track: what happened, e.g. "Product Viewed".' })),
    name: Type.Optional(Type.String({ maxLength: 500, description: 'page and screen: its name.' })),
    timestamp: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 64 }), Type.Null()], { description: 'When it happened (ISO 8601, from 1970 on); at most a day ahead; the time it arrived when left out.' })),
    context: Type.Optional(FreeForm('Where it happened: page, user agent, campaign, locale, …')),
    properties: Type.Optional(FreeForm('What the event is about (track, page, screen).')),
    traits: Type.Optional(FreeForm('What is known about the person (identify), e.g. email, name.')),
  },
  { $id: 'CollectEvent', additionalProperties: true, description: 'One collected event in the Segment-spec shape. At most 32 kB. Other fields (sentAt, integrations, …) are taken and ignored.' },
);
const TimelineEvent = Type.Object(
  {
    id: Type.String(),
    messageId: Type.String(),
    type: Type.String(),
    event: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    anonymousId: Type.Union([Type.String(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.String(),
    receivedAt: Type.String(),
    properties: FreeForm('What the event is about, as sent.'),
    traits: FreeForm('What the event said about the person, as sent.'),
    context: FreeForm('Where it happened, as sent.'),
  },
  { $id: 'CollectedEvent' },
);

const asObject = (v: unknown) => (v ?? null) as Record<string, unknown> | null;

/** A batch as the document shows it (the route checks each event itself). */
export const CollectBatch = Type.Object(
  {
    batch: Type.Array(ref(CollectEvent), { minItems: 1, maxItems: 500 }),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The context of every event that has none of its own.' })),
  },
  { additionalProperties: true, description: 'Other fields of a Segment batch (sentAt, …) are taken and ignored.' },
);

export async function customerRoutes(app: App, ctx: AppContext) {
  for (const s of [Result, CollectEvent, TimelineEvent]) app.addSchema(s);
  const access = { access: { permission: 'storefront' } } as const;
  const source = (req: { principal?: { kind: string; id: string } }) => (req.principal?.kind === 'publishable_key' || req.principal?.kind === 'secret_key' ? req.principal.id : null);
  // A publishable key's events are claims; a customer session vouches for its own account only.
  const vouch = (req: { principal?: { kind: string; id: string } }): Vouch =>
    req.principal?.kind === 'secret_key' || req.principal?.kind === 'staff' ? { all: true } : req.principal?.kind === 'customer' ? { customerId: req.principal.id } : {};

  for (const type of ['track', 'identify', 'page', 'screen', 'alias'] as const) {
    app.post(
      `/v1/collect/${type}`,
      { config: { ...access, ...documentedBody({ 'application/json': { schema: ref(CollectEvent) } }) }, schema: { tags, summary: `Collect one ${type} event`, body: EventIn, response: { 200: ref(Result) } } },
      async (req) => {
        const given = (req.body as IncomingEvent).type;
        if (given !== undefined && given !== type) throw badRequest(`This route takes ${type} events: leave \`type\` out or give "${type}".`, [{ field: '/type', message: `must be "${type}" here` }]);
        const r = await collect(ctx.db, [{ ...(req.body as IncomingEvent), type }], source(req), vouch(req));
        if (r.rejected.length) throw badRequest(`The ${type} event is not valid.`, r.rejected[0].errors);
        return r;
      },
    );
  }

  app.post(
    '/v1/collect/batch',
    {
      // Each event's text is checked by collect (checkEvent), so a bad one is listed, not fatal.
      config: { ...access, itemChecks: true, ...documentedBody({ 'application/json': { schema: CollectBatch } }) },
      schema: {
        tags,
        summary: 'Collect up to 500 events at once; bad ones are listed, good ones kept',
        body: Type.Object({ batch: Type.Array(EventIn, { minItems: 1, maxItems: 500 }), context: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: true }),
        response: { 200: ref(Result) },
      },
    },
    async (req) => {
      const shared = req.body.context as Record<string, unknown> | undefined;
      const events = (req.body.batch as IncomingEvent[]).map((e) => (shared && (e.context === undefined || e.context === null) ? { ...e, context: shared } : e));
      const r = await collect(ctx.db, events, source(req), vouch(req));
      refuseWhollyBadBatch(events.length, r);
      return r;
    },
  );

  app.get(
    '/v1/collect/timeline',
    {
      config: { access: { permission: 'customers:read' } },
      schema: {
        tags,
        summary: 'The collected events of a user or anonymous id, in the order they happened',
        querystring: Type.Object({ userId: Type.Optional(Type.String()), anonymousId: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ data: Type.Array(ref(TimelineEvent)), hasMore: Type.Boolean(), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const c = decodeTimeCursor(req.query.cursor);
      const after = c && { timestamp: c.at, id: c.id };
      const rows = await eventsFor(ctx.db, req.query, { limit, after });
      const hasMore = rows.length > limit;
      const page = hasMore ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        data: page.map((r) => ({ ...r, timestamp: r.timestamp.toISOString(), receivedAt: r.receivedAt.toISOString(), properties: asObject(r.properties), traits: asObject(r.traits), context: asObject(r.context) })),
        hasMore,
        nextCursor: hasMore && last ? encodeTimeCursor(last.timestamp, last.id) : null,
      };
    },
  );
}

// ---- profiles, identity rules and adapters ----------------------------------------------------

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Identifier = Type.Object({ kind: Type.String(), value: Type.String() });
const Merge = Type.Object(
  {
    id: Type.String(),
    kind: Type.String({ description: '`merge`, or `split` when the rules moved identifiers apart' }),
    survivorId: Type.String(),
    mergedId: Type.String(),
    identifier: Nullable(Identifier),
    sourceId: Nullable(Type.String({ description: 'the event that carried the joining identifier' })),
    reason: Type.String(),
    createdAt: Type.String(),
    undoneAt: Nullable(Type.String()),
  },
  { $id: 'ProfileMerge' },
);
const ComputedTraits = Type.Object(
  {
    firstSeenAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    events: Type.Integer({ description: 'everything on the timeline' }),
    orders: Type.Integer(),
    revenue: Type.Integer({ description: 'cents spent over all orders (lifetime value)' }),
    currency: Nullable(Type.String()),
    averageOrderValue: Nullable(Type.Integer({ description: 'cents' })),
    byChannel: Type.Record(Type.String(), Type.Object({ orders: Type.Integer(), revenue: Type.Integer() }), { description: 'per channel the person bought in (online, store, …)' }),
    preferredChannel: Nullable(Type.String()),
    preferredStoreId: Nullable(Type.String()),
    categoryAffinity: Type.Array(Type.Object({ category: Type.String(), score: Type.Number() }), { description: 'categories the person looks at and buys most, strongest first' }),
    lastPurchaseAt: Nullable(Type.String({ format: 'date-time' })),
    frequencyScore: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
    monetaryScore: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
    daysSinceLastPurchase: Nullable(Type.Integer()),
    rfm: Type.Object(
      { recency: Nullable(Type.Integer({ minimum: 1, maximum: 5 })), frequency: Nullable(Type.Integer({ minimum: 1, maximum: 5 })), monetary: Nullable(Type.Integer({ minimum: 1, maximum: 5 })) },
      { description: 'recency, frequency and monetary scores, 1 (low) to 5 (high); null without purchases' },
    ),
  },
  { $id: 'ComputedTraits', description: 'Traits Winkel computes from the person’s timeline; null without the profiling consent.' },
);
const Profile = Type.Object(
  {
    id: Type.String(),
    status: Type.String({ description: '`active`, or `merged` (see mergedInto)' }),
    mergedInto: Nullable(Type.String()),
    identifiers: Type.Array(Type.Object({ kind: Type.String(), value: Type.String(), firstSeenAt: Type.String(), sourceId: Type.String(), sharedBy: Nullable(Type.Integer()) })),
    traits: Type.Record(Type.String(), Type.Unknown(), { description: 'declared traits (identify), latest value per trait' }),
    computed: Nullable(ref(ComputedTraits)),
    eventCount: Type.Integer(),
    firstSeenAt: Nullable(Type.String()),
    lastSeenAt: Nullable(Type.String()),
    merges: Type.Array(ref(Merge)),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Profile' },
);
const TimelineEntry = Type.Object(
  {
    id: Type.String(),
    source: Type.String({ description: 'collect, event, social or store_visit' }),
    sourceId: Type.String(),
    occurredAt: Type.String(),
    type: Type.String(),
    name: Nullable(Type.String()),
    channel: Type.String({ description: 'where it happened: online, store (a till sale, a pickup, a return handed in at a store, a visit) or service' }),
    salesChannel: Type.Union([Type.String(), Type.Null()], { description: 'the sales channel of the order it is about (web, app, pos, kiosk, scan_go)' }),
    storeId: Nullable(Type.String()),
    orderId: Type.Union([Type.String(), Type.Null()], { description: 'the order it is about, if any' }),
    amount: Type.Union([Type.Integer(), Type.Null()], { description: 'cents: the order total on order.placed, the money given back on refund.issued and payment.voided' }),
    currency: Nullable(Type.String()),
    data: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'What happened, as the source recorded it: the event’s properties, the domain event’s data, …' })),
  },
  { $id: 'TimelineEntry' },
);
const RulesBody = Type.Object(
  {
    priority: Type.Array(Type.String(), { description: 'every identifier kind once, strongest first' }),
    merge: Type.Record(Type.String(), Type.Boolean(), { description: 'kinds that may join profiles' }),
    maxPerProfile: Type.Record(Type.String(), Type.Integer(), { description: 'at most this many identifiers of a kind per profile' }),
    anonymousIdMaxUsers: Type.Integer({ description: 'an anonymous id seen with more people than this stops merging' }),
    blocked: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'values never used, per kind' }),
    phoneDefaultCountry: Type.String(),
  },
  { $id: 'IdentityRules' },
);
const RulesOut = Type.Object({ rules: ref(RulesBody), version: Type.Integer() }, { $id: 'IdentityRulesVersion' });
const SocialIn = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200, description: 'the network\'s id of the interaction; a repeat is stored once' }),
    network: Type.String({ pattern: '^[a-z0-9_.-]{2,40}$' }),
    handle: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Union([Type.Literal('mention'), Type.Literal('like'), Type.Literal('comment'), Type.Literal('message'), Type.Literal('share')]),
    text: Type.Optional(Type.String({ maxLength: 5000 })),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    customerId: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { $id: 'SocialInteraction', additionalProperties: false },
);
const StoreVisitIn = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the sender\'s id of the visit; a repeat is stored once' })),
    storeId: Type.String({ minLength: 1, maxLength: 64 }),
    method: Type.Union([Type.Literal('geofence'), Type.Literal('scan')]),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    durationSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
    loyaltyCard: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { $id: 'StoreVisit', additionalProperties: false },
);

function occurred(at: string | undefined, field: JsonPointer) {
  if (!at) return new Date();
  const d = new Date(at);
  if (d.getTime() > Date.now() + 24 * 3600_000) throw badRequest('That is more than a day in the future.', [{ field, message: 'more than a day in the future' }]);
  return d;
}

export async function profileRoutes(app: App, ctx: AppContext) {
  for (const s of [Merge, ComputedTraits, Profile, TimelineEntry, RulesBody, RulesOut, SocialIn, StoreVisitIn]) app.addSchema(s);
  const read = { access: { permission: 'customers:read' } } as const;
  const write = { access: { permission: 'customers:write' } } as const;
  const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

  app.get(
    '/v1/profiles',
    {
      config: read,
      schema: {
        tags,
        summary: 'Profiles, newest first, or those matching an identifier (`q`: an e-mail, phone, account id, card, handle, or the start of one)',
        querystring: Type.Object({ q: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), cursor: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 200: Type.Object({ data: Type.Array(ref(Profile)), hasMore: Type.Boolean(), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      // Checked also for a search (which has one page), so a bad cursor is a 400 either way.
      const after = decodeCursor(req.query.cursor);
      if (req.query.q) return { data: await profiles.searchProfiles(ctx.db, req.query.q, limit), hasMore: false, nextCursor: null };
      const r = await profiles.listProfiles(ctx.db, { limit, after });
      return { ...r, nextCursor: r.hasMore ? encodeCursor(r.data[r.data.length - 1].id) : null };
    },
  );

  app.get(
    '/v1/profiles/lookup',
    {
      config: read,
      schema: {
        tags,
        summary: 'The profile that holds an identifier (give exactly one; values are normalised as stored)',
        querystring: Type.Object({
          email: Type.Optional(Type.String({ maxLength: 320 })),
          phone: Type.Optional(Type.String({ maxLength: 40 })),
          anonymousId: Type.Optional(Type.String({ maxLength: 200 })),
          customerId: Type.Optional(Type.String({ maxLength: 200 })),
          loyaltyCard: Type.Optional(Type.String({ maxLength: 64 })),
          cardFingerprint: Type.Optional(Type.String({ maxLength: 200 })),
          social: Type.Optional(Type.String({ maxLength: 240, description: 'network:handle' })),
        }),
        response: { 200: ref(Profile) },
      },
    },
    async (req) => profiles.lookupProfile(ctx.db, req.query as Record<string, string | undefined>),
  );

  app.get('/v1/profiles/:id', { config: read, schema: { tags, summary: 'A profile: identifiers, merges, declared and computed traits', params: IdParam, response: { 200: ref(Profile) } } }, async (req) =>
    profiles.getProfile(ctx.db, req.params.id),
  );

  app.get(
    '/v1/profiles/:id/timeline',
    {
      config: read,
      schema: {
        tags,
        summary: 'Everything the person did, online and offline, newest first, paged by time',
        params: IdParam,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          channel: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('store'), Type.Literal('service')])),
          type: Type.Optional(Type.String({ pattern: '^[a-z_]+(\\.[a-z_]+)*(\\.\\*)?$', maxLength: 100, description: 'an entry type (`page`, `order.placed`) or a prefix (`order.*`)' })),
        }),
        response: { 200: Type.Object({ data: Type.Array(ref(TimelineEntry)), hasMore: Type.Boolean(), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (req) => profiles.timelineOf(ctx.db, req.params.id, { limit: req.query.limit ?? 50, before: profiles.decodeTimelineCursor(req.query.cursor), channel: req.query.channel, type: req.query.type }),
  );

  app.post(
    '/v1/profiles/:id/unmerge',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Undo a merge: both profiles get back their own identifiers, events and traits',
        description: 'Give the id of the profile that was merged away (or the survivor with `mergeId`). The two stay apart from then on.',
        params: IdParam,
        body: Type.Object({ mergeId: Type.Optional(Type.String({ maxLength: 64 })), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ merge: ref(Merge), survivor: ref(Profile), restored: ref(Profile) }) },
      },
    },
    async (req) => profiles.unmerge(ctx.db, requestContext(req), req.params.id, req.body ?? {}),
  );

  app.get('/v1/identity-rules', { config: read, schema: { tags, summary: 'The identity resolution rules', response: { 200: withHeaders(ref(RulesOut), 'etag') } } }, async (req, reply) => {
    const r = await profiles.getRules(ctx.db);
    reply.header('etag', etag(r.version));
    return r;
  });

  app.put(
    '/v1/identity-rules',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change the identity resolution rules (applies to events resolved from now on)',
        headers: IfMatchHeaders,
        body: Type.Partial(RulesBody, { additionalProperties: false }),
        response: { 200: withHeaders(ref(RulesOut), 'etag') },
      },
    },
    async (req, reply) => {
      // The rules decide who is whom across the whole chain: not a store's to change.
      assertAllStores(req.principal, 'Changing the identity resolution rules');
      const r = await profiles.putRules(ctx.db, requestContext(req), req.body, expectedVersion(req));
      reply.header('etag', etag(r.version));
      return r;
    },
  );

  app.post(
    '/v1/collect/social',
    {
      config: { ...write },
      schema: {
        tags,
        summary: 'Social interactions (mentions, likes, comments, messages) with the handle that made them, from a social listening tool',
        body: Type.Object({ interactions: Type.Array(ref(SocialIn), { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ accepted: Type.Integer({ description: 'new interactions stored' }), duplicates: Type.Integer({ description: 'sent before (same network and id), stored once' }) }) },
      },
    },
    async (req) => {
      const obs: Observation[] = req.body.interactions.map((i, n) => {
        const identifiers: Observation['identifiers'] = [{ kind: 'social', value: `${i.network}:${i.handle}` }];
        if (i.email) identifiers.push({ kind: 'email', value: i.email });
        if (i.customerId) identifiers.push({ kind: 'customer_id', value: i.customerId });
        return {
          source: 'social',
          sourceId: `social:${i.network}:${i.id}`,
          occurredAt: occurred(i.occurredAt, `/interactions/${n}/occurredAt`),
          type: `social.${i.kind}`,
          name: i.network,
          channel: i.kind === 'message' ? 'service' : 'online',
          data: { network: i.network, handle: i.handle, kind: i.kind, text: i.text ?? null, url: i.url ?? null },
          identifiers,
          // A secret key (or staff) with customers:write vouches for what its tool matched.
          trust: 'proven',
        };
      });
      const unique = [...new Map(obs.map((o) => [o.sourceId, o])).values()];
      const r = await ctx.db.transaction((tx) => profiles.ingest(tx, unique));
      return { accepted: r.inserted, duplicates: obs.length - r.inserted };
    },
  );

  app.post(
    '/v1/collect/store-visit',
    {
      config: { access: { permission: 'storefront' } },
      schema: {
        tags,
        summary: 'A store visit, from the app\'s geofence or an in-store scan, with the identifiers known',
        body: ref(StoreVisitIn),
        response: {
          200: Type.Object({
            accepted: Type.Boolean({ description: 'False when the visit names an erased customer: it is not recorded (a publishable key is always told true).' }),
            profileId: Nullable(Type.String({ description: 'The profile the visit joined; null for a publishable key, whose answer reveals nothing about whom its identifiers belong to.' })),
          }),
        },
      },
    },
    async (req) => {
      const b = req.body;
      // Staff and keys scoped to stores record visits to their stores only.
      assertLocationAccess(req.principal, b.storeId);
      // A signed-in customer reports only their own visits.
      const customerId = req.principal?.kind === 'customer' ? req.principal.id : b.customerId;
      const identifiers: Observation['identifiers'] = [];
      if (customerId) identifiers.push({ kind: 'customer_id', value: customerId });
      if (b.anonymousId) identifiers.push({ kind: 'anonymous_id', value: b.anonymousId });
      if (b.email) identifiers.push({ kind: 'email', value: b.email });
      if (b.phone) identifiers.push({ kind: 'phone', value: b.phone });
      if (b.loyaltyCard) identifiers.push({ kind: 'loyalty_card', value: b.loyaltyCard });
      if (!identifiers.length) throw badRequest('Say who visited.', [{ field: '/anonymousId', message: 'give anonymousId, customerId, email, phone or loyaltyCard' }]);
      const at = occurred(b.occurredAt, '/occurredAt');
      const sourceId = `store_visit:${b.id ?? `${b.storeId}:${identifiers.map((i) => `${i.kind}=${String(i.value)}`).join(',')}:${at.toISOString()}`}`;
      const r = await ctx.db.transaction((tx) =>
        profiles.ingest(tx, [
          {
            source: 'store_visit',
            sourceId,
            occurredAt: at,
            type: 'store.visited',
            name: b.method,
            channel: 'store',
            storeId: b.storeId,
            data: { storeId: b.storeId, method: b.method, durationSeconds: b.durationSeconds ?? null },
            identifiers,
            // A till or kiosk (staff, secret key) and a signed-in customer (their own visit) vouch for it; the app's geofence with a publishable key only claims it.
            trust: req.principal?.kind === 'publishable_key' ? 'claimed' : 'proven',
          },
        ]),
      );
      const profileId = r.placed.get(sourceId) ?? null;
      // A shop front's key is in every shopper's browser: its answer says nothing about whom the
      // identifiers it names belong to (which profile, or that a customer was erased).
      const shopFront = req.principal?.kind === 'publishable_key';
      // A visit naming an erased customer is not recorded.
      if (r.suppressed.length) return { accepted: shopFront, profileId: null };
      if (!profileId) throw badRequest('None of the identifiers can be used (blocked or not valid).', [{ field: '/', message: 'no usable identifier' }]);
      return { accepted: true, profileId: shopFront ? null : profileId };
    },
  );
}
