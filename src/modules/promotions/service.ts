// Promotions as a retailer manages them, and pricing a cart with them: the stored definitions are
// compiled once (and again only after a change) for the engine, and `quoteCart` joins catalog,
// price lists, usage so far and VAT into one priced, explained cart.
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, notFound, type FieldError, type JsonPointer } from '../../platform/errors.js';
import { emit, lockAggregate } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { categoryPaths, variantsForPricing } from '../catalog/index.js';
import { resolvePrices, vatBreakdown, type Country, type TaxClass } from '../pricing/index.js';
import { compilePromotions, priceCart, validatePromotion } from './engine.js';
import { coupons, promotions } from './schema.js';
import type { CartLine, Channel, CouponInfo, Promotion } from './types.js';
import { findCoupons, usageSnapshot } from './usage.js';

export type PromotionRow = typeof promotions.$inferSelect;
/** A promotion as the API takes it: the engine's definition without id; dates as ISO strings. */
export type PromotionInput = Omit<Promotion, 'id' | 'startsAt' | 'endsAt'> & { startsAt?: string | null; endsAt?: string | null };

export function toEngine(row: PromotionRow): Promotion {
  const d = row.definition as PromotionInput;
  return {
    ...d,
    id: row.id,
    name: row.name,
    status: row.status,
    priority: row.priority,
    startsAt: row.startsAt ?? undefined,
    endsAt: row.endsAt ?? undefined,
  };
}

/** A value as JSON gives it back: the same shape with plain arrays (the engine's types mark its lists readonly; the API's schemas do not). */
type AsJson<T> = T extends readonly (infer E)[] ? AsJson<E>[] : T extends object ? { -readonly [K in keyof T]: AsJson<T[K]> } : T;

export function publicPromotion(row: PromotionRow) {
  // The definition column is jsonb (typed `unknown`): what the API took, stored as sent.
  const d = row.definition as AsJson<PromotionInput>;
  return {
    ...d,
    id: row.id,
    name: row.name,
    status: row.status,
    priority: row.priority,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    usage: { redemptions: row.redemptions, spent: row.spent },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

/** Checks what the schema cannot (rule arithmetic, the target a rule needs), with the engine's own rules. */
export function checkDefinition(p: PromotionInput) {
  const problems = validatePromotion({ ...p, priority: p.priority ?? 0, id: 'pro_check', startsAt: p.startsAt ? new Date(p.startsAt) : undefined, endsAt: p.endsAt ? new Date(p.endsAt) : undefined } as Promotion);
  if (problems.length) throw badRequest(`The promotion is not valid: ${problems.join('; ')}.`, problems.map((m) => ({ field: fieldOf(m), message: m })));
}

const TOP_LEVEL = new Set(['name', 'status', 'priority', 'stacking', 'startsAt', 'endsAt', 'channels', 'storeIds', 'customerGroups', 'customerId', 'target', 'rule']);

/** The field an engine message is about: `limits.total …` → /limits/total, `target: …` → /target, rule arithmetic → /rule. */
function fieldOf(message: string): JsonPointer {
  const head = message.split(/[ :,]/)[0];
  if (head.startsWith('limits.')) return `/limits/${head.slice(7)}`;
  if (TOP_LEVEL.has(head)) return `/${head}`;
  if (head.startsWith('target') || head.startsWith('getTarget') || head.startsWith('components')) return head.startsWith('target') ? '/target' : `/rule/${head.split(/[.[]/)[0]}`;
  return '/rule';
}

function columnsOf(input: PromotionInput) {
  return {
    name: input.name,
    status: input.status,
    priority: input.priority ?? 0,
    startsAt: input.startsAt ? new Date(input.startsAt) : null,
    endsAt: input.endsAt ? new Date(input.endsAt) : null,
    totalLimit: input.limits?.total ?? null,
    perCustomerLimit: input.limits?.perCustomer ?? null,
    budget: input.limits?.budget ?? null,
    definition: input,
  };
}

/** The compiled active promotions, rebuilt after any change (in this process) or every few seconds (others). */
export class PromotionCache {
  private compiled?: ReturnType<typeof compilePromotions>;
  private rows: PromotionRow[] = [];
  private loadedAt = 0;
  constructor(private readonly ttlMs = 3000) {}
  invalidate() {
    this.compiled = undefined;
  }
  async get(db: Executor) {
    if (!this.compiled || Date.now() - this.loadedAt > this.ttlMs) {
      this.rows = await db.select().from(promotions).where(eq(promotions.status, 'active'));
      this.compiled = compilePromotions(this.rows.map(toEngine));
      this.loadedAt = Date.now();
    }
    return { compiled: this.compiled, ids: this.rows.map((r) => r.id) };
  }
}

export async function createPromotion(db: Db, ctx: RequestContext, input: PromotionInput, cache?: PromotionCache) {
  checkDefinition(input);
  const row = await db.transaction(async (tx) => {
    const [p] = await tx
      .insert(promotions)
      .values({ id: newId('promotion'), ...columnsOf(input) })
      .returning();
    await recordAudit(tx, ctx, { action: 'promotion.create', resourceType: 'promotion', resourceId: p.id, after: publicPromotion(p) });
    await emit(tx, { type: 'promotion.created', aggregateType: 'promotion', aggregateId: p.id, actor: ctx.actor, data: { promotion: publicPromotion(p) } });
    return p;
  });
  cache?.invalidate();
  return row;
}

/** A PATCH: absent fields stay; null (or an empty list, or empty limits) removes a restriction. */
export type PromotionPatch = { [K in keyof PromotionInput]?: PromotionInput[K] | null } & { limits?: { total?: number | null; perCustomer?: number | null; budget?: number | null } | null };

const CLEARED_BY_EMPTY_LIST = new Set(['channels', 'storeIds', 'customerGroups']);

/** The definition after a patch, with removed restrictions gone rather than stored as null or []. */
export function applyPatch(before: PromotionInput, patch: PromotionPatch): PromotionInput {
  const merged: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'limits' && value !== null) {
      // Limits are replaced as a whole; a null inside removes that one limit.
      const limits = Object.fromEntries(Object.entries(value as Record<string, number | null>).filter(([, v]) => v !== null && v !== undefined));
      if (Object.keys(limits).length) merged.limits = limits;
      else delete merged.limits;
    } else if (value === null || (CLEARED_BY_EMPTY_LIST.has(key) && Array.isArray(value) && value.length === 0)) {
      if (key === 'startsAt' || key === 'endsAt') merged[key] = null;
      else delete merged[key];
    } else merged[key] = value;
  }
  return merged as unknown as PromotionInput;
}

export async function updatePromotion(db: Db, ctx: RequestContext, id: string, patch: Partial<PromotionInput> | PromotionPatch, expected: number | undefined, cache?: PromotionCache) {
  const row = await db.transaction(async (tx) => {
    await lockAggregate(tx, 'promotion', id);
    const [before] = await tx.select().from(promotions).where(eq(promotions.id, id));
    if (!before) throw notFound('promotion', id);
    checkVersion('promotion', id, before.version, expected);
    if ((patch as PromotionPatch).name === null || (patch as PromotionPatch).status === null || (patch as PromotionPatch).stacking === null || (patch as PromotionPatch).rule === null) {
      throw badRequest('name, status, stacking and rule cannot be removed, only changed.', [{ field: '/', message: 'null not allowed for name, status, stacking or rule' }]);
    }
    const merged = applyPatch(before.definition as PromotionInput, patch as PromotionPatch);
    checkDefinition(merged);
    const [after] = await tx
      .update(promotions)
      .set({ ...columnsOf(merged), updatedAt: new Date(), version: before.version + 1 })
      .where(eq(promotions.id, id))
      .returning();
    await recordAudit(tx, ctx, { action: 'promotion.update', resourceType: 'promotion', resourceId: id, before: publicPromotion(before), after: publicPromotion(after) });
    await emit(tx, { type: 'promotion.updated', aggregateType: 'promotion', aggregateId: id, actor: ctx.actor, data: { promotion: publicPromotion(after) } });
    return after;
  });
  cache?.invalidate();
  return row;
}

export async function getPromotion(db: Executor, id: string) {
  const [p] = await db.select().from(promotions).where(eq(promotions.id, id));
  if (!p) throw notFound('promotion', id);
  return p;
}

export async function listPromotions(db: Executor, q: { status?: string; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(promotions.id, after));
  if (q.status) where.push(eq(promotions.status, q.status as 'active'));
  const rows = await db.select().from(promotions).where(where.length ? and(...where) : undefined).orderBy(desc(promotions.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

export async function listCoupons(db: Executor, promotionId: string, q: { limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const rows = await db
    .select()
    .from(coupons)
    .where(and(eq(coupons.promotionId, promotionId), after ? sql`${coupons.code} > ${after}` : undefined))
    .orderBy(coupons.code)
    .limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.code);
}

// ---------------------------------------------------------------- quoting a cart

export interface QuoteInput {
  channel: Channel;
  storeId?: string;
  customerId?: string;
  customerGroups?: string[];
  isMember?: boolean;
  couponCodes?: string[];
  shippingCost?: number;
  country?: Country;
  currency?: string;
  at?: Date;
  lines: Array<{ lineId?: string; sku?: string; variantId?: string; quantity: number }>;
}

/**
 * Prices a cart: resolved list prices per line, every active promotion (or only `onlyPromotions`,
 * for a builder's preview), explanations, and the VAT breakdown of the result.
 */
export async function quoteCart(db: Executor, cache: PromotionCache, input: QuoteInput, onlyPromotions?: Promotion[]) {
  const found = await variantsForPricing(db, input.lines);
  const missing = input.lines.map((l, i): FieldError | null => (found[i] ? null : { field: `/lines/${i}`, message: `no variant ${l.variantId ?? l.sku}` })).filter((e) => e !== null);
  if (missing.length) throw badRequest('Some lines name no known product variant.', missing);
  const prices = await resolvePrices(db, found.map((v) => v!.id), { currency: input.currency ?? 'EUR', channel: input.channel, storeId: input.storeId, customerGroups: input.customerGroups, at: input.at });
  const unpriced = found.map((v, i): FieldError | null => (prices.has(v!.id) ? null : { field: `/lines/${i}`, message: `${v!.sku} has no price for ${input.channel}${input.storeId ? ` in ${input.storeId}` : ''}` })).filter((e) => e !== null);
  if (unpriced.length) throw badRequest('Some lines have no price in this context.', unpriced);
  const ancestors = await categoryPaths(db, [...new Set(found.map((v) => v!.categoryId).filter((c): c is string => !!c))]);
  const lines: CartLine[] = input.lines.map((l, i) => {
    const v = found[i]!;
    return { lineId: l.lineId ?? `line_${i + 1}`, sku: v.sku, productId: v.productId, categoryIds: v.categoryId ? (ancestors.get(v.categoryId) ?? [v.categoryId]) : [], unitPrice: prices.get(v.id)!.amount, quantity: l.quantity };
  });
  const { compiled, ids } = onlyPromotions ? { compiled: compilePromotions(onlyPromotions), ids: onlyPromotions.map((p) => p.id) } : await cache.get(db);
  const codes = (input.couponCodes ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean);
  const couponRows = await findCoupons(db, codes);
  const couponMap: Record<string, CouponInfo> = Object.fromEntries(
    couponRows.map((c) => [c.code, { promotionId: c.promotionId, code: c.code, maxUses: c.maxUses, used: c.used, expiresAt: c.expiresAt ?? undefined, batchId: c.batchId ?? undefined }]),
  );
  const usage = await usageSnapshot(db, ids, input.customerId);
  const priced = priceCart(lines, compiled, {
    now: input.at ?? new Date(),
    channel: input.channel,
    storeId: input.storeId,
    customerId: input.customerId,
    customerGroups: input.customerGroups ?? [],
    isMember: input.isMember ?? false,
    couponCodes: codes,
    shippingCost: input.shippingCost ?? 0,
    usage,
    coupons: couponMap,
  });
  const taxOf = new Map(found.map((v) => [v!.sku, v!.taxClass as TaxClass]));
  const vat = vatBreakdown(input.country ?? 'NL', [...priced.lines.map((l) => ({ gross: l.total, taxClass: taxOf.get(l.sku) ?? 'standard' })), ...(priced.shipping.total ? [{ gross: priced.shipping.total, taxClass: 'standard' as TaxClass }] : [])]);
  return { currency: input.currency ?? 'EUR', country: input.country ?? 'NL', ...priced, vat };
}

