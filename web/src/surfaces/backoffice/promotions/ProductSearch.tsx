// Finding a SKU by typing part of a product's name or its SKU; picking one hands the SKU (and the
// product's title, for display) to the caller and empties the box for the next search.
import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useProductSearch } from '../../../api/hooks/catalog';

export interface PickedSku {
  sku: string;
  title: string;
  productId: string;
}

export function ProductSearch({ label, description, onPick, exclude = [], ...rest }: { label: string; description?: string; onPick: (picked: PickedSku) => void; exclude?: string[] } & Pick<SelectProps, 'w' | 'size' | 'style' | 'flex'>) {
  const { t } = useTranslation('promotions');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const results = useProductSearch(q);
  const picks = new Map<string, PickedSku>();
  for (const p of results.data?.data ?? []) {
    for (const v of p.variants) {
      if (v.status === 'archived' || exclude.includes(v.sku)) continue;
      picks.set(v.sku, { sku: v.sku, title: p.displayTitle, productId: p.id });
    }
  }
  const data = [...picks.values()].map((p) => ({ value: p.sku, label: `${p.title} · ${p.sku}` }));

  return (
    <Select
      label={label}
      description={description}
      placeholder={t('productSearch.placeholder')}
      searchable
      value={null}
      searchValue={search}
      onSearchChange={setSearch}
      data={data}
      // The server already searched; show its answers as they are.
      filter={({ options }) => options}
      nothingFoundMessage={q.length < 2 ? t('productSearch.typeMore') : results.isFetching ? t('productSearch.searching') : t('productSearch.nothing')}
      onChange={(sku) => {
        const picked = sku ? picks.get(sku) : undefined;
        if (picked) onPick(picked);
        setSearch('');
      }}
      {...rest}
    />
  );
}
