// Gift cards: issue, balance, redeem, reload and refunds back onto the card. Every balance change
// goes through changeBalance, which writes the ledger row and the derived balance together under a
// guard that the balance never goes below zero. Codes are shown once, at issue; only their hash
// and last four characters are kept.
import { createHash, randomInt } from 'node:crypto';
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound, Problem } from '../../platform/errors.js';
import { emit, lockAggregate, type Actor } from '../../platform/events/outbox.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { giftCardLedger, giftCards } from './schema.js';

export type GiftCardRow = typeof giftCards.$inferSelect;
export type LedgerKind = (typeof giftCardLedger.$inferInsert)['kind'];

// No 0/O, 1/I/L: codes are read aloud and typed from paper.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function normaliseCode(code: string) {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function hashCode(code: string) {
  return createHash('sha256').update(`winkel-gift-card:${normaliseCode(code)}`).digest('hex');
}

/** GC-XXXX-XXXX-XXXX-XXXX: 16 characters from 31, about 79 bits. */
export function generateCode() {
  const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `GC-${chars.match(/.{4}/g)!.join('-')}`;
}

export const maskCode = (last4: string) => `GC-••••-••••-••••-${last4}`;

export function publicGiftCard(g: GiftCardRow) {
  return {
    id: g.id,
    maskedCode: maskCode(g.last4),
    currency: g.currency,
    balance: g.balance,
    initialAmount: g.initialAmount,
    status: g.status,
    customerId: g.customerId,
    origin: g.origin,
    reference: g.reference,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
    version: g.version,
  };
}

export class GiftCardError extends Problem {}

/**
 * The one place a balance changes: a guarded update (never below zero, card active for debits)
 * and the ledger row, in the caller's transaction.
 */
export async function changeBalance(db: Executor, actor: Actor, input: { giftCardId: string; kind: LedgerKind; amount: number; reference?: string | null }) {
  if (!Number.isInteger(input.amount) || input.amount === 0) throw badRequest('A gift card change is a whole number of cents, not 0.', [{ field: '/amount', message: 'whole cents, not 0' }]);
  // Atomic on its own (a savepoint inside the caller's transaction, or a transaction of its own).
  return (db as Db).transaction((tx) => changeBalanceTx(tx, actor, input));
}

async function changeBalanceTx(tx: Tx, actor: Actor, input: { giftCardId: string; kind: LedgerKind; amount: number; reference?: string | null }) {
  const { giftCardId, kind, amount } = input;
  const debit = amount < 0;
  const r = await tx.execute<{ balance: string; customer_id: string | null; currency: string }>(sql`
    update gift_cards set balance = balance + ${amount}, updated_at = now(), version = version + 1
    where id = ${giftCardId} and balance + ${amount} >= 0 ${debit ? sql`and status = 'active'` : sql``}
    returning balance, customer_id, currency`);
  const after = r.rows[0];
  if (!after) {
    const [g] = await tx.select().from(giftCards).where(eq(giftCards.id, giftCardId));
    if (!g) throw notFound('gift card', giftCardId);
    if (g.status !== 'active') throw new GiftCardError({ status: 409, code: 'gift_card_disabled', title: 'Gift card disabled', detail: `Gift card ${maskCode(g.last4)} is disabled.` });
    throw new GiftCardError({ status: 409, code: 'insufficient_balance', title: 'Not enough on the gift card', detail: `Gift card ${maskCode(g.last4)} holds ${g.balance} cents; ${-amount} asked.`, extra: { balance: g.balance } });
  }
  const balanceAfter = Number(after.balance);
  const entryId = newId('giftCardEntry');
  await tx.insert(giftCardLedger).values({ id: entryId, giftCardId, kind, amount, balanceAfter, reference: input.reference ?? null, actor });
  await emit(tx, {
    type: kind === 'issue' ? 'gift_card.issued' : 'gift_card.balance_changed',
    aggregateType: 'gift_card',
    aggregateId: giftCardId,
    customerId: after.customer_id,
    actor,
    data: { giftCard: { id: giftCardId, balance: balanceAfter, currency: after.currency }, entry: { id: entryId, kind, amount, reference: input.reference ?? null } },
  });
  return { entryId, balance: balanceAfter };
}

/** Issues a card; answers the full code, which is never shown again. */
export async function issueGiftCardInTx(tx: Tx, ctx: RequestContext, input: { amount: number; currency?: string; customerId?: string | null; origin?: GiftCardRow['origin']; reference?: string | null }) {
  if (!Number.isInteger(input.amount) || input.amount <= 0) throw badRequest('A gift card is issued with a whole number of cents above 0.', [{ field: '/amount', message: 'above 0' }]);
  for (let attempt = 0; ; attempt++) {
    const code = generateCode();
    const id = newId('giftCard');
    const inserted = await tx
      .insert(giftCards)
      .values({ id, codeHash: hashCode(code), last4: normaliseCode(code).slice(-4), currency: input.currency ?? 'EUR', balance: 0, initialAmount: input.amount, customerId: input.customerId ?? null, origin: input.origin ?? 'sold', reference: input.reference ?? null })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) {
      if (attempt > 5) throw new Error('could not generate a unique gift card code');
      continue; // a code that exists already (astronomically rare): draw again
    }
    await changeBalance(tx, ctx.actor, { giftCardId: id, kind: 'issue', amount: input.amount, reference: input.reference });
    const [g] = await tx.select().from(giftCards).where(eq(giftCards.id, id));
    await recordAudit(tx, ctx, { action: 'gift_card.issue', resourceType: 'gift_card', resourceId: id, after: publicGiftCard(g) });
    return { code, giftCard: g };
  }
}

export async function issueGiftCard(db: Db, ctx: RequestContext, input: Parameters<typeof issueGiftCardInTx>[2]) {
  return db.transaction((tx) => issueGiftCardInTx(tx, ctx, input));
}

export async function findByCode(db: Executor, code: string) {
  const [g] = await db.select().from(giftCards).where(eq(giftCards.codeHash, hashCode(code)));
  return g;
}

export async function getGiftCard(db: Executor, id: string) {
  const [g] = await db.select().from(giftCards).where(eq(giftCards.id, id));
  if (!g) throw notFound('gift card', id);
  return g;
}

export async function giftCardEntries(db: Executor, id: string) {
  return db.select().from(giftCardLedger).where(eq(giftCardLedger.giftCardId, id)).orderBy(desc(giftCardLedger.seq)).limit(200);
}

export async function reloadGiftCard(db: Db, ctx: RequestContext, id: string, amount: number, reference?: string) {
  if (!Number.isInteger(amount) || amount <= 0) throw badRequest('Reload a whole number of cents above 0.', [{ field: '/amount', message: 'above 0' }]);
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'gift_card', id);
    const r = await changeBalance(tx, ctx.actor, { giftCardId: id, kind: 'reload', amount, reference });
    await recordAudit(tx, ctx, { action: 'gift_card.reload', resourceType: 'gift_card', resourceId: id, after: { amount, balance: r.balance } });
    return getGiftCard(tx, id);
  });
}

/** Redeems at a till or in a checkout: the code, the amount; answers the ledger entry (the payment reference). */
export async function redeemByCode(db: Executor, actor: Actor, code: string, amount: number, reference?: string, currency?: string) {
  const g = await findByCode(db, code);
  if (!g) throw new GiftCardError({ status: 422, code: 'unknown_gift_card', title: 'Unknown gift card', detail: 'No gift card has this code; check it and try again.', errors: [{ field: '/code', message: 'unknown' }] });
  if (currency && g.currency !== currency) throw new GiftCardError({ status: 422, code: 'currency_mismatch', title: 'Wrong currency', detail: `The gift card is in ${g.currency}, the payment in ${currency}.` });
  const r = await changeBalance(db, actor, { giftCardId: g.id, kind: 'redeem', amount: -amount, reference });
  return { giftCard: g, ...r };
}

export async function setGiftCardStatus(db: Db, ctx: RequestContext, id: string, status: 'active' | 'disabled') {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'gift_card', id);
    const before = await getGiftCard(tx, id);
    const [g] = await tx.update(giftCards).set({ status, updatedAt: new Date(), version: before.version + 1 }).where(eq(giftCards.id, id)).returning();
    await recordAudit(tx, ctx, { action: `gift_card.${status === 'active' ? 'enable' : 'disable'}`, resourceType: 'gift_card', resourceId: id, before: publicGiftCard(before), after: publicGiftCard(g) });
    await emit(tx, { type: 'gift_card.status_changed', aggregateType: 'gift_card', aggregateId: id, customerId: g.customerId, actor: ctx.actor, data: { giftCard: publicGiftCard(g) } });
    return g;
  });
}

export async function listGiftCards(db: Executor, q: { limit: number; cursor?: string; customerId?: string; status?: 'active' | 'disabled' }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(giftCards.id, after));
  if (q.customerId) where.push(eq(giftCards.customerId, q.customerId));
  if (q.status) where.push(eq(giftCards.status, q.status));
  const rows = await db.select().from(giftCards).where(where.length ? and(...where) : undefined).orderBy(desc(giftCards.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

/** The card a ledger entry belongs to (gift card payments use the redeem entry as their reference). */
export async function cardOfEntry(db: Executor, entryId: string) {
  const [e] = await db.select().from(giftCardLedger).where(eq(giftCardLedger.id, entryId));
  if (!e) throw conflict(`No gift card ledger entry ${entryId}.`, 'unknown_reference');
  return e;
}
