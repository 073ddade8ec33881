// Webhook endpoints, their delivery log, test pings and replays.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { etag, expectedVersion, IfMatchHeaders } from '../../platform/http/concurrency.js';
import { IdParam, NullableTimestamp, Page, PageQuery, ref, Timestamp, withHeaders } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import * as webhooks from './service.js';

const tags = ['webhooks'];
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 100,
  description: 'Event types to receive: exact ("api_key.created"), a prefix ("staff_user.*") or "*" for all.',
});

export const WebhookEndpoint = Type.Object(
  {
    id: Type.String({ description: 'whe_…' }),
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    eventTypes: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
    disabledReason: Type.Union([Type.String(), Type.Null()]),
    failingSince: NullableTimestamp,
    consecutiveFailures: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    version: Type.Integer(),
    secret: Type.Optional(Type.String({ description: 'Signing secret (whsec_…); in create, rotate and get answers.' })),
  },
  { $id: 'WebhookEndpoint' },
);
const WebhookEndpointPage = Page(ref(WebhookEndpoint), 'WebhookEndpoint');
const WebhookAttempt = Type.Object(
  {
    attempt: Type.Integer(),
    attemptedAt: Timestamp,
    durationMs: Type.Integer(),
    statusCode: Type.Union([Type.Integer(), Type.Null()]),
    responseBody: Type.Union([Type.String(), Type.Null()], { description: 'The first 1 KB of the receiver’s answer; null when nothing was sent.' }),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'WebhookAttempt' },
);
export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: 'whd_…' }),
    endpointId: Type.String(),
    eventId: Type.String(),
    eventType: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    nextAttemptAt: NullableTimestamp,
    lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    replayOf: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    completedAt: NullableTimestamp,
  },
  { $id: 'WebhookDelivery' },
);
const WebhookDeliveryPage = Page(ref(WebhookDelivery), 'WebhookDelivery');
const WebhookDeliveryDetail = Type.Object(
  { delivery: ref(WebhookDelivery), payload: Type.Record(Type.String(), Type.Unknown(), { description: 'The event as sent: the envelope of GET /v1/events (an Event).' }), attempts: Type.Array(ref(WebhookAttempt)) },
  { $id: 'WebhookDeliveryDetail' },
);

export async function webhookRoutes(app: App, ctx: AppContext) {
  for (const s of [WebhookEndpoint, WebhookEndpointPage, WebhookAttempt, WebhookDelivery, WebhookDeliveryPage, WebhookDeliveryDetail]) app.addSchema(s);
  const read = { access: { permission: 'webhooks:read' } } as const;
  const write = { access: { permission: 'webhooks:write' } } as const;
  const policy = { allowPrivate: ctx.config.webhookAllowPrivate };

  app.get('/v1/webhook-endpoints', { config: read, schema: { tags, summary: 'List webhook endpoints', querystring: PageQuery, response: { 200: ref(WebhookEndpointPage) } } }, async (req) => {
    const page = await webhooks.listEndpoints(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor });
    return { ...page, data: page.data.map((e) => webhooks.publicEndpoint(e)) };
  });

  app.post(
    '/v1/webhook-endpoints',
    {
      config: write,
      schema: {
        tags,
        summary: 'Add a webhook endpoint',
        description:
          'The answer holds the signing secret. Deliveries are POSTs signed with `Winkel-Signature` (see docs/API.md). A URL whose host is (or resolves to) a private, loopback, link-local, unique-local, shared (CGNAT), multicast, reserved or cloud metadata address is refused with 422 `webhook_url_refused`, unless the server runs with WEBHOOK_ALLOW_PRIVATE=true.',
        body: Type.Object({ url: Type.String({ minLength: 8, maxLength: 2000 }), description: Type.Optional(Type.String({ maxLength: 500 })), eventTypes: EventTypes }, { additionalProperties: false }),
        response: { 201: withHeaders(ref(WebhookEndpoint), 'etag', 'location') },
      },
    },
    async (req, reply) => {
      const e = await webhooks.createEndpoint(ctx.db, requestContext(req), req.body, policy);
      reply.code(201).header('etag', etag(e.version)).header('location', `/v1/webhook-endpoints/${e.id}`);
      return webhooks.publicEndpoint(e, true);
    },
  );

  app.get('/v1/webhook-endpoints/:id', { config: write, schema: { tags, summary: 'Get a webhook endpoint with its secret', params: IdParam, response: { 200: withHeaders(ref(WebhookEndpoint), 'etag') } } }, async (req, reply) => {
    const e = await webhooks.getEndpoint(ctx.db, req.params.id);
    reply.header('etag', etag(e.version));
    return webhooks.publicEndpoint(e, true);
  });

  app.patch(
    '/v1/webhook-endpoints/:id',
    {
      config: write,
      schema: {
        tags,
        summary: 'Change, disable, re-enable an endpoint or rotate its secret',
        description: 'Send `If-Match` with the ETag you read; a stale one gets 412. A new `url` follows the same address rules as when adding an endpoint (422 `webhook_url_refused`).',
        params: IdParam,
        headers: IfMatchHeaders,
        body: Type.Object(
          {
            url: Type.Optional(Type.String({ minLength: 8, maxLength: 2000 })),
            description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
            eventTypes: Type.Optional(EventTypes),
            status: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])),
            rotateSecret: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: withHeaders(ref(WebhookEndpoint), 'etag') },
      },
    },
    async (req, reply) => {
      const e = await webhooks.updateEndpoint(ctx.db, requestContext(req), req.params.id, req.body, expectedVersion(req), policy);
      reply.header('etag', etag(e.version));
      return webhooks.publicEndpoint(e, true);
    },
  );

  app.delete('/v1/webhook-endpoints/:id', { config: write, schema: { tags, summary: 'Remove an endpoint and its delivery log', params: IdParam, response: { 204: Type.Null() } } }, async (req, reply) => {
    await webhooks.deleteEndpoint(ctx.db, requestContext(req), req.params.id);
    return reply.code(204).send(null);
  });

  app.post(
    '/v1/webhook-endpoints/:id/ping',
    { config: write, schema: { tags, summary: 'Send a test event (webhook.ping) to this endpoint', params: IdParam, response: { 202: ref(WebhookDelivery) } } },
    async (req, reply) => {
      const d = await webhooks.pingEndpoint(ctx.db, requestContext(req), req.params.id);
      ctx.wake.webhooks();
      return reply.code(202).send(webhooks.publicDelivery(d));
    },
  );

  app.get(
    '/v1/webhook-deliveries',
    {
      config: read,
      schema: {
        tags,
        summary: 'The delivery log, newest first',
        querystring: Type.Intersect([
          PageQuery,
          Type.Object({
            endpointId: Type.Optional(Type.String()),
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])),
            eventType: Type.Optional(Type.String()),
          }),
        ]),
        response: { 200: ref(WebhookDeliveryPage) },
      },
    },
    async (req) => {
      const page = await webhooks.listDeliveries(ctx.db, { ...req.query, limit: req.query.limit ?? 50 });
      return { ...page, data: page.data.map(webhooks.publicDelivery) };
    },
  );

  app.get('/v1/webhook-deliveries/:id', { config: read, schema: { tags, summary: 'A delivery with its payload and every attempt', params: IdParam, response: { 200: ref(WebhookDeliveryDetail) } } }, async (req) => {
    const d = await webhooks.getDelivery(ctx.db, req.params.id);
    const attempts = await webhooks.listAttempts(ctx.db, d.id);
    return {
      delivery: webhooks.publicDelivery(d),
      payload: d.payload as Record<string, unknown>,
      attempts: attempts.map((a) => ({ attempt: a.attempt, attemptedAt: a.attemptedAt.toISOString(), durationMs: a.durationMs, statusCode: a.statusCode, responseBody: a.responseBody, error: a.error })),
    };
  });

  app.post(
    '/v1/webhook-deliveries/:id/replay',
    { config: write, schema: { tags, summary: 'Send a delivery again (as a new delivery of the same event)', params: IdParam, response: { 202: ref(WebhookDelivery) } } },
    async (req, reply) => {
      const d = await webhooks.replayDelivery(ctx.db, requestContext(req), req.params.id);
      ctx.wake.webhooks();
      return reply.code(202).send(webhooks.publicDelivery(d));
    },
  );
}
