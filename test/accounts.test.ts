// Customer accounts: sign-up, sign-in, sign-out, revocable sessions, and password reset with a
// token sent through a real SMTP server.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let smtp: SMTPServer;
const inbox: Array<{ to: string[]; subject: string; text: string }> = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream).then((m) => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: m.subject ?? '', text: m.text ?? '' });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = ((smtp as unknown as { server: import('node:net').Server }).server.address() as AddressInfo).port;
  s = await startTestServer({ smtpUrl: `smtp://127.0.0.1:${port}`, publicUrl: 'https://shop.example' });
});
afterAll(async () => {
  await s?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

describe('customer accounts', () => {
  it('signs up, signs in, lists and revokes sessions, signs out', async () => {
    const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'Eva@Example.com', password: 'eva-secret-1', name: 'Eva', locale: 'en' } });
    expect(up.status).toBe(201);
    expect(up.body.customer.id).toMatch(/^cus_/);
    const dup = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'eva@example.com', password: 'other-secret-1' } });
    expect(dup.status).toBe(409);

    const phone = await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: 'eva@example.com', password: 'eva-secret-1' } });
    expect(phone.status).toBe(200);
    const me = await s.call('GET', '/v1/customer-auth/me', { token: phone.body.token });
    expect(me.body.email).toBe('Eva@Example.com');

    const sessions = await s.call('GET', '/v1/customer-auth/sessions', { token: up.body.token });
    expect(sessions.body.data).toHaveLength(2);
    // Revoke the "lost phone" from the other session.
    expect((await s.call('DELETE', `/v1/customer-auth/sessions/${phone.body.sessionId}`, { token: up.body.token })).status).toBe(204);
    expect((await s.call('GET', '/v1/customer-auth/me', { token: phone.body.token })).status).toBe(401);

    expect((await s.call('POST', '/v1/customer-auth/sign-out', { token: up.body.token })).status).toBe(204);
    expect((await s.call('GET', '/v1/customer-auth/me', { token: up.body.token })).status).toBe(401);

    const wrong = await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: 'eva@example.com', password: 'not-her-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('bad_credentials');
  });

  it('a customer session cannot reach staff routes, and staff cannot act as a customer', async () => {
    const c = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'nosy@example.com', password: 'nosy-secret-1' } });
    expect((await s.call('GET', '/v1/staff-users', { token: c.body.token })).status).toBe(403);
    expect((await s.call('GET', '/v1/customer-auth/me')).status).toBe(403);
  });

  it('resets a password with the e-mailed token, ending every session, once', async () => {
    const up = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'finn@example.com', password: 'finn-secret-1', locale: 'nl' } });
    const unknown = await s.call('POST', '/v1/customer-auth/password-reset', { token: null, body: { email: 'nobody@example.com' } });
    expect(unknown.status).toBe(202);
    const asked = await s.call('POST', '/v1/customer-auth/password-reset', { token: null, body: { email: 'FINN@example.com' } });
    expect(asked.status).toBe(202);

    const mail = await eventually(async () => inbox.find((m) => m.to.includes('finn@example.com')));
    expect(mail.subject).toBe('Stel je wachtwoord opnieuw in');
    // The link opens the web shop's reset page, with the token in the fragment (never sent to a server).
    expect(mail.text).toContain('https://shop.example/storefront/account/reset-password#token=');
    expect(inbox.some((m) => m.to.includes('nobody@example.com'))).toBe(false);
    const token = /Resetcode: (\S+)/.exec(mail.text)![1];

    const short = await s.call('POST', '/v1/customer-auth/password-reset/confirm', { token: null, body: { token, password: 'short' } });
    expect(short.status).toBe(400);
    const ok = await s.call('POST', '/v1/customer-auth/password-reset/confirm', { token: null, body: { token, password: 'finn-new-secret' } });
    expect(ok.status).toBe(200);
    expect((await s.call('GET', '/v1/customer-auth/me', { token: up.body.token })).status).toBe(401);
    const again = await s.call('POST', '/v1/customer-auth/password-reset/confirm', { token: null, body: { token, password: 'finn-newer-secret' } });
    expect(again.status).toBe(422);
    expect((await s.call('POST', '/v1/customer-auth/sign-in', { token: null, body: { email: 'finn@example.com', password: 'finn-new-secret' } })).status).toBe(200);

    const events = await s.call('GET', '/v1/events?type=customer.*');
    const types = events.body.data.filter((e: { customerId: string }) => e.customerId === up.body.customer.id).map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['customer.signed_up', 'customer.password_reset_requested', 'customer.password_changed']));
    // The reset token never leaves in an event (webhooks would leak it).
    expect(JSON.stringify(events.body)).not.toContain(token);
  });
});

describe('staff password reset', () => {
  const signIn = (email: string, password: string) => s.call('POST', '/v1/auth/sign-in', { token: null, body: { email, password } });
  const linkIn = (text: string) => /https:\/\/shop\.example\/reset-password#token=(\S+)/.exec(text);

  it('e-mails a single-use link to the staff reset page; the new password works, every session ends, the link does not work twice', async () => {
    const made = await s.call('POST', '/v1/staff-users', { body: { email: 'ria@test.example', name: 'Ria', role: 'store_associate', password: 'ria-old-password' } });
    const first = (await signIn('ria@test.example', 'ria-old-password')).body.token;
    // 202 whoever asks: a stranger's address is not told apart from a colleague's.
    const unknown = await s.call('POST', '/v1/auth/password-reset', { token: null, body: { email: 'nobody-works-here@test.example' } });
    expect(unknown.status).toBe(202);
    const asked = await s.call('POST', '/v1/auth/password-reset', { token: null, body: { email: 'RIA@test.example', locale: 'nl' } });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual(unknown.body);

    const mail = await eventually(async () => inbox.find((m) => m.to.includes('ria@test.example')));
    expect(mail.subject).toBe('Stel je Winkel-wachtwoord opnieuw in');
    const token = decodeURIComponent(linkIn(mail.text)![1]);
    expect(inbox.some((m) => m.to.includes('nobody-works-here@test.example'))).toBe(false);

    const weak = await s.call('POST', '/v1/auth/password-reset/confirm', { token: null, body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.headers.get('content-type')).toContain('application/problem+json');
    expect((await signIn('ria@test.example', 'ria-old-password')).status).toBe(200);

    const ok = await s.call('POST', '/v1/auth/password-reset/confirm', { token: null, body: { token, password: 'ria-new-password' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: made.body.user.id, email: 'ria@test.example' });
    expect((await s.call('GET', '/v1/auth/me', { token: first })).status).toBe(401);
    expect((await signIn('ria@test.example', 'ria-old-password')).status).toBe(401);
    expect((await signIn('ria@test.example', 'ria-new-password')).status).toBe(200);
    const again = await s.call('POST', '/v1/auth/password-reset/confirm', { token: null, body: { token, password: 'ria-newer-password' } });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('reset_token_invalid');

    const audit = await s.call('GET', `/v1/audit-log?resourceId=${made.body.user.id}&action=staff_user.password_reset`);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].actor).toMatchObject({ type: 'staff', id: made.body.user.id });
    const events = await s.call('GET', '/v1/events?type=staff_user.*');
    expect(JSON.stringify(events.body)).not.toContain(token);
  });

  it('refuses an expired link and sends nothing for a disabled user', async () => {
    const made = await s.call('POST', '/v1/staff-users', { body: { email: 'max@test.example', name: 'Max', role: 'planner', password: 'max-old-password' } });
    await s.call('POST', '/v1/auth/password-reset', { token: null, body: { email: 'max@test.example' } });
    const mail = await eventually(async () => inbox.find((m) => m.to.includes('max@test.example')));
    expect(mail.subject).toBe('Reset your Winkel password');
    const token = decodeURIComponent(linkIn(mail.text)![1]);
    // An hour later.
    await s.winkel.db.execute(sql`update staff_password_resets set expires_at = now() - interval '1 second' where staff_id = ${made.body.user.id}`);
    const late = await s.call('POST', '/v1/auth/password-reset/confirm', { token: null, body: { token, password: 'max-new-password' } });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('reset_token_invalid');
    expect((await signIn('max@test.example', 'max-old-password')).status).toBe(200);

    await s.call('PATCH', `/v1/staff-users/${made.body.user.id}`, { body: { status: 'disabled' } });
    const before = inbox.length;
    expect((await s.call('POST', '/v1/auth/password-reset', { token: null, body: { email: 'max@test.example' } })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1000));
    expect(inbox.slice(before).some((m) => m.to.includes('max@test.example'))).toBe(false);
  });
});
