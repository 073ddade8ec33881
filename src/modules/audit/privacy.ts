// What the audit log holds on a person, for GDPR export and erasure (registered by the privacy
// module): entries about them or their records (a staff note on their order, an export of their
// data), or made by them. Entries stay as history under the pseudonym, without the person.
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { findersOf, mentions, scrubbedColumn, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

const entriesOf = (p: Person) => {
  const ids = textArray([...p.customerIds, ...p.orderIds, ...p.cartIds, ...p.returnIds, ...p.fulfilmentIds, ...p.paymentIds, ...p.giftCardIds, ...p.promotionIds, ...p.profileIds, ...p.recordIds]);
  const finders = findersOf(p);
  return sql`(resource_id = any(${ids}) or actor_id = any(${textArray(p.customerIds)}) or ${mentions(sql`before`, finders)} or ${mentions(sql`after`, finders)} or ${mentions(sql`actor_label`, finders)})`;
};

export const auditHolder: DataHolder = {
  module: 'audit',
  tables: ['audit_log'],
  keeps: 'Audit entries stay as history under the pseudonym; the person’s data in them is replaced by "[erased]".',
  async export(db, p) {
    return selectRows(
      db,
      sql`select id, occurred_at as "occurredAt", actor_type as "actorType", actor_id as "actorId", actor_label as "actorLabel", action, resource_type as "resourceType", resource_id as "resourceId", before, after
          from audit_log where ${entriesOf(p)} order by id`,
    );
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    const found = await selectRows(tx, sql`select id, actor_id, before, after from audit_log where ${entriesOf(p)}`);
    for (const e of found) {
      const byThem = typeof e.actor_id === 'string' && p.customerIds.includes(e.actor_id);
      await tx.execute(sql`
        update audit_log set resource_id = ${scrubbedColumn(sql`resource_id`, p, pseudonym)}, actor_id = ${byThem ? pseudonym : sql`actor_id`},
          actor_label = case when actor_label is null then null else ${scrubbedColumn(sql`actor_label`, p, pseudonym)} end,
          ip = ${byThem ? null : sql`ip`},
          before = ${e.before === null ? null : JSON.stringify(scrubJson(e.before, p, pseudonym))}::jsonb,
          after = ${e.after === null ? null : JSON.stringify(scrubJson(e.after, p, pseudonym))}::jsonb
        where id = ${e.id}`);
    }
    return { audit_log: found.length };
  },
};
