// Housekeeping on pg-boss schedules: expired idempotency keys and sessions, old delivery logs.
import { sql } from 'drizzle-orm';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { expireReservations } from '../inventory/index.js';
import { fulfilmentJobs } from '../fulfilment/index.js';
import { privacyJobs } from '../privacy/index.js';
import { purgeEndedStaffSessions } from '../access/index.js';
import { purgeEndedCustomerSessions } from '../accounts/index.js';

export function maintenanceJobs(db: Db, _config: Config): JobDefinition[] {
  return [
    ...fulfilmentJobs(db, _config),
    ...privacyJobs(db, _config),
    {
      name: 'inventory-expire-reservations',
      cron: '* * * * *',
      handle: async () => {
        await expireReservations(db);
      },
    },
    {
      name: 'maintenance-idempotency-keys',
      cron: '*/15 * * * *',
      handle: async () => {
        await db.execute(sql`delete from idempotency_keys where expires_at < now()`);
      },
    },
    {
      name: 'maintenance-sessions',
      cron: '17 * * * *',
      handle: async () => {
        await purgeEndedStaffSessions(db);
        await purgeEndedCustomerSessions(db);
      },
    },
  ];
}
