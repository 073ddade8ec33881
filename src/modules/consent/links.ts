// Signed unsubscribe links. A token is `<payload>.<signature>`: the payload (base64url JSON) names the
// e-mail address, the purposes to withdraw, when it was issued and which key signed it; the signature
// is HMAC-SHA256 over the payload with that key. Keys live in the database (made on first use) so every
// process of an installation signs and verifies alike, and old links keep verifying after a new key
// is added. Links do not expire unless UNSUBSCRIBE_LINK_DAYS is set; an expired or tampered link is
// answered with an explicit error that says what to do instead, never with a silent success.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { Problem } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { consentLinkKeys } from './schema.js';
import { normaliseEmail, PURPOSES, type Purpose } from './service.js';

interface Payload {
  /** key id */
  k: string;
  /** e-mail, normalised */
  e: string;
  /** purposes to withdraw */
  p: Purpose[];
  /** issued at, Unix seconds */
  t: number;
}

const keyCache = new Map<string, Buffer>();

async function signingKey(db: Executor): Promise<{ id: string; secret: Buffer }> {
  let [row] = await db.select().from(consentLinkKeys).orderBy(desc(consentLinkKeys.createdAt), desc(consentLinkKeys.id)).limit(1);
  if (!row) {
    await db.insert(consentLinkKeys).values({ id: newId('consentLinkKey'), secret: randomBytes(32).toString('base64url') }).onConflictDoNothing();
    [row] = await db.select().from(consentLinkKeys).orderBy(desc(consentLinkKeys.createdAt), desc(consentLinkKeys.id)).limit(1);
  }
  const secret = Buffer.from(row.secret, 'base64url');
  keyCache.set(row.id, secret);
  return { id: row.id, secret };
}

async function keyById(db: Executor, id: string): Promise<Buffer | null> {
  const cached = keyCache.get(id);
  if (cached) return cached;
  const [row] = await db.select().from(consentLinkKeys).where(eq(consentLinkKeys.id, id));
  if (!row) return null;
  const secret = Buffer.from(row.secret, 'base64url');
  keyCache.set(id, secret);
  return secret;
}

const sign = (secret: Buffer, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export async function createUnsubscribeToken(db: Executor, email: string, purposes: Purpose[] = ['email'], now = new Date()): Promise<string> {
  const key = await signingKey(db);
  const payload: Payload = { k: key.id, e: normaliseEmail(email), p: [...new Set(purposes)], t: Math.floor(now.getTime() / 1000) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(key.secret, body)}`;
}

export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/v1/consents/unsubscribe?token=${encodeURIComponent(token)}`;
}

const invalid = () =>
  new Problem({
    status: 400,
    code: 'invalid_unsubscribe_link',
    title: 'This unsubscribe link is not valid',
    detail: 'The link is incomplete or was changed. Open it again from the e-mail, or sign in and change your choices on your account page.',
    errors: [{ field: '/token', in: 'query', message: 'not a valid signed token' }],
  });

export interface VerifiedToken {
  email: string;
  purposes: Purpose[];
  issuedAt: Date;
  /** null when links never expire. */
  expiresAt: Date | null;
}

/** Checks a token; throws a 400 (tampered/unknown) or 410 (expired) problem that says what to do. */
export async function verifyUnsubscribeToken(db: Executor, token: string, validDays: number, now = new Date()): Promise<VerifiedToken> {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
  if (!m) throw invalid();
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as Payload;
  } catch {
    throw invalid();
  }
  if (typeof payload?.k !== 'string' || typeof payload.e !== 'string' || !Array.isArray(payload.p) || typeof payload.t !== 'number') throw invalid();
  const secret = await keyById(db, payload.k);
  if (!secret) throw invalid();
  const expected = Buffer.from(sign(secret, m[1]));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  const purposes = payload.p.filter((p): p is Purpose => (PURPOSES as readonly string[]).includes(p));
  if (!purposes.length) throw invalid();
  const issuedAt = new Date(payload.t * 1000);
  const expiresAt = validDays > 0 ? new Date(issuedAt.getTime() + validDays * 86_400_000) : null;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new Problem({
      status: 410,
      code: 'unsubscribe_link_expired',
      title: 'This unsubscribe link has expired',
      detail: `Links in our e-mails work for ${validDays} days; this one expired on ${expiresAt.toISOString().slice(0, 10)}. Nothing was changed. Use the link in a newer e-mail, or sign in and change your choices on your account page.`,
      extra: { expiredAt: expiresAt.toISOString() },
    });
  }
  return { email: payload.e, purposes, issuedAt, expiresAt };
}

/** `j***@example.com`: enough for a person to recognise their address, not enough to leak it. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}***@${domain ?? ''}`;
}
