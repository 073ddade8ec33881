// A guest shops in the web storefront against a real server, in a real browser, with no staff
// sign-in: a catalog, prices, a coupon promotion and stock in a warehouse and a store are made over
// the API; the guest searches, opens the product, sees the store's stock, adds it to the cart,
// applies the coupon, pays with the success test card for home delivery and gets the order number.
// Then a staff user finds that order in the back office, filtered to the web channel, and opens its
// detail with the lines, the payment and the timeline. Last, a shopper with an account buys for
// pickup and finds the order, and later its pickup code, in their account.
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
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-storefront-${name}.png`, fullPage: true });
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
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the web storefront', () => {
  let orderId = '';

  it('lets a guest search, see store stock, use a coupon and pay for home delivery', async () => {
    const mugs = await call<{ id: string }>('POST', '/v1/categories', { name: { en: 'Mugs', nl: 'Mokken' } });
    await call('POST', '/v1/products', {
      title: { en: 'Enamel camping mug', nl: 'Emaille kampeermok' },
      status: 'active',
      categoryId: mugs.id,
      variants: [
        { sku: 'MUG-BLUE', options: { colour: 'blue' } },
        { sku: 'MUG-RED', options: { colour: 'red' } },
      ],
    });
    await call('POST', '/v1/products', { title: { en: 'Linen tea towel', nl: 'Linnen theedoek' }, status: 'active', variants: [{ sku: 'TOWEL' }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Web', status: 'active', currency: 'EUR' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'MUG-BLUE', amount: 1250 }, { sku: 'MUG-RED', amount: 1250 }, { sku: 'TOWEL', amount: 600 }] });
    const dc = await call<{ id: string }>('POST', '/v1/locations', { code: 'DC', name: 'DC Utrecht', type: 'warehouse', latitude: 52.09, longitude: 5.12 });
    const gent = await call<{ id: string }>('POST', '/v1/locations', { code: 'GENT', name: 'Gent Korenmarkt', type: 'store', latitude: 51.0543, longitude: 3.7196, pickup: true });
    await call('POST', '/v1/stock/movements', { sku: 'MUG-BLUE', locationId: dc.id, type: 'receipt', quantity: 20 });
    await call('POST', '/v1/stock/movements', { sku: 'MUG-BLUE', locationId: gent.id, type: 'receipt', quantity: 3 });
    const promo = await call<{ id: string }>('POST', '/v1/promotions', { name: '€2 off with MUGLOVE', status: 'active', stacking: 'combinable', requiresCoupon: true, rule: { kind: 'amount_off_order', amount: 200 } });
    await call('POST', `/v1/promotions/${promo.id}/coupons`, { code: 'MUGLOVE' });

    // A phone-sized guest: no staff session anywhere in this browser context.
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(45_000);
    const crashes: string[] = [];
    page.on('pageerror', (err) => crashes.push(err.message));
    await page.goto(`${server.url}/storefront`);
    await page.getByRole('heading', { level: 1, name: 'All products' }).waitFor();
    expect(page.url()).not.toContain('/sign-in');
    await page.getByText('CC BY 4.0').waitFor();
    // The browser SDK is loaded with the shop's publishable key.
    await page.waitForFunction(() => typeof (window as unknown as { winkel?: { page?: unknown } }).winkel?.page === 'function');

    await page.getByRole('searchbox', { name: 'Search products' }).last().fill('camping mug');
    await page.getByRole('searchbox', { name: 'Search products' }).last().press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Results for “camping mug”' }).waitFor();
    await page.getByText('1 product', { exact: true }).waitFor();
    await snap(page, '1-search');
    await page.getByRole('link', { name: 'Enamel camping mug' }).click();

    await page.getByRole('heading', { level: 1, name: 'Enamel camping mug' }).waitFor();
    await page.getByText('3 in stock in Gent Korenmarkt').waitFor();
    await page.getByText('Available for home delivery').waitFor();
    await page.getByRole('combobox', { name: 'Variant' }).waitFor();
    await page.getByRole('textbox', { name: 'Quantity' }).fill('2');
    await page.getByRole('radio', { name: 'Deliver to my home' }).check();
    await snap(page, '2-product');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Enamel camping mug is in your cart.').first().waitFor();
    await page.getByRole('link', { name: 'Cart, 2 items' }).click();

    await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    const totals = page.getByRole('group', { name: 'Totals' });
    // 2 × €12.50 + €4.95 shipping.
    await totals.getByText('€29.95').first().waitFor();
    await page.getByRole('textbox', { name: 'Coupon code' }).fill('muglove');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('MUGLOVE', { exact: true }).waitFor();
    await page.getByText('€2 off with MUGLOVE (MUGLOVE)').waitFor();
    await totals.getByText('€27.95').first().waitFor();
    await totals.getByRole('table', { name: 'VAT breakdown' }).getByText('21 %').waitFor();
    await snap(page, '3-cart');
    await page.getByRole('link', { name: 'Check out' }).click();

    await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
    await page.getByText('home delivery').first().waitFor();
    await page.getByText('4242 4242 4242 4242').waitFor();
    await page.getByRole('textbox', { name: 'E-mail for the order confirmation' }).fill('guest@example.com');
    // Home delivery: the delivery address.
    await page.getByRole('textbox', { name: 'Full name' }).fill('Gaston Guest');
    await page.getByRole('textbox', { name: 'Street and house number' }).fill('Veldstraat 1');
    await page.getByRole('textbox', { name: 'Postal code' }).fill('9000');
    await page.getByRole('textbox', { name: 'City' }).fill('Gent');
    await page.getByRole('combobox', { name: 'Country' }).click();
    await page.getByRole('option', { name: 'Belgium' }).click();
    await page.getByRole('textbox', { name: 'Card number' }).fill('4242 4242 4242 4242');
    await snap(page, '4-checkout');
    await page.getByRole('button', { name: 'Pay €27.95 and place order' }).click();

    await page.getByText('Thank you for your order').first().waitFor();
    orderId = (await page.getByTestId('order-number').textContent())!.trim();
    expect(orderId).toMatch(/^ord_/);
    await snap(page, '5-confirmation');
    // The cart is done with: a new visit starts empty.
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByText('Your cart is empty.').waitFor();

    const order = await call<{ channel: string; total: number; email: string; lines: Array<{ sku: string; quantity: number; fulfilment: string }> }>('GET', `/v1/orders/${orderId}`);
    expect(order).toMatchObject({ channel: 'web', total: 2795, email: 'guest@example.com' });
    expect(order.lines).toEqual([expect.objectContaining({ sku: 'MUG-BLUE', quantity: 2, fulfilment: 'delivery' })]);
    expect(crashes).toEqual([]);
    await context.close();
  });

  it('shows the order to staff in the back office, filtered to the web channel, with its timeline', async () => {
    // Another order, from a till, that the channel filter must leave out.
    const gent = (await call<{ data: Array<{ id: string; code: string }> }>('GET', '/v1/locations')).data.find((l) => l.code === 'GENT')!;
    const till = await call<{ id: string }>('POST', '/v1/carts', { channel: 'pos', storeId: gent.id });
    await call('POST', `/v1/carts/${till.id}/lines`, { sku: 'MUG-BLUE', quantity: 1 });
    const tillOrder = await call<{ id: string }>('POST', `/v1/carts/${till.id}/checkout`, { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } });

    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(45_000);
    await page.goto(`${server.url}/backoffice/orders`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
    const table = page.getByRole('table', { name: 'Orders' });
    await table.getByRole('link', { name: `Open order ${tillOrder.id}` }).waitFor();

    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'Web shop' }).click();
    await page.waitForURL(/channel=web/);
    await table.getByRole('link', { name: `Open order ${orderId}` }).waitFor();
    await table.getByRole('link', { name: `Open order ${tillOrder.id}` }).waitFor({ state: 'detached' });
    expect(await table.getByRole('row').count()).toBe(2);
    await snap(page, '6-backoffice-list');

    await table.getByRole('link', { name: `Open order ${orderId}` }).click();
    await page.getByRole('heading', { level: 1, name: `Order ${orderId}` }).waitFor();
    await page.getByRole('table', { name: 'Lines' }).getByText('Enamel camping mug').waitFor();
    await page.getByText('€2 off with MUGLOVE (MUGLOVE)').waitFor();
    await page.getByRole('table', { name: 'Payment ledger' }).getByText('Authorisation').first().waitFor();
    await page.getByText('Guest · guest@example.com').waitFor();
    const timeline = page.getByLabel('What happened to this order');
    await timeline.getByText('order.placed').waitFor();
    await snap(page, '7-backoffice-detail');
    await context.close();
  });

  it('lets a shopper sign up, buy for pickup in a store, find the order in their account and see the pickup code once it is ready', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(45_000);
    await page.goto(`${server.url}/storefront/account`);
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Lies Peeters');
    await page.getByRole('textbox', { name: 'E-mail' }).fill('lies@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill('lies-password-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Hello Lies Peeters').waitFor();
    await page.getByText('No orders yet.').waitFor();

    await page.getByRole('searchbox', { name: 'Search products' }).fill('mug');
    await page.getByRole('searchbox', { name: 'Search products' }).press('Enter');
    await page.getByRole('link', { name: 'Enamel camping mug' }).click();
    await page.getByRole('button', { name: 'Pick up in Gent Korenmarkt' }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Enamel camping mug is in your cart.').first().waitFor();
    await page.getByRole('link', { name: 'Cart, 1 item' }).click();
    // Pickup is free: no shipping.
    await page.getByRole('group', { name: 'Totals' }).getByText('Free').waitFor();
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.getByText('pick up at Gent Korenmarkt').waitFor();
    await page.getByText('Signed in as lies@example.com').waitFor();
    await page.getByRole('textbox', { name: 'Card number' }).fill('4242424242424242');
    await page.getByRole('button', { name: 'Pay €12.50 and place order' }).click();
    await page.getByText('Thank you for your order').first().waitFor();
    const orderId = (await page.getByTestId('order-number').textContent())!.trim();
    await page.getByRole('table', { name: 'Products in the order' }).getByText('Pick up at Gent Korenmarkt').waitFor();

    await page.getByRole('link', { name: 'All my orders' }).click();
    await page.getByRole('table', { name: 'My orders' }).getByRole('link', { name: orderId }).click();
    await page.getByRole('heading', { level: 1, name: `Order ${orderId}` }).waitFor();

    // The store picks it and marks it ready; the shopper's order page then shows the pickup code.
    const fulfilments = await call<{ data: Array<{ id: string; method: string }> }>('GET', `/v1/orders/${orderId}/fulfilments`);
    const pickup = fulfilments.data.find((f) => f.method === 'pickup')!;
    await call('POST', `/v1/fulfilments/${pickup.id}/pick`, {});
    await call('POST', `/v1/fulfilments/${pickup.id}/ready`, {});
    await page.reload();
    await page.getByText('Ready for pickup at Gent Korenmarkt').waitFor();
    expect((await page.getByTestId('pickup-code').textContent())!.trim()).toMatch(/^\d{6}$/);
    await snap(page, '8-pickup-code');
    await context.close();
  });

  it('keeps a guest’s cart to itself, and gives it to the account when the guest signs up', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(45_000);
    await page.goto(`${server.url}/storefront`);
    await page.getByRole('searchbox', { name: 'Search products' }).last().fill('camping mug');
    await page.getByRole('searchbox', { name: 'Search products' }).last().press('Enter');
    await page.getByRole('link', { name: 'Enamel camping mug' }).click();
    await page.getByRole('radio', { name: 'Deliver to my home' }).check();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Enamel camping mug is in your cart.').first().waitFor();
    const stored = () => page.evaluate(() => ({ id: localStorage.getItem('winkel.shop.cartId'), secret: localStorage.getItem('winkel.shop.cartSecret') }));
    const guest = await stored();
    expect(guest.id).toMatch(/^cart_/);
    expect(guest.secret).toMatch(new RegExp(`^${guest.id} wcs_`));

    // The shop's publishable key, which every shopper's browser holds, does not open the cart alone.
    const { publishableKey } = (await (await fetch(`${server.url}/v1/storefront/config`)).json()) as { publishableKey: string };
    const asShop = (headers: Record<string, string> = {}) => fetch(`${server.url}/v1/carts/${guest.id}`, { headers: { authorization: `Bearer ${publishableKey}`, ...headers } });
    expect((await asShop()).status).toBe(404);
    expect((await asShop({ 'winkel-cart-secret': guest.secret!.split(' ')[1] })).status).toBe(200);

    // Signing up claims the cart: the same cart, now the customer's, with the line still in it.
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Ruben Claes');
    await page.getByRole('textbox', { name: 'E-mail' }).fill('ruben@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill('ruben-password-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Hello Ruben Claes').waitFor();
    await page.getByRole('link', { name: 'Cart, 1 item' }).waitFor();
    expect(await stored()).toEqual({ id: guest.id, secret: null });
    const cart = await call<{ customerId: string | null; lines: Array<{ sku: string }> }>('GET', `/v1/carts/${guest.id}`);
    expect(cart.customerId).toMatch(/^cus_/);
    expect(cart.lines.map((l) => l.sku)).toEqual(['MUG-BLUE']);
    // The secret no longer opens it.
    expect((await asShop({ 'winkel-cart-secret': guest.secret!.split(' ')[1] })).status).toBe(404);
    await context.close();
  });
});
