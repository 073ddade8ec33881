// The events of import jobs; see docs/catalog.md, Import and export.
import Type from 'typebox';
import { defineEvent, type EventCatalogue } from '../../platform/events/outbox.js';
import { Id, Moment, Nullable, OneOf, OpenObject } from '../../platform/events/payloads.js';

const Job = Type.Object({
  id: Id('imp_…'),
  kind: OneOf(['products', 'online-retail']),
  format: Type.String({ description: 'e.g. csv, jsonl' }),
  source: Type.String({ description: 'Where the data came from (a file name or URL).' }),
  status: OneOf(['queued', 'running', 'succeeded', 'failed']),
  progress: Type.Object({ fraction: Type.Number({ description: '0–1, by bytes read.' }), rows: Type.Integer(), phase: Type.Optional(Type.String()) }),
  accepted: Type.Integer(),
  rejected: Type.Integer({ description: 'Rows refused; listed at GET /v1/imports/{id}/rejections.' }),
  summary: Nullable(OpenObject('What the import did, by kind (e.g. products created and updated).')),
  error: Nullable(Type.String()),
  createdAt: Moment,
  updatedAt: Moment,
  finishedAt: Nullable(Moment),
});
const JobPayload = Type.Object({ job: Job });

export const IMPORT_EVENTS = {
  'import.succeeded': defineEvent('an import job finished (`data.job` with its counts; rejected rows are listed on the job)', JobPayload),
  'import.failed': defineEvent('an import job stopped with an error', JobPayload),
} as const satisfies EventCatalogue;
