// An order as its shopper sees it: the confirmation right after checkout, and the order detail in
// the account (state per line, where each line is picked up or sent from, totals with VAT).
// A guest cannot read orders back from the API, so right after checkout the page shows the order
// the checkout answered with (kept in this tab); a signed-in customer's order is always fetched.
import { Alert, Anchor, Badge, Button, Card, Grid, Group, Image, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { type Schemas } from '../../api/client';
import { QueryError } from '../../components/QueryError';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { usePageTitle } from '../../lib/usePageTitle';
import { trackPage } from './sdk';
import { rememberedOrder, useCustomerToken, type Order, type VatBreakdown } from '../../api/shop';
import { useStores, useVariantTitle, useShopOrder, useShopOrderFulfilments, useShopOrderNotes } from '../../api/hooks/shop';
import { Totals } from './Totals';
import { SelfServiceReturn } from './SelfServiceReturn';
import { ReceiptPanel } from '../../components/receipt/ReceiptPanel';

export const ORDER_STATUS_COLORS: Record<string, string> = { placed: 'blue', completed: 'teal', cancelled: 'gray' };

function LineRow({ line, currency, storeName }: { line: Order['lines'][number]; currency: string; storeName: (id: string) => string | undefined }) {
  const { t } = useTranslation('shop');
  const title = useVariantTitle(line.variantId);
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm">{title.data?.product.displayTitle ?? line.sku}</Text>
        <Text size="xs" c="dimmed">
          {line.sku}
        </Text>
      </Table.Td>
      <Table.Td ta="right">{line.quantity}</Table.Td>
      <Table.Td>
        <Text size="sm">{line.fulfilment === 'pickup' ? t('order.pickupAt', { store: storeName(line.locationId) ?? line.locationId }) : t('order.delivery')}</Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" size="sm">
          {t(`order.lineStatus.${line.status}`, { defaultValue: line.status })}
        </Badge>
      </Table.Td>
      <Table.Td ta="right">{formatMoney(line.total, currency)}</Table.Td>
    </Table.Tr>
  );
}

type Fulfilment = Schemas['Fulfilment'];

/** Parcels and pickups of the order, with tracking and (for its customer, once ready) the pickup code. */
function Shipments({ orderId, storeName }: { orderId: string; storeName: (id: string) => string | undefined }) {
  const { t } = useTranslation('shop');
  const fulfilments = useShopOrderFulfilments(orderId);
  const list: Fulfilment[] = fulfilments.data?.data ?? [];
  if (!list.length) return null;
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="shipments-title">
      <Title order={2} size="h5" id="shipments-title" mb="sm">
        {t('order.shipments')}
      </Title>
      <Stack gap="md">
        {list.map((f) => (
          <Stack key={f.id} gap={4}>
            <Text size="sm" fw={600}>
              {t('order.shipmentFrom', { method: t(`order.methods.${f.method}`, { defaultValue: f.method }), status: t(`order.fulfilmentStatus.${f.status}`, { defaultValue: f.status }) })}
            </Text>
            {f.trackingNumber && (
              <Text size="sm">
                {t('order.tracking', { carrier: f.carrier ?? '', number: f.trackingNumber })}
                {f.trackingUrl && (
                  <>
                    {' '}
                    <Anchor href={f.trackingUrl} target="_blank" rel="noreferrer" size="sm">
                      {t('order.trackingLink')}
                    </Anchor>
                  </>
                )}
              </Text>
            )}
            {f.pickupCode && (
              <Group gap="md" align="center">
                <div>
                  <Text size="sm">{t('order.pickupReady', { store: storeName(f.pickupLocationId ?? f.locationId) ?? '' })}</Text>
                  <Text ff="monospace" fw={700} fz={28} lts={4} data-testid="pickup-code">
                    {f.pickupCode}
                  </Text>
                  {f.pickupDeadline && <Text size="xs" c="dimmed">{t('order.pickupUntil', { at: formatDateTime(f.pickupDeadline) })}</Text>}
                </div>
                {f.pickupQrUrl && <Image src={f.pickupQrUrl} alt={t('order.pickupQr')} w={120} h={120} />}
              </Group>
            )}
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}

type OrderNote = Schemas['OrderNote'];

/** The customer's own note from the checkout and the notes the shop wrote for them, newest first. */
function Notes({ orderId, ownNote }: { orderId: string; ownNote: string | null }) {
  const { t } = useTranslation('shop');
  const notes = useShopOrderNotes(orderId);
  const list: OrderNote[] = notes.data?.data ?? [];
  if (!ownNote && !list.length) return null;
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="notes-title">
      <Title order={2} size="h5" id="notes-title" mb="xs">
        {t('order.notes')}
      </Title>
      <Stack gap="xs">
        {list.map((n) => (
          <div key={n.id}>
            <Text size="xs" c="dimmed">
              {t('order.noteFromShop', { at: formatDateTime(n.createdAt) })}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {n.body}
            </Text>
          </div>
        ))}
        {ownNote && (
          <div>
            <Text size="xs" c="dimmed">
              {t('order.yourNote')}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {ownNote}
            </Text>
          </div>
        )}
      </Stack>
    </Card>
  );
}

export function OrderPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const placed = params.get('placed') === '1';
  const { t } = useTranslation('shop');
  const token = useCustomerToken();
  const stores = useStores();
  const kept = rememberedOrder(id!);
  const fetched = useShopOrder(id!);
  const order = fetched.data ?? kept;
  usePageTitle(placed ? t('order.thanksTitle') : t('order.title', { id }));
  useEffect(() => trackPage(placed ? 'Order confirmation' : 'Order', { orderId: id }), [id, placed]);

  if (!order) {
    if (fetched.isError) return <QueryError error={fetched.error} onRetry={() => void fetched.refetch()} />;
    if (token && fetched.isPending) return <Skeleton h={240} />;
    return (
      <Stack gap="md" align="flex-start">
        <Title order={1} size="h2">
          {t('order.title', { id })}
        </Title>
        <Text c="dimmed">{t('order.signInToSee')}</Text>
        <Button component={Link} to="/storefront/account">
          {t('header.signIn')}
        </Button>
      </Stack>
    );
  }
  const storeName = (lid: string) => stores.data?.find((s) => s.id === lid)?.name;
  const hasPickup = order.lines.some((l) => l.fulfilment === 'pickup');
  const paid = order.payments.filter((p) => p.status === 'succeeded' && (p.kind === 'authorisation' || p.kind === 'capture'));

  return (
    <Stack gap="lg">
      {placed && (
        <Alert color="teal" title={t('order.thanksTitle')} role="status">
          <Text size="sm">{t('order.thanks', { email: order.email ?? '' })}</Text>
          <Text size="sm" mt={4}>
            {t('order.number')}{' '}
            <Text span ff="monospace" fw={700} data-testid="order-number">
              {order.id}
            </Text>
          </Text>
        </Alert>
      )}
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {t('order.title', { id: order.id })}
          </Title>
          <Text size="sm" c="dimmed">
            {t('order.placedAt', { at: formatDateTime(order.createdAt) })}
          </Text>
        </div>
        <Badge size="lg" variant="light" color={ORDER_STATUS_COLORS[order.status] ?? 'gray'}>
          {t(`order.status.${order.status}`, { defaultValue: order.status })}
        </Badge>
      </Group>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder padding="md" radius="md">
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="xs" aria-label={t('order.lines')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('order.product')}</Table.Th>
                    <Table.Th ta="right">{t('order.quantity')}</Table.Th>
                    <Table.Th>{t('order.fulfilment')}</Table.Th>
                    <Table.Th>{t('order.state')}</Table.Th>
                    <Table.Th ta="right">{t('order.amount')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {order.lines.map((l) => (
                    <LineRow key={l.id} line={l} currency={order.currency} storeName={storeName} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {hasPickup && placed && (
              <Text size="sm" c="dimmed" mt="sm">
                {t('order.pickupNotice')}
              </Text>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            {token && <Shipments orderId={order.id} storeName={storeName} />}
            {token && fetched.data && <Notes orderId={order.id} ownNote={fetched.data.note} />}
            {order.shippingAddress && (
              <Card withBorder padding="md" radius="md" component="section" aria-labelledby="ship-to-title">
                <Title order={2} size="h5" id="ship-to-title" mb="xs">
                  {t('order.shippingAddress')}
                </Title>
                {[order.shippingAddress.name, order.shippingAddress.line1, order.shippingAddress.line2, `${order.shippingAddress.postalCode} ${order.shippingAddress.city}`, order.shippingAddress.country].filter(Boolean).map((line, i) => (
                  <Text size="sm" key={i}>
                    {line}
                  </Text>
                ))}
              </Card>
            )}
            {token && fetched.data && <SelfServiceReturn order={fetched.data} />}
            <Card withBorder padding="md" radius="md">
              <Totals subtotal={order.subtotal} discountTotal={order.discountTotal} shipping={order.shippingTotal} total={order.total} vat={order.vat as VatBreakdown} currency={order.currency} />
            </Card>
            {paid.length > 0 && (
              <Card withBorder padding="md" radius="md">
                <Text size="sm">{t('order.paidWith', { amount: formatMoney(paid[0].amount, order.currency), provider: t(`order.providers.${paid[0].provider}`, { defaultValue: paid[0].provider }) })}</Text>
              </Card>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      {/* The receipt with its VAT breakdown and the PDF: for the signed-in customer who placed the order. */}
      {token && fetched.data && <ReceiptPanel orderId={order.id} token={token} />}
      <Group>
        <Button component={Link} to="/storefront" variant="light">
          {t('cart.continue')}
        </Button>
        {token && (
          <Anchor component={Link} to="/storefront/account" size="sm">
            {t('order.allOrders')}
          </Anchor>
        )}
      </Group>
    </Stack>
  );
}
