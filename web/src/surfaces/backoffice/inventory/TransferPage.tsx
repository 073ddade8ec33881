import { NumberInput, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useCancelTransfer, useLocations, useReceiveTransfer, useShipTransfer, useTransfer } from '../../../api/hooks/inventory';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { DocumentWithLines, type DocumentAction } from '../../../components/DocumentWithLines';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { notifyError, notifySuccess } from '../../../lib/notify';
import { signed, TRANSFER_STATUS_COLORS, type Transfer } from './model';

type Line = Transfer['lines'][number];
type Entry = { quantity: number | string; reason: string };

/** A transfer: requested → shipped → received (with a reason per difference), or cancelled before it ships. */
export function TransferPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('inventory');
  const can = useCan();
  const locations = useLocations();
  // Entering quantities to ship or receive, per variant.
  const [mode, setMode] = useState<null | 'ship' | 'receive'>(null);
  const [entries, setEntries] = useState<Record<string, Entry>>({});
  const [confirmCancel, setConfirmCancel] = useState(false);
  const transfer = useTransfer(id);

  const done = (message: string) => () => {
    setMode(null);
    notifySuccess(message);
  };
  const ship = useShipTransfer(id, { onSuccess: done(t('transfers.detail.shippedDone')), onError: notifyError });
  const receive = useReceiveTransfer(id, { onSuccess: done(t('transfers.detail.receivedDone')), onError: notifyError });
  const cancel = useCancelTransfer(id, {
    onSuccess: () => {
      setConfirmCancel(false);
      done(t('transfers.detail.cancelledDone'))();
    },
    onError: (err) => {
      setConfirmCancel(false);
      notifyError(err);
    },
  });

  return (
    <DocumentWithLines<Transfer, Line>
      query={transfer}
      loadingLabel={t('transfers.title')}
      config={(tr) => {
        const locationOf = (lid: string) => locations.data?.data.find((l) => l.id === lid);
        const from = locationOf(tr.fromLocationId);
        const to = locationOf(tr.toLocationId);
        const differing = tr.lines.filter((l) => l.difference);
        const start = (which: 'ship' | 'receive') => {
          setEntries(Object.fromEntries(tr.lines.map((l) => [l.variantId, { quantity: which === 'ship' ? l.quantity : (l.shipped ?? 0), reason: '' }])));
          setMode(which);
        };
        // A received quantity that differs from what shipped needs a reason before it can be sent.
        const missingReason = (l: Line) => {
          const e = entries[l.variantId];
          return mode === 'receive' && !!e && Number(e.quantity) !== (l.shipped ?? 0) && !e.reason.trim();
        };
        const submit = () => {
          if (mode === 'ship') ship.mutate(tr.lines.map((l) => ({ variantId: l.variantId, quantity: Number(entries[l.variantId]?.quantity) || 0 })));
          if (mode === 'receive') {
            if (tr.lines.some(missingReason)) return;
            receive.mutate(
              tr.lines.map((l) => {
                const e = entries[l.variantId];
                const quantity = Number(e?.quantity) || 0;
                return quantity !== (l.shipped ?? 0) ? { variantId: l.variantId, quantity, reason: e!.reason.trim() } : { variantId: l.variantId, quantity };
              }),
            );
          }
        };
        const change = (variantId: string, e: Partial<Entry>) => setEntries((all) => ({ ...all, [variantId]: { ...all[variantId]!, ...e } }));

        const actions: DocumentAction[] = [];
        if (can('inventory:write')) {
          if (tr.status === 'requested' && !mode) {
            actions.push({ label: t('transfers.detail.shipAll'), onClick: () => ship.mutate(undefined), loading: ship.isPending });
            actions.push({ label: t('transfers.detail.shipPartly'), variant: 'default', onClick: () => start('ship') });
            actions.push({ label: t('transfers.detail.cancel'), variant: 'light', color: 'red', onClick: () => setConfirmCancel(true) });
          }
          if (tr.status === 'shipped' && !mode) {
            actions.push({ label: t('transfers.detail.receiveAll'), onClick: () => receive.mutate(undefined), loading: receive.isPending });
            actions.push({ label: t('transfers.detail.receiveCounted'), variant: 'default', onClick: () => start('receive') });
          }
          if (mode) {
            actions.push({ label: mode === 'ship' ? t('transfers.detail.shipEntered') : t('transfers.detail.receiveEntered'), onClick: submit, loading: ship.isPending || receive.isPending });
            actions.push({ label: t('cancel'), variant: 'default', onClick: () => setMode(null) });
          }
        }
        return {
          kind: 'transfer',
          back: { to: '/backoffice/inventory/transfers', label: t('transfers.detail.back') },
          title: t('transfers.detail.title', { from: from?.name ?? '…', to: to?.name ?? '…' }),
          id: tr.id,
          status: { label: t(`transfers.statuses.${tr.status}`), color: TRANSFER_STATUS_COLORS[tr.status] },
          fields: [
            { label: t('transfers.from'), value: from ? `${from.code} · ${from.name}` : tr.fromLocationId },
            { label: t('transfers.to'), value: to ? `${to.code} · ${to.name}` : tr.toLocationId },
            { label: t('createdAt'), value: formatDateTime(tr.createdAt) },
            { label: t('transfers.detail.shippedAt'), value: formatDateTime(tr.shippedAt) },
            { label: t('transfers.detail.receivedAt'), value: formatDateTime(tr.receivedAt) },
            { label: t('note'), value: tr.note ?? '—' },
          ],
          actions,
          notices: [
            mode && { text: mode === 'ship' ? t('transfers.detail.shipHint') : t('transfers.detail.receiveHint'), color: 'blue' },
            tr.status === 'received' && {
              testId: 'transfer-differences',
              color: differing.length ? 'orange' : 'teal',
              text: differing.length ? t('transfers.detail.differenceSummary', { count: differing.length, units: signed(differing.reduce((s, l) => s + (l.difference ?? 0), 0)) }) : t('transfers.detail.noDifferences'),
            },
          ],
          lines: {
            title: t('transfers.detail.lines'),
            skuHeader: t('sku'),
            minWidth: 760,
            rows: tr.lines,
            columns: [
              { key: 'requested', header: t('transfers.detail.requested'), align: 'right', render: (l) => l.quantity },
              { key: 'shipped', header: t('transfers.detail.shipped'), align: 'right', render: (l) => l.shipped ?? '—' },
              { key: 'received', header: t('transfers.detail.received'), align: 'right', render: (l) => l.received ?? '—' },
              {
                key: 'difference',
                header: t('transfers.detail.difference'),
                align: 'right',
                render: (l) => (l.difference == null ? '—' : signed(l.difference)),
                cell: (l) => ({ fw: l.difference ? 700 : undefined, c: l.difference ? 'red.7' : undefined }),
              },
              { key: 'reason', header: t('transfers.detail.reason'), render: (l) => <Text size="sm">{l.differenceReason ?? '—'}</Text> },
              mode && {
                key: 'now',
                header: mode === 'ship' ? t('transfers.detail.shipNow') : t('transfers.detail.receivedNow'),
                render: (l, sku) =>
                  entries[l.variantId] && (
                    <NumberInput
                      size="xs"
                      w={110}
                      min={0}
                      max={mode === 'ship' ? l.quantity : undefined}
                      allowDecimal={false}
                      aria-label={mode === 'ship' ? t('transfers.detail.shipNowFor', { sku }) : t('transfers.detail.receivedFor', { sku })}
                      value={entries[l.variantId]!.quantity}
                      onChange={(v) => change(l.variantId, { quantity: v })}
                    />
                  ),
              },
              mode === 'receive' && {
                key: 'newReason',
                header: t('transfers.detail.reason'),
                render: (l, sku) =>
                  entries[l.variantId] && (
                    <TextInput
                      size="xs"
                      w={220}
                      maxLength={500}
                      aria-label={t('transfers.detail.reasonFor', { sku })}
                      value={entries[l.variantId]!.reason}
                      onChange={(e) => change(l.variantId, { reason: e.currentTarget.value })}
                      error={missingReason(l) ? t('transfers.detail.reasonRequired') : undefined}
                    />
                  ),
              },
            ],
          },
        };
      }}
    >
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
    </DocumentWithLines>
  );
}
