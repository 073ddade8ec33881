// The browser SDK as served: a small script (the size budget is checked gzipped), the right headers
// for cross-origin use and caching, and the beacon route it uses on page hide, which refuses bad keys
// and drops events without analytics consent.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let pk: string;
beforeAll(async () => {
  s = await startTestServer();
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'browser' } })).body.token;
});
afterAll(() => s?.close());

describe('browser SDK', () => {
  it('is served as JavaScript for other origins, cacheable, and under 6 kB gzipped', async () => {
    const res = await fetch(`${s.url}/sdk/winkel.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toContain('max-age=');
    const code = await res.text();
    expect(code).toContain('sendBeacon');
    expect(code).toContain('/v1/collect/batch');
    const gz = gzipSync(code, { level: 9 }).length;
    // eslint-disable-next-line no-console
    console.info(`winkel.js: ${code.length} bytes, ${gz} bytes gzipped`);
    expect(gz).toBeLessThan(6 * 1024);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    const again = await fetch(`${s.url}/sdk/winkel.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const esm = await fetch(`${s.url}/sdk/winkel.mjs`);
    expect(esm.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await esm.text()).toMatch(/export\s*\{/);
  });

  it('takes beacons with a publishable key, keeping only events of visitors who granted analytics', async () => {
    await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: 'anon-yes', consents: [{ purpose: 'analytics', granted: true }] } });
    const body = JSON.stringify({
      batch: [
        { type: 'page', anonymousId: 'anon-yes', name: 'Home', messageId: 'beacon-1' },
        { type: 'track', anonymousId: 'anon-no', event: 'Clicked', messageId: 'beacon-2' },
        { type: 'track', anonymousId: 'anon-yes', messageId: 'beacon-3' },
      ],
    });
    const res = await fetch(`${s.url}/v1/sdk/beacon?key=${pk}`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r).toMatchObject({ accepted: 1, duplicates: 0, withoutConsent: 1 });
    expect(r.rejected).toEqual([{ index: 2, messageId: 'beacon-3', errors: [{ field: '/event', message: expect.any(String) }] }]);
    const yes = await s.call('GET', '/v1/collect/timeline?anonymousId=anon-yes');
    expect(yes.body.data.map((e: { messageId: string }) => e.messageId)).toEqual(['beacon-1']);
    const no = await s.call('GET', '/v1/collect/timeline?anonymousId=anon-no');
    expect(no.body.data).toEqual([]);
  });

  it('refuses a beacon without a valid publishable key or with a body that is not a batch', async () => {
    const batch = JSON.stringify({ batch: [{ type: 'page', anonymousId: 'anon-yes' }] });
    const secret = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'server', scopes: ['customers:read'] } })).body.token;
    for (const key of ['pk_nope', secret]) {
      const r = await fetch(`${s.url}/v1/sdk/beacon?key=${key}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: batch });
      expect(r.status).toBe(401);
    }
    const notJson = await fetch(`${s.url}/v1/sdk/beacon?key=${pk}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    const empty = await fetch(`${s.url}/v1/sdk/beacon?key=${pk}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"batch":[]}' });
    expect(empty.status).toBe(400);
  });
});
