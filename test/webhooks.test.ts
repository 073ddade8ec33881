// Webhooks end to end: a committed event → a signed POST to a real receiver on 127.0.0.1 that
// fails first and then succeeds; the delivery log keeps every attempt; replay and ping work; an
// endpoint failing for the whole retry window is disabled with an event and an e-mail to admins.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffSeconds } from '../src/modules/webhooks/service.js';
import { signPayload, verifySignature } from '../src/modules/webhooks/signature.js';
import { startReceiver } from './helpers/receiver.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  // The receivers run on 127.0.0.1, which only local development may send webhooks to.
  s = await startTestServer({ webhookRetryBaseSeconds: 0.2, webhookAllowPrivate: true });
});
afterAll(() => s?.close());

describe('webhook delivery', () => {
  it('retries a failing receiver and succeeds, with a valid signature over timestamp and body', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    try {
      const endpoint = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['api_key.*'] } })).body;
      expect(endpoint.secret).toMatch(/^whsec_/);
      const key = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'web shop' } })).body.apiKey;

      const delivered = await eventually(async () => {
        const r = await s.call('GET', `/v1/webhook-deliveries?endpointId=${endpoint.id}`);
        const d = r.body.data[0];
        return d?.status === 'succeeded' ? d : undefined;
      });
      expect(delivered.eventType).toBe('api_key.created');
      expect(delivered.attempts).toBe(3);
      expect(receiver.received).toHaveLength(3);

      const last = receiver.received[2];
      const payload = JSON.parse(last.body);
      expect(payload.type).toBe('api_key.created');
      expect(payload.data.apiKey.id).toBe(key.id);
      expect(payload.id).toMatch(/^evt_/);
      expect(last.headers['winkel-event-id']).toBe(payload.id);
      expect(verifySignature(endpoint.secret, last.body, String(last.headers['winkel-signature']))).toBe(true);
      expect(verifySignature('whsec_wrong', last.body, String(last.headers['winkel-signature']))).toBe(false);
      expect(verifySignature(endpoint.secret, last.body + ' ', String(last.headers['winkel-signature']))).toBe(false);
      // The same event id on every attempt, so receivers can de-duplicate.
      expect(new Set(receiver.received.map((r) => r.headers['winkel-event-id'])).size).toBe(1);

      const detail = await s.call('GET', `/v1/webhook-deliveries/${delivered.id}`);
      expect(detail.body.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 200]);
      expect(detail.body.attempts[0].responseBody).toBe('not now');
    } finally {
      await receiver.close();
    }
  });

  it('only sends the event types an endpoint asked for', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['staff_user.created'] } })).body;
      await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'ignored' } });
      await s.call('POST', '/v1/staff-users', { body: { email: 'typed@test.example', name: 'T', role: 'marketer', password: 'marketer-pass' } });
      await eventually(async () => receiver.received.length === 1);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0].body).type).toBe('staff_user.created');
      const list = await s.call('GET', `/v1/webhook-deliveries?endpointId=${endpoint.id}`);
      expect(list.body.data).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('sends a test ping and replays a delivery as a new delivery of the same event', async () => {
    const receiver = await startReceiver();
    try {
      const endpoint = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['webhook.ping'] } })).body;
      const ping = await s.call('POST', `/v1/webhook-endpoints/${endpoint.id}/ping`);
      expect(ping.status).toBe(202);
      await eventually(async () => receiver.received.length === 1);
      expect(JSON.parse(receiver.received[0].body).type).toBe('webhook.ping');
      await eventually(async () => (await s.call('GET', `/v1/webhook-deliveries/${ping.body.id}`)).body.delivery.status === 'succeeded');
      const replay = await s.call('POST', `/v1/webhook-deliveries/${ping.body.id}/replay`);
      expect(replay.status).toBe(202);
      expect(replay.body.replayOf).toBe(ping.body.id);
      await eventually(async () => receiver.received.length === 2);
      expect(JSON.parse(receiver.received[1].body).id).toBe(JSON.parse(receiver.received[0].body).id);
    } finally {
      await receiver.close();
    }
  });

  it('disables an endpoint that failed for the whole retry window, announces it and e-mails the admins', async () => {
    const receiver = await startReceiver(() => 503);
    try {
      const endpoint = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['*'] } })).body;
      await s.call('POST', `/v1/webhook-endpoints/${endpoint.id}/ping`);
      await eventually(async () => receiver.received.length >= 1);
      // Pretend the endpoint has been failing for longer than the retry window.
      await s.winkel.db.execute(sql`update webhook_endpoints set failing_since = now() - interval '30 hours' where id = ${endpoint.id}`);
      const disabled = await eventually(async () => {
        const e = (await s.call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).body;
        return e.status === 'disabled' ? e : undefined;
      });
      expect(disabled.disabledReason).toMatch(/failed every delivery/);
      const events = await s.call('GET', '/v1/events?type=webhook_endpoint.disabled');
      expect(events.body.data.map((e: { aggregate: { id: string } }) => e.aggregate.id)).toEqual([endpoint.id]);
      const mail = await eventually(async () => {
        const r = await s.call('GET', `/v1/devtools/emails?to=${encodeURIComponent(s.adminEmail)}`);
        return r.body.data.find((m: { subject: string }) => m.subject.includes('disabled webhook'));
      });
      expect(mail.text).toContain(endpoint.id);
      // Re-enabling clears the failure streak.
      const again = await s.call('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { body: { status: 'enabled' } });
      expect(again.body.status).toBe('enabled');
      expect(again.body.consecutiveFailures).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('keeps only the first kilobyte of a receiver’s answer in the delivery log, and does not follow redirects', async () => {
    let redirectedTo = 0;
    const elsewhere = http.createServer((_req, res) => {
      redirectedTo++;
      res.end('followed');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', () => r()));
    const elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`;
    const big = http.createServer((req, res) => {
      req.resume();
      if (req.url === '/move') {
        res.writeHead(307, { location: elsewhereUrl }).end();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      // 1 MB of answer: the log keeps the first kilobyte.
      res.end('é'.repeat(512 * 1024));
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
    try {
      const noisy = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: `${base}/noisy`, eventTypes: ['webhook.ping'] } })).body;
      const ping = await s.call('POST', `/v1/webhook-endpoints/${noisy.id}/ping`);
      const detail = await eventually(async () => {
        const d = (await s.call('GET', `/v1/webhook-deliveries/${ping.body.id}`)).body;
        return d.attempts.length >= 1 ? d : undefined;
      });
      expect(detail.attempts[0].statusCode).toBe(500);
      expect(Buffer.byteLength(detail.attempts[0].responseBody)).toBeLessThanOrEqual(1024 + 3);
      expect(detail.attempts[0].responseBody.length).toBeGreaterThan(400);

      const moving = (await s.call('POST', '/v1/webhook-endpoints', { body: { url: `${base}/move`, eventTypes: ['webhook.ping'] } })).body;
      const ping2 = await s.call('POST', `/v1/webhook-endpoints/${moving.id}/ping`);
      const moved = await eventually(async () => {
        const d = (await s.call('GET', `/v1/webhook-deliveries/${ping2.body.id}`)).body;
        return d.attempts.length >= 1 ? d : undefined;
      });
      expect(moved.attempts[0].statusCode).toBe(307);
      expect(moved.attempts[0].error).toMatch(/redirects are not followed/);
      expect(moved.delivery.status).toBe('pending');
      await new Promise((r) => setTimeout(r, 500));
      expect(redirectedTo).toBe(0);
    } finally {
      await new Promise<void>((r) => big.close(() => r()));
      await new Promise<void>((r) => elsewhere.close(() => r()));
    }
  });

  it('backs off exponentially and keeps retrying for at least 24 hours by default', () => {
    const delays = Array.from({ length: 40 }, (_, i) => backoffSeconds(i + 1, 30));
    for (let i = 1; i < 8; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] * 1.5);
    expect(Math.max(...delays)).toBeLessThanOrEqual(6 * 3600 * 1.1);
    expect(s.config.webhookRetryHours).toBeGreaterThanOrEqual(24);
  });

  it('signatures: a documented format that a receiver can check', () => {
    const header = signPayload('whsec_test', '{"a":1}', 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_test', '{"a":1}', header, 300, 1_700_000_000_000)).toBe(true);
    expect(verifySignature('whsec_test', '{"a":1}', header, 300, 1_700_001_000_000)).toBe(false);
  });
});
