import { Alert, Badge, Button, Checkbox, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { useCreateLocation, useLocations } from '../../api/hooks/inventory';
import { notifySuccess, problemMessage } from '../../lib/notify';

type LocationType = 'warehouse' | 'store' | 'supplier';

export function LocationsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const locations = useLocations();
  const [creating, setCreating] = useState(false);
  const rows = locations.data?.data ?? [];

  return (
    <Stack gap="md">
      <PageHeader title={t('locations.title')} description={t('locations.description')} actions={can('inventory:write') && <Button onClick={() => setCreating(true)}>{t('locations.new')}</Button>} />
      {locations.isError && <QueryError error={locations.error} onRetry={() => void locations.refetch()} />}
      <Table.ScrollContainer minWidth={760}>
        <Table striped verticalSpacing="sm" aria-label={t('locations.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('locations.code')}</Table.Th>
              <Table.Th>{t('locations.name')}</Table.Th>
              <Table.Th>{t('locations.typeLabel')}</Table.Th>
              <Table.Th>{t('locations.coordinates')}</Table.Th>
              <Table.Th>{t('locations.pickup')}</Table.Th>
              <Table.Th>{t('locations.shipFromStore')}</Table.Th>
              <Table.Th>{t('locations.statusLabel')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && !locations.isError && <TableState colSpan={7} loading={locations.isPending} empty={t('locations.empty')} />}
            {rows.map((l) => (
              <Table.Tr key={l.id}>
                <Table.Td>
                  <Text size="sm" ff="monospace" fw={600}>
                    {l.code}
                  </Text>
                </Table.Td>
                <Table.Td>{l.name}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={l.type === 'warehouse' ? 'indigo' : l.type === 'store' ? 'teal' : 'gray'}>
                    {t(`locations.type.${l.type}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={l.latitude == null ? 'dimmed' : undefined}>
                    {l.latitude != null && l.longitude != null ? `${l.latitude.toFixed(4)}, ${l.longitude.toFixed(4)}` : '—'}
                  </Text>
                </Table.Td>
                <Table.Td>{l.pickup ? t('common.yes') : t('common.no')}</Table.Td>
                <Table.Td>{l.shipFromStore ? t('common.yes') : t('common.no')}</Table.Td>
                <Table.Td>
                  <Badge variant="dot" color={l.status === 'active' ? 'teal' : 'gray'}>
                    {t(`locations.status.${l.status}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <CreateLocationModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function CreateLocationModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { code: '', name: '', type: 'store' as LocationType, latitude: '' as number | string, longitude: '' as number | string, pickup: false, shipFromStore: false },
    validate: {
      code: (v) => (v.trim() ? null : t('locations.form.codeRequired')),
      name: (v) => (v.trim() ? null : t('locations.form.nameRequired')),
    },
  });
  const create = useCreateLocation({
    onSuccess: (l) => {
      notifySuccess(t('locations.created', { name: l.name }));
      close();
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });
  function close() {
    form.reset();
    create.reset();
    onClose();
  }
  return (
    <Modal opened={opened} onClose={close} title={t('locations.new')} size="lg">
      <form onSubmit={form.onSubmit((v) =>
          create.mutate({
            code: v.code.trim(),
            name: v.name.trim(),
            type: v.type,
            latitude: typeof v.latitude === 'number' ? v.latitude : null,
            longitude: typeof v.longitude === 'number' ? v.longitude : null,
            pickup: v.pickup,
            shipFromStore: v.shipFromStore,
          }),
        )} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('locations.code')} required data-autofocus {...form.getInputProps('code')} />
            <TextInput label={t('locations.name')} required {...form.getInputProps('name')} />
            <Select
              label={t('locations.typeLabel')}
              required
              allowDeselect={false}
              data={(['store', 'warehouse', 'supplier'] as const).map((v) => ({ value: v, label: t(`locations.type.${v}`) }))}
              {...form.getInputProps('type')}
            />
            <div />
            <NumberInput label={t('locations.latitude')} min={-90} max={90} decimalScale={6} {...form.getInputProps('latitude')} />
            <NumberInput label={t('locations.longitude')} min={-180} max={180} decimalScale={6} {...form.getInputProps('longitude')} />
          </SimpleGrid>
          <Checkbox label={t('locations.pickupHint')} {...form.getInputProps('pickup', { type: 'checkbox' })} />
          <Checkbox label={t('locations.shipFromStoreHint')} {...form.getInputProps('shipFromStore', { type: 'checkbox' })} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('locations.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
