// All promotions, newest first: what each one does in words, when it runs and how much of it is used.
import { Anchor, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { usePromotions, type PromotionFilters } from '../../../api/hooks/promotions';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';
import { STATUSES, STATUS_COLORS, ruleSummary, type Promotion, type PromotionStatus } from './model';

export function PromotionsListPage() {
  const { t } = useTranslation('promotions');
  const can = useCan();
  const [status, setStatus] = useState<PromotionStatus | null>(null);
  const promotions = usePromotions({ status: (status ?? undefined) as PromotionFilters['status'] });

  return (
    <Stack gap="md">
      <PageHeader
        title={t('list.title')}
        description={t('list.description')}
        actions={
          can('promotions:write') && (
            <Button component={Link} to="/backoffice/promotions/new">
              {t('list.new')}
            </Button>
          )
        }
      />
      <Group>
        <Select
          label={t('list.filterStatus')}
          placeholder={t('list.allStatuses')}
          data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          value={status}
          onChange={(s) => setStatus(s as PromotionStatus | null)}
          clearable
          w={220}
        />
      </Group>
      {promotions.isError && <QueryError error={promotions.error} onRetry={() => void promotions.refetch()} />}
      <Table.ScrollContainer minWidth={960}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('list.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('list.name')}</Table.Th>
              <Table.Th>{t('list.rule')}</Table.Th>
              <Table.Th>{t('list.stacking')}</Table.Th>
              <Table.Th>{t('list.schedule')}</Table.Th>
              <Table.Th>{t('list.usage')}</Table.Th>
              <Table.Th>{t('list.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {promotions.items.length === 0 && !promotions.isError && <TableState colSpan={6} loading={promotions.isPending} empty={status ? t('list.emptyFiltered') : t('list.empty')} />}
            {promotions.items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/backoffice/promotions/${p.id}`} size="sm" fw={600}>
                    {p.name}
                  </Anchor>
                  <Group gap={4} mt={2}>
                    {p.requiresCoupon && (
                      <Badge size="xs" variant="outline">
                        {t('list.coupon')}
                      </Badge>
                    )}
                    {p.memberOnly && (
                      <Badge size="xs" variant="outline">
                        {t('list.members')}
                      </Badge>
                    )}
                    {p.customerId && (
                      <Badge size="xs" variant="outline">
                        {t('list.personal')}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{ruleSummary(p.rule, t)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t(`stacking.${p.stacking}`)}</Text>
                  <Text size="xs" c="dimmed">
                    {t('list.priority', { priority: p.priority })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{schedule(p, t)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{p.limits?.total != null ? t('list.redemptionsOf', { count: p.usage.redemptions, total: p.limits.total }) : t('list.redemptions', { count: p.usage.redemptions })}</Text>
                  <Text size="xs" c="dimmed">
                    {p.limits?.budget != null ? t('list.spentOfBudget', { spent: formatMoney(p.usage.spent), budget: formatMoney(p.limits.budget) }) : t('list.spent', { spent: formatMoney(p.usage.spent) })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATUS_COLORS[p.status]}>
                    {t(`status.${p.status}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!promotions.hasNextPage} loading={promotions.isFetchingNextPage} onLoad={() => void promotions.fetchNextPage()} />
    </Stack>
  );
}

function schedule(p: Promotion, t: TFunction): string {
  if (p.startsAt && p.endsAt) return t('list.between', { from: formatDateTime(p.startsAt), until: formatDateTime(p.endsAt) });
  if (p.startsAt) return t('list.from', { from: formatDateTime(p.startsAt) });
  if (p.endsAt) return t('list.until', { until: formatDateTime(p.endsAt) });
  return t('list.always');
}
