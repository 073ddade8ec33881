// What the consent module holds on a person, for GDPR export and erasure (registered by the privacy
// module): their consent history. It is deleted; the erasure record is the proof.
import { sql } from 'drizzle-orm';
import type { DataHolder, Person } from '../../platform/privacy/registry.js';
import { changedRows, selectRows, textArray } from '../../platform/privacy/scrub.js';

const ofPerson = (p: Person) =>
  sql`(customer_id = any(${textArray(p.customerIds)}) or email = any(${textArray(p.emails)}) or anonymous_id = any(${textArray(p.anonymousIds)}) or profile_id = any(${textArray(p.profileIds)}))`;

export const consentHolder: DataHolder = {
  module: 'consent',
  tables: ['consent_records'],
  keeps: 'The erasure record (privacy_erasures) is the proof; the consent history itself is deleted.',
  async discover(db, p) {
    const found = await selectRows(db, sql`select id, reason from consent_records where ${ofPerson(p)}`);
    return { recordIds: found.map((r) => String(r.id)), traces: found.map((r) => r.reason).filter((x): x is string => typeof x === 'string' && !!x.trim()) };
  },
  async export(db, p) {
    return selectRows(db, sql`select id, purpose, granted, source, customer_id as "customerId", email, anonymous_id as "anonymousId", profile_id as "profileId", reason, recorded_at as "recordedAt" from consent_records where ${ofPerson(p)} order by recorded_at, id`);
  },
  async erase(tx, p): Promise<Record<string, number>> {
    return { consent_records: await changedRows(tx, sql`delete from consent_records where ${ofPerson(p)}`) };
  },
};
