// Process and database health, and the event log (what webhooks and NATS carry) for integrators.
import { sql } from 'drizzle-orm';
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { Page, PageQuery, ref, Timestamp } from '../../platform/http/schemas.js';
import { listEvents } from './service.js';
import { EVENT_TYPES } from '../../events.js';

const Health = Type.Object({ status: Type.Literal('ok'), version: Type.String(), uptimeSeconds: Type.Number() }, { $id: 'Health' });
const Ready = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]), database: Type.String() }, { $id: 'Ready' });
export const Event = Type.Object(
  {
    id: Type.String({ description: 'evt_…' }),
    type: Type.String({ description: 'e.g. staff_user.created' }),
    occurredAt: Timestamp,
    aggregate: Type.Object({ type: Type.String(), id: Type.String() }),
    customerId: Type.Union([Type.String(), Type.Null()]),
    actor: Type.Union([Type.Object({ type: Type.String(), id: Type.Optional(Type.String()), label: Type.Optional(Type.String()) }), Type.Null()]),
    data: Type.Object({}, { additionalProperties: true }),
  },
  { $id: 'Event', description: 'A domain event, exactly as webhooks deliver it.' },
);
const EventPage = Page(ref(Event), 'Event');
const EventTypeList = Type.Object(
  {
    data: Type.Array(
      Type.Object({
        type: Type.String({ description: 'e.g. order.placed' }),
        module: Type.String({ description: 'The module that emits it.' }),
        description: Type.String({ description: 'When it happens.' }),
        payload: Type.Optional(
          Type.Object({}, { additionalProperties: true, description: 'The JSON Schema of its `data` (with `include=payload`); the same as in the OpenAPI document’s `webhooks`.' }),
        ),
      }),
    ),
  },
  { $id: 'EventTypeList', description: 'Every event type Winkel emits, as webhook endpoints can subscribe to them.' },
);

export async function systemRoutes(app: App, ctx: AppContext) {
  for (const s of [Health, Ready, Event, EventPage, EventTypeList]) app.addSchema(s);
  const started = Date.now();

  app.get('/health', { config: { access: 'public' }, schema: { tags: ['system'], summary: 'Is the process up', response: { 200: ref(Health) } } }, async () => ({
    status: 'ok' as const,
    version: ctx.version,
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
  }));

  app.get('/ready', { config: { access: 'public' }, schema: { tags: ['system'], summary: 'Can the process serve (database reachable)', response: { 200: ref(Ready), 503: ref(Ready) } } }, async (_req, reply) => {
    try {
      await ctx.db.execute(sql`select 1`);
      return { status: 'ready' as const, database: 'reachable' };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable' as const, database: (err as Error).message });
    }
  });

  app.get(
    '/v1/events',
    {
      config: { access: { permission: 'events:read' } },
      schema: {
        tags: ['events'],
        summary: 'List domain events, newest first',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            type: Type.Optional(Type.String({ description: 'Exact type, or a prefix ending in .*' })),
            aggregateType: Type.Optional(Type.String({ maxLength: 64, description: 'e.g. order' })),
            aggregateId: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50, description: 'One id, or repeat for the events of several aggregates (an order and its payments, say).' })),
          }),
        ]),
        response: { 200: ref(EventPage) },
      },
    },
    async (req) => listEvents(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor, type: req.query.type, aggregateType: req.query.aggregateType, aggregateId: req.query.aggregateId }),
  );

  app.get(
    '/v1/event-types',
    {
      config: { access: 'any' },
      schema: {
        tags: ['events'],
        summary: 'Every event type Winkel emits, with the module that emits it and when',
        description: 'What a webhook endpoint’s `eventTypes` may name (exactly, or by a prefix such as `order.*`); others are refused. New types may be added within v1. With `include=payload`, each type also has the JSON Schema of its payload (`data`).',
        querystring: Type.Object({ include: Type.Optional(Type.Literal('payload', { description: '`payload`: add each type’s payload schema.' })) }),
        response: { 200: ref(EventTypeList) },
      },
    },
    async (req) => ({ data: EVENT_TYPES.map(({ payload, ...e }) => (req.query.include === 'payload' ? { ...e, payload: payload as Record<string, unknown> } : e)) }),
  );
}
