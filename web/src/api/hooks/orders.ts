// Orders as staff see them, their notes, fulfilments (pick, pack, ship, hand over), returns, gift
// cards and the events that make up an order's timeline.
import { useQuery } from '@tanstack/react-query';
import { api, createHeaders, ifMatch, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { stockKeys } from './inventory';
import { useApiMutation, type Body, type ListFilters, type MutationOptions, type Query } from './util';

export type Order = Schemas['Order'];
export type Fulfilment = Schemas['Fulfilment'];
export type GiftCard = Schemas['GiftCard'];

export type OrderFilters = ListFilters<'/v1/orders'>;
export const orderKeys = {
  all: ['orders'] as const,
  lists: () => [...orderKeys.all, 'list'] as const,
  list: (filters: OrderFilters) => [...orderKeys.lists(), filters] as const,
  detail: (id: string) => [...orderKeys.all, 'detail', id] as const,
  fulfilments: (id: string) => [...orderKeys.detail(id), 'fulfilments'] as const,
  notes: (id: string) => [...orderKeys.detail(id), 'notes'] as const,
  /** Events of an order and the documents around it (payments, fulfilments, returns). */
  timelines: () => [...orderKeys.all, 'timeline'] as const,
  timeline: (aggregateIds: string[]) => [...orderKeys.timelines(), aggregateIds] as const,
};

export type FulfilmentFilters = ListFilters<'/v1/fulfilments'>;
export const fulfilmentKeys = {
  all: ['fulfilments'] as const,
  list: (filters: FulfilmentFilters) => [...fulfilmentKeys.all, 'list', filters] as const,
  carriers: () => ['carriers'] as const,
};

export type ReturnFilters = ListFilters<'/v1/returns'>;
export const returnKeys = {
  all: ['returns'] as const,
  lists: () => [...returnKeys.all, 'list'] as const,
  list: (filters: ReturnFilters) => [...returnKeys.lists(), filters] as const,
  preview: (body: Body<'/v1/returns/preview', 'post'> | null) => [...returnKeys.all, 'preview', body] as const,
};

export const giftCardKeys = {
  all: ['gift-cards'] as const,
  list: () => [...giftCardKeys.all, 'list'] as const,
};

// ------------------------------------------------------------------ orders

export function useOrders(filters: OrderFilters) {
  return usePagedList(orderKeys.list(filters), (cursor) => unwrap(api.GET('/v1/orders', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useOrder(id: string) {
  return useQuery({ queryKey: orderKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/orders/{id}', { params: { path: { id } } })) });
}

/** The order's fulfilments, followed every 15 s while the page is open (the floor moves them). */
export function useOrderFulfilments(id: string) {
  return useQuery({ queryKey: orderKeys.fulfilments(id), refetchInterval: 15_000, queryFn: () => unwrap(api.GET('/v1/orders/{id}/fulfilments', { params: { path: { id } } })) });
}

/** The order's returns, followed every 15 s like its fulfilments. */
export function useOrderReturns(id: string) {
  const filters = { orderId: id };
  return useQuery({ queryKey: returnKeys.list(filters), refetchInterval: 15_000, queryFn: () => unwrap(api.GET('/v1/returns', { params: { query: { ...filters, limit: 50 } } })) });
}

export function useOrderTimeline(aggregateIds: string[], enabled: boolean) {
  return useQuery({ queryKey: orderKeys.timeline(aggregateIds), enabled, refetchInterval: 15_000, queryFn: () => unwrap(api.GET('/v1/events', { params: { query: { aggregateId: aggregateIds, limit: 200 } } })) });
}

export function useOrderNotes(orderId: string) {
  return usePagedList(orderKeys.notes(orderId), (cursor) => unwrap(api.GET('/v1/orders/{id}/notes', { params: { path: { id: orderId }, query: { cursor, limit: 50 } } })));
}

export function useAddOrderNote(orderId: string, options?: MutationOptions<Schemas['OrderNote'], Body<'/v1/orders/{id}/notes', 'post'>>) {
  return useApiMutation(
    (body: Body<'/v1/orders/{id}/notes', 'post'>) => unwrap(api.POST('/v1/orders/{id}/notes', { params: { path: { id: orderId } }, body, headers: createHeaders() })),
    { invalidates: () => [orderKeys.notes(orderId), orderKeys.timelines()] },
    options,
  );
}

// ------------------------------------------------------------------ fulfilments

export function useFulfilments(filters: FulfilmentFilters) {
  return usePagedList(fulfilmentKeys.list(filters), (cursor) => unwrap(api.GET('/v1/fulfilments', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function useCarriers() {
  return useQuery({ queryKey: fulfilmentKeys.carriers(), staleTime: 300_000, queryFn: () => unwrap(api.GET('/v1/carriers')) });
}

export type FulfilmentAction = Fulfilment['nextActions'][number];
export type FulfilmentStep = { f: Fulfilment; action: FulfilmentAction; body?: Record<string, unknown> };

/** One step of a fulfilment, against the version shown; stock and orders move with it. */
export function useFulfilmentStep(options?: MutationOptions<unknown, FulfilmentStep>) {
  return useApiMutation(
    ({ f, action, body }: FulfilmentStep) => unwrap(api.POST(`/v1/fulfilments/{id}/${action}` as '/v1/fulfilments/{id}/pick', { params: { path: { id: f.id } }, body: body as never, headers: ifMatch(f.version) })),
    { invalidates: () => [fulfilmentKeys.all, stockKeys.all, orderKeys.all] },
    options,
  );
}

// ------------------------------------------------------------------ returns

export function useReturns(filters: ReturnFilters) {
  return usePagedList(returnKeys.list(filters), (cursor) => unwrap(api.GET('/v1/returns', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

/** Orders matching an order id or an e-mail address, for a return at the counter. */
export function useReturnOrderLookup(options?: MutationOptions<Awaited<ReturnType<typeof lookUpOrders>>, Query<'/v1/returns/order-lookup'>>) {
  return useApiMutation(lookUpOrders, {}, options);
}
const lookUpOrders = async (query: Query<'/v1/returns/order-lookup'>) => (await unwrap(api.GET('/v1/returns/order-lookup', { params: { query } }))).data;

/** What a return would refund, asked again whenever the body changes. */
export function useReturnPreview(body: Body<'/v1/returns/preview', 'post'> | null) {
  return useQuery({ queryKey: returnKeys.preview(body), enabled: !!body, retry: false, queryFn: () => unwrap(api.POST('/v1/returns/preview', { body: body! })) });
}

/** Book a return; the key makes a repeated click the same return. */
export function useCreateReturn(options?: MutationOptions<Awaited<ReturnType<typeof createReturn>>, { body: Body<'/v1/returns', 'post'>; idempotencyKey: string }>) {
  return useApiMutation(createReturn, { invalidates: () => [returnKeys.all, orderKeys.all, giftCardKeys.all, stockKeys.all] }, options);
}
const createReturn = ({ body, idempotencyKey }: { body: Body<'/v1/returns', 'post'>; idempotencyKey: string }) => unwrap(api.POST('/v1/returns', { body, headers: { 'idempotency-key': idempotencyKey } }));

// ------------------------------------------------------------------ gift cards

export function useGiftCards() {
  return usePagedList(giftCardKeys.list(), (cursor) => unwrap(api.GET('/v1/gift-cards', { params: { query: { cursor, limit: 50 } } })));
}

export function useIssueGiftCard(options?: MutationOptions<Awaited<ReturnType<typeof issueGiftCard>>, number>) {
  return useApiMutation(issueGiftCard, { invalidates: () => [giftCardKeys.all] }, options);
}
const issueGiftCard = (amount: number) => unwrap(api.POST('/v1/gift-cards', { body: { amount }, headers: createHeaders() }));

export function useGiftCardBalance(options?: MutationOptions<GiftCard, string>) {
  return useApiMutation((code: string) => unwrap(api.POST('/v1/gift-cards/balance', { body: { code } })), {}, options);
}
