import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { usePagedList } from '../../lib/paging';

export function useEndpoints() {
  return usePagedList(['webhook-endpoints'], (cursor) => unwrap(api.GET('/v1/webhook-endpoints', { params: { query: { cursor, limit: 100 } } })));
}

/** One endpoint with its signing secret (only the single-endpoint answer carries it). */
export function useEndpointWithSecret(id: string | null) {
  return useQuery({
    queryKey: ['webhook-endpoint', id],
    queryFn: () => unwrap(api.GET('/v1/webhook-endpoints/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
    staleTime: 0,
  });
}
