import { ActionIcon, Alert, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiProblem } from '../../api/client';
import { useLocationOptions } from '../../lib/catalog';
import { findVariantBySku } from '../../api/hooks/catalog';
import { useCreatePurchaseOrder, useSuppliers } from '../../api/hooks/purchasing';
import { notifySuccess, problemMessage } from '../../lib/notify';

interface Line {
  sku: string;
  quantity: number | string;
}

const blank = () => ({ supplierId: '', locationId: '', note: '', lines: [{ sku: '', quantity: 1 }] as Line[] });

export function CreatePurchaseOrderModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const suppliers = useSuppliers();
  const locationOptions = useLocationOptions((l) => l.type !== 'supplier' && l.status === 'active');
  const form = useForm({
    initialValues: blank(),
    validate: {
      supplierId: (v) => (v ? null : t('po.form.supplierRequired')),
      locationId: (v) => (v ? null : t('po.form.locationRequired')),
      lines: {
        sku: (v) => (v.trim() ? null : t('po.form.skuRequired')),
        quantity: (v) => (typeof v === 'number' && v > 0 ? null : t('po.form.quantityInvalid')),
      },
    },
  });

  const create = useCreatePurchaseOrder({
    onSuccess: (po) => {
      notifySuccess(t('po.created'));
      close();
      void navigate(`/backoffice/inventory/purchase-orders/${po.id}`);
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  // SKUs become variant ids inside the mutation (its pending state and error cover the look-up); an
  // unknown SKU is reported next to its line.
  async function bodyOf(v: ReturnType<typeof blank>) {
    const lines = [];
    const missing: Record<string, string> = {};
    for (const [i, line] of v.lines.entries()) {
      const found = await findVariantBySku(line.sku);
      if (!found) missing[`lines.${i}.sku`] = t('po.form.skuUnknown', { sku: line.sku.trim() });
      else lines.push({ variantId: found.variantId, quantity: Number(line.quantity) });
    }
    if (Object.keys(missing).length) {
      form.setErrors(missing);
      throw new Error(t('po.form.fixSkus'));
    }
    return { supplierId: v.supplierId, locationId: v.locationId, ...(v.note.trim() ? { note: v.note.trim() } : {}), lines };
  }

  function close() {
    form.setValues(blank());
    form.clearErrors();
    create.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={t('po.new')} size="lg">
      <form onSubmit={form.onSubmit((v) => create.mutate(() => bodyOf(v)))} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('po.supplier')}
              required
              searchable
              data={(suppliers.data?.data ?? []).map((s) => ({ value: s.id, label: `${s.code} · ${s.name}` }))}
              allowDeselect={false}
              data-autofocus
              {...form.getInputProps('supplierId')}
            />
            <Select label={t('po.location')} required searchable data={locationOptions} allowDeselect={false} {...form.getInputProps('locationId')} />
          </SimpleGrid>
          <TextInput label={t('po.note')} {...form.getInputProps('note')} />
          <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
            <legend style={{ fontWeight: 600, fontSize: 'var(--mantine-font-size-sm)', marginBottom: 8 }}>{t('po.lines')}</legend>
            <Stack gap="xs">
              {form.values.lines.map((_line, i) => (
                <Group key={i} align="flex-start" wrap="nowrap" gap="xs">
                  <TextInput label={t('po.lineSku', { n: i + 1 })} style={{ flex: 1 }} {...form.getInputProps(`lines.${i}.sku`)} />
                  <NumberInput label={t('po.lineQuantity', { n: i + 1 })} min={1} allowDecimal={false} w={130} {...form.getInputProps(`lines.${i}.quantity`)} />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mt={28}
                    size="lg"
                    disabled={form.values.lines.length === 1}
                    onClick={() => form.removeListItem('lines', i)}
                    aria-label={t('po.removeLine', { n: i + 1 })}
                  >
                    <span aria-hidden>✕</span>
                  </ActionIcon>
                </Group>
              ))}
              <Group>
                <Button size="xs" variant="light" onClick={() => form.insertListItem('lines', { sku: '', quantity: 1 })}>
                  {t('po.addLine')}
                </Button>
              </Group>
            </Stack>
          </fieldset>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('po.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
