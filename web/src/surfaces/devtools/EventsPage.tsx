import { Badge, Button, Group, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { JsonBlock } from '../../components/JsonBlock';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { formatDateTime } from '../../lib/format';
import { useEvents } from '../../api/hooks/devtools';

export function EventsPage() {
  const { t } = useTranslation();
  const [type, setType] = useState('');
  const [typeFilter] = useDebouncedValue(type.trim(), 350);
  const [open, setOpen] = useState<string | null>(null);
  const events = useEvents({ type: typeFilter || undefined });

  return (
    <Stack gap="md">
      <PageHeader
        title={t('events.title')}
        description={t('events.description')}
        actions={
          <Button variant="default" onClick={() => void events.refetch()} loading={events.isRefetching && !events.isFetchingNextPage}>
            {t('common.refresh')}
          </Button>
        }
      />
      <Group>
        <TextInput label={t('events.type')} placeholder="api_key.created" value={type} onChange={(e) => setType(e.currentTarget.value)} w={260} />
      </Group>
      {events.isError && <QueryError error={events.error} onRetry={() => void events.refetch()} />}
      <Table.ScrollContainer minWidth={760}>
        <Table verticalSpacing="sm" aria-label={t('events.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('events.occurred')}</Table.Th>
              <Table.Th>{t('events.type')}</Table.Th>
              <Table.Th>{t('events.aggregate')}</Table.Th>
              <Table.Th>{t('events.actor')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.items.length === 0 && !events.isError && <TableState colSpan={5} loading={events.isPending} empty={t('events.empty')} />}
            {events.items.map((e) => (
              <Fragment key={e.id}>
                <Table.Tr>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(e.occurredAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" tt="none" fw={600}>
                      {e.type}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.aggregate.type}</Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {e.aggregate.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.actor ? (e.actor.label ?? e.actor.id ?? e.actor.type) : '—'}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button size="xs" variant="subtle" aria-expanded={open === e.id} aria-controls={`event-${e.id}`} onClick={() => setOpen(open === e.id ? null : e.id)}>
                      {open === e.id ? t('events.hideData') : t('events.showData')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {open === e.id && (
                  <Table.Tr id={`event-${e.id}`} bg="var(--mantine-color-gray-0)">
                    <Table.Td colSpan={5}>
                      <JsonBlock value={e.data} label={t('events.data')} />
                      <Text size="xs" c="dimmed" mt="xs" ff="monospace">
                        {e.id}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!events.hasNextPage} loading={events.isFetchingNextPage} onLoad={() => void events.fetchNextPage()} />
    </Stack>
  );
}
