// Orders from every channel, newest first, filtered by channel, store and state. The filters live
// in the address, so a filtered list can be bookmarked or shared.
import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { paths } from '../../../api/schema';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useLocations } from '../../../api/hooks/inventory';
import { useOrders } from '../../../api/hooks/orders';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';

type Query = NonNullable<paths['/v1/orders']['get']['parameters']['query']>;
export type OrderStatus = NonNullable<Query['status']>;
type Channel = NonNullable<Query['channel']>;

export const CHANNELS: Channel[] = ['web', 'app', 'pos', 'kiosk', 'scan_go'];
/** Every order state the API knows (typed from it, so a new state fails the type check until it has a colour here). */
export const STATUS_COLORS: Record<OrderStatus, string> = { placed: 'blue', completed: 'teal', cancelled: 'gray' };
export const ORDER_STATUSES = Object.keys(STATUS_COLORS) as OrderStatus[];

export function OrdersListPage() {
  const { t } = useTranslation('orders');
  const [params, setParams] = useSearchParams();
  const channel = (params.get('channel') as Channel | null) ?? null;
  const storeId = params.get('store');
  const status = (params.get('state') as OrderStatus | null) ?? null;
  const locations = useLocations();
  const stores = (locations.data?.data ?? []).filter((l) => l.type === 'store');
  const locationName = new Map((locations.data?.data ?? []).map((l) => [l.id, l.name]));
  const orders = useOrders({ channel: channel ?? undefined, storeId: storeId ?? undefined, status: status ?? undefined });
  const filtered = !!(channel || storeId || status);

  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <Stack gap="md">
      <PageHeader
        title={t('list.title')}
        description={t('list.description')}
        actions={
          <Button variant="default" onClick={() => void orders.refetch()} loading={orders.isRefetching && !orders.isFetchingNextPage}>
            {t('list.refresh')}
          </Button>
        }
      />
      <Group align="flex-end">
        <Select label={t('list.channel')} placeholder={t('list.all')} data={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))} value={channel} onChange={(v) => setFilter('channel', v)} clearable w={200} />
        <Select
          label={t('list.store')}
          description={t('list.storeHint')}
          placeholder={t('list.all')}
          data={stores.map((s) => ({ value: s.id, label: `${s.code} · ${s.name}` }))}
          value={storeId}
          onChange={(v) => setFilter('store', v)}
          clearable
          searchable
          w={260}
        />
        <Select label={t('list.state')} placeholder={t('list.all')} data={ORDER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} value={status} onChange={(v) => setFilter('state', v)} clearable w={180} />
      </Group>
      {orders.isError && <QueryError error={orders.error} onRetry={() => void orders.refetch()} />}
      <Table.ScrollContainer minWidth={880}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('list.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.order')}</Table.Th>
              <Table.Th>{t('list.placed')}</Table.Th>
              <Table.Th>{t('list.channel')}</Table.Th>
              <Table.Th>{t('list.store')}</Table.Th>
              <Table.Th>{t('list.customer')}</Table.Th>
              <Table.Th>{t('list.state')}</Table.Th>
              <Table.Th ta="right">{t('list.items')}</Table.Th>
              <Table.Th ta="right">{t('list.total')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {orders.items.length === 0 && !orders.isError && <TableState colSpan={8} loading={orders.isPending} empty={filtered ? t('list.emptyFiltered') : t('list.empty')} />}
            {orders.items.map((o) => {
              const pickupStores = [...new Set(o.lines.filter((l) => l.fulfilment === 'pickup').map((l) => l.locationId))];
              const where = o.storeId ? [o.storeId] : pickupStores;
              return (
                <Table.Tr key={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/backoffice/orders/${o.id}`} size="sm" ff="monospace" aria-label={t('list.openNamed', { id: o.id })}>
                      {o.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(o.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t(`channels.${o.channel}`, { defaultValue: o.channel })}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{where.length ? where.map((id) => locationName.get(id) ?? id).join(', ') : '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" truncate maw={220}>
                      {o.email ?? o.customerId ?? '—'}
                    </Text>
                    {!o.customerId && (
                      <Text size="xs" c="dimmed">
                        {t('list.guest')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={STATUS_COLORS[o.status as OrderStatus] ?? 'gray'}>
                      {t(`status.${o.status}`, { defaultValue: o.status })}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{o.lines.reduce((s, l) => s + l.quantity, 0)}</Table.Td>
                  <Table.Td ta="right">{formatMoney(o.total, o.currency)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!orders.hasNextPage} loading={orders.isFetchingNextPage} onLoad={() => void orders.fetchNextPage()} />
    </Stack>
  );
}
