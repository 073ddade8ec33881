// What commerce holds on a person, for GDPR export and erasure (registered by the privacy module):
// carts and orders with their lines and notes. Orders are kept for bookkeeping law: amounts, lines,
// VAT, dates and the country of delivery stay; the person goes (a pseudonym replaces the customer).
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { changedRows, ERASED, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

const ofPerson = (p: Person) => sql`(customer_id = any(${textArray(p.customerIds)}) or lower(email) = any(${textArray(p.emails)}))`;
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? [v.trim()] : []);

export const commerceHolder: DataHolder = {
  module: 'commerce',
  tables: ['carts', 'cart_lines', 'orders', 'order_lines', 'order_notes'],
  keeps:
    'Orders stay with their lines, amounts, VAT, dates and the country of delivery (bookkeeping law); the e-mail, the delivery address, the checkout note and the text of staff notes go, and a pseudonym replaces the customer.',
  async discover(db, p) {
    if (!p.customerIds.length && !p.emails.length) return {};
    const orders = await selectRows(db, sql`select id, email, shipping_address as a, note from orders where ${ofPerson(p)}`);
    const carts = await selectRows(db, sql`select id, email from carts where ${ofPerson(p)}`);
    const orderIds = orders.map((o) => String(o.id));
    const notes = orderIds.length ? await selectRows(db, sql`select body from order_notes where order_id = any(${textArray(orderIds)})`) : [];
    const address = (a: unknown) => {
      const x = (a ?? {}) as Record<string, unknown>;
      return { name: str(x.name), lines: [...str(x.line1), ...str(x.line2), ...str(x.postalCode), ...str(x.phone)] };
    };
    // An e-mail typed at their checkout is a trace of them on their order, not a way to anyone else's.
    return {
      orderIds,
      cartIds: [...carts.map((c) => String(c.id))],
      names: orders.flatMap((o) => address(o.a).name),
      traces: [...orders.flatMap((o) => [...str(o.email), ...address(o.a).lines, ...str(o.note)]), ...carts.flatMap((c) => str(c.email)), ...notes.flatMap((n) => str(n.body))],
    };
  },
  async export(db, p) {
    if (!p.orderIds.length && !p.cartIds.length) return { carts: [], orders: [] };
    const orderIds = textArray(p.orderIds);
    const orders = await selectRows(db, sql`select * from orders where id = any(${orderIds}) order by id`);
    const lines = await selectRows(db, sql`select * from order_lines where order_id = any(${orderIds}) order by id`);
    const notes = await selectRows(db, sql`select * from order_notes where order_id = any(${orderIds}) order by id`);
    const carts = await selectRows(db, sql`select * from carts where id = any(${textArray(p.cartIds)}) order by id`);
    const cartLines = await selectRows(db, sql`select * from cart_lines where cart_id = any(${textArray(p.cartIds)}) order by id`);
    return {
      carts: carts.map((c) => ({ ...c, lines: cartLines.filter((l) => l.cart_id === c.id) })),
      orders: orders.map((o) => ({ ...o, lines: lines.filter((l) => l.order_id === o.id), notes: notes.filter((n) => n.order_id === o.id) })),
    };
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    if (!p.orderIds.length && !p.cartIds.length) return {};
    const orderIds = textArray(p.orderIds);
    const cartIds = textArray(p.cartIds);
    const out: Record<string, number> = {};
    // Notes are free text that may name the person: their text goes, the fact of a note stays.
    out.order_notes = await changedRows(tx, sql`update order_notes set body = ${ERASED} where order_id = any(${orderIds}) and body <> ${ERASED}`);
    out.carts = await changedRows(tx, sql`update carts set customer_id = case when customer_id is null then null else ${pseudonym} end, email = null where id = any(${cartIds})`);
    // The delivery address goes; only its country stays (VAT is due where the goods went).
    out.orders = await changedRows(
      tx,
      sql`update orders set customer_id = case when customer_id is null then null else ${pseudonym} end, email = null, note = case when note is null then null else ${ERASED} end, version = version + 1,
            shipping_address = case when shipping_address is null then null else jsonb_build_object('name', ${ERASED}::text, 'line1', ${ERASED}::text, 'line2', null, 'postalCode', ${ERASED}::text, 'city', ${ERASED}::text, 'country', shipping_address->'country', 'phone', null, 'latitude', null, 'longitude', null) end
          where id = any(${orderIds})`,
    );
    // Applied promotions and line adjustments may name a personal offer after them.
    for (const o of await selectRows(tx, sql`select id, promotions from orders where id = any(${orderIds})`)) {
      await tx.execute(sql`update orders set promotions = ${JSON.stringify(scrubJson(o.promotions, p, pseudonym, { keys: false }))}::jsonb where id = ${o.id}`);
    }
    for (const l of await selectRows(tx, sql`select id, adjustments from order_lines where order_id = any(${orderIds})`)) {
      await tx.execute(sql`update order_lines set adjustments = ${JSON.stringify(scrubJson(l.adjustments, p, pseudonym, { keys: false }))}::jsonb where id = ${l.id}`);
    }
    return out;
  },
};
