// What the webhooks module holds on a person, for GDPR export and erasure (registered by the
// privacy module): deliveries of events about them, which copy the event, and the receivers'
// answers to those deliveries. The delivery log stays as history, without the person.
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { findersOf, mentions, scrubbedColumn, scrubJson, selectRows, textArray } from '../../platform/privacy/scrub.js';

const deliveriesOf = (p: Person) => sql`(event_id = any(${textArray(p.eventIds)}) or ${mentions(sql`payload`, findersOf(p))})`;

export const webhooksHolder: DataHolder = {
  module: 'webhooks',
  tables: ['webhook_deliveries', 'webhook_attempts'],
  keeps: 'Deliveries and attempts stay as the delivery log, with the person scrubbed from the payload and the receiver’s answer.',
  async export(db, p) {
    if (!p.eventIds.length && !findersOf(p).length) return [];
    return selectRows(db, sql`select id, endpoint_id as "endpointId", event_id as "eventId", event_type as "eventType", status, attempts, created_at as "createdAt" from webhook_deliveries where ${deliveriesOf(p)} order by id`);
  },
  async erase(tx, p, { pseudonym }): Promise<Record<string, number>> {
    if (!p.eventIds.length && !findersOf(p).length) return {};
    const found = await selectRows(tx, sql`select id, payload from webhook_deliveries where ${deliveriesOf(p)}`);
    for (const d of found) await tx.execute(sql`update webhook_deliveries set payload = ${JSON.stringify(scrubJson(d.payload, p, pseudonym))}::jsonb where id = ${d.id}`);
    const attempts = found.length
      ? await tx.execute(
          sql`update webhook_attempts set response_body = ${scrubbedColumn(sql`response_body`, p, pseudonym)}, error = case when error is null then null else ${scrubbedColumn(sql`error`, p, pseudonym)} end
              where delivery_id = any(${textArray(found.map((d) => String(d.id)))}) and response_body is not null`,
        )
      : { rowCount: 0 };
    return { webhook_deliveries: found.length, webhook_attempts: attempts.rowCount ?? 0 };
  },
};
