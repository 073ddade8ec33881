// Stock (levels, movements, availability), locations, transfers and cycle counts. Anything that
// moves stock invalidates `stockKeys.all`, which covers every level, ledger and availability read.
import { useQuery } from '@tanstack/react-query';
import { api, createHeaders, ifMatch, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { resolve, useApiMutation, type Body, type Deferred, type ListFilters, type MutationOptions } from './util';

export type Location = Schemas['Location'];
export type Transfer = Schemas['Transfer'];
export type CountSheet = Schemas['CountSheet'];
export type StockLevel = Schemas['StockLevel'];

export type LocationStockFilters = { locationId: string | null } & ListFilters<'/v1/locations/{id}/stock'>;

export const stockKeys = {
  all: ['stock'] as const,
  /** Levels of one variant in every location. */
  ofVariant: (variantId: string) => [...stockKeys.all, 'variant', variantId] as const,
  /** Levels of every variant in one location. */
  ofLocation: (filters: LocationStockFilters) => [...stockKeys.all, 'location', filters] as const,
  level: (variantId: string, locationId: string) => [...stockKeys.all, 'level', variantId, locationId] as const,
  movements: (variantId: string) => [...stockKeys.all, 'movements', variantId] as const,
  availability: (variantId: string) => [...stockKeys.all, 'availability', variantId] as const,
};

export const locationKeys = {
  all: ['locations'] as const,
  list: () => [...locationKeys.all, 'list'] as const,
};

export type TransferFilters = ListFilters<'/v1/transfers'>;
export const transferKeys = {
  all: ['transfers'] as const,
  lists: () => [...transferKeys.all, 'list'] as const,
  list: (filters: TransferFilters) => [...transferKeys.lists(), filters] as const,
  detail: (id: string) => [...transferKeys.all, 'detail', id] as const,
};

export type CountSheetFilters = ListFilters<'/v1/count-sheets'>;
export const countSheetKeys = {
  all: ['count-sheets'] as const,
  lists: () => [...countSheetKeys.all, 'list'] as const,
  list: (filters: CountSheetFilters) => [...countSheetKeys.lists(), filters] as const,
  detail: (id: string) => [...countSheetKeys.all, 'detail', id] as const,
};

// ------------------------------------------------------------------ stock

export function useVariantStock(variantId: string) {
  return useQuery({ queryKey: stockKeys.ofVariant(variantId), queryFn: () => unwrap(api.GET('/v1/stock', { params: { query: { variantId } } })) });
}

export function useVariantAvailability(variantId: string) {
  return useQuery({ queryKey: stockKeys.availability(variantId), queryFn: () => unwrap(api.GET('/v1/availability', { params: { query: { variantId } } })) });
}

export function useLocationStock(filters: LocationStockFilters) {
  const { locationId, ...query } = filters;
  return usePagedList(stockKeys.ofLocation(filters), (cursor) => unwrap(api.GET('/v1/locations/{id}/stock', { params: { path: { id: locationId! }, query: { ...query, cursor, limit: 50 } } })), { enabled: !!locationId });
}

export function useStockMovements(variantId: string) {
  return usePagedList(stockKeys.movements(variantId), (cursor) => unwrap(api.GET('/v1/stock/movements', { params: { query: { variantId, cursor, limit: 50 } } })));
}

export function useStockLevel(variantId: string, locationId: string) {
  return useQuery({ queryKey: stockKeys.level(variantId, locationId), queryFn: () => unwrap(api.GET('/v1/stock/levels/{variantId}/{locationId}', { params: { path: { variantId, locationId } } })) });
}

type LevelSave = { version: number; body: Body<'/v1/stock/levels/{variantId}/{locationId}', 'patch'> };

/** Safety stock and low-stock threshold of one level, saved against the version read. */
export function useSaveStockLevel(variantId: string, locationId: string, options?: MutationOptions<StockLevel, LevelSave>) {
  return useApiMutation(
    ({ version, body }: LevelSave) => unwrap(api.PATCH('/v1/stock/levels/{variantId}/{locationId}', { params: { path: { variantId, locationId } }, headers: ifMatch(version), body })),
    { set: (client, saved) => client.setQueryData(stockKeys.level(variantId, locationId), saved), invalidates: () => [stockKeys.all] },
    options,
  );
}

/** A receipt, adjustment or damage at a location; answered with the level after it. */
export function useRecordMovement(options?: MutationOptions<StockLevel, Body<'/v1/stock/movements', 'post'>>) {
  return useApiMutation((body: Body<'/v1/stock/movements', 'post'>) => unwrap(api.POST('/v1/stock/movements', { headers: createHeaders(), body })), { invalidates: () => [stockKeys.all] }, options);
}

// ------------------------------------------------------------------ locations

export function useLocations() {
  return useQuery({ queryKey: locationKeys.list(), staleTime: 30_000, queryFn: () => unwrap(api.GET('/v1/locations')) });
}

export function useCreateLocation(options?: MutationOptions<Location, Body<'/v1/locations', 'post'>>) {
  return useApiMutation((body: Body<'/v1/locations', 'post'>) => unwrap(api.POST('/v1/locations', { headers: createHeaders(), body })), { invalidates: () => [locationKeys.all] }, options);
}

// ------------------------------------------------------------------ transfers

export function useTransfers(filters: TransferFilters) {
  return usePagedList(transferKeys.list(filters), (cursor) => unwrap(api.GET('/v1/transfers', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useTransfer(id: string) {
  return useQuery({ queryKey: transferKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/transfers/{id}', { params: { path: { id } } })) });
}

export function useCreateTransfer(options?: MutationOptions<Transfer, Deferred<Body<'/v1/transfers', 'post'>>>) {
  return useApiMutation(
    async (body: Deferred<Body<'/v1/transfers', 'post'>>) => unwrap(api.POST('/v1/transfers', { headers: createHeaders(), body: await resolve(body) })),
    { invalidates: () => [transferKeys.all, stockKeys.all] },
    options,
  );
}

// A step of a transfer answers the transfer as it now is: it replaces the cached detail.
const transferStep = (id: string) => ({ set: (client: import('@tanstack/react-query').QueryClient, tr: Transfer) => client.setQueryData(transferKeys.detail(id), tr), invalidates: () => [transferKeys.lists(), stockKeys.all] });

/** Ship all (no lines) or the quantities given. */
export function useShipTransfer(id: string, options?: MutationOptions<Transfer, Body<'/v1/transfers/{id}/ship', 'post'>['lines'] | undefined>) {
  return useApiMutation((lines: Body<'/v1/transfers/{id}/ship', 'post'>['lines'] | undefined) => unwrap(api.POST('/v1/transfers/{id}/ship', { params: { path: { id } }, body: lines ? { lines } : {} })), transferStep(id), options);
}

/** Receive as shipped (no lines) or the quantities counted, with a reason for each difference. */
export function useReceiveTransfer(id: string, options?: MutationOptions<Transfer, Body<'/v1/transfers/{id}/receive', 'post'>['lines'] | undefined>) {
  return useApiMutation((lines: Body<'/v1/transfers/{id}/receive', 'post'>['lines'] | undefined) => unwrap(api.POST('/v1/transfers/{id}/receive', { params: { path: { id } }, body: lines ? { lines } : {} })), transferStep(id), options);
}

export function useCancelTransfer(id: string, options?: MutationOptions<Transfer, void>) {
  return useApiMutation(() => unwrap(api.POST('/v1/transfers/{id}/cancel', { params: { path: { id } } })), transferStep(id), options);
}

// ------------------------------------------------------------------ cycle counts

export function useCountSheets(filters: CountSheetFilters) {
  return usePagedList(countSheetKeys.list(filters), (cursor) => unwrap(api.GET('/v1/count-sheets', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useCountSheet(id: string) {
  return useQuery({ queryKey: countSheetKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/count-sheets/{id}', { params: { path: { id } } })) });
}

export function useCreateCountSheet(options?: MutationOptions<CountSheet, Deferred<Body<'/v1/count-sheets', 'post'>>>) {
  return useApiMutation(async (body: Deferred<Body<'/v1/count-sheets', 'post'>>) => unwrap(api.POST('/v1/count-sheets', { headers: createHeaders(), body: await resolve(body) })), { invalidates: () => [countSheetKeys.all] }, options);
}

const countStep = (id: string) => ({ set: (client: import('@tanstack/react-query').QueryClient, c: CountSheet) => client.setQueryData(countSheetKeys.detail(id), c), invalidates: () => [countSheetKeys.lists(), stockKeys.all] });

/** Save counts typed so far, or save them and submit the sheet for approval. */
export function useEnterCounts(id: string, options?: MutationOptions<CountSheet, Body<'/v1/count-sheets/{id}/counts', 'post'>>) {
  return useApiMutation((body: Body<'/v1/count-sheets/{id}/counts', 'post'>) => unwrap(api.POST('/v1/count-sheets/{id}/counts', { params: { path: { id } }, body })), countStep(id), options);
}

/** Approve (book the variances as count corrections) or reject a submitted sheet. */
export function useDecideCountSheet(id: string, options?: MutationOptions<CountSheet, boolean>) {
  return useApiMutation(
    (approve: boolean) => unwrap(approve ? api.POST('/v1/count-sheets/{id}/approve', { params: { path: { id } } }) : api.POST('/v1/count-sheets/{id}/reject', { params: { path: { id } } })),
    countStep(id),
    options,
  );
}
