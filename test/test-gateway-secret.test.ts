// The test card gateway's webhook secret is not public: without TEST_GATEWAY_SECRET each
// installation makes its own (kept in the data directory, readable by the server's user only), so
// a webhook signed with the old public default settles nothing. Configured with that public value,
// the server refuses to start when it is reachable from outside this machine, and warns on 127.0.0.1.
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCardGateway } from '../src/modules/payments/providers.js';
import { loadConfig } from '../src/platform/config.js';
import { PUBLIC_TEST_GATEWAY_SECRET, testGatewaySecret } from '../src/platform/installation-secrets.js';
import { startWinkel } from '../src/runtime.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'winkel-gateway-'));
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ dataDir });
});
afterAll(async () => {
  await s?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pendingPayment() {
  const pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  const dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Lamp' }, variants: [{ sku: 'LAMP' }] } });
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'LAMP', amount: 2500 }] } });
  await s.call('POST', '/v1/stock/movements', { body: { sku: 'LAMP', locationId: dc, type: 'receipt', quantity: 10 } });
  const made = (await s.call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: 'pay@example.com' } })).body;
  const cart = made.id as string;
  const headers = { 'winkel-cart-secret': made.secret as string };
  expect((await s.call('POST', `/v1/carts/${cart}/lines`, { token: pk, headers, body: { sku: 'LAMP', quantity: 1 } })).status).toBe(200);
  const order = await s.call('POST', `/v1/carts/${cart}/checkout`, { token: pk, headers, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4000 0000 0000 3220' } } });
  expect(order.status).toBe(201);
  const ledger = (await s.call('GET', `/v1/orders/${order.body.id}/payments`)).body;
  expect(ledger.payments[0].status).toBe('pending');
  return { orderId: order.body.id as string, reference: ledger.payments[0].providerReference as string };
}

const postHook = (hook: { body: string; signature: string }) =>
  fetch(`${s.url}/v1/payments/webhooks/test_card`, { method: 'POST', headers: { 'content-type': 'application/json', 'winkel-gateway-signature': hook.signature }, body: hook.body });

describe('the test card gateway’s webhook secret', () => {
  it('is made per installation when none is configured: a webhook signed with the old public default settles nothing', async () => {
    const { orderId, reference } = await pendingPayment();
    const forged = new TestCardGateway(PUBLIC_TEST_GATEWAY_SECRET).signWebhook({ reference, status: 'succeeded' });
    expect((await postHook(forged)).status).toBe(401);
    expect((await s.call('GET', `/v1/orders/${orderId}/payments`)).body.payments[0].status).toBe('pending');
    expect((await s.call('POST', `/v1/orders/${orderId}/payments/capture`, { body: {} })).body.code).toBe('nothing_to_capture');

    // The installation's own secret is in its data directory, for the server's user only.
    const file = path.join(dataDir, 'test-gateway-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret).toMatch(/^whsec_[\w-]{40,}$/);
    expect(s.config.testGatewaySecret).toBe(secret);
    const genuine = new TestCardGateway(secret).signWebhook({ reference, status: 'succeeded' });
    expect((await postHook(genuine)).status).toBe(200);
    expect((await s.call('GET', `/v1/orders/${orderId}/payments`)).body.payments[0].status).toBe('succeeded');
  });

  it('is the same after a restart, and differs between installations', () => {
    const log = pino({ level: 'silent' });
    const again = testGatewaySecret(loadConfig({ env: {}, file: '/nonexistent', overrides: { dataDir } }), log);
    expect(again).toBe(s.config.testGatewaySecret);
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'winkel-gateway-other-'));
    try {
      expect(testGatewaySecret(loadConfig({ env: {}, file: '/nonexistent', overrides: { dataDir: otherDir } }), log)).not.toBe(again);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with the public default when the server is reachable from outside this machine', async () => {
    const log = pino({ level: 'silent' });
    // An unreachable database: if the check let it through, starting would fail on that instead.
    const base = { databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir, testGatewaySecret: PUBLIC_TEST_GATEWAY_SECRET, port: 0 };
    for (const where of [{ host: '0.0.0.0' }, { host: '::' }, { host: '192.168.1.10' }, { host: '127.0.0.1', publicUrl: 'https://shop.example' }]) {
      const config = loadConfig({ env: {}, file: '/nonexistent', overrides: { ...base, ...where } });
      await expect(startWinkel(config, { mode: 'serve', log }), JSON.stringify(where)).rejects.toThrow(/TEST_GATEWAY_SECRET is the public example value.*reachable from outside/);
    }
  });

  it('starts with the public default on 127.0.0.1 only, with a warning in the log', async () => {
    const lines: string[] = [];
    const local = await startTestServer({ testGatewaySecret: PUBLIC_TEST_GATEWAY_SECRET }, { log: { write: (l: string) => void lines.push(l) } });
    try {
      const warning = lines.map((l) => JSON.parse(l)).find((l) => l.level === 40 && /TEST_GATEWAY_SECRET is the public example value/.test(l.msg));
      expect(warning?.msg).toContain('127.0.0.1');
    } finally {
      await local.close();
    }
  });
});
