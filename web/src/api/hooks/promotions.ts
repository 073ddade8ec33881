// Promotions, their coupons and the preview that prices a sample cart with an unsaved promotion.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, createHeaders, ifMatch, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { useApiMutation, type Body, type ListFilters, type MutationOptions } from './util';

export type Promotion = Schemas['Promotion'];
export type PromotionFilters = ListFilters<'/v1/promotions'>;
export type PreviewRequest = Body<'/v1/promotions/preview', 'post'>;

export const promotionKeys = {
  all: ['promotions'] as const,
  lists: () => [...promotionKeys.all, 'list'] as const,
  list: (filters: PromotionFilters) => [...promotionKeys.lists(), filters] as const,
  detail: (id: string) => [...promotionKeys.all, 'detail', id] as const,
  coupons: (id: string) => [...promotionKeys.detail(id), 'coupons'] as const,
  preview: (request: PreviewRequest | null, language: string) => [...promotionKeys.all, 'preview', request, language] as const,
};

export function usePromotions(filters: PromotionFilters) {
  return usePagedList(promotionKeys.list(filters), (cursor) => unwrap(api.GET('/v1/promotions', { params: { query: { ...filters, cursor, limit: 50 } } })));
}

export function usePromotion(id: string) {
  return useQuery({ queryKey: promotionKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/promotions/{id}', { params: { path: { id } } })) });
}

export type PromotionSave = { create: Body<'/v1/promotions', 'post'> } | { id: string; version: number; patch: Body<'/v1/promotions/{id}', 'patch'> };

/** Create a promotion, or update one against the version read (412 when it moved on). */
export function useSavePromotion(options?: MutationOptions<Promotion, PromotionSave>) {
  return useApiMutation(
    (v: PromotionSave) =>
      'create' in v
        ? unwrap(api.POST('/v1/promotions', { headers: createHeaders(), body: v.create }))
        : unwrap(api.PATCH('/v1/promotions/{id}', { params: { path: { id: v.id } }, headers: ifMatch(v.version), body: v.patch })),
    { set: (client, saved) => client.setQueryData(promotionKeys.detail(saved.id), saved), invalidates: () => [promotionKeys.lists()] },
    options,
  );
}

export function useCoupons(promotionId: string) {
  return usePagedList(promotionKeys.coupons(promotionId), (cursor) => unwrap(api.GET('/v1/promotions/{id}/coupons', { params: { path: { id: promotionId }, query: { cursor, limit: 100 } } })));
}

export function useAddCoupon(promotionId: string, options?: MutationOptions<Schemas['Coupon'], Body<'/v1/promotions/{id}/coupons', 'post'>>) {
  return useApiMutation(
    (body: Body<'/v1/promotions/{id}/coupons', 'post'>) => unwrap(api.POST('/v1/promotions/{id}/coupons', { params: { path: { id: promotionId } }, headers: createHeaders(), body })),
    { invalidates: () => [promotionKeys.coupons(promotionId)] },
    options,
  );
}

export function useGenerateCoupons(promotionId: string, options?: MutationOptions<Awaited<ReturnType<typeof generateCoupons>>, Body<'/v1/promotions/{id}/coupon-batches', 'post'>>) {
  return useApiMutation((body: Body<'/v1/promotions/{id}/coupon-batches', 'post'>) => generateCoupons(promotionId, body), { invalidates: () => [promotionKeys.coupons(promotionId)] }, options);
}
const generateCoupons = (id: string, body: Body<'/v1/promotions/{id}/coupon-batches', 'post'>) => unwrap(api.POST('/v1/promotions/{id}/coupon-batches', { params: { path: { id } }, headers: createHeaders(), body }));

/** A sample cart priced with the promotion as it stands in the form; the server words reasons in `language`. */
export function usePromotionPreview(request: PreviewRequest | null, language: 'nl' | 'en') {
  return useQuery({
    queryKey: promotionKeys.preview(request, language),
    enabled: !!request,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: () => unwrap(api.POST('/v1/promotions/preview', { headers: { 'accept-language': language }, body: request! })),
  });
}
