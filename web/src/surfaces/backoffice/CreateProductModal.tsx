import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiProblem } from '../../api/client';
import { categoryOptions, errorAt } from '../../lib/catalog';
import { useCategories, useCreateProduct } from '../../api/hooks/catalog';
import { notifySuccess, problemMessage } from '../../lib/notify';
import { TAX_CLASSES, type TaxClass } from './productStatus';

const initialValues = { titleEn: '', titleNl: '', categoryId: '' as string, status: 'draft', kind: 'physical', taxClass: 'standard', sku: '', gtin: '' };

export function CreateProductModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const categories = useCategories();
  const form = useForm({
    initialValues,
    validate: {
      titleEn: (v, all) => (v.trim() || all.titleNl.trim() ? null : t('products.form.titleRequired')),
      sku: (v) => (v.trim() ? null : t('products.form.skuRequired')),
    },
  });
  const create = useCreateProduct({
    onSuccess: (product) => {
      notifySuccess(t('products.created', { title: product.displayTitle }));
      close();
      void navigate(`/backoffice/products/${product.id}`);
    },
    onError: (err) => {
      if (!(err instanceof ApiProblem)) return;
      form.setErrors({
        titleEn: errorAt(err, '/title/en') ?? errorAt(err, '/title'),
        titleNl: errorAt(err, '/title/nl'),
        sku: errorAt(err, '/variants/0/sku') ?? (err.status === 409 ? err.detail : undefined),
        gtin: errorAt(err, '/variants/0/gtin'),
        categoryId: errorAt(err, '/categoryId'),
      });
    },
  });

  function close() {
    form.reset();
    create.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={t('products.new')} size="lg">
      <form onSubmit={form.onSubmit((v) =>
          create.mutate({
            title: { en: v.titleEn.trim() || null, nl: v.titleNl.trim() || null },
            status: v.status as 'draft' | 'active',
            kind: v.kind as 'physical' | 'service',
            taxClass: v.taxClass as TaxClass,
            categoryId: v.categoryId || null,
            variants: [{ sku: v.sku.trim(), gtin: v.gtin.trim() || null }],
          }),
        )} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('products.form.titleEn')} data-autofocus {...form.getInputProps('titleEn')} />
            <TextInput label={t('products.form.titleNl')} {...form.getInputProps('titleNl')} />
            <TextInput label={t('products.sku')} required {...form.getInputProps('sku')} />
            <TextInput label={t('products.gtin')} description={t('products.form.gtinHint')} inputMode="numeric" {...form.getInputProps('gtin')} />
            <Select label={t('products.category')} placeholder={t('products.noCategory')} data={categoryOptions(categories.data?.data ?? [])} searchable clearable {...form.getInputProps('categoryId')} />
            <Select
              label={t('products.taxClassLabel')}
              data={TAX_CLASSES.map((c) => ({ value: c, label: t(`products.taxClass.${c}`) }))}
              allowDeselect={false}
              {...form.getInputProps('taxClass')}
            />
            <Select
              label={t('products.statusLabel')}
              data={(['draft', 'active'] as const).map((s) => ({ value: s, label: t(`products.status.${s}`) }))}
              allowDeselect={false}
              {...form.getInputProps('status')}
            />
            <Select
              label={t('products.kindLabel')}
              data={(['physical', 'service'] as const).map((k) => ({ value: k, label: t(`products.kind.${k}`) }))}
              allowDeselect={false}
              {...form.getInputProps('kind')}
            />
          </SimpleGrid>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('products.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
