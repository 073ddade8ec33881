// Retention: a daily pg-boss job purges collected events of no known person older than
// ANONYMOUS_EVENT_RETENTION_DAYS.
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db.js';
import type { JobDefinition } from '../../platform/jobs.js';
import { purgeAnonymousEvents } from '../customers/index.js';

export function privacyJobs(db: Db, config: Config): JobDefinition[] {
  return [
    {
      name: 'privacy-purge-anonymous-events',
      cron: '23 3 * * *',
      handle: async () => {
        await purgeAnonymousEvents(db, config.anonymousEventRetentionDays);
      },
    },
  ];
}
