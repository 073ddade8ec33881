import { Alert, Anchor, Badge, Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiProblem } from '../../../api/client';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { useLocationOptions } from '../../../lib/catalog';
import { findVariantBySku } from '../../../api/hooks/catalog';
import { useCountSheets, useCreateCountSheet, useLocations } from '../../../api/hooks/inventory';
import { formatDateTime } from '../../../lib/format';
import { notifySuccess, problemMessage } from '../../../lib/notify';
import { COUNT_STATUSES, COUNT_STATUS_COLORS, parseSkus, signed } from './model';

export function CountSheetsPage() {
  const { t } = useTranslation('inventory');
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const locationId = params.get('location');
  const status = params.get('status');
  const [creating, setCreating] = useState(false);
  const locationOptions = useLocationOptions((l) => l.type !== 'supplier');
  const locations = useLocations();
  const locationName = new Map((locations.data?.data ?? []).map((l) => [l.id, l.name]));
  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const query = { locationId: locationId ?? undefined, status: (status ?? undefined) as (typeof COUNT_STATUSES)[number] | undefined };
  const sheets = useCountSheets(query);

  return (
    <Stack gap="md">
      <PageHeader title={t('counts.title')} description={t('counts.description')} actions={can('inventory:write') && <Button onClick={() => setCreating(true)}>{t('counts.new')}</Button>} />
      <Group gap="sm" align="flex-end">
        <Select label={t('counts.filterLocation')} placeholder={t('all')} data={locationOptions} value={locationId} onChange={(v) => setFilter('location', v)} clearable searchable w={{ base: '100%', sm: 260 }} />
        <Select
          label={t('counts.filterStatus')}
          placeholder={t('all')}
          data={COUNT_STATUSES.map((s) => ({ value: s, label: t(`counts.statuses.${s}`) }))}
          value={status}
          onChange={(v) => setFilter('status', v)}
          clearable
          w={{ base: '100%', sm: 180 }}
        />
      </Group>
      {sheets.isError && <QueryError error={sheets.error} onRetry={() => void sheets.refetch()} />}
      <Table.ScrollContainer minWidth={820}>
        <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('counts.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('counts.sheet')}</Table.Th>
              <Table.Th>{t('location')}</Table.Th>
              <Table.Th>{t('counts.zone')}</Table.Th>
              <Table.Th>{t('status')}</Table.Th>
              <Table.Th ta="right">{t('counts.counted')}</Table.Th>
              <Table.Th ta="right">{t('counts.netVariance')}</Table.Th>
              <Table.Th>{t('createdAt')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sheets.items.length === 0 && !sheets.isError && <TableState colSpan={7} loading={sheets.isPending} empty={t('counts.empty')} />}
            {sheets.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/backoffice/inventory/counts/${c.id}`} size="sm" ff="monospace" aria-label={t('counts.openNamed', { id: c.id })}>
                    {c.id}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{locationName.get(c.locationId) ?? c.locationId}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{c.zone ?? t('counts.noZone')}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={COUNT_STATUS_COLORS[c.status]}>
                    {t(`counts.statuses.${c.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">
                  {c.variance.linesCounted} / {c.lines.length}
                </Table.Td>
                <Table.Td ta="right" c={c.variance.netUnits ? 'red.7' : undefined}>
                  {c.variance.linesCounted ? signed(c.variance.netUnits) : '—'}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(c.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!sheets.hasNextPage} loading={sheets.isFetchingNextPage} onLoad={() => void sheets.fetchNextPage()} />
      {creating && <CreateCountSheetModal defaultLocation={locationId} onClose={() => setCreating(false)} />}
    </Stack>
  );
}

function CreateCountSheetModal({ defaultLocation, onClose }: { defaultLocation: string | null; onClose: () => void }) {
  const { t } = useTranslation('inventory');
  const navigate = useNavigate();
  const locationOptions = useLocationOptions((l) => l.type !== 'supplier' && l.status === 'active');
  const form = useForm({
    initialValues: { locationId: defaultLocation ?? '', zone: '', skus: '' },
    validate: {
      locationId: (v) => (v ? null : t('counts.form.locationRequired')),
      skus: (v) => (parseSkus(v).length ? null : t('counts.form.skusRequired')),
    },
  });
  const create = useCreateCountSheet({
    onSuccess: (sheet) => {
      notifySuccess(t('counts.form.created'));
      onClose();
      void navigate(`/backoffice/inventory/counts/${sheet.id}`);
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  return (
    <Modal opened onClose={onClose} title={t('counts.new')} size="lg">
      <form onSubmit={form.onSubmit((v) =>
          create.mutate(async () => {
            // SKUs become variant ids inside the mutation; unknown ones are named under the field.
            const skus = parseSkus(v.skus);
            const found = await Promise.all(skus.map((sku) => findVariantBySku(sku)));
            const unknown = skus.filter((_s, i) => !found[i]);
            if (unknown.length) {
              form.setFieldError('skus', t('counts.form.skusUnknown', { skus: unknown.join(', ') }));
              throw new Error(t('counts.form.skusUnknown', { skus: unknown.join(', ') }));
            }
            return { locationId: v.locationId, ...(v.zone.trim() ? { zone: v.zone.trim() } : {}), variantIds: found.map((f) => f!.variantId) };
          }),
        )} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <Select label={t('counts.form.location')} required searchable data={locationOptions} allowDeselect={false} data-autofocus {...form.getInputProps('locationId')} />
          <TextInput label={t('counts.form.zone')} placeholder={t('counts.form.zonePlaceholder')} maxLength={100} {...form.getInputProps('zone')} />
          <Textarea label={t('counts.form.skus')} description={t('counts.form.skusHint')} required autosize minRows={4} maxRows={12} {...form.getInputProps('skus')} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('counts.form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
