// A merchandiser builds "3 for 2 on mugs" in a real browser against a real server: a category, two
// products and their prices exist (made over the API); the builder's live preview shows the third
// mug free on a sample cart of three, explains what is missing with two, and the saved promotion
// shows up in the list.
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
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('promotions in the browser', () => {
  it('builds "3 for 2 on mugs" with a live preview, and saves it', async () => {
    const mugs = await call<{ id: string }>('POST', '/v1/categories', { name: { en: 'Mugs', nl: 'Mokken' } });
    await call('POST', '/v1/products', { title: { en: 'Enamel mug', nl: 'Emaille mok' }, status: 'active', categoryId: mugs.id, variants: [{ sku: 'MUG-E2E' }] });
    await call('POST', '/v1/products', { title: { en: 'Linen tea towel', nl: 'Linnen theedoek' }, status: 'active', variants: [{ sku: 'TOWEL-E2E' }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Standard', status: 'active', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'MUG-E2E', amount: 800 }, { sku: 'TOWEL-E2E', amount: 500 }] });

    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();

    await page.getByRole('link', { name: 'Promotions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Promotions' }).waitFor();
    await page.getByText('No promotions yet').waitFor();
    await page.getByRole('link', { name: 'New promotion' }).click();
    await page.getByRole('heading', { level: 1, name: 'New promotion' }).waitFor();

    // The definition: 3 for the price of 2 on everything in the Mugs category.
    await page.getByRole('textbox', { name: 'Name' }).fill('3 for 2 on mugs');
    await page.getByRole('combobox', { name: 'Kind of promotion' }).click();
    await page.getByRole('option', { name: /^Multi-buy/ }).click();
    await page.getByRole('textbox', { name: 'Number of items' }).fill('3');
    await page.getByRole('textbox', { name: 'Pay for (items)' }).fill('2');
    await page.getByRole('radio', { name: 'Categories' }).check();
    await page.getByRole('combobox', { name: 'Categories' }).click();
    await page.getByRole('option', { name: 'Mugs' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { level: 1, name: 'New promotion' }).waitFor();
    expect(await page.getByText('3 for the price of 2').first().isVisible()).toBe(true);

    // The sample cart: three mugs (found by name) and a tea towel (typed by SKU).
    const preview = page.getByRole('region', { name: 'Live preview' });
    await preview.getByRole('combobox', { name: 'Add a product' }).fill('Enamel');
    await page.getByRole('option', { name: /Enamel mug · MUG-E2E/ }).click();
    await preview.getByRole('textbox', { name: 'Or type a SKU' }).fill('TOWEL-E2E');
    await preview.getByRole('textbox', { name: 'Or type a SKU' }).press('Enter');
    await preview.getByRole('textbox', { name: 'Quantity of MUG-E2E' }).fill('3');

    // 3 × € 8.00 + € 5.00 = € 29.00, minus one free mug: € 21.00.
    const result = preview.getByTestId('promotion-preview');
    const mugLine = result.getByRole('table', { name: 'Priced lines' }).getByRole('row').filter({ hasText: 'Enamel mug' });
    await mugLine.getByText('3 for 2 on mugs:').waitFor();
    await expect.poll(() => result.getByTestId('preview-total').innerText()).toBe('€21.00');
    expect(await mugLine.innerText()).toContain('€16.00');
    expect(await mugLine.innerText()).toContain('-€8.00');
    expect(await result.getByText('Applied', { exact: true }).count()).toBeGreaterThan(0);
    // The VAT breakdown is there.
    await result.getByRole('table', { name: 'VAT' }).getByText('€21.00').first().waitFor();
    await snap('promotion-preview-applied');

    // Two mugs are not enough: the preview says what is missing.
    await preview.getByRole('textbox', { name: 'Quantity of MUG-E2E' }).fill('2');
    await result.getByText(/Add 1 more item/).waitFor();
    await expect.poll(() => result.getByTestId('preview-total').innerText()).toBe('€21.00');
    expect(await mugLine.innerText()).not.toContain('3 for 2 on mugs:');
    await snap('promotion-preview-not-applied');

    // Save, and find it in the list.
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await page.getByText('Promotion “3 for 2 on mugs” created.').waitFor();
    await page.getByRole('heading', { level: 1, name: '3 for 2 on mugs' }).waitFor();
    await page.getByRole('tab', { name: 'Coupon codes' }).waitFor();
    await page.getByRole('link', { name: 'All promotions' }).click();
    const row = page.getByRole('table', { name: 'Promotions' }).getByRole('row').filter({ hasText: '3 for 2 on mugs' });
    await row.waitFor();
    expect(await row.innerText()).toContain('3 for the price of 2');
    expect(await row.innerText()).toMatch(/draft/i);
    await snap('promotion-list');

    // And the server has exactly what was built.
    const saved = await call<{ data: { name: string; rule: unknown; target: unknown }[] }>('GET', '/v1/promotions');
    expect(saved.data).toHaveLength(1);
    expect(saved.data[0]!.rule).toEqual({ kind: 'multi_buy', quantity: 3, payFor: 2 });
    expect(saved.data[0]!.target).toEqual({ categoryIds: [mugs.id] });
  });

  it('explains in Dutch when the user switches to Dutch, and saving an emptied channel list removes the restriction', async () => {
    await page.getByRole('table', { name: 'Promotions' }).getByRole('link', { name: '3 for 2 on mugs' }).click();
    await page.getByRole('heading', { level: 1, name: '3 for 2 on mugs' }).waitFor();
    const preview = page.getByRole('region', { name: 'Live preview' });
    await preview.getByRole('combobox', { name: 'Add a product' }).fill('Enamel');
    await page.getByRole('option', { name: /Enamel mug · MUG-E2E/ }).click();
    await preview.getByRole('textbox', { name: 'Quantity of MUG-E2E' }).fill('2');
    // (By test id: the region's own name changes with the language.)
    const result = page.getByTestId('promotion-preview');
    await result.getByText('Add 1 more item to get 3 for 2.').waitFor();

    // The server words the reason in the language the user chose.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('nl');
    await result.getByText('Voeg nog 1 artikel toe om 3 voor de prijs van 2 te krijgen.').waitFor();
    expect(await result.getByText('Add 1 more item').count()).toBe(0);
    await snap('promotion-preview-dutch');
    await page.getByRole('combobox', { name: 'Taal' }).selectOption('en');
    await result.getByText('Add 1 more item to get 3 for 2.').waitFor();

    // Limit it to the web shop, then empty the channels again: saved, the limit is gone.
    const id = page.url().split('/').pop()!;
    await page.getByRole('checkbox', { name: 'Web shop' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Promotion “3 for 2 on mugs” saved.').first().waitFor();
    await expect.poll(async () => (await call<{ channels?: string[] }>('GET', `/v1/promotions/${id}`)).channels).toEqual(['web']);
    await page.getByRole('checkbox', { name: 'Web shop' }).uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await call<{ channels?: string[]; version: number }>('GET', `/v1/promotions/${id}`)).version).toBe(3);
    const after = await call<{ channels?: string[]; target: unknown }>('GET', `/v1/promotions/${id}`);
    expect(after.channels).toBeUndefined();
    expect(after.target).toBeDefined();
  });
});
