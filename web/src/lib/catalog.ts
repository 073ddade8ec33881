// Helpers the back office pages share around catalog data: categories as an indented tree, locations
// as select options, and the server's message for one field. The data itself comes from api/hooks.
import { ApiProblem, type Schemas } from '../api/client';
import { useLocations } from '../api/hooks/inventory';

export type Category = Schemas['Category'];
export type Product = Schemas['Product'];
export type Variant = Schemas['Variant'];

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

export function useLocationOptions(filter?: (l: Schemas['Location']) => boolean) {
  const locations = useLocations();
  return (locations.data?.data ?? []).filter((l) => !filter || filter(l)).map((l) => ({ value: l.id, label: `${l.code} · ${l.name}` }));
}

/** The message the server gave for one field path, e.g. "/variants/0/gtin". */
export function errorAt(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.errors.find((e) => e.field === field)?.message;
}
