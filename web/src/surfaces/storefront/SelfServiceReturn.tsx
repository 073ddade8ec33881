// Self-service returns on the shopper's order page: choose the lines and quantities that come back,
// a reason, by post or at a store, see what would be refunded, and get a return authorisation (RMA)
// with what to do next. The API applies the return policy (window, non-returnable products, how many
// are still returnable) and names what is wrong.
import { Alert, Badge, Button, Card, Group, NumberInput, Radio, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { type Schemas } from '../../api/client';
import { formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { problemMessage } from '../../lib/notify';
import { type Order } from '../../api/shop';
import { useVariantTitle, useCreateShopReturn, useOrderReturnsForShopper, useReturnPolicy, useShopReturnPreview } from '../../api/hooks/shop';

type Return = Schemas['Return'];
type Reason = 'changed_mind' | 'wrong_size' | 'defective' | 'not_as_described' | 'arrived_late' | 'wrong_item' | 'other';

function LineName({ variantId, sku }: { variantId: string; sku: string }) {
  const title = useVariantTitle(variantId);
  return <>{title.data?.product.displayTitle ?? sku}</>;
}

function ReturnCard({ r, currency }: { r: Return; currency: string }) {
  const { t } = useTranslation('shop');
  return (
    <Stack gap={4} data-testid="rma">
      <Group gap="xs">
        <Text size="sm" fw={600}>
          {t('returns.rma', { id: r.id })}
        </Text>
        <Badge variant="light" color={r.status === 'refunded' ? 'teal' : r.status === 'cancelled' ? 'gray' : 'blue'}>
          {t(`returns.status.${r.status}`, { defaultValue: r.status })}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {formatDateTime(r.createdAt)} · {r.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ')}
      </Text>
      {r.status === 'requested' && <Text size="sm">{t(r.method === 'mail' ? 'returns.instructionsMail' : 'returns.instructionsStore', { id: r.id })}</Text>}
      {r.refundTotal != null && <Text size="sm">{t('returns.refunded', { amount: formatMoney(r.refundTotal, currency) })}</Text>}
    </Stack>
  );
}

export function SelfServiceReturn({ order }: { order: Order }) {
  const { t } = useTranslation('shop');
  const policy = useReturnPolicy();
  const existing = useOrderReturnsForShopper(order.id);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [reason, setReason] = useState<string | null>(null);
  const [method, setMethod] = useState<'mail' | 'in_store'>('mail');
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<Return | null>(null);

  const held = new Map<string, number>();
  for (const r of existing.data?.data ?? []) if (r.status !== 'cancelled') for (const l of r.lines) held.set(l.orderLineId, (held.get(l.orderLineId) ?? 0) + l.quantity);
  const returnable = order.lines.filter((l) => l.status === 'fulfilled').map((l) => ({ line: l, left: l.quantity - (held.get(l.id) ?? 0) }));
  const chosen = Object.entries(quantities).filter(([, q]) => q > 0);
  const lines = chosen.map(([orderLineId, quantity]) => ({ orderLineId, quantity, reason: (reason ?? 'other') as Reason }));

  const preview = useShopReturnPreview(lines.length > 0 && !!reason ? { orderId: order.id, method, lines } : null);
  const create = useCreateShopReturn({
    onSuccess: (r) => {
      setMade(r.return);
      setQuantities({});
      setError(null);
    },
    onError: (err) => setError(problemMessage(err)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!lines.length) return setError(t('returns.chooseLines'));
    if (!reason) return setError(t('returns.chooseReason'));
    setError(null);
    create.mutate({ orderId: order.id, method, lines });
  };

  const earlier = existing.data?.data ?? [];
  if (!returnable.length && !earlier.length) return null;
  return (
    <Card withBorder padding="md" radius="md" component="section" aria-labelledby="returns-title">
      <Title order={2} size="h5" id="returns-title" mb="xs">
        {t('returns.title')}
      </Title>
      {policy.data && (
        <Text size="xs" c="dimmed" mb="sm">
          {t('returns.policy', { days: policy.data.windowDays })}
        </Text>
      )}
      <Stack gap="md">
        {made && (
          <Alert color="teal" role="status" title={t('returns.madeTitle')}>
            <ReturnCard r={made} currency={order.currency} />
          </Alert>
        )}
        {earlier.filter((r) => r.id !== made?.id).map((r) => (
          <ReturnCard key={r.id} r={r} currency={order.currency} />
        ))}
        {returnable.some((r) => r.left > 0) && (
          <form onSubmit={submit} noValidate aria-label={t('returns.formLabel')}>
            <Stack gap="sm">
              <Table verticalSpacing={4} aria-label={t('returns.linesLabel')}>
                <Table.Tbody>
                  {returnable.map(({ line, left }) => (
                    <Table.Tr key={line.id}>
                      <Table.Td>
                        <Text size="sm">
                          <LineName variantId={line.variantId} sku={line.sku} />
                        </Text>
                        <Text size="xs" c="dimmed">
                          {t('returns.canReturn', { count: Math.max(left, 0) })}
                        </Text>
                      </Table.Td>
                      <Table.Td w={120}>
                        <NumberInput
                          aria-label={t('returns.quantityOf', { sku: line.sku })}
                          min={0}
                          max={Math.max(left, 0)}
                          disabled={left <= 0}
                          value={quantities[line.id] ?? 0}
                          onChange={(v) => setQuantities((q) => ({ ...q, [line.id]: Math.min(Math.max(Number(v) || 0, 0), Math.max(left, 0)) }))}
                          allowDecimal={false}
                          size="xs"
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Select
                label={t('returns.reason')}
                placeholder={t('returns.reasonPlaceholder')}
                data={(policy.data?.reasons ?? []).map((r) => ({ value: r, label: t(`returns.reasons.${r}`, { defaultValue: r }) }))}
                value={reason}
                onChange={setReason}
              />
              <Radio.Group label={t('returns.how')} value={method} onChange={(v) => setMethod(v as 'mail' | 'in_store')}>
                <Group gap="md" mt={4}>
                  <Radio value="mail" label={t('returns.byMail')} />
                  <Radio value="in_store" label={t('returns.inStore')} />
                </Group>
              </Radio.Group>
              {preview.data && (
                <Text size="sm" data-testid="return-refund">
                  {t('returns.youGetBack', { amount: formatMoney(preview.data.refund.payout, order.currency) })}
                </Text>
              )}
              {preview.isError && (
                <Alert color="orange" role="alert">
                  {problemMessage(preview.error)}
                </Alert>
              )}
              {error && (
                <Alert color="red" role="alert">
                  {error}
                </Alert>
              )}
              <Button type="submit" loading={create.isPending} w="fit-content">
                {t('returns.submit')}
              </Button>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}
