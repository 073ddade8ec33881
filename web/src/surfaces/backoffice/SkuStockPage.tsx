import { Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { StockStatusBadge } from '../../components/StockStatusBadge';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { useLocations, useStockMovements, useVariantStock } from '../../api/hooks/inventory';
import { useVariantInfo } from '../../api/hooks/catalog';
import { formatDateTime } from '../../lib/format';
import '../../locales/inventory';
import { LevelSettingsModal } from './inventory/LevelSettingsModal';
import { MovementModal } from './MovementModal';

const MOVEMENT_COLORS: Record<string, string> = { receipt: 'teal', adjustment: 'blue', damage: 'red', return: 'grape', count_correction: 'orange', sale: 'indigo', transfer_out: 'yellow', transfer_in: 'cyan' };

export function SkuStockPage() {
  const { variantId = '' } = useParams();
  const { t } = useTranslation();
  const { t: ti } = useTranslation('inventory');
  const can = useCan();
  const info = useVariantInfo(variantId);
  const locations = useLocations();
  const [recording, setRecording] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const byId = new Map((locations.data?.data ?? []).map((l) => [l.id, l]));
  const levels = useVariantStock(variantId);
  const movements = useStockMovements(variantId);
  const sku = info.data?.sku ?? '…';
  const rows = levels.data?.data ?? [];
  const totals = rows.reduce((s, l) => ({ onHand: s.onHand + l.onHand, atp: s.atp + l.availableToPromise, incoming: s.incoming + l.incoming }), { onHand: 0, atp: 0, incoming: 0 });

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to="/backoffice/inventory/stock" size="sm">
          ← {t('stock.backToStock')}
        </Anchor>
        <PageHeader
          title={t('stock.skuTitle', { sku })}
          description={info.data?.title || undefined}
          actions={
            <>
              {info.data?.productId && (
                <Button component={Link} to={`/backoffice/products/${info.data.productId}`} variant="default">
                  {t('stock.openProduct')}
                </Button>
              )}
              {can('inventory:write') && info.data && <Button onClick={() => setRecording(true)}>{t('stock.recordMovement')}</Button>}
            </>
          }
        />
      </div>
      {info.isError && <QueryError error={info.error} />}
      <Group gap="lg">
        <Card withBorder padding="md" miw={160}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {t('stock.onHand')}
          </Text>
          <Text size="xl" fw={700} data-testid="total-on-hand">
            {totals.onHand}
          </Text>
        </Card>
        <Card withBorder padding="md" miw={160}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {t('stock.atp')}
          </Text>
          <Text size="xl" fw={700}>
            {totals.atp}
          </Text>
        </Card>
        <Card withBorder padding="md" miw={160}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {t('stock.incoming')}
          </Text>
          <Text size="xl" fw={700}>
            {totals.incoming}
          </Text>
        </Card>
      </Group>

      <section aria-labelledby="levels-title">
        <Title order={2} size="h3" id="levels-title" mb="md">
          {t('stock.levelsTitle')}
        </Title>
        {levels.isError && <QueryError error={levels.error} onRetry={() => void levels.refetch()} mb="md" />}
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="sm" aria-label={t('stock.levelsTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stock.location')}</Table.Th>
                <Table.Th ta="right">{t('stock.onHand')}</Table.Th>
                <Table.Th ta="right">{t('stock.reserved')}</Table.Th>
                <Table.Th ta="right">{t('stock.safety')}</Table.Th>
                <Table.Th ta="right">{t('stock.incoming')}</Table.Th>
                <Table.Th ta="right">{t('stock.atp')}</Table.Th>
                <Table.Th ta="right">{ti('level.lowThreshold')}</Table.Th>
                <Table.Th>{t('stock.statusLabel')}</Table.Th>
                {can('inventory:write') && (
                  <Table.Th>
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 && !levels.isError && <TableState colSpan={can('inventory:write') ? 9 : 8} loading={levels.isPending} empty={t('stock.noLevels')} />}
              {rows.map((l) => (
                <Table.Tr key={l.locationId}>
                  <Table.Td>
                    <Anchor component={Link} to={`/backoffice/inventory/stock?location=${l.locationId}`} size="sm">
                      {byId.get(l.locationId)?.name ?? l.locationId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td ta="right" fw={600}>
                    {l.onHand}
                  </Table.Td>
                  <Table.Td ta="right">{l.reserved}</Table.Td>
                  <Table.Td ta="right">{l.safetyStock}</Table.Td>
                  <Table.Td ta="right">{l.incoming}</Table.Td>
                  <Table.Td ta="right">{l.availableToPromise}</Table.Td>
                  <Table.Td ta="right">
                    <Group gap={6} justify="flex-end" wrap="nowrap">
                      <Text size="sm" fw={l.lowStockThreshold != null ? 600 : undefined}>
                        {l.effectiveLowStockThreshold}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {l.lowStockThreshold != null ? ti('level.own') : ti('level.usesDefault')}
                      </Text>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <StockStatusBadge availableToPromise={l.availableToPromise} status={l.status} />
                  </Table.Td>
                  {can('inventory:write') && (
                    <Table.Td>
                      <Button size="xs" variant="subtle" onClick={() => setEditing(l.locationId)} aria-label={ti('level.editFor', { location: byId.get(l.locationId)?.name ?? l.locationId })}>
                        {ti('level.edit')}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>

      <section aria-labelledby="ledger-title">
        <Title order={2} size="h3" id="ledger-title" mb={4}>
          {t('stock.ledgerTitle')}
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          {t('stock.ledgerDescription')}
        </Text>
        {movements.isError && <QueryError error={movements.error} onRetry={() => void movements.refetch()} mb="md" />}
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="sm" aria-label={t('stock.ledgerTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stock.when')}</Table.Th>
                <Table.Th>{t('stock.movementType')}</Table.Th>
                <Table.Th>{t('stock.location')}</Table.Th>
                <Table.Th ta="right">{t('stock.onHandDelta')}</Table.Th>
                <Table.Th ta="right">{t('stock.reservedDelta')}</Table.Th>
                <Table.Th>{t('stock.reason')}</Table.Th>
                <Table.Th>{t('stock.reference')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {movements.items.length === 0 && !movements.isError && <TableState colSpan={7} loading={movements.isPending} empty={t('stock.noMovements')} />}
              {movements.items.map((m) => (
                <Table.Tr key={m.seq}>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(m.occurredAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={MOVEMENT_COLORS[m.type] ?? 'gray'}>
                      {t(`stock.movementTypes.${m.type}`, { defaultValue: m.type })}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{byId.get(m.locationId)?.name ?? m.locationId}</Text>
                  </Table.Td>
                  <Table.Td ta="right" fw={600} c={m.onHandDelta < 0 ? 'red.7' : m.onHandDelta > 0 ? 'teal.8' : undefined}>
                    {m.onHandDelta > 0 ? `+${m.onHandDelta}` : m.onHandDelta}
                  </Table.Td>
                  <Table.Td ta="right">{m.reservedDelta > 0 ? `+${m.reservedDelta}` : m.reservedDelta}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{m.reason ?? '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {m.reference ?? '—'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={!!movements.hasNextPage} loading={movements.isFetchingNextPage} onLoad={() => void movements.fetchNextPage()} />
      </section>
      {editing && <LevelSettingsModal variantId={variantId} location={byId.get(editing) ?? null} locationId={editing} onClose={() => setEditing(null)} />}
      <MovementModal opened={recording} onClose={() => setRecording(false)} sku={info.data?.sku} locationId={rows[0]?.locationId ?? null} />
    </Stack>
  );
}
