import { Anchor, Skeleton, Text } from '@mantine/core';
import { Link } from 'react-router';
import { useVariantInfo } from '../api/hooks/catalog';

/** A variant as people know it: its SKU (linking to its stock) and the product title under it. */
export function VariantLabel({ variantId, link = true }: { variantId: string; link?: boolean }) {
  const info = useVariantInfo(variantId);
  if (info.isPending) return <Skeleton height={14} width={120} />;
  const sku = info.data?.sku ?? variantId;
  return (
    <div>
      {link ? (
        <Anchor component={Link} to={`/backoffice/inventory/sku/${encodeURIComponent(variantId)}`} size="sm" fw={600} ff="monospace">
          {sku}
        </Anchor>
      ) : (
        <Text size="sm" fw={600} ff="monospace">
          {sku}
        </Text>
      )}
      {info.data?.title && (
        <Text size="xs" c="dimmed" lineClamp={1}>
          {info.data.title}
        </Text>
      )}
    </div>
  );
}
