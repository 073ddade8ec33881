// What the returns module holds on a person, for GDPR export and erasure (registered by the
// privacy module): returns of their orders with their lines and notes. Returns stay for the books
// (refunds), under the pseudonym and without the notes' text.
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { changedRows, ERASED, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

const ofPerson = (p: Person) => sql`(customer_id = any(${textArray(p.customerIds)}) or order_id = any(${textArray(p.orderIds)}))`;
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? [v.trim()] : []);

export const returnsHolder: DataHolder = {
  module: 'returns',
  tables: ['returns', 'return_lines'],
  keeps: 'Returns stay with their lines and refunds (bookkeeping) under the pseudonym; the text of their notes goes.',
  async discover(db, p) {
    if (!p.customerIds.length && !p.orderIds.length) return {};
    const found = await selectRows(db, sql`select id, note from returns where ${ofPerson(p)}`);
    const ids = found.map((r) => String(r.id));
    const lines = ids.length ? await selectRows(db, sql`select note from return_lines where return_id = any(${textArray(ids)}) and note is not null`) : [];
    return { returnIds: ids, traces: [...found.flatMap((r) => str(r.note)), ...lines.flatMap((l) => str(l.note))] };
  },
  async export(db, p) {
    if (!p.returnIds.length) return [];
    const ids = textArray(p.returnIds);
    const found = await selectRows(db, sql`select * from returns where id = any(${ids}) order by id`);
    const lines = await selectRows(db, sql`select * from return_lines where return_id = any(${ids}) order by id`);
    return found.map((r) => ({ ...r, lines: lines.filter((l) => l.return_id === r.id) }));
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    if (!p.returnIds.length) return {};
    const ids = textArray(p.returnIds);
    const out: Record<string, number> = {};
    out.return_lines = await changedRows(tx, sql`update return_lines set note = ${ERASED} where return_id = any(${ids}) and note is not null and note <> ${ERASED}`);
    let n = 0;
    for (const r of await selectRows(tx, sql`select id, customer_id, note, created_by, refund, exchange from returns where id = any(${ids})`)) {
      await tx.execute(sql`
        update returns set customer_id = ${r.customer_id === null ? null : pseudonym}, note = ${r.note === null ? null : ERASED},
          created_by = ${r.created_by === null ? null : JSON.stringify(scrubJson(r.created_by, p, pseudonym))}::jsonb,
          refund = ${r.refund === null ? null : JSON.stringify(scrubJson(r.refund, p, pseudonym, { keys: false }))}::jsonb,
          exchange = ${r.exchange === null ? null : JSON.stringify(scrubJson(r.exchange, p, pseudonym, { keys: false }))}::jsonb,
          version = version + 1
        where id = ${r.id}`);
      n++;
    }
    out.returns = n;
    return out;
  },
};
