// Store scope: staff users and secret keys may be limited to some stores (`storeIds`; null means
// every store). This file is the one rule every module applies to store data (stock and its
// ledger, reservations, transfers, counts, purchase orders, orders and everything under them,
// fulfilments, returns), so that a route cannot forget a part of it. docs/API.md ("Store scope")
// lists what each route shows and allows; test/access.test.ts walks every route as another
// store's staff.
import { forbidden } from '../errors.js';
import type { Principal } from '../http/access.js';
import { ROLE_PERMISSIONS, type Role } from './permissions.js';

/**
 * The stores a caller acts for, or null for every store. Customers and publishable keys have no
 * store scope: the routes open to them check ownership (their own orders, returns) instead.
 */
export function storeScope(p: Principal | undefined): readonly string[] | null {
  return p && (p.kind === 'staff' || p.kind === 'secret_key') ? p.storeIds : null;
}

/** True when the caller acts for at least one of these locations (always, for unscoped callers). */
export function actsForAny(p: Principal | undefined, locationIds: ReadonlyArray<string | null | undefined>): boolean {
  const scope = storeScope(p);
  return !scope || locationIds.some((l) => !!l && scope.includes(l));
}

function describeScope(scope: readonly string[]) {
  return scope.length ? scope.join(', ') : 'no store';
}

/** 403 unless the caller acts for every one of these locations: changing stock at a place, reading one place's data. */
export function assertLocationAccess(p: Principal | undefined, ...locationIds: string[]) {
  const scope = storeScope(p);
  if (!scope) return;
  const outside = [...new Set(locationIds.filter((l) => !scope.includes(l)))];
  if (outside.length) throw forbidden(`You act for ${describeScope(scope)}; not for ${outside.join(', ')}.`);
}

/** 403 unless the caller acts for at least one of these locations (a transfer's two ends, an order's stores). */
export function assertAnyLocationAccess(p: Principal | undefined, ...locationIds: Array<string | null | undefined>) {
  const scope = storeScope(p);
  if (!scope || locationIds.some((l) => !!l && scope.includes(l))) return;
  const named = [...new Set(locationIds.filter((l): l is string => !!l))];
  throw forbidden(`You act for ${describeScope(scope)}; this belongs to ${named.length ? named.join(', ') : 'no store of yours'}.`);
}

/** The same check for one thing with an id, worded for it ("transfer trf_… belongs to other stores"). */
export function assertInScope(p: Principal | undefined, what: string, locationIds: ReadonlyArray<string | null | undefined>) {
  const scope = storeScope(p);
  if (!scope || locationIds.some((l) => !!l && scope.includes(l))) return;
  throw forbidden(`You act for ${describeScope(scope)}; ${what} belongs to other stores.`);
}

/**
 * For a list of store data: the locations to filter on. `undefined` means no filter (an unscoped
 * caller who named no location). A location the caller named must be one of theirs (403);
 * otherwise a scoped caller gets their own stores.
 */
export function locationFilter(p: Principal | undefined, requested?: string): string[] | undefined {
  if (requested) {
    assertLocationAccess(p, requested);
    return [requested];
  }
  const scope = storeScope(p);
  return scope ? [...scope] : undefined;
}

/**
 * 403 for callers scoped to stores: for what spans every store at once and cannot be cut by store
 * (the event log, webhooks, the mail catcher, adding locations).
 */
export function assertAllStores(p: Principal | undefined, what: string) {
  const scope = storeScope(p);
  if (scope) throw forbidden(`${what} spans every store; you act for ${describeScope(scope)} only. Ask someone who acts for all stores.`);
}

/**
 * Whether a staff user or key limited to `storeIds` lies within the caller's stores: what a
 * scoped caller may see and manage of other staff users and keys (never an unscoped one).
 */
export function coversStores(p: Principal | undefined, storeIds: readonly string[] | null): boolean {
  const scope = storeScope(p);
  if (!scope) return true;
  return storeIds !== null && storeIds.every((s) => scope.includes(s));
}

/** 403 unless a staff user or key limited to `storeIds` lies within the caller's stores (see coversStores). */
export function assertCovers(p: Principal | undefined, what: string, storeIds: readonly string[] | null) {
  if (coversStores(p, storeIds)) return;
  throw forbidden(`You act for ${describeScope(storeScope(p)!)}; ${what} acts for ${storeIds ? 'other stores too' : 'every store'}.`);
}

/**
 * The stores a new or changed staff user or key gets: never more than the caller's own. A scoped
 * caller who names none gives its own stores; naming all stores (null) or another store is a 403.
 */
export function grantableStores(p: Principal | undefined, requested: string[] | null | undefined): string[] | null {
  const scope = storeScope(p);
  if (!scope) return requested ?? null;
  if (requested === undefined) return [...scope];
  if (requested === null) throw forbidden(`You act for ${describeScope(scope)}; you cannot give access to every store.`);
  const outside = requested.filter((s) => !scope.includes(s));
  if (outside.length) throw forbidden(`You act for ${describeScope(scope)}; you cannot give access to ${[...new Set(outside)].join(', ')}.`);
  return [...new Set(requested)];
}

/**
 * A caller gives or manages a role only when it holds every permission of that role itself: a
 * secret key with `staff:write`, or a store manager's key, cannot make an admin, nor take over an
 * admin by changing their password, role or status.
 */
export function assertHoldsRole(p: Principal | undefined, role: string, what: string) {
  const needed = ROLE_PERMISSIONS[role as Role] ?? [];
  const missing = p && 'permissions' in p ? needed.filter((perm) => !p.permissions.has(perm)) : [...needed];
  if (missing.length) throw forbidden(`${what} has role ${role}, which holds permissions you do not have: ${missing.join(', ')}. Only someone who holds them all may give or manage it.`);
}
