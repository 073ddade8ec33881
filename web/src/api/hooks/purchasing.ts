// Suppliers, purchase orders and replenishment suggestions. Receiving a purchase order books stock,
// so its steps invalidate `stockKeys.all` as well.
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { api, createHeaders, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { stockKeys } from './inventory';
import { resolve, useApiMutation, type Body, type Deferred, type ListFilters, type MutationOptions } from './util';

export type PurchaseOrder = Schemas['PurchaseOrder'];
export type Supplier = Schemas['Supplier'];

export const supplierKeys = {
  all: ['suppliers'] as const,
  list: () => [...supplierKeys.all, 'list'] as const,
  detail: (id: string) => [...supplierKeys.all, 'detail', id] as const,
};

export type PurchaseOrderFilters = ListFilters<'/v1/purchase-orders'>;
export const purchaseOrderKeys = {
  all: ['purchase-orders'] as const,
  lists: () => [...purchaseOrderKeys.all, 'list'] as const,
  list: (filters: PurchaseOrderFilters) => [...purchaseOrderKeys.lists(), filters] as const,
  detail: (id: string) => [...purchaseOrderKeys.all, 'detail', id] as const,
};

export const replenishmentKeys = {
  all: ['replenishment'] as const,
  suggestions: (locationId: string | null, fromLocationId: string | undefined) => [...replenishmentKeys.all, 'suggestions', locationId, fromLocationId ?? null] as const,
};

// ------------------------------------------------------------------ suppliers

export function useSuppliers() {
  return useQuery({ queryKey: supplierKeys.list(), staleTime: 30_000, queryFn: () => unwrap(api.GET('/v1/suppliers')) });
}

export function useSupplier(id: string | null | undefined) {
  return useQuery({ queryKey: supplierKeys.detail(id ?? ''), enabled: !!id, queryFn: () => unwrap(api.GET('/v1/suppliers/{id}', { params: { path: { id: id! } } })) });
}

export function useCreateSupplier(options?: MutationOptions<Supplier, Body<'/v1/suppliers', 'post'>>) {
  return useApiMutation((body: Body<'/v1/suppliers', 'post'>) => unwrap(api.POST('/v1/suppliers', { headers: createHeaders(), body })), { invalidates: () => [supplierKeys.all] }, options);
}

/** What a supplier sells (pack size, minimum order, cost) per variant. */
export function useSetSupplierItems(supplierId: string, options?: MutationOptions<unknown, Deferred<Body<'/v1/suppliers/{id}/items', 'post'>>>) {
  return useApiMutation(
    async (body: Deferred<Body<'/v1/suppliers/{id}/items', 'post'>>) => unwrap(api.POST('/v1/suppliers/{id}/items', { params: { path: { id: supplierId } }, body: await resolve(body) })),
    { invalidates: () => [supplierKeys.detail(supplierId)] },
    options,
  );
}

// ------------------------------------------------------------------ purchase orders

export function usePurchaseOrders(filters: PurchaseOrderFilters) {
  return usePagedList(purchaseOrderKeys.list(filters), (cursor) => unwrap(api.GET('/v1/purchase-orders', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function usePurchaseOrder(id: string) {
  return useQuery({ queryKey: purchaseOrderKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/purchase-orders/{id}', { params: { path: { id } } })) });
}

export function useCreatePurchaseOrder(options?: MutationOptions<PurchaseOrder, Deferred<Body<'/v1/purchase-orders', 'post'>>>) {
  return useApiMutation(
    async (body: Deferred<Body<'/v1/purchase-orders', 'post'>>) => unwrap(api.POST('/v1/purchase-orders', { headers: createHeaders(), body: await resolve(body) })),
    { invalidates: () => [purchaseOrderKeys.all] },
    options,
  );
}

// A step answers the purchase order as it now is: it replaces the cached detail.
const poStep = (id: string) => ({ set: (client: QueryClient, po: PurchaseOrder) => client.setQueryData(purchaseOrderKeys.detail(id), po), invalidates: () => [purchaseOrderKeys.lists(), stockKeys.all] });

export function useSendPurchaseOrder(id: string, options?: MutationOptions<PurchaseOrder, void>) {
  return useApiMutation(() => unwrap(api.POST('/v1/purchase-orders/{id}/send', { params: { path: { id } } })), poStep(id), options);
}

/** Receive everything outstanding (no lines) or the quantities given. */
export function useReceivePurchaseOrder(id: string, options?: MutationOptions<PurchaseOrder, Body<'/v1/purchase-orders/{id}/receive', 'post'>['lines'] | undefined>) {
  return useApiMutation(
    (lines: Body<'/v1/purchase-orders/{id}/receive', 'post'>['lines'] | undefined) => unwrap(api.POST('/v1/purchase-orders/{id}/receive', { params: { path: { id } }, body: lines ? { lines } : {} })),
    poStep(id),
    options,
  );
}

export function useCancelPurchaseOrder(id: string, options?: MutationOptions<PurchaseOrder, void>) {
  return useApiMutation(() => unwrap(api.POST('/v1/purchase-orders/{id}/cancel', { params: { path: { id } } })), poStep(id), options);
}

// ------------------------------------------------------------------ replenishment

export function useReplenishmentSuggestions(locationId: string | null, fromLocationId: string | undefined) {
  return useQuery({
    queryKey: replenishmentKeys.suggestions(locationId, fromLocationId),
    enabled: !!locationId,
    queryFn: () => unwrap(api.GET('/v1/replenishment/suggestions', { params: { query: { locationId: locationId!, fromLocationId } } })),
  });
}

/** Turn the suggestions into draft purchase orders (and transfers from a warehouse, if given). */
export function useOrderReplenishment(options?: MutationOptions<Awaited<ReturnType<typeof orderReplenishment>>, Body<'/v1/replenishment/orders', 'post'>>) {
  return useApiMutation(orderReplenishment, { invalidates: () => [purchaseOrderKeys.all, replenishmentKeys.all, stockKeys.all] }, options);
}
const orderReplenishment = (body: Body<'/v1/replenishment/orders', 'post'>) => unwrap(api.POST('/v1/replenishment/orders', { headers: createHeaders(), body }));
