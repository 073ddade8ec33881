import { Button, Grid, Group, Paper, Stack, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadMore } from '../../components/LoadMore';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/QueryError';
import { TableState } from '../../components/TableState';
import { formatDateTime } from '../../lib/format';
import { useCaughtEmails } from '../../api/hooks/devtools';
import { EmailView } from './EmailView';

export function MailCatcherPage() {
  const { t } = useTranslation();
  const [to, setTo] = useState('');
  const [toFilter] = useDebouncedValue(to.trim(), 350);
  const [selected, setSelected] = useState<string | null>(null);
  const emails = useCaughtEmails({ to: toFilter || undefined });

  return (
    <Stack gap="md">
      <PageHeader
        title={t('mail.title')}
        description={t('mail.description')}
        actions={
          <Button variant="default" onClick={() => void emails.refetch()} loading={emails.isRefetching && !emails.isFetchingNextPage}>
            {t('common.refresh')}
          </Button>
        }
      />
      <TextInput label={t('mail.filterTo')} placeholder="someone@example.com" value={to} onChange={(e) => setTo(e.currentTarget.value)} maw={320} />
      {emails.isError && <QueryError error={emails.error} onRetry={() => void emails.refetch()} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Table.ScrollContainer minWidth={420}>
            <Table highlightOnHover verticalSpacing="sm" aria-label={t('mail.tableLabel')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('mail.subject')}</Table.Th>
                  <Table.Th>{t('mail.to')}</Table.Th>
                  <Table.Th>{t('mail.received')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {emails.items.length === 0 && !emails.isError && <TableState colSpan={3} loading={emails.isPending} empty={t('mail.empty')} />}
                {emails.items.map((m) => (
                  <Table.Tr key={m.id} bg={selected === m.id ? 'var(--mantine-primary-color-light)' : undefined}>
                    <Table.Td>
                      <UnstyledButton onClick={() => setSelected(m.id)} aria-current={selected === m.id ? 'true' : undefined} fz="sm" fw={500} td="underline">
                        {m.subject || t('mail.noSubject')}
                      </UnstyledButton>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{m.to.join(', ')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(m.receivedAt)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore hasMore={!!emails.hasNextPage} loading={emails.isFetchingNextPage} onLoad={() => void emails.fetchNextPage()} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Paper withBorder p="md" mih={240}>
            {selected ? (
              <EmailView id={selected} />
            ) : (
              <Group h={200} justify="center">
                <Text c="dimmed" size="sm">
                  {t('mail.pick')}
                </Text>
              </Group>
            )}
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
