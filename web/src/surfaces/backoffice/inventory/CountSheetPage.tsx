import { Alert, Anchor, Badge, Button, Card, Center, Group, Loader, NumberInput, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../api/client';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { VariantLabel } from '../../../components/VariantLabel';
import { useCan } from '../../../lib/auth';
import { useLocations } from '../../../api/hooks/inventory';
import { useVariantInfo } from '../../../api/hooks/catalog';
import { formatDateTime } from '../../../lib/format';
import { notifyError, notifySuccess } from '../../../lib/notify';
import { COUNT_STATUS_COLORS, signed, type CountSheet } from './model';

export function CountSheetPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('inventory');
  const can = useCan();
  const client = useQueryClient();
  const locations = useLocations();
  // What the counter typed and has not saved yet, per variant.
  const [typed, setTyped] = useState<Record<string, number | string>>({});
  const sheet = useQuery({ queryKey: ['count-sheet', id], queryFn: () => unwrap(api.GET('/v1/count-sheets/{id}', { params: { path: { id } } })) });

  const settle = (message: string) => (c: CountSheet) => {
    client.setQueryData(['count-sheet', id], c);
    setTyped({});
    for (const key of ['count-sheets', 'stock', 'location-stock', 'stock-movements', 'availability']) void client.invalidateQueries({ queryKey: [key] });
    notifySuccess(message);
  };
  const enter = useMutation({
    mutationFn: (v: { submit: boolean }) =>
      unwrap(
        api.POST('/v1/count-sheets/{id}/counts', {
          params: { path: { id } },
          body: {
            counts: Object.entries(typed)
              .filter(([, n]) => n !== '' && n !== undefined)
              .map(([variantId, n]) => ({ variantId, counted: Number(n) })),
            submit: v.submit,
          },
        }),
      ),
    onSuccess: (c, v) => settle(v.submit ? t('counts.detail.submitted') : t('counts.detail.saved'))(c),
    onError: notifyError,
  });
  const decide = useMutation({
    mutationFn: (approve: boolean) => unwrap(approve ? api.POST('/v1/count-sheets/{id}/approve', { params: { path: { id } } }) : api.POST('/v1/count-sheets/{id}/reject', { params: { path: { id } } })),
    onSuccess: (c, approve) => settle(approve ? t('counts.detail.approved') : t('counts.detail.rejected'))(c),
    onError: notifyError,
  });

  if (sheet.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={t('counts.title')} />
      </Center>
    );
  }
  if (sheet.isError) return <QueryError error={sheet.error} onRetry={() => void sheet.refetch()} />;
  const c = sheet.data;
  const writable = can('inventory:write');
  const location = locations.data?.data.find((l) => l.id === c.locationId);
  const open = c.status === 'open';
  const valueOf = (variantId: string, counted: number | null) => (variantId in typed ? typed[variantId] : (counted ?? ''));
  const everyLineCounted = c.lines.every((l) => valueOf(l.variantId, l.counted) !== '');

  return (
    <Stack gap="xl">
      <div>
        <Anchor component={Link} to="/backoffice/inventory/counts" size="sm">
          ← {t('counts.detail.back')}
        </Anchor>
        <PageHeader
          title={t('counts.detail.title', { zone: c.zone ?? t('counts.noZone'), location: location?.name ?? '…' })}
          description={c.id}
          actions={
            <Badge size="lg" variant="light" color={COUNT_STATUS_COLORS[c.status]} data-testid="count-status">
              {t(`counts.statuses.${c.status}`)}
            </Badge>
          }
        />
      </div>
      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <Field label={t('location')} value={location ? `${location.code} · ${location.name}` : c.locationId} />
          <Field label={t('createdAt')} value={formatDateTime(c.createdAt)} />
          <Field label={t('counts.detail.submittedAt')} value={formatDateTime(c.submittedAt)} />
          <Field label={t('counts.detail.decidedAt')} value={c.decidedAt ? `${formatDateTime(c.decidedAt)}${c.decidedBy ? ` · ${c.decidedBy}` : ''}` : '—'} />
        </SimpleGrid>
      </Card>

      <section aria-labelledby="variance-report">
        <Title order={2} size="h3" id="variance-report" mb="md">
          {t('counts.detail.report')}
        </Title>
        <Group gap="lg" data-testid="variance-report">
          <Stat label={t('counts.detail.linesCounted')} value={`${c.variance.linesCounted} / ${c.lines.length}`} />
          <Stat label={t('counts.detail.linesWithVariance')} value={String(c.variance.linesWithVariance)} />
          <Stat label={t('counts.detail.netUnits')} value={signed(c.variance.netUnits)} testId="variance-net" />
          <Stat label={t('counts.detail.absoluteUnits')} value={String(c.variance.absoluteUnits)} />
        </Group>
      </section>

      {writable && open && (
        <Group gap="sm">
          <Button variant="default" onClick={() => enter.mutate({ submit: false })} loading={enter.isPending && !enter.variables?.submit} disabled={!Object.keys(typed).length}>
            {t('counts.detail.save')}
          </Button>
          <Button onClick={() => enter.mutate({ submit: true })} loading={enter.isPending && !!enter.variables?.submit} disabled={!everyLineCounted}>
            {t('counts.detail.submit')}
          </Button>
          {!everyLineCounted && (
            <Text size="sm" c="dimmed">
              {t('counts.detail.countEverything')}
            </Text>
          )}
        </Group>
      )}
      {writable && c.status === 'submitted' && (
        <Stack gap="xs">
          <Alert color="blue" variant="light">
            {t('counts.detail.approveHint')}
          </Alert>
          <Group gap="sm">
            <Button onClick={() => decide.mutate(true)} loading={decide.isPending && decide.variables === true}>
              {t('counts.detail.approve')}
            </Button>
            <Button variant="light" color="red" onClick={() => decide.mutate(false)} loading={decide.isPending && decide.variables === false}>
              {t('counts.detail.reject')}
            </Button>
          </Group>
        </Stack>
      )}

      <section aria-labelledby="count-lines">
        <Title order={2} size="h3" id="count-lines" mb="md">
          {t('counts.detail.lines')}
        </Title>
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="sm" aria-label={t('counts.detail.lines')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sku')}</Table.Th>
                <Table.Th ta="right">{t('counts.detail.expected')}</Table.Th>
                <Table.Th ta="right">{t('counts.detail.counted')}</Table.Th>
                <Table.Th ta="right">{t('counts.detail.variance')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.lines.map((l) => (
                <CountRow key={l.variantId} line={l} editable={writable && open} value={valueOf(l.variantId, l.counted)} onChange={(v) => setTyped((all) => ({ ...all, [l.variantId]: v }))} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
    </Stack>
  );
}

function CountRow({ line: l, editable, value, onChange }: { line: CountSheet['lines'][number]; editable: boolean; value: number | string; onChange: (v: number | string) => void }) {
  const { t } = useTranslation('inventory');
  const info = useVariantInfo(l.variantId);
  // The variance as it will be once saved: typed count − expected.
  const variance = value === '' ? null : Number(value) - l.expected;
  return (
    <Table.Tr>
      <Table.Td>
        <VariantLabel variantId={l.variantId} />
      </Table.Td>
      <Table.Td ta="right">{l.expected}</Table.Td>
      <Table.Td ta="right">
        {editable ? (
          <NumberInput
            size="xs"
            w={110}
            ml="auto"
            min={0}
            allowDecimal={false}
            aria-label={t('counts.detail.countedFor', { sku: info.data?.sku ?? l.variantId })}
            value={value}
            onChange={onChange}
          />
        ) : (
          (l.counted ?? '—')
        )}
      </Table.Td>
      <Table.Td ta="right" fw={variance ? 700 : undefined} c={variance ? 'red.7' : undefined}>
        {variance == null ? '—' : signed(variance)}
      </Table.Td>
    </Table.Tr>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Card withBorder padding="md" miw={160}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}
