// One customer across online and offline, in a real browser against a real server: an anonymous
// browser session sends page and track events with a publishable key (as the SDK does), the
// shopper signs up and the session is identified with the account, then buys in a store at the
// till with the same e-mail on the receipt. The back office's 360° view shows one person with all
// three: the anonymous browsing, the account and the in-store purchase.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let shopper: Page;
let staff: Page;
let token: string;
const EMAIL = 'noor.jansen@example.com';

async function call<T>(method: string, path: string, body?: unknown, as = token): Promise<T> {
  return apiCall<T>(server.url, method, path, body, as);
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  server = await startWinkelServer();
  const signIn = await fetch(`${server.url}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }) });
  token = ((await signIn.json()) as { token: string }).token;
  browser = await launchBrowser();
  shopper = await (await browser.newContext({ locale: 'en-US' })).newPage();
  staff = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 1000 } })).newPage();
  staff.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the 360° customer view', () => {
  it('shows one person for an anonymous session, a sign-in and an in-store purchase with the same e-mail', async () => {
    const pk = (await call<{ token: string }>('POST', '/v1/api-keys', { kind: 'publishable', name: 'webshop' })).token;
    const store = await call<{ id: string }>('POST', '/v1/locations', { code: 'UTR', name: 'Utrecht', type: 'store' });
    await call('POST', '/v1/products', { title: { en: 'Woven basket' }, status: 'active', variants: [{ sku: 'BASKET' }] });
    const list = await call<{ id: string }>('POST', '/v1/price-lists', { name: 'Standard' });
    await call('POST', `/v1/price-lists/${list.id}/prices`, { prices: [{ sku: 'BASKET', amount: 2495 }] });
    await call('POST', '/v1/stock/movements', { sku: 'BASKET', locationId: store.id, type: 'receipt', quantity: 5 });

    // 1. Browsing anonymously: the page keeps an anonymous id and sends events with the publishable key.
    await shopper.goto(`${server.url}/storefront`);
    const anonymousId = await shopper.evaluate(async ({ key }) => {
      const id = localStorage.getItem('wk_anon') ?? crypto.randomUUID();
      localStorage.setItem('wk_anon', id);
      const send = (batch: unknown[]) =>
        fetch('/v1/collect/batch', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) }).then((r) => r.json());
      await send([
        { type: 'page', anonymousId: id, name: 'Home', messageId: crypto.randomUUID(), context: { page: { path: '/storefront' } } },
        { type: 'track', anonymousId: id, event: 'Product Viewed', messageId: crypto.randomUUID(), properties: { sku: 'BASKET', category: 'Baskets' } },
      ]);
      return id;
    }, { key: pk });

    // 2. Signing up and in: the session is identified with the account (what the SDK's identify does).
    const account = await call<{ customer: { id: string } }>('POST', '/v1/customer-auth/sign-up', { email: EMAIL, password: 'noor-secret-1', name: 'Noor Jansen' }, '');
    const customerId = account.customer.id;
    const identified = await shopper.evaluate(
      async ({ key, userId, email }) =>
        fetch('/v1/collect/identify', {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ anonymousId: localStorage.getItem('wk_anon'), userId, traits: { email, firstName: 'Noor', lastName: 'Jansen' }, messageId: crypto.randomUUID() }),
        }).then((r) => r.status),
      { key: pk, userId: customerId, email: EMAIL },
    );
    expect(identified).toBe(200);

    // 3. Buying in the store: the associate rings it up with the e-mail for the receipt.
    const cart = await call<{ id: string }>('POST', '/v1/carts', { channel: 'pos', storeId: store.id, email: 'Noor.Jansen@example.com' });
    await call('POST', `/v1/carts/${cart.id}/lines`, { sku: 'BASKET', quantity: 1 });
    const order = await call<{ id: string }>('POST', `/v1/carts/${cart.id}/checkout`, { acceptCurrentPrice: true, email: 'Noor.Jansen@example.com', payment: { method: 'test_card', cardNumber: '4242424242424242' } });

    const profile = await until(async () => {
      const p = await call<{ id: string; eventCount: number }>('GET', `/v1/profiles/lookup?anonymousId=${anonymousId}`);
      const byOrder = await call<{ data: Array<{ type: string }> }>('GET', `/v1/profiles/${p.id}/timeline?type=order.placed`);
      return byOrder.data.length === 1 ? p : null;
    });
    expect((await call<{ id: string }>('GET', `/v1/profiles/lookup?customerId=${customerId}`)).id).toBe(profile.id);

    // The staff member finds the person by e-mail and sees all three.
    await staff.goto(`${server.url}/`);
    await staff.waitForURL(/\/sign-in$/);
    await staff.getByLabel('E-mail').fill(server.adminEmail);
    await staff.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('heading', { level: 1 }).waitFor();
    await staff.getByRole('link', { name: 'Customers' }).click();
    await staff.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    await staff.getByRole('textbox', { name: 'Identifier' }).fill(EMAIL.toUpperCase());
    await staff.getByRole('button', { name: 'Find' }).click();
    const rows = staff.getByRole('table', { name: 'Profiles' }).getByRole('row');
    await staff.getByRole('link', { name: `Open profile ${profile.id}` }).waitFor();
    expect(await rows.count()).toBe(2); // the header and one person
    await staff.getByRole('link', { name: `Open profile ${profile.id}` }).click();
    await staff.getByRole('heading', { level: 1, name: 'Noor Jansen' }).waitFor();

    const identities = staff.getByRole('table', { name: 'Identifiers of this person' });
    await identities.getByText(anonymousId).waitFor();
    await identities.getByText(customerId).waitFor();
    await identities.getByText(EMAIL).waitFor();

    const timeline = staff.getByRole('table', { name: 'Everything this person did, newest first' });
    await timeline.getByText('page: Home').waitFor();
    await timeline.getByText('track: Product Viewed').waitFor();
    await timeline.getByText('customer.signed_up').waitFor();
    await timeline.getByText('order.placed').waitFor();
    await staff.getByRole('table', { name: 'Orders and returns of this person' }).getByRole('link', { name: order.id }).waitFor();

    // The in-store filter shows only the purchase at the till, and what followed it at the counter.
    await staff.getByText('In store', { exact: true }).click();
    await until(async () => (await timeline.getByText('page: Home').count()) === 0);
    await timeline.getByText('order.placed').waitFor();
    await timeline.getByText('order.handed_over').waitFor();
    expect(await timeline.getByText('customer.signed_up').count()).toBe(0);
    expect(await timeline.getByText('track: Product Viewed').count()).toBe(0);
    if (process.env.WINKEL_E2E_SCREENSHOTS) await staff.screenshot({ path: '/tmp/winkel-e2e-customer360.png', fullPage: true });
  });
});
