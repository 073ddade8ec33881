// Which lines qualify: everything, some categories, or SKUs typed in or found by searching.
import { Group, MultiSelect, Radio, Stack, TagsInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { categoryOptions } from '../../../lib/catalog';
import { useCategories } from '../../../api/hooks/catalog';
import type { FormErrors, TargetState } from './model';
import { ProductSearch } from './ProductSearch';

export function TargetFields({ value, onChange, label, path, errors, allowAll = true }: { value: TargetState; onChange: (next: TargetState) => void; label: string; path: string; errors: FormErrors; allowAll?: boolean }) {
  const { t } = useTranslation('promotions');
  const categories = useCategories();
  const modes: TargetState['mode'][] = [...(allowAll ? (['all'] as const) : []), 'categories', 'skus', ...(value.mode === 'products' ? (['products'] as const) : [])];
  return (
    <Stack gap="xs">
      <Radio.Group label={label} value={value.mode} onChange={(mode) => onChange({ ...value, mode: mode as TargetState['mode'] })}>
        <Group gap="md" mt={4}>
          {modes.map((m) => (
            <Radio key={m} value={m} label={t(`target.${m}`)} />
          ))}
        </Group>
      </Radio.Group>
      {value.mode === 'categories' && (
        <MultiSelect
          label={t('target.categoriesLabel')}
          placeholder={t('target.categoriesPlaceholder')}
          data={categoryOptions(categories.data?.data ?? [])}
          value={value.categoryIds}
          onChange={(categoryIds) => onChange({ ...value, categoryIds })}
          searchable
          clearable
          error={errors[`${path}.categoryIds`]}
        />
      )}
      {value.mode === 'skus' && (
        <>
          <TagsInput
            label={t('target.skusLabel')}
            description={t('target.skusHint')}
            value={value.skus}
            onChange={(skus) => onChange({ ...value, skus: [...new Set(skus.map((s) => s.trim()).filter(Boolean))] })}
            splitChars={[',', ' ', ';']}
            clearable
            error={errors[`${path}.skus`]}
          />
          <ProductSearch label={t('target.findProduct')} exclude={value.skus} onPick={(p) => onChange({ ...value, skus: [...value.skus, p.sku] })} />
        </>
      )}
      {value.mode === 'products' && (
        <TagsInput
          label={t('target.productsLabel')}
          value={value.productIds}
          onChange={(productIds) => onChange({ ...value, productIds })}
          clearable
          error={errors[`${path}.productIds`]}
        />
      )}
    </Stack>
  );
}
