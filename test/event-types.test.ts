// One list of event types, declared by the modules that emit them (src/modules/*/events.ts): served
// at GET /v1/event-types, enforced on webhook subscriptions, and printed in docs/API.md.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_DOC, withEventTable } from '../scripts/generate-event-docs.js';
import { EVENT_TYPES } from '../src/events.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('event types', () => {
  it('docs/API.md lists every event type the modules declare (run `npm run docs:events` after changing one)', () => {
    const doc = readFileSync(API_DOC, 'utf8');
    expect(withEventTable(doc) === doc, 'the event table in docs/API.md is out of date: run `npm run docs:events` and commit the result').toBe(true);
    for (const e of EVENT_TYPES) expect(doc).toContain(`| \`${e.type}\` | ${e.module} |`);
  });

  it('are listed at GET /v1/event-types, once each, for any caller with a credential', async () => {
    const r = await s.call('GET', '/v1/event-types');
    expect(r.status).toBe(200);
    const types = r.body.data.map((e: { type: string }) => e.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(EVENT_TYPES.map((e) => e.type));
    expect(types).toEqual(expect.arrayContaining(['order.placed', 'fulfilment.collected', 'return.refunded', 'payment.captured', 'gift_card.issued', 'profile.merged']));
    expect(r.body.data.find((e: { type: string }) => e.type === 'order.placed')).toEqual({ type: 'order.placed', module: 'commerce', description: expect.any(String) });
    expect((await s.call('GET', '/v1/event-types', { token: null })).status).toBe(401);
  });

  it('with include=payload, each type also comes with its payload schema, the one emit checks', async () => {
    const r = await s.call('GET', '/v1/event-types?include=payload');
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(EVENT_TYPES.length);
    for (const [i, e] of EVENT_TYPES.entries()) expect(r.body.data[i]).toEqual({ type: e.type, module: e.module, description: e.description, payload: JSON.parse(JSON.stringify(e.payload)) });
    expect(r.body.data.find((e: { type: string }) => e.type === 'order.placed').payload.properties.order.properties.total).toMatchObject({ type: 'integer' });
  });

  it('a webhook endpoint may subscribe only to types that exist: an unknown one is refused with 422 naming it, and nothing changes', async () => {
    const url = 'https://hooks.example.com/winkel';
    const typo = await s.call('POST', '/v1/webhook-endpoints', { body: { url, eventTypes: ['order.placed', 'order.plced', 'ordr.*'] } });
    expect(typo.status).toBe(422);
    expect(typo.headers.get('content-type')).toContain('application/problem+json');
    expect(typo.body.code).toBe('unknown_event_type');
    expect(typo.body.errors).toEqual([
      { field: '/eventTypes/1', in: 'body', message: 'no event type "order.plced"' },
      { field: '/eventTypes/2', in: 'body', message: 'no event type starts with "ordr."' },
    ]);
    expect(typo.body.detail).toContain('GET /v1/event-types');
    expect((await s.call('GET', '/v1/webhook-endpoints')).body.data).toHaveLength(0);

    const ok = await s.call('POST', '/v1/webhook-endpoints', { body: { url, eventTypes: ['order.placed', 'fulfilment.*', 'stock.low'] } });
    expect(ok.status).toBe(201);
    expect((await s.call('POST', '/v1/webhook-endpoints', { body: { url, eventTypes: ['*'] } })).status).toBe(201);

    const patch = await s.call('PATCH', `/v1/webhook-endpoints/${ok.body.id}`, { body: { eventTypes: ['returns.*'] } });
    expect(patch.status).toBe(422);
    expect(patch.body.errors).toEqual([{ field: '/eventTypes/0', in: 'body', message: 'no event type starts with "returns."' }]);
    expect((await s.call('GET', `/v1/webhook-endpoints/${ok.body.id}`)).body.eventTypes).toEqual(['order.placed', 'fulfilment.*', 'stock.low']);
    expect((await s.call('PATCH', `/v1/webhook-endpoints/${ok.body.id}`, { body: { eventTypes: ['return.*'] } })).status).toBe(200);
  });
});
