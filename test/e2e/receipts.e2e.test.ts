// Receipts in a real browser against a real server: a signed-in shopper's order page shows the
// receipt with its VAT per rate (21 % and 9 %) and downloads the PDF; the account lists a PDF
// button per order; staff open the receipt from the back-office order detail and download it too.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let staff: string;
let shopper: string;
let orderId: string;
let receipt: { total: number; vat: { rows: Array<{ rate: number; net: number; vat: number; gross: number }> } };

async function call<T>(method: string, path: string, body?: unknown, token = staff): Promise<T> {
  return apiCall<T>(server.url, method, path, body, token);
}

/** Set WINKEL_E2E_SCREENSHOTS=1 to keep screenshots of each step in /tmp. */
async function snap(page: Page, name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-receipts-${name}.png`, fullPage: true });
}

const eur = (cents: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(cents / 100);

async function expectPdfDownload(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  expect(download.suggestedFilename()).toBe(`receipt-${orderId}.pdf`);
  const file = await download.path();
  expect(readFileSync(file!).subarray(0, 5).toString()).toBe('%PDF-');
}

beforeAll(async () => {
  server = await startWinkelServer({ SHOP_NAME: 'Winkel Amsterdam', SHOP_VAT_NUMBER: 'NL123456789B01' });
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }) });
  staff = ((await signIn.json()) as { token: string }).token;
  browser = await launchBrowser();

  await call('POST', '/v1/products', { status: 'active', title: { en: 'Linen tea towel', nl: 'Linnen theedoek' }, variants: [{ sku: 'TOWEL' }] });
  await call('POST', '/v1/products', { status: 'active', title: { en: 'Cook book', nl: 'Kookboek' }, taxClass: 'reduced', variants: [{ sku: 'BOOK' }] });
  const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Web', status: 'active', currency: 'EUR' });
  await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'TOWEL', amount: 600 }, { sku: 'BOOK', amount: 2450 }] });
  const dc = await call<{ id: string }>('POST', '/v1/locations', { code: 'DC', name: 'DC Utrecht', type: 'warehouse' });
  for (const sku of ['TOWEL', 'BOOK']) await call('POST', '/v1/stock/movements', { sku, locationId: dc.id, type: 'receipt', quantity: 10 });
  await call('POST', '/v1/promotions', { name: 'Book week 20% off', status: 'active', stacking: 'combinable', target: { skus: ['BOOK'] }, rule: { kind: 'percent_off_items', percent: 20 } });

  shopper = (await call<{ token: string }>('POST', '/v1/customer-auth/sign-up', { email: 'noor@example.com', password: 'noor-password-1', name: 'Noor', locale: 'en' })).token;
  const cart = await call<{ id: string }>('POST', '/v1/carts', { channel: 'web', email: 'noor@example.com' }, shopper);
  await call('POST', `/v1/carts/${cart.id}/lines`, { sku: 'TOWEL', quantity: 3 }, shopper);
  await call('POST', `/v1/carts/${cart.id}/lines`, { sku: 'BOOK', quantity: 1 }, shopper);
  orderId = (await call<{ id: string }>('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } }, shopper)).id;
  receipt = await call('GET', `/v1/orders/${orderId}/receipt?locale=en`, undefined, shopper);
  expect(receipt.vat.rows.map((r) => r.rate)).toEqual([2100, 900]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('receipts on screen', () => {
  it('the shopper sees the receipt with VAT per rate on the order page and downloads the PDF, also from the account', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    await context.addInitScript(([token]) => {
      localStorage.setItem('winkel.shop.customerToken', token);
      localStorage.setItem('winkel.language', 'en');
    }, [shopper]);
    const page = await context.newPage();
    page.setDefaultTimeout(45_000);
    const crashes: string[] = [];
    page.on('pageerror', (err) => crashes.push(err.message));
    await page.goto(`${server.url}/storefront/orders/${orderId}`);
    await page.getByRole('heading', { level: 2, name: 'Receipt' }).waitFor();
    // The order page has the totals' own VAT table too: this is the receipt's.
    const vat = page.getByTestId('receipt').getByRole('table', { name: 'VAT breakdown' });
    for (const [i, row] of receipt.vat.rows.entries()) {
      await expect.poll(async () => (await vat.getByRole('row').nth(i + 1).innerText()).replace(/\s+/g, ' ').trim()).toBe(`${row.rate / 100}% ${eur(row.net)} ${eur(row.vat)} ${eur(row.gross)}`);
    }
    await page.getByTestId('receipt').getByText('Discount: Book week 20% off').waitFor();
    await page.getByTestId('receipt').getByText('VAT number: NL123456789B01').waitFor();
    await snap(page, '1-order-page');
    await expectPdfDownload(page, () => page.getByRole('button', { name: 'Download PDF receipt' }).click());

    await page.goto(`${server.url}/storefront/account`);
    const orders = page.getByRole('table', { name: 'My orders' });
    await orders.getByRole('link', { name: orderId }).waitFor();
    await expectPdfDownload(page, () => orders.getByRole('button', { name: 'Download PDF receipt' }).click());
    expect(crashes).toEqual([]);
    await context.close();
  });

  it('staff open the receipt from the back-office order detail', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    await context.addInitScript(() => localStorage.setItem('winkel.language', 'en'));
    const page = await context.newPage();
    page.setDefaultTimeout(45_000);
    await page.goto(`${server.url}/backoffice/orders/${orderId}`);
    await page.waitForURL(/\/sign-in/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: `Order ${orderId}` }).waitFor();
    await page.getByRole('button', { name: 'Receipt', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Receipt' });
    const vat = dialog.getByRole('table', { name: 'VAT breakdown' });
    await vat.getByRole('cell', { name: eur(receipt.vat.rows[1].vat), exact: true }).waitFor();
    await dialog.getByText('Winkel Amsterdam').waitFor();
    await dialog.getByText('Test card •••• 4242').waitFor();
    await snap(page, '2-backoffice-receipt');
    await expectPdfDownload(page, () => dialog.getByRole('button', { name: 'Download PDF receipt' }).click());
    await context.close();
  });
});
