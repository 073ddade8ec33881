// Staff users, their sessions, and API keys; and turning a bearer token into a Principal.
import { and, desc, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, conflict, forbidden, notFound, Problem, unauthorized, unprocessable, type FieldError } from '../../platform/errors.js';
import { emit, lockAggregate } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import type { Principal } from '../../platform/http/access.js';
import { hashSecret, newId, newSecret } from '../../platform/ids.js';
import { queueMail } from '../../platform/mail.js';
import { generatePassword, hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from '../../platform/password.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { ALL_STORES_PERMISSIONS, isPermission, isRole, ROLE_PERMISSIONS, type Permission, type Role } from '../../platform/access/permissions.js';
import { apiKeys, staffPasswordResets, staffSessions, staffUsers } from './schema.js';

export type StaffUserRow = typeof staffUsers.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function publicStaff(u: StaffUserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    storeIds: u.storeIds,
    status: u.status,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    version: u.version,
  };
}

export function publicApiKey(k: ApiKeyRow) {
  return {
    id: k.id,
    kind: k.kind,
    name: k.name,
    tokenHint: k.tokenHint,
    scopes: k.scopes,
    storeIds: k.storeIds,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    version: k.version,
  };
}

function normaliseEmail(email: string) {
  return email.trim().toLowerCase();
}

function checkRole(role: string): Role {
  if (!isRole(role)) throw badRequest(`Unknown role "${role}".`, [{ field: '/role', message: 'not a role; see GET /v1/roles' }]);
  return role;
}

async function staffEvent(tx: Executor, ctx: RequestContext, type: 'staff_user.created' | 'staff_user.updated' | 'staff_user.disabled', user: StaffUserRow) {
  await emit(tx, { type, aggregateType: 'staff_user', aggregateId: user.id, actor: ctx.actor, data: { staffUser: publicStaff(user) } });
}

// ---------------------------------------------------------------- staff users

export async function createStaffUser(
  db: Db,
  ctx: RequestContext,
  input: { email: string; name: string; role: string; storeIds?: string[] | null; password?: string },
): Promise<{ user: StaffUserRow; generatedPassword?: string }> {
  const role = checkRole(input.role);
  const generated = input.password ? undefined : generatePassword();
  const password = input.password ?? generated!;
  const problem = passwordProblem(password);
  if (problem) throw badRequest(problem, [{ field: '/password', message: problem }]);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const exists = await tx.select({ id: staffUsers.id }).from(staffUsers).where(sql`lower(${staffUsers.email}) = ${normaliseEmail(input.email)}`);
    if (exists.length) throw conflict(`A staff user with e-mail ${input.email} exists already.`, 'email_taken');
    // Two requests with one e-mail at once: the unique index decides, and the loser gets the same 409.
    const [user] = await tx
      .insert(staffUsers)
      .values({ id: newId('staff'), email: input.email.trim(), name: input.name.trim(), role, storeIds: input.storeIds ?? null, passwordHash })
      .onConflictDoNothing()
      .returning();
    if (!user) throw conflict(`A staff user with e-mail ${input.email} exists already.`, 'email_taken');
    await recordAudit(tx, ctx, { action: 'staff_user.create', resourceType: 'staff_user', resourceId: user.id, after: publicStaff(user) });
    await staffEvent(tx, ctx, 'staff_user.created', user);
    return { user, generatedPassword: generated };
  });
}

/** SQL: the row's stores lie within `stores` (a scoped caller's; never an unscoped row). */
function storesWithin(column: typeof staffUsers.storeIds | typeof apiKeys.storeIds, stores: readonly string[]) {
  return sql`(${column} is not null and ${column} <@ ${sql.param([...stores])}::text[])`;
}

/** `within`: only users limited to some of these stores (what a caller scoped to them may see). */
export async function listStaffUsers(db: Executor, q: { limit: number; cursor?: string; role?: string; status?: string; within?: readonly string[] }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (q.within) where.push(storesWithin(staffUsers.storeIds, q.within));
  if (after) where.push(lt(staffUsers.id, after));
  if (q.role) where.push(eq(staffUsers.role, q.role));
  if (q.status) where.push(eq(staffUsers.status, q.status as 'active'));
  const rows = await db.select().from(staffUsers).where(where.length ? and(...where) : undefined).orderBy(desc(staffUsers.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

export async function getStaffUser(db: Executor, id: string) {
  const [u] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
  if (!u) throw notFound('staff user', id);
  return u;
}

export async function updateStaffUser(
  db: Db,
  ctx: RequestContext,
  id: string,
  patch: { name?: string; role?: string; storeIds?: string[] | null; status?: 'active' | 'disabled'; password?: string },
  expected: number | undefined,
  onAccessChanged: () => void,
) {
  if (patch.role) checkRole(patch.role);
  if (patch.password) {
    const problem = passwordProblem(patch.password);
    if (problem) throw badRequest(problem, [{ field: '/password', message: problem }]);
  }
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  const result = await db.transaction(async (tx) => {
    await lockAggregate(tx, 'staff_user', id);
    const [before] = await tx.select().from(staffUsers).where(eq(staffUsers.id, id)).for('update');
    if (!before) throw notFound('staff user', id);
    checkVersion('staff user', id, before.version, expected);
    if (ctx.actor.id === id && (patch.status === 'disabled' || (patch.role && patch.role !== before.role))) {
      throw forbidden('You cannot disable yourself or change your own role; ask another admin.');
    }
    if (before.role === 'admin' && ((patch.role && patch.role !== 'admin') || patch.status === 'disabled')) {
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(staffUsers).where(and(eq(staffUsers.role, 'admin'), eq(staffUsers.status, 'active')));
      if (n <= 1) throw conflict('This is the last active admin; make someone else admin first.', 'last_admin');
    }
    const [after] = await tx
      .update(staffUsers)
      .set({
        ...(patch.name !== undefined && { name: patch.name.trim() }),
        ...(patch.role !== undefined && { role: patch.role }),
        ...(patch.storeIds !== undefined && { storeIds: patch.storeIds }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(passwordHash && { passwordHash }),
        updatedAt: new Date(),
        version: before.version + 1,
      })
      .where(eq(staffUsers.id, id))
      .returning();
    const accessChanged = patch.status === 'disabled' || patch.role !== undefined || patch.storeIds !== undefined || !!passwordHash;
    if (patch.status === 'disabled' || passwordHash) {
      await tx.update(staffSessions).set({ revokedAt: new Date() }).where(and(eq(staffSessions.staffId, id), isNull(staffSessions.revokedAt)));
    }
    await recordAudit(tx, ctx, { action: 'staff_user.update', resourceType: 'staff_user', resourceId: id, before: publicStaff(before), after: publicStaff(after) });
    await staffEvent(tx, ctx, patch.status === 'disabled' && before.status !== 'disabled' ? 'staff_user.disabled' : 'staff_user.updated', after);
    return { after, accessChanged };
  });
  if (result.accessChanged) onAccessChanged();
  return result.after;
}

/** First start, or `winkel create-admin`: makes (or resets) an admin and returns its password. */
export async function ensureAdmin(db: Db, email: string, name: string, password?: string): Promise<{ user: StaffUserRow; password: string; created: boolean }> {
  const pw = password ?? generatePassword();
  const problem = passwordProblem(pw);
  if (problem) throw new Error(problem);
  const [existing] = await db.select().from(staffUsers).where(sql`lower(${staffUsers.email}) = ${normaliseEmail(email)}`);
  const ctx: RequestContext = { actor: { type: 'system', label: 'winkel create-admin' } };
  if (existing) {
    const user = await updateStaffUser(db, ctx, existing.id, { role: 'admin', status: 'active', password: pw }, undefined, () => {});
    return { user, password: pw, created: false };
  }
  const { user } = await createStaffUser(db, ctx, { email, name, role: 'admin', password: pw });
  return { user, password: pw, created: true };
}

export async function listAdminEmails(db: Executor): Promise<string[]> {
  const rows = await db.select({ email: staffUsers.email }).from(staffUsers).where(and(eq(staffUsers.role, 'admin'), eq(staffUsers.status, 'active')));
  return rows.map((r) => r.email);
}

export async function countStaff(db: Executor): Promise<number> {
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(staffUsers);
  return n;
}

// ---------------------------------------------------------------- staff sessions

export async function staffSignIn(db: Db, email: string, password: string, sessionHours: number, meta: { ip?: string; userAgent?: string }) {
  const [user] = await db.select().from(staffUsers).where(sql`lower(${staffUsers.email}) = ${normaliseEmail(email)}`);
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstNothing(password);
  if (!user || !ok) throw new Problem({ status: 401, code: 'bad_credentials', title: 'Sign-in failed', detail: 'E-mail or password is wrong.' });
  if (user.status !== 'active') throw new Problem({ status: 403, code: 'account_disabled', title: 'Account disabled', detail: 'This staff account is disabled; ask an admin.' });
  const token = newSecret('wst');
  const expiresAt = new Date(Date.now() + sessionHours * 3600_000);
  return db.transaction(async (tx) => {
    const [session] = await tx
      .insert(staffSessions)
      .values({ id: newId('staffSession'), staffId: user.id, tokenHash: hashSecret(token), expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) })
      .returning();
    await tx.update(staffUsers).set({ lastSignInAt: new Date() }).where(eq(staffUsers.id, user.id));
    await recordAudit(tx, { actor: { type: 'staff', id: user.id, label: user.email }, ip: meta.ip }, { action: 'staff_session.create', resourceType: 'staff_session', resourceId: session.id });
    return { token, session, user };
  });
}

/** Housekeeping: forgets sessions ended more than 30 days ago and reset links expired a week ago. */
export async function purgeEndedStaffSessions(db: Executor) {
  await db.execute(sql`delete from staff_sessions where expires_at < now() - interval '30 days' or revoked_at < now() - interval '30 days'`);
  await db.execute(sql`delete from staff_password_resets where expires_at < now() - interval '7 days'`);
}

// ---------------------------------------------------------------- password reset

const RESET_MINUTES = 60;

/**
 * E-mails a single-use link to the staff sign-in's reset page, valid for an hour. Always succeeds
 * from the caller's view (nothing is sent for an unknown or disabled address), so it cannot be
 * used to find out who works here.
 */
export async function requestStaffPasswordReset(db: Db, email: string, publicUrl: string, locale: 'nl' | 'en' = 'en') {
  const [user] = await db.select().from(staffUsers).where(sql`lower(${staffUsers.email}) = ${normaliseEmail(email)}`);
  if (!user || user.status !== 'active') return;
  const token = newSecret('rst');
  await db.transaction(async (tx) => {
    await tx.insert(staffPasswordResets).values({ id: newId('staffPasswordReset'), staffId: user.id, tokenHash: hashSecret(token), expiresAt: new Date(Date.now() + RESET_MINUTES * 60_000) });
    // The token travels in the fragment: browsers never send it to the server or in a Referer.
    const link = `${publicUrl}/reset-password#token=${encodeURIComponent(token)}`;
    const nl = locale === 'nl';
    await queueMail(tx, {
      to: user.email,
      purpose: 'staff_password_reset',
      subject: nl ? 'Stel je Winkel-wachtwoord opnieuw in' : 'Reset your Winkel password',
      text: nl
        ? `Hallo ${user.name},\n\nKies een nieuw wachtwoord voor Winkel via deze link (${RESET_MINUTES} minuten geldig, één keer te gebruiken):\n${link}\n\nAl je sessies worden daarna beëindigd. Heb je dit niet gevraagd? Dan hoef je niets te doen.\n`
        : `Hello ${user.name},\n\nChoose a new Winkel password with this link (valid for ${RESET_MINUTES} minutes, once):\n${link}\n\nAll your sessions end when you do. Did not ask for this? Then there is nothing to do.\n`,
    });
  });
}

/** Sets a new password with an e-mailed token: the token is used up, every session of the user ends. */
export async function resetStaffPassword(db: Db, token: string, password: string, onAccessChanged: () => void) {
  const problem = passwordProblem(password);
  if (problem) throw badRequest(problem, [{ field: '/password', message: problem }]);
  const passwordHash = await hashPassword(password);
  const invalid = () => new Problem({ status: 422, code: 'reset_token_invalid', title: 'Reset link not valid', detail: 'This reset link is unknown, used or expired; ask for a new one.' });
  const user = await db.transaction(async (tx) => {
    const [reset] = await tx.select().from(staffPasswordResets).where(eq(staffPasswordResets.tokenHash, hashSecret(token))).for('update');
    if (!reset || reset.usedAt || reset.expiresAt < new Date()) throw invalid();
    await lockAggregate(tx, 'staff_user', reset.staffId);
    const [before] = await tx.select().from(staffUsers).where(eq(staffUsers.id, reset.staffId)).for('update');
    if (!before || before.status !== 'active') throw invalid();
    // This link and any other still open for the user are used up.
    await tx.update(staffPasswordResets).set({ usedAt: new Date() }).where(and(eq(staffPasswordResets.staffId, reset.staffId), isNull(staffPasswordResets.usedAt)));
    const [after] = await tx.update(staffUsers).set({ passwordHash, updatedAt: new Date(), version: before.version + 1 }).where(eq(staffUsers.id, before.id)).returning();
    // The old password may be known to someone else: end every session.
    await tx.update(staffSessions).set({ revokedAt: new Date() }).where(and(eq(staffSessions.staffId, before.id), isNull(staffSessions.revokedAt)));
    const ctx: RequestContext = { actor: { type: 'staff', id: before.id, label: before.email } };
    await recordAudit(tx, ctx, { action: 'staff_user.password_reset', resourceType: 'staff_user', resourceId: before.id });
    await staffEvent(tx, ctx, 'staff_user.updated', after);
    return after;
  });
  onAccessChanged();
  return user;
}

export async function revokeStaffSession(db: Db, ctx: RequestContext, staffId: string, sessionId: string) {
  const rows = await db.transaction(async (tx) => {
    const r = await tx
      .update(staffSessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(staffSessions.id, sessionId), eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt)))
      .returning({ id: staffSessions.id });
    if (r.length) await recordAudit(tx, ctx, { action: 'staff_session.revoke', resourceType: 'staff_session', resourceId: sessionId });
    return r;
  });
  if (!rows.length) throw notFound('active session', sessionId);
}

export async function listStaffSessions(db: Executor, staffId: string) {
  return db
    .select()
    .from(staffSessions)
    .where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date())))
    .orderBy(desc(staffSessions.id));
}

// ---------------------------------------------------------------- API keys

export async function createApiKey(
  db: Db,
  ctx: RequestContext,
  input: { kind: 'secret' | 'publishable'; name: string; scopes?: string[]; storeIds?: string[] | null },
  grantable: ReadonlySet<string>,
) {
  let scopes: string[];
  if (input.kind === 'publishable') {
    if (input.scopes && input.scopes.some((s) => s !== 'storefront')) {
      throw badRequest('Publishable keys can only open storefront routes; leave scopes out.', [{ field: '/scopes', message: 'only "storefront" allowed' }]);
    }
    scopes = ['storefront'];
  } else {
    scopes = [...new Set(input.scopes ?? [])];
    const errors = scopes.map((s, i): FieldError | null => (!isPermission(s) ? { field: `/scopes/${i}`, message: `unknown scope "${s}"` } : null)).filter((e) => e !== null);
    if (errors.length) throw badRequest('Some scopes are not permissions Winkel knows; see GET /v1/roles.', errors);
    const beyond = scopes.filter((s) => !grantable.has(s));
    if (beyond.length) throw forbidden(`You cannot grant scopes you do not have yourself: ${beyond.join(', ')}.`);
    // What spans every store (the event log, webhooks, the mail catcher) is refused to a key of some
    // stores on every call: say so now rather than hand out a key that can never use it.
    const chainWide = input.storeIds ? scopes.filter((s) => ALL_STORES_PERMISSIONS.has(s as Permission)) : [];
    if (chainWide.length) {
      throw unprocessable(
        `A key limited to stores cannot use ${chainWide.join(', ')}: they span every store. Leave them out, or make the key for every store (storeIds: null).`,
        'scope_needs_all_stores',
      );
    }
  }
  const token = newSecret(input.kind === 'secret' ? 'sk' : 'pk');
  return db.transaction(async (tx) => {
    const [key] = await tx
      .insert(apiKeys)
      .values({
        id: newId('apiKey'),
        kind: input.kind,
        name: input.name.trim(),
        tokenHash: hashSecret(token),
        tokenHint: `${token.slice(0, 7)}…${token.slice(-4)}`,
        scopes,
        storeIds: input.storeIds ?? null,
        createdBy: ctx.actor.id ?? null,
      })
      .returning();
    await recordAudit(tx, ctx, { action: 'api_key.create', resourceType: 'api_key', resourceId: key.id, after: publicApiKey(key) });
    await emit(tx, { type: 'api_key.created', aggregateType: 'api_key', aggregateId: key.id, actor: ctx.actor, data: { apiKey: publicApiKey(key) } });
    return { key, token };
  });
}

/** The key list is what integrators poll most: a prepared statement, planned once per connection. */
const listKeysStatement = new WeakMap<Executor, ReturnType<typeof prepareListKeys>>();
function prepareListKeys(db: Executor) {
  return db
    .select()
    .from(apiKeys)
    .where(and(or(sql`${sql.placeholder('after')}::text is null`, lt(apiKeys.id, sql.placeholder('after'))), or(sql`${sql.placeholder('all')}::boolean`, isNull(apiKeys.revokedAt))))
    .orderBy(desc(apiKeys.id))
    .limit(sql.placeholder('n'))
    .prepare('winkel_list_api_keys');
}

/** `within`: only keys limited to some of these stores (what a caller scoped to them may see). */
export async function listApiKeys(db: Executor, q: { limit: number; cursor?: string; includeRevoked?: boolean; within?: readonly string[] }) {
  const after = decodeCursor(q.cursor) ?? null;
  if (q.within) {
    const where: SQL[] = [storesWithin(apiKeys.storeIds, q.within)];
    if (after) where.push(lt(apiKeys.id, after));
    if (!q.includeRevoked) where.push(isNull(apiKeys.revokedAt));
    const rows = await db.select().from(apiKeys).where(and(...where)).orderBy(desc(apiKeys.id)).limit(q.limit + 1);
    return toPage(rows, q.limit, (r) => r.id);
  }
  let statement = listKeysStatement.get(db);
  if (!statement) listKeysStatement.set(db, (statement = prepareListKeys(db)));
  const rows = await statement.execute({ after, all: !!q.includeRevoked, n: q.limit + 1 });
  return toPage(rows, q.limit, (r) => r.id);
}

/** The staff users and keys limited to some of these stores: whose audit entries a caller scoped to them may read. */
export async function actorIdsWithin(db: Executor, stores: readonly string[]): Promise<string[]> {
  const users = await db.select({ id: staffUsers.id }).from(staffUsers).where(storesWithin(staffUsers.storeIds, stores));
  const keys = await db.select({ id: apiKeys.id }).from(apiKeys).where(storesWithin(apiKeys.storeIds, stores));
  return [...users, ...keys].map((r) => r.id);
}

export async function getApiKey(db: Executor, id: string) {
  const [k] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  if (!k) throw notFound('API key', id);
  return k;
}

export async function revokeApiKey(db: Db, ctx: RequestContext, id: string, onAccessChanged: () => void) {
  const key = await db.transaction(async (tx) => {
    await lockAggregate(tx, 'api_key', id);
    const [before] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
    if (!before) throw notFound('API key', id);
    if (before.revokedAt) return before;
    const [after] = await tx.update(apiKeys).set({ revokedAt: new Date(), version: before.version + 1 }).where(eq(apiKeys.id, id)).returning();
    await recordAudit(tx, ctx, { action: 'api_key.revoke', resourceType: 'api_key', resourceId: id, before: publicApiKey(before), after: publicApiKey(after) });
    await emit(tx, { type: 'api_key.revoked', aggregateType: 'api_key', aggregateId: id, actor: ctx.actor, data: { apiKey: publicApiKey(after) } });
    return after;
  });
  onAccessChanged();
  return key;
}

// ---------------------------------------------------------------- principals

/**
 * Resolves staff session tokens and API keys. Results are cached briefly per token hash; any
 * change of access (revocation, role change, disabling) clears the cache in every process.
 */
export class StaffPrincipals {
  private cache = new Map<string, { principal: Principal | null; until: number }>();
  private lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5000,
  ) {}

  clear() {
    this.cache.clear();
  }

  async resolve(token: string): Promise<Principal | null> {
    const hash = hashSecret(token);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const principal = token.startsWith('wst_') ? await this.fromSession(hash) : await this.fromKey(hash);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: now + this.ttlMs });
    if (principal && principal.kind !== 'staff') this.touchKey(principal.id);
    return principal;
  }

  private async fromSession(hash: string): Promise<Principal | null> {
    const [row] = await this.db
      .select({ session: staffSessions, user: staffUsers })
      .from(staffSessions)
      .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffId))
      .where(and(eq(staffSessions.tokenHash, hash), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date())));
    if (!row || row.user.status !== 'active' || !isRole(row.user.role)) return null;
    return {
      kind: 'staff',
      id: row.user.id,
      label: row.user.email,
      role: row.user.role,
      permissions: new Set(ROLE_PERMISSIONS[row.user.role]),
      storeIds: row.user.storeIds,
      sessionId: row.session.id,
    };
  }

  private async fromKey(hash: string): Promise<Principal | null> {
    const [key] = await this.db.select().from(apiKeys).where(and(eq(apiKeys.tokenHash, hash), isNull(apiKeys.revokedAt)));
    if (!key) return null;
    if (key.kind === 'publishable') return { kind: 'publishable_key', id: key.id, label: key.name, permissions: new Set(['storefront']) };
    return { kind: 'secret_key', id: key.id, label: key.name, permissions: new Set(key.scopes), storeIds: key.storeIds };
  }

  /** Records `lastUsedAt` at most once a minute per key, off the request's path. */
  private touchKey(id: string) {
    const now = Date.now();
    if ((this.lastUsedWritten.get(id) ?? 0) > now - 60_000) return;
    this.lastUsedWritten.set(id, now);
    this.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date() })
      .where(eq(apiKeys.id, id))
      .catch(() => undefined);
  }
}

export function requireStaff(p: Principal | undefined) {
  if (!p) throw unauthorized();
  if (p.kind !== 'staff') throw forbidden('Only a signed-in staff user can do this.');
  return p;
}

