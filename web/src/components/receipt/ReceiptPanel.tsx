// The receipt of an order, as the API builds it (GET /v1/orders/{id}/receipt): shop identity,
// lines with their discounts, totals, the VAT per rate and the tenders; plus a button that downloads
// the PDF (GET /v1/orders/{id}/receipt.pdf). Used by the storefront order page (customer session)
// and the back-office order detail (staff session): each passes the bearer token it calls with.
import { Alert, Button, Card, Divider, Group, Modal, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../api/client';
import { callWithToken as call, useReceipt } from '../../api/hooks/receipts';
import { useContentLocale } from '../../lib/i18n';
import '../../locales/receipt';

export type Receipt = Schemas['Receipt'];
type Locale = 'nl' | 'en';

const intlLocale = (l: Locale) => (l === 'nl' ? 'nl-NL' : 'en-GB');
const money = (cents: number, r: Pick<Receipt, 'currency' | 'locale'>) => new Intl.NumberFormat(intlLocale(r.locale), { style: 'currency', currency: r.currency }).format(cents / 100);
const percent = (bp: number, l: Locale) => `${new Intl.NumberFormat(intlLocale(l), { maximumFractionDigits: 2 }).format(bp / 100)}%`;

/** Downloads the PDF receipt with the given credential and hands it to the browser as a file. */
export async function downloadReceiptPdf(orderId: string, locale: Locale, token: string | null) {
  const response = await call(`/v1/orders/${encodeURIComponent(orderId)}/receipt.pdf?locale=${locale}`, token);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `receipt-${orderId}.pdf`;
  const href = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function useReceiptLocale(): Locale {
  return useContentLocale();
}

/** The "Download PDF receipt" button. */
export function ReceiptPdfButton({ orderId, token, variant = 'light' }: { orderId: string; token: string | null; variant?: 'light' | 'default' | 'subtle' }) {
  const { t } = useTranslation('receipt');
  const locale = useReceiptLocale();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <Stack gap={4} align="flex-start">
      <Button
        variant={variant}
        size="sm"
        loading={busy}
        onClick={async () => {
          setBusy(true);
          setFailed(null);
          try {
            await downloadReceiptPdf(orderId, locale, token);
          } catch (err) {
            setFailed(err instanceof ApiProblem ? err.detail : t('downloadFailed'));
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('downloadPdf')}
      </Button>
      {failed && (
        <Text size="xs" c="red" role="alert">
          {t('downloadFailed')} {failed}
        </Text>
      )}
    </Stack>
  );
}

export function ReceiptView({ receipt: r }: { receipt: Receipt }) {
  const { t } = useTranslation('receipt');
  const m = (c: number) => money(c, r);
  const date = new Intl.DateTimeFormat(intlLocale(r.locale), { timeZone: r.timeZone, dateStyle: 'long', timeStyle: 'short' }).format(new Date(r.issuedAt));
  const tender = (x: Receipt['tenders'][number]) => `${t(`providers.${x.provider}`, { defaultValue: x.provider })}${x.cardLast4 ? ` •••• ${x.cardLast4}` : ''}${x.status === 'pending' ? ` (${t('pending')})` : ''}`;
  return (
    <Stack gap="sm" data-testid="receipt">
      <Group justify="space-between" align="flex-start">
        <div>
          <Text fw={700}>{r.shop.name}</Text>
          {r.shop.address.map((a) => (
            <Text key={a} size="sm" c="dimmed">
              {a}
            </Text>
          ))}
          {r.shop.vatNumber && (
            <Text size="sm" c="dimmed">
              {t('vatNumber')}: {r.shop.vatNumber}
            </Text>
          )}
        </div>
        <div style={{ textAlign: 'right' }}>
          <Text size="sm">
            {t('order')}: <span style={{ fontFamily: 'monospace' }}>{r.number}</span>
          </Text>
          <Text size="sm">
            {t('date')}: {date}
          </Text>
          {r.store && (
            <Text size="sm">
              {t('store')}: {r.store.name}
            </Text>
          )}
        </div>
      </Group>
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing={4} aria-label={t('title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('item')}</Table.Th>
              <Table.Th ta="right">{t('quantity')}</Table.Th>
              <Table.Th ta="right">{t('unitPrice')}</Table.Th>
              <Table.Th ta="right">{t('vat')}</Table.Th>
              <Table.Th ta="right">{t('amount')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.lines.map((l) => (
              <Table.Tr key={l.id}>
                <Table.Td>
                  <Text size="sm">{l.name}</Text>
                  {l.discounts.map((d) => (
                    <Text key={d.promotionId} size="xs" c="teal">
                      {t('discount', { name: d.name })} {m(d.amount)}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td ta="right">{l.quantity}</Table.Td>
                <Table.Td ta="right">{m(l.unitPrice)}</Table.Td>
                <Table.Td ta="right">{percent(l.vatRate, r.locale)}</Table.Td>
                <Table.Td ta="right">{m(l.total)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Stack gap={2}>
        {(
          [
            [t('subtotal'), r.subtotal, false],
            ...(r.discountTotal ? [[t('discountTotal'), -r.discountTotal, false] as const] : []),
            ...(r.shippingTotal ? [[t('shipping'), r.shippingTotal, false] as const] : []),
            [t('total'), r.total, true],
            [t('netTotal'), r.netTotal, false],
          ] as const
        ).map(([label, cents, strong]) => (
          <Group key={label} justify="space-between">
            <Text size="sm" fw={strong ? 700 : undefined}>
              {label}
            </Text>
            <Text size="sm" fw={strong ? 700 : undefined}>
              {m(cents)}
            </Text>
          </Group>
        ))}
      </Stack>
      <Divider />
      <Title order={3} size="h6">
        {t('vatTitle')}
      </Title>
      <Table verticalSpacing={2} aria-label={t('vatTitle')} data-testid="receipt-vat">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('rate')}</Table.Th>
            <Table.Th ta="right">{t('net')}</Table.Th>
            <Table.Th ta="right">{t('vat')}</Table.Th>
            <Table.Th ta="right">{t('gross')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {r.vat.rows.map((v) => (
            <Table.Tr key={v.rate}>
              <Table.Td>{percent(v.rate, r.locale)}</Table.Td>
              <Table.Td ta="right">{m(v.net)}</Table.Td>
              <Table.Td ta="right">{m(v.vat)}</Table.Td>
              <Table.Td ta="right">{m(v.gross)}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td fw={700}>{t('totalVat')}</Table.Td>
            <Table.Td ta="right">{m(r.vat.net)}</Table.Td>
            <Table.Td ta="right" fw={700}>
              {m(r.vat.vat)}
            </Table.Td>
            <Table.Td ta="right">{m(r.vat.gross)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {r.tenders.length > 0 && (
        <>
          <Divider />
          <Title order={3} size="h6">
            {t('paidWith')}
          </Title>
          {r.tenders.map((x, i) => (
            <Group key={i} justify="space-between">
              <Text size="sm">{x.kind === 'refund' ? t('refunded', { tender: tender(x) }) : tender(x)}</Text>
              <Text size="sm">{m(x.kind === 'refund' ? -x.amount : x.amount)}</Text>
            </Group>
          ))}
        </>
      )}
    </Stack>
  );
}

/** Loads the receipt of an order (in the interface's language) and shows it with the PDF button. */
export function ReceiptPanel({ orderId, token, withTitle = true }: { orderId: string; token: string | null; withTitle?: boolean }) {
  const { t } = useTranslation('receipt');
  const locale = useReceiptLocale();
  const receipt = useReceipt(orderId, locale, token);
  return (
    <Card withBorder={withTitle} padding={withTitle ? 'md' : 0} radius="md" component="section" aria-label={withTitle ? undefined : t('title')} aria-labelledby={withTitle ? `receipt-${orderId}` : undefined}>
      <Group justify={withTitle ? 'space-between' : 'flex-end'} mb="sm">
        {withTitle && (
          <Title order={2} size="h5" id={`receipt-${orderId}`}>
            {t('title')}
          </Title>
        )}
        <ReceiptPdfButton orderId={orderId} token={token} />
      </Group>
      {receipt.isError ? (
        <Alert color="red" role="alert">
          {receipt.error instanceof ApiProblem ? receipt.error.detail : String(receipt.error)}
        </Alert>
      ) : receipt.data ? (
        <ReceiptView receipt={receipt.data} />
      ) : (
        <Skeleton h={200} aria-label={t('loading')} />
      )}
    </Card>
  );
}

/** A "Receipt" button that opens the receipt (with its PDF download) in a dialog: the back office. */
export function ReceiptButton({ orderId, token }: { orderId: string; token: string | null }) {
  const { t } = useTranslation('receipt');
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="default" size="sm" onClick={() => setOpen(true)}>
        {t('button')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('title')} size="xl">
        {open && <ReceiptPanel orderId={orderId} token={token} withTitle={false} />}
      </Modal>
    </>
  );
}
