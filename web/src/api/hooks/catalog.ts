// Products, variants, categories: the catalog as the back office reads and edits it.
import { useQuery } from '@tanstack/react-query';
import { useContentLocale, type ContentLocale } from '../../lib/i18n';
import { api, createHeaders, ifMatch, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { useApiMutation, type Body, type ListFilters, type MutationOptions } from './util';

export type Product = Schemas['Product'];
export type Category = Schemas['Category'];
type Locale = ContentLocale;

export type ProductFilters = Omit<ListFilters<'/v1/products'>, 'facets'>;

export const productKeys = {
  all: ['products'] as const,
  lists: () => [...productKeys.all, 'list'] as const,
  list: (filters: ProductFilters) => [...productKeys.lists(), filters] as const,
  search: (q: string) => [...productKeys.all, 'search', q] as const,
  details: () => [...productKeys.all, 'detail'] as const,
  detail: (id: string, locale: Locale) => [...productKeys.details(), id, locale] as const,
};

export const variantKeys = {
  all: ['variants'] as const,
  detail: (id: string, locale: Locale) => [...variantKeys.all, 'detail', id, locale] as const,
  /** SKU and title of a variant id, found through availability and product search. */
  info: (id: string) => [...variantKeys.all, 'info', id] as const,
};

export const categoryKeys = {
  all: ['categories'] as const,
  list: (locale: Locale) => [...categoryKeys.all, 'list', locale] as const,
};

/** Products page by page (filters include the locale of titles); the first page also answers facets (counts per category) and a total. */
export function useProducts(filters: ProductFilters) {
  return usePagedList(productKeys.list(filters), (cursor) => unwrap(api.GET('/v1/products', { params: { query: { ...filters, facets: cursor ? undefined : true, limit: 50, cursor } } })));
}

/** Quick product search for pickers (two characters or more). */
export function useProductSearch(q: string) {
  return useQuery({ queryKey: productKeys.search(q), enabled: q.length >= 2, staleTime: 30_000, queryFn: () => unwrap(api.GET('/v1/products', { params: { query: { q, limit: 20 } } })) });
}

export function useProduct(id: string) {
  const locale = useContentLocale();
  return useQuery({ queryKey: productKeys.detail(id, locale), queryFn: () => unwrap(api.GET('/v1/products/{id}', { params: { path: { id }, query: { channel: 'web', locale } } })) });
}

export function useCreateProduct(options?: MutationOptions<Product, Body<'/v1/products', 'post'>>) {
  return useApiMutation((body: Body<'/v1/products', 'post'>) => unwrap(api.POST('/v1/products', { headers: createHeaders(), body })), { invalidates: () => [productKeys.all] }, options);
}

/** Update a product read at `version` (412 when someone changed it meanwhile). */
export function useUpdateProduct(options?: MutationOptions<Product, { id: string; version: number; body: Body<'/v1/products/{id}', 'patch'> }>) {
  const locale = useContentLocale();
  return useApiMutation(
    ({ id, version, body }: { id: string; version: number; body: Body<'/v1/products/{id}', 'patch'> }) => unwrap(api.PATCH('/v1/products/{id}', { params: { path: { id } }, headers: ifMatch(version), body })),
    { set: (client, p) => client.setQueryData(productKeys.detail(p.id, locale), p), invalidates: () => [productKeys.all] },
    options,
  );
}

export function useVariant(id: string) {
  const locale = useContentLocale();
  return useQuery({ queryKey: variantKeys.detail(id, locale), staleTime: 10 * 60_000, queryFn: () => unwrap(api.GET('/v1/variants/{id}', { params: { path: { id }, query: { locale } } })) });
}

export interface VariantInfo {
  variantId: string;
  sku: string;
  title: string;
  productId: string | null;
}

/** The variant with exactly this SKU, found through product search; null if there is none. */
export async function findVariantBySku(sku: string): Promise<(VariantInfo & { product: Product; variant: Schemas['Variant'] }) | null> {
  const wanted = sku.trim().toLowerCase();
  if (!wanted) return null;
  const page = await unwrap(api.GET('/v1/products', { params: { query: { q: sku.trim(), limit: 20 } } }));
  for (const product of page.data) {
    const variant = product.variants.find((v) => v.sku.toLowerCase() === wanted);
    if (variant) return { variantId: variant.id, sku: variant.sku, title: product.displayTitle, productId: product.id, product, variant };
  }
  return null;
}

/**
 * SKU and title of a variant id. This asks availability (which names the SKU) and then searches
 * products for that SKU; both answers are cached for ten minutes.
 */
export function useVariantInfo(variantId: string | null | undefined) {
  return useQuery({
    queryKey: variantKeys.info(variantId ?? ''),
    enabled: !!variantId,
    staleTime: 10 * 60_000,
    queryFn: async (): Promise<VariantInfo> => {
      const availability = await unwrap(api.GET('/v1/availability', { params: { query: { variantId: variantId! } } }));
      const found = await findVariantBySku(availability.sku).catch(() => null);
      return { variantId: variantId!, sku: availability.sku, title: found?.title ?? '', productId: found?.productId ?? null };
    },
  });
}

export function useCategories() {
  const locale = useContentLocale();
  return useQuery({ queryKey: categoryKeys.list(locale), staleTime: 60_000, queryFn: () => unwrap(api.GET('/v1/categories', { params: { query: { locale } } })) });
}

type CategorySave = { existing: Category | null; body: Body<'/v1/categories', 'post'> };

/** Create a category, or update one read at its version. */
export function useSaveCategory(options?: MutationOptions<Category, CategorySave>) {
  return useApiMutation(
    ({ existing, body }: CategorySave) =>
      existing
        ? unwrap(api.PATCH('/v1/categories/{id}', { params: { path: { id: existing.id } }, headers: ifMatch(existing.version), body }))
        : unwrap(api.POST('/v1/categories', { headers: createHeaders(), body })),
    { invalidates: () => [categoryKeys.all], onConflict: () => [categoryKeys.all] },
    options,
  );
}

export function useDeleteCategory(options?: MutationOptions<unknown, Category>) {
  return useApiMutation((c: Category) => unwrap(api.DELETE('/v1/categories/{id}', { params: { path: { id: c.id } } })), { invalidates: () => [categoryKeys.all, productKeys.all] }, options);
}

