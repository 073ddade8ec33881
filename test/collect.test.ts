// Event collection in the Segment-spec shape: bad events rejected one by one with reasons while
// the good ones in the same batch are kept, duplicates stored once, late events in their place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;
beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'browser' } })).body.token;
});
afterAll(() => s?.close());

describe('event collection', () => {
  it('takes a track call from a browser key and refuses one without a name', async () => {
    const ok = await s.call('POST', '/v1/collect/track', { token: pk, body: { anonymousId: 'anon-1', event: 'Product Viewed', properties: { sku: '85123A' }, messageId: 'm-1' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const bad = await s.call('POST', '/v1/collect/track', { token: pk, body: { anonymousId: 'anon-1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('/event');
  });

  it('keeps the good events of a batch, lists the bad ones with reasons, and stores duplicates once', async () => {
    const r = await s.call('POST', '/v1/collect/batch', {
      token: pk,
      body: {
        batch: [
          { type: 'page', anonymousId: 'anon-2', name: 'Home', messageId: 'b-1', timestamp: '2026-11-20T10:00:00Z' },
          { type: 'track', anonymousId: 'anon-2', messageId: 'b-2' },
          { type: 'identify', userId: 'cus_42', anonymousId: 'anon-2', traits: { email: 'a@example.com' }, messageId: 'b-3', timestamp: '2026-11-20T10:05:00Z' },
          { type: 'page', anonymousId: 'anon-2', messageId: 'b-1' },
          { type: 'track', userId: 'cus_42', event: 'Order Completed', messageId: 'm-1' },
          { type: 'shout', userId: 'cus_42', messageId: 'b-9' },
          { type: 'track', event: 'Nobody', messageId: 'b-10', timestamp: 'yesterday' },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.duplicates).toBe(2);
    expect(r.body.rejected.map((x: { index: number; errors: Array<{ field: string }> }) => [x.index, x.errors.map((e) => e.field)])).toEqual([
      [1, ['/event']],
      [5, ['/type']],
      [6, ['/userId', '/timestamp']],
    ]);
  });

  it('puts late and out-of-order events in their place on the timeline', async () => {
    await s.call('POST', '/v1/collect/batch', {
      token: pk,
      body: { batch: [{ type: 'track', anonymousId: 'anon-2', event: 'Added To Cart', timestamp: '2026-11-20T10:02:00Z', messageId: 'late-1' }] },
    });
    const t = await s.call('GET', '/v1/collect/timeline?anonymousId=anon-2');
    expect(t.body.data.map((e: { messageId: string }) => e.messageId)).toEqual(['b-1', 'late-1', 'b-3']);
    expect((await s.call('GET', '/v1/collect/timeline?anonymousId=anon-2', { token: pk })).status).toBe(403);
  });
});
