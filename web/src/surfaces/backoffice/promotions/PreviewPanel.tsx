// The builder's live preview: a sample cart the user puts together, priced with the promotion as it
// is being edited (POST /v1/promotions/preview, a moment after the last change).
import { Alert, Badge, Card, Checkbox, CloseButton, Group, List, Loader, NumberInput, Select, SimpleGrid, Stack, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../../api/client';
import { usePromotionPreview } from '../../../api/hooks/promotions';
import { formatMoney, parseMoney } from '../../../lib/money';
import { problemMessage } from '../../../lib/notify';
import { CHANNELS, type Channel, type PromotionInput } from './model';
import { ProductSearch } from './ProductSearch';
import { formatPercent } from '../../../lib/format';
import { useContentLocale } from '../../../lib/i18n';

type Quote = Schemas['CartQuote'];

interface SampleLine {
  sku: string;
  title: string;
  quantity: number | string;
}

export function PreviewPanel({ input, invalid }: { input: PromotionInput | null; invalid: boolean }) {
  const { t } = useTranslation('promotions');
  // The server words why an offer did not apply in the language it is asked for.
  const language = useContentLocale();
  const [lines, setLines] = useState<SampleLine[]>([]);
  const [channel, setChannel] = useState<Channel>('web');
  const [couponCodes, setCouponCodes] = useState<string[]>([]);
  const [shipping, setShipping] = useState('');
  const [isMember, setIsMember] = useState(false);
  const [groups, setGroups] = useState<string[]>([]);

  const shippingCents = shipping.trim() ? parseMoney(shipping) : null;
  const shippingError = shipping.trim() && (shippingCents === null || shippingCents < 0) ? t('errors.amountInvalid') : undefined;
  const cartLines = lines.map((l) => ({ sku: l.sku, quantity: Number(l.quantity) })).filter((l) => Number.isInteger(l.quantity) && l.quantity > 0);
  const cart = {
    channel,
    lines: cartLines,
    ...(couponCodes.length ? { couponCodes } : {}),
    ...(shippingCents !== null && !shippingError ? { shippingCost: shippingCents } : {}),
    ...(isMember ? { isMember } : {}),
    ...(groups.length ? { customerGroups: groups } : {}),
  };
  const [request] = useDebouncedValue(input && cartLines.length ? { promotion: input, cart } : null, 300);
  const preview = usePromotionPreview(request, language);
  const titles = new Map(lines.map((l) => [l.sku, l.title]));

  function addLine(sku: string, title: string) {
    setLines((now) => (now.some((l) => l.sku === sku) ? now.map((l) => (l.sku === sku ? { ...l, quantity: Number(l.quantity) + 1 } : l)) : [...now, { sku, title, quantity: 1 }]));
  }

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="promo-preview-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="promo-preview-title">
          {t('preview.title')}
        </Title>
        {preview.isFetching && <Loader size="xs" aria-label={t('preview.updating')} />}
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {t('preview.description')}
      </Text>

      <Stack gap="sm">
        <ProductSearch label={t('preview.addProduct')} description={t('preview.addProductHint')} onPick={(p) => addLine(p.sku, p.title)} />
        <SkuAdder onAdd={(sku) => addLine(sku, '')} />
        {lines.length > 0 && (
          <Table verticalSpacing={4} aria-label={t('preview.sampleCart')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('preview.product')}</Table.Th>
                <Table.Th w={110}>{t('preview.quantity')}</Table.Th>
                <Table.Th w={40} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l) => (
                <Table.Tr key={l.sku}>
                  <Table.Td>
                    <Text size="sm">{l.title || l.sku}</Text>
                    {l.title && (
                      <Text size="xs" c="dimmed" ff="monospace">
                        {l.sku}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      size="xs"
                      min={1}
                      max={9999}
                      allowDecimal={false}
                      allowNegative={false}
                      aria-label={t('preview.quantityFor', { sku: l.sku })}
                      value={l.quantity}
                      onChange={(quantity) => setLines((now) => now.map((x) => (x.sku === l.sku ? { ...x, quantity } : x)))}
                    />
                  </Table.Td>
                  <Table.Td>
                    <CloseButton size="sm" aria-label={t('preview.removeLine', { sku: l.sku })} onClick={() => setLines((now) => now.filter((x) => x.sku !== l.sku))} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label={t('preview.channel')} data={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))} value={channel} onChange={(c) => c && setChannel(c as Channel)} allowDeselect={false} />
          <TextInput label={t('preview.shipping')} leftSection="€" inputMode="decimal" placeholder={t('rule.euroPlaceholder')} value={shipping} onChange={(e) => setShipping(e.currentTarget.value)} error={shippingError} />
          <TagsInput label={t('preview.couponCodes')} description={t('preview.couponCodesHint')} value={couponCodes} onChange={setCouponCodes} clearable />
          <TagsInput label={t('preview.customerGroups')} description={t('preview.customerGroupsHint')} value={groups} onChange={setGroups} clearable />
        </SimpleGrid>
        <Checkbox label={t('preview.isMember')} checked={isMember} onChange={(e) => setIsMember(e.currentTarget.checked)} />
      </Stack>

      <div aria-live="polite" style={{ marginTop: 'var(--mantine-spacing-lg)' }}>
        {invalid ? (
          <Alert color="yellow" variant="light">
            {t('preview.fixForm')}
          </Alert>
        ) : !cartLines.length ? (
          <Text size="sm" c="dimmed">
            {t('preview.emptyCart')}
          </Text>
        ) : preview.isError ? (
          <PreviewError error={preview.error} />
        ) : preview.data ? (
          <QuoteView quote={preview.data} titles={titles} stale={preview.isPlaceholderData} />
        ) : (
          <Loader size="sm" aria-label={t('preview.updating')} />
        )}
      </div>
    </Card>
  );
}

/** Typing a SKU directly, for when the name is not known or the search is not needed. */
function SkuAdder({ onAdd }: { onAdd: (sku: string) => void }) {
  const { t } = useTranslation('promotions');
  const [sku, setSku] = useState('');
  return (
    <TextInput
      label={t('preview.addSku')}
      description={t('preview.addSkuHint')}
      value={sku}
      onChange={(e) => setSku(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && sku.trim()) {
          e.preventDefault();
          onAdd(sku.trim());
          setSku('');
        }
      }}
    />
  );
}

function PreviewError({ error }: { error: unknown }) {
  const { t } = useTranslation('promotions');
  return (
    <Alert color="red" title={t('preview.failed')} role="alert">
      <Text size="sm">{problemMessage(error)}</Text>
      {error instanceof ApiProblem && error.errors.length > 0 && (
        <List size="sm" mt={4}>
          {error.errors.map((e, i) => (
            <List.Item key={i}>
              <Text span ff="monospace" size="xs">
                {e.field}
              </Text>
              : {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

function QuoteView({ quote, titles, stale }: { quote: Quote; titles: Map<string, string>; stale: boolean }) {
  const { t } = useTranslation('promotions');
  const money = (c: number) => formatMoney(c, quote.currency);
  return (
    <Stack gap="md" style={{ opacity: stale ? 0.6 : 1 }} data-testid="promotion-preview">
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing={6} aria-label={t('preview.pricedLines')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('preview.product')}</Table.Th>
              <Table.Th ta="right">{t('preview.quantity')}</Table.Th>
              <Table.Th ta="right">{t('preview.unitPrice')}</Table.Th>
              <Table.Th ta="right">{t('preview.lineTotal')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {quote.lines.map((l) => (
              <Table.Tr key={l.lineId}>
                <Table.Td>
                  <Text size="sm">{titles.get(l.sku) || l.sku}</Text>
                  {l.adjustments.map((a, i) => (
                    <Text key={i} size="xs" c="teal.8">
                      {a.name}: {a.description} ({money(a.amount)})
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td ta="right">{l.quantity}</Table.Td>
                <Table.Td ta="right">{money(l.unitPrice)}</Table.Td>
                <Table.Td ta="right">
                  {l.total !== l.subtotal && (
                    <Text size="xs" c="dimmed" td="line-through" aria-label={t('preview.wasPrice', { price: money(l.subtotal) })}>
                      {money(l.subtotal)}
                    </Text>
                  )}
                  <Text size="sm" fw={600}>
                    {money(l.total)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <Table verticalSpacing={2} aria-label={t('preview.totals')} withRowBorders={false}>
        <Table.Tbody>
          <TotalRow label={t('preview.subtotal')} value={money(quote.subtotal)} />
          {quote.orderAdjustments.map((a, i) => (
            <TotalRow key={i} label={`${a.name}: ${a.description}`} value={money(a.amount)} color="teal.8" />
          ))}
          <TotalRow label={t('preview.discountTotal')} value={quote.discountTotal ? money(-quote.discountTotal) : money(0)} color={quote.discountTotal ? 'teal.8' : undefined} />
          <TotalRow label={t('preview.shippingLine')} value={quote.shipping.discount ? `${money(quote.shipping.total)} (${t('preview.shippingWas', { price: money(quote.shipping.cost) })})` : money(quote.shipping.total)} />
          <TotalRow label={t('preview.total')} value={money(quote.total)} strong testId="preview-total" />
        </Table.Tbody>
      </Table>

      {quote.applied.length > 0 && (
        <div>
          <Text size="sm" fw={600} mb={4}>
            {t('preview.applied')}
          </Text>
          <List size="sm" spacing={2}>
            {quote.applied.map((a) => (
              <List.Item key={a.promotionId + (a.couponCode ?? '')}>
                <Badge color="teal" variant="light" mr={6}>
                  {t('preview.appliedBadge')}
                </Badge>
                {a.name}: {money(-a.amount)}
                {a.couponCode && ` (${t('preview.withCoupon', { code: a.couponCode })})`}
                {a.note && ` · ${a.note}`}
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {quote.notApplied.length > 0 && (
        <div>
          <Text size="sm" fw={600} mb={4}>
            {t('preview.notApplied')}
          </Text>
          <List size="sm" spacing={2}>
            {quote.notApplied.map((n) => (
              <List.Item key={n.promotionId}>
                <Badge color="orange" variant="light" mr={6}>
                  {t(`reasons.${n.reason}`, { defaultValue: n.reason })}
                </Badge>
                {n.name}: {n.message}
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {quote.applied.length === 0 && quote.notApplied.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('preview.nothingApplies')}
        </Text>
      )}
      {quote.coupons.length > 0 && (
        <div>
          <Text size="sm" fw={600} mb={4}>
            {t('preview.coupons')}
          </Text>
          <List size="sm" spacing={2}>
            {quote.coupons.map((c) => (
              <List.Item key={c.code}>
                <Text span ff="monospace" size="sm">
                  {c.code}
                </Text>
                : {c.applied ? t('preview.couponApplied') : c.message}
              </List.Item>
            ))}
          </List>
        </div>
      )}

      <div>
        <Text size="sm" fw={600} mb={4}>
          {t('preview.vat')}
        </Text>
        <Table verticalSpacing={2} aria-label={t('preview.vat')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('preview.vatRate')}</Table.Th>
              <Table.Th ta="right">{t('preview.vatNet')}</Table.Th>
              <Table.Th ta="right">{t('preview.vatAmount')}</Table.Th>
              <Table.Th ta="right">{t('preview.vatGross')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {quote.vat.rows.map((r) => (
              <Table.Tr key={r.rate}>
                <Table.Td>{formatPercent(r.rate / 10000)}</Table.Td>
                <Table.Td ta="right">{money(r.net)}</Table.Td>
                <Table.Td ta="right">{money(r.vat)}</Table.Td>
                <Table.Td ta="right">{money(r.gross)}</Table.Td>
              </Table.Tr>
            ))}
            <Table.Tr fw={600}>
              <Table.Td>{t('preview.vatTotal')}</Table.Td>
              <Table.Td ta="right">{money(quote.vat.net)}</Table.Td>
              <Table.Td ta="right">{money(quote.vat.vat)}</Table.Td>
              <Table.Td ta="right">{money(quote.vat.gross)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </div>
    </Stack>
  );
}

function TotalRow({ label, value, color, strong, testId }: { label: string; value: string; color?: string; strong?: boolean; testId?: string }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={strong ? 700 : undefined}>
          {label}
        </Text>
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm" fw={strong ? 700 : undefined} c={color} data-testid={testId}>
          {value}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}
