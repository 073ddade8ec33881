import { Badge, Button, Code, Group, Stack, Switch, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Schemas } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { formatDateTime, formatRelative } from '../../lib/format';
import { notifyError, notifySuccess } from '../../lib/notify';
import { useApiKeys, useRevokeApiKey } from '../../api/hooks/staff';
import { CreateApiKeyModal } from './CreateApiKeyModal';

export function ApiKeysPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Schemas['ApiKey'] | null>(null);

  const keys = useApiKeys(includeRevoked);

  const revoke = useRevokeApiKey({
    onSuccess: (key) => {
      notifySuccess(t('apiKeys.revoked', { name: key.name }));
      setRevoking(null);
    },
    onError: notifyError,
  });

  return (
    <Stack gap="md">
      <PageHeader
        title={t('apiKeys.title')}
        description={t('apiKeys.description')}
        actions={can('api_keys:write') && <Button onClick={() => setCreating(true)}>{t('apiKeys.new')}</Button>}
      />
      <Switch label={t('apiKeys.includeRevoked')} checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.currentTarget.checked)} />
      {keys.isError && <QueryError error={keys.error} onRetry={() => void keys.refetch()} />}
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('apiKeys.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('apiKeys.name')}</Table.Th>
              <Table.Th>{t('apiKeys.kind')}</Table.Th>
              <Table.Th>{t('apiKeys.token')}</Table.Th>
              <Table.Th>{t('apiKeys.scopes')}</Table.Th>
              <Table.Th>{t('apiKeys.lastUsed')}</Table.Th>
              <Table.Th>{t('apiKeys.created')}</Table.Th>
              <Table.Th>{t('apiKeys.status')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.items.length === 0 && !keys.isError && <TableState colSpan={8} loading={keys.isPending} empty={t('apiKeys.empty')} />}
            {keys.items.map((k) => (
              <Table.Tr key={k.id} c={k.revokedAt ? 'dimmed' : undefined}>
                <Table.Td fw={500}>{k.name}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={k.kind === 'secret' ? 'violet' : 'cyan'}>
                    {t(`apiKeys.kinds.${k.kind}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Code>{k.tokenHint}</Code>
                </Table.Td>
                <Table.Td maw={320}>
                  <Group gap={4}>
                    {k.scopes.map((s) => (
                      <Badge key={s} variant="outline" color="gray" size="sm" tt="none" fw={500}>
                        {s}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {k.lastUsedAt ? (
                    <Tooltip label={formatDateTime(k.lastUsedAt)}>
                      <Text size="sm">{formatRelative(k.lastUsedAt)}</Text>
                    </Tooltip>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('apiKeys.neverUsed')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(k.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  {k.revokedAt ? (
                    <Badge color="gray" variant="filled" title={formatDateTime(k.revokedAt)}>
                      {t('apiKeys.revokedBadge')}
                    </Badge>
                  ) : (
                    <Badge color="teal" variant="dot">
                      {t('apiKeys.active')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  {!k.revokedAt && can('api_keys:write') && (
                    <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(k)} aria-label={t('apiKeys.revokeNamed', { name: k.name })}>
                      {t('apiKeys.revoke')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!keys.hasNextPage} loading={keys.isFetchingNextPage} onLoad={() => void keys.fetchNextPage()} />

      <CreateApiKeyModal opened={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        opened={!!revoking}
        title={t('apiKeys.revokeTitle')}
        message={t('apiKeys.revokeConfirm', { name: revoking?.name ?? '' })}
        confirmLabel={t('apiKeys.revoke')}
        danger
        loading={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => setRevoking(null)}
      />
    </Stack>
  );
}
