import { Button, Group, SegmentedControl, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { StockStatusBadge } from '../../components/StockStatusBadge';
import { TableState } from '../../components/TableState';
import { VariantLabel } from '../../components/VariantLabel';
import { useCan } from '../../lib/auth';
import { useLocationOptions } from '../../lib/catalog';
import { findVariantBySku } from '../../api/hooks/catalog';
import { useLocationStock } from '../../api/hooks/inventory';
import { notifyError } from '../../lib/notify';
import { MovementModal } from './MovementModal';

export function StockPage() {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const locationOptions = useLocationOptions();
  const locationId = params.get('location') ?? locationOptions[0]?.value ?? null;
  const [status, setStatus] = useState('all');
  const [recording, setRecording] = useState(false);
  const [sku, setSku] = useState('');
  const [finding, setFinding] = useState(false);

  const levels = useLocationStock({ locationId, status: status === 'all' ? undefined : (status as 'in_stock' | 'low' | 'out') });

  async function openSku(e: React.FormEvent) {
    e.preventDefault();
    if (!sku.trim()) return;
    setFinding(true);
    try {
      const found = await findVariantBySku(sku);
      if (found) void navigate(`/backoffice/inventory/sku/${found.variantId}`);
      else notifyError(new Error(t('stock.skuNotFound', { sku: sku.trim() })));
    } catch (err) {
      notifyError(err);
    } finally {
      setFinding(false);
    }
  }

  return (
    <Stack gap="md">
      <PageHeader
        title={t('stock.title')}
        description={t('stock.description')}
        actions={can('inventory:write') && <Button onClick={() => setRecording(true)}>{t('stock.recordMovement')}</Button>}
      />
      <Group gap="sm" align="flex-end" justify="space-between">
        <Group gap="sm" align="flex-end">
          <Select
            label={t('stock.location')}
            placeholder={t('stock.pickLocation')}
            data={locationOptions}
            value={locationId}
            onChange={(v) => v && setParams({ location: v })}
            allowDeselect={false}
            searchable
            w={{ base: '100%', sm: 280 }}
          />
          <div>
            <Text size="sm" fw={500} mb={4} id="stock-status-label">
              {t('stock.statusLabel')}
            </Text>
            <SegmentedControl
              aria-labelledby="stock-status-label"
              value={status}
              onChange={setStatus}
              data={[
                { value: 'all', label: t('common.all') },
                { value: 'in_stock', label: t('stock.status.in_stock') },
                { value: 'low', label: t('stock.status.low') },
                { value: 'out', label: t('stock.status.out') },
              ]}
            />
          </div>
        </Group>
        <form onSubmit={openSku}>
          <Group gap="xs" align="flex-end">
            <TextInput label={t('stock.findSku')} placeholder={t('stock.skuPlaceholder')} value={sku} onChange={(e) => setSku(e.currentTarget.value)} w={200} />
            <Button type="submit" variant="default" loading={finding}>
              {t('stock.openSku')}
            </Button>
          </Group>
        </form>
      </Group>
      {locationOptions.length === 0 && (
        <Text c="dimmed" size="sm">
          {t('stock.noLocations')}
        </Text>
      )}
      {levels.isError && <QueryError error={levels.error} onRetry={() => void levels.refetch()} />}
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('stock.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('stock.sku')}</Table.Th>
              <Table.Th ta="right">{t('stock.onHand')}</Table.Th>
              <Table.Th ta="right">{t('stock.reserved')}</Table.Th>
              <Table.Th ta="right">{t('stock.safety')}</Table.Th>
              <Table.Th ta="right">{t('stock.incoming')}</Table.Th>
              <Table.Th ta="right">{t('stock.atp')}</Table.Th>
              <Table.Th>{t('stock.statusLabel')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {levels.items.length === 0 && !levels.isError && <TableState colSpan={7} loading={!!locationId && levels.isPending} empty={t('stock.empty')} />}
            {levels.items.map((l) => (
              <Table.Tr key={`${l.variantId}-${l.locationId}`}>
                <Table.Td>
                  <VariantLabel variantId={l.variantId} />
                </Table.Td>
                <Table.Td ta="right" fw={600}>
                  {l.onHand}
                </Table.Td>
                <Table.Td ta="right">{l.reserved}</Table.Td>
                <Table.Td ta="right">{l.safetyStock}</Table.Td>
                <Table.Td ta="right">{l.incoming}</Table.Td>
                <Table.Td ta="right" fw={600}>
                  {l.availableToPromise}
                </Table.Td>
                <Table.Td>
                  <StockStatusBadge availableToPromise={l.availableToPromise} status={l.status} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!levels.hasNextPage} loading={levels.isFetchingNextPage} onLoad={() => void levels.fetchNextPage()} />
      <MovementModal opened={recording} onClose={() => setRecording(false)} locationId={locationId} />
    </Stack>
  );
}
