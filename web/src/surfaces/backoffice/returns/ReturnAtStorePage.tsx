// A return taken at a store, for an order from any channel: find the order (by number or the
// customer's e-mail), choose what comes back with a reason and the inspection outcome, see the
// refund the server computes (with the order's promotions) and how it splits over the tenders,
// then confirm. The refund shown is the server's preview; confirming sends the same choice.
import { Alert, Anchor, Badge, Button, Card, Code, Group, NumberInput, Radio, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Schemas } from '../../../api/client';
import { useCreateReturn, useReturnOrderLookup, useReturnPreview } from '../../../api/hooks/orders';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { useMe } from '../../../lib/auth';
import { useLocationOptions } from '../../../lib/catalog';
import { formatDateTime } from '../../../lib/format';
import { formatMoney } from '../../../lib/money';
import { notifyError } from '../../../lib/notify';
import { usePageTitle } from '../../../lib/usePageTitle';

// What the order lookup answers for any store's order: its lines and what can still come back.
type Order = Schemas['ReturnableOrder'];
const REASONS = ['changed_mind', 'wrong_size', 'defective', 'not_as_described', 'arrived_late', 'wrong_item', 'other'] as const;
const OUTCOMES = ['restock', 'damaged', 'quarantine'] as const;
type Reason = (typeof REASONS)[number];
type Outcome = (typeof OUTCOMES)[number];
interface Choice {
  quantity: number;
  reason: Reason;
  outcome: Outcome;
}

export function ReturnAtStorePage() {
  const { t } = useTranslation('returns');
  usePageTitle(t('flow.title'));
  const me = useMe().data as { storeIds?: string[] | null } | undefined;
  const storeOptions = useLocationOptions((l) => l.type === 'store' && l.status === 'active' && (!me?.storeIds || me.storeIds.includes(l.id)));
  const [storeId, setStoreId] = useState<string | null>(null);
  const store = storeId ?? (storeOptions.length === 1 ? storeOptions[0].value : null);
  // `?orderId=ord_…` (e.g. from an order's page) opens that order at once.
  const [params] = useSearchParams();
  const [orderId, setOrderId] = useState(params.get('orderId') ?? '');
  const [email, setEmail] = useState('');
  const [candidates, setCandidates] = useState<Order[] | null>(null);
  const [order, setOrder] = useState<Order | null>(null);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [refundMethod, setRefundMethod] = useState<'original' | 'store_credit'>('original');
  const [done, setDone] = useState<{ id: string; payout: number; code: string | null } | null>(null);
  const attempt = useRef<string>(crypto.randomUUID());

  const lookup = useReturnOrderLookup({
    onSuccess: (orders) => {
      setCandidates(orders);
      if (orders.length === 1) choose(orders[0]);
    },
    onError: notifyError,
  });
  const find = () => lookup.mutate(orderId.trim() ? { orderId: orderId.trim() } : { email: email.trim() });

  const opened = useRef(false);
  useEffect(() => {
    if (!opened.current && params.get('orderId')) {
      opened.current = true;
      find();
    }
  }, [params, find]);

  /** Per order line: how many can still come back (the server counts the returns of every store). */
  const returnable = useMemo(() => Object.fromEntries((order?.lines ?? []).map((l) => [l.id, l.returnable])), [order]);

  function choose(o: Order) {
    setOrder(o);
    setChoices(Object.fromEntries(o.lines.map((l) => [l.id, { quantity: 0, reason: 'changed_mind' as Reason, outcome: 'restock' as Outcome }])));
    setDone(null);
    attempt.current = crypto.randomUUID();
  }
  const set = (lineId: string, patch: Partial<Choice>) => setChoices((c) => ({ ...c, [lineId]: { ...c[lineId], ...patch } }));
  const lines = Object.entries(choices)
    .filter(([, c]) => c.quantity > 0)
    .map(([orderLineId, c]) => ({ orderLineId, quantity: c.quantity, reason: c.reason, outcome: c.outcome }));

  // The body the confirmation will send, priced as the lines change.
  const preview = useReturnPreview(order && lines.length > 0 && !done ? { orderId: order.id, method: 'in_store', locationId: store ?? undefined, lines, refundMethod } : null);

  // Returns, orders, gift cards (store credit) and stock are refreshed by the hook.
  const confirm = useCreateReturn({
    onSuccess: (r) => {
      setDone({ id: r.return.id, payout: r.return.refund?.payout ?? 0, code: r.storeCreditCode });
    },
    onError: notifyError,
  });

  const refund = preview.data?.refund;
  return (
    <Stack gap="md">
      <PageHeader title={t('flow.title')} description={t('flow.description')} actions={<Anchor component={Link} to="/backoffice/returns">{t('flow.back')}</Anchor>} />
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          {t('flow.findTitle')}
        </Title>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (orderId.trim() || email.trim()) find();
          }}
        >
          <Group align="flex-end">
            <TextInput label={t('flow.orderId')} placeholder={t('flow.orderIdPlaceholder')} value={orderId} onChange={(e) => setOrderId(e.currentTarget.value)} w={320} />
            <TextInput label={t('flow.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} w={260} />
            <Button type="submit" loading={lookup.isPending}>
              {t('flow.find')}
            </Button>
          </Group>
        </form>
        {candidates && candidates.length === 0 && (
          <Text mt="sm" c="dimmed">
            {t('flow.noOrders')}
          </Text>
        )}
        {candidates && candidates.length > 1 && (
          <Stack mt="sm" gap="xs">
            {candidates.map((o) => (
              <Group key={o.id}>
                <Text size="sm">{t('flow.orderSummary', { id: o.id, channel: o.channel, date: formatDateTime(o.createdAt), total: formatMoney(o.total, o.currency) })}</Text>
                <Button size="xs" variant="light" onClick={() => choose(o)}>
                  {t('flow.pickOrder')}
                </Button>
              </Group>
            ))}
          </Stack>
        )}
      </Card>

      {order && (
        <Card withBorder>
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h4">
              {t('flow.linesTitle')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('flow.orderSummary', { id: order.id, channel: order.channel, date: formatDateTime(order.createdAt), total: formatMoney(order.total, order.currency) })}
            </Text>
          </Group>
          <Select label={t('flow.store')} data={storeOptions} value={store} onChange={setStoreId} w={320} mb="md" required />
          <Table verticalSpacing="xs" aria-label={t('flow.linesLabel')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('flow.product')}</Table.Th>
                <Table.Th>{t('flow.bought')}</Table.Th>
                <Table.Th>{t('flow.paid')}</Table.Th>
                <Table.Th>{t('flow.quantity')}</Table.Th>
                <Table.Th>{t('flow.reason')}</Table.Th>
                <Table.Th>{t('flow.outcome')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {order.lines.map((l) => {
                const c = choices[l.id];
                const max = Math.max(0, returnable[l.id] ?? 0);
                return (
                  <Table.Tr key={l.id}>
                    <Table.Td>
                      <Text ff="monospace" size="sm">
                        {l.sku}
                      </Text>
                      {l.status !== 'fulfilled' && (
                        <Badge size="xs" variant="light" color="gray">
                          {t('flow.notYetDelivered')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{l.quantity}</Table.Td>
                    <Table.Td>{formatMoney(l.total, order.currency)}</Table.Td>
                    <Table.Td>
                      <NumberInput aria-label={t('flow.quantityFor', { sku: l.sku })} min={0} max={max} value={c?.quantity ?? 0} onChange={(v) => set(l.id, { quantity: Math.min(max, Math.max(0, Number(v) || 0)) })} disabled={max === 0} w={90} allowDecimal={false} />
                    </Table.Td>
                    <Table.Td>
                      <Select aria-label={t('flow.reasonFor', { sku: l.sku })} data={REASONS.map((r) => ({ value: r, label: t(`reasons.${r}`) }))} value={c?.reason} onChange={(v) => v && set(l.id, { reason: v as Reason })} disabled={!c?.quantity} w={190} allowDeselect={false} />
                    </Table.Td>
                    <Table.Td>
                      <Select aria-label={t('flow.outcomeFor', { sku: l.sku })} data={OUTCOMES.map((o) => ({ value: o, label: t(`outcomes.${o}`) }))} value={c?.outcome} onChange={(v) => v && set(l.id, { outcome: v as Outcome })} disabled={!c?.quantity} w={210} allowDeselect={false} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          <Radio.Group label={t('flow.refundMethod')} value={refundMethod} onChange={(v) => setRefundMethod(v as 'original' | 'store_credit')} mt="md">
            <Group mt="xs">
              <Radio value="original" label={t('flow.original')} />
              <Radio value="store_credit" label={t('flow.storeCredit')} />
            </Group>
          </Radio.Group>
        </Card>
      )}

      {order && !done && (
        <Card withBorder aria-label={t('flow.refundTitle')} component="section">
          <Title order={2} size="h4" mb="sm">
            {t('flow.refundTitle')}
          </Title>
          {lines.length === 0 && <Text c="dimmed">{t('flow.chooseSomething')}</Text>}
          {lines.length > 0 && preview.isFetching && !refund && <Text c="dimmed">{t('flow.computing')}</Text>}
          {preview.isError && <QueryError error={preview.error} />}
          {lines.length > 0 && refund && !preview.isError && (
            <Stack gap="xs">
              <Group gap="xl">
                <Text>
                  {t('flow.goods')}: <b>{formatMoney(refund.goods, order.currency)}</b>
                </Text>
                <Text>
                  {t('flow.shipping')}: <b>{formatMoney(refund.shipping, order.currency)}</b>
                </Text>
                <Text size="lg">
                  {t('flow.refundTotal')}:{' '}
                  <b data-testid="refund-total">{formatMoney(refund.payout, order.currency)}</b>
                </Text>
              </Group>
              <Text size="sm" c="dimmed">
                {t('flow.keptValue', { value: formatMoney(refund.keptValueAfter, order.currency), paid: formatMoney(refund.paidForGoods, order.currency) })}
              </Text>
              {refund.payout === 0 && <Text size="sm">{t('flow.nothingToRefund')}</Text>}
              {refund.refundMethod === 'store_credit' && refund.payout > 0 && <Text size="sm">{t('flow.asStoreCredit')}</Text>}
              {refund.split.length > 0 && (
                <Table aria-label={t('flow.splitLabel')} w={420}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('flow.tender')}</Table.Th>
                      <Table.Th>{t('flow.amount')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {refund.split.map((p) => (
                      <Table.Tr key={p.paymentId}>
                        <Table.Td>
                          {t(`providers.${p.provider as 'test_card'}`)}
                          {p.cardLast4 ? ` •••• ${p.cardLast4}` : ''}
                        </Table.Td>
                        <Table.Td>{formatMoney(p.amount, order.currency)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
              <Group mt="sm">
                <Button onClick={() => confirm.mutate({ body: { orderId: order!.id, method: 'in_store', locationId: store!, lines, refundMethod }, idempotencyKey: attempt.current })} loading={confirm.isPending} disabled={!store || preview.isFetching}>
                  {t('flow.confirm', { amount: formatMoney(refund.payout, order.currency) })}
                </Button>
              </Group>
            </Stack>
          )}
        </Card>
      )}

      {done && order && (
        <Alert color="teal" title={t('flow.done', { id: done.id, amount: formatMoney(done.payout, order.currency) })}>
          {done.code && (
            <Text>
              {t('flow.storeCreditCode')}: <Code>{done.code}</Code>
            </Text>
          )}
          <Button mt="sm" variant="light" onClick={() => { setOrder(null); setCandidates(null); setDone(null); setOrderId(''); setEmail(''); }}>
            {t('flow.another')}
          </Button>
        </Alert>
      )}
    </Stack>
  );
}
