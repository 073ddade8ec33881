// The events of the webhooks module; see docs/API.md, Webhooks.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const WEBHOOK_EVENTS = {
  'webhook_endpoint.created': 'a webhook endpoint was added',
  'webhook_endpoint.updated': 'a webhook endpoint was changed, enabled again or given a new secret',
  'webhook_endpoint.deleted': 'a webhook endpoint was removed with its delivery log',
  'webhook_endpoint.disabled': 'an endpoint was disabled because its deliveries failed for the whole retry window (`data.reason`)',
  'webhook.ping': 'a test event, sent only to the endpoint pinged (POST /v1/webhook-endpoints/{id}/ping); never in the event log',
} as const satisfies EventCatalogue;
