// Catalog and inventory look-ups the back office pages share: categories as a tree, locations,
// suppliers, and turning a variant id into the SKU and title people recognise (and back).
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiProblem, api, unwrap, type Schemas } from '../api/client';

export type Category = Schemas['Category'];
export type Product = Schemas['Product'];
export type Variant = Schemas['Variant'];

export function useCategories() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'nl' ? 'nl' : 'en';
  return useQuery({ queryKey: ['categories', locale], queryFn: () => unwrap(api.GET('/v1/categories', { params: { query: { locale } } })), staleTime: 60_000 });
}

export interface TreeEntry {
  category: Category;
  depth: number;
}

/** Depth-first order by position, so a flat list reads as an indented tree. */
export function categoryTree(categories: Category[]): TreeEntry[] {
  const children = new Map<string | null, Category[]>();
  const ids = new Set(categories.map((c) => c.id));
  for (const c of categories) {
    const parent = c.parentId && ids.has(c.parentId) ? c.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  const out: TreeEntry[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const c of (children.get(parent) ?? []).sort((a, b) => a.position - b.position || a.displayName.localeCompare(b.displayName))) {
      out.push({ category: c, depth });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Select options for categories, indented to show the tree. */
export function categoryOptions(categories: Category[]) {
  return categoryTree(categories).map(({ category, depth }) => ({ value: category.id, label: `${'\u2003'.repeat(depth)}${category.displayName}` }));
}

export function useLocations() {
  return useQuery({ queryKey: ['locations'], queryFn: () => unwrap(api.GET('/v1/locations')), staleTime: 30_000 });
}

export function useLocationOptions(filter?: (l: Schemas['Location']) => boolean) {
  const locations = useLocations();
  return (locations.data?.data ?? []).filter((l) => !filter || filter(l)).map((l) => ({ value: l.id, label: `${l.code} · ${l.name}` }));
}

export function useSuppliers() {
  return useQuery({ queryKey: ['suppliers'], queryFn: () => unwrap(api.GET('/v1/suppliers')), staleTime: 30_000 });
}

export interface VariantInfo {
  variantId: string;
  sku: string;
  title: string;
  productId: string | null;
}

/** The variant with exactly this SKU, found through product search; null if there is none. */
export async function findVariantBySku(sku: string): Promise<(VariantInfo & { product: Product; variant: Variant }) | null> {
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
 * SKU and title of a variant id. The API has no "variant by id" route, so this asks availability
 * (which names the SKU) and then searches products for that SKU; both answers are cached.
 */
export function useVariantInfo(variantId: string | null | undefined) {
  return useQuery({
    queryKey: ['variant-info', variantId],
    enabled: !!variantId,
    staleTime: 10 * 60_000,
    queryFn: async (): Promise<VariantInfo> => {
      const availability = await unwrap(api.GET('/v1/availability', { params: { query: { variantId: variantId! } } }));
      const found = await findVariantBySku(availability.sku).catch(() => null);
      return { variantId: variantId!, sku: availability.sku, title: found?.title ?? '', productId: found?.productId ?? null };
    },
  });
}

/** The message the server gave for one field path, e.g. "/variants/0/gtin". */
export function errorAt(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.errors.find((e) => e.field === field)?.message;
}
