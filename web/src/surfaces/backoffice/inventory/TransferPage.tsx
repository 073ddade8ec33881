import { Alert, Anchor, Badge, Button, Card, Center, Group, Loader, NumberInput, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { VariantLabel } from '../../../components/VariantLabel';
import { useCan } from '../../../lib/auth';
import { useLocations } from '../../../api/hooks/inventory';
import { useVariantInfo } from '../../../api/hooks/catalog';
import { formatDateTime } from '../../../lib/format';
import { notifyError, notifySuccess } from '../../../lib/notify';
import { signed, TRANSFER_STATUS_COLORS, type Transfer } from './model';

type Entry = { quantity: number | string; reason: string };

export function TransferPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('inventory');
  const can = useCan();
  const client = useQueryClient();
  const locations = useLocations();
  const [mode, setMode] = useState<null | 'ship' | 'receive'>(null);
  const [entries, setEntries] = useState<Record<string, Entry>>({});
  const [confirmCancel, setConfirmCancel] = useState(false);
  const transfer = useQuery({ queryKey: ['transfer', id], queryFn: () => unwrap(api.GET('/v1/transfers/{id}', { params: { path: { id } } })) });

  const done = (message: string) => (tr: Transfer) => {
    client.setQueryData(['transfer', id], tr);
    for (const key of ['transfers', 'stock', 'location-stock', 'stock-movements', 'availability']) void client.invalidateQueries({ queryKey: [key] });
    setMode(null);
    notifySuccess(message);
  };
  const ship = useMutation({
    mutationFn: (lines?: { variantId: string; quantity: number }[]) => unwrap(api.POST('/v1/transfers/{id}/ship', { params: { path: { id } }, body: lines ? { lines } : {} })),
    onSuccess: done(t('transfers.detail.shippedDone')),
    onError: notifyError,
  });
  const receive = useMutation({
    mutationFn: (lines?: { variantId: string; quantity: number; reason?: string }[]) => unwrap(api.POST('/v1/transfers/{id}/receive', { params: { path: { id } }, body: lines ? { lines } : {} })),
    onSuccess: done(t('transfers.detail.receivedDone')),
    onError: notifyError,
  });
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/transfers/{id}/cancel', { params: { path: { id } } })),
    onSuccess: (tr) => {
      setConfirmCancel(false);
      done(t('transfers.detail.cancelledDone'))(tr);
    },
    onError: (err) => {
      setConfirmCancel(false);
      notifyError(err);
    },
  });

  if (transfer.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={t('transfers.title')} />
      </Center>
    );
  }
  if (transfer.isError) return <QueryError error={transfer.error} onRetry={() => void transfer.refetch()} />;
  const tr = transfer.data;
  const writable = can('inventory:write');
  const locationOf = (lid: string) => locations.data?.data.find((l) => l.id === lid);
  const from = locationOf(tr.fromLocationId);
  const to = locationOf(tr.toLocationId);
  const differing = tr.lines.filter((l) => l.difference);

  function start(which: 'ship' | 'receive') {
    setEntries(Object.fromEntries(tr.lines.map((l) => [l.variantId, { quantity: which === 'ship' ? l.quantity : (l.shipped ?? 0), reason: '' }])));
    setMode(which);
  }
  // A received quantity that differs from what shipped needs a reason before it can be sent.
  const missingReason = (variantId: string) => {
    const line = tr.lines.find((l) => l.variantId === variantId)!;
    const e = entries[variantId];
    return mode === 'receive' && e && Number(e.quantity) !== (line.shipped ?? 0) && !e.reason.trim();
  };
  function submit() {
    if (mode === 'ship') ship.mutate(tr.lines.map((l) => ({ variantId: l.variantId, quantity: Number(entries[l.variantId]?.quantity) || 0 })));
    if (mode === 'receive') {
      if (tr.lines.some((l) => missingReason(l.variantId))) return;
      receive.mutate(
        tr.lines.map((l) => {
          const e = entries[l.variantId];
          const quantity = Number(e?.quantity) || 0;
          return quantity !== (l.shipped ?? 0) ? { variantId: l.variantId, quantity, reason: e!.reason.trim() } : { variantId: l.variantId, quantity };
        }),
      );
    }
  }

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to="/backoffice/inventory/transfers" size="sm">
          ← {t('transfers.detail.back')}
        </Anchor>
        <PageHeader
          title={t('transfers.detail.title', { from: from?.name ?? '…', to: to?.name ?? '…' })}
          description={tr.id}
          actions={
            <Badge size="lg" variant="light" color={TRANSFER_STATUS_COLORS[tr.status]} data-testid="transfer-status">
              {t(`transfers.statuses.${tr.status}`)}
            </Badge>
          }
        />
      </div>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <Field label={t('transfers.from')} value={from ? `${from.code} · ${from.name}` : tr.fromLocationId} />
          <Field label={t('transfers.to')} value={to ? `${to.code} · ${to.name}` : tr.toLocationId} />
          <Field label={t('createdAt')} value={formatDateTime(tr.createdAt)} />
          <Field label={t('transfers.detail.shippedAt')} value={formatDateTime(tr.shippedAt)} />
          <Field label={t('transfers.detail.receivedAt')} value={formatDateTime(tr.receivedAt)} />
          <Field label={t('note')} value={tr.note ?? '—'} />
        </SimpleGrid>
      </Card>

      {writable && (
        <Group gap="sm">
          {tr.status === 'requested' && !mode && (
            <>
              <Button onClick={() => ship.mutate(undefined)} loading={ship.isPending}>
                {t('transfers.detail.shipAll')}
              </Button>
              <Button variant="default" onClick={() => start('ship')}>
                {t('transfers.detail.shipPartly')}
              </Button>
              <Button variant="light" color="red" onClick={() => setConfirmCancel(true)}>
                {t('transfers.detail.cancel')}
              </Button>
            </>
          )}
          {tr.status === 'shipped' && !mode && (
            <>
              <Button onClick={() => receive.mutate(undefined)} loading={receive.isPending}>
                {t('transfers.detail.receiveAll')}
              </Button>
              <Button variant="default" onClick={() => start('receive')}>
                {t('transfers.detail.receiveCounted')}
              </Button>
            </>
          )}
          {mode && (
            <>
              <Button onClick={submit} loading={ship.isPending || receive.isPending}>
                {mode === 'ship' ? t('transfers.detail.shipEntered') : t('transfers.detail.receiveEntered')}
              </Button>
              <Button variant="default" onClick={() => setMode(null)}>
                {t('cancel')}
              </Button>
            </>
          )}
        </Group>
      )}
      {mode && (
        <Alert color="blue" variant="light">
          {mode === 'ship' ? t('transfers.detail.shipHint') : t('transfers.detail.receiveHint')}
        </Alert>
      )}
      {tr.status === 'received' && (
        <Alert color={differing.length ? 'orange' : 'teal'} variant="light" data-testid="transfer-differences">
          {differing.length ? t('transfers.detail.differenceSummary', { count: differing.length, units: signed(differing.reduce((s, l) => s + (l.difference ?? 0), 0)) }) : t('transfers.detail.noDifferences')}
        </Alert>
      )}

      <section aria-labelledby="transfer-lines">
        <Title order={2} size="h3" id="transfer-lines" mb="md">
          {t('transfers.detail.lines')}
        </Title>
        <Table.ScrollContainer minWidth={760}>
          <Table striped verticalSpacing="sm" aria-label={t('transfers.detail.lines')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sku')}</Table.Th>
                <Table.Th ta="right">{t('transfers.detail.requested')}</Table.Th>
                <Table.Th ta="right">{t('transfers.detail.shipped')}</Table.Th>
                <Table.Th ta="right">{t('transfers.detail.received')}</Table.Th>
                <Table.Th ta="right">{t('transfers.detail.difference')}</Table.Th>
                <Table.Th>{t('transfers.detail.reason')}</Table.Th>
                {mode && <Table.Th>{mode === 'ship' ? t('transfers.detail.shipNow') : t('transfers.detail.receivedNow')}</Table.Th>}
                {mode === 'receive' && <Table.Th>{t('transfers.detail.reason')}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tr.lines.map((l) => (
                <LineRow
                  key={l.variantId}
                  line={l}
                  mode={mode}
                  entry={entries[l.variantId]}
                  missingReason={!!missingReason(l.variantId)}
                  onChange={(e) => setEntries((all) => ({ ...all, [l.variantId]: { ...all[l.variantId]!, ...e } }))}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      <ConfirmDialog
        opened={confirmCancel}
        title={t('transfers.detail.cancelTitle')}
        message={t('transfers.detail.cancelConfirm')}
        confirmLabel={t('transfers.detail.cancel')}
        danger
        loading={cancel.isPending}
        onConfirm={() => cancel.mutate()}
        onClose={() => setConfirmCancel(false)}
      />
    </Stack>
  );
}

function LineRow({ line: l, mode, entry, missingReason, onChange }: { line: Transfer['lines'][number]; mode: null | 'ship' | 'receive'; entry?: Entry; missingReason: boolean; onChange: (e: Partial<Entry>) => void }) {
  const { t } = useTranslation('inventory');
  const info = useVariantInfo(l.variantId);
  const sku = info.data?.sku ?? l.variantId;
  return (
    <Table.Tr>
      <Table.Td>
        <VariantLabel variantId={l.variantId} />
      </Table.Td>
      <Table.Td ta="right">{l.quantity}</Table.Td>
      <Table.Td ta="right">{l.shipped ?? '—'}</Table.Td>
      <Table.Td ta="right">{l.received ?? '—'}</Table.Td>
      <Table.Td ta="right" fw={l.difference ? 700 : undefined} c={l.difference ? 'red.7' : undefined}>
        {l.difference == null ? '—' : signed(l.difference)}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{l.differenceReason ?? '—'}</Text>
      </Table.Td>
      {mode && entry && (
        <Table.Td>
          <NumberInput
            size="xs"
            w={110}
            min={0}
            max={mode === 'ship' ? l.quantity : undefined}
            allowDecimal={false}
            aria-label={mode === 'ship' ? t('transfers.detail.shipNowFor', { sku }) : t('transfers.detail.receivedFor', { sku })}
            value={entry.quantity}
            onChange={(v) => onChange({ quantity: v })}
          />
        </Table.Td>
      )}
      {mode === 'receive' && entry && (
        <Table.Td>
          <TextInput
            size="xs"
            w={220}
            maxLength={500}
            aria-label={t('transfers.detail.reasonFor', { sku })}
            value={entry.reason}
            onChange={(e) => onChange({ reason: e.currentTarget.value })}
            error={missingReason ? t('transfers.detail.reasonRequired') : undefined}
          />
        </Table.Td>
      )}
    </Table.Tr>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}
