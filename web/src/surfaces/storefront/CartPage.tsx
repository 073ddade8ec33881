// The cart as the API prices it: lines with their discounts, a delivery or pickup choice per line,
// coupon codes with what each did, the promotions that applied (and why others did not), totals
// with the VAT breakdown.
import { ActionIcon, Alert, Anchor, Button, Card, CloseButton, Grid, Group, NumberInput, SegmentedControl, Select, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryError } from '../../components/QueryError';
import { formatMoney } from '../../lib/money';
import { problemMessage } from '../../lib/notify';
import { usePageTitle } from '../../lib/usePageTitle';
import { trackPage } from './sdk';
import { quoteOf, type Cart, type Quote } from '../../api/shop';
import { useCart, useCartActions, useStores, useVariantTitle } from '../../api/hooks/shop';
import { Totals } from './Totals';

/** Reasons a shopper can act on or should know; the rest (other channels, other people's offers) stay out. */
const SHOPPER_REASONS = new Set(['needs_more_items', 'below_min_subtotal', 'excluded_by_exclusive', 'not_better', 'coupon_expired', 'coupon_used_up']);

function CartLine({ cart, line, priced, onError }: { cart: Cart; line: Cart['lines'][number]; priced: Quote['lines'][number] | undefined; onError: (e: unknown) => void }) {
  const { t } = useTranslation('shop');
  const title = useVariantTitle(line.variantId);
  const stores = useStores();
  const { setQuantity, changeFulfilment } = useCartActions();
  const [qty, setQty] = useState<number>(line.quantity);
  const [busy, setBusy] = useState(false);
  useEffect(() => setQty(line.quantity), [line.quantity]);
  const name = title.data?.product.displayTitle ?? line.sku;
  const currency = cart.currency;

  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="md" radius="md" component="li" aria-label={name}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            {title.data ? (
              <Anchor component={Link} to={`/storefront/products/${title.data.product.id}`} fw={600} c="inherit">
                {name}
              </Anchor>
            ) : (
              <Text fw={600}>{name}</Text>
            )}
            <Text size="xs" c="dimmed">
              {t('cart.skuAt', { sku: line.sku, price: priced ? formatMoney(priced.unitPrice, currency) : '—' })}
            </Text>
          </div>
          <CloseButton aria-label={t('cart.removeNamed', { title: name })} disabled={busy} onClick={() => void run(() => setQuantity(cart.id, line.id, 0))} />
        </Group>
        <Group gap="md" align="flex-end" wrap="wrap">
          <NumberInput
            label={t('cart.quantity')}
            aria-label={t('cart.quantityOf', { title: name })}
            min={1}
            max={99}
            w={96}
            value={qty}
            onChange={(v) => setQty(Math.max(1, Math.min(99, Number(v) || 1)))}
            onBlur={() => qty !== line.quantity && void run(() => setQuantity(cart.id, line.id, qty))}
            disabled={busy}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} component="span" id={`fulfilment-${line.id}`}>
              {t('cart.fulfilment')}
            </Text>
            <SegmentedControl
              size="xs"
              aria-labelledby={`fulfilment-${line.id}`}
              value={line.fulfilment}
              disabled={busy}
              data={[
                { value: 'delivery', label: t('cart.delivery') },
                { value: 'pickup', label: t('cart.pickup') },
              ]}
              onChange={(v) => {
                if (v === 'pickup') {
                  const first = stores.data?.[0]?.id;
                  if (first) void run(() => changeFulfilment(cart, line.id, 'pickup', first));
                  else onError(new Error(t('cart.noPickupStores')));
                } else void run(() => changeFulfilment(cart, line.id, 'delivery', null));
              }}
            />
          </Stack>
          {line.fulfilment === 'pickup' && (
            <Select
              label={t('cart.pickupStore')}
              w={220}
              data={(stores.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={line.pickupLocationId}
              allowDeselect={false}
              disabled={busy}
              onChange={(v) => v && v !== line.pickupLocationId && void run(() => changeFulfilment(cart, line.id, 'pickup', v))}
            />
          )}
        </Group>
        {priced && (
          <Stack gap={2}>
            {priced.adjustments.map((a, i) => (
              <Group key={`${a.promotionId}-${i}`} justify="space-between" wrap="nowrap">
                <Text size="xs" c="teal.8">
                  {a.name}: {a.description}
                </Text>
                <Text size="xs" c="teal.8" style={{ whiteSpace: 'nowrap' }}>
                  − {formatMoney(-a.amount, currency)}
                </Text>
              </Group>
            ))}
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                {t('cart.lineTotal')}
              </Text>
              <Group gap={6}>
                {priced.total !== priced.subtotal && (
                  <Text size="xs" c="dimmed" td="line-through">
                    {formatMoney(priced.subtotal, currency)}
                  </Text>
                )}
                <Text fw={600}>{formatMoney(priced.total, currency)}</Text>
              </Group>
            </Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

function Coupons({ cart, quote, onError }: { cart: Cart; quote: Quote | null; onError: (e: unknown) => void }) {
  const { t } = useTranslation('shop');
  const { setCoupons } = useCartActions();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const apply = async (codes: string[]) => {
    setBusy(true);
    try {
      await setCoupons(cart.id, codes);
      setCode('');
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) void apply([...cart.couponCodes, code.trim()]);
  };
  const outcome = new Map((quote?.coupons ?? []).map((c) => [c.code.toUpperCase(), c]));
  return (
    <Stack gap="xs">
      <form onSubmit={submit}>
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput label={t('cart.couponCode')} value={code} onChange={(e) => setCode(e.currentTarget.value)} style={{ flex: 1 }} autoComplete="off" />
          <Button type="submit" variant="light" loading={busy}>
            {t('cart.applyCoupon')}
          </Button>
        </Group>
      </form>
      {cart.couponCodes.map((c) => {
        const o = outcome.get(c.toUpperCase());
        return (
          <Group key={c} justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" c={o?.applied ? 'teal.8' : 'orange.8'}>
              <Text span ff="monospace" fw={600}>
                {c}
              </Text>{' '}
              — {o?.applied ? t('cart.couponApplied') : (o?.message ?? t('cart.couponChecking'))}
            </Text>
            <ActionIcon variant="subtle" color="gray" size="sm" aria-label={t('cart.removeCoupon', { code: c })} onClick={() => void apply(cart.couponCodes.filter((x) => x !== c))}>
              ×
            </ActionIcon>
          </Group>
        );
      })}
    </Stack>
  );
}

export function CartPage() {
  const { t } = useTranslation('shop');
  usePageTitle(t('cart.title'));
  useEffect(() => trackPage('Cart'), []);
  const cart = useCart();
  const [error, setError] = useState<string | null>(null);
  const onError = (e: unknown) => setError(problemMessage(e));
  const c = cart.data;
  const quote = quoteOf(c);

  if (cart.isError) return <QueryError error={cart.error} onRetry={() => void cart.refetch()} />;
  if (cart.isFetching && !c) return <Skeleton h={200} />;

  if (!c || c.lines.length === 0) {
    return (
      <Stack gap="md" align="flex-start">
        <Title order={1} size="h2">
          {t('cart.title')}
        </Title>
        <Text c="dimmed">{t('cart.empty')}</Text>
        <Button component={Link} to="/storefront">
          {t('cart.continue')}
        </Button>
      </Stack>
    );
  }
  const pricedById = new Map((quote?.lines ?? []).map((l) => [l.lineId, l]));

  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('cart.title')}
      </Title>
      {error && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('cart.lines')}>
            {c.lines.map((l) => (
              <CartLine key={l.id} cart={c} line={l} priced={pricedById.get(l.id)} onError={onError} />
            ))}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            <Card withBorder padding="md" radius="md">
              <Coupons cart={c} quote={quote} onError={onError} />
            </Card>
            {quote && (quote.applied.length > 0 || quote.notApplied.length > 0) && (
              <Card withBorder padding="md" radius="md" component="section" aria-labelledby="promotions-title">
                <Title order={2} size="h5" id="promotions-title" mb="xs">
                  {t('cart.promotions')}
                </Title>
                <Stack gap={4}>
                  {quote.applied.map((a) => (
                    <Group key={a.promotionId} justify="space-between" wrap="nowrap">
                      <Text size="sm" c="teal.8">
                        {a.name}
                        {a.couponCode ? ` (${a.couponCode})` : ''}
                      </Text>
                      <Text size="sm" c="teal.8" style={{ whiteSpace: 'nowrap' }}>
                        − {formatMoney(a.amount, c.currency)}
                      </Text>
                    </Group>
                  ))}
                  {quote.notApplied
                    .filter((n) => SHOPPER_REASONS.has(n.reason))
                    .slice(0, 3)
                    .map((n) => (
                      <Text key={n.promotionId} size="xs" c="dimmed">
                        {n.name}: {n.message}
                      </Text>
                    ))}
                </Stack>
              </Card>
            )}
            {quote && (
              <Card withBorder padding="md" radius="md">
                <Totals subtotal={quote.subtotal} discountTotal={quote.discountTotal} shipping={quote.shipping.total} total={quote.total} vat={quote.vat} currency={c.currency} />
                <Button component={Link} to="/storefront/checkout" fullWidth mt="md" size="md">
                  {t('cart.checkout')}
                </Button>
              </Card>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
