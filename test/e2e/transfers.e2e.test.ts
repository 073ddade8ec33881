// Moving and counting stock in a real browser against a real server. A warehouse and a store exist
// with stock at the warehouse (made over the API). A planner requests a transfer of two SKUs to the
// store, ships it, and the store receives it one piece short on one line with a reason: the
// difference shows on the transfer and on hand has moved at both ends. Then the store counts a
// zone, sees the variance, approves it, and on hand is corrected with a count-correction row in
// the ledger. On the way the planner gives one SKU its own low-stock threshold.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let page: Page;
let token: string;
const loc: Record<string, string> = {};

async function snap(name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-${name}.png`, fullPage: true });
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return apiCall<T>(server.url, method, path, body, token);
}

type Level = { locationId: string; onHand: number; incoming: number };
const levelAt = async (sku: string, locationId: string) => (await call<{ data: Level[] }>('GET', `/v1/stock?sku=${sku}`)).data.find((l) => l.locationId === locationId);

/** The cells of a table row, whitespace folded and lower-cased. */
const cells = async (row: ReturnType<Page['getByRole']>) => (await row.getByRole('cell').allInnerTexts()).map((s) => s.trim().replace(/\s+/g, ' ').toLowerCase());

beforeAll(async () => {
  server = await startWinkelServer();
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  token = ((await signIn.json()) as { token: string }).token;
  for (const sku of ['SOCK-E2E', 'CAP-E2E']) await call('POST', '/v1/products', { title: { en: `Item ${sku}` }, status: 'active', variants: [{ sku }] });
  loc.dc = (await call<{ id: string }>('POST', '/v1/locations', { code: 'DC-TRF', name: 'Central DC', type: 'warehouse' })).id;
  loc.store = (await call<{ id: string }>('POST', '/v1/locations', { code: 'GENT-TRF', name: 'Gent store', type: 'store', pickup: true })).id;
  for (const sku of ['SOCK-E2E', 'CAP-E2E']) await call('POST', '/v1/stock/movements', { sku, locationId: loc.dc, type: 'receipt', quantity: 10 });

  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/sign-in$/);
  await page.getByLabel('E-mail').fill(server.adminEmail);
  await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('transfers and cycle counts in the browser', () => {
  it('a transfer from the warehouse to a store is requested, shipped and received one short, with the difference shown and stock moved at both ends', async () => {
    await page.getByRole('link', { name: 'Transfers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Transfers' }).waitFor();
    await page.getByRole('button', { name: 'New transfer' }).click();
    const dialog = page.getByRole('dialog', { name: 'New transfer' });
    await dialog.getByRole('combobox', { name: 'Ship from' }).click();
    await page.getByRole('option', { name: /Central DC/ }).click();
    await dialog.getByRole('combobox', { name: 'Deliver to' }).click();
    await page.getByRole('option', { name: /Gent store/ }).click();
    await dialog.getByRole('textbox', { name: 'SKU, line 1' }).fill('SOCK-E2E');
    await dialog.getByRole('textbox', { name: 'Quantity, line 1' }).fill('6');
    await dialog.getByRole('button', { name: 'Add line' }).click();
    await dialog.getByRole('textbox', { name: 'SKU, line 2' }).fill('CAP-E2E');
    await dialog.getByRole('textbox', { name: 'Quantity, line 2' }).fill('4');
    await dialog.getByRole('button', { name: 'Request transfer' }).click();

    await page.getByRole('heading', { level: 1, name: 'Transfer Central DC → Gent store' }).waitFor();
    const status = page.getByTestId('transfer-status');
    expect(await status.innerText()).toMatch(/requested/i);
    // The store now expects the goods.
    expect(await levelAt('CAP-E2E', loc.store)).toMatchObject({ onHand: 0, incoming: 4 });

    await page.getByRole('button', { name: 'Ship all' }).click();
    await expect.poll(() => status.innerText()).toMatch(/shipped/i);
    expect(await levelAt('CAP-E2E', loc.dc)).toMatchObject({ onHand: 6 });

    // One cap is missing from the box.
    await page.getByRole('button', { name: 'Receive with differences' }).click();
    await page.getByRole('textbox', { name: 'Received of CAP-E2E' }).fill('3');
    await page.getByRole('button', { name: 'Receive these quantities' }).click();
    // Without a reason nothing is sent; the field says what is missing.
    await page.getByText('Say why the quantity differs').waitFor();
    expect(await status.innerText()).toMatch(/shipped/i);
    await page.getByRole('textbox', { name: 'Reason for the difference of CAP-E2E' }).fill('one missing from the box');
    await page.getByRole('button', { name: 'Receive these quantities' }).click();
    await expect.poll(() => status.innerText()).toMatch(/^received$/i);

    const differences = page.getByTestId('transfer-differences');
    expect(await differences.innerText()).toBe('One line arrived with a difference: -1 in all.');
    const lines = page.getByRole('table', { name: 'Lines' });
    // SKU, requested, shipped, received, difference, reason.
    expect((await cells(lines.getByRole('row').filter({ hasText: 'CAP-E2E' }))).slice(1)).toEqual(['4', '4', '3', '-1', 'one missing from the box']);
    expect((await cells(lines.getByRole('row').filter({ hasText: 'SOCK-E2E' }))).slice(1)).toEqual(['6', '6', '6', '0', '—']);
    await snap('transfer-received');

    // On hand moved at both ends: 10 − 4 at the warehouse, 3 at the store.
    await lines.getByRole('link', { name: 'CAP-E2E' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stock of CAP-E2E' }).waitFor();
    const levels = page.getByRole('table', { name: 'Levels per location' });
    await expect.poll(async () => (await cells(levels.getByRole('row').filter({ hasText: 'Central DC' })))[1]).toBe('6');
    expect((await cells(levels.getByRole('row').filter({ hasText: 'Gent store' })))[1]).toBe('3');
    await expect.poll(() => page.getByTestId('total-on-hand').innerText()).toBe('9');
    const ledger = page.getByRole('table', { name: 'Ledger' });
    expect(await ledger.getByRole('row').filter({ hasText: /transfer in/i }).innerText()).toContain('+3');
    expect(await ledger.getByRole('row').filter({ hasText: /transfer out/i }).innerText()).toContain('-4');

    // The list finds it by destination, not as shipped from the store.
    await page.getByRole('link', { name: 'Transfers' }).click();
    await page.getByRole('combobox', { name: 'Location' }).click();
    await page.getByRole('option', { name: /Gent store/ }).click();
    const list = page.getByRole('table', { name: 'Transfers' });
    await list.getByRole('row').filter({ hasText: 'Central DC' }).waitFor();
    expect(await list.getByRole('row').filter({ hasText: 'Central DC' }).innerText()).toMatch(/received/i);
    await page.getByRole('combobox', { name: 'Direction' }).click();
    await page.getByRole('option', { name: 'Shipped from here' }).click();
    await list.getByText('No transfers match.').waitFor();
  });

  it('a zone of the store is counted, the variance shown and approved, and on hand corrected with a count-correction row', async () => {
    await page.getByRole('link', { name: 'Cycle counts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cycle counts' }).waitFor();
    await page.getByRole('button', { name: 'New count sheet' }).click();
    const dialog = page.getByRole('dialog', { name: 'New count sheet' });
    await dialog.getByRole('combobox', { name: 'Store or warehouse' }).click();
    await page.getByRole('option', { name: /Gent store/ }).click();
    await dialog.getByRole('textbox', { name: 'Zone' }).fill('front window');
    await dialog.getByRole('textbox', { name: 'SKUs to count' }).fill('SOCK-E2E\nCAP-E2E');
    await dialog.getByRole('button', { name: 'Make count sheet' }).click();

    await page.getByRole('heading', { level: 1, name: 'Count of front window at Gent store' }).waitFor();
    const status = page.getByTestId('count-status');
    expect(await status.innerText()).toMatch(/open/i);
    const sheetId = page.url().split('/').pop()!;
    const lines = page.getByRole('table', { name: 'Count' });
    // Expected what the store holds now: 6 socks, 3 caps.
    await page.getByRole('textbox', { name: 'Counted of SOCK-E2E' }).fill('5');
    await page.getByRole('textbox', { name: 'Counted of CAP-E2E' }).fill('3');
    const sockRow = lines.getByRole('row').filter({ hasText: 'SOCK-E2E' });
    expect((await cells(sockRow))[1]).toBe('6');
    expect((await cells(sockRow))[3]).toBe('-1');
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect.poll(() => status.innerText()).toMatch(/submitted/i);
    // The variance report: one line off, one unit short.
    await expect.poll(() => page.getByTestId('variance-net').innerText()).toBe('-1');
    expect(await page.getByTestId('variance-report').innerText()).toMatch(/Lines with a variance\s*1/i);
    // Nothing changes before approval.
    expect(await levelAt('SOCK-E2E', loc.store)).toMatchObject({ onHand: 6 });
    await snap('count-submitted');

    await page.getByRole('button', { name: 'Approve and correct stock' }).click();
    await expect.poll(() => status.innerText()).toMatch(/approved/i);

    await lines.getByRole('link', { name: 'SOCK-E2E' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stock of SOCK-E2E' }).waitFor();
    const levels = page.getByRole('table', { name: 'Levels per location' });
    await expect.poll(async () => (await cells(levels.getByRole('row').filter({ hasText: 'Gent store' })))[1]).toBe('5');
    const correction = page.getByRole('table', { name: 'Ledger' }).getByRole('row').filter({ hasText: /count correction/i });
    await correction.waitFor();
    expect(await correction.innerText()).toContain('-1');
    expect(await correction.innerText()).toContain(sheetId);

    // The store wants to hear earlier about socks: its own low-stock threshold of 8 makes 5 low.
    const storeRow = levels.getByRole('row').filter({ hasText: 'Gent store' });
    expect(await cells(storeRow)).toContain('in stock');
    await page.getByRole('button', { name: 'Settings of Gent store' }).click();
    const settings = page.getByRole('dialog', { name: 'Stock settings at Gent store' });
    await settings.getByRole('textbox', { name: 'Low-stock threshold' }).fill('8');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await expect.poll(async () => (await cells(storeRow)).slice(6, 8)).toEqual(['8 own', 'low']);
    const level = await call<{ lowStockThreshold: number; status: string }>('GET', `/v1/stock/levels/${encodeURIComponent(page.url().split('/').pop()!)}/${loc.store}`);
    expect(level).toMatchObject({ lowStockThreshold: 8, status: 'low' });
    await snap('sku-threshold');
  });
});
