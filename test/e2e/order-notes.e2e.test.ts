// Order notes in the back office: an order placed over the API with the customer's note; an admin
// opens it, sees the customer's note, adds an internal note and one shown to the customer, and sees
// both listed newest first with their visibility (and the API agrees: the customer sees only theirs,
// also on their order page in the shop).
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

type Note = { id: string; body: string; visibility: string; author: { id: string | null; label: string | null } };

describe('order notes in the back office', () => {
  it('adds an internal note and a note for the customer on the order page, and lists them', async () => {
    // A signed-in customer's web order with a note for the courier.
    const dc = await call<{ id: string }>('POST', '/v1/locations', { code: 'DC', name: 'Distribution centre', type: 'warehouse' });
    await call('POST', '/v1/products', { title: { en: 'Enamel teapot' }, status: 'active', variants: [{ sku: 'TEAPOT-E2E' }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Standard', status: 'active', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'TEAPOT-E2E', amount: 2495 }] });
    await call('POST', '/v1/stock/movements', { sku: 'TEAPOT-E2E', locationId: dc.id, type: 'receipt', quantity: 10 });
    const customer = await call<{ token: string }>('POST', '/v1/customer-auth/sign-up', { email: 'femke@example.com', password: 'femke-secret-1', name: 'Femke' }, '');
    const cart = await call<{ id: string }>('POST', '/v1/carts', { channel: 'web' }, customer.token);
    await call('POST', `/v1/carts/${cart.id}/lines`, { sku: 'TEAPOT-E2E', quantity: 1 }, customer.token);
    const order = await call<{ id: string; note: string }>('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242 4242 4242 4242' }, note: 'Please ring the neighbour’s bell.' }, customer.token);
    expect(order.note).toBe('Please ring the neighbour’s bell.');

    // The admin opens the order.
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
    await page.goto(`${server.url}/backoffice/orders/${order.id}`);
    await page.getByRole('heading', { level: 1, name: `Order ${order.id}` }).waitFor();
    const notes = page.getByRole('region', { name: 'Notes' });
    await notes.getByText('Please ring the neighbour’s bell.').waitFor();
    await notes.getByText('No notes yet.').waitFor();

    // An internal note.
    await notes.getByRole('textbox', { name: 'New note' }).fill('Customer phoned: leave it with the neighbour at nr. 14.');
    await notes.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    const listed = notes.getByRole('list', { name: 'Notes on this order' }).getByRole('listitem');
    await expect.poll(() => listed.count()).toBe(1);
    await listed.nth(0).getByText('Customer phoned: leave it with the neighbour at nr. 14.').waitFor();
    await listed.nth(0).getByText('Internal').waitFor();
    await listed.nth(0).getByText(server.adminEmail, { exact: false }).waitFor();
    // The form is empty again.
    await expect.poll(() => notes.getByRole('textbox', { name: 'New note' }).inputValue()).toBe('');

    // A note for the customer: newest first.
    await notes.getByRole('textbox', { name: 'New note' }).fill('Your teapot ships on Monday.');
    const toCustomer = notes.getByRole('switch', { name: 'Show to the customer' });
    await toCustomer.check({ force: true });
    await expect.poll(() => toCustomer.isChecked()).toBe(true);
    await notes.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => listed.count()).toBe(2);
    await listed.nth(0).getByText('Your teapot ships on Monday.').waitFor();
    await listed.nth(0).getByText('Shown to the customer').waitFor();
    await listed.nth(1).getByText('Customer phoned: leave it with the neighbour at nr. 14.').waitFor();
    // The order's timeline has the notes as events.
    await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).getByText('order.note_added').count()).toBe(2);
    await snap('order-notes');

    // The API agrees; the customer sees only the note meant for them.
    const staffView = await call<{ data: Note[] }>('GET', `/v1/orders/${order.id}/notes`);
    expect(staffView.data.map((n) => [n.body, n.visibility])).toEqual([
      ['Your teapot ships on Monday.', 'customer'],
      ['Customer phoned: leave it with the neighbour at nr. 14.', 'internal'],
    ]);
    expect(staffView.data[0].author.label).toBe(server.adminEmail);
    const customerView = await call<{ data: Note[] }>('GET', `/v1/orders/${order.id}/notes`, undefined, customer.token);
    expect(customerView.data.map((n) => n.body)).toEqual(['Your teapot ships on Monday.']);

    // The customer, on their order page in the shop: their own note and the shop's note for them,
    // not the internal one.
    const shopContext = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } });
    await shopContext.addInitScript(([t]) => {
      localStorage.setItem('winkel.shop.customerToken', t);
      localStorage.setItem('winkel.language', 'en');
    }, [customer.token]);
    const shopPage = await shopContext.newPage();
    shopPage.setDefaultTimeout(45_000);
    await shopPage.goto(`${server.url}/storefront/orders/${order.id}`);
    const shown = shopPage.getByRole('region', { name: 'Notes' });
    await shown.getByText('Your teapot ships on Monday.').waitFor();
    await shown.getByText('Please ring the neighbour’s bell.').waitFor();
    expect(await shown.getByText('Customer phoned', { exact: false }).count()).toBe(0);
    await shopContext.close();
  });
});
