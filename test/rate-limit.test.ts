// Request-rate budgets on /v1 (API_RATE_LIMIT a minute, 5 here): whose budget a request spends.
// Requests come from different loopback addresses (127.0.0.x) so each test has budgets of its own
// and so that "per client address" can be seen.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';

const LIMIT = 5;
// The admin's own session has a budget of 5 too: this file makes only three calls with it.
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ apiRateLimit: LIMIT });
});
afterAll(() => s?.close());

/** One request from `from` (a 127.0.0.x address), with an Authorization header if given. */
function callFrom(from: string, path: string, authorization?: string, init: { method?: string; body?: string; type?: string } = {}) {
  const url = new URL(s.url + path);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        localAddress: from,
        agent: false,
        headers: { ...(authorization ? { authorization } : {}), ...(init.body !== undefined ? { 'content-type': init.type ?? 'application/json' } : {}) },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const junk = () => `Bearer sk_${randomBytes(32).toString('base64url')}`;
async function newKey(kind: 'publishable' | 'secret', name: string) {
  const r = await s.call('POST', '/v1/api-keys', { body: kind === 'secret' ? { kind, name, scopes: ['storefront'] } : { kind, name } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

describe('request-rate budgets', () => {
  it('counts unknown, malformed and missing credentials against the client address: a new junk token per request buys nothing', async () => {
    const from = '127.0.0.2';
    const tries = [junk(), junk(), 'Bearer not-a-token', 'Basic YWRtaW46YWRtaW4=', junk()];
    for (const auth of tries) expect((await callFrom(from, '/v1/return-policy', auth)).status).toBe(401);
    const over = await callFrom(from, '/v1/return-policy', junk());
    expect(over.status).toBe(429);
    expect(over.headers['content-type']).toContain('application/problem+json');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // No credential at all spends the same budget, on a public route too.
    expect((await callFrom(from, '/v1/storefront/config')).status).toBe(429);
    expect((await callFrom(from, '/v1/storefront/config', junk())).status).toBe(429);
    // Another address has its own.
    expect((await callFrom('127.0.0.12', '/v1/return-policy', junk())).status).toBe(401);
  });

  it('gives a publishable key a budget per client address, so one busy shopper does not stop the others', async () => {
    const pk = await newKey('publishable', 'shared storefront');
    for (let i = 0; i < LIMIT; i++) expect((await callFrom('127.0.0.3', '/v1/return-policy', `Bearer ${pk}`)).status).toBe(200);
    expect((await callFrom('127.0.0.3', '/v1/return-policy', `Bearer ${pk}`)).status).toBe(429);
    // Other shoppers with the same key are not affected.
    const other = await callFrom('127.0.0.4', '/v1/return-policy', `Bearer ${pk}`);
    expect(other.status).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('counts a beacon with the key in its query against that key’s budget for the address', async () => {
    const pk = await newKey('publishable', 'beacon storefront');
    const beacon = () =>
      callFrom('127.0.0.5', `/v1/sdk/beacon?key=${pk}`, undefined, { method: 'POST', type: 'text/plain', body: JSON.stringify({ batch: [{ type: 'track', event: 'Viewed', anonymousId: 'anon-beacon-1', messageId: `m-${randomBytes(6).toString('hex')}` }] }) });
    for (let i = 0; i < LIMIT - 1; i++) expect((await beacon()).status).toBe(200);
    expect((await callFrom('127.0.0.5', '/v1/return-policy', `Bearer ${pk}`)).status).toBe(200);
    expect((await beacon()).status).toBe(429);
    expect((await callFrom('127.0.0.5', '/v1/return-policy', `Bearer ${pk}`)).status).toBe(429);
    // The address's own budget (no credential) is a different one.
    expect((await callFrom('127.0.0.5', '/v1/storefront/config')).status).toBe(200);
  });

  it('gives each customer session its own budget', async () => {
    const session = async (email: string) => {
      const r = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email, password: 'a long enough password' } });
      expect(r.status).toBe(201);
      return r.body.token as string;
    };
    const a = await session('budget-a@test.example');
    const b = await session('budget-b@test.example');
    for (let i = 0; i < LIMIT; i++) expect((await callFrom('127.0.0.6', '/v1/return-policy', `Bearer ${a}`)).status).toBe(200);
    expect((await callFrom('127.0.0.6', '/v1/return-policy', `Bearer ${a}`)).status).toBe(429);
    expect((await callFrom('127.0.0.6', '/v1/return-policy', `Bearer ${b}`)).status).toBe(200);
  });

  it('gives a secret key one budget wherever it calls from', async () => {
    const sk = await newKey('secret', 'integration');
    for (let i = 0; i < LIMIT; i++) expect((await callFrom(i % 2 ? '127.0.0.7' : '127.0.0.8', '/v1/return-policy', `Bearer ${sk}`)).status).toBe(200);
    expect((await callFrom('127.0.0.9', '/v1/return-policy', `Bearer ${sk}`)).status).toBe(429);
  });
});
