// A customer returns part of an online order in a store and gets the right refund. The order is
// made over the API (web shop, test card, a 3-for-2 on socks) and delivered; a store associate,
// scoped to the Amsterdam store, finds it in the back office by the customer's e-mail, takes one
// pair back and sees the refund the 3-for-2 leaves (not a third of the deal), confirms, and the
// order's payment ledger and the store's stock show it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let page: Page;
let token: string;

async function snap(name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-${name}.png`, fullPage: true });
}

async function call<T>(method: string, path: string, body?: unknown, as = token): Promise<T> {
  return apiCall<T>(server.url, method, path, body, as);
}

beforeAll(async () => {
  server = await startWinkelServer();
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }) });
  token = ((await signIn.json()) as { token: string }).token;
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1100 } });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

type Order = { id: string; total: number; lines: Array<{ id: string; sku: string; status: string }>; capturedTotal: number; refundedTotal: number };
type Level = { locationId: string; onHand: number };

describe('returns in the browser', () => {
  it('a customer returns part of an online order in a store and gets the right refund', async () => {
    // The shop: three pairs of socks, a 3-for-2 on socks, a DC and the Amsterdam store.
    const dc = await call<{ id: string }>('POST', '/v1/locations', { code: 'DC', name: 'Distribution centre', type: 'warehouse' });
    const ams = await call<{ id: string }>('POST', '/v1/locations', { code: 'AMS', name: 'Amsterdam', type: 'store', pickup: true });
    const socks = await call<{ id: string }>('POST', '/v1/categories', { name: { en: 'Socks', nl: 'Sokken' } });
    const skus: Array<[string, number]> = [
      ['SOCK-RED', 1000],
      ['SOCK-BLUE', 800],
      ['SOCK-GREY', 600],
    ];
    for (const [sku] of skus) await call('POST', '/v1/products', { title: { en: `Socks ${sku.slice(5).toLowerCase()}` }, status: 'active', categoryId: socks.id, variants: [{ sku }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Standard', status: 'active', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: skus.map(([sku, amount]) => ({ sku, amount })) });
    for (const [sku] of skus) await call('POST', '/v1/stock/movements', { sku, locationId: dc.id, type: 'receipt', quantity: 20 });
    await call('POST', '/v1/promotions', { name: 'Socks 3 for 2', status: 'active', stacking: 'combinable', target: { categoryIds: [socks.id] }, rule: { kind: 'multi_buy', quantity: 3, payFor: 2 } });
    await call('POST', '/v1/staff-users', { email: 'associate@winkel.example', name: 'Sam', role: 'store_associate', password: 'associate-pass-1', storeIds: [ams.id] });

    // The online order: 10 + 8 + 6 with the grey pair free = 18, plus 4.95 shipping.
    const pk = (await call<{ token: string }>('POST', '/v1/api-keys', { kind: 'publishable', name: 'web shop' })).token;
    const cart = await call<{ id: string }>('POST', '/v1/carts', { channel: 'web', email: 'noor@example.com' }, pk);
    for (const [sku] of skus) await call('POST', `/v1/carts/${cart.id}/lines`, { sku, quantity: 1 }, pk);
    const placed = await call<Order>('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242 4242 4242 4242' } }, pk);
    expect(placed.total).toBe(2295);
    const { data: fulfilments } = await call<{ data: Array<{ id: string }> }>('GET', `/v1/orders/${placed.id}/fulfilments`);
    for (const f of fulfilments) {
      await call('POST', `/v1/fulfilments/${f.id}/pick`, {});
      await call('POST', `/v1/fulfilments/${f.id}/pack`, {});
      await call('POST', `/v1/fulfilments/${f.id}/ship`, { carrier: 'manual', trackingNumber: 'TRACK-E2E-1' });
      await call('POST', `/v1/fulfilments/${f.id}/deliver`, {});
    }
    expect((await call<Order>('GET', `/v1/orders/${placed.id}`)).lines.every((l) => l.status === 'fulfilled')).toBe(true);
    const redAtAms = async () => (await call<{ data: Level[] }>('GET', '/v1/stock?sku=SOCK-RED')).data.find((l) => l.locationId === ams.id)?.onHand ?? 0;
    expect(await redAtAms()).toBe(0);

    // The associate at the Amsterdam store.
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill('associate@winkel.example');
    await page.getByRole('textbox', { name: 'Password' }).fill('associate-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Returns', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Returns' }).waitFor();
    await page.getByText('No returns yet.').waitFor();
    await page.getByRole('link', { name: 'Return at a store' }).click();
    await page.getByRole('heading', { level: 1, name: 'Return at this store' }).waitFor();

    await page.getByRole('textbox', { name: 'or the customer’s e-mail' }).fill('noor@example.com');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('table', { name: 'Order lines' }).waitFor();
    // Scoped to one store, the associate's store is chosen already.
    await expect.poll(() => page.getByRole('combobox', { name: 'Receiving store' }).inputValue()).toBe('AMS · Amsterdam');
    await page.getByText('Choose at least one item to return.').waitFor();
    await snap('returns-1-order');

    await page.getByRole('textbox', { name: 'Quantity to return of SOCK-RED' }).fill('1');
    await page.getByRole('combobox', { name: 'Reason for SOCK-RED' }).click();
    await page.getByRole('option', { name: 'Wrong size' }).click();
    // Kept: blue and grey, 14 without the deal; 18 was paid, so 4 comes back (not 6, a third of 18).
    const refundTotal = page.getByTestId('refund-total');
    await expect.poll(() => refundTotal.textContent()).toBe('€4.00');
    await page.getByText('What the customer keeps is worth €14.00 with the order’s promotions (paid €18.00 for all).').waitFor();
    const split = page.getByRole('table', { name: 'Refund per tender' });
    await expect.poll(() => split.getByRole('row').nth(1).innerText()).toMatch(/Card \(online\) •••• 4242\s+€4\.00/);
    await snap('returns-2-refund');

    await page.getByRole('button', { name: 'Confirm return and refund €4.00' }).click();
    await page.getByText(/Return ret_\w+ is done: €4\.00 refunded\./).waitFor();
    await snap('returns-3-done');

    // The payment ledger: captured in full at the return, then €4.00 back on the card.
    const ledger = await call<{ summary: { captured: number; refunded: number; net: number }; payments: Array<{ kind: string; provider: string; amount: number; reference: string | null }> }>('GET', `/v1/orders/${placed.id}/payments`);
    expect(ledger.summary).toMatchObject({ captured: 2295, refunded: 400, net: 1895 });
    expect(ledger.payments.filter((p) => p.kind === 'refund').map((p) => [p.provider, p.amount])).toEqual([['test_card', 400]]);
    const order = await call<Order>('GET', `/v1/orders/${placed.id}`);
    expect([order.capturedTotal, order.refundedTotal]).toEqual([2295, 400]);
    // The pair went back on sale where it came back: the Amsterdam store, not the DC.
    expect(await redAtAms()).toBe(1);

    // And the returns list shows it.
    await page.getByRole('link', { name: 'All returns' }).click();
    const row = page.getByRole('table', { name: 'Returns' }).getByRole('row').nth(1);
    await expect.poll(() => row.innerText()).toMatch(/1 × SOCK-RED[\s\S]*€4\.00[\s\S]*Refunded/i);
  });
});
