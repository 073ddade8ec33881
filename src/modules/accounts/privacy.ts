// What the accounts module holds on a person, for GDPR export and erasure (registered by the
// privacy module): the account, its sessions (with address and browser) and password resets.
import { sql } from 'drizzle-orm';
import type { DataHolder } from '../../platform/privacy/registry.js';
import { changedRows, selectRows, textArray } from '../../platform/privacy/scrub.js';

export const accountsHolder: DataHolder = {
  module: 'accounts',
  tables: ['customer_accounts', 'customer_sessions', 'password_resets'],
  keeps: 'Nothing: the account, its sessions and password resets are deleted (records kept elsewhere carry a pseudonym instead of the account id).',
  async discover(db, p, scope) {
    if (!p.customerIds.length && !p.emails.length) return {};
    const found = await selectRows(
      db,
      sql`select a.id, lower(a.email) as email, a.name,
            exists (select 1 from password_resets r where r.customer_id = a.id and r.used_at is not null) as verified
          from customer_accounts a where a.id = any(${textArray(p.customerIds)}) or lower(a.email) = any(${textArray(p.emails)})`,
    );
    const ids = found.map((r) => String(r.id));
    const sessions = ids.length ? await selectRows(db, sql`select id, ip, user_agent from customer_sessions where customer_id = any(${textArray(ids)})`) : [];
    const str = (v: unknown) => (typeof v === 'string' && v ? [v] : []);
    return {
      customerIds: ids,
      // The address counts as theirs beyond the account only once verified, or when staff vouch.
      emails: found.filter((r) => scope === 'staff' || r.verified).map((r) => String(r.email)),
      accountEmails: found.map((r) => String(r.email)),
      names: found.flatMap((r) => str(r.name)),
      sessionIds: sessions.map((s) => String(s.id)),
      traces: sessions.flatMap((s) => [...str(s.ip), ...str(s.user_agent)]),
    };
  },
  async export(db, p) {
    if (!p.customerIds.length) return { accounts: [], sessions: [] };
    const ids = textArray(p.customerIds);
    return {
      accounts: await selectRows(db, sql`select id, email, name, locale, status, created_at as "createdAt", updated_at as "updatedAt" from customer_accounts where id = any(${ids})`),
      sessions: await selectRows(db, sql`select id, created_at as "createdAt", expires_at as "expiresAt", revoked_at as "revokedAt", ip, user_agent as "userAgent" from customer_sessions where customer_id = any(${ids})`),
      passwordResets: await selectRows(db, sql`select id, created_at as "createdAt", expires_at as "expiresAt", used_at as "usedAt" from password_resets where customer_id = any(${ids})`),
    };
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!p.customerIds.length) return {};
    const ids = textArray(p.customerIds);
    return {
      customer_sessions: await changedRows(tx, sql`delete from customer_sessions where customer_id = any(${ids})`),
      password_resets: await changedRows(tx, sql`delete from password_resets where customer_id = any(${ids})`),
      customer_accounts: await changedRows(tx, sql`delete from customer_accounts where id = any(${ids})`),
    };
  },
};
