// One order for staff: its lines with their adjustments, fulfilment and state, the totals with the
// promotions and VAT breakdown, the payment ledger, its notes (the customer's and staff's), and a
// timeline of every event about the order and the things hanging off it (payments, fulfilments,
// returns), oldest first.
import { Alert, Anchor, Badge, Button, Card, Grid, Group, SimpleGrid, Skeleton, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { type Schemas } from '../../../api/client';
import { JsonBlock } from '../../../components/JsonBlock';
import { QueryError } from '../../../components/QueryError';
import { useCan } from '../../../lib/auth';
import { useVariant } from '../../../api/hooks/catalog';
import { useLocations } from '../../../api/hooks/inventory';
import { useOrder, useOrderFulfilments, useOrderReturns, useOrderTimeline } from '../../../api/hooks/orders';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';
import { usePageTitle } from '../../../lib/usePageTitle';
import { STATUS_COLORS, type OrderStatus } from './OrdersListPage';
import { ReceiptButton } from '../../../components/receipt/ReceiptPanel';
import { session } from '../../../lib/session';
import { OrderNotes } from './OrderNotes';

type Order = Schemas['Order'];
interface Adjustment {
  promotionId: string;
  name: string;
  amount: number;
  description: string;
}
interface Vat {
  rows: Array<{ rate: number; gross: number; net: number; vat: number }>;
  net: number;
  vat: number;
  gross: number;
}

/** The ids whose events belong on this order's timeline: the order, whatever it lists with an id, its fulfilments and returns. */
export function timelineIds(order: Order, related: Array<{ id: string }> = []): string[] {
  const ids = new Set<string>([order.id, ...related.map((r) => r.id)]);
  for (const value of Object.values(order as unknown as Record<string, unknown>)) {
    if (!Array.isArray(value) || value === order.lines) continue;
    for (const item of value) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return [...ids].slice(0, 50);
}

function LineTitle({ variantId, sku }: { variantId: string; sku: string }) {
  const v = useVariant(variantId);
  return (
    <>
      <Text size="sm">{v.data?.product.displayTitle ?? sku}</Text>
      <Text size="xs" c="dimmed" ff="monospace">
        {sku}
      </Text>
    </>
  );
}

function OrderTimeline({ order, related }: { order: Order; related: Array<{ id: string }> }) {
  const { t } = useTranslation('orders');
  const can = useCan();
  const [open, setOpen] = useState<string | null>(null);
  const ids = timelineIds(order, related);
  const events = useOrderTimeline(ids, can('events:read'));
  if (!can('events:read')) return <Text size="sm" c="dimmed">{t('detail.noTimelineAccess')}</Text>;
  if (events.isError) return <QueryError error={events.error} onRetry={() => void events.refetch()} />;
  if (events.isPending) return <Skeleton h={80} />;
  const items = [...events.data.data].reverse();
  if (!items.length) return <Text size="sm" c="dimmed">{t('detail.noEvents')}</Text>;
  return (
    <Timeline bulletSize={14} lineWidth={2} active={items.length - 1} aria-label={t('detail.timelineLabel')}>
      {items.map((e) => (
        <Timeline.Item key={e.id} title={<Text size="sm" fw={600} ff="monospace">{e.type}</Text>}>
          <Text size="xs" c="dimmed">
            {formatDateTime(e.occurredAt)}
            {e.actor ? ` · ${t('detail.by', { actor: e.actor.label ?? e.actor.id ?? e.actor.type })}` : ''}
            {e.aggregate.id !== order.id ? ` · ${e.aggregate.type} ${e.aggregate.id}` : ''}
          </Text>
          <Button size="compact-xs" variant="subtle" px={0} aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
            {open === e.id ? t('detail.hideData') : t('detail.showData')}
          </Button>
          {open === e.id && <JsonBlock value={e.data} label={t('detail.data')} />}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

/** Where the order's money stands (from the API: captured, still to capture, not covered, refunded), and a warning when staff must act. */
function PaymentLedger({ order }: { order: Order }) {
  const { t } = useTranslation('orders');
  const attention = order.paymentAttention;
  const figures = [
    ['captured', order.capturedTotal],
    ['outstanding', order.outstandingTotal],
    ['due', order.amountDue],
    ['refunded', order.refundedTotal],
  ] as const;
  return (
    <Stack gap="sm">
      {attention && (
        <Alert color="red" variant="light" title={t('detail.attentionTitle')} role="alert">
          {t(`detail.attention.${attention.reason}`, { amount: formatMoney(attention.amount, order.currency) })}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }} role="group" aria-label={t('detail.moneyLabel')}>
        {figures.map(([k, amount]) => (
          <div key={k}>
            <Text size="xs" c="dimmed">
              {t(`detail.money.${k}`)}
            </Text>
            <Text fw={600} c={k === 'due' && amount > 0 ? 'red' : undefined}>
              {formatMoney(amount, order.currency)}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing="xs" fz="sm" aria-label={t('detail.paymentsLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('detail.at')}</Table.Th>
              <Table.Th>{t('detail.kind')}</Table.Th>
              <Table.Th>{t('detail.provider')}</Table.Th>
              <Table.Th>{t('detail.result')}</Table.Th>
              <Table.Th ta="right">{t('detail.amount')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.payments.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <Text size="sm" c="dimmed">
                    {t('detail.noPayments')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {order.payments.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Text size="sm">{formatDateTime(p.createdAt)}</Text>
                </Table.Td>
                <Table.Td>{t(`detail.kinds.${p.kind}`, { defaultValue: p.kind })}</Table.Td>
                <Table.Td>{p.provider}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={p.status === 'succeeded' ? 'teal' : p.status === 'failed' ? 'red' : 'yellow'}>
                    {t(`detail.results.${p.status}`, { defaultValue: p.status })}
                  </Badge>
                  {p.failureCode && (
                    <Text size="xs" c="dimmed">
                      {p.failureCode}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">{formatMoney(p.amount, order.currency)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** A delivery address as it goes on a parcel label. */
export function AddressBlock({ label, phoneLabel, address }: { label: string; phoneLabel: string; address: Schemas['ShippingAddress'] }) {
  return (
    <Stack gap={0} mt="xs" component="address" aria-label={label} style={{ fontStyle: 'normal' }}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{address.name}</Text>
      <Text size="sm">{address.line1}</Text>
      {address.line2 && <Text size="sm">{address.line2}</Text>}
      <Text size="sm">{`${address.postalCode} ${address.city}`}</Text>
      <Text size="sm">{address.country}</Text>
      {address.phone && <Text size="sm">{`${phoneLabel}: ${address.phone}`}</Text>}
    </Stack>
  );
}

export function OrderDetailPage() {
  const { id } = useParams();
  const { t } = useTranslation('orders');
  usePageTitle(t('detail.title', { id }));
  const order = useOrder(id!);
  const locations = useLocations();
  const locationName = (lid: string | null) => (lid ? (locations.data?.data.find((l) => l.id === lid)?.name ?? lid) : '—');
  const fulfilments = useOrderFulfilments(id!);
  const returns = useOrderReturns(id!);

  if (order.isError) return <QueryError error={order.error} onRetry={() => void order.refetch()} />;
  if (!order.data) return <Skeleton h={320} />;
  const o = order.data;
  const vat = o.vat as Vat | null;
  const promotions = (o.promotions as Array<{ promotionId: string; name: string; amount: number; couponCode?: string }> | null) ?? [];

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/backoffice/orders" size="sm">
        ← {t('detail.back')}
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {t('detail.title', { id: o.id })}
          </Title>
          <Text size="sm" c="dimmed">
            {t('detail.placedAt', { at: formatDateTime(o.createdAt), channel: t(`channels.${o.channel}`, { defaultValue: o.channel }) })}
            {o.storeId ? ` · ${t('detail.store', { store: locationName(o.storeId) })}` : ''}
          </Text>
          <Text size="sm">
            {t('detail.customer')}: {o.customerId ? `${o.email ?? ''} (${o.customerId})` : o.email ? t('detail.guestEmail', { email: o.email }) : t('detail.noEmail')}
          </Text>
          {o.shippingAddress && <AddressBlock label={t('detail.shippingAddress')} phoneLabel={t('detail.phone')} address={o.shippingAddress} />}
        </div>
        <Group gap="sm">
          {o.lines.some((l) => l.status === 'fulfilled') && (
            <Button component={Link} to={`/backoffice/returns/new?orderId=${encodeURIComponent(o.id)}`} variant="default" size="sm">
              {t('detail.returnAtStore')}
            </Button>
          )}
          <ReceiptButton orderId={o.id} token={session.token()} />
          <Badge size="lg" variant="light" color={STATUS_COLORS[o.status as OrderStatus] ?? 'gray'}>
            {t(`status.${o.status}`, { defaultValue: o.status })}
          </Badge>
        </Group>
      </Group>

      <Card withBorder padding="md" radius="md" component="section" aria-labelledby="order-lines">
        <Title order={2} size="h4" id="order-lines" mb="sm">
          {t('detail.lines')}
        </Title>
        <Table.ScrollContainer minWidth={860}>
          <Table verticalSpacing="sm" aria-label={t('detail.lines')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('detail.product')}</Table.Th>
                <Table.Th ta="right">{t('detail.quantity')}</Table.Th>
                <Table.Th ta="right">{t('detail.unitPrice')}</Table.Th>
                <Table.Th>{t('detail.adjustments')}</Table.Th>
                <Table.Th ta="right">{t('detail.lineTotal')}</Table.Th>
                <Table.Th>{t('detail.fulfilmentFrom')}</Table.Th>
                <Table.Th>{t('detail.lineState')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {o.lines.map((l) => {
                const adjustments = (l.adjustments as Adjustment[] | null) ?? [];
                return (
                  <Table.Tr key={l.id}>
                    <Table.Td>
                      <LineTitle variantId={l.variantId} sku={l.sku} />
                    </Table.Td>
                    <Table.Td ta="right">{l.quantity}</Table.Td>
                    <Table.Td ta="right">{formatMoney(l.unitPrice, o.currency)}</Table.Td>
                    <Table.Td>
                      {adjustments.length === 0
                        ? t('detail.noAdjustments')
                        : adjustments.map((a, i) => (
                            <Text key={i} size="xs">
                              {a.name}: {formatMoney(a.amount, o.currency)}
                            </Text>
                          ))}
                    </Table.Td>
                    <Table.Td ta="right">{formatMoney(l.total, o.currency)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{t('detail.from', { how: t(`fulfilment.${l.fulfilment}`, { defaultValue: l.fulfilment }), location: locationName(l.locationId) })}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" size="sm">
                        {t(`lineStatus.${l.status}`, { defaultValue: l.status })}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>

      {((fulfilments.data?.data.length ?? 0) > 0 || (returns.data?.data.length ?? 0) > 0) && (
        <Card withBorder padding="md" radius="md" component="section" aria-labelledby="order-fulfilments">
          <Title order={2} size="h4" id="order-fulfilments" mb="sm">
            {t('detail.fulfilments')}
          </Title>
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" aria-label={t('detail.fulfilments')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('detail.what')}</Table.Th>
                  <Table.Th>{t('detail.where')}</Table.Th>
                  <Table.Th>{t('detail.lineState')}</Table.Th>
                  <Table.Th>{t('detail.tracking')}</Table.Th>
                  <Table.Th>{t('detail.at')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(fulfilments.data?.data ?? []).map((f) => (
                  <Table.Tr key={f.id}>
                    <Table.Td>
                      <Text size="sm">{t(`fulfilment.${f.method}`, { defaultValue: f.method })}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {f.id}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{f.pickupLocationId && f.pickupLocationId !== f.locationId ? `${locationName(f.locationId)} → ${locationName(f.pickupLocationId)}` : locationName(f.locationId)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{t(`fulfilmentStatus.${f.status}`, { defaultValue: f.status })}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{f.trackingNumber ? `${f.carrier ?? ''} ${f.trackingNumber}` : '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(f.createdAt)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
                {(returns.data?.data ?? []).map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text size="sm">{t('detail.return', { count: r.lines.reduce((s, l) => s + l.quantity, 0) })}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {r.id}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{locationName(r.locationId)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color="grape">
                        {r.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{r.refundTotal != null ? t('detail.refundOf', { amount: formatMoney(r.refundTotal, o.currency) }) : '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(r.createdAt)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <Card withBorder padding="md" radius="md" component="section" aria-labelledby="order-totals">
              <Title order={2} size="h4" id="order-totals" mb="sm">
                {t('detail.totals')}
              </Title>
              <Stack gap={4}>
                {[
                  [t('detail.subtotal'), formatMoney(o.subtotal, o.currency)],
                  [t('detail.discount'), o.discountTotal ? `− ${formatMoney(o.discountTotal, o.currency)}` : formatMoney(0, o.currency)],
                  [t('detail.shipping'), formatMoney(o.shippingTotal, o.currency)],
                  [t('detail.total'), formatMoney(o.total, o.currency)],
                ].map(([label, value], i) => (
                  <Group key={label} justify="space-between">
                    <Text size="sm" fw={i === 3 ? 700 : undefined}>
                      {label}
                    </Text>
                    <Text size="sm" fw={i === 3 ? 700 : undefined}>
                      {value}
                    </Text>
                  </Group>
                ))}
              </Stack>
              <Text size="sm" fw={600} mt="md">
                {t('detail.promotions')}
              </Text>
              {promotions.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('detail.noPromotions')}
                </Text>
              ) : (
                promotions.map((p) => (
                  <Group key={p.promotionId} justify="space-between">
                    <Text size="sm">
                      {p.name}
                      {p.couponCode ? ` (${p.couponCode})` : ''}
                    </Text>
                    <Text size="sm">− {formatMoney(p.amount, o.currency)}</Text>
                  </Group>
                ))
              )}
              {vat && (
                <>
                  <Text size="sm" fw={600} mt="md">
                    {t('detail.vat')}
                  </Text>
                  <Table fz="sm" verticalSpacing={4} aria-label={t('detail.vat')}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('detail.vatRate')}</Table.Th>
                        <Table.Th ta="right">{t('detail.net')}</Table.Th>
                        <Table.Th ta="right">{t('detail.vatAmount')}</Table.Th>
                        <Table.Th ta="right">{t('detail.gross')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {vat.rows.map((r) => (
                        <Table.Tr key={r.rate}>
                          <Table.Td>{`${r.rate / 100} %`}</Table.Td>
                          <Table.Td ta="right">{formatMoney(r.net, o.currency)}</Table.Td>
                          <Table.Td ta="right">{formatMoney(r.vat, o.currency)}</Table.Td>
                          <Table.Td ta="right">{formatMoney(r.gross, o.currency)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </>
              )}
            </Card>
            <Card withBorder padding="md" radius="md" component="section" aria-labelledby="order-payments">
              <Title order={2} size="h4" id="order-payments" mb="sm">
                {t('detail.payments')}
              </Title>
              <PaymentLedger order={o} />
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <Card withBorder padding="md" radius="md" component="section" aria-labelledby="order-notes">
              <Title order={2} size="h4" id="order-notes" mb="sm">
                {t('notes.title')}
              </Title>
              <OrderNotes order={o} />
            </Card>
            <Card withBorder padding="md" radius="md" component="section" aria-labelledby="order-timeline">
              <Title order={2} size="h4" id="order-timeline" mb="sm">
                {t('detail.timeline')}
              </Title>
              <OrderTimeline order={o} related={[...(fulfilments.data?.data ?? []), ...(returns.data?.data ?? [])]} />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
