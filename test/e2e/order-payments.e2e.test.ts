// Where an order's money stands, on the back office's order page: a till sale paid in cash shows
// everything captured and nothing left to capture; a web order whose pending card payment the
// gateway then failed shows the amount not covered and a warning that the payment needs attention.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCardGateway } from '../../src/modules/payments/providers.js';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

const GATEWAY_SECRET = 'e2e-test-gateway-secret-for-payments';
let server: RunningWinkel;
let browser: Browser;
let page: Page;
let token: string;

async function call<T>(method: string, path: string, body?: unknown, as = token): Promise<T> {
  return apiCall<T>(server.url, method, path, body, as);
}

beforeAll(async () => {
  server = await startWinkelServer({ TEST_GATEWAY_SECRET: GATEWAY_SECRET });
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

type Order = { id: string; status: string; capturedTotal: number; outstandingTotal: number; amountDue: number; paymentAttention: { reason: string } | null };

describe('the money on the order page', () => {
  it('shows what was captured and what is still to capture, and warns when a payment needs attention', async () => {
    const store = await call<{ id: string }>('POST', '/v1/locations', { code: 'AMS', name: 'Winkel Amsterdam', type: 'store', pickup: true });
    await call('POST', '/v1/products', { title: { en: 'Brass lamp' }, status: 'active', variants: [{ sku: 'LAMP-E2E' }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Standard', status: 'active', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'LAMP-E2E', amount: 2500 }] });
    await call('POST', '/v1/stock/movements', { sku: 'LAMP-E2E', locationId: store.id, type: 'receipt', quantity: 10 });

    // Sold at the till, paid in cash, carried out: complete and captured at once.
    const till = await call<{ id: string }>('POST', '/v1/carts', { channel: 'pos', storeId: store.id });
    await call('POST', `/v1/carts/${till.id}/lines`, { sku: 'LAMP-E2E', quantity: 1 });
    const sale = await call<Order>('POST', `/v1/carts/${till.id}/checkout`, { acceptCurrentPrice: true, tenders: [{ method: 'cash', tendered: 3000 }] });
    expect(sale).toMatchObject({ status: 'completed', capturedTotal: 2500, outstandingTotal: 0 });

    // Reserved online for pickup with a card the issuer confirms later, and then refuses.
    const web = await call<{ id: string }>('POST', '/v1/carts', { channel: 'web', email: 'noor@example.com' });
    await call('POST', `/v1/carts/${web.id}/lines`, { sku: 'LAMP-E2E', quantity: 1, fulfilment: 'pickup', pickupLocationId: store.id });
    const reserved = await call<Order>('POST', `/v1/carts/${web.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4000 0000 0000 3220' } });
    const ledger = await call<{ payments: Array<{ providerReference: string }> }>('GET', `/v1/orders/${reserved.id}/payments`);
    const hook = new TestCardGateway(GATEWAY_SECRET).signWebhook({ reference: ledger.payments[0].providerReference, status: 'failed', failureCode: 'card_declined' });
    const res = await fetch(`${server.url}/v1/payments/webhooks/test_card`, { method: 'POST', headers: { 'content-type': 'application/json', 'winkel-gateway-signature': hook.signature }, body: hook.body });
    expect(res.status).toBe(200);
    expect(await call<Order>('GET', `/v1/orders/${reserved.id}`)).toMatchObject({ amountDue: 2500, paymentAttention: { reason: 'authorisation_failed' } });

    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));

    await page.goto(`${server.url}/backoffice/orders/${sale.id}`);
    await page.getByRole('heading', { level: 1, name: `Order ${sale.id}` }).waitFor();
    const money = page.getByRole('group', { name: 'Where the money stands' });
    await expect.poll(() => money.innerText()).toMatch(/Captured\s+€25\.00\s+Still to capture\s+€0\.00\s+Not covered\s+€0\.00\s+Refunded\s+€0\.00/);
    expect(await page.getByRole('alert').filter({ hasText: 'Payment needs attention' }).count()).toBe(0);

    await page.goto(`${server.url}/backoffice/orders/${reserved.id}`);
    await page.getByRole('heading', { level: 1, name: `Order ${reserved.id}` }).waitFor();
    const warning = page.getByRole('alert').filter({ hasText: 'Payment needs attention' });
    await warning.waitFor();
    expect(await warning.innerText()).toContain('The card payment failed after the order was placed: €25.00 is not covered.');
    await expect.poll(() => page.getByRole('group', { name: 'Where the money stands' }).innerText()).toMatch(/Captured\s+€0\.00\s+Still to capture\s+€25\.00\s+Not covered\s+€25\.00/);
  });
});
