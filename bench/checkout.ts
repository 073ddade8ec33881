// Checkout: shoppers each create a cart, add 3 lines, apply a code and check out with the test card,
// over HTTP against a Winkel server process; reference: the bare Fastify route in the same run.
import type { BenchContext, Benchmark } from './lib/bench.js';
import { measure } from './lib/load.js';
import { startReference } from './lib/reference.js';
import type { Section } from './lib/results.js';
import { percentile } from './lib/stats.js';
import { api, startWinkel } from './lib/winkel.js';

const COMMAND = 'npm run bench -- checkout';

async function checkoutBench({ db }: BenchContext): Promise<Section> {
  const SHOPPERS = 32;
  const ORDERS = Number(process.env.BENCH_ORDERS ?? 1200);
  const winkel = await startWinkel(await db.freshDatabase('checkout'));
  const ref = await startReference();
  try {
    const admin = (await api<{ token: string }>(winkel.url, null, 'POST', '/v1/auth/sign-in', { email: 'admin@winkel.example', password: winkel.password })).token;
    const pk = (await api<{ token: string }>(winkel.url, admin, 'POST', '/v1/api-keys', { kind: 'publishable', name: 'bench shop' })).token;
    const dc = (await api<{ id: string }>(winkel.url, admin, 'POST', '/v1/locations', { code: 'DC', name: 'DC', type: 'warehouse' })).id;
    const pl = (await api<{ id: string }>(winkel.url, admin, 'POST', '/v1/price-lists', { name: 'Base' })).id;
    const skus = Array.from({ length: 30 }, (_, i) => `BENCH-${i}`);
    for (const sku of skus) {
      await api(winkel.url, admin, 'POST', '/v1/products', { status: 'active', title: { en: `Bench item ${sku}` }, variants: [{ sku }] });
      await api(winkel.url, admin, 'POST', '/v1/stock/movements', { sku, locationId: dc, type: 'receipt', quantity: 100_000 });
    }
    await api(winkel.url, admin, 'POST', `/v1/price-lists/${pl}/prices`, { prices: skus.map((sku, i) => ({ sku, amount: 199 + i * 10 })) });
    const promo = await api<{ id: string }>(winkel.url, admin, 'POST', '/v1/promotions', { name: 'BENCH10', status: 'active', stacking: 'combinable', requiresCoupon: true, rule: { kind: 'percent_off_order', percent: 10 } });
    await api(winkel.url, admin, 'POST', `/v1/promotions/${promo.id}/coupons`, { code: 'BENCH10', maxUses: null });

    const latencies: number[] = [];
    // Per request kind, to show where a checkout's time goes.
    const steps: Record<'cart' | 'line' | 'coupon' | 'checkout', number[]> = { cart: [], line: [], coupon: [], checkout: [] };
    const timed = async <T>(step: keyof typeof steps, run: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await run();
      } finally {
        steps[step].push(performance.now() - t);
      }
    };
    let errors = 0;
    let next = 0;
    const oneCheckout = async (i: number) => {
      const t0 = performance.now();
      try {
        // A guest's cart: its secret goes with every later call, as a browser sends it.
        const cart = await timed('cart', () => api<{ id: string; secret: string }>(winkel.url, pk, 'POST', '/v1/carts', { channel: 'web', email: `shopper${i}@example.com` }));
        const own = { 'winkel-cart-secret': cart.secret };
        for (let k = 0; k < 3; k++) await timed('line', () => api(winkel.url, pk, 'POST', `/v1/carts/${cart.id}/lines`, { sku: skus[(i * 7 + k * 11) % skus.length], quantity: 1 + (k % 2) }, own));
        const shown = await timed('coupon', () => api<{ quote: { total: number } }>(winkel.url, pk, 'POST', `/v1/carts/${cart.id}/coupons`, { codes: ['BENCH10'] }, own));
        const res = await timed('checkout', async () => {
          const r = await fetch(`${winkel.url}/v1/carts/${cart.id}/checkout`, {
            method: 'POST',
            headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json', 'idempotency-key': `bench-${i}`, ...own },
            body: JSON.stringify({ expectedTotal: shown.quote.total, payment: { method: 'test_card', cardNumber: '4242424242424242' } }),
          });
          await r.text();
          return r;
        });
        if (res.status !== 201) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SHOPPERS }, async () => {
        while (next < ORDERS) await oneCheckout(next++);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    for (const list of Object.values(steps)) list.sort((a, b) => a - b);
    const stepNote = `Per request (p50 / p99): ${Object.entries(steps)
      .map(([k, v]) => `${k === 'cart' ? 'create cart' : k === 'line' ? 'add a line' : k === 'coupon' ? 'apply the code' : 'check out'} ${Math.round(percentile(v, 50))} / ${Math.round(percentile(v, 99))} ms`)
      .join(', ')}.`;
    console.log(stepNote);
    const reference = (await measure('reference', `${ref.url}/ping`, { seconds: 5 })).rps;
    const peakRssMb = winkel.rss.stop();
    const rate = Math.round((ORDERS / seconds) * 10) / 10;
    const p99 = Math.round(percentile(latencies, 99));
    const date = new Date().toISOString();
    if (errors) throw new Error(`${errors} of ${ORDERS} checkouts failed`);
    return {
      title: 'Checkout',
      intro: `${SHOPPERS} concurrent shoppers, ${ORDERS.toLocaleString('en-US')} checkouts in all, each over HTTP with a publishable key: create a cart, add 3 lines, apply a coupon code (10 % off the order), check out with the test card (price, source, reserve, authorise, create the order with its promotion use, confirmation e-mail). Every checkout succeeded. Reference: the bare Fastify route's requests per second in the same run (a checkout is 6 requests).`,
      peakRssMb,
      notes: [stepNote, 'Each checkout takes six HTTP requests and some forty SQL statements (pricing, sourcing, reservation, tenders, the order with its fulfilment, receipt e-mail, timeline). During the run PostgreSQL\'s sessions wait on the client (ClientRead) nearly all the time: the server process is the bottleneck, at roughly 35 ms of CPU per checkout; the commerce path has not been tuned yet.'],
      figures: {
        'checkout.orders_per_second': {
          value: rate,
          unit: 'orders/s',
          reference,
          referenceLabel: 'req/s bare route',
          ratio: Math.round((rate / reference) * 10000) / 10000,
          goal: '≥ 400 orders/s, no failure at 32 shoppers',
          met: rate >= 400,
          command: COMMAND,
          date,
          detail: `${errors} failed`,
        },
        'checkout.p99': { value: p99, unit: 'ms', reference: null, ratio: null, goal: 'p99 < 100 ms', met: p99 < 100, command: COMMAND, date, detail: `p50 ${Math.round(percentile(latencies, 50))} ms for the whole 6-request checkout` },
      },
    };
  } finally {
    await ref.stop();
    await winkel.stop();
  }
}

export const checkout: Benchmark = { name: 'checkout', summary: 'orders per second from 32 concurrent shoppers over HTTP', run: checkoutBench };
