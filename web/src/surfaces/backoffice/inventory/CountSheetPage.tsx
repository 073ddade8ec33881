import { Card, Group, NumberInput, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useCountSheet, useDecideCountSheet, useEnterCounts, useLocations } from '../../../api/hooks/inventory';
import { DocumentWithLines, type DocumentAction } from '../../../components/DocumentWithLines';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { notifyError, notifySuccess } from '../../../lib/notify';
import { COUNT_STATUS_COLORS, signed, type CountSheet } from './model';

type Line = CountSheet['lines'][number];

/** A count sheet: open (counts typed and saved) → submitted → approved (stock corrected) or rejected. */
export function CountSheetPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('inventory');
  const can = useCan();
  const locations = useLocations();
  // What the counter typed and has not saved yet, per variant.
  const [typed, setTyped] = useState<Record<string, number | string>>({});
  const sheet = useCountSheet(id);

  const settled = (message: string) => {
    setTyped({});
    notifySuccess(message);
  };
  const enter = useEnterCounts(id, { onSuccess: (_c, v) => settled(v.submit ? t('counts.detail.submitted') : t('counts.detail.saved')), onError: notifyError });
  const decide = useDecideCountSheet(id, { onSuccess: (_c, approve) => settled(approve ? t('counts.detail.approved') : t('counts.detail.rejected')), onError: notifyError });
  const save = (submit: boolean) =>
    enter.mutate({
      counts: Object.entries(typed)
        .filter(([, n]) => n !== '' && n !== undefined)
        .map(([variantId, n]) => ({ variantId, counted: Number(n) })),
      submit,
    });

  return (
    <DocumentWithLines<CountSheet, Line>
      query={sheet}
      loadingLabel={t('counts.title')}
      config={(c) => {
        const location = locations.data?.data.find((l) => l.id === c.locationId);
        const editable = can('inventory:write') && c.status === 'open';
        const valueOf = (l: Line) => (l.variantId in typed ? typed[l.variantId]! : (l.counted ?? ''));
        const everyLineCounted = c.lines.every((l) => valueOf(l) !== '');
        const actions: DocumentAction[] = [];
        if (editable) {
          actions.push({ label: t('counts.detail.save'), variant: 'default', onClick: () => save(false), loading: enter.isPending && !enter.variables?.submit, disabled: !Object.keys(typed).length });
          actions.push({ label: t('counts.detail.submit'), onClick: () => save(true), loading: enter.isPending && !!enter.variables?.submit, disabled: !everyLineCounted });
        }
        if (can('inventory:write') && c.status === 'submitted') {
          actions.push({ label: t('counts.detail.approve'), onClick: () => decide.mutate(true), loading: decide.isPending && decide.variables === true });
          actions.push({ label: t('counts.detail.reject'), variant: 'light', color: 'red', onClick: () => decide.mutate(false), loading: decide.isPending && decide.variables === false });
        }
        // The variance as it will be once saved: typed count − expected.
        const variance = (l: Line) => (valueOf(l) === '' ? null : Number(valueOf(l)) - l.expected);
        return {
          kind: 'count',
          back: { to: '/backoffice/inventory/counts', label: t('counts.detail.back') },
          title: t('counts.detail.title', { zone: c.zone ?? t('counts.noZone'), location: location?.name ?? '…' }),
          id: c.id,
          status: { label: t(`counts.statuses.${c.status}`), color: COUNT_STATUS_COLORS[c.status] },
          fields: [
            { label: t('location'), value: location ? `${location.code} · ${location.name}` : c.locationId },
            { label: t('createdAt'), value: formatDateTime(c.createdAt) },
            { label: t('counts.detail.submittedAt'), value: formatDateTime(c.submittedAt) },
            { label: t('counts.detail.decidedAt'), value: c.decidedAt ? `${formatDateTime(c.decidedAt)}${c.decidedBy ? ` · ${c.decidedBy}` : ''}` : '—' },
          ],
          summary: (
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
          ),
          actions,
          actionNote: editable && !everyLineCounted ? t('counts.detail.countEverything') : null,
          notices: [can('inventory:write') && c.status === 'submitted' && { text: t('counts.detail.approveHint'), color: 'blue' }],
          lines: {
            title: t('counts.detail.lines'),
            skuHeader: t('sku'),
            minWidth: 640,
            rows: c.lines,
            columns: [
              { key: 'expected', header: t('counts.detail.expected'), align: 'right', render: (l) => l.expected },
              {
                key: 'counted',
                header: t('counts.detail.counted'),
                align: 'right',
                render: (l, sku) =>
                  editable ? (
                    <NumberInput
                      size="xs"
                      w={110}
                      ml="auto"
                      min={0}
                      allowDecimal={false}
                      aria-label={t('counts.detail.countedFor', { sku })}
                      value={valueOf(l)}
                      onChange={(v) => setTyped((all) => ({ ...all, [l.variantId]: v }))}
                    />
                  ) : (
                    (l.counted ?? '—')
                  ),
              },
              {
                key: 'variance',
                header: t('counts.detail.variance'),
                align: 'right',
                render: (l) => (variance(l) == null ? '—' : signed(variance(l)!)),
                cell: (l) => ({ fw: variance(l) ? 700 : undefined, c: variance(l) ? 'red.7' : undefined }),
              },
            ],
          },
        };
      }}
    />
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
