// An integrator's first hour, in a real browser against a real server: sign in, create an API key
// (its token shown once), add a webhook endpoint, send a test event, and watch it arrive, signed,
// both at the receiver and in the delivery log.
import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startReceiver, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let browser: Browser;
let page: Page;

/** Set WINKEL_E2E_SCREENSHOTS=1 to keep screenshots of each step in /tmp. */
async function snap(name: string) {
  if (process.env.WINKEL_E2E_SCREENSHOTS) await page.screenshot({ path: `/tmp/winkel-e2e-${name}.png`, fullPage: true });
}

beforeAll(async () => {
  receiver = await startReceiver();
  // The receiver runs on 127.0.0.1, which only local development may send webhooks to.
  server = await startWinkelServer({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

describe('developer tools in the browser', () => {
  it('an admin signs in, creates an API key and sees its token exactly once', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The back office opens on its first page (the catalog); people are under Administration.
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users & roles' }).waitFor();
    await page.getByRole('cell', { name: server.adminEmail }).waitFor();

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: 'New API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Order sync');
    await dialog.getByRole('combobox', { name: 'Scopes' }).click();
    await page.getByRole('option', { name: 'webhooks:read' }).click();
    await page.getByRole('option', { name: 'events:read' }).click();
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const created = page.getByRole('dialog', { name: 'API key created' });
    await created.waitFor();
    const token = (await created.getByTestId('secret-value').innerText()).trim();
    expect(token.length).toBeGreaterThan(20);
    await snap('api-key-token');

    // The token works, and only for what its scopes allow.
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.url}/v1/webhook-endpoints`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/staff-users`, { headers: auth })).status).toBe(403);

    await created.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Order sync' });
    await row.waitFor();
    await expect.poll(() => row.innerText()).toContain('webhooks:read');
    // Shown once: after closing, the full token is nowhere on the page.
    expect(await page.getByText(token).count()).toBe(0);
  });

  it('adds a webhook endpoint, sends a test event and shows the signed delivery as succeeded', async () => {
    await page.getByRole('button', { name: /Switch surface/ }).click();
    await page.getByRole('menuitem', { name: 'Developer tools' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
    await dialog.getByRole('textbox', { name: 'URL' }).fill(receiver.url);
    await dialog.getByRole('textbox', { name: 'Description' }).fill('Test receiver');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();

    const created = page.getByRole('dialog', { name: 'Endpoint added' });
    await created.waitFor();
    const secret = (await created.getByTestId('secret-value').innerText()).trim();
    expect(secret.length).toBeGreaterThan(16);
    await created.getByRole('button', { name: 'Done' }).click();

    const endpointRow = page.getByRole('row').filter({ hasText: receiver.url });
    await endpointRow.waitFor();
    expect(await endpointRow.innerText()).toContain('*');
    await endpointRow.getByRole('button', { name: 'Send test event' }).click();

    // The log polls while the delivery is pending, so "Succeeded" appears without a reload.
    const log = page.getByRole('table', { name: 'Delivery log' });
    const delivery = log.getByRole('row').filter({ hasText: 'webhook.ping' });
    await delivery.getByText('Succeeded').waitFor({ timeout: 60_000 });
    expect(await delivery.innerText()).toContain('200');
    await snap('delivery-log');

    // The receiver really got it, signed with the endpoint's secret over the raw body.
    const ping = receiver.received.find((r) => r.body.includes('webhook.ping'));
    expect(ping, 'the receiver got the test event').toBeDefined();
    const header = ping!.headers['winkel-signature'];
    expect(typeof header).toBe('string');
    const parts = Object.fromEntries(String(header).split(',').map((p) => p.split('=', 2) as [string, string]));
    expect(parts.v1).toBe(createHmac('sha256', secret).update(`${parts.t}.${ping!.body}`).digest('hex'));

    // The detail drawer shows the payload and the attempt with the receiver's answer.
    await delivery.getByRole('button', { name: /^Details of webhook\.ping delivery/ }).click();
    const drawer = page.getByRole('dialog', { name: 'Delivery' });
    await drawer.getByText('Payload').waitFor();
    await drawer.getByRole('table', { name: 'Attempts' }).getByText('received').waitFor();
    await snap('delivery-detail');
    await drawer.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('The event is being delivered again.').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => log.getByRole('row').filter({ hasText: 'webhook.ping' }).count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => receiver.received.filter((r) => r.body.includes('webhook.ping')).length, { timeout: 30_000 }).toBe(2);
  });
});
