// A planner's first delivery, in a real browser against a real server: a product, a warehouse and a
// supplier exist (made over the API); the planner drafts a purchase order for 24 pieces, sends it,
// sees nothing on hand yet, receives the goods and sees 24 on hand with a receipt in the ledger.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let page: Page;
let token: string;

/** Set WINKEL_E2E_SCREENSHOTS=1 to keep screenshots of each step in /tmp. */
async function snap(name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-${name}.png`, fullPage: true });
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return apiCall<T>(server.url, method, path, body, token);
}

beforeAll(async () => {
  server = await startWinkelServer();
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  token = ((await signIn.json()) as { token: string }).token;
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('inventory in the browser', () => {
  it('a purchase order for 24 pieces is sent, received, and shows up as stock with a receipt', async () => {
    const product = await call<{ id: string; variants: { id: string; sku: string }[] }>('POST', '/v1/products', {
      title: { en: 'Enamel mug blue', nl: 'Emaille mok blauw' },
      status: 'active',
      variants: [{ sku: 'MUG-BLUE-E2E' }],
    });
    const variantId = product.variants[0]!.id;
    await call('POST', '/v1/locations', { code: 'WH-E2E', name: 'Central warehouse', type: 'warehouse' });
    await call('POST', '/v1/suppliers', { code: 'SUP-E2E', name: 'Mugs & Co', leadTimeDays: 5 });

    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();

    // Draft the purchase order.
    await page.getByRole('link', { name: 'Purchase orders' }).click();
    await page.getByRole('heading', { level: 1, name: 'Purchase orders' }).waitFor();
    await page.getByRole('button', { name: 'New purchase order' }).click();
    const dialog = page.getByRole('dialog', { name: 'New purchase order' });
    await dialog.getByRole('combobox', { name: 'Supplier' }).click();
    await page.getByRole('option', { name: /Mugs & Co/ }).click();
    await dialog.getByRole('combobox', { name: 'Deliver to' }).click();
    await page.getByRole('option', { name: /Central warehouse/ }).click();
    await dialog.getByRole('textbox', { name: 'SKU, line 1' }).fill('MUG-BLUE-E2E');
    await dialog.getByRole('textbox', { name: 'Quantity, line 1' }).fill('24');
    await dialog.getByRole('button', { name: 'Create draft' }).click();

    await page.getByRole('heading', { level: 1, name: 'Purchase order for Mugs & Co' }).waitFor();
    const status = page.getByTestId('po-status');
    expect(await status.innerText()).toMatch(/draft/i);
    const lines = page.getByRole('table', { name: 'Lines' });
    await lines.getByRole('link', { name: 'MUG-BLUE-E2E' }).waitFor();
    expect(await lines.getByRole('row').nth(1).innerText()).toContain('24');
    await page.getByRole('button', { name: 'Send to supplier' }).click();
    await expect.poll(() => status.innerText()).toMatch(/sent/i);
    const orderUrl = page.url();
    await snap('po-sent');

    // Nothing on hand yet: the 24 are incoming.
    await lines.getByRole('link', { name: 'MUG-BLUE-E2E' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stock of MUG-BLUE-E2E' }).waitFor();
    await expect.poll(() => page.getByTestId('total-on-hand').innerText()).toBe('0');
    const levels = page.getByRole('table', { name: 'Levels per location' });
    const warehouseRow = levels.getByRole('row').filter({ hasText: 'Central warehouse' });
    await warehouseRow.waitFor();
    // Location, on hand, reserved, safety, incoming, ATP, low-stock threshold (the default), status, settings.
    expect((await warehouseRow.getByRole('cell').allInnerTexts()).map((s) => s.trim().replace(/\s+/g, ' ').toLowerCase())).toEqual(['central warehouse', '0', '0', '0', '24', '0', '3 default', 'out of stock', 'settings']);

    // Receive everything outstanding.
    await page.goto(orderUrl);
    await page.getByRole('button', { name: 'Receive all outstanding' }).click();
    await expect.poll(() => page.getByTestId('po-status').innerText()).toMatch(/^received$/i);

    // 24 on hand, and the receipt is in the ledger.
    await page.getByRole('table', { name: 'Lines' }).getByRole('link', { name: 'MUG-BLUE-E2E' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stock of MUG-BLUE-E2E' }).waitFor();
    await expect.poll(() => page.getByTestId('total-on-hand').innerText()).toBe('24');
    const ledger = page.getByRole('table', { name: 'Ledger' });
    const receipt = ledger.getByRole('row').filter({ hasText: /receipt/i });
    await receipt.waitFor();
    expect(await receipt.innerText()).toContain('+24');
    await snap('sku-stock');

    // And the location's stock overview agrees.
    await page.getByRole('link', { name: 'Stock', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Stock' }).waitFor();
    const row = page.getByRole('table', { name: 'Stock levels at this location' }).getByRole('row').filter({ hasText: 'MUG-BLUE-E2E' });
    await row.waitFor();
    expect((await row.getByRole('cell').allInnerTexts()).map((s) => s.trim().toLowerCase()).slice(1)).toEqual(['24', '0', '0', '0', '24', 'in stock']);
    expect(variantId).toMatch(/^var_/);
    await snap('stock-overview');
  });

  it('the products page finds a product made over the API, with its web price', async () => {
    const product = await call<{ id: string }>('POST', '/v1/products', {
      title: { en: 'Linen tea towel striped', nl: 'Linnen theedoek gestreept' },
      status: 'active',
      variants: [{ sku: 'TOWEL-E2E' }],
    });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'E2E prices', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'TOWEL-E2E', amount: 1295 }] });

    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('tea towel');
    const table = page.getByRole('table', { name: 'Products' });
    const row = table.getByRole('row').filter({ hasText: 'TOWEL-E2E' });
    await row.waitFor();
    expect(await row.innerText()).toContain('Linen tea towel striped');
    expect(await row.innerText()).toContain('€12.95');
    await snap('products');

    await row.getByRole('link', { name: 'Linen tea towel striped' }).click();
    await page.getByRole('heading', { level: 1, name: 'Linen tea towel striped' }).waitFor();
    expect(page.url()).toContain(product.id);
  });
});
