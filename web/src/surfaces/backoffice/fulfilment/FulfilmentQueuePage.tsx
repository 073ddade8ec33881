// A store's (or warehouse's) queue: every fulfilment with the steps it can take now. Picking, packing
// and marking ready are one click; shipping asks for the carrier and tracking number; handing over
// asks for the customer's pickup code (a wrong one is refused and changes nothing).
import { Alert, Anchor, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiProblem, type Schemas } from '../../../api/client';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { useLocations } from '../../../api/hooks/inventory';
import { useCarriers, useFulfilmentStep, useFulfilments } from '../../../api/hooks/orders';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';
import { notifyError, notifySuccess } from '../../../lib/notify';

type Fulfilment = Schemas['Fulfilment'];
type Action = Fulfilment['nextActions'][number];
type Status = Fulfilment['status'];

const STATUSES: Status[] = ['open', 'picked', 'packed', 'shipped', 'ready', 'delivered', 'collected', 'cancelled'];
const ACTIVE: Status[] = ['open', 'picked', 'packed', 'shipped', 'ready'];
const STATUS_COLORS: Record<Status, string> = { open: 'blue', picked: 'cyan', packed: 'teal', shipped: 'violet', ready: 'green', delivered: 'gray', collected: 'gray', cancelled: 'red' };
const ORDER: Action[] = ['pick', 'pack', 'ready', 'ship', 'deliver', 'handover', 'cancel'];

export function FulfilmentQueuePage() {
  const { t } = useTranslation('fulfilment');
  const can = useCan();
  const locations = useLocations();
  const [locationId, setLocationId] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>('active');
  const [method, setMethod] = useState<string | null>(null);
  const [shipping, setShipping] = useState<Fulfilment | null>(null);
  const [handingOver, setHandingOver] = useState<Fulfilment | null>(null);
  const [cancelling, setCancelling] = useState<Fulfilment | null>(null);
  const locationName = new Map((locations.data?.data ?? []).map((l) => [l.id, l.name]));
  const statuses: Status[] | undefined = status === 'active' ? ACTIVE : status ? [status as Status] : undefined;
  const list = useFulfilments({ locationId: locationId ?? undefined, status: statuses, method: (method as Fulfilment['method'] | null) ?? undefined });

  const step = useFulfilmentStep({
    onSuccess: (_data, { action }) => {
      setShipping(null);
      setHandingOver(null);
      setCancelling(null);
      notifySuccess(t(`done.${action}`));
    },
  });
  const run = (f: Fulfilment, action: Action) => {
    if (action === 'ship') return setShipping(f);
    if (action === 'handover') return setHandingOver(f);
    if (action === 'cancel') return setCancelling(f);
    step.mutate({ f, action }, { onError: notifyError });
  };

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} description={t('description')} />
      <Group align="flex-end">
        <Select
          label={t('store')}
          placeholder={t('allStores')}
          data={(locations.data?.data ?? []).filter((l) => l.type !== 'supplier').map((l) => ({ value: l.id, label: `${l.code} · ${l.name}` }))}
          value={locationId}
          onChange={setLocationId}
          clearable
          searchable
          w={260}
        />
        <Select
          label={t('status')}
          data={[{ value: 'active', label: t('activeOnly') }, ...STATUSES.map((s) => ({ value: s, label: t(`statuses.${s}`) }))]}
          value={status}
          onChange={setStatus}
          clearable
          w={220}
        />
        <Select
          label={t('method')}
          placeholder={t('allMethods')}
          data={(['delivery', 'pickup', 'ship_to_store'] as const).map((m) => ({ value: m, label: t(`methods.${m}`) }))}
          value={method}
          onChange={setMethod}
          clearable
          w={200}
        />
      </Group>
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      <Table.ScrollContainer minWidth={900}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('order')}</Table.Th>
              <Table.Th>{t('method')}</Table.Th>
              <Table.Th>{t('where')}</Table.Th>
              <Table.Th>{t('items')}</Table.Th>
              <Table.Th>{t('status')}</Table.Th>
              <Table.Th>{t('created')}</Table.Th>
              <Table.Th>{t('actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.length === 0 && !list.isError && <TableState colSpan={7} loading={list.isPending} empty={t('empty')} />}
            {list.items.map((f) => (
              <Table.Tr key={f.id} data-testid={`fulfilment-${f.id}`}>
                <Table.Td>
                  <Anchor component={Link} to={`/backoffice/orders/${f.orderId}`} size="sm" ff="monospace">
                    {f.orderId}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t(`methods.${f.method}`)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{locationName.get(f.locationId) ?? f.locationId}</Text>
                  {f.pickupLocationId && f.pickupLocationId !== f.locationId && (
                    <Text size="xs" c="dimmed">
                      {t('collectAt', { store: locationName.get(f.pickupLocationId) ?? f.pickupLocationId })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {f.lines.map((l) => (
                    <Text size="sm" key={l.orderLineId}>
                      {l.quantity} × {l.sku}
                    </Text>
                  ))}
                  {f.shippingAddress && (
                    <Text size="xs" c="dimmed" data-testid="ship-to">
                      {t('shipTo')}: {[f.shippingAddress.name, f.shippingAddress.line1, f.shippingAddress.line2, `${f.shippingAddress.postalCode} ${f.shippingAddress.city}`, f.shippingAddress.country].filter(Boolean).join(', ')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATUS_COLORS[f.status]} data-testid="fulfilment-status">
                    {t(`statuses.${f.status}`)}
                  </Badge>
                  {f.status === 'ready' && f.pickupDeadline && (
                    <Text size="xs" c="dimmed">
                      {t('deadline', { date: formatDateTime(f.pickupDeadline) })}
                    </Text>
                  )}
                  {f.trackingNumber && (
                    <Text size="xs" c="dimmed">
                      {t('tracking', { carrier: f.carrier, number: f.trackingNumber })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(f.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    {can('fulfilment:write') &&
                      [...f.nextActions]
                        .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
                        .map((a) => (
                          <Button
                            key={a}
                            size="xs"
                            variant={a === 'cancel' ? 'subtle' : 'light'}
                            color={a === 'cancel' ? 'red' : undefined}
                            loading={step.isPending && step.variables?.f.id === f.id && step.variables?.action === a}
                            aria-label={t('actNamed', { action: t(`act.${a}`), order: f.orderId })}
                            onClick={() => run(f, a)}
                          >
                            {t(`act.${a}`)}
                          </Button>
                        ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!list.hasNextPage} loading={list.isFetchingNextPage} onLoad={() => void list.fetchNextPage()} />
      <ShipModal f={shipping} onClose={() => setShipping(null)} onSubmit={(body) => shipping && step.mutate({ f: shipping, action: 'ship', body }, { onError: notifyError })} busy={step.isPending} />
      <HandoverModal f={handingOver} onClose={() => setHandingOver(null)} onSubmit={(code, tenders) => handingOver && step.mutateAsync({ f: handingOver, action: 'handover', body: { code, ...(tenders ? { tenders } : {}) } })} busy={step.isPending} />
      <CancelModal f={cancelling} onClose={() => setCancelling(null)} onSubmit={(reason) => cancelling && step.mutate({ f: cancelling, action: 'cancel', body: reason ? { reason } : {} }, { onError: notifyError })} busy={step.isPending} />
    </Stack>
  );
}

function ShipModal({ f, onClose, onSubmit, busy }: { f: Fulfilment | null; onClose: () => void; onSubmit: (body: Record<string, string>) => void; busy: boolean }) {
  const { t } = useTranslation('fulfilment');
  const carriers = useCarriers();
  const [carrier, setCarrier] = useState<string | null>('manual');
  const [trackingNumber, setTrackingNumber] = useState('');
  const [trackingUrl, setTrackingUrl] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ carrier: carrier ?? 'manual', trackingNumber, ...(trackingUrl ? { trackingUrl } : {}) });
  };
  return (
    <Modal opened={!!f} onClose={onClose} title={t('ship.title')}>
      <form onSubmit={submit}>
        <Stack>
          {f?.shippingAddress && (
            <Stack gap={0} component="address" aria-label={t('ship.address')} style={{ fontStyle: 'normal' }}>
              <Text size="xs" c="dimmed">
                {t('ship.address')}
              </Text>
              {[f.shippingAddress.name, f.shippingAddress.line1, f.shippingAddress.line2, `${f.shippingAddress.postalCode} ${f.shippingAddress.city}`, f.shippingAddress.country, f.shippingAddress.phone].filter(Boolean).map((line, i) => (
                <Text size="sm" key={i}>
                  {line}
                </Text>
              ))}
            </Stack>
          )}
          <Select label={t('ship.carrier')} data={(carriers.data?.data ?? []).map((c) => ({ value: c.code, label: c.name }))} value={carrier} onChange={setCarrier} allowDeselect={false} />
          <TextInput label={t('ship.trackingNumber')} value={trackingNumber} onChange={(e) => setTrackingNumber(e.currentTarget.value)} required data-autofocus />
          <TextInput label={t('ship.trackingUrl')} value={trackingUrl} onChange={(e) => setTrackingUrl(e.currentTarget.value)} type="url" />
          <Button type="submit" loading={busy}>
            {t('ship.submit')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

type CounterTender = { method: 'cash'; tendered?: number } | { method: 'card_present'; fingerprint: string; last4?: string };

function HandoverModal({ f, onClose, onSubmit, busy }: { f: Fulfilment | null; onClose: () => void; onSubmit: (code: string, tenders?: CounterTender[]) => Promise<unknown> | null; busy: boolean }) {
  const { t } = useTranslation('fulfilment');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  // Set when the order is paid at pickup: what the counter must take first.
  const [due, setDue] = useState<{ amount: number; currency: string } | null>(null);
  const [method, setMethod] = useState<'cash' | 'card_present'>('cash');
  const [tendered, setTendered] = useState('');
  const [cardRef, setCardRef] = useState('');
  const [last4, setLast4] = useState('');
  const close = () => {
    setCode('');
    setError(null);
    setDue(null);
    setTendered('');
    setCardRef('');
    setLast4('');
    onClose();
  };
  const tenders = (): CounterTender[] | undefined => {
    if (!due) return undefined;
    if (method === 'cash') return [{ method: 'cash', ...(tendered ? { tendered: Math.round(Number(tendered.replace(',', '.')) * 100) } : {}) }];
    return [{ method: 'card_present', fingerprint: cardRef.trim(), ...(last4 ? { last4 } : {}) }];
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await onSubmit(code.trim(), tenders());
      close();
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'pickup_code_invalid') setError(t('handover.wrong'));
      else if (err instanceof ApiProblem && err.code === 'payment_required') {
        const extra = err.body as { amountDue?: number; currency?: string };
        setDue({ amount: extra.amountDue ?? 0, currency: extra.currency ?? 'EUR' });
      } else notifyError(err);
    }
  };
  return (
    <Modal opened={!!f} onClose={close} title={t('handover.title')}>
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <Text size="sm">{t('handover.hint')}</Text>
          <TextInput label={t('handover.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} required inputMode="numeric" autoComplete="off" error={!!error} data-autofocus />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {due && (
            <Stack gap="xs">
              <Alert color="yellow" role="status">
                {t('handover.due', { amount: formatMoney(due.amount, due.currency) })}
              </Alert>
              <Select label={t('handover.method')} data={[{ value: 'cash', label: t('handover.cash') }, { value: 'card_present', label: t('handover.card') }]} value={method} onChange={(v) => setMethod((v as 'cash' | 'card_present') ?? 'cash')} allowDeselect={false} />
              {method === 'cash' ? (
                <TextInput label={t('handover.tendered')} value={tendered} onChange={(e) => setTendered(e.currentTarget.value)} inputMode="decimal" />
              ) : (
                <>
                  <TextInput label={t('handover.cardRef')} value={cardRef} onChange={(e) => setCardRef(e.currentTarget.value)} required minLength={4} />
                  <TextInput label={t('handover.last4')} value={last4} onChange={(e) => setLast4(e.currentTarget.value)} inputMode="numeric" maxLength={4} />
                </>
              )}
            </Stack>
          )}
          <Button type="submit" loading={busy}>
            {due ? t('handover.payAndSubmit') : t('handover.submit')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function CancelModal({ f, onClose, onSubmit, busy }: { f: Fulfilment | null; onClose: () => void; onSubmit: (reason: string) => void; busy: boolean }) {
  const { t } = useTranslation('fulfilment');
  const [reason, setReason] = useState('');
  return (
    <Modal opened={!!f} onClose={onClose} title={t('cancel.title')}>
      <Stack>
        <Text size="sm">{t('cancel.text')}</Text>
        <TextInput label={t('cancel.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={300} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('cancel.keep')}
          </Button>
          <Button color="red" loading={busy} onClick={() => onSubmit(reason.trim())}>
            {t('cancel.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
