// What every resource module under api/hooks shares: request and query types read from the generated
// schema, and a mutation hook that applies its effects on the cache (set a fresh copy, invalidate by
// key factory) before the screen's own onSuccess runs.
import { useMutation, useQueryClient, type QueryClient, type QueryKey, type UseMutationOptions } from '@tanstack/react-query';
import { ApiProblem } from '../client';
import type { paths } from '../schema';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body an operation takes: `Body<'/v1/transfers', 'post'>`. */
export type Body<P extends keyof paths, M extends Method> = paths[P][M & keyof paths[P]] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The query parameters an operation takes: `Query<'/v1/orders', 'get'>`. */
export type Query<P extends keyof paths, M extends Method = 'get'> = paths[P][M & keyof paths[P]] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Filters of a cursor-paged list: its query without the cursor and page size, which the hook owns. */
export type ListFilters<P extends keyof paths> = Omit<Query<P>, 'cursor' | 'limit'>;

/**
 * A value or a promise of it made on demand: creating a document first turns SKUs into variant
 * ids, and that look-up belongs to the mutation (its pending state, its error).
 */
export type Deferred<T> = T | (() => Promise<T>);
export const resolve = async <T>(v: Deferred<T>): Promise<T> => (typeof v === 'function' ? (v as () => Promise<T>)() : v);

/** What a screen may add to a mutation hook: its own callbacks, never the request itself. */
export type MutationOptions<TData, TVars> = Omit<UseMutationOptions<TData, Error, TVars>, 'mutationFn'>;

export interface Effects<TData, TVars> {
  /** Put the answer in the cache (a detail the server just returned), before invalidating. */
  set?: (client: QueryClient, data: TData, vars: TVars) => void;
  /** Keys (from the key factories) whose queries are stale after this change. */
  invalidates?: (data: TData, vars: TVars) => readonly QueryKey[];
  /** Keys to refetch when the server refused a stale version (412): the screen then shows the new one. */
  onConflict?: (vars: TVars) => readonly QueryKey[];
  /** Keys whose cached data must go (not refetched until asked again). */
  removes?: (data: TData, vars: TVars) => readonly QueryKey[];
}

export function useApiMutation<TData, TVars = void>(mutationFn: (vars: TVars) => Promise<TData>, effects: Effects<TData, TVars>, options: MutationOptions<TData, TVars> = {}) {
  const client = useQueryClient();
  return useMutation<TData, Error, TVars>({
    ...options,
    mutationFn,
    onSuccess: (data, vars, onMutateResult, context) => {
      effects.set?.(client, data, vars);
      for (const key of effects.removes?.(data, vars) ?? []) client.removeQueries({ queryKey: key });
      for (const key of effects.invalidates?.(data, vars) ?? []) void client.invalidateQueries({ queryKey: key });
      return options.onSuccess?.(data, vars, onMutateResult, context);
    },
    onError: (error, vars, onMutateResult, context) => {
      if (error instanceof ApiProblem && error.status === 412) for (const key of effects.onConflict?.(vars) ?? []) void client.invalidateQueries({ queryKey: key });
      return options.onError?.(error, vars, onMutateResult, context);
    },
  });
}
