// The events of import jobs; see docs/catalog.md, Import and export.
import type { EventCatalogue } from '../../platform/events/outbox.js';

export const IMPORT_EVENTS = {
  'import.succeeded': 'an import job finished (`data.job` with its counts; rejected rows are listed on the job)',
  'import.failed': 'an import job stopped with an error',
} as const satisfies EventCatalogue;
