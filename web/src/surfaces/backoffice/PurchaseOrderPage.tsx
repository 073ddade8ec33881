import { Alert, Anchor, Badge, Button, Card, Center, Group, Loader, NumberInput, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { VariantLabel } from '../../components/VariantLabel';
import { useCan } from '../../lib/auth';
import { useLocations } from '../../api/hooks/inventory';
import { useSuppliers } from '../../api/hooks/purchasing';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { notifyError, notifySuccess } from '../../lib/notify';
import { PO_STATUS_COLORS } from './purchasing';

type PurchaseOrder = Schemas['PurchaseOrder'];

export function PurchaseOrderPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const client = useQueryClient();
  const suppliers = useSuppliers();
  const locations = useLocations();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [partial, setPartial] = useState<Record<string, number | string> | null>(null);
  const order = useQuery({ queryKey: ['purchase-order', id], queryFn: () => unwrap(api.GET('/v1/purchase-orders/{id}', { params: { path: { id } } })) });

  const done = (message: string) => (po: PurchaseOrder) => {
    client.setQueryData(['purchase-order', id], po);
    for (const key of ['purchase-orders', 'stock', 'location-stock', 'stock-movements', 'availability']) void client.invalidateQueries({ queryKey: [key] });
    notifySuccess(message);
  };
  const send = useMutation({ mutationFn: () => unwrap(api.POST('/v1/purchase-orders/{id}/send', { params: { path: { id } } })), onSuccess: done(t('po.sent')), onError: notifyError });
  const receive = useMutation({
    mutationFn: (lines?: { variantId: string; quantity: number }[]) => unwrap(api.POST('/v1/purchase-orders/{id}/receive', { params: { path: { id } }, body: lines ? { lines } : {} })),
    onSuccess: (po) => {
      setPartial(null);
      done(t('po.received'))(po);
    },
    onError: notifyError,
  });
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/purchase-orders/{id}/cancel', { params: { path: { id } } })),
    onSuccess: (po) => {
      setConfirmCancel(false);
      done(t('po.cancelled'))(po);
    },
    onError: (err) => {
      setConfirmCancel(false);
      notifyError(err);
    },
  });

  if (order.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (order.isError) return <QueryError error={order.error} onRetry={() => void order.refetch()} />;
  const po = order.data;
  const writable = can('purchasing:write');
  const receivable = po.status === 'sent' || po.status === 'partially_received';
  const supplier = suppliers.data?.data.find((s) => s.id === po.supplierId);
  const location = locations.data?.data.find((l) => l.id === po.locationId);

  function submitPartial() {
    if (!partial) return;
    const lines = Object.entries(partial)
      .map(([variantId, q]) => ({ variantId, quantity: Number(q) || 0 }))
      .filter((l) => l.quantity > 0);
    if (lines.length) receive.mutate(lines);
  }

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to="/backoffice/inventory/purchase-orders" size="sm">
          ← {t('po.backToList')}
        </Anchor>
        <PageHeader
          title={t('po.detailTitle', { supplier: supplier?.name ?? '…' })}
          description={po.id}
          actions={
            <Badge size="lg" variant="light" color={PO_STATUS_COLORS[po.status]} data-testid="po-status">
              {t(`po.status.${po.status}`)}
            </Badge>
          }
        />
      </div>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <Field label={t('po.supplier')} value={supplier ? `${supplier.code} · ${supplier.name}` : po.supplierId} />
          <Field label={t('po.location')} value={location ? `${location.code} · ${location.name}` : po.locationId} />
          <Field label={t('po.createdAt')} value={formatDateTime(po.createdAt)} />
          <Field label={t('po.sentAt')} value={formatDateTime(po.sentAt)} />
          <Field label={t('po.expectedAt')} value={formatDateTime(po.expectedAt)} />
          <Field label={t('po.closedAt')} value={formatDateTime(po.closedAt)} />
          <Field label={t('po.totalCost')} value={po.totalCost != null ? formatMoney(po.totalCost) : '—'} />
          <Field label={t('po.note')} value={po.note ?? '—'} />
        </SimpleGrid>
      </Card>

      {writable && (
        <Group gap="sm">
          {po.status === 'draft' && (
            <Button onClick={() => send.mutate()} loading={send.isPending}>
              {t('po.send')}
            </Button>
          )}
          {receivable && !partial && (
            <>
              <Button onClick={() => receive.mutate(undefined)} loading={receive.isPending}>
                {t('po.receiveAll')}
              </Button>
              <Button variant="default" onClick={() => setPartial(Object.fromEntries(po.lines.map((l) => [l.variantId, l.outstanding])))}>
                {t('po.receivePartly')}
              </Button>
            </>
          )}
          {partial && (
            <>
              <Button onClick={submitPartial} loading={receive.isPending}>
                {t('po.receiveEntered')}
              </Button>
              <Button variant="default" onClick={() => setPartial(null)}>
                {t('common.cancel')}
              </Button>
            </>
          )}
          {(po.status === 'draft' || po.status === 'sent' || po.status === 'partially_received') && !partial && (
            <Button variant="light" color="red" onClick={() => setConfirmCancel(true)}>
              {t('po.cancel')}
            </Button>
          )}
        </Group>
      )}
      {partial && (
        <Alert color="blue" variant="light">
          {t('po.partialHint')}
        </Alert>
      )}

      <section aria-labelledby="po-lines">
        <Title order={2} size="h3" id="po-lines" mb="md">
          {t('po.lines')}
        </Title>
        <Table.ScrollContainer minWidth={700}>
          <Table striped verticalSpacing="sm" aria-label={t('po.lines')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stock.sku')}</Table.Th>
                <Table.Th ta="right">{t('po.quantity')}</Table.Th>
                <Table.Th ta="right">{t('po.receivedQty')}</Table.Th>
                <Table.Th ta="right">{t('po.outstanding')}</Table.Th>
                <Table.Th ta="right">{t('po.cost')}</Table.Th>
                {partial && <Table.Th>{t('po.receiveNow')}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {po.lines.map((l) => (
                <Table.Tr key={l.variantId}>
                  <Table.Td>
                    <VariantLabel variantId={l.variantId} />
                  </Table.Td>
                  <Table.Td ta="right">{l.quantity}</Table.Td>
                  <Table.Td ta="right">{l.received}</Table.Td>
                  <Table.Td ta="right" fw={600}>
                    {l.outstanding}
                  </Table.Td>
                  <Table.Td ta="right">{l.cost != null ? formatMoney(l.cost) : '—'}</Table.Td>
                  {partial && (
                    <Table.Td>
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
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
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
    </Stack>
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
