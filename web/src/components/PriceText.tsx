import { Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../lib/money';

/** A price, with the higher "compare at" price struck through next to it when there is one. */
export function PriceText({ amount, compareAt, currency = 'EUR' }: { amount: number | null | undefined; compareAt?: number | null; currency?: string }) {
  const { t } = useTranslation();
  if (amount === null || amount === undefined) {
    return (
      <Text size="sm" c="dimmed">
        {t('products.noPrice')}
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
        {formatMoney(amount, currency)}
      </Text>
      {compareAt != null && compareAt > amount && (
        <Text size="xs" c="dimmed" td="line-through" style={{ whiteSpace: 'nowrap' }} aria-label={t('products.wasPrice', { price: formatMoney(compareAt, currency) })}>
          {formatMoney(compareAt, currency)}
        </Text>
      )}
    </Group>
  );
}
