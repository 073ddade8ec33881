import { Badge, Group, Table } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { ROLE_COLORS, roleLabel, useRoles } from './roles';

/** Every role with what it may do. Roles are fixed; the server documents them. */
export function RolesTable() {
  const { t } = useTranslation();
  const roles = useRoles();
  if (roles.isError) return <QueryError error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="sm" aria-labelledby="roles-title" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={170}>{t('roles.role')}</Table.Th>
            <Table.Th w={280}>{t('roles.what')}</Table.Th>
            <Table.Th>{t('roles.permissions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {!roles.data && <TableState colSpan={3} loading empty="" />}
          {roles.data?.roles.map((r) => (
            <Table.Tr key={r.name}>
              <Table.Td>
                <Badge variant="light" color={ROLE_COLORS[r.name] ?? 'gray'}>
                  {roleLabel(r.name)}
                </Badge>
              </Table.Td>
              <Table.Td fz="sm">{t(`roles.descriptions.${r.name}`, { defaultValue: r.description })}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {r.permissions.map((p) => (
                    <Badge key={p} variant="outline" color="gray" size="sm" tt="none" fw={500}>
                      {p}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
