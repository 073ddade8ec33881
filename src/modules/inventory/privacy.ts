// What the inventory module holds on a person, for GDPR export and erasure (registered by the
// privacy module): back-in-stock requests (deleted) and stock movements of their checkouts.
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { changedRows, findersOf, mentions, scrubbedColumn, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

const subscriptionsOf = (p: Person) => sql`(customer_id = any(${textArray(p.customerIds)}) or lower(email) = any(${textArray(p.emails)}))`;

export const backInStockHolder: DataHolder = {
  module: 'back_in_stock',
  tables: ['back_in_stock_subscriptions'],
  async discover(db, p) {
    if (!p.customerIds.length && !p.emails.length) return {};
    return { recordIds: (await selectRows(db, sql`select id from back_in_stock_subscriptions where ${subscriptionsOf(p)}`)).map((r) => String(r.id)) };
  },
  async export(db, p) {
    if (!p.customerIds.length && !p.emails.length) return [];
    return selectRows(db, sql`select * from back_in_stock_subscriptions where ${subscriptionsOf(p)} order by 1`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    if (!p.customerIds.length && !p.emails.length) return {};
    return { back_in_stock_subscriptions: await changedRows(tx, sql`delete from back_in_stock_subscriptions where ${subscriptionsOf(p)}`) };
  },
};

// The stock ledger is append-only: a trigger refuses edits. Movements from a customer's checkout
// record the customer as actor. Erasure is the one documented exception: it lifts the trigger
// inside its own transaction (which locks the table until commit, so it runs last), replaces the
// actor with the pseudonym and scrubs the row's text, and puts the trigger back before committing.
const movementsOf = (p: Person) =>
  sql`(actor->>'id' = any(${textArray(p.customerIds)}) or lower(actor->>'label') = any(${textArray([...p.emails, ...p.accountEmails])}) or reference = any(${textArray([...p.orderIds, ...p.cartIds, ...p.returnIds, ...p.fulfilmentIds])}) or ${mentions(sql`concat_ws(' ', reason, reference, actor::text)`, findersOf(p))})`;

export const stockMovementsHolder: DataHolder = {
  module: 'inventory',
  tables: ['stock_movements'],
  late: true,
  keeps: 'Stock movements stay (the ledger is append-only); a customer as actor is replaced by the pseudonym and the person’s traces in their text by "[erased]".',
  async export(db, p) {
    if (!p.customerIds.length && !p.orderIds.length && !p.emails.length) return [];
    return selectRows(
      db,
      sql`select seq, variant_id as "variantId", location_id as "locationId", type, on_hand_delta as "onHandDelta", reserved_delta as "reservedDelta", reason, reference, actor, occurred_at as "occurredAt"
          from stock_movements where ${movementsOf(p)} order by seq`,
    );
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    const found = await selectRows(tx, sql`select seq, actor from stock_movements where ${movementsOf(p)}`);
    if (!found.length) return {};
    await tx.execute(sql`alter table stock_movements disable trigger stock_movements_append_only`);
    for (const m of found) {
      await tx.execute(sql`
        update stock_movements set actor = ${m.actor === null ? null : JSON.stringify(scrubJson(m.actor, p, pseudonym))}::jsonb,
          reason = case when reason is null then null else ${scrubbedColumn(sql`reason`, p, pseudonym)} end,
          reference = case when reference is null then null else ${scrubbedColumn(sql`reference`, p, pseudonym)} end
        where seq = ${m.seq}`);
    }
    await tx.execute(sql`alter table stock_movements enable trigger stock_movements_append_only`);
    return { stock_movements: found.length };
  },
};
