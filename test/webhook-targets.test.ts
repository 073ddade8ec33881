// Webhooks do not reach inside the network: with WEBHOOK_ALLOW_PRIVATE off (the default), an
// endpoint URL whose host is a private, loopback, link-local, unique-local, shared (CGNAT),
// multicast, unspecified, reserved or cloud metadata address is refused when it is saved, in every
// spelling the URL parser accepts (decimal, octal, hex, IPv4-mapped IPv6…), and a delivery whose
// host name resolves to such an address at sending time is not sent at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedClass } from '../src/modules/webhooks/address.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ webhookRetryBaseSeconds: 0.2 });
});
afterAll(() => s?.close());

// Each class of address, in the spellings an attacker would try.
const REFUSED: Array<[cls: string, urls: string[]]> = [
  ['loopback', ['http://127.0.0.1/hook', 'http://127.1.2.3:8080/x', 'http://[::1]:3000/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f000001/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://localhost:3000/', 'http://shop.localhost/', 'http://[64:ff9b::7f00:1]/', 'http://[2002:7f00:1::]/']],
  ['private', ['http://10.1.2.3/', 'http://172.16.0.1/', 'http://172.31.255.254/', 'https://192.168.1.1/', 'http://3232235777/', 'http://[::ffff:192.168.1.1]/', 'http://[::ffff:a00:1]/']],
  ['link-local', ['http://169.254.1.1/', 'http://[fe80::1]/', 'http://[::ffff:169.254.1.1]/']],
  ['cloud metadata', ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0251.0376.0251.0376/', 'http://[::ffff:169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://[fd00:ec2::254]/', 'http://100.100.100.200/']],
  ['shared (CGNAT)', ['http://100.64.0.1/', 'http://100.127.255.254/', 'http://[::ffff:100.64.0.1]/']],
  ['unique-local', ['http://[fd12:3456::1]/', 'http://[fc00::1]/']],
  ['multicast', ['http://224.0.0.1/', 'http://239.255.255.250/', 'http://[ff02::1]/']],
  ['unspecified', ['http://0.0.0.0/', 'http://0/', 'http://[::]/']],
  ['broadcast', ['http://255.255.255.255/']],
  ['reserved', ['http://240.0.0.1/']],
];

async function endpointCount() {
  const r = await s.call('GET', '/v1/webhook-endpoints?limit=200');
  return r.body.data.length as number;
}

describe('webhook endpoints may not point inside the network', () => {
  it('classifies addresses in every form: IPv4, IPv6, IPv4 inside IPv6', () => {
    expect(refusedClass('8.8.8.8')).toBeNull();
    expect(refusedClass('2606:4700:4700::1111')).toBeNull();
    expect(refusedClass('::ffff:8.8.8.8')).toBeNull();
    expect(refusedClass('127.0.0.1')).toBe('loopback');
    expect(refusedClass('::ffff:7f00:1')).toBe('loopback');
    expect(refusedClass('::ffff:127.0.0.1')).toBe('loopback');
    expect(refusedClass('169.254.169.254')).toBe('cloud metadata');
    expect(refusedClass('100.64.0.1')).toBe('shared (CGNAT)');
    expect(refusedClass('fe80::1%eth0')).toBe('link-local');
    expect(refusedClass('fd00::1')).toBe('unique-local');
    expect(refusedClass('::')).toBe('unspecified');
    expect(refusedClass('not an address')).toBe('reserved');
  });

  it('refuses each class of address when an endpoint is added, with a 422 that says why, and adds nothing', async () => {
    const before = await endpointCount();
    for (const [cls, urls] of REFUSED) {
      for (const url of urls) {
        const r = await s.call('POST', '/v1/webhook-endpoints', { body: { url, eventTypes: ['*'] } });
        expect(r.status, url).toBe(422);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.code).toBe('webhook_url_refused');
        expect(r.body.detail, url).toContain(`a ${cls} address`);
        expect(r.body.detail).toContain('WEBHOOK_ALLOW_PRIVATE');
        expect(r.body.errors[0].field).toBe('/url');
      }
    }
    expect(await endpointCount()).toBe(before);
  });

  it('refuses each class of address when an endpoint’s URL is changed, and keeps the old URL', async () => {
    const created = await s.call('POST', '/v1/webhook-endpoints', { body: { url: 'https://93.184.215.14/hooks', eventTypes: ['*'] } });
    expect(created.status).toBe(201);
    for (const [cls, urls] of REFUSED) {
      for (const url of urls) {
        const r = await s.call('PATCH', `/v1/webhook-endpoints/${created.body.id}`, { body: { url } });
        expect(r.status, url).toBe(422);
        expect(r.body.code).toBe('webhook_url_refused');
        expect(r.body.detail, url).toContain(`a ${cls} address`);
      }
    }
    const now = await s.call('GET', `/v1/webhook-endpoints/${created.body.id}`);
    expect(now.body.url).toBe('https://93.184.215.14/hooks');
    expect(now.body.version).toBe(1);
  });

  it('accepts public addresses', async () => {
    for (const url of ['https://8.8.8.8/hook', 'http://[2606:4700:4700::1111]/hook', 'https://[::ffff:8.8.4.4]/hook']) {
      const r = await s.call('POST', '/v1/webhook-endpoints', { body: { url, eventTypes: ['webhook.ping'] } });
      expect(r.status, url).toBe(201);
    }
  });

  it('checks again at delivery: a host name that now resolves to a loopback address gets nothing, and the log says why', async () => {
    let hits = 0;
    const receiver = http.createServer((_req, res) => {
      hits++;
      res.end('internal secrets');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const created = await s.call('POST', '/v1/webhook-endpoints', { body: { url: 'https://93.184.215.14/hooks', eventTypes: ['webhook.ping'] } });
      // As if saved while the name still pointed elsewhere (DNS rebinding), or while
      // WEBHOOK_ALLOW_PRIVATE was on: `localhost` resolves to 127.0.0.1 now.
      await s.winkel.db.execute(sql`update webhook_endpoints set url = ${`http://localhost:${port}/hooks`} where id = ${created.body.id}`);
      const ping = await s.call('POST', `/v1/webhook-endpoints/${created.body.id}/ping`);
      expect(ping.status).toBe(202);
      const detail = await eventually(async () => {
        const d = (await s.call('GET', `/v1/webhook-deliveries/${ping.body.id}`)).body;
        return d.attempts.length >= 1 ? d : undefined;
      });
      const attempt = detail.attempts[0];
      expect(attempt.statusCode).toBeNull();
      expect(attempt.responseBody).toBeNull();
      expect(attempt.error).toMatch(/^not sent: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
      expect(detail.delivery.status).toBe('pending');
      // A little longer, for any retry: still nothing reached the receiver.
      await new Promise((r) => setTimeout(r, 700));
      expect(hits).toBe(0);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});
