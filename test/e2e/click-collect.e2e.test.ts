// Click & collect end to end, against a real server with its mail catcher and in a real browser: a
// guest buys a mug for pickup at a store (over the API with the publishable key, as the web shop
// does); the store's manager opens the fulfilment queue, marks it ready, and hands it over with the
// pickup code from the e-mail (a wrong code first, which is refused); the order is then completed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let page: Page;
let adminToken: string;

/** Set WINKEL_E2E_SCREENSHOTS=1 to keep screenshots of each step in /tmp. */
async function snap(name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-${name}.png`, fullPage: true });
}

async function call<T>(method: string, path: string, body?: unknown, token = adminToken): Promise<T> {
  return apiCall<T>(server.url, method, path, body, token);
}

beforeAll(async () => {
  server = await startWinkelServer();
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  adminToken = ((await signIn.json()) as { token: string }).token;
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('click & collect in the browser', () => {
  it('a guest’s pickup order is marked ready and handed over with the code from the e-mail', async () => {
    // The shop: a store that does click & collect, a mug in stock there, a price.
    const store = await call<{ id: string }>('POST', '/v1/locations', { code: 'UTRECHT-E2E', name: 'Winkel Utrecht', type: 'store', pickup: true, latitude: 52.09, longitude: 5.12 });
    await call('POST', '/v1/products', { title: { en: 'Enamel mug green', nl: 'Emaille mok groen' }, status: 'active', variants: [{ sku: 'MUG-GREEN-E2E' }] });
    const priceList = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Base' });
    await call('POST', `/v1/price-lists/${priceList.id}/prices`, { prices: [{ sku: 'MUG-GREEN-E2E', amount: 1295 }] });
    await call('POST', '/v1/stock/movements', { sku: 'MUG-GREEN-E2E', locationId: store.id, type: 'receipt', quantity: 5 });
    await call('POST', '/v1/staff-users', { email: 'manager.utrecht@winkel.example', name: 'Mila Manager', role: 'store_manager', password: 'manager-pass-123', storeIds: [store.id] });

    // The guest, through the storefront's API with the publishable key.
    const pk = (await call<{ token: string }>('POST', '/v1/api-keys', { kind: 'publishable', name: 'web shop' })).token;
    const cart = await call<{ id: string }>('POST', '/v1/carts', { channel: 'web', email: 'guest.e2e@example.com' }, pk);
    await call('POST', `/v1/carts/${cart.id}/lines`, { sku: 'MUG-GREEN-E2E', quantity: 2, fulfilment: 'pickup', pickupLocationId: store.id }, pk);
    const order = await call<{ id: string; status: string; total: number }>('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242 4242 4242 4242' } }, pk);
    expect(order.status).toBe('placed');

    // The store manager signs in and opens the queue.
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill('manager.utrecht@winkel.example');
    await page.getByRole('textbox', { name: 'Password' }).fill('manager-pass-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
    await page.goto(`${server.url}/backoffice`);
    await page.getByRole('link', { name: 'Fulfilment queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fulfilment queue' }).waitFor();
    const row = page.getByRole('table', { name: 'Fulfilments' }).getByRole('row').filter({ hasText: order.id });
    await row.waitFor();
    expect(await row.innerText()).toContain('2 × MUG-GREEN-E2E');
    expect(await row.getByTestId('fulfilment-status').innerText()).toMatch(/open/i);
    await snap('cc-queue');

    // Mark it ready: the customer is e-mailed the pickup code.
    await row.getByRole('button', { name: `Mark ready: order ${order.id}` }).click();
    await expect.poll(() => row.getByTestId('fulfilment-status').innerText()).toMatch(/ready for pickup/i);
    let mail: { subject: string; text: string } | undefined;
    await expect
      .poll(async () => {
        mail = (await call<{ data: Array<{ subject: string; text: string }> }>('GET', '/v1/devtools/emails?to=guest.e2e@example.com')).data.find((m) => /ready for pickup|ligt klaar/.test(m.subject));
        return !!mail;
      }, { timeout: 20_000 })
      .toBe(true);
    const code = /(?:Pickup code|Ophaalcode): (\d{6})/.exec(mail!.text)![1];

    // A wrong code is refused and changes nothing.
    await row.getByRole('button', { name: `Hand over: order ${order.id}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Hand over' });
    await dialog.getByRole('textbox', { name: 'Pickup code' }).fill(code === '123456' ? '654321' : '123456');
    await dialog.getByRole('button', { name: 'Confirm hand-over' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').innerText()).toContain('does not match');
    const [stillReady] = (await call<{ data: Array<{ status: string }> }>('GET', `/v1/orders/${order.id}/fulfilments`)).data;
    expect(stillReady.status).toBe('ready');
    await snap('cc-wrong-code');

    // The right code hands it over.
    await dialog.getByRole('textbox', { name: 'Pickup code' }).fill(code);
    await dialog.getByRole('button', { name: 'Confirm hand-over' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The default filter shows work to do: the collected parcel leaves the queue.
    await row.waitFor({ state: 'detached' });
    await snap('cc-handed-over');

    // The order after: the line fulfilled, the order completed, the stock sold (not just reserved).
    const after = await call<{ status: string; lines: Array<{ status: string }> }>('GET', `/v1/orders/${order.id}`);
    expect(after.status).toBe('completed');
    expect(after.lines.map((l) => l.status)).toEqual(['fulfilled']);
    const [fulfilment] = (await call<{ data: Array<{ status: string; completedAt: string | null }> }>('GET', `/v1/orders/${order.id}/fulfilments`)).data;
    expect(fulfilment.status).toBe('collected');
    expect(fulfilment.completedAt).not.toBeNull();
    const levels = await call<{ data: Array<{ locationId: string; onHand: number; reserved: number }> }>('GET', '/v1/stock?sku=MUG-GREEN-E2E');
    expect(levels.data.find((l) => l.locationId === store.id)).toMatchObject({ onHand: 3, reserved: 0 });
  });

  it('an order reserved in store is paid at the counter when it is handed over', async () => {
    // Same shop as above (the manager is signed in). The guest reserves and pays at pickup.
    const store = (await call<{ data: Array<{ id: string; code: string }> }>('GET', '/v1/locations')).data.find((l) => l.code === 'UTRECHT-E2E')!;
    const pk = (await call<{ token: string }>('POST', '/v1/api-keys', { kind: 'publishable', name: 'web shop 2' })).token;
    const cart = await call<{ id: string }>('POST', '/v1/carts', { channel: 'web', email: 'pay.later@example.com' }, pk);
    await call('POST', `/v1/carts/${cart.id}/lines`, { sku: 'MUG-GREEN-E2E', quantity: 1, fulfilment: 'pickup', pickupLocationId: store.id }, pk);
    const order = await call<{ id: string; total: number }>('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'pay_at_pickup' } }, pk);
    const [f] = (await call<{ data: Array<{ id: string }> }>('GET', `/v1/orders/${order.id}/fulfilments`)).data;
    await call('POST', `/v1/fulfilments/${f.id}/ready`, {});
    let mail: { subject: string; text: string } | undefined;
    await expect
      .poll(async () => {
        mail = (await call<{ data: Array<{ subject: string; text: string }> }>('GET', '/v1/devtools/emails?to=pay.later@example.com')).data.find((m) => /ready for pickup|ligt klaar/.test(m.subject));
        return !!mail;
      }, { timeout: 20_000 })
      .toBe(true);
    const code = /(?:Pickup code|Ophaalcode): (\d{6})/.exec(mail!.text)![1];

    await page.goto(`${server.url}/backoffice/fulfilment`);
    const row = page.getByRole('table', { name: 'Fulfilments' }).getByRole('row').filter({ hasText: order.id });
    await row.waitFor();
    await row.getByRole('button', { name: `Hand over: order ${order.id}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Hand over' });
    await dialog.getByRole('textbox', { name: 'Pickup code' }).fill(code);
    await dialog.getByRole('button', { name: 'Confirm hand-over' }).click();
    // Nothing paid yet: the dialog asks for the money first, and nothing is handed over.
    await dialog.getByRole('status').waitFor();
    expect(await dialog.getByRole('status').innerText()).toContain('12.95');
    await snap('cc-pay-at-pickup');
    await dialog.getByRole('textbox', { name: 'Cash received (optional, for change)' }).fill('20');
    await dialog.getByRole('button', { name: 'Take payment and hand over' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });
    const after = await call<{ status: string; capturedTotal: number }>('GET', `/v1/orders/${order.id}`);
    expect(after).toMatchObject({ status: 'completed', capturedTotal: order.total });
  });
});
