// All returns, newest first: which order, where it came back, what was refunded how.
import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { useLocations } from '../../../api/hooks/inventory';
import { useReturns } from '../../../api/hooks/orders';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';
import { usePageTitle } from '../../../lib/usePageTitle';

export const RETURN_STATUSES = ['requested', 'received', 'refunded', 'cancelled'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];
const COLORS: Record<ReturnStatus, string> = { requested: 'yellow', received: 'blue', refunded: 'teal', cancelled: 'gray' };

export function ReturnsListPage() {
  const { t } = useTranslation('returns');
  usePageTitle(t('list.title'));
  const can = useCan();
  const [status, setStatus] = useState<ReturnStatus | null>(null);
  const locations = useLocations();
  const nameOf = (id: string | null) => locations.data?.data.find((l) => l.id === id)?.name ?? id ?? '—';
  const list = useReturns({ status: status ?? undefined });
  return (
    <Stack gap="md">
      <PageHeader
        title={t('list.title')}
        description={t('list.description')}
        actions={
          <Group>
            <Button variant="default" component={Link} to="/backoffice/returns/gift-cards">
              {t('list.giftCards')}
            </Button>
            {can('returns:write') && (
              <Button component={Link} to="/backoffice/returns/new">
                {t('list.newReturn')}
              </Button>
            )}
          </Group>
        }
      />
      <Group>
        <Select label={t('list.status')} placeholder={t('list.allStatuses')} data={RETURN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} value={status} onChange={(s) => setStatus(s as ReturnStatus | null)} clearable w={220} />
      </Group>
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="sm" aria-label={t('list.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.ret')}</Table.Th>
              <Table.Th>{t('list.order')}</Table.Th>
              <Table.Th>{t('list.created')}</Table.Th>
              <Table.Th>{t('list.method')}</Table.Th>
              <Table.Th>{t('list.where')}</Table.Th>
              <Table.Th>{t('list.items')}</Table.Th>
              <Table.Th>{t('list.refund')}</Table.Th>
              <Table.Th>{t('list.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.length === 0 && <TableState colSpan={8} loading={list.isLoading} empty={status ? t('list.emptyFiltered') : t('list.empty')} />}
            {list.items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {r.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/backoffice/orders/${r.orderId}`} ff="monospace" size="sm">
                    {r.orderId}
                  </Anchor>
                </Table.Td>
                <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
                <Table.Td>{t(`method.${r.method as 'in_store' | 'mail'}`)}</Table.Td>
                <Table.Td>{nameOf(r.locationId)}</Table.Td>
                <Table.Td>{r.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')}</Table.Td>
                <Table.Td>{r.refund ? formatMoney(r.refund.payout) : '—'}</Table.Td>
                <Table.Td>
                  <Badge color={COLORS[r.status as ReturnStatus] ?? 'gray'} variant="light">
                    {t(`status.${r.status as ReturnStatus}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoad={() => void list.fetchNextPage()} />
    </Stack>
  );
}
