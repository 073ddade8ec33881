import { Button, Group, Select, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadMore } from '../../components/LoadMore';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { formatDateTime } from '../../lib/format';
import { useDeliveries, useEndpoints } from '../../api/hooks/devtools';
import { DeliveryStatusBadge } from './StatusBadge';

type Status = 'pending' | 'succeeded' | 'failed';
/** While anything is still on its way, look again this often. */
const PENDING_REFRESH_MS = 2500;

interface Props {
  endpointId: string | null;
  onEndpointChange: (id: string | null) => void;
  onOpen: (deliveryId: string) => void;
}

export function DeliveryLog({ endpointId, onEndpointChange, onOpen }: Props) {
  const { t } = useTranslation();
  const endpoints = useEndpoints();
  const [status, setStatus] = useState<string | null>(null);
  const [eventType, setEventType] = useState('');
  const [typeFilter] = useDebouncedValue(eventType.trim(), 350);

  const deliveries = useDeliveries({ endpointId: endpointId ?? undefined, status: (status ?? undefined) as Status | undefined, eventType: typeFilter || undefined }, PENDING_REFRESH_MS);
  const urlOf = new Map(endpoints.items.map((e) => [e.id, e.url]));
  const pending = deliveries.items.some((d) => d.status === 'pending');

  return (
    <section aria-labelledby="delivery-log" id="delivery-log-section">
      <Group justify="space-between" align="flex-end" mb="md">
        <div>
          <Title order={2} size="h3" id="delivery-log">
            {t('webhooks.logTitle')}
          </Title>
          <Text size="sm" c="dimmed" aria-live="polite">
            {pending ? t('webhooks.logPending') : t('webhooks.logDescription')}
          </Text>
        </div>
        <Button variant="default" onClick={() => void deliveries.refetch()} loading={deliveries.isRefetching && !deliveries.isFetchingNextPage}>
          {t('common.refresh')}
        </Button>
      </Group>
      <Group gap="sm" align="flex-end" mb="md">
        <Select
          label={t('webhooks.endpoint')}
          placeholder={t('webhooks.allEndpoints')}
          data={endpoints.items.map((e) => ({ value: e.id, label: e.url }))}
          value={endpointId}
          onChange={onEndpointChange}
          clearable
          w={320}
        />
        <Select
          label={t('webhooks.status')}
          placeholder={t('common.all')}
          data={(['pending', 'succeeded', 'failed'] as const).map((s) => ({ value: s, label: t(`webhooks.deliveryStatus.${s}`) }))}
          value={status}
          onChange={setStatus}
          clearable
          w={180}
        />
        <TextInput label={t('webhooks.eventType')} placeholder="api_key.created" value={eventType} onChange={(e) => setEventType(e.currentTarget.value)} w={220} />
      </Group>
      {deliveries.isError && <QueryError error={deliveries.error} onRetry={() => void deliveries.refetch()} mb="md" />}
      <Table.ScrollContainer minWidth={860}>
        <Table verticalSpacing="sm" highlightOnHover aria-label={t('webhooks.logTitle')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('webhooks.status')}</Table.Th>
              <Table.Th>{t('webhooks.eventType')}</Table.Th>
              {!endpointId && <Table.Th>{t('webhooks.endpoint')}</Table.Th>}
              <Table.Th ta="right">{t('webhooks.attempts')}</Table.Th>
              <Table.Th ta="right">{t('webhooks.lastStatusCode')}</Table.Th>
              <Table.Th>{t('webhooks.created')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deliveries.items.length === 0 && !deliveries.isError && <TableState colSpan={endpointId ? 6 : 7} loading={deliveries.isPending} empty={t('webhooks.noDeliveries')} />}
            {deliveries.items.map((d) => (
              <Table.Tr key={d.id} data-testid="delivery-row">
                <Table.Td>
                  <DeliveryStatusBadge status={d.status} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {d.eventType}
                  </Text>
                  {d.replayOf && (
                    <Text size="xs" c="dimmed">
                      {t('webhooks.replayOf', { id: d.replayOf })}
                    </Text>
                  )}
                </Table.Td>
                {!endpointId && (
                  <Table.Td maw={260}>
                    <Text size="sm" truncate>
                      {urlOf.get(d.endpointId) ?? d.endpointId}
                    </Text>
                  </Table.Td>
                )}
                <Table.Td ta="right">{d.attempts}</Table.Td>
                <Table.Td ta="right">
                  <Text size="sm" c={d.lastError || (d.lastStatusCode && d.lastStatusCode >= 300) ? 'red' : undefined} title={d.lastError ?? undefined}>
                    {d.lastStatusCode ?? (d.lastError ? t('webhooks.noAnswer') : '—')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(d.createdAt)}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Button size="xs" variant="subtle" onClick={() => onOpen(d.id)} aria-label={t('webhooks.openDelivery', { type: d.eventType, id: d.id })}>
                    {t('common.details')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!deliveries.hasNextPage} loading={deliveries.isFetchingNextPage} onLoad={() => void deliveries.fetchNextPage()} />
    </section>
  );
}
