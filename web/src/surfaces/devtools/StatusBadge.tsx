import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const COLORS = { pending: 'yellow', succeeded: 'teal', failed: 'red' } as const;

export function DeliveryStatusBadge({ status }: { status: 'pending' | 'succeeded' | 'failed' }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[status]} variant={status === 'pending' ? 'light' : 'filled'}>
      {t(`webhooks.deliveryStatus.${status}`)}
    </Badge>
  );
}
