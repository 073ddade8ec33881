import { Alert, Anchor, Badge, Button, Card, Center, Group, Loader, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiProblem } from '../../api/client';
import { PageHeader } from '../../components/PageHeader';
import { PriceText } from '../../components/PriceText';
import { QueryError } from '../../components/QueryError';
import { StockStatusBadge } from '../../components/StockStatusBadge';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { categoryOptions, errorAt, type Product } from '../../lib/catalog';
import { useCategories, useProduct, useUpdateProduct } from '../../api/hooks/catalog';
import { useVariantAvailability, useVariantStock } from '../../api/hooks/inventory';
import { useLocations } from '../../api/hooks/inventory';
import { formatDateTime } from '../../lib/format';
import { notifyError, notifySuccess, problemMessage } from '../../lib/notify';
import { PRODUCT_STATUS_COLORS, TAX_CLASSES, type TaxClass } from './productStatus';

interface VariantRow {
  sku: string;
  gtin: string;
  options: string;
  status: 'active' | 'archived';
  existing: boolean;
}

/** {size: "M", colour: "red"} ⇄ "size=M, colour=red": one text field for the options. */
function optionsToText(options: Record<string, unknown>) {
  return Object.entries(options)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}
function textToOptions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, ...rest] = part.split('=');
    if (k?.trim() && rest.length) out[k.trim()] = rest.join('=').trim();
  }
  return out;
}

function valuesOf(p: Product) {
  return {
    titleEn: p.title.en ?? '',
    titleNl: p.title.nl ?? '',
    descriptionEn: p.description.en ?? '',
    descriptionNl: p.description.nl ?? '',
    status: p.status as string,
    categoryId: p.categoryId ?? '',
    taxClass: p.taxClass,
    variants: p.variants.map<VariantRow>((v) => ({ sku: v.sku, gtin: v.gtin ?? '', options: optionsToText(v.options as Record<string, unknown>), status: v.status === 'archived' ? 'archived' : 'active', existing: true })),
  };
}

/** The PATCH of a product from the form, against the version read (staff always get it). */
function updateOf(p: Product, v: ReturnType<typeof valuesOf>) {
  return {
    id: p.id,
    version: p.version!,
    body: {
      title: { en: v.titleEn.trim() || null, nl: v.titleNl.trim() || null },
      description: { en: v.descriptionEn.trim() || null, nl: v.descriptionNl.trim() || null },
      status: v.status as 'draft' | 'active' | 'archived',
      categoryId: v.categoryId || null,
      taxClass: v.taxClass as TaxClass,
      variants: v.variants.map((row) => ({ sku: row.sku.trim(), gtin: row.gtin.trim() || null, options: textToOptions(row.options), status: row.status })),
    },
  };
}

export function ProductDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const can = useCan();
  const categories = useCategories();
  const product = useProduct(id);
  const form = useForm({ initialValues: { titleEn: '', titleNl: '', descriptionEn: '', descriptionNl: '', status: 'draft', categoryId: '', taxClass: 'standard', variants: [] as VariantRow[] } });

  // A fresh copy of the product (first load, after a save, after a 412) replaces what is in the form.
  useEffect(() => {
    if (product.data) {
      form.setValues(valuesOf(product.data));
      form.resetDirty(valuesOf(product.data));
    }
  }, [product.data?.id, product.data?.version]);

  const save = useUpdateProduct({
    onSuccess: (updated) => {
      notifySuccess(t('products.saved', { title: updated.displayTitle }));
    },
    onError: (err) => {
      if (err instanceof ApiProblem && err.status === 412) {
        notifyError(new ApiProblem({ status: 412, code: 'precondition_failed', title: t('products.conflict'), detail: t('products.conflict') }));
        void product.refetch();
        return;
      }
      if (err instanceof ApiProblem) {
        const errors: Record<string, string | undefined> = {
          titleEn: errorAt(err, '/title/en') ?? errorAt(err, '/title'),
          titleNl: errorAt(err, '/title/nl'),
          categoryId: errorAt(err, '/categoryId'),
        };
        form.values.variants.forEach((_row, i) => {
          errors[`variants.${i}.gtin`] = errorAt(err, `/variants/${i}/gtin`);
          errors[`variants.${i}.sku`] = errorAt(err, `/variants/${i}/sku`);
          errors[`variants.${i}.options`] = errorAt(err, `/variants/${i}/options`);
        });
        form.setErrors(errors);
      }
    },
  });

  if (product.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (product.isError) return <QueryError error={product.error} onRetry={() => void product.refetch()} />;
  const p = product.data;
  const writable = can('catalog:write');
  const showSaveError = save.isError && !(save.error instanceof ApiProblem && save.error.status === 412);

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to="/backoffice/products" size="sm">
          ← {t('products.backToList')}
        </Anchor>
        <PageHeader
          title={p.displayTitle}
          description={t('products.detailMeta', { handle: p.handle, updated: formatDateTime(p.updatedAt), version: p.version })}
          actions={
            <Badge size="lg" variant="dot" color={PRODUCT_STATUS_COLORS[p.status]}>
              {t(`products.status.${p.status}`)}
            </Badge>
          }
        />
      </div>
      <form onSubmit={form.onSubmit((v) => save.mutate(updateOf(p, v)))} noValidate aria-label={t('products.editForm')}>
        <Stack gap="lg">
          {showSaveError && (
            <Alert color="red" role="alert">
              {problemMessage(save.error)}
            </Alert>
          )}
          <Card withBorder padding="lg">
            <Title order={2} size="h4" mb="md">
              {t('products.texts')}
            </Title>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <TextInput label={t('products.form.titleEn')} readOnly={!writable} {...form.getInputProps('titleEn')} />
              <TextInput label={t('products.form.titleNl')} readOnly={!writable} {...form.getInputProps('titleNl')} />
              <Textarea label={t('products.form.descriptionEn')} autosize minRows={2} readOnly={!writable} {...form.getInputProps('descriptionEn')} />
              <Textarea label={t('products.form.descriptionNl')} autosize minRows={2} readOnly={!writable} {...form.getInputProps('descriptionNl')} />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 3 }} mt="md">
              <Select
                label={t('products.statusLabel')}
                data={(['draft', 'active', 'archived'] as const).map((s) => ({ value: s, label: t(`products.status.${s}`) }))}
                allowDeselect={false}
                readOnly={!writable}
                {...form.getInputProps('status')}
              />
              <Select label={t('products.category')} placeholder={t('products.noCategory')} data={categoryOptions(categories.data?.data ?? [])} searchable clearable readOnly={!writable} {...form.getInputProps('categoryId')} />
              <Select
                label={t('products.taxClassLabel')}
                data={TAX_CLASSES.map((c) => ({ value: c, label: t(`products.taxClass.${c}`) }))}
                allowDeselect={false}
                readOnly={!writable}
                {...form.getInputProps('taxClass')}
              />
            </SimpleGrid>
          </Card>

          <Card withBorder padding="lg">
            <Group justify="space-between" mb="md">
              <Title order={2} size="h4">
                {t('products.variants')}
              </Title>
              {writable && (
                <Button size="xs" variant="light" onClick={() => form.insertListItem('variants', { sku: '', gtin: '', options: '', status: 'active', existing: false } satisfies VariantRow)}>
                  {t('products.addVariant')}
                </Button>
              )}
            </Group>
            <Table.ScrollContainer minWidth={760}>
              <Table verticalSpacing="xs" aria-label={t('products.variants')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('products.sku')}</Table.Th>
                    <Table.Th>{t('products.gtin')}</Table.Th>
                    <Table.Th>{t('products.options')}</Table.Th>
                    <Table.Th>{t('products.statusLabel')}</Table.Th>
                    <Table.Th>{t('products.webPrice')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {form.values.variants.map((row, i) => {
                    const live = p.variants.find((v) => v.sku === row.sku && row.existing);
                    return (
                      <Table.Tr key={i}>
                        <Table.Td>
                          {row.existing ? (
                            <Text size="sm" ff="monospace" fw={600}>
                              {row.sku}
                            </Text>
                          ) : (
                            <TextInput size="xs" label={t('products.sku')} aria-label={t('products.newSkuLabel', { n: i + 1 })} {...form.getInputProps(`variants.${i}.sku`)} />
                          )}
                        </Table.Td>
                        <Table.Td>
                          <TextInput size="xs" aria-label={t('products.gtinOf', { sku: row.sku || '…' })} inputMode="numeric" readOnly={!writable} {...form.getInputProps(`variants.${i}.gtin`)} />
                        </Table.Td>
                        <Table.Td>
                          <TextInput size="xs" aria-label={t('products.optionsOf', { sku: row.sku || '…' })} placeholder="size=M, colour=red" readOnly={!writable} {...form.getInputProps(`variants.${i}.options`)} />
                        </Table.Td>
                        <Table.Td>
                          <Select
                            size="xs"
                            aria-label={t('products.variantStatusOf', { sku: row.sku || '…' })}
                            data={[
                              { value: 'active', label: t('products.status.active') },
                              { value: 'archived', label: t('products.status.archived') },
                            ]}
                            allowDeselect={false}
                            readOnly={!writable}
                            w={130}
                            {...form.getInputProps(`variants.${i}.status`)}
                          />
                        </Table.Td>
                        <Table.Td>{live ? <PriceText amount={live.price?.amount} compareAt={live.price?.compareAt} currency={live.price?.currency} /> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
          {writable && (
            <Group justify="flex-end">
              <Button variant="default" disabled={!form.isDirty()} onClick={() => form.setValues(valuesOf(p))}>
                {t('products.discard')}
              </Button>
              <Button type="submit" loading={save.isPending}>
                {t('common.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>

      <section aria-labelledby="product-stock">
        <Title order={2} size="h3" id="product-stock" mb="md">
          {t('products.stockTitle')}
        </Title>
        <Stack gap="lg">
          {p.variants.map((v) => (
            <VariantStock key={v.id} variantId={v.id} sku={v.sku} />
          ))}
        </Stack>
      </section>
    </Stack>
  );
}

function VariantStock({ variantId, sku }: { variantId: string; sku: string }) {
  const { t } = useTranslation();
  const locations = useLocations();
  const stock = useVariantStock(variantId);
  const availability = useVariantAvailability(variantId);
  const byId = new Map((locations.data?.data ?? []).map((l) => [l.id, l]));
  const levels = stock.data?.data ?? [];

  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm">
        <Text fw={600} ff="monospace">
          {sku}
        </Text>
        <Group gap="sm">
          {availability.data && <Text size="sm">{t('products.totalAvailable', { count: availability.data.totalAvailable })}</Text>}
          <Anchor component={Link} to={`/backoffice/inventory/sku/${variantId}`} size="sm">
            {t('products.openStock', { sku })}
          </Anchor>
        </Group>
      </Group>
      {stock.isError && <QueryError error={stock.error} onRetry={() => void stock.refetch()} mb="sm" />}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={6} aria-label={t('products.stockOf', { sku })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('stock.location')}</Table.Th>
                <Table.Th ta="right">{t('stock.onHand')}</Table.Th>
                <Table.Th ta="right">{t('stock.reserved')}</Table.Th>
                <Table.Th ta="right">{t('stock.atp')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {levels.length === 0 && !stock.isError && <TableState colSpan={4} loading={stock.isPending} empty={t('stock.noLevels')} />}
              {levels.map((l) => (
                <Table.Tr key={l.locationId}>
                  <Table.Td>
                    <Text size="sm">{byId.get(l.locationId)?.name ?? l.locationId}</Text>
                  </Table.Td>
                  <Table.Td ta="right">{l.onHand}</Table.Td>
                  <Table.Td ta="right">{l.reserved}</Table.Td>
                  <Table.Td ta="right">{l.availableToPromise}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={6} aria-label={t('products.availabilityOf', { sku })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('products.availability')}</Table.Th>
                <Table.Th ta="right">{t('stock.atp')}</Table.Th>
                <Table.Th>{t('stock.statusLabel')}</Table.Th>
                <Table.Th>{t('products.pickup')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(availability.data?.locations.length ?? 0) === 0 && <TableState colSpan={4} loading={availability.isPending} empty={t('products.noAvailability')} />}
              {availability.data?.locations.map((a) => (
                <Table.Tr key={a.location.id}>
                  <Table.Td>
                    <Text size="sm">{a.location.name}</Text>
                    <Text size="xs" c="dimmed">
                      {t(`locations.type.${a.location.type}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{a.availableToPromise}</Table.Td>
                  <Table.Td>
                    <StockStatusBadge availableToPromise={a.availableToPromise} />
                  </Table.Td>
                  <Table.Td>{a.pickup ? t('common.yes') : t('common.no')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </SimpleGrid>
    </Card>
  );
}
