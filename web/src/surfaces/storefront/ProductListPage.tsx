// The shop's front page and search results: products with their web price, narrowed by a
// search text and a category (with counts), cursor-paged.
import { Anchor, Badge, Button, Card, Center, Chip, Group, Image, Loader, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useShopCategories, useShopProducts } from '../../api/hooks/shop';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { PriceText } from '../../components/PriceText';
import { QueryError } from '../../components/QueryError';
import { formatMoney } from '../../lib/money';
import { usePageTitle } from '../../lib/usePageTitle';
import { trackPage } from './sdk';
import { type Product } from '../../api/shop';

const PAGE = 24;
type Sort = 'relevance' | 'title' | 'newest';
/** Price bands in cents (VAT included), filtered by the server on the web channel's prices. */
const PRICE_BANDS: Array<{ key: string; min?: number; max?: number }> = [
  { key: '0-5', min: 0, max: 500 },
  { key: '5-10', min: 500, max: 1000 },
  { key: '10-25', min: 1000, max: 2500 },
  { key: '25-', min: 2500 },
];

/** The lowest price among the product's variants, and whether variants differ. */
export function fromPrice(p: Product) {
  const prices = p.variants.filter((v) => v.status === 'active' && v.price).map((v) => v.price!);
  if (!prices.length) return null;
  const low = prices.reduce((a, b) => (b.amount < a.amount ? b : a));
  return { ...low, varies: prices.some((x) => x.amount !== low.amount) };
}

export function ProductCard({ product }: { product: Product }) {
  const { t } = useTranslation('shop');
  const price = fromPrice(product);
  const image = product.media[0];
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-label={product.displayTitle}>
      {image && (
        <Card.Section>
          <Image src={image.url} alt={image.alt ?? product.displayTitle} h={160} fit="cover" />
        </Card.Section>
      )}
      <Stack gap={6} mt={image ? 'sm' : 0} style={{ flex: 1 }}>
        <Anchor component={Link} to={`/storefront/products/${product.id}`} fw={600} c="inherit" lineClamp={2}>
          {product.displayTitle}
        </Anchor>
        {product.brand && (
          <Text size="xs" c="dimmed">
            {product.brand}
          </Text>
        )}
        <Group gap={6} mt="auto">
          {price?.varies && (
            <Text size="sm" c="dimmed">
              {t('list.from')}
            </Text>
          )}
          <PriceText amount={price?.amount} compareAt={price?.compareAt} currency={price?.currency} />
        </Group>
        {product.variants.length > 1 && (
          <Text size="xs" c="dimmed">
            {t('list.variants', { count: product.variants.length })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

export function ProductListPage() {
  const { t } = useTranslation('shop');
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const categoryId = params.get('category') ?? '';
  const sort = (params.get('sort') as Sort | null) ?? (q ? 'relevance' : 'title');
  const band = PRICE_BANDS.find((b) => b.key === params.get('price')) ?? null;
  usePageTitle(q ? t('list.resultsFor', { q }) : t('list.title'));
  useEffect(() => trackPage(q ? 'Search results' : 'Products', q ? { query: q } : {}), [q]);

  const categories = useShopCategories();
  const categoryName = new Map((categories.data?.data ?? []).map((c) => [c.id, c.displayName]));
  const products = useShopProducts({ q: q || undefined, categoryId: categoryId || undefined, sort, minPrice: band?.min, maxPrice: band?.max }, PAGE);
  const first = products.data?.pages[0];
  const items = products.data?.pages.flatMap((p) => p.data) ?? [];
  const facets = first?.facets?.categories.filter((c) => c.categoryId && c.count > 0) ?? [];

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  const setCategory = (id: string | null) => setParam('category', id);

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {q ? t('list.resultsFor', { q }) : t('list.title')}
        </Title>
        {first?.total != null && (
          <Text c="dimmed" size="sm" mt={4} role="status">
            {t('list.count', { count: first.total })}
          </Text>
        )}
      </div>
      {(facets.length > 0 || categoryId) && (
        <Group gap={6} aria-label={t('list.categories')} role="group">
          <Chip checked={!categoryId} onChange={() => setCategory(null)} size="sm">
            {t('list.allCategories')}
          </Chip>
          {facets.map((f) => (
            <Chip key={f.categoryId} checked={categoryId === f.categoryId} onChange={() => setCategory(categoryId === f.categoryId ? null : f.categoryId)} size="sm">
              {categoryName.get(f.categoryId!) ?? t('list.otherCategory')} <Badge ml={4} size="xs" variant="light">{f.count}</Badge>
            </Chip>
          ))}
        </Group>
      )}
      <Group gap="sm" align="flex-end">
        <Select
          label={t('list.sort')}
          size="xs"
          w={170}
          allowDeselect={false}
          data={(q ? (['relevance', 'title', 'newest'] as const) : (['title', 'newest'] as const)).map((s) => ({ value: s, label: t(`list.sorts.${s}`) }))}
          value={sort}
          onChange={(v) => setParam('sort', v)}
        />
        <Select
          label={t('list.price')}
          size="xs"
          w={170}
          clearable
          placeholder={t('list.anyPrice')}
          data={PRICE_BANDS.map((b) => ({ value: b.key, label: b.max === undefined ? t('list.priceFrom', { min: formatMoney(b.min ?? 0) }) : t('list.priceBand', { min: formatMoney(b.min ?? 0), max: formatMoney(b.max) }) }))}
          value={band?.key ?? null}
          onChange={(v) => setParam('price', v)}
        />
      </Group>
      {products.isError && <QueryError error={products.error} onRetry={() => void products.refetch()} />}
      {products.isPending && (
        <Center py="xl">
          <Loader aria-label={t('loading')} />
        </Center>
      )}
      {!products.isPending && !products.isError && items.length === 0 && (
        <Text c="dimmed" py="xl" ta="center">
          {q ? t('list.noResults', { q }) : t('list.empty')}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, sm: 3, md: 4 }} spacing="md">
        {items.map((p) => (
          <ProductCard key={p.id} product={p} />
        ))}
      </SimpleGrid>
      {products.hasNextPage && (
        <Center>
          <Button variant="default" loading={products.isFetchingNextPage} onClick={() => void products.fetchNextPage()}>
            {t('list.more')}
          </Button>
        </Center>
      )}
    </Stack>
  );
}
