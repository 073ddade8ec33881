import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { useLocationOptions } from '../../../lib/catalog';
import { useLocations, useTransfers } from '../../../api/hooks/inventory';
import { formatDateTime } from '../../../lib/format';
import { CreateTransferModal } from './CreateTransferModal';
import { TRANSFER_STATUSES, TRANSFER_STATUS_COLORS } from './model';

type Direction = 'any' | 'outgoing' | 'incoming';

export function TransfersPage() {
  const { t } = useTranslation('inventory');
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const locationId = params.get('location');
  const direction = (params.get('direction') as Direction | null) ?? 'any';
  const status = params.get('status');
  const [creating, setCreating] = useState(false);
  const locationOptions = useLocationOptions((l) => l.type !== 'supplier');
  const locations = useLocations();
  const locationName = new Map((locations.data?.data ?? []).map((l) => [l.id, l.name]));

  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const query = {
    status: (status ?? undefined) as (typeof TRANSFER_STATUSES)[number] | undefined,
    ...(locationId ? (direction === 'outgoing' ? { fromLocationId: locationId } : direction === 'incoming' ? { toLocationId: locationId } : { locationId }) : {}),
  };
  const transfers = useTransfers(query);

  return (
    <Stack gap="md">
      <PageHeader title={t('transfers.title')} description={t('transfers.description')} actions={can('inventory:write') && <Button onClick={() => setCreating(true)}>{t('transfers.new')}</Button>} />
      <Group gap="sm" align="flex-end">
        <Select
          label={t('transfers.filterLocation')}
          placeholder={t('all')}
          data={locationOptions}
          value={locationId}
          onChange={(v) => setFilter('location', v)}
          clearable
          searchable
          w={{ base: '100%', sm: 260 }}
        />
        <Select
          label={t('transfers.filterDirection')}
          data={(['any', 'outgoing', 'incoming'] as const).map((d) => ({ value: d, label: t(`transfers.direction.${d}`) }))}
          value={direction}
          onChange={(v) => setFilter('direction', v === 'any' ? null : v)}
          allowDeselect={false}
          disabled={!locationId}
          w={{ base: '100%', sm: 200 }}
        />
        <Select
          label={t('transfers.filterStatus')}
          placeholder={t('all')}
          data={TRANSFER_STATUSES.map((s) => ({ value: s, label: t(`transfers.statuses.${s}`) }))}
          value={status}
          onChange={(v) => setFilter('status', v)}
          clearable
          w={{ base: '100%', sm: 180 }}
        />
      </Group>
      {transfers.isError && <QueryError error={transfers.error} onRetry={() => void transfers.refetch()} />}
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('transfers.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('transfers.transfer')}</Table.Th>
              <Table.Th>{t('transfers.from')}</Table.Th>
              <Table.Th>{t('transfers.to')}</Table.Th>
              <Table.Th>{t('status')}</Table.Th>
              <Table.Th ta="right">{t('transfers.units')}</Table.Th>
              <Table.Th ta="right">{t('transfers.differences')}</Table.Th>
              <Table.Th>{t('createdAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {transfers.items.length === 0 && !transfers.isError && <TableState colSpan={7} loading={transfers.isPending} empty={t('transfers.empty')} />}
            {transfers.items.map((tr) => {
              const differing = tr.lines.filter((l) => l.difference);
              return (
                <Table.Tr key={tr.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/backoffice/inventory/transfers/${tr.id}`} size="sm" ff="monospace" aria-label={t('transfers.openNamed', { id: tr.id })}>
                      {tr.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{locationName.get(tr.fromLocationId) ?? tr.fromLocationId}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{locationName.get(tr.toLocationId) ?? tr.toLocationId}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={TRANSFER_STATUS_COLORS[tr.status]}>
                      {t(`transfers.statuses.${tr.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{tr.lines.reduce((s, l) => s + l.quantity, 0)}</Table.Td>
                  <Table.Td ta="right" c={differing.length ? 'red.7' : undefined}>
                    {differing.length ? differing.reduce((s, l) => s + (l.difference ?? 0), 0) : '—'}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(tr.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!transfers.hasNextPage} loading={transfers.isFetchingNextPage} onLoad={() => void transfers.fetchNextPage()} />
      {creating && <CreateTransferModal opened onClose={() => setCreating(false)} defaultFrom={direction === 'outgoing' ? locationId : null} />}
    </Stack>
  );
}
