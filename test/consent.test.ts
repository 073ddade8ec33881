// Consent per purpose: append-only history with source and time, configured defaults, latest decision
// wins across a person's identifiers, staff changes need a reason and are audited, signed unsubscribe
// links (tamper-proof, explicit expiry), the SDK's anonymous-id consent, and consent.changed events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../src/modules/consent/links.js';
import { hasConsent } from '../src/modules/consent/service.js';

let s: TestServer;
let pk: string;
let customer: { id: string; token: string };

type State = { purpose: string; granted: boolean; source: string };
const state = (current: State[], purpose: string) => current.find((c) => c.purpose === purpose)!;

/** The account holder shows the address is theirs by using a link mailed to it (a password reset); answers a new session. */
async function verifyEmail(email: string, password: string): Promise<string> {
  expect((await s.call('POST', '/v1/customer-auth/password-reset', { token: null, body: { email } })).status).toBe(202);
  const { sql } = await import('drizzle-orm');
  const [mail] = (await s.winkel.db.execute<{ text: string }>(sql`select text from outgoing_emails where lower("to") = ${email.toLowerCase()} and purpose = 'password_reset' order by id desc limit 1`)).rows;
  const token = /(rst_\S+)\s*$/.exec(mail.text)![1];
  expect((await s.call('POST', '/v1/customer-auth/password-reset/confirm', { token: null, body: { token, password } })).status).toBe(200);
  return (await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email, password } })).body.token;
}

beforeAll(async () => {
  // `analytics` is granted by default in this installation; everything else is opt-in.
  s = await startTestServer({ consentDefaultGranted: 'analytics' });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'browser' } })).body.token;
  const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'Consent.Carla@Example.com', password: 'carla-secret-1', name: 'Carla' } });
  // Carla has shown the address is hers, so her account speaks for it (see the unverified case below).
  customer = { id: up.body.customer.id, token: await verifyEmail('Consent.Carla@Example.com', 'carla-secret-1') };
});
afterAll(() => s?.close());

describe('consent', () => {
  it('answers the configured defaults when nothing is recorded', async () => {
    const r = await s.call('GET', '/v1/consents?email=nobody@example.com');
    expect(r.status).toBe(200);
    expect(r.body.history).toEqual([]);
    expect(state(r.body.current, 'analytics')).toMatchObject({ granted: true, source: 'default', recordedAt: null });
    expect(state(r.body.current, 'email')).toMatchObject({ granted: false, source: 'default' });
    expect(await hasConsent(s.winkel.db, { email: 'nobody@example.com' }, 'analytics')).toBe(true);
    expect(await hasConsent(s.winkel.db, { email: 'nobody@example.com' }, 'profiling')).toBe(false);
    const none = await s.call('GET', '/v1/consents');
    expect(none.status).toBe(400);
  });

  it('lets a customer change their own consents from the account page, keeps the history and emits consent.changed', async () => {
    const put = await s.call('PUT', '/v1/me/consents', { token: customer.token, body: { consents: [{ purpose: 'email', granted: true }, { purpose: 'profiling', granted: true }] } });
    expect(put.status).toBe(200);
    expect(state(put.body.current, 'email')).toMatchObject({ granted: true, source: 'account' });
    // The record carries the account's e-mail too, so it counts whichever identifier asks.
    expect(await hasConsent(s.winkel.db, { email: 'consent.carla@example.com' }, 'email')).toBe(true);
    expect(await hasConsent(s.winkel.db, { customerId: customer.id }, 'profiling')).toBe(true);
    const again = await s.call('PUT', '/v1/me/consents', { token: customer.token, body: { consents: [{ purpose: 'profiling', granted: false }] } });
    expect(state(again.body.current, 'profiling')).toMatchObject({ granted: false, source: 'account' });
    const mine = await s.call('GET', '/v1/me/consents', { token: customer.token });
    expect(mine.body.history.map((h: { purpose: string; granted: boolean }) => `${h.purpose}:${h.granted}`)).toEqual(['profiling:false', 'profiling:true', 'email:true']);
    const events = await s.call('GET', `/v1/events?type=consent.changed`);
    const mineEvents = events.body.data.filter((e: { customerId: string }) => e.customerId === customer.id);
    expect(mineEvents.length).toBe(3);
    expect(mineEvents.some((e: { data: { purpose: string; granted: boolean; previous: boolean } }) => e.data.purpose === 'profiling' && !e.data.granted && e.data.previous)).toBe(true);
    // Bad input changes nothing.
    const bad = await s.call('PUT', '/v1/me/consents', { token: customer.token, body: { consents: [{ purpose: 'telepathy', granted: true }] } });
    expect(bad.status).toBe(400);
    const dup = await s.call('PUT', '/v1/me/consents', { token: customer.token, body: { consents: [{ purpose: 'sms', granted: true }, { purpose: 'sms', granted: false }] } });
    expect(dup.status).toBe(400);
    expect((await s.call('GET', '/v1/me/consents', { token: customer.token })).body.history.length).toBe(3);
  });

  it('requires a reason from staff, audits the change, and lets the latest decision win across identifiers', async () => {
    const noReason = await s.call('POST', '/v1/consents', { body: { customerId: customer.id, consents: [{ purpose: 'email', granted: false }] } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('/reason');
    const ok = await s.call('POST', '/v1/consents', { body: { customerId: customer.id, consents: [{ purpose: 'email', granted: false }], reason: 'Asked by phone to stop newsletters' } });
    expect(ok.status).toBe(201);
    expect(state(ok.body.current, 'email')).toMatchObject({ granted: false, source: 'staff' });
    expect(ok.body.history[0]).toMatchObject({ source: 'staff', reason: 'Asked by phone to stop newsletters', actor: { type: 'staff' } });
    const audit = await s.call('GET', `/v1/audit-log?resourceType=consent&resourceId=${customer.id}`);
    expect(audit.body.data[0]).toMatchObject({ action: 'consent.change' });
    // A newer decision given with only the e-mail (e.g. at a guest checkout) overrides the one
    // given with the customer id: latest wins across the person's identifiers.
    const key = (await s.call('POST', '/v1/api-keys', { body: { kind: 'secret', name: 'shop', scopes: ['customers:write', 'customers:read'] } })).body.token;
    const viaEmail = await s.call('POST', '/v1/consents', { token: key, body: { email: 'CONSENT.carla@example.com', consents: [{ purpose: 'email', granted: true }], source: 'checkout' } });
    expect(viaEmail.status).toBe(201);
    expect(await hasConsent(s.winkel.db, { customerId: customer.id }, 'email')).toBe(true);
    const r = await s.call('GET', `/v1/consents?customerId=${customer.id}`);
    expect(state(r.body.current, 'email')).toMatchObject({ granted: true, source: 'checkout' });
    // Staff may not pretend to be another source; a customer cannot use the staff route.
    expect((await s.call('POST', '/v1/consents', { body: { customerId: customer.id, consents: [{ purpose: 'sms', granted: true }], source: 'account', reason: 'x' } })).status).toBe(400);
    expect((await s.call('POST', '/v1/consents', { token: customer.token, body: { customerId: customer.id, consents: [{ purpose: 'sms', granted: true }] } })).status).toBe(403);
  });

  it('unsubscribes with a signed link: GET shows, POST (one-click) withdraws; tampered links are refused', async () => {
    const link = await s.call('POST', '/v1/consents/unsubscribe-links', { body: { email: 'consent.carla@example.com' } });
    expect(link.status).toBe(201);
    expect(link.body.url).toContain('/v1/consents/unsubscribe?token=');
    const path = `/v1/consents/unsubscribe?token=${encodeURIComponent(link.body.token)}`;
    const info = await s.call('GET', path, { token: null });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ email: 'c***@example.com', purposes: ['email'], done: false, expiresAt: null });
    // Looking at the link (as mail scanners do) changed nothing.
    expect(await hasConsent(s.winkel.db, { customerId: customer.id }, 'email')).toBe(true);
    const html = await fetch(s.url + path, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<form method="post"');
    const oneClick = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.json()).toMatchObject({ done: true });
    // The page's button (an HTML form post) answers a page, and repeating it is harmless.
    const button = await fetch(s.url + path, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' });
    expect(button.status).toBe(200);
    expect(await button.text()).toContain('You are unsubscribed');
    expect(await hasConsent(s.winkel.db, { customerId: customer.id }, 'email')).toBe(false);
    const r = await s.call('GET', `/v1/consents?customerId=${customer.id}`);
    expect(state(r.body.current, 'email')).toMatchObject({ granted: false, source: 'unsubscribe' });
    // Tampering with the address breaks the signature.
    const [body, sig] = link.body.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), e: 'someone@else.example' })).toString('base64url');
    const bad = await s.call('POST', `/v1/consents/unsubscribe?token=${forged}.${sig}`, { token: null, body: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_unsubscribe_link');
    const badHtml = await fetch(`${s.url}/v1/consents/unsubscribe?token=${forged}.${sig}`, { headers: { accept: 'text/html' } });
    expect(badHtml.status).toBe(400);
    expect(await badHtml.text()).toContain('account page');
  });

  it('says explicitly when a link has expired (only when a validity is configured)', async () => {
    const issued = new Date('2026-01-01T00:00:00Z');
    const token = await createUnsubscribeToken(s.winkel.db, 'old@example.com', ['email', 'sms'], issued);
    const never = await verifyUnsubscribeToken(s.winkel.db, token, 0, new Date('2030-01-01T00:00:00Z'));
    expect(never).toMatchObject({ email: 'old@example.com', purposes: ['email', 'sms'], expiresAt: null });
    await expect(verifyUnsubscribeToken(s.winkel.db, token, 30, new Date('2026-03-01T00:00:00Z'))).rejects.toMatchObject({ status: 410, code: 'unsubscribe_link_expired' });
    const fresh = await verifyUnsubscribeToken(s.winkel.db, token, 30, new Date('2026-01-15T00:00:00Z'));
    expect(fresh.expiresAt?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('lets the browser SDK read and set consent for its anonymous id with a publishable key', async () => {
    const r = await s.call('GET', '/v1/sdk/consents?anonymousId=anon-consent-1', { token: pk });
    expect(r.status).toBe(200);
    expect(state(r.body.current, 'personalisation')).toMatchObject({ granted: false, source: 'default' });
    const put = await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: 'anon-consent-1', consents: [{ purpose: 'analytics', granted: false }, { purpose: 'personalisation', granted: true }] } });
    expect(put.status).toBe(200);
    expect(state(put.body.current, 'analytics')).toMatchObject({ granted: false, source: 'sdk' });
    expect(await hasConsent(s.winkel.db, { anonymousId: 'anon-consent-1' }, 'personalisation')).toBe(true);
    // A publishable key reads no one's history and cannot use the staff routes.
    expect((await s.call('GET', '/v1/consents?anonymousId=anon-consent-1', { token: pk })).status).toBe(403);
    expect((await s.call('GET', '/v1/sdk/consents?anonymousId=anon-consent-1', { token: null })).status).toBe(401);
  });
});

describe('marketing mail', () => {
  it('is only queued with e-mail consent, and carries an unsubscribe link that withdraws it', async () => {
    const { queueMarketingMail } = await import('../src/modules/consent/marketing.js');
    const { sql } = await import('drizzle-orm');
    const send = () => s.winkel.db.transaction((tx) => queueMarketingMail(tx, s.url, { to: 'Mia@Example.com', subject: 'Autumn sale', text: 'Everything 20% off.', kind: 'newsletter' }));
    expect(await send()).toBeNull();
    await s.call('POST', '/v1/consents', { body: { email: 'mia@example.com', consents: [{ purpose: 'email', granted: true }], reason: 'Signed the paper form in store' } });
    const id = await send();
    expect(id).toMatch(/^msg_/);
    const [mail] = (await s.winkel.db.execute<{ text: string; purpose: string; to: string }>(sql`select "to", text, purpose from outgoing_emails where id = ${id}`)).rows;
    expect(mail).toMatchObject({ to: 'mia@example.com', purpose: 'marketing:newsletter' });
    const link = /Unsubscribe: (\S+)/.exec(mail.text)![1];
    expect(link.startsWith(`${s.url}/v1/consents/unsubscribe?token=`)).toBe(true);
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect(await send()).toBeNull();
  });
});

describe('profiling needs consent', () => {
  // Personal recommendations do not exist yet; profiling (computed traits on the profile that
  // identity resolution keeps) does, and must not happen without the `profiling` consent.
  it('keeps no computed traits for a customer who did not grant profiling, and does once they grant it', async () => {
    const { sql } = await import('drizzle-orm');
    const computedOf = async (customerId: string) =>
      (
        await s.winkel.db.execute<{ computed: Record<string, unknown> | null }>(
          sql`select p.computed from profile_identifiers i join profiles p on p.id = i.profile_id where i.key = ${`customer_id:${customerId}`}`,
        )
      ).rows[0];
    const sign = async (email: string) => (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email, password: 'profile-secret-1' } })).body.customer.id as string;
    const events = (userId: string, tag: string) =>
      s.call('POST', '/v1/collect/batch', {
        token: pk,
        body: { batch: [{ type: 'identify', userId, anonymousId: `anon-${tag}`, messageId: `${tag}-1` }, { type: 'track', userId, event: 'Product Viewed', properties: { sku: 'MUG' }, messageId: `${tag}-2` }] },
      });
    const without = await sign('no.profiling@example.com');
    expect((await events(without, 'np')).body.accepted).toBe(2);
    const a = await computedOf(without);
    expect(a).toBeDefined();
    expect(a.computed).toBeNull();

    const withConsent = await sign('yes.profiling@example.com');
    const token = (await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: 'yes.profiling@example.com', password: 'profile-secret-1' } })).body.token;
    await s.call('PUT', '/v1/me/consents', { token, body: { consents: [{ purpose: 'profiling', granted: true }] } });
    expect((await events(withConsent, 'yp')).body.accepted).toBe(2);
    // Computed traits follow the events shortly after (a background loop, see docs/customers.md).
    // The consent change itself may compute them first, before these events are in: wait for them.
    const b = await eventually(async () => {
      const r = await computedOf(withConsent);
      return r?.computed && Number(r.computed.events) >= 2 ? r : undefined;
    });
    expect(Number(b.computed!.events)).toBeGreaterThanOrEqual(2);
    // By now that loop has run over both people: still nothing computed for the one without consent.
    expect((await computedOf(without)).computed).toBeNull();
  });
});

describe('consent listeners', () => {
  it('tells registered modules about a change inside the same transaction, and not about a repeat', async () => {
    const { onConsentChange } = await import('../src/modules/consent/service.js');
    const seen: Array<{ anonymousIds: string[]; changes: Array<{ purpose: string; granted: boolean }> }> = [];
    onConsentChange(async (_tx, c) => {
      if (c.identifiers.anonymousIds.includes('anon-listener')) seen.push({ anonymousIds: c.identifiers.anonymousIds, changes: c.changes });
    });
    const body = { anonymousId: 'anon-listener', consents: [{ purpose: 'profiling', granted: true }] };
    await s.call('PUT', '/v1/sdk/consents', { token: pk, body });
    await s.call('PUT', '/v1/sdk/consents', { token: pk, body });
    expect(seen).toEqual([{ anonymousIds: ['anon-listener'], changes: [{ purpose: 'profiling', granted: true }] }]);
  });
});

describe('consent settings', () => {
  it('refuses an unknown purpose in CONSENT_DEFAULT_GRANTED and a negative link validity, naming the variables', async () => {
    const { loadConfig, ConfigError } = await import('../src/platform/config.js');
    const env = { CONSENT_DEFAULT_GRANTED: 'analytics,telepathy', UNSUBSCRIBE_LINK_DAYS: '-1', ANONYMOUS_EVENT_RETENTION_DAYS: '30' };
    let problems: string[] = [];
    try {
      loadConfig({ env, file: '/nonexistent' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as InstanceType<typeof ConfigError>).problems;
    }
    expect(problems.some((p) => p.startsWith('CONSENT_DEFAULT_GRANTED='))).toBe(true);
    expect(problems.some((p) => p.startsWith('UNSUBSCRIBE_LINK_DAYS='))).toBe(true);
    const ok = loadConfig({ env: { CONSENT_DEFAULT_GRANTED: 'analytics,personalisation', ANONYMOUS_EVENT_RETENTION_DAYS: '30' }, file: '/nonexistent' });
    expect(ok).toMatchObject({ consentDefaultGranted: 'analytics,personalisation', anonymousEventRetentionDays: 30, unsubscribeLinkDays: 0 });
  });
});

describe('consent and an address nobody verified', () => {
  it('an account’s choice counts for its e-mail address only once the holder showed the address is theirs', async () => {
    const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'Unverified.Una@example.com', password: 'una-secret-1' } });
    const una = { id: up.body.customer.id as string, token: up.body.token as string };
    // Anyone may sign up with an address; that alone does not make marketing mail to it allowed.
    const put = await s.call('PUT', '/v1/me/consents', { token: una.token, body: { consents: [{ purpose: 'email', granted: true }] } });
    expect(state(put.body.current, 'email')).toMatchObject({ granted: true, source: 'account' });
    expect(await hasConsent(s.winkel.db, { customerId: una.id }, 'email')).toBe(true);
    expect(await hasConsent(s.winkel.db, { email: 'unverified.una@example.com' }, 'email')).toBe(false);
    // Nor does the account see decisions made for the address by its owner (an unsubscribe link).
    await s.call('POST', '/v1/consents', { body: { email: 'unverified.una@example.com', consents: [{ purpose: 'sms', granted: true }], reason: 'Paper form' } });
    const mine = await s.call('GET', '/v1/me/consents', { token: una.token });
    expect(mine.body.history.map((h: { purpose: string }) => h.purpose)).toEqual(['email']);
    // Once she used a link mailed to it, the address and the account are one.
    const token = await verifyEmail('Unverified.Una@example.com', 'una-secret-1');
    expect((await s.call('GET', '/v1/me/consents', { token })).body.history.map((h: { purpose: string }) => h.purpose).sort()).toEqual(['email', 'sms']);
    expect(await hasConsent(s.winkel.db, { email: 'unverified.una@example.com' }, 'email')).toBe(true);
  });
});

describe('consent across a person’s identifiers (identity resolution)', () => {
  it('a choice made in the browser and a later one on the account page count for both once the customer’s own session ties the visit to the account', async () => {
    const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'tied.tom@example.com', password: 'tied-secret-1' } });
    const tom = { id: up.body.customer.id as string, token: up.body.token as string };
    // Anonymous visit: the cookie banner grants analytics for the browser's anonymous id.
    await s.call('PUT', '/v1/sdk/consents', { token: pk, body: { anonymousId: 'anon-tom', consents: [{ purpose: 'analytics', granted: true }] } });
    expect(await hasConsent(s.winkel.db, { customerId: tom.id }, 'analytics')).toBe(true); // configured default in this file
    // Before they are tied, the account's own choice does not reach the anonymous id.
    await s.call('PUT', '/v1/me/consents', { token: tom.token, body: { consents: [{ purpose: 'personalisation', granted: true }] } });
    expect(await hasConsent(s.winkel.db, { anonymousId: 'anon-tom' }, 'personalisation')).toBe(false);
    // An identify with only the publishable key is a claim: anyone could send it. It ties nothing here.
    expect((await s.call('POST', '/v1/collect/identify', { token: pk, body: { anonymousId: 'anon-tom', userId: tom.id } })).status).toBe(200);
    expect(await hasConsent(s.winkel.db, { anonymousId: 'anon-tom' }, 'personalisation')).toBe(false);
    // The shopper signs in on that browser and their own session identifies it: now they are tied.
    expect((await s.call('POST', '/v1/collect/identify', { token: tom.token, body: { anonymousId: 'anon-tom', userId: tom.id } })).status).toBe(200);
    expect(await hasConsent(s.winkel.db, { anonymousId: 'anon-tom' }, 'personalisation')).toBe(true);
    // A later withdrawal on the account page wins over the earlier grant in the browser.
    await s.call('PUT', '/v1/me/consents', { token: tom.token, body: { consents: [{ purpose: 'analytics', granted: false }] } });
    expect(await hasConsent(s.winkel.db, { anonymousId: 'anon-tom' }, 'analytics')).toBe(false);
    const sdkView = await s.call('GET', '/v1/sdk/consents?anonymousId=anon-tom', { token: pk });
    expect(state(sdkView.body.current, 'analytics')).toMatchObject({ granted: false, source: 'account' });
  });
});
