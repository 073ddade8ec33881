// The sourcing engine: for every order line, where it comes from. The pure part (`planSourcing`)
// takes the candidate locations with their stock and today's workload and returns a decision per
// line with its reasons and the alternatives it rejected; the loader (`sourceOrder`) reads those
// inputs from the inventory module and this module's fulfilments.
//
// The model (docs/commerce.md, "Sourcing policy"): a plan assigns every line to one location. Its
// cost is the sum, over the shipments it makes (one per location used), of the handling cost of
// that kind of location plus a cost per km to the customer, plus a penalty for every shipment
// beyond the first (fewest splits), plus a penalty for loading a store close to its daily capacity
// and for taking a store's last units. Locations without enough available-to-promise, closed ones,
// stores that do not ship, and stores at their daily capacity are not candidates at all. The engine
// compares the cheapest single-location plan, a greedy fewest-splits cover and the per-line
// cheapest plan, and keeps the cheapest; lines nothing can serve are reported as short.
import { sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { atp, distanceKm, levelsForVariant, listLocations, type LocationRow } from '../inventory/index.js';

export type SourcingPolicyName = 'balanced' | 'nearest' | 'cheapest' | 'fewest_splits';

export interface SourcingPolicy {
  name: string;
  /** Handling and carrier cost of one shipment, in cents, by kind of location. */
  shipmentCost: { warehouse: number; store: number };
  /** Cost per km between the location and the customer, in cents (needs the customer's coordinates). */
  perKm: number;
  /** Added for every shipment beyond the first, in cents: how much a split is worth avoiding. */
  splitPenalty: number;
  /** Added per shipment, in cents, times how full the store's day is (0–1) after this shipment. */
  capacityPenalty: number;
  /** Added when a store would be left with fewer than `lowStockThreshold` available. */
  lowStockPenalty: number;
  lowStockThreshold: number;
  /** Distance assumed when the customer's or a location's coordinates are unknown, in km. */
  unknownDistanceKm: number;
}

/** The documented presets; SOURCING_POLICY chooses one. */
export const SOURCING_POLICIES: Record<SourcingPolicyName, SourcingPolicy> = {
  balanced: { name: 'balanced', shipmentCost: { warehouse: 395, store: 595 }, perKm: 2, splitPenalty: 1000, capacityPenalty: 300, lowStockPenalty: 150, lowStockThreshold: 2, unknownDistanceKm: 100 },
  nearest: { name: 'nearest', shipmentCost: { warehouse: 0, store: 0 }, perKm: 20, splitPenalty: 500, capacityPenalty: 100, lowStockPenalty: 0, lowStockThreshold: 0, unknownDistanceKm: 300 },
  cheapest: { name: 'cheapest', shipmentCost: { warehouse: 395, store: 795 }, perKm: 1, splitPenalty: 400, capacityPenalty: 100, lowStockPenalty: 100, lowStockThreshold: 2, unknownDistanceKm: 100 },
  fewest_splits: { name: 'fewest_splits', shipmentCost: { warehouse: 395, store: 595 }, perKm: 2, splitPenalty: 100_000, capacityPenalty: 300, lowStockPenalty: 150, lowStockThreshold: 2, unknownDistanceKm: 100 },
};

export interface SourcingLine {
  lineId: string;
  variantId: string;
  quantity: number;
  fulfilment: 'delivery' | 'pickup';
  pickupLocationId?: string | null;
}

export interface CandidateLocation {
  id: string;
  code: string;
  name: string;
  type: 'warehouse' | 'store' | 'supplier';
  status: 'active' | 'closed';
  shipFromStore: boolean;
  pickup: boolean;
  latitude: number | null;
  longitude: number | null;
  dailyCapacity: number | null;
  /** Fulfilments already made at this location today (its local day). */
  usedToday: number;
  /** Available-to-promise per variant id. */
  available: Record<string, number>;
}

export interface Destination {
  latitude: number;
  longitude: number;
}

export type RejectReason = 'insufficient_stock' | 'closed' | 'does_not_ship' | 'not_a_stock_location' | 'capacity_full' | 'higher_cost' | 'not_the_pickup_store';

export interface Alternative {
  locationId: string;
  code: string;
  reason: RejectReason;
  detail: string;
  /** Cost of the best plan that used this location for the line, when it was a candidate. */
  cost?: number;
}

export type SourcingMethod = 'delivery' | 'pickup' | 'ship_to_store';

export interface LineDecision {
  lineId: string;
  variantId: string;
  quantity: number;
  /** Where the goods are picked; null when nothing can serve the line. */
  locationId: string | null;
  /** delivery (home), pickup (at the store that has it), ship_to_store (from a warehouse to the pickup store). */
  method: SourcingMethod;
  /** For pickup and ship-to-store: the store where the customer collects. */
  pickupLocationId: string | null;
  /** Shipment number within the plan (lines with the same number travel together). */
  shipment: number | null;
  distanceKm: number | null;
  reasons: string[];
  rejected: Alternative[];
}

export interface SourcingDecision {
  policy: string;
  lines: LineDecision[];
  shipments: Array<{ shipment: number; locationId: string; method: SourcingMethod; lineIds: string[]; cost: number; distanceKm: number | null }>;
  /** The plan's cost under the policy, in cents (shipping, penalties); compares plans, not a price. */
  cost: number;
  splits: number;
  /** Lines nothing can serve. */
  shortLineIds: string[];
  /** The plans that were compared, cheapest first. */
  plansConsidered: Array<{ kind: 'single_location' | 'fewest_splits' | 'per_line_cheapest'; cost: number; shipments: number; chosen: boolean }>;
}

export interface PlanOptions {
  destination?: Destination | null;
  policy: SourcingPolicy;
  /** Allow pickup lines whose store lacks stock to come from a warehouse (ship-to-store). */
  shipToStore?: boolean;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function distanceTo(loc: CandidateLocation, dest: Destination | null | undefined): number | null {
  if (!dest || loc.latitude == null || loc.longitude == null) return null;
  return round1(distanceKm({ lat: loc.latitude, lon: loc.longitude }, { lat: dest.latitude, lon: dest.longitude }));
}

/** Why a location cannot ship a line at all, or null when it can. */
function ineligibility(loc: CandidateLocation, line: SourcingLine): { reason: RejectReason; detail: string } | null {
  if (loc.status !== 'active') return { reason: 'closed', detail: `${loc.code} is closed.` };
  if (loc.type === 'supplier') return { reason: 'not_a_stock_location', detail: `${loc.code} is a supplier, not a location that ships orders.` };
  if (loc.type === 'store' && !loc.shipFromStore) return { reason: 'does_not_ship', detail: `${loc.code} does not ship from store.` };
  if (loc.dailyCapacity != null && loc.usedToday >= loc.dailyCapacity) return { reason: 'capacity_full', detail: `${loc.code} has made ${loc.usedToday} of its ${loc.dailyCapacity} fulfilments today.` };
  const have = loc.available[line.variantId] ?? 0;
  if (have < line.quantity) return { reason: 'insufficient_stock', detail: `${loc.code} has ${have} available, ${line.quantity} needed.` };
  return null;
}

/** Cost of one shipment from `loc` carrying `lines`, under the policy. */
function shipmentCost(loc: CandidateLocation, lines: SourcingLine[], opts: PlanOptions) {
  const p = opts.policy;
  const km = distanceTo(loc, opts.destination) ?? p.unknownDistanceKm;
  let cost = (loc.type === 'warehouse' ? p.shipmentCost.warehouse : p.shipmentCost.store) + p.perKm * km;
  if (loc.type === 'store') {
    if (loc.dailyCapacity != null && loc.dailyCapacity > 0) cost += p.capacityPenalty * Math.min(1, (loc.usedToday + 1) / loc.dailyCapacity);
    for (const l of lines) {
      const left = (loc.available[l.variantId] ?? 0) - l.quantity;
      if (left < p.lowStockThreshold) cost += p.lowStockPenalty;
    }
  }
  return Math.round(cost);
}

type Plan = { kind: 'single_location' | 'fewest_splits' | 'per_line_cheapest'; byLine: Map<string, CandidateLocation>; cost: number; shipments: number };

function costOf(kind: Plan['kind'], byLine: Map<string, CandidateLocation>, lines: SourcingLine[], opts: PlanOptions): Plan {
  const groups = new Map<string, { loc: CandidateLocation; lines: SourcingLine[] }>();
  for (const l of lines) {
    const loc = byLine.get(l.lineId)!;
    const g = groups.get(loc.id) ?? { loc, lines: [] };
    g.lines.push(l);
    groups.set(loc.id, g);
  }
  let cost = 0;
  for (const g of groups.values()) cost += shipmentCost(g.loc, g.lines, opts);
  cost += Math.max(0, groups.size - 1) * opts.policy.splitPenalty;
  return { kind, byLine, cost, shipments: groups.size };
}

/**
 * Pure: decides where each line comes from. Deterministic for the same input (ties go to the
 * location code that sorts first).
 */
export function planSourcing(lines: SourcingLine[], locations: CandidateLocation[], opts: PlanOptions): SourcingDecision {
  const locs = [...locations].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const byId = new Map(locs.map((l) => [l.id, l]));
  const decisions = new Map<string, LineDecision>();
  const shipLines: SourcingLine[] = [];
  const shipToStoreLines: SourcingLine[] = [];

  // Pickup lines come from their store when it has them; otherwise (if allowed) from a warehouse.
  for (const line of lines) {
    if (line.fulfilment !== 'pickup') {
      shipLines.push(line);
      continue;
    }
    const store = line.pickupLocationId ? byId.get(line.pickupLocationId) : undefined;
    const have = store ? (store.available[line.variantId] ?? 0) : 0;
    const base = { lineId: line.lineId, variantId: line.variantId, quantity: line.quantity, pickupLocationId: line.pickupLocationId ?? null, distanceKm: null, rejected: [] as Alternative[] };
    if (store && store.status === 'active' && have >= line.quantity) {
      decisions.set(line.lineId, { ...base, locationId: store.id, method: 'pickup', shipment: null, reasons: [`Collected at ${store.code}, which has ${have} available.`] });
    } else if (opts.shipToStore && store && store.status === 'active') {
      shipToStoreLines.push(line);
      decisions.set(line.lineId, { ...base, locationId: null, method: 'ship_to_store', shipment: null, reasons: [`${store.code} has ${have} available, ${line.quantity} needed: sent from a warehouse to the store.`] });
    } else {
      const why = !store ? 'The pickup store is unknown.' : store.status !== 'active' ? `${store.code} is closed.` : `${store.code} has ${have} available, ${line.quantity} needed.`;
      decisions.set(line.lineId, { ...base, locationId: null, method: 'pickup', shipment: null, reasons: [why] });
    }
  }
  // Ship-to-store lines: the warehouse nearest the store that has them all, else per line.
  for (const line of shipToStoreLines) {
    const store = byId.get(line.pickupLocationId!)!;
    const d = decisions.get(line.lineId)!;
    const wh = locs
      .filter((l) => l.type === 'warehouse' && !ineligibility(l, line))
      .map((l) => ({ l, km: distanceTo(l, store.latitude != null && store.longitude != null ? { latitude: store.latitude, longitude: store.longitude } : null) ?? opts.policy.unknownDistanceKm }))
      .sort((a, b) => a.km - b.km);
    if (wh[0]) {
      d.locationId = wh[0].l.id;
      d.reasons.push(`${wh[0].l.code} has it and is ${wh[0].km} km from ${store.code}.`);
      d.rejected = locs.filter((l) => l.id !== wh[0].l.id && l.type === 'warehouse').map((l) => ({ locationId: l.id, code: l.code, ...(ineligibility(l, line) ?? { reason: 'higher_cost' as const, detail: `${l.code} is farther from ${store.code}.` }) }));
    } else {
      d.reasons.push('No warehouse has enough to send to the store.');
    }
  }

  // Delivery lines: the candidates per line, then the cheapest of three plans over the lines that
  // have at least one candidate.
  const candidates = new Map<string, CandidateLocation[]>();
  const servable: SourcingLine[] = [];
  for (const line of shipLines) {
    const c = locs.filter((l) => !ineligibility(l, line));
    candidates.set(line.lineId, c);
    if (c.length) servable.push(line);
  }
  const plans: Plan[] = [];
  if (servable.length) {
    // 1. One location for everything, the cheapest that can.
    let single: Plan | undefined;
    for (const loc of locs) {
      if (!servable.every((l) => candidates.get(l.lineId)!.includes(loc))) continue;
      const p = costOf('single_location', new Map(servable.map((l) => [l.lineId, loc])), servable, opts);
      if (!single || p.cost < single.cost) single = p;
    }
    if (single) plans.push(single);
    // 2. Greedy cover: repeatedly the location that serves most of the remaining lines (cheapest on ties).
    const cover = new Map<string, CandidateLocation>();
    let remaining = [...servable];
    while (remaining.length) {
      let best: { loc: CandidateLocation; lines: SourcingLine[]; cost: number } | undefined;
      for (const loc of locs) {
        const can = remaining.filter((l) => candidates.get(l.lineId)!.includes(loc));
        if (!can.length) continue;
        const cost = shipmentCost(loc, can, opts);
        if (!best || can.length > best.lines.length || (can.length === best.lines.length && cost < best.cost)) best = { loc, lines: can, cost };
      }
      if (!best) break;
      for (const l of best.lines) cover.set(l.lineId, best.loc);
      remaining = remaining.filter((l) => !cover.has(l.lineId));
    }
    plans.push(costOf('fewest_splits', cover, servable, opts));
    // 3. Every line from its own cheapest location.
    const perLine = new Map<string, CandidateLocation>();
    for (const l of servable) {
      const c = candidates.get(l.lineId)!;
      perLine.set(l.lineId, c.reduce((a, b) => (shipmentCost(b, [l], opts) < shipmentCost(a, [l], opts) ? b : a)));
    }
    plans.push(costOf('per_line_cheapest', perLine, servable, opts));
  }
  // Cheapest first; on equal cost fewer shipments, then the order above.
  const order = ['single_location', 'fewest_splits', 'per_line_cheapest'];
  plans.sort((a, b) => a.cost - b.cost || a.shipments - b.shipments || order.indexOf(a.kind) - order.indexOf(b.kind));
  const chosen = plans[0];

  const shipments: SourcingDecision['shipments'] = [];
  if (chosen) {
    const groups = new Map<string, SourcingLine[]>();
    for (const l of servable) {
      const loc = chosen.byLine.get(l.lineId)!;
      groups.set(loc.id, [...(groups.get(loc.id) ?? []), l]);
    }
    let n = 0;
    for (const [locId, ls] of [...groups.entries()].sort((a, b) => (byId.get(a[0])!.code < byId.get(b[0])!.code ? -1 : 1))) {
      const loc = byId.get(locId)!;
      shipments.push({ shipment: ++n, locationId: locId, method: 'delivery', lineIds: ls.map((l) => l.lineId), cost: shipmentCost(loc, ls, opts), distanceKm: distanceTo(loc, opts.destination) });
    }
  }
  const shipmentOf = new Map(shipments.flatMap((s) => s.lineIds.map((id) => [id, s] as const)));

  for (const line of shipLines) {
    const cands = candidates.get(line.lineId)!;
    const loc = chosen?.byLine.get(line.lineId);
    const s = shipmentOf.get(line.lineId);
    const rejected: Alternative[] = [];
    for (const other of locs) {
      if (other.id === loc?.id) continue;
      const why = ineligibility(other, line);
      if (why) {
        rejected.push({ locationId: other.id, code: other.code, ...why });
        continue;
      }
      // A candidate that was not chosen: what the plan would cost with this line moved there.
      const moved = new Map(chosen!.byLine);
      moved.set(line.lineId, other);
      const alt = costOf(chosen!.kind, moved, servable, opts);
      rejected.push({ locationId: other.id, code: other.code, reason: 'higher_cost', detail: `Plan cost ${alt.cost} with this line from ${other.code}, against ${chosen!.cost}.`, cost: alt.cost });
    }
    const reasons: string[] = [];
    if (loc && s) {
      reasons.push(`${loc.code} has ${loc.available[line.variantId] ?? 0} available (${line.quantity} needed).`);
      const km = distanceTo(loc, opts.destination);
      reasons.push(km == null ? 'Distance unknown (no coordinates); assumed ' + opts.policy.unknownDistanceKm + ' km.' : `${km} km from the customer.`);
      if (loc.dailyCapacity != null) reasons.push(`${loc.usedToday} of ${loc.dailyCapacity} fulfilments made there today.`);
      reasons.push(chosen!.shipments === 1 ? 'The whole order ships from one location.' : `Split into ${chosen!.shipments} shipments: ${chosen!.kind === 'fewest_splits' ? 'no single location has every line' : 'cheaper than shipping from one location'}.`);
      reasons.push(`Chosen plan: ${chosen!.kind.replace(/_/g, ' ')}, cost ${chosen!.cost} under policy "${opts.policy.name}".`);
    } else {
      reasons.push(cands.length ? 'No plan could serve this line.' : 'No location can ship this line: none has enough available, or they are closed, do not ship or are at capacity.');
    }
    decisions.set(line.lineId, {
      lineId: line.lineId,
      variantId: line.variantId,
      quantity: line.quantity,
      locationId: loc?.id ?? null,
      method: 'delivery',
      pickupLocationId: null,
      shipment: s?.shipment ?? null,
      distanceKm: loc ? distanceTo(loc, opts.destination) : null,
      reasons,
      rejected: rejected.sort((a, b) => (a.cost ?? Infinity) - (b.cost ?? Infinity) || (a.code < b.code ? -1 : 1)),
    });
  }

  // Pickup and ship-to-store lines: the other stores that had it, for the explanation.
  for (const line of lines) {
    if (line.fulfilment !== 'pickup') continue;
    const d = decisions.get(line.lineId)!;
    if (d.method === 'pickup' && d.locationId) {
      d.rejected = locs.filter((l) => l.id !== d.locationId && (l.available[line.variantId] ?? 0) >= line.quantity).map((l) => ({ locationId: l.id, code: l.code, reason: 'not_the_pickup_store' as const, detail: `${l.code} has it, but the customer collects at another store.` }));
    }
  }
  let n = shipments.length;
  for (const line of shipToStoreLines) {
    const d = decisions.get(line.lineId)!;
    if (!d.locationId) continue;
    const existing = shipments.find((s) => s.method === 'ship_to_store' && s.locationId === d.locationId);
    if (existing) existing.lineIds.push(line.lineId);
    else shipments.push({ shipment: ++n, locationId: d.locationId, method: 'ship_to_store', lineIds: [line.lineId], cost: 0, distanceKm: null });
    d.shipment = (existing ?? shipments[shipments.length - 1]).shipment;
  }

  const out = lines.map((l) => decisions.get(l.lineId)!);
  return {
    policy: opts.policy.name,
    lines: out,
    shipments,
    cost: chosen?.cost ?? 0,
    splits: Math.max(0, shipments.filter((s) => s.method === 'delivery').length - 1),
    shortLineIds: out.filter((d) => !d.locationId).map((d) => d.lineId),
    plansConsidered: plans.map((p, i) => ({ kind: p.kind, cost: p.cost, shipments: p.shipments, chosen: i === 0 })),
  };
}

/** Start of the location's current day, as an instant. */
export function startOfLocalDay(timeZone: string, now: Date): Date {
  let parts: Record<string, string>;
  try {
    parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
        .formatToParts(now)
        .map((p) => [p.type, p.value]),
    );
  } catch {
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  }
  const elapsed = (Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 + now.getUTCMilliseconds();
  return new Date(now.getTime() - elapsed);
}

function toCandidate(l: LocationRow, usedToday: number): CandidateLocation {
  return { id: l.id, code: l.code, name: l.name, type: l.type, status: l.status, shipFromStore: l.shipFromStore, pickup: l.pickup, latitude: l.latitude, longitude: l.longitude, dailyCapacity: l.dailyCapacity, usedToday, available: {} };
}

/** Loads what the engine needs for these lines: every stock location with its ATP of them and today's workload. */
export async function loadCandidates(db: Executor, lines: SourcingLine[], now = new Date()): Promise<CandidateLocation[]> {
  const variantIds = [...new Set(lines.map((l) => l.variantId))];
  const [all, ...levels] = await Promise.all([listLocations(db), ...variantIds.map((v) => levelsForVariant(db, v))]);
  const byId = new Map<string, { row: LocationRow; available: Record<string, number> }>();
  // Suppliers hold no stock of ours; every other location is a candidate (or a rejected alternative).
  for (const row of all) if (row.type !== 'supplier') byId.set(row.id, { row, available: {} });
  variantIds.forEach((v, i) => {
    for (const r of levels[i]) {
      const e = byId.get(r.location.id);
      if (e) e.available[v] = atp(r.level);
    }
  });
  const capped = [...byId.values()].filter((e) => e.row.dailyCapacity != null);
  const used = new Map<string, number>();
  if (capped.length) {
    const ids = capped.map((e) => e.row.id);
    const since = capped.map((e) => startOfLocalDay(e.row.timeZone, now).toISOString());
    const r = await db.execute<{ id: string; n: number }>(sql`
      select l.id, (select count(*)::int from fulfilments f where f.location_id = l.id and f.created_at >= l.since and f.status <> 'cancelled') as n
      from unnest(${`{${ids.join(',')}}`}::text[], ${`{${since.join(',')}}`}::timestamptz[]) as l(id, since)`);
    for (const row of r.rows) used.set(row.id, Number(row.n));
  }
  return [...byId.values()].map((e) => ({ ...toCandidate(e.row, used.get(e.row.id) ?? 0), available: e.available }));
}

export interface SourceOrderOptions {
  destination?: Destination | null;
  policy?: SourcingPolicyName;
  shipToStore?: boolean;
  now?: Date;
}

/** Sources an order's lines: loads the candidates and runs the policy. */
export async function sourceOrder(db: Executor, lines: SourcingLine[], opts: SourceOrderOptions = {}): Promise<SourcingDecision> {
  const candidates = await loadCandidates(db, lines, opts.now);
  return planSourcing(lines, candidates, { destination: opts.destination ?? null, policy: SOURCING_POLICIES[opts.policy ?? 'balanced'], shipToStore: opts.shipToStore ?? false });
}
