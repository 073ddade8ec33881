import { Alert, Anchor, Badge, Button, Group, List, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { useOrderReplenishment, useReplenishmentSuggestions } from '../../api/hooks/purchasing';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { VariantLabel } from '../../components/VariantLabel';
import { useCan } from '../../lib/auth';
import { useLocationOptions } from '../../lib/catalog';
import { useLocations } from '../../api/hooks/inventory';
import { formatNumber } from '../../lib/money';
import { notifyError } from '../../lib/notify';

export function ReplenishmentPage() {
  const { t } = useTranslation();
  const can = useCan();
  const locations = useLocations();
  const locationOptions = useLocationOptions((l) => l.type !== 'supplier');
  const warehouseOptions = useLocationOptions((l) => l.type === 'warehouse');
  const [locationId, setLocationId] = useState<string | null>(null);
  const [fromId, setFromId] = useState<string | null>(null);
  const [created, setCreated] = useState<Schemas['PurchaseOrder'][] | null>(null);
  const isStore = locations.data?.data.find((l) => l.id === locationId)?.type === 'store';
  const from = isStore ? (fromId ?? undefined) : undefined;

  const suggestions = useReplenishmentSuggestions(locationId, from);
  const order = useOrderReplenishment({
    onSuccess: (r) => {
      setCreated(r.purchaseOrders);
    },
    onError: notifyError,
  });
  const rows = suggestions.data?.data ?? [];

  return (
    <Stack gap="md">
      <PageHeader title={t('replenishment.title')} description={t('replenishment.description')} />
      <Group align="flex-end" gap="sm">
        <Select label={t('replenishment.location')} placeholder={t('stock.pickLocation')} data={locationOptions} value={locationId} onChange={(v) => { setLocationId(v); setCreated(null); }} searchable w={{ base: '100%', sm: 280 }} />
        {isStore && <Select label={t('replenishment.transferFrom')} placeholder={t('replenishment.fromSupplier')} data={warehouseOptions} value={fromId} onChange={setFromId} clearable w={{ base: '100%', sm: 280 }} />}
        {can('purchasing:write') && (
          <Button onClick={() => order.mutate({ locationId: locationId!, ...(from ? { fromLocationId: from } : {}) })} loading={order.isPending} disabled={!locationId || !rows.some((r) => r.suggestedQuantity > 0)}>
            {t('replenishment.createOrders')}
          </Button>
        )}
      </Group>
      {created && (
        <Alert color="teal" title={t('replenishment.createdTitle', { count: created.length })}>
          {created.length === 0 ? (
            <Text size="sm">{t('replenishment.noneCreated')}</Text>
          ) : (
            <List size="sm">
              {created.map((po) => (
                <List.Item key={po.id}>
                  <Anchor component={Link} to={`/backoffice/inventory/purchase-orders/${po.id}`}>
                    {po.id}
                  </Anchor>{' '}
                  ({t('replenishment.lines', { count: po.lines.length })})
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      {suggestions.isError && <QueryError error={suggestions.error} onRetry={() => void suggestions.refetch()} />}
      <Table.ScrollContainer minWidth={980}>
        <Table striped verticalSpacing="sm" aria-label={t('replenishment.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('stock.sku')}</Table.Th>
              <Table.Th>{t('replenishment.method')}</Table.Th>
              <Table.Th ta="right">{t('replenishment.perWeek')}</Table.Th>
              <Table.Th ta="right">{t('replenishment.safetyStock')}</Table.Th>
              <Table.Th ta="right">{t('replenishment.reorderPoint')}</Table.Th>
              <Table.Th ta="right">{t('replenishment.position')}</Table.Th>
              <Table.Th ta="right">{t('replenishment.suggested')}</Table.Th>
              <Table.Th>{t('replenishment.reason')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && !suggestions.isError && <TableState colSpan={8} loading={!!locationId && suggestions.isPending} empty={locationId ? t('replenishment.empty') : t('replenishment.pick')} />}
            {rows.map((r) => (
              <Table.Tr key={r.variantId}>
                <Table.Td>
                  <VariantLabel variantId={r.variantId} />
                </Table.Td>
                <Table.Td>
                  <Badge variant="outline" color="gray" tt="none">
                    {r.method}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{formatNumber(r.perWeek, 1)}</Table.Td>
                <Table.Td ta="right">{r.safetyStock}</Table.Td>
                <Table.Td ta="right">{r.reorderPoint}</Table.Td>
                <Table.Td ta="right">{r.position}</Table.Td>
                <Table.Td ta="right" fw={700}>
                  {r.suggestedQuantity}
                </Table.Td>
                <Table.Td maw={320}>
                  <Text size="xs">{r.reason}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
