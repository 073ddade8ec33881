// The 360° view of one person: identities with merge history (and unmerge), declared and computed
// traits, consents, orders and returns, and the timeline of everything online and offline.
import { Alert, Anchor, Badge, Button, Card, Group, Modal, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Schemas } from '../../../api/client';
import { useConsents, useProfile, useProfileEvents, useProfileTimeline, useUnmergeProfile } from '../../../api/hooks/customers';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { PriceText } from '../../../components/PriceText';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { notifyError, notifySuccess } from '../../../lib/notify';
import { displayName } from './CustomersPage';

type Profile = Schemas['Profile'];
type Entry = Schemas['TimelineEntry'];
type Filter = 'all' | 'online' | 'store' | 'service' | 'orders' | 'returns';

interface Computed {
  orders: number;
  revenue: number;
  currency: string | null;
  averageOrderValue: number | null;
  preferredChannel: string | null;
  preferredStoreId: string | null;
  daysSinceLastPurchase: number | null;
  rfm: { recency: number | null; frequency: number | null; monetary: number | null };
  categoryAffinity: Array<{ category: string; score: number }>;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** One line that says what a timeline entry is about. */
function summary(e: Entry): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const props = (d.properties ?? {}) as Record<string, unknown>;
  const page = (d.page ?? {}) as Record<string, unknown>;
  if (e.type === 'order.placed') {
    const o = (d.order ?? {}) as { id?: string; lines?: Array<{ sku: string; quantity: number }> };
    return `${o.id ?? ''} · ${(o.lines ?? []).map((l) => `${l.quantity}× ${l.sku}`).join(', ')}`;
  }
  if (e.type.startsWith('social.')) return `${String(d.handle ?? '')}: ${String(d.text ?? '')}`;
  if (e.type === 'store.visited') return `${String(d.storeId ?? '')} (${String(d.method ?? '')})`;
  const bits = [page.url ?? page.path, props.sku, props.category, props.url].filter((x) => typeof x === 'string');
  if (d.traits && typeof d.traits === 'object') bits.push(Object.keys(d.traits as object).join(', '));
  return bits.join(' · ');
}

function query(filter: Filter): { channel?: 'online' | 'store' | 'service'; type?: string } {
  if (filter === 'online' || filter === 'store' || filter === 'service') return { channel: filter };
  if (filter === 'orders') return { type: 'order.*' };
  if (filter === 'returns') return { type: 'return.*' };
  return {};
}

export function ProfilePage() {
  const { id } = useParams();
  const { t } = useTranslation('customers');
  const { t: tc } = useTranslation();
  const can = useCan();
  const [filter, setFilter] = useState<Filter>('all');
  const [undo, setUndo] = useState<Schemas['ProfileMerge'] | null>(null);
  const [reason, setReason] = useState('');

  const profile = useProfile(id!);
  const timeline = useProfileTimeline(id!, query(filter));
  const orders = useProfileEvents(id!, 'order.placed');
  const returns = useProfileEvents(id!, 'return.*');
  const consents = useConsents({ profileId: id! }, can('customers:read'));
  const unmerge = useUnmergeProfile({
    onSuccess: () => {
      notifySuccess(t('unmerged'));
      setUndo(null);
      setReason('');
    },
    onError: notifyError,
  });

  if (profile.isError) return <QueryError error={profile.error} onRetry={() => void profile.refetch()} />;
  const p: Profile | undefined = profile.data;
  if (!p) return null;
  const computed = p.computed as Computed | null;
  const traits = Object.entries(p.traits);
  const money = (n: number | null | undefined) => <PriceText amount={n ?? 0} currency={computed?.currency ?? 'EUR'} />;

  return (
    <Stack gap="lg">
      <PageHeader title={displayName(p, t('anonymous'))} description={p.id} />
      {p.status === 'merged' && (
        <Alert color="yellow" title={t('merged')}>
          {p.mergedInto && (
            <Anchor component={Link} to={`/backoffice/customers/${p.mergedInto}`}>
              {t('goToSurvivor')}
            </Anchor>
          )}
        </Alert>
      )}

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('identities')}
          </Title>
          <Table verticalSpacing={4} aria-label={t('identitiesLabel')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('kind')}</Table.Th>
                <Table.Th>{t('value')}</Table.Th>
                <Table.Th>{t('firstSeen')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.identifiers.map((i) => (
                <Table.Tr key={`${i.kind}:${i.value}`}>
                  <Table.Td>{t(`kinds.${i.kind}` as 'kinds.email', { defaultValue: i.kind })}</Table.Td>
                  <Table.Td ff="monospace">
                    {i.value}
                    {i.sharedBy && i.sharedBy > 1 ? (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        ({t('sharedBy', { count: i.sharedBy })})
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(i.firstSeenAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Title order={3} size="h5" mt="md" mb="xs">
            {t('mergeHistory')}
          </Title>
          <Table verticalSpacing={4} aria-label={t('mergesLabel')}>
            <Table.Tbody>
              {p.merges.length === 0 && <TableState colSpan={3} loading={false} empty={t('noMerges')} />}
              {p.merges.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>{formatDateTime(m.createdAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{t(m.kind === 'split' ? 'splitFrom' : 'mergedInto', { merged: m.mergedId, survivor: m.survivorId })}</Text>
                    <Text size="xs" c="dimmed">
                      {m.reason}
                      {m.undoneAt ? ` · ${t('undone', { when: formatDateTime(m.undoneAt) })}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {m.kind === 'merge' && !m.undoneAt && can('customers:write') && (
                      <Button size="xs" variant="light" color="orange" onClick={() => setUndo(m)}>
                        {t('unmerge')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>

        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {t('declaredTraits')}
          </Title>
          {traits.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('noTraits')}
            </Text>
          ) : (
            <Group gap={6}>
              {traits.map(([k, v]) => (
                <Badge key={k} variant="outline" tt="none">
                  {k}: {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                </Badge>
              ))}
            </Group>
          )}
          <Title order={2} size="h4" mt="md" mb="xs">
            {t('computedTraits')}
          </Title>
          {!computed ? (
            <Text size="sm" c="dimmed">
              {t('noProfiling')}
            </Text>
          ) : (
            <SimpleGrid cols={2} spacing={4}>
              <Text size="sm">{t('orders')}</Text>
              <Text size="sm">{computed.orders}</Text>
              <Text size="sm">{t('revenue')}</Text>
              <Text size="sm">{money(computed.revenue)}</Text>
              <Text size="sm">{t('aov')}</Text>
              <Text size="sm">{computed.averageOrderValue === null ? '–' : money(computed.averageOrderValue)}</Text>
              <Text size="sm">{t('preferredChannel')}</Text>
              <Text size="sm">{computed.preferredChannel ?? '–'}</Text>
              <Text size="sm">{t('preferredStore')}</Text>
              <Text size="sm">{computed.preferredStoreId ?? '–'}</Text>
              <Text size="sm">{t('daysSince')}</Text>
              <Text size="sm">{computed.daysSinceLastPurchase ?? '–'}</Text>
              <Text size="sm">{t('rfm')}</Text>
              <Text size="sm">{[computed.rfm.recency, computed.rfm.frequency, computed.rfm.monetary].map((x) => x ?? '–').join(' · ')}</Text>
              <Text size="sm">{t('affinity')}</Text>
              <Text size="sm">{computed.categoryAffinity.map((c) => `${c.category} ${Math.round(c.score * 100)}%`).join(', ') || '–'}</Text>
              <Text size="sm">{t('firstSeen')}</Text>
              <Text size="sm">{formatDateTime(computed.firstSeenAt)}</Text>
            </SimpleGrid>
          )}
          {consents.data && (
            <>
              <Title order={2} size="h4" mt="md" mb="xs">
                {t('consents')}
              </Title>
              <Table verticalSpacing={4} aria-label={t('consentsLabel')}>
                <Table.Tbody>
                  {consents.data.current.map((c) => (
                    <Table.Tr key={c.purpose}>
                      <Table.Td>{c.purpose}</Table.Td>
                      <Table.Td>
                        <Badge color={c.granted ? 'green' : 'gray'} variant="light">
                          {c.granted ? t('granted') : t('withheld')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed">
                          {c.source} {c.recordedAt ? formatDateTime(c.recordedAt) : ''}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </Card>
      </SimpleGrid>

      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t('ordersAndReturns')}
        </Title>
        <Table verticalSpacing={4} aria-label={t('ordersLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('when')}</Table.Th>
              <Table.Th>{t('order')}</Table.Th>
              <Table.Th>{t('channel')}</Table.Th>
              <Table.Th ta="right">{t('total')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...(orders.data?.data ?? []), ...(returns.data?.data ?? [])].length === 0 && <TableState colSpan={4} loading={orders.isLoading} empty={t('noOrders')} />}
            {[...(orders.data?.data ?? []), ...(returns.data?.data ?? [])]
              .sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1))
              .map((e) => {
                const agg = ((e.data ?? {}) as { aggregate?: { id?: string } }).aggregate;
                return (
                  <Table.Tr key={e.id}>
                    <Table.Td>{formatDateTime(e.occurredAt)}</Table.Td>
                    <Table.Td>
                      {e.type.startsWith('order.') && agg?.id ? (
                        <Anchor component={Link} to={`/backoffice/orders/${agg.id}`} size="sm" ff="monospace">
                          {agg.id}
                        </Anchor>
                      ) : (
                        <Text size="sm">
                          {e.type} {agg?.id ?? ''}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {e.salesChannel ?? ''} {e.storeId ?? ''}
                    </Table.Td>
                    <Table.Td ta="right">{e.amount !== null ? <PriceText amount={e.amount} currency={e.currency ?? 'EUR'} /> : ''}</Table.Td>
                  </Table.Tr>
                );
              })}
          </Table.Tbody>
        </Table>
      </Card>

      <Card withBorder>
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4">
            {t('timeline')}
          </Title>
          <SegmentedControl
            size="xs"
            value={filter}
            onChange={(v) => setFilter(v as Filter)}
            data={[
              { value: 'all', label: t('filterAll') },
              { value: 'online', label: t('filterOnline') },
              { value: 'store', label: t('filterStore') },
              { value: 'service', label: t('filterService') },
              { value: 'orders', label: t('filterOrders') },
              { value: 'returns', label: t('filterReturns') },
            ]}
          />
        </Group>
        {timeline.isError && <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />}
        <Table verticalSpacing={4} aria-label={t('timelineLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('when')}</Table.Th>
              <Table.Th>{t('channel')}</Table.Th>
              <Table.Th>{t('entry')}</Table.Th>
              <Table.Th>{t('details')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {timeline.items.length === 0 && <TableState colSpan={4} loading={timeline.isLoading} empty={t('noEntries')} />}
            {timeline.items.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{formatDateTime(e.occurredAt)}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={e.channel === 'store' ? 'teal' : e.channel === 'service' ? 'grape' : 'blue'}>
                    {t(`channels.${e.channel}` as 'channels.online', { defaultValue: e.channel })}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {e.type}
                    {e.name ? `: ${e.name}` : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {summary(e)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <LoadMore hasMore={!!timeline.hasNextPage} loading={timeline.isFetchingNextPage} onLoad={() => void timeline.fetchNextPage()} />
      </Card>

      <Modal opened={!!undo} onClose={() => setUndo(null)} title={t('unmergeTitle')} centered>
        <Stack>
          <Text size="sm">{t('unmergeText')}</Text>
          <TextInput label={t('unmergeReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setUndo(null)}>
              {tc('common.cancel')}
            </Button>
            <Button color="orange" loading={unmerge.isPending} onClick={() => undo && unmerge.mutate({ merge: undo, reason: reason.trim() || undefined })}>
              {t('unmerge')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
