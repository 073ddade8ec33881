// The events of the webhooks module; see docs/API.md, Webhooks.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Moment, Nullable, OneOf } from '../../platform/events/payloads.js';

/** A webhook endpoint as the API shows it (never its secret). */
const Endpoint = Type.Object({
  id: Id('whe_…'),
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Type.Array(Type.String(), { description: 'Event types, `*`, or prefixes ending in `.*`.' }),
  status: OneOf(['enabled', 'disabled']),
  disabledReason: Nullable(Type.String()),
  failingSince: Nullable(Moment),
  consecutiveFailures: Type.Integer(),
  createdAt: Moment,
  updatedAt: Moment,
  version: Type.Integer(),
});
const EndpointPayload = Type.Object({ endpoint: Endpoint });

export const WEBHOOK_EVENTS = {
  'webhook_endpoint.created': defineEvent('a webhook endpoint was added', EndpointPayload),
  'webhook_endpoint.updated': defineEvent('a webhook endpoint was changed, enabled again or given a new secret', EndpointPayload),
  'webhook_endpoint.deleted': defineEvent('a webhook endpoint was removed with its delivery log', EndpointPayload),
  'webhook_endpoint.disabled': defineEvent(
    'an endpoint was disabled because its deliveries failed for the whole retry window (`data.reason`)',
    Type.Object({ endpoint: Endpoint, reason: Type.String() }),
  ),
  'webhook.ping': defineEvent(
    'a test event, sent only to the endpoint pinged (POST /v1/webhook-endpoints/{id}/ping); never in the event log',
    Type.Object({ message: Type.String(), requestedBy: Nullable(Type.String({ description: 'Who asked for the ping (a label or id).' })) }),
  ),
} as const satisfies EventCatalogue;
