// The developer surface: webhook endpoints and their deliveries, the event log, event types and
// the built-in mail catcher.
import { useQuery } from '@tanstack/react-query';
import { api, createHeaders, ifMatch, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { useApiMutation, type Body, type ListFilters, type MutationOptions } from './util';

export type Endpoint = Schemas['WebhookEndpoint'];
export type DeliveryFilters = ListFilters<'/v1/webhook-deliveries'>;
export type EventFilters = ListFilters<'/v1/events'>;
export type EmailFilters = ListFilters<'/v1/devtools/emails'>;

export const webhookKeys = {
  all: ['webhooks'] as const,
  endpoints: () => [...webhookKeys.all, 'endpoints'] as const,
  endpoint: (id: string) => [...webhookKeys.endpoints(), id] as const,
  deliveries: () => [...webhookKeys.all, 'deliveries'] as const,
  deliveryList: (filters: DeliveryFilters) => [...webhookKeys.deliveries(), 'list', filters] as const,
  delivery: (id: string) => [...webhookKeys.deliveries(), 'detail', id] as const,
};

export const eventKeys = {
  all: ['events'] as const,
  list: (filters: EventFilters) => [...eventKeys.all, 'list', filters] as const,
  types: () => ['event-types'] as const,
};

export const emailKeys = {
  all: ['caught-emails'] as const,
  list: (filters: EmailFilters) => [...emailKeys.all, 'list', filters] as const,
  detail: (id: string) => [...emailKeys.all, 'detail', id] as const,
};

// ------------------------------------------------------------------ webhooks

export function useEndpoints() {
  return usePagedList(webhookKeys.endpoints(), (cursor) => unwrap(api.GET('/v1/webhook-endpoints', { params: { query: { cursor, limit: 100 } } })));
}

/** One endpoint with its signing secret (only the single-endpoint answer carries it). */
export function useEndpointWithSecret(id: string | null) {
  return useQuery({ queryKey: webhookKeys.endpoint(id ?? ''), enabled: !!id, staleTime: 0, queryFn: () => unwrap(api.GET('/v1/webhook-endpoints/{id}', { params: { path: { id: id! } } })) });
}

export function useCreateEndpoint(options?: MutationOptions<Endpoint, Body<'/v1/webhook-endpoints', 'post'>>) {
  return useApiMutation((body: Body<'/v1/webhook-endpoints', 'post'>) => unwrap(api.POST('/v1/webhook-endpoints', { headers: createHeaders(), body })), { invalidates: () => [webhookKeys.endpoints()] }, options);
}

export type EndpointUpdate = { e: Endpoint; patch: Body<'/v1/webhook-endpoints/{id}', 'patch'> };
/** Enable, disable or rotate the secret of an endpoint, against the version shown. */
export function useUpdateEndpoint(options?: MutationOptions<Endpoint, EndpointUpdate>) {
  return useApiMutation(
    ({ e, patch }: EndpointUpdate) => unwrap(api.PATCH('/v1/webhook-endpoints/{id}', { params: { path: { id: e.id } }, headers: ifMatch(e.version), body: patch })),
    { set: (client, e) => client.setQueryData(webhookKeys.endpoint(e.id), e), invalidates: () => [webhookKeys.endpoints()], onConflict: () => [webhookKeys.endpoints()] },
    options,
  );
}

export function useDeleteEndpoint(options?: MutationOptions<unknown, Endpoint>) {
  return useApiMutation((e: Endpoint) => unwrap(api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id: e.id } } })), { invalidates: () => [webhookKeys.all] }, options);
}

export function usePingEndpoint(options?: MutationOptions<unknown, Endpoint>) {
  return useApiMutation((e: Endpoint) => unwrap(api.POST('/v1/webhook-endpoints/{id}/ping', { params: { path: { id: e.id } }, headers: createHeaders() })), { invalidates: () => [webhookKeys.deliveries()] }, options);
}

/** Deliveries, followed while any of them is still pending. */
export function useDeliveries(filters: DeliveryFilters, pendingRefreshMs: number) {
  return usePagedList(webhookKeys.deliveryList(filters), (cursor) => unwrap(api.GET('/v1/webhook-deliveries', { params: { query: { ...filters, cursor, limit: 50 } } })), {
    refetchInterval: (items) => (items.some((d) => d.status === 'pending') ? pendingRefreshMs : false),
  });
}

/** One delivery with its attempts, followed while it is pending. */
export function useDelivery(id: string | null) {
  return useQuery({
    queryKey: webhookKeys.delivery(id ?? ''),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data?.delivery.status === 'pending' ? 2500 : false),
    queryFn: () => unwrap(api.GET('/v1/webhook-deliveries/{id}', { params: { path: { id: id! } } })),
  });
}

export function useReplayDelivery(options?: MutationOptions<Schemas['WebhookDelivery'], string>) {
  return useApiMutation((id: string) => unwrap(api.POST('/v1/webhook-deliveries/{id}/replay', { params: { path: { id } }, headers: createHeaders() })), { invalidates: () => [webhookKeys.deliveries()] }, options);
}

// ------------------------------------------------------------------ events and mail

export function useEvents(filters: EventFilters) {
  return usePagedList(eventKeys.list(filters), (cursor) => unwrap(api.GET('/v1/events', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useEventTypes() {
  return useQuery({ queryKey: eventKeys.types(), staleTime: Infinity, queryFn: () => unwrap(api.GET('/v1/event-types')) });
}

export function useCaughtEmails(filters: EmailFilters) {
  return usePagedList(emailKeys.list(filters), (cursor) => unwrap(api.GET('/v1/devtools/emails', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useCaughtEmail(id: string) {
  return useQuery({ queryKey: emailKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/devtools/emails/{id}', { params: { path: { id } } })) });
}
