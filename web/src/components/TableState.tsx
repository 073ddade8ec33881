import { Center, Loader, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** The one row a table shows while loading or when it has nothing to show. */
export function TableState({ colSpan, loading, empty }: { colSpan: number; loading: boolean; empty: string }) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Center py="lg">
          {loading ? (
            <Loader size="sm" aria-label={t('common.loading')} />
          ) : (
            <Text c="dimmed" size="sm">
              {empty}
            </Text>
          )}
        </Center>
      </Table.Td>
    </Table.Tr>
  );
}
