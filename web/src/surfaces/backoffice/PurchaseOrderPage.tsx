import { NumberInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useLocations } from '../../api/hooks/inventory';
import { useCancelPurchaseOrder, usePurchaseOrder, useReceivePurchaseOrder, useSendPurchaseOrder, useSuppliers, type PurchaseOrder } from '../../api/hooks/purchasing';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DocumentWithLines, type DocumentAction } from '../../components/DocumentWithLines';
import { useCan } from '../../lib/auth';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { notifyError, notifySuccess } from '../../lib/notify';
import { PO_STATUS_COLORS } from './purchasing';

type Line = PurchaseOrder['lines'][number];

/** A purchase order: draft → sent → (partially) received, or cancelled before it is all in. */
export function PurchaseOrderPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const suppliers = useSuppliers();
  const locations = useLocations();
  const [confirmCancel, setConfirmCancel] = useState(false);
  // Quantities to receive now, per variant, while receiving part of the order.
  const [partial, setPartial] = useState<Record<string, number | string> | null>(null);
  const order = usePurchaseOrder(id);

  const send = useSendPurchaseOrder(id, { onSuccess: () => notifySuccess(t('po.sent')), onError: notifyError });
  const receive = useReceivePurchaseOrder(id, {
    onSuccess: () => {
      setPartial(null);
      notifySuccess(t('po.received'));
    },
    onError: notifyError,
  });
  const cancel = useCancelPurchaseOrder(id, {
    onSuccess: () => {
      setConfirmCancel(false);
      notifySuccess(t('po.cancelled'));
    },
    onError: (err) => {
      setConfirmCancel(false);
      notifyError(err);
    },
  });

  function submitPartial() {
    if (!partial) return;
    const lines = Object.entries(partial)
      .map(([variantId, q]) => ({ variantId, quantity: Number(q) || 0 }))
      .filter((l) => l.quantity > 0);
    if (lines.length) receive.mutate(lines);
  }

  return (
    <DocumentWithLines<PurchaseOrder, Line>
      query={order}
      loadingLabel={t('common.loading')}
      config={(po) => {
        const supplier = suppliers.data?.data.find((s) => s.id === po.supplierId);
        const location = locations.data?.data.find((l) => l.id === po.locationId);
        const receivable = po.status === 'sent' || po.status === 'partially_received';
        const cancellable = po.status === 'draft' || receivable;
        const actions: DocumentAction[] = [];
        if (can('purchasing:write')) {
          if (po.status === 'draft') actions.push({ label: t('po.send'), onClick: () => send.mutate(), loading: send.isPending });
          if (receivable && !partial) {
            actions.push({ label: t('po.receiveAll'), onClick: () => receive.mutate(undefined), loading: receive.isPending });
            actions.push({ label: t('po.receivePartly'), variant: 'default', onClick: () => setPartial(Object.fromEntries(po.lines.map((l) => [l.variantId, l.outstanding]))) });
          }
          if (partial) {
            actions.push({ label: t('po.receiveEntered'), onClick: submitPartial, loading: receive.isPending });
            actions.push({ label: t('common.cancel'), variant: 'default', onClick: () => setPartial(null) });
          }
          if (cancellable && !partial) actions.push({ label: t('po.cancel'), variant: 'light', color: 'red', onClick: () => setConfirmCancel(true) });
        }
        return {
          kind: 'po',
          back: { to: '/backoffice/inventory/purchase-orders', label: t('po.backToList') },
          title: t('po.detailTitle', { supplier: supplier?.name ?? '…' }),
          id: po.id,
          status: { label: t(`po.status.${po.status}`), color: PO_STATUS_COLORS[po.status] },
          fields: [
            { label: t('po.supplier'), value: supplier ? `${supplier.code} · ${supplier.name}` : po.supplierId },
            { label: t('po.location'), value: location ? `${location.code} · ${location.name}` : po.locationId },
            { label: t('po.createdAt'), value: formatDateTime(po.createdAt) },
            { label: t('po.sentAt'), value: formatDateTime(po.sentAt) },
            { label: t('po.expectedAt'), value: formatDateTime(po.expectedAt) },
            { label: t('po.closedAt'), value: formatDateTime(po.closedAt) },
            { label: t('po.totalCost'), value: po.totalCost != null ? formatMoney(po.totalCost) : '—' },
            { label: t('po.note'), value: po.note ?? '—' },
          ],
          actions,
          notices: [partial && { text: t('po.partialHint'), color: 'blue' }],
          lines: {
            title: t('po.lines'),
            skuHeader: t('stock.sku'),
            minWidth: 700,
            rows: po.lines,
            columns: [
              { key: 'quantity', header: t('po.quantity'), align: 'right', render: (l) => l.quantity },
              { key: 'received', header: t('po.receivedQty'), align: 'right', render: (l) => l.received },
              { key: 'outstanding', header: t('po.outstanding'), align: 'right', render: (l) => l.outstanding, cell: () => ({ fw: 600 }) },
              { key: 'cost', header: t('po.cost'), align: 'right', render: (l) => (l.cost != null ? formatMoney(l.cost) : '—') },
              partial && {
                key: 'now',
                header: t('po.receiveNow'),
                render: (l) => (
                  <NumberInput
                    size="xs"
                    w={110}
                    min={0}
                    max={l.outstanding}
                    allowDecimal={false}
                    aria-label={t('po.receiveNowFor', { id: l.variantId })}
                    value={partial[l.variantId] ?? 0}
                    onChange={(v) => setPartial({ ...partial, [l.variantId]: v })}
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
        title={t('po.cancelTitle')}
        message={t('po.cancelConfirm')}
        confirmLabel={t('po.cancel')}
        danger
        loading={cancel.isPending}
        onConfirm={() => cancel.mutate()}
        onClose={() => setConfirmCancel(false)}
      />
    </DocumentWithLines>
  );
}
