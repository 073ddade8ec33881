// Imports and exports of the catalog. Files are read as streams (never whole in memory); good rows go
// in while every rejected row is recorded with its line, field and reason; a job row shows progress
// to the API while the CLI shows a progress bar. Imports are repeatable: products are matched by
// their external reference (or handle) and variants by SKU.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events/outbox.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { describeGtinProblem, gtinProblem, ensureCategories, slugify, upsertProductsBulk, type BulkProduct, pricedVariants, variantExportPage } from '../catalog/index.js';
import { ensurePriceList, setPrices, unitPricesIn } from '../pricing/index.js';
import { readOnlineRetail, toCents, type OnlineRetailReport } from './online-retail.js';
import { importJobs, importRejections } from './schema.js';

export type ImportKind = 'products' | 'online-retail';
export type ImportFormat = 'csv' | 'ndjson';
export type JobRow = typeof importJobs.$inferSelect;

export interface Progress {
  fraction: number;
  rows: number;
  phase?: string;
}

export function publicJob(j: JobRow) {
  return {
    id: j.id,
    kind: j.kind,
    format: j.format,
    source: j.source,
    status: j.status,
    progress: j.progress as Progress,
    accepted: j.accepted,
    rejected: j.rejected,
    summary: (j.summary as Record<string, unknown> | null) ?? null,
    error: j.error,
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

export async function createJob(db: Db, ctx: RequestContext, kind: ImportKind, format: string, source: string) {
  const [j] = await db.insert(importJobs).values({ id: newId('importJob'), kind, format, source, createdBy: ctx.actor.id ?? null }).returning();
  return j;
}

export async function getJob(db: Executor, id: string) {
  const [j] = await db.select().from(importJobs).where(eq(importJobs.id, id));
  if (!j) throw notFound('import job', id);
  return j;
}

export async function listJobs(db: Executor, q: { limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const rows = await db.select().from(importJobs).where(after ? lt(importJobs.id, after) : undefined).orderBy(desc(importJobs.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

export async function listRejections(db: Executor, jobId: string, q: { limit: number; cursor?: string }) {
  await getJob(db, jobId);
  const after = decodeCursor(q.cursor);
  const rows = await db
    .select()
    .from(importRejections)
    .where(and(eq(importRejections.jobId, jobId), after ? gt(importRejections.seq, Number(after)) : undefined))
    .orderBy(asc(importRejections.seq))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => String(r.seq));
}

/** Marks jobs that stopped reporting (their process died) as failed; imports can simply run again. */
export async function failInterruptedJobs(db: Executor) {
  await db.execute(sql`update import_jobs set status = 'failed', error = 'interrupted (the process stopped); run the import again, it is repeatable', finished_at = now()
    where status in ('queued', 'running') and updated_at < now() - interval '2 minutes'`);
}

interface Rejection {
  line?: number;
  field?: string;
  reason: string;
  value?: string;
}

class JobReporter {
  private seq = 0;
  private pending: Rejection[] = [];
  private lastWrite = 0;
  accepted = 0;
  rejected = 0;

  constructor(
    private readonly db: Db,
    readonly jobId: string,
    private readonly onProgress?: (p: Progress, accepted: number, rejected: number) => void,
  ) {}

  reject(r: Rejection) {
    this.rejected++;
    this.pending.push(r);
  }

  async flush(progress: Progress, force = false) {
    this.onProgress?.(progress, this.accepted, this.rejected);
    if (this.pending.length) {
      const rows = this.pending.splice(0).map((r) => ({ jobId: this.jobId, seq: ++this.seq, line: r.line ?? null, field: r.field ?? null, reason: r.reason, value: r.value?.slice(0, 500) ?? null }));
      for (let i = 0; i < rows.length; i += 1000) await this.db.insert(importRejections).values(rows.slice(i, i + 1000));
    }
    if (force || Date.now() - this.lastWrite > 500) {
      this.lastWrite = Date.now();
      await this.db.update(importJobs).set({ status: 'running', progress, accepted: this.accepted, rejected: this.rejected, updatedAt: new Date() }).where(eq(importJobs.id, this.jobId));
    }
  }
}

async function finish(db: Db, ctx: RequestContext, rep: JobReporter, summary: Record<string, unknown>, kind: ImportKind) {
  // Fresh statistics, so the first searches after a large import get good plans.
  await db.execute(sql`analyze products, variants, assortment, categories, prices`);
  await rep.flush({ fraction: 1, rows: Number(summary.rows ?? 0), phase: 'done' }, true);
  await db.transaction(async (tx) => {
    const [j] = await tx.update(importJobs).set({ status: 'succeeded', summary, finishedAt: new Date(), updatedAt: new Date() }).where(eq(importJobs.id, rep.jobId)).returning();
    await recordAudit(tx, ctx, { action: `import.${kind}`, resourceType: 'import_job', resourceId: rep.jobId, after: summary });
    await emit(tx, { type: 'import.succeeded', aggregateType: 'import_job', aggregateId: rep.jobId, actor: ctx.actor, data: { job: publicJob(j) } });
  });
}

async function fail(db: Db, ctx: RequestContext, jobId: string, err: unknown) {
  await db.transaction(async (tx) => {
    const [j] = await tx.update(importJobs).set({ status: 'failed', error: String((err as Error).message ?? err).slice(0, 2000), finishedAt: new Date(), updatedAt: new Date() }).where(eq(importJobs.id, jobId)).returning();
    await emit(tx, { type: 'import.failed', aggregateType: 'import_job', aggregateId: jobId, actor: ctx.actor, data: { job: publicJob(j) } });
  });
}

const CHUNK = 500;

// ---------------------------------------------------------------- the real data set

export async function importOnlineRetail(db: Db, ctx: RequestContext, jobId: string, file: string, onProgress?: (p: Progress, accepted: number, rejected: number) => void) {
  const rep = new JobReporter(db, jobId, onProgress);
  try {
    const report: OnlineRetailReport = await readOnlineRetail(file, (read, total, rows) => void rep.flush({ fraction: (read / total) * 0.6, rows, phase: 'reading' }).catch(() => undefined));
    for (const n of report.notImported) rep.reject({ field: 'StockCode', value: n.code, reason: `${n.reason}; ${n.rows} sales rows` });
    const categoryIds = await db.transaction((tx) => ensureCategories(tx, report.items.map((i) => ({ slug: i.category.slug, name: i.category.name }))));
    let created = 0;
    let updated = 0;
    for (let i = 0; i < report.items.length; i += CHUNK) {
      const chunk = report.items.slice(i, i + CHUNK);
      const bulk: BulkProduct[] = chunk.map((it) => ({
        externalRef: `online-retail:${it.code}`,
        handle: `${it.title}-${it.code}`,
        status: 'active',
        kind: it.kind,
        title: { en: it.title },
        categoryId: it.kind === 'service' ? null : (categoryIds.get(it.category.slug) ?? null),
        taxClass: 'standard',
        variants: [{ sku: it.code }],
      }));
      const r = await db.transaction((tx) => upsertProductsBulk(tx, ctx, bulk));
      created += r.created;
      updated += r.updated;
      for (const s of r.skippedSkus) rep.reject({ field: 'StockCode', value: s.sku, reason: s.reason });
      rep.accepted += chunk.length - r.skippedSkus.length;
      await rep.flush({ fraction: 0.6 + 0.3 * ((i + chunk.length) / report.items.length), rows: report.rows, phase: 'products' });
    }
    const listId = await ensurePriceList(db, ctx, 'Online Retail list prices');
    for (let i = 0; i < report.items.length; i += 2000) {
      await setPrices(db, pricedVariants, ctx, listId, report.items.slice(i, i + 2000).map((it) => ({ sku: it.code, amount: it.listPrice })));
    }
    await finish(db, ctx, rep, { rows: report.rows, salesRows: report.salesRows, skippedRows: report.skipped, products: report.items.length, created, updated, notImported: report.notImported.length, priceListId: listId }, 'online-retail');
    return { report, created, updated, priceListId: listId };
  } catch (err) {
    await fail(db, ctx, jobId, err);
    throw err;
  }
}

// ---------------------------------------------------------------- products CSV / NDJSON

/** The columns of a products file, in export order; `option_<name>` columns add variant options. */
export const PRODUCT_COLUMNS = ['handle', 'sku', 'gtin', 'status', 'kind', 'title_en', 'title_nl', 'description_en', 'description_nl', 'category', 'tax_class', 'price'] as const;

type RawRow = Record<string, unknown>;

interface GoodRow {
  line: number;
  handle: string;
  sku: string;
  gtin: string | null;
  status: 'draft' | 'active' | 'archived';
  kind: 'physical' | 'service';
  titleEn: string | null;
  titleNl: string | null;
  descriptionEn: string | null;
  descriptionNl: string | null;
  category: string | null;
  taxClass: 'standard' | 'intermediate' | 'reduced' | 'zero';
  price: number | null;
  options: Record<string, string>;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v).trim());

export function checkProductRow(raw: RawRow, line: number): { row?: GoodRow; errors: Rejection[] } {
  const errors: Rejection[] = [];
  const sku = str(raw.sku);
  if (!sku) errors.push({ line, field: 'sku', reason: 'required' });
  else if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/.test(sku)) errors.push({ line, field: 'sku', reason: 'letters, digits and . _ - / only, at most 64', value: sku });
  const titleEn = str(raw.title_en) || null;
  const titleNl = str(raw.title_nl) || null;
  if (!titleEn && !titleNl) errors.push({ line, field: 'title_en', reason: 'a title in English or Dutch (title_nl) is required' });
  const status = (str(raw.status) || 'active') as GoodRow['status'];
  if (!['draft', 'active', 'archived'].includes(status)) errors.push({ line, field: 'status', reason: 'draft, active or archived', value: status });
  const kind = (str(raw.kind) || 'physical') as GoodRow['kind'];
  if (!['physical', 'service'].includes(kind)) errors.push({ line, field: 'kind', reason: 'physical or service', value: kind });
  const taxClass = (str(raw.tax_class) || 'standard') as GoodRow['taxClass'];
  if (!['standard', 'intermediate', 'reduced', 'zero'].includes(taxClass)) errors.push({ line, field: 'tax_class', reason: 'standard, intermediate, reduced or zero', value: taxClass });
  const gtin = str(raw.gtin) || null;
  if (gtin) {
    const p = gtinProblem(gtin);
    if (p) errors.push({ line, field: 'gtin', reason: describeGtinProblem(p), value: gtin });
  }
  let price: number | null = null;
  const rawPrice = str(raw.price);
  if (rawPrice) {
    const cents = toCents(rawPrice.replace(',', '.'));
    if (cents === undefined || cents < 0) errors.push({ line, field: 'price', reason: 'a price in euros such as 2.55', value: rawPrice });
    else price = cents;
  }
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (k.startsWith('option_') && str(v)) options[k.slice(7)] = str(v);
  if (errors.length) return { errors };
  return {
    errors,
    row: {
      line,
      handle: slugify(str(raw.handle) || titleEn || titleNl || sku),
      sku,
      gtin,
      status,
      kind,
      titleEn,
      titleNl,
      descriptionEn: str(raw.description_en) || null,
      descriptionNl: str(raw.description_nl) || null,
      category: str(raw.category) || null,
      taxClass,
      price,
      options,
    },
  };
}

async function* rowsOf(stream: Readable, format: ImportFormat): AsyncGenerator<{ raw: RawRow | null; line: number; error?: string }> {
  if (format === 'csv') {
    const parser = stream.pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, bom: true, info: true }));
    for await (const rec of parser as AsyncIterable<{ record: RawRow; info: { lines: number } }>) yield { raw: rec.record, line: rec.info.lines };
    return;
  }
  let buffer = '';
  let line = 0;
  for await (const chunk of stream) {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      line++;
      if (!text) continue;
      try {
        const v = JSON.parse(text);
        if (!v || typeof v !== 'object' || Array.isArray(v)) yield { raw: null, line, error: 'each line must be one JSON object' };
        else yield { raw: v as RawRow, line };
      } catch (err) {
        yield { raw: null, line, error: `not JSON: ${(err as Error).message}` };
      }
    }
  }
  if (buffer.trim()) {
    line++;
    try {
      yield { raw: JSON.parse(buffer) as RawRow, line };
    } catch (err) {
      yield { raw: null, line, error: `not JSON: ${(err as Error).message}` };
    }
  }
}

export async function importProducts(
  db: Db,
  ctx: RequestContext,
  jobId: string,
  file: string,
  format: ImportFormat,
  opts: { priceList?: string; onProgress?: (p: Progress, accepted: number, rejected: number) => void } = {},
) {
  const rep = new JobReporter(db, jobId, opts.onProgress);
  try {
    const { size } = await stat(file);
    const listId = await ensurePriceList(db, ctx, opts.priceList ?? 'Base prices');
    // No await between here and the parser taking the stream: a 'data' listener starts the flow.
    const raw = createReadStream(file);
    let bytes = 0;
    raw.on('data', (c) => (bytes += c.length));
    const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    let batch: GoodRow[] = [];
    let rows = 0;
    let created = 0;
    let updated = 0;
    const flushBatch = async () => {
      if (!batch.length) return;
      const rowsNow = batch;
      batch = [];
      // Rows of one handle form one product; its first row gives the product fields.
      const byHandle = new Map<string, GoodRow[]>();
      for (const r of rowsNow) byHandle.set(r.handle, [...(byHandle.get(r.handle) ?? []), r]);
      const categoryIds = await db.transaction((tx) =>
        ensureCategories(
          tx,
          rowsNow.filter((r) => r.category).map((r) => ({ slug: r.category!, name: { en: r.category! } })),
        ),
      );
      const bulk: BulkProduct[] = [...byHandle.entries()].map(([handle, rs]) => ({
        externalRef: `import:${handle}`,
        handle,
        status: rs[0].status,
        kind: rs[0].kind,
        title: { en: rs[0].titleEn, nl: rs[0].titleNl },
        description: { en: rs[0].descriptionEn, nl: rs[0].descriptionNl },
        categoryId: rs[0].category ? (categoryIds.get(slugify(rs[0].category)) ?? null) : null,
        taxClass: rs[0].taxClass,
        variants: rs.map((r) => ({ sku: r.sku, gtin: r.gtin, options: r.options })),
      }));
      const result = await db.transaction((tx) => upsertProductsBulk(tx, ctx, bulk));
      created += result.created;
      updated += result.updated;
      const skipped = new Set(result.skippedSkus.filter((s) => !s.reason.startsWith('GTIN')).map((s) => s.sku.toUpperCase()));
      for (const s of result.skippedSkus) {
        const r = rowsNow.find((x) => x.sku.toUpperCase() === s.sku.toUpperCase());
        rep.reject({ line: r?.line, field: s.reason.startsWith('GTIN') ? 'gtin' : 'sku', reason: s.reason, value: s.sku });
      }
      const priced = rowsNow.filter((r) => r.price !== null && !skipped.has(r.sku.toUpperCase()));
      if (priced.length) await setPrices(db, pricedVariants, ctx, listId, priced.map((r) => ({ sku: r.sku, amount: r.price! })));
      rep.accepted += rowsNow.length - skipped.size;
    };
    const seenSkus = new Set<string>();
    for await (const { raw: rec, line, error } of rowsOf(stream, format)) {
      rows++;
      if (error || !rec) {
        rep.reject({ line, reason: error ?? 'unreadable' });
        continue;
      }
      const { row, errors } = checkProductRow(rec, line);
      if (row && seenSkus.has(row.sku.toUpperCase())) errors.push({ line, field: 'sku', reason: 'the same SKU appears earlier in this file', value: row.sku });
      if (errors.length || !row) {
        for (const e of errors) rep.reject(e);
        continue;
      }
      seenSkus.add(row.sku.toUpperCase());
      batch.push(row);
      if (batch.length >= CHUNK) {
        await flushBatch();
        await rep.flush({ fraction: Math.min(0.99, bytes / Math.max(1, size)), rows, phase: 'importing' });
      }
    }
    await flushBatch();
    await finish(db, ctx, rep, { rows, accepted: rep.accepted, rejected: rep.rejected, created, updated, priceListId: listId }, 'products');
    return { rows, accepted: rep.accepted, rejected: rep.rejected, created, updated };
  } catch (err) {
    await fail(db, ctx, jobId, err);
    throw err;
  }
}

// ---------------------------------------------------------------- export

/** Streams every product variant as CSV or NDJSON, with its price in a list (default "Base prices"). */
export function exportProducts(db: Db, format: ImportFormat, priceListId?: string): Readable {
  const PAGE = 1000;
  async function* records() {
    let after = '';
    for (;;) {
      const page = await variantExportPage(db, after, PAGE);
      const prices = await unitPricesIn(db, page.map((r) => String(r.variant_id)), priceListId);
      for (const r of page) {
        const { options, variant_id: variantId, ...rest } = r as Record<string, unknown>;
        const price = prices.get(String(variantId));
        const opts = Object.fromEntries(Object.entries((options as Record<string, string>) ?? {}).map(([k, v]) => [`option_${k}`, v]));
        yield { ...rest, price: price === null || price === undefined ? '' : (Number(price) / 100).toFixed(2), ...opts };
      }
      if (page.length < PAGE) return;
      after = String(page[page.length - 1].variant_id);
    }
  }
  const source = Readable.from(records());
  if (format === 'ndjson') return source.pipe(new ToNdjson());
  return source.pipe(stringify({ header: true, columns: [...PRODUCT_COLUMNS] }));
}

/** One JSON object per line. */
class ToNdjson extends Transform {
  constructor() {
    super({ writableObjectMode: true });
  }
  _transform(obj: unknown, _enc: BufferEncoding, cb: (err?: Error | null, data?: string) => void) {
    cb(null, `${JSON.stringify(obj)}\n`);
  }
}

export function formatOf(name: string, given?: string): ImportFormat {
  if (given === 'csv' || given === 'ndjson') return given;
  if (given) throw badRequest(`Unknown format ${given}; use csv or ndjson.`, [{ field: '/format', in: 'query', message: 'csv or ndjson' }]);
  return /\.(ndjson|jsonl)(\.gz)?$/i.test(name) ? 'ndjson' : 'csv';
}
