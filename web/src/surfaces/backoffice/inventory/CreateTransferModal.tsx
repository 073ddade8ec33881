import { ActionIcon, Alert, Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiProblem } from '../../../api/client';
import { useLocationOptions } from '../../../lib/catalog';
import { findVariantBySku } from '../../../api/hooks/catalog';
import { useCreateTransfer } from '../../../api/hooks/inventory';
import { notifySuccess, problemMessage } from '../../../lib/notify';

interface Line {
  sku: string;
  quantity: number | string;
}

const blank = (from: string | null = null) => ({ fromLocationId: from ?? '', toLocationId: '', note: '', lines: [{ sku: '', quantity: 1 }] as Line[] });

export function CreateTransferModal({ opened, onClose, defaultFrom = null }: { opened: boolean; onClose: () => void; defaultFrom?: string | null }) {
  const { t } = useTranslation('inventory');
  const navigate = useNavigate();
  const locationOptions = useLocationOptions((l) => l.type !== 'supplier' && l.status === 'active');
  const form = useForm({
    initialValues: blank(defaultFrom),
    validate: {
      fromLocationId: (v) => (v ? null : t('transfers.form.fromRequired')),
      toLocationId: (v, values) => (!v ? t('transfers.form.toRequired') : v === values.fromLocationId ? t('transfers.form.sameLocation') : null),
      lines: {
        sku: (v) => (v.trim() ? null : t('transfers.form.skuRequired')),
        quantity: (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? null : t('transfers.form.quantityInvalid')),
      },
    },
  });

  const create = useCreateTransfer({
    onSuccess: (transfer) => {
      notifySuccess(t('transfers.form.created'));
      close();
      void navigate(`/backoffice/inventory/transfers/${transfer.id}`);
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  // SKUs become variant ids inside the mutation (its pending state and error cover the look-up); an
  // unknown SKU is reported next to its line.
  async function bodyOf(v: ReturnType<typeof blank>) {
    const lines: { variantId: string; quantity: number }[] = [];
    const missing: Record<string, string> = {};
    for (const [i, line] of v.lines.entries()) {
      const found = await findVariantBySku(line.sku);
      if (!found) missing[`lines.${i}.sku`] = t('transfers.form.skuUnknown', { sku: line.sku.trim() });
      else lines.push({ variantId: found.variantId, quantity: Number(line.quantity) });
    }
    if (Object.keys(missing).length) {
      form.setErrors(missing);
      throw new Error(t('transfers.form.fixSkus'));
    }
    return { fromLocationId: v.fromLocationId, toLocationId: v.toLocationId, ...(v.note.trim() ? { note: v.note.trim() } : {}), lines };
  }

  function close() {
    form.setValues(blank(defaultFrom));
    form.clearErrors();
    create.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={t('transfers.new')} size="lg">
      <form onSubmit={form.onSubmit((v) => create.mutate(() => bodyOf(v)))} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label={t('transfers.form.from')} required searchable data={locationOptions} allowDeselect={false} data-autofocus {...form.getInputProps('fromLocationId')} />
            <Select label={t('transfers.form.to')} required searchable data={locationOptions} allowDeselect={false} {...form.getInputProps('toLocationId')} />
          </SimpleGrid>
          <TextInput label={t('note')} maxLength={500} {...form.getInputProps('note')} />
          <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
            <legend style={{ fontWeight: 600, fontSize: 'var(--mantine-font-size-sm)', marginBottom: 8 }}>{t('transfers.form.lines')}</legend>
            <Stack gap="xs">
              {form.values.lines.map((_line, i) => (
                <Group key={i} align="flex-start" wrap="nowrap" gap="xs">
                  <TextInput label={t('transfers.form.lineSku', { n: i + 1 })} style={{ flex: 1 }} {...form.getInputProps(`lines.${i}.sku`)} />
                  <NumberInput label={t('transfers.form.lineQuantity', { n: i + 1 })} min={1} allowDecimal={false} w={130} {...form.getInputProps(`lines.${i}.quantity`)} />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    mt={28}
                    size="lg"
                    disabled={form.values.lines.length === 1}
                    onClick={() => form.removeListItem('lines', i)}
                    aria-label={t('transfers.form.removeLine', { n: i + 1 })}
                  >
                    <span aria-hidden>✕</span>
                  </ActionIcon>
                </Group>
              ))}
              <Group>
                <Button size="xs" variant="light" onClick={() => form.insertListItem('lines', { sku: '', quantity: 1 })}>
                  {t('transfers.form.addLine')}
                </Button>
              </Group>
            </Stack>
          </fieldset>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('transfers.form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
