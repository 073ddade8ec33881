// Profiles: what goes into the timeline from each source, the traits kept on a profile, lookups,
// the timeline itself, unmerge and the identity rules.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../../platform/db.js';
import { badRequest, conflict, notFound, preconditionFailed } from '../../platform/errors.js';
import { decodeTimeCursor, encodeTimeCursor } from '../../platform/http/pagination.js';
import { emit, isEvent, lockAggregate, type DomainEvent, type Subscription } from '../../platform/events/outbox.js';
import { ID_PREFIXES, newId } from '../../platform/ids.js';
import { recordAudit } from '../../platform/audit.js';
import { type RequestContext } from '../../platform/context.js';
import {
  checkRules,
  keyOf,
  kindOfKey,
  loadRules,
  normaliseIdentifier,
  resolveObservations,
  valueOfKey,
  type IdentifierKind,
  type IdentityRules,
  type Observation,
  type TimelineChannel,
} from './identity.js';
import { type collectedEvents, identityRules, profileIdentifiers, profileMerges, profiles, profileSeparations } from './schema.js';

type CollectedRow = typeof collectedEvents.$inferSelect;
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);

const STORE_CHANNELS = new Set(['pos', 'kiosk', 'scan_go', 'store', 'in_store']);
const SERVICE_PREFIXES = ['service.', 'ticket.', 'conversation.', 'feedback.', 'review.', 'survey.', 'chat.'];

/** Identifiers a `traits`/`customer` object may carry, with the names integrations use for them. */
function identifiersIn(o: Record<string, unknown>): Observation['identifiers'] {
  const out: Observation['identifiers'] = [];
  const add = (kind: IdentifierKind, v: unknown) => {
    if (v !== undefined && v !== null) out.push({ kind, value: v });
  };
  add('email', o.email);
  add('phone', o.phone);
  add('loyalty_card', o.loyaltyCard ?? o.loyaltyCardNumber);
  add('card_fingerprint', o.cardFingerprint);
  add('anonymous_id', o.anonymousId);
  const social = o.social ?? o.socialHandle;
  if (typeof social === 'string') add('social', social);
  else for (const [network, handle] of Object.entries(obj(social))) add('social', `${network}:${String(handle)}`);
  return out;
}

/** A collected (SDK or server) event as a timeline observation. */
export function fromCollected(e: CollectedRow): Observation {
  const traits = obj(e.traits);
  const context = obj(e.context);
  const props = obj(e.properties);
  const ids: Observation['identifiers'] = [...identifiersIn(traits), ...identifiersIn(obj(context.traits))];
  if (e.userId) ids.push({ kind: 'customer_id', value: e.userId });
  if (e.anonymousId) ids.push({ kind: 'anonymous_id', value: e.anonymousId });
  if (e.previousId) ids.push({ kind: e.previousId.startsWith('cus_') ? 'customer_id' : 'anonymous_id', value: e.previousId });
  const where = str(context.channel) ?? str(props.channel);
  const data: Record<string, unknown> = {};
  if (e.properties) data.properties = e.properties;
  if (e.traits) data.traits = e.traits;
  if (context.page) data.page = context.page;
  data.messageId = e.messageId;
  return {
    source: 'collect',
    sourceId: `collect:${e.messageId}`,
    occurredAt: e.timestamp,
    type: e.type,
    name: e.type === 'track' ? e.event : e.name,
    channel: where && STORE_CHANNELS.has(where) ? 'store' : 'online',
    storeId: str(props.storeId) ?? str(context.storeId),
    category: str(props.category),
    data,
    identifiers: ids,
  };
}

/** Finds a field on the event data or on one of its direct child objects (data.order.channel). */
function findField(data: Record<string, unknown>, name: string): unknown {
  if (data[name] !== undefined) return data[name];
  for (const v of Object.values(data)) {
    const o = obj(v);
    if (o[name] !== undefined) return o[name];
  }
  return undefined;
}

/**
 * The orders an event names: its aggregate when that is an order, and `orderId` or `order.id` on its
 * data or on one of the data's direct child objects (`data.fulfilment.orderId`), first named first.
 * Any event that names an order this way, present or future, is about that order. Only order ids
 * count (`ord_…`): a payment settled before its order existed names its cart under the order
 * aggregate.
 */
const ORDER_ID_PREFIX = `${ID_PREFIXES.order}_`;
export function ordersNamedBy(e: Pick<DomainEvent, 'aggregateType' | 'aggregateId' | 'data'>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    const id = str(v);
    if (id && id.startsWith(ORDER_ID_PREFIX) && !out.includes(id)) out.push(id);
  };
  if (e.aggregateType === 'order') add(e.aggregateId);
  add(e.data.orderId);
  add(obj(e.data.order).id);
  for (const v of Object.values(e.data)) add(obj(v).orderId);
  return out;
}

/** What the customers module knows of an order from its earlier events (see order_links). */
export interface KnownOrder {
  orderId: string;
  /** The identifier keys (`kind:value`) of the event that placed it with a person. */
  keys: string[];
  salesChannel: string | null;
  storeId: string | null;
}

/**
 * Where an event happened, for a person: at a `store` (a till, kiosk or scan & go sale; a parcel
 * collected at the counter; a return handed in at a store; a store visit), in `service`, or
 * `online`. An event that says nothing of where it happened takes its order's channel: the
 * shipment of a web order is online, the payment of a till sale is in store.
 */
function placeOf(e: DomainEvent, salesChannel: string | null, order: KnownOrder | null | undefined): { channel: TimelineChannel; storeId: string | null } {
  const ownStore = str(findField(e.data, 'storeId'));
  if (SERVICE_PREFIXES.some((p) => e.type.startsWith(p))) return { channel: 'service', storeId: ownStore };
  if (salesChannel && STORE_CHANNELS.has(salesChannel)) return { channel: 'store', storeId: ownStore ?? order?.storeId ?? null };
  if (e.type.startsWith('pickup.') || e.type.startsWith('store_visit.')) return { channel: 'store', storeId: ownStore };
  // A click & collect parcel handed over at the counter.
  const f = obj(e.data.fulfilment);
  if (f.method === 'pickup' && f.status === 'collected') return { channel: 'store', storeId: ownStore ?? str(f.pickupLocationId) ?? str(f.locationId) };
  // A return handed in at a store (a mail return received at a warehouse is not).
  if (e.data.method === 'in_store' && str(e.data.locationId)) return { channel: 'store', storeId: ownStore ?? str(e.data.locationId) };
  if (order?.salesChannel && STORE_CHANNELS.has(order.salesChannel)) return { channel: 'store', storeId: ownStore ?? order.storeId };
  return { channel: 'online', storeId: ownStore };
}

/** Event types whose `data.amount` is money the person got back on an order (see computeTraits). */
const MONEY_BACK = ['refund.issued', 'payment.voided'] as const;

/**
 * A business event from the outbox as an observation, when it is about a person: it has the
 * envelope's `customerId`, or a `customer` object in its data (id, email, phone, loyaltyCard,
 * cardFingerprint, anonymousId), or it names an order placed by someone the module knows (`order`,
 * from order_links): then it also carries that order's identifiers, so it rests on the same identity
 * link, and the same profile, as the event that placed the order. Null when it is about nobody in
 * particular.
 */
export function fromDomainEvent(e: DomainEvent, order?: KnownOrder | null): Observation | null {
  const customer = obj(e.data.customer);
  const ids: Observation['identifiers'] = identifiersIn(customer);
  const customerId = e.customerId ?? str(customer.id) ?? str(customer.customerId);
  if (customerId) ids.push({ kind: 'customer_id', value: customerId });
  if (order) for (const k of order.keys) ids.push({ kind: kindOfKey(k), value: valueOfKey(k) });
  if (!ids.length) return null;
  const ownChannel = str(findField(e.data, 'channel'));
  const salesChannel = ownChannel ?? order?.salesChannel ?? null;
  const { channel, storeId } = placeOf(e, ownChannel, order);
  let amount: number | null = null;
  let currency: string | null = null;
  if (isEvent(e, 'order.placed')) {
    amount = e.data.order.total;
    currency = e.data.order.currency;
  } else if (isEvent(e, ...MONEY_BACK)) {
    amount = e.data.amount;
    currency = e.data.currency;
  }
  return {
    source: 'event',
    sourceId: `event:${e.id}`,
    occurredAt: new Date(e.occurredAt),
    type: e.type,
    name: null,
    channel,
    salesChannel,
    storeId,
    amount,
    currency,
    orderId: order?.orderId ?? ordersNamedBy(e)[0] ?? null,
    data: { ...e.data, aggregate: { type: e.aggregateType, id: e.aggregateId } },
    identifiers: ids,
  };
}

/** The first of these orders that the module knows, with the identifiers of its placing event. */
async function knownOrder(tx: Executor, orderIds: string[]): Promise<KnownOrder | null> {
  if (!orderIds.length) return null;
  // An erasure deletes the person's links: their orders are then known to nobody.
  const r = await tx.execute<{ order_id: string; keys: string[]; sales_channel: string | null; store_id: string | null }>(sql`
    select o.order_id, l.keys, o.sales_channel, o.store_id from order_links o join identity_links l on l.id = o.link_id
    where o.order_id = any(${sql.param(orderIds)}::text[])`);
  for (const id of orderIds) {
    const row = r.rows.find((x) => x.order_id === id);
    if (row) return { orderId: id, keys: row.keys, salesChannel: row.sales_channel, storeId: row.store_id };
  }
  return null;
}

// ---- traits -----------------------------------------------------------------------------------

/**
 * Whether a profile may be profiled (computed traits): the consent module decides (its
 * profilingAllowed, handed in by src/runtime.ts), so customers does not import consent, which asks
 * the identity graph who a person is.
 */
export type ProfilingAllowed = (db: Executor, profileId: string) => Promise<boolean>;

async function followMerged(db: Executor, id: string): Promise<string> {
  let cur = id;
  for (let i = 0; i < 20; i++) {
    const [p] = await db.select({ status: profiles.status, mergedInto: profiles.mergedInto }).from(profiles).where(eq(profiles.id, cur));
    if (!p || p.status !== 'merged' || !p.mergedInto) return cur;
    cur = p.mergedInto;
  }
  return cur;
}

export interface ComputedTraits {
  firstSeenAt: string;
  lastSeenAt: string;
  events: number;
  orders: number;
  revenue: number;
  currency: string | null;
  averageOrderValue: number | null;
  byChannel: Record<string, { orders: number; revenue: number }>;
  preferredChannel: string | null;
  preferredStoreId: string | null;
  categoryAffinity: Array<{ category: string; score: number }>;
  lastPurchaseAt: string | null;
  frequencyScore: number | null;
  monetaryScore: number | null;
}

export const frequencyScore = (orders: number) => (orders <= 0 ? null : orders >= 10 ? 5 : orders >= 5 ? 4 : orders >= 3 ? 3 : orders);
export const monetaryScore = (cents: number) => (cents <= 0 ? null : cents >= 100_000 ? 5 : cents >= 50_000 ? 4 : cents >= 20_000 ? 3 : cents >= 5_000 ? 2 : 1);
export const recencyScore = (days: number | null) => (days === null ? null : days <= 30 ? 5 : days <= 90 ? 4 : days <= 180 ? 3 : days <= 365 ? 2 : 1);

/**
 * Brings declared traits, event count and first/last seen of these profiles up to date (set-based,
 * in the caller's transaction) and marks their computed traits for recomputation. Computed traits
 * need a consent check per person, so the computed-traits loop does them right after, outside the
 * ingestion path (typically within a fraction of a second).
 */
export async function refreshProfiles(tx: Tx, profileIds: string[]) {
  if (!profileIds.length) return;
  await lockProfiles(tx, profileIds);
  await recomputeProfiles(tx, profileIds);
}

/**
 * Takes entries off timelines by their source ids (collected events purged by retention) and
 * recounts the profiles they were on: counters are otherwise only ever added to.
 */
export async function removeTimelineEntries(tx: Tx, sourceIds: string[]): Promise<number> {
  if (!sourceIds.length) return 0;
  const r = await tx.execute<{ profile_id: string }>(sql`delete from timeline_entries where source_id = any(${sql.param(sourceIds)}::text[]) returning profile_id`);
  await refreshProfiles(tx, [...new Set(r.rows.map((x) => x.profile_id))].sort());
  return r.rows.length;
}

/**
 * Locks these profile rows in id order. Every writer that changes a profile's timeline-derived
 * fields locks them first, and in the same order, so two batches about the same people wait for
 * each other instead of deadlocking; and a recount that runs after the lock (its own statement)
 * sees every entry of a batch that held the lock before it.
 */
async function lockProfiles(tx: Tx, profileIds: string[]) {
  await tx.execute(sql`select id from profiles where id = any(${`{${[...new Set(profileIds)].sort().join(',')}}`}::text[]) order by id for no key update`);
}

/** The full recount of refreshProfiles, for profiles the caller has locked. */
async function recomputeProfiles(tx: Tx, profileIds: string[]) {
  const ids = `{${profileIds.join(',')}}`;
  await tx.execute(sql`
    with basics as (
      select profile_id, min(occurred_at) as first_seen, max(occurred_at) as last_seen, count(*)::int as events
      from timeline_entries where profile_id = any(${ids}::text[]) group by profile_id),
    declared as (
      select profile_id, jsonb_object_agg(k, v) as traits from (
        select distinct on (t.profile_id, e.k) t.profile_id, e.k, e.v
        from timeline_entries t cross join lateral jsonb_each(case when jsonb_typeof(t.data->'traits') = 'object' then t.data->'traits' else '{}'::jsonb end) as e(k, v)
        where t.profile_id = any(${ids}::text[]) and t.type = 'identify'
        order by t.profile_id, e.k, t.occurred_at desc, t.id desc) s
      group by profile_id)
    update profiles p set traits = coalesce(d.traits, '{}'::jsonb), event_count = coalesce(b.events, 0), first_seen_at = b.first_seen, last_seen_at = b.last_seen,
      computed_dirty_at = now(), updated_at = now()
    from unnest(${ids}::text[]) as x(id) left join basics b on b.profile_id = x.id left join declared d on d.profile_id = x.id
    where p.id = x.id and p.status = 'active'`);
}

/**
 * One step of the computed-traits loop: up to `limit` marked profiles; returns how many. A profile
 * is leased (its mark moved 30 s ahead) rather than locked while its consent is checked, so
 * ingestion never waits for it; a mark set again meanwhile, or a process that died, brings it back.
 */
export async function refreshComputedTraits(db: Db, profilingAllowed: ProfilingAllowed, limit = 50): Promise<number> {
  const lease = new Date(Date.now() + 30_000);
  const claimed = await db.execute<{ id: string }>(sql`
    update profiles set computed_dirty_at = ${lease.toISOString()}::timestamptz
    where id in (select id from profiles where computed_dirty_at <= now() order by computed_dirty_at limit ${limit} for update skip locked)
    returning id`);
  const ids = claimed.rows.map((r) => r.id);
  if (!ids.length) return 0;
  await computeTraits(db, profilingAllowed, ids, lease);
  return ids.length;
}

/**
 * Recomputes the computed traits of these profiles from their timelines (set-based), for those with
 * the profiling consent; null for the others.
 */
export async function computeTraits(tx: Executor, profilingAllowed: ProfilingAllowed, profileIds: string[], lease?: Date) {
  if (!profileIds.length) return;
  const ids = `{${profileIds.join(',')}}`;
  // One statement at a time: they share the transaction's connection.
  const basics = await tx.execute<{ profile_id: string; first_seen: Date; last_seen: Date; events: number }>(sql`
      select profile_id, min(occurred_at) as first_seen, max(occurred_at) as last_seen, count(*)::int as events
      from timeline_entries where profile_id = any(${ids}::text[]) group by profile_id`);
  // Orders and revenue, per order on the profile's timeline: what it came to when placed, less what
  // was given back on it (refunds, to a tender or as store credit, and authorisations released for
  // cancelled goods), never below zero. An order cancelled entirely counts neither as an order nor
  // as revenue. (Docs: "Profiles and traits" in docs/customers.md.)
  const perOrder = sql`
      select profile_id, order_id,
        min(sales_channel) filter (where type = 'order.placed') as sales_channel,
        min(currency) filter (where type = 'order.placed') as currency,
        min(occurred_at) filter (where type = 'order.placed') as placed_at,
        greatest(coalesce(sum(amount) filter (where type = 'order.placed'), 0) - coalesce(sum(amount) filter (where type in ('refund.issued', 'payment.voided')), 0), 0) as net
      from timeline_entries where profile_id = any(${ids}::text[]) and order_id is not null
      group by profile_id, order_id
      having count(*) filter (where type = 'order.placed') > 0 and count(*) filter (where type = 'order.cancelled') = 0`;
  const orderTotals = await tx.execute<{ profile_id: string; orders: number; revenue: string; last_purchase: Date | null; currency: string | null }>(sql`
      select profile_id, count(*)::int as orders, coalesce(sum(net), 0)::bigint as revenue, max(placed_at) as last_purchase, min(currency) as currency
      from (${perOrder}) o group by profile_id`);
  const channels = await tx.execute<{ profile_id: string; sales_channel: string | null; n: number; revenue: string }>(sql`
      select profile_id, sales_channel, count(*)::int as n, coalesce(sum(net), 0)::bigint as revenue
      from (${perOrder}) o group by 1, 2`);
  // In-store occasions per store: each order once (a till sale with its payment, a pickup, a return
  // of the same order), each visit or other entry once.
  const stores = await tx.execute<{ profile_id: string; store_id: string; n: number; last: Date }>(sql`
      select profile_id, store_id, count(distinct coalesce(order_id, id))::int as n, max(occurred_at) as last
      from timeline_entries where profile_id = any(${ids}::text[]) and store_id is not null and channel = 'store' group by 1, 2`);
  const categories = await tx.execute<{ profile_id: string; category: string; score: number }>(sql`
      select profile_id, category, sum(case when type = 'order.placed' then 5 when name ilike '%cart%' then 3 else 1 end)::int as score
      from timeline_entries where profile_id = any(${ids}::text[]) and category is not null group by 1, 2`);
  const rows = [];
  for (const id of profileIds) {
    const b = basics.rows.find((r) => r.profile_id === id);
    let computed: ComputedTraits | null = null;
    if (b && (await profilingAllowed(tx, id))) {
      const o = orderTotals.rows.find((r) => r.profile_id === id);
      const orders = o?.orders ?? 0;
      const revenue = Number(o?.revenue ?? 0);
      const byChannel: ComputedTraits['byChannel'] = {};
      for (const c of channels.rows.filter((r) => r.profile_id === id)) byChannel[c.sales_channel ?? 'unknown'] = { orders: c.n, revenue: Number(c.revenue) };
      const preferredChannel = Object.entries(byChannel).sort((x, y) => y[1].orders - x[1].orders || y[1].revenue - x[1].revenue || (x[0] < y[0] ? -1 : 1))[0]?.[0] ?? null;
      const myStores = stores.rows.filter((r) => r.profile_id === id).sort((x, y) => y.n - x.n || new Date(y.last).getTime() - new Date(x.last).getTime());
      const cats = categories.rows.filter((r) => r.profile_id === id).sort((x, y) => y.score - x.score || (x.category < y.category ? -1 : 1));
      const total = cats.reduce((s, c) => s + c.score, 0);
      computed = {
        firstSeenAt: new Date(b.first_seen).toISOString(),
        lastSeenAt: new Date(b.last_seen).toISOString(),
        events: b.events,
        orders,
        revenue,
        currency: o?.currency ?? null,
        averageOrderValue: orders ? Math.round(revenue / orders) : null,
        byChannel,
        preferredChannel,
        preferredStoreId: myStores[0]?.store_id ?? null,
        categoryAffinity: cats.slice(0, 5).map((c) => ({ category: c.category, score: Math.round((c.score / total) * 100) / 100 })),
        lastPurchaseAt: o?.last_purchase ? new Date(o.last_purchase).toISOString() : null,
        frequencyScore: frequencyScore(orders),
        monetaryScore: monetaryScore(revenue),
      };
    }
    rows.push({ id, computed });
  }
  // Rows are locked in id order (every row it updates comes through `locked`), as ingestion does,
  // so the two never deadlock.
  await tx.execute(sql`
    with locked as materialized (select id from profiles where id = any(${ids}::text[]) order by id for no key update)
    update profiles p set computed = case when p.status = 'active' then r.computed end, updated_at = now(),
      computed_dirty_at = case when ${lease ? sql`p.computed_dirty_at = ${lease.toISOString()}::timestamptz` : sql`true`} then null else p.computed_dirty_at end
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id text, computed jsonb) join locked l on l.id = r.id
    where p.id = r.id`);
}

/**
 * Adds observations to the graph and timelines and brings the touched profiles' traits up to date:
 * a profile that only gained entries has its counters and first/last seen moved on (and the traits
 * of new identify calls laid over its declared ones); one whose identifiers or entries changed
 * otherwise (a merge, a split, a new profile) is recounted from its timeline.
 */
export async function ingest(tx: Tx, observations: Observation[], opts: Parameters<typeof resolveObservations>[2] = {}) {
  const r = await resolveObservations(tx, observations, opts);
  const full = new Set(r.changedProfiles);
  const grown = r.added.filter((a) => !full.has(a.profileId));
  if (!full.size && !grown.length) return r;
  // Locked in id order. Without a recount (a batch that only adds entries) that happens in the
  // update itself: every row it changes comes through `locked`, which takes them in that order.
  if (full.size) await lockProfiles(tx, [...full, ...grown.map((a) => a.profileId)]);
  if (grown.length) {
    const rows = grown.map((a) => ({ id: a.profileId, n: a.n, first: a.first.toISOString(), last: a.last.toISOString() }));
    await tx.execute(sql`
      with locked as materialized (select id from profiles where id = any(${`{${grown.map((a) => a.profileId).sort().join(',')}}`}::text[]) order by id for no key update)
      update profiles p set event_count = p.event_count + r.n, first_seen_at = least(p.first_seen_at, r.first), last_seen_at = greatest(p.last_seen_at, r.last),
        -- A profile already waiting for the computed-traits loop keeps its place (and the update
        -- touches no indexed column, so it can stay on its page); a leased one is marked again.
        computed_dirty_at = case when p.computed_dirty_at <= now() then p.computed_dirty_at else now() end, updated_at = now()
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id text, n int, first timestamptz, last timestamptz) join locked l on l.id = r.id
      where p.id = r.id and p.status = 'active'`);
  }
  const identified = grown.flatMap((a) => a.identifyIds);
  if (identified.length) await addDeclaredTraits(tx, identified);
  if (full.size) await recomputeProfiles(tx, [...full]);
  return r;
}

/**
 * Declared traits after new identify entries (their ids), on profiles the caller has locked. When
 * the new entries are the latest identify calls of their profile (the usual case), their traits
 * are laid over the profile's, latest last; a profile that already had a later identify call gets
 * its declared traits recounted from its timeline.
 */
async function addDeclaredTraits(tx: Tx, entryIds: string[]) {
  const ids = `{${entryIds.join(',')}}`;
  await tx.execute(sql`
    with fresh as (
      select profile_id, occurred_at, id, data from timeline_entries where id = any(${ids}::text[])),
    late as (
      select distinct f.profile_id from fresh f where exists (
        select 1 from timeline_entries o where o.profile_id = f.profile_id and o.type = 'identify' and (o.occurred_at, o.id) > (f.occurred_at, f.id) and o.id <> all(${ids}::text[]))),
    declared as (
      select profile_id, jsonb_object_agg(k, v) as traits from (
        select distinct on (t.profile_id, e.k) t.profile_id, e.k, e.v
        from (
          select * from fresh where profile_id not in (select profile_id from late)
          union all
          select profile_id, occurred_at, id, data from timeline_entries where profile_id in (select profile_id from late) and type = 'identify') t
        cross join lateral jsonb_each(case when jsonb_typeof(t.data->'traits') = 'object' then t.data->'traits' else '{}'::jsonb end) as e(k, v)
        order by t.profile_id, e.k, t.occurred_at desc, t.id desc) s
      group by profile_id)
    update profiles p set traits = case when x.profile_id in (select profile_id from late) then coalesce(d.traits, '{}'::jsonb) else p.traits || coalesce(d.traits, '{}'::jsonb) end
    from (select distinct profile_id from fresh) x left join declared d on d.profile_id = x.profile_id
    where p.id = x.profile_id and p.status = 'active'`);
}

/**
 * The outbox subscriber: every business event about a person lands in their timeline, and every
 * later event about an order lands where the order did.
 */
export function timelineSubscription(): Subscription {
  return {
    name: 'customers.timeline',
    types: ['*'],
    mode: 'tx',
    // A read model of the whole history: on a first start (a new installation whose API, a demo or
    // an import recorded events before the relay ran) it takes in every event recorded so far.
    backfill: true,
    // Only events about a person, about an order, and consent decisions touch the timeline; the
    // rest, such as a catalog import's product events, pass without a savepoint. Our own profile
    // events would only echo.
    wants: (event) => !event.type.startsWith('profile.') && (event.type === 'consent.changed' || fromDomainEvent(event) !== null || ordersNamedBy(event).length > 0),
    handle: async (event, tx) => {
      const named = ordersNamedBy(event);
      const order = await knownOrder(tx, named);
      const obs = fromDomainEvent(event, order);
      const r = obs ? await ingest(tx, [obs]) : null;
      // The first event about an order that says whom it is for (order.placed, as the checkout
      // emits it first) makes the order known: its later events follow the same link.
      const link = obs && r?.linkOf.get(obs.sourceId);
      if (link && !order && named.length) {
        const ownChannel = str(findField(event.data, 'channel'));
        await tx.execute(sql`
          insert into order_links (order_id, link_id, sales_channel, store_id)
          values (${named[0]}, ${link}, ${ownChannel}, ${str(findField(event.data, 'storeId'))})
          on conflict (order_id) do nothing`);
      }
      // A profiling decision switches computed traits on or off for the person's profile.
      if (isEvent(event, 'consent.changed')) {
        const d = event.data;
        const keys = [d.customerId ?? event.customerId ? keyOf('customer_id', (d.customerId ?? event.customerId)!) : null, d.anonymousId ? keyOf('anonymous_id', d.anonymousId) : null].filter((k): k is string => !!k);
        const ids = new Set<string>();
        if (d.profileId) ids.add(await followMerged(tx, d.profileId));
        if (keys.length) for (const row of await tx.select({ p: profileIdentifiers.profileId }).from(profileIdentifiers).where(inArray(profileIdentifiers.key, keys))) if (row.p) ids.add(row.p);
        for (const p of r?.touchedProfiles ?? []) ids.delete(p);
        await refreshProfiles(tx, [...ids]);
      }
    },
  };
}

// ---- reading ----------------------------------------------------------------------------------

export const LOOKUP_KINDS: Record<string, IdentifierKind> = {
  email: 'email',
  phone: 'phone',
  anonymousId: 'anonymous_id',
  customerId: 'customer_id',
  loyaltyCard: 'loyalty_card',
  cardFingerprint: 'card_fingerprint',
  social: 'social',
};

export async function lookupProfile(db: Executor, query: Record<string, string | undefined>) {
  const given = Object.entries(query).filter(([k, v]) => LOOKUP_KINDS[k] && v !== undefined);
  if (given.length !== 1) throw badRequest(`Give exactly one of ${Object.keys(LOOKUP_KINDS).join(', ')}.`, [{ field: '', in: 'query', message: 'one identifier' }]);
  const [name, raw] = given[0];
  const kind = LOOKUP_KINDS[name];
  const rules = await loadRules(db);
  const value = normaliseIdentifier(kind, raw, rules);
  if (value === null) throw badRequest(`"${raw}" is not a valid ${name}.`, [{ field: `/${name}`, in: 'query', message: 'not valid' }]);
  const [row] = await db.select().from(profileIdentifiers).where(eq(profileIdentifiers.key, keyOf(kind, value)));
  if (!row?.profileId) throw notFound('profile with that identifier');
  return getProfile(db, row.profileId);
}

/** Search for staff: an identifier in any form (exact, normalised per kind), or the start of one. */
export async function searchProfiles(db: Executor, q: string, limit: number) {
  const rules = await loadRules(db);
  const exact = new Set<string>();
  for (const kind of rules.priority) {
    const v = normaliseIdentifier(kind, q, rules);
    if (v !== null) exact.add(keyOf(kind, v));
  }
  const prefix = q.trim().toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`);
  const rows = await db.execute<{ profile_id: string }>(sql`
    select distinct profile_id from (
      (select profile_id, 0 as o from profile_identifiers where key = any(${`{${[...exact].map((k) => `"${k.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`}::text[]) and profile_id is not null)
      union all
      (select profile_id, 1 from profile_identifiers where lower(value) like ${`${prefix}%`} and profile_id is not null limit ${limit * 4})
    ) s limit ${limit}`);
  const out = [];
  for (const r of rows.rows) out.push(await getProfile(db, r.profile_id));
  return out;
}

export async function listProfiles(db: Executor, q: { limit: number; after?: string }) {
  const rows = await db
    .select({ id: profiles.id })
    .from(profiles)
    .where(and(eq(profiles.status, 'active'), q.after ? sql`${profiles.id} < ${q.after}` : undefined))
    .orderBy(desc(profiles.id))
    .limit(q.limit + 1);
  const data = [];
  for (const r of rows.slice(0, q.limit)) data.push(await getProfile(db, r.id));
  return { data, hasMore: rows.length > q.limit };
}

function withReadTimeScores(c: ComputedTraits | null, now = new Date()) {
  if (!c) return null;
  const days = c.lastPurchaseAt ? Math.floor((now.getTime() - new Date(c.lastPurchaseAt).getTime()) / 86_400_000) : null;
  return { ...c, daysSinceLastPurchase: days, rfm: { recency: recencyScore(days), frequency: c.frequencyScore, monetary: c.monetaryScore } };
}

export async function getProfile(db: Executor, id: string) {
  const [p] = await db.select().from(profiles).where(eq(profiles.id, id));
  if (!p) throw notFound('profile', id);
  const idents = await db.select().from(profileIdentifiers).where(eq(profileIdentifiers.profileId, id));
  const merges = await db
    .select()
    .from(profileMerges)
    .where(sql`${profileMerges.survivorId} = ${id} or ${profileMerges.mergedId} = ${id}`)
    .orderBy(desc(profileMerges.createdAt), desc(profileMerges.id));
  return {
    id: p.id,
    status: p.status,
    mergedInto: p.mergedInto,
    identifiers: idents
      .sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || (a.key < b.key ? -1 : 1))
      .map((i) => ({ kind: i.kind, value: i.value, firstSeenAt: i.firstSeenAt.toISOString(), sourceId: i.firstSourceId, sharedBy: i.kind === 'anonymous_id' ? i.userCount : null })),
    traits: p.traits as Record<string, unknown>,
    computed: withReadTimeScores(p.computed as ComputedTraits | null),
    eventCount: p.eventCount,
    firstSeenAt: p.firstSeenAt?.toISOString() ?? null,
    lastSeenAt: p.lastSeenAt?.toISOString() ?? null,
    merges: merges.map(publicMerge),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function publicMerge(m: typeof profileMerges.$inferSelect) {
  return {
    id: m.id,
    kind: m.kind,
    survivorId: m.survivorId,
    mergedId: m.mergedId,
    identifier: m.identifierKey ? { kind: kindOfKey(m.identifierKey), value: valueOfKey(m.identifierKey) } : null,
    sourceId: m.sourceId,
    reason: m.reason,
    createdAt: m.createdAt.toISOString(),
    undoneAt: m.undoneAt?.toISOString() ?? null,
  };
}

export interface TimelineQuery {
  limit: number;
  /** Entries strictly older than this (occurredAt, id). */
  before?: { at: Date; id: string };
  channel?: TimelineChannel;
  type?: string;
}

export async function timelineOf(db: Executor, profileId: string, q: TimelineQuery) {
  const [p] = await db.select({ id: profiles.id }).from(profiles).where(eq(profiles.id, profileId));
  if (!p) throw notFound('profile', profileId);
  const typeFilter = q.type ? (q.type.endsWith('.*') ? sql`and type like ${`${q.type.slice(0, -2).replace(/[%_\\]/g, (c) => `\\${c}`)}.%`}` : sql`and type = ${q.type}`) : sql``;
  const rows = await db.execute<{ id: string; source: string; source_id: string; occurred_at: Date; type: string; name: string | null; channel: string; sales_channel: string | null; store_id: string | null; order_id: string | null; amount: string | null; currency: string | null; data: Record<string, unknown> }>(sql`
    select id, source, source_id, occurred_at, type, name, channel, sales_channel, store_id, order_id, amount, currency, data
    from timeline_entries
    where profile_id = ${profileId}
      ${q.channel ? sql`and channel = ${q.channel}` : sql``}
      ${typeFilter}
      ${q.before ? sql`and (occurred_at, id) < (${q.before.at.toISOString()}::timestamptz, ${q.before.id})` : sql``}
    order by occurred_at desc, id desc
    limit ${q.limit + 1}`);
  const hasMore = rows.rows.length > q.limit;
  const page = rows.rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => ({
      id: r.id,
      source: r.source,
      sourceId: r.source_id.slice(r.source_id.indexOf(':') + 1),
      occurredAt: new Date(r.occurred_at).toISOString(),
      type: r.type,
      name: r.name,
      channel: r.channel,
      salesChannel: r.sales_channel,
      storeId: r.store_id,
      orderId: r.order_id,
      amount: r.amount === null ? null : Number(r.amount),
      currency: r.currency,
      data: r.data,
    })),
    hasMore,
    nextCursor: hasMore && last ? encodeTimeCursor(new Date(last.occurred_at), last.id) : null,
  };
}

export function decodeTimelineCursor(cursor: string | undefined): TimelineQuery['before'] {
  return decodeTimeCursor(cursor);
}

// ---- unmerge ----------------------------------------------------------------------------------

/**
 * Undoes a merge: the identifiers the merged profile had are kept apart from the survivor's from
 * now on (a separation), and the graph around them is recomputed, which gives both profiles back
 * their own identifiers, events and traits.
 */
export async function unmerge(db: Db, ctx: RequestContext, profileId: string, input: { mergeId?: string; reason?: string }) {
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'profile', profileId);
    const candidates = await tx
      .select()
      .from(profileMerges)
      .where(and(eq(profileMerges.kind, 'merge'), sql`${profileMerges.undoneAt} is null`, sql`(${profileMerges.mergedId} = ${profileId} or ${profileMerges.survivorId} = ${profileId})`))
      .orderBy(desc(profileMerges.createdAt), desc(profileMerges.id));
    const m = input.mergeId ? candidates.find((c) => c.id === input.mergeId) : candidates.find((c) => c.mergedId === profileId);
    if (!m) {
      if (input.mergeId) throw notFound('merge of this profile', input.mergeId);
      throw conflict(candidates.length ? `Profile ${profileId} absorbed other profiles; say which merge to undo with mergeId.` : `Profile ${profileId} has no merge to undo.`, 'nothing_to_unmerge');
    }
    await tx.insert(profileSeparations).values({ id: newId('profileSeparation'), mergeId: m.id, sideA: m.survivorKeys, sideB: m.mergedKeys });
    await tx.update(profileMerges).set({ undoneAt: new Date(), undoneBy: ctx.actor as unknown as Record<string, unknown> }).where(eq(profileMerges.id, m.id));
    const prefer = new Map<string, string>();
    for (const k of m.survivorKeys) prefer.set(k, m.survivorId);
    for (const k of m.mergedKeys) prefer.set(k, m.mergedId);
    const r = await resolveObservations(tx, [], { actor: ctx.actor, prefer, extraKeys: [...m.survivorKeys, ...m.mergedKeys] });
    await refreshProfiles(tx, [...new Set([...r.touchedProfiles, m.survivorId, m.mergedId])]);
    const customer = await tx.select({ value: profileIdentifiers.value }).from(profileIdentifiers).where(and(eq(profileIdentifiers.profileId, m.mergedId), eq(profileIdentifiers.kind, 'customer_id')));
    await emit(tx, {
      type: 'profile.unmerged',
      aggregateType: 'profile',
      aggregateId: m.mergedId,
      customerId: customer[0]?.value ?? null,
      actor: ctx.actor,
      data: { mergeId: m.id, survivorId: m.survivorId, mergedId: m.mergedId, reason: input.reason ?? null },
    });
    await recordAudit(tx, ctx, { action: 'profile.unmerge', resourceType: 'profile', resourceId: m.mergedId, before: { merge: publicMerge(m) }, after: { reason: input.reason ?? null } });
    return { merge: { ...publicMerge(m), undoneAt: new Date().toISOString() }, survivor: await getProfile(tx, m.survivorId), restored: await getProfile(tx, m.mergedId) };
  });
}

// ---- rules ------------------------------------------------------------------------------------

export async function getRules(db: Executor) {
  const { version, ...rules } = await loadRules(db);
  return { rules, version };
}

export async function putRules(db: Db, ctx: RequestContext, input: unknown, expectedVersion?: number) {
  const rules: IdentityRules = checkRules(input);
  return db.transaction(async (tx) => {
    await lockAggregate(tx, 'identity_rules', '1');
    const before = await getRules(tx);
    if (expectedVersion !== undefined && expectedVersion !== before.version) throw preconditionFailed(`The rules changed meanwhile (version ${before.version}); reload and apply again.`, { currentVersion: before.version });
    const version = before.version + 1;
    await tx
      .insert(identityRules)
      .values({ id: 1, rules, version })
      .onConflictDoUpdate({ target: identityRules.id, set: { rules, version, updatedAt: new Date() } });
    await recordAudit(tx, ctx, { action: 'identity_rules.update', resourceType: 'identity_rules', resourceId: '1', before: before.rules, after: rules });
    await emit(tx, { type: 'identity_rules.updated', aggregateType: 'identity_rules', aggregateId: '1', actor: ctx.actor, data: { rules, version } });
    return { rules, version };
  });
}
