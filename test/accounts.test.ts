// Customer accounts: sign-up, sign-in, sign-out, revocable sessions, and password reset with a
// token sent through a real SMTP server.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
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
    expect(mail.text).toContain('https://shop.example/account/reset-password?token=');
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
