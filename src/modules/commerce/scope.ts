// Which orders staff and API keys scoped to stores may act on: those sold in one of their stores or
// with a line fulfilled from one (the same orders GET /v1/orders lists for them). Every route that
// reads or changes one order by id checks it here, with the store-scope rule of src/platform/access/scope.ts.
import type { Executor } from '../../platform/db.js';
import type { Principal } from '../../platform/http/access.js';
import { actsForAny, assertInScope } from '../../platform/access/scope.js';
import { orderLocations } from './notes.js';

/** The locations an order belongs to: where it was sold and where its lines are fulfilled from. */
export function locationsOfOrder(o: { storeId: string | null; lines: ReadonlyArray<{ locationId: string | null }> }): string[] {
  return [...new Set([o.storeId, ...o.lines.map((l) => l.locationId)].filter((x): x is string => !!x))];
}

/** 403 when a caller scoped to stores asks for an order of other stores; customers are checked by their routes. */
export function checkOrderScope(p: Principal, orderId: string, locationIds: readonly string[]) {
  assertInScope(p, `order ${orderId}`, locationIds);
}

/** The same check when the order is not read yet (404 for an unknown order). */
export async function assertOrderInScope(db: Executor, p: Principal, orderId: string) {
  const { customerId, locationIds } = await orderLocations(db, orderId);
  checkOrderScope(p, orderId, locationIds);
  return { customerId };
}

/** Whether the caller acts for the order's stores (always for unscoped callers); 404 for an unknown order. */
export async function orderInScope(db: Executor, p: Principal, orderId: string) {
  const { locationIds } = await orderLocations(db, orderId);
  return actsForAny(p, locationIds);
}
