import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** Matches the server's filter: nothing to promise is out, a few (1–3) is low. */
export function stockStatus(availableToPromise: number): 'in_stock' | 'low' | 'out' {
  if (availableToPromise <= 0) return 'out';
  if (availableToPromise <= 3) return 'low';
  return 'in_stock';
}

const COLORS = { in_stock: 'teal', low: 'orange', out: 'red' } as const;

/** `status` as the server gives it (it knows the level's own low-stock threshold); else worked out from ATP. */
export function StockStatusBadge({ availableToPromise, status: given }: { availableToPromise: number; status?: 'in_stock' | 'low' | 'out' }) {
  const { t } = useTranslation();
  const status = given ?? stockStatus(availableToPromise);
  return (
    <Badge variant="light" color={COLORS[status]}>
      {t(`stock.status.${status}`)}
    </Badge>
  );
}
