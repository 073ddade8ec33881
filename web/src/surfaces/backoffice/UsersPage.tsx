import { Badge, Button, Group, Select, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Schemas, type StaffRole } from '../../api/client';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { formatDateTime } from '../../lib/format';
import { useStaffUsers } from '../../api/hooks/staff';
import { CreateUserModal } from './CreateUserModal';
import { EditUserModal } from './EditUserModal';
import { RolesTable } from './RolesTable';
import { ROLE_COLORS, roleLabel, useRoles } from './roles';

export function UsersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const roles = useRoles();
  const [role, setRole] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Schemas['StaffUser'] | null>(null);

  const users = useStaffUsers({ role: (role ?? undefined) as StaffRole | undefined, status: (status ?? undefined) as 'active' | 'disabled' | undefined });
  const roleOptions = (roles.data?.roles ?? []).map((r) => ({ value: r.name, label: roleLabel(r.name) }));

  return (
    <Stack gap="xl">
      <div>
        <PageHeader
          title={t('users.title')}
          description={t('users.description')}
          actions={can('staff:write') && <Button onClick={() => setCreating(true)}>{t('users.new')}</Button>}
        />
        <Group mb="md" gap="sm" align="flex-end">
          <Select label={t('users.filterRole')} placeholder={t('common.all')} data={roleOptions} value={role} onChange={setRole} clearable w={220} />
          <Select
            label={t('users.filterStatus')}
            placeholder={t('common.all')}
            data={[
              { value: 'active', label: t('users.status.active') },
              { value: 'disabled', label: t('users.status.disabled') },
            ]}
            value={status}
            onChange={setStatus}
            clearable
            w={180}
          />
        </Group>
        {users.isError && <QueryError error={users.error} onRetry={() => void users.refetch()} mb="md" />}
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('users.tableLabel')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('users.name')}</Table.Th>
                <Table.Th>{t('users.email')}</Table.Th>
                <Table.Th>{t('users.role')}</Table.Th>
                <Table.Th>{t('users.stores')}</Table.Th>
                <Table.Th>{t('users.statusLabel')}</Table.Th>
                <Table.Th>{t('users.lastSignIn')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.items.length === 0 && !users.isError && <TableState colSpan={7} loading={users.isPending} empty={t('users.empty')} />}
              {users.items.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td fw={500}>{u.name}</Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={ROLE_COLORS[u.role] ?? 'gray'}>
                      {roleLabel(u.role)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={u.storeIds ? undefined : 'dimmed'}>
                      {u.storeIds?.length ? u.storeIds.join(', ') : t('users.allStores')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={u.status === 'active' ? 'teal' : 'gray'}>
                      {t(`users.status.${u.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(u.lastSignInAt)}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    {can('staff:write') && (
                      <Button size="xs" variant="subtle" onClick={() => setEditing(u)} aria-label={t('users.editNamed', { name: u.name })}>
                        {t('common.edit')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={!!users.hasNextPage} loading={users.isFetchingNextPage} onLoad={() => void users.fetchNextPage()} />
      </div>

      <section aria-labelledby="roles-title">
        <Title order={2} size="h3" id="roles-title" mb={4}>
          {t('roles.title')}
        </Title>
        <Text c="dimmed" size="sm" mb="md">
          {t('roles.description')}
        </Text>
        <RolesTable />
      </section>

      <CreateUserModal opened={creating} onClose={() => setCreating(false)} roleOptions={roleOptions} />
      <EditUserModal user={editing} onClose={() => setEditing(null)} roleOptions={roleOptions} />
    </Stack>
  );
}
