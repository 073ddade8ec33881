// The storefront's start-up settings. The web shop runs for guests, so it needs a credential that
// needs no sign-in: a publishable key, made by Winkel itself the first time a shop asks for it and
// made again if staff revoke it (that is how it is rotated).
import { eq, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { createApiKey, getApiKey } from '../access/index.js';
import { SYSTEM } from '../../platform/context.js';
import { TEST_CARDS } from '../payments/index.js';
import { storefrontSettings } from './schema.js';

const WEB = 'web';
/** Serialises the first provisioning across processes (advisory lock key). */
const PROVISION_LOCK = 7_261_051;

type SettingsRow = typeof storefrontSettings.$inferSelect;

export function publicStorefrontConfig(row: SettingsRow) {
  return {
    publishableKey: row.publishableKey,
    apiKeyId: row.apiKeyId,
    channel: row.channel as 'web',
    country: row.country as 'NL' | 'BE',
    currency: row.currency,
    testCards: Object.entries(TEST_CARDS).map(([outcome, number]) => ({ number: number.replace(/(\d{4})(?=\d)/g, '$1 '), outcome })),
  };
}

async function usable(db: Executor, row: SettingsRow | undefined): Promise<boolean> {
  if (!row) return false;
  const key = await getApiKey(db, row.apiKeyId).catch(() => undefined);
  return !!key && !key.revokedAt && key.kind === 'publishable';
}

/** The web storefront's settings, with a working publishable key (made on first use, or after a revocation). */
export async function webStorefrontConfig(db: Db) {
  const [row] = await db.select().from(storefrontSettings).where(eq(storefrontSettings.id, WEB));
  if (await usable(db, row)) return publicStorefrontConfig(row!);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${PROVISION_LOCK})`);
    const [again] = await tx.select().from(storefrontSettings).where(eq(storefrontSettings.id, WEB));
    if (await usable(tx, again)) return publicStorefrontConfig(again!);
    // createApiKey opens its own (nested) transaction: a savepoint inside this one.
    const { key, token } = await createApiKey(tx as unknown as Db, SYSTEM, { kind: 'publishable', name: 'Web storefront (made by Winkel)' }, new Set());
    const [saved] = await tx
      .insert(storefrontSettings)
      .values({ id: WEB, apiKeyId: key.id, publishableKey: token })
      .onConflictDoUpdate({ target: storefrontSettings.id, set: { apiKeyId: key.id, publishableKey: token, updatedAt: new Date() } })
      .returning();
    return publicStorefrontConfig(saved);
  });
}
