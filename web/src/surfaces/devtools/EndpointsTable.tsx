import { Badge, Button, Group, Menu, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Schemas } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { LoadMore } from '../../components/LoadMore';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { formatDateTime } from '../../lib/format';
import { notifyError, notifySuccess } from '../../lib/notify';
import { useDeleteEndpoint, useEndpoints, usePingEndpoint, useUpdateEndpoint } from '../../api/hooks/devtools';
import { SecretModal } from './SecretModal';

type Endpoint = Schemas['WebhookEndpoint'];
type Confirm = { kind: 'delete' | 'rotate'; endpoint: Endpoint } | null;

export function EndpointsTable({ onShowDeliveries }: { onShowDeliveries: (id: string) => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const endpoints = useEndpoints();
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [secretOf, setSecretOf] = useState<string | null>(null);
  const writable = can('webhooks:write');

  // A stale version (412) refetches the endpoints in the hook; the message still shows.
  const onFail = notifyError;

  const ping = usePingEndpoint({
    onSuccess: (_d, e) => {
      notifySuccess(t('webhooks.pingSent', { url: e.url }));
      onShowDeliveries(e.id);
    },
    onError: notifyError,
  });
  const setStatus = useUpdateEndpoint({
    onSuccess: (e) => {
      notifySuccess(e.status === 'enabled' ? t('webhooks.enabled', { url: e.url }) : t('webhooks.disabled', { url: e.url }));
    },
    onError: onFail,
  });
  const rotate = useUpdateEndpoint({
    onSuccess: (e) => {
      setConfirm(null);
      setSecretOf(e.id);
    },
    onError: (err) => {
      setConfirm(null);
      onFail(err);
    },
  });
  const remove = useDeleteEndpoint({
    onSuccess: (_r, e) => {
      notifySuccess(t('webhooks.deleted', { url: e.url }));
      setConfirm(null);
    },
    onError: (err) => {
      setConfirm(null);
      notifyError(err);
    },
  });

  return (
    <>
      {endpoints.isError && <QueryError error={endpoints.error} onRetry={() => void endpoints.refetch()} mb="md" />}
      <Table.ScrollContainer minWidth={860}>
        <Table verticalSpacing="sm" striped aria-label={t('webhooks.endpointsLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('webhooks.url')}</Table.Th>
              <Table.Th>{t('webhooks.eventTypes')}</Table.Th>
              <Table.Th>{t('webhooks.status')}</Table.Th>
              <Table.Th>{t('webhooks.created')}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {endpoints.items.length === 0 && !endpoints.isError && <TableState colSpan={5} loading={endpoints.isPending} empty={t('webhooks.noEndpoints')} />}
            {endpoints.items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td miw={220} maw={360}>
                  <Text size="sm" fw={500} ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {e.url}
                  </Text>
                  {e.description && (
                    <Text size="xs" c="dimmed">
                      {e.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {e.eventTypes.map((type) => (
                      <Badge key={type} variant="outline" color="gray" size="sm" tt="none" fw={500}>
                        {type}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <EndpointStatus endpoint={e} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(e.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="default" onClick={() => onShowDeliveries(e.id)}>
                      {t('webhooks.deliveries')}
                    </Button>
                    {writable && (
                      <>
                        <Button size="xs" variant="light" onClick={() => ping.mutate(e)} loading={ping.isPending && ping.variables?.id === e.id}>
                          {t('webhooks.sendPing')}
                        </Button>
                        <Menu position="bottom-end" withinPortal>
                          <Menu.Target>
                            <Button size="xs" variant="subtle" aria-label={t('webhooks.moreFor', { url: e.url })} rightSection={<span aria-hidden>▾</span>}>
                              {t('common.more')}
                            </Button>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item onClick={() => setSecretOf(e.id)}>{t('webhooks.showSecret')}</Menu.Item>
                            <Menu.Item onClick={() => setConfirm({ kind: 'rotate', endpoint: e })}>{t('webhooks.rotateSecret')}</Menu.Item>
                            <Menu.Item onClick={() => setStatus.mutate({ e, patch: { status: e.status === 'enabled' ? 'disabled' : 'enabled' } })}>
                              {e.status === 'enabled' ? t('webhooks.disable') : t('webhooks.enable')}
                            </Menu.Item>
                            <Menu.Divider />
                            <Menu.Item color="red" onClick={() => setConfirm({ kind: 'delete', endpoint: e })}>
                              {t('webhooks.delete')}
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!endpoints.hasNextPage} loading={endpoints.isFetchingNextPage} onLoad={() => void endpoints.fetchNextPage()} />

      <SecretModal endpointId={secretOf} onClose={() => setSecretOf(null)} />
      <ConfirmDialog
        opened={confirm?.kind === 'rotate'}
        title={t('webhooks.rotateTitle')}
        message={t('webhooks.rotateConfirm', { url: confirm?.endpoint.url ?? '' })}
        confirmLabel={t('webhooks.rotateSecret')}
        loading={rotate.isPending}
        onConfirm={() => confirm && rotate.mutate({ e: confirm.endpoint, patch: { rotateSecret: true } })}
        onClose={() => setConfirm(null)}
      />
      <ConfirmDialog
        opened={confirm?.kind === 'delete'}
        title={t('webhooks.deleteTitle')}
        message={t('webhooks.deleteConfirm', { url: confirm?.endpoint.url ?? '' })}
        confirmLabel={t('webhooks.delete')}
        danger
        loading={remove.isPending}
        onConfirm={() => confirm && remove.mutate(confirm.endpoint)}
        onClose={() => setConfirm(null)}
      />
    </>
  );
}

function EndpointStatus({ endpoint: e }: { endpoint: Endpoint }) {
  const { t } = useTranslation();
  const badge = (
    <Badge variant="dot" color={e.status === 'enabled' ? (e.consecutiveFailures > 0 ? 'orange' : 'teal') : 'gray'}>
      {t(`webhooks.endpointStatus.${e.status}`)}
    </Badge>
  );
  return (
    <div>
      {e.disabledReason ? <Tooltip label={e.disabledReason}>{badge}</Tooltip> : badge}
      {e.consecutiveFailures > 0 && (
        <Text size="xs" c="orange.8" mt={2}>
          {t('webhooks.failing', { count: e.consecutiveFailures, since: formatDateTime(e.failingSince) })}
        </Text>
      )}
      {e.disabledReason && (
        <Text size="xs" c="dimmed" mt={2}>
          {e.disabledReason}
        </Text>
      )}
    </div>
  );
}
