// Self-service in the web storefront, in a real browser against a real server: a signed-in customer
// orders two products for home delivery and types the delivery address (a missing one is pointed out
// first); staff see the address on the pick list and pick, pack, ship with a tracking number and
// deliver in the back office's fulfilment queue; the customer then sees the tracking on their order,
// asks to return one of the two lines from that page and gets the return authorisation with what to
// do next; last, they switch a consent off on their account page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let token: string;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return apiCall<T>(server.url, method, path, body, token);
}

/** Set WINKEL_E2E_SCREENSHOTS=1 to keep screenshots of each step in /tmp. */
async function snap(page: Page, name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-self-service-${name}.png`, fullPage: true });
}

async function addToCart(page: Page, query: string, product: string) {
  await page.getByRole('searchbox', { name: 'Search products' }).first().fill(query);
  await page.getByRole('searchbox', { name: 'Search products' }).first().press('Enter');
  await page.getByRole('link', { name: product }).first().click();
  await page.getByRole('radio', { name: 'Deliver to my home' }).check();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText(`${product} is in your cart.`).first().waitFor();
}

beforeAll(async () => {
  server = await startWinkelServer();
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }) });
  token = ((await signIn.json()) as { token: string }).token;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('customer self-service', () => {
  it('delivery address at checkout, tracking, a return from the order page and a consent switched off', async () => {
    await call('POST', '/v1/products', { title: { en: 'Stoneware teapot', nl: 'Stenen theepot' }, status: 'active', variants: [{ sku: 'TEAPOT-SS' }] });
    await call('POST', '/v1/products', { title: { en: 'Cotton apron', nl: 'Katoenen schort' }, status: 'active', variants: [{ sku: 'APRON-SS' }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Web', status: 'active', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'TEAPOT-SS', amount: 3200 }, { sku: 'APRON-SS', amount: 1800 }] });
    const dc = await call<{ id: string }>('POST', '/v1/locations', { code: 'DC', name: 'DC Utrecht', type: 'warehouse', latitude: 52.09, longitude: 5.12 });
    for (const sku of ['TEAPOT-SS', 'APRON-SS']) await call('POST', '/v1/stock/movements', { sku, locationId: dc.id, type: 'receipt', quantity: 10 });

    // The customer signs up and orders both for home delivery.
    const shopper = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await shopper.newPage();
    page.setDefaultTimeout(45_000);
    const crashes: string[] = [];
    page.on('pageerror', (err) => crashes.push(err.message));
    await page.goto(`${server.url}/storefront/account`);
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Noor Jansen');
    await page.getByRole('textbox', { name: 'E-mail' }).fill('noor.jansen@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill('noor-password-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Hello Noor Jansen').waitFor();
    await addToCart(page, 'teapot', 'Stoneware teapot');
    await addToCart(page, 'apron', 'Cotton apron');
    await page.getByRole('link', { name: /^Cart, 2 items/ }).click();
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();

    // The address form is there for a delivery cart; the name comes from the account.
    const address = page.getByRole('region', { name: 'Delivery address' });
    await address.waitFor();
    expect(await address.getByRole('textbox', { name: 'Full name' }).inputValue()).toBe('Noor Jansen');
    await page.getByRole('textbox', { name: 'Card number' }).fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay .* and place order$/ }).click();
    // Nothing is placed without the street, postal code and city.
    await address.getByText('Fill this in for the delivery.').first().waitFor();
    await address.getByRole('textbox', { name: 'Street and house number' }).fill('Oudegracht 12');
    await address.getByRole('textbox', { name: 'Postal code' }).fill('3511 AB');
    await address.getByRole('textbox', { name: 'City' }).fill('Utrecht');
    await address.getByRole('textbox', { name: 'Phone (optional)' }).fill('+31 6 12345678');
    await snap(page, '1-checkout-address');
    await page.getByRole('button', { name: /^Pay .* and place order$/ }).click();
    await page.getByText('Thank you for your order').first().waitFor();
    const orderId = (await page.getByTestId('order-number').textContent())!.trim();
    const placed = await call<{ shippingAddress: Record<string, unknown>; lines: Array<{ id: string; sku: string }> }>('GET', `/v1/orders/${orderId}`);
    expect(placed.shippingAddress).toMatchObject({ name: 'Noor Jansen', line1: 'Oudegracht 12', postalCode: '3511 AB', city: 'Utrecht', country: 'NL', phone: '+31612345678' });

    // Staff work the pick list in the back office: the address is on it and on the ship screen.
    const staff = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 } });
    const desk = await staff.newPage();
    desk.setDefaultTimeout(45_000);
    await desk.goto(`${server.url}/`);
    await desk.waitForURL(/\/sign-in$/);
    await desk.getByLabel('E-mail').fill(server.adminEmail);
    await desk.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
    // A user who picks a page in the menu the moment the back office's code has arrived stays on
    // that page: its start page, shown for that instant, does not then send them on to its first
    // page (products). Made certain here: the code arrives late, and the menu item is clicked as
    // soon as the loader makes way, before the start page could have moved on by itself.
    await desk.route(/\/assets\/backoffice-[^/]+\.js$/, async (route) => {
      await new Promise((r) => setTimeout(r, 1_000));
      await route.continue();
    });
    await desk.addInitScript(() => {
      if (location.pathname !== '/backoffice') return;
      let loading = false;
      const look = () => {
        const main = document.getElementById('main');
        if (!main) return;
        if (main.querySelector('[aria-label="Loading…"]')) loading = true;
        else if (loading) {
          watch.disconnect();
          [...document.querySelectorAll('a')].find((a) => a.textContent?.trim() === 'Fulfilment queue')!.click();
          (window as unknown as { clickedAt: string }).clickedAt = location.pathname;
        }
      };
      const watch = new MutationObserver(look);
      watch.observe(document, { childList: true, subtree: true });
    });
    await desk.goto(`${server.url}/backoffice`);
    // The click went in at the moment the loader went.
    expect(await (await desk.waitForFunction(() => (window as unknown as { clickedAt?: string }).clickedAt)).jsonValue()).toBe('/backoffice/fulfilment');
    await desk.getByRole('table', { name: 'Fulfilments' }).waitFor();
    await desk.unrouteAll();
    expect(new URL(desk.url()).pathname).toBe('/backoffice/fulfilment');
    const row = desk.getByRole('table', { name: 'Fulfilments' }).getByRole('row').filter({ hasText: orderId });
    await row.waitFor();
    expect(await row.getByTestId('ship-to').innerText()).toContain('Noor Jansen, Oudegracht 12, 3511 AB Utrecht, NL');
    await row.getByRole('button', { name: `Mark picked: order ${orderId}` }).click();
    await row.getByRole('button', { name: `Mark packed: order ${orderId}` }).click();
    await row.getByRole('button', { name: `Ship: order ${orderId}` }).click();
    const dialog = desk.getByRole('dialog', { name: 'Ship the parcel' });
    await dialog.getByText('Oudegracht 12').waitFor();
    await dialog.getByRole('textbox', { name: 'Tracking number' }).fill('3SWINKEL4242');
    await snap(desk, '2-ship');
    await dialog.getByRole('button', { name: 'Confirm shipment' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: `Mark delivered: order ${orderId}` }).click();
    await expect.poll(async () => (await call<{ data: Array<{ status: string }> }>('GET', `/v1/orders/${orderId}/fulfilments`)).data[0].status).toBe('delivered');

    // The back office's order detail: the address, the fulfilment's state and "Return at this store".
    await desk.goto(`${server.url}/backoffice/orders/${orderId}`);
    await desk.getByLabel('Delivery address').getByText('Oudegracht 12').waitFor();
    await desk.getByRole('table', { name: 'Fulfilments and returns' }).getByText('Delivered').waitFor();
    expect(await desk.getByRole('link', { name: 'Return at this store' }).getAttribute('href')).toBe(`/backoffice/returns/new?orderId=${orderId}`);
    await staff.close();

    // The customer sees the tracking on the order, and returns the apron.
    await page.goto(`${server.url}/storefront/account`);
    await page.getByRole('table', { name: 'My orders' }).getByRole('link', { name: orderId }).click();
    await page.getByRole('heading', { level: 1, name: `Order ${orderId}` }).waitFor();
    await page.getByText('Track with manual: 3SWINKEL4242').waitFor();
    const returns = page.getByRole('region', { name: 'Return something' });
    await returns.getByRole('textbox', { name: 'How many APRON-SS to return' }).fill('1');
    await returns.getByRole('combobox', { name: 'Reason' }).click();
    await page.getByRole('option', { name: 'Wrong size' }).click();
    await returns.getByTestId('return-refund').getByText('€18.00').waitFor();
    await snap(page, '3-return');
    await returns.getByRole('button', { name: 'Request the return' }).click();
    const rma = returns.getByTestId('rma').first();
    await rma.getByText(/^Return ret_/).waitFor();
    expect(await rma.innerText()).toContain('write ret_');
    expect(await rma.innerText()).toContain('1 × APRON-SS');
    const made = await call<{ data: Array<{ id: string; status: string; method: string; lines: Array<{ orderLineId: string; quantity: number; reason: string }> }> }>('GET', `/v1/returns?orderId=${orderId}`);
    expect(made.data).toHaveLength(1);
    expect(made.data[0]).toMatchObject({ status: 'requested', method: 'mail' });
    expect(made.data[0].lines).toEqual([expect.objectContaining({ orderLineId: placed.lines.find((l) => l.sku === 'APRON-SS')!.id, quantity: 1, reason: 'wrong_size' })]);
    // The apron is held by the request: no more of it can be asked back.
    await returns.getByText('0 can be returned').waitFor();

    // A consent switched off on the account page is recorded for the customer.
    await page.goto(`${server.url}/storefront/account`);
    const toggle = page.getByRole('switch', { name: 'Personal recommendations' });
    await toggle.waitFor();
    const customerId = (await call<{ customerId: string }>('GET', `/v1/orders/${orderId}`)).customerId;
    // Each change is saved (the switch is disabled meanwhile) before it can be used again; a click
    // that lands while the page is still settling is simply made again.
    const setTo = async (want: boolean) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        await expect.poll(() => toggle.isEnabled(), { timeout: 10_000 }).toBe(true);
        if ((await toggle.isChecked()) === want) return;
        await toggle.click({ force: true });
        const changed = await expect
          .poll(() => toggle.isChecked(), { timeout: 3_000 })
          .toBe(want)
          .then(() => true, () => false);
        if (changed) {
          await expect.poll(() => toggle.isEnabled(), { timeout: 10_000 }).toBe(true);
          return;
        }
      }
      throw new Error(`the consent switch did not turn ${want ? 'on' : 'off'}`);
    };
    await setTo(true);
    await setTo(false);
    expect(await toggle.isChecked()).toBe(false);
    await expect
      .poll(async () => (await call<{ current: Array<{ purpose: string; granted: boolean; source: string }> }>('GET', `/v1/consents?customerId=${customerId}`)).current.find((c) => c.purpose === 'personalisation'))
      .toMatchObject({ granted: false, source: 'account' });
    await snap(page, '4-consents');
    expect(crashes).toEqual([]);
    await shopper.close();
  });
});
