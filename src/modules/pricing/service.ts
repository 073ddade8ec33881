// Price lists and price resolution.
//
// Resolution order (docs/pricing.md): among the active lists in the asked currency that are valid
// at the moment and whose scope fits the context (a list without a channel, store or customer group
// fits any), the MOST SPECIFIC list with a price for the variant wins: customer group (4) beats
// store (2) beats channel (1) beats a general list (0), and the scores add up. Equal specificity:
// higher priority, then the newer list. Within a list the volume price with the highest minimum
// quantity not above the asked quantity applies. `compareAt` is the price of the best general list
// when that is higher than the winner, so a sale can show what it was.
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import { anyOf, type Db, type Executor } from '../../platform/db.js';
import { badRequest, notFound, type FieldError } from '../../platform/errors.js';
import { emit, lockAggregate } from '../../platform/events/outbox.js';
import { checkVersion } from '../../platform/http/concurrency.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import { priceLists, prices } from './schema.js';

export type PriceListRow = typeof priceLists.$inferSelect;

export interface PriceContext {
  currency: string;
  channel?: string;
  storeId?: string;
  customerGroups?: string[];
  at?: Date;
  quantity?: number;
}

export interface ResolvedPrice {
  variantId: string;
  amount: number;
  currency: string;
  priceListId: string;
  compareAt: number | null;
}

export function publicPriceList(l: PriceListRow) {
  return {
    id: l.id,
    name: l.name,
    status: l.status,
    currency: l.currency,
    channel: l.channel,
    storeId: l.storeId,
    customerGroup: l.customerGroup,
    priority: l.priority,
    startsAt: l.startsAt?.toISOString() ?? null,
    endsAt: l.endsAt?.toISOString() ?? null,
    specificity: specificity(l),
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
    version: l.version,
  };
}

export function specificity(l: { channel: string | null; storeId: string | null; customerGroup: string | null }) {
  return (l.customerGroup ? 4 : 0) + (l.storeId ? 2 : 0) + (l.channel ? 1 : 0);
}

export interface PriceListInput {
  name: string;
  status?: 'active' | 'draft' | 'archived';
  currency?: string;
  channel?: string | null;
  storeId?: string | null;
  customerGroup?: string | null;
  priority?: number;
  startsAt?: string | null;
  endsAt?: string | null;
}

function checkWindow(startsAt?: string | null, endsAt?: string | null) {
  if (startsAt && endsAt && new Date(endsAt) <= new Date(startsAt)) throw badRequest('endsAt must be after startsAt.', [{ field: '/endsAt', message: 'before startsAt' }]);
}

export async function createPriceList(db: Db, ctx: RequestContext, input: PriceListInput) {
  checkWindow(input.startsAt, input.endsAt);
  return db.transaction(async (tx) => {
    const [l] = await tx
      .insert(priceLists)
      .values({
        id: newId('priceList'),
        name: input.name,
        status: input.status ?? 'active',
        currency: input.currency ?? 'EUR',
        channel: input.channel ?? null,
        storeId: input.storeId ?? null,
        customerGroup: input.customerGroup ?? null,
        priority: input.priority ?? 0,
        startsAt: input.startsAt ? new Date(input.startsAt) : null,
        endsAt: input.endsAt ? new Date(input.endsAt) : null,
      })
      .returning();
    await recordAudit(tx, ctx, { action: 'price_list.create', resourceType: 'price_list', resourceId: l.id, after: publicPriceList(l) });
    await emit(tx, { type: 'price_list.created', aggregateType: 'price_list', aggregateId: l.id, actor: ctx.actor, data: { priceList: publicPriceList(l) } });
    return l;
  });
}

export async function updatePriceList(db: Db, ctx: RequestContext, id: string, patch: Partial<PriceListInput>, expected: number | undefined) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'price_list', id);
    const [before] = await tx.select().from(priceLists).where(eq(priceLists.id, id));
    if (!before) throw notFound('price list', id);
    checkVersion('price list', id, before.version, expected);
    const startsAt = patch.startsAt !== undefined ? patch.startsAt : before.startsAt?.toISOString();
    const endsAt = patch.endsAt !== undefined ? patch.endsAt : before.endsAt?.toISOString();
    checkWindow(startsAt, endsAt);
    const [after] = await tx
      .update(priceLists)
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.currency !== undefined && { currency: patch.currency }),
        ...(patch.channel !== undefined && { channel: patch.channel }),
        ...(patch.storeId !== undefined && { storeId: patch.storeId }),
        ...(patch.customerGroup !== undefined && { customerGroup: patch.customerGroup }),
        ...(patch.priority !== undefined && { priority: patch.priority }),
        startsAt: startsAt ? new Date(startsAt) : null,
        endsAt: endsAt ? new Date(endsAt) : null,
        updatedAt: new Date(),
        version: before.version + 1,
      })
      .where(eq(priceLists.id, id))
      .returning();
    await recordAudit(tx, ctx, { action: 'price_list.update', resourceType: 'price_list', resourceId: id, before: publicPriceList(before), after: publicPriceList(after) });
    await emit(tx, { type: 'price_list.updated', aggregateType: 'price_list', aggregateId: id, actor: ctx.actor, data: { priceList: publicPriceList(after) } });
    return after;
  });
}

export async function getPriceList(db: Executor, id: string) {
  const [l] = await db.select().from(priceLists).where(eq(priceLists.id, id));
  if (!l) throw notFound('price list', id);
  return l;
}

export async function listPriceLists(db: Executor, q: { limit: number; cursor?: string; status?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(priceLists.id, after));
  if (q.status) where.push(eq(priceLists.status, q.status as 'active'));
  const rows = await db.select().from(priceLists).where(where.length ? and(...where) : undefined).orderBy(desc(priceLists.id)).limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => r.id);
}

/**
 * The variants that prices are kept for, as the catalog knows them: the catalog answers this
 * (catalog's pricedVariants), so pricing does not import the catalog, which shows pricing's prices.
 */
export interface PricedVariants {
  /** Variant ids by upper-cased SKU, for the SKUs that exist. */
  variantIdsBySku(db: Executor, skus: string[]): Promise<Map<string, string>>;
  /** The variant with this id or SKU, if any. */
  findVariant(db: Executor, key: { variantId?: string; sku?: string }): Promise<{ id: string; sku: string } | undefined>;
}

export interface PriceEntry {
  variantId?: string;
  sku?: string;
  amount: number;
  minQuantity?: number;
}

/** Adds or replaces prices in a list; every entry is checked before any is written. */
export async function setPrices(db: Db, variants: PricedVariants, ctx: RequestContext, listId: string, entries: PriceEntry[]) {
  const skuIds = await variants.variantIdsBySku(db, entries.filter((e) => !e.variantId && e.sku).map((e) => e.sku!));
  const errors: FieldError[] = [];
  const rows = entries.map((e, i) => {
    const variantId = e.variantId ?? (e.sku ? skuIds.get(e.sku.toUpperCase()) : undefined);
    if (!variantId) errors.push({ field: `/prices/${i}`, message: e.sku ? `no variant with SKU ${e.sku}` : 'give variantId or sku' });
    if (!Number.isInteger(e.amount) || e.amount < 0) errors.push({ field: `/prices/${i}/amount`, message: 'a whole number of cents, 0 or more' });
    return { priceListId: listId, variantId: variantId ?? '', amount: e.amount, minQuantity: e.minQuantity ?? 1, updatedAt: new Date() };
  });
  if (errors.length) throw badRequest('Some prices cannot be set; nothing was changed.', errors);
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'price_list', listId);
    const [list] = await tx.select().from(priceLists).where(eq(priceLists.id, listId));
    if (!list) throw notFound('price list', listId);
    for (let i = 0; i < rows.length; i += 1000) {
      await tx
        .insert(prices)
        .values(rows.slice(i, i + 1000))
        .onConflictDoUpdate({ target: [prices.priceListId, prices.variantId, prices.minQuantity], set: { amount: sql`excluded.amount`, updatedAt: sql`excluded.updated_at` } });
    }
    await recordAudit(tx, ctx, { action: 'price_list.set_prices', resourceType: 'price_list', resourceId: listId, after: { count: rows.length, sample: rows.slice(0, 20) } });
    await emit(tx, {
      type: 'price.changed',
      aggregateType: 'price_list',
      aggregateId: listId,
      actor: ctx.actor,
      data: { priceListId: listId, currency: list.currency, prices: rows.slice(0, 500).map((r) => ({ variantId: r.variantId, amount: r.amount, minQuantity: r.minQuantity })), count: rows.length },
    });
    return rows.length;
  });
}

export async function removePrice(db: Db, ctx: RequestContext, listId: string, variantId: string, minQuantity: number) {
  await db.transaction(async (tx) => {
    await lockAggregate(tx, 'price_list', listId);
    const r = await tx.delete(prices).where(and(eq(prices.priceListId, listId), eq(prices.variantId, variantId), eq(prices.minQuantity, minQuantity))).returning();
    if (!r.length) throw notFound('price', `${listId}/${variantId}`);
    await recordAudit(tx, ctx, { action: 'price_list.remove_price', resourceType: 'price_list', resourceId: listId, before: r[0] });
    await emit(tx, { type: 'price.removed', aggregateType: 'price_list', aggregateId: listId, actor: ctx.actor, data: { priceListId: listId, variantId, minQuantity } });
  });
}

export async function listPrices(db: Executor, listId: string, q: { limit: number; cursor?: string }) {
  await getPriceList(db, listId);
  const after = decodeCursor(q.cursor);
  const rows = await db
    .select()
    .from(prices)
    .where(and(eq(prices.priceListId, listId), after ? gt(sql`${prices.variantId} || ':' || lpad(${prices.minQuantity}::text, 10, '0')`, after) : undefined))
    .orderBy(asc(prices.variantId), asc(prices.minQuantity))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, (r) => `${r.variantId}:${String(r.minQuantity).padStart(10, '0')}`);
}

// ---------------------------------------------------------------- resolution

type ChoiceList = Pick<PriceListRow, 'id' | 'channel' | 'storeId' | 'customerGroup' | 'priority' | 'createdAt'>;

interface Candidate<L extends ChoiceList = ChoiceList> {
  variantId: string;
  amount: number;
  minQuantity: number;
  /** What the choice between lists needs (explanations carry the whole list). */
  list: L;
}

/** Most specific first, then the highest priority, then the newest list (ids sort by time, so the higher id within one millisecond). */
function better(a: Candidate, b: Candidate) {
  return specificity(b.list) - specificity(a.list) || b.list.priority - a.list.priority || b.list.createdAt.getTime() - a.list.createdAt.getTime() || (a.list.id < b.list.id ? 1 : a.list.id > b.list.id ? -1 : 0);
}

/** Keeps, per list, the volume price that applies to the quantity. */
function perList<C extends Candidate>(cands: C[], quantity: number): C[] {
  const best = new Map<string, C>();
  for (const c of cands) {
    if (c.minQuantity > quantity) continue;
    const cur = best.get(c.list.id);
    if (!cur || c.minQuantity > cur.minQuantity) best.set(c.list.id, c);
  }
  return [...best.values()];
}

function pickWinner<C extends Candidate>(cands: C[], quantity: number): { winner?: C; compareAt: number | null } {
  const applicable = perList(cands, quantity).sort(better);
  const winner = applicable[0];
  if (!winner) return { compareAt: null };
  const general = applicable.filter((c) => specificity(c.list) === 0 && c.list.id !== winner.list.id)[0];
  return { winner, compareAt: general && general.amount > winner.amount ? general.amount : null };
}

/** The price rows that fit a context (`p`: prices, `l`: price_lists), before the choice between lists. */
function fitsContext(ctx: PriceContext): SQL {
  const at = ctx.at ?? new Date();
  const groups = ctx.customerGroups ?? [];
  return sql`l.status = 'active' and l.currency = ${ctx.currency} and p.min_quantity <= ${ctx.quantity ?? 1}
      and (l.channel is null or l.channel = ${ctx.channel ?? null}) and (l.store_id is null or l.store_id = ${ctx.storeId ?? null})
      and ${groups.length ? sql`(l.customer_group is null or l.customer_group = any(${sql.param(groups)}::text[]))` : sql`l.customer_group is null`}
      and (l.starts_at is null or l.starts_at <= ${at}) and (l.ends_at is null or l.ends_at > ${at})`;
}

/** A fitting price row as `candidatePricesOf` hands it over (short keys: there are many). */
export interface CandidateRow {
  /** variant id */
  v: string;
  /** amount in cents */
  a: number;
  /** minimum quantity */
  q: number;
  /** the list: id, channel, store, customer group, priority, created at */
  l: string;
  c: string | null;
  s: string | null;
  g: string | null;
  p: number;
  t: string;
}

/** The choice between the fitting rows, per variant: the same for every way of reading them. */
function choose(rows: Candidate[], ctx: PriceContext): Map<string, ResolvedPrice> {
  const out = new Map<string, ResolvedPrice>();
  const byVariant = new Map<string, Candidate[]>();
  for (const c of rows) {
    const list = byVariant.get(c.variantId);
    if (list) list.push(c);
    else byVariant.set(c.variantId, [c]);
  }
  for (const [variantId, cands] of byVariant) {
    const { winner, compareAt } = pickWinner(cands, ctx.quantity ?? 1);
    if (winner) out.set(variantId, { variantId, amount: winner.amount, currency: ctx.currency, priceListId: winner.list.id, compareAt });
  }
  return out;
}

/** Prices for many variants in one query: what carts and single products use. */
export async function resolvePrices(db: Executor, variantIds: string[], ctx: PriceContext): Promise<Map<string, ResolvedPrice>> {
  if (!variantIds.length) return new Map();
  // Hot path (every cart): only the columns the choice needs, as plain rows.
  // A raw query hands timestamps over as text (the query builder's type parsers), hence `new Date` below.
  const rows = await db.execute<{ variant_id: string; amount: string; min_quantity: number; id: string; channel: string | null; store_id: string | null; customer_group: string | null; priority: number; created_at: string }>(sql`
    select p.variant_id, p.amount, p.min_quantity, l.id, l.channel, l.store_id, l.customer_group, l.priority, l.created_at
    from prices p join price_lists l on l.id = p.price_list_id
    where ${anyOf(sql`p.variant_id`, variantIds)} and ${fitsContext(ctx)}`);
  return choose(
    rows.rows.map((r) => ({ variantId: r.variant_id, amount: Number(r.amount), minQuantity: r.min_quantity, list: { id: r.id, channel: r.channel, storeId: r.store_id, customerGroup: r.customer_group, priority: r.priority, createdAt: new Date(r.created_at) } })),
    ctx,
  );
}

/**
 * The fitting price rows of some variants as one JSON value, for another module's read to carry as a
 * column: `variantIds` is an SQL expression (text[]) of that read, e.g. one product's variant ids, so
 * that a page of products comes with its prices in one statement. `pricesFromCandidates` then
 * chooses exactly as `resolvePrices`.
 */
export function candidatePricesOf(variantIds: SQL, ctx: PriceContext): SQL<CandidateRow[]> {
  return sql<CandidateRow[]>`(select coalesce(json_agg(json_build_object('v', p.variant_id, 'a', p.amount, 'q', p.min_quantity, 'l', l.id, 'c', l.channel, 's', l.store_id,
      'g', l.customer_group, 'p', l.priority, 't', l.created_at)), '[]')
    from prices p join price_lists l on l.id = p.price_list_id
    where p.variant_id = any(${variantIds}) and ${fitsContext(ctx)})`;
}

/** The prices chosen from rows read with `candidatePricesOf` (of one or many products). */
export function pricesFromCandidates(rows: CandidateRow[], ctx: PriceContext): Map<string, ResolvedPrice> {
  return choose(
    rows.map((r) => ({ variantId: r.v, amount: Number(r.a), minQuantity: r.q, list: { id: r.l, channel: r.c, storeId: r.s, customerGroup: r.g, priority: r.p, createdAt: new Date(r.t) } })),
    ctx,
  );
}

/** One variant's price with every list that could have applied and why it did or did not. */
export async function explainPrice(db: Executor, variants: PricedVariants, key: { variantId?: string; sku?: string }, ctx: PriceContext) {
  const variant = await variants.findVariant(db, key);
  if (!variant) throw notFound('variant', key.variantId ?? key.sku);
  const at = ctx.at ?? new Date();
  const quantity = ctx.quantity ?? 1;
  const groups = ctx.customerGroups ?? [];
  const rows = await db.select({ p: prices, l: priceLists }).from(prices).innerJoin(priceLists, eq(priceLists.id, prices.priceListId)).where(eq(prices.variantId, variant.id));
  const fits: Candidate<PriceListRow>[] = [];
  const considered: Array<{ priceListId: string; name: string; amount: number; minQuantity: number; specificity: number; priority: number; outcome: 'won' | 'lost' | 'not_applicable'; reason: string }> = [];
  for (const r of rows) {
    const l = r.l;
    const base = { priceListId: l.id, name: l.name, amount: r.p.amount, minQuantity: r.p.minQuantity, specificity: specificity(l), priority: l.priority };
    const reason =
      l.status !== 'active' ? `list is ${l.status}`
      : l.currency !== ctx.currency ? `list is in ${l.currency}, not ${ctx.currency}`
      : l.startsAt && l.startsAt > at ? `not valid until ${l.startsAt.toISOString()}`
      : l.endsAt && l.endsAt <= at ? `expired at ${l.endsAt.toISOString()}`
      : l.channel && l.channel !== ctx.channel ? `only for channel ${l.channel}`
      : l.storeId && l.storeId !== ctx.storeId ? `only for store ${l.storeId}`
      : l.customerGroup && !groups.includes(l.customerGroup) ? `only for customer group ${l.customerGroup}`
      : r.p.minQuantity > quantity ? `applies from ${r.p.minQuantity} pieces`
      : undefined;
    if (reason) considered.push({ ...base, outcome: 'not_applicable', reason });
    else fits.push({ variantId: variant.id, amount: r.p.amount, minQuantity: r.p.minQuantity, list: l });
  }
  const { winner, compareAt } = pickWinner(fits, quantity);
  const applied = perList(fits, quantity);
  for (const c of fits) {
    const base = { priceListId: c.list.id, name: c.list.name, amount: c.amount, minQuantity: c.minQuantity, specificity: specificity(c.list), priority: c.list.priority };
    if (!applied.includes(c)) considered.push({ ...base, outcome: 'lost', reason: 'a higher volume tier of the same list applies' });
    else if (c === winner) considered.push({ ...base, outcome: 'won', reason: 'most specific applicable list' + (fits.some((o) => o !== c && specificity(o.list) === specificity(c.list)) ? ', then highest priority' : '') });
    else if (winner && specificity(c.list) < specificity(winner.list)) considered.push({ ...base, outcome: 'lost', reason: `less specific (${specificity(c.list)}) than ${winner.list.name} (${specificity(winner.list)})` });
    else considered.push({ ...base, outcome: 'lost', reason: `lower priority (${c.list.priority}) or older than ${winner!.list.name}` });
  }
  const order = { won: 0, lost: 1, not_applicable: 2 } as Record<string, number>;
  considered.sort((a, b) => order[a.outcome] - order[b.outcome] || b.specificity - a.specificity || b.priority - a.priority);
  return {
    variantId: variant.id,
    sku: variant.sku,
    currency: ctx.currency,
    quantity,
    at: at.toISOString(),
    price: winner ? { amount: winner.amount, priceListId: winner.list.id, compareAt } : null,
    considered,
  };
}

/**
 * Variants whose resolved price lies in [min, max] in a context: what the catalog's price-range
 * filter uses. It resolves every priced variant (one query, picked in memory), which is fine for
 * catalogs of tens of thousands of variants.
 */
export async function variantIdsPricedBetween(db: Executor, ctx: PriceContext, min: number | undefined, max: number | undefined): Promise<string[]> {
  const all = await db.selectDistinct({ variantId: prices.variantId }).from(prices).innerJoin(priceLists, eq(priceLists.id, prices.priceListId)).where(and(eq(priceLists.status, 'active'), eq(priceLists.currency, ctx.currency)));
  const resolved = await resolvePrices(db, all.map((r) => r.variantId), ctx);
  return [...resolved.values()].filter((p) => (min === undefined || p.amount >= min) && (max === undefined || p.amount <= max)).map((p) => p.variantId);
}

/** The active general list with this name in this currency, created when missing (imports use it). */
export async function ensurePriceList(db: Db, ctx: RequestContext, name: string, currency = 'EUR'): Promise<string> {
  const [found] = await db
    .select({ id: priceLists.id })
    .from(priceLists)
    .where(and(eq(priceLists.name, name), eq(priceLists.currency, currency), sql`${priceLists.channel} is null and ${priceLists.storeId} is null and ${priceLists.customerGroup} is null`))
    .orderBy(asc(priceLists.id))
    .limit(1);
  if (found) return found.id;
  return (await createPriceList(db, ctx, { name, currency })).id;
}

/** When the next active price list starts or ends (after now), or null: a remembered product list with prices lives until then. */
export async function nextPriceListChange(db: Executor): Promise<Date | null> {
  const r = await db.execute<{ at: Date | string | null }>(sql`
    select least(min(starts_at) filter (where starts_at > now()), min(ends_at) filter (where ends_at > now())) as at
    from price_lists where status = 'active'`);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

/**
 * The unit prices (for a quantity of 1) of these variants in a price list, by default the list named
 * "Base prices" (the first made): the product export's price column.
 */
export async function unitPricesIn(db: Executor, variantIds: string[], priceListId?: string): Promise<Map<string, number>> {
  if (!variantIds.length) return new Map();
  const r = await db.execute<{ variant_id: string; amount: string }>(sql`
    select variant_id, amount from prices
    where ${anyOf(sql`variant_id`, variantIds)} and min_quantity = 1
      and price_list_id = coalesce(${priceListId ?? null}, (select id from price_lists where name = 'Base prices' order by id limit 1))`);
  return new Map(r.rows.map((x) => [x.variant_id, Number(x.amount)]));
}
