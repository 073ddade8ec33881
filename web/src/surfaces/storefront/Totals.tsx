// Totals as a receipt shows them: goods, discounts, shipping, total, and the VAT in it per rate.
import { Divider, Group, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../lib/money';
import type { VatBreakdown } from '../../api/shop';

export function Totals({ subtotal, discountTotal, shipping, total, vat, currency }: { subtotal: number; discountTotal: number; shipping: number; total: number; vat: VatBreakdown | null; currency: string }) {
  const { t } = useTranslation('shop');
  const row = (label: string, amount: string, strong = false) => (
    <Group justify="space-between" wrap="nowrap">
      <Text size="sm" fw={strong ? 700 : undefined}>
        {label}
      </Text>
      <Text size={strong ? 'md' : 'sm'} fw={strong ? 700 : undefined} style={{ whiteSpace: 'nowrap' }}>
        {amount}
      </Text>
    </Group>
  );
  return (
    <Stack gap={6} aria-label={t('totals.label')} role="group">
      {row(t('totals.subtotal'), formatMoney(subtotal, currency))}
      {discountTotal > 0 && row(t('totals.discount'), `− ${formatMoney(discountTotal, currency)}`)}
      {row(t('totals.shipping'), shipping > 0 ? formatMoney(shipping, currency) : t('totals.free'))}
      <Divider />
      {row(t('totals.total'), formatMoney(total, currency), true)}
      {vat && vat.rows.length > 0 && (
        <Table fz="xs" verticalSpacing={2} horizontalSpacing={4} mt={4} aria-label={t('totals.vatBreakdown')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('totals.vatRate')}</Table.Th>
              <Table.Th ta="right">{t('totals.net')}</Table.Th>
              <Table.Th ta="right">{t('totals.vat')}</Table.Th>
              <Table.Th ta="right">{t('totals.gross')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {vat.rows.map((r) => (
              <Table.Tr key={r.rate}>
                <Table.Td>{`${r.rate / 100} %`}</Table.Td>
                <Table.Td ta="right">{formatMoney(r.net, currency)}</Table.Td>
                <Table.Td ta="right">{formatMoney(r.vat, currency)}</Table.Td>
                <Table.Td ta="right">{formatMoney(r.gross, currency)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {vat && (
        <Text size="xs" c="dimmed">
          {t('totals.vatIncluded', { vat: formatMoney(vat.vat, currency) })}
        </Text>
      )}
    </Stack>
  );
}
