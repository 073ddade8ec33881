// The process running checkouts killed outright (SIGKILL) in the middle of 100 concurrent
// checkouts, then started again: within one lease and one recovery round, no cart is left claimed,
// no authorisation open and no stock reserved for a checkout that did not become an order; every
// order that was answered 201 is there with its payment; the stock ledger verifies; and the
// checkouts retried with their Idempotency-Keys give exactly one order per cart.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/db.js';
import { eventually } from './helpers/server.js';

const BIN = path.resolve('bin/winkel.mjs');
const CARTS = 100;
const LEASE_MS = 5000;
const RECOVERY_MS = 500;

let dbUrl = '';
let dropDb: () => Promise<void> = async () => undefined;
let port = 0;
let child: ChildProcess | undefined;
let client: pg.Client;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(p));
    });
  });
}

/** `winkel serve` from the sources, in one process (no launcher), so SIGKILL hits the server itself. */
async function serve(): Promise<{ child: ChildProcess; out: () => string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: dbUrl,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    WINKEL_SERVE_WEB: 'false',
    WINKEL_NODE_FLAGS: 'off',
    WINKEL_FROM_SOURCE: '1',
    API_RATE_LIMIT: '0',
    SIGN_IN_RATE_LIMIT: '1000',
    FLOW_LEASE_MS: String(LEASE_MS),
    FLOW_RECOVERY_INTERVAL_MS: String(RECOVERY_MS),
  };
  const c = spawn(process.execPath, [BIN, 'serve'], { env: env as NodeJS.ProcessEnv });
  let out = '';
  c.stdout!.on('data', (d) => (out += d));
  c.stderr!.on('data', (d) => (out += d));
  await eventually(async () => out.includes('Press Ctrl-C to stop') || c.exitCode !== null, 90_000);
  if (c.exitCode !== null) throw new Error(`serve exited: ${out}`);
  return { child: c, out: () => out };
}

async function call(method: string, p: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const rows = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];

beforeAll(async () => {
  const t = await createTestDatabase();
  dbUrl = t.url;
  dropDb = t.drop;
  port = await freePort();
  client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await client?.end();
  await dropDb();
});

describe('checkouts when the server is killed', { timeout: 300_000 }, () => {
  it('leave nothing held and lose no order once the server is back', async () => {
    const first = await serve();
    child = first.child;
    // The first start creates the admin and prints its password once.
    const email = /e-mail:\s+(\S+)/.exec(first.out())![1];
    const password = /password: (\S+)/.exec(first.out())![1];
    const admin = (await call('POST', '/v1/auth/sign-in', { body: { email, password } })).body.token;
    expect(admin).toBeTruthy();
    const dc = (await call('POST', '/v1/locations', { token: admin, body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
    await call('POST', '/v1/products', { token: admin, body: { status: 'active', title: { en: 'Lamp' }, variants: [{ sku: 'LAMP' }] } });
    const pl = (await call('POST', '/v1/price-lists', { token: admin, body: { name: 'Base' } })).body.id;
    await call('POST', `/v1/price-lists/${pl}/prices`, { token: admin, body: { prices: [{ sku: 'LAMP', amount: 2500 }] } });
    expect((await call('POST', '/v1/stock/movements', { token: admin, body: { sku: 'LAMP', locationId: dc, type: 'receipt', quantity: 1000 } })).status).toBe(201);
    const pk = (await call('POST', '/v1/api-keys', { token: admin, body: { kind: 'publishable', name: 'shop' } })).body.token;

    const carts: Array<{ id: string; secret: string }> = [];
    for (let i = 0; i < CARTS; i++) {
      const cart = (await call('POST', '/v1/carts', { token: pk, body: { channel: 'web', email: `shopper${i}@example.com` } })).body;
      expect((await call('POST', `/v1/carts/${cart.id}/lines`, { token: pk, body: { sku: 'LAMP', quantity: 1 }, headers: { 'winkel-cart-secret': cart.secret } })).status).toBe(200);
      carts.push({ id: cart.id, secret: cart.secret });
    }
    const checkout = (c: { id: string; secret: string }) =>
      call('POST', `/v1/carts/${c.id}/checkout`, { token: pk, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' }, shippingAddress: { name: 'A', line1: 'Keizersgracht 1', postalCode: '1015 CJ', city: 'Amsterdam', country: 'NL' } }, headers: { 'winkel-cart-secret': c.secret, 'idempotency-key': `kill-${c.id}` } });

    // All at once; the server dies when a fifth of them have been answered.
    const answered = new Map<string, { status: number; orderId?: string }>();
    let killed = false;
    await Promise.all(
      carts.map(async (c) => {
        try {
          const r = await checkout(c);
          if (!killed) answered.set(c.id, { status: r.status, orderId: r.body?.id });
          if (!killed && answered.size >= CARTS / 5) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // The connection went with the server: this shopper does not know what happened.
        }
      }),
    );
    await new Promise<void>((r) => (first.child.exitCode !== null || first.child.signalCode ? r() : first.child.once('exit', () => r())));
    expect(killed).toBe(true);
    const placed = [...answered.entries()].filter(([, a]) => a.status === 201);
    expect(placed.length).toBeGreaterThan(0);
    // Some checkouts were under way when the server died (else this test shows nothing).
    const inFlight = await rows<{ n: number }>(`select count(*)::int as n from carts where status = 'checking_out'`);
    const runsOpen = await rows<{ n: number }>(`select count(*)::int as n from flow_runs where status in ('running', 'compensating')`);
    expect(inFlight[0].n + runsOpen[0].n).toBeGreaterThan(0);

    const second = await serve();
    child = second.child;
    const restarted = Date.now();
    // Within a lease and a recovery round (with room for a slow machine): nothing left claimed or held.
    await eventually(async () => (await rows<{ n: number }>(`select count(*)::int as n from carts where status = 'checking_out'`))[0].n === 0 && (await rows<{ n: number }>(`select count(*)::int as n from flow_runs where status in ('running', 'compensating')`))[0].n === 0, LEASE_MS + RECOVERY_MS + 15_000, 100);


    // eslint-disable-next-line no-console -- what the test found, for whoever reads its output
    console.log(`killed after ${answered.size} answers (${placed.length} orders placed); ${inFlight[0].n} carts claimed and ${runsOpen[0].n} runs open at the kill; clean ${Date.now() - restarted} ms after the restart (lease ${LEASE_MS} ms, recovery every ${RECOVERY_MS} ms)`);
    // Every order answered 201 is there, with its authorisation.
    for (const [cartId, a] of placed) {
      const [o] = await rows<{ id: string; cart_id: string }>(`select id, cart_id from orders where id = $1`, [a.orderId]);
      expect(o?.cart_id).toBe(cartId);
      expect(await rows(`select id from payments where order_id = $1 and kind = 'authorisation' and status = 'succeeded'`, [a.orderId])).toHaveLength(1);
    }
    // A cart without an order holds nothing: open, no reservation, no authorisation that was not voided.
    const withoutOrder = await rows<{ id: string; status: string }>(`select c.id, c.status from carts c where not exists (select 1 from orders o where o.cart_id = c.id)`);
    for (const c of withoutOrder) {
      const unvoided = await rows(`select a.id from payments a where a.cart_id = $1 and a.kind = 'authorisation' and a.status = 'succeeded' and not exists (select 1 from payments v where v.parent_id = a.id and v.kind = 'void')`, [c.id]);
      const active = await rows(`select id from reservations where reference = $1 and status = 'active'`, [c.id]);
      if (c.status !== 'open' || unvoided.length || active.length) {
        // What went wrong, for whoever reads the failure.
        // eslint-disable-next-line no-console -- what the test found, for whoever reads its output
        console.log(JSON.stringify({ cart: c, runs: await rows(`select id, status, steps, attempts, last_error, lease_owner, created_at, updated_at, ended_at from flow_runs where key = $1`, [c.id]), payments: await rows(`select id, kind, status, amount, parent_id, created_at, order_id from payments where cart_id = $1`, [c.id]), reservations: await rows(`select id, status, updated_at from reservations where reference = $1`, [c.id]) }, null, 1));
      }
      expect(c.status).toBe('open');
      expect(await rows(`select id from reservations where reference = $1 and status = 'active'`, [c.id])).toEqual([]);
      expect(await rows(`select a.id from payments a where a.cart_id = $1 and a.kind = 'authorisation' and a.status = 'succeeded' and not exists (select 1 from payments v where v.parent_id = a.id and v.kind = 'void')`, [c.id])).toEqual([]);
    }
    // Reserved stock is exactly what the orders' active reservations hold.
    const [{ reserved }] = await rows<{ reserved: number }>(`select coalesce(sum(reserved), 0)::int as reserved from stock_levels`);
    const [{ held }] = await rows<{ held: number }>(`select coalesce(sum(r.quantity), 0)::int as held from reservations r where r.status = 'active'`);
    expect(reserved).toBe(held);
    const [{ ordered }] = await rows<{ ordered: number }>(`select count(*)::int as ordered from orders`);
    if (held !== ordered) {
      // What went wrong, for whoever reads the failure.
      const odd = await rows(`select o.id, o.cart_id, o.created_at, (select json_agg(json_build_object('id', r.id, 'status', r.status, 'updated', r.updated_at)) from reservations r where r.reference = o.cart_id) as reservations,
        (select json_agg(json_build_object('id', f.id, 'status', f.status, 'steps', f.steps, 'attempts', f.attempts, 'err', f.last_error, 'created', f.created_at, 'ended', f.ended_at)) from flow_runs f where f.key = o.cart_id) as runs
        from orders o where not exists (select 1 from reservations r where r.reference = o.cart_id and r.status = 'active')`);
      // eslint-disable-next-line no-console -- what the test found, for whoever reads its output
      console.log(JSON.stringify(odd, null, 1));
    }
    expect(held).toBe(ordered);

    // `winkel inventory verify`: every stock level equals its ledger.
    const verify = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const v = spawn(process.execPath, [BIN, 'inventory', 'verify'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', WINKEL_FROM_SOURCE: '1' } as NodeJS.ProcessEnv });
      let out = '';
      v.stdout.on('data', (d) => (out += d));
      v.stderr.on('data', (d) => (out += d));
      v.on('exit', (code) => resolve({ code, out }));
    });
    expect(verify.code, verify.out).toBe(0);

    // Every shopper tries again with the same key: one order per cart, each paid once.
    // A shopper whose request died with the server finds its Idempotency-Key still held (409
    // idempotency_in_progress, until the key's lock of 60 s runs out), and one whose run stalled
    // past its lease under load is told 503: both are told to try again shortly, and do.
    const busy = (r: { status: number; body: { code?: string } | null }) => r.status === 503 || (r.status === 409 && r.body?.code === 'idempotency_in_progress');
    const again = await Promise.all(
      carts.map(async (c) => {
        let r = await checkout(c);
        for (let i = 0; i < 60 && busy(r); i++) {
          await new Promise((w) => setTimeout(w, 2000));
          r = await checkout(c);
        }
        return r;
      }),
    );
    // eslint-disable-next-line no-console -- the server's last words when a retry failed
    if (again.some((r) => r.status !== 200 && r.status !== 201)) console.log(second.out().slice(-4000));
    for (const [i, r] of again.entries()) {
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
      const before = answered.get(carts[i].id);
      if (before?.status === 201) expect(r.body.id).toBe(before.orderId);
    }
    expect((await rows<{ n: number }>(`select count(*)::int as n from orders`))[0].n).toBe(CARTS);
    expect((await rows<{ n: number }>(`select count(distinct cart_id)::int as n from orders`))[0].n).toBe(CARTS);
    expect((await rows<{ n: number }>(`select count(*)::int as n from payments where kind = 'authorisation' and status = 'succeeded' and order_id is not null`))[0].n).toBe(CARTS);
    const [{ n: reservedNow }] = await rows<{ n: number }>(`select coalesce(sum(reserved), 0)::int as n from stock_levels`);
    expect(reservedNow).toBe(CARTS);
    second.child.kill('SIGTERM');
    await new Promise<void>((r) => (second.child.exitCode !== null ? r() : second.child.once('exit', () => r())));
    child = undefined;
  });
});
