// A saved promotion's coupon codes: the list, adding one code, and generating a batch whose codes
// are shown once more in full and can be downloaded as a CSV file.
import { Alert, Badge, Button, Card, Code, Group, NumberInput, ScrollArea, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../../api/client';
import { useAddCoupon, useCoupons, useGenerateCoupons } from '../../../api/hooks/promotions';
import { LoadMore } from '../../../components/LoadMore';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { errorAt } from '../../../lib/catalog';
import { formatDateTime } from '../../../lib/format';
import { notifySuccess, problemMessage } from '../../../lib/notify';
import type { Promotion } from './model';

const toIso = (local: string) => (local ? new Date(local).toISOString() : null);
const maxUsesValue = (v: number | string) => (v === '' ? null : Number(v));

export function CouponsPanel({ promotion }: { promotion: Promotion }) {
  const { t } = useTranslation('promotions');
  const can = useCan();
  const id = promotion.id;
  const coupons = useCoupons(id);
  const writable = can('promotions:write');

  return (
    <Stack gap="lg">
      {!promotion.requiresCoupon && (
        <Alert color="blue" variant="light">
          {t('coupons.notRequired')}
        </Alert>
      )}
      {writable && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <AddCoupon promotionId={id} />
          <GenerateBatch promotionId={id} />
        </SimpleGrid>
      )}
      <section aria-labelledby="promo-coupons-title">
        <Title order={2} size="h4" id="promo-coupons-title" mb="sm">
          {t('coupons.title')}
        </Title>
        {coupons.isError && <QueryError error={coupons.error} onRetry={() => void coupons.refetch()} />}
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs" aria-label={t('coupons.title')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('coupons.code')}</Table.Th>
                <Table.Th ta="right">{t('coupons.used')}</Table.Th>
                <Table.Th>{t('coupons.expiresAt')}</Table.Th>
                <Table.Th>{t('coupons.batch')}</Table.Th>
                <Table.Th>{t('coupons.createdAt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {coupons.items.length === 0 && !coupons.isError && <TableState colSpan={5} loading={coupons.isPending} empty={t('coupons.empty')} />}
              {coupons.items.map((c) => {
                const usedUp = c.maxUses !== null && c.used >= c.maxUses;
                const expired = !!c.expiresAt && new Date(c.expiresAt).getTime() <= Date.now();
                return (
                  <Table.Tr key={c.code}>
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" ff="monospace">
                          {c.code}
                        </Text>
                        {usedUp && (
                          <Badge size="xs" color="gray" variant="light">
                            {t('coupons.usedUp')}
                          </Badge>
                        )}
                        {expired && (
                          <Badge size="xs" color="orange" variant="light">
                            {t('coupons.expired')}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td ta="right">{c.maxUses === null ? t('coupons.usedOfUnlimited', { used: c.used }) : t('coupons.usedOf', { used: c.used, max: c.maxUses })}</Table.Td>
                    <Table.Td>{c.expiresAt ? formatDateTime(c.expiresAt) : t('coupons.noExpiry')}</Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace" c="dimmed">
                        {c.batchId ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(c.createdAt)}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={!!coupons.hasNextPage} loading={coupons.isFetchingNextPage} onLoad={() => void coupons.fetchNextPage()} />
      </section>
    </Stack>
  );
}

function AddCoupon({ promotionId }: { promotionId: string }) {
  const { t } = useTranslation('promotions');
  const [code, setCode] = useState('');
  const [maxUses, setMaxUses] = useState<number | string>(1);
  const [expiresAt, setExpiresAt] = useState('');
  const add = useAddCoupon(promotionId, {
    onSuccess: (c) => {
      notifySuccess(t('coupons.added', { code: c.code }));
      setCode('');
    },
  });
  const fieldError = (path: string) => (add.error instanceof ApiProblem ? errorAt(add.error, path) : undefined);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (code.trim()) add.mutate({ code: code.trim(), maxUses: maxUsesValue(maxUses), expiresAt: toIso(expiresAt) });
  }
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="promo-add-coupon">
      <Title order={3} size="h5" id="promo-add-coupon" mb="sm">
        {t('coupons.addTitle')}
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {add.isError && !fieldError('/code') && (
            <Alert color="red" role="alert">
              {problemMessage(add.error)}
            </Alert>
          )}
          <TextInput label={t('coupons.code')} description={t('coupons.codeHint')} required value={code} onChange={(e) => setCode(e.currentTarget.value)} error={fieldError('/code') ?? (add.error instanceof ApiProblem && add.error.status === 409 ? add.error.detail : undefined)} />
          <SimpleGrid cols={2}>
            <NumberInput label={t('coupons.maxUses')} description={t('coupons.maxUsesHint')} min={1} allowDecimal={false} allowNegative={false} value={maxUses} onChange={setMaxUses} error={fieldError('/maxUses')} />
            <TextInput type="datetime-local" label={t('coupons.expiresAt')} description={t('rule.optional')} value={expiresAt} onChange={(e) => setExpiresAt(e.currentTarget.value)} error={fieldError('/expiresAt')} />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button type="submit" loading={add.isPending} disabled={!code.trim()}>
              {t('coupons.add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function GenerateBatch({ promotionId }: { promotionId: string }) {
  const { t } = useTranslation('promotions');
  const [count, setCount] = useState<number | string>(10);
  const [prefix, setPrefix] = useState('');
  const [length, setLength] = useState<number | string>(8);
  const [maxUses, setMaxUses] = useState<number | string>(1);
  const [expiresAt, setExpiresAt] = useState('');
  const generate = useGenerateCoupons(promotionId, {
    onSuccess: (batch) => {
      notifySuccess(t('coupons.generated', { count: batch.codes.length }));
    },
  });
  const fieldError = (path: string) => (generate.error instanceof ApiProblem ? errorAt(generate.error, path) : undefined);

  function download(batchId: string, codes: string[]) {
    const csv = `code\r\n${codes.join('\r\n')}\r\n`;
    const href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = href;
    a.download = `coupons-${batchId}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (Number(count) >= 1) generate.mutate({ count: Number(count), prefix: prefix.trim() || undefined, length: length === '' ? undefined : Number(length), maxUses: maxUsesValue(maxUses), expiresAt: toIso(expiresAt) });
  }

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="promo-batch">
      <Title order={3} size="h5" id="promo-batch" mb="sm">
        {t('coupons.batchTitle')}
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {generate.isError && (
            <Alert color="red" role="alert">
              {problemMessage(generate.error)}
            </Alert>
          )}
          <SimpleGrid cols={2}>
            <NumberInput label={t('coupons.count')} required min={1} max={100000} allowDecimal={false} allowNegative={false} value={count} onChange={setCount} error={fieldError('/count')} />
            <TextInput label={t('coupons.prefix')} description={t('rule.optional')} value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)} error={fieldError('/prefix')} />
            <NumberInput label={t('coupons.length')} description={t('coupons.lengthHint')} min={6} max={32} allowDecimal={false} allowNegative={false} value={length} onChange={setLength} error={fieldError('/length')} />
            <NumberInput label={t('coupons.maxUses')} description={t('coupons.maxUsesHint')} min={1} allowDecimal={false} allowNegative={false} value={maxUses} onChange={setMaxUses} error={fieldError('/maxUses')} />
            <TextInput type="datetime-local" label={t('coupons.expiresAt')} description={t('rule.optional')} value={expiresAt} onChange={(e) => setExpiresAt(e.currentTarget.value)} error={fieldError('/expiresAt')} />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button type="submit" loading={generate.isPending}>
              {t('coupons.generate')}
            </Button>
          </Group>
          {generate.data && (
            <Alert color="teal" variant="light" title={t('coupons.batchReady', { count: generate.data.codes.length })}>
              <ScrollArea.Autosize mah={180} type="auto">
                <Code block aria-label={t('coupons.batchCodes')}>
                  {generate.data.codes.join('\n')}
                </Code>
              </ScrollArea.Autosize>
              <Group mt="sm">
                <Button size="xs" variant="light" onClick={() => download(generate.data.batchId, generate.data.codes)}>
                  {t('coupons.downloadCsv')}
                </Button>
              </Group>
            </Alert>
          )}
        </Stack>
      </form>
    </Card>
  );
}
