// The server's log never holds credentials or personal data: requests that fail in the database
// (a sign-up, a look-up by e-mail, an identify call with traits) are logged with what went wrong,
// but without the query's parameters (e-mail addresses, names, scrypt password hashes, traits),
// PostgreSQL's quoted row values, a URL's query values or the caller's token. The log read here is
// the real output of the server at debug level (which also logs every request).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';

let s: TestServer;
const lines: string[] = [];
beforeAll(async () => {
  s = await startTestServer({ logLevel: 'debug' }, { log: { write: (line: string) => void lines.push(line) } });
});
afterAll(() => s?.close());

const log = () => lines.join('');

/** Makes inserts into `table` fail the way a full disk or a broken trigger would, until undone. */
async function breakInserts(table: string) {
  await s.winkel.db.execute(sql.raw(`create or replace function winkel_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'storage refused the row (test)'; end $$`));
  await s.winkel.db.execute(sql.raw(`create trigger winkel_test_refuse before insert on ${table} for each row execute function winkel_test_refuse()`));
  return () => s.winkel.db.execute(sql.raw(`drop trigger winkel_test_refuse on ${table}`));
}

describe('log redaction', () => {
  it('logs a failed sign-up without the e-mail address, the name or the password hash', async () => {
    const repair = await breakInserts('customer_accounts');
    try {
      const r = await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'vera.geheim@victim.example', password: 'correct horse battery', name: 'Vera Geheimnisvoll' } });
      expect(r.status).toBe(500);
      await eventually(async () => log().includes(r.body.requestId) && log().includes('storage refused the row'));
    } finally {
      await repair();
    }
    const text = log();
    expect(text).toContain('Failed query');
    expect(text).toContain('customer_accounts');
    expect(text).toContain('[redacted]');
    for (const secret of ['vera.geheim@victim.example', 'Vera Geheimnisvoll', 'scrypt$', 'correct horse battery']) expect(text).not.toContain(secret);
  });

  it('logs a failed look-up without the e-mail in the query string or the query parameters, and without the token', async () => {
    await s.winkel.db.execute(sql.raw('alter table consent_records rename to consent_records_moved'));
    let r;
    try {
      r = await s.call('GET', '/v1/consents?email=hidden.person%40victim.example&customerId=cus_lookup');
    } finally {
      await s.winkel.db.execute(sql.raw('alter table consent_records_moved rename to consent_records'));
    }
    expect(r.status).toBe(500);
    await eventually(async () => log().includes(r.body.requestId) && log().includes('unhandled error'));
    const text = log();
    // The request is logged (debug), with the names of its query parameters only.
    expect(text).toContain('/v1/consents?email=[redacted]&customerId=[redacted]');
    for (const secret of ['hidden.person', 'victim.example', 'cus_lookup', s.adminToken]) expect(text).not.toContain(secret);
  });

  it('logs a failed write of collected traits (in the request or in the background) without the traits', async () => {
    const repair = await breakInserts('timeline_entries');
    try {
      const pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'log shop' } })).body.token;
      const r = await s.call('POST', '/v1/collect/identify', { token: pk, body: { anonymousId: 'anon-logs-1', traits: { email: 'trait.person@victim.example', firstName: 'Traitje', favouriteColour: 'loves-red-shoes' } } });
      expect([200, 202, 500]).toContain(r.status);
      await eventually(async () => /timeline_entries[\s\S]*storage refused the row|storage refused the row[\s\S]*timeline_entries/.test(log()));
    } finally {
      await repair();
    }
    const text = log();
    for (const secret of ['trait.person@victim.example', 'Traitje', 'loves-red-shoes', 'anon-logs-1']) expect(text).not.toContain(secret);
  });
});
