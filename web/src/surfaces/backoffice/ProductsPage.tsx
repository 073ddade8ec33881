import { Anchor, Badge, Button, Chip, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { PriceText } from '../../components/PriceText';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { categoryOptions } from '../../lib/catalog';
import { useCategories, useProducts } from '../../api/hooks/catalog';
import { useContentLocale } from '../../lib/i18n';
import { formatNumber } from '../../lib/money';
import { CreateProductModal } from './CreateProductModal';
import { PRODUCT_STATUS_COLORS } from './productStatus';

type Status = 'draft' | 'active' | 'archived';
type Kind = 'physical' | 'service';
type Sort = 'relevance' | 'newest' | 'title';

export function ProductsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const categories = useCategories();
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [kind, setKind] = useState<string | null>(null);
  const [sort, setSort] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const locale = useContentLocale();

  const products = useProducts({
    q: q || undefined,
    categoryId: categoryId ?? undefined,
    status: (status ?? undefined) as Status | undefined,
    kind: (kind ?? undefined) as Kind | undefined,
    sort: (sort ?? undefined) as Sort | undefined,
    channel: 'web',
    locale,
  });
  const first = products.data?.pages[0];
  const facets = first && 'facets' in first ? (first as { facets: { categories: { categoryId: string | null; count: number }[] } | null }).facets : null;
  const total = first && 'total' in first ? (first as { total: number | null }).total : null;
  const categoryName = new Map((categories.data?.data ?? []).map((c) => [c.id, c.displayName]));

  return (
    <Stack gap="md">
      <PageHeader
        title={t('products.title')}
        description={t('products.description')}
        actions={can('catalog:write') && <Button onClick={() => setCreating(true)}>{t('products.new')}</Button>}
      />
      <Group gap="sm" align="flex-end">
        <TextInput
          type="search"
          label={t('products.search')}
          placeholder={t('products.searchPlaceholder')}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          w={{ base: '100%', sm: 300 }}
        />
        <Select label={t('products.category')} placeholder={t('common.all')} data={categoryOptions(categories.data?.data ?? [])} value={categoryId} onChange={setCategoryId} clearable searchable w={{ base: '100%', sm: 240 }} />
        <Select
          label={t('products.statusLabel')}
          placeholder={t('common.all')}
          data={(['active', 'draft', 'archived'] as const).map((s) => ({ value: s, label: t(`products.status.${s}`) }))}
          value={status}
          onChange={setStatus}
          clearable
          w={{ base: '48%', sm: 150 }}
        />
        <Select
          label={t('products.kindLabel')}
          placeholder={t('common.all')}
          data={(['physical', 'service'] as const).map((k) => ({ value: k, label: t(`products.kind.${k}`) }))}
          value={kind}
          onChange={setKind}
          clearable
          w={{ base: '48%', sm: 150 }}
        />
        <Select
          label={t('products.sort')}
          placeholder={q ? t('products.sortBy.relevance') : t('products.sortBy.newest')}
          data={(['relevance', 'newest', 'title'] as const).map((s) => ({ value: s, label: t(`products.sortBy.${s}`) }))}
          value={sort}
          onChange={setSort}
          clearable
          w={{ base: '100%', sm: 170 }}
        />
      </Group>
      {facets && facets.categories.length > 0 && (
        <Group gap={6} aria-label={t('products.facetsLabel')} role="group">
          <Text size="xs" c="dimmed" fw={600}>
            {t('products.inCategories')}
          </Text>
          {facets.categories
            .slice()
            .sort((a, b) => b.count - a.count)
            .slice(0, 12)
            .map((f) => (
              <Chip
                key={f.categoryId ?? 'none'}
                size="xs"
                checked={categoryId === f.categoryId}
                onChange={() => setCategoryId(categoryId === f.categoryId ? null : f.categoryId)}
                disabled={f.categoryId === null}
              >
                {f.categoryId ? (categoryName.get(f.categoryId) ?? f.categoryId) : t('products.noCategory')} ({formatNumber(f.count)})
              </Chip>
            ))}
        </Group>
      )}
      {total != null && (
        <Text size="sm" c="dimmed" aria-live="polite">
          {t('products.count', { count: total, formatted: formatNumber(total) })}
        </Text>
      )}
      {products.isError && <QueryError error={products.error} onRetry={() => void products.refetch()} />}
      <Table.ScrollContainer minWidth={820}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('products.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('products.productTitle')}</Table.Th>
              <Table.Th>{t('products.skus')}</Table.Th>
              <Table.Th>{t('products.category')}</Table.Th>
              <Table.Th>{t('products.statusLabel')}</Table.Th>
              <Table.Th>{t('products.webPrice')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {products.items.length === 0 && !products.isError && <TableState colSpan={5} loading={products.isPending} empty={t('products.empty')} />}
            {products.items.map((p) => {
              const priced = p.variants.find((v) => v.price);
              return (
                <Table.Tr key={p.id}>
                  <Table.Td maw={380}>
                    <Anchor component={Link} to={`/backoffice/products/${p.id}`} fw={500} size="sm">
                      {p.displayTitle}
                    </Anchor>
                    {p.kind === 'service' && (
                      <Badge size="xs" variant="outline" color="gray" ml={6}>
                        {t('products.kind.service')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {p.variants
                        .slice(0, 3)
                        .map((v) => v.sku)
                        .join(', ')}
                      {p.variants.length > 3 ? ` +${p.variants.length - 3}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={p.categoryId ? undefined : 'dimmed'}>
                      {p.categoryId ? (categoryName.get(p.categoryId) ?? '…') : t('products.noCategory')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={PRODUCT_STATUS_COLORS[p.status]}>
                      {t(`products.status.${p.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <PriceText amount={priced?.price?.amount} compareAt={priced?.price?.compareAt} currency={priced?.price?.currency} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!products.hasNextPage} loading={products.isFetchingNextPage} onLoad={() => void products.fetchNextPage()} />
      <CreateProductModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
