// Import uploads (streamed to disk, processed in the background with progress) and exports.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { badRequest } from '../../platform/errors.js';
import { IdParam, NullableTimestamp, Page, PageQuery, ref, Timestamp, withHeaders, documentedBody } from '../../platform/http/schemas.js';
import { requestContext } from '../../platform/context.js';
import * as imports from './service.js';

const tags = ['import and export'];

export const ImportJob = Type.Object(
  {
    id: Type.String({ description: 'imp_…' }),
    kind: Type.String(),
    format: Type.String(),
    source: Type.String(),
    status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
    progress: Type.Object({ fraction: Type.Number({ description: '0–1' }), rows: Type.Integer(), phase: Type.Optional(Type.String()) }),
    accepted: Type.Integer(),
    rejected: Type.Integer(),
    summary: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    finishedAt: NullableTimestamp,
  },
  { $id: 'ImportJob' },
);
const ImportJobPage = Page(ref(ImportJob), 'ImportJob');
const Rejection = Type.Object(
  { seq: Type.Integer(), line: Type.Union([Type.Integer(), Type.Null()]), field: Type.Union([Type.String(), Type.Null()]), reason: Type.String(), value: Type.Union([Type.String(), Type.Null()]) },
  { $id: 'ImportRejection' },
);
const RejectionPage = Page(ref(Rejection), 'ImportRejection');

const UPLOAD_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl', 'application/gzip', 'application/octet-stream'];

export async function importRoutes(app: App, ctx: AppContext) {
  for (const s of [ImportJob, ImportJobPage, Rejection, RejectionPage]) app.addSchema(s);
  // Upload bodies are streamed to disk by the handler, never buffered.
  app.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
  const dir = path.join(ctx.config.dataDir, 'imports');

  app.post(
    '/v1/imports',
    {
      config: {
        access: { permission: 'catalog:write' },
        ...documentedBody(
          Object.fromEntries(UPLOAD_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary', maxLength: 1024 * 1024 * 1024 } }])),
          'The file: CSV or NDJSON (one JSON object per line), or either gzipped; at most 1 GB.',
        ),
      },
      bodyLimit: 1024 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Upload a file to import; answers at once with a job to follow',
        description:
          'Send the file as the request body (text/csv, application/x-ndjson, or gzip of either). kind=products takes the columns in docs/catalog.md; kind=online-retail takes the UCI Online Retail CSV. Good rows go in; each rejected row is listed under /v1/imports/{id}/rejections. Repeatable: products are matched by handle (or external reference) and variants by SKU.',
        querystring: Type.Object({
          kind: Type.Union([Type.Literal('products'), Type.Literal('online-retail')]),
          format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('ndjson')])),
          filename: Type.Optional(Type.String({ maxLength: 200 })),
          priceList: Type.Optional(Type.String({ maxLength: 200, description: 'price list for the price column; default "Base prices"' })),
        }),
        response: { 202: withHeaders(ref(ImportJob), 'location') },
      },
    },
    async (req, reply) => {
      const body = req.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw badRequest(`Send the file as the body with Content-Type ${UPLOAD_TYPES.slice(0, 3).join(', ')} or application/gzip.`, [{ field: '', message: 'file expected' }]);
      }
      const q = req.query;
      const gz = String(req.headers['content-type']).startsWith('application/gzip') || (q.filename ?? '').endsWith('.gz');
      const ndjson = String(req.headers['content-type']).includes('ndjson') || String(req.headers['content-type']).includes('jsonl');
      const format = q.kind === 'online-retail' ? 'csv' : imports.formatOf(q.filename ?? '', q.format ?? (ndjson ? 'ndjson' : undefined));
      const rc = requestContext(req);
      const job = await imports.createJob(ctx.db, rc, q.kind, format, q.filename ?? `upload.${format}${gz ? '.gz' : ''}`);
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${job.id}.${format}${gz ? '.gz' : ''}`);
      await pipeline(body, createWriteStream(file));
      // The work goes on after the answer; progress and rejections are on the job.
      const run = q.kind === 'online-retail' ? imports.importOnlineRetail(ctx.db, rc, job.id, file) : imports.importProducts(ctx.db, rc, job.id, file, format, { priceList: q.priceList });
      run
        .catch((err) => req.log.error({ err, jobId: job.id }, 'import failed'))
        .finally(() => rm(file, { force: true }).catch(() => undefined));
      reply.code(202).header('location', `/v1/imports/${job.id}`);
      return imports.publicJob(job);
    },
  );

  app.get('/v1/imports', { config: { access: { permission: 'catalog:read' } }, schema: { tags, summary: 'Import jobs, newest first', querystring: PageQuery, response: { 200: ref(ImportJobPage) } } }, async (req) => {
    const page = await imports.listJobs(ctx.db, { limit: req.query.limit ?? 50, cursor: req.query.cursor });
    return { ...page, data: page.data.map(imports.publicJob) };
  });

  app.get('/v1/imports/:id', { config: { access: { permission: 'catalog:read' } }, schema: { tags, summary: 'An import job and its progress', params: IdParam, response: { 200: ref(ImportJob) } } }, async (req) =>
    imports.publicJob(await imports.getJob(ctx.db, req.params.id)),
  );

  app.get(
    '/v1/imports/:id/rejections',
    { config: { access: { permission: 'catalog:read' } }, schema: { tags, summary: 'Every rejected row: line, field and reason', params: IdParam, querystring: PageQuery, response: { 200: ref(RejectionPage) } } },
    async (req) => {
      const page = await imports.listRejections(ctx.db, req.params.id, { limit: req.query.limit ?? 50, cursor: req.query.cursor });
      return { ...page, data: page.data.map((r) => ({ seq: r.seq, line: r.line, field: r.field, reason: r.reason, value: r.value })) };
    },
  );

  app.get(
    '/v1/exports/products',
    {
      config: { access: { permission: 'catalog:read' } },
      schema: {
        tags,
        summary: 'All products, one row per variant, streamed as CSV or NDJSON (the import format)',
        querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('ndjson')])), priceListId: Type.Optional(Type.String()) }),
        response: {
          200: {
            description: 'The file, streamed (as an attachment named products.csv or products.ndjson), in the format of `format`.',
            content: {
              'text/csv': { schema: Type.String({ description: 'CSV with a header row; the columns of docs/catalog.md.' }) },
              'application/x-ndjson': { schema: Type.String({ description: 'One JSON object per line.' }) },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'csv';
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="products.${format}"`);
      // Fastify pipes a stream as it is; the type provider types the body as the documented text.
      return reply.send(imports.exportProducts(ctx.db, format, req.query.priceListId) as unknown as string);
    },
  );
}
