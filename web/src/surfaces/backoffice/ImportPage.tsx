import { Alert, Badge, Button, Card, FileInput, Group, Progress, Select, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { importBusy as busy, useExportProducts, useImport, useImportRejections, useImports, useUploadImport } from '../../api/hooks/imports';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { useCan } from '../../lib/auth';
import { formatDateTime } from '../../lib/format';
import { formatNumber } from '../../lib/money';
import { notifyError, notifySuccess, problemMessage } from '../../lib/notify';

const JOB_COLORS = { queued: 'gray', running: 'blue', succeeded: 'teal', failed: 'red' } as const;

export function ImportPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<string>('products');
  const [jobId, setJobId] = useState<string | null>(null);

  const upload = useUploadImport({
    onSuccess: (job) => {
      setJobId(job.id);
      setFile(null);
    },
  });
  const exportCsv = useExportProducts({
    onSuccess: () => notifySuccess(t('imports.exported')),
    onError: notifyError,
  });

  const jobs = useImports();

  return (
    <Stack gap="xl">
      <PageHeader
        title={t('imports.title')}
        description={t('imports.description')}
        actions={
          <Button variant="default" onClick={() => exportCsv.mutate()} loading={exportCsv.isPending}>
            {t('imports.export')}
          </Button>
        }
      />
      {can('catalog:write') && (
        <Card withBorder padding="lg" component="section" aria-labelledby="upload-title">
          <Title order={2} size="h4" id="upload-title" mb="md">
            {t('imports.uploadTitle')}
          </Title>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (file) upload.mutate({ file, kind });
            }}
          >
            <Stack>
              {upload.isError && (
                <Alert color="red" role="alert">
                  {problemMessage(upload.error)}
                </Alert>
              )}
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <FileInput
                  label={t('imports.file')}
                  description={t('imports.fileHint')}
                  placeholder={t('imports.choose')}
                  accept=".csv,.ndjson,.jsonl,.gz,text/csv,application/x-ndjson,application/gzip"
                  value={file}
                  onChange={setFile}
                  clearable
                  required
                />
                <Select
                  label={t('imports.kind')}
                  description={kind === 'online-retail' ? t('imports.kinds.onlineRetailHint') : t('imports.kinds.productsHint')}
                  data={[
                    { value: 'products', label: t('imports.kinds.products') },
                    { value: 'online-retail', label: t('imports.kinds.onlineRetail') },
                  ]}
                  value={kind}
                  onChange={(v) => setKind(v ?? 'products')}
                  allowDeselect={false}
                />
              </SimpleGrid>
              <Group justify="flex-end">
                <Button type="submit" disabled={!file} loading={upload.isPending}>
                  {t('imports.start')}
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
      )}

      {jobId && <JobDetail jobId={jobId} />}

      <section aria-labelledby="imports-title">
        <Title order={2} size="h3" id="imports-title" mb="md">
          {t('imports.history')}
        </Title>
        {jobs.isError && <QueryError error={jobs.error} onRetry={() => void jobs.refetch()} mb="md" />}
        <Table.ScrollContainer minWidth={760}>
          <Table striped highlightOnHover verticalSpacing="sm" aria-label={t('imports.history')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.started')}</Table.Th>
                <Table.Th>{t('imports.source')}</Table.Th>
                <Table.Th>{t('imports.kind')}</Table.Th>
                <Table.Th>{t('imports.statusLabel')}</Table.Th>
                <Table.Th ta="right">{t('imports.accepted')}</Table.Th>
                <Table.Th ta="right">{t('imports.rejected')}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {jobs.items.length === 0 && !jobs.isError && <TableState colSpan={7} loading={jobs.isPending} empty={t('imports.empty')} />}
              {jobs.items.map((j) => (
                <Table.Tr key={j.id}>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(j.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {j.source}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{j.kind}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={JOB_COLORS[j.status]} variant="light">
                      {t(`imports.status.${j.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(j.accepted)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(j.rejected)}</Table.Td>
                  <Table.Td ta="right">
                    <Button size="xs" variant="subtle" onClick={() => setJobId(j.id)} aria-label={t('imports.showJob', { source: j.source })} aria-pressed={jobId === j.id}>
                      {t('common.details')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        <LoadMore hasMore={!!jobs.hasNextPage} loading={jobs.isFetchingNextPage} onLoad={() => void jobs.fetchNextPage()} />
      </section>
    </Stack>
  );
}

function JobDetail({ jobId }: { jobId: string }) {
  const { t } = useTranslation();
  const job = useImport(jobId);
  const rejections = useImportRejections(jobId);
  const j = job.data;
  const pct = Math.round((j?.status === 'succeeded' ? 1 : (j?.progress.fraction ?? 0)) * 100);

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="job-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="job-title">
          {t('imports.jobTitle', { source: j?.source ?? '…' })}
        </Title>
        {j && (
          <Badge color={JOB_COLORS[j.status]} variant="light" size="lg">
            {t(`imports.status.${j.status}`)}
          </Badge>
        )}
      </Group>
      {job.isError && <QueryError error={job.error} onRetry={() => void job.refetch()} mb="md" />}
      {j && (
        <Stack gap="sm">
          <Progress.Root size="xl" aria-label={t('imports.progress')}>
            <Progress.Section value={pct} color={j.status === 'failed' ? 'red' : j.status === 'succeeded' ? 'teal' : 'blue'} animated={busy(j)} striped={busy(j)} role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} aria-label={t('imports.progress')}>
              <Progress.Label>{pct}%</Progress.Label>
            </Progress.Section>
          </Progress.Root>
          <SimpleGrid cols={{ base: 2, sm: 4 }} aria-live="polite">
            <Stat label={t('imports.phase')} value={j.progress.phase ? t(`imports.phases.${j.progress.phase}`, { defaultValue: j.progress.phase }) : '—'} />
            <Stat label={t('imports.rows')} value={formatNumber(j.progress.rows)} />
            <Stat label={t('imports.accepted')} value={formatNumber(j.accepted)} />
            <Stat label={t('imports.rejected')} value={formatNumber(j.rejected)} />
          </SimpleGrid>
          {j.error && (
            <Alert color="red" role="alert">
              {j.error}
            </Alert>
          )}
        </Stack>
      )}
      <Title order={3} size="h5" mt="lg" mb="xs">
        {t('imports.rejections')}
      </Title>
      {rejections.isError && <QueryError error={rejections.error} onRetry={() => void rejections.refetch()} mb="md" />}
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" striped aria-label={t('imports.rejections')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('imports.line')}</Table.Th>
              <Table.Th>{t('imports.field')}</Table.Th>
              <Table.Th>{t('imports.value')}</Table.Th>
              <Table.Th>{t('imports.reason')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rejections.items.length === 0 && !rejections.isError && <TableState colSpan={4} loading={rejections.isPending} empty={t('imports.noRejections')} />}
            {rejections.items.map((r) => (
              <Table.Tr key={r.seq}>
                <Table.Td>{r.line ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {r.field ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td maw={260}>
                  <Text size="sm" ff="monospace" truncate="end">
                    {r.value ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{r.reason}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <LoadMore hasMore={!!rejections.hasNextPage} loading={rejections.isFetchingNextPage} onLoad={() => void rejections.fetchNextPage()} />
    </Card>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600}>
        {value}
      </Text>
    </div>
  );
}
