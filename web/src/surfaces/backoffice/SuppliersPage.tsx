import { Alert, Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { VariantLabel } from '../../components/VariantLabel';
import { useCan } from '../../lib/auth';
import { findVariantBySku } from '../../api/hooks/catalog';
import { useCreateSupplier, useSetSupplierItems, useSupplier, useSuppliers } from '../../api/hooks/purchasing';
import { formatMoney, parseMoney } from '../../lib/money';
import { notifySuccess, problemMessage } from '../../lib/notify';

export function SuppliersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const suppliers = useSuppliers();
  const [creating, setCreating] = useState(false);
  const [itemsOf, setItemsOf] = useState<Schemas['Supplier'] | null>(null);
  const rows = suppliers.data?.data ?? [];
  return (
    <Stack gap="md">
      <PageHeader title={t('suppliers.title')} description={t('suppliers.description')} actions={can('purchasing:write') && <Button onClick={() => setCreating(true)}>{t('suppliers.new')}</Button>} />
      {suppliers.isError && <QueryError error={suppliers.error} onRetry={() => void suppliers.refetch()} />}
      <Table.ScrollContainer minWidth={640}>
        <Table striped verticalSpacing="sm" aria-label={t('suppliers.tableLabel')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('suppliers.code')}</Table.Th>
              <Table.Th>{t('suppliers.name')}</Table.Th>
              <Table.Th>{t('suppliers.email')}</Table.Th>
              <Table.Th ta="right">{t('suppliers.leadTime')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && !suppliers.isError && <TableState colSpan={5} loading={suppliers.isPending} empty={t('suppliers.empty')} />}
            {rows.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Text size="sm" ff="monospace" fw={600}>
                    {s.code}
                  </Text>
                </Table.Td>
                <Table.Td>{s.name}</Table.Td>
                <Table.Td>{s.email ?? '—'}</Table.Td>
                <Table.Td ta="right">{t('suppliers.days', { count: s.leadTimeDays })}</Table.Td>
                <Table.Td ta="right">
                  <Button size="xs" variant="subtle" onClick={() => setItemsOf(s)} aria-label={t('suppliers.itemsOf', { name: s.name })}>
                    {t('suppliers.items')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <CreateSupplierModal opened={creating} onClose={() => setCreating(false)} />
      <SupplierItemsModal supplier={itemsOf} onClose={() => setItemsOf(null)} writable={can('purchasing:write')} />
    </Stack>
  );
}

function CreateSupplierModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: { code: '', name: '', email: '', leadTimeDays: 7 as number | string },
    validate: { code: (v) => (v.trim() ? null : t('suppliers.form.codeRequired')), name: (v) => (v.trim() ? null : t('suppliers.form.nameRequired')) },
  });
  const create = useCreateSupplier({
    onSuccess: (s) => {
      notifySuccess(t('suppliers.created', { name: s.name }));
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
    <Modal opened={opened} onClose={close} title={t('suppliers.new')}>
      <form onSubmit={form.onSubmit((v) => create.mutate({ code: v.code.trim(), name: v.name.trim(), ...(v.email.trim() ? { email: v.email.trim() } : {}), leadTimeDays: Number(v.leadTimeDays) || 0 }))} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <TextInput label={t('suppliers.code')} required data-autofocus {...form.getInputProps('code')} />
          <TextInput label={t('suppliers.name')} required {...form.getInputProps('name')} />
          <TextInput label={t('suppliers.email')} type="email" {...form.getInputProps('email')} />
          <NumberInput label={t('suppliers.leadTimeDays')} min={0} allowDecimal={false} {...form.getInputProps('leadTimeDays')} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('suppliers.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function SupplierItemsModal({ supplier, onClose, writable }: { supplier: Schemas['Supplier'] | null; onClose: () => void; writable: boolean }) {
  const { t } = useTranslation();
  const detail = useSupplier(supplier?.id);
  const form = useForm({
    initialValues: { sku: '', packSize: 1 as number | string, minimumOrder: 1 as number | string, leadTimeDays: '' as number | string, cost: '' },
    validate: { sku: (v) => (v.trim() ? null : t('po.form.skuRequired')), cost: (v) => (!v.trim() || parseMoney(v) !== null ? null : t('priceLists.form.amountInvalid')) },
  });
  const setItem = useSetSupplierItems(supplier?.id ?? '', {
    onSuccess: () => {
      notifySuccess(t('suppliers.itemSaved'));
      form.reset();
    },
  });
  const items = detail.data?.items ?? [];
  return (
    <Modal opened={!!supplier} onClose={onClose} title={t('suppliers.itemsTitle', { name: supplier?.name ?? '' })} size="xl">
      <Stack>
        {detail.isError && <QueryError error={detail.error} />}
        <Table.ScrollContainer minWidth={600}>
          <Table verticalSpacing="xs" striped aria-label={t('suppliers.items')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stock.sku')}</Table.Th>
                <Table.Th ta="right">{t('suppliers.packSize')}</Table.Th>
                <Table.Th ta="right">{t('suppliers.minimumOrder')}</Table.Th>
                <Table.Th ta="right">{t('suppliers.leadTime')}</Table.Th>
                <Table.Th ta="right">{t('suppliers.cost')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 && <TableState colSpan={5} loading={detail.isPending} empty={t('suppliers.noItems')} />}
              {items.map((i) => (
                <Table.Tr key={i.variantId}>
                  <Table.Td>
                    <VariantLabel variantId={i.variantId} />
                  </Table.Td>
                  <Table.Td ta="right">{i.packSize}</Table.Td>
                  <Table.Td ta="right">{i.minimumOrder}</Table.Td>
                  <Table.Td ta="right">{i.leadTimeDays ?? '—'}</Table.Td>
                  <Table.Td ta="right">{formatMoney(i.cost)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {writable && (
          <form onSubmit={form.onSubmit((v) =>
              setItem.mutate(async () => {
                // The SKU becomes a variant id first; an unknown one is the mutation's error.
                const found = await findVariantBySku(v.sku);
                if (!found) throw new Error(t('po.form.skuUnknown', { sku: v.sku.trim() }));
                return {
                  items: [
                    {
                      variantId: found.variantId,
                      packSize: Number(v.packSize) || 1,
                      minimumOrder: Number(v.minimumOrder) || 1,
                      leadTimeDays: typeof v.leadTimeDays === 'number' ? v.leadTimeDays : null,
                      cost: v.cost.trim() ? parseMoney(v.cost) : null,
                    },
                  ],
                };
              }),
            )} noValidate aria-label={t('suppliers.setItem')}>
            <Stack gap="xs">
              {setItem.isError && (
                <Alert color="red" role="alert">
                  {problemMessage(setItem.error)}
                </Alert>
              )}
              <Group align="flex-end" gap="xs">
                <TextInput label={t('stock.sku')} w={140} {...form.getInputProps('sku')} />
                <NumberInput label={t('suppliers.packSize')} min={1} allowDecimal={false} w={100} {...form.getInputProps('packSize')} />
                <NumberInput label={t('suppliers.minimumOrder')} min={1} allowDecimal={false} w={110} {...form.getInputProps('minimumOrder')} />
                <NumberInput label={t('suppliers.leadTimeDays')} min={0} allowDecimal={false} w={120} {...form.getInputProps('leadTimeDays')} />
                <TextInput label={t('suppliers.costEuro')} w={110} inputMode="decimal" {...form.getInputProps('cost')} />
                <Button type="submit" loading={setItem.isPending}>
                  {t('suppliers.setItem')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Modal>
  );
}
