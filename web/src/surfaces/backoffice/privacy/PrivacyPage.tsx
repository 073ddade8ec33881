// Privacy (GDPR) in the back office: look a person up by any identifier, download their export,
// see their consents, erase them (with a reason and a typed confirmation), and the erasures done.
import { Alert, Badge, Button, Group, Modal, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type Schemas } from '../../../api/client';
import { useConsents, useErasePerson, useErasures, usePrivacyExport, useRecordConsents } from '../../../api/hooks/customers';
import { LoadMore } from '../../../components/LoadMore';
import { PageHeader } from '../../../components/PageHeader';
import { QueryError } from '../../../components/QueryError';
import { TableState } from '../../../components/TableState';
import { useCan } from '../../../lib/auth';
import { formatDateTime } from '../../../lib/format';
import { notifySuccess, problemMessage } from '../../../lib/notify';

type Kind = 'email' | 'customerId' | 'anonymousId' | 'phone';
interface Subject {
  kind: Kind;
  value: string;
}

/** How many records a module's part of the export holds. */
function countOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.values(v).reduce<number>((n, x) => n + (Array.isArray(x) ? x.length : 0), 0);
  return 0;
}

function download(data: unknown, name: string) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function PrivacyPage() {
  const { t } = useTranslation('privacy');
  const can = useCan();
  const [subject, setSubject] = useState<Subject | null>(null);
  const [erasing, setErasing] = useState(false);
  const [changing, setChanging] = useState(false);
  const form = useForm({
    initialValues: { kind: 'email' as Kind, value: '' },
    validate: { value: (v) => (v.trim() ? null : t('valueRequired')) },
  });
  const query = subject ? { [subject.kind]: subject.value } : {};

  const exported = usePrivacyExport(subject && query);
  const consents = useConsents(subject && query, !!subject && subject.kind !== 'phone' && can('customers:read'));
  const erasures = useErasures();

  const modules = Object.entries(exported.data?.modules ?? {}).map(([name, v]) => [name, countOf(v)] as const);
  const other = Object.entries(exported.data?.other ?? {}).map(([name, v]) => [name, v.length] as const);
  const rows = [...modules, ...other].filter(([, n]) => n > 0);
  const ids = exported.data?.identifiers;

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} description={t('description')} />
      <form onSubmit={form.onSubmit((v) => setSubject({ kind: v.kind, value: v.value.trim() }))} noValidate>
        <Group gap="sm" align="flex-start">
          <Select
            label={t('kind')}
            data={(['email', 'customerId', 'anonymousId', 'phone'] as const).map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
            allowDeselect={false}
            w={180}
            {...form.getInputProps('kind')}
          />
          <TextInput label={t('value')} required w={320} {...form.getInputProps('value')} />
          <Button type="submit" mt={25}>
            {t('lookUp')}
          </Button>
        </Group>
      </form>

      {exported.isError && <QueryError error={exported.error} onRetry={() => void exported.refetch()} />}
      {exported.data && subject && (
        <Stack gap="sm">
          <Group gap="xs">
            <Text size="sm" fw={600}>
              {t('identifiers')}:
            </Text>
            {[...(ids?.customerIds ?? []), ...(ids?.emails ?? []), ...(ids?.phones ?? []), ...(ids?.anonymousIds ?? []), ...(ids?.profileIds ?? [])].map((v) => (
              <Badge key={v} variant="light" tt="none">
                {v}
              </Badge>
            ))}
          </Group>
          <Title order={3} size="h4">
            {t('holdings')}
          </Title>
          <Table verticalSpacing="xs" aria-label={t('holdingsLabel')} maw={520}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('module')}</Table.Th>
                <Table.Th ta="right">{t('rows')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.length === 0 && <TableState colSpan={2} loading={false} empty={t('nothing')} />}
              {rows.map(([name, n]) => (
                <Table.Tr key={name}>
                  <Table.Td>{name}</Table.Td>
                  <Table.Td ta="right">{n}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button variant="default" onClick={() => download(exported.data, `winkel-export-${subject.value.replace(/[^\w.@+-]/g, '_')}.json`)}>
              {t('download')}
            </Button>
            {can('privacy:erase') ? (
              <Button color="red" variant="light" onClick={() => setErasing(true)}>
                {t('erase')}
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                {t('noErasePermission')}
              </Text>
            )}
          </Group>
        </Stack>
      )}

      {consents.data && (
        <Stack gap="xs">
          <Group justify="space-between" maw={720}>
            <Title order={3} size="h4">
              {t('consents')}
            </Title>
            {can('customers:write') && (
              <Button size="xs" variant="default" onClick={() => setChanging(true)}>
                {t('changeConsents')}
              </Button>
            )}
          </Group>
          <Table verticalSpacing="xs" aria-label={t('consentsLabel')} maw={720}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('purpose')}</Table.Th>
                <Table.Th>{t('state')}</Table.Th>
                <Table.Th>{t('source')}</Table.Th>
                <Table.Th>{t('since')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {consents.data.current.map((c) => (
                <Table.Tr key={c.purpose}>
                  <Table.Td>{c.purpose}</Table.Td>
                  <Table.Td>
                    <Badge color={c.granted ? 'green' : 'gray'} variant="light" tt="none">
                      {c.granted ? t('granted') : t('withheld')}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{t(`sources.${c.source}`)}</Table.Td>
                  <Table.Td>{c.recordedAt ? formatDateTime(c.recordedAt) : '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}

      <Title order={3} size="h4">
        {t('erasures')}
      </Title>
      {erasures.isError && <QueryError error={erasures.error} onRetry={() => void erasures.refetch()} />}
      <Table verticalSpacing="xs" aria-label={t('erasuresLabel')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('when')}</Table.Th>
            <Table.Th>{t('by')}</Table.Th>
            <Table.Th>{t('reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {erasures.items.length === 0 && !erasures.isError && <TableState colSpan={3} loading={erasures.isPending} empty={t('noErasures')} />}
          {erasures.items.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>
                <Text size="sm">{formatDateTime(e.createdAt)}</Text>
                <Text size="xs" c="dimmed" ff="monospace">
                  {e.id}
                </Text>
              </Table.Td>
              <Table.Td>{(e.actor as { label?: string } | undefined)?.label ?? '—'}</Table.Td>
              <Table.Td>{e.reason}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <LoadMore hasMore={!!erasures.hasNextPage} loading={erasures.isFetchingNextPage} onLoad={() => void erasures.fetchNextPage()} />

      {subject && consents.data && (
        <ConsentModal opened={changing} subject={subject} current={consents.data.current} onClose={() => setChanging(false)} />
      )}
      {subject && (
        <EraseModal
          opened={erasing}
          subject={subject}
          onClose={() => setErasing(false)}
          onErased={(r) => {
            setErasing(false);
            setSubject(null);
            notifySuccess(t('erased', { id: r.id }));
          }}
        />
      )}
    </Stack>
  );
}

function EraseModal({ opened, subject, onClose, onErased }: { opened: boolean; subject: Subject; onClose: () => void; onErased: (r: Schemas['Erasure']) => void }) {
  const { t } = useTranslation('privacy');
  const form = useForm({
    initialValues: { reason: '', confirm: '' },
    validate: {
      reason: (v) => (v.trim().length >= 3 ? null : t('reasonRequired')),
      confirm: (v) => (v.trim() === subject.value ? null : t('confirmMismatch')),
    },
  });
  const erase = useErasePerson({
    onSuccess: (r) => {
      form.reset();
      onErased(r);
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('eraseTitle')} centered>
      <form onSubmit={form.onSubmit((v) => erase.mutate({ [subject.kind]: subject.value, reason: v.reason.trim() }))} noValidate>
        <Stack>
          <Alert color="red" variant="light">
            {t('eraseWarning')}
          </Alert>
          {erase.isError && (
            <Alert color="red" role="alert">
              {problemMessage(erase.error)}
            </Alert>
          )}
          <TextInput label={t('reason')} description={t('reasonHint')} required data-autofocus {...form.getInputProps('reason')} />
          <TextInput label={t('confirm', { value: subject.value })} required autoComplete="off" {...form.getInputProps('confirm')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('translation:common.cancel')}
            </Button>
            <Button type="submit" color="red" loading={erase.isPending}>
              {t('eraseButton')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ConsentModal({ opened, subject, current, onClose }: { opened: boolean; subject: Subject; current: Schemas['ConsentState'][]; onClose: () => void }) {
  const { t } = useTranslation('privacy');
  const initial = Object.fromEntries(current.map((c) => [c.purpose, c.granted])) as Record<string, boolean>;
  const form = useForm({
    initialValues: { granted: initial, reason: '' },
    validate: { reason: (v) => (v.trim().length >= 3 ? null : t('reasonRequired')) },
  });
  const save = useRecordConsents({
    onSuccess: () => {
      notifySuccess(t('consentsSaved'));
      form.reset();
      onClose();
    },
    onError: (err) => {
      if (err instanceof ApiProblem) form.setErrors(err.fieldErrors());
    },
  });
  const unchanged = current.every((c) => form.values.granted[c.purpose] === c.granted);
  return (
    <Modal opened={opened} onClose={onClose} title={t('changeConsents')} centered>
      <form onSubmit={form.onSubmit((v) =>
          save.mutate({
            [subject.kind]: subject.value,
            reason: v.reason.trim(),
            consents: current.filter((c) => v.granted[c.purpose] !== c.granted).map((c) => ({ purpose: c.purpose, granted: v.granted[c.purpose] })),
          }),
        )} noValidate>
        <Stack>
          {save.isError && (
            <Alert color="red" role="alert">
              {problemMessage(save.error)}
            </Alert>
          )}
          {current.map((c) => (
            <Switch key={c.purpose} label={c.purpose} {...form.getInputProps(`granted.${c.purpose}`, { type: 'checkbox' })} />
          ))}
          <TextInput label={t('reason')} description={t('consentReasonHint')} required {...form.getInputProps('reason')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('translation:common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={unchanged}>
              {t('saveConsents')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
