import { Button, Center, Code, Drawer, Group, Loader, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useDelivery, useReplayDelivery } from '../../api/hooks/devtools';
import { useTranslation } from 'react-i18next';
import { type Schemas } from '../../api/client';
import { JsonBlock } from '../../components/JsonBlock';
import { QueryError } from '../../components/QueryError';
import { useCan } from '../../lib/auth';
import { formatDateTime } from '../../lib/format';
import { notifyError, notifySuccess } from '../../lib/notify';
import { DeliveryStatusBadge } from './StatusBadge';

interface Props {
  deliveryId: string | null;
  onOpen: (id: string) => void;
  onClose: () => void;
}

/** One delivery: what was sent, and every attempt with what the receiver answered. */
export function DeliveryDrawer({ deliveryId, onOpen, onClose }: Props) {
  const { t } = useTranslation();
  const can = useCan();
  const detail = useDelivery(deliveryId);
  const replay = useReplayDelivery({
    onSuccess: (d) => {
      notifySuccess(t('webhooks.replayed'));
      onOpen(d.id);
    },
    onError: notifyError,
  });

  return (
    <Drawer opened={!!deliveryId} onClose={onClose} position="right" size="xl" title={<Title order={2} size="h4">{t('webhooks.deliveryTitle')}</Title>} scrollAreaComponent={ScrollArea.Autosize}>
      {detail.isPending ? (
        <Center py="xl">
          <Loader aria-label={t('common.loading')} />
        </Center>
      ) : detail.isError ? (
        <QueryError error={detail.error} onRetry={() => void detail.refetch()} />
      ) : (
        <Stack gap="lg">
          <Summary delivery={detail.data.delivery} />
          {can('webhooks:write') && (
            <Group>
              <Button onClick={() => replay.mutate(detail.data.delivery.id)} loading={replay.isPending}>
                {t('webhooks.replay')}
              </Button>
              <Text size="xs" c="dimmed">
                {t('webhooks.replayHint')}
              </Text>
            </Group>
          )}
          <JsonBlock label={t('webhooks.payload')} value={detail.data.payload} maxHeight={320} />
          <Attempts attempts={detail.data.attempts} />
        </Stack>
      )}
    </Drawer>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-all' }}>
        {children}
      </Text>
    </div>
  );
}

function Summary({ delivery: d }: { delivery: Schemas['WebhookDelivery'] }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md" verticalSpacing="sm">
      <Field label={t('webhooks.status')}>
        <DeliveryStatusBadge status={d.status} />
      </Field>
      <Field label={t('webhooks.eventType')}>
        <Code>{d.eventType}</Code>
      </Field>
      <Field label={t('webhooks.deliveryId')}>{d.id}</Field>
      <Field label={t('webhooks.eventId')}>{d.eventId}</Field>
      <Field label={t('webhooks.attempts')}>{d.attempts}</Field>
      <Field label={t('webhooks.lastStatusCode')}>{d.lastStatusCode ?? '—'}</Field>
      <Field label={t('webhooks.created')}>{formatDateTime(d.createdAt)}</Field>
      <Field label={d.status === 'pending' ? t('webhooks.nextAttempt') : t('webhooks.completed')}>
        {formatDateTime(d.status === 'pending' ? d.nextAttemptAt : d.completedAt)}
      </Field>
      {d.lastError && <Field label={t('webhooks.lastError')}>{d.lastError}</Field>}
      {d.replayOf && <Field label={t('webhooks.replayOfLabel')}>{d.replayOf}</Field>}
    </SimpleGrid>
  );
}

function Attempts({ attempts }: { attempts: Schemas['WebhookAttempt'][] }) {
  const { t } = useTranslation();
  return (
    <div>
      <Title order={3} size="h5" mb="xs">
        {t('webhooks.attemptsTitle')}
      </Title>
      {attempts.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('webhooks.noAttempts')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" withTableBorder aria-label={t('webhooks.attemptsTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t('webhooks.attemptedAt')}</Table.Th>
                <Table.Th ta="right">{t('webhooks.statusCode')}</Table.Th>
                <Table.Th ta="right">{t('webhooks.duration')}</Table.Th>
                <Table.Th>{t('webhooks.response')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {attempts.map((a) => (
                <Table.Tr key={a.attempt} style={{ verticalAlign: 'top' }}>
                  <Table.Td>{a.attempt}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(a.attemptedAt)}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" c={a.statusCode && a.statusCode < 300 ? 'teal.8' : 'red'} fw={600}>
                      {a.statusCode ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{t('webhooks.ms', { ms: a.durationMs })}</Table.Td>
                  <Table.Td maw={280}>
                    {a.error && (
                      <Text size="sm" c="red">
                        {a.error}
                      </Text>
                    )}
                    {a.responseBody ? (
                      <Code block style={{ maxHeight: 160, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                        {a.responseBody}
                      </Code>
                    ) : (
                      !a.error && (
                        <Text size="sm" c="dimmed">
                          {t('webhooks.emptyBody')}
                        </Text>
                      )
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </div>
  );
}
