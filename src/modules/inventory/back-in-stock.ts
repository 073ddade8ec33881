// Back-in-stock notifications: a shopper asks to hear when a variant can be had again (at a chosen
// store, or anywhere online); when stock.back_in_stock fires there, the e-mail is queued in the same
// transaction as marking the request notified, so each shopper hears exactly once.
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { emit, isEvent, type DomainEvent, type Subscription } from '../../platform/events/outbox.js';
import { newId } from '../../platform/ids.js';
import { queueMail } from '../../platform/mail.js';
import { findVariant } from '../catalog/index.js';
import { backInStockSubscriptions, stockLocations } from './schema.js';

export async function subscribeBackInStock(db: Db, input: { email: string; sku?: string; variantId?: string; locationId?: string | null; customerId?: string | null; locale?: 'nl' | 'en' }) {
  const v = await findVariant(db, input);
  if (!v) throw notFound('variant', input.variantId ?? input.sku);
  if (input.locationId) {
    const [l] = await db.select({ id: stockLocations.id }).from(stockLocations).where(eq(stockLocations.id, input.locationId));
    if (!l) throw badRequest(`No location ${input.locationId}.`, [{ field: '/locationId', message: 'no such location' }]);
  }
  const email = input.email.trim().toLowerCase();
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(backInStockSubscriptions)
      .where(and(eq(backInStockSubscriptions.email, email), eq(backInStockSubscriptions.variantId, v.id), eq(backInStockSubscriptions.status, 'active'), input.locationId ? eq(backInStockSubscriptions.locationId, input.locationId) : isNull(backInStockSubscriptions.locationId)));
    if (existing) return existing;
    const [s] = await tx
      .insert(backInStockSubscriptions)
      .values({ id: newId('backInStock'), email, customerId: input.customerId ?? null, variantId: v.id, locationId: input.locationId ?? null, locale: input.locale ?? 'nl' })
      .returning();
    await emit(tx, { type: 'back_in_stock.subscribed', aggregateType: 'back_in_stock', aggregateId: s.id, customerId: s.customerId, data: { subscription: { id: s.id, variantId: s.variantId, locationId: s.locationId } } });
    return s;
  });
}

export async function cancelBackInStock(db: Db, id: string) {
  const [s] = await db.update(backInStockSubscriptions).set({ status: 'cancelled' }).where(and(eq(backInStockSubscriptions.id, id), eq(backInStockSubscriptions.status, 'active'))).returning();
  if (!s) throw notFound('active back-in-stock request', id);
  return s;
}

export function backInStockSubscription(publicUrl: string): Subscription {
  return {
    name: 'inventory.back_in_stock',
    types: ['stock.back_in_stock'],
    mode: 'tx',
    // No backfill: an old back-in-stock moment is no news (the stock may be gone again); shoppers
    // are told when stock comes back from now on.
    backfill: false,
    handle: async (event: DomainEvent, tx: Tx) => {
      if (!isEvent(event, 'stock.back_in_stock')) return;
      const { level } = event.data;
      const [loc] = await tx.select().from(stockLocations).where(eq(stockLocations.id, level.locationId));
      if (!loc) return;
      // Online requests (no store) are served by warehouses; store requests by that store.
      const waiting = await tx
        .select()
        .from(backInStockSubscriptions)
        .where(
          and(
            eq(backInStockSubscriptions.variantId, level.variantId),
            eq(backInStockSubscriptions.status, 'active'),
            loc.type === 'warehouse' ? or(isNull(backInStockSubscriptions.locationId), eq(backInStockSubscriptions.locationId, loc.id)) : eq(backInStockSubscriptions.locationId, loc.id),
          ),
        )
        .for('update', { skipLocked: true });
      for (const s of waiting) {
        const nl = s.locale === 'nl';
        const where = s.locationId ? (nl ? ` in ${loc.name}` : ` at ${loc.name}`) : '';
        await queueMail(tx, {
          to: s.email,
          purpose: 'back_in_stock',
          subject: nl ? `Weer op voorraad${where}` : `Back in stock${where}`,
          text: nl
            ? `Goed nieuws: het artikel waar je op wachtte is weer op voorraad${where}.\n${publicUrl}/products?variant=${s.variantId}\n\nJe krijgt dit bericht één keer.`
            : `Good news: the item you were waiting for is back in stock${where}.\n${publicUrl}/products?variant=${s.variantId}\n\nYou get this message once.`,
        });
        await tx.update(backInStockSubscriptions).set({ status: 'notified', notifiedAt: sql`now()` }).where(eq(backInStockSubscriptions.id, s.id));
        await emit(tx, { type: 'back_in_stock.notified', aggregateType: 'back_in_stock', aggregateId: s.id, customerId: s.customerId, data: { subscription: { id: s.id, variantId: s.variantId, locationId: s.locationId }, level } });
      }
    },
  };
}
