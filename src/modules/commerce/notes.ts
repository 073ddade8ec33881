// Order notes: what staff write on an order after it was placed (a phone call, a promise made at the
// counter), beside the customer's own note from the checkout (orders.note). Notes are append-only:
// this module adds and lists them and offers nothing to change or remove one, so the order's history
// reads as it was written. Each note is announced with `order.note_added`, which puts it in the
// order's event history, in webhooks and (with the order's customer) in the customer's timeline.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { emit, lockAggregate } from '../../platform/events/outbox.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { orderLines, orderNotes, orders } from './schema.js';

export type NoteVisibility = (typeof orderNotes.visibility.enumValues)[number];
export const NOTE_VISIBILITIES = orderNotes.visibility.enumValues;
/** Longest staff note, in characters (after trimming). */
export const NOTE_MAX_LENGTH = 2000;
/** Longest customer note at checkout, in characters. */
export const CHECKOUT_NOTE_MAX_LENGTH = 1000;

type NoteRow = typeof orderNotes.$inferSelect;

/**
 * A note as the API shows it. A customer sees who wrote it only as "the shop" (the kind of author):
 * staff e-mail addresses and key names are not theirs to see.
 */
export function publicNote(n: NoteRow, opts: { forCustomer?: boolean } = {}) {
  return {
    id: n.id,
    orderId: n.orderId,
    body: n.body,
    visibility: n.visibility,
    author: opts.forCustomer ? { type: n.authorType, id: null, label: null } : { type: n.authorType, id: n.authorId, label: n.authorLabel },
    createdAt: n.createdAt.toISOString(),
  };
}
export type OrderNoteView = ReturnType<typeof publicNote>;

/** The customer's checkout note, trimmed; null when there is none. 400 naming /note when too long. */
export function normaliseCheckoutNote(note: string | null | undefined): string | null {
  const trimmed = (note ?? '').trim();
  if (!trimmed) return null;
  if ([...trimmed].length > CHECKOUT_NOTE_MAX_LENGTH) throw badRequest(`A note can be at most ${CHECKOUT_NOTE_MAX_LENGTH} characters.`, [{ field: '/note', message: `longer than ${CHECKOUT_NOTE_MAX_LENGTH} characters` }]);
  return trimmed;
}

/** What an order touches, for staff scoped to stores: the store it was sold in and every line's location. */
export async function orderLocations(db: Executor, orderId: string): Promise<{ customerId: string | null; locationIds: string[] }> {
  const [o] = await db.select({ id: orders.id, customerId: orders.customerId, storeId: orders.storeId }).from(orders).where(eq(orders.id, orderId));
  if (!o) throw notFound('order', orderId);
  const lines = await db.selectDistinct({ locationId: orderLines.locationId }).from(orderLines).where(eq(orderLines.orderId, orderId));
  return { customerId: o.customerId, locationIds: [...new Set([o.storeId, ...lines.map((l) => l.locationId)].filter((x): x is string => !!x))] };
}

/** Adds a note to an order, with its event and audit entry, in one transaction. */
export async function addOrderNote(db: Db, ctx: RequestContext, orderId: string, input: { body: string; visibility?: NoteVisibility }) {
  const body = input.body.trim();
  if (!body) throw badRequest('A note needs some text.', [{ field: '/body', message: 'empty after trimming' }]);
  if ([...body].length > NOTE_MAX_LENGTH) throw badRequest(`A note can be at most ${NOTE_MAX_LENGTH} characters.`, [{ field: '/body', message: `longer than ${NOTE_MAX_LENGTH} characters` }]);
  const visibility = input.visibility ?? 'internal';
  return db.transaction(async (tx) => {
    // Events of one order reach subscribers in the order the changes were made.
    await lockAggregate(tx, 'order', orderId);
    const [o] = await tx.select({ id: orders.id, customerId: orders.customerId, channel: orders.channel, storeId: orders.storeId }).from(orders).where(eq(orders.id, orderId));
    if (!o) throw notFound('order', orderId);
    const [row] = await tx
      .insert(orderNotes)
      .values({ id: newId('orderNote'), orderId, body, visibility, authorType: ctx.actor.type, authorId: ctx.actor.id ?? null, authorLabel: ctx.actor.label ?? null })
      .returning();
    const note = publicNote(row);
    await emit(tx, {
      type: 'order.note_added',
      aggregateType: 'order',
      aggregateId: orderId,
      customerId: o.customerId,
      actor: ctx.actor,
      data: { orderId, order: { id: orderId, channel: o.channel, storeId: o.storeId }, note },
    });
    await recordAudit(tx, ctx, { action: 'order.add_note', resourceType: 'order', resourceId: orderId, after: { noteId: row.id, visibility } });
    return note;
  });
}

/** An order's notes, newest first; for the customer only the notes meant for them. */
export async function listOrderNotes(db: Executor, orderId: string, q: { forCustomer?: boolean; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [eq(orderNotes.orderId, orderId)];
  if (after) where.push(lt(orderNotes.id, after));
  if (q.forCustomer) where.push(eq(orderNotes.visibility, 'customer'));
  const rows = await db
    .select()
    .from(orderNotes)
    .where(and(...where))
    .orderBy(desc(orderNotes.id))
    .limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: page.data.map((n) => publicNote(n, { forCustomer: q.forCustomer })) };
}
