import { Button, Center } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** The "next page" button under a cursor-paged table; absent on the last page. */
export function LoadMore({ hasMore, loading, onLoad }: { hasMore: boolean; loading: boolean; onLoad: () => void }) {
  const { t } = useTranslation();
  if (!hasMore) return null;
  return (
    <Center mt="md">
      <Button variant="default" onClick={onLoad} loading={loading}>
        {t('common.loadMore')}
      </Button>
    </Center>
  );
}
