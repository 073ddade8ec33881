import { Alert, Button, Group, Modal, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/client';
import { useRecordMovement } from '../../api/hooks/inventory';
import { useLocationOptions } from '../../lib/catalog';
import { notifySuccess, problemMessage } from '../../lib/notify';

type MovementType = 'receipt' | 'adjustment' | 'damage';

/** Record a receipt, an adjustment (with its reason) or damage for a SKU at a location. */
export function MovementModal({ opened, onClose, locationId, sku }: { opened: boolean; onClose: () => void; locationId?: string | null; sku?: string }) {
  const { t } = useTranslation();
  const locationOptions = useLocationOptions();
  const form = useForm({
    initialValues: { sku: '', locationId: '', type: 'receipt' as MovementType, quantity: 1 as number | string, reason: '', reference: '' },
    validate: {
      sku: (v) => (v.trim() ? null : t('stock.form.skuRequired')),
      locationId: (v) => (v ? null : t('stock.form.locationRequired')),
      quantity: (v, all) => (typeof v === 'number' && v !== 0 && (all.type === 'adjustment' || v > 0) ? null : t('stock.form.quantityInvalid')),
      reason: (v, all) => (all.type !== 'adjustment' || v.trim() ? null : t('stock.form.reasonRequired')),
    },
  });
  useEffect(() => {
    if (opened) form.setValues({ sku: sku ?? '', locationId: locationId ?? '', type: 'receipt', quantity: 1, reason: '', reference: '' });
  }, [opened]);

  const record = useRecordMovement({
    onSuccess: (level) => {
      notifySuccess(t('stock.recorded', { onHand: level.onHand }));
      close();
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });

  function close() {
    record.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={t('stock.recordMovement')}>
      <form onSubmit={form.onSubmit((v) =>
          record.mutate({
            sku: v.sku.trim(),
            locationId: v.locationId,
            type: v.type,
            quantity: Number(v.quantity),
            ...(v.reason.trim() ? { reason: v.reason.trim() } : {}),
            ...(v.reference.trim() ? { reference: v.reference.trim() } : {}),
          }),
        )} noValidate>
        <Stack>
          {record.isError && (
            <Alert color="red" role="alert">
              {problemMessage(record.error)}
            </Alert>
          )}
          <TextInput label={t('stock.sku')} required data-autofocus={!sku} readOnly={!!sku} {...form.getInputProps('sku')} />
          <Select label={t('stock.location')} required data={locationOptions} searchable allowDeselect={false} {...form.getInputProps('locationId')} />
          <Select
            label={t('stock.movementType')}
            required
            allowDeselect={false}
            data={(['receipt', 'adjustment', 'damage'] as const).map((m) => ({ value: m, label: t(`stock.movementTypes.${m}`) }))}
            {...form.getInputProps('type')}
          />
          <NumberInput
            label={t('stock.quantity')}
            description={form.values.type === 'adjustment' ? t('stock.form.adjustmentHint') : t('stock.form.positiveHint')}
            required
            allowDecimal={false}
            {...form.getInputProps('quantity')}
          />
          <TextInput label={t('stock.reason')} required={form.values.type === 'adjustment'} {...form.getInputProps('reason')} />
          <TextInput label={t('stock.reference')} {...form.getInputProps('reference')} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={record.isPending}>
              {t('stock.record')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
