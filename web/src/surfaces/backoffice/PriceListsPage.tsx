import { Alert, Badge, Button, Card, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import i18n from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/client';
import { useCreatePriceList, usePriceListPrices, usePriceLists, useResolvePrice, useSetPrices, type PriceList } from '../../api/hooks/prices';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { VariantLabel } from '../../components/VariantLabel';
import { useCan } from '../../lib/auth';
import { useLocationOptions } from '../../lib/catalog';
import { formatDateTime } from '../../lib/format';
import { formatMoney, parseMoney } from '../../lib/money';
import { notifySuccess, problemMessage } from '../../lib/notify';

type Channel = 'web' | 'app' | 'pos' | 'kiosk' | 'scan_go';
const CHANNELS: Channel[] = ['web', 'app', 'pos', 'kiosk', 'scan_go'];
const LIST_COLORS = { active: 'teal', draft: 'yellow', archived: 'gray' } as const;

export function PriceListsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<PriceList | null>(null);
  const lists = usePriceLists();

  return (
    <Stack gap="xl">
      <div>
        <PageHeader title={t('priceLists.title')} description={t('priceLists.description')} actions={can('prices:write') && <Button onClick={() => setCreating(true)}>{t('priceLists.new')}</Button>} />
        {lists.isError && <QueryError error={lists.error} onRetry={() => void lists.refetch()} mb="md" />}
        <Table.ScrollContainer minWidth={860}>
          <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('priceLists.tableLabel')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('priceLists.name')}</Table.Th>
                <Table.Th>{t('priceLists.scope')}</Table.Th>
                <Table.Th>{t('priceLists.currency')}</Table.Th>
                <Table.Th ta="right">{t('priceLists.priority')}</Table.Th>
                <Table.Th>{t('priceLists.validity')}</Table.Th>
                <Table.Th>{t('priceLists.statusLabel')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lists.items.length === 0 && !lists.isError && <TableState colSpan={7} loading={lists.isPending} empty={t('priceLists.empty')} />}
              {lists.items.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td fw={500}>{l.name}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{scopeText(l)}</Text>
                  </Table.Td>
                  <Table.Td>{l.currency}</Table.Td>
                  <Table.Td ta="right">{l.priority}</Table.Td>
                  <Table.Td>
                    <Text size="xs">{l.startsAt || l.endsAt ? `${formatDateTime(l.startsAt)} – ${formatDateTime(l.endsAt)}` : t('priceLists.always')}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="dot" color={LIST_COLORS[l.status]}>
                      {t(`priceLists.status.${l.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button size="xs" variant="subtle" onClick={() => setSelected(l)} aria-pressed={selected?.id === l.id} aria-label={t('priceLists.showPricesOf', { name: l.name })}>
                      {t('priceLists.prices')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={!!lists.hasNextPage} loading={lists.isFetchingNextPage} onLoad={() => void lists.fetchNextPage()} />
      </div>
      {selected && <PricesOfList list={selected} writable={can('prices:write')} />}
      <PriceExplainer />
      <CreatePriceListModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function scopeText(l: PriceList) {
  const t = i18n.t.bind(i18n);
  const parts = [l.channel ? t('priceLists.channelIs', { channel: l.channel }) : null, l.storeId ? t('priceLists.storeIs', { store: l.storeId }) : null, l.customerGroup ? t('priceLists.groupIs', { group: l.customerGroup }) : null].filter(Boolean);
  return parts.length ? parts.join(' · ') : t('priceLists.everywhere');
}

function PricesOfList({ list, writable }: { list: PriceList; writable: boolean }) {
  const { t } = useTranslation();
  const prices = usePriceListPrices(list.id);
  const form = useForm({
    initialValues: { sku: '', amount: '' },
    validate: { sku: (v) => (v.trim() ? null : t('po.form.skuRequired')), amount: (v) => (parseMoney(v) !== null && parseMoney(v)! >= 0 ? null : t('priceLists.form.amountInvalid')) },
  });
  const setPrice = useSetPrices(list.id, {
    onSuccess: () => {
      notifySuccess(t('priceLists.priceSet'));
      form.reset();
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors({ sku: err.errors.find((e) => e.field.includes('sku'))?.message });
    },
  });
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="prices-title">
      <Title order={2} size="h4" id="prices-title" mb="md">
        {t('priceLists.pricesIn', { name: list.name })}
      </Title>
      {writable && (
        <form onSubmit={form.onSubmit((v) => setPrice.mutate({ prices: [{ sku: v.sku.trim(), amount: parseMoney(v.amount)! }] }))} noValidate aria-label={t('priceLists.setPrice')}>
          {setPrice.isError && (
            <Alert color="red" role="alert" mb="sm">
              {problemMessage(setPrice.error)}
            </Alert>
          )}
          <Group align="flex-start" gap="xs" mb="md">
            <TextInput label={t('stock.sku')} w={180} {...form.getInputProps('sku')} />
            <TextInput label={t('priceLists.amountEuro')} placeholder="2,55" inputMode="decimal" w={140} {...form.getInputProps('amount')} />
            <Button type="submit" mt={25} loading={setPrice.isPending}>
              {t('priceLists.setPrice')}
            </Button>
          </Group>
        </form>
      )}
      {prices.isError && <QueryError error={prices.error} onRetry={() => void prices.refetch()} mb="md" />}
      <Table.ScrollContainer minWidth={560}>
        <Table striped verticalSpacing="xs" aria-label={t('priceLists.pricesIn', { name: list.name })}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('stock.sku')}</Table.Th>
              <Table.Th ta="right">{t('priceLists.minQuantity')}</Table.Th>
              <Table.Th ta="right">{t('priceLists.amount')}</Table.Th>
              <Table.Th>{t('priceLists.updated')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {prices.items.length === 0 && !prices.isError && <TableState colSpan={4} loading={prices.isPending} empty={t('priceLists.noPrices')} />}
            {prices.items.map((p) => (
              <Table.Tr key={`${p.variantId}-${p.minQuantity}`}>
                <Table.Td>
                  <VariantLabel variantId={p.variantId} />
                </Table.Td>
                <Table.Td ta="right">{p.minQuantity}</Table.Td>
                <Table.Td ta="right" fw={600}>
                  {formatMoney(p.amount, list.currency)}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(p.updatedAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!prices.hasNextPage} loading={prices.isFetchingNextPage} onLoad={() => void prices.fetchNextPage()} />
    </Card>
  );
}

const OUTCOME_COLORS = { won: 'teal', lost: 'gray', not_applicable: 'orange' } as const;

function PriceExplainer() {
  const { t } = useTranslation();
  const stores = useLocationOptions((l) => l.type === 'store');
  const form = useForm({ initialValues: { sku: '', channel: '', storeId: '', customerGroup: '', quantity: 1 as number | string }, validate: { sku: (v) => (v.trim() ? null : t('po.form.skuRequired')) } });
  const explain = useResolvePrice();
  const r = explain.data;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="explain-title">
      <Title order={2} size="h4" id="explain-title" mb={4}>
        {t('priceLists.whyTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {t('priceLists.whyDescription')}
      </Text>
      <form onSubmit={form.onSubmit((v) =>
          explain.mutate({
            sku: v.sku.trim(),
            channel: (v.channel || undefined) as Channel | undefined,
            storeId: v.storeId || undefined,
            customerGroup: v.customerGroup.trim() ? [v.customerGroup.trim()] : undefined,
            quantity: Number(v.quantity) || 1,
          }),
        )} noValidate>
        <SimpleGrid cols={{ base: 1, sm: 3, lg: 6 }} spacing="xs">
          <TextInput label={t('stock.sku')} required {...form.getInputProps('sku')} />
          <Select label={t('priceLists.channel')} placeholder={t('common.all')} data={CHANNELS} clearable {...form.getInputProps('channel')} />
          <Select label={t('priceLists.store')} placeholder={t('common.none')} data={stores} clearable {...form.getInputProps('storeId')} />
          <TextInput label={t('priceLists.customerGroup')} {...form.getInputProps('customerGroup')} />
          <NumberInput label={t('priceLists.quantity')} min={1} allowDecimal={false} {...form.getInputProps('quantity')} />
          <Button type="submit" mt={25} loading={explain.isPending}>
            {t('priceLists.explain')}
          </Button>
        </SimpleGrid>
      </form>
      {explain.isError && (
        <Alert color="red" role="alert" mt="md">
          {problemMessage(explain.error)}
        </Alert>
      )}
      {r && (
        <Stack mt="md" gap="sm" aria-live="polite">
          <Text fw={600}>
            {r.price
              ? t('priceLists.winner', { sku: r.sku, price: formatMoney(r.price.amount, r.currency), list: r.considered.find((c) => c.outcome === 'won')?.name ?? r.price.priceListId })
              : t('priceLists.noWinner', { sku: r.sku })}
          </Text>
          <Table.ScrollContainer minWidth={700}>
            <Table verticalSpacing="xs" striped aria-label={t('priceLists.considered')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('priceLists.name')}</Table.Th>
                  <Table.Th ta="right">{t('priceLists.amount')}</Table.Th>
                  <Table.Th ta="right">{t('priceLists.minQuantity')}</Table.Th>
                  <Table.Th ta="right">{t('priceLists.specificity')}</Table.Th>
                  <Table.Th ta="right">{t('priceLists.priority')}</Table.Th>
                  <Table.Th>{t('priceLists.outcome')}</Table.Th>
                  <Table.Th>{t('priceLists.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.considered.length === 0 && <TableState colSpan={7} loading={false} empty={t('priceLists.noneConsidered')} />}
                {r.considered.map((c, i) => (
                  <Table.Tr key={`${c.priceListId}-${c.minQuantity}-${i}`}>
                    <Table.Td fw={c.outcome === 'won' ? 700 : 400}>{c.name}</Table.Td>
                    <Table.Td ta="right">{formatMoney(c.amount, r.currency)}</Table.Td>
                    <Table.Td ta="right">{c.minQuantity}</Table.Td>
                    <Table.Td ta="right">{c.specificity}</Table.Td>
                    <Table.Td ta="right">{c.priority}</Table.Td>
                    <Table.Td>
                      <Badge color={OUTCOME_COLORS[c.outcome]} variant={c.outcome === 'won' ? 'filled' : 'light'}>
                        {t(`priceLists.outcomes.${c.outcome}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{c.reason}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      )}
    </Card>
  );
}

function CreatePriceListModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const stores = useLocationOptions((l) => l.type === 'store');
  const form = useForm({
    initialValues: { name: '', status: 'active', currency: 'EUR', channel: '', storeId: '', customerGroup: '', priority: 0 as number | string, startsAt: '', endsAt: '' },
    validate: { name: (v) => (v.trim() ? null : t('priceLists.form.nameRequired')), currency: (v) => (/^[A-Z]{3}$/.test(v.trim()) ? null : t('priceLists.form.currencyInvalid')) },
  });
  const create = useCreatePriceList({
    onSuccess: (l) => {
      notifySuccess(t('priceLists.created', { name: l.name }));
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
    <Modal opened={opened} onClose={close} title={t('priceLists.new')} size="lg">
      <form onSubmit={form.onSubmit((v) =>
          create.mutate({
            name: v.name.trim(),
            status: v.status as 'active' | 'draft',
            currency: v.currency.trim(),
            channel: (v.channel || null) as Channel | null,
            storeId: v.storeId || null,
            customerGroup: v.customerGroup.trim() || null,
            priority: Number(v.priority) || 0,
            startsAt: v.startsAt ? new Date(v.startsAt).toISOString() : null,
            endsAt: v.endsAt ? new Date(v.endsAt).toISOString() : null,
          }),
        )} noValidate>
        <Stack>
          {create.isError && (
            <Alert color="red" role="alert">
              {problemMessage(create.error)}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('priceLists.name')} required data-autofocus {...form.getInputProps('name')} />
            <Select
              label={t('priceLists.statusLabel')}
              allowDeselect={false}
              data={(['active', 'draft'] as const).map((s) => ({ value: s, label: t(`priceLists.status.${s}`) }))}
              {...form.getInputProps('status')}
            />
            <Select label={t('priceLists.channel')} placeholder={t('priceLists.anyChannel')} data={CHANNELS} clearable {...form.getInputProps('channel')} />
            <Select label={t('priceLists.store')} placeholder={t('priceLists.anyStore')} data={stores} clearable {...form.getInputProps('storeId')} />
            <TextInput label={t('priceLists.customerGroup')} placeholder={t('priceLists.anyGroup')} {...form.getInputProps('customerGroup')} />
            <TextInput label={t('priceLists.currency')} maxLength={3} {...form.getInputProps('currency')} />
            <NumberInput label={t('priceLists.priority')} description={t('priceLists.priorityHint')} allowDecimal={false} {...form.getInputProps('priority')} />
            <div />
            <TextInput type="datetime-local" label={t('priceLists.startsAt')} {...form.getInputProps('startsAt')} />
            <TextInput type="datetime-local" label={t('priceLists.endsAt')} {...form.getInputProps('endsAt')} />
          </SimpleGrid>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('priceLists.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
