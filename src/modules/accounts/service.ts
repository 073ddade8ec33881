// Customer accounts for the storefront and app: sign up, sign in, sign out, sessions that can be
// revoked, and password reset by an e-mailed, single-use, short-lived token.
import { and, desc, eq, gt, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, conflict, notFound, Problem } from '../../platform/errors.js';
import { emit } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/access.js';
import { hashSecret, newId, newSecret } from '../../platform/ids.js';
import { queueMail } from '../../platform/mail.js';
import { hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from '../../platform/password.js';
import { customerAccounts, customerSessions, passwordResets } from './schema.js';

export type CustomerAccountRow = typeof customerAccounts.$inferSelect;
const RESET_MINUTES = 60;

export function publicAccount(a: CustomerAccountRow) {
  return { id: a.id, email: a.email, name: a.name, locale: a.locale, status: a.status, createdAt: a.createdAt.toISOString(), version: a.version };
}

const norm = (email: string) => email.trim().toLowerCase();

function checkPassword(password: string) {
  const problem = passwordProblem(password);
  if (problem) throw badRequest(problem, [{ field: '/password', message: problem }]);
}

async function openSession(tx: Executor, customerId: string, days: number, meta: { ip?: string; userAgent?: string }) {
  const token = newSecret('wct');
  const [session] = await tx
    .insert(customerSessions)
    .values({ id: newId('customerSession'), customerId, tokenHash: hashSecret(token), expiresAt: new Date(Date.now() + days * 86400_000), ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) })
    .returning();
  return { token, session };
}

export async function signUp(db: Db, input: { email: string; password: string; name?: string; locale?: 'nl' | 'en' }, days: number, meta: { ip?: string; userAgent?: string }) {
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const taken = await tx.select({ id: customerAccounts.id }).from(customerAccounts).where(sql`lower(${customerAccounts.email}) = ${norm(input.email)}`);
    if (taken.length) throw conflict('An account with this e-mail exists already; sign in or reset the password.', 'email_taken');
    // The check above cannot see a sign-up with the same e-mail running alongside; the unique
    // index can, and that loser gets the same answer.
    const [account] = await tx
      .insert(customerAccounts)
      .values({ id: newId('customer'), email: input.email.trim(), name: input.name?.trim() || null, passwordHash, locale: input.locale ?? 'nl' })
      .onConflictDoNothing()
      .returning();
    if (!account) throw conflict('An account with this e-mail exists already; sign in or reset the password.', 'email_taken');
    const { token, session } = await openSession(tx, account.id, days, meta);
    await emit(tx, {
      type: 'customer.signed_up',
      aggregateType: 'customer',
      aggregateId: account.id,
      customerId: account.id,
      actor: { type: 'customer', id: account.id },
      data: { customer: publicAccount(account) },
    });
    return { account, token, session };
  });
}

export async function signIn(db: Db, email: string, password: string, days: number, meta: { ip?: string; userAgent?: string }) {
  const [account] = await db.select().from(customerAccounts).where(sql`lower(${customerAccounts.email}) = ${norm(email)}`);
  const ok = account ? await verifyPassword(password, account.passwordHash) : await verifyAgainstNothing(password);
  if (!account || !ok) throw new Problem({ status: 401, code: 'bad_credentials', title: 'Sign-in failed', detail: 'E-mail or password is wrong.' });
  if (account.status !== 'active') throw new Problem({ status: 403, code: 'account_disabled', title: 'Account disabled', detail: 'This account is disabled; contact customer service.' });
  return db.transaction(async (tx) => {
    const { token, session } = await openSession(tx, account.id, days, meta);
    await emit(tx, { type: 'customer.signed_in', aggregateType: 'customer', aggregateId: account.id, customerId: account.id, actor: { type: 'customer', id: account.id }, data: { sessionId: session.id } });
    return { account, token, session };
  });
}

export async function getAccount(db: Executor, id: string) {
  const [a] = await db.select().from(customerAccounts).where(eq(customerAccounts.id, id));
  if (!a) throw notFound('customer', id);
  return a;
}

/** Whether this is the account's password (asked again before something that cannot be undone). */
export async function passwordMatches(db: Executor, customerId: string, password: string): Promise<boolean> {
  const [a] = await db.select({ hash: customerAccounts.passwordHash }).from(customerAccounts).where(eq(customerAccounts.id, customerId));
  return a ? verifyPassword(password, a.hash) : verifyAgainstNothing(password).then(() => false);
}

/**
 * The accounts with this id or this e-mail (case-insensitive): how other modules tie the two
 * together. `emailVerified`: the holder showed they read mail sent to the address (they used a
 * password-reset link mailed to it). Sign-up alone proves nothing about the address, so only a
 * verified one may stand for the account where it matters (their consents and data kept under the
 * address; see "Trust levels" in docs/customers.md).
 */
export async function accountsByIdOrEmail(db: Executor, key: { id?: string; email?: string }): Promise<Array<{ id: string; email: string; emailVerified: boolean }>> {
  const where: SQL[] = [];
  if (key.id) where.push(eq(customerAccounts.id, key.id));
  if (key.email) where.push(sql`lower(${customerAccounts.email}) = ${key.email.toLowerCase()}`);
  if (!where.length) return [];
  return db
    .select({
      id: customerAccounts.id,
      email: customerAccounts.email,
      emailVerified: sql<boolean>`exists (select 1 from password_resets r where r.customer_id = customer_accounts.id and r.used_at is not null)`,
    })
    .from(customerAccounts)
    .where(or(...where));
}

export async function listSessions(db: Executor, customerId: string) {
  return db
    .select()
    .from(customerSessions)
    .where(and(eq(customerSessions.customerId, customerId), isNull(customerSessions.revokedAt), gt(customerSessions.expiresAt, new Date())))
    .orderBy(desc(customerSessions.id));
}

export async function revokeSession(db: Executor, customerId: string, sessionId: string) {
  const r = await db
    .update(customerSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(customerSessions.id, sessionId), eq(customerSessions.customerId, customerId), isNull(customerSessions.revokedAt)))
    .returning({ id: customerSessions.id });
  if (!r.length) throw notFound('active session', sessionId);
}

/** Always succeeds from the caller's view, so it cannot be used to find out who has an account. */
export async function requestPasswordReset(db: Db, email: string, publicUrl: string) {
  const [account] = await db.select().from(customerAccounts).where(sql`lower(${customerAccounts.email}) = ${norm(email)}`);
  if (!account || account.status !== 'active') return;
  const token = newSecret('rst');
  await db.transaction(async (tx) => {
    await tx.insert(passwordResets).values({ id: newId('passwordReset'), customerId: account.id, tokenHash: hashSecret(token), expiresAt: new Date(Date.now() + RESET_MINUTES * 60_000) });
    // The web shop's reset page. The token travels in the fragment: browsers never send it to the
    // server (logs) or in a Referer.
    const link = `${publicUrl}/storefront/account/reset-password#token=${encodeURIComponent(token)}`;
    const nl = account.locale === 'nl';
    await queueMail(tx, {
      to: account.email,
      purpose: 'password_reset',
      subject: nl ? 'Stel je wachtwoord opnieuw in' : 'Reset your password',
      text: nl
        ? `Hallo${account.name ? ` ${account.name}` : ''},\n\nKies een nieuw wachtwoord via deze link (${RESET_MINUTES} minuten geldig):\n${link}\n\nHeb je dit niet gevraagd? Dan hoef je niets te doen.\n\nResetcode: ${token}\n`
        : `Hello${account.name ? ` ${account.name}` : ''},\n\nChoose a new password with this link (valid for ${RESET_MINUTES} minutes):\n${link}\n\nDid not ask for this? Then there is nothing to do.\n\nReset code: ${token}\n`,
    });
    await emit(tx, { type: 'customer.password_reset_requested', aggregateType: 'customer', aggregateId: account.id, customerId: account.id, data: {} });
  });
}

export async function resetPassword(db: Db, token: string, password: string) {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [reset] = await tx.select().from(passwordResets).where(eq(passwordResets.tokenHash, hashSecret(token))).for('update');
    if (!reset || reset.usedAt || reset.expiresAt < new Date()) {
      throw new Problem({ status: 422, code: 'reset_token_invalid', title: 'Reset link not valid', detail: 'This reset link is unknown, used or expired; ask for a new one.' });
    }
    await tx.update(passwordResets).set({ usedAt: new Date() }).where(eq(passwordResets.id, reset.id));
    const [account] = await tx
      .update(customerAccounts)
      .set({ passwordHash, updatedAt: new Date(), version: sql`${customerAccounts.version} + 1` })
      .where(eq(customerAccounts.id, reset.customerId))
      .returning();
    // A reset means the old password may be known to someone else: end every session.
    await tx.update(customerSessions).set({ revokedAt: new Date() }).where(and(eq(customerSessions.customerId, reset.customerId), isNull(customerSessions.revokedAt)));
    await emit(tx, { type: 'customer.password_changed', aggregateType: 'customer', aggregateId: account.id, customerId: account.id, data: {} });
    return account;
  });
}

/** Customer session tokens (`wct_…`); not cached, so sign-out takes effect at once. */
export async function resolveCustomer(db: Executor, token: string): Promise<Principal | null> {
  const [row] = await db
    .select({ session: customerSessions, account: customerAccounts })
    .from(customerSessions)
    .innerJoin(customerAccounts, eq(customerAccounts.id, customerSessions.customerId))
    .where(and(eq(customerSessions.tokenHash, hashSecret(token)), isNull(customerSessions.revokedAt), gt(customerSessions.expiresAt, new Date())));
  if (!row || row.account.status !== 'active') return null;
  return { kind: 'customer', id: row.account.id, label: row.account.email, permissions: new Set(['storefront']), sessionId: row.session.id };
}

/** The status of a customer account ('active' or 'disabled'), or null when there is none. */
export async function accountStatus(db: Executor, customerId: string): Promise<'active' | 'disabled' | null> {
  const [a] = await db.select({ status: customerAccounts.status }).from(customerAccounts).where(eq(customerAccounts.id, customerId));
  return a?.status ?? null;
}

/** Housekeeping: forgets sessions ended more than 30 days ago and reset links expired a week ago. */
export async function purgeEndedCustomerSessions(db: Executor) {
  await db.execute(sql`delete from customer_sessions where expires_at < now() - interval '30 days' or revoked_at < now() - interval '30 days'`);
  await db.execute(sql`delete from password_resets where expires_at < now() - interval '7 days'`);
}
