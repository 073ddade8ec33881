// What the fulfilment module holds on a person, for GDPR export and erasure (registered by the
// privacy module): the fulfilments of their orders (where notifications went, the sourcing
// explanation with their coordinates). They stay for stock and delivery records, without them.
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { scrubbedColumn, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

const ofPerson = (p: Person) => sql`(customer_id = any(${textArray(p.customerIds)}) or order_id = any(${textArray(p.orderIds)}) or lower(email) = any(${textArray(p.emails)}))`;

export const fulfilmentHolder: DataHolder = {
  module: 'fulfilment',
  tables: ['fulfilments', 'fulfilment_lines'],
  keeps: 'Fulfilments stay for stock and delivery records, without e-mail and under the pseudonym.',
  async discover(db, p) {
    if (!p.customerIds.length && !p.orderIds.length && !p.emails.length) return {};
    const found = await selectRows(db, sql`select id, email from fulfilments where ${ofPerson(p)}`);
    return { fulfilmentIds: found.map((r) => String(r.id)), traces: found.map((r) => r.email).filter((e): e is string => typeof e === 'string' && !!e) };
  },
  async export(db, p) {
    if (!p.fulfilmentIds.length) return [];
    const ids = textArray(p.fulfilmentIds);
    const found = await selectRows(db, sql`select * from fulfilments where id = any(${ids}) order by id`);
    const lines = await selectRows(db, sql`select * from fulfilment_lines where fulfilment_id = any(${ids})`);
    return found.map((f) => ({ ...f, lines: lines.filter((l) => l.fulfilment_id === f.id) }));
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    if (!p.fulfilmentIds.length) return {};
    let n = 0;
    for (const f of await selectRows(tx, sql`select id, customer_id, sourcing from fulfilments where id = any(${textArray(p.fulfilmentIds)})`)) {
      await tx.execute(sql`
        update fulfilments set customer_id = ${f.customer_id === null ? null : pseudonym}, email = null,
          cancel_reason = case when cancel_reason is null then null else ${scrubbedColumn(sql`cancel_reason`, p, pseudonym)} end,
          sourcing = ${f.sourcing === null ? null : JSON.stringify(scrubJson(f.sourcing, p, pseudonym))}::jsonb, version = version + 1
        where id = ${f.id}`);
      n++;
    }
    return { fulfilments: n };
  },
};
