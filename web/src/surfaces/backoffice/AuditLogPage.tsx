import { Autocomplete, Badge, Button, Group, SimpleGrid, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Schemas } from '../../api/client';
import { JsonBlock } from '../../components/JsonBlock';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { formatDateTime } from '../../lib/format';
import { useAuditLog } from '../../api/hooks/staff';

// Suggestions only: the filter takes any resource type the server records.
const RESOURCE_TYPES = ['staff_user', 'staff_session', 'api_key', 'webhook_endpoint', 'webhook_delivery', 'product', 'category', 'attribute', 'price_list', 'import_job', 'location', 'stock_level'];

export function AuditLogPage() {
  const { t } = useTranslation();
  const [resourceType, setResourceType] = useState('');
  const [action, setAction] = useState('');
  const [resourceId, setResourceId] = useState('');
  const [filters] = useDebouncedValue({ resourceType: resourceType.trim(), action: action.trim(), resourceId: resourceId.trim() }, 350);
  const [open, setOpen] = useState<string | null>(null);

  const entries = useAuditLog({ resourceType: filters.resourceType || undefined, action: filters.action || undefined, resourceId: filters.resourceId || undefined });

  return (
    <Stack gap="md">
      <PageHeader title={t('audit.title')} description={t('audit.description')} />
      <Group gap="sm" align="flex-end">
        <Autocomplete label={t('audit.resourceType')} placeholder={t('common.all')} data={RESOURCE_TYPES} value={resourceType} onChange={setResourceType} w={220} />
        <TextInput label={t('audit.action')} placeholder={t('audit.actionPlaceholder')} value={action} onChange={(e) => setAction(e.currentTarget.value)} w={220} />
        <TextInput label={t('audit.resourceId')} placeholder={t('common.all')} value={resourceId} onChange={(e) => setResourceId(e.currentTarget.value)} w={240} />
      </Group>
      {entries.isError && <QueryError error={entries.error} onRetry={() => void entries.refetch()} />}
      <Table.ScrollContainer minWidth={820}>
        <Table verticalSpacing="sm" aria-label={t('audit.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('audit.when')}</Table.Th>
              <Table.Th>{t('audit.actor')}</Table.Th>
              <Table.Th>{t('audit.action')}</Table.Th>
              <Table.Th>{t('audit.resource')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.items.length === 0 && !entries.isError && <TableState colSpan={5} loading={entries.isPending} empty={t('audit.empty')} />}
            {entries.items.map((e) => (
              <Fragment key={e.id}>
                <Table.Tr>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(e.occurredAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Actor actor={e.actor} />
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" tt="none" fw={600}>
                      {e.action}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.resourceType}</Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {e.resourceId}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      variant="subtle"
                      aria-expanded={open === e.id}
                      aria-controls={`audit-${e.id}`}
                      onClick={() => setOpen(open === e.id ? null : e.id)}
                    >
                      {open === e.id ? t('audit.hideChanges') : t('audit.showChanges')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {open === e.id && (
                  <Table.Tr id={`audit-${e.id}`} bg="var(--mantine-color-gray-0)">
                    <Table.Td colSpan={5}>
                      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
                        <JsonBlock label={t('audit.before')} value={e.before} />
                        <JsonBlock label={t('audit.after')} value={e.after} />
                      </SimpleGrid>
                      <Text size="xs" c="dimmed" mt="sm">
                        {t('audit.meta', { requestId: e.requestId ?? '—', ip: e.ip ?? '—' })}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!entries.hasNextPage} loading={entries.isFetchingNextPage} onLoad={() => void entries.fetchNextPage()} />
    </Stack>
  );
}

function Actor({ actor }: { actor: Schemas['AuditEntry']['actor'] }) {
  const { t } = useTranslation();
  return (
    <>
      <Text size="sm">{actor.label ?? actor.id ?? t('audit.system')}</Text>
      <Text size="xs" c="dimmed">
        {t(`audit.actorTypes.${actor.type}`, { defaultValue: actor.type })}
      </Text>
    </>
  );
}
