// Price lists, the prices in them, and "why this price" (GET /v1/prices/resolve).
import { api, createHeaders, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { productKeys } from './catalog';
import { useApiMutation, type Body, type MutationOptions, type Query } from './util';

export type PriceList = Schemas['PriceList'];

export const priceListKeys = {
  all: ['price-lists'] as const,
  list: () => [...priceListKeys.all, 'list'] as const,
  prices: (listId: string) => [...priceListKeys.all, 'prices', listId] as const,
};

export function usePriceLists() {
  return usePagedList(priceListKeys.list(), (cursor) => unwrap(api.GET('/v1/price-lists', { params: { query: { cursor, limit: 50 } } })));
}

export function usePriceListPrices(listId: string) {
  return usePagedList(priceListKeys.prices(listId), (cursor) => unwrap(api.GET('/v1/price-lists/{id}/prices', { params: { path: { id: listId }, query: { cursor, limit: 50 } } })));
}

export function useCreatePriceList(options?: MutationOptions<PriceList, Body<'/v1/price-lists', 'post'>>) {
  return useApiMutation((body: Body<'/v1/price-lists', 'post'>) => unwrap(api.POST('/v1/price-lists', { headers: createHeaders(), body })), { invalidates: () => [priceListKeys.list()] }, options);
}

/** Set prices in a list; product prices shown elsewhere change with them. */
export function useSetPrices(listId: string, options?: MutationOptions<unknown, Body<'/v1/price-lists/{id}/prices', 'post'>>) {
  return useApiMutation(
    (body: Body<'/v1/price-lists/{id}/prices', 'post'>) => unwrap(api.POST('/v1/price-lists/{id}/prices', { params: { path: { id: listId } }, body })),
    { invalidates: () => [priceListKeys.prices(listId), productKeys.all] },
    options,
  );
}

/** Which price applies in a context, and why: asked on demand, so a mutation (it changes nothing). */
export function useResolvePrice(options?: MutationOptions<Awaited<ReturnType<typeof resolvePrice>>, Query<'/v1/prices/resolve'>>) {
  return useApiMutation(resolvePrice, {}, options);
}
const resolvePrice = (query: Query<'/v1/prices/resolve'>) => unwrap(api.GET('/v1/prices/resolve', { params: { query } }));
