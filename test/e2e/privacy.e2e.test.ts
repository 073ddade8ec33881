// The privacy screen of the back office in a real browser: an admin looks a customer up by e-mail,
// sees what Winkel holds and their consents, downloads the JSON export, withdraws a consent for them
// with a reason, and erases them after giving a reason and typing the address to confirm.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let page: Page;
const EMAIL = 'privacy.pia@example.com';

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}

beforeAll(async () => {
  server = await startWinkelServer();
  const customer = await call('POST', '/v1/customer-auth/sign-up', null, { email: EMAIL, password: 'pia-secret-1', name: 'Pia Privacy' });
  expect(customer.status).toBe(201);
  expect((await call('PUT', '/v1/me/consents', customer.body.token, { consents: [{ purpose: 'email', granted: true }] })).status).toBe(200);
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(45_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('privacy in the back office', () => {
  it('exports and erases a customer, with a reason and a typed confirmation', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('E-mail').fill(server.adminEmail);
    await page.getByRole('textbox', { name: 'Password' }).fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await page.getByRole('link', { name: 'Privacy (GDPR)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Privacy (GDPR)' }).waitFor();

    await page.getByRole('textbox', { name: 'Value' }).fill(EMAIL);
    await page.getByRole('button', { name: 'Look up' }).click();
    const holdings = page.getByRole('table', { name: 'Rows per module' });
    await holdings.getByRole('row').filter({ hasText: 'accounts' }).waitFor();
    const consents = page.getByRole('table', { name: 'Current consent per purpose' });
    const emailRow = consents.getByRole('row').filter({ hasText: 'account page' });
    await expect.poll(() => emailRow.innerText()).toMatch(/^email\s+Granted\s+account page/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.identifiers.emails).toEqual([EMAIL]);
    expect(exported.modules.accounts.accounts[0].name).toBe('Pia Privacy');

    // Staff change a consent for the customer, with a reason.
    await page.getByRole('button', { name: 'Change consents' }).click();
    const change = page.getByRole('dialog', { name: 'Change consents' });
    await change.getByRole('switch', { name: 'email' }).click({ force: true });
    await change.getByRole('textbox', { name: 'Reason' }).fill('Asked by phone to stop the newsletter');
    await change.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => consents.getByRole('row').filter({ hasText: /^email/ }).innerText()).toMatch(/Not granted\s+staff/);

    await page.getByRole('button', { name: 'Erase this person…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase this person' });
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Request #7 by e-mail');
    await dialog.getByRole('textbox', { name: `Type ${EMAIL} to confirm` }).fill('not the address');
    await dialog.getByRole('button', { name: 'Erase permanently' }).click();
    await dialog.getByText('Type the identifier exactly as shown.').waitFor();
    await dialog.getByRole('textbox', { name: `Type ${EMAIL} to confirm` }).fill(EMAIL);
    await dialog.getByRole('button', { name: 'Erase permanently' }).click();
    await page.getByText(/Erased \(era_/).waitFor();
    await page.getByRole('table', { name: 'Erasures, newest first' }).getByRole('cell', { name: 'Request #7 by e-mail' }).waitFor();

    // The customer is gone.
    expect((await call('POST', '/v1/customer-auth/sign-in', null, { email: EMAIL, password: 'pia-secret-1' })).status).toBe(401);
  });
});
