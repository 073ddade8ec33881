import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { useLocations } from '../../api/hooks/inventory';
import { usePurchaseOrders, useSuppliers, type PurchaseOrderFilters } from '../../api/hooks/purchasing';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { CreatePurchaseOrderModal } from './CreatePurchaseOrderModal';
import { PO_STATUSES, PO_STATUS_COLORS } from './purchasing';

export function PurchaseOrdersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const suppliers = useSuppliers();
  const locations = useLocations();
  const supplierName = new Map((suppliers.data?.data ?? []).map((s) => [s.id, s.name]));
  const locationName = new Map((locations.data?.data ?? []).map((l) => [l.id, l.name]));
  const orders = usePurchaseOrders({ status: (status ?? undefined) as PurchaseOrderFilters['status'] });

  return (
    <Stack gap="md">
      <PageHeader
        title={t('po.title')}
        description={t('po.description')}
        actions={can('purchasing:write') && <Button onClick={() => setCreating(true)}>{t('po.new')}</Button>}
      />
      <Group>
        <Select
          label={t('po.filterStatus')}
          placeholder={t('common.all')}
          data={PO_STATUSES.map((s) => ({ value: s, label: t(`po.status.${s}`) }))}
          value={status}
          onChange={setStatus}
          clearable
          w={220}
        />
      </Group>
      {orders.isError && <QueryError error={orders.error} onRetry={() => void orders.refetch()} />}
      <Table.ScrollContainer minWidth={820}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('po.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('po.order')}</Table.Th>
              <Table.Th>{t('po.supplier')}</Table.Th>
              <Table.Th>{t('po.location')}</Table.Th>
              <Table.Th>{t('po.statusLabel')}</Table.Th>
              <Table.Th ta="right">{t('po.units')}</Table.Th>
              <Table.Th ta="right">{t('po.totalCost')}</Table.Th>
              <Table.Th>{t('po.createdAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {orders.items.length === 0 && !orders.isError && <TableState colSpan={7} loading={orders.isPending} empty={t('po.empty')} />}
            {orders.items.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/backoffice/inventory/purchase-orders/${o.id}`} size="sm" ff="monospace" aria-label={t('po.openNamed', { id: o.id })}>
                    {o.id}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{supplierName.get(o.supplierId) ?? o.supplierId}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{locationName.get(o.locationId) ?? o.locationId}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={PO_STATUS_COLORS[o.status]}>
                    {t(`po.status.${o.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{o.lines.reduce((s, l) => s + l.quantity, 0)}</Table.Td>
                <Table.Td ta="right">{o.totalCost != null ? formatMoney(o.totalCost) : '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(o.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!orders.hasNextPage} loading={orders.isFetchingNextPage} onLoad={() => void orders.fetchNextPage()} />
      <CreatePurchaseOrderModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
