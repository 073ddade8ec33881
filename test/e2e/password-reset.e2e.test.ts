// Forgotten passwords in a real browser, for a shopper (the web shop, in English) and for staff (the
// sign-in page, in Dutch): ask for the link, read the e-mail in the mail catcher, follow its link to
// the page of that surface, be told off for a weak password, set a new one and sign in with it;
// the same link then says it no longer works.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startWinkelServer, type RunningWinkel } from './helpers.js';

let server: RunningWinkel;
let browser: Browser;
let adminToken = '';

async function call(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The newest e-mail to `to` whose subject matches, from the mail catcher (developer tools API). */
async function mailTo(to: string, subject: RegExp): Promise<{ subject: string; text: string }> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const { body } = await call('GET', `/v1/devtools/emails?to=${encodeURIComponent(to)}`, adminToken);
    const found = (body?.data ?? []).find((m: { subject: string }) => subject.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${to} matching ${subject}`);
}

async function newPage(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  return page;
}

beforeAll(async () => {
  server = await startWinkelServer();
  adminToken = (await call('POST', '/v1/auth/sign-in', null, { email: server.adminEmail, password: server.adminPassword })).body.token;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('password reset in the browser', () => {
  it('a shopper asks for a link on the account page, follows it from the e-mail, sets a new password and signs in with it', async () => {
    const email = 'rita.reset@example.com';
    expect((await call('POST', '/v1/customer-auth/sign-up', null, { email, password: 'rita-old-password', name: 'Rita', locale: 'en' })).status).toBe(201);
    const page = await newPage('en-US');

    await page.goto(`${server.url}/storefront/account`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    // The e-mail field has the focus: type and press Enter, as a keyboard user would.
    await page.keyboard.type('not-an-address');
    await page.keyboard.press('Enter');
    await page.getByText('Enter an e-mail address, like name@example.com.').waitFor();
    await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain(`If ${email} has an account`);

    const mail = await mailTo(email, /Reset your password/);
    const link = /(https?:\/\/\S+\/storefront\/account\/reset-password#token=\S+)/.exec(mail.text)?.[1];
    expect(link, mail.text).toBeTruthy();
    expect(link!.startsWith(`${server.url}/storefront/account/reset-password#token=`)).toBe(true);

    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    // The token left the address bar (page views the shop reports must not carry it).
    await expect.poll(() => page.url()).toBe(`${server.url}/storefront/account/reset-password`);
    const password = page.getByRole('textbox', { name: /^New password\W*$/ });
    const again = page.getByRole('textbox', { name: /^New password again/ });
    await password.fill('short');
    await again.fill('short');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByText('This password is too weak: use at least 10 characters.').waitFor();
    // The field is marked invalid and described by the error, for screen readers.
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const described = await password.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    expect(described).toContain('This password is too weak');
    await password.fill('rita-new-password');
    await again.fill('rita-new-passwort');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await again.fill('rita-new-password');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();

    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
    await page.getByRole('textbox', { name: /^Password\W*$/ }).fill('rita-new-password');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    expect((await call('POST', '/v1/customer-auth/sign-in', null, { email, password: 'rita-old-password' })).status).toBe(401);

    // The link works once.
    await page.goto(link!);
    await page.getByRole('textbox', { name: /^New password\W*$/ }).fill('rita-third-password');
    await page.getByRole('textbox', { name: /^New password again/ }).fill('rita-third-password');
    await page.getByRole('button', { name: 'Save new password' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'This link no longer works' });
    await alert.waitFor();
    await alert.getByRole('link', { name: 'Ask for a new link' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
  });

  it('a staff user asks for a link on the sign-in page (in Dutch), follows it from the e-mail, sets a new password and signs in with it', async () => {
    const email = 'sven.reset@test.example';
    expect((await call('POST', '/v1/staff-users', adminToken, { email, name: 'Sven', role: 'store_associate', password: 'sven-old-password' })).status).toBe(201);
    const page = await newPage('nl-NL');

    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('link', { name: 'Wachtwoord vergeten?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Wachtwoord vergeten?' }).waitFor();
    await page.getByRole('textbox', { name: 'E-mailadres' }).fill(email);
    await page.getByRole('button', { name: 'Stuur me een link' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain(`Als ${email} een account heeft`);

    // The e-mail is in the language of the page it was asked from, and links to the staff page.
    const mail = await mailTo(email, /Winkel-wachtwoord/);
    const link = /(https?:\/\/\S+\/reset-password#token=\S+)/.exec(mail.text)?.[1];
    expect(link, mail.text).toBeTruthy();
    expect(link!.startsWith(`${server.url}/reset-password#token=`)).toBe(true);

    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'Kies een nieuw wachtwoord' }).waitFor();
    await page.getByRole('textbox', { name: /^Nieuw wachtwoord\W*$/ }).fill('kort');
    await page.getByRole('textbox', { name: /^Nieuw wachtwoord nogmaals/ }).fill('kort');
    await page.getByRole('button', { name: 'Nieuw wachtwoord opslaan' }).click();
    await page.getByText('Dit wachtwoord is te zwak: gebruik minstens 10 tekens.').waitFor();
    await page.getByRole('textbox', { name: /^Nieuw wachtwoord\W*$/ }).fill('sven-new-password');
    await page.getByRole('textbox', { name: /^Nieuw wachtwoord nogmaals/ }).fill('sven-new-password');
    await page.getByRole('button', { name: 'Nieuw wachtwoord opslaan' }).click();
    await page.getByRole('status').filter({ hasText: 'Je wachtwoord is gewijzigd' }).waitFor();

    await page.getByRole('link', { name: 'Aanmelden' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('textbox', { name: 'E-mailadres' }).fill(email);
    await page.getByRole('textbox', { name: /^Wachtwoord\W*$/ }).fill('sven-new-password');
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.getByRole('button', { name: `Account: ${email}` }).waitFor();
    expect((await call('POST', '/v1/auth/sign-in', null, { email, password: 'sven-old-password' })).status).toBe(401);

    // The link works once.
    await page.goto(link!);
    await page.getByRole('textbox', { name: /^Nieuw wachtwoord\W*$/ }).fill('sven-third-password');
    await page.getByRole('textbox', { name: /^Nieuw wachtwoord nogmaals/ }).fill('sven-third-password');
    await page.getByRole('button', { name: 'Nieuw wachtwoord opslaan' }).click();
    await page.getByRole('alert').filter({ hasText: 'Deze link werkt niet meer' }).waitFor();
  });
});
