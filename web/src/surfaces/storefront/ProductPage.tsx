// One product: its variants, the web price, where it can be had (stock per store, nearest first
// when the shopper shares their location), and adding it to the cart for delivery or pickup.
import { Alert, Anchor, Badge, Button, Card, Grid, Group, Image, List, NumberInput, Radio, Select, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useShopAvailability, useShopProduct } from '../../api/hooks/shop';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/money';
import { Link, useParams } from 'react-router';
import { PriceText } from '../../components/PriceText';
import { QueryError } from '../../components/QueryError';
import { problemMessage } from '../../lib/notify';
import { usePageTitle } from '../../lib/usePageTitle';
import { trackPage } from './sdk';
import { type Product } from '../../api/shop';
import { useCartActions, useShopperPosition } from '../../api/hooks/shop';

type Variant = Product['variants'][number];

export function variantLabel(v: Variant) {
  const options = Object.entries(v.options ?? {});
  return options.length ? options.map(([k, val]) => `${k}: ${val}`).join(' · ') : v.sku;
}

function Availability({ variant, quantity, onPickStore }: { variant: Variant; quantity: number; onPickStore: (id: string) => void }) {
  const { t } = useTranslation('shop');
  const [askPosition, setAskPosition] = useState(false);
  const position = useShopperPosition(askPosition);
  const near = position.data;
  const availability = useShopAvailability(variant.id, near ?? null, { refetchInterval: 30_000 });
  const stores = (availability.data?.locations ?? []).filter((l) => l.location.type === 'store' && l.location.status === 'active');
  const deliverable = (availability.data?.locations ?? []).some((l) => (l.location.type === 'warehouse' || l.location.shipFromStore) && l.location.status === 'active' && l.availableToPromise >= quantity);

  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="availability-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5" id="availability-title">
          {t('product.availability')}
        </Title>
        {!near && (
          <Button size="compact-xs" variant="subtle" onClick={() => setAskPosition(true)} loading={position.isFetching}>
            {t('product.nearestFirst')}
          </Button>
        )}
      </Group>
      {position.isError && (
        <Text size="xs" c="dimmed" mb="xs">
          {t('product.noPosition')}
        </Text>
      )}
      {availability.isError && <QueryError error={availability.error} onRetry={() => void availability.refetch()} />}
      {availability.isPending ? (
        <Skeleton h={60} />
      ) : (
        <Stack gap="xs">
          <Text size="sm" fw={500} c={deliverable ? 'teal.8' : 'red.8'}>
            {deliverable ? t('product.deliverable') : t('product.notDeliverable')}
          </Text>
          {stores.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('product.noStores')}
            </Text>
          ) : (
            <List spacing={4} size="sm" listStyleType="none" aria-label={t('product.storeStock')}>
              {stores.map((s) => (
                <List.Item key={s.location.id}>
                  <Group gap="xs" wrap="nowrap" justify="space-between">
                    <Text size="sm" c={s.availableToPromise > 0 ? undefined : 'dimmed'}>
                      {s.availableToPromise > 0 ? t('product.inStockAt', { count: s.availableToPromise, store: s.location.name }) : t('product.outOfStockAt', { store: s.location.name })}
                      {s.distanceKm != null && (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          · {t('product.distance', { km: formatNumber(s.distanceKm, s.distanceKm < 10 ? 1 : 0) })}
                        </Text>
                      )}
                    </Text>
                    {s.pickup && s.availableToPromise >= quantity && (
                      <Button size="compact-xs" variant="light" onClick={() => onPickStore(s.location.id)} aria-label={t('product.pickUpHereNamed', { store: s.location.name })}>
                        {t('product.pickUpHere')}
                      </Button>
                    )}
                  </Group>
                </List.Item>
              ))}
            </List>
          )}
        </Stack>
      )}
    </Card>
  );
}

export function ProductPage() {
  const { id } = useParams();
  const { t } = useTranslation('shop');
  const product = useShopProduct(id!);
  const p = product.data;
  usePageTitle(p?.displayTitle ?? t('product.title'));
  useEffect(() => {
    if (p) trackPage('Product', { productId: p.id, title: p.displayTitle });
  }, [p?.id]);

  const variants = useMemo(() => (p?.variants ?? []).filter((v) => v.status === 'active'), [p]);
  const [variantId, setVariantId] = useState<string | null>(null);
  const variant = variants.find((v) => v.id === variantId) ?? variants[0];
  const [quantity, setQuantity] = useState<number>(1);
  const [fulfilment, setFulfilment] = useState<'delivery' | 'pickup'>('delivery');
  const [storeId, setStoreId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState(false);
  const { addLine } = useCartActions();

  const stores = useShopAvailability(variant?.id, null);
  const pickupStores = (stores.data?.locations ?? []).filter((l) => l.location.type === 'store' && l.pickup);

  if (product.isError) return <QueryError error={product.error} onRetry={() => void product.refetch()} />;
  if (!p) return <Skeleton h={320} />;

  const add = async () => {
    if (!variant) return;
    if (fulfilment === 'pickup' && !storeId) {
      setError(t('product.chooseStore'));
      return;
    }
    setBusy(true);
    setError(null);
    setAdded(false);
    try {
      await addLine({ sku: variant.sku, quantity, fulfilment, pickupLocationId: storeId });
      setAdded(true);
    } catch (err) {
      setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/storefront" size="sm">
        ← {t('product.back')}
      </Anchor>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 6 }}>
          {p.media.length ? (
            <Stack gap="xs">
              {p.media.slice(0, 4).map((m) => (
                <Image key={m.url} src={m.url} alt={m.alt ?? p.displayTitle} radius="md" />
              ))}
            </Stack>
          ) : (
            <Card withBorder h={{ base: 120, md: 240 }} radius="md" bg="var(--mantine-color-gray-0)">
              <Text c="dimmed" m="auto">
                {t('product.noImage')}
              </Text>
            </Card>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="md">
            <div>
              <Title order={1} size="h2">
                {p.displayTitle}
              </Title>
              {p.brand && <Text c="dimmed">{p.brand}</Text>}
            </div>
            {variant ? <PriceText amount={variant.price?.amount} compareAt={variant.price?.compareAt} currency={variant.price?.currency} /> : null}
            <Text size="xs" c="dimmed">
              {t('product.vatIncluded')} · {t('product.sku', { sku: variant?.sku ?? '—' })}
            </Text>
            {p.displayDescription && <Text size="sm">{p.displayDescription}</Text>}
            {variants.length > 1 && (
              <Select label={t('product.variant')} data={variants.map((v) => ({ value: v.id, label: variantLabel(v) }))} value={variant?.id ?? null} onChange={setVariantId} allowDeselect={false} />
            )}
            {!variant ? (
              <Alert color="gray">{t('product.unavailable')}</Alert>
            ) : (
              <Card withBorder padding="md" radius="md">
                <Stack gap="sm">
                  <NumberInput label={t('product.quantity')} min={1} max={99} value={quantity} onChange={(v) => setQuantity(Math.max(1, Math.min(99, Number(v) || 1)))} w={120} />
                  <Radio.Group label={t('product.howToGet')} value={fulfilment} onChange={(v) => setFulfilment(v as 'delivery' | 'pickup')}>
                    <Stack gap={6} mt={6}>
                      <Radio value="delivery" label={t('product.delivery')} />
                      <Radio value="pickup" label={t('product.pickup')} />
                    </Stack>
                  </Radio.Group>
                  {fulfilment === 'pickup' && (
                    <Select
                      label={t('product.pickupStore')}
                      placeholder={t('product.chooseStore')}
                      data={pickupStores.map((s) => ({ value: s.location.id, label: `${s.location.name} (${t('product.inStockShort', { count: s.availableToPromise })})`, disabled: s.availableToPromise < quantity }))}
                      value={storeId}
                      onChange={setStoreId}
                      nothingFoundMessage={t('product.noStores')}
                    />
                  )}
                  {error && (
                    <Alert color="red" role="alert">
                      {error}
                    </Alert>
                  )}
                  {added && (
                    <Alert color="teal" role="status">
                      {t('product.added', { title: p.displayTitle })}{' '}
                      <Anchor component={Link} to="/storefront/cart" size="sm">
                        {t('product.viewCart')}
                      </Anchor>
                    </Alert>
                  )}
                  <Button onClick={() => void add()} loading={busy} disabled={!variant.price}>
                    {t('product.addToCart')}
                  </Button>
                  {!variant.price && (
                    <Text size="xs" c="dimmed">
                      {t('product.noPrice')}
                    </Text>
                  )}
                </Stack>
              </Card>
            )}
            {variant && (
              <Availability
                variant={variant}
                quantity={quantity}
                onPickStore={(sid) => {
                  setFulfilment('pickup');
                  setStoreId(sid);
                }}
              />
            )}
            {variant && variant.price === null && <Badge color="gray">{t('product.noPrice')}</Badge>}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
