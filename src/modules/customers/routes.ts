// Event collection (Segment-spec shape) and a person's raw event timeline.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest } from '../../platform/errors.js';
import { ref } from '../../platform/http/schemas.js';
import { collect, eventsFor, type IncomingEvent } from './collect.js';

const tags = ['customer data'];
const Result = Type.Object(
  {
    accepted: Type.Integer({ description: 'new events stored' }),
    duplicates: Type.Integer({ description: 'events whose messageId was seen before (stored once)' }),
    rejected: Type.Array(Type.Object({ index: Type.Integer(), messageId: Type.Union([Type.String(), Type.Null()]), errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })) })),
  },
  { $id: 'CollectResult' },
);
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
  { $id: 'CollectedEventIn', description: 'Segment-spec fields; each event is checked on its own so that one bad event does not lose the others.' },
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
    properties: Type.Unknown(),
    traits: Type.Unknown(),
    context: Type.Unknown(),
  },
  { $id: 'CollectedEvent' },
);

export async function customerRoutes(app: App, ctx: AppContext) {
  for (const s of [Result, EventIn, TimelineEvent]) app.addSchema(s);
  const access = { access: { permission: 'storefront' }, idempotent: false } as const;
  const source = (req: { principal?: { kind: string; id: string } }) => (req.principal?.kind === 'publishable_key' || req.principal?.kind === 'secret_key' ? req.principal.id : null);

  for (const type of ['track', 'identify', 'page', 'screen', 'alias'] as const) {
    app.post(
      `/v1/collect/${type}`,
      { config: access, schema: { tags, summary: `Collect one ${type} event`, body: ref(EventIn), response: { 200: ref(Result) } } },
      async (req) => {
        const r = await collect(ctx.db, [{ ...(req.body as IncomingEvent), type }], source(req));
        if (r.rejected.length) throw badRequest(`The ${type} event is not valid.`, r.rejected[0].errors.map((e) => ({ field: `/${e.field}`, message: e.message })));
        return r;
      },
    );
  }

  app.post(
    '/v1/collect/batch',
    {
      config: access,
      schema: {
        tags,
        summary: 'Collect up to 500 events at once; bad ones are listed, good ones kept',
        body: Type.Object({ batch: Type.Array(ref(EventIn), { minItems: 1, maxItems: 500 }), context: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
        response: { 200: ref(Result) },
      },
    },
    async (req) => {
      const shared = req.body.context as Record<string, unknown> | undefined;
      const events = (req.body.batch as IncomingEvent[]).map((e) => (shared && (e.context === undefined || e.context === null) ? { ...e, context: shared } : e));
      return collect(ctx.db, events, source(req));
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
      let after: { timestamp: Date; id: string } | undefined;
      if (req.query.cursor) {
        try {
          const c = JSON.parse(Buffer.from(req.query.cursor, 'base64url').toString('utf8')) as { t: string; id: string };
          after = { timestamp: new Date(c.t), id: c.id };
        } catch {
          throw badRequest('The cursor is not one this API handed out.', [{ field: 'querystring/cursor', message: 'invalid' }]);
        }
      }
      const rows = await eventsFor(ctx.db, req.query, { limit, after });
      const hasMore = rows.length > limit;
      const page = hasMore ? rows.slice(0, limit) : rows;
      const last = page[page.length - 1];
      return {
        data: page.map((r) => ({ ...r, timestamp: r.timestamp.toISOString(), receivedAt: r.receivedAt.toISOString(), properties: r.properties ?? null, traits: r.traits ?? null, context: r.context ?? null })),
        hasMore,
        nextCursor: hasMore && last ? Buffer.from(JSON.stringify({ t: last.timestamp.toISOString(), id: last.id })).toString('base64url') : null,
      };
    },
  );
}
